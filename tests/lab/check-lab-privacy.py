#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The privacy acceptance scenario (issue 5), driven and checked: a
# Foscam-style P2P camera behind the lab's gateway, the camera's own "P2P
# off" switch, then Peerscope's policies enforced on the gateway.  Every
# count of what escaped is taken in the wan namespace, never from
# Peerscope: the wan servers' log (what arrived at each host) and an
# nftables counter table of the wan namespace's own (every packet that
# arrived from the gateway, per destination and protocol).
#
#   check-lab-privacy.py --dir DIR --lab-id ID --cli PEERSCOPE-CLI
#       --emulator EMULATOR [--mmdb FILE]
#
# lab.sh has built the namespaces ID-gw, ID-cam1, ID-viewer, ID-wan and the
# wan servers (DIR/wan.jsonl); this starts the monitor and the camera, and
# stops what it started.  Prints TAP; the measured counts are "#" lines.

import argparse
import json
import os
import random
import select
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from taptest import Tap  # noqa: E402

CAMERA = "10.99.1.11"
CAMERA_MAC = "02:00:00:00:01:01"
SUPERNODES = ["198.51.100.11", "198.51.100.21", "198.51.100.37", "198.51.100.51",
              "198.51.100.71", "198.51.100.85", "198.51.100.101", "198.51.100.117",
              "198.51.100.131", "198.51.100.150", "198.51.100.165", "198.51.100.180"]
HARDCODED = "198.51.100.200"
ALL_SUPERNODES = SUPERNODES + [HARDCODED]
CLOUD = "192.0.2.10"
NTP = "192.0.2.123"
DNS = "192.0.2.53"
USER = "admin"
PASSWORD = "lab-secret-1"
WINDOW = 3.0          # seconds per measuring window
SETTLE = 0.3          # after a policy change, before a window opens
KILLS = 100


def note(text):
    print(f"# {text}", flush=True)


class Lab:
    def __init__(self, args):
        self.dir = args.dir
        self.lab_id = args.lab_id
        self.cli = args.cli
        self.emulator = args.emulator
        self.mmdb = args.mmdb
        self.processes = []

    def ns(self, name):
        return f"{self.lab_id}-{name}"

    def argv(self, ns, args):
        # ip execs the command: a Popen's pid is the command's own
        return ["ip", "netns", "exec", self.ns(ns)] + [str(a) for a in args]

    def run(self, ns, args, timeout=60, check=False):
        return subprocess.run(self.argv(ns, args), capture_output=True, text=True,
                              timeout=timeout, check=check)

    def start(self, ns, args, **kwargs):
        p = subprocess.Popen(self.argv(ns, args), stdin=subprocess.DEVNULL, **kwargs)
        self.processes.append(p)
        return p

    def stop_all(self):
        for p in self.processes:
            if p.poll() is None:
                p.kill()
                p.wait()

    def cli_json(self, ns, args, timeout=60):
        r = self.run(ns, [self.cli] + args + ["--json"], timeout=timeout)
        if r.returncode != 0:
            raise RuntimeError(f"peerscope-cli {' '.join(map(str, args))}: {r.stderr.strip()}")
        return json.loads(r.stdout)

    # what arrived in the wan namespace, from its servers' log
    def wan_log(self, t0_ms, t1_ms):
        per_host = {}
        try:
            with open(os.path.join(self.dir, "wan.jsonl")) as f:
                lines = [json.loads(line) for line in f if line.strip()]
        except OSError:
            lines = []
        for line in lines:
            if not t0_ms <= line.get("time_ms", 0) < t1_ms:
                continue
            host = line["local"].rsplit(":", 1)[0]
            if line["event"] == "udp":
                per_host[host] = per_host.get(host, 0) + line["packets_in"]
            elif line["event"] == "tcp":
                per_host[host] = per_host.get(host, 0) + 1   # one heartbeat exchange
        return per_host

    # every packet that arrived in the wan namespace, per (address, protocol)
    def wan_counters(self):
        r = self.run("wan", ["nft", "-j", "list", "set", "ip", "labcount", "arrived"], check=True)
        counts = {}
        for item in json.loads(r.stdout)["nftables"]:
            for e in item.get("set", {}).get("elem", []):
                address, protocol = e["elem"]["val"]["concat"]
                counts[(address, protocol)] = e["elem"]["counter"]["packets"]
        return counts

    def window(self, label):
        """Measures WINDOW seconds: (log per host, counter deltas per (address, protocol))."""
        c0 = self.wan_counters()
        t0 = int(time.time() * 1000)
        time.sleep(WINDOW)
        t1 = int(time.time() * 1000)
        c1 = self.wan_counters()
        # the server logs a datagram a moment after it arrives: what it
        # logs a little after the window counts too (stricter for zeros)
        time.sleep(0.2)
        log = self.wan_log(t0, t1 + 200)
        delta = {k: v - c0.get(k, 0) for k, v in c1.items() if v - c0.get(k, 0) > 0}
        supernode_log = sum(log.get(a, 0) for a in ALL_SUPERNODES)
        supernode_counted = sum(v for (a, _), v in delta.items() if a in ALL_SUPERNODES)
        note(f"{label}: supernode packets in window: {supernode_log} "
             f"({sum(1 for a in ALL_SUPERNODES if log.get(a, 0) > 0)}/13 supernodes reached; "
             f"wan counters: {supernode_counted})")
        note(f"{label}: cloud heartbeats in window: {log.get(CLOUD, 0)}, NTP packets: "
             f"{log.get(NTP, 0)}, packets to any wan host but DNS: "
             f"{sum(v for (a, _), v in delta.items() if a != DNS)}")
        return log, delta

    def table(self, family, name):
        r = self.run("gw", ["nft", "-j", "list", "table", family, name])
        if r.returncode != 0:
            return None
        return json.loads(r.stdout)["nftables"]

    def view(self):
        password_file = os.path.join(self.dir, "password")
        r = self.run("viewer", [self.cli, "view", self.ready["rtsp_sub"], "--frames", 5,
                                "--timeout", 20, "--user", USER, "--password-file", password_file,
                                "--json"], timeout=40)
        try:
            return json.loads(r.stdout)
        except ValueError:
            return {"error": r.stderr.strip()}

    def cgi(self, query):
        url = self.ready["onvif"].split("/onvif/")[0] + "/cgi-bin/CGIProxy.fcgi?" + query
        script = "import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())"
        r = self.run("viewer", ["python3", "-c", script, url], timeout=20)
        return r.stdout


