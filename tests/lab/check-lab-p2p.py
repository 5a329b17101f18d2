#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The P2P NAT matrix (issue 6), driven and checked: a camera (the emulator
# with --p2p) behind the home's NAT, viewers on its LAN and in a second
# home whose NAT is switched between endpoint-independent, symmetric and
# UDP-blocked, with the real peerscope-rendezvous and coturn in the wan
# namespace.  Each cell asserts the candidate pair `peerscope-cli view`
# reports and that frames decode, and checks what it can on the wire
# instead of believing the programs: wan's own counters say whether media
# went directly between the homes or through the relay, and whether TCP
# reached coturn; a capture on the relay shows only DTLS and SRTP.
#
#   check-lab-p2p.py --dir DIR --lab-id ID --cli PEERSCOPE-CLI
#       --emulator EMULATOR --rendezvous PEERSCOPE-RENDEZVOUS
#       --turn-secret S [--topology-only]
#
# lab.sh and lab-p2p.sh have built the namespaces and started coturn; this
# starts the rendezvous and the camera, and stops what it started.  The
# topology self-checks (the three NAT behaviours, coturn's STUN and TURN
# with REST credentials over UDP and TCP, the capture's own negative
# control) run with plain sockets first; --topology-only stops there.
# Prints TAP; the measured figures are "#" lines.
#
# Helper modes, run inside a namespace by the checker itself:
#   --probe JSON              STUN bindings or a TURN allocation, as JSON
#   --capture FILE HOST       every IPv4 packet to or from HOST, as pcap
#   --mitm LISTEN UPSTREAM    a rendezvous that passes messages on and,
#                             while DIR/swap exists, swaps the DTLS
#                             fingerprint in every SDP it passes

import argparse
import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from taptest import Tap  # noqa: E402

CAMERA = "10.99.1.11"
HOME_WAN = "198.18.0.1"        # gw, the camera's NAT
AWAY_WAN = "198.18.1.1"        # awaygw, the remote viewer's NAT
TURN = "192.0.2.30"
TURN2 = "192.0.2.31"
TURN_PORT = 3478
RENDEZVOUS = "192.0.2.40"
MITM = "192.0.2.41"
RENDEZVOUS_PORT = 8443
REALM = "lab.example"
STUN_URL = f"stun://{TURN}:{TURN_PORT}"
RENDEZVOUS_URL = f"ws://{RENDEZVOUS}:{RENDEZVOUS_PORT}"
MITM_URL = f"ws://{MITM}:{RENDEZVOUS_PORT}"
FPS = 15
FRAMES = 10          # per cell; each cell asserts at least 5
LONG_FRAMES = 150    # the session that outlives the rendezvous (10 s at FPS)


def note(text):
    print(f"# {text}", flush=True)


# ---------------------------------------------------------------- STUN/TURN

MAGIC = 0x2112A442
BINDING, ALLOCATE, REFRESH = 0x0001, 0x0003, 0x0004
SUCCESS, ERROR = 0x0100, 0x0110
A_USERNAME, A_INTEGRITY, A_ERROR_CODE, A_LIFETIME = 0x0006, 0x0008, 0x0009, 0x000D
A_DATA, A_REALM, A_NONCE, A_RELAYED = 0x0013, 0x0014, 0x0015, 0x0016
A_TRANSPORT, A_MAPPED = 0x0019, 0x0020


def stun_encode(mtype, attrs, txid, key=None):
    body = b""
    for t, v in attrs:
        body += struct.pack("!HH", t, len(v)) + v + b"\0" * (-len(v) % 4)
    if key is not None:
        head = struct.pack("!HHI", mtype, len(body) + 24, MAGIC) + txid
        body += struct.pack("!HH", A_INTEGRITY, 20) + hmac.new(key, head + body, hashlib.sha1).digest()
    return struct.pack("!HHI", mtype, len(body), MAGIC) + txid + body


def stun_decode(data):
    """(type, transaction id, {attribute: value}) or None."""
    if len(data) < 20:
        return None
    mtype, length, magic = struct.unpack("!HHI", data[:8])
    if magic != MAGIC or mtype & 0xC000 or length % 4 or len(data) < 20 + length:
        return None
    attrs, i = {}, 20
    while i + 4 <= 20 + length:
        t, n = struct.unpack("!HH", data[i:i + 4])
        attrs.setdefault(t, data[i + 4:i + 4 + n])
        i += 4 + n + (-n % 4)
    return mtype, data[8:20], attrs


def xor_address(value):
    if value is None or len(value) < 8 or value[1] != 1:
        return None
    port = struct.unpack("!H", value[2:4])[0] ^ (MAGIC >> 16)
    address = struct.unpack("!I", value[4:8])[0] ^ MAGIC
    return [socket.inet_ntoa(struct.pack("!I", address)), port]


def error_code(attrs):
    v = attrs.get(A_ERROR_CODE)
    return (v[2] & 7) * 100 + v[3] if v and len(v) >= 4 else None


class StunClient:
    """STUN transactions over one UDP socket, or one TCP connection."""

    def __init__(self, server, tcp, timeout):
        self.server, self.tcp, self.timeout = tuple(server), tcp, timeout
        if tcp:
            self.sock = socket.create_connection(self.server, timeout=timeout)
        else:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.sock.bind(("0.0.0.0", 0))

    def read_tcp(self):
        def exactly(n):
            data = b""
            while len(data) < n:
                chunk = self.sock.recv(n - len(data))
                if not chunk:
                    raise OSError("closed")
                data += chunk
            return data
        head = exactly(20)
        return head + exactly(struct.unpack("!H", head[2:4])[0])

    def transact(self, mtype, attrs, key=None, dest=None):
        txid = os.urandom(12)
        msg = stun_encode(mtype, attrs, txid, key)
        try:
            if self.tcp:
                self.sock.sendall(msg)
                while True:
                    r = stun_decode(self.read_tcp())
                    if r and r[1] == txid:
                        return r
            dest = tuple(dest or self.server)
            for _ in range(3):   # retransmits, as RFC 8489 does (faster)
                self.sock.sendto(msg, dest)
                deadline = time.monotonic() + self.timeout / 3
                while time.monotonic() < deadline:
                    ready, _, _ = select.select([self.sock], [], [], deadline - time.monotonic())
                    if not ready:
                        break
                    r = stun_decode(self.sock.recv(2048))
                    if r and r[1] == txid:
                        return r
        except OSError:
            return None
        return None


