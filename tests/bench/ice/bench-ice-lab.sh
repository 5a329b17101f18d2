#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The srflx cell of bench-ice: ICE connect time and first frame across two
# NATs, Peerscope against two stock webrtcbins, in the lab of
# tests/lab/lab-p2p.sh: the camera in cam1 behind the home's NAT, the
# viewer in "away" behind an endpoint-independent NAT, coturn's STUN and
# peerscope-rendezvous in wan.  A benchmark, not a test; needs root.
#
#   ninja -C _build tests/bench/ice/bench-ice app/daemons/peerscope-rendezvous
#   tests/bench/ice/bench-ice-lab.sh _build [--runs 20] [--verbose]
#
# Every namespace and process it makes goes when it ends, also on failure.

set -eu

if [ "$(id -u)" -ne 0 ] || [ $# -lt 1 ]; then
  echo "usage (as root): $0 BUILD-DIR [bench-ice options]" >&2
  exit 1
fi
build=$(cd "$1" && pwd)
shift
bench=$build/tests/bench/ice/bench-ice
rendezvous=$build/app/daemons/peerscope-rendezvous
for program in "$bench" "$rendezvous"; do
  if [ ! -x "$program" ]; then
    echo "$program is missing: ninja -C $build tests/bench/ice/bench-ice" \
      "app/daemons/peerscope-rendezvous" >&2
    exit 1
  fi
done

here=$(cd "$(dirname "$0")/../../lab" && pwd)
LAB_DIR=$here
. "$here/lab.sh"
. "$here/lab-p2p.sh"
lab_up

tmp=$(mktemp -d)
trap 'lab_cleanup; rm -rf "$tmp"' EXIT INT TERM

lab_wan_up "$tmp" >/dev/null
lab_p2p_up "$tmp"

# the account's token, as bench-ice.h has it
echo "bench bench-ice-account-token-0123456789" >"$tmp/tokens"
lab_start wan "$rendezvous" --listen "$LAB_RENDEZVOUS:8443" --token-file "$tmp/tokens" \
  >"$tmp/rendezvous.out" 2>"$tmp/rendezvous.err"
for _ in $(seq 1 100); do
  [ -s "$tmp/rendezvous.out" ] && break
  sleep 0.1
done

lab_exec away "$bench" --lab-netns "$(lab_ns cam1)" \
  --lab-rendezvous "ws://$LAB_RENDEZVOUS:8443" --lab-stun "stun://$LAB_TURN:3478" "$@"
