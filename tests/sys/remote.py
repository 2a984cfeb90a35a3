#!/usr/bin/python3
"""remote.py - qmail-remote, qmail-rspawn, qmail-tcpto and qmail-tcpok, installed in a
private home (qmailtest.Prefix) and run as qmailr against SMTP servers written here,
on loopback addresses with ports of their own: 127.0.0.1 and ::1 only, never any other
address (every domain used is routed by control/smtproutes, and a default route
catches the rest). Each server follows a scenario (its replies, and misbehaviour:
drops, floods, NULs, bare codes, slowness) and records what it received.
Runs as root. Prints ok/FAIL per assertion, then "N passed, N failed"."""

import grp
import os
import pwd
import select
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

TOP = os.environ.get("TOP", os.getcwd())
sys.path.insert(0, os.path.join(TOP, "tests"))
from qmailtest import Listener, Prefix, Results  # noqa: E402

R = Results()
TAG = ""  # prefix of every assertion: which qmail-remote binary is under test


def ok(cond, what, detail=""):
    return R.ok(cond, TAG + what, detail)


def eq(got, want, what):
    return R.eq(got, want, TAG + what)

EHLO_FULL = b"250-sink.test hello\r\n250-PIPELINING\r\n250-SIZE 1000000\r\n250 8BITMIME\r\n"
EHLO_PLAIN = b"250-sink.test hello\r\n250 HELP\r\n"


class Scenario:
    """How a server answers; every field may be changed by a test."""

    def __init__(self, **kw):
        self.greeting = b"220 sink.test ESMTP\r\n"
        self.ehlo = EHLO_FULL
        self.helo = b"250 sink.test\r\n"
        self.mail = b"250 sender ok\r\n"
        self.rcpt = lambda addr: b"250 recipient ok\r\n"
        self.data = b"354 go ahead\r\n"
        self.data_norcpt = b"554 5.5.1 no valid recipients\r\n"  # DATA when none accepted
        self.final = b"250 ok 1234 accepted\r\n"
        self.drop = None     # "greeting", "mail" or "dot": close the connection there
        self.slow = None     # send the greeting one byte every this many seconds
        self.mailwait = 0.3  # seconds to wait after MAIL for pipelined commands
        self.ehlo_again = None  # the reply to a second EHLO on one connection (None: ehlo)
        self.close_after = False  # close the connection after the reply to the dot
        self.unasked = b""  # sent a moment after the reply to the dot
        self.__dict__.update(kw)


class Session:
    """What one connection brought."""

    def __init__(self, family):
        self.family = family
        self.commands = []   # command lines, without CRLF
        self.data = None     # the DATA bytes up to (not including) the final ".\r\n"
        self.batch = None    # lines already waiting right after MAIL (pipelining)
        self.quit = False
        self.dot = False     # the final dot arrived
        self.datas = []      # every transaction's data, in order (data is the last)
        self.eof = False     # the client closed (or reset) the connection


class Sink(Listener):
    """An SMTP server on one loopback address, one thread per connection."""

    def __init__(self, family):
        self.scenario = Scenario()
        self.sessions = []
        self.lock = threading.Lock()
        super().__init__(family)

    def reset(self, **kw):
        with self.lock:
            self.scenario = Scenario(**kw)
            self.sessions = []

    def session(self, c):
        s = Session(self.family)
        with self.lock:
            sc = self.scenario
            self.sessions.append(s)
        c.settimeout(30)
        buf = bytearray()
        accepted = 0

        def line():
            while b"\n" not in buf:
                try:
                    got = c.recv(65536)
                except ConnectionResetError:  # closed with our bytes unread
                    return None
                if not got:
                    return None
                buf.extend(got)
            i = buf.index(b"\n") + 1
            out = bytes(buf[:i])
            del buf[:i]
            return out

        if sc.drop == "greeting":
            return
        if sc.slow:
            for b in sc.greeting:
                c.sendall(bytes([b]))
                time.sleep(sc.slow)
        elif callable(sc.greeting):
            sc.greeting(c)
        else:
            c.sendall(sc.greeting)
        while True:
            ln = line()
            if ln is None:
                s.eof = True
                return
            cmd = ln.rstrip(b"\r\n")
            s.commands.append(cmd)
            verb = cmd[:4].upper()
            if verb == b"EHLO":
                again = sum(x[:4].upper() == b"EHLO" for x in s.commands) > 1
                c.sendall(sc.ehlo_again if again and sc.ehlo_again else sc.ehlo)
            elif verb == b"HELO":
                c.sendall(sc.helo)
            elif verb == b"MAIL":
                time.sleep(sc.mailwait)  # a pipelining client has sent the rest by now
                c.setblocking(False)
                try:
                    while True:
                        got = c.recv(65536)
                        if not got:
                            break
                        buf.extend(got)
                except BlockingIOError:
                    pass
                c.setblocking(True)
                c.settimeout(30)
                s.batch = buf.count(b"\n")
                if sc.drop == "mail":
                    return
                c.sendall(sc.mail)
            elif verb == b"RCPT":
                answer = sc.rcpt(cmd[8:])
                accepted += answer.startswith(b"2")
                c.sendall(answer)
            elif verb == b"DATA":
                answer = sc.data if accepted else sc.data_norcpt
                c.sendall(answer)
                if not answer.startswith(b"354"):
                    continue
                body = bytearray()
                while True:
                    ln = line()
                    if ln is None:
                        s.data = bytes(body)
                        return
                    if ln == b".\r\n":
                        s.dot = True
                        break
                    body.extend(ln)
                s.data = bytes(body)
                s.datas.append(s.data)
                if sc.drop == "dot":
                    return
                c.sendall(sc.final)
                if sc.close_after:
                    return
                if sc.unasked:
                    time.sleep(0.1)
                    c.sendall(sc.unasked)
            elif verb == b"QUIT":
                s.quit = True
                c.sendall(b"221 bye\r\n")
                return
            else:
                c.sendall(b"502 unknown\r\n")


class FakeDNS:
    """A DNS server on 127.0.0.1 (UDP) that answers A, AAAA and MX questions from a
    table; every address in it is a loopback address. Names in servfail get SERVFAIL,
    names missing from the table NXDOMAIN."""

    def __init__(self, zone, servfail=()):
        self.zone = {k.lower(): v for k, v in zone.items()}
        self.servfail = set(n.lower() for n in servfail)
        self.queries = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self.serve, daemon=True).start()

    @staticmethod
    def wire(name):
        out = b""
        for label in name.rstrip(".").split("."):
            if label:
                out += bytes([len(label)]) + label.encode()
        return out + b"\0"

    def answer(self, q):
        qid, flags = struct.unpack(">HH", q[:4])
        i, labels = 12, []
        while q[i]:
            labels.append(q[i + 1:i + 1 + q[i]].decode())
            i += 1 + q[i]
        qtype, qclass = struct.unpack(">HH", q[i + 1:i + 5])
        question = q[12:i + 5]
        name = ".".join(labels).lower()
        self.queries.append((name, qtype))
        rcode, rrs = 0, []
        if name in self.servfail:
            rcode = 2
        elif name not in self.zone:
            rcode = 3
        else:
            for value in self.zone[name].get({1: "A", 28: "AAAA", 15: "MX"}.get(qtype, "?"), []):
                if qtype == 1:
                    rdata = socket.inet_pton(socket.AF_INET, value)
                elif qtype == 28:
                    rdata = socket.inet_pton(socket.AF_INET6, value)
                else:
                    rdata = struct.pack(">H", value[0]) + self.wire(value[1])
                rrs.append(b"\xc0\x0c" + struct.pack(">HHIH", qtype, qclass, 60, len(rdata))
                           + rdata)
        head = struct.pack(">HHHHHH", qid, 0x8000 | 0x0400 | 0x0080 | (flags & 0x0100) | rcode,
                           1, len(rrs), 0, 0)
        return head + question + b"".join(rrs)

    def serve(self):
        while True:
            try:
                q, peer = self.sock.recvfrom(4096)
                self.sock.sendto(self.answer(q), peer)
            except Exception:
                continue


