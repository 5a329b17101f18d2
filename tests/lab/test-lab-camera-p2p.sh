#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# A camera's own "P2P off" switch, checked on the wire: through its
# Foscam-style CGI, `peerscope-cli camera-p2p ADDRESS off --verify S` turns
# P2P off and then watches conntrack on the gateway.  cam1 behaves like the
# real firmware (accepts the setting, goes on calling its supernodes):
# Peerscope must say it ignores its setting, with the servers as evidence.
# cam2 obeys (--honour-p2p-setting): Peerscope must say so.
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
printf 'secret' >"$tmp/password"

camera () {
  ns=$1 address=$2; shift 2
  set -- --bind "$address" --user admin --password secret --pppp-uid "FOSC-123456-ABCDE" \
    --fps 5 --width 320 --height 240 --sub-width 160 --sub-height 120 \
    --dns-server 10.99.1.1 --phone-home-interval 0.3 "$@"
  for i in 1 2 3 4; do
    set -- "$@" --phone-home "p2p$i.p2p.vendor.example:32100/udp"
  done
  lab_emulator "$ns" "$tmp/$ns.ready" "$@"
}

camera cam1 10.99.1.11 --log "$tmp/cam1.jsonl"
camera cam2 10.99.1.12 --log "$tmp/cam2.jsonl" --honour-p2p-setting
port1=$(python3 -c 'import json,sys,urllib.parse; print(urllib.parse.urlsplit(json.load(open(sys.argv[1]))["onvif"]).port)' "$tmp/cam1.ready")
port2=$(python3 -c 'import json,sys,urllib.parse; print(urllib.parse.urlsplit(json.load(open(sys.argv[1]))["onvif"]).port)' "$tmp/cam2.ready")
sleep 1

lab_exec gw "$PS_CLI" camera-p2p 10.99.1.11 off --http-port "$port1" --user admin \
  --password-file "$tmp/password" --verify 3 --json >"$tmp/cam1.json" 2>"$tmp/cam1.err" || true
lab_exec gw "$PS_CLI" camera-p2p 10.99.1.12 off --http-port "$port2" --user admin \
  --password-file "$tmp/password" --verify 3 --json >"$tmp/cam2.json" 2>"$tmp/cam2.err" || true
lab_exec gw "$PS_CLI" camera-p2p 10.99.1.11 status --http-port "$port1" --user admin \
  --password-file /dev/null --json >"$tmp/wrong.json" 2>"$tmp/wrong.err" && wrong=0 || wrong=$?

python3 - "$tmp" "$wrong" <<'PY'
import json, os, sys
tmp, wrong = sys.argv[1], int(sys.argv[2])
sys.path.insert(0, os.path.join(os.environ.get("G_TEST_SRCDIR", "tests")))
def load(name):
    try:
        return json.load(open(os.path.join(tmp, name)))
    except (OSError, ValueError):
        return {"error": open(os.path.join(tmp, name.replace(".json", ".err"))).read()}
cam1, cam2 = load("cam1.json"), load("cam2.json")
checks = [
    ("cam1 had P2P on, and it is off now", cam1.get("p2p_enabled_before") is True and cam1.get("p2p_enabled") is False, cam1),
    ("Peerscope says cam1 ignores its own P2P setting", cam1.get("verdict") == "ignored", cam1.get("verdict")),
    ("with its 4 supernodes as evidence", cam1.get("p2p_servers_after") == 4
     and all(e["class"] == "p2p-supernode" for e in cam1.get("evidence", [])), cam1.get("evidence")),
    ("cam2 obeys, and Peerscope says so", cam2.get("verdict") == "honoured" and cam2.get("p2p_servers_after") == 0, cam2),
    ("a wrong password is an error, not a reading", wrong != 0, wrong),
]
print(f"1..{len(checks)}")
failed = 0
for i, (name, ok, detail) in enumerate(checks, 1):
    print(f"{'ok' if ok else 'not ok'} {i} - {name}")
    if not ok:
        failed += 1
        print(f"# {detail}")
print(f"# cam1 sent {cam1.get('p2p_packets_after')} packets to P2P servers after P2P was off")
sys.exit(1 if failed else 0)
PY
