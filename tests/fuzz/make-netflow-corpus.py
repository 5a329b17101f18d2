#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes the seed corpora of fuzz-netflow-v5, fuzz-netflow-v9 and fuzz-ipfix.

    tests/fuzz/make-netflow-corpus.py [tests/fuzz/corpus]

Each seed is a series of datagrams in the harness's framing (fuzz-netflow.h):
a 2-byte big-endian word (length in the low 13 bits, bit 15 the second
exporter, bit 14 ten seconds later, bit 13 ten minutes later), then the
datagram.  Run it again after changing it; the files are committed.
"""

import os
import struct
import sys

EXPORT = 1700000000
SECOND, LATER, MUCH_LATER = 0x8000, 0x4000, 0x2000


def frame(*datagrams):
    out = b""
    for d in datagrams:
        flags = 0
        if isinstance(d, tuple):
            flags, d = d
        assert len(d) < 0x2000
        out += struct.pack(">H", flags | len(d)) + d
    return out


def ip4(*b):
    return bytes(b)


def v5(sequence, flows, engine=(0, 0), uptime=100000):
    head = struct.pack(">HHIIIIBBH", 5, len(flows), uptime, EXPORT, 0, sequence,
                       engine[0], engine[1], 0)
    body = b""
    for i, (proto, flags) in enumerate(flows):
        body += ip4(192, 168, 1, 10 + i) + ip4(203, 0, 113, 5) + bytes(4)
        body += struct.pack(">HHIIIIHHBBBBHHBBH", 1, 2, 10, 1000, 90000, 99000,
                            40000 + i, 443, 0, flags, proto, 0, 0, 0, 24, 24, 0)
    return head + body


def field(ie, length, pen=0):
    if pen:
        return struct.pack(">HHI", ie | 0x8000, length, pen)
    return struct.pack(">HH", ie, length)


def set_(set_id, body, pad=0):
    body += bytes(pad)
    return struct.pack(">HH", set_id, len(body) + 4) + body


def template(tid, fields):
    return struct.pack(">HH", tid, len(fields)) + b"".join(fields)


def v9(sequence, *sets, source=1, uptime=3600000):
    return struct.pack(">HHIIII", 9, len(sets), uptime, EXPORT, sequence, source) + b"".join(sets)


def ipfix(sequence, *sets, domain=1):
    body = b"".join(sets)
    return struct.pack(">HHIII", 10, 16 + len(body), EXPORT, sequence, domain) + body


V4_FIELDS = [field(8, 4), field(12, 4), field(7, 2), field(11, 2), field(4, 1),
             field(6, 1), field(1, 4), field(2, 4), field(22, 4), field(21, 4)]


def v4_record(i, flags=0x18):
    return (ip4(10, 0, 0, i) + ip4(198, 51, 100, 1) +
            struct.pack(">HHBBIIII", 50000 + i, 443, 6, flags, 1500, 3, 3500000, 3599000))


def v9_seeds():
    t = set_(0, template(256, V4_FIELDS))
    nat = set_(0, template(257, [field(27, 16), field(28, 16), field(281, 16), field(56, 6),
                                 field(80, 6), field(23, 8), field(24, 4), field(4, 1)]))
    opt = set_(1, struct.pack(">HHH", 258, 4, 8) + field(1, 4) + field(34, 4) + field(35, 1), 2)
    data = set_(256, v4_record(1) + v4_record(2, 0x01), 2)
    data6 = set_(257, bytes(range(16)) + bytes(range(16, 32)) + bytes(16) + bytes(6) +
                 bytes(6) + struct.pack(">QIB", 99, 1, 17))
    optdata = set_(258, struct.pack(">IIB", 1, 100, 2), 3)
    return {
        "template-and-data": frame(v9(0, t, data)),
        "data-then-template": frame(v9(0, data), v9(1, t), v9(2, data)),
        "ipv6-nat-options": frame(v9(0, nat, opt, data6, optdata)),
        "two-exporters": frame(v9(0, t, data), (SECOND, v9(0, data)), (SECOND, v9(1, t))),
        "expiry": frame(v9(0, t), (MUCH_LATER, v9(1, data)), (LATER, v9(5, data))),
        "bad-template": frame(v9(0, set_(0, struct.pack(">HH", 256, 0xffff) + field(8, 4)))),
    }


IPFIX_FIELDS = [field(8, 4), field(12, 4), field(7, 2), field(11, 2), field(4, 1),
                field(1, 8), field(2, 8), field(152, 8), field(153, 8), field(136, 1),
                field(56, 6), field(80, 6), field(225, 4), field(227, 2),
                field(100, 4, pen=9), field(1, 8, pen=29305)]


def ipfix_record(i):
    return (ip4(10, 0, 0, i) + ip4(203, 0, 113, 7) +
            struct.pack(">HHBQQQQB", 40000 + i, 443, 6, 5000, 5, (EXPORT - 60) * 1000,
                        EXPORT * 1000, 3) +
            bytes([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2]) + ip4(198, 51, 100, 1) +
            struct.pack(">HIQ", 30000, 0, 4000))


def ipfix_seeds():
    t = set_(2, template(256, IPFIX_FIELDS))
    var = set_(2, template(257, [field(8, 4), field(82, 0xffff), field(12, 4),
                                 field(200, 0xffff, pen=12345), field(7, 2)]))
    opt = set_(3, struct.pack(">HHH", 258, 2, 1) + field(149, 4) + field(160, 8))
    times = set_(2, template(259, [field(27, 16), field(28, 16), field(22, 4), field(21, 4),
                                   field(154, 8), field(157, 8), field(158, 4), field(85, 4)]))
    data = set_(256, ipfix_record(1) + ipfix_record(2))
    vdata = set_(257, ip4(10, 0, 0, 1) + b"\x04eth0" + ip4(10, 0, 0, 2) + b"\x00" +
                 struct.pack(">H", 80) + ip4(10, 0, 0, 3) + b"\xff\x00\x03abc" +
                 ip4(10, 0, 0, 4) + b"\x01x" + struct.pack(">H", 81))
    odata = set_(258, struct.pack(">IQ", 1, (EXPORT - 3600) * 1000))
    tdata = set_(259, bytes(range(16)) + bytes(range(16, 32)) +
                 struct.pack(">IIQQII", 5000, 9000, (EXPORT + 2208988800) << 32,
                             (EXPORT + 2208988800) << 32 | 0x80000000, 1500, 77))
    withdraw = set_(2, struct.pack(">HH", 256, 0))
    withdraw_all = set_(2, struct.pack(">HH", 2, 0))
    return {
        "template-and-data": frame(ipfix(0, t, data)),
        "data-then-template": frame(ipfix(0, data), ipfix(0, t), ipfix(2, data)),
        "variable-length": frame(ipfix(0, var, vdata)),
        "options-and-times": frame(ipfix(0, opt, times, odata, tdata)),
        "withdrawal": frame(ipfix(0, t, var), ipfix(0, withdraw, data),
                            ipfix(0, withdraw_all, vdata), ipfix(0, t, data)),
        "sequence-gap": frame(ipfix(0, t, data), ipfix(2, data), ipfix(9, data)),
        "two-exporters": frame(ipfix(0, t), (SECOND, ipfix(0, data)), (SECOND, ipfix(0, t)),
                               (LATER, ipfix(0, data))),
    }


def v5_seeds():
    flows = [(6, 0x18), (17, 0), (6, 0x01), (1, 0)]
    return {
        "one": frame(v5(0, flows[:1])),
        "sequence": frame(v5(0, flows), v5(4, flows), v5(100, flows[:2], engine=(1, 2))),
        "thirty": frame(v5(0, [(6, 0x04)] * 30)),
        "two-exporters": frame(v5(0, flows), (SECOND, v5(7, flows)),
                               (MUCH_LATER, v5(8, flows))),
        "empty": frame(v5(0, [])),
    }


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus")
    for name, seeds in (("netflow-v5", v5_seeds()), ("netflow-v9", v9_seeds()),
                        ("ipfix", ipfix_seeds())):
        folder = os.path.join(root, name)
        os.makedirs(folder, exist_ok=True)
        for seed, data in seeds.items():
            with open(os.path.join(folder, seed), "wb") as f:
                f.write(data)
        print(f"{folder}: {len(seeds)} seeds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
