# SPDX-License-Identifier: GPL-3.0-or-later
#
# What the P2P NAT matrix adds to the lab (source this file after lab.sh,
# as root; call lab_p2p_up after lab_up and lab_wan_up):
#
#   cam1   10.99.1.11  ─┐                              ┌─ away 10.88.1.100
#   viewer 10.99.1.100 ─┴─ gw ─── wan ─── awaygw ──────┘  (a viewer far
#                          198.18.0.1  │  198.18.1.1         from home)
#                          NAT         │  NAT: eim, symmetric or udp-blocked
#                                      │
#              coturn 192.0.2.30:3478 (and 192.0.2.31), rendezvous
#              192.0.2.40:8443, DNS and the other wan servers of lab.sh
#
# wan routes between the two homes (it is the internet), so a path from
# away to cam1 exists only through the homes' NATs or through the relay.
# coturn (STUN and TURN over UDP and TCP, TURN REST credentials with
# $LAB_TURN_SECRET) runs from lab_p2p_up; it answers on a second address,
# $LAB_TURN2, only so that the self-checks can tell endpoint-independent
# from endpoint-dependent mappings.  The rendezvous is started by the
# caller, who may want to kill and restart it.
#
# lab_away_nat MODE replaces awaygw's one table in one nft transaction and
# forgets awaygw's conntrack mappings, so that the next cell starts from
# the new NAT behaviour.  Like gw (table lab_p2p_gw), awaygw drops what
# the internet sends it unasked, as home routers do:
#   eim          masquerade: endpoint-independent mapping, port preserved
#   symmetric    masquerade fully-random: a new port for every destination
#   udp-blocked  masquerade, and every UDP datagram from away dropped
#                (except DNS): only TCP leaves that home
#
# wan counts what arrives in its own table lab_p2p (named counters, read
# with `nft -j list table ip lab_p2p`): away_turn_tcp, away_turn_udp,
# away_udp (all UDP from awaygw), home_udp (all UDP from gw) and
# homes_udp (UDP that wan routes from one home to the other: direct
# server-reflexive paths, never relayed ones).

LAB_NAMESPACES="$LAB_NAMESPACES awaygw away"

LAB_TURN=192.0.2.30         # coturn: STUN and TURN, UDP and TCP 3478
LAB_TURN2=192.0.2.31        # coturn's second address (NAT self-checks only)
LAB_RENDEZVOUS=192.0.2.40   # peerscope-rendezvous, ws:// port 8443
LAB_MITM=192.0.2.41         # a rendezvous that lies (the checker's own)
LAB_AWAY=10.88.1.100
LAB_TURN_SECRET=${LAB_TURN_SECRET:-lab-turn-secret-$$}

