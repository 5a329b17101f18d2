#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The internet side of the lab: P2P "supernodes", a vendor cloud and an NTP
# server, inside the lab's wan namespace only.  Every datagram and
# connection it gets is logged as a JSON line: that is what really crossed
# the gateway, counted outside Peerscope.
#
#   lab-wan-server.py --log FILE --udp ADDR:PORT... --tcp ADDR:PORT... --ntp ADDR
#
# It prints "ready" on stdout once every socket is bound.

import argparse
import json
import selectors
import socket
import struct
import sys
import time

MAX_REQUEST = 64 * 1024


def split(endpoint):
    address, port = endpoint.rsplit(":", 1)
    return address.strip("[]"), int(port)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", required=True)
    parser.add_argument("--udp", action="append", default=[])
    parser.add_argument("--tcp", action="append", default=[])
    parser.add_argument("--ntp", action="append", default=[])
    args = parser.parse_args()

    log = open(args.log, "a", buffering=1)
    selector = selectors.DefaultSelector()

    def record(**fields):
        fields["time_ms"] = int(time.time() * 1000)
        log.write(json.dumps(fields) + "\n")

    for endpoint in args.udp:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(split(endpoint))
        selector.register(sock, selectors.EVENT_READ, ("udp", endpoint))
    for address in args.ntp:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind((address, 123))
        selector.register(sock, selectors.EVENT_READ, ("ntp", address + ":123"))
    for endpoint in args.tcp:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(split(endpoint))
        sock.listen(16)
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ, ("listen", endpoint))

    print("ready", flush=True)

    while True:
        for key, _ in selector.select(timeout=1):
            kind, local = key.data[0], key.data[1]
            sock = key.fileobj
            if kind in ("udp", "ntp"):
                data, peer = sock.recvfrom(65535)
                if kind == "ntp" and len(data) >= 48:
                    # mode 4 (server), stratum 2, the client's transmit time echoed
                    reply = bytes([0x24, 2, 6, 0xEC]) + bytes(20) + data[40:48] + bytes(8) + \
                        struct.pack("!II", int(time.time()) + 2208988800, 0)
                else:
                    reply = b"\xf1\x01\x00\x04ack!"
                sock.sendto(reply, peer)
                record(event="udp", local=local, remote="%s:%d" % peer,
                       packets_in=1, bytes_in=len(data), packets_out=1, bytes_out=len(reply))
            elif kind == "listen":
                try:
                    conn, peer = sock.accept()
                except BlockingIOError:
                    continue
                conn.setblocking(False)
                selector.register(conn, selectors.EVENT_READ, ("conn", local, peer, bytearray()))
            else:
                _, local, peer, buffer = key.data
                try:
                    chunk = sock.recv(4096)
                except (BlockingIOError, ConnectionResetError):
                    chunk = b""
                if chunk:
                    buffer += chunk
                if chunk and b"\r\n\r\n" not in buffer and len(buffer) < MAX_REQUEST:
                    continue
                reply = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                try:
                    sock.setblocking(True)
                    sock.settimeout(1)
                    sock.sendall(reply)
                except OSError:
                    reply = b""
                selector.unregister(sock)
                sock.close()
                record(event="tcp", local=local, remote="%s:%d" % peer,
                       bytes_in=len(buffer), bytes_out=len(reply))


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
