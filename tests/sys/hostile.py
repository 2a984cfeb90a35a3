#!/usr/bin/env python3
"""hostile.py - the hostile-input suite: the whole suite built with AddressSanitizer
and UndefinedBehaviorSanitizer (make SAN=1 setup check) in a private home, and the
real programs fed what an attacker would send. Every case states the reply class
expected, what must (not) be in the queue afterwards and the state of the process
(alive, exited with which code, its memory), and every group of cases ends with
"no sanitizer reports" (hostilelib.SanPrefix.check_reports).

The parts:
  smtp      qmail-smtpd: 1 KB, 64 KB and 1 GB command lines (the GB streamed, RSS
            sampled), NUL in commands, 100000 RCPTs, 1000000 pipelined NOOPs, DATA of
            2^31+1 bytes refused by databytes, one big DATA stored byte for byte
            (SHA-256), SIZE=99999999999999999999, a pipelined body after a refused
            DATA, talking before the greeting, the open-relay forms, header injection
            through HELO, addresses and TCPREMOTEHOST/TCPREMOTEINFO
  (others)  tests/hostile/*.py, run from here on the same install: netstrings to
            qmail-qmtpd and qmail-qmqpd, qmail-queue envelopes from an ordinary user,
            qmail-local against hostile homes, qmail-remote against a hostile server
            and a hostile DNS server

HOSTILE_BIG (bytes, default 2^31+1) sets the size of the stored big DATA; the refused
one is always 2^31+1. Runs as root. Prints ok/FAIL per assertion, then
"N passed, N failed"."""

import hashlib
import os
import subprocess
import sys
import threading
import time

TOP = os.environ.get("TOP", os.getcwd())
sys.path.insert(0, os.path.join(TOP, "tests"))
sys.path.insert(0, os.path.join(TOP, "tests", "hostile"))
from qmailtest import Results  # noqa: E402
from hostilelib import Conn, Sampler, SanPrefix, envelope, stream, vm  # noqa: E402

R = Results()
if os.geteuid() != 0:
    R.ok(False, "hostile tests must run as root")
    R.finish()

T0 = time.monotonic()
BIG = int(os.environ.get("HOSTILE_BIG", str(2**31 + 1)))
RSS_MAX = 64 * 1024  # kB: what qmail-smtpd (with ASan's shadow) may hold at most


def code(r):
    return r[:3].decode() if r else None


def sanity(P):
    """the reports directory really catches a report: a tiny program with a heap
    overflow, built with the same sanitizers, run with the same options"""
    src = P.home + ".overflow.c"
    exe = P.home + ".overflow"
    with open(src, "w") as f:
        f.write("#include <stdlib.h>\nint main(void){char *p=malloc(4);"
                "volatile int i=4;p[i]=1;free(p);return 0;}\n")
    r = subprocess.run(["cc", "-fsanitize=address,undefined", "-o", exe, src],
                       capture_output=True)
    if r.returncode != 0:
        R.ok(False, "sanity: a sanitized program builds", r.stderr[-500:])
        return
    subprocess.run([exe], env=P.env(), capture_output=True)
    R.ok(any("asan" in os.path.basename(f) for f in P.report_files()),
         "sanity: a heap overflow leaves a report in the reports directory")
    for f in P.report_files():
        os.unlink(f)
    os.unlink(src)
    os.unlink(exe)


def smtpd(P, env=None):
    return Conn(P, "qmail-smtpd", env)


def greet(c):
    g = c.reply()
    R.ok(g and g.startswith(b"220 "), "greeting", g)
    return g


def new_todo(P, before):
    return sorted(P.queue_files()["todo"] - before["todo"])


def nothing_new(P, before, what):
    after = P.queue_files()
    R.ok(all(after[k] <= before[k] for k in after), "%s: nothing left in the queue" % what,
         repr({k: after[k] - before[k] for k in after}))