def normalise(items):
    """A table listing without what changes on its own: handles, counters,
    the elements the kernel adds to the dynamic "blocked" sets."""
    if items is None:
        return None

    def strip(node):
        if isinstance(node, dict):
            out = {}
            for k, v in node.items():
                if k in ("handle", "expires"):
                    continue
                if k == "counter" and isinstance(v, dict):
                    out[k] = None
                else:
                    out[k] = strip(v)
            return out
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    result = []
    for item in items:
        if "metainfo" in item:
            continue
        item = strip(item)
        s = item.get("set")
        if s is not None and s.get("name", "").startswith("blocked"):
            s.pop("elem", None)
        result.append(item)
    return result


def digest_of(items):
    for item in items or []:
        comment = item.get("table", {}).get("comment") or item.get("rule", {}).get("comment")
        if comment and comment.startswith("peerscope policy "):
            return comment.split()[-1]
    return None


def rule_counters(items):
    total, handles = 0, []
    for item in items or []:
        rule = item.get("rule")
        if rule is None:
            continue
        handles.append(rule["handle"])
        for e in rule.get("expr", []):
            if isinstance(e, dict) and isinstance(e.get("counter"), dict):
                total += e["counter"]["packets"]
    return total, handles


def start_camera(lab):
    with open(os.path.join(lab.dir, "password"), "w") as f:
        f.write(PASSWORD + "\n")
    args = [lab.emulator, "--bind", CAMERA, "--name", "Chatty Cam", "--mac", CAMERA_MAC,
            "--pppp-uid", "FOSC-123456-ABCDE", "--fps", 5, "--width", 320, "--height", 240,
            "--sub-width", 160, "--sub-height", 120, "--user", USER, "--password", PASSWORD,
            "--dns-server", "10.99.1.1", "--ntp", "ntp.vendor.example",
            "--phone-home-interval", 0.5, "--log", os.path.join(lab.dir, "cam1.jsonl"),
            "--phone-home", "cloud.vendor.example:443/tcp",
            "--phone-home", f"{HARDCODED}:32100/udp"]
    for i in range(1, 13):
        args += ["--phone-home", f"p2p{i}.p2p.vendor.example:32100/udp"]
    p = lab.start("cam1", args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    ready, _, _ = select.select([p.stdout], [], [], 15)
    if not ready:
        raise RuntimeError("the emulator did not start")
    lab.ready = json.loads(p.stdout.readline())
    return p


def policy(lab, store, *args):
    # remove and blocked are about the kernel's table, not the store
    where = [] if args[0] in ("remove", "blocked") else ["--store", store]
    return lab.cli_json("gw", ["policy"] + list(args) + where)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--lab-id", required=True)
    parser.add_argument("--cli", required=True)
    parser.add_argument("--emulator", required=True)
    parser.add_argument("--mmdb")
    args = parser.parse_args()

    lab = Lab(args)
    tap = Tap()
    try:
        scenario(lab, tap)
    except Exception as e:  # a broken step is a failed test, with its reason
        tap.check(f"the scenario ran to its end ({type(e).__name__})", False, str(e))
    finally:
        lab.stop_all()
    return tap.finish()


def scenario(lab, tap):
    store = os.path.join(lab.dir, "policy.db")
    lab_nat = normalise(lab.table("ip", "lab_nat"))
    tap.check("the lab's own NAT table is there to be left alone", lab_nat)

    # 1. baseline: the monitor first, so that it sees every flow open
    monitor_args = [lab.cli, "peers", "--source", "conntrack", "--duration", 7, "--json"]
    if lab.mmdb:
        monitor_args += ["--geoip", lab.mmdb]
    peers_out = open(os.path.join(lab.dir, "peers.json"), "w")
    monitor = lab.start("gw", monitor_args, stdout=peers_out, stderr=subprocess.DEVNULL)
    time.sleep(1)
    start_camera(lab)
    time.sleep(2)
    log, _ = lab.window("1 baseline")
    tap.check("baseline: all 13 supernodes receive the camera's hellos",
              all(log.get(a, 0) > 0 for a in ALL_SUPERNODES), log)
    tap.check("baseline: the cloud host receives its TCP heartbeats", log.get(CLOUD, 0) > 0, log)

    monitor.wait(timeout=30)
    peers_out.close()
    with open(os.path.join(lab.dir, "peers.json")) as f:
        peers = json.load(f)
    p2p = sorted({p["peer"]["address"] for p in peers
                  if p.get("device_address") == CAMERA and p.get("class") == "p2p-supernode"})
    note(f"1 baseline: peers --source conntrack classed {len(p2p)} hosts p2p-supernode")
    tap.check("baseline: peers on the gateway lists all 13 supernodes as p2p-supernode (recall 13/13)",
              set(ALL_SUPERNODES) <= set(p2p), p2p)

    # 2. the camera's own switch, through its CGI, by Peerscope on the
    # gateway (camera-p2p off --verify): accepted, reported off, ignored
    port = lab.ready["onvif"].split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1]
    verify_out = open(os.path.join(lab.dir, "camera-p2p.json"), "w")
    verify = lab.start("gw", [lab.cli, "camera-p2p", CAMERA, "off", "--http-port", port,
                              "--user", USER, "--password-file", os.path.join(lab.dir, "password"),
                              "--verify", WINDOW, "--json"],
                       stdout=verify_out, stderr=subprocess.DEVNULL)
    time.sleep(SETTLE)
    log, _ = lab.window("2 camera P2P off")
    tap.check("P2P off: every supernode still receives hellos (the camera ignores its own switch)",
              all(log.get(a, 0) > 0 for a in ALL_SUPERNODES), log)
    verify.wait(timeout=60)
    verify_out.close()
    try:
        with open(os.path.join(lab.dir, "camera-p2p.json")) as f:
            report = json.load(f)
    except (OSError, ValueError) as e:
        report = {"error": str(e)}
    note(f"2 camera P2P off: camera-p2p said {report.get('verdict')}, "
         f"{report.get('p2p_servers_after')} P2P servers, {report.get('p2p_packets_after')} packets")
    tap.check("P2P off: the camera took the switch (P2P was on, now reads off)",
              report.get("p2p_enabled_before") is True and report.get("p2p_enabled") is False, report)
    tap.check("P2P off: Peerscope reports that the camera ignores its own P2P setting, "
              "with the 13 supernodes as evidence",
              report.get("verdict") == "ignored" and report.get("p2p_servers_after") == 13, report)
    answer = lab.cgi(f"cmd=getP2PEnable&usr={USER}&pwd={PASSWORD}")
    tap.check("P2P off: the camera's own CGI says P2P is off", "<isEnable>0</isEnable>" in answer, answer)

    # 3. block-vendor-p2p on the gateway
    servers = []
    for a in p2p:
        servers += ["--p2p-server", a]
    set_out = policy(lab, store, "set", CAMERA, "block-vendor-p2p", "--mac", CAMERA_MAC)
    note(f"3 block-vendor-p2p: policy set said {json.dumps(set_out)}")
    applied = policy(lab, store, "apply", *servers)
    note(f"3 block-vendor-p2p: policy apply said {json.dumps(applied)}")
    tap.check("block-vendor-p2p: policy apply changed the rules", applied.get("changed") is True, applied)
    time.sleep(SETTLE)
    log, delta = lab.window("3 block-vendor-p2p")
    blocked_before = policy(lab, store, "blocked")
    escaped = sum(log.get(a, 0) for a in ALL_SUPERNODES)
    counted = sum(v for (a, _), v in delta.items() if a in ALL_SUPERNODES)
    tap.check(f"block-vendor-p2p: zero packets reached any of the 13 supernodes "
              f"(wan log {escaped}, wan counters {counted})", escaped == 0 and counted == 0,
              (log, delta))
    tap.check("block-vendor-p2p: the cloud host still receives its heartbeats",
              log.get(CLOUD, 0) > 0, log)
    view = lab.view()
    blocked_after = policy(lab, store, "blocked")
    note(f"3 block-vendor-p2p: LAN view: {view.get('frames')} frames, first after "
         f"{view.get('first_frame_ms')} ms")
    tap.check("block-vendor-p2p: LAN viewing still works (5 frames from the viewer)",
              view.get("frames", 0) >= 5, view)

    def blocked_by_peer(report):
        return {(b["peer"]["address"], b["peer"]["protocol"], b["peer"]["port"]): b["packets"]
                for b in report if b.get("device") == CAMERA}
    before, after = blocked_by_peer(blocked_before), blocked_by_peer(blocked_after)
    climbing = [a for a in ALL_SUPERNODES
                if after.get((a, "udp", 32100), 0) > before.get((a, "udp", 32100), 0) > 0]
    note(f"3 block-vendor-p2p: blocked attempts to supernodes "
         f"{sum(before.get((a, 'udp', 32100), 0) for a in ALL_SUPERNODES)} -> "
         f"{sum(after.get((a, 'udp', 32100), 0) for a in ALL_SUPERNODES)}")
    tap.check("block-vendor-p2p: policy blocked shows attempts climbing for all 13 supernodes",
              len(climbing) == 13, (before, after))

    # re-applying the same policy is a no-op: same rules, counters go on
    live = lab.table("inet", "peerscope")
    count_before, handles_before = rule_counters(live)
    again = policy(lab, store, "apply")
    count_after, handles_after = rule_counters(lab.table("inet", "peerscope"))
    note(f"3 block-vendor-p2p: re-apply said {json.dumps(again)}; rule counters "
         f"{count_before} -> {count_after}")
    tap.check("re-applying the same policy reports it unchanged", again.get("changed") is False, again)
    tap.check("and the rules' counters did not reset (same rules, counters kept)",
              handles_before == handles_after and count_after >= count_before > 0,
              (count_before, count_after))
    tap.check("the lab's NAT table is untouched after apply",
              normalise(lab.table("ip", "lab_nat")) == lab_nat)

    # 4. local-only
    policy(lab, store, "set", CAMERA, "local-only", "--mac", CAMERA_MAC)
    applied = policy(lab, store, "apply")
    tap.check("local-only: policy apply changed the rules", applied.get("changed") is True, applied)
    time.sleep(SETTLE)
    log, delta = lab.window("4 local-only")
    escaped = sum(log.values())
    counted = sum(v for (a, _), v in delta.items() if a != DNS)
    tap.check(f"local-only: zero packets reached any internet host (wan log {escaped}, "
              f"wan counters {counted})", escaped == 0 and counted == 0, (log, delta))
    view = lab.view()
    note(f"4 local-only: LAN view: {view.get('frames')} frames")
    tap.check("local-only: LAN viewing still works", view.get("frames", 0) >= 5, view)
    tap.check("the lab's NAT table is untouched after another apply",
              normalise(lab.table("ip", "lab_nat")) == lab_nat)

    # 5. back to open
    policy(lab, store, "set", CAMERA, "open", "--mac", CAMERA_MAC)
    applied = policy(lab, store, "apply")
    tap.check("open: policy apply changed the rules", applied.get("changed") is True, applied)
    time.sleep(SETTLE)
    log, _ = lab.window("5 open")
    tap.check("open: traffic flows again to every supernode and the cloud",
              all(log.get(a, 0) > 0 for a in ALL_SUPERNODES) and log.get(CLOUD, 0) > 0, log)

    # the store's change log: every intent the camera went through, in order
    changes = policy(lab, store, "changes")
    camera_steps = [(c["from"], c["to"]) for c in changes or [] if c["device"] == CAMERA]
    tap.check("policy changes logs the camera's intents in order",
              camera_steps == [(None, "block-vendor-p2p"), ("block-vendor-p2p", "local-only"),
                               ("local-only", "open")], changes)

    kill_loop(lab, tap, p2p)

    removed = policy(lab, store, "remove")
    note(f"remove: {json.dumps(removed)}")
    tap.check("policy remove drops Peerscope's table", lab.table("inet", "peerscope") is None)
    tap.check("removing an absent table succeeds", policy(lab, store, "remove") is not None)
    tap.check("the lab's NAT table is untouched after remove",
              normalise(lab.table("ip", "lab_nat")) == lab_nat)


