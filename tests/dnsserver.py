#!/usr/bin/python3
"""dnsserver.py - a tiny scripted DNS server for tests/unit/dnsresolv.c (not a test
itself). It listens on 127.0.0.1 on three UDP ports chosen by the kernel and prints
"MAIN DEAD FAIL" on one line: MAIN answers over UDP and TCP (same port number) as
the table below says, DEAD reads queries and never answers, FAIL answers SERVFAIL to
everything. It runs until its standard input reaches end of file or it is killed.

What MAIN answers depends on the first label of the name asked:
  mx2        two MX records (10 a.mx2.test, 20 b.mx2.test)
  big        over UDP an empty reply with TC set; over TCP 300 A records
  noise      first a series of wrong replies (id, name, type, class, QR bit, garbage,
             a right reply from another port), then the right one: A 192.0.2.7
  silent     nothing
  servfail   SERVFAIL
  nx         NXDOMAIN
  nodata     NOERROR, no records
  chain      CNAME target.test only (the client must ask again)
  target     A 192.0.2.9
  loopa/b    CNAME to the other (a loop spread over replies)
  badmx      MX records naming hosts with ';' and ' ' in them
  formerr    FORMERR if the query has an OPT record, else A 192.0.2.10
  edns       A 10.2.H.L where H.L is the UDP size of the query's OPT (0 if none)
  port       A 10.0.H.L where H.L is the client's source port
  id         A 10.1.H.L where H.L is the query id
  malformed  a reply to the question whose A record has 3 bytes of rdata
  7 (PTR)    the name host.test
"""
import selectors
import socket
import struct
import sys


def name_wire(name):
    out = b""
    for label in name.split("."):
        if label:
            out += bytes([len(label)]) + label.encode("latin-1")
    return out + b"\0"


def parse_query(q):
    """(id, flags, labels, qtype, qclass, udpsize or None) of a query"""
    qid, flags, qd, an, ns, ar = struct.unpack("!6H", q[:12])
    pos, labels = 12, []
    while q[pos]:
        n = q[pos]
        labels.append(q[pos + 1:pos + 1 + n].decode("latin-1"))
        pos += n + 1
    pos += 1
    qtype, qclass = struct.unpack("!HH", q[pos:pos + 4])
    pos += 4
    udp = None
    if ar and q[pos] == 0 and struct.unpack("!H", q[pos + 1:pos + 3])[0] == 41:
        udp = struct.unpack("!H", q[pos + 3:pos + 5])[0]
    return qid, flags, labels, qtype, qclass, udp


def rr(name, rtype, rdata, cls=1):
    return name_wire(name) + struct.pack("!HHIH", rtype, cls, 300, len(rdata)) + rdata


def a(name, ip):
    return rr(name, 1, socket.inet_aton(ip))


def reply(qid, qname, qtype, answers=(), rcode=0, tc=False, flags=None, qclass=1):
    if flags is None:
        flags = 0x8180 | rcode | (0x0200 if tc else 0)
    head = struct.pack("!6H", qid, flags, 1, len(answers), 0, 0)
    return head + name_wire(qname) + struct.pack("!HH", qtype, qclass) + b"".join(answers)


