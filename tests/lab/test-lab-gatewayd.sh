#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# peerscope-gatewayd and its clients on a private system-like bus, in a
# network namespace of their own where conntrack is on: the test program
# (tests/test-gatewayd.c for the flows, tests/test-gatewayd-policy.c for
# the policy; the first argument, by default $PS_TEST_GATEWAYD) does the
# checking, with PS_GATEWAY_STATE_DIR as the helper's state folder. The bus
# applies the helper's real policy file
# (data/dbus/io.github.peerscope.Gateway1.conf) the way the system bus does.
# Needs root (conntrack and nftables need CAP_NET_ADMIN); prints TAP.
#
# Environment: PS_GATEWAYD, PS_TEST_GATEWAYD, PS_GATEWAY_BUS_POLICY.

set -eu

if [ "$(id -u)" -ne 0 ]; then
  echo "1..0 # SKIP conntrack needs root (CI runs as root)"
  exit 77
fi
for tool in ip nft dbus-daemon; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "1..0 # SKIP $tool is missing"
    exit 77
  fi
done

program="${1:-$PS_TEST_GATEWAYD}"
ns="psgw$$"
tmp=$(mktemp -d)
bus_pid=""

cleanup () {
  # every process in our namespace was started by this test
  for pid in $(ip netns pids "$ns" 2>/dev/null); do
    kill "$pid" 2>/dev/null || true
  done
  if [ -n "$bus_pid" ]; then
    kill "$bus_pid" 2>/dev/null || true
    wait "$bus_pid" 2>/dev/null || true
  fi
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ip netns add "$ns"
ip -n "$ns" link set lo up
# conntrack stays empty until a rule needs it; counters and timestamps
ip netns exec "$ns" sysctl -qw net.netfilter.nf_conntrack_acct=1
ip netns exec "$ns" sysctl -qw net.netfilter.nf_conntrack_timestamp=1
ip netns exec "$ns" nft -f - <<'NFT'
table inet psgw {
  chain output {
    type filter hook output priority 0; policy accept;
    ct state new counter
  }
}
NFT

# A bus like the system bus: anyone may connect, nobody may own names or
# call methods unless a policy file allows it. Its abstract socket lives in
# the namespace, out of reach of everything else on the machine.
cat >"$tmp/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <listen>unix:abstract=/peerscope/gatewayd-test/$$</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Properties"/>
  </policy>
  <include>$PS_GATEWAY_BUS_POLICY</include>
</busconfig>
EOF

ip netns exec "$ns" dbus-daemon --config-file="$tmp/bus.conf" --nofork --nopidfile \
  --print-address >"$tmp/address" &
bus_pid=$!
i=0
while [ ! -s "$tmp/address" ]; do
  i=$((i + 1))
  if [ "$i" -gt 100 ] || ! kill -0 "$bus_pid" 2>/dev/null; then
    echo "Bail out! the private dbus-daemon did not start"
    exit 1
  fi
  sleep 0.1
done

mkdir "$tmp/state"
status=0
# the helper asks polkit on the system bus: never the machine's own
ip netns exec "$ns" env DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent PS_GATEWAY_TEST_BUS="$(head -n 1 "$tmp/address")" \
  PS_GATEWAYD="$PS_GATEWAYD" PS_GATEWAY_STATE_DIR="$tmp/state" "$program" || status=$?
exit "$status"
