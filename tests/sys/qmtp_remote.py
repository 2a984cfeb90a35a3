#!/usr/bin/env python3
"""qmtp_remote.py - QMTP out and QMQP in, for real, on loopback ports of their own.
  1. qmail-remote with control/qmtproutes against our qmail-qmtpd under tcpserver
     (queueing through a recording $QMAILQUEUE script): accepted (package bytes and
     envelope checked), a per-recipient refusal (rcpthosts), a temporary failure
     (the queue says 71), qmtproutes before smtproutes, a malformed item.
  2. qmail-remote against QMTP servers written here: a connection cut mid-reply and
     before any reply, a malformed reply, an over-long reply, a server that never
     answers (timeoutremote), nothing listening, an address the timeout table marks,
     an IPv6 route ([::1]).
  3. End to end: install A's qmail-send relays by qmtproutes to install B's
     qmail-qmtpd, whose qmail-send delivers into a Maildir.
  4. QMQP in: Debian postfix's qmqp-source into install A's qmail-qmqpd, delivered
     into a Maildir (skipped, with a message, when postfix is not installed).
Runs as root. Prints ok/FAIL per assertion, then "N passed, N failed"."""

import glob
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

TOP = os.environ.get("TOP", os.getcwd())
sys.path.insert(0, os.path.join(TOP, "tests"))
from qmailtest import (Prefix, Results, User, daemon_ids, free_port, need_root, run,  # noqa: E402
                       wait_for)

R = Results()
T0 = time.monotonic()
need_root(R, "qmtp_remote", ["tcpserver (ucspi-tcp)"])
UID, GID = daemon_ids()  # qmaild, nofiles
QMQP_SOURCE = "/usr/sbin/qmqp-source"

cleanups = []


def reachable(port):
    try:
        socket.create_connection(("127.0.0.1", port), 1).close()
        return True
    except OSError:
        return False


