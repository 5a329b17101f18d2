#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The P2P NAT matrix (issue 6): a camera behind the home's NAT publishes
# over the real peerscope-rendezvous; viewers on its LAN and in a second
# home ("away", whose NAT is endpoint-independent, symmetric or blocks
# UDP) reach it over ICE with coturn (STUN, TURN over UDP and TCP, TURN
# REST credentials) in the wan namespace.  Each cell checks the selected
# candidate pair and decoded frames; wan's counters and a capture on the
# relay check the rest on the wire.  check-lab-p2p.py drives the steps.
#
#   test-lab-p2p.sh [--topology-only]
#
# --topology-only runs only the self-checks of the lab (NAT behaviours,
# coturn, the capture's negative control), with plain sockets.
# Needs root; prints TAP.  LAB_KEEP=1 keeps the test's directory.

set -eu

if [ "$(id -u)" -ne 0 ]; then
  echo "1..0 # SKIP the lab needs root (CI runs as root)"
  exit 77
fi

here=$(dirname "$0")
. "$here/lab.sh"
. "$here/lab-p2p.sh"
lab_up

tmp=$(mktemp -d)
trap 'lab_cleanup; [ -n "${LAB_KEEP:-}" ] && echo "# kept $tmp" || rm -rf "$tmp"' EXIT INT TERM

lab_wan_up "$tmp"
lab_p2p_up "$tmp"

python3 "$here/check-lab-p2p.py" --dir "$tmp" --lab-id "$LAB_ID" --turn-secret "$LAB_TURN_SECRET" \
  --cli "${PS_CLI:-}" --emulator "${PS_EMULATOR:-}" --rendezvous "${PS_RENDEZVOUS:-}" "$@"
