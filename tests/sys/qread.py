#!/usr/bin/python3
# qread.py - qmail-qread, qmail-qstat and qmail-showctl on a private install.
# Queue files are made by hand in the layout of SPEC 3, with the owners and modes
# qmail-queue and qmail-send give them: preprocessed messages (local, remote and done
# recipients, a bounce), messages still only in todo/, and then corrupt entries (bad
# info files, a 1 MB address, unknown records, a file cut short). Output is compared
# exactly, as root, as qmails and under ASan/UBSan. qmail-showctl is run on a control
# directory with and without me, with unknown and unreadable files.
# Prints ok/FAIL per assertion and ends with "N passed, N failed".
import calendar
import grp
import os
import pwd
import shutil
import subprocess
import sys

TOP = os.environ.get("TOP", os.getcwd())
sys.path.insert(0, os.path.join(TOP, "tests"))
from qmailtest import Results, installed, run  # noqa: E402

R = Results()
SPLIT = 23
P = installed(R, "qread", where=True)

Q = P.path("queue")
UQ = pwd.getpwnam("qmailq").pw_uid
US = pwd.getpwnam("qmails").pw_uid
GQ = grp.getgrnam("qmail").gr_gid
SAN = os.path.join(TOP, "build", "san" + P.home.replace("/", "_"))


def put(path, data, uid, mode):
    with open(path, "wb") as f:
        f.write(data)
    os.chown(path, uid, GQ)
    os.chmod(path, mode)


def born(path, y, mo, d, h, mi, s):
    t = calendar.timegm((y, mo, d, h, mi, s, 0, 0, 0))
    os.utime(path, (t, t))


def mess(body):
    """a message file like qmail-queue's: the ID is its inode number"""
    tmp = os.path.join(Q, "pid", "make.%d" % os.getpid())
    put(tmp, body, UQ, 0o644)
    mid = os.stat(tmp).st_ino
    os.link(tmp, os.path.join(Q, "mess", str(mid % SPLIT), str(mid)))
    os.unlink(tmp)
    return mid


def qs(kind, mid, data):
    """info, local or remote file of message mid, as qmail-send writes it"""
    path = os.path.join(Q, kind, str(mid % SPLIT), str(mid))
    put(path, data, US, 0o600)
    return path


def todo(mid, data):
    """todo/ID and intd/ID, one file, as qmail-queue leaves them"""
    path = os.path.join(Q, "todo", str(mid))
    put(path, data, UQ, 0o644)
    os.link(path, os.path.join(Q, "intd", str(mid)))
    return path


def as_user(name):
    pw = pwd.getpwnam(name)

    def become():
        os.setgroups([])
        os.setgid(pw.pw_gid)
        os.setuid(pw.pw_uid)
    return become


def tool(name, user=None, san=False):
    exe = os.path.join(SAN, "bin", name) if san else P.bin(name)
    env = {"PATH": "/usr/bin:/bin"}
    if san:
        # LeakSanitizer cannot trace a process that gave up root (qmail-qread does)
        env["ASAN_OPTIONS"] = "detect_leaks=%d" % (name != "qmail-qread")
        env["UBSAN_OPTIONS"] = "halt_on_error=1"
    r = run([exe], env=env, preexec_fn=as_user(user) if user else None, cwd="/")
    return r.returncode, r.stdout.decode("latin-1"), r.stderr.decode("latin-1")


def split_of(mid):
    return str(mid % SPLIT)


# An empty queue.
R.eq(tool("qmail-qread"), (0, "", ""), "qread: empty queue prints nothing, exit 0")
R.eq(tool("qmail-qstat"), (0, "messages in queue: 0\nmessages in queue but not yet "
                              "preprocessed: 0\n", ""), "qstat: empty queue")

# Good entries.
body1 = b"Received: x\n\nhello\n"
m1 = mess(body1)
born(qs("info", m1, b"Falice@example.org\0"), 2026, 11, 29, 13, 42, 7)
qs("local", m1, b"Tbob@example.org\0Dcarol@example.org\0")
qs("remote", m1, b"Ddave@example.net\0Terin@example.net\0")

body2 = b"x" * 4321
m2 = mess(body2)
born(qs("info", m2, b"F\0"), 2027, 3, 1, 9, 5, 3)
qs("remote", m2, b"Tx\ty\x01z\xff@example.com\0")
put(os.path.join(Q, "bounce", str(m2)), b"<x@example.com>:\nno.\n\n", US, 0o600)