def smtp_lines(P):
    """1 KB and 64 KB lines, then a 1 GB line without a space, streamed: one 500
    each, the session goes on, and qmail-smtpd's memory stays flat"""
    c = smtpd(P)
    greet(c)
    r = c.cmd(b"NOOP " + b"x" * (1024 - 5) + b"\r\n")
    R.eq(code(r), "250", "1 KB command line: within the 2048-byte limit, 250")
    r = c.cmd(b"NOOP " + b"x" * (2048 - 5) + b"\r\n")
    R.eq(code(r), "250", "2048-byte command line: 250")
    for n in (2049, 65536):
        r = c.cmd(b"NOOP " + b"x" * (n - 5) + b"\r\n")
        R.ok(r and r.startswith(b"500 5.5.2"), "%d-byte command line: 500 5.5.2" % n, r)
    R.eq(code(c.cmd(b"NOOP\r\n")), "250", "the session goes on after long lines")
    base = vm(c.proc.pid, "VmRSS")
    smp = Sampler(c.proc.pid)
    t = time.monotonic()
    stream(c.s, 1 << 30, b"A" * 4096, prefix=b"MAIL", suffix=b"\r\n")
    r = c.reply(60)
    secs = time.monotonic() - t
    peak = smp.peak()
    R.ok(r and r.startswith(b"500 5.5.2"), "1 GB command line: 500 5.5.2 (%.1f s)" % secs, r)
    R.ok(peak and peak < RSS_MAX and peak - (base or 0) < 16 * 1024,
         "1 GB command line: qmail-smtpd RSS stays small (%s kB before, %s kB peak)"
         % (base, peak))
    R.eq(code(c.cmd(b"NOOP\r\n")), "250", "the session goes on after the 1 GB line")
    R.eq(code(c.cmd(b"QUIT\r\n")), "221", "QUIT after the 1 GB line")
    R.eq(c.wait(), 0, "qmail-smtpd exits 0 after QUIT")
    c.close()


def smtp_nul(P):
    before = P.queue_files()
    c = smtpd(P)
    greet(c)
    cases = [b"MAIL FROM:<a\0b@example.com>", b"MAIL FROM:<a@example.com>\0junk",
             b"\0", b"NOOP\0", b"HELO x\0y"]
    for cmd in cases:
        r = c.cmd(cmd + b"\r\n")
        R.ok(r and r.startswith(b"500 5.5.2"), "NUL in %r: 500 5.5.2" % cmd, r)
    R.eq(code(c.cmd(b"MAIL FROM:<a@example.org>\r\n")), "250", "MAIL after NUL lines")
    r = c.cmd(b"RCPT TO:<u@example.com\0@evil.test>\r\n")
    R.ok(r and r.startswith(b"500 5.5.2"), "NUL in RCPT: refused, not cut to u@example.com", r)
    R.eq(code(c.cmd(b"DATA\r\n")), "503", "DATA: no recipient was taken from the NUL line")
    R.ok(c.read_all() == b"", "closed after the refused DATA")
    R.eq(c.wait(), 1, "qmail-smtpd exit 1 (session closed on a violation)")
    c.close()
    nothing_new(P, before, "NUL")


