# SPDX-License-Identifier: GPL-3.0-or-later
#
# A small network of namespaces for lab tests (source this file, as root):
#
#   cam1 (10.99.1.11) ─┐
#   cam2 (10.99.1.12) ─┼─ br0 in gw (10.99.1.1) ── gw ── remote (203.0.113.10)
#   viewer (10.99.1.100)┘                         (203.0.113.1)
#
# Names carry the test's pid so that parallel runs never meet; lab_cleanup
# (installed as an EXIT trap by lab_up) removes every namespace and kills
# every process the test started, also on failure. Nothing here touches the
# machine's own interfaces.

LAB_ID="psl$$"
LAB_PIDS=""

lab_ns () { echo "${LAB_ID}-$1"; }

lab_exec () {
  ns=$1; shift
  ip netns exec "$(lab_ns "$ns")" "$@"
}

lab_cleanup () {
  # every process still in one of our namespaces was started by this test
  for ns in cam1 cam2 viewer remote gw; do
    for pid in $(ip netns pids "$(lab_ns "$ns")" 2>/dev/null); do
      kill "$pid" 2>/dev/null || true
    done
  done
  for pid in $LAB_PIDS; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  for ns in cam1 cam2 viewer remote gw; do
    ip netns del "$(lab_ns "$ns")" 2>/dev/null || true
  done
}

# lab_link NS ADDR/PREFIX: a veth from namespace NS into gw's bridge.
lab_link () {
  ns=$1 addr=$2 n=$3
  ip link add "${LAB_ID}v${n}" type veth peer name "${LAB_ID}p${n}"
  ip link set "${LAB_ID}v${n}" netns "$(lab_ns "$ns")"
  ip link set "${LAB_ID}p${n}" netns "$(lab_ns gw)"
  lab_exec "$ns" ip link set "${LAB_ID}v${n}" name eth0
  lab_exec "$ns" ip addr add "$addr" dev eth0
  lab_exec "$ns" ip link set eth0 up
  lab_exec "$ns" ip link set lo up
  lab_exec gw ip link set "${LAB_ID}p${n}" master br0
  lab_exec gw ip link set "${LAB_ID}p${n}" up
}

lab_up () {
  trap lab_cleanup EXIT INT TERM
  for ns in gw cam1 cam2 viewer remote; do
    ip netns add "$(lab_ns "$ns")"
  done
  lab_exec gw ip link set lo up
  lab_exec gw ip link add br0 type bridge
  lab_exec gw ip addr add 10.99.1.1/24 dev br0
  lab_exec gw ip link set br0 up
  lab_exec gw sysctl -qw net.ipv4.ip_forward=1

  lab_link cam1 10.99.1.11/24 1
  lab_link cam2 10.99.1.12/24 2
  lab_link viewer 10.99.1.100/24 3
  for ns in cam1 cam2 viewer; do
    lab_exec "$ns" ip route add default via 10.99.1.1
    # multicast stays on the lab LAN
    lab_exec "$ns" ip route add 224.0.0.0/4 dev eth0
  done

  # the remote subnet, one hop away: no multicast reaches it
  ip link add "${LAB_ID}r0" type veth peer name "${LAB_ID}r1"
  ip link set "${LAB_ID}r0" netns "$(lab_ns gw)"
  ip link set "${LAB_ID}r1" netns "$(lab_ns remote)"
  lab_exec gw ip addr add 203.0.113.1/24 dev "${LAB_ID}r0"
  lab_exec gw ip link set "${LAB_ID}r0" up
  lab_exec remote ip link set "${LAB_ID}r1" name eth0
  lab_exec remote ip addr add 203.0.113.10/24 dev eth0
  lab_exec remote ip link set eth0 up
  lab_exec remote ip link set lo up
  lab_exec remote ip route add default via 203.0.113.1
}

# lab_emulator NS OUTFILE ARGS...: starts an emulator in NS, waits for its
# ready line (written to OUTFILE).
lab_emulator () {
  ns=$1 out=$2; shift 2
  # ip execs the emulator: $! is the emulator itself
  ip netns exec "$(lab_ns "$ns")" "$PS_EMULATOR" "$@" >"$out" 2>/dev/null &
  LAB_PIDS="$LAB_PIDS $!"
  for _ in $(seq 1 100); do
    [ -s "$out" ] && return 0
    sleep 0.1
  done
  echo "# the emulator in $ns did not start" >&2
  return 1
}