m3 = mess(b"abc\n")
born(todo(m3, b"u1000\0p4242\0Ffrank@example.org\0Tg@example.org\0Th@example.net\0"),
     2026, 12, 31, 23, 59, 59)

m4 = mess(b"")  # preprocessing was cut short: todo/ID and a partial info/SPLIT/ID
born(todo(m4, b"u0\0p1\0Fi@example.org\0Tj@example.org\0"), 2027, 1, 2, 3, 4, 5)
born(qs("info", m4, b"Fi@example.org\0"), 2027, 1, 2, 3, 4, 6)

good = {
    m1: "29 Nov 2026 13:42:07 GMT  #%d  %d  <alice@example.org> \n"
        "\tlocal\tbob@example.org\n"
        "  done\tlocal\tcarol@example.org\n"
        "  done\tremote\tdave@example.net\n"
        "\tremote\terin@example.net\n" % (m1, len(body1)),
    m2: "1 Mar 2027 09:05:03 GMT  #%d  4321  <>  bouncing\n"
        "\tremote\tx_y_z_@example.com\n" % m2,
    m3: "31 Dec 2026 23:59:59 GMT  #%d  4  <frank@example.org>  not yet preprocessed\n"
        "\ttodo\tg@example.org\n"
        "\ttodo\th@example.net\n" % m3,
    m4: "2 Jan 2027 03:04:05 GMT  #%d  0  <i@example.org>  not yet preprocessed\n"
        "\ttodo\tj@example.org\n" % m4,
}


def listing(d):
    return "".join(d[k] for k in sorted(d))


want = (0, listing(good), "")
R.eq(tool("qmail-qread"), want, "qread as root: good entries, exact listing")
R.eq(tool("qmail-qread", "qmails"), want, "qread as qmails: same listing")
r = tool("qmail-qread", "nobody")
R.eq((r[0], r[1]), (111, ""), "qread as nobody: exit 111, no listing")
R.eq(r[2], "qmail-qread: fatal: must be run by root or qmails\n", "qread as nobody: message")
R.eq(tool("qmail-qstat"), (0, "messages in queue: 4\nmessages in queue but not yet "
                              "preprocessed: 2\n", ""), "qstat: 4 messages, 2 in todo")
R.eq(tool("qmail-qstat", "qmails"), tool("qmail-qstat"), "qstat as qmails (group qmail)")
r = tool("qmail-qstat", "nobody")
R.eq(r[0], 111, "qstat as nobody: exit 111")
R.ok(r[2].startswith("qmail-qstat: fatal: unable to switch to " + Q + ": access denied"),
     "qstat as nobody: says why",
     r[2])

# Corrupt entries.
warn = []
c1 = mess(b"12345")
p = qs("info", c1, b"Xgarbage")
born(p, 2026, 6, 7, 8, 9, 10)
qs("remote", c1, b"Tk@example.org\0")
good[c1] = ("7 Jun 2026 08:09:10 GMT  #%d  5  (unreadable sender) \n"
            "\tremote\tk@example.org\n" % c1)
warn.append("info/%s/%d: record at byte 0: no NUL at the end of the file" % (split_of(c1), c1))
warn.append("info/%s/%d: does not start with a sender record" % (split_of(c1), c1))

c2 = mess(b"x\n")
born(qs("info", c2, b"Fl@example.org\0"), 2026, 6, 7, 8, 9, 11)
qs("remote", c2, b"T" + b"a" * (1 << 20) + b"\0Tm@example.org\0")
qs("local", c2, b"Tn@example.org\0Xodd\0\0Tcut")
good[c2] = ("7 Jun 2026 08:09:11 GMT  #%d  2  <l@example.org> \n"
            "\tlocal\tn@example.org\n"
            "\tlocal\tcut\n"
            "\tremote\t%s...\n"
            "\tremote\tm@example.org\n" % (c2, "a" * 1024))
lp = "local/%s/%d" % (split_of(c2), c2)
warn.append(lp + ": record at byte 15: unknown record type; skipped")
warn.append(lp + ": record at byte 20: empty record")
warn.append(lp + ": record at byte 21: no NUL at the end of the file")
warn.append("remote/%s/%d: record at byte 0: address longer than 1024 bytes; shown cut short"
            % (split_of(c2), c2))

