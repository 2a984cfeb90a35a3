#!/usr/bin/env python3
"""tools.py - the small tools of src/tools run for real, with real inputs:
the .qmail helpers (forward, condredirect, bouncesaying, except, preline,
qreceipt, qbiff) alone and under a real qmail-local, maildirmake, maildir2mbox
(read back with Python's mailbox module), predate, datemail and mailsubj (in a
private install), splogger (against a /dev/log of our own, in a private mount
namespace) and tcp-env (under tcpserver and behind Python listeners, with a fake
IDENT server, in a private network namespace).
Queue runs go to a fake qmail-queue named by $QMAILQUEUE that records message and
envelope. Runs as root; uses $TOP, $B and $SANB from tests/run and tests every
build found there. Prints ok/FAIL per assertion, then "N passed, N failed"."""

import email.utils
import fcntl
import json
import mailbox
import os
import platform
import pwd
import re
import select
import shutil
import socket
import stat
import struct
import subprocess
import sys
import tempfile
import threading
import time
import tty

TOP = os.environ.get("TOP", os.getcwd())
sys.path.insert(0, os.path.join(TOP, "tests"))
from qmailtest import Prefix, Results, User  # noqa: E402

R = Results()
HERE = os.path.abspath(__file__)
TOOLS = ["bouncesaying", "condredirect", "datemail", "except", "forward", "maildir2mbox",
         "maildirmake", "mailsubj", "predate", "preline", "qbiff", "qreceipt", "splogger",
         "tcp-env"]
MSG = (b"Received: from x by y\nSubject: test\nFrom: a@b\n\n"
       b"Hello\nFrom x\n>From y\n>>From z\n From not\nFrom\nlast line")
DT = "Delivered-To: u@example.com\n"


def builds():
    """the build directories to test: $B and $SANB, else every build found"""
    bs = [b for b in (os.environ.get("B"), os.environ.get("SANB")) if b]
    if not bs:
        bs = [os.path.dirname(os.path.dirname(p)) for p in
              sorted(os.popen("ls -d %s/build/*/bin/forward 2>/dev/null" % TOP).read().split())]
    return [os.path.join(TOP, b) for b in bs
            if os.path.exists(os.path.join(TOP, b, "bin", "forward"))]


def home_of(build):
    """the QMAILHOME compiled into a build"""
    src = open(os.path.join(build, "auto", "auto.c")).read()
    return re.search(r'auto_qmail\[\] = "([^"]*)"', src).group(1)


class Env:
    """the scratch directory: the fake queue and the files it records"""

    def __init__(self):
        self.base = tempfile.mkdtemp(prefix="qt-tools.", dir="/tmp")
        os.chmod(self.base, 0o755)
        self.qqdir = os.path.join(self.base, "qq")
        os.mkdir(self.qqdir)
        os.chmod(self.qqdir, 0o777)
        self.qq = os.path.join(self.base, "fake-qq")
        with open(self.qq, "w") as f:
            f.write('#!/bin/sh\nexec 3<&1\ncat > "$QQ_DIR/qq.msg"\n'
                    'cat <&3 > "$QQ_DIR/qq.env"\necho $$ > "$QQ_DIR/qq.pid"\n'
                    'exit ${QQ_EXIT:-0}\n')
        os.chmod(self.qq, 0o755)

    def clear(self):
        for n in ("qq.msg", "qq.env", "qq.pid"):
            try:
                os.unlink(os.path.join(self.qqdir, n))
            except OSError:
                pass

    def got(self, name):
        try:
            with open(os.path.join(self.qqdir, name), "rb") as f:
                return f.read()
        except OSError:
            return None

    def file(self, data, name="in"):
        p = os.path.join(self.base, name)
        with open(p, "wb") as f:
            f.write(data)
        return p


E = None  # the scratch Env


def run(argv, stdin=b"", env=None, qq_exit=None, cwd=None, timeout=60):
    """run argv with stdin from a file holding the bytes stdin (seekable), or from a
    given file object or descriptor; (exit code, stdout+stderr as text)"""
    e = {"PATH": "/usr/bin:/bin", "QMAILQUEUE": E.qq, "QQ_DIR": E.qqdir}
    if qq_exit is not None:
        e["QQ_EXIT"] = str(qq_exit)
    if env:
        e.update(env)
    e = {k: v for k, v in e.items() if v is not None}
    E.clear()
    if isinstance(stdin, bytes):
        with open(E.file(stdin), "rb") as f:
            p = subprocess.run(argv, stdin=f, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               env=e, cwd=cwd or E.base, timeout=timeout)
    else:
        p = subprocess.run(argv, stdin=stdin, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, env=e, cwd=cwd or E.base, timeout=timeout)
    return p.returncode, p.stdout.decode("latin-1")


def envelope(sender, *rcpts):
    return ("F%s\0" % sender + "".join("T%s\0" % r for r in rcpts) + "\0").encode()


# ---------------------------------------------------------------------------
# .qmail helpers, run directly with the environment qmail-local would give

def t_forward(b, L):
    fw = os.path.join(b, "bin", "forward")
    env = {"NEWSENDER": "ns@example.net", "DTLINE": DT}
    rc, out = run([fw, "a@example.com", "c@example.org"], MSG, env)
    pid = (E.got("qq.pid") or b"?").decode().strip()
    R.eq((rc, out), (0, "qp %s\n" % pid), L + "forward: exit 0 and qp of the queue run")
    R.eq(E.got("qq.msg"), DT.encode() + MSG, L + "forward: message is DTLINE + stdin")
    R.eq(E.got("qq.env"), envelope("ns@example.net", "a@example.com", "c@example.org"),
         L + "forward: envelope from NEWSENDER to every argument")
    rc, out = run([fw, "a@example.com"], MSG, dict(env, NEWSENDER=""))
    R.eq(E.got("qq.env"), envelope("", "a@example.com"), L + "forward: empty NEWSENDER kept")
    rc, out = run([fw, "a@example.com"], MSG, env, qq_exit=31)
    R.ok(rc == 100 and "forward: fatal: mail server permanently rejected" in out,
         L + "forward: permanent queue refusal -> 100", out)
    rc, out = run([fw, "a@example.com"], MSG, env, qq_exit=53)
    R.ok(rc == 111 and "disk full" in out, L + "forward: temporary queue failure -> 111", out)
    rc, out = run([fw], MSG, env)
    R.ok(rc == 111 and "usage" in out and E.got("qq.msg") is None,
         L + "forward: no address -> 111 usage, nothing queued", out)
    rc, out = run([fw, "a@example.com"], MSG, {"DTLINE": DT})
    R.ok(rc == 111 and "NEWSENDER not set" in out and E.got("qq.msg") is None,
         L + "forward: NEWSENDER unset -> 111", out)
    rc, out = run([fw, "a@example.com"], MSG, {"NEWSENDER": "x@y"})
    R.ok(rc == 111 and "DTLINE not set" in out, L + "forward: DTLINE unset -> 111", out)
    d = os.open(E.base, os.O_RDONLY)
    rc, out = run([fw, "a@example.com"], d, env)
    os.close(d)
    R.ok(rc == 111 and "unable to read message" in out, L + "forward: read error -> 111", out)
    R.eq(E.got("qq.env"), b"", L + "forward: read error sends no envelope (nothing queued)")


