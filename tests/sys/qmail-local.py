#!/usr/bin/env python3
"""qmail-local.py - qmail-local run for real, as a temporary user, against its own
home directory: Maildir, mbox, program and forward deliveries, the .qmail lookup,
the environment of programs, exit codes, the loop check and the safety checks.
Runs as root (it creates the user qltestPID and removes it at the end). Forwards go
to a fake qmail-queue named by $QMAILQUEUE, which records message and envelope.
Uses $TOP and $B from tests/run; every binary found there (plain and sanitized) is
tested. Prints ok/FAIL per assertion, then "N passed, N failed"."""

import mailbox
import os
import pwd
import re
import shutil
import stat
import subprocess
import sys
import tempfile

TOP = os.environ.get("TOP", os.getcwd())
sys.path.insert(0, os.path.join(TOP, "tests"))
from qmailtest import Results  # noqa: E402

R = Results()


def check(ok, what, detail=""):
    R.ok(ok, what, detail)


builds = [b for b in (os.environ.get("B"), os.environ.get("SANB")) if b]
if not builds:
    builds = [os.path.dirname(os.path.dirname(p)) for p in
              sorted(os.popen("ls -d %s/build/*/bin/qmail-local 2>/dev/null" % TOP)
                     .read().split())]
builds = [os.path.join(TOP, b) for b in builds
          if os.path.exists(os.path.join(TOP, b, "bin", "qmail-local"))]

if os.geteuid() != 0:
    check(False, "qmail-local tests must run as root")
    R.finish()
if not builds:
    check(False, "a built bin/qmail-local exists")
    R.finish()

USER = "qltest%d" % os.getpid()
base = tempfile.mkdtemp(prefix="qltest.")
os.chmod(base, 0o755)
HOME = os.path.join(base, "home")
made_qmail = None
subprocess.run(["useradd", "-M", "-d", HOME, "-s", "/bin/sh", USER], check=True)
pw = pwd.getpwnam(USER)
UID, GID = pw.pw_uid, pw.pw_gid

# the fake qmail-queue: message from fd 0, envelope from fd 1
QQ = os.path.join(base, "fake-qq")
with open(QQ, "w") as f:
    f.write('#!/bin/sh\nexec 3<&1\ncat > "$QQ_DIR/qq.msg"\ncat <&3 > "$QQ_DIR/qq.env"\n'
            'echo $$ > "$QQ_DIR/qq.pid"\nexit ${QQ_EXIT:-0}\n')
os.chmod(QQ, 0o755)

MSG = (b"Received: from x by y\nSubject: test\nFrom: a@b\n\n"
       b"Hello\nFrom x\n>From y\n>>From z\n From not\nFrom\nlast line")


def as_user(fn):
    """run fn as the test user in a child process (files it creates are the user's)"""
    pid = os.fork()
    if pid == 0:
        try:
            os.setgroups([])
            os.setgid(GID)
            os.setuid(UID)
            os.umask(0o022)
            fn()
            os._exit(0)
        except BaseException as e:
            print("setup error: %r" % e)
            os._exit(1)
    os.waitpid(pid, 0)


def write(path, data, mode=0o644):
    def w():
        with open(path, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())
        os.chmod(path, mode)
    as_user(w)


def mkmaildir(path):
    def m():
        for d in ("", "tmp", "new", "cur"):
            os.makedirs(os.path.join(path, d), exist_ok=True)
    as_user(m)


def fresh_home():
    if os.path.exists(HOME):
        shutil.rmtree(HOME)
    os.mkdir(HOME, 0o755)
    os.chown(HOME, UID, GID)
    os.chmod(HOME, 0o755)
    os.mkdir(os.path.join(HOME, "qq"), 0o755)
    os.chown(os.path.join(HOME, "qq"), UID, GID)