# lab_p2p_up DIR: the second home, coturn, wan's counters
lab_p2p_up () {
  dir=$1
  for ns in awaygw away; do
    ip netns add "$(lab_ns "$ns")"
    lab_exec "$ns" ip link set lo up
    mkdir -p "/etc/netns/$(lab_ns "$ns")"
    echo "nameserver $LAB_DNS" >"/etc/netns/$(lab_ns "$ns")/resolv.conf"
  done

  # wan <-> awaygw
  ip link add "${LAB_ID}a0" type veth peer name "${LAB_ID}a1"
  ip link set "${LAB_ID}a0" netns "$(lab_ns awaygw)"
  ip link set "${LAB_ID}a1" netns "$(lab_ns wan)"
  lab_exec awaygw ip link set "${LAB_ID}a0" name wan0
  lab_exec awaygw ip addr add 198.18.1.1/30 dev wan0
  lab_exec awaygw ip link set wan0 up
  lab_exec awaygw ip route add default via 198.18.1.2
  lab_exec wan ip link set "${LAB_ID}a1" name away0
  lab_exec wan ip addr add 198.18.1.2/30 dev away0
  lab_exec wan ip link set away0 up
  # the internet routes between the homes' public addresses; what it
  # cannot route (the homes' private addresses) goes nowhere, silently, as
  # on the real internet: with no route at all, coturn's sendto() to a
  # host candidate fails (ENETUNREACH) and coturn closes the whole
  # allocation
  lab_exec wan sysctl -qw net.ipv4.ip_forward=1
  # (a veth whose other end stays down: it drops all it is given)
  lab_exec wan ip link add void0 type veth peer name void1
  lab_exec wan ip link set void0 up
  lab_exec wan ip route add default dev void0

  # awaygw <-> away
  ip link add "${LAB_ID}b0" type veth peer name "${LAB_ID}b1"
  ip link set "${LAB_ID}b0" netns "$(lab_ns awaygw)"
  ip link set "${LAB_ID}b1" netns "$(lab_ns away)"
  lab_exec awaygw ip link set "${LAB_ID}b0" name lan0
  lab_exec awaygw ip addr add 10.88.1.1/24 dev lan0
  lab_exec awaygw ip link set lan0 up
  lab_exec awaygw sysctl -qw net.ipv4.ip_forward=1
  lab_exec away ip link set "${LAB_ID}b1" name eth0
  lab_exec away ip addr add "$LAB_AWAY/24" dev eth0
  lab_exec away ip link set eth0 up
  lab_exec away ip route add default via 10.88.1.1
  lab_away_nat eim

  # gw is a home router: its firewall drops what the internet sends it
  # unasked.  Without that, a connectivity check that reaches gw before
  # the camera's own has gone out leaves a conntrack entry (to gw itself)
  # that takes the camera's mapping, and masquerade picks another port:
  # hole punching between two Linux NATs fails for a reason no real home
  # router has.  (lab.sh's lab_nat table stays as it is.)
  lab_exec gw nft -f - <<'NFT'
table ip lab_p2p_gw {
  chain input {
    type filter hook input priority filter; policy accept;
    iifname "wan0" ct state new counter drop
  }
}
NFT

  for addr in $LAB_TURN $LAB_TURN2 $LAB_RENDEZVOUS $LAB_MITM; do
    lab_exec wan ip addr add "$addr/32" dev lo
  done

  lab_exec wan nft -f - <<'NFT'
table ip lab_p2p {
  counter away_turn_tcp { }
  counter away_turn_udp { }
  counter away_udp { }
  counter home_udp { }
  counter homes_udp { }
  chain prerouting {
    type filter hook prerouting priority raw; policy accept;
    iifname "away0" ip daddr 192.0.2.30 tcp dport 3478 counter name "away_turn_tcp"
    iifname "away0" ip daddr 192.0.2.30 udp dport 3478 counter name "away_turn_udp"
    iifname "away0" meta l4proto udp counter name "away_udp"
    iifname "eth0" meta l4proto udp counter name "home_udp"
  }
  chain forward {
    type filter hook forward priority filter; policy accept;
    iifname "eth0" oifname "away0" meta l4proto udp counter name "homes_udp"
    iifname "away0" oifname "eth0" meta l4proto udp counter name "homes_udp"
  }
}
NFT

  # coturn: no daemon, no CLI, no TLS; its database, pid file and log in
  # DIR (nothing under /var)
  lab_start wan turnserver -n --listening-ip "$LAB_TURN" --listening-ip "$LAB_TURN2" \
    --relay-ip "$LAB_TURN" --listening-port 3478 --min-port 49152 --max-port 65535 \
    --use-auth-secret --static-auth-secret "$LAB_TURN_SECRET" --realm lab.example \
    --fingerprint --no-cli --no-tls --no-dtls --no-software-attribute \
    --userdb "$dir/turndb" --pidfile "$dir/turnserver.pid" \
    --log-file stdout --simple-log --new-log-timestamp --verbose >"$dir/coturn.log" 2>&1
  for _ in $(seq 1 100); do
    if [ -n "$(lab_exec wan ss -Hltn "src $LAB_TURN2:3478")" ]; then
      return 0
    fi
    sleep 0.1
  done
  echo "# coturn did not start (see coturn.log)" >&2
  return 1
}

# lab_away_nat eim|symmetric|udp-blocked: awaygw's NAT, switched atomically
lab_away_nat () {
  case $1 in
    eim) masquerade="masquerade" drop="" ;;
    symmetric) masquerade="masquerade fully-random" drop="" ;;
    udp-blocked)
      masquerade="masquerade"
      drop='iifname "lan0" udp dport != 53 counter drop' ;;
    *) echo "lab_away_nat: no NAT mode $1" >&2; return 1 ;;
  esac
  # the empty table first, so that the delete never fails: one transaction
  lab_exec awaygw nft -f - <<NFT
table ip lab_away
delete table ip lab_away
table ip lab_away {
  comment "$1"
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "wan0" $masquerade
  }
  chain input {
    type filter hook input priority filter; policy accept;
    iifname "wan0" ct state new counter drop
  }
  chain forward {
    type filter hook forward priority filter; policy accept;
    $drop
  }
}
NFT
  # mappings made under the old mode would outlive it
  lab_exec awaygw conntrack -F >/dev/null 2>&1 || true
}
