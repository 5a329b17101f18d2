#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The privacy acceptance scenario (issue 5) on the lab's NATed gateway: a
# Foscam-style P2P camera phones home to thirteen supernodes and a vendor
# cloud; its own "P2P off" switch changes nothing; Peerscope's policies,
# applied on the gateway, stop exactly what they promise.  What escaped is
# counted in the wan namespace, not by Peerscope: the wan servers' log and
# a counter table of the wan namespace's own.  Then `policy apply` is
# killed with SIGKILL 100 times at random points: the table must always be
# the old policy or the new one.  check-lab-privacy.py drives the steps.
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

# the camera's interface has the MAC the emulator reports (policies match
# a device by its MAC where they know it)
lab_exec cam1 ip link set eth0 address 02:00:00:00:01:01

# everything that arrives in the wan namespace from the gateway, per
# destination and protocol: counted by the wan side's own kernel
lab_exec wan nft -f - <<'NFT'
table ip labcount {
  set arrived {
    type ipv4_addr . inet_proto
    flags dynamic
    counter
    size 4096
  }
  chain input {
    type filter hook prerouting priority raw; policy accept;
    iifname "eth0" update @arrived { ip daddr . meta l4proto }
  }
}
NFT

python3 "$(dirname "$0")/check-lab-privacy.py" --dir "$tmp" --lab-id "$LAB_ID" \
  --cli "$PS_CLI" --emulator "$PS_EMULATOR" ${PS_LAB_MMDB:+--mmdb "$PS_LAB_MMDB"}