def run(qlbin, args, msg=MSG, flag=None, env=None, stdin=None):
    """qmail-local as the test user; (exit code, output)"""
    argv = ["setpriv", "--reuid=%d" % UID, "--regid=%d" % GID, "--clear-groups", qlbin]
    if flag:
        argv.append(flag)
    argv += ["--"] + args
    e = {"PATH": "/usr/bin:/bin", "QMAILQUEUE": QQ, "QQ_DIR": os.path.join(HOME, "qq"),
         "DEFAULT": "inherited-must-go"}
    if env:
        e.update(env)
    if stdin is None:
        fd, path = tempfile.mkstemp(dir=base)
        os.write(fd, msg)
        os.close(fd)
        os.chmod(path, 0o644)
        with open(path, "rb") as f:
            p = subprocess.run(argv, stdin=f, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, env=e, cwd="/")
        os.unlink(path)
    else:
        p = subprocess.run(argv, stdin=stdin, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, env=e, cwd="/")
    return p.returncode, p.stdout.decode("latin-1")


def std(local="u", dash="", ext="", sender="s@example.net", dflt="./Mailbox"):
    return [USER, HOME, local, dash, ext, "example.com", sender, dflt]


def newfiles(md):
    d = os.path.join(HOME, md, "new")
    return [os.path.join(d, n) for n in sorted(os.listdir(d))]


def readb(path):
    with open(path, "rb") as f:
        return f.read()