def t_condredirect(b, L):
    cr = os.path.join(b, "bin", "condredirect")
    env = {"SENDER": "s@example.net", "NEWSENDER": "owner@example.com", "DTLINE": DT}
    # the program reads all of stdin: condredirect must rewind before queueing
    rc, out = run([cr, "r@example.org", "sh", "-c", "cat > /dev/null"], MSG, env)
    pid = (E.got("qq.pid") or b"?").decode().strip()
    R.eq((rc, out), (99, "qp %s\n" % pid), L + "condredirect: prog 0 -> redirect, exit 99")
    R.eq(E.got("qq.msg"), DT.encode() + MSG, L + "condredirect: whole message after DTLINE")
    R.eq(E.got("qq.env"), envelope("s@example.net", "r@example.org"),
         L + "condredirect: envelope sender is SENDER, not NEWSENDER")
    for code, want in ((1, 0), (100, 0), (2, 0), (111, 111)):
        rc, out = run([cr, "r@example.org", "sh", "-c", "exit %d" % code], MSG, env)
        R.ok(rc == want and E.got("qq.msg") is None,
             L + "condredirect: prog %d -> %d, nothing queued" % (code, want), out)
    rc, out = run([cr, "r@example.org", "sh", "-c", "kill -9 $$"], MSG, env)
    R.ok(rc == 111 and "crashed" in out, L + "condredirect: prog crash -> 111", out)
    rc, out = run([cr, "r@example.org", "/nonexistent/prog"], MSG, env)
    R.ok(rc == 111 and "unable to run /nonexistent/prog" in out,
         L + "condredirect: missing prog -> 111", out)
    rc, out = run([cr, "r@example.org", "true"], MSG, env, qq_exit=31)
    R.ok(rc == 100, L + "condredirect: permanent queue refusal -> 100", out)
    rc, out = run([cr, "r@example.org", "true"], MSG, env, qq_exit=71)
    R.ok(rc == 111, L + "condredirect: temporary queue failure -> 111", out)
    rc, out = run([cr, "r@example.org"], MSG, env)
    R.ok(rc == 111 and "usage" in out, L + "condredirect: no program -> 111 usage", out)
    rc, out = run([cr, "r@example.org", "true"], MSG, {"DTLINE": DT})
    R.ok(rc == 111 and "SENDER not set" in out, L + "condredirect: SENDER unset -> 111", out)
    p = subprocess.Popen(["cat", E.file(MSG, "pipe-in")], stdout=subprocess.PIPE)
    rc, out = run([cr, "r@example.org", "true"], p.stdout, env)
    p.wait()
    R.ok(rc == 111 and "unable to rewind" in out and E.got("qq.msg") is None,
         L + "condredirect: unseekable stdin -> 111", out)


def t_bouncesaying(b, L):
    bs = os.path.join(b, "bin", "bouncesaying")
    rc, out = run([bs, "This list is closed."], MSG)
    R.eq((rc, out), (100, "This list is closed.\n"), L + "bouncesaying: no prog -> say, 100")
    cases = [(["true"], 100, True), (["false"], 0, False), (["sh", "-c", "exit 111"], 111, False),
             (["sh", "-c", "exit 100"], 0, False), (["grep", "-q", "^Subject: test"], 100, True),
             (["grep", "-q", "^Subject: other"], 0, False)]
    for prog, want, says in cases:
        rc, out = run([bs, "Go away."] + prog, MSG)
        R.ok(rc == want and ("Go away." in out) == says,
             L + "bouncesaying: %s -> %d" % (" ".join(prog), want), "%d %r" % (rc, out))
    rc, out = run([bs, "x", "sh", "-c", "kill -9 $$"], MSG)
    R.ok(rc == 111 and "x\n" not in out, L + "bouncesaying: prog crash -> 111", out)
    rc, out = run([bs, "x", "/nonexistent/prog"], MSG)
    R.ok(rc == 111, L + "bouncesaying: missing prog -> 111", out)
    rc, out = run([bs], MSG)
    R.ok(rc == 111 and "usage" in out, L + "bouncesaying: no arguments -> 111 usage", out)


def t_except(b, L):
    ex = os.path.join(b, "bin", "except")
    for code, want in ((0, 100), (1, 0), (100, 0), (99, 0), (111, 111)):
        rc, out = run([ex, "sh", "-c", "exit %d" % code], MSG)
        R.eq(rc, want, L + "except: prog %d -> %d" % (code, want))
    rc, out = run([ex, "sh", "-c", "echo Not from that address.; exit 0"], MSG)
    R.eq((rc, out), (100, "Not from that address.\n"), L + "except: prog's words are the bounce")
    rc, out = run([ex, "grep", "-q", "^From x$"], MSG)
    R.eq(rc, 100, L + "except: prog reads the message on stdin")
    rc, out = run([ex, "sh", "-c", "kill -9 $$"], MSG)
    R.eq(rc, 111, L + "except: prog crash -> 111")
    rc, out = run([ex, "/nonexistent/prog"], MSG)
    R.ok(rc == 111 and "unable to run" in out, L + "except: missing prog -> 111", out)
    rc, out = run([ex], MSG)
    R.ok(rc == 111 and "usage" in out, L + "except: no arguments -> 111 usage", out)


def t_preline(b, L):
    pl = os.path.join(b, "bin", "preline")
    uf = "From s@example.net Sun Nov 29 13:42:07 2026\n"
    rp = "Return-Path: <s@example.net>\n"
    env = {"UFLINE": uf, "RPLINE": rp, "DTLINE": DT}
    cases = [([], uf + rp + DT), (["-f"], rp + DT), (["-r"], uf + DT), (["-d"], uf + rp),
             (["-fr"], DT), (["-frd"], ""), (["-f", "-r", "-d"], ""), (["-fF"], uf + rp + DT),
             (["-d", "-D"], uf + rp + DT), (["-Fd", "-R"], uf + rp), (["--"], uf + rp + DT),
             (["-r", "--"], uf + DT)]
    for flags, head in cases:
        rc, out = run([pl] + flags + ["cat"], MSG, env)
        R.eq((rc, out.encode("latin-1")), (0, head.encode() + MSG),
             L + "preline %s: lines prepended" % " ".join(flags))
    big = b"".join(b"line %d of a big message\n" % i for i in range(60000))
    rc, out = run([pl, "cat"], big, env)
    R.ok(rc == 0 and out.encode("latin-1") == (uf + rp + DT).encode() + big,
         L + "preline: a 1.5 MB message passes intact")
    rc, out = run([pl, "sh", "-c", "cat > /dev/null; exit 42"], MSG, env)
    R.eq(rc, 42, L + "preline: prog's exit code is preline's")
    rc, out = run([pl, "sh", "-c", "head -c 10 > /dev/null; exit 3"], big, env)
    R.eq(rc, 3, L + "preline: prog that stops reading early is no error")
    rc, out = run([pl, "sh", "-c", "kill -9 $$"], MSG, env)
    R.eq(rc, 111, L + "preline: prog crash -> 111")
    rc, out = run([pl, "/nonexistent/prog"], MSG, env)
    R.ok(rc == 111 and "unable to run" in out, L + "preline: missing prog -> 111", out)
    rc, out = run([pl, "cat"], MSG, {"RPLINE": rp, "DTLINE": DT})
    R.ok(rc == 111 and "UFLINE not set" in out, L + "preline: UFLINE needed -> 111", out)
    rc, out = run([pl, "-f", "cat"], MSG, {"RPLINE": rp, "DTLINE": DT})
    R.eq((rc, out.encode("latin-1")), (0, (rp + DT).encode() + MSG),
         L + "preline -f: UFLINE not needed")
    for bad in (["-x", "cat"], [], ["-f"], ["-", "cat"]):
        rc, out = run([pl] + bad, MSG, env)
        R.ok(rc == 111 and "usage" in out, L + "preline %r -> 111 usage" % bad, out)
    d = os.open(E.base, os.O_RDONLY)
    rc, out = run([pl, "sh", "-c", "cat > /dev/null; echo saw-end"], d, env)
    os.close(d)
    R.ok(rc == 111 and "saw-end" not in out and "unable to read message" in out,
         L + "preline: read error -> 111, prog killed before the end", out)


