#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# A P2P view survives a network change.  The camera (emulator --p2p) and
# the rendezvous run in one network namespace, the viewer (peerscope-cli
# view p2p:) in another, joined by a veth.  While the view plays:
# 1. a route is added on the viewer's side: the ICE pair still works, so
#    the session must go on untouched;
# 2. the viewer's address changes, as when a laptop joins another network:
#    webrtcbin 1.22 cannot restart ICE, so the viewer must notice
#    (GNetworkMonitor) and start a new session at once, and the video must
#    go on.  Needs root; prints TAP.
#
# Environment: PS_CLI, PS_EMULATOR, PS_RENDEZVOUS.

set -eu

if [ "$(id -u)" -ne 0 ]; then
  echo "1..0 # SKIP network namespaces need root (CI runs as root)"
  exit 77
fi

ns="psroam$$"
viewer_ns="psroamv$$"
tmp=$(mktemp -d)
pids=""

cleanup () {
  for pid in $pids; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  ip netns del "$ns" 2>/dev/null || true
  ip netns del "$viewer_ns" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

in_ns () {
  ip netns exec "$ns" "$@"
}

in_viewer () {
  ip netns exec "$viewer_ns" "$@"
}

# Background programs are started with ip netns exec itself, never through
# these functions: ip execs the program, so $! is the program

# wait_line FILE: until FILE has a first line (10 s)
wait_line () {
  for _ in $(seq 1 100); do
    [ -s "$1" ] && return 0
    sleep 0.1
  done
  return 1
}

ip netns add "$ns"
ip netns add "$viewer_ns"
in_ns ip link set lo up
in_viewer ip link set lo up
ip link add "psr$$a" type veth peer name "psr$$b"
ip link set "psr$$a" netns "$ns"
ip link set "psr$$b" netns "$viewer_ns"
in_ns ip link set "psr$$a" name lan0
in_viewer ip link set "psr$$b" name lan0
in_ns ip addr add 10.77.0.1/24 dev lan0
in_viewer ip addr add 10.77.0.2/24 dev lan0
in_ns ip link set lan0 up
in_viewer ip link set lan0 up

echo "home lab-account-token-0123456789" >"$tmp/tokens"
echo "lab-account-token-0123456789" >"$tmp/token"
chmod 600 "$tmp/tokens" "$tmp/token"

echo "1..5"

ip netns exec "$ns" "$PS_RENDEZVOUS" --listen 10.77.0.1:0 --token-file "$tmp/tokens" \
  >"$tmp/rendezvous.out" 2>"$tmp/rendezvous.err" &
pids="$pids $!"
wait_line "$tmp/rendezvous.out" || { echo "Bail out! the rendezvous did not start"; exit 1; }
url=$(sed -n 's/.*"listen":"\(ws:[^"]*\)".*/\1/p' "$tmp/rendezvous.out")

ip netns exec "$ns" "$PS_EMULATOR" --name roam --bind 10.77.0.1 --rtsp-port 0 --onvif-port 0 --wsd-port 0 \
  --mdns-port 0 --ssdp-port 0 --p2p "$url" --token-file "$tmp/token" \
  --identity "$tmp/camera.pem" --ice-address 10.77.0.1 >"$tmp/camera.out" 2>"$tmp/camera.err" &
pids="$pids $!"
wait_line "$tmp/camera.out" || { echo "Bail out! the camera did not start"; exit 1; }
device=$(sed -n 's/.*"device_id":"\([0-9a-f]*\)".*/\1/p' "$tmp/camera.out")

# 15 s of video at 30 fps; the viewer gathers on whatever addresses it has
ip netns exec "$viewer_ns" "$PS_CLI" view "p2p:$device" --rendezvous "$url" --token-file "$tmp/token" \
  --frames 450 --timeout 40 --json >"$tmp/view.json" 2>"$tmp/view.err" &
view=$!
pids="$pids $view"

# 1. a change that leaves the pair alone
sleep 4
in_viewer ip route add 10.99.0.0/24 dev lan0
# 2. the viewer's address moves
sleep 3
in_viewer ip addr del 10.77.0.2/24 dev lan0
in_viewer ip addr add 10.77.0.3/24 dev lan0

status=0
wait "$view" || status=$?
# the view is reaped: forget its pid (whole words only)
rest=""
for pid in $pids; do
  [ "$pid" = "$view" ] || rest="$rest $pid"
done
pids=$rest

python3 - "$tmp/view.json" "$status" "$tmp/view.err" <<'PY'
import json, sys
path, status, err = sys.argv[1], int(sys.argv[2]), sys.argv[3]
try:
    doc = json.load(open(path))
except ValueError:
    doc = {}
checks = [
    ("the view ran to its end across both network changes", status == 0),
    ("all 450 frames decoded", (doc.get("frames") or 0) >= 450),
    ("a new P2P session took over when the address moved", (doc.get("reconnects") or 0) >= 1),
    ("and only then: the route change left the session alone", doc.get("reconnects") == 1),
    ("still over an ICE host pair", doc.get("transport") == "ice-host"),
]
for i, (name, ok) in enumerate(checks, 1):
    print(f"{'ok' if ok else 'not ok'} {i} - {name}")
print(f"# view: {json.dumps(doc)}")
print(f"# stderr: {open(err).read().strip()}")
sys.exit(0 if all(ok for _, ok in checks) else 1)
PY
