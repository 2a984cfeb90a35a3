"""hostile_remote - part of tests/sys/hostile.py: qmail-remote, run as qmailr:qmail as
qmail-rspawn runs it, against a hostile SMTP server on a loopback port (reached by
control/smtproutes) and a hostile DNS server (a tiny UDP server on loopback, named by
QMAIL_DNS_SERVER). The server: a bare 553, endless continuation lines, NUL bytes in
replies, a disconnect after the final dot, one byte every few seconds against a short
control/timeoutremote. The DNS server: a compression loop, a truncated reply, MX
names holding a space, CR, ';', '/' and backquotes. Expected (SPEC section 8): the
right report letter, whole NUL-terminated records with no NUL, CR or LF smuggled
into them, an end within bounded time and memory, and never a connection to an
address the DNS did not give (every address given is NXDOMAIN, so none at all)."""
import socket
import struct
import subprocess
import threading
import time

from hostilelib import gid, uid, vm
from qmailtest import Listener

R = None
MSG = b"Subject: hostile\n\nbody\n"


class Hostile(Listener):
    """An SMTP server on 127.0.0.1 that plays one script per connection: script(conn)"""

    def __init__(self):
        self.script = None
        self.conns = 0
        super().__init__(backlog=8, timeout=30)

    def session(self, c):
        self.conns += 1
        self.script(c)


def lines(c):
    """a generator of the client's lines"""
    buf = b""
    while True:
        while b"\n" not in buf:
            d = c.recv(65536)
            if not d:
                return
            buf += d
        l, buf = buf.split(b"\n", 1)
        yield l + b"\n"


def dialogue(c, answers, after_dot=None):
    """answer each command: answers maps a verb to a reply (or to a callable); DATA
    content is swallowed up to the dot, then after_dot(c) if given, else 250"""
    c.sendall(answers.get("greeting", b"220 hostile.test ESMTP\r\n"))
    it = lines(c)
    for l in it:
        verb = l[:4].upper().decode(errors="replace")
        a = answers.get(verb, b"354 go ahead\r\n" if verb == "DATA" else b"250 ok\r\n")
        if callable(a):
            a(c)
            return
        c.sendall(a)
        if verb == "DATA" and a.startswith(b"354"):
            for d in it:
                if d == b".\r\n":
                    break
            if after_dot:
                after_dot(c)
                return
            c.sendall(b"250 queued\r\n")
        if verb == "QUIT":
            return


def records(out):
    if not out.endswith(b"\0"):
        return None
    return [(r[:1], r[1:]) for r in out[:-1].split(b"\0")]


