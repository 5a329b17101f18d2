#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# peerscope-gatewayd with the real polkitd deciding. Everything runs in
# namespaces of its own (mount, network, PID), so nothing of the machine's
# D-Bus or polkit state is seen or changed:
#
# - temporary folders are bind-mounted over /run/dbus (where there is
#   none, a /run of our own holds it), polkit's actions folder and both of
#   its rules folders;
# - a private dbus-daemon listens at unix:path=/run/dbus/system_bus_socket,
#   the system bus address polkit and GIO use, with polkit's own bus policy
#   and the helper's (data/dbus/io.github.peerscope.Gateway1.conf);
# - the real polkitd (/usr/lib/polkit-1/polkitd, started as root the way
#   polkit.service does; it becomes the polkitd user itself) reads only
#   the helper's actions (data/polkit) and polkit's own, and one test rule
#   (tests/lab/polkit/gatewayd-watch-only.rules): nobody (uid 65534) may
#   watch flows, and may not apply policies;
# - peerscope-gatewayd runs on that system bus as root, as it does when
#   installed.
#
# Then clients that are not root call the helper with gdbus: nobody's
# Flows and Policy.GetState calls succeed, its Policy.Apply is refused and
# the kernel's rules stay as they were; a user no rule mentions (daemon,
# uid 1, in no session) meets the .policy file's implicit authorisation,
# auth_admin_keep, which without an authentication agent refuses. After
# the rule is swapped for gatewayd-watch-and-apply.rules, which polkitd
# reloads by itself, nobody applies a policy (its table appears with the
# policy's digest) and removes it. Then the helper on the same bus named by
# --bus-address, which hands polkit a process instead of a bus name, and
# last, with polkitd gone, the helper refuses (it fails closed).
#
# Needs root; prints TAP. Arguments: the helper's polkit actions
# (data/polkit/io.github.peerscope.Gateway1.policy). Environment:
# PS_GATEWAYD, PS_GATEWAY_BUS_POLICY.

set -eu

if [ "$(id -u)" -ne 0 ]; then
  echo "1..0 # SKIP namespaces and polkitd need root (CI runs as root)"
  exit 77
fi

polkitd=/usr/lib/polkit-1/polkitd
polkit_bus_policy=/usr/share/dbus-1/system.d/org.freedesktop.PolicyKit1.conf
rules_src=$(cd "$(dirname "$0")" && pwd)/polkit

# ---------------------------------------------------------------------------
# Outside: namespaces of our own. With --pid and --kill-child, everything
# started inside dies with the namespace even when this script is killed;
# the mounts go with the mount namespace.

if [ "${1:-}" != "--inside" ]; then
  actions="${1:-}"
  # as root, nothing is optional: CI must run this test, never skip it
  for tool in unshare setpriv gdbus dbus-daemon nft pkcheck "$polkitd"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      echo "Bail out! $tool is missing (.ci/install-deps installs it)"
      exit 1
    fi
  done
  for file in "$actions" "$PS_GATEWAYD" "$PS_GATEWAY_BUS_POLICY" "$polkit_bus_policy" \
              "$rules_src/gatewayd-watch-only.rules" "$rules_src/gatewayd-watch-and-apply.rules"; do
    if [ ! -f "$file" ]; then
      echo "Bail out! missing file: $file"
      exit 1
    fi
  done
  for dir in /usr/share/polkit-1/actions /usr/share/polkit-1/rules.d /etc/polkit-1/rules.d; do
    if [ ! -d "$dir" ]; then
      echo "Bail out! $dir is missing (the polkitd package has it)"
      exit 1
    fi
  done

  tmp=$(mktemp -d)
  inside_pid=""
  cleanup () {
    if [ -n "$inside_pid" ]; then
      kill "$inside_pid" 2>/dev/null || true
      wait "$inside_pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
  }
  trap cleanup EXIT
  trap 'exit 1' INT TERM

  unshare --mount --net --pid --fork --kill-child --mount-proc --propagation private \
    -- sh "$0" --inside "$tmp" "$actions" &
  inside_pid=$!
  status=0
  wait "$inside_pid" || status=$?
  inside_pid=""
  exit "$status"
