#!/usr/bin/env python3
"""qmtp.py - qmail-qmtpd, qmail-qmqpd and qmail-qmqpc for real: a private install,
the servers under tcpserver on loopback ports of their own (as qmaild:nofiles), raw
sockets as QMTP/QMQP clients, our qmail-qmqpc against our qmail-qmqpd with failover.
Most cases queue through a recording script named by $QMAILQUEUE; one uses the real
qmail-queue. Runs as root. Prints ok/FAIL per assertion, then "N passed, N failed"."""

import glob
import os
import socket
import subprocess
import sys
import time

TOP = os.environ.get("TOP", os.getcwd())
sys.path.insert(0, os.path.join(TOP, "tests"))
from qmailtest import RecordingQueue, Results, envelope, free_port, need  # noqa: E402

R = Results()
P = need(R, "qmtp", ["tcpserver"])
LOCALNAME = "mx.hqmtp.test"

QUEUE = RecordingQueue("qmtp")
REC, QQ = QUEUE.dir, QUEUE.prog
records, clear = QUEUE.records, QUEUE.clear


def Server(prog, env=None, queue=True):
    """tcpserver running prog with env added (queue: through the recording QQ)"""
    e = {"QMAILQUEUE": QQ} if queue else {}
    e.update(env or {})
    return P.tcpserver(prog, e, LOCALNAME)


def ns(b):
    return str(len(b)).encode() + b":" + b + b","


def package(msg, sender, rcpts, conv=b"\n"):
    return ns(conv + msg) + ns(sender) + ns(b"".join(ns(r) for r in rcpts))


def conn(port):
    return socket.create_connection(("127.0.0.1", port), 10)


def read_ns(s, buf):
    """one netstring from socket s; (payload or None at EOF, rest)"""
    while b":" not in buf:
        d = s.recv(4096)
        if not d:
            return None, buf
        buf += d
    n, rest = buf.split(b":", 1)
    n = int(n)
    while len(rest) < n + 1:
        d = s.recv(4096)
        if not d:
            return None, rest
        rest += d
    return rest[:n], rest[n + 1:]


def replies(s, count, buf=b""):
    out = []
    for _ in range(count):
        r, buf = read_ns(s, buf)
        out.append(r)
    return out, buf


def eof(s):
    s.settimeout(10)
    try:
        return s.recv(100) == b""
    except OSError:
        return True


def body(msg):
    lines = msg.split(b"\n", 2)
    return lines[2] if len(lines) == 3 else b""