def probe_bindings(req):
    """One socket, a binding request to each destination: the mappings."""
    out = {"mapped": []}
    if req.get("tcp"):
        for dest in req["dests"]:
            try:
                c = StunClient(dest, True, req.get("timeout", 2.0))
            except OSError as e:
                out["mapped"].append(None)
                out["error"] = str(e)
                continue
            r = c.transact(BINDING, [])
            out["mapped"].append(xor_address(r[2].get(A_MAPPED)) if r else None)
            out["local_port"] = c.sock.getsockname()[1]
        return out
    c = StunClient(req["dests"][0], False, req.get("timeout", 1.5))
    out["local_port"] = c.sock.getsockname()[1]
    for dest in req["dests"]:
        r = c.transact(BINDING, [], dest=dest)
        out["mapped"].append(xor_address(r[2].get(A_MAPPED)) if r else None)
    return out


def probe_allocate(req):
    """A TURN allocation with long-term (REST) credentials, then released."""
    try:
        c = StunClient(req["server"], req.get("tcp", False), req.get("timeout", 2.0))
    except OSError as e:
        return {"error": str(e)}
    want_udp = [(A_TRANSPORT, bytes([17, 0, 0, 0]))]
    r = c.transact(ALLOCATE, want_udp)
    if r is None:
        return {"error": "no answer"}
    if r[0] != ALLOCATE | ERROR or error_code(r[2]) != 401 or A_NONCE not in r[2]:
        return {"error": f"unexpected first answer {r[0]:#x} {error_code(r[2])}"}
    realm, nonce = r[2].get(A_REALM, b""), r[2][A_NONCE]
    key = hashlib.md5(f"{req['user']}:{realm.decode()}:{req['password']}".encode()).digest()
    auth = [(A_USERNAME, req["user"].encode()), (A_REALM, realm), (A_NONCE, nonce)]
    r = c.transact(ALLOCATE, want_udp + auth, key)
    if r is None:
        return {"error": "no answer"}
    if r[0] != ALLOCATE | SUCCESS:
        return {"error": error_code(r[2]), "realm": realm.decode()}
    out = {"relayed": xor_address(r[2].get(A_RELAYED)), "mapped": xor_address(r[2].get(A_MAPPED)),
           "realm": realm.decode()}
    c.transact(REFRESH, [(A_LIFETIME, struct.pack("!I", 0))] + auth, key)
    return out


def probe_punch(req):
    """Hole punching, as ICE does it with server-reflexive candidates:
    learn our mapping from STUN, print it, read the peer's from stdin,
    then both send to each other's mapping for a while."""
    c = StunClient(req["stun"], False, 1.5)
    r = c.transact(BINDING, [])
    mapped = xor_address(r[2].get(A_MAPPED)) if r else None
    print(json.dumps({"mapped": mapped, "local_port": c.sock.getsockname()[1]}), flush=True)
    peer = json.loads(sys.stdin.readline())
    received = set()
    deadline = time.monotonic() + req.get("seconds", 2.0)
    while time.monotonic() < deadline:
        if peer:
            c.sock.sendto(b"punch", tuple(peer))
        ready, _, _ = select.select([c.sock], [], [], 0.05)
        if ready:
            data, source = c.sock.recvfrom(2048)
            if data == b"punch":
                received.add(source)
    return {"mapped": mapped, "received_from": sorted([list(a) for a in received])}


def probe(arg):
    req = json.loads(arg)
    ops = {"bindings": probe_bindings, "allocate": probe_allocate, "punch": probe_punch}
    out = ops[req["op"]](req)
    print(json.dumps(out), flush=True)
    return 0


def turn_credentials(secret, user="lab", lifetime=3600):
    """TURN REST credentials: EXPIRY:USER, base64(HMAC-SHA1(secret, username))."""
    username = f"{int(time.time()) + lifetime}:{user}"
    password = base64.b64encode(hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest())
    return username, password.decode()


def turn_url(secret, tcp=False):
    # GstWebRTCNice splits user and password before it unescapes: both
    # must be %-escaped (':' in the user name, '+', '/', '=' in base64)
    user, password = turn_credentials(secret)
    url = (f"turn://{urllib.parse.quote(user, safe='')}:{urllib.parse.quote(password, safe='')}"
           f"@{TURN}:{TURN_PORT}")
    return url + "?transport=tcp" if tcp else url


# ---------------------------------------------------------------- capture

def capture(path, host):
    """Writes every IPv4 packet to or from HOST, on every interface of this
    namespace, to a pcap file, until SIGTERM."""
    wanted = socket.inet_aton(host)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.ntohs(0x0003))
    out = open(path, "wb")
    out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    out.flush()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("ready", flush=True)
    while True:
        frame = s.recv(65535)
        if len(frame) < 34 or frame[12:14] != b"\x08\x00":
            continue
        if frame[26:30] != wanted and frame[30:34] != wanted:
            continue
        now = time.time()
        out.write(struct.pack("<IIII", int(now), int(now % 1 * 1e6), len(frame), len(frame)) + frame)
        out.flush()


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    i, packets = 24, []
    while i + 16 <= len(data):
        n = struct.unpack("<I", data[i + 8:i + 12])[0]
        packets.append(data[i + 16:i + 16 + n])
        i += 16 + n
    return packets