fi

# ---------------------------------------------------------------------------
# Inside: PID 1 of the new PID namespace, in new mount and network
# namespaces whose mounts propagate nowhere.

tmp="$2"
actions="$3"
bus_pid=""
polkit_pid=""
gw_pid=""
failed=0
n=0

# Stops one process of ours, by pid, and waits for it.
stop () {
  if [ -n "$1" ]; then
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
  fi
}

cleanup_inside () {
  stop "$gw_pid"
  stop "$polkit_pid"
  stop "$bus_pid"
  if [ "$failed" -ne 0 ]; then
    for log in gatewayd polkitd bus; do
      if [ -s "$tmp/$log.log" ]; then
        echo "--- $log.log" >&2
        cat "$tmp/$log.log" >&2
      fi
    done
  fi
  # the outside removes it too, unless it was killed
  rm -rf "$tmp"
}
trap cleanup_inside EXIT
trap 'exit 1' INT TERM

bail () {
  failed=1
  echo "Bail out! $*"
  exit 1
}

ok () {
  n=$((n + 1))
  echo "ok $n - $*"
}

not_ok () {
  n=$((n + 1))
  failed=1
  echo "not ok $n - $*"
  for f in "$tmp/out" "$tmp/err"; do
    if [ -s "$f" ]; then
      sed 's/^/# /' "$f"
    fi
  done
}

# The folders the daemons see in place of the machine's.
mkdir -m 0755 "$tmp/run-dbus" "$tmp/actions" "$tmp/rules" "$tmp/rules-usr"
mkdir -m 0700 "$tmp/state"
cp "$actions" "$tmp/actions/"
if [ -f /usr/share/polkit-1/actions/org.freedesktop.policykit.policy ]; then
  cp /usr/share/polkit-1/actions/org.freedesktop.policykit.policy "$tmp/actions/"