def smtp_rcpts(P):
    """100000 pipelined RCPTs: 1000 accepted, the rest 452; the message has 1000"""
    before = P.queue_files()
    c = smtpd(P)
    greet(c)
    n = 100000
    out = []

    def reader():
        for _ in range(n + 2):
            out.append(c.reply(60))
    t = threading.Thread(target=reader)
    t.start()
    c.send(b"MAIL FROM:<a@example.org>\r\n" + b"".join(
        b"RCPT TO:<u%d@example.com>\r\n" % i for i in range(n)) + b"NOOP\r\n")
    t.join()
    codes = [code(r) for r in out]
    R.eq(codes[0], "250", "100000 RCPTs: MAIL 250")
    R.ok(codes[1:1001] == ["250"] * 1000, "100000 RCPTs: the first 1000 get 250")
    R.ok(codes[1001:n + 1] == ["452"] * (n - 1000), "100000 RCPTs: the other 99000 get 452",
         repr(sorted(set(codes[1001:n + 1]), key=str)))
    R.eq(codes[n + 1], "250", "100000 RCPTs: NOOP after them")
    R.eq(code(c.cmd(b"DATA\r\n")), "354", "100000 RCPTs: DATA")
    r = c.cmd(b"Subject: many\r\n\r\nx\r\n.\r\n")
    R.eq(code(r), "250", "100000 RCPTs: message accepted")
    c.cmd(b"QUIT\r\n")
    R.eq(c.wait(), 0, "qmail-smtpd exit 0")
    c.close()
    new = new_todo(P, before)
    R.eq(len(new), 1, "100000 RCPTs: one message queued")
    if new:
        s, rc = envelope(P.todo(new[0]))
        R.ok(s == b"a@example.org" and len(rc) == 1000 and rc[0] == b"u0@example.com"
             and rc[-1] == b"u999@example.com", "100000 RCPTs: envelope holds the first 1000",
             "%r %d" % (s, len(rc)))
    P.clear_queue()


def smtp_noops(P):
    """1000000 NOOPs in one pipelined stream: as many 250s, in order, then QUIT"""
    c = smtpd(P)
    greet(c)
    n = 1000000
    count = [0, 0]

    def reader():
        buf = b""
        while True:
            c.s.settimeout(60)
            try:
                d = c.s.recv(1 << 20)
            except OSError:
                break
            if not d:
                break
            buf += d
            k = buf.rfind(b"\n") + 1
            part, buf = buf[:k], buf[k:]
            count[0] += part.count(b"250 2.0.0 ok\r\n")
            count[1] += part.count(b"\n")
    t = threading.Thread(target=reader)
    t.start()
    smp = Sampler(c.proc.pid)
    stream(c.s, 6 * n, b"NOOP\r\n", suffix=b"QUIT\r\n")
    t.join(120)
    peak = smp.peak()
    R.eq(count[0], n, "1000000 pipelined NOOPs: 1000000 replies 250")
    R.eq(count[1], n + 1, "1000000 pipelined NOOPs: and then only the 221")
    R.ok(peak < RSS_MAX, "1000000 NOOPs: RSS stays small (%d kB)" % peak)
    R.eq(c.wait(), 0, "qmail-smtpd exit 0")
    c.close()


def smtp_size(P):
    c = smtpd(P, {"DATABYTES": "1000000"})
    greet(c)
    r = c.cmd(b"MAIL FROM:<a@example.org> SIZE=99999999999999999999\r\n")
    R.ok(r and r.startswith(b"552 5.3.4"), "SIZE=99999999999999999999 with databytes: 552", r)
    r = c.cmd(b"MAIL FROM:<a@example.org> SIZE=1000000\r\n")
    R.eq(code(r), "250", "SIZE at databytes: 250")
    c.close()
    c = smtpd(P, {"DATABYTES": "0"})
    greet(c)
    r = c.cmd(b"MAIL FROM:<a@example.org> SIZE=99999999999999999999\r\n")
    R.eq(code(r), "250", "SIZE=99999999999999999999 without a limit: 250 (saturates, no wrap)")
    r = c.cmd(b"MAIL FROM:<a@example.org> SIZE=-1\r\n")
    R.eq(code(r), "555", "SIZE=-1: 555")
    c.close()