def h264_plausible(p):
    """Could P be the start of a plaintext RTP H.264 payload (RFC 6184)?
    Always true for rtph264pay's output; about 36% of random (encrypted)
    payloads pass by chance."""
    if len(p) < 2 or p[0] & 0x80:
        return False
    t = p[0] & 0x1F
    if 1 <= t <= 23:
        return True
    if t == 24:                       # STAP-A: size, then a NAL header
        return len(p) >= 4 and 0 < struct.unpack("!H", p[1:3])[0] <= len(p) - 3 and not p[3] & 0x80 \
            and 1 <= p[3] & 0x1F <= 23
    if t == 28:                       # FU-A: S/E/R, original type
        return not p[1] & 0x20 and (p[1] & 0xC0) != 0xC0 and 1 <= p[1] & 0x1F <= 23
    return False


def analyse_capture(path, host, server_port=TURN_PORT):
    """What the relay carried: every UDP datagram to or from HOST, with
    TURN's framing (ChannelData, Send and Data indications) removed from
    what goes between clients and the server port, classified by first
    byte as RFC 7983 does: STUN 0-3, DTLS 20-63, RTP/RTCP 128-191."""
    st = {"udp": 0, "tcp": 0, "turn_control": 0, "stun": 0, "dtls": 0, "dtls_handshake": 0,
          "rtp": 0, "rtcp": 0, "other": 0, "h264_plausible": 0, "annexb": 0, "first_other": None}
    hostb = socket.inet_aton(host)
    for frame in read_pcap(path):
        ip = frame[14:]
        if len(ip) < 20 or ip[0] >> 4 != 4:
            continue
        ihl = (ip[0] & 0x0F) * 4
        if ip[9] == 6:
            st["tcp"] += 1
            continue
        if ip[9] != 17 or len(ip) < ihl + 8:
            continue
        st["udp"] += 1
        sport, dport = struct.unpack("!HH", ip[ihl:ihl + 4])
        payload = ip[ihl + 8:]
        to_server = (ip[16:20] == hostb and dport == server_port) or \
                    (ip[12:16] == hostb and sport == server_port)
        inner = payload
        if to_server and payload:
            if 0x40 <= payload[0] <= 0x7F and len(payload) >= 4:
                n = struct.unpack("!H", payload[2:4])[0]
                inner = payload[4:4 + n]
            else:
                m = stun_decode(payload)
                if m is not None and A_DATA in m[2]:
                    inner = m[2][A_DATA]
                else:
                    st["turn_control"] += 1
                    continue
        if not inner:
            continue
        b = inner[0]
        if b"\x00\x00\x00\x01\x67" in inner or b"\x00\x00\x01\x67" in inner:
            st["annexb"] += 1
        if b <= 3:
            st["stun"] += 1
        elif 20 <= b <= 63:
            st["dtls"] += 1
            if b == 22:
                st["dtls_handshake"] += 1
        elif 128 <= b <= 191 and len(inner) >= 12:
            if 192 <= inner[1] <= 223:
                st["rtcp"] += 1
                continue
            st["rtp"] += 1
            off = 12 + 4 * (b & 0x0F)
            if b & 0x10 and len(inner) >= off + 4:
                off += 4 + 4 * struct.unpack("!H", inner[off + 2:off + 4])[0]
            if h264_plausible(inner[off:]):
                st["h264_plausible"] += 1
        else:
            st["other"] += 1
            if st["first_other"] is None:
                st["first_other"] = inner[:16].hex()
    return st


def plaintext_share(st):
    return st["h264_plausible"] / st["rtp"] if st["rtp"] else 0.0


# ---------------------------------------------------------------- lying rendezvous

def fake_fingerprint(text):
    """The same shape as the real one, another value."""
    digest = hashlib.sha256(b"not the camera " + text.encode()).hexdigest().upper()
    return ":".join(digest[i:i + 2] for i in range(0, 64, 2))


def swap_fingerprints(node, swapped):
    if isinstance(node, dict):
        return {k: swap_fingerprints(v, swapped) for k, v in node.items()}
    if isinstance(node, list):
        return [swap_fingerprints(v, swapped) for v in node]
    if isinstance(node, str) and "a=fingerprint:" in node:
        def repl(m):
            swapped.append(m.group(2))
            return m.group(1) + fake_fingerprint(m.group(2))
        return re.sub(r"(a=fingerprint:\S+ )([0-9A-Fa-f:]+)", repl, node)
    return node


