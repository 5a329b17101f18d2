#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""peerscope-cli discover --target against camera emulators on loopback.

Each emulator has its own loopback address (127.0.0.0/8 is all ours), so it
can answer on the real WS-Discovery (3702) and CS2 PPPP (32108) ports.
Only directed (unicast) probes: nothing here multicasts or broadcasts.
Prints TAP.
"""

import json
import os
import signal
import subprocess
import sys

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
                           "--pppp-psk", "SHIX")
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
              sorted(porch.get("protocols", [])) == ["cs2-pppp", "onvif"], porch.get("protocols"))
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

        attic = by_address.get(b_addr, {})
        check("obfuscated (SHIX) LAN search answered",
              (attic.get("p2p") or {}).get("uid") == "SHIX-000042-XYZAB", attic)

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