c3 = mess(b"")
# keep c3's inode alive under another name, so that no later message reuses its ID
keep_c3 = os.path.join(Q, "pid", "keep.c3")
os.link(os.path.join(Q, "mess", split_of(c3), str(c3)), keep_c3)
os.unlink(os.path.join(Q, "mess", split_of(c3), str(c3)))
born(qs("info", c3, b"Fo@example.org\0Fextra\0"), 2026, 6, 7, 8, 9, 12)
good[c3] = "7 Jun 2026 08:09:12 GMT  #%d  ?  <o@example.org> \n" % c3
warn.append("mess/%s/%d: missing" % (split_of(c3), c3))
warn.append("info/%s/%d: record at byte 15: more data after the sender record"
            % (split_of(c3), c3))

c4 = mess(b"")
born(qs("info", c4, b""), 2026, 6, 7, 8, 9, 13)
good[c4] = "7 Jun 2026 08:09:13 GMT  #%d  0  (unreadable sender) \n" % c4
warn.append("info/%s/%d: empty; no sender record" % (split_of(c4), c4))

c5 = mess(b"")
born(todo(c5, b"uxyz\0Tp@example.org\0Zq\0"), 2026, 6, 7, 8, 9, 14)
good[c5] = ("7 Jun 2026 08:09:14 GMT  #%d  0  (unreadable sender)  not yet preprocessed\n"
            "\ttodo\tp@example.org\n" % c5)
warn.append("todo/%d: record at byte 0: u or p record is not a number" % c5)
warn.append("todo/%d: record at byte 5: recipient before the sender record" % c5)
warn.append("todo/%d: record at byte 20: unknown record type; skipped" % c5)

c6 = mess(b"")
born(todo(c6, b"u1\0p2\0"), 2026, 6, 7, 8, 9, 15)
good[c6] = "7 Jun 2026 08:09:15 GMT  #%d  0  (unreadable sender)  not yet preprocessed\n" % c6
warn.append("todo/%d: no sender record" % c6)

put(os.path.join(Q, "info", "5", "junk\x01"), b"F\0", US, 0o600)
warn.append("info/5/junk_: not a message number; ignored")
c7 = c1 + 1 if (c1 + 1) % SPLIT != 6 else c1 + 2
put(os.path.join(Q, "info", "6", str(c7)), b"F\0", US, 0o600)
warn.append("info/6/%d: in the wrong split directory; ignored" % c7)


def check_corrupt(tag, user=None, san=False):
    rc, out, err = tool("qmail-qread", user, san)
    R.eq(rc, 111, tag + ": corrupt entries give exit 111")
    R.eq(out, listing(good), tag + ": listing of good and corrupt entries")
    lines = err.splitlines()
    for w in warn:
        R.ok("qmail-qread: warning: " + w in lines, tag + ": warning " + w, err[-2000:])
    R.ok(len(lines) == len(warn), tag + ": no other warnings", err)


check_corrupt("qread as root")
check_corrupt("qread as qmails", "qmails")
r = run(["make", "--no-print-directory", "QMAIL=" + P.home, "SAN=1"] +
        [os.path.join(os.path.relpath(SAN, TOP), "bin", t) for t in ("qmail-qread", "qmail-qstat", "qmail-showctl")],
        cwd=TOP)
stat = (0, "messages in queue: 9\nmessages in queue but not yet preprocessed: 4\n", "")
R.eq(tool("qmail-qstat"), stat, "qstat: 9 mess files, 4 in todo")
if R.ok(r.returncode == 0, "sanitized build of the three tools", r.stderr[-2000:]):
    check_corrupt("qread under ASan/UBSan", san=True)
    R.eq(tool("qmail-qstat", san=True), stat, "qstat under ASan/UBSan")

# qmail-showctl
C = P.path("control")
for f in os.listdir(C):
    os.unlink(os.path.join(C, f))


def ctl(name, data, mode=0o644):
    put(os.path.join(C, name), data, 0, mode)


ctl("me", b"mx.example.org  \t\nsecond line\n")
ctl("locals", b"# local domains\n\nexample.org\nmx.example.org \n#end\n")
ctl("rcpthosts", b"")
ctl("concurrencylocal", b"500\n")
ctl("concurrencyremote", b"30 remote\n")
ctl("databytes", b"lots\n")
ctl("smtpgreeting", b"mx.example.org ESMTP\x07\n")
ctl("morercpthosts.cdb", b"\0" * 2048)
ctl("foo", b"bar\n")
ctl("locals~", b"old\n")
os.mkdir(os.path.join(C, "sub.d"))