def mitm(listen, upstream, directory):
    """A WebSocket relay between viewers and the real rendezvous, that
    swaps the fingerprints of the SDPs it forwards to its clients while
    DIR/swap exists, and logs each swap in DIR/mitm.jsonl."""
    host, port = listen.rsplit(":", 1)
    uhost, uport = upstream.rsplit(":", 1)
    server = socket.create_server((host, int(port)))
    log_lock = threading.Lock()

    def log(entry):
        with log_lock, open(os.path.join(directory, "mitm.jsonl"), "a") as f:
            f.write(json.dumps(entry) + "\n")

    def read_exactly(sock, n, buf):
        while len(buf[0]) < n:
            chunk = sock.recv(65536)
            if not chunk:
                raise OSError("closed")
            buf[0] += chunk
        data, buf[0] = buf[0][:n], buf[0][n:]
        return data

    def read_head(sock, buf):
        while b"\r\n\r\n" not in buf[0]:
            chunk = sock.recv(65536)
            if not chunk:
                raise OSError("closed")
            buf[0] += chunk
        head, buf[0] = buf[0].split(b"\r\n\r\n", 1)
        return head + b"\r\n\r\n"

    def frame(opcode, payload):
        n = len(payload)
        if n < 126:
            head = struct.pack("!BB", 0x80 | opcode, n)
        elif n < 65536:
            head = struct.pack("!BBH", 0x80 | opcode, 126, n)
        else:
            head = struct.pack("!BBQ", 0x80 | opcode, 127, n)
        return head + payload

    def upstream_to_client(up, client, buf):
        message, opcode = b"", None
        try:
            client.sendall(read_head(up, buf))
            while True:
                b0, b1 = read_exactly(up, 2, buf)
                n = b1 & 0x7F
                if n == 126:
                    n = struct.unpack("!H", read_exactly(up, 2, buf))[0]
                elif n == 127:
                    n = struct.unpack("!Q", read_exactly(up, 8, buf))[0]
                mask = read_exactly(up, 4, buf) if b1 & 0x80 else None
                payload = read_exactly(up, n, buf)
                if mask:
                    payload = bytes(c ^ mask[i % 4] for i, c in enumerate(payload))
                op = b0 & 0x0F
                if op >= 8:                       # control frames pass as they are
                    client.sendall(frame(op, payload))
                    continue
                if op != 0:
                    opcode = op
                message += payload
                if not b0 & 0x80:
                    continue
                if opcode == 1 and os.path.exists(os.path.join(directory, "swap")):
                    try:
                        swapped = []
                        doc = swap_fingerprints(json.loads(message), swapped)
                        if swapped:
                            message = json.dumps(doc).encode()
                            log({"swapped": swapped})
                    except ValueError:
                        pass
                client.sendall(frame(opcode, message))
                message = b""
        except OSError:
            pass
        finally:
            for s in (up, client):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def client_to_upstream(client, up):
        try:
            buf = [b""]
            head = read_head(client, buf)
            # no permessage-deflate: the relay reads the messages
            lines = [line for line in head.split(b"\r\n")
                     if not line.lower().startswith(b"sec-websocket-extensions:")]
            up.sendall(b"\r\n".join(lines) + buf[0])
            while True:
                data = client.recv(65536)
                if not data:
                    break
                up.sendall(data)
        except OSError:
            pass
        finally:
            for s in (up, client):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    print("ready", flush=True)
    while True:
        client, _ = server.accept()
        try:
            up = socket.create_connection((uhost, int(uport)), timeout=5)
            up.settimeout(None)
        except OSError:
            client.close()
            continue
        threading.Thread(target=client_to_upstream, args=(client, up), daemon=True).start()
        threading.Thread(target=upstream_to_client, args=(up, client, [b""]), daemon=True).start()


# ---------------------------------------------------------------- the lab

