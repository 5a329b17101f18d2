#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The NetFlow/IPFIX collector against real exporters: softflowd (NetFlow v9
# and IPFIX) and fprobe (NetFlow v5) watch the lab gateway's LAN bridge
# while a camera phones home.  Each export goes to nfcapd, which stores it
# and repeats every datagram to `peerscope-cli peers --source ipfix:…`, so
# Peerscope and nfdump decode the very same packets.  Every host the camera
# contacted must be found, with the counters nfdump decodes.
# Needs root; prints TAP.

set -eu

if [ "$(id -u)" -ne 0 ]; then
  echo "1..0 # SKIP the lab needs root (CI runs as root)"
  exit 77
fi

. "$(dirname "$0")/lab.sh"
lab_up

tmp=$(mktemp -d)
trap 'lab_cleanup; [ -n "${LAB_KEEP:-}" ] && echo "# kept $tmp" || rm -rf "$tmp"' EXIT INT TERM

lab_wan_up "$tmp"

# name  export-port  collector-port
pipelines="softflowd-v9 9901 9911
softflowd-ipfix 9902 9912
fprobe-v5 9903 9913"

while read -r name export collect; do
  mkdir -p "$tmp/$name"
  lab_start gw "$PS_CLI" peers --source "ipfix:127.0.0.1:$collect" --duration 22 --json \
    --geoip "$PS_LAB_MMDB" >"$tmp/$name.json"
  lab_start gw nfcapd -b 127.0.0.1 -p "$export" -w "$tmp/$name" -R "127.0.0.1/$collect" \
    -P "$tmp/$name.pid" >"$tmp/$name.nfcapd.log" 2>&1
done <<EOF
$pipelines
EOF
sleep 1

lab_start gw softflowd -i br0 -n 127.0.0.1:9901 -v 9 -d -c "$tmp/sfd9.ctl" -p "$tmp/sfd9.pid" \
  -B 65536 -t maxlife=300 >"$tmp/sfd9.log" 2>&1
lab_start gw softflowd -i br0 -n 127.0.0.1:9902 -v 10 -d -c "$tmp/sfd10.ctl" -p "$tmp/sfd10.pid" \
  -B 65536 -t maxlife=300 >"$tmp/sfd10.log" 2>&1
lab_start gw fprobe -i br0 -f "ip and not src host 10.99.1.100" -l 2 -s 1 -d 2 -e 300 -B 4096 -q 10000 \
  127.0.0.1:9903 >"$tmp/fprobe.log" 2>&1
sleep 1

set -- --bind 10.99.1.11 --name "Chatty Cam" --mac 02:00:00:00:01:01 \
  --fps 5 --width 320 --height 240 --sub-width 160 --sub-height 120 \
  --dns-server 10.99.1.1 --ntp ntp.vendor.example --phone-home-interval 0.5 --log "$tmp/cam1.jsonl" \
  --phone-home cloud.vendor.example:443/tcp --phone-home "$LAB_HARDCODED:32100/udp"
for i in $(seq 1 12); do
  set -- "$@" --phone-home "p2p$i.p2p.vendor.example:32100/udp"
done
lab_emulator cam1 "$tmp/cam1.ready" "$@"
emulator_pid=${LAB_PIDS##* }
sleep 5
kill "$emulator_pid"
wait "$emulator_pid" 2>/dev/null || true
# fprobe exports a flow 2 s after its last packet (checked every second)
sleep 5

# softflowd reads packets from libpcap in blocks that a trickle never
# fills: a burst of LAN traffic (viewer to gateway; fprobe's filter leaves
# it out) pushes the camera's through
lab_exec viewer python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(3000):
    s.sendto(b"x" * 1400, ("10.99.1.1", 9))
'
sleep 1

# every flow out now: softflowd on request
lab_exec gw softflowctl -c "$tmp/sfd9.ctl" expire-all >/dev/null
lab_exec gw softflowctl -c "$tmp/sfd10.ctl" expire-all >/dev/null

# the collectors finish on their own (--duration); then nfcapd closes its files
for pid in $(ip netns pids "$(lab_ns gw)"); do
  case "$(cat "/proc/$pid/comm" 2>/dev/null)" in
    peerscope-cli) while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done ;;
  esac
done
for pid in $(ip netns pids "$(lab_ns gw)"); do
  case "$(cat "/proc/$pid/comm" 2>/dev/null)" in
    nfcapd|softflowd|fprobe) kill "$pid" 2>/dev/null || true ;;
  esac
done
sleep 1

set --
while read -r name export collect; do
  nfdump -R "$tmp/$name" -o csv >"$tmp/$name.nfdump.csv" 2>"$tmp/$name.nfdump.err" || true
  set -- "$@" --run "$name" "$tmp/$name.json" "$tmp/$name.nfdump.csv"
done <<EOF
$pipelines
EOF
python3 "$(dirname "$0")/check-lab-peers.py" "$tmp" "$@"