def answer(q, src, tcp, dead_sock, reply_to):
    """the list of datagrams (or the one message) to send back for query q"""
    qid, flags, labels, qtype, qclass, udp = parse_query(q)
    qname = ".".join(labels)
    key = labels[0].lower() if labels else ""
    R = lambda ans=(), **kw: reply(qid, qname, qtype, ans, **kw)  # noqa: E731
    if key == "mx2":
        return [R([rr(qname, 15, b"\0\x0a" + name_wire("a.mx2.test")),
                   rr(qname, 15, b"\0\x14" + name_wire("b.mx2.test"))])]
    if key == "big":
        if not tcp:
            return [R(tc=True)]
        return [R([a(qname, "10.3.%d.%d" % (i >> 8, i & 255)) for i in range(300)])]
    if key == "noise":
        good = a(qname, "192.0.2.7")
        bad = a(qname, "10.0.0.66")
        dead_sock.sendto(R([bad]), reply_to)  # right reply, wrong source port
        return [reply((qid + 1) & 0xFFFF, qname, qtype, [bad]),
                reply(qid, "other.test", qtype, [bad]),
                reply(qid, qname, 28, [bad]),
                reply(qid, qname, qtype, [bad], qclass=3),
                R([bad], flags=0x0100),
                b"\x12",
                struct.pack("!H", qid) + b"\x81\x80\x00\x01",
                R([good])]
    if key == "silent":
        return []
    if key == "servfail":
        return [R(rcode=2)]
    if key == "nx":
        return [R(rcode=3)]
    if key == "nodata":
        return [R()]
    if key == "chain":
        return [R([rr(qname, 5, name_wire("target.test"))])]
    if key == "target":
        return [R([a(qname, "192.0.2.9")] if qtype == 1 else [])]
    if key in ("loopa", "loopb"):
        other = "loopb.test" if key == "loopa" else "loopa.test"
        return [R([rr(qname, 5, name_wire(other))])]
    if key == "badmx":
        return [R([rr(qname, 15, b"\0\x0a" + name_wire("evil;rm.test")),
                   rr(qname, 15, b"\0\x14" + name_wire("a b.test"))])]
    if key == "formerr":
        if udp is not None:
            return [R(rcode=1)]
        return [R([a(qname, "192.0.2.10")])]
    if key == "edns":
        u = udp or 0
        return [R([a(qname, "10.2.%d.%d" % (u >> 8, u & 255))])]
    if key == "port":
        p = src[1]
        return [R([a(qname, "10.0.%d.%d" % (p >> 8, p & 255))])]
    if key == "id":
        return [R([a(qname, "10.1.%d.%d" % (qid >> 8, qid & 255))])]
    if key == "malformed":
        return [R([rr(qname, 1, b"\1\2\3")])]
    if key == "7" and qtype == 12:
        return [R([rr(qname, 12, name_wire("host.test"))])]
    return [R(rcode=3)]


def serve_tcp(conn, dead):
    conn.settimeout(2)
    try:
        n = struct.unpack("!H", conn.recv(2, socket.MSG_WAITALL))[0]
        q = conn.recv(n, socket.MSG_WAITALL)
        for m in answer(q, conn.getpeername(), True, dead, None):
            conn.sendall(struct.pack("!H", len(m)) + m)
    except (OSError, struct.error):
        pass
    conn.close()


def main():
    main_udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    for _ in range(50):
        main_udp.bind(("127.0.0.1", 0))
        try:
            tcp.bind(("127.0.0.1", main_udp.getsockname()[1]))
            break
        except OSError:
            main_udp.close()
            main_udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    tcp.listen(8)
    dead = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    dead.bind(("127.0.0.1", 0))
    fail = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    fail.bind(("127.0.0.1", 0))
    print(main_udp.getsockname()[1], dead.getsockname()[1], fail.getsockname()[1], flush=True)
    sel = selectors.DefaultSelector()
    for s in (main_udp, tcp, dead, fail):
        sel.register(s, selectors.EVENT_READ)
    sel.register(sys.stdin, selectors.EVENT_READ)
    while True:
        for key, _ in sel.select():
            s = key.fileobj
            if s is sys.stdin:
                if not sys.stdin.buffer.read1(4096):
                    return
            elif s is tcp:
                conn, _ = tcp.accept()
                serve_tcp(conn, dead)
            else:
                q, src = s.recvfrom(65536)
                try:
                    if s is main_udp:
                        for m in answer(q, src, False, dead, src):
                            main_udp.sendto(m, src)
                    elif s is fail:
                        qid, _, labels, qtype, _, _ = parse_query(q)
                        fail.sendto(reply(qid, ".".join(labels), qtype, rcode=2), src)
                except (IndexError, struct.error):
                    pass


if __name__ == "__main__":
    main()
