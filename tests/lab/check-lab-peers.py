#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Checks `peers --json` against the ground truth of a lab run: the camera
# emulator's log (what it sent where) and the wan servers' log (what arrived
# on the internet side, counted outside Peerscope).
#
#   check-lab-peers.py DIR --run SOURCE PEERS.json [NFDUMP.json]...
#
# DIR holds cam1.jsonl and wan.jsonl.  Each --run checks one `peers --json`
# output; with an NFDUMP file (nfdump's JSON output of the same export) every
# peer's counters must equal what nfdump decoded.  One TAP stream for all.

import ipaddress
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from taptest import Tap  # noqa: E402

CAMERA = "10.99.1.11"
UDP_IP_HEADERS = 28      # IPv4 20 + UDP 8: conntrack counts whole IP packets

# tests/lab/make-test-mmdb.pl's contract: supernode address -> country
SUPERNODE_COUNTRIES = {
    "198.51.100.11": "CN", "198.51.100.21": "US", "198.51.100.37": "DE",
    "198.51.100.51": "JP", "198.51.100.71": "SG", "198.51.100.85": "KR",
    "198.51.100.101": "NL", "198.51.100.117": "FR", "198.51.100.131": "GB",
    "198.51.100.150": "BR", "198.51.100.165": "IN", "198.51.100.180": "AU",
}
HARDCODED = "198.51.100.200"   # reached by address, not in the GeoIP database


def load_lines(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


SITE_NETWORKS = [ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "127.0.0.0/8",
    "224.0.0.0/4", "255.255.255.255/32", "fe80::/10", "fc00::/7", "ff00::/8", "::1/128")]


def is_site_local(address):
    # not ipaddress's is_private: that counts the documentation ranges,
    # which are the lab's internet
    a = ipaddress.ip_address(address)
    return any(a in n for n in SITE_NETWORKS if n.version == a.version)


def endpoint(text):
    host, port = text.rsplit(":", 1)
    return host.strip("[]"), int(port)


def nfdump_totals(path, camera):
    """Per (peer, port, protocol): [packets_out, bytes_out, packets_in, bytes_in],
    from `nfdump -o csv` (ipkt/ibyt one way, opkt/obyt back for biflows)."""
    import csv
    totals = {}
    with open(path) as f:
        lines = []
        for line in f:
            if not line.strip() or line.startswith("Summary"):
                break
            lines.append(line)
    for r in csv.DictReader(lines):
        proto = r["pr"].strip().lower()
        sa, da = r["sa"].strip(), r["da"].strip()
        ipkt, ibyt = int(r["ipkt"]), int(r["ibyt"])
        opkt, obyt = int(r["opkt"] or 0), int(r["obyt"] or 0)
        if sa == camera:
            t = totals.setdefault((da, int(r["dp"]), proto), [0, 0, 0, 0])
            t[0] += ipkt
            t[1] += ibyt
            t[2] += opkt
            t[3] += obyt
        elif da == camera:
            t = totals.setdefault((sa, int(r["sp"]), proto), [0, 0, 0, 0])
            t[2] += ipkt
            t[3] += ibyt
            t[0] += opkt
            t[1] += obyt
    return totals


