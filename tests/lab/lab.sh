# SPDX-License-Identifier: GPL-3.0-or-later
#
# A small network of namespaces for lab tests (source this file, as root):
#
#   cam1 (10.99.1.11) ─┐
#   cam2 (10.99.1.12) ─┼─ br0 in gw (10.99.1.1) ── gw ── remote (203.0.113.10)
#   viewer (10.99.1.100)┘                         (203.0.113.1)
#                                                  │ NAT (lab_wan_up)
#                                                 wan: the "internet"
#
# lab_wan_up adds the internet behind gw's NAT: the wan namespace
# (198.18.0.2, gw is 198.18.0.1) holds twelve P2P supernodes, one in each of
# the test GeoIP database's countries ($LAB_SUPERNODES), a vendor cloud
# ($LAB_CLOUD), an NTP server ($LAB_NTP) and a DNS server ($LAB_DNS, dnsmasq)
# that knows their names; every lab namespace resolves through it.  One more
# supernode ($LAB_HARDCODED) has no name: cameras that use it have its
# address built in.  gw runs a DNS forwarder on 10.99.1.1 (dnsmasq, as home
# routers do) that logs which LAN host looked up which name ($dir/gw-dns.log).
#
# Names carry the test's pid so that parallel runs never meet; lab_cleanup
# (installed as an EXIT trap by lab_up) removes every namespace and kills
# every process the test started, also on failure. Nothing here touches the
# machine's own interfaces.

LAB_ID="psl$$"
LAB_DIR=${LAB_DIR:-$(dirname "$0")}
LAB_PIDS=""
LAB_NAMESPACES="cam1 cam2 viewer remote gw wan"

LAB_SUPERNODES="198.51.100.11 198.51.100.21 198.51.100.37 198.51.100.51 198.51.100.71 198.51.100.85
  198.51.100.101 198.51.100.117 198.51.100.131 198.51.100.150 198.51.100.165 198.51.100.180"
LAB_HARDCODED=198.51.100.200   # a supernode cameras reach by address, no name
LAB_CLOUD=192.0.2.10
LAB_NTP=192.0.2.123
LAB_DNS=192.0.2.53

lab_ns () { echo "${LAB_ID}-$1"; }

lab_exec () {
  ns=$1; shift
  ip netns exec "$(lab_ns "$ns")" "$@"
}

lab_cleanup () {
  # every process still in one of our namespaces was started by this test
  for ns in $LAB_NAMESPACES; do
    for pid in $(ip netns pids "$(lab_ns "$ns")" 2>/dev/null); do
      kill "$pid" 2>/dev/null || true
    done
  done
  for pid in $LAB_PIDS; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  for ns in $LAB_NAMESPACES; do
    ip netns del "$(lab_ns "$ns")" 2>/dev/null || true
    rm -rf "/etc/netns/$(lab_ns "$ns")"
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

# lab_start NS ARGS...: runs a server in NS in the background, to be
# stopped by lab_cleanup.
lab_start () {
  ns=$1; shift
  ip netns exec "$(lab_ns "$ns")" "$@" </dev/null &
  LAB_PIDS="$LAB_PIDS $!"
}

lab_wan_up () {
  dir=$1
  ip netns add "$(lab_ns wan)"
  lab_exec wan ip link set lo up
  ip link add "${LAB_ID}w0" type veth peer name "${LAB_ID}w1"
  ip link set "${LAB_ID}w0" netns "$(lab_ns gw)"
  ip link set "${LAB_ID}w1" netns "$(lab_ns wan)"
  lab_exec gw ip link set "${LAB_ID}w0" name wan0
  lab_exec gw ip addr add 198.18.0.1/30 dev wan0
  lab_exec gw ip link set wan0 up
  lab_exec gw ip route add default via 198.18.0.2
  lab_exec wan ip link set "${LAB_ID}w1" name eth0
  lab_exec wan ip addr add 198.18.0.2/30 dev eth0
  lab_exec wan ip link set eth0 up
  # the servers' addresses live on wan's loopback: no module needed
  for addr in $LAB_SUPERNODES $LAB_HARDCODED $LAB_CLOUD $LAB_NTP $LAB_DNS; do
    lab_exec wan ip addr add "$addr/32" dev lo
  done

  # the home router: LAN addresses leave as gw's own (and conntrack, with
  # counters and timestamps, comes with the NAT)
  lab_exec gw sysctl -qw net.netfilter.nf_conntrack_acct=1
  lab_exec gw sysctl -qw net.netfilter.nf_conntrack_timestamp=1
  lab_exec gw nft -f - <<'NFT'
table ip lab_nat {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "wan0" masquerade
  }
}
NFT

  # names: the supernodes are p2p1..p2p12.p2p.vendor.example
  set -- --no-daemon --no-resolv --no-hosts --bind-interfaces --listen-address="$LAB_DNS" \
    --pid-file= --log-queries=extra --log-facility="$dir/dns.log" \
    --host-record="cloud.vendor.example,$LAB_CLOUD" --host-record="ntp.vendor.example,$LAB_NTP"
  i=1
  for addr in $LAB_SUPERNODES; do
    set -- "$@" --host-record="p2p$i.p2p.vendor.example,$addr"
    i=$((i + 1))
  done
  lab_start wan dnsmasq "$@" 2>"$dir/dnsmasq.err"
  for ns in $LAB_NAMESPACES; do
    mkdir -p "/etc/netns/$(lab_ns "$ns")"
    echo "nameserver $LAB_DNS" >"/etc/netns/$(lab_ns "$ns")/resolv.conf"
  done

  # the home router's own DNS forwarder, whose log says who asked for what
  lab_start gw dnsmasq --no-daemon --no-resolv --no-hosts --bind-interfaces \
    --listen-address=10.99.1.1 --server="$LAB_DNS" --pid-file= --log-queries=extra \
    --log-facility="$dir/gw-dns.log" 2>"$dir/gw-dnsmasq.err"

  set -- --log "$dir/wan.jsonl" --tcp "$LAB_CLOUD:443" --ntp "$LAB_NTP"
  for addr in $LAB_SUPERNODES $LAB_HARDCODED; do
    set -- "$@" --udp "$addr:32100"
  done
  lab_start wan python3 "$LAB_DIR/lab-wan-server.py" "$@" >"$dir/wan.ready"
  for _ in $(seq 1 100); do
    [ -s "$dir/wan.ready" ] && return 0
    sleep 0.1
  done
  echo "# the wan servers did not start" >&2
  return 1
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
