#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""peerscope-cli view p2p:DEVICE-ID against the camera emulator publishing
through a real peerscope-rendezvous, on loopback: the DESIGN.md contract.

The emulator (--p2p, --identity) is the camera; the CLI is the viewer.
Checked: video over an ICE host pair, the identity kept across restarts,
and the refusals (wrong token, unknown camera, malformed id, no path).
Then peerscope-cli bridge publishes a plain RTSP camera (an emulator
without --p2p) and the viewer watches it over P2P; and the viewer plays the
emulator's WHEP endpoint (RFC 9725), with and without its Bearer token.
Prints TAP.
"""

import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from taptest import Tap  # noqa: E402

CLI = os.environ["PS_CLI"]
EMULATOR = os.environ["PS_EMULATOR"]
RENDEZVOUS = os.environ["PS_RENDEZVOUS"]
TOKEN = "lab-account-token-0123456789"

TAP = Tap()
check = TAP.check


def start(argv):
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    try:
        return proc, json.loads(line)
    except ValueError:
        proc.kill()
        proc.wait()
        raise RuntimeError(f"{argv[0]} did not start: {line!r}")


def stop(proc):
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def view(url, token_file, device, *extra, timeout=20):
    argv = [CLI, "view", f"p2p:{device}", "--rendezvous", url, "--token-file", token_file,
            "--local-address", "127.0.0.1", "--json", *extra]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout + 10)
    try:
        doc = json.loads(proc.stdout)
    except ValueError:
        doc = {}
    return proc.returncode, doc, proc.stderr


def free_udp_port():
    import socket
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def camera(url, token_file, identity):
    return start([EMULATOR, "--name", "p2p-cam", "--rtsp-port", "0", "--onvif-port", "0",
                  "--wsd-port", "0", "--mdns-port", "0", "--ssdp-port", "0",
                  "--p2p", url, "--token-file", token_file, "--identity", identity,
                  "--ice-address", "127.0.0.1"])


def main():
    procs = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            tokens = os.path.join(tmp, "tokens")
            token = os.path.join(tmp, "token")
            wrong = os.path.join(tmp, "wrong")
            identity = os.path.join(tmp, "camera.pem")
            for path, text in ((tokens, f"home {TOKEN}\n"), (token, TOKEN + "\n"),
                               (wrong, "some-other-account-token\n")):
                with open(path, "w") as f:
                    f.write(text)
                os.chmod(path, 0o600)

            server, ready = start([RENDEZVOUS, "--listen", "127.0.0.1:0", "--token-file", tokens])
            procs.append(server)
            url = ready["listen"]

            cam, cam_ready = camera(url, token, identity)
            procs.append(cam)
            device = cam_ready.get("device_id", "")
            check("the emulator prints its device id", len(device) == 64, cam_ready)
            check("its identity file is private", os.stat(identity).st_mode & 0o777 == 0o600)

            rc, doc, err = view(url, token, device, "--frames", "45", "--timeout", "20")
            check("view p2p: exits 0", rc == 0, err.strip())
            check("over an ICE host pair", doc.get("transport") == "ice-host", doc)
            check("H.264 at 1280x720", (doc.get("codec"), doc.get("width"), doc.get("height"))
                  == ("h264", 1280, 720), doc)
            check("at least 10 frames decoded", (doc.get("frames") or 0) >= 10, doc)
            TAP.comment(f"first frame over P2P after {doc.get('first_frame_ms')} ms")
            cands = doc.get("remote_candidates") or []
            check("the camera's candidates are listed (it gathers on 127.0.0.1 only)",
                  len(cands) >= 1 and all(c.get("address") == "127.0.0.1" and c.get("type") == "host"
                                          and 0 < c.get("port", 0) < 65536 for c in cands), doc)
            rtt = doc.get("rtt_ms")
            check("the round trip was measured over the camera's probe channel",
                  isinstance(rtt, (int, float)) and 0 < rtt < 1000, doc)

            # discover: the account's cameras, as the rendezvous lists them
            proc = subprocess.run([CLI, "discover", "--target", "127.0.0.1", "--timeout", "3",
                                   "--rendezvous", url, "--token-file", token, "--json"],
                                  capture_output=True, text=True, timeout=40)
            try:
                found = json.loads(proc.stdout)
            except ValueError:
                found = []
            mine = [d for d in found if (d.get("p2p") or {}).get("uid") == device]
            check("discover --rendezvous lists the camera with its device id",
                  len(mine) == 1 and "peerscope-p2p" in mine[0].get("protocols", [])
                  and mine[0]["p2p"].get("network") == "peerscope"
                  and mine[0].get("name") == "p2p-cam", proc.stderr.strip() or found)
            check("and a p2p: stream to play it",
                  bool(mine) and {"uri": f"p2p:{device}", "profile": "p2p"}
                  in mine[0].get("streams", []), mine)

            # the same camera after a restart: the same device id
            stop(cam)
            procs.remove(cam)
            cam, again = camera(url, token, identity)
            procs.append(cam)
            check("the identity is reused after a restart", again.get("device_id") == device)

            rc, doc, err = view(url, wrong, device, "--frames", "2", "--timeout", "10")
            check("a wrong token is refused (non-zero, one line)",
                  rc != 0 and err.count("\n") == 1 and "token" in err, err.strip())

            rc, doc, err = view(url, token, "0" * 64, "--frames", "2", "--timeout", "20")
            check("a device id nobody publishes is not found",
                  rc != 0 and "device id" in err, err.strip())

            rc, doc, err = view(url, token, "xyz", "--frames", "2", "--timeout", "5")
            check("a malformed device id is refused", rc != 0 and err.count("\n") == 1,
                  err.strip())

            rc, doc, err = view(url, token, device, "--ice-policy", "relay", "--frames", "2",
                                "--timeout", "5")
            check("relay only without a TURN server: no path, non-zero", rc != 0, err.strip())

            # bridge: a plain RTSP camera onto the P2P network
            rtsp_cam, rtsp_ready = start([EMULATOR, "--name", "lan-cam", "--rtsp-port", "0",
                                          "--onvif-port", "0", "--wsd-port", "0",
                                          "--mdns-port", "0", "--ssdp-port", "0"])
            procs.append(rtsp_cam)
            bridge_identity = os.path.join(tmp, "bridge.pem")
            bridge, bridged = start([CLI, "bridge", "--uri", rtsp_ready["rtsp_sub"],
                                     "--rendezvous", url, "--token-file", token,
                                     "--identity", bridge_identity, "--name", "Porch",
                                     "--local-address", "127.0.0.1", "--json"])
            procs.append(bridge)
            check("bridge prints its device id and name",
                  len(bridged.get("device_id", "")) == 64 and bridged.get("name") == "Porch",
                  bridged)
            check("the bridge's id is not the camera's", bridged.get("device_id") != device)
            rc, doc, err = view(url, token, bridged.get("device_id", ""), "--frames", "10",
                                "--timeout", "20")
            check("the bridged camera plays over P2P", rc == 0 and (doc.get("frames") or 0) >= 10
                  and doc.get("transport") == "ice-host", err.strip() or doc)
            check("at the RTSP camera's sub-stream size",
                  (doc.get("width"), doc.get("height")) == (640, 360), doc)
            stop(bridge)
            procs.remove(bridge)

            # wss://: a rendezvous with its own self-signed certificate, trusted
            # through --ca-file (read off the main thread) on both ends
            cert, key = os.path.join(tmp, "rdv.pem"), os.path.join(tmp, "rdv.key")
            subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                            "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj",
                            "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                            "-keyout", key, "-out", cert], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            tls, tls_ready = start([RENDEZVOUS, "--listen", "127.0.0.1:0", "--token-file", tokens,
                                    "--tls-cert", cert, "--tls-key", key])
            procs.append(tls)
            wss = tls_ready.get("listen", "")
            bridge, bridged = start([CLI, "bridge", "--uri", rtsp_ready["rtsp_sub"],
                                     "--rendezvous", wss, "--token-file", token,
                                     "--identity", bridge_identity, "--ca-file", cert,
                                     "--local-address", "127.0.0.1", "--json"])
            procs.append(bridge)
            rc, doc, err = view(wss, token, bridged.get("device_id", ""), "--ca-file", cert,
                                "--frames", "5", "--timeout", "20")
            check("over wss://, trusting the server through --ca-file",
                  wss.startswith("wss://") and rc == 0 and (doc.get("frames") or 0) >= 5,
                  err.strip() or doc)
            rc, doc, err = view(wss, token, bridged.get("device_id", ""), "--frames", "2",
                                "--timeout", "10")
            check("without it the self-signed server is not trusted (non-zero, one line)",
                  rc != 0 and err.count("\n") == 1, err.strip())
            rc, doc, err = view(wss, token, bridged.get("device_id", ""), "--ca-file",
                                os.path.join(tmp, "missing.pem"), "--frames", "2",
                                "--timeout", "10")
            check("a CA file that cannot be read is said so",
                  rc != 0 and "certificate" in err and err.count("\n") == 1, err.strip())
            stop(bridge)
            procs.remove(bridge)

            # for people: the id in groups of four, and a QR code to scan
            human = subprocess.Popen([CLI, "bridge", "--uri", rtsp_ready["rtsp_sub"],
                                      "--rendezvous", url, "--token-file", token,
                                      "--identity", bridge_identity,
                                      "--local-address", "127.0.0.1"],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            procs.append(human)
            lines = [human.stdout.readline() for _ in range(4)]
            grouped = " ".join(bridged.get("device_id", "")[i:i + 4] for i in range(0, 64, 4))
            check("human output: the id in groups of four, then a QR code",
                  grouped in lines[1] and "\u2588" in lines[3], lines)

            # WHEP: the emulator's endpoint, as go2rtc or MediaMTX would serve it
            whep_token = os.path.join(tmp, "whep-token")
            with open(whep_token, "w") as f:
                f.write("whep-secret-0123456789\n")
            whep_cam, whep_ready = start([EMULATOR, "--name", "whep-cam", "--rtsp-port", "0",
                                          "--onvif-port", "0", "--wsd-port", "0",
                                          "--mdns-port", "0", "--ssdp-port", "0",
                                          "--whep-token", "whep-secret-0123456789",
                                          "--whep-max-sessions", "1"])
            procs.append(whep_cam)
            whep = whep_ready.get("whep", "")
            check("the emulator names its WHEP endpoint", whep.startswith("whep+http://"),
                  whep_ready)
            argv = [CLI, "view", whep, "--local-address", "127.0.0.1", "--json"]
            proc = subprocess.run(argv + ["--token-file", whep_token, "--frames", "10",
                                          "--timeout", "25"],
                                  capture_output=True, text=True, timeout=40)
            doc = json.loads(proc.stdout) if proc.stdout.startswith("{") else {}
            check("view whep+http:// plays over ICE", proc.returncode == 0
                  and doc.get("transport") == "ice-host" and (doc.get("frames") or 0) >= 10,
                  proc.stderr.strip() or doc)
            check("a WHEP endpoint answers no probe: the round trip is null, not made up",
                  "rtt_ms" in doc and doc["rtt_ms"] is None, doc)
            TAP.comment(f"first frame over WHEP after {doc.get('first_frame_ms')} ms")
            # the endpoint takes one session at a time: a second viewer plays
            # only if the first DELETEd its session on the way out
            proc = subprocess.run(argv + ["--token-file", whep_token, "--frames", "2",
                                          "--timeout", "15"],
                                  capture_output=True, text=True, timeout=30)
            check("the viewer deletes its WHEP session as it exits (a second one plays)",
                  proc.returncode == 0, proc.stderr.strip())
            proc = subprocess.run(argv + ["--token-file", wrong, "--frames", "2",
                                          "--timeout", "15"],
                                  capture_output=True, text=True, timeout=30)
            check("WHEP with a wrong token is refused (non-zero, one line)",
                  proc.returncode != 0 and proc.stderr.count("\n") == 1
                  and "refused" in proc.stderr, proc.stderr.strip())

            # the endpoint names its TURN server (Link, RFC 9725): a relay-only
            # viewer with no TURN server of its own plays through that one
            turn_port = free_udp_port()
            turn = subprocess.Popen(["turnserver", "-n", "--listening-ip", "127.0.0.1",
                                     "--relay-ip", "127.0.0.1", "--listening-port",
                                     str(turn_port), "--allow-loopback-peers", "--no-cli",
                                     "--lt-cred-mech", "--user", "whep:turn-secret",
                                     "--realm", "lab", "--no-tls", "--no-dtls",
                                     "--pidfile", os.path.join(tmp, "turn.pid"),
                                     "--userdb", os.path.join(tmp, "turndb"),
                                     "--log-file", "stdout", "--simple-log"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            procs.append(turn)
            linked, linked_ready = start([EMULATOR, "--name", "whep-linked", "--rtsp-port", "0",
                                          "--onvif-port", "0", "--wsd-port", "0",
                                          "--mdns-port", "0", "--ssdp-port", "0",
                                          "--whep-ice-server",
                                          f"turn:127.0.0.1:{turn_port}?transport=udp",
                                          "--whep-ice-username", "whep",
                                          "--whep-ice-credential", "turn-secret"])
            procs.append(linked)
            proc = subprocess.run([CLI, "view", linked_ready.get("whep", ""), "--local-address",
                                   "127.0.0.1", "--ice-policy", "relay", "--frames", "5",
                                   "--timeout", "20", "--json"],
                                  capture_output=True, text=True, timeout=40)
            doc = json.loads(proc.stdout) if proc.stdout.startswith("{") else {}
            check("WHEP: the endpoint's own TURN server (its Link header) carries a relay-only "
                  "view", proc.returncode == 0 and doc.get("transport") == "ice-relay"
                  and (doc.get("frames") or 0) >= 5, proc.stderr.strip() or doc)

            proc = subprocess.run([CLI, "view", f"p2p:{device}", "--json"], capture_output=True,
                                  text=True, timeout=20)
            check("p2p: without --rendezvous fails with one line",
                  proc.returncode != 0 and proc.stderr.count("\n") == 1 and proc.stdout == "",
                  proc.stderr)
    finally:
        for proc in procs:
            stop(proc)

    return TAP.finish()


if __name__ == "__main__":
    sys.exit(main())