class Server:
    """tcpserver running prog of install p on a loopback port, as qmaild:nofiles"""

    def __init__(self, p, prog, local, env=None):
        self.port = free_port()
        e = {"PATH": "/usr/bin:/bin"}
        e.update(env or {})
        self.proc = subprocess.Popen(
            ["tcpserver", "-u", str(UID), "-g", str(GID), "-R", "-H", "-l", local,
             "127.0.0.1", str(self.port), p.bin(prog)],
            env=e, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        cleanups.append(self.stop)
        wait_for(lambda: reachable(self.port), 10)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(10)


def ns(b):
    return str(len(b)).encode() + b":" + b + b","


def take_ns(buf):
    """(payload, rest) of the netstring at the start of buf, or (None, buf)"""
    if b":" not in buf:
        return None, buf
    n, rest = buf.split(b":", 1)
    n = int(n)
    if len(rest) < n + 1:
        return None, buf
    return rest[:n], rest[n + 1:]


class Fake:
    """A QMTP server written here: reads one package, answers with reply (bytes) and
    closes, or with reply None never answers. The package is kept in .package."""

    def __init__(self, reply, family=socket.AF_INET):
        self.reply = reply
        self.package = None
        self.sock = socket.socket(family)
        self.sock.bind(("::1" if family == socket.AF_INET6 else "127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        self.stopped = False
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        try:
            c, _ = self.sock.accept()
        except OSError:
            return
        c.settimeout(20)
        buf = b""
        try:
            while True:
                d = c.recv(65536)
                if not d:
                    break
                buf += d
                m, rest = take_ns(buf)
                s, rest = take_ns(rest) if m is not None else (None, rest)
                r, rest = take_ns(rest) if s is not None else (None, rest)
                if r is not None:
                    self.package = (m, s, r)
                    break
            if self.reply is None:
                while not self.stopped:
                    time.sleep(0.1)
            else:
                c.sendall(self.reply)
        except OSError:
            pass
        c.close()

    def stop(self):
        self.stopped = True
        self.sock.close()
        self.thread.join(5)


def remote(p, host, sender, rcpts, msg=b"Subject: t\n\nbody\n", stdin_file=True):
    """run install p's qmail-remote; the list of reports (letter + text)"""
    if stdin_file:
        f = tempfile.TemporaryFile()
        f.write(msg)
        f.seek(0)
        r = subprocess.run([p.bin("qmail-remote"), host, sender] + rcpts, stdin=f,
                           capture_output=True, timeout=60)
        f.close()
    else:
        r = subprocess.run([p.bin("qmail-remote"), host, sender] + rcpts, input=msg,
                           capture_output=True, timeout=60)
    out = r.stdout.decode(errors="replace")
    return [x for x in out.split("\0") if x] if r.returncode == 0 else ["exit %d" % r.returncode]


def letters(reps):
    return "".join(x[0] for x in reps)


def part1(a, rec, qq):
    """qmail-remote against our qmail-qmtpd"""
    srv = Server(a, "qmail-qmtpd", "qmtp.hqr.test", {"QMAILQUEUE": qq})
    a.control("rcpthosts", "far.test\n")
    a.control("qmtproutes", "far.test:[127.0.0.1]:%d\n" % srv.port)
    a.control("smtproutes", "far.test:[127.0.0.1]:1\n")
    msg = b"Subject: qmtp one\n\nline 1\n.\nlast line without LF"
    reps = remote(a, "far.test", "s@a.test", ["x@far.test", "y@far.test"], msg)
    R.eq(letters(reps), "rrK", "QMTP: two recipients accepted, message K")
    R.ok(reps[-1].startswith("K127.0.0.1 accepted message.\nRemote host said: ok "),
         "K report quotes the server's acceptance", reps[-1:])
    R.ok(wait_for(lambda: glob.glob(rec + "/*.msg"), 5), "the message was queued on the far side")
    got = sorted(glob.glob(rec + "/*.msg"))
    body = open(got[-1], "rb").read() if got else b""
    env = open(got[-1][:-4] + ".env", "rb").read() if got else b""
    R.ok(body.endswith(msg), "message arrives byte for byte (no final LF added, no dot-stuffing)",
         body[-80:])
    R.ok(b"with QMTP" in body, "qmail-qmtpd's Received line says QMTP")
    R.eq(env, b"Fs@a.test\0Tx@far.test\0Ty@far.test\0\0", "envelope arrives")
    for g in glob.glob(rec + "/*"):
        if g.endswith((".msg", ".env")):
            os.unlink(g)

    # the message from a pipe (read into memory first)
    reps = remote(a, "far.test", "", ["x@far.test"], b"Subject: pipe\n\nfrom a pipe\n",
                  stdin_file=False)
    R.eq(letters(reps), "rK", "QMTP: message from a pipe, null sender")
    got = sorted(glob.glob(rec + "/*.env"))
    R.eq(open(got[-1], "rb").read() if got else b"", b"F\0Tx@far.test\0\0",
         "null sender arrives as an empty sender")

    # per-recipient refusal: not in the far side's rcpthosts
    reps = remote(a, "far.test", "s@a.test", ["x@far.test", "z@else.test", "y@far.test"])
    R.eq(letters(reps), "rhrK", "QMTP: one recipient refused for good, others accepted")
    R.ok(len(reps) > 1 and "does not like recipient" in reps[1] and "rcpthosts" in reps[1]
         and reps[1].startswith("h127.0.0.1"), "refusal text quotes the server", reps[1:2])
    reps = remote(a, "far.test", "s@a.test", ["z@else.test"])
    R.eq(letters(reps), "hD", "QMTP: the only recipient refused: D Giving up")
    R.ok(reps[-1].startswith("DGiving up on 127.0.0.1"), "D text", reps[-1:])

    # temporary failure: the far side's queue says 71
    with open(rec + "/exit", "w") as f:
        f.write("71\n")
    reps = remote(a, "far.test", "s@a.test", ["x@far.test", "y@far.test"])
    R.eq(letters(reps), "ssD", "QMTP: temporary failure for every recipient")
    R.ok(len(reps) > 0 and reps[0].startswith("s127.0.0.1 does not like recipient.\nRemote host said: "),
         "temporary refusal text", reps[:1])
    os.unlink(rec + "/exit")

    # qmtproutes before smtproutes; without a qmtproutes item smtproutes applies
    a.control("qmtproutes", "other.test:[127.0.0.1]:%d\n" % srv.port)
    reps = remote(a, "far.test", "s@a.test", ["x@far.test"])
    R.ok(len(reps) == 1 and reps[0].startswith("ZUnable to establish an SMTP connection"),
         "no qmtproutes item: smtproutes (SMTP, port 1) is used", reps)
    a.control("qmtproutes", ":[127.0.0.1]:%d\n" % srv.port)
    reps = remote(a, "far.test", "s@a.test", ["x@far.test"])
    R.eq(letters(reps), "rK", "a default qmtproutes item (:relay) wins over smtproutes")
    a.control("qmtproutes", "far.test:[127.0.0.1]:99999\n")
    reps = remote(a, "far.test", "s@a.test", ["x@far.test"])
    R.ok(len(reps) == 1 and reps[0].startswith("ZMalformed entry in control/qmtproutes")
         and "#4.3.5" in reps[0], "malformed qmtproutes item: Z #4.3.5", reps)
    srv.stop()


def fake_case(a, reply, rcpts, what, family=socket.AF_INET, timeout=None):
    f = Fake(reply, family)
    host = "[::1]" if family == socket.AF_INET6 else "[127.0.0.1]"
    a.control("qmtproutes", "fake.test:%s:%d\n" % (host, f.port))
    if timeout:
        a.control("timeoutremote", "%d\n" % timeout)
    t = time.monotonic()
    reps = remote(a, "fake.test", "s@a.test", rcpts)
    took = time.monotonic() - t
    if timeout:
        os.unlink(a.path("control", "timeoutremote"))
    f.stop()
    return reps, f.package, took


def part2(a):
    """qmail-remote against QMTP servers written here"""
    reps, pkg, _ = fake_case(a, b"3:Kok,", ["p@fake.test"], "ok")
    R.ok(pkg is not None and pkg[0] == b"\nSubject: t\n\nbody\n" and pkg[1] == b"s@a.test"
         and pkg[2] == b"11:p@fake.test,", "package: LF convention byte, sender, recipients",
         pkg)
    R.eq(letters(reps), "rK", "fake server accepts")

    reps, _, _ = fake_case(a, b"3:Kok,6:Dno", ["p@fake.test", "q@fake.test", "r@fake.test"], "cut")
    R.eq(letters(reps), "rssK", "connection cut mid-reply: accepted one kept, the rest s, K")
    R.ok(len(reps) == 4 and "Possible duplicate!" in reps[1] and "#4.4.2" in reps[1],
         "the cut recipients say possible duplicate", reps[1:2])

    reps, _, _ = fake_case(a, b"3:K", ["p@fake.test"], "cut before any reply")
    R.ok(len(reps) == 1 and reps[0].startswith("ZConnection to 127.0.0.1 died")
         and "Possible duplicate!" in reps[0], "cut before the first reply: Z, duplicate", reps)

    reps, _, _ = fake_case(a, b"3:Xok,", ["p@fake.test"], "bad letter")
    R.ok(len(reps) == 1 and reps[0].startswith("Z") and "malformed reply" in reps[0],
         "reply with an unknown letter: Z malformed", reps)
    reps, _, _ = fake_case(a, b"03:Kok,", ["p@fake.test"], "leading zero")
    R.ok(len(reps) == 1 and reps[0].startswith("Z") and "malformed reply" in reps[0],
         "netstring with a leading zero: Z malformed", reps)
    reps, _, _ = fake_case(a, b"250 ok\r\n", ["p@fake.test"], "smtp reply")
    R.ok(len(reps) == 1 and reps[0].startswith("Z") and "malformed reply" in reps[0],
         "an SMTP answer: Z malformed", reps)
    reps, _, _ = fake_case(a, b"5000:K" + b"x" * 4999 + b",", ["p@fake.test"], "long")
    R.ok(len(reps) == 1 and reps[0].startswith("Z") and "too long" in reps[0],
         "reply over 4096 bytes: Z too long", reps)
    reps, _, _ = fake_case(a, b"2:K\0,", ["p@fake.test"], "nul")
    R.ok(len(reps) == 1 and reps[0].startswith("Z") and "malformed" in reps[0],
         "reply with a NUL: Z malformed", reps)

    reps, _, took = fake_case(a, None, ["p@fake.test"], "silent", timeout=2)
    R.ok(len(reps) == 1 and reps[0].startswith("ZConnection to 127.0.0.1 timed out")
         and "Possible duplicate!" in reps[0], "silent server: Z timed out (timeoutremote)", reps)
    R.ok(1.5 < took < 20, "timeoutremote 2 is kept", "%.1fs" % took)

    reps, pkg, _ = fake_case(a, b"3:Kok,", ["p@fake.test"], "ipv6", socket.AF_INET6)
    R.eq(letters(reps), "rK", "IPv6 route [::1] in qmtproutes")
    R.ok(reps[-1].startswith("K::1 accepted message."), "IPv6 report names ::1", reps[-1:])

    port = free_port()
    a.control("qmtproutes", "fake.test:[127.0.0.1]:%d\n" % port)
    reps = remote(a, "fake.test", "s@a.test", ["p@fake.test"])
    R.ok(len(reps) == 1 and reps[0].startswith("ZUnable to establish a QMTP connection to fake.test")
         and "#4.4.1" in reps[0], "nothing listening: Z no QMTP connection", reps)

    # the timeout table: 127.0.0.1 timed out twice lately -> not even tried
    f = Fake(b"3:Kok,")
    a.control("qmtproutes", "fake.test:[127.0.0.1]:%d\n" % f.port)
    tcpto = a.path("queue", "lock", "tcpto")
    old = open(tcpto, "rb").read()
    rec = bytearray(old)
    rec[0:16] = socket.inet_aton("127.0.0.1") + bytes([2, 0, 0, 0]) + struct.pack("<Q", int(time.time()) - 10)
    with open(tcpto, "r+b") as t:
        t.write(bytes(rec))
    reps = remote(a, "fake.test", "s@a.test", ["p@fake.test"])
    R.ok(len(reps) == 1 and reps[0].startswith("ZUnable to establish a QMTP connection")
         and "timed out" in reps[0] and f.package is None,
         "an address the timeout table marks is skipped", reps)
    with open(tcpto, "r+b") as t:
        t.write(old)
    reps = remote(a, "fake.test", "s@a.test", ["p@fake.test"])
    R.eq(letters(reps), "rK", "after the table is cleared the address is tried again")
    f.stop()
    os.unlink(a.path("control", "qmtproutes"))


def maildir_msgs(md):
    out = []
    for p in sorted(glob.glob(md + "/new/*")):
        with open(p, "rb") as f:
            out.append(f.read())
    return out


def part3(a, b, u, md):
    """A's qmail-send -> qmail-remote (qmtproutes) -> B's qmail-qmtpd -> B's Maildir"""
    b.control("me", "hb.test\n")
    b.control("locals", "hb.test\n")
    b.control("rcpthosts", "hb.test\n")
    srv = Server(b, "qmail-qmtpd", "hb.test")
    b.start()
    a.control("me", "ha.test\n")
    a.control("locals", "ha.test\n")
    a.control("qmtproutes", "hb.test:[127.0.0.1]:%d\n" % srv.port)
    a.control("smtproutes", "hb.test:[127.0.0.1]:1\n")
    a.start()
    R.ok(wait_for(lambda: "status: local 0/" in a.logtext() and "status: local 0/" in b.logtext(), 10),
         "both qmail-sends start")
    for i in range(3):
        r = run([a.bin("qmail-inject"), "-f", "s@ha.test", "%s@hb.test" % u.name],
                input=("Subject: e2e %d\n\nbody %d\n" % (i, i)).encode())
        R.eq(r.returncode, 0, "qmail-inject into install A (%d)" % i)
    R.ok(wait_for(lambda: len(maildir_msgs(md)) >= 3, 30), "three messages arrive in B's Maildir")
    got = maildir_msgs(md)
    R.eq(sorted(m.split(b"Subject: ")[1].split(b"\n")[0] for m in got if b"Subject: " in m),
         [b"e2e 0", b"e2e 1", b"e2e 2"], "each exactly once")
    R.ok(all(b"by hb.test with QMTP" in m for m in got), "they came by QMTP")
    R.ok(wait_for(lambda: a.logtext().count("delivery") and
                  a.logtext().count(": success:") >= 3, 10),
         "A logs three remote successes", a.logtext()[-500:])
    R.ok("accepted_message./Remote_host_said:_ok" in a.logtext() or
         "accepted message." in a.logtext(), "A's log shows the QMTP acceptance")
    for m in glob.glob(md + "/new/*"):
        os.unlink(m)
    return srv


def part4(a, u, md):
    """postfix's qmqp-source into A's qmail-qmqpd"""
    if not os.access(QMQP_SOURCE, os.X_OK):
        print("skip: %s not installed (Debian package postfix): no QMQP interoperability test"
              % QMQP_SOURCE, flush=True)
        return
    srv = Server(a, "qmail-qmqpd", "ha.test")
    r = run([QMQP_SOURCE, "-c", "-m", "5", "-s", "2", "-f", "pf@src.test",
             "-t", "%s@ha.test" % u.name, "-M", "src.test", "127.0.0.1:%d" % srv.port],
            timeout=60)
    R.eq(r.returncode, 0, "qmqp-source sends 5 messages", )
    R.ok(wait_for(lambda: len(maildir_msgs(md)) >= 5, 30), "five QMQP messages arrive in A's Maildir",
         len(maildir_msgs(md)))
    got = maildir_msgs(md)
    R.eq(len(got), 5, "exactly five")
    R.ok(all(b"with QMQP" in m and b"Return-Path: <pf@src.test>" in m for m in got),
         "Received says QMQP, the sender is kept", got[:1])
    srv.stop()


def main():
    a = Prefix("qmtpa")
    cleanups.append(a.cleanup)
    b = Prefix("qmtpb")
    cleanups.append(b.cleanup)
    rec = tempfile.mkdtemp(prefix="qt-qmtpr-rec.", dir="/tmp")
    cleanups.append(lambda: shutil.rmtree(rec, ignore_errors=True))
    users = []
    try:
        if not R.ok(a.ready and b.ready, "two private installs"):
            return
        os.chmod(rec, 0o777)
        qq = os.path.join(rec, "qq")
        with open(qq, "w") as f:
            f.write("""#!/bin/sh
d=%s
exec 3<&1
cat > "$d/$$.tmp" || exit 54
cat <&3 > "$d/$$.env" || exit 54
mv "$d/$$.tmp" "$d/$$.msg"
if [ -f "$d/exit" ]; then exit "$(cat "$d/exit")"; fi
exit 0
""" % rec)
        os.chmod(qq, 0o755)
        a.control("me", "ha.test\n")
        part1(a, rec, qq)
        part2(a)
        u = User("qtq")
        users.append(u)
        md = u.maildir()
        part3(a, b, u, md)
        part4(a, u, md)
        a.stop()
        b.stop()
        R.ok(time.monotonic() - T0 < 90, "whole test under 90 seconds",
             "%.1fs" % (time.monotonic() - T0))
    finally:
        for u in users:
            u.remove()
        for c in reversed(cleanups):
            try:
                c()
            except Exception as e:  # keep cleaning up
                print("cleanup:", e)


main()
R.finish()