def smtp_bigdata_refused(P):
    """2^31+1 bytes of DATA with databytes 1000000: read to the end, then 552; nothing
    queued, qmail-queue's half-written files removed, flat memory"""
    before = P.queue_files()
    c = smtpd(P, {"DATABYTES": "1000000"})
    greet(c)
    c.cmd(b"MAIL FROM:<a@example.org>\r\n")
    c.cmd(b"RCPT TO:<u@example.com>\r\n")
    R.eq(code(c.cmd(b"DATA\r\n")), "354", "2 GB DATA: 354")
    smp = Sampler(c.proc.pid)
    line = b"y" * 1022 + b"\r\n"
    total = 2**31 + 1
    t = time.monotonic()
    # 2^31+1 bytes: whole lines, then the odd rest as one last line, then the dot
    whole = (total // len(line)) * len(line)
    rest = total - whole
    stream(c.s, whole, line, suffix=b"z" * (rest - 2) + b"\r\n" if rest >= 2 else b"z\r\n")
    c.send(b".\r\n")
    r = c.reply(120)
    secs = time.monotonic() - t
    peak = smp.peak()
    R.ok(r and r.startswith(b"552 5.3.4"), "2^31+1 bytes over databytes: 552 (%.1f s)" % secs, r)
    R.ok(peak < RSS_MAX, "2 GB DATA: RSS stays small (%d kB)" % peak)
    R.eq(code(c.cmd(b"NOOP\r\n")), "250", "the session goes on after the 552")
    c.cmd(b"QUIT\r\n")
    R.eq(c.wait(), 0, "qmail-smtpd exit 0")
    c.close()
    time.sleep(0.5)
    nothing_new(P, before, "2 GB DATA refused")


def smtp_bigdata_stored(P):
    """BIG bytes of DATA without a limit: queued, stored byte for byte (SHA-256 of
    what the client sent, CRLF as LF, against the mess file), flat memory"""
    before = P.queue_files()
    c = smtpd(P, {"DATABYTES": "0"})
    greet(c)
    c.cmd(b"MAIL FROM:<a@example.org>\r\n")
    c.cmd(b"RCPT TO:<u@example.com>\r\n")
    R.eq(code(c.cmd(b"DATA\r\n")), "354", "big DATA: 354")
    head = b"Subject: big\r\n\r\n"
    line = b"0123456789abcdef" * 63 + b"..xyz\r\n"  # 1015 bytes; dots inside, not leading
    n = max(1, (BIG - len(head)) // len(line))
    want = hashlib.sha256()
    want.update(b"Subject: big\n\n")
    lf = line[:-2] + b"\n"
    block = lf * 1024
    left = n
    while left:
        k = min(left, 1024)
        want.update(block[:k * len(lf)])
        left -= k
    smp = Sampler(c.proc.pid)
    t = time.monotonic()
    stream(c.s, n * len(line), line, prefix=head, suffix=b".\r\n")
    r = c.reply(300)
    secs = time.monotonic() - t
    peak = smp.peak()
    size = len(head) + n * len(line)
    R.ok(r and r.startswith(b"250 "), "big DATA of %d bytes: 250 (%.1f s)" % (size, secs), r)
    R.ok(peak < RSS_MAX, "big DATA: RSS stays small (%d kB)" % peak)
    c.cmd(b"QUIT\r\n")
    c.wait()
    c.close()
    new = new_todo(P, before)
    R.eq(len(new), 1, "big DATA: one message queued")
    if new:
        p = P.mess_path(new[0])
        got = hashlib.sha256()
        with open(p, "rb") as f:
            hdr = f.readline() + f.readline() + f.readline()
            R.ok(hdr.startswith(b"Received: (qmail ") and b"\nReceived: from " in hdr,
                 "big DATA: the two Received lines on top", hdr[:300])
            while True:
                d = f.read(1 << 22)
                if not d:
                    break
                got.update(d)
        R.eq(got.hexdigest(), want.hexdigest(), "big DATA: stored byte for byte (SHA-256)")
    P.clear_queue()


def smtp_after_refused_data(P):
    """a pipelined body after a refused DATA is never read as commands"""
    before = P.queue_files()
    c = smtpd(P)
    greet(c)
    c.send(b"MAIL FROM:<a@example.org>\r\nDATA\r\nRCPT TO:<u@example.com>\r\n"
           b"MAIL FROM:<b@example.org>\r\nRCPT TO:<v@example.com>\r\nDATA\r\nx\r\n.\r\n"
           b"QUIT\r\n")
    out = c.read_all()
    lines = out.split(b"\r\n") if out else []
    R.ok(out is not None and len(lines) == 3 and lines[0].startswith(b"250")
         and lines[1].startswith(b"503 5.5.1") and lines[2] == b"",
         "refused DATA: 250, 503 and close; nothing after", out)
    R.eq(c.wait(), 1, "qmail-smtpd exit 1 (session closed on a violation)")
    c.close()
    nothing_new(P, before, "pipelined body after refused DATA")


def smtp_early(P):
    c = smtpd(P, {"GREETDELAY": "700"})
    c.send(b"EHLO early\r\nMAIL FROM:<a@example.org>\r\n")
    out = c.read_all()
    R.ok(out is not None and out.startswith(b"554 5.5.0") and out.count(b"\r\n") == 1,
         "talking before the greeting: one 554 and close, no 220", out)
    R.eq(c.wait(), 1, "qmail-smtpd exit 1 after the early talker")
    c.close()


def smtp_relay(P):
    """the open-relay forms, against rcpthosts example.com with no RELAYCLIENT"""
    before = P.queue_files()
    refused = ["u@evil.test", "u@EVIL.TEST", "\"u@evil.test\"", "@example.com:u@evil.test",
               "@example.com,@example.com:u@evil.test", "u%example.com@evil.test",
               "example.com!u@evil.test", "u@example.com@evil.test",
               "\"u@example.com\"@evil.test", "u\\@example.com@evil.test",
               "u@[192.0.2.1]", "u@[IPv6:2001:db8::1]", "u@example.com.evil.test",
               "u@evilexample.com"]
    baddom = ["u@evil.test.", "u@example.com.", "\"u@evil.test \"", "u@evil.test\\ ",
              "u@[192.0.2.1].", "u@[tag:evil]", "\"u@ex ample.com\"", "u@example.com\\>"]
    local = {"u%evil.test@example.com": b"u%evil.test@example.com",
             "evil.test!u@example.com": b"evil.test!u@example.com",
             "\"u@evil.test\"@example.com": b"u@evil.test@example.com",
             "@evil.test:u@example.com": b"u@example.com",
             "u@[127.0.0.1]": b"u@example.com",
             "u%evil.test": b"u%evil.test",
             "evil.test!u": b"evil.test!u"}
    c = smtpd(P)
    greet(c)
    c.cmd(b"HELO x\r\n")
    R.eq(code(c.cmd(b"MAIL FROM:<a@example.org>\r\n")), "250", "relay: MAIL")
    for a in refused:
        r = c.cmd(b"RCPT TO:<%s>\r\n" % a.encode())
        R.ok(r and r.startswith(b"553 5.7.1"), "relay refused: <%s>" % a, r)
    for a in baddom:
        r = c.cmd(b"RCPT TO:<%s>\r\n" % a.encode())
        R.ok(r and r.startswith(b"553 5.1.3"), "bad domain refused: <%s>" % a, r)
    for a in local:
        r = c.cmd(b"RCPT TO:<%s>\r\n" % a.encode())
        R.eq(code(r), "250", "local form accepted: <%s>" % a)
    R.eq(code(c.cmd(b"DATA\r\n")), "354", "relay: DATA")
    R.eq(code(c.cmd(b"x\r\n.\r\n")), "250", "relay: message of local forms queued")
    c.cmd(b"QUIT\r\n")
    c.close()
    new = new_todo(P, before)
    R.eq(len(new), 1, "relay: one message")
    if new:
        s, rc = envelope(P.todo(new[0]))
        R.eq(rc, list(local.values()), "relay: only local-domain (or domainless) recipients")
    P.clear_queue()


def smtp_injection(P):
    """CR/LF and odd bytes in TCPREMOTEHOST, TCPREMOTEINFO, HELO and addresses never
    make a header line of their own"""
    before = P.queue_files()
    env = {"TCPREMOTEHOST": "evil.test\r\nX-Injected: host", "TCPREMOTEINFO":
           "me\nX-Injected: info", "TCPREMOTEIP": "127.0.0.1\r\nX-Injected: ip"}
    c = smtpd(P, env)
    greet(c)
    R.eq(code(c.cmd(b"HELO evil (X-Injected: helo) <x>;`/\r\n")), "250", "odd HELO: 250")
    r = c.cmd(b"HELO evil\rX-Injected: helo\r\n")
    R.ok(r and r.startswith(b"500 5.5.2"), "HELO with a bare CR: 500 5.5.2", r)
    c.send(b"HELO a\nX-Injected: lf\r\n")
    r = (c.reply() or b"") + (c.reply() or b"")
    R.ok(r.startswith(b"250 ") and b"\r\n502 5.5.1" in r,
         "HELO with a bare LF: the line ends there, the rest is an unknown command", r)
    c.send(b"MAIL FROM:<\"a\r\nX-Injected: from\"@example.org>\r\n")
    r = (c.reply() or b"") + (c.reply() or b"")
    R.ok(r.startswith(b"555 5.5.4") and b"\r\n502 5.5.1" in r,
         "CRLF inside a quoted sender: 555 for the cut line, 502 for the rest", r)
    c.cmd(b"RSET\r\n")
    R.eq(code(c.cmd(b"MAIL FROM:<\"a b;`$(x)\"@example.org>\r\n")), "250", "odd sender: 250")
    R.eq(code(c.cmd(b"RCPT TO:<u@example.com>\r\n")), "250", "RCPT")
    R.eq(code(c.cmd(b"DATA\r\n")), "354", "DATA")
    R.eq(code(c.cmd(b"Subject: inj\r\n\r\nbody\r\n.\r\n")), "250", "message queued")
    c.cmd(b"QUIT\r\n")
    c.close()
    new = new_todo(P, before)
    R.eq(len(new), 1, "injection: one message")
    if new:
        msg = open(P.mess_path(new[0]), "rb").read()
        head = msg.split(b"\n\n", 1)[0]
        lines = head.split(b"\n")
        R.ok(not any(l.startswith(b"X-Injected") for l in lines),
             "injection: no X-Injected header line", head)
        R.ok(len(lines) == 4 and lines[3] == b"Subject: inj" and lines[2].startswith(b"  by "),
             "injection: Received lines hold one line each", head)
        rl = lines[1] + lines[2]
        R.ok(all(ch in b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                 b".@%+/=:-[]?() ;," for ch in rl), "injection: Received line allow-listed", rl)
        R.ok(b"\r" not in head, "injection: no CR in the header", head)
    P.clear_queue()


def main():
    P = SanPrefix("hostile")
    R.ok(P.ready, "sanitized private install (make SAN=1 setup check)", P.why)
    if not P.ready:
        P.cleanup()
        R.finish()
    try:
        P.control("me", "mx.hostile.test\n")
        P.control("rcpthosts", "example.com\n")
        P.control("localiphost", "example.com\n")
        sanity(P)
        parts = [smtp_lines, smtp_nul, smtp_rcpts, smtp_noops, smtp_size, smtp_bigdata_refused,
                 smtp_bigdata_stored, smtp_after_refused_data, smtp_early, smtp_relay,
                 smtp_injection]
        import hostile_net
        import hostile_local
        import hostile_remote
        parts += hostile_net.parts(R) + hostile_local.parts(R) + hostile_remote.parts(R)
        only = os.environ.get("HOSTILE_ONLY")
        for fn in parts:
            if only and only not in fn.__name__:
                continue
            t = time.monotonic()
            fn(P)
            P.check_reports(R, fn.__name__)
            print("# %s: %.1f s" % (fn.__name__, time.monotonic() - t), flush=True)
    finally:
        P.cleanup()
    print("# hostile: %.0f s in all" % (time.monotonic() - T0), flush=True)
    R.finish()


main()
