#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Discovery on a real (namespaced) LAN: multicast WS-Discovery finds every
# camera on the LAN, a directed probe finds a camera behind the gateway.
# The LAN is dual-stack: one more camera, in a namespace of its own, has
# IPv6 only (a ULA and its link-local address) and is found by IPv6
# multicast (ff02::c, ff02::fb) alongside the IPv4 ones, Hello and Bye
# included. Multicast never leaves the lab's namespaces.
# Needs root; prints TAP.

set -eu

if [ "$(id -u)" -ne 0 ]; then
  echo "1..0 # SKIP the lab needs root (CI runs as root)"
  exit 77
fi

. "$(dirname "$0")/lab.sh"
LAB_NAMESPACES="$LAB_NAMESPACES cam6"   # lab_cleanup removes it too
lab_up

tmp=$(mktemp -d)
trap 'lab_cleanup; ip link del "${LAB_ID}v6" 2>/dev/null || true; rm -rf "$tmp"' EXIT INT TERM

# cam6: IPv6 only. Duplicate address detection off before its link comes
# up, so that its link-local address is usable at once.
ip netns add "$(lab_ns cam6)"
lab_exec cam6 sysctl -qw net.ipv6.conf.all.accept_dad=0
lab_exec cam6 sysctl -qw net.ipv6.conf.default.accept_dad=0
ip link add "${LAB_ID}v6" type veth peer name "${LAB_ID}p6"
ip link set "${LAB_ID}v6" netns "$(lab_ns cam6)"
ip link set "${LAB_ID}p6" netns "$(lab_ns gw)"
lab_exec cam6 ip link set "${LAB_ID}v6" name eth0
lab_exec cam6 ip link set lo up
lab_exec cam6 ip link set eth0 up
lab_exec cam6 ip -6 addr add fd99:1::16/64 dev eth0 nodad
lab_exec cam6 ip -6 addr add fd99:1::17/64 dev eth0 nodad
lab_exec gw ip link set "${LAB_ID}p6" master br0
lab_exec gw ip link set "${LAB_ID}p6" up
lab_exec viewer ip -6 addr add fd99:1::100/64 dev eth0 nodad

# the viewer's and the bridge's link-local addresses were born tentative
for ns in viewer cam6 gw; do
  for _ in $(seq 1 50); do
    [ -z "$(lab_exec "$ns" ip -6 addr show tentative)" ] && break
    sleep 0.1
  done
done

lab_emulator cam1 "$tmp/cam1" --bind 10.99.1.11 --name "Cam One" --mac 02:00:00:00:01:01 \
  --wsd-multicast eth0 --wsd-max-delay-ms 100 --mdns-multicast eth0 --ssdp-multicast eth0 \
  --fps 5 --width 320 --height 240 \
  --sub-width 160 --sub-height 120
lab_emulator cam2 "$tmp/cam2" --bind 10.99.1.12 --name "Cam Two" --mac 02:00:00:00:01:02 \
  --wsd-multicast eth0 --wsd-max-delay-ms 100 --pppp-uid "ABCD-000222-EFGHI" --p2p-any-address \
  --fps 5 \
  --width 320 --height 240 --sub-width 160 --sub-height 120
lab_emulator cam6 "$tmp/cam6" --bind fd99:1::16 --name "Six Only" --mac 02:00:00:00:06:01 \
  --wsd-multicast eth0 --wsd-max-delay-ms 100 --mdns-multicast eth0 --ssdp-multicast eth0 \
  --fps 5 --width 320 --height 240 --sub-width 160 --sub-height 120
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
lab_emulator cam6 "$tmp/late6" --bind fd99:1::17 --name "Late Six" --mac 02:00:00:00:06:02 \
  --wsd-multicast eth0 --wsd-max-delay-ms 100 --fps 5 --width 320 --height 240 \
  --sub-width 160 --sub-height 120
late6_pid=${LAB_PIDS##* }
sleep 1
kill "$late_pid" "$late6_pid"
wait "$discover_pid"
lab_exec viewer "$PS_CLI" discover --target 203.0.113.10 --timeout 2 --json >"$tmp/remote.json"

python3 - "$tmp" <<'PY'
import json, os, sys
tmp = sys.argv[1]
lan = json.load(open(os.path.join(tmp, "lan.json")))
hello = {d["name"]: d for d in json.load(open(os.path.join(tmp, "hello.json")))}
remote = json.load(open(os.path.join(tmp, "remote.json")))
by_name = {d["name"]: d for d in lan}
six = by_name.get("Six Only", {})
checks = [
    ("multicast discovery finds the LAN cameras, IPv4 and IPv6, once each",
     sorted(d["name"] for d in lan) == ["Cam One", "Cam Two", "Six Only"],
     sorted(d["name"] for d in lan)),
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
    ("the IPv6-only camera is at its IPv6 address only",
     six.get("addresses") == ["fd99:1::16"], six),
    ("IPv6 multicast WS-Discovery, mDNS and SSDP answered, merged into one device",
     {"onvif", "mdns", "ssdp"} <= set(six.get("protocols", [])), six.get("protocols")),
    ("IPv6 answers arrived on the chosen interface, at an IPv6 address of the viewer",
     six.get("interface") == "eth0" and ":" in (six.get("local_address") or ""), six),
    ("its XAddr is at its own IPv6 address",
     six.get("onvif", {}).get("xaddrs", [""])[0].startswith("http://[fd99:1::16]:"), six),
    ("ONVIF over IPv6 gave its streams",
     len(six.get("streams", [])) == 2
     and all(s["uri"].startswith("rtsp://[fd99:1::16]:") for s in six.get("streams", [])),
     six.get("streams")),
    ("a camera that joins later is heard by its Hello", "Late Cam" in hello, sorted(hello)),
    ("its Bye takes it offline", hello.get("Late Cam", {}).get("online") is False,
     hello.get("Late Cam")),
    ("an IPv6 camera that joins later is heard by its Hello on ff02::c",
     hello.get("Late Six", {}).get("addresses") == ["fd99:1::17"], sorted(hello)),
    ("its IPv6 Bye takes it offline", hello.get("Late Six", {}).get("online") is False,
     hello.get("Late Six")),
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
