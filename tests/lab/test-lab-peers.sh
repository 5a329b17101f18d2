#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The peer monitor on a real gateway: a camera behind the lab's NAT phones
# home to twelve P2P supernodes over UDP, a vendor cloud over TCP and an NTP
# server, after looking their names up.  `peers --source conntrack` on the
# gateway must list every host the emulator's log says it contacted (recall
# 100%), invent none, and count what the wan side received.
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

set -- --bind 10.99.1.11 --name "Chatty Cam" --mac 02:00:00:00:01:01 --pppp-uid "FOSC-123456-ABCDE" \
  --fps 5 --width 320 --height 240 --sub-width 160 --sub-height 120 \
  --dns-server 10.99.1.1 --ntp ntp.vendor.example --phone-home-interval 0.5 --log "$tmp/cam1.jsonl" \
  --phone-home cloud.vendor.example:443/tcp --phone-home "$LAB_HARDCODED:32100/udp"
for i in $(seq 1 12); do
  set -- "$@" --phone-home "p2p$i.p2p.vendor.example:32100/udp"
done

# the monitor starts first, so it sees every flow open
lab_start gw "$PS_CLI" peers --source conntrack --duration 9 --json --geoip "$PS_LAB_MMDB" \
  --dns-log "$tmp/gw-dns.log" >"$tmp/peers.json"
monitor_pid=${LAB_PIDS##* }
sleep 1
lab_emulator cam1 "$tmp/cam1.ready" "$@"
emulator_pid=${LAB_PIDS##* }
sleep 5
# the camera stops; the monitor's last dump then sees final counters
kill "$emulator_pid"
wait "$emulator_pid" 2>/dev/null || true
wait "$monitor_pid"
lab_exec gw conntrack -L -o extended >"$tmp/conntrack.txt" 2>/dev/null || true

python3 "$(dirname "$0")/check-lab-peers.py" "$tmp" --dns --run conntrack "$tmp/peers.json"