def t_qreceipt(b, L):
    qr = os.path.join(b, "bin", "qreceipt")
    env = {"SENDER": "s@example.net", "RECIPIENT": "list-u@example.com", "HOST": "example.com"}

    def msg(field):
        return b"Subject: x\n" + field + b"From: a@b\n\nbody\nNotice-Requested-Upon-Delivery-To: u@h\n"

    yes = [b"Notice-Requested-Upon-Delivery-To: u@h\n",
           b"Notice-Requested-Upon-Delivery-To: Someone <u@h>, other@x\n",
           b"notice-requested-upon-delivery-to: other@x,\n\t(a comment) U@H (another)\n",
           b"Notice-Requested-Upon-Delivery-To: list: a@b, u@h;, c@d\n",
           b"Notice-Requested-Upon-Delivery-To: \"u\"@h\n",
           b"Notice-Requested-Upon-Delivery-To: <@relay.example:u@h>\n",
           b"Notice-Requested-Upon-Delivery-To: a@b\nNotice-Requested-Upon-Delivery-To: u@h\n",
           b"Notice-Requested-Upon-Delivery-To: v@h\n u@h\n"]  # a stray space: two addresses
    no = [b"", b"Notice-Requested-Upon-Delivery-To: v@h, u@hh, uu@h\n",
          b"Notice-Requested-Upon-Delivery-To: (u@h) v@h\n",
          b"X-Notice-Requested-Upon-Delivery-To: u@h\n",
          b"Notice-Requested-Upon-Delivery-To: \"u@h\" <v@h>\n",
          b"Notice-Requested-Upon-Delivery-To: <u@h\n"]
    for i, f in enumerate(yes):
        rc, out = run([qr, "u@h"], msg(f), env)
        m = E.got("qq.msg") or b""
        R.ok(rc == 0 and E.got("qq.env") == envelope("", "s@example.net"),
             L + "qreceipt: request %d answered, from <> to SENDER" % i, "%d %r" % (rc, out))
        if i == 0:
            R.ok(b"\nTo: <s@example.net>\n" in m and b"Subject: success notice\n" in m and
                 b"\n    u@h\n" in m and m.startswith(b"From: Delivery notice <list-u@example.com>"),
                 L + "qreceipt: the notice names the address", m)
            hdr = m.split(b"\n\n")[0].decode()
            R.ok(re.search(r"\nDate: \d{1,2} \w{3} \d{4} \d\d:\d\d:\d\d -0000\n", hdr + "\n"),
                 L + "qreceipt: the notice has a Date field", hdr)
    for i, f in enumerate(no):
        rc, out = run([qr, "u@h"], msg(f), env)
        R.ok(rc == 0 and E.got("qq.msg") is None, L + "qreceipt: no request %d, no notice" % i,
             "%d %r" % (rc, out))
    for s in ("", "#@[]"):
        rc, out = run([qr, "u@h"], msg(yes[0]), dict(env, SENDER=s))
        R.ok(rc == 0 and E.got("qq.msg") is None, L + "qreceipt: sender %r gets no notice" % s)
    rc, out = run([qr, "u@h"], msg(yes[0]), env, qq_exit=53)
    R.eq(rc, 111, L + "qreceipt: temporary queue failure -> 111")
    rc, out = run([qr, "u@h"], msg(yes[0]), env, qq_exit=31)
    R.eq(rc, 100, L + "qreceipt: permanent queue refusal -> 100")
    rc, out = run([qr], msg(yes[0]), env)
    R.ok(rc == 111 and "usage" in out, L + "qreceipt: no address -> 111 usage", out)
    rc, out = run([qr, "u@h"], msg(yes[0]), {})
    R.ok(rc == 111 and "SENDER not set" in out, L + "qreceipt: SENDER unset -> 111", out)


# ---------------------------------------------------------------------------
# maildir tools, predate

def t_maildirmake(b, L):
    mm = os.path.join(b, "bin", "maildirmake")
    for mask in (0o000, 0o077, 0o022):
        d = os.path.join(E.base, "md-%03o" % mask)
        shutil.rmtree(d, ignore_errors=True)
        old = os.umask(mask)
        try:
            rc, out = run([mm, d], b"")
        finally:
            os.umask(old)
        modes = [stat.S_IMODE(os.lstat(os.path.join(d, s)).st_mode) if os.path.isdir(
            os.path.join(d, s)) else None for s in ("", "tmp", "new", "cur")]
        R.eq((rc, modes), (0, [0o700] * 4), L + "maildirmake: 4 directories 0700, umask %03o" % mask)
    rc, out = run([mm, os.path.join(E.base, "md-000")], b"")
    R.ok(rc == 111 and "unable to create" in out and "exists" in out,
         L + "maildirmake: existing directory -> 111", out)
    rc, out = run([mm, os.path.join(E.base, "nonexistent", "md")], b"")
    R.eq(rc, 111, L + "maildirmake: missing parent -> 111")
    for bad in ([], ["a", "b"], [""]):
        rc, out = run([mm] + bad, b"")
        R.ok(rc == 100 and "usage" in out, L + "maildirmake %r -> 100 usage" % bad, out)
    shutil.rmtree(os.path.join(E.base, "md-000"))


def mboxrd(body):
    """the reference quoting: '>' before every line that is >*From """
    lines = body.split(b"\n")
    return b"\n".join(b">" + ln if re.match(rb"^>*From ", ln) else ln for ln in lines)


def unquote(body):
    lines = body.split(b"\n")
    return b"\n".join(ln[1:] if re.match(rb"^>+From ", ln) else ln for ln in lines)