def check_run(tap, tmp, source, peers_path, nfdump_path, dns=False):
    exact_counters = source == "conntrack"
    cam_log = load_lines(os.path.join(tmp, "cam1.jsonl"))
    wan_log = load_lines(os.path.join(tmp, "wan.jsonl"))
    try:
        with open(peers_path) as f:
            peers = json.load(f)
    except (OSError, ValueError) as e:
        tap.check(f"{source}: peers --json printed a document", False, e)
        return

    # what the camera says it contacted: (address, port, protocol)
    truth = {}
    for line in cam_log:
        far_end = line.get("remote") or line.get("server")
        if line.get("event") not in ("phone-home", "dns-query", "ntp") or not far_end \
                or line.get("error"):
            continue
        host, port = endpoint(far_end)
        key = (host, port, line.get("protocol", "udp"))
        truth.setdefault(key, []).append(line)

    mine = [p for p in peers if p.get("device_address") == CAMERA]
    seen = {(p["peer"]["address"], p["peer"]["port"], p["peer"]["protocol"]): p for p in mine}
    remote = {k: p for k, p in seen.items() if not is_site_local(k[0])}

    supernodes = {k for k in truth if k[1] == 32100}
    named = {k for k in supernodes if k[0] != HARDCODED}
    tap.check(f"{source}: the camera phoned home to 13 supernodes, a cloud, NTP and DNS (ground truth)",
              len(supernodes) == 13 and (HARDCODED, 32100, "udp") in supernodes
              and ("192.0.2.10", 443, "tcp") in truth
              and ("192.0.2.123", 123, "udp") in truth and ("10.99.1.1", 53, "udp") in truth,
              sorted(truth))
    missing = sorted(set(truth) - set(seen))
    tap.check(f"{source}: recall 100% ({len(truth) - len(missing)}/{len(truth)} hosts)",
              not missing, f"missing {missing}")
    invented = sorted(set(remote) - set(truth))
    tap.check(f"{source}: no invented internet peers ({len(remote)} seen)",
              remote and not invented, f"invented {invented}")

    classes = {k: seen[k]["class"] for k in supernodes if k in seen}
    tap.check(f"{source}: every supernode is classed p2p-supernode",
              classes and all(c == "p2p-supernode" for c in classes.values()), classes)
    cloud = seen.get(("192.0.2.10", 443, "tcp"), {})
    tap.check(f"{source}: the cloud host is named by reverse DNS and classed vendor-cloud",
              cloud.get("hostname") == "cloud.vendor.example" and cloud.get("class") == "vendor-cloud",
              cloud)
    tap.check(f"{source}: NTP and DNS are classed as such",
              seen.get(("192.0.2.123", 123, "udp"), {}).get("class") == "ntp"
              and seen.get(("10.99.1.1", 53, "udp"), {}).get("class") == "dns",
              [seen.get(("192.0.2.123", 123, "udp")), seen.get(("10.99.1.1", 53, "udp"))])

    countries = {k[0]: seen[k].get("country") for k in named if k in seen}
    tap.check(f"{source}: supernodes carry the countries of the lab GeoIP database",
              countries == {a: c for a, c in SUPERNODE_COUNTRIES.items() if (a, 32100, "udp") in seen}
              and len(set(countries.values())) == 12, countries)
    tap.check(f"{source}: and their networks (ASN, organisation)",
              all(seen[k].get("asn") and seen[k].get("org") for k in named if k in seen),
              [seen[k].get("asn") for k in named if k in seen])
    hardcoded = seen.get((HARDCODED, 32100, "udp"), {})
    tap.check(f"{source}: the address-only supernode has no country or network, and no name",
              hardcoded and not hardcoded.get("country") and not hardcoded.get("asn")
              and not hardcoded.get("hostname"), hardcoded)
    if dns:
        asked = {k[0]: (seen[k].get("dns_lookup"), seen[k].get("dns_name")) for k in named if k in seen}
        tap.check(f"{source}: the router's DNS log shows each named supernode was looked up first",
                  asked and all(a is True and n and n.endswith(".p2p.vendor.example")
                                for a, n in asked.values()), asked)
        tap.check(f"{source}: and that the address-only one was contacted with no lookup",
                  hardcoded.get("dns_lookup") is False, hardcoded)
    names = {k[0]: seen[k].get("hostname") for k in named if k in seen}
    tap.check(f"{source}: supernodes are named p2pN.p2p.vendor.example",
              all(n and n.endswith(".p2p.vendor.example") for n in names.values()), names)

    # counters: what arrived in the wan namespace, per supernode
    arrived = {}
    for line in wan_log:
        if line.get("event") != "udp":
            continue
        host, port = endpoint(line["local"])
        a = arrived.setdefault((host, port), [0, 0, 0, 0])
        a[0] += line["packets_in"]
        a[1] += line["bytes_in"] + UDP_IP_HEADERS * line["packets_in"]
        a[2] += line["packets_out"]
        a[3] += line["bytes_out"] + UDP_IP_HEADERS * line["packets_out"]
    mismatches = []
    for k in sorted(supernodes):
        p = seen.get(k)
        a = arrived.get((k[0], k[1]))
        if p is None or a is None:
            mismatches.append((k, "missing", p, a))
            continue
        got = [p["packets_out"], p["bytes_out"], p["packets_in"], p["bytes_in"]]
        if exact_counters and got != a:
            mismatches.append((k, got, a))
        if not exact_counters and (got[0] > a[0] or got[1] > a[1] or got[2] > a[2] or got[3] > a[3]):
            mismatches.append((k, got, a))
    tap.check(f"{source}: packets and bytes each way equal what crossed to the wan side"
              if exact_counters else f"{source}: counters are within what crossed to the wan side",
              not mismatches, mismatches)

    if nfdump_path:
        decoded = nfdump_totals(nfdump_path, CAMERA)
        differ = []
        for k in sorted(truth):
            p = seen.get(k)
            got = [p["packets_out"], p["bytes_out"], p["packets_in"], p["bytes_in"]] if p else None
            if got != decoded.get(k):
                differ.append((k, got, decoded.get(k)))
        tap.check(f"{source}: every peer's counters equal what nfdump decoded from the same export",
                  decoded and not differ, differ)

    tcp = [l for l in wan_log if l.get("event") == "tcp"]
    tap.check(f"{source}: TCP to the cloud counts at least the payload that arrived",
              cloud.get("bytes_out", 0) >= sum(l["bytes_in"] for l in tcp) > 0
              and cloud.get("flows", 0) >= 1, (cloud, len(tcp)))
    times_ok = all(p.get("first_seen") and p.get("last_seen")
                   and p["first_seen_ms"] <= p["last_seen_ms"] for p in mine)
    tap.check(f"{source}: first and last seen are set and ordered", mine and times_ok, mine[:2])


def main():
    import argparse
    parser = argparse.ArgumentParser()
    parser.add_argument("dir")
    parser.add_argument("--run", nargs="+", action="append", required=True,
                        metavar="SOURCE PEERS [NFDUMP]")
    parser.add_argument("--dns", action="store_true",
                        help="the peers were watched with the gateway's DNS log")
    args = parser.parse_args()
    tap = Tap()
    for run in args.run:
        check_run(tap, args.dir, run[0], run[1], run[2] if len(run) > 2 else None, args.dns)
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