try:
    P.control("rcpthosts", "example.com\n.sub.example.org\n")
    Q = Server("qmail-qmtpd")
    R.ok(Q.up(), "tcpserver runs qmail-qmtpd on port %d" % Q.port)

    # several packages on one connection, both line conventions
    clear()
    s = conn(Q.port)
    s.sendall(package(b"Subject: one\n\nbody 1\n", b"a@x.org", [b"u@example.com", b"v@a.sub.example.org"]))
    r, buf = replies(s, 2)
    R.ok(all(x and x.startswith(b"Kok ") and b" qp " in x for x in r), "package 1: K for both", r)
    s.sendall(package(b"Subject: two\r\n\r\nbody\r2\r\n", b"", [b"w@EXAMPLE.COM"], conv=b"\r"))
    r, buf = replies(s, 1, buf)
    R.ok(r[0] and r[0].startswith(b"Kok "), "package 2 (CRLF): K", r)
    s.sendall(package(b"x\n", b"b@x.org", [b"z@example.com"], conv=b"X"))
    r, buf = replies(s, 1, buf)
    R.eq(r[0], b"Dsorry, I don't understand that line convention (#5.6.1)", "unknown convention refused")
    s.close()
    time.sleep(0.3)
    rec = records()
    R.eq(len(rec), 2, "two messages queued from one connection")
    if len(rec) == 2:
        R.eq(envelope(rec[0][1]), ("a@x.org", ["u@example.com", "v@a.sub.example.org"]), "envelope 1")
        R.eq(body(rec[0][0]), b"Subject: one\n\nbody 1\n", "LF message kept")
        R.ok(rec[0][0].startswith(b"Received: from unknown (127.0.0.1)\n  by " + LOCALNAME.encode() + b" with QMTP; "),
             "Received line with QMTP", rec[0][0][:120])
        R.eq(envelope(rec[1][1]), ("", ["w@EXAMPLE.COM"]), "envelope 2, empty sender")
        R.eq(body(rec[1][0]), b"Subject: two\n\nbody\r2\n", "CRLF converted, lone CR kept")

    # relay refusal and recipient errors in one package
    clear()
    s = conn(Q.port)
    s.sendall(package(b"hi\n", b"a@x.org", [b"u@example.com", b"u@elsewhere.net", b"x" * 990 + b"@example.com",
                                             b"n\0l@example.com", b"local"]))
    r, _ = replies(s, 5)
    R.ok(r[0] and r[0].startswith(b"K"), "allowed domain accepted", r[0])
    R.eq(r[1], b"Dsorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)", "relay refused")
    R.eq(r[2], b"Dsorry, I can't handle that recipient (#5.1.3)", "recipient of 1002 bytes refused")
    R.eq(r[3], b"Dsorry, I can't handle that recipient (#5.1.3)", "recipient with NUL refused")
    R.ok(r[4] and r[4].startswith(b"K"), "recipient without @ accepted", r[4])
    s.close()
    time.sleep(0.3)
    rec = records()
    R.ok(len(rec) == 1 and envelope(rec[0][1])[1] == ["u@example.com", "local"], "only accepted recipients queued")

    # every recipient refused: nothing queued
    clear()
    s = conn(Q.port)
    s.sendall(package(b"hi\n", b"a@x.org", [b"u@elsewhere.net"]))
    r, _ = replies(s, 1)
    R.ok(r[0] and r[0].startswith(b"D"), "all recipients refused", r)
    s.close()
    time.sleep(0.3)
    R.eq(len(records()), 0, "nothing queued when every recipient is refused")

    # bad sender
    s = conn(Q.port)
    s.sendall(package(b"hi\n", b"s" * 1000, [b"u@example.com", b"v@example.com"]))
    r, _ = replies(s, 2)
    R.eq(r, [b"Dunacceptable sender (#5.1.7)"] * 2, "sender of 1000 bytes refused for each recipient")
    s.close()

    # queue failures pass through
    for code, want in (("31", b"Dmail server permanently rejected message (#5.3.0)"),
                       ("71", b"Zmail server temporarily rejected message (#4.3.0)")):
        clear()
        open(os.path.join(REC, "exit"), "w").write(code)
        s = conn(Q.port)
        s.sendall(package(b"hi\n", b"a@x.org", [b"u@example.com"]))
        r, _ = replies(s, 1)
        R.eq(r[0], want, "qmail-queue exit %s reported" % code)
        s.close()
    clear()

    # a package cut off in the middle queues nothing
    for cut in (b"100:\nSubject: cut\n\npart", package(b"whole\n", b"a@x.org", [b"u@example.com"])[:-3]):
        clear()
        s = conn(Q.port)
        s.sendall(cut)
        s.shutdown(socket.SHUT_WR)
        R.ok(eof(s), "cut-off package: connection closed")
        s.close()
        time.sleep(0.5)
        R.eq(len(records()), 0, "cut-off package queues nothing")

    # malformed netstrings
    for bad, what in ((b"01:\n,", "leading zero"), (b"+1:\n,", "sign"), (b"-1:\n,", "minus sign"),
                      (b"99999999999999999999:", "huge length"), (b"300000000:", "length over 2e8"),
                      (b"2:\nx;", "missing comma"), (b" 2:\nx,", "leading space")):
        clear()
        s = conn(Q.port)
        s.sendall(bad + ns(b"a@x.org") + ns(ns(b"u@example.com")))
        data = b""
        s.settimeout(10)
        try:
            while True:
                d = s.recv(4096)
                if not d:
                    break
                data += d
        except OSError:
            pass
        R.ok(data == b"", "malformed (%s): no reply" % what, data)
        s.close()
        time.sleep(0.2)
        R.eq(len(records()), 0, "malformed (%s): nothing queued" % what)
    # a bad netstring inside the recipient list
    s = conn(Q.port)
    s.sendall(ns(b"\nhi\n") + ns(b"a@x.org") + ns(b"13:u@example.com;"))
    R.ok(eof(s), "bad recipient netstring: connection closed")
    s.close()

    # databytes
    Q.stop()
    Q = Server("qmail-qmtpd", {"DATABYTES": "10"})
    clear()
    s = conn(Q.port)
    s.sendall(package(b"0123456789", b"a@x.org", [b"u@example.com"]) +
              package(b"0123456789a", b"a@x.org", [b"u@example.com"]))
    r, _ = replies(s, 2)
    R.ok(r[0] and r[0].startswith(b"K"), "10 bytes within DATABYTES=10", r[0])
    R.eq(r[1], b"Dsorry, that message size exceeds my databytes limit (#5.3.4)", "11 bytes over DATABYTES")
    s.close()
    Q.stop()

    # RELAYCLIENT
    Q = Server("qmail-qmtpd", {"RELAYCLIENT": ""})
    clear()
    s = conn(Q.port)
    s.sendall(package(b"hi\n", b"a@x.org", [b"u@elsewhere.net"]))
    r, _ = replies(s, 1)
    R.ok(r[0] and r[0].startswith(b"K"), "RELAYCLIENT: any domain accepted", r)
    s.close()
    Q.stop()

    # the real queue
    Q = Server("qmail-qmtpd", queue=False)
    before = len(glob.glob(P.path("queue", "todo", "*", "*")) + glob.glob(P.path("queue", "todo", "*")))
    s = conn(Q.port)
    s.sendall(package(b"Subject: real\n\nreal queue\n", b"a@x.org", [b"u@example.com"]))
    r, _ = replies(s, 1)
    R.ok(r[0] and r[0].startswith(b"Kok "), "real qmail-queue: K", r)
    s.close()
    mess = [f for f in glob.glob(P.path("queue", "mess", "**"), recursive=True) if os.path.isfile(f)]
    R.ok(any(b"real queue" in open(f, "rb").read() for f in mess), "message is in queue/mess")
    Q.stop()

    # QMQP: qmail-qmqpd
    D = Server("qmail-qmqpd")
    clear()
    s = conn(D.port)
    s.sendall(ns(ns(b"Subject: q\n\nqmqp\n") + ns(b"a@x.org") + ns(b"u@anywhere.net") + ns(b"v@x.org")))
    r, _ = replies(s, 1)
    R.ok(r[0] and r[0].startswith(b"Kok "), "qmail-qmqpd: K, no relay check", r)
    R.ok(eof(s), "qmail-qmqpd closes after one message")
    s.close()
    time.sleep(0.3)
    rec = records()
    R.ok(len(rec) == 1 and envelope(rec[0][1]) == ("a@x.org", ["u@anywhere.net", "v@x.org"]), "QMQP envelope")
    R.ok(len(rec) == 1 and b" with QMQP; " in rec[0][0].split(b"\n", 2)[1], "Received line with QMQP")
    for addr, what in ((b"x" * 1000, "1000 bytes"), (b"a\0b@x.org", "NUL")):
        clear()
        s = conn(D.port)
        s.sendall(ns(ns(b"hi\n") + ns(b"a@x.org") + ns(addr)))
        r, _ = replies(s, 1)
        R.eq(r[0], b"Dsorry, I can't accept addresses like that (#5.1.3)", "QMQP address with %s refused" % what)
        s.close()
    time.sleep(0.3)
    R.eq(len(records()), 0, "refused QMQP messages not queued")
    s = conn(D.port)
    s.sendall(ns(ns(b"hi\n") + ns(b"a@x.org") + b"5:ab"))
    R.ok(eof(s), "QMQP bad inner netstring: closed")
    s.close()
    s = conn(D.port)
    s.sendall(b"50:" + ns(b"hi\n"))
    s.shutdown(socket.SHUT_WR)
    R.ok(eof(s), "QMQP cut off: closed")
    s.close()
    time.sleep(0.3)
    R.eq(len(records()), 0, "QMQP cut off: nothing queued")

    # qmail-qmqpc -> qmail-qmqpd, first server refused, second works
    closed = free_port()
    P.control("qmqpservers", "# hub\n127.0.0.1:%d\n127.0.0.1:%d\n" % (closed, D.port))
    clear()
    msgfile = os.path.join(REC, "msgfile")
    open(msgfile, "wb").write(b"Subject: via qmqpc\n\nfile\n")

    def qmqpc(msg_stdin, env):
        rd, wr = os.pipe()
        os.write(wr, env)
        os.close(wr)
        p = subprocess.run([P.bin("qmail-qmqpc")], stdin=msg_stdin, stdout=rd, stderr=subprocess.PIPE, timeout=60)
        os.close(rd)
        return p.returncode

    rc = qmqpc(open(msgfile, "rb"), b"Fa@x.org\0Tu@y.org\0Tv@y.org\0\0")
    R.eq(rc, 0, "qmail-qmqpc (regular file) with failover exits 0")
    p = subprocess.Popen(["printf", "Subject: piped\\n\\npipe\\n"], stdout=subprocess.PIPE)
    rc = qmqpc(p.stdout, b"F\0Tw@y.org\0\0")
    p.wait()
    R.eq(rc, 0, "qmail-qmqpc (pipe) exits 0")
    time.sleep(0.3)
    rec = records()
    R.eq(len(rec), 2, "both qmqpc messages queued")
    if len(rec) == 2:
        R.eq(envelope(rec[0][1]), ("a@x.org", ["u@y.org", "v@y.org"]), "qmqpc envelope")
        R.eq(body(rec[0][0]), b"Subject: via qmqpc\n\nfile\n", "qmqpc message (streamed)")
        R.eq(body(rec[1][0]), b"Subject: piped\n\npipe\n", "qmqpc message (buffered)")
    open(os.path.join(REC, "exit"), "w").write("31")
    R.eq(qmqpc(open(msgfile, "rb"), b"Fa@x.org\0Tu@y.org\0\0"), 31, "qmqpc: D answer exits 31")
    open(os.path.join(REC, "exit"), "w").write("71")
    R.eq(qmqpc(open(msgfile, "rb"), b"Fa@x.org\0Tu@y.org\0\0"), 71, "qmqpc: Z answer exits 71")
    clear()
    R.eq(qmqpc(open(msgfile, "rb"), b"Fa@x.org\0Tu@y.org\0"), 91, "qmqpc: envelope without final NUL exits 91")
    R.eq(qmqpc(open(msgfile, "rb"), b"Fa@x.org\0T" + b"u" * 1000 + b"\0\0"), 11, "qmqpc: long address exits 11")
    P.control("qmqpservers", "127.0.0.1:%d\n" % closed)
    R.eq(qmqpc(open(msgfile, "rb"), b"Fa@x.org\0Tu@y.org\0\0"), 73, "qmqpc: only server refused exits 73")
    os.unlink(P.path("control", "qmqpservers"))
    R.eq(qmqpc(open(msgfile, "rb"), b"Fa@x.org\0Tu@y.org\0\0"), 55, "qmqpc: no qmqpservers exits 55")
    D.stop()
finally:
    QUEUE.remove()
    P.cleanup()
R.finish()