def t_maildir2mbox(b, L):
    m2 = os.path.join(b, "bin", "maildir2mbox")
    md = os.path.join(E.base, "m2-Maildir")
    mb = os.path.join(E.base, "m2-mbox")
    tmp = os.path.join(E.base, "m2-mbox.tmp")
    for p in (md, mb, tmp):
        shutil.rmtree(p, ignore_errors=True) if os.path.isdir(p) else (
            os.path.exists(p) and os.unlink(p))
    for s in ("", "tmp", "new", "cur"):
        os.mkdir(os.path.join(md, s), 0o700)
    old = b"From x@old Thu Jan 01 00:00:00 1970\nSubject: old\n\nold body\n\n"
    with open(mb, "wb") as f:
        f.write(old)
    os.chmod(mb, 0o640)
    msgs = [  # (where, name, mtime, content, From_ address)
        ("new", "1700000300.1.host", 1700000300,
         b"Return-Path: <a@example.com>\nSubject: third\n\nFrom me\n>From you\n>>From x\nFromage\n",
         "a@example.com"),
        ("cur", "1700000100.2.host:2,S", 1700000100,
         b"Subject: first\nReturn-Path: <>\n\nno newline at the end\nFrom", "MAILER-DAEMON"),
        ("new", "1700000200.3.host", 1700000200,
         b"return-path: <b c@example.org>\nSubject: second\n\n\nFrom \n", "b-c@example.org"),
    ]
    for where, name, when, content, _ in msgs:
        p = os.path.join(md, where, name)
        with open(p, "wb") as f:
            f.write(content)
        os.utime(p, (when, when))
    with open(os.path.join(md, "new", ".hidden"), "wb") as f:
        f.write(b"not a message\n")
    with open(os.path.join(md, "tmp", "1.2.3"), "wb") as f:
        f.write(b"being delivered\n")
    env = {"MAILDIR": md, "MAIL": mb, "MAILTMP": tmp}

    # the mbox is locked: maildir2mbox waits for the lock
    lk = open(mb, "rb")
    fcntl.flock(lk, fcntl.LOCK_EX)
    e = {"PATH": "/usr/bin:/bin", **env}
    p = subprocess.Popen([m2], env=e, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    time.sleep(0.7)
    R.ok(p.poll() is None and len(os.listdir(os.path.join(md, "new"))) == 3,
         L + "maildir2mbox: waits while the mbox is locked")
    fcntl.flock(lk, fcntl.LOCK_UN)
    lk.close()
    out = p.communicate(timeout=30)[0].decode("latin-1")
    R.eq((p.returncode, out), (0, ""), L + "maildir2mbox: exit 0 after the lock is released")

    data = open(mb, "rb").read()
    R.ok(data.startswith(old), L + "maildir2mbox: old contents kept at the front")
    box = mailbox.mbox(mb, create=False)
    keys = box.keys()
    R.eq(len(keys), 4, L + "maildir2mbox: Python's mailbox.mbox reads 4 messages")
    order = sorted(msgs, key=lambda m: m[2])
    for i, (where, name, when, content, addr) in enumerate(order):
        if i + 1 >= len(keys):
            break
        m = box.get_message(keys[i + 1])
        date = time.strftime("%a %b %d %H:%M:%S %Y", time.gmtime(when))
        R.eq(m.get_from(), "%s %s" % (addr, date),
             L + "maildir2mbox: From_ line of %s (address, delivery time)" % name)
        raw = box.get_bytes(keys[i + 1])
        hdr, _, body = content.partition(b"\n\n")
        got = raw
        want = content if content.endswith(b"\n") else content + b"\n"
        R.eq(got, mboxrd(want), L + "maildir2mbox: %s stored with mboxrd quoting" % name)
        R.eq(unquote(got), want, L + "maildir2mbox: %s unquotes to the original" % name)
    R.ok(data.endswith(b"Fromage\n\n"), L + "maildir2mbox: blank line after the last message")
    R.eq(sorted(os.listdir(os.path.join(md, "new")) + os.listdir(os.path.join(md, "cur"))),
         [".hidden"], L + "maildir2mbox: the messages are gone from the Maildir")
    R.eq(os.listdir(os.path.join(md, "tmp")), ["1.2.3"], L + "maildir2mbox: tmp/ left alone")
    R.ok(not os.path.exists(tmp), L + "maildir2mbox: MAILTMP renamed over MAIL")
    R.eq(stat.S_IMODE(os.stat(mb).st_mode), 0o640, L + "maildir2mbox: MAIL keeps its mode")

    before = open(mb, "rb").read()
    rc, out = run([m2], b"", env)
    R.ok(rc == 0 and open(mb, "rb").read() == before,
         L + "maildir2mbox: nothing to move, MAIL unchanged", out)

    # failures leave MAIL and the Maildir as they were
    with open(os.path.join(md, "new", "9.9.host"), "wb") as f:
        f.write(b"Subject: nine\n\nnine\n")
    rc, out = run([m2], b"", dict(env, MAILTMP=os.path.join(E.base, "nonexistent", "t")))
    R.ok(rc == 111 and "unable to create" in out and open(mb, "rb").read() == before and
         os.listdir(os.path.join(md, "new")) != [".hidden"],
         L + "maildir2mbox: MAILTMP unusable -> 111, nothing changed", out)
    for var in ("MAILDIR", "MAIL", "MAILTMP"):
        rc, out = run([m2], b"", dict(env, **{var: None}))
        R.ok(rc == 111 and "%s not set" % var in out, L + "maildir2mbox: %s unset -> 111" % var,
             out)
    rc, out = run([m2], b"", dict(env, MAILDIR=os.path.join(E.base, "nonexistent")))
    R.eq(rc, 111, L + "maildir2mbox: missing Maildir -> 111")
    # a damaged old mbox without a final newline
    with open(mb, "wb") as f:
        f.write(b"From x Thu Jan 01 00:00:00 1970\n\ntruncated")
    rc, out = run([m2], b"", env)
    R.ok(rc == 0 and open(mb, "rb").read().startswith(
        b"From x Thu Jan 01 00:00:00 1970\n\ntruncated\nFrom MAILER-DAEMON "),
        L + "maildir2mbox: a From_ line always starts a line", out)
    R.eq(len(mailbox.mbox(mb, create=False).keys()), 2, L + "maildir2mbox: and it parses")


def t_predate(b, L):
    pd = os.path.join(b, "bin", "predate")
    for tz, off in (("UTC0", "+0000"), ("XST-5:30", "+0530"), ("EST5", "-0500"),
                    ("ABC+9:15", "-0915")):
        t0 = time.time()
        rc, out = run([pd, "cat"], MSG, {"TZ": tz})
        first, _, rest = out.encode("latin-1").partition(b"\n")
        m = re.match(rb"^Date: (Mon|Tue|Wed|Thu|Fri|Sat|Sun), ([1-9]|[12][0-9]|3[01]) "
                     rb"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} "
                     rb"\d\d:\d\d:\d\d ([+-]\d{4})$", first)
        R.ok(rc == 0 and m and m.group(4).decode() == off and rest == MSG,
             L + "predate TZ=%s: Date line with %s, then the message" % (tz, off), out[:60])
        if m:
            when = email.utils.parsedate_to_datetime(first[6:].decode()).timestamp()
            R.ok(t0 - 2 <= when <= time.time() + 1, L + "predate TZ=%s: the time is now" % tz,
                 "%s %s" % (when, t0))
    rc, out = run([pd, "sh", "-c", "cat > /dev/null; exit 7"], MSG)
    R.eq(rc, 7, L + "predate: prog's exit code")
    rc, out = run([pd, "sh", "-c", "kill -9 $$"], MSG)
    R.eq(rc, 111, L + "predate: prog crash -> 111")
    rc, out = run([pd, "/nonexistent/prog"], MSG)
    R.ok(rc == 111 and "unable to run" in out, L + "predate: missing prog -> 111", out)
    rc, out = run([pd], MSG)
    R.ok(rc == 111 and "usage" in out, L + "predate: no prog -> 111 usage", out)


# ---------------------------------------------------------------------------
# in private namespaces: splogger, qbiff, tcp-env (the inner halves run there)

def inner(kind, args):
    """run tools.py --inner KIND in new namespaces; add its counts to ours"""
    flags = {"splogger": ["--mount"], "qbiff": ["--mount"], "tcp-env": ["--net", "--mount"]}
    argv = ["unshare"] + flags[kind] + ["--propagation", "private", sys.executable, HERE,
                                        "--inner", kind, json.dumps(args)]
    probe = subprocess.run(argv[:-5] + ["true"], capture_output=True)
    if not R.ok(probe.returncode == 0, "%s: unshare %s works here" % (kind, " ".join(
            flags[kind])), probe.stderr):
        return
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
        out = p.stdout.decode("latin-1")
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode("latin-1") + "\ntimed out\n"
    last = None
    for line in out.splitlines():
        mm = re.match(r"^(\d+) passed, (\d+) failed$", line)
        if mm:
            last = mm
        else:
            print(line, flush=True)
    if not last:
        R.ok(False, "%s: the namespace part finished" % kind, out[-2000:])
        return
    R.passed += int(last.group(1))
    R.failed += int(last.group(2))


def inner_splogger(a):
    I = Results()
    subprocess.run(["mount", "-t", "tmpfs", "none", "/dev"], check=True)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind("/dev/log")
    s.settimeout(0.2)
    L = a["label"]

    def log(argv, data):
        """run splogger, collecting datagrams as they come (the queue is short)"""
        got = []
        t0 = time.time()
        p = subprocess.Popen([a["bin"]] + argv, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        th = threading.Thread(target=lambda: got.append(p.communicate(data, timeout=60)[0]))
        th.start()
        msgs = []
        while th.is_alive():
            try:
                msgs.append(s.recv(65536).decode("latin-1"))
            except socket.timeout:
                pass
        while True:
            try:
                msgs.append(s.recv(65536).decode("latin-1"))
            except socket.timeout:
                break
        th.join()
        return p.returncode, got[0].decode("latin-1"), msgs, t0, time.time()

    rx = re.compile(r"^<(\d+)>(\w{3} [ \d]\d \d\d:\d\d:\d\d) ([^:\[]+): (\d+)\.(\d{6}) (.*)$",
                    re.S)
    lines = [b"status: local 0/10 remote 0/20", b"warning: trouble x",
             b"alert: oh no", b"", b"ctl \x01\x1b[31m\x7f\xe9 end", b"x" * 800,
             b"y" * 2000, b"warning:" + b"w" * 900, b"alerts are not alert:",
             b"no newline at the end"]
    data = b"\n".join(lines)
    rc, out, msgs, t0, t1 = log([], data)
    I.eq((rc, out), (0, ""), L + "splogger: exit 0 at the end of input")
    parsed = [rx.match(m) for m in msgs]
    I.ok(all(parsed), L + "splogger: every message is '<PRI>DATE TAG: SEC.USEC text'", msgs)
    parsed = [m for m in parsed if m]
    I.eq(len(parsed), 13, L + "splogger: one message per line, more for long lines")
    if len(parsed) == 13:
        texts = [m.group(6) for m in parsed]
        pris = [int(m.group(1)) for m in parsed]
        I.eq(set(m.group(3) for m in parsed), {"qmail"}, L + "splogger: default tag qmail")
        I.eq(texts[:5], ["status: local 0/10 remote 0/20", "warning: trouble x", "alert: oh no",
                         "", "ctl ??[31m?? end"], L + "splogger: texts, control bytes as '?'")
        I.eq(pris[:3], [2 * 8 + 6, 2 * 8 + 4, 2 * 8 + 1],
             L + "splogger: facility mail, info/warning/alert from the prefix")
        I.eq(texts[5], "x" * 800, L + "splogger: an 800-byte line is one message")
        I.eq(texts[6:9], ["y" * 800, "+" + "y" * 800, "+" + "y" * 400],
             L + "splogger: a 2000-byte line folds at 800, pieces marked +")
        I.eq(len(set(m.group(4) + m.group(5) for m in parsed[6:9])), 1,
             L + "splogger: the pieces of a line share its time")
        I.eq(pris[9:11], [20, 20], L + "splogger: pieces keep the line's priority")
        I.eq(texts[9:11], ["warning:" + "w" * 792, "+" + "w" * 108],
             L + "splogger: warning line folded")
        I.eq((pris[11], texts[11]), (22, "alerts are not alert:"),
             L + "splogger: prefix only at the start")
        I.eq(texts[12], "no newline at the end",
             L + "splogger: a last line without newline is logged")
        stamps = [int(m.group(4)) + int(m.group(5)) / 1e6 for m in parsed]
        I.ok(all(t0 - 1 <= x <= t1 + 1 for x in stamps) and stamps == sorted(stamps),
             L + "splogger: stamps are the arrival times, in order", (t0, stamps, t1))
    rc, out, msgs, t0, t1 = log(["mytag", "local3"], b"hello\n")
    m = rx.match(msgs[0]) if len(msgs) == 1 else None
    I.ok(rc == 0 and m and m.group(3) == "mytag" and int(m.group(1)) == 19 * 8 + 6,
         L + "splogger mytag local3: tag and facility", msgs)
    rc, out, msgs, t0, t1 = log(["t", "2"], b"warning: x\n")
    m = rx.match(msgs[0]) if len(msgs) == 1 else None
    I.ok(rc == 0 and m and int(m.group(1)) == 2 * 8 + 4, L + "splogger t 2: numeric mail", msgs)
    rc, out, msgs, t0, t1 = log(["t", "DAEMON"], b"x\n")
    m = rx.match(msgs[0]) if len(msgs) == 1 else None
    I.ok(rc == 0 and m and int(m.group(1)) == 3 * 8 + 6, L + "splogger t DAEMON", msgs)
    for bad in (["t", "nosuch"], ["t", "24"], ["a", "b", "c"]):
        rc, out, msgs, t0, t1 = log(bad, b"x\n")
        I.ok(rc == 100 and not msgs, L + "splogger %r -> 100" % bad, out)
    rc, out, msgs, t0, t1 = log([], b"")
    I.ok(rc == 0 and not msgs, L + "splogger: empty input, no message")
    I.finish()


def utmp_record(typ, line, user):
    """a glibc struct utmp: on x86-64 (and 32-bit machines) ut_session and ut_tv are
    32-bit; on the other 64-bit machines they are longs (400 bytes in all)"""
    head = struct.pack("=hxxi32s4s32s256shh", typ, os.getpid(), line.encode(),
                       line[-4:].encode(), user.encode(), b"", 0, 0)
    if platform.machine() == "x86_64" or struct.calcsize("P") == 4:
        return head + struct.pack("=iii16s20s", 0, int(time.time()), 0, b"", b"")
    return head + struct.pack("=qqq16s20s4x", 0, int(time.time()), 0, b"", b"")


def lo_up():
    """bring up the loopback interface of a new network namespace (SIOCSIFFLAGS)"""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    flags = struct.unpack("16sH14x", fcntl.ioctl(s, 0x8913, struct.pack("16sH14x", b"lo", 0)))[1]
    fcntl.ioctl(s, 0x8914, struct.pack("16sH14x", b"lo", flags | 1))
    s.close()


def inner_qbiff(a):
    I = Results()
    L = a["label"]
    subprocess.run(["mount", "-t", "tmpfs", "none", "/run"], check=True)
    specs = [  # (owner uid, mode, utmp user, utmp type, should be told); root's tty is
        # writable by all, so only qbiff's ownership check keeps it untouched
        (a["uid"], 0o700, a["user"], 7, True), (a["uid"], 0o600, a["user"], 7, False),
        (0, 0o722, a["user"], 7, False), (a["uid"], 0o700, "someoneelse", 7, False),
        (a["uid"], 0o700, a["user"], 8, False), (a["uid"], 0o744, a["user"], 7, True)]
    ttys = []
    recs = b""
    for uid, mode, user, typ, told in specs:
        m, s = os.openpty()
        tty.setraw(s)
        name = os.ttyname(s)
        os.chown(name, uid, 5 if os.path.exists("/dev/pts") else 0)
        os.chmod(name, mode)
        ttys.append((m, s, told, name, mode))
        recs += utmp_record(typ, name[5:], user)
    recs += utmp_record(7, "../etc/passwd", a["user"]) + utmp_record(7, "/etc/passwd", a["user"])
    with open("/run/utmp", "wb") as f:
        f.write(recs)

    def biff(env, msg):
        argv = ["setpriv", "--reuid=%d" % a["uid"], "--regid=%d" % a["gid"], "--clear-groups",
                a["bin"]]
        p = subprocess.run(argv, input=msg, env=env, capture_output=True, timeout=30)
        outs = []
        for m, s, told, name, mode in ttys:
            r, _, _ = select.select([m], [], [], 0.2)
            outs.append(os.read(m, 4096) if r else b"")
        return p.returncode, outs

    msg = (b"From: x@y\nSubject:  hi \x1b[31mthere\xe9\n\tfolded line  \nX: y\n\n"
           b"Subject: not this\n")
    rc, outs = biff({"USER": a["user"], "SENDER": "s@example.net"}, msg)
    want = b"\r\n\x07New mail from s@example.net, subject: hi ?[31mthere?\tfolded line\r\n"
    want = want.replace(b"\t", b"?")
    I.eq(rc, 0, L + "qbiff: exit 0")
    for (m, s, told, name, mode), got in zip(ttys, outs):
        I.eq(got, want if told else b"",
             L + "qbiff: tty mode %o %s" % (mode, "told" if told else "left alone"))
    rc, outs = biff({"USER": a["user"], "SENDER": ""}, b"X: y\n\nSubject: body\n")
    I.eq((rc, outs[0]), (0, b"\r\n\x07New mail from MAILER-DAEMON\r\n"),
         L + "qbiff: bounce without subject")
    long = "l" * 500
    rc, outs = biff({"USER": a["user"], "SENDER": long + "@x"},
                    b"Subject: " + b"s" * 1000 + b"\n\n")
    I.eq((rc, outs[0]), (0, b"\r\n\x07New mail from " + b"l" * 100 + b", subject: " +
                         b"s" * 160 + b"\r\n"), L + "qbiff: sender and subject cut short")
    rc, outs = biff({"SENDER": "s@x"}, b"\n")
    I.ok(rc == 0 and not any(outs), L + "qbiff: USER unset -> exit 0, nothing written")
    rc, outs = biff({"USER": "someoneelse", "SENDER": "s@x"}, b"\n")
    I.ok(rc == 0 and not outs[0] and not outs[1] and not outs[5],
         L + "qbiff: only the logins of USER are told")
    I.finish()


class Identd(threading.Thread):
    """a fake IDENT server: records queries, answers with reply(query) (None: hang)"""

    def __init__(self, family, addr):
        super().__init__(daemon=True)
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((addr, 113))
        self.sock.listen(5)
        self.queries = []
        self.peers = []
        self.reply = lambda q: None

    def run(self):
        while True:
            c, peer = self.sock.accept()
            self.peers.append(peer[0])
            c.settimeout(10)
            try:
                q = c.recv(1000)
                self.queries.append(q)
                r = self.reply(q)
                if r is None:
                    time.sleep(3)
                else:
                    c.sendall(r)
            except OSError:
                pass
            c.close()


def inner_tcpenv(a):
    I = Results()
    L = a["label"]
    te = a["bin"]
    lo_up()
    subprocess.run(["mount", "-t", "tmpfs", "none", "/tmp"], check=True)
    ident4 = Identd(socket.AF_INET, "127.0.0.1")
    ident6 = Identd(socket.AF_INET6, "::1")
    ident4.start()
    ident6.start()
    out = "/tmp/env.out"

    def parse():
        try:
            data = open(out, "rb").read().decode("latin-1")
        except OSError:
            return None
        return dict(ln.split("=", 1) for ln in data.split("\0") if "=" in ln)

    def dump_cmd():
        return ["sh", "-c", "env -0 > %s" % out]

    def serve(family, bind, connect, argv, env=None, stdin_override=None):
        """listen, connect, run argv with the accepted socket as stdin; (rc, env,
        client address, server port, output)"""
        try:
            os.unlink(out)
        except OSError:
            pass
        ls = socket.socket(family, socket.SOCK_STREAM)
        if family == socket.AF_INET6:
            ls.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0 if bind == "::" else 1)
        ls.bind((bind, 0))
        ls.listen(1)
        port = ls.getsockname()[1]
        cfam = socket.AF_INET6 if ":" in connect else socket.AF_INET
        c = socket.socket(cfam, socket.SOCK_STREAM)
        c.connect((connect, port))
        conn, _ = ls.accept()
        e = {"PATH": "/usr/bin:/bin"}
        e.update(env or {})
        p = subprocess.run([te] + argv, stdin=stdin_override or conn, env=e,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
        cl = c.getsockname()
        conn.close()
        c.close()
        ls.close()
        return p.returncode, parse(), cl, port, p.stdout.decode("latin-1")

    def hostname(ip):
        try:
            return socket.getnameinfo((ip, 0), socket.NI_NAMEREQD)[0]
        except OSError:
            return None

    # IPv4, IDENT answered
    ident4.reply = lambda q: q.strip() + b" : USERID : UNIX : alice \x1b[0m:x\r\n"
    rc, env, cl, port, o = serve(socket.AF_INET, "127.0.0.1", "127.0.0.1", dump_cmd())
    I.eq(rc, 0, L + "tcp-env: runs the program", )
    env = env or {}
    I.eq([env.get(k) for k in ("PROTO", "TCPLOCALIP", "TCPLOCALPORT", "TCPREMOTEIP",
                               "TCPREMOTEPORT")],
         ["TCP", "127.0.0.1", str(port), "127.0.0.1", str(cl[1])],
         L + "tcp-env: PROTO and the addresses and ports of both ends")
    I.eq((env.get("TCPLOCALHOST"), env.get("TCPREMOTEHOST")),
         (hostname("127.0.0.1"), hostname("127.0.0.1")), L + "tcp-env: PTR names of both ends")
    I.eq(ident4.queries[-1:], [b"%d , %d\r\n" % (cl[1], port)],
         L + "tcp-env: IDENT query is 'remote port , local port'")
    I.eq(env.get("TCPREMOTEINFO"), "alice ?[0m:x", L + "tcp-env: TCPREMOTEINFO, tamed")
    # IDENT refusals and lies
    bad = [lambda q: b"%s : ERROR : NO-USER\r\n" % q.strip(),
           lambda q: b"1 , 2 : USERID : UNIX : mallory\r\n",
           lambda q: q.strip() + b" : USERIDX : UNIX : bob\r\n",
           lambda q: q.strip() + b" : USERID : UNIX : \r\n",
           lambda q: q.strip() + b" : USERID : UNIX : " + b"z" * 2000 + b"\r\n",
           lambda q: b""]
    for i, reply in enumerate(bad):
        ident4.reply = reply
        rc, env, cl, port, o = serve(socket.AF_INET, "127.0.0.1", "127.0.0.1", dump_cmd(),
                                     env={"TCPREMOTEINFO": "stale"})
        I.ok(rc == 0 and env is not None and "TCPREMOTEINFO" not in env,
             L + "tcp-env: bad IDENT reply %d -> TCPREMOTEINFO unset" % i, (rc, env, o))
    ident4.reply = lambda q: None
    t0 = time.time()
    rc, env, cl, port, o = serve(socket.AF_INET, "127.0.0.1", "127.0.0.1",
                                 ["-t", "1"] + dump_cmd())
    I.ok(rc == 0 and env is not None and "TCPREMOTEINFO" not in env and time.time() - t0 < 2.5,
         L + "tcp-env -t 1: a silent IDENT server costs a second", time.time() - t0)
    n = len(ident4.queries)
    rc, env, cl, port, o = serve(socket.AF_INET, "127.0.0.1", "127.0.0.1",
                                 ["-R"] + dump_cmd(), env={"TCPREMOTEINFO": "stale"})
    time.sleep(0.2)
    I.ok(rc == 0 and env is not None and "TCPREMOTEINFO" not in env and
         len(ident4.queries) == n, L + "tcp-env -R: no IDENT query", (env, o))
    ident4.reply = lambda q: q.strip() + b" : USERID : UNIX : carol\r\n"
    rc, env, cl, port, o = serve(socket.AF_INET, "127.0.0.1", "127.0.0.1",
                                 ["-R", "-r"] + dump_cmd())
    I.eq((env or {}).get("TCPREMOTEINFO"), "carol", L + "tcp-env -R -r: the last one wins")
    # IPv6, and an IPv4 client of a dual-stack socket
    ident6.reply = lambda q: q.strip() + b" : USERID : UNIX : dave\r\n"
    rc, env, cl, port, o = serve(socket.AF_INET6, "::1", "::1", dump_cmd())
    env = env or {}
    I.eq([env.get(k) for k in ("PROTO", "TCPLOCALIP", "TCPLOCALPORT", "TCPREMOTEIP",
                               "TCPREMOTEPORT", "TCPREMOTEINFO")],
         ["TCP", "::1", str(port), "::1", str(cl[1]), "dave"], L + "tcp-env: IPv6")
    I.eq(env.get("TCPREMOTEHOST"), hostname("::1"), L + "tcp-env: IPv6 PTR name")
    ident4.reply = lambda q: q.strip() + b" : USERID : UNIX : erin\r\n"
    rc, env, cl, port, o = serve(socket.AF_INET6, "::", "127.0.0.1", dump_cmd())
    env = env or {}
    I.eq([env.get(k) for k in ("TCPLOCALIP", "TCPREMOTEIP", "TCPREMOTEINFO")],
         ["127.0.0.1", "127.0.0.1", "erin"], L + "tcp-env: mapped IPv4 shown as IPv4")
    # PROTO=TCP: the environment is trusted as it is
    rc, env, cl, port, o = serve(socket.AF_INET, "127.0.0.1", "127.0.0.1", dump_cmd(),
                                 env={"PROTO": "TCP", "TCPREMOTEIP": "192.0.2.1"})
    I.ok(rc == 0 and env and env.get("TCPREMOTEIP") == "192.0.2.1" and
         "TCPLOCALIP" not in env, L + "tcp-env: PROTO=TCP environment kept", env)
    # not a socket, usage
    with open("/etc/hostname" if os.path.exists("/etc/hostname") else "/etc/passwd") as f:
        rc, env, cl, port, o = serve(socket.AF_INET, "127.0.0.1", "127.0.0.1", dump_cmd(),
                                     stdin_override=f)
    I.ok(rc == 111 and env is None and "unable to get the addresses" in o,
         L + "tcp-env: stdin not a socket -> 111", o)
    for bad in ([], ["-R"], ["-x", "true"], ["-t", "x", "true"], ["-t", "0", "true"], ["-t"]):
        p = subprocess.run([te] + bad, capture_output=True)
        I.ok(p.returncode == 100 and b"usage" in p.stderr, L + "tcp-env %r -> 100" % bad)
    rc, env, cl, port, o = serve(socket.AF_INET, "127.0.0.1", "127.0.0.1",
                                 ["-R", "/nonexistent/prog"])
    I.ok(rc == 111 and "unable to run" in o, L + "tcp-env: missing prog -> 111", o)

    # under tcpserver on a loopback port of our own
    if shutil.which("tcpserver"):
        for trusted in (True, False):
            try:
                os.unlink(out)
            except OSError:
                pass
            ls = socket.socket()
            ls.bind(("127.0.0.1", 0))
            port = ls.getsockname()[1]
            ls.close()
            ident4.reply = lambda q: q.strip() + b" : USERID : UNIX : frank\r\n"
            prog = [te, "-r"] + dump_cmd()
            if not trusted:
                prog = ["env", "-u", "PROTO", "-u", "TCPLOCALHOST"] + prog
            srv = subprocess.Popen(["tcpserver", "-H", "-R", "-l", "marker.example", "127.0.0.1",
                                    str(port)] + prog, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
            c = None
            for _ in range(100):
                try:
                    c = socket.create_connection(("127.0.0.1", port))
                    break
                except OSError:
                    time.sleep(0.05)
            cl = c.getsockname() if c else (None, None)
            for _ in range(100):
                if parse():
                    break
                time.sleep(0.05)
            time.sleep(0.1)
            env = parse() or {}
            if c:
                c.close()
            srv.terminate()
            srv.wait()
            if trusted:
                I.ok(env.get("TCPLOCALHOST") == "marker.example" and
                     "TCPREMOTEINFO" not in env and env.get("TCPREMOTEPORT") == str(cl[1]),
                     L + "tcp-env under tcpserver: its environment kept", env)
            else:
                I.eq([env.get(k) for k in ("PROTO", "TCPLOCALPORT", "TCPREMOTEPORT",
                                           "TCPLOCALHOST", "TCPREMOTEINFO")],
                     ["TCP", str(port), str(cl[1]), hostname("127.0.0.1"), "frank"],
                     L + "tcp-env under tcpserver without PROTO: its own values")
    else:
        I.ok(False, "tcpserver is installed")
    I.finish()


# ---------------------------------------------------------------------------
# the tools as qmail-local runs them from .qmail files

def t_qmail_local(b, L, user):
    ql = os.path.join(b, "bin", "qmail-local")
    if not os.path.exists(ql):
        R.ok(False, L + "qmail-local is built")
        return
    binpath = os.path.join(b, "bin")

    def write(name, text, mode=0o644):
        user.file(name, text, mode)

    def deliver(local, ext, msg=MSG):
        argv = ["setpriv", "--reuid=%d" % user.uid, "--regid=%d" % user.gid, "--clear-groups",
                ql, "--", user.name, user.home, local, "-", ext, "example.com",
                "s@example.net", "./Maildir/"]
        return run(argv, msg, {"PATH": binpath + ":/usr/bin:/bin"}, cwd="/")

    md = user.maildir()
    new = os.path.join(md, "new")

    def clean_new():
        for n in os.listdir(new):
            os.unlink(os.path.join(new, n))

    write(".qmail-fw", "|forward x@example.org y@example.org\n")
    rc, out = deliver("u-fw", "fw")
    pid = (E.got("qq.pid") or b"?").decode().strip()
    R.ok(rc == 0 and "qp %s\n" % pid in out and "did 0+0+1" in out,
         L + "qmail-local |forward: delivered, qp reported", out)
    R.eq(E.got("qq.msg"), b"Delivered-To: u-fw@example.com\n" + MSG,
         L + "qmail-local |forward: message prefixed by qmail-local's DTLINE")
    R.eq(E.got("qq.env"), envelope("s@example.net", "x@example.org", "y@example.org"),
         L + "qmail-local |forward: envelope from NEWSENDER (the sender)")
    write(".qmail-own", "|forward x@example.org\n")
    write(".qmail-own-owner", "&owner@example.org\n")
    rc, out = deliver("u-own", "own")
    R.eq(E.got("qq.env"), envelope("u-own-owner@example.com", "x@example.org"),
         L + "qmail-local |forward: NEWSENDER is the -owner address")
    rc, out = deliver("u-fw", "fw", MSG.replace(b"Received", b"Delivered-To: u-fw@example.com\n"
                                                            b"Received"))
    R.ok(rc == 100 and E.got("qq.msg") is None, L + "qmail-local: a loop stops before forward",
         out)

    write(".qmail-pl", "|preline sh -c 'cat > \"$HOME/pl.out\"'\n")
    rc, out = deliver("u-pl", "pl")
    got = open(os.path.join(user.home, "pl.out"), "rb").read() if rc == 0 else b""
    first, _, rest = got.partition(b"\n")
    R.ok(rc == 0 and re.match(rb"^From s@example\.net \w{3} \w{3} \d\d \d\d:\d\d:\d\d \d{4}$",
                              first) is not None,
         L + "qmail-local |preline: From_ line first", (out, first))
    R.eq(rest, b"Return-Path: <s@example.net>\nDelivered-To: u-pl@example.com\n" + MSG,
         L + "qmail-local |preline: Return-Path, Delivered-To, the message unquoted")

    write(".qmail-cr", "|condredirect other@example.org grep -q '^Subject: redirect'\n"
          "./Maildir/\n")
    write(".qmail-cr-owner", "&owner@example.org\n")
    clean_new()
    rc, out = deliver("u-cr", "cr", MSG.replace(b"Subject: test", b"Subject: redirect"))
    R.ok(rc == 0 and os.listdir(new) == [] and "qp " in out,
         L + "qmail-local |condredirect: redirected, later lines skipped", out)
    R.eq(E.got("qq.env"), envelope("s@example.net", "other@example.org"),
         L + "qmail-local |condredirect: sender SENDER even with an -owner file")
    R.eq(E.got("qq.msg"), b"Delivered-To: u-cr@example.com\n" +
         MSG.replace(b"Subject: test", b"Subject: redirect"),
         L + "qmail-local |condredirect: DTLINE and the whole message")
    rc, out = deliver("u-cr", "cr")
    R.ok(rc == 0 and len(os.listdir(new)) == 1 and E.got("qq.msg") is None,
         L + "qmail-local |condredirect: declined, next line delivers", out)

    write(".qmail-bs", "|bouncesaying 'This address no longer takes mail.'\n./Maildir/\n")
    clean_new()
    rc, out = deliver("u-bs", "bs")
    R.ok(rc == 100 and "This address no longer takes mail." in out and os.listdir(new) == [],
         L + "qmail-local |bouncesaying: bounced with the text", out)
    write(".qmail-ex", "|except grep -q '^Subject: bad'\n./Maildir/\n")
    rc, out = deliver("u-ex", "ex", MSG.replace(b"Subject: test", b"Subject: bad"))
    R.ok(rc == 100 and os.listdir(new) == [], L + "qmail-local |except: match bounces", out)
    rc, out = deliver("u-ex", "ex")
    R.ok(rc == 0 and len(os.listdir(new)) == 1, L + "qmail-local |except: no match delivers",
         out)
    write(".qmail-qr", "|qreceipt u-qr@example.com\n")
    rc, out = deliver("u-qr", "qr", b"Notice-Requested-Upon-Delivery-To: u-qr@example.com\n" + MSG)
    R.ok(rc == 0 and E.got("qq.env") == envelope("", "s@example.net"),
         L + "qmail-local |qreceipt: notice to the sender", out)


# ---------------------------------------------------------------------------
# a private install: modes, man pages, mailsubj and datemail

def t_install():
    P = Prefix("tools")
    try:
        R.ok(P.ready, "private install of the tools")
        if not P.ready:
            return
        owner = open(os.path.join(TOP, "conf-users")).read().split("\n")[3].strip()
        ouid = pwd.getpwnam(owner).pw_uid
        for t in TOOLS:
            st = os.stat(P.bin(t))
            R.eq((stat.S_IMODE(st.st_mode), st.st_uid), (0o711 if t == "splogger" else 0o755, ouid),
                 "installed bin/%s mode and owner" % t)
            page = [p for p in (P.path("man", "man1", t + ".1"), P.path("man", "man8", t + ".8"))
                    if os.path.exists(p)]
            R.ok(page, "man page of %s installed" % t)
        body = b"the body\nFrom here\n"
        # the real qmail-inject and sendmail, queueing through the fake qmail-queue
        P.control("me", "tools.example\n")
        rc, out = run([P.bin("mailsubj"), "hi there\nBcc: evil@x", "a@example.com",
                       "c@example.org"], body)
        R.eq((rc, E.got("qq.env")), (0, envelope("anonymous@tools.example", "a@example.com",
                                                  "c@example.org")),
             "mailsubj | qmail-inject: queued to the recipients of the To field")
        m = E.got("qq.msg") or b""
        R.ok(re.search(rb"(^|\n)Subject: hi there Bcc: evil@x\n", m) and
             not re.search(rb"(^|\n)Bcc:", m) and m.endswith(b"\n\n" + body),
             "mailsubj | qmail-inject: the subject, no injected Bcc, the body", m)
        rc, out = run([P.bin("datemail"), "-t"], b"To: d@example.com\n\n" + body,
                      {"TZ": "XST-5:30"})
        m = E.got("qq.msg") or b""
        R.ok(rc == 0 and E.got("qq.env") == envelope("anonymous@tools.example",
                                                      "d@example.com") and
             re.search(rb"(^|\n)Date: \w{3}, \d+ \w{3} \d{4} [\d:]{8} \+0530\n", m),
             "datemail | sendmail: the local Date field reaches the queue", m)
        # recorders in their place show exactly what mailsubj and datemail hand over
        for name in ("qmail-inject", "sendmail"):
            os.rename(P.bin(name), P.bin(name) + ".real")
            with open(P.bin(name), "w") as f:
                f.write('#!/bin/sh\nprintf "%%s\\n" "$@" > "$QQ_DIR/%s.args"\n'
                        'cat > "$QQ_DIR/%s.in"\nexit ${QQ_EXIT:-0}\n' % (name, name))
            os.chmod(P.bin(name), 0o755)
        rc, out = run([P.bin("mailsubj"), "hi there\nBcc: evil@x", "a@example.com",
                       "c@example.org"], body)
        R.eq((rc, E.got("qmail-inject.in")),
             (0, b"Subject: hi there Bcc: evil@x\nTo: a@example.com, c@example.org\n\n" + body),
             "mailsubj: Subject and To around the body, no header injection")
        R.eq(E.got("qmail-inject.args"), b"\n", "mailsubj: qmail-inject takes the To field")
        rc, out = run([P.bin("mailsubj"), "s"] + ["recipient%02d@example.com" % i
                                                  for i in range(8)], body)
        hdr = (E.got("qmail-inject.in") or b"").split(b"\n\n")[0].decode()
        R.ok(rc == 0 and all(len(x) <= 78 for x in hdr.split("\n")) and
             hdr.count("recipient") == 8 and "\n  recipient" in hdr,
             "mailsubj: a long To field is folded", hdr)
        rc, out = run([P.bin("mailsubj"), "s", "a@b"], body, qq_exit=100)
        R.eq(rc, 100, "mailsubj: qmail-inject's exit code")
        rc, out = run([P.bin("datemail"), "-t", "-f", "s@example.net"], body,
                      {"TZ": "XST-5:30"})
        sin = E.got("sendmail.in") or b""
        R.ok(rc == 0 and re.match(rb"^Date: \w{3}, \d+ \w{3} \d{4} \d\d:\d\d:\d\d \+0530\n",
                                  sin) and sin.endswith(b"\n" + body),
             "datemail: local Date line, then the message, to sendmail", sin)
        R.eq(E.got("sendmail.args"), b"-t\n-f\ns@example.net\n",
             "datemail: the arguments go to sendmail")
        rc, out = run([P.bin("datemail")], body, qq_exit=111)
        R.eq(rc, 111, "datemail: sendmail's exit code")
        rc, out = run([P.bin("mailsubj"), "s"], body)
        R.ok(rc == 100 and "usage" in out, "mailsubj: no recipient -> 100 usage", out)
    finally:
        P.cleanup()


def main():
    global E
    if len(sys.argv) > 1 and sys.argv[1] == "--inner":
        a = json.loads(sys.argv[3])
        {"splogger": inner_splogger, "qbiff": inner_qbiff, "tcp-env": inner_tcpenv}[
            sys.argv[2]](a)
        return
    if os.geteuid() != 0:
        R.ok(False, "tools tests must run as root")
        R.finish()
    bs = builds()
    if not bs:
        R.ok(False, "a build with bin/forward exists")
        R.finish()
    E = Env()
    made = []
    user = User("qtt")
    try:
        # qq changes to the compiled-in home before it runs $QMAILQUEUE
        for b in bs:
            h = home_of(b)
            if not os.path.isdir(h):
                top = h
                while not os.path.isdir(os.path.dirname(top)):
                    top = os.path.dirname(top)
                os.makedirs(h)
                os.chmod(top, 0o755)
                os.chmod(h, 0o755)
                made.append(top)
        for b in bs:
            L = os.path.basename(b) + ": "
            for t in (t_forward, t_condredirect, t_bouncesaying, t_except, t_preline, t_qreceipt,
                      t_maildirmake, t_maildir2mbox, t_predate):
                t(b, L)
            t_qmail_local(b, L, user)
            inner("splogger", {"bin": os.path.join(b, "bin", "splogger"), "label": L})
            inner("qbiff", {"bin": os.path.join(b, "bin", "qbiff"), "label": L,
                            "user": user.name, "uid": user.uid, "gid": user.gid})
            inner("tcp-env", {"bin": os.path.join(b, "bin", "tcp-env"), "label": L})
        t_install()
    finally:
        user.remove()
        shutil.rmtree(E.base, ignore_errors=True)
        for m in made:
            shutil.rmtree(m, ignore_errors=True)
    R.finish()


main()
