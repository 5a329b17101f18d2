#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""peerscope-cli view against the camera emulator: the DESIGN.md contract.

--json prints one JSON document on stdout and nothing else; a failure exits
non-zero with one line on stderr. Prints TAP.
"""

import hashlib
import json
import os
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from taptest import Tap  # noqa: E402
import tempfile

CLI = os.environ["PS_CLI"]
EMULATOR = os.environ["PS_EMULATOR"]

TAP = Tap()
check = TAP.check


def run_cli(*args, timeout=30):
    proc = subprocess.run([CLI, *args], capture_output=True, text=True, timeout=timeout)
    return proc.returncode, proc.stdout, proc.stderr


def main():
    emulator = subprocess.Popen([EMULATOR, "--bind", "127.0.0.1", "--user", "admin",
                                 "--password", "pa ss'word", "--name", "cli-test"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        ready = json.loads(emulator.stdout.readline())
        with tempfile.TemporaryDirectory() as tmp:
            good = os.path.join(tmp, "good")
            bad = os.path.join(tmp, "bad")
            with open(good, "w") as f:
                f.write("pa ss'word\n")
            with open(bad, "w") as f:
                f.write("nope")

            # the contract's fields, from an ONVIF device address
            # a generous deadline: shared CI machines can be slow to start a 720p decoder
            rc, out, err = run_cli("view", ready["onvif"], "--frames", "10", "--user", "admin",
                                   "--password-file", good, "--json", "--timeout", "25")
            check("onvif view exits 0", rc == 0, err.strip())
            try:
                doc = json.loads(out)
            except ValueError:
                doc = {}
            check("stdout is exactly one JSON document", isinstance(doc, dict) and doc, out[:200])
            for field in ("uri", "transport", "codec", "width", "height", "frames",
                          "first_frame_ms", "fps", "latency_ms"):
                check(f"json has {field}", field in doc)
            check("codec is h264", doc.get("codec") == "h264", doc.get("codec"))
            check("main stream is 1280x720",
                  (doc.get("width"), doc.get("height")) == (1280, 720))
            check("at least 10 frames", (doc.get("frames") or 0) >= 10)
            check("first frame measured", (doc.get("first_frame_ms") or 0) > 0)
            latency = doc.get("latency_ms") or {}
            check("latency from frame stamps",
                  0 < latency.get("p50", 0) <= latency.get("p95", -1), latency)
            check("resolved to the emulator's RTSP URL", doc.get("stream_uri") == ready["rtsp"])
            check("no password in the output", "pa ss" not in out)

            # the sub-stream of the same camera
            rc, out, err = run_cli("view", ready["onvif"], "--sub", "--frames", "3",
                                   "--user", "admin", "--password-file", good, "--json")
            doc = json.loads(out) if rc == 0 else {}
            check("--sub picks 640x360", (doc.get("width"), doc.get("height")) == (640, 360),
                  err.strip())

            # a wrong password: non-zero, one line on stderr, still one JSON document
            rc, out, err = run_cli("view", ready["rtsp"], "--user", "admin",
                                   "--password-file", bad, "--json", "--timeout", "10")
            check("wrong password exits non-zero", rc != 0)
            check("one line on stderr", err.count("\n") == 1 and err.startswith("peerscope-cli: "),
                  repr(err))
            check("the error says authentication", "uthentication" in err, err.strip())
            try:
                failed = json.loads(out)
                check("failure still prints JSON with the error",
                      failed.get("error") and failed.get("frames") == 0)
            except ValueError:
                check("failure still prints JSON with the error", False, out[:200])

            # a camera saved by the GUI, named by its device id or its address
            config = os.path.join(tmp, "config")
            os.makedirs(os.path.join(config, "glib-2.0", "settings"))
            saved = json.dumps({"name": "Porch", "uri": ready["rtsp_sub"], "username": "admin"})
            with open(os.path.join(config, "glib-2.0", "settings", "keyfile"), "w") as f:
                f.write("[io/github/peerscope/Peerscope]\ncameras=[%s]\n" % repr(saved))
            os.environ["GSETTINGS_BACKEND"] = "keyfile"
            os.environ["XDG_CONFIG_HOME"] = config
            # an empty store: the first run imports the GSettings list
            os.environ["XDG_DATA_HOME"] = os.path.join(tmp, "data")
            key = "rtsp://127.0.0.1:%d/sub" % int(ready["rtsp_sub"].split(":")[2].split("/")[0])
            device_id = hashlib.sha256(key.encode()).hexdigest()[:12]
            for name in (device_id, "127.0.0.1"):
                rc, out, err = run_cli("view", name, "--password-file", good, "--frames", "2",
                                       "--json")
                doc = json.loads(out) if rc == 0 else {}
                check(f"saved camera found by {'id' if name == device_id else 'address'}",
                      doc.get("uri") == ready["rtsp_sub"], err.strip())
            os.environ["GSETTINGS_BACKEND"] = "memory"

            # human output, and bad arguments
            rc, out, err = run_cli("view", ready["rtsp"], "--user", "admin",
                                   "--password-file", good, "--frames", "2")
            check("human output names the stream", rc == 0 and ready["rtsp"] in out, err.strip())
            rc, out, err = run_cli("view")
            check("missing argument fails with one line", rc != 0 and err.count("\n") == 1
                  and out == "", repr(err))
            rc, out, err = run_cli("no-such-command")
            check("unknown command fails", rc != 0 and out == "")
            rc, out, err = run_cli("view", "not-a-device", "--json")
            check("unknown device fails with one line", rc != 0 and err.count("\n") == 1)
    finally:
        emulator.send_signal(signal.SIGTERM)
        emulator.wait(timeout=10)

    return TAP.finish()


if __name__ == "__main__":
    sys.exit(main())
