#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Discovery on a real (namespaced) LAN: multicast WS-Discovery finds every
# camera on the LAN, a directed probe finds a camera behind the gateway.
# Needs root; prints TAP.

set -eu

if [ "$(id -u)" -ne 0 ]; then
  echo "1..0 # SKIP the lab needs root (CI runs as root)"
  exit 77
fi

. "$(dirname "$0")/lab.sh"
lab_up

tmp=$(mktemp -d)
trap 'lab_cleanup; rm -rf "$tmp"' EXIT INT TERM

lab_emulator cam1 "$tmp/cam1" --bind 10.99.1.11 --name "Cam One" --mac 02:00:00:00:01:01 \
  --wsd-multicast eth0 --wsd-max-delay-ms 100 --mdns-multicast eth0 --ssdp-multicast eth0 \
  --fps 5 --width 320 --height 240 \
  --sub-width 160 --sub-height 120
lab_emulator cam2 "$tmp/cam2" --bind 10.99.1.12 --name "Cam Two" --mac 02:00:00:00:01:02 \
  --wsd-multicast eth0 --wsd-max-delay-ms 100 --pppp-uid "ABCD-000222-EFGHI" --p2p-any-address \
  --fps 5 \
  --width 320 --height 240 --sub-width 160 --sub-height 120
lab_emulator remote "$tmp/remote" --bind 203.0.113.10 --name "Far Cam" \
  --mac 02:00:00:00:01:03 --wsd-max-delay-ms 0 --fps 5 --width 320 --height 240 \
  --sub-width 160 --sub-height 120

lab_exec viewer "$PS_CLI" discover --interface eth0 --timeout 3 --json >"$tmp/lan.json"

# Announcements: a camera that joins after the probes is heard by its Hello,
# one that leaves by its Bye.
lab_exec viewer "$PS_CLI" discover --interface eth0 --timeout 5 --json >"$tmp/hello.json" &
discover_pid=$!
sleep 2
lab_exec cam1 ip addr add 10.99.1.13/24 dev eth0
lab_emulator cam1 "$tmp/late" --bind 10.99.1.13 --name "Late Cam" --mac 02:00:00:00:01:04 \
  --wsd-multicast eth0 --wsd-max-delay-ms 100 --fps 5 --width 320 --height 240 \
  --sub-width 160 --sub-height 120
late_pid=${LAB_PIDS##* }
sleep 1
kill "$late_pid"
wait "$discover_pid"
lab_exec viewer "$PS_CLI" discover --target 203.0.113.10 --timeout 2 --json >"$tmp/remote.json"

python3 - "$tmp" <<'PY'
import json, os, sys
tmp = sys.argv[1]
lan = json.load(open(os.path.join(tmp, "lan.json")))
hello = {d["name"]: d for d in json.load(open(os.path.join(tmp, "hello.json")))}
remote = json.load(open(os.path.join(tmp, "remote.json")))
by_name = {d["name"]: d for d in lan}
checks = [
    ("multicast discovery finds both LAN cameras",
     sorted(by_name) == ["Cam One", "Cam Two"], sorted(by_name)),
    ("answers arrived on the viewer's LAN interface and address",
     by_name.get("Cam One", {}).get("interface") == "eth0"
     and by_name.get("Cam One", {}).get("local_address") == "10.99.1.100", by_name.get("Cam One")),
    ("addresses are the cameras' LAN addresses",
     by_name.get("Cam One", {}).get("addresses") == ["10.99.1.11"], by_name.get("Cam One")),
    ("the far camera is not on the LAN", "Far Cam" not in by_name, ""),
    ("multicast mDNS and SSDP answered too, merged into one device",
     {"onvif", "mdns", "ssdp"} <= set(by_name.get("Cam One", {}).get("protocols", [])),
     by_name.get("Cam One", {}).get("protocols")),
    ("the vendor-P2P camera is marked",
     (by_name.get("Cam Two", {}).get("p2p") or {}).get("network") == "cs2",
     by_name.get("Cam Two", {}).get("p2p")),
    ("a camera that joins later is heard by its Hello", "Late Cam" in hello, sorted(hello)),
    ("its Bye takes it offline", hello.get("Late Cam", {}).get("online") is False,
     hello.get("Late Cam")),
    ("the others stay online", hello.get("Cam One", {}).get("online") is True, hello.get("Cam One")),
    ("a directed probe crosses the gateway",
     [d["name"] for d in remote] == ["Far Cam"], remote),
    ("its XAddr is at its own address",
     all(x.startswith("http://203.0.113.10:") for d in remote for x in d["onvif"]["xaddrs"]),
     remote),
]
print(f"1..{len(checks)}")
failed = 0
for i, (name, ok, detail) in enumerate(checks, 1):
    print(f"{'ok' if ok else 'not ok'} {i} - {name}")
    if not ok:
        failed += 1
        print(f"# {detail}")
sys.exit(1 if failed else 0)
PY