def kill_loop(lab, tap, p2p):
    """kill -9 `policy apply` at random points, switching between A and B:
    the table is always exactly A, exactly B, or (before the first commit)
    absent."""
    stores = {"A": os.path.join(lab.dir, "A.json"), "B": os.path.join(lab.dir, "B.json")}
    # big enough that the kernel gets a batch of many messages
    servers_a = [f"2001:db8:a::{i:x}" for i in range(1, 1201)] + p2p
    servers_b = [f"2001:db8:b::{i:x}" for i in range(1, 801)] + p2p[:6]
    for name, intent, servers in (("A", "block-vendor-p2p", servers_a), ("B", "local-only", servers_b)):
        flags = []
        for s in servers:
            flags += ["--p2p-server", s]
        policy(lab, stores[name], "set", CAMERA, intent, "--mac", CAMERA_MAC, *flags)
        if name == "B":
            # a name: `policy apply` resolves it (nftables matches addresses)
            policy(lab, stores[name], "set", "10.99.1.12", "allow-list",
                   "--allow", "cloud.vendor.example")

    refs, digests, durations = {}, {}, []
    for name in ("A", "B", "A", "B", "A", "B"):
        t = time.monotonic()
        out = policy(lab, stores[name], "apply")
        durations.append(time.monotonic() - t)
        items = lab.table("inet", "peerscope")
        refs[name] = normalise(items)
        digests[name] = out.get("digest")
        if digest_of(items) != digests[name]:
            tap.check(f"the live table carries {name}'s digest", False, (digest_of(items), out))
    tap.check("an allow-list name is resolved when applied (B allows cloud.vendor.example's address)",
              CLOUD in json.dumps(refs["B"]) and CLOUD not in json.dumps(refs["A"]))
    tap.check("A and B are different rulesets with different digests",
              refs["A"] != refs["B"] and digests["A"] != digests["B"] and None not in digests.values())
    full = statistics.median(durations)
    note(f"kill -9: one apply that changes the rules takes {full * 1000:.0f} ms (median of 6)")

    policy(lab, stores["A"], "remove")
    state = None
    outcomes = {"old": 0, "new": 0, "exited-first": 0}
    bad = []
    rng = random.Random(int(os.environ.get("PS_LAB_SEED", "0")) or None)
    for i in range(KILLS):
        target = "A" if i % 2 == 0 else "B"
        # half anywhere in the run, half in its second half, where the
        # table is listed, compiled and sent
        delay = rng.uniform(0, full * 1.1) if i % 4 < 2 else rng.uniform(full * 0.5, full)
        p = subprocess.Popen(lab.argv("gw", [lab.cli, "policy", "apply", "--store", stores[target]]),
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        time.sleep(delay)
        if p.poll() is not None:
            outcomes["exited-first"] += 1
        p.kill()
        p.wait()
        items = lab.table("inet", "peerscope")
        now = normalise(items)
        if now is None:
            ok = state is None
            which = None
        elif now == refs["A"] and digest_of(items) == digests["A"]:
            ok, which = True, "A"
        elif now == refs["B"] and digest_of(items) == digests["B"]:
            ok, which = True, "B"
        else:
            ok, which = False, "mix"
        if not ok:
            bad.append((i, target, round(delay * 1000), which))
        outcomes["new" if which == target else "old"] += 1
        state = which if which != "mix" else state
    note(f"kill -9: {KILLS} kills at random points over 0-{full * 1100:.0f} ms (half of them "
         f"in {full * 500:.0f}-{full * 1000:.0f} ms): "
         f"{outcomes['new']} left the new policy, {outcomes['old']} the old one "
         f"({outcomes['exited-first']} had already finished), {len(bad)} a mix")
    tap.check(f"kill -9 {KILLS} times while applying: the table is always exactly A or B, never a mix",
              not bad, bad[:5])
    tap.check("and kills landed both before and after the commit",
              outcomes["new"] > 0 and outcomes["old"] > 0, outcomes)


if __name__ == "__main__":
    sys.exit(main())