def ids():
    out = ["conf-qmail: " + P.home, "conf-split: 23", "conf-spawn: 120", "conf-patrn: 002",
           "conf-break: -"]
    users = open(os.path.join(TOP, "conf-users")).read().split("\n")
    for role, name in zip(["alias", "daemon", "log", "owner", "passwd", "queue", "remote",
                           "send"], users):
        pw = pwd.getpwnam(name)
        out.append("user %s: %s (uid %d, gid %d)" % (role, name, pw.pw_uid, pw.pw_gid))
    for role, name in zip(["queue", "nofiles"], users[8:10]):
        out.append("group %s: %s (gid %d)" % (role, name, grp.getgrnam(name).gr_gid))
    return out + [""]


def controls(me):
    m = (lambda lit: "mx.example.org (from me)") if me else (lambda lit: lit + " (default)")
    return [
        "control/me: mx.example.org" if me else
        "control/me: none (the defaults from me fall back further)",
        "control/badmailfrom: none (every sender is accepted)",
        "control/bouncefrom: MAILER-DAEMON (default)",
        "control/bouncehost: " + m("bouncehost"),
        "control/bouncemaxbytes: 50000 (default)",
        "control/concurrencyincoming: none (read only by qmail-smtpd run scripts)",
        "control/concurrencylocal: 500 (above conf-spawn: 120 is used)",
        "control/concurrencyremote: 30",
        "control/databytes: not a number: lots",
        "control/defaultdelivery: none (read only by qmail-start rc scripts)",
        "control/defaultdomain: " + m("defaultdomain"),
        "control/defaulthost: " + m("defaulthost"),
        "control/doublebouncehost: " + m("doublebouncehost"),
        "control/doublebounceto: postmaster (default)",
        "control/envnoathost: " + m("envnoathost"),
        "control/helohost: " + ("mx.example.org (from me)" if me else
                                "none (qmail-remote refuses to run)"),
        "control/idhost: " + m("idhost"),
        "control/localiphost: " + ("mx.example.org (from me)" if me else
                                   "none (qmail-smtpd refuses to run)"),
        "control/locals:", "  example.org", "  mx.example.org",
        "control/morercpthosts: none",
        "control/morercpthosts.cdb: present, 2048 bytes",
        "control/percenthack: none",
        "control/plusdomain: " + m("plusdomain"),
        "control/qmqpservers: none (qmail-qmqpc cannot queue)",
        "control/qmtproutes: none (no domain is delivered by QMTP)",
        "control/queuelifetime: 604800 (default)",
        "control/rcpthosts: empty",
        "control/recipients.cdb: none (recipients are not checked at RCPT time)",
        "control/smtpdgreetdelay: 1000 (default)",
        "control/smtpdminrate: 256 (default)",
        "control/smtpgreeting: mx.example.org ESMTP_",
        "control/smtproutes: none (each domain's MX hosts are used)",
        "control/timeoutconnect: 60 (default)",
        "control/timeoutremote: 1200 (default)",
        "control/timeoutsmtpd: 1200 (default)",
        "control/timeoutsmtpdsession: 3600 (default)",
        "control/virtualdomains: none",
        "control/foo: unknown",
        "control/locals~: unknown",
        "control/sub.d: unknown",
    ]


def check_showctl(tag, me, san=False):
    rc, out, err = tool("qmail-showctl", san=san)
    R.eq((rc, err), (0, ""), tag + ": exit 0, nothing on stderr")
    got = out.split("\n")
    want = ids() + controls(me) + [""]
    R.eq(len(got), len(want), tag + ": number of lines")
    for g, w in zip(got, want):
        R.eq(g, w, tag + ": line " + w)


check_showctl("showctl with me", True)
os.unlink(os.path.join(C, "me"))
check_showctl("showctl without me", False)
os.unlink(os.path.join(C, "locals"))
rc, out, err = tool("qmail-showctl")
R.ok("control/locals: none (qmail-send refuses to start)\n" in out,
     "showctl: no locals and no me", out)
if os.path.exists(os.path.join(SAN, "bin", "qmail-showctl")):
    rc, out, err = tool("qmail-showctl", san=True)
    R.eq((rc, err), (0, ""), "showctl under ASan/UBSan: exit 0, nothing on stderr")
ctl("badmailfrom", b"@spam.example\n", 0o600)
rc, out, err = tool("qmail-showctl", "nobody")
R.eq(rc, 111, "showctl as nobody with an unreadable file: exit 111")
R.ok("control/badmailfrom: unable to read: access denied\n" in out,
     "showctl: the unreadable file is named", out)
R.ok("control/bouncefrom: MAILER-DAEMON (default)\n" in out,
     "showctl: the other files are still shown")

P.cleanup()
shutil.rmtree(SAN, ignore_errors=True)
R.finish()