def records(out):
    """qmail-remote's output as [(letter, text)]; None if it is not whole records"""
    if not out.endswith(b"\0"):
        return None
    return [(r[:1].decode(), r[1:].decode("utf-8", "replace")) for r in out[:-1].split(b"\0")]


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


MSG = (b"Received: (qmail 1 invoked by uid 0); 1 Jan 2026 00:00:00 -0000\n"
       b"Subject: transparency\n\n"
       b".starts with a dot\n..two dots\n.\nCRLF line\r\nbare\rCR\n"
       b"8-bit caf\xc3\xa9\n\nlast\n")
WIRE = (b"Received: (qmail 1 invoked by uid 0); 1 Jan 2026 00:00:00 -0000\r\n"
        b"Subject: transparency\r\n\r\n"
        b"..starts with a dot\r\n...two dots\r\n..\r\nCRLF line\r\nbare\r\nCR\r\n"
        b"8-bit caf\xc3\xa9\r\n\r\nlast\r\n")


def main():
    if os.geteuid() != 0:
        ok(False, "remote tests must run as root")
        R.finish()
    global TAG
    P = Prefix("remote")
    if not ok(P.ready, "private install built and checked"):
        R.finish()
    sanbuild = os.path.join(TOP, "build", "san" + P.home.replace("/", "_"))
    try:
        suite(P, P.bin("qmail-remote"), True, None)
        # the same tests against qmail-remote built with ASan and UBSan for this home
        r = subprocess.run(["make", "--no-print-directory", "-j2", "QMAIL=" + P.home, "SAN=1",
                            os.path.relpath(os.path.join(sanbuild, "bin", "qmail-remote"), TOP)],
                           cwd=TOP,
                           capture_output=True)
        if ok(r.returncode == 0, "sanitized qmail-remote built", r.stderr[-2000:]):
            TAG = "san: "
            errs = []
            suite(P, os.path.join(sanbuild, "bin", "qmail-remote"), False, errs)
            ok(not errs, "no sanitizer reports", repr(errs[:3]))
    finally:
        P.cleanup()
        shutil.rmtree(sanbuild, ignore_errors=True)
    R.finish()