def suite(ql, tag):
    T = lambda s: "%s: %s" % (tag, s)
    RP = b"Return-Path: <s@example.net>\n"

    # Maildir, from defaultdelivery (no .qmail, dash empty)
    fresh_home()
    mkmaildir(os.path.join(HOME, "Maildir"))
    rc, out = run(ql, std(dflt="./Maildir/"))
    check(rc == 0, T("maildir delivery exits 0"), out)
    check(out == "did 1+0+0\n", T("maildir report is did 1+0+0"), repr(out))
    files = newfiles("Maildir")
    check(len(files) == 1, T("one file in Maildir/new"), repr(files))
    want = RP + b"Delivered-To: u@example.com\n" + MSG
    if files:
        check(readb(files[0]) == want, T("maildir file is Return-Path+Delivered-To+message"))
        check(re.match(r"^\d+\.\d+\.[^/]+$", os.path.basename(files[0])) is not None,
              T("maildir name is TIME.PID.HOST"), files[0])
        st = os.stat(files[0])
        check(st.st_uid == UID and stat.S_IMODE(st.st_mode) == 0o600,
              T("maildir file owned by the user, mode 0600"))
    check(os.listdir(os.path.join(HOME, "Maildir", "tmp")) == [], T("maildir tmp/ is empty"))
    md = mailbox.Maildir(os.path.join(HOME, "Maildir"), factory=None, create=False)
    msgs = list(md)
    check(len(msgs) == 1 and msgs[0]["Subject"] == "test"
          and msgs[0]["Delivered-To"] == "u@example.com",
          T("python mailbox.Maildir reads the delivery"))
    rc, out = run(ql, std(dflt="./Maildir/"))
    check(rc == 0 and len(newfiles("Maildir")) == 2, T("second maildir delivery, new name"))

    # mbox with mboxrd quoting
    fresh_home()
    write(os.path.join(HOME, ".qmail"), "./Mailbox\n")
    rc, out = run(ql, std())
    check(rc == 0 and out == "did 1+0+0\n", T("mbox delivery exits 0"), out)
    mb = readb(os.path.join(HOME, "Mailbox"))
    lines = mb.split(b"\n")
    check(re.match(rb"^From s@example\.net \w{3} \w{3} \d\d \d\d:\d\d:\d\d \d{4}$", lines[0])
          is not None, T("mbox From_ line"), repr(lines[0]))
    body = b"\n".join(lines[1:])
    want = (RP + b"Delivered-To: u@example.com\n"
            b"Received: from x by y\nSubject: test\nFrom: a@b\n\n"
            b"Hello\n>From x\n>>From y\n>>>From z\n From not\nFrom\nlast line\n\n")
    check(body == want, T("mbox quoting and final newlines"), repr(body))
    st = os.stat(os.path.join(HOME, "Mailbox"))
    check(st.st_uid == UID and stat.S_IMODE(st.st_mode) == 0o600,
          T("mbox created owned by the user, mode 0600"))
    rc, out = run(ql, std(sender=""), msg=b"Subject: two\n\nFrom here\n")
    check(rc == 0, T("second mbox delivery"), out)
    mb2 = readb(os.path.join(HOME, "Mailbox"))
    check(mb2.startswith(mb) and mb2[len(mb):].startswith(b"From MAILER-DAEMON "),
          T("bounce gets From MAILER-DAEMON, appended"))
    check(mb2.endswith(b"Return-Path: <>\nDelivered-To: u@example.com\n"
                       b"Subject: two\n\n>From here\n\n"), T("message with final newline"))
    box = mailbox.mbox(os.path.join(HOME, "Mailbox"), create=False)
    ms = list(box)
    check(len(ms) == 2 and ms[0]["Subject"] == "test" and ms[1]["Subject"] == "two",
          T("python mailbox.mbox reads two messages"))
    if len(ms) == 2:
        check(b">From x\n>>From y\n" in ms[0].get_payload(decode=False).encode("latin-1"),
              T("mbox body keeps the quoted lines"))

    # mboxrd quoting against a reference, with tricky lines across read boundaries
    fresh_home()
    write(os.path.join(HOME, ".qmail"), "./Mailbox\n")
    pieces = [b"From ", b">From ", b">>>>From x", b"Fro", b"From", b">", b">>", b"",
              b"From\tx", b" From ", b">F", b"x From ", b">" * 9000 + b"From big",
              b">" * 9000 + b"Frog"]
    body = b"Subject: q\n\n"
    for k in range(3):
        for j, p in enumerate(pieces):
            pad = b"y" * ((8192 - 2 - len(body) % 8192) % 8192 if j == k else 0)
            body += pad + b"\n" + p + b"\n"
    body += b">>From at the very end"
    rc, out = run(ql, std(), msg=body)
    got = readb(os.path.join(HOME, "Mailbox"))
    ref = b"\n".join(b">" + x if re.match(rb"^>*From ", x) else x for x in body.split(b"\n"))
    got_body = got.split(b"\n", 3)[3] if got.count(b"\n") >= 3 else b""
    check(rc == 0 and got_body == ref + b"\n\n", T("mboxrd quoting matches the reference"),
          "rc %d, %d vs %d bytes" % (rc, len(got_body), len(ref) + 2))

    # -n prints the instructions
    fresh_home()
    write(os.path.join(HOME, ".qmail-list"),
          "# comment\n./Maildir/\n./mbox  \n|prog arg\n&a@b\nc@d\n+list\n\n&e@f\n")
    rc, out = run(ql, std(local="u-list", dash="-", ext="list"), flag="-n")
    check(rc == 0 and out == "maildir ./Maildir/\nmbox ./mbox\nprogram prog arg\n"
          "forward a@b\nforward c@d\nforward e@f\n", T("-n output"), repr(out))
    rc, out = run(ql, std(local="u-nope", dash="-", ext="nope"), flag="-n")
    check(rc == 100 and "#5.1.1" in out, T("-n: missing file is still 5.1.1"), out)

    # .qmail-ext, .qmail-ext-default, DEFAULT and the program environment
    fresh_home()
    write(os.path.join(HOME, ".qmail-foo"), "|echo exact\n")
    write(os.path.join(HOME, ".qmail-foo-default"), "|env > envout; echo via-default\n")
    rc, out = run(ql, std(local="u-foo", dash="-", ext="foo"))
    check(rc == 0 and out == "exact\ndid 0+0+1\n", T(".qmail-foo for ext foo"), out)
    rc, out = run(ql, std(local="u-Foo.Bar-baz", dash="-", ext="Foo.Bar-baz"))
    check(rc == 100 and "#5.1.1" in out, T("dots and case: no .qmail-foo:bar-*"), out)
    write(os.path.join(HOME, ".qmail-foo:bar-default"), "|env > envout; echo dotted\n")
    rc, out = run(ql, std(local="u-Foo.Bar-baz", dash="-", ext="Foo.Bar-baz"))
    check(rc == 0 and out == "dotted\ndid 0+0+1\n", T(".qmail-foo:bar-default for Foo.Bar-baz"),
          out)
    rc, out = run(ql, std(local="u-foo-bar-x", dash="-", ext="foo-bar-x",
                          sender="s@example.net"),
                  env={"KEEP": "yes"})
    check(rc == 0 and out == "via-default\ndid 0+0+1\n", T(".qmail-foo-default for foo-bar-x"),
          out)
    envout = readb(os.path.join(HOME, "envout")).decode("latin-1")
    env = {}
    for line in re.split(r"\n(?=[A-Za-z_][A-Za-z0-9_]*=)", envout):
        k, _, v = line.partition("=")
        env[k] = v
    wantenv = {
        "USER": USER, "HOME": HOME, "LOCAL": "u-foo-bar-x", "HOST": "example.com",
        "RECIPIENT": "u-foo-bar-x@example.com", "SENDER": "s@example.net",
        "NEWSENDER": "s@example.net", "EXT": "foo-bar-x", "EXT2": "bar-x", "EXT3": "x",
        "EXT4": "", "HOST2": "example", "HOST3": "example", "HOST4": "example",
        "DEFAULT": "bar-x", "DTLINE": "Delivered-To: u-foo-bar-x@example.com\n",
        "RPLINE": "Return-Path: <s@example.net>\n", "KEEP": "yes",
    }
    for k, v in wantenv.items():
        got = env.get(k)
        if k in ("DTLINE", "RPLINE") and got is not None:
            got = got if got.endswith("\n") else got + "\n"
        check(got is not None and got.rstrip("\n") == v.rstrip("\n"), T("program sees %s" % k),
              "%r != %r" % (got, v))
    check(re.match(r"^From s@example\.net \w{3} \w{3} \d\d \d\d:\d\d:\d\d \d{4}\n?$",
                   env.get("UFLINE", "")) is not None, T("program sees UFLINE"),
          repr(env.get("UFLINE")))
    write(os.path.join(HOME, ".qmail-b"), "|env > envout2\n")
    rc, out = run(ql, [USER, HOME, "a-b", "-", "b", "m.x.example.org", "", "./M"])
    env2 = readb(os.path.join(HOME, "envout2")).decode("latin-1").split("\n")
    check("HOST2=m.x.example" in env2 and "HOST3=m.x" in env2 and "HOST4=m" in env2,
          T("HOST2-4 drop dot components"))
    check("SENDER=" in env2 and "EXT2=" in env2 and not any(x.startswith("DEFAULT=")
                                                            for x in env2),
          T("empty SENDER, no DEFAULT without a default file"))
    check("RPLINE=Return-Path: <>" in env2, T("RPLINE for a bounce"))
    write(os.path.join(HOME, ".qmail-q"), "|env > envout3\n")
    rc, out = run(ql, [USER, HOME, "u-q", "-", "q", "example.com", 'a b"c@x.org', "./M"])
    env3 = readb(os.path.join(HOME, "envout3")).decode("latin-1").split("\n")
    check('RPLINE=Return-Path: <"a b\\"c"@x.org>' in env3, T("RPLINE quotes the local part"),
          repr([x for x in env3 if x.startswith("RPLINE")]))
    check(any(re.match(r"^UFLINE=From a-b\"c@x\.org ", x) for x in env3),
          T("UFLINE replaces blanks"))
    rc, out = run(ql, [USER, HOME, "u-q", "-", "q", "example.com", "evil\nX: y@x", "./M"])
    env4 = readb(os.path.join(HOME, "envout3")).decode("latin-1")
    check('\nRPLINE=Return-Path: <"evil_X: y"@x>\n' in env4,
          T("newline in sender: RPLINE stays one line"))
    check(re.search(r"\nUFLINE=From evil-X:-y@x \w{3} ", env4) is not None,
          T("newline in sender: UFLINE stays one line"))

    # program exit codes
    fresh_home()
    write(os.path.join(HOME, ".qmail-e99"), "./first\n|exit 99\n./second\n")
    rc, out = run(ql, std(local="u-e99", dash="-", ext="e99"))
    check(rc == 0 and out == "did 1+0+1\n", T("exit 99 is success"), out)
    check(os.path.exists(os.path.join(HOME, "first"))
          and not os.path.exists(os.path.join(HOME, "second")), T("exit 99 skips later lines"))
    for code, want in ((100, 100), (64, 100), (65, 100), (70, 100), (76, 100), (77, 100),
                       (78, 100), (112, 100), (111, 111), (1, 111), (2, 111), (75, 111)):
        write(os.path.join(HOME, ".qmail-x"), "|echo failing; exit %d\n./after\n" % code)
        rc, out = run(ql, std(local="u-x", dash="-", ext="x"))
        check(rc == want and out.startswith("failing\n"),
              T("program exit %d -> %d" % (code, want)), "%d %r" % (rc, out))
    check(not os.path.exists(os.path.join(HOME, "after")), T("failure stops processing"))
    write(os.path.join(HOME, ".qmail-x"), "|kill -9 $$\n")
    rc, out = run(ql, std(local="u-x", dash="-", ext="x"))
    check(rc == 111 and "#4.3.0" in out, T("crashed program -> 111"), out)
    write(os.path.join(HOME, ".qmail-x"), "|echo to-stderr >&2; pwd; cat\n")
    rc, out = run(ql, std(local="u-x", dash="-", ext="x"))
    check(rc == 0 and out == "to-stderr\n" + HOME + "\n" + MSG.decode() + "did 0+0+1\n",
          T("program: stderr in report, cwd home, message unchanged on stdin"), repr(out))
    write(os.path.join(HOME, ".qmail-x"), "./Maildir/\n|cat\n")
    mkmaildir(os.path.join(HOME, "Maildir"))
    rc, out = run(ql, std(local="u-x", dash="-", ext="x"))
    check(rc == 0 and out == MSG.decode() + "did 1+0+1\n",
          T("second instruction reads the message from byte 0"), repr(out))

    # loop detection
    fresh_home()
    write(os.path.join(HOME, ".qmail"), "./Mailbox\n")
    loop = b"Subject: x\nDelivered-To: u@example.com\nX: y\n\nbody\n"
    rc, out = run(ql, std(), msg=loop)
    check(rc == 100 and "#5.4.6" in out, T("looping message -> 100 #5.4.6"), out)
    check(not os.path.exists(os.path.join(HOME, "Mailbox")), T("looping message not delivered"))
    for m, what in ((b"Delivered-To: u@example.com \n\n", "trailing space"),
                    (b"Delivered-To: U@example.com\n\n", "other case"),
                    (b"Delivered-To: u@example.co\n\n", "prefix"),
                    (b"Subject: x\n\nDelivered-To: u@example.com\n", "in the body"),
                    (b"Delivered-To: u@example.com", "no newline")):
        rc, out = run(ql, std(), msg=m)
        check(rc == 0, T("not a loop: " + what), out)
    big = b"X-Big: " + b"a" * (5 * 1024 * 1024) + b"\nDelivered-To: u@example.com\n\n"
    rc, out = run(ql, std(), msg=big)
    check(rc == 0, T("loop scan is bounded"), out[:200])
    rc, out = run(ql, std(), msg=loop, flag="-n")
    check(rc == 0 and out == "mbox ./Mailbox\n", T("-n skips the loop check"), out)

    # home and .qmail permissions
    fresh_home()
    write(os.path.join(HOME, ".qmail"), "./Mailbox\n")
    os.chmod(HOME, 0o757)
    rc, out = run(ql, std())
    check(rc == 111 and "#4.7.0" in out, T("world-writable home -> 111"), out)
    os.chmod(HOME, 0o1755)
    rc, out = run(ql, std())
    check(rc == 111 and "editing" in out, T("sticky home -> 111"), out)
    rc, out = run(ql, std(), flag="-n")
    check(rc == 0 and "sticky" in out and "mbox ./Mailbox" in out,
          T("sticky home with -n only warns"), out)
    os.chmod(HOME, 0o755)
    os.chmod(os.path.join(HOME, ".qmail"), 0o646)
    rc, out = run(ql, std())
    check(rc == 111 and "#4.7.0" in out, T("world-writable .qmail -> 111"), out)
    os.chmod(os.path.join(HOME, ".qmail"), 0o644)
    check(not os.path.exists(os.path.join(HOME, "Mailbox")), T("nothing delivered so far"))
    rc, out = run(ql, std())
    check(rc == 0, T("after fixing modes it delivers"), out)

    # .qmail symbolic links
    fresh_home()
    write(os.path.join(HOME, "real"), "./Mailbox\n")
    as_user(lambda: os.symlink("real", os.path.join(HOME, ".qmail-own")))
    rc, out = run(ql, std(local="u-own", dash="-", ext="own"))
    check(rc == 0, T(".qmail symlink to the user's file is followed"), out)
    rootfile = os.path.join(base, "rootfile")
    with open(rootfile, "w") as f:
        f.write("./Mailbox\n")
    os.chmod(rootfile, 0o644)
    as_user(lambda: os.symlink(rootfile, os.path.join(HOME, ".qmail-other")))
    rc, out = run(ql, std(local="u-other", dash="-", ext="other"))
    check(rc == 111 and "#4.7.0" in out, T(".qmail symlink to another's file -> 111"), out)
    os.mkfifo(os.path.join(HOME, ".qmail-fifo"))
    rc, out = run(ql, std(local="u-fifo", dash="-", ext="fifo"))
    check(rc == 100 and "#5.1.1" in out, T("non-regular .qmail is treated as absent"), out)
    write(os.path.join(HOME, ".qmail-noread"), "./Mailbox\n", mode=0o000)
    rc, out = run(ql, std(local="u-noread", dash="-", ext="noread"))
    check(rc == 111, T("unreadable .qmail -> 111"), out)

    # mbox safety
    fresh_home()
    target = os.path.join(base, "victim")
    with open(target, "w") as f:
        f.write("")
    os.chown(target, UID, GID)
    write(os.path.join(HOME, ".qmail"), "./Mailbox\n")
    as_user(lambda: os.symlink(target, os.path.join(HOME, "Mailbox")))
    rc, out = run(ql, std())
    check(rc == 111 and "4.7.0" in out, T("mbox symlink -> 111 4.7.0"), out)
    check(os.path.getsize(target) == 0, T("nothing written through the symlink"))
    os.unlink(os.path.join(HOME, "Mailbox"))
    as_user(lambda: os.link(target, os.path.join(HOME, "Mailbox")))
    rc, out = run(ql, std())
    check(rc == 111 and "4.7.0" in out, T("mbox hard link -> 111 4.7.0"), out)
    check(os.path.getsize(target) == 0, T("nothing written through the hard link"))
    os.unlink(os.path.join(HOME, "Mailbox"))
    as_user(lambda: os.mkfifo(os.path.join(HOME, "Mailbox")))
    rc, out = run(ql, std())
    check(rc == 111 and "4.7.0" in out, T("mbox FIFO -> 111 4.7.0"), out)
    os.unlink(os.path.join(HOME, "Mailbox"))
    with open(os.path.join(HOME, "Mailbox"), "w") as f:
        f.write("")
    os.chmod(os.path.join(HOME, "Mailbox"), 0o666)
    rc, out = run(ql, std())
    check(rc == 111 and "4.7.0" in out, T("mbox owned by someone else -> 111 4.7.0"), out)
    os.unlink(os.path.join(HOME, "Mailbox"))
    as_user(lambda: os.mkdir(os.path.join(HOME, "Mailbox")))
    rc, out = run(ql, std())
    check(rc == 111, T("mbox that is a directory -> 111"), out)

    # maildir safety
    fresh_home()
    mkmaildir(os.path.join(HOME, "Maildir"))
    write(os.path.join(HOME, ".qmail"), "./Maildir/\n")
    elsewhere = os.path.join(base, "elsewhere")
    os.makedirs(elsewhere, exist_ok=True)
    os.chown(elsewhere, UID, GID)
    os.rmdir(os.path.join(HOME, "Maildir", "new"))
    as_user(lambda: os.symlink(elsewhere, os.path.join(HOME, "Maildir", "new")))
    rc, out = run(ql, std())
    check(rc == 111 and "4.7.0" in out, T("Maildir/new symlink -> 111"), out)
    check(os.listdir(elsewhere) == [], T("nothing written through Maildir/new symlink"))
    os.unlink(os.path.join(HOME, "Maildir", "new"))
    os.mkdir(os.path.join(HOME, "Maildir", "new"))
    rc, out = run(ql, std())
    check(rc == 111 and "4.7.0" in out, T("Maildir/new owned by root -> 111"), out)
    os.chown(os.path.join(HOME, "Maildir", "new"), UID, GID)
    os.rmdir(os.path.join(HOME, "Maildir", "tmp"))
    rc, out = run(ql, std())
    check(rc == 111, T("Maildir without tmp -> 111"), out)
    shutil.rmtree(os.path.join(HOME, "Maildir"))
    rc, out = run(ql, std())
    check(rc == 111 and "4.2.1" in out, T("missing maildir -> 111 4.2.1"), out)

    # lookup failures and special files
    fresh_home()
    rc, out = run(ql, std(local="u-missing", dash="-", ext="missing"))
    check(rc == 100 and "#5.1.1" in out, T("missing .qmail-ext with dash -> 100 #5.1.1"), out)
    rc, out = run(ql, std())
    check(rc == 0 and os.path.exists(os.path.join(HOME, "Mailbox")),
          T("no .qmail, empty dash -> defaultdelivery"), out)
    write(os.path.join(HOME, ".qmail-empty"), "")
    rc, out = run(ql, std(local="u-empty", dash="-", ext="empty", dflt="./Empty"))
    check(rc == 0 and os.path.exists(os.path.join(HOME, "Empty")),
          T("empty .qmail-ext -> defaultdelivery"), out)
    write(os.path.join(HOME, ".qmail-emptyx"), "", mode=0o744)
    rc, out = run(ql, std(local="u-emptyx", dash="-", ext="emptyx", dflt="./Empty"))
    check(rc == 0, T("empty .qmail clears forward-only (x bit)"), out)
    rc, out = run(ql, std(local="u-m", dash="-", ext="m", dflt="./D1\n./D2"))
    check(rc == 100, T("defaultdelivery is not used when dash is set"), out)
    rc, out = run(ql, std(dflt="|echo one\n./D2\n"))
    check(rc == 0 and out == "one\ndid 1+0+1\n" and os.path.exists(os.path.join(HOME, "D2")),
          T("multi-line defaultdelivery"), out)
    write(os.path.join(HOME, ".qmail-blank"), "\n./Mailbox\n")
    rc, out = run(ql, std(local="u-blank", dash="-", ext="blank"))
    check(rc == 111 and "blank" in out, T("blank first line -> 111"), out)
    write(os.path.join(HOME, ".qmail-nul"), b"./Mail\0box\n")
    rc, out = run(ql, std(local="u-nul", dash="-", ext="nul"))
    check(rc == 111 and "NUL" in out, T("NUL byte in .qmail -> 111"), out)
    write(os.path.join(HOME, ".qmail-fo"), "&a@b\n+list\n./Mailbox\n")
    rc, out = run(ql, std(local="u-fo", dash="-", ext="fo"))
    check(rc == 111 and "forward-only" in out, T("+list then file line -> 111"), out)
    write(os.path.join(HOME, ".qmail-fo"), "&a@b\n+list\n|true\n")
    rc, out = run(ql, std(local="u-fo", dash="-", ext="fo"))
    check(rc == 111 and "forward-only" in out, T("+list then program line -> 111"), out)
    write(os.path.join(HOME, ".qmail-fx"), "./Mailbox\n", mode=0o744)
    rc, out = run(ql, std(local="u-fx", dash="-", ext="fx"))
    check(rc == 111 and "forward-only" in out, T("owner x bit then file line -> 111"), out)
    r, w = os.pipe()
    os.write(w, MSG)
    os.close(w)
    rc, out = run(ql, std(), stdin=r)
    os.close(r)
    check(rc == 111 and "#4.3.0" in out, T("unseekable stdin -> 111"), out)
    rc, out = run(ql, ["too", "few"])
    check(rc == 111, T("usage -> 111"), out)

    # forwarding through $QMAILQUEUE
    fresh_home()
    qqd = os.path.join(HOME, "qq")
    write(os.path.join(HOME, ".qmail-fw"), "&a@example.org\n# c\nb@example.org\n|true\n")
    rc, out = run(ql, std(local="u-fw", dash="-", ext="fw"))
    lines = out.split("\n")
    check(rc == 0 and lines[0] == "did 0+2+1" and re.match(r"^qp \d+$", lines[1]) is not None,
          T("forward report did 0+2+1 and qp"), out)
    check(readb(os.path.join(qqd, "qq.msg")) == b"Delivered-To: u-fw@example.com\n" + MSG,
          T("forwarded message has only Delivered-To added"))
    check(readb(os.path.join(qqd, "qq.env")) ==
          b"Fs@example.net\0Ta@example.org\0Tb@example.org\0\0", T("one envelope, all recipients"))
    if len(lines) > 1:
        check(lines[1] == "qp " + readb(os.path.join(qqd, "qq.pid")).decode().strip(),
              T("qp is the queue program's pid"))
    write(os.path.join(HOME, ".qmail-fw-owner"), "&owner@example.org\n")
    rc, out = run(ql, std(local="u-fw", dash="-", ext="fw"))
    check(readb(os.path.join(qqd, "qq.env")).startswith(b"Fu-fw-owner@example.com\0"),
          T("NEWSENDER local-owner@domain"))
    write(os.path.join(HOME, ".qmail-fw-owner-default"), "&owner@example.org\n")
    rc, out = run(ql, std(local="u-fw", dash="-", ext="fw"))
    check(readb(os.path.join(qqd, "qq.env")).startswith(b"Fu-fw-owner-@example.com-@[]\0"),
          T("NEWSENDER VERP form"))
    rc, out = run(ql, std(local="u-fw", dash="-", ext="fw", sender=""))
    check(readb(os.path.join(qqd, "qq.env")).startswith(b"F\0"), T("bounce forwarded with <>"))
    rc, out = run(ql, std(local="u-fw", dash="-", ext="fw", sender="#@[]"))
    check(readb(os.path.join(qqd, "qq.env")).startswith(b"F#@[]\0"), T("#@[] kept"))
    write(os.path.join(HOME, ".qmail-f99"), "&first@example.org\n|exit 99\n&second@example.org\n")
    rc, out = run(ql, std(local="u-f99", dash="-", ext="f99"))
    check(rc == 0 and out.startswith("did 0+1+1\nqp "), T("exit 99 still sends earlier forwards"),
          out)
    check(readb(os.path.join(qqd, "qq.env")) == b"Fs@example.net\0Tfirst@example.org\0\0",
          T("exit 99 drops later forwards"))
    os.unlink(os.path.join(qqd, "qq.env"))
    write(os.path.join(HOME, ".qmail-fbad"), "&first@example.org\n|exit 111\n")
    rc, out = run(ql, std(local="u-fbad", dash="-", ext="fbad"))
    check(rc == 111 and not os.path.exists(os.path.join(qqd, "qq.env")),
          T("failure before the end: forwards not sent"), out)
    rc, out = run(ql, std(local="u-fw", dash="-", ext="fw"), env={"QQ_EXIT": "31"})
    check(rc == 100 and "#5.3.0" in out, T("qq permanent failure -> 100"), out)
    rc, out = run(ql, std(local="u-fw", dash="-", ext="fw"), env={"QQ_EXIT": "53"})
    check(rc == 111 and "#4.3.0" in out, T("qq temporary failure -> 111"), out)
    write(os.path.join(HOME, ".qmail-fo"), "+list\n&x@example.org\n", mode=0o744)
    rc, out = run(ql, std(local="u-fo", dash="-", ext="fo"))
    check(rc == 0 and out.startswith("did 0+1+0\n"), T("forward-only file may forward"), out)


try:
    # qq changes to the compiled-in home before it runs $QMAILQUEUE
    for b in builds:
        src = open(os.path.join(b, "auto", "auto.c")).read()
        m = re.search(r'auto_qmail\[\] = "([^"]*)"', src)
        if m and not os.path.isdir(m.group(1)):
            made_qmail = m.group(1)
            while os.path.dirname(made_qmail) and not os.path.isdir(
                    os.path.dirname(made_qmail)):
                made_qmail = os.path.dirname(made_qmail)
            os.makedirs(m.group(1))
            os.chmod(made_qmail, 0o755)
    for b in builds:
        ql = os.path.join(base, "qmail-local-" + os.path.basename(b))
        shutil.copy(os.path.join(b, "bin", "qmail-local"), ql)
        os.chmod(ql, 0o755)
        suite(ql, os.path.basename(b))
finally:
    subprocess.run(["userdel", USER], stderr=subprocess.DEVNULL)
    shutil.rmtree(base, ignore_errors=True)
    if made_qmail:
        shutil.rmtree(made_qmail, ignore_errors=True)
R.finish()