fi
install -m 0644 "$rules_src/gatewayd-watch-only.rules" "$tmp/rules/50-peerscope-test.rules"
chmod 0644 "$tmp/actions"/*
if [ -d /run/dbus ]; then
  mount --bind "$tmp/run-dbus" /run/dbus || bail "cannot mount over /run/dbus"
else
  # no system bus was ever started here (a container): /run/dbus cannot
  # be created on the machine, so a /run of our own holds it
  if ! mount -t tmpfs -o mode=0755 peerscope-test /run || ! mkdir -m 0755 /run/dbus; then
    bail "cannot mount a /run with a dbus folder"
  fi
fi
if ! mount --bind "$tmp/actions" /usr/share/polkit-1/actions \
   || ! mount --bind "$tmp/rules" /etc/polkit-1/rules.d \
   || ! mount --bind "$tmp/rules-usr" /usr/share/polkit-1/rules.d; then
  bail "cannot mount over polkit's folders"
fi
ip link set lo up

# A system bus of our own: anyone may connect, nobody may own names or
# call methods unless a policy file allows it (the defaults of
# /usr/share/dbus-1/system.conf, without its includes).
cat >"$tmp/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <listen>unix:path=/run/dbus/system_bus_socket</listen>
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
  <include>$polkit_bus_policy</include>
  <include>$PS_GATEWAY_BUS_POLICY</include>
</busconfig>
EOF

# Whatever the test runner has, the clients find the bus at its default
# address and nothing else of ours.
unset DBUS_SYSTEM_BUS_ADDRESS
clean_path=/usr/sbin:/usr/bin:/sbin:/bin
clean_env () {
  env -i PATH="$clean_path" LC_ALL=C.UTF-8 "$@"
}

env -i PATH="$clean_path" LC_ALL=C.UTF-8 \
  dbus-daemon --config-file="$tmp/bus.conf" --nofork --nopidfile --print-address \
  >"$tmp/address" 2>"$tmp/bus.log" &
bus_pid=$!
i=0
while [ ! -s "$tmp/address" ]; do
  i=$((i + 1))
  if [ "$i" -gt 100 ] || ! kill -0 "$bus_pid" 2>/dev/null; then
    bail "the private dbus-daemon did not start"
  fi
  sleep 0.1
done

# as polkit.service runs it: as root, with a clean environment (it becomes
# the polkitd user by itself)
env -i PATH="$clean_path" LC_ALL=C.UTF-8 "$polkitd" --no-debug >"$tmp/polkitd.log" 2>&1 &
polkit_pid=$!
if ! clean_env gdbus wait --system --timeout 15 org.freedesktop.PolicyKit1; then
  bail "polkitd did not take org.freedesktop.PolicyKit1"
fi

"$PS_GATEWAYD" --state-dir "$tmp/state" >"$tmp/gatewayd.log" 2>&1 &
gw_pid=$!
if ! clean_env gdbus wait --system --timeout 15 io.github.peerscope.Gateway1; then
  bail "peerscope-gatewayd did not take io.github.peerscope.Gateway1"
fi

nobody=65534
other=1   # daemon: no rule names it

# as_user UID CMD...: runs CMD as UID, without groups or our environment
as_user () {
  _uid="$1"
  shift
  setpriv --reuid="$_uid" --regid="$_uid" --clear-groups -- \
    env -i PATH="$clean_path" LC_ALL=C.UTF-8 "$@"
}

# call UID [--interactive] INTERFACE.METHOD [ARG]: one call to the helper
# as UID; the reply in $tmp/out, errors in $tmp/err
call () {
  _uid="$1"
  shift
  _flags=""
  if [ "$1" = "--interactive" ]; then
    _flags="--interactive"
    shift
  fi
  _method="$1"
  shift
  _st=0
  # shellcheck disable=SC2086
  as_user "$_uid" gdbus call --system $_flags --timeout 20 \
    --dest io.github.peerscope.Gateway1 --object-path /io/github/peerscope/Gateway1 \
    --method "io.github.peerscope.Gateway1.$_method" "$@" >"$tmp/out" 2>"$tmp/err" || _st=$?
  # what happened, as a TAP comment
  if [ "$_st" -eq 0 ]; then
    echo "# uid $_uid${_flags:+ $_flags} $_method -> $(head -c 200 "$tmp/out" | tr '\n' ' ')"
  else
    echo "# uid $_uid${_flags:+ $_flags} $_method -> $(head -c 300 "$tmp/err" | tr '\n' ' ')"
  fi
  return "$_st"
}

# refused_with ERROR: the last call failed with the D-Bus error ERROR
refused_with () {
  case "$(head -n 1 "$tmp/err")" in
    "Error: GDBus.Error:$1: "*) return 0 ;;
    *) return 1 ;;
  esac
}

# needs_auth: the last call failed because polkit wants a password the
# caller did not allow to be asked for: the helper answers with the D-Bus
# error made for that, under its own name
needs_auth () {
  refused_with $interactive_required
}

# pkcheck_as UID ACTION: polkitd's own answer for a process of UID, as
# pkcheck's exit status (0 yes, 1 no, 2 needs authentication)
pkcheck_as () {
  _st=0
  # shellcheck disable=SC2016
  as_user "$1" sh -c 'exec pkcheck --action-id "$1" --process $$' sh "$2" \
    >/dev/null 2>&1 || _st=$?
  echo "$_st"
}

has_table () {
  nft list table inet peerscope >/dev/null 2>&1
}

not_authorized=io.github.peerscope.Gateway1.Error.NotAuthorized
interactive_required=org.freedesktop.DBus.Error.InteractiveAuthorizationRequired
watch=io.github.peerscope.Gateway1.watch-flows
apply=io.github.peerscope.Gateway1.apply-policy
policy='{"version":1,"default_intent":"open","p2p_servers":["198.51.100.11"],'
policy="$policy"'"devices":[{"id":"cam1","mac":"02:00:00:00:01:01",'
policy="$policy"'"addresses":["10.99.1.11","fd00:99::11"],"intent":"block-vendor-p2p"}]}'

echo "1..20"

# 1: polkitd, as its own user, decides from our files only
w=$(pkcheck_as $nobody $watch)
a=$(pkcheck_as $nobody $apply)
o=$(pkcheck_as $other $watch)
polkit_uid=$(awk '/^Uid:/ { print $2 }' "/proc/$polkit_pid/status")
echo "# polkitd runs as uid $polkit_uid; pkcheck: nobody watch $w apply $a, daemon watch $o"
what="polkitd (as polkitd) follows the rule: nobody may watch, not apply; daemon must authenticate"
if [ "$w" = 0 ] && [ "$a" = 1 ] && [ "$o" = 2 ] && [ "$polkit_uid" = "$(id -u polkitd)" ]; then
  ok "$what"
else
  not_ok "$what (pkcheck statuses: want 0 1 2)"
fi

# 2-4: what the rule grants
if call $nobody Flows.Subscribe && [ "$(cat "$tmp/out")" = "()" ]; then
  ok "nobody: Flows.Subscribe succeeds (the rule grants watch-flows)"
else
  not_ok "nobody: Flows.Subscribe succeeds (the rule grants watch-flows)"
fi

if call $nobody Flows.GetStats && grep -q "'sources_running'" "$tmp/out"; then
  ok "nobody: Flows.GetStats succeeds"
else
  not_ok "nobody: Flows.GetStats succeeds"
fi

if call $nobody Policy.GetState && [ "$(cat "$tmp/out")" = "('', '', false)" ]; then
  ok "nobody: Policy.GetState succeeds (watch-flows) and nothing is enforced"
else
  not_ok "nobody: Policy.GetState succeeds (watch-flows) and nothing is enforced"
fi

# 5-7: what the rule refuses
if ! call $nobody Policy.Apply "'$policy'" && refused_with $not_authorized; then
  ok "nobody: Policy.Apply is refused with NotAuthorized (the rule says no)"
else
  not_ok "nobody: Policy.Apply is refused with NotAuthorized (the rule says no)"
fi

if ! call $nobody --interactive Policy.Apply "'$policy'" && refused_with $not_authorized; then
  ok "nobody: Policy.Apply allowing interaction is refused with NotAuthorized too"
else
  not_ok "nobody: Policy.Apply allowing interaction is refused with NotAuthorized too"
fi

if ! has_table && call 0 Policy.GetState \
   && [ "$(cat "$tmp/out")" = "('', '', false)" ]; then
  ok "after the refusals: no inet peerscope table, nothing stored"
else
  nft list tables >>"$tmp/err" 2>&1 || true
  not_ok "after the refusals: no inet peerscope table, nothing stored"
fi

# 8-10: no rule, no session: the .policy file's allow_any (auth_admin_keep)
# asks for an administrator's password, which nobody can give here
if ! call $other Flows.GetStats && needs_auth; then
  ok "daemon (no rule, no session): Flows.GetStats needs authentication it did not allow"
else
  not_ok "daemon (no rule, no session): Flows.GetStats needs authentication it did not allow"
fi

if ! call $other --interactive Flows.Subscribe && refused_with $not_authorized; then
  ok "daemon allowing interaction: Flows.Subscribe refused, no authentication agent"
else
  not_ok "daemon allowing interaction: Flows.Subscribe refused, no authentication agent"
fi

if ! call $other Policy.Apply "'$policy'" && needs_auth && ! has_table; then
  ok "daemon: Policy.Apply needs authentication, nothing applied"
else
  not_ok "daemon: Policy.Apply needs authentication, nothing applied"
fi

# 11: a new rule while polkitd runs (renamed into place: one change)
install -m 0644 "$rules_src/gatewayd-watch-and-apply.rules" "$tmp/rules/.50-peerscope-test.new"
mv "$tmp/rules/.50-peerscope-test.new" "$tmp/rules/50-peerscope-test.rules"
i=0
while [ "$(pkcheck_as $nobody $apply)" != 0 ] && [ "$i" -lt 100 ]; do
  i=$((i + 1))
  sleep 0.1
done
if [ "$(pkcheck_as $nobody $apply)" = 0 ]; then
  ok "polkitd reloads the changed rule: nobody may apply policies now"
else
  not_ok "polkitd reloads the changed rule: nobody may apply policies now"
fi

# 12-16: nobody changes the firewall; daemon still cannot
digest=""
if call $nobody Policy.Apply "'$policy'"; then
  digest=$(sed -n "s/^(true, '\([0-9a-f]\{64\}\)')\$/\1/p" "$tmp/out")
fi
if [ -n "$digest" ]; then
  ok "nobody: Policy.Apply succeeds (digest $digest)"
else
  not_ok "nobody: Policy.Apply succeeds"
fi

if [ -n "$digest" ] && nft list table inet peerscope >"$tmp/out" 2>"$tmp/err" \
   && grep -q "comment \"peerscope policy $digest\"" "$tmp/out"; then
  ok "the kernel has the inet peerscope table, marked with the policy's digest"
else
  not_ok "the kernel has the inet peerscope table, marked with the policy's digest"
fi

if [ -n "$digest" ] && call $nobody Policy.GetState \
   && [ "$(cat "$tmp/out")" = "('$digest', '$digest', true)" ]; then
  ok "nobody: Policy.GetState reports the policy live, stored and enforced"
else
  not_ok "nobody: Policy.GetState reports the policy live, stored and enforced"
fi

if ! call $other Policy.Remove && needs_auth && has_table; then
  ok "daemon: Policy.Remove needs authentication, the table stays"
else
  not_ok "daemon: Policy.Remove needs authentication, the table stays"
fi

if call $nobody Policy.Remove && ! has_table && call $nobody Policy.GetState \
   && [ "$(cat "$tmp/out")" = "('', '', false)" ]; then
  ok "nobody: Policy.Remove succeeds, the table is gone, nothing is stored"
else
  not_ok "nobody: Policy.Remove succeeds, the table is gone, nothing is stored"
fi

# 17-19: the helper on a bus it is given an address of (tests, and
# systems where it is started by hand) hands polkit the calling process
# instead of its bus name; the same rules decide
stop "$gw_pid"
gw_pid=""
"$PS_GATEWAYD" --bus-address unix:path=/run/dbus/system_bus_socket --state-dir "$tmp/state" \
  >>"$tmp/gatewayd.log" 2>&1 &
gw_pid=$!
if ! clean_env gdbus wait --system --timeout 15 io.github.peerscope.Gateway1; then
  bail "peerscope-gatewayd --bus-address did not take io.github.peerscope.Gateway1"
fi

if call $nobody Flows.Subscribe && call $nobody Policy.GetState; then
  ok "--bus-address: nobody's Flows.Subscribe and Policy.GetState succeed"
else
  not_ok "--bus-address: nobody's Flows.Subscribe and Policy.GetState succeed"
fi

digest2=""
if call $nobody Policy.Apply "'$policy'"; then
  digest2=$(sed -n "s/^(true, '\([0-9a-f]\{64\}\)')\$/\1/p" "$tmp/out")
fi
if [ -n "$digest2" ] && [ "$digest2" = "$digest" ] && has_table \
   && call $nobody Policy.Remove && ! has_table; then
  ok "--bus-address: nobody applies the same policy (same digest) and removes it"
else
  not_ok "--bus-address: nobody applies the same policy (same digest) and removes it"
fi

if ! call $other Flows.GetStats && needs_auth \
   && ! call $other --interactive Policy.Apply "'$policy'" && refused_with $not_authorized \
   && ! has_table; then
  ok "--bus-address: daemon is refused (needs authentication; no agent)"
else
  not_ok "--bus-address: daemon is refused (needs authentication; no agent)"
fi

# 20: without polkitd nothing is allowed: the helper fails closed (our bus
# cannot start polkitd again: it has no service files)
stop "$polkit_pid"
polkit_pid=""
if ! call $nobody Flows.GetStats && refused_with $not_authorized \
   && call 0 Flows.GetStats; then
  ok "polkitd gone: nobody is refused with NotAuthorized, root still served"
else
  not_ok "polkitd gone: nobody is refused with NotAuthorized, root still served"
fi


exit "$failed"