def suite(P, binary, full, san):
    """the qmail-remote tests with binary; with full, qmail-rspawn's too; san collects
    anything a sanitized binary wrote on stderr"""
    uid_r = pwd.getpwnam("qmailr").pw_uid
    gid_q = grp.getgrnam("qmail").gr_gid
    uid_q = pwd.getpwnam("qmailq").pw_uid
    s4 = Sink(socket.AF_INET)
    try:
        s6 = Sink(socket.AF_INET6)
    except OSError:
        s6 = None
    dead = closed_port()
    tmp = tempfile.mkdtemp(prefix="qt-remote.")
    os.chmod(tmp, 0o755)

    def routes(extra=""):
        text = ("example.test:127.0.0.1:%d\n"
                "lit.test:[127.0.0.1]:%d\n"
                "refused.test:[127.0.0.1]:%d\n"
                "bad.test:relay:notaport\n" % (s4.port, s4.port, dead))
        if s6:
            text += "v6.test:[::1]:%d\n" % s6.port
            text += "tag6.test:[IPv6:::1]:%d\n" % s6.port
        text += extra
        text += ":[127.0.0.1]:%d\n" % dead  # nothing unrouted ever leaves this host
        P.control("smtproutes", text)

    P.control("me", "me.test\n")
    routes()

    def remote(host, sender, rcpts, msg=MSG, pipe=False, env=None, timeout=60, chan=None):
        path = os.path.join(tmp, "msg")
        with open(path, "wb") as f:
            f.write(msg)
        e = {"PATH": "/usr/bin:/bin", "QMAIL_DNS_SERVER": "127.0.0.1:%d" % dead}
        if san is not None:
            e["ASAN_OPTIONS"] = "detect_leaks=0"
            e["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"
        e.update(env or {})
        argv = [binary, host, sender] + rcpts
        fds = ()
        if chan is not None:  # chan becomes fd 3, as qmail-rspawn's channel is
            argv = ["/usr/bin/python3", "-c", "import os, sys; os.dup2(int(sys.argv[1]), 3); "
                    "os.close(int(sys.argv[1])); os.execv(sys.argv[2], sys.argv[2:])",
                    str(chan)] + argv
            fds = (chan,)
        t0 = time.monotonic()
        if pipe:
            p = subprocess.run(argv, input=msg, capture_output=True, env=e, user=uid_r,
                               group=gid_q, extra_groups=[], timeout=timeout, cwd="/",
                               pass_fds=fds)
        else:
            with open(path, "rb") as f:
                p = subprocess.run(argv, stdin=f, capture_output=True, env=e, user=uid_r,
                                   group=gid_q, extra_groups=[], timeout=timeout, cwd="/",
                                   pass_fds=fds)
        if san is not None and p.stderr:
            san.append((host, p.stderr[-1000:]))
        return p.returncode, records(p.stdout), p.stderr, time.monotonic() - t0

    # --- a plain delivery: envelope, ESMTP parameters, transparency ---
    s4.reset()
    rc, rec, err, _ = remote("example.test", "sender@me.test", ["a@example.test", "b@example.test"])
    eq(rc, 0, "qmail-remote exits 0")
    eq(err, b"", "nothing on stderr")
    ok(rec is not None and len(rec) == 3, "three reports: r, r, message", repr(rec))
    if rec and len(rec) == 3:
        eq([r[0] for r in rec], ["r", "r", "K"], "recipients accepted, message K")
        eq(rec[2][1], "127.0.0.1 accepted message.\nRemote host said: 250 ok 1234 accepted\n",
           "K text names the address and quotes the reply")
    ok(len(s4.sessions) == 1, "one connection")
    if s4.sessions:
        se = s4.sessions[0]
        eq(se.commands[0], b"EHLO me.test", "EHLO with control/me")
        eq(se.commands[1], b"MAIL FROM:<sender@me.test> SIZE=%d BODY=8BITMIME" % (len(WIRE) - 3),
           "MAIL with SIZE (CRLF, no stuffed dots) and BODY=8BITMIME for an 8-bit message")
        eq(se.commands[2:5], [b"RCPT TO:<a@example.test>", b"RCPT TO:<b@example.test>", b"DATA"],
           "RCPT per recipient, then DATA")
        eq(se.data, WIRE, "message bytes: CRLF, dot-stuffed, bare CR as CRLF, 8-bit kept")
        eq(se.batch, 3, "PIPELINING: RCPT, RCPT and DATA sent with MAIL in one batch")
        time.sleep(0.2)
        ok(se.quit, "QUIT sent at the end")
        ok(b"\r" not in se.data.replace(b"\r\n", b"") and b"\n" not in se.data.replace(b"\r\n", b""),
           "no lone CR or LF on the wire")

    # helohost wins over me; a quoted local part; the null sender
    P.control("helohost", "helo.test\n")
    s4.reset(ehlo=EHLO_PLAIN)
    rc, rec, _, _ = remote("example.test", "", ["a b@example.test"], msg=b"7-bit\n")
    ok(rec is not None and [r[0] for r in rec] == ["r", "K"], "plain ESMTP delivery", repr(rec))
    if s4.sessions:
        se = s4.sessions[0]
        eq(se.commands[0], b"EHLO helo.test", "EHLO with control/helohost")
        eq(se.commands[1], b"MAIL FROM:<>", "null sender; no SIZE or BODY when not offered")
        eq(se.commands[2], b'RCPT TO:<"a b"@example.test>', "local part quoted")
        eq(se.batch, 0, "no PIPELINING offered: one command at a time")
        eq(se.data, b"7-bit\r\n", "message bytes")
    os.unlink(P.path("control", "helohost"))

    # 7-bit message: SIZE but no BODY
    s4.reset()
    rc, rec, _, _ = remote("example.test", "s@me.test", ["a@example.test"], msg=b"hello\n.\n")
    if s4.sessions:
        eq(s4.sessions[0].commands[1], b"MAIL FROM:<s@me.test> SIZE=10",
           "7-bit message: SIZE only")
        eq(s4.sessions[0].data, b"hello\r\n..\r\n", "a lone dot line is stuffed")

    # from a pipe: no SIZE (unknown), BODY=8BITMIME declared when offered
    s4.reset()
    rc, rec, _, _ = remote("example.test", "s@me.test", ["a@example.test"], pipe=True)
    ok(rec is not None and rec[-1][0] == "K", "delivery with the message on a pipe", repr(rec))
    if s4.sessions:
        eq(s4.sessions[0].commands[1], b"MAIL FROM:<s@me.test> BODY=8BITMIME",
           "pipe: no SIZE, BODY=8BITMIME")
        eq(s4.sessions[0].data, WIRE, "pipe: same bytes on the wire")

    # --- EHLO refused: HELO ---
    s4.reset(ehlo=b"500 what is EHLO\r\n")
    rc, rec, _, _ = remote("example.test", "s@me.test", ["a@example.test"])
    ok(rec is not None and rec[-1][0] == "K", "EHLO refused: HELO, delivered", repr(rec))
    if s4.sessions:
        se = s4.sessions[0]
        eq(se.commands[:3], [b"EHLO me.test", b"HELO me.test", b"MAIL FROM:<s@me.test>"],
           "HELO after EHLO 500; MAIL without ESMTP parameters")
        eq(se.batch, 0, "no pipelining after HELO")
    s4.reset(ehlo=b"502 no\r\n", helo=b"550 go away\r\n")
    rc, rec, _, _ = remote("example.test", "s@me.test", ["a@example.test"])
    ok(rec is not None and len(rec) == 1 and rec[0][0] == "Z"
       and "my name was rejected" in rec[0][1] and "550 go away" in rec[0][1],
       "HELO refused too: Z with the reply", repr(rec))
    s4.reset(ehlo=b"421 busy\r\n")
    rc, rec, _, _ = remote("example.test", "s@me.test", ["a@example.test"])
    ok(rec is not None and rec[0][0] == "Z" and len(s4.sessions) == 1
       and s4.sessions[0].commands[:1] == [b"EHLO me.test"]
       and b"HELO me.test" not in s4.sessions[0].commands, "EHLO 421: Z, no HELO", repr(rec))
    s4.reset(greeting=b"554 no service here\r\n")
    rc, rec, _, _ = remote("example.test", "s@me.test", ["a@example.test"])
    ok(rec is not None and rec == [("Z", "Connected to 127.0.0.1 but the greeting failed.\n"
                                         "Remote host said: 554 no service here\n")],
       "greeting 554: Z with the reply", repr(rec))

    # --- per-recipient results ---
    def mixed(addr):
        if addr.startswith(b"<perm"):
            return b"550 5.1.1 no such user\r\n"
        if addr.startswith(b"<temp"):
            return b"451-4.2.1 over quota\r\n451 4.2.1 try later\r\n"
        return b"250 ok\r\n"
    for pipelining in (True, False):
        tag = "pipelined" if pipelining else "one by one"
        s4.reset(rcpt=mixed, ehlo=EHLO_FULL if pipelining else EHLO_PLAIN)
        rc, rec, _, _ = remote("example.test", "s@me.test",
                               ["ok@example.test", "perm@example.test", "temp@example.test"])
        ok(rec is not None and [r[0] for r in rec] == ["r", "h", "s", "K"],
           tag + ": r, h, s, then K", repr(rec))
        if rec and len(rec) == 4:
            eq(rec[1][1], "127.0.0.1 does not like recipient.\n"
                          "Remote host said: 550 5.1.1 no such user\n", tag + ": h text")
            eq(rec[2][1], "127.0.0.1 does not like recipient.\nRemote host said: "
                          "451-4.2.1 over quota\n451 4.2.1 try later\n",
               tag + ": s text keeps a multi-line reply")
        s4.reset(rcpt=mixed, ehlo=EHLO_FULL if pipelining else EHLO_PLAIN)
        rc, rec, _, _ = remote("example.test", "s@me.test",
                               ["perm@example.test", "temp@example.test"])
        ok(rec is not None and [r[0] for r in rec] == ["h", "s", "D"]
           and rec[2][1] == "Giving up on 127.0.0.1.\n", tag + ": nobody accepted: D", repr(rec))
        if s4.sessions:
            cmds = s4.sessions[0].commands
            eq(b"DATA" in cmds, pipelining, tag + ": DATA sent only when pipelined")
            eq(s4.sessions[0].data, None, tag + ": no message sent")
    # RFC 2920: a server that takes DATA with no recipient gets an empty message
    s4.reset(rcpt=mixed, data_norcpt=b"354 go\r\n", final=b"554 no recipients\r\n")
    rc, rec, _, _ = remote("example.test", "s@me.test", ["perm@example.test"])
    ok(rec is not None and [r[0] for r in rec] == ["h", "D"], "DATA 354 with nobody accepted: D",
       repr(rec))
    time.sleep(0.1)
    ok(len(s4.sessions) == 1 and s4.sessions[0].data == b"" and s4.sessions[0].dot
       and s4.sessions[0].quit, "DATA 354 with nobody accepted: a lone dot, then QUIT")

    # --- MAIL, DATA and final replies ---
    cases = [
        (dict(mail=b"451 4.3.0 try later\r\n", data=b"503 no\r\n"), "Z",
         "sender was rejected", []),
        (dict(mail=b"553 5.1.8 bad sender\r\n", data=b"503 no\r\n"), "D",
         "sender was rejected", []),
        (dict(mail=b"553\r\n", data=b"503 no\r\n", ehlo=EHLO_PLAIN), "D",
         "Remote host said: 553\n", []),
        (dict(data=b"451 not now\r\n", ehlo=EHLO_PLAIN), "Z", "failed on DATA command", ["r"]),
        (dict(data=b"554 never\r\n", ehlo=EHLO_PLAIN), "D", "failed on DATA command", ["r"]),
        (dict(final=b"452 4.3.1 disk full\r\n"), "Z", "failed after I sent the message", ["r"]),
        (dict(final=b"554 5.7.1 spam\r\n"), "D", "Remote host said: 554 5.7.1 spam", ["r"]),
    ]
    for kw, letter, text, rcpt in cases:
        what = ", ".join("%s %r" % (k, v) for k, v in kw.items() if k != "ehlo")
        s4.reset(**kw)
        rc, rec, _, _ = remote("example.test", "s@me.test", ["a@example.test"])
        ok(rec is not None and [r[0] for r in rec] == rcpt + [letter] and text in rec[-1][1],
           "%s: %s" % (what, letter), repr(rec))
        if s4.sessions:
            time.sleep(0.1)
            ok(s4.sessions[0].quit, "%s: QUIT sent" % what)
    # a bare 553 to MAIL while pipelining: the RCPT and DATA replies are read too, and the
    # report quotes MAIL's reply; a server that even accepts DATA gets no QUIT
    for data, quit in ((b"503 no\r\n", True), (b"354 go\r\n", False)):
        s4.reset(mail=b"553\r\n", data=data)
        rc, rec, _, _ = remote("example.test", "s@me.test", ["a@example.test", "b@example.test"])
        ok(rec == [("D", "Connected to 127.0.0.1 but the sender was rejected.\n"
                         "Remote host said: 553\n")],
           "pipelined MAIL refused, DATA %r: D with MAIL's reply, no recipient reports" % data,
           repr(rec))
        time.sleep(0.1)
        ok(len(s4.sessions) == 1 and s4.sessions[0].quit == quit,
           "pipelined MAIL refused, DATA %r: QUIT %s" % (data, "sent" if quit else "not sent"))

    # --- lost connections ---
    s4.reset(drop="dot")
    rc, rec, _, _ = remote("example.test", "s@me.test", ["a@example.test"])
    ok(rec is not None and [r[0] for r in rec] == ["r", "Z"] and "Possible duplicate!" in rec[-1][1]
       and "(#4.4.2)" in rec[-1][1], "dropped after the dot: Z, possible duplicate", repr(rec))
    s4.reset(drop="mail")
    rc, rec, _, _ = remote("example.test", "s@me.test", ["a@example.test"])
    ok(rec is not None and len(rec) == 1 and rec[0][0] == "Z"
       and "Possible duplicate" not in rec[0][1] and "(#4.4.2)" in rec[0][1],
       "dropped after MAIL: Z, no duplicate", repr(rec))
    s4.reset(drop="greeting")
    rc, rec, _, _ = remote("example.test", "s@me.test", ["a@example.test"])
    ok(rec is not None and rec[0][0] == "Z" and "(#4.4.2)" in rec[0][1],
       "closed before the greeting: Z", repr(rec))

    # --- hostile replies ---
    def flood(c):
        c.sendall(b"220-hello\r\n" + b"220-flood flood flood\r\n" * 100000 + b"220 done\r\n")
    s4.reset(greeting=flood)
    rc, rec, _, took = remote("example.test", "s@me.test", ["a@example.test"])
    ok(rec is not None and len(rec) == 1 and rec[0][0] == "Z" and "too many lines" in rec[0][1],
       "100000 continuation lines: Z", repr(rec))
    ok(took < 20, "flood handled quickly", "%.1fs" % took)
    s4.reset(greeting=b"220 hello\0world\r\n")
    rc, rec, _, _ = remote("example.test", "s@me.test", ["a@example.test"])
    ok(rec is not None and rec[0][0] == "Z" and "malformed reply" in rec[0][1],
       "NUL in a reply: Z", repr(rec))
    s4.reset(greeting=b"220 " + b"x" * 100000 + b"\r\n")
    rc, rec, _, _ = remote("example.test", "s@me.test", ["a@example.test"])
    ok(rec is not None and rec[0][0] == "Z" and "too long" in rec[0][1],
       "over-long reply line: Z", repr(rec))
    s4.reset(ehlo=b"250-ok\r\n251 changed code\r\n")
    rc, rec, _, _ = remote("example.test", "s@me.test", ["a@example.test"])
    ok(rec is not None and rec[0][0] == "Z" and "malformed" in rec[0][1],
       "code changes inside a reply: Z", repr(rec))
    long_text = b"250-" + b"y" * 2000 + b"\r\n"
    s4.reset(final=long_text * 4 + b"250 end\r\n")
    rc, rec, _, _ = remote("example.test", "s@me.test", ["a@example.test"])
    ok(rec is not None and rec[-1][0] == "K" and len(rec[-1][1]) < 5200,
       "long final reply: K, text cut near 5000 bytes", "%d" % len(rec[-1][1]) if rec else "")
    P.control("timeoutremote", "2\n")
    s4.reset(slow=1.0)
    rc, rec, _, took = remote("example.test", "s@me.test", ["a@example.test"])
    ok(rec is not None and rec[0][0] == "Z" and "timed out" in rec[0][1],
       "one byte a second, timeoutremote 2: Z timed out", repr(rec))
    ok(took < 6, "the whole reply has a deadline, not only each read", "%.1fs" % took)
    os.unlink(P.path("control", "timeoutremote"))

    # --- connecting ---
    rc, rec, _, took = remote("refused.test", "s@me.test", ["a@refused.test"])
    ok(rec is not None and len(rec) == 1 and rec[0][0] == "Z" and "(#4.4.1)" in rec[0][1]
       and "connection refused" in rec[0][1], "connection refused: Z #4.4.1", repr(rec))
    if s6:
        for dom in ("v6.test", "tag6.test"):
            s6.reset()
            rc, rec, _, _ = remote(dom, "s@me.test", ["a@" + dom])
            ok(rec is not None and rec[-1] == ("K", "::1 accepted message.\nRemote host said: "
                                                    "250 ok 1234 accepted\n"),
               "IPv6 route %s: K from ::1" % dom, repr(rec))
            ok(len(s6.sessions) == 1 and s6.sessions[0].data == WIRE,
               "IPv6 route %s: message bytes" % dom)
    else:
        ok(True, "no ::1 here: IPv6 route not tested")
    s4.reset()
    rc, rec, _, _ = remote("lit.test", "s@me.test", ["a@lit.test"])
    ok(rec is not None and rec[-1][0] == "K", "route to a bracketed IPv4 address", repr(rec))
    P.control("smtproutes", "")  # no default route: literals are used as they are
    for dom in ("[127.0.0.1]", "[IPv6:::1]", "127.0.0.1"):
        rc, rec, _, _ = remote(dom, "s@me.test", ["a@" + dom])
        ok(rec is not None and len(rec) == 1 and rec[0][0] == "D" and "(#5.4.6)" in rec[0][1],
           "address literal %s is this host: D #5.4.6" % dom, repr(rec))
    routes()

    # --- envelope and message checks before connecting ---
    s4.reset()
    rc, rec, _, _ = remote("example.test", "s@me.test", ["a@example.test"], msg=b"no newline")
    ok(rec is not None and rec == [("D", "The message does not end with a line feed, and SMTP "
                                         "cannot send a partial final line. (#5.6.2)\n")],
       "partial final line: D #5.6.2", repr(rec))
    eq(len(s4.sessions), 0, "partial final line: no connection at all")
    rc, rec, _, _ = remote("example.test", "s@me.test", ["a@example.test"], msg=b"x\nno newline",
                           pipe=True)
    ok(rec is not None and rec[-1][0] == "D" and "(#5.6.2)" in rec[-1][1],
       "partial final line from a pipe: D #5.6.2", repr(rec))
    time.sleep(0.2)
    ok(len(s4.sessions) == 1 and s4.sessions[0].data is not None
       and not s4.sessions[0].dot and not s4.sessions[0].quit,
       "from a pipe: the connection is dropped without the final dot or QUIT",
       repr([(x.data, x.dot, x.quit, x.commands) for x in s4.sessions]))
    s4.reset()
    rc, rec, _, _ = remote("example.test", "s@me.test\r\nRCPT TO:<x@y>", ["a@example.test"])
    ok(rec is not None and rec[0][0] == "D" and "(#5.1.7)" in rec[0][1] and not s4.sessions,
       "sender with a line break: D, no connection", repr(rec))
    rc, rec, _, _ = remote("example.test", "s@me.test", ["a@example.test\r\nDATA", "b@example.test"])
    ok(rec is not None and [r[0] for r in rec] == ["h", "r", "K"],
       "recipient with a line break: h, the others delivered", repr(rec))
    if s4.sessions:
        ok(all(b"DATA\r" not in c for c in s4.sessions[0].commands), "line break never sent")
    s4.reset()
    rc, rec, _, _ = remote("example.test", "s@me.test",
                           ["x@y z", "q@a\"b", "t@example.test.", "b@example.test"])
    ok(rec is not None and [r[0] for r in rec] == ["h", "h", "h", "r", "K"]
       and all("invalid domain. (#5.1.3)" in r[1] for r in rec[:3]),
       "recipients with a space, a quote or a final dot in the domain: h #5.1.3, the "
       "other delivered", repr(rec))
    if s4.sessions:
        eq([c for c in s4.sessions[0].commands if c.startswith(b"RCPT")],
           [b"RCPT TO:<b@example.test>"], "invalid domains never sent")

    # --- configuration ---
    rc, rec, _, _ = remote("bad.test", "s@me.test", ["a@bad.test"])
    ok(rec is not None and rec[0][0] == "Z" and "(#4.3.5)" in rec[0][1]
       and "bad.test:relay:notaport" in rec[0][1], "malformed smtproutes entry: Z", repr(rec))
    os.unlink(P.path("control", "me"))
    rc, rec, _, _ = remote("example.test", "s@me.test", ["a@example.test"])
    ok(rec is not None and rec[0][0] == "Z" and "helohost" in rec[0][1],
       "neither helohost nor me: Z", repr(rec))
    P.control("me", "me.test\n")
    p = subprocess.run([binary, "example.test", "s@me.test"], capture_output=True,
                       user=uid_r, group=gid_q, extra_groups=[], stdin=subprocess.DEVNULL)
    ok(p.returncode == 0 and p.stdout.startswith(b"D") and b"(#5.3.5)" in p.stdout,
       "usage error: D report, exit 0", repr(p.stdout))

    dns_tests(P, s4, s6, remote, routes)
    tcpto_tests(P, s4, remote, uid_r, gid_q)
    routes()
    cache_tests(s4, remote)
    if full:
        rspawn_tests(P, s4, dead, uid_q, tmp)
    shutil.rmtree(tmp, ignore_errors=True)


def dns_tests(P, s4, s6, remote, routes):
    zone = {
        "smarthost.test": {"A": ["127.0.0.1"]},
        "smarthost6.test": {"AAAA": ["::1"]},
        "nodata.test": {},
        "nullmx.test": {"MX": [(0, ".")]},
        "selfmx.test": {"MX": [(10, "mx1.selfmx.test")]},
        "mx1.selfmx.test": {"A": ["127.0.0.1"]},
        "mixed.test": {"MX": [(20, "other.mixed.test"), (10, "me.mixed.test")]},
        "me.mixed.test": {"A": ["127.0.0.1"]},
        "other.mixed.test": {"AAAA": ["::1"]},
        "amx.test": {"A": ["127.0.0.1"], "AAAA": ["::1"]},
        "mxfail.test": {"MX": [(10, "fail.test")]},
        "mxnx.test": {"MX": [(10, "nx2.test")]},
    }
    dns = FakeDNS(zone, servfail=["fail.test"])
    env = {"QMAIL_DNS_SERVER": "127.0.0.1:%d" % dns.port}
    text = ("relayed.test:smarthost.test:%d\n"
            "missing.test:nosuchrelay.test:%d\n" % (s4.port, s4.port))
    if s6:
        text += "relayed6.test:smarthost6.test:%d\n" % s6.port
    P.control("smtproutes", text)  # no default route: the rest goes by MX
    s4.reset()
    rc, rec, _, _ = remote("relayed.test", "s@me.test", ["a@relayed.test"], env=env)
    ok(rec is not None and rec[-1][0] == "K" and len(s4.sessions) == 1,
       "route to a relay name: its A record, delivered", repr(rec))
    ok(("smarthost.test", 1) in dns.queries, "the relay's A record was asked for")
    ok(not any(q[1] == 15 for q in dns.queries), "no MX lookup with a route")
    if s6:
        s6.reset()
        rc, rec, _, _ = remote("relayed6.test", "s@me.test", ["a@relayed6.test"], env=env)
        ok(rec is not None and rec[-1][0] == "K" and rec[-1][1].startswith("::1 accepted")
           and len(s6.sessions) == 1, "route to a relay with only AAAA: delivered over IPv6",
           repr(rec))
    rc, rec, _, _ = remote("missing.test", "s@me.test", ["a@missing.test"], env=env)
    ok(rec is not None and rec[0][0] == "Z" and "(#4.3.5)" in rec[0][1],
       "relay name that does not exist: Z #4.3.5 (fix the route, keep the mail)", repr(rec))
    cases = [
        ("nx.test", "D", "(#5.1.2)", "no such domain"),
        ("fail.test", "Z", "(#4.1.2)", "SERVFAIL"),
        ("nodata.test", "D", "(#5.4.4)", "neither MX nor address"),
        ("nullmx.test", "D", "(#5.1.10)", "null MX"),
        ("selfmx.test", "D", "(#5.4.6)", "the only MX is this host"),
        ("mixed.test", "D", "(#5.4.6)", "the best MX is this host"),
        ("amx.test", "D", "(#5.4.6)", "no MX, the A record is this host"),
        ("mxfail.test", "Z", "(#4.1.2)", "the MX host's address lookup fails"),
        ("mxnx.test", "D", "(#5.4.4)", "the MX host does not exist"),
        ("bad..name", "D", "(#5.1.2)", "not a valid domain name"),
    ]
    for dom, letter, code, what in cases:
        dns.queries = []
        s4.reset()
        rc, rec, _, _ = remote(dom, "s@me.test", ["a@" + dom], env=env)
        ok(rec is not None and len(rec) == 1 and rec[0][0] == letter and code in rec[0][1],
           "%s (%s): %s %s" % (dom, what, letter, code), repr(rec))
        ok(not s4.sessions, "%s: no connection" % dom)
    routes()


def tcpto_tests(P, s4, remote, uid_r, gid_q):
    table = P.path("queue", "lock", "tcpto")
    st = os.stat(table)
    eq(st.st_size, 1024, "tcpto installed as 1024 bytes")

    def write_record(off, addr, count, when):
        with open(table, "r+b") as f:
            f.seek(off)
            f.write(addr + bytes([count]) + bytes(3 if len(addr) == 4 else 7) +
                    struct.pack("<Q", when))

    now = int(time.time())
    write_record(0, socket.inet_pton(socket.AF_INET, "127.0.0.1"), 2, now - 10)
    out = subprocess.run([P.bin("qmail-tcpto")], capture_output=True)
    ok(out.returncode == 0 and out.stdout.startswith(b"127.0.0.1 timed out 1")
       and out.stdout.endswith(b"seconds ago; # recent timeouts: 2\n"),
       "qmail-tcpto prints an IPv4 record", repr(out.stdout))
    s4.reset()
    rc, rec, _, took = remote("example.test", "s@me.test", ["a@example.test"])
    ok(rec is not None and rec[0][0] == "Z" and "(#4.4.1)" in rec[0][1] and not s4.sessions,
       "an address with 2 recent timeouts is skipped: Z #4.4.1, no connection", repr(rec))
    write_record(0, socket.inet_pton(socket.AF_INET, "127.0.0.1"), 2, now - 100 * 64)
    rc, rec, _, _ = remote("example.test", "s@me.test", ["a@example.test"])
    ok(rec is not None and rec[-1][0] == "K", "old timeouts: tried again, delivered", repr(rec))
    with open(table, "rb") as f:
        eq(f.read(16)[4], 0, "a successful connect clears the count")
    write_record(1024, socket.inet_pton(socket.AF_INET6, "2001:db8::7"), 3, now - 5)
    out = subprocess.run([P.bin("qmail-tcpto")], capture_output=True)
    ok(b"2001:db8::7 timed out " in out.stdout and b"# recent timeouts: 3\n" in out.stdout,
       "qmail-tcpto prints an IPv6 record", repr(out.stdout))
    out = subprocess.run([P.bin("qmail-tcpok")], capture_output=True, user=uid_r, group=gid_q,
                         extra_groups=[])
    eq(out.returncode, 0, "qmail-tcpok as qmailr exits 0")
    with open(table, "rb") as f:
        data = f.read()
    ok(data == bytes(1024), "qmail-tcpok leaves 1024 zero bytes", "%d bytes" % len(data))
    out = subprocess.run([P.bin("qmail-tcpto")], capture_output=True)
    eq(out.stdout, b"", "qmail-tcpto prints nothing for an empty table")

    # a connect timeout is counted: a listener whose backlog is full drops our SYN
    full = socket.socket()
    full.bind(("127.0.0.1", 0))
    full.listen(0)
    port = full.getsockname()[1]
    fillers = []
    for _ in range(4):
        c = socket.socket()
        c.setblocking(False)
        try:
            c.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        fillers.append(c)
    time.sleep(0.2)
    P.control("smtproutes", "slow.test:127.0.0.1:%d\n:[127.0.0.1]:%d\n" % (port, port))
    P.control("timeoutconnect", "1\n")
    rc, rec, _, took = remote("slow.test", "s@me.test", ["a@slow.test"])
    ok(rec is not None and rec[0][0] == "Z" and "(#4.4.1)" in rec[0][1]
       and "timed out" in rec[0][1], "connect timeout: Z #4.4.1", repr(rec))
    ok(took < 10, "timeoutconnect 1 is honoured", "%.1fs" % took)
    with open(table, "rb") as f:
        rec0 = f.read(16)
    ok(rec0[:4] == bytes([127, 0, 0, 1]) and rec0[4] == 1, "the timeout is counted in tcpto",
       repr(rec0))
    os.unlink(P.path("control", "timeoutconnect"))
    for c in fillers:
        c.close()
    full.close()


def kept_run(remote, give=None, env=True):
    """one qmail-remote run to example.test with a channel on fd 3 (qmail-rspawn's
    side of it is ours): give, a socket or a descriptor, waits in it first. (reports, the socket it
    handed back or None)"""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        if isinstance(give, int):
            socket.send_fds(ours, [b"F"], [give])
        elif give is not None:
            socket.send_fds(ours, [b"F"], [give.fileno()])
            give.close()
        _, rec, _, _ = remote("example.test", "s@me.test", ["a@example.test"], chan=theirs.fileno(),
                              env={"QMAILREMOTECACHE": "3"} if env else {})
        theirs.close()
        ours.setblocking(False)
        try:
            _, fds, _, _ = socket.recv_fds(ours, 1, 2)
        except BlockingIOError:
            fds = []
        back = socket.socket(fileno=fds[0]) if len(fds) == 1 else None
        for fd in fds[1:]:
            os.close(fd)
        return rec, back
    finally:
        ours.close()
        theirs.close()


def cache_tests(s4, remote):
    """a connection kept between runs (qmail-remote's fd 3, $QMAILREMOTECACHE)"""
    def delivered(rec):
        return rec is not None and [r[0] for r in rec] == ["r", "K"]

    s4.reset(mailwait=0)
    rec, back = kept_run(remote)
    ok(delivered(rec) and back is not None, "kept: the connection is handed back on fd 3",
       repr(rec))
    ok(len(s4.sessions) == 1 and not s4.sessions[0].quit, "kept: no QUIT on it")
    if back is not None:
        eq(back.getpeername()[1], s4.port, "kept: it is the connection to the server")
        rec, back2 = kept_run(remote, back)
        ok(delivered(rec) and back2 is not None and "127.0.0.1 accepted message" in rec[-1][1],
           "kept: the next run delivers over it and hands it back", repr(rec))
        ok(len(s4.sessions) == 1 and s4.sessions[0].datas == [WIRE, WIRE],
           "kept: one connection, two transactions",
           repr([(x.commands, len(x.datas)) for x in s4.sessions]))
        if s4.sessions:
            eq([c for c in s4.sessions[0].commands if c.startswith(b"EHLO")],
               [b"EHLO me.test"] * 2, "kept: EHLO again on the kept connection")
        if back2 is not None:
            back2.close()

    # a kept connection the server has closed: a new one, the same delivery
    s4.reset(mailwait=0, close_after=True)
    rec, back = kept_run(remote)
    ok(back is not None, "closing server: the connection is handed back")
    time.sleep(0.2)
    rec, back2 = kept_run(remote, back)
    ok(delivered(rec) and len(s4.sessions) == 2 and s4.sessions[1].datas == [WIRE],
       "kept connection closed by the server: delivered over a new one", repr(rec))
    if back2 is not None:
        back2.close()

    # a second EHLO refused: a new connection
    s4.reset(mailwait=0, ehlo_again=b"421 4.3.2 closing\r\n")
    rec, back = kept_run(remote)
    rec, back2 = kept_run(remote, back)
    ok(delivered(rec) and len(s4.sessions) == 2 and s4.sessions[0].datas == [WIRE]
       and s4.sessions[1].datas == [WIRE],
       "kept connection answering EHLO with 421: delivered over a new one", repr(rec))
    if back2 is not None:
        back2.close()

    # a kept connection the server has spoken on unasked: not used
    s4.reset(mailwait=0, unasked=b"250 stray\r\n")
    rec, back = kept_run(remote)
    time.sleep(0.3)
    rec, back2 = kept_run(remote, back)
    ok(delivered(rec) and len(s4.sessions) == 2 and s4.sessions[1].datas == [WIRE]
       and [c for c in s4.sessions[0].commands if c.startswith(b"EHLO")] == [b"EHLO me.test"],
       "kept connection with an unasked reply waiting: not used, a new one", repr(rec))
    if back2 is not None:
        back2.close()

    # something that is no connection waits on fd 3: ignored
    s4.reset(mailwait=0)
    r, w = os.pipe()
    rec, back = kept_run(remote, w)
    os.close(r)
    os.close(w)
    ok(delivered(rec) and len(s4.sessions) == 1,
       "a pipe instead of a connection on fd 3: ignored, delivered", repr(rec))
    if back is not None:
        back.close()

    # without $QMAILREMOTECACHE, fd 3 is not ours: QUIT as ever
    s4.reset(mailwait=0)
    rec, back = kept_run(remote, env=False)
    end = time.monotonic() + 5
    while not (s4.sessions and s4.sessions[0].quit) and time.monotonic() < end:
        time.sleep(0.05)  # QUIT is never waited for: the server may read it later
    ok(delivered(rec) and back is None and len(s4.sessions) == 1 and s4.sessions[0].quit,
       "without QMAILREMOTECACHE: nothing handed back, QUIT", repr(rec))


def kept_rspawn_tests(s4, start, cmd, reports):
    """qmail-rspawn keeps a connection qmail-remote hands back for the next delivery
    to the domain (keep.h: 2 s idle, 100 deliveries)"""
    def in_a_row(p, n):
        letters = []
        for _ in range(n):
            cmd(p, 0, b"0/4242", b"s@me.test", b"ok@example.test")
            letters.append(reports(p, 1).get(0, ("?", ""))[0])
        return letters

    def until(cond, limit=10):
        end = time.monotonic() + limit
        while not cond() and time.monotonic() < end:
            time.sleep(0.05)
        return cond()

    s4.reset(mailwait=0)
    p = start()
    os.read(p.stdout.fileno(), 1)
    eq(in_a_row(p, 3), ["K"] * 3, "kept: three deliveries in a row, each K")
    ok(len(s4.sessions) == 1 and len(s4.sessions[0].datas) == 3 and not s4.sessions[0].quit,
       "kept: all three over one connection, still open",
       repr([(len(x.datas), x.quit) for x in s4.sessions]))
    t0 = time.monotonic()
    ok(until(lambda: s4.sessions[0].quit), "kept: QUIT once it has been idle")
    ok(1.5 < time.monotonic() - t0 < 5, "kept: idle for about 2 s first",
       "%.2f s" % (time.monotonic() - t0))

    s4.reset(mailwait=0)
    eq(in_a_row(p, 101), ["K"] * 101, "kept: 101 deliveries in a row, each K")
    ok(len(s4.sessions) == 2 and len(s4.sessions[0].datas) == 100 and s4.sessions[0].quit
       and len(s4.sessions[1].datas) == 1,
       "kept: a connection carries 100 deliveries, then QUIT and a new one",
       repr([(len(x.datas), x.quit) for x in s4.sessions]))

    before = s4.sessions
    ok(until(lambda: len(before) == 2 and before[1].quit), "kept: the second one ends idle")
    s4.reset(mailwait=0, close_after=True)
    eq(in_a_row(p, 3), ["K"] * 3, "kept: a server that closes after each message: each K")
    eq(len(s4.sessions), 3, "kept: a new connection each time")

    # a kept connection the server speaks on while idle is closed at once, without QUIT
    s4.reset(mailwait=0, unasked=b"421 4.4.2 idle too long\r\n")
    eq(in_a_row(p, 1), ["K"], "kept: a delivery to a server that will speak unasked")
    ok(until(lambda: s4.sessions and s4.sessions[0].eof, 1.5) and not s4.sessions[0].quit,
       "kept: closed without QUIT once the server speaks unasked, before its 2 s",
       repr([(x.eof, x.quit, len(x.datas)) for x in s4.sessions]))

    # at most KEEP_MAX (64) kept at once: the 65th makes the one nearest its end go
    s4.reset(mailwait=0)
    for i in range(65):
        cmd(p, i, b"0/4242", b"s@me.test", b"ok@d%d.many.test" % i)
    got = reports(p, 65)
    eq(sorted(v[0] for v in got.values()), ["K"] * 65, "kept: 65 domains at once, each K")
    until(lambda: sum(x.quit for x in s4.sessions) >= 1, 1)
    time.sleep(0.2)
    eq((len(s4.sessions), sum(x.quit for x in s4.sessions)), (65, 1),
       "kept: 65 connections handed back, 64 kept, one QUIT at once")
    ok(until(lambda: all(x.quit for x in s4.sessions), 5), "kept: the 64 get QUIT once idle")

    s4.reset(mailwait=0)
    eq(in_a_row(p, 1), ["K"], "kept: one more delivery")
    p.stdin.close()
    eq(p.wait(30), 0, "kept: qmail-rspawn exits 0 when its input closes")
    ok(until(lambda: s4.sessions and s4.sessions[0].quit, 5),
       "kept: the connection gets QUIT when qmail-rspawn ends")


def rspawn_tests(P, s4, dead, uid_q, tmp):
    P.control("smtproutes", "example.test:127.0.0.1:%d\n.many.test:127.0.0.1:%d\n"
              ":[127.0.0.1]:%d\n" % (s4.port, s4.port, dead))
    table = P.path("queue", "lock", "tcpto")
    with open(table, "r+b") as f:
        f.write(bytes([192, 0, 2, 1, 2]) + bytes(3) + struct.pack("<Q", int(time.time())))
        f.seek(1024)
        f.write(bytes(16) + bytes([1]) + bytes(15))
    mess = P.path("queue", "mess", "0")
    msgpath = os.path.join(mess, "4242")
    with open(msgpath, "wb") as f:
        f.write(MSG)
    os.chown(msgpath, uid_q, -1)
    rootmsg = os.path.join(mess, "4343")
    with open(rootmsg, "wb") as f:
        f.write(MSG)

    def start(env=None):
        e = {"PATH": "/usr/bin:/bin", "QMAIL_DNS_SERVER": "127.0.0.1:%d" % dead}
        e.update(env or {})
        p = subprocess.Popen([P.bin("qmail-rspawn")], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=e, cwd="/")
        return p

    def cmd(p, slot, path, sender, rcpt):
        # beyond qmail: a list of recipients ended by an empty one
        p.stdin.write(bytes([slot]) + path + b"\0" + sender + b"\0" + rcpt + b"\0\0")
        p.stdin.flush()

    def reports(p, n, timeout=30):
        """read n reports: {slot: (letter, text)}"""
        got = {}
        data = b""
        end = time.monotonic() + timeout
        while len(got) < n and time.monotonic() < end:
            r, _, _ = select.select([p.stdout], [], [], max(0, end - time.monotonic()))
            if not r:
                break
            chunk = os.read(p.stdout.fileno(), 65536)
            if not chunk:
                break
            data += chunk
            # slot byte, status letter, text, NUL (the slot byte may itself be 0)
            while len(data) >= 3 and b"\0" in data[2:]:
                k = data.index(b"\0", 2)
                got[data[0]] = (chr(data[1]), data[2:k].decode("utf-8", "replace"))
                data = data[k + 1:]
        return got

    s4.reset(rcpt=lambda a: b"550 no\r\n" if a.startswith(b"<perm") else
             b"451 later\r\n" if a.startswith(b"<temp") else b"250 ok\r\n")
    p = start()
    first = os.read(p.stdout.fileno(), 1)
    eq(first, bytes([120]), "qmail-rspawn starts with its limit byte, 120")
    with open(table, "rb") as f:
        eq(f.read(), bytes(1024), "qmail-rspawn empties tcpto at startup (IPv6 part too)")
    pid_uid = None
    try:
        with open("/proc/%d/status" % p.pid) as f:
            for ln in f:
                if ln.startswith("Uid:"):
                    pid_uid = int(ln.split()[1])
    except OSError:
        pass
    eq(pid_uid, pwd.getpwnam("qmailr").pw_uid, "started as root, qmail-rspawn runs as qmailr")
    cmd(p, 0, b"0/4242", b"s@me.test", b"ok@example.test")
    cmd(p, 1, b"0/4242", b"s@me.test", b"perm@example.test")
    cmd(p, 2, b"0/4242", b"s@me.test", b"temp@example.test")
    cmd(p, 3, b"0/4242", b"s@me.test", b"x@unrouted.test")
    cmd(p, 4, b"0/99999", b"s@me.test", b"ok@example.test")
    cmd(p, 5, b"0/4343", b"s@me.test", b"ok@example.test")
    cmd(p, 6, b"../x", b"s@me.test", b"ok@example.test")
    cmd(p, 7, b"0/4242", b"s@me.test", b"no-at-sign")
    got = reports(p, 8)
    eq(sorted(got), list(range(8)), "one report per slot")
    if len(got) == 8:
        eq(got[0], ("K", "127.0.0.1 accepted message.\nRemote host said: 250 ok 1234 accepted\n"),
           "accepted: K with qmail-remote's text")
        ok(got[1][0] == "D" and got[1][1].startswith("127.0.0.1 does not like recipient.\n"
                                                     "Remote host said: 550 no\n")
           and "Giving up on 127.0.0.1." in got[1][1], "h: D, recipient then message text",
           repr(got[1]))
        ok(got[2][0] == "Z" and "451 later" in got[2][1], "s: Z", repr(got[2]))
        ok(got[3][0] == "Z" and "(#4.4.1)" in got[3][1], "connect refused: Z", repr(got[3]))
        ok(got[4][0] == "Z" and "unable to open" in got[4][1], "missing message: Z",
           repr(got[4]))
        ok(got[5][0] == "Z" and "owned by the queue" in got[5][1],
           "message not owned by qmailq: Z", repr(got[5]))
        ok(got[6][0] == "Z" and "bad message path" in got[6][1], "bad path: Z", repr(got[6]))
        ok(got[7][0] == "D" and "no @" in got[7][1], "recipient without @: D", repr(got[7]))
    bodies = [se.data for se in s4.sessions if se.data is not None]
    ok(bodies == [WIRE], "the message went out once, byte for byte")
    p.stdin.close()
    eq(p.wait(30), 0, "qmail-rspawn exits 0 when its input closes")
    kept_rspawn_tests(s4, start, cmd, reports)

    # fake qmail-remotes through $QMAILREMOTE
    fake = os.path.join(tmp, "fake-remote")
    with open(fake, "w") as f:
        f.write("#!/bin/sh\n"
                "case \"$3\" in\n"
                "exit100@*) echo broken; exit 100;;\n"
                "exit111@*) echo soft; exit 111;;\n"
                "crash@*) kill -SEGV $$;;\n"
                "silent@*) exit 0;;\n"
                "args@*) printf 'r\\0K%s|%s|%s|%s|%s\\0' \"$#\" \"$1\" \"$2\" \"$3\" \"$(cat | wc -c)\";;\n"
                "esac\n")
    os.chmod(fake, 0o755)
    p = start({"QMAILREMOTE": fake})
    eq(os.read(p.stdout.fileno(), 1), bytes([120]), "fake run: limit byte")
    for i, who in enumerate(["exit100", "exit111", "crash", "silent", "args"]):
        cmd(p, i, b"0/4242", b"snd@me.test", who.encode() + b"@Some.Domain")
    got = reports(p, 5)
    if len(got) == 5:
        eq(got[0][0], "D", "exit 100: D")
        ok(got[1][0] == "Z" and "soft" in got[1][1], "exit 111: Z with its output", repr(got[1]))
        eq(got[2][0], "Z", "killed by a signal: Z")
        ok(got[3][0] == "Z" and "no output" in got[3][1], "no output: Z", repr(got[3]))
        eq(got[4], ("K", "3|Some.Domain|snd@me.test|args@Some.Domain|%d" % len(MSG)),
           "arguments: DOMAIN SENDER RECIPIENT, message on fd 0")
    else:
        ok(False, "five reports from the fake qmail-remote", repr(got))
    # a second command for a busy slot is a protocol violation: exit 100
    slow = os.path.join(tmp, "slow-remote")
    with open(slow, "w") as f:
        f.write("#!/bin/sh\nsleep 1\nprintf 'Kslow\\0'\n")
    os.chmod(slow, 0o755)
    p.stdin.close()
    p.wait(30)
    p = start({"QMAILREMOTE": slow})
    os.read(p.stdout.fileno(), 1)
    cmd(p, 9, b"0/4242", b"s", b"a@b")
    cmd(p, 9, b"0/4242", b"s", b"a@b")
    got = reports(p, 1)
    eq(got.get(9), ("K", "slow"), "the delivery in progress is still reported")
    eq(p.wait(30), 100, "busy slot: qmail-rspawn exits 100")
    p = start({"QMAILREMOTE": slow})
    os.read(p.stdout.fileno(), 1)
    cmd(p, 200, b"0/4242", b"s", b"a@b")
    eq(p.wait(30), 100, "slot beyond the limit: exit 100")
    for path in (msgpath, rootmsg):
        os.unlink(path)


main()
