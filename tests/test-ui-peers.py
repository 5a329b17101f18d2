#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The GUI's peer monitor end to end, no root needed: `peerscope --demo`
with a NetFlow/IPFIX collector on loopback, fed real IPFIX messages (the
way a router exports them) about the demo cameras phoning home.  The
lab's GeoIP database gives the peers their countries.  Checks the camera
tiles' one-line summaries and captures a camera's Connections view.

Set PS_SCREENSHOT_DIR to keep the captures.  Prints TAP.
"""

import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from taptest import Tap  # noqa: E402

PEERSCOPE = os.environ["PS_PEERSCOPE"]
LAB_MMDB = os.environ["PS_LAB_MMDB"]

# demo camera (tests' ps-demo.c addresses) -> (peer, port, protocol)
FLOWS = [
    ("127.0.0.51", "198.51.100.11", 32100, 17),   # CN supernode
    ("127.0.0.51", "198.51.100.37", 32100, 17),   # DE supernode
    ("127.0.0.51", "192.0.2.10", 443, 6),         # US vendor cloud
    ("127.0.0.52", "198.51.100.21", 32100, 17),   # US supernode
]


def ipfix_message(sequence, flows):
    """One IPFIX message (RFC 7011): a template set and a data set."""
    fields = [(8, 4), (12, 4), (7, 2), (11, 2), (4, 1), (1, 8), (2, 8), (152, 8), (153, 8)]
    template = struct.pack("!HH", 256, len(fields)) + b"".join(struct.pack("!HH", *f) for f in fields)
    template_set = struct.pack("!HH", 2, 4 + len(template)) + template
    now_ms = int(time.time() * 1000)
    records = b""
    for src, dst, port, proto in flows:
        records += socket.inet_aton(src) + socket.inet_aton(dst)
        records += struct.pack("!HHBQQQQ", 40000, port, proto, 300, 3, now_ms - 500, now_ms)
    data_set = struct.pack("!HH", 256, 4 + len(records)) + records
    body = template_set + data_set
    return struct.pack("!HHIII", 10, 16 + len(body), now_ms // 1000, sequence, 1) + body


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    tap = Tap()
    tmp = tempfile.mkdtemp(prefix="ps-ui-peers-")
    port = free_udp_port()
    geoip_dir = os.path.join(tmp, "geoip")
    os.mkdir(geoip_dir)
    shutil.copy(LAB_MMDB, os.path.join(geoip_dir, "peerscope-lab.mmdb"))

    env = dict(os.environ, PEERSCOPE_GEOIP_DIR=geoip_dir)
    connections = os.path.join(tmp, "connections.png")
    app = subprocess.Popen([PEERSCOPE, "--demo", "--demo-cameras", "2",
                            "--flow-source", f"ipfix:127.0.0.1:{port}",
                            "--screenshot", connections,
                            "--open-camera", "1", "--camera-view", "connections"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)

    stop = threading.Event()

    def export():
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sequence = 0
        while not stop.is_set():
            sock.sendto(ipfix_message(sequence, FLOWS), ("127.0.0.1", port))
            sequence += len(FLOWS)
            stop.wait(0.3)

    exporter = threading.Thread(target=export, daemon=True)
    exporter.start()
    try:
        out, err = app.communicate(timeout=150)
    except subprocess.TimeoutExpired:
        app.kill()
        out, err = app.communicate()
    stop.set()

    tap.check("peerscope --demo with an IPFIX collector exits cleanly", app.returncode == 0,
              err[-2000:])
    try:
        report = json.loads(out)
    except ValueError:
        report = {}
    cameras = {c["name"]: c for c in report.get("cameras", [])}
    front = cameras.get("Front Door", {}).get("peers_summary")
    garden = cameras.get("Garden", {}).get("peers_summary")
    tap.check("Front Door's tile: 3 hosts in 3 countries, 2 P2P servers",
              front == "Talks to 3 hosts in 3 countries, 2 P2P servers", front)
    tap.check("Garden's tile: 1 host in 1 country, 1 P2P server",
              garden == "Talks to 1 host in 1 country, 1 P2P server", garden)
    tap.check("the camera's Connections view was captured",
              os.path.exists(connections) and os.path.getsize(connections) > 10000, os.listdir(tmp))

    keep = os.environ.get("PS_SCREENSHOT_DIR")
    if keep:
        os.makedirs(keep, exist_ok=True)
        if os.path.exists(connections):
            shutil.copy(connections, keep)
    shutil.rmtree(tmp, ignore_errors=True)
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