def remote(P, host, rcpts, env=None, timeout=60):
    e = P.env(env or {})
    t = time.monotonic()
    p = subprocess.Popen([P.bin("qmail-remote"), host, "a@example.org"] + rcpts,
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env=e, user=uid("qmailr"), group=gid("qmail"), extra_groups=[], cwd="/")
    peak = [0]

    def sample():
        while p.poll() is None:
            peak[0] = max(peak[0], vm(p.pid, "VmRSS") or 0)
            time.sleep(0.1)
    th = threading.Thread(target=sample, daemon=True)
    th.start()
    try:
        out, err = p.communicate(MSG, timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        return None, None, time.monotonic() - t, peak[0]
    th.join()
    return p.returncode, records(out), time.monotonic() - t, peak[0]


def clean(recs):
    """every record text free of CR (LF separates the report's own lines; a NUL cannot
    be there, as it ends a record: a forged one shows as an extra record)"""
    return recs is not None and all(b"\r" not in t for _, t in recs)


def server_cases(P):
    S = Hostile()
    P.control("me", "me.hostile.test\n")
    P.control("smtproutes", "hostile.test:127.0.0.1:%d\n" % S.port)
    P.control("timeoutremote", "3\n")
    P.control("timeoutconnect", "3\n")

    def case(what, script, want_rcpt, want_msg, text=None, maxsecs=20):
        S.script = script
        rc, recs, secs, peak = remote(P, "hostile.test", ["u@hostile.test"], timeout=60)
        R.eq(rc, 0, "%s: qmail-remote exit 0" % what)
        got = [r[0] for r in recs] if recs else None
        R.eq(got, want_rcpt + [want_msg], "%s: reports %s" % (what, want_rcpt + [want_msg]))
        R.ok(clean(recs), "%s: report texts hold no CR" % what, recs)
        if text is not None and recs:
            R.ok(text in recs[-1][1], "%s: %r in the text" % (what, text), recs[-1][1][:300])
        R.ok(secs < maxsecs, "%s: done in %.1f s" % (what, secs))
        R.ok(peak < 64 * 1024, "%s: RSS stays small (%d kB)" % (what, peak))
        return recs

    case("bare 553 greeting", lambda c: dialogue(c, {"greeting": b"553\r\n"}), [], b"Z")
    case("bare 553 to MAIL", lambda c: dialogue(c, {"MAIL": b"553\r\n"}), [], b"D")
    case("bare 553 to RCPT", lambda c: dialogue(c, {"RCPT": b"553\r\n"}), [b"h"], b"D")
    case("bare 553 after the dot", lambda c: dialogue(
        c, {}, after_dot=lambda c: c.sendall(b"553\r\n")), [b"r"], b"D")
    case("bare 250 everywhere", lambda c: dialogue(
        c, {"greeting": b"220\r\n", "EHLO": b"250\r\n", "MAIL": b"250\r\n", "RCPT": b"250\r\n",
            "DATA": b"354\r\n"}, after_dot=lambda c: c.sendall(b"250\r\n")), [b"r"], b"K")

    def endless(c):
        chunk = b"220-" + b"x" * 1000 + b"\r\n"
        block = chunk * 64
        end = time.monotonic() + 30
        while time.monotonic() < end:
            c.sendall(block)
    case("endless continuation lines in the greeting", endless, [], b"Z")

    def endless_rcpt(c):
        def flood(c):
            block = (b"250-" + b"y" * 1000 + b"\r\n") * 64
            end = time.monotonic() + 30
            while time.monotonic() < end:
                c.sendall(block)
        dialogue(c, {"RCPT": flood})
    case("endless continuation lines to RCPT", endless_rcpt, [], b"Z")

    # a NUL or a lone CR in a reply makes it malformed (RFC 5321 has neither; the
    # reader refuses them rather than guess): Z, and no record forged by the NUL
    recs = case("NUL in the greeting", lambda c: dialogue(
        c, {"greeting": b"220 hostile\0Kforged\0.test\r\n"}), [], b"Z", b"malformed")
    recs = case("NUL in a RCPT reply", lambda c: dialogue(
        c, {"RCPT": b"250-ok\0Tforged@x\0\r\n250 \0\0\r\n"}), [], b"Z", b"malformed")
    recs = case("NUL after the dot", lambda c: dialogue(
        c, {}, after_dot=lambda c: c.sendall(b"250 queued\0Kfake\0\r\n")), [b"r"], b"Z",
        b"malformed reply. Possible duplicate!")
    case("lone CRs in a reply", lambda c: dialogue(c, {"RCPT": b"550 no\rsuch\r\r\n"}), [],
         b"Z", b"malformed")

    case("disconnect after the final dot", lambda c: dialogue(
        c, {}, after_dot=lambda c: c.shutdown(socket.SHUT_RDWR)), [b"r"], b"Z",
        b"Possible duplicate")

    case("silence after the final dot, timeoutremote 3", lambda c: dialogue(
        c, {}, after_dot=lambda c: time.sleep(6)), [b"r"], b"Z", b"timed out. Possible duplicate!",
        maxsecs=6)

    def slow(c):
        for b in b"220 slow.test\r\n":
            c.sendall(bytes([b]))
            time.sleep(4)
    case("one byte every 4 s, timeoutremote 3", slow, [], b"Z", maxsecs=12)

    def slow_lines(c):
        c.sendall(b"220-slow\r\n")
        for _ in range(10):
            time.sleep(2)
            c.sendall(b"220-slow\r\n")
    case("a reply line every 2 s, timeoutremote 3", slow_lines, [], b"Z", maxsecs=25)

    S.sock.close()


class DNS:
    """A UDP DNS server on 127.0.0.1 that answers by the first label of the name:
    loop (an MX whose name is a compression pointer to itself), trunc (TC set, empty),
    weird (MX names with space, CR, ';', '/' and backquotes), deep (pointers that
    chain forward and back); everything else, and every A/AAAA, is NXDOMAIN."""

    WEIRD = [b"a b.test", b"a\rb.test", b"a;b.test", b"a/b.test", b"a`id`.test",
             b"$(id).test", b"a\nb.test", b"a\0b.test"]

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.queries = []
        threading.Thread(target=self.serve, daemon=True).start()

    @staticmethod
    def label_wire(labels):
        return b"".join(bytes([len(l)]) + l for l in labels) + b"\0"

    def answer(self, q):
        qid, flags = struct.unpack(">HH", q[:4])
        i, labels = 12, []
        while q[i]:
            labels.append(q[i + 1:i + 1 + q[i]])
            i += 1 + q[i]
        qtype, qclass = struct.unpack(">HH", q[i + 1:i + 5])
        question = q[12:i + 5]
        self.queries.append((b".".join(labels), qtype))
        first = labels[0].lower() if labels else b""
        rd = flags & 0x0100

        def head(rcode, an, tc=0):
            return struct.pack(">HHHHHH", qid, 0x8000 | 0x0400 | tc | rd | 0x0080 | rcode, 1,
                               an, 0, 0)
        if qtype != 15 or first not in (b"loop", b"trunc", b"weird", b"deep", b"self"):
            return head(3, 0) + question
        if first == b"trunc":
            return head(0, 0, 0x0200) + question
        if first == b"loop":
            # the answer's owner name is a pointer to itself (offset of the answer)
            off = 12 + len(question)
            rdata = struct.pack(">H", 10) + b"\xc0" + bytes([off & 0xff])
            return head(0, 1) + question + b"\xc0" + bytes([off & 0xff]) + struct.pack(
                ">HHIH", 15, 1, 60, len(rdata)) + rdata
        if first == b"self":
            # the MX target: a label, then a pointer back to that label
            off = 12 + len(question) + 2 + 10 + 2
            rdata = struct.pack(">H", 10) + b"\x01x\xc0" + bytes([off & 0xff])
            return head(0, 1) + question + b"\xc0\x0c" + struct.pack(
                ">HHIH", 15, 1, 60, len(rdata)) + rdata
        if first == b"deep":
            # pointers that point forward into the rdata of the next record
            rrs = b""
            base = 12 + len(question)
            for k in range(8):
                off = base + (k + 1) * 18
                rdata = struct.pack(">H", 10) + b"\x02mx\xc0" + bytes([off & 0xff])
                rrs += b"\xc0\x0c" + struct.pack(">HHIH", 15, 1, 60, len(rdata)) + rdata
            return head(0, 8) + question + rrs
        rrs = b""
        for k, name in enumerate(self.WEIRD):
            rdata = struct.pack(">H", 10 + k) + self.label_wire(name.split(b"."))
            rrs += b"\xc0\x0c" + struct.pack(">HHIH", 15, 1, 60, len(rdata)) + rdata
        return head(0, len(self.WEIRD)) + question + rrs

    def serve(self):
        while True:
            try:
                q, peer = self.sock.recvfrom(4096)
            except OSError:
                return
            try:
                self.sock.sendto(self.answer(q), peer)
            except Exception:
                continue


def dns_cases(P):
    D = DNS()
    P.control("smtproutes", "")
    env = {"QMAIL_DNS_SERVER": "127.0.0.1:%d" % D.port}
    for host, letters in (("loop.test", (b"Z", b"D")), ("self.test", (b"Z", b"D")),
                          ("deep.test", (b"Z", b"D")), ("trunc.test", (b"Z",)),
                          ("weird.test", (b"Z", b"D"))):
        D.queries = []
        rc, recs, secs, peak = remote(P, host, ["u@" + host], env=env, timeout=60)
        R.eq(rc, 0, "DNS %s: qmail-remote exit 0" % host)
        R.ok(recs is not None and len(recs) == 1 and recs[0][0] in letters,
             "DNS %s: one message report, %s" % (host, b"/".join(letters).decode()), recs)
        R.ok(clean(recs), "DNS %s: no CR in the report" % host, recs)
        R.ok(secs < 30, "DNS %s: done in %.1f s" % (host, secs))
        if host == "weird.test" and recs:
            t = recs[0][1]
            R.ok(not any(ch in t for ch in (b"`", b";", b"$(")),
                 "DNS weird.test: the odd names do not reach the report raw", t)
            asked = [q for q, t in D.queries if t in (1, 28)]
            R.ok(not any(any(ch in q for ch in (b" ", b"\r", b"\n", b";", b"`", b"/", b"\0"))
                         for q in asked),
                 "DNS weird.test: no address lookup of a name outside the allow-list", asked)
    D.sock.close()


def remote_all(P):
    server_cases(P)
    dns_cases(P)


def parts(results):
    global R
    R = results
    return [remote_all]
