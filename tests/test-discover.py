#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""peerscope-cli discover --target against camera emulators on loopback.

Each emulator has its own loopback address (127.0.0.0/8 is all ours), so it
can answer on the real WS-Discovery (3702), SSDP (1900) and CS2 PPPP (32108)
ports.
Only directed (unicast) probes: nothing here multicasts or broadcasts.
Prints TAP.
"""

import json
import os
import signal
import socket
import struct
import subprocess
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from taptest import Tap  # noqa: E402

CLI = os.environ["PS_CLI"]
EMULATOR = os.environ["PS_EMULATOR"]
BASE = 20 + os.getpid() % 200   # 127.0.0.BASE.. for this run

TAP = Tap()
check = TAP.check


def start(address, *args):
    proc = subprocess.Popen([EMULATOR, "--bind", address, "--wsd-max-delay-ms", "0", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    if not line:
        proc.kill()
        raise RuntimeError(f"the emulator on {address} did not start")
    return proc, json.loads(line)


def mdns_only_camera(address):
    """A device that answers nothing but mDNS: a legacy unicast answer
    (RFC 6762 §6.7) to the first query, written here, not by the emulator."""
    def name(text):
        return b"".join(bytes([len(label)]) + label.encode() for label in text.split(".")) + b"\0"

    def record(owner, rtype, rdata):
        return owner + struct.pack(">HHIH", rtype, 1, 10, len(rdata)) + rdata

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((address, 5353))
    sock.settimeout(10)

    def serve():
        try:
            query, peer = sock.recvfrom(9000)
            instance = name("Garage Cam._rtsp._tcp.local")
            txt = b"".join(bytes([len(s)]) + s for s in
                           (b"path=/stream1", b"md=Garage 9000", b"macaddress=0200000000AB"))
            answer = (query[:2] + struct.pack(">5H", 0x8400, 0, 1, 0, 3)
                      + record(name("_rtsp._tcp.local"), 12, instance)
                      + record(instance, 33, struct.pack(">3H", 0, 0, 554) + name("garage.local"))
                      + record(instance, 16, txt)
                      + record(name("garage.local"), 1, socket.inet_aton(address)))
            sock.sendto(answer, peer)
        except OSError:
            pass
        finally:
            sock.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return thread


def discover(*args):
    proc = subprocess.run([CLI, "discover", "--timeout", "1.5", "--json", *args],
                          capture_output=True, text=True, timeout=30)
    try:
        doc = json.loads(proc.stdout) if proc.returncode == 0 else None
    except ValueError:
        doc = None
    return proc.returncode, doc, proc.stderr


def main():
    a_addr, b_addr, none_addr = (f"127.0.0.{BASE}", f"127.0.0.{BASE + 1}",
                                 f"127.0.0.{BASE + 2}")
    emulators = []
    try:
        a, a_ready = start(a_addr, "--name", "Porch 1/2", "--model", "EmuCam D1",
                           "--mac", "02:00:00:00:00:21", "--pppp-uid", "ABCD-123456-EFGHI")
        emulators.append(a)
        b, b_ready = start(b_addr, "--name", "Attic", "--pppp-uid", "SHIX-000042-XYZAB",
                           "--pppp-psk", "SHIX", "--kalay-uid", "KLAYABCDEFGHJK123456")
        emulators.append(b)

        rc, doc, err = discover("--target", a_addr, "--target", b_addr)
        check("discover exits 0 with JSON", rc == 0 and isinstance(doc, list), err.strip())
        doc = doc or []
        by_address = {d["addresses"][0]: d for d in doc if d.get("addresses")}
        check("two devices", len(doc) == 2, json.dumps(doc)[:400])

        porch = by_address.get(a_addr, {})
        check("ONVIF fields from scopes",
              porch.get("name") == "Porch 1/2" and porch.get("model") == "EmuCam D1"
              and porch.get("mac") == "02:00:00:00:00:21", porch)
        check("ONVIF XAddr is the emulator's device service",
              (porch.get("onvif") or {}).get("xaddrs") == [a_ready["onvif"]], porch.get("onvif"))
        check("ONVIF and CS2 PPPP merged into one device",
              {"cs2-pppp", "onvif"} <= set(porch.get("protocols", [])), porch.get("protocols"))
        check("SSDP merged into the same device, friendlyName kept as the name",
              "ssdp" in porch.get("protocols", []) and porch.get("name") == "Porch 1/2"
              and porch.get("manufacturer"), porch)
        check("arrived on the loopback interface, at our loopback address",
              porch.get("interface") == "lo" and porch.get("local_address") == "127.0.0.1", porch)
        check("vendor P2P marker with the UID",
              porch.get("p2p") == {"network": "cs2", "uid": "ABCD-123456-EFGHI"}, porch.get("p2p"))
        streams = porch.get("streams") or []
        check("streams from GetProfiles/GetStreamUri, main first",
              [st.get("uri") for st in streams] == [a_ready["rtsp"], a_ready["rtsp_sub"]]
              and streams[0].get("width") == 1280, streams)
        check("identity from GetDeviceInformation",
              porch.get("manufacturer") == "Peerscope" and porch.get("firmware"), porch)
        for field in ("id", "name", "manufacturer", "model", "addresses", "mac", "protocols",
                      "onvif", "p2p", "streams"):
            check(f"device has {field}", field in porch)

        check("mDNS merged into the same device",
              "mdns" in porch.get("protocols", []), porch.get("protocols"))

        attic = by_address.get(b_addr, {})
        check("Kalay LAN search answered", "kalay" in attic.get("protocols", []), attic)
        check("obfuscated (SHIX) LAN search answered",
              (attic.get("p2p") or {}).get("uid") == "SHIX-000042-XYZAB", attic)

        m_addr = f"127.0.0.{BASE + 3}"
        mdns_only_camera(m_addr)
        rc, doc, err = discover("--target", m_addr)
        garage = (doc or [{}])[0]
        check("an mDNS-only camera is found",
              rc == 0 and len(doc or []) == 1 and garage.get("protocols") == ["mdns"]
              and garage.get("name") == "Garage Cam" and garage.get("model") == "Garage 9000"
              and garage.get("mac") == "02:00:00:00:00:ab"
              and garage.get("addresses") == [m_addr], doc)

        # IPv6: a directed probe to ::1
        v6, v6_ready = start("::1", "--name", "Six")
        emulators.append(v6)
        rc, doc, err = discover("--target", "::1")
        six = (doc or [{}])[0]
        check("IPv6: found at ::1 over ONVIF, with its streams",
              rc == 0 and six.get("addresses") == ["::1"] and "onvif" in six.get("protocols", [])
              and (six.get("onvif") or {}).get("xaddrs") == [v6_ready["onvif"]]
              and len(six.get("streams", [])) == 2, six)

        rc, doc, err = discover("--target", none_addr)
        check("nobody there: an empty list", rc == 0 and doc == [], err.strip())

        rc, doc, err = discover("--target", "not-an-address")
        check("a bad target fails with one line", rc != 0 and err.count("\n") == 1, repr(err))
    finally:
        for proc in emulators:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=10)

    return TAP.finish()


if __name__ == "__main__":
    sys.exit(main())