class Lab:
    def __init__(self, args):
        self.dir = args.dir
        self.lab_id = args.lab_id
        self.cli = args.cli
        self.emulator = args.emulator
        self.rendezvous_exe = args.rendezvous
        self.secret = args.turn_secret
        self.here = os.path.dirname(os.path.abspath(__file__))
        self.processes = []
        self.rendezvous = None
        self.camera = None
        self.device_id = None
        self.tokens = {}

    def ns(self, name):
        return f"{self.lab_id}-{name}"

    def argv(self, ns, args):
        # ip execs the command: a Popen's pid is the command's own
        return ["ip", "netns", "exec", self.ns(ns)] + [str(a) for a in args]

    def run(self, ns, args, timeout=60, **kwargs):
        return subprocess.run(self.argv(ns, args), capture_output=True, text=True,
                              timeout=timeout, **kwargs)

    def start(self, ns, args, **kwargs):
        kwargs.setdefault("stdin", subprocess.DEVNULL)
        p = subprocess.Popen(self.argv(ns, args), **kwargs)
        self.processes.append(p)
        return p

    def stop(self, p, sig=signal.SIGTERM):
        if p is not None and p.poll() is None:
            p.send_signal(sig)
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def stop_all(self):
        for p in self.processes:
            self.stop(p)

    def wait_line(self, p, seconds, what):
        ready, _, _ = select.select([p.stdout], [], [], seconds)
        line = p.stdout.readline() if ready else ""
        if not line:
            raise RuntimeError(f"{what} did not start")
        return line

    def away_nat(self, mode):
        # the one definition of the three NATs is lab-p2p.sh's
        script = '. "$0/lab.sh"; . "$0/lab-p2p.sh"; LAB_ID=$1; lab_away_nat "$2"'
        subprocess.run(["sh", "-c", script, self.here, self.lab_id, mode], check=True,
                       capture_output=True, text=True)

    def probe(self, ns, request, timeout=30):
        r = self.run(ns, [sys.executable, os.path.abspath(__file__), "--probe", json.dumps(request)],
                     timeout=timeout)
        try:
            return json.loads(r.stdout)
        except ValueError:
            return {"error": r.stderr.strip()[-300:]}

    def counters(self):
        r = self.run("wan", ["nft", "-j", "list", "table", "ip", "lab_p2p"])
        counts = {}
        for item in json.loads(r.stdout)["nftables"]:
            c = item.get("counter")
            if c:
                counts[c["name"]] = c["packets"]
        return counts

    def punch(self, ns_a, ns_b):
        """Two hole punchers, one in each namespace: what each received."""
        argv = [sys.executable, os.path.abspath(__file__), "--probe",
                json.dumps({"op": "punch", "stun": [TURN, TURN_PORT], "seconds": 2.0})]
        a, b = (self.start(ns, argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
                for ns in (ns_a, ns_b))
        first = [json.loads(self.wait_line(p, 10, "a hole puncher")) for p in (a, b)]
        for p, peer in ((a, first[1]), (b, first[0])):
            p.stdin.write(json.dumps(peer["mapped"]) + "\n")
            p.stdin.flush()
        return [dict(json.loads(p.communicate(timeout=20)[0]), mapped=f["mapped"])
                for p, f in zip((a, b), first)]

    def dropped_udp(self):
        r = self.run("awaygw", ["nft", "-j", "list", "table", "ip", "lab_away"])
        total = 0
        for item in json.loads(r.stdout)["nftables"]:
            if item.get("rule", {}).get("chain") != "forward":
                continue
            for e in item.get("rule", {}).get("expr", []):
                if isinstance(e, dict) and isinstance(e.get("counter"), dict):
                    total += e["counter"]["packets"]
        return total

    def capture_start(self, name):
        path = os.path.join(self.dir, name)
        p = self.start("wan", [sys.executable, os.path.abspath(__file__), "--capture", path, TURN],
                       stdout=subprocess.PIPE, text=True)
        self.wait_line(p, 10, "the capture")
        return p, path

    def capture_stop(self, p):
        time.sleep(0.3)
        self.stop(p)

    def start_rendezvous(self):
        err = open(os.path.join(self.dir, "rendezvous.err"), "a")
        p = self.start("wan", [self.rendezvous_exe, "--listen", f"{RENDEZVOUS}:{RENDEZVOUS_PORT}",
                               "--token-file", self.tokens["file"]],
                       stdout=subprocess.PIPE, stderr=err, text=True)
        self.rendezvous = p
        return json.loads(self.wait_line(p, 10, "peerscope-rendezvous"))

    def start_camera(self):
        err = open(os.path.join(self.dir, "cam1.err"), "a")
        args = [self.emulator, "--name", "Cam", "--bind", CAMERA, "--fps", FPS,
                "--width", 320, "--height", 240, "--sub-width", 160, "--sub-height", 120,
                "--p2p", RENDEZVOUS_URL, "--token-file", self.tokens["home"],
                "--identity", os.path.join(self.dir, "cam1.identity"),
                "--stun", STUN_URL, "--turn", turn_url(self.secret)]
        p = self.start("cam1", args, stdout=subprocess.PIPE, stderr=err, text=True)
        self.camera = p
        ready = json.loads(self.wait_line(p, 30, "the P2P camera"))
        self.device_id = ready.get("device_id")
        return ready

    def view(self, ns, *, stun=False, turn=None, policy=None, frames=FRAMES, timeout=15,
             token="home", device_id=None, rendezvous=RENDEZVOUS_URL, background=False):
        args = [self.cli, "view", f"p2p:{device_id or self.device_id}", "--rendezvous", rendezvous,
                "--token-file", self.tokens[token], "--frames", frames, "--timeout", timeout, "--json"]
        if stun:
            args += ["--stun", STUN_URL]
        if turn is not None:
            args += ["--turn", turn_url(self.secret, tcp=(turn == "tcp"))]
        if policy:
            args += ["--ice-policy", policy]
        if background:
            return self.start(ns, args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        c0, t = self.counters(), time.monotonic()
        r = self.run(ns, args, timeout=timeout + 30)
        v = view_result(r.returncode, r.stdout, r.stderr, time.monotonic() - t)
        c1 = self.counters()
        v["wan"] = {k: c1[k] - c0.get(k, 0) for k in c1}
        return v


def view_result(rc, stdout, stderr, seconds):
    try:
        report = json.loads(stdout)
    except ValueError:
        report = {}
    return {"rc": rc, "report": report if isinstance(report, dict) else {},
            "stderr": stderr.strip(), "wall_ms": round(seconds * 1000)}


def describe(v):
    r = v["report"]
    return (f"transport {r.get('transport')}, {r.get('frames')} frames, first frame after "
            f"{r.get('first_frame_ms')} ms, round trip {r.get('rtt_ms')} ms (the whole view took {v['wall_ms']} ms, exit {v['rc']})"
            + (f"; wan counted {v['wan']}" if v.get("wan") else "")
            + (f"; stderr: {v['stderr'][-300:]}" if v["rc"] else ""))


def frames_of(v):
    f = v["report"].get("frames")
    return f if isinstance(f, int) else 0


def check_cell(tap, label, v, transport, figures):
    note(f"{label}: {describe(v)}")
    figures.append((label, v["report"].get("first_frame_ms"), v["wall_ms"]))
    tap.check(f"{label}: the selected pair is {transport}",
              v["report"].get("transport") == transport, describe(v))
    tap.check(f"{label}: at least 5 frames decoded", v["rc"] == 0 and frames_of(v) >= 5, describe(v))


def check_refused(tap, label, v):
    note(f"{label}: exit {v['rc']} after {v['wall_ms']} ms, {frames_of(v)} frames; "
         f"stderr: {v['stderr']!r}")
    lines = [line for line in v["stderr"].splitlines() if line.strip()]
    tap.check(f"{label}: refused (non-zero exit, a one-line error, no frames)",
              v["rc"] != 0 and len(lines) == 1 and frames_of(v) == 0, describe(v))


# ---------------------------------------------------------------- self-checks

def topology(lab, tap):
    dests = [[TURN, TURN_PORT], [TURN2, TURN_PORT]]
    user, password = turn_credentials(lab.secret)

    r = lab.probe("cam1", {"op": "bindings", "dests": dests[:1]})
    note(f"topology: cam1's STUN mapping {r}")
    tap.check("topology: coturn answers STUN; cam1 leaves its home as gw's 198.18.0.1",
              (r.get("mapped") or [None])[0] and r["mapped"][0][0] == HOME_WAN, r)

    for target in ("10.88.1.100", CAMERA):
        route = lab.run("wan", ["ip", "route", "get", target])
        tap.check(f"topology: wan routes the private {target} nowhere (only NAT and the relay "
                  f"join the homes)", " dev void0 " in route.stdout, route.stdout)

    lab.away_nat("eim")
    r = lab.probe("away", {"op": "bindings", "dests": dests})
    note(f"topology eim: local port {r.get('local_port')}, mappings {r.get('mapped')}")
    m = r.get("mapped") or [None, None]
    tap.check("topology eim: one socket, two STUN servers, the same mapping on 198.18.1.1",
              m[0] and m[0] == m[1] and m[0][0] == AWAY_WAN, r)
    tap.check("topology eim: the port is preserved", m[0] and m[0][1] == r.get("local_port"), r)

    cam, away = lab.punch("cam1", "away")
    note(f"topology eim: hole punching cam1 {cam} <-> away {away}")
    tap.check("topology eim: hole punching between the homes' STUN mappings works both ways",
              cam["received_from"] == [away["mapped"]] and away["received_from"] == [cam["mapped"]],
              (cam, away))

    a = lab.probe("away", {"op": "allocate", "server": [TURN, TURN_PORT], "user": user,
                           "password": password})
    note(f"topology eim: TURN/UDP allocation with REST credentials: {a}")
    tap.check("topology: coturn grants a UDP relay on 192.0.2.30 for TURN REST credentials "
              f"({user})", (a.get("relayed") or [None])[0] == TURN and a.get("realm") == REALM, a)
    bad = lab.probe("away", {"op": "allocate", "server": [TURN, TURN_PORT], "user": user,
                             "password": turn_credentials("not-the-secret")[1]})
    tap.check("topology: coturn refuses credentials made with another secret (401)",
              bad.get("error") == 401, bad)

    lab.away_nat("symmetric")
    r = lab.probe("away", {"op": "bindings", "dests": dests})
    note(f"topology symmetric: local port {r.get('local_port')}, mappings {r.get('mapped')}")
    m = r.get("mapped") or [None, None]
    tap.check("topology symmetric: one socket, two STUN servers, two different mappings",
              m[0] and m[1] and m[0][0] == m[1][0] == AWAY_WAN and m[0][1] != m[1][1], r)

    cam, away = lab.punch("cam1", "away")
    note(f"topology symmetric: hole punching cam1 {cam} <-> away {away}")
    tap.check("topology symmetric: hole punching fails both ways (only a relay joins the homes)",
              cam["received_from"] == [] and away["received_from"] == [], (cam, away))

    lab.away_nat("udp-blocked")
    c0 = lab.counters()
    r = lab.probe("away", {"op": "bindings", "dests": dests})
    note(f"topology udp-blocked: UDP mappings {r.get('mapped')}")
    tap.check("topology udp-blocked: STUN over UDP gets no answer",
              r.get("mapped") == [None, None], r)
    t = lab.probe("away", {"op": "bindings", "dests": dests[:1], "tcp": True})
    tap.check("topology udp-blocked: STUN over TCP still works, through 198.18.1.1",
              (t.get("mapped") or [None])[0] and t["mapped"][0][0] == AWAY_WAN, t)
    a = lab.probe("away", {"op": "allocate", "server": [TURN, TURN_PORT], "user": user,
                           "password": password, "tcp": True})
    note(f"topology udp-blocked: TURN/TCP allocation: {a}")
    tap.check("topology udp-blocked: coturn grants a relay over TCP",
              (a.get("relayed") or [None])[0] == TURN, a)
    c1 = lab.counters()
    delta = {k: c1[k] - c0.get(k, 0) for k in c1}
    note(f"topology udp-blocked: wan counted {delta}; awaygw dropped {lab.dropped_udp()} datagrams")
    tap.check("topology udp-blocked: wan counts the TCP to coturn and no UDP from that home",
              delta.get("away_turn_tcp", 0) > 0 and delta.get("away_udp", 0) == 0, delta)
    dns = lab.run("away", ["getent", "hosts", "cloud.vendor.example"], timeout=20)
    tap.check("topology udp-blocked: DNS over UDP still passes", "192.0.2.10" in dns.stdout,
              dns.stdout + dns.stderr)

    # the capture check must see plaintext H.264 when there is some
    lab.away_nat("eim")
    cap, path = lab.capture_start("control.pcap")
    env = {k: v for k, v in os.environ.items() if k != "G_DEBUG"}
    gst = lab.run("away", ["gst-launch-1.0", "-q", "videotestsrc", "num-buffers=30", "!",
                           "video/x-raw,width=320,height=240,framerate=30/1", "!",
                           "x264enc", "tune=zerolatency", "!", "rtph264pay", "config-interval=1", "!",
                           "udpsink", f"host={TURN}", "port=40000", "sync=false"], env=env, timeout=60)
    lab.capture_stop(cap)
    st = analyse_capture(path, TURN)
    note(f"topology: negative control, plaintext RTP/H.264 sent towards the relay: {st}, "
         f"{plaintext_share(st):.0%} look like H.264 in clear")
    tap.check("topology: the capture check flags plaintext RTP/H.264 (negative control)",
              gst.returncode == 0 and st["rtp"] >= 20 and plaintext_share(st) >= 0.9,
              (gst.returncode, gst.stderr[-300:], st))

    tokens(lab)
    ready = lab.start_rendezvous()
    tap.check("topology: peerscope-rendezvous listens on ws://192.0.2.40:8443 in wan",
              ready.get("listen") == RENDEZVOUS_URL, ready)


def tokens(lab):
    home, neighbour = secrets.token_hex(16), secrets.token_hex(16)
    def secret_file(name, text):
        path = os.path.join(lab.dir, name)
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
            f.write(text)
        return path
    lab.tokens["file"] = secret_file("tokens", f"home {home}\nneighbour {neighbour}\n")
    for name, token in (("home", home), ("neighbour", neighbour), ("wrong", secrets.token_hex(16))):
        lab.tokens[name] = secret_file(f"token-{name}", token + "\n")


# ---------------------------------------------------------------- the matrix

def matrix(lab, tap):
    figures = []
    ready = lab.start_camera()
    device_id = lab.device_id or ""
    note(f"camera: {json.dumps(ready)}")
    tap.check("camera: the emulator publishes over P2P with a device id of 64 hex digits",
              re.fullmatch(r"[0-9a-f]{64}", device_id.replace(":", "").lower()) is not None, ready)
    lab.stop(lab.camera)
    lab.start_camera()
    tap.check("camera: restarted with the same --identity file, it keeps its device id",
              lab.device_id == device_id, (device_id, lab.device_id))

    # 1. same LAN, the account's STUN and TURN servers configured: host wins
    v = lab.view("viewer", stun=True, turn="udp")
    check_cell(tap, "1 same LAN", v, "ice-host", figures)

    # 2. away behind an endpoint-independent NAT, STUN: server-reflexive
    lab.away_nat("eim")
    v = lab.view("away", stun=True)
    check_cell(tap, "2 away, eim NAT", v, "ice-srflx", figures)
    seen = {(c.get("type"), c.get("address")) for c in v["report"].get("remote_candidates") or []}
    note(f"2 away, eim NAT: the camera's candidates {sorted(seen)}")
    tap.check("2 away, eim NAT: the viewer lists the camera's candidates: its LAN address and "
              "its home's public address (STUN)",
              ("host", CAMERA) in seen and ("srflx", "198.18.0.1") in seen, sorted(seen))
    direct = v["wan"]["homes_udp"]
    note(f"2 away, eim NAT: wan routed {direct} UDP datagrams directly between the homes")
    tap.check("2 away, eim NAT: the media went directly between the homes (wan routed it)",
              direct >= 5 * FRAMES // 2, direct)

    # 3. away behind a symmetric NAT, TURN on both sides: relayed; the
    # relay's traffic is captured for cell 8
    lab.away_nat("symmetric")
    cap, path = lab.capture_start("relay.pcap")
    v = lab.view("away", stun=True, turn="udp", frames=3 * FRAMES)
    lab.capture_stop(cap)
    check_cell(tap, "3 away, symmetric NAT", v, "ice-relay", figures)
    rtt = v["report"].get("rtt_ms")
    tap.check("3 away, symmetric NAT: the viewer timed the round trip through the relay "
              "(the camera's probe channel, inside DTLS)",
              isinstance(rtt, (int, float)) and rtt > 0, describe(v))

    # 8. what the relay saw during cell 3
    st = analyse_capture(path, TURN)
    note(f"8 relay capture: {st}; {plaintext_share(st):.0%} of RTP-range payloads could be "
         f"H.264 in clear (random bytes: about 36%)")
    tap.check("8 relay capture: the relay carried the media (at least 50 SRTP packets)",
              st["rtp"] >= 50, st)
    tap.check("8 relay capture: DTLS handshake records went through the relay",
              st["dtls_handshake"] > 0, st)
    tap.check("8 relay capture: every relayed datagram is STUN, DTLS or SRTP/SRTCP",
              st["other"] == 0, st)
    tap.check("8 relay capture: no H.264 in clear (no Annex-B SPS, RTP payloads look random)",
              st["annexb"] == 0 and st["rtp"] > 0 and plaintext_share(st) < 0.6, st)

    # 4. UDP blocked: TURN over TCP only
    lab.away_nat("udp-blocked")
    d0 = lab.dropped_udp()
    v = lab.view("away", turn="tcp")
    d1 = lab.dropped_udp()
    check_cell(tap, "4 away, UDP blocked, TURN over TCP", v, "ice-relay", figures)
    tcp = v["wan"]["away_turn_tcp"]
    note(f"4 away, UDP blocked: {tcp} TCP segments from away to coturn's 3478; awaygw dropped "
         f"{d1 - d0} UDP datagrams; {v['wan']['away_udp']} UDP datagrams from away reached wan")
    tap.check("4 away, UDP blocked: coturn saw the session over TCP (wan's counter), "
              "no UDP left that home", tcp >= 20 and v["wan"]["away_udp"] == 0, v["wan"])

    # 5. relay-only policy although a direct path works
    lab.away_nat("eim")
    v = lab.view("away", stun=True, turn="udp", policy="relay")
    check_cell(tap, "5 away, eim NAT, relay-only policy", v, "ice-relay", figures)
    direct = v["wan"]["homes_udp"]
    tap.check("5 relay-only: not one datagram went directly between the homes "
              "(the camera never learns the viewer's address)", direct == 0, direct)

    # LAN-only policy: works at home, never from away
    v = lab.view("viewer", stun=True, turn="udp", policy="lan")
    check_cell(tap, "5b same LAN, lan-only policy", v, "ice-host", figures)
    v = lab.view("away", stun=True, turn="udp", policy="lan", timeout=10)
    note(f"5c away, lan-only policy: {describe(v)}")
    tap.check("5c away, lan-only policy: no path, a non-zero exit and no frames",
              v["rc"] != 0 and frames_of(v) == 0, describe(v))

    # 6. refusals
    check_refused(tap, "6 wrong token", lab.view("away", stun=True, token="wrong", timeout=10))
    check_refused(tap, "6b another account's token (the camera is not theirs to see)",
                  lab.view("away", stun=True, token="neighbour", timeout=10))
    check_refused(tap, "6c a device id no camera has",
                  lab.view("away", stun=True, device_id=secrets.token_hex(32), timeout=10))
    tampered(lab, tap, figures)

    # 7. the rendezvous dies mid-session
    restart(lab, tap, figures)

    note("time to first frame per cell (ms, from the view's start; whole view in brackets): "
         + "; ".join(f"{label}: {ms} [{wall}]" for label, ms, wall in figures))


def tampered(lab, tap, figures):
    """A rendezvous that swaps the camera's fingerprint in the offer: the
    viewer, which pinned the device id, must refuse and show no video."""
    mitm_proc = lab.start("wan", [sys.executable, os.path.abspath(__file__), "--mitm",
                                  f"{MITM}:{RENDEZVOUS_PORT}", f"{RENDEZVOUS}:{RENDEZVOUS_PORT}",
                                  "--dir", lab.dir], stdout=subprocess.PIPE, text=True)
    lab.wait_line(mitm_proc, 10, "the lying rendezvous")
    v = lab.view("away", stun=True, rendezvous=MITM_URL)
    check_cell(tap, "6d through an honest relay of the rendezvous (control)", v, "ice-srflx", figures)
    open(os.path.join(lab.dir, "swap"), "w").close()
    v = lab.view("away", stun=True, rendezvous=MITM_URL, timeout=15)
    os.unlink(os.path.join(lab.dir, "swap"))
    lab.stop(mitm_proc)
    swaps = 0
    try:
        with open(os.path.join(lab.dir, "mitm.jsonl")) as f:
            swaps = sum(len(json.loads(line)["swapped"]) for line in f if line.strip())
    except (OSError, ValueError):
        pass
    note(f"6e the rendezvous swapped {swaps} fingerprints")
    tap.check("6e the lying rendezvous did swap the offer's fingerprint", swaps > 0, swaps)
    check_refused(tap, "6e a fingerprint swapped by the rendezvous", v)


def restart(lab, tap, figures):
    lab.away_nat("eim")
    long_view = lab.view("away", stun=True, frames=LONG_FRAMES, timeout=40, background=True)
    t0 = time.monotonic()
    # media flowing: wan routes the session directly between the homes
    base = lab.counters()["homes_udp"]
    while time.monotonic() - t0 < 15 and lab.counters()["homes_udp"] - base < 3 * FPS:
        time.sleep(0.2)
    started = time.monotonic() - t0
    running = long_view.poll() is None
    lab.rendezvous.kill()
    lab.rendezvous.wait()
    killed_at = time.monotonic()
    c0 = lab.counters()["homes_udp"]
    time.sleep(1.0)
    c1 = lab.counters()["homes_udp"]
    ready = lab.start_rendezvous()
    time.sleep(1.0)
    c2 = lab.counters()["homes_udp"]
    note(f"7 rendezvous restart: media after {started:.1f} s; killed with SIGKILL, restarted "
         f"({ready}); UDP between the homes {c1 - c0} in the second without a rendezvous, "
         f"{c2 - c1} in the one after")
    tap.check("7 rendezvous restart: the session was running when the rendezvous was killed",
              running, started)
    tap.check("7 rendezvous restart: media kept flowing while there was no rendezvous",
              c1 - c0 >= FPS // 2 and c2 - c1 >= FPS // 2, (c1 - c0, c2 - c1))
    try:
        out, err = long_view.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        long_view.kill()
        out, err = long_view.communicate()
    ended_after_kill = time.monotonic() - killed_at
    v = view_result(long_view.returncode, out, err, time.monotonic() - t0)
    note(f"7 rendezvous restart: the long view: {describe(v)}; it ended {ended_after_kill:.1f} s "
         f"after the kill")
    completed = v["rc"] == 0 and frames_of(v) >= LONG_FRAMES
    tap.check(f"7 rendezvous restart: the running view completed all {LONG_FRAMES} frames",
              completed, describe(v))

    # a new session, from the LAN (so that nothing else goes between the
    # homes): the camera must find the new rendezvous by itself
    ended_at = time.monotonic()
    while True:
        v = lab.view("viewer", stun=True, timeout=10)
        if v["rc"] == 0 or time.monotonic() - ended_at > 30:
            break
        time.sleep(1)
    note(f"7 rendezvous restart: a new session {time.monotonic() - killed_at:.1f} s after the "
         f"restart: {describe(v)}")
    check_cell(tap, "7 after the restart, a new session", v, "ice-host", figures)

    # the viewer that left said so to the new rendezvous, which does not
    # know that session: the camera must notice by itself that nobody
    # answers any more (ICE consent freshness gives up after 30 s)
    time.sleep(max(0.0, ended_at + 32 - time.monotonic()))
    c0 = lab.counters()["homes_udp"]
    time.sleep(2)
    orphan = lab.counters()["homes_udp"] - c0
    note(f"7 rendezvous restart: 32 s after the long view ended, the camera sent {orphan} "
         f"datagrams in 2 s towards the viewer's old address")
    tap.check("7 the camera stopped streaming to the viewer that left while the rendezvous was "
              "down (within 32 s)", completed and orphan == 0,
              orphan if completed else "there was no session to leave")


def explain_failure(lab):
    """What a failed run leaves to read: did the camera die, and the last
    words of the camera and of the rendezvous (the lab's folder goes)."""
    if lab.camera is not None and lab.camera.poll() is not None:
        note(f"the camera is gone: exit status {lab.camera.returncode}")
    for name in ("cam1.err", "rendezvous.err"):
        try:
            with open(os.path.join(lab.dir, name), errors="replace") as f:
                lines = f.read().splitlines()[-25:]
        except OSError:
            continue
        for line in lines:
            note(f"{name}: {line[:300]}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--probe")
    parser.add_argument("--capture", nargs=2, metavar=("FILE", "HOST"))
    parser.add_argument("--mitm", nargs=2, metavar=("LISTEN", "UPSTREAM"))
    parser.add_argument("--dir")
    parser.add_argument("--lab-id")
    parser.add_argument("--cli")
    parser.add_argument("--emulator")
    parser.add_argument("--rendezvous")
    parser.add_argument("--turn-secret")
    parser.add_argument("--topology-only", action="store_true")
    args = parser.parse_args()
    if args.probe:
        return probe(args.probe)
    if args.capture:
        return capture(*args.capture)
    if args.mitm:
        return mitm(args.mitm[0], args.mitm[1], args.dir)

    lab = Lab(args)
    tap = Tap()
    try:
        topology(lab, tap)
        if not args.topology_only:
            for name in ("cli", "emulator"):
                if not getattr(args, name) or not os.access(getattr(args, name), os.X_OK):
                    raise RuntimeError(f"no {name} to run (PS_CLI, PS_EMULATOR)")
            matrix(lab, tap)
    except Exception as e:  # a broken step is a failed test, with its reason
        tap.check(f"the matrix ran to its end ({type(e).__name__})", False, str(e))
    finally:
        if not all(ok for _, ok, _ in tap.results):
            explain_failure(lab)
        lab.stop_all()
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
