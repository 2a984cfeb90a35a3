"""lspawn.py - local user lookup and local delivery scheduling, on a private install.

qmail-getpw maps users, extensions and unknown names (alias); qmail-newu compiles
users/assign (checked with Debian's cdbdump) and refuses malformed files without
touching users/cdb; qmail-pw2u turns a sample passwd into assign lines; qmail-lspawn is
driven over pipes. It runs qmail-local's code in its delivery child (no exec), so the
probe is a .qmail program that prints its ids, environment and stdin and exits with the
code named in its extension; the delivery child itself is watched from /proc. Needs root.
"""
import os
import pwd
import re
import signal
import grp
import select
import shutil
import stat
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP") or os.getcwd(), "tests"))
import qmailtest  # noqa: E402

R = qmailtest.Results()
run = qmailtest.run
wait_for = qmailtest.wait_for

PROBE = r"""#!/bin/sh
# a .qmail program: say who and what we are, then do what the extension says
echo "uid=$(id -u)"
echo "gid=$(id -g)"
echo "groups=$(id -G)"
echo "user=$USER"
echo "home=$HOME"
echo "local=$LOCAL"
echo "ext=$EXT"
echo "host=$HOST"
echo "sender=$SENDER"
sed -n 's/^Subject: /stdin=Subject: /p'
case "$EXT" in
exit*) exit "${EXT#exit}" ;;
big) i=0; while [ $i -lt 100 ]; do echo "0123456789012345678901234567890123456789012345678"; i=$((i+1)); done ;;
sleep*) sleep "${EXT#sleep}" ;;
esac
exit 0
"""


def getpw(p, local, user=None):
    """Run qmail-getpw (as root, or as user); return (exit code, list of fields)."""
    cmd = [p.bin("qmail-getpw"), local]
    if user:
        cmd = ["setpriv", "--reuid=" + user, "--regid=nofiles", "--clear-groups"] + cmd
    r = run(cmd)
    return r.returncode, r.stdout.split(b"\0")


def test_getpw(p, u, alias):
    a = pwd.getpwnam(alias)
    want = [u.name.encode(), str(u.uid).encode(), str(u.gid).encode(), u.home.encode()]
    rc, f = getpw(p, u.name, "qmailp")
    R.eq((rc, f), (0, want + [b"", b"", b""]), "getpw: exact user name, as qmailp")
    rc, f = getpw(p, u.name.upper())
    R.eq((rc, f), (0, want + [b"", b"", b""]), "getpw: upper-case name is lowered")
    rc, f = getpw(p, u.name + "-Foo-Bar")
    R.eq((rc, f), (0, want + [b"-", b"Foo-Bar", b""]), "getpw: extension keeps its case")
    rc, f = getpw(p, u.name + "-")
    R.eq((rc, f), (0, want + [b"-", b"", b""]), "getpw: empty extension")
    # the alias home is always QMAILHOME/alias of this installation
    alias_f = [alias.encode(), str(a.pw_uid).encode(), str(a.pw_gid).encode(),
               p.path("alias").encode(), b"-"]
    rc, f = getpw(p, "nosuchuserqt-x")
    R.eq((rc, f), (0, alias_f + [b"nosuchuserqt-x", b""]), "getpw: unknown name goes to alias")
    rc, f = getpw(p, "root")
    R.eq((rc, f), (0, alias_f + [b"root", b""]), "getpw: uid 0 is never a mail user")
    rc, f = getpw(p, "Root-x")
    R.eq((rc, f), (0, alias_f + [b"Root-x", b""]), "getpw: root with extension goes to alias")
    long = u.name + "x" * (32 - len(u.name))
    rc, f = getpw(p, long)
    R.eq(f[0], alias.encode(), "getpw: a 32-byte name is never looked up")
    os.chown(u.home, 0, 0)
    rc, f = getpw(p, u.name)
    R.eq(f[0], alias.encode(), "getpw: home not owned by the user: alias")
    os.chown(u.home, u.uid, u.gid)
    r = run([p.bin("qmail-getpw")])
    R.eq(r.returncode, 112, "getpw: usage exits 112")


def cdbdump(path):
    with open(path, "rb") as f:
        return run(["cdbdump"], stdin=f).stdout


def dump(records):
    out = b""
    for k, d in records:
        out += b"+%d,%d:%s->%s\n" % (len(k), len(d), k, d)
    return out + b"\n"


def newu(p, text):
    with open(p.path("users", "assign"), "wb") as f:
        f.write(text)
    return run([p.bin("qmail-newu")])


def test_newu(p):
    cdb = p.path("users", "cdb")
    r = newu(p, b"=Joe:joe:1000:100:/home/joe:::\n"
                b"+Joe-:joe:1000:100:/home/joe:-::\n"
                b"+list_:ml:1001:100:/home/ml:-:pre-:\n"
                b"+:alias:7790:2108:/var/qmail/alias:-::\n"
                b"=:nobody:1:1:/nonexistent:::\n"
                b".\n"
                b"anything after the dot is ignored\n")
    R.eq(r.returncode, 0, "newu: valid assign compiles")
    R.eq(cdbdump(cdb), dump([
        (b"!joe\0", b"joe\x001000\x00100\x00/home/joe\0\0"),
        (b"!joe-", b"joe\x001000\x00100\x00/home/joe\0-\0"),
        (b"!list_", b"ml\x001001\x00100\x00/home/ml\0-\0pre-"),
        (b"!", b"alias\x007790\x002108\x00/var/qmail/alias\0-\0"),
        (b"!\0", b"nobody\x001\x001\x00/nonexistent\0\0"),
        (b"", b"-_"),
    ]), "newu: cdbdump shows qmail's key and data layout")
    R.eq(oct(os.stat(cdb).st_mode & 0o7777), "0o644", "newu: users/cdb mode 0644")
    R.ok(not os.path.exists(cdb + ".tmp"), "newu: no users/cdb.tmp left")
    good = cdbdump(cdb)
    bad = [
        (b"=a:b:1:1:/h:::\n=c:d:x:1:/h:::\n.\n", b"line 2: uid"),
        (b"=a:b:1:1:/h:::\n", b"line 2: end of file"),
        (b"=a:b:1:1:/h:::\n\n.\n", b"line 2: empty"),
        (b"=a:b:1:1:/h::\n.\n", b"line 1: fewer"),
        (b"=a:b:1:1:/h:::\r\n.\n", b"line 1: carriage"),
        (b"=a:b:1:1:/h:::", b"no newline"),
        (b"# comment\n.\n", b"line 1: line begins"),
        (b"=a:b:1:1:/h:::\n" + b"=" + b"x" * 9000 + b":b:1:1:/h:::\n.\n", b"line 2: line too long"),
    ]
    for text, msg in bad:
        r = newu(p, text)
        R.ok(r.returncode == 100 and msg in r.stderr, "newu refuses %r" % text[:40],
             "%d %r" % (r.returncode, r.stderr))
        R.ok(cdbdump(cdb) == good and not os.path.exists(cdb + ".tmp"),
             "newu: users/cdb unchanged after %r" % msg)
    r = newu(p, b".")
    R.eq((r.returncode, cdbdump(cdb)), (0, dump([(b"", b"")])), "newu: a lone dot without newline")
    os.unlink(p.path("users", "assign"))
    r = run([p.bin("qmail-newu")])
    R.ok(r.returncode == 111 and b"unable to open users/assign" in r.stderr, "newu: missing assign: 111")
    R.eq(run([p.bin("qmail-newu"), "x"]).returncode, 100, "newu: usage exits 100")
    os.unlink(cdb)


def pw2u(p, passwd, *opts):
    r = run([p.bin("qmail-pw2u")] + list(opts), input=passwd)
    return r.returncode, r.stdout, r.stderr


def test_pw2u(p, u, alias):
    a = pwd.getpwnam(alias)
    pw = (b"root:x:0:0:root:/root:/bin/bash\n"
          b"%s:x:%d:%d:alias:%s:/bin/false\n"
          b"joe:x:1000:100:Joe:/home/joe:/bin/sh\n"
          b"Big:x:1001:100::/home/big:/bin/sh\n"
          b"+::::::\n"
          b"fred:x:1002:100::/home/fred:/bin/sh"  # no final newline
          % (alias.encode(), a.pw_uid, a.pw_gid, a.pw_dir.encode()))
    al = b"%s:%d:%d:%s" % (alias.encode(), a.pw_uid, a.pw_gid, a.pw_dir.encode())
    # the catch-all names QMAILHOME/alias, as qmail-getpw does, whatever passwd says
    catch = b"%s:%d:%d:%s" % (alias.encode(), a.pw_uid, a.pw_gid, p.path("alias").encode())
    rc, out, err = pw2u(p, pw, "-H")
    R.eq((rc, out), (0,
         b"+:" + catch + b":-::\n"
         b"=" + alias.encode() + b":" + al + b":::\n"
         b"+" + alias.encode() + b"-:" + al + b":-::\n"
         b"=joe:joe:1000:100:/home/joe:::\n+joe-:joe:1000:100:/home/joe:-::\n"
         b"=fred:fred:1002:100:/home/fred:::\n+fred-:fred:1002:100:/home/fred:-::\n.\n"),
         "pw2u -H: alias, users, no root, no upper case, no NIS line")
    rc, fields = getpw(p, "nosuchname-qt")
    R.eq((rc, fields[3] if len(fields) > 3 else None), (0, p.path("alias").encode()),
         "pw2u: the catch-all home is the one qmail-getpw gives the alias user")
    rc, out, err = pw2u(p, pw, "-H", "-u", "-C", "-/")
    R.ok(b"=Big:Big:1001:100:/home/big:::\n" in out and b"+joe-" not in out
         and b"+:" + catch + b":-/::\n" in out, "pw2u -u -C -/")
    rc, out, err = pw2u(p, pw, "-H", "-c", "+")
    R.ok(b"+joe+:joe:1000:100:/home/joe:-::\n" in out, "pw2u -c +: break character")
    rc, out, err = pw2u(p, pw)
    R.ok(rc == 0 and b"joe" not in out, "pw2u -o (default): users without a home skipped")
    rc, out, err = pw2u(p, pw, "-h")
    R.ok(rc == 100 and b"is missing" in err, "pw2u -h: missing home is fatal", err)
    own = b"%s:x:%d:%d::%s:/bin/sh\n" % (u.name.encode(), u.uid, u.gid, u.home.encode())
    rc, out, err = pw2u(p, pw + b"\n" + own)
    R.ok(b"=%s:" % u.name.encode() in out, "pw2u -o: user owning its home kept")
    rc, out, err = pw2u(p, b"joe:x:1000:100:Joe:/home/joe:/bin/sh\n", "-H")
    R.ok(rc == 100 and b"no alias" in err, "pw2u: no alias account is fatal")
    rc, out, err = pw2u(p, b"joe:x:1000:100:/home/joe:/bin/sh\n", "-H")
    R.ok(rc == 100 and b"line 1" in err, "pw2u: short passwd line named")
    rc, out, err = pw2u(p, b"joe:x:1k:100::/home/joe:/bin/sh\n", "-H")
    R.ok(rc == 100 and b"uid" in err, "pw2u: bad uid named")
    R.eq(pw2u(p, pw, "-x")[0], 100, "pw2u: unknown option exits 100")
    users = p.path("users")
    files = {
        "include": b"joe\nfred\n" + alias.encode() + b"\n",
        "exclude": b"fred\n",
        "mailnames": b"joe:joe.smith:js\n",
        "subusers": b"lists:joe:ml:\nghost:nobodyqt:x:\n",
        "append": b"=extra:joe:1000:100:/home/joe:::\n",
    }
    for name, text in files.items():
        with open(os.path.join(users, name), "wb") as f:
            f.write(text)
    rc, out, err = pw2u(p, pw, "-H")
    R.eq((rc, out), (0,
         b"+:" + catch + b":-::\n"
         b"=" + alias.encode() + b":" + al + b":::\n"
         b"+" + alias.encode() + b"-:" + al + b":-::\n"
         b"=joe.smith:joe:1000:100:/home/joe:::\n+joe.smith-:joe:1000:100:/home/joe:-::\n"
         b"=js:joe:1000:100:/home/joe:::\n+js-:joe:1000:100:/home/joe:-::\n"
         b"=lists:joe:1000:100:/home/joe:-:ml:\n+lists-:joe:1000:100:/home/joe:-:ml-:\n"
         b"=extra:joe:1000:100:/home/joe:::\n.\n"),
         "pw2u: include, exclude, mailnames, subusers, append")
    R.ok(b"nobodyqt" in err, "pw2u: subuser of an unknown user warned about")
    with open(p.path("users", "assign"), "wb") as f:
        f.write(out)
    R.eq(run([p.bin("qmail-newu")]).returncode, 0, "pw2u output is accepted by qmail-newu")
    for name in files:
        os.unlink(os.path.join(users, name))
    os.unlink(p.path("users", "assign"))
    os.unlink(p.path("users", "cdb"))


class Lspawn:
    """qmail-lspawn on two pipes."""

    def __init__(self, p, delivery="./Mailbox"):
        self.proc = subprocess.Popen([p.bin("qmail-lspawn"), delivery], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.buf = b""

    def read(self, timeout=20.0):
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([self.proc.stdout], [], [], left)
            if not r:
                return None
            b = os.read(self.proc.stdout.fileno(), 65536)
            if not b:
                return b""
            self.buf += b
            return True

    def limit(self):
        while not self.buf:
            if not self.read():
                return None
        c, self.buf = self.buf[0], self.buf[1:]
        return c

    def send(self, slot, path, sender, rcpt):
        self.proc.stdin.write(bytes([slot]) + path + b"\0" + sender + b"\0" + rcpt + b"\0")
        self.proc.stdin.flush()

    def report(self):
        """(slot, status letter, text) of the next report, or None."""
        while b"\0" not in self.buf[2:] or len(self.buf) < 3:
            if not self.read():
                return None
        i = self.buf.index(b"\0", 2)
        rep, self.buf = self.buf[:i], self.buf[i + 1:]
        return rep[0], chr(rep[1]), rep[2:].decode(errors="replace")

    def deliver(self, rcpt, slot=0, path=b"0/1000", sender=b"sender@example.org"):
        self.send(slot, path, sender, rcpt.encode() if isinstance(rcpt, str) else rcpt)
        return self.report()

    def close(self):
        self.proc.stdin.close()
        try:
            rc = self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.proc.stdout.close()
        self.proc.stderr.close()
        return rc


def message(p, path, text=b"Subject: test\n\nbody\n", owner="qmailq"):
    full = p.path("queue", "mess", path)
    with open(full, "wb") as f:
        f.write(text)
    pw = pwd.getpwnam(owner)
    os.chown(full, pw.pw_uid, pw.pw_gid)
    return full


def fields(text):
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


def probe(p, u, alias):
    """The probe as .qmail and .qmail-default of the user and .qmail-default of the
    alias user: every delivery below runs it."""
    path = p.path("probe.sh")
    with open(path, "w") as f:
        f.write(PROBE)
    os.chmod(path, 0o755)
    u.file(".qmail", "|sh %s\n" % path)
    u.file(".qmail-default", "|sh %s\n" % path)
    a = pwd.getpwnam(alias)
    d = p.path("alias", ".qmail-default")
    with open(d, "w") as f:
        f.write("|sh %s\n" % path)
    os.chown(d, a.pw_uid, a.pw_gid)
    return [os.path.join(u.home, ".qmail"), os.path.join(u.home, ".qmail-default"), d]


def children(pid):
    """The pids whose parent is pid, but for the lookup process (which runs as
    qmailp): the delivery children."""
    qp = pwd.getpwnam("qmailp").pw_uid
    return [k for k in qmailtest.children().get(pid, []) if uids(k)[0] != qp]


def uids(pid):
    """[real, effective, saved, fs] uid of a process; [] when it is gone."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("Uid:"):
                    return [int(x) for x in line.split()[1:]]
    except OSError:
        pass
    return []


def lookups(pid):
    """The lookup processes of qmail-lspawn pid: its children running as qmailp."""
    qp = pwd.getpwnam("qmailp").pw_uid
    return [k for k in qmailtest.children().get(pid, []) if uids(k)[:1] == [qp]]


def fds(pid):
    """{fd: target} of a process, read as root."""
    d = "/proc/%d/fd" % pid
    out = {}
    for n in os.listdir(d):
        try:
            out[int(n)] = os.readlink(os.path.join(d, n))
        except OSError:
            pass
    return out


def test_lspawn(p, u, alias):
    message(p, "0/1000")
    a = pwd.getpwnam(alias)
    dots = probe(p, u, alias)

    ls = Lspawn(p)
    R.eq(ls.limit(), 120, "lspawn: startup byte is the limit, 120")

    rep = ls.deliver(u.name + "@Example.COM")
    R.ok(rep and rep[:2] == (0, "K") and "did 0+0+1" in rep[2], "lspawn: delivery to a user: K",
         repr(rep))
    f = fields(rep[2] if rep else "")
    R.eq(f.get("uid"), str(u.uid), "lspawn: the delivery runs as the user's uid")
    R.eq(f.get("gid"), str(u.gid), "lspawn: ... with the user's gid")
    R.eq(f.get("groups"), str(u.gid), "lspawn: ... and no other group")
    R.eq([f.get(k) for k in ("user", "home", "local", "ext", "host", "sender")],
         [u.name, u.home, u.name, "", "Example.COM", "sender@example.org"],
         "lspawn: qmail-local's user, home, local, ext, domain and sender")
    R.eq(f.get("stdin"), "Subject: test", "lspawn: stdin is the message")

    rep = ls.deliver(u.name.upper() + "-Ext-x@h", slot=119)
    R.eq(rep and rep[:2], (119, "K"), "lspawn: slot 119 used and reported")
    f = fields(rep[2] if rep else "")
    R.eq([f.get("user"), f.get("local"), f.get("ext")], [u.name, u.name.upper() + "-Ext-x", "Ext-x"],
         "lspawn: local kept, extension found by qmail-getpw's lookup")
    rep = ls.deliver("nosuchqtuser@h")
    f = fields(rep[2] if rep else "")
    R.eq([f.get(k) for k in ("uid", "user", "home", "local", "ext")],
         [str(a.pw_uid), alias, p.path("alias"), "nosuchqtuser", "nosuchqtuser"],
         "lspawn: unknown user: alias")
    rep = ls.deliver("q" * 4000 + "@h")
    f = fields(rep[2] if rep else "")
    R.eq([rep and rep[1], f.get("uid"), f.get("user")], ["K", str(a.pw_uid), alias],
         "lspawn: a 4000-byte local part is asked about too: alias")
    rep = ls.deliver("a@b@h")
    f = fields(rep[2] if rep else "")
    R.eq([f.get("local"), f.get("ext"), f.get("host")], ["a@b", "a@b", "h"],
         "lspawn: local part ends at the last @")

    # the program's exit code as qmail-local turns it into its own, and lspawn into a letter
    for code, letter in ((0, "K"), (99, "K"), (111, "Z"), (1, "Z"), (100, "D"), (64, "D")):
        rep = ls.deliver("%s-exit%d@h" % (u.name, code))
        R.eq(rep and rep[1], letter, "lspawn: program exit %d -> %s" % (code, letter))
    R.ok(rep and "stdin=Subject: test" in rep[2], "lspawn: output kept in a D report")
    rep = ls.deliver(u.name + "-big@h")
    R.ok(rep and rep[1] == "K" and len(rep[2]) <= 3100 and "too long" in rep[2] and
         rep[2].startswith("uid="), "lspawn: output truncated at 3000 bytes",
         rep and "%d bytes" % len(rep[2]))

    # the delivery child (qmail-local's code, no exec) while its program sleeps: the
    # user's ids, and nothing of qmail-lspawn's open above fd 2
    ls.send(10, b"0/1000", b"", ("%s-sleep2@h" % u.name).encode())
    kids = []
    wait_for(lambda: kids.extend(children(ls.proc.pid)) or kids, 10)
    if R.ok(len(kids) == 1, "lspawn: one delivery child", repr(kids)):
        with open("/proc/%d/status" % kids[0]) as fs:
            st = fs.read()
        R.ok("\nUid:\t%d\t%d\t%d\t%d" % ((u.uid,) * 4) in st,
             "lspawn: the delivery child has only the user's uid (real, effective, saved)")
        theirs = set(fds(ls.proc.pid).values())
        mine = fds(kids[0])
        leaked = {n: t for n, t in mine.items() if n > 2 and t in theirs}
        R.eq(leaked, {}, "lspawn: no descriptor of qmail-lspawn left in the delivery child")
        R.ok(os.path.realpath("/proc/%d/exe" % kids[0]) == os.path.realpath(p.bin("qmail-lspawn")),
             "lspawn: qmail-local runs without an exec (the child is qmail-lspawn's image)")
    R.eq((ls.report() or ())[:2], (10, "K"), "lspawn: the sleeping delivery ends: K")

    # the lookup process: one long-lived child as qmailp:nofiles with nothing open
    # but its socket, /dev/null and stderr; when it dies, questions in flight fail
    # for now and the next one starts a new process
    look = lookups(ls.proc.pid)
    if R.ok(len(look) == 1, "lspawn: one lookup process", repr(look)):
        qp, nf = pwd.getpwnam("qmailp").pw_uid, grp.getgrnam("nofiles").gr_gid
        R.eq(uids(look[0]), [qp] * 4, "lspawn: the lookup process runs as qmailp only")
        with open("/proc/%d/status" % look[0]) as fs:
            status = fs.read()
        R.ok("\nGid:\t%d\t%d\t%d\t%d" % ((nf,) * 4) in status and
             re.search(r"\nGroups:\t%d ?\n" % nf, status),
             "lspawn: ... with the group nofiles alone")
        mine = fds(look[0])
        R.eq(sorted(mine), [0, 1, 2], "lspawn: the lookup process holds fds 0, 1, 2 only")
        R.ok(mine.get(0, "").startswith("socket:") and mine.get(1) == "/dev/null",
             "lspawn: ... its socket and /dev/null", repr(mine))
        os.kill(look[0], signal.SIGSTOP)
        ls.send(12, b"0/1000", b"", u.name.encode() + b"@h")
        time.sleep(0.5)
        os.kill(look[0], signal.SIGKILL)
        rep = ls.report()
        R.ok(rep and rep[:2] == (12, "Z") and "lookup process ended" in rep[2],
             "lspawn: a question in flight when the lookup process dies: Z", repr(rep))
        rep = ls.deliver(u.name + "@h")
        R.eq(rep and rep[1], "K", "lspawn: the next delivery starts a new lookup process")
        R.ok(lookups(ls.proc.pid) and lookups(ls.proc.pid) != look,
             "lspawn: ... a new one", repr(lookups(ls.proc.pid)))
    # a delivery child that dies of a signal: Z, said so
    ls.send(11, b"0/1000", b"", ("%s-sleep30@h" % u.name).encode())
    kids = []
    wait_for(lambda: kids.extend(children(ls.proc.pid)) or kids, 10)
    for k in kids:
        os.kill(k, 11)
    rep = ls.report()
    R.ok(rep and rep[:2] == (11, "Z") and "crashed" in rep[2], "lspawn: crash -> Z", repr(rep))

    R.eq(ls.deliver("@h")[:2], (0, "K"), "lspawn: empty local part: K at once")
    rep = ls.deliver("nohost")
    R.ok(rep and rep[1] == "D" and "#5.1.3" in rep[2], "lspawn: no @: D")
    for bad in (b"../0/1000", b"/etc/passwd", b"0//1000", b"0/1000/", b"", b"a/1"):
        rep = ls.deliver(u.name + "@h", path=bad)
        R.eq(rep and rep[1], "Z", "lspawn: bad path %r: Z" % bad[:20])
    rep = ls.deliver(u.name + "@h", path=b"0/99999")
    R.ok(rep and rep[1] == "Z" and "does not exist" in rep[2], "lspawn: missing message: Z", repr(rep))
    message(p, "0/1001", owner="root")
    rep = ls.deliver(u.name + "@h", path=b"0/1001")
    R.ok(rep and rep[1] == "Z" and "owned" in rep[2], "lspawn: message not owned by qmailq: Z")
    os.symlink(p.path("queue", "mess", "0", "1000"), p.path("queue", "mess", "0", "1002"))
    rep = ls.deliver(u.name + "@h", path=b"0/1002")
    R.eq(rep and rep[1], "Z", "lspawn: symbolic link as message: Z")
    os.mkdir(p.path("queue", "mess", "0", "1003"))
    rep = ls.deliver(u.name + "@h", path=b"0/1003")
    R.eq(rep and rep[1], "Z", "lspawn: directory as message: Z")

    # users/cdb routes: exact, prefix with wildcard, root refused
    with open(p.path("users", "assign"), "w") as fa:
        fa.write("=bob:%s:%d:%d:%s:-:bobext:\n" % (u.name, u.uid, u.gid, u.home))
        fa.write("+pre_:%s:%d:%d:%s:-:p-:\n" % (u.name, u.uid, u.gid, u.home))
        fa.write("=rootuser:root:0:0:/root:::\n.\n")
    R.eq(run([p.bin("qmail-newu")]).returncode, 0, "lspawn: users/cdb built")
    rep = ls.deliver("Bob@h")
    f = fields(rep[2] if rep else "")
    R.eq([f.get(k) for k in ("user", "home", "local", "ext")], [u.name, u.home, "Bob", "bobext"],
         "lspawn: users/cdb exact entry, case-insensitive")
    rep = ls.deliver("PRE_Abc@h")
    f = fields(rep[2] if rep else "")
    R.eq([f.get("local"), f.get("ext")], ["PRE_Abc", "p-Abc"],
         "lspawn: users/cdb prefix entry, rest appended with its case")
    rep = ls.deliver("rootuser@h")
    R.ok(rep and rep[1] == "Z" and "root" in rep[2] and "uid=" not in rep[2],
         "lspawn: uid 0 refused, temporarily", repr(rep))
    rep = ls.deliver(u.name + "@h")
    R.eq(fields(rep[2] if rep else "").get("user"), u.name,
         "lspawn: no users/cdb match: qmail-getpw's lookup asked")
    with open(p.path("users", "cdb"), "wb") as fc:
        fc.write(b"x" * 100)
    rep = ls.deliver("bob@h")
    R.ok(rep and rep[1] == "Z" and "users/cdb" in rep[2], "lspawn: corrupt users/cdb: Z", repr(rep))
    os.unlink(p.path("users", "cdb"))
    os.unlink(p.path("users", "assign"))

    # several at once, in any order
    for s in (3, 4, 5):
        ls.send(s, b"0/1000", b"", ("%s-sleep%d@h" % (u.name, 6 - s)).encode())
    got = sorted(filter(None, (ls.report() for _ in range(3))))
    R.eq([(r[0], r[1]) for r in got], [(3, "K"), (4, "K"), (5, "K")],
         "lspawn: three deliveries at once")
    R.eq(fields(got[0][2]).get("sender") if got else None, "", "lspawn: empty sender passed as empty")

    # bin/qmail-local and bin/qmail-getpw are not needed: their code runs in the child
    for prog in ("qmail-local", "qmail-getpw"):
        os.rename(p.bin(prog), p.bin(prog) + ".off")
    rep = ls.deliver(u.name + "-x@h")
    R.ok(rep and rep[1] == "K" and fields(rep[2]).get("ext") == "x",
         "lspawn: delivers with bin/qmail-local and bin/qmail-getpw moved away", repr(rep))
    for prog in ("qmail-local", "qmail-getpw"):
        os.rename(p.bin(prog) + ".off", p.bin(prog))

    # closing stdin with a delivery in progress: it is still reported
    ls.send(7, b"0/1000", b"", ("%s-sleep1@h" % u.name).encode())
    rep = None
    rc = None
    ls.proc.stdin.close()
    rep = ls.report()
    R.eq(rep and rep[:2], (7, "K"), "lspawn: in-flight delivery reported after stdin closes")
    R.eq(ls.proc.wait(30), 0, "lspawn: exits 0 after stdin closes")
    ls.proc.stdout.close()
    ls.proc.stderr.close()

    # protocol violations: out-of-range slot, busy slot, overlong path
    for what, cmd in (("slot 120", bytes([120]) + b"0/1000\0\0x@h\0"),
                      ("busy slot", bytes([9]) + b"0/1000\0\0x@h\0"),
                      ("path over 100 bytes", bytes([8]) + b"1" * 200 + b"\0\0x@h\0")):
        ls = Lspawn(p)
        ls.limit()
        ls.send(9, b"0/1000", b"", ("%s-sleep1@h" % u.name).encode())
        ls.proc.stdin.write(cmd)
        ls.proc.stdin.flush()
        rep = ls.report()
        R.eq(rep and rep[:2], (9, "K"), "lspawn: %s: in-flight delivery still reported" % what)
        R.eq(ls.report(), None, "lspawn: %s: no report for the bad command" % what)
        rc = ls.proc.wait(30)
        err = ls.proc.stderr.read()
        R.ok(rc == 100 and b"qmail-lspawn: warning:" in err, "lspawn: %s: exit 100" % what,
             "%s %r" % (rc, err))
        ls.close()

    for d in dots:
        os.unlink(d)
    test_real_local(p, u)

    r = run([p.bin("qmail-lspawn")])
    R.eq(r.returncode, 100, "lspawn: usage exits 100")
    copy = p.home + ".lspawn"
    shutil.copy(p.bin("qmail-lspawn"), copy)
    os.chmod(copy, 0o755)
    r = run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", copy, "./Mailbox"])
    os.unlink(copy)
    R.ok(r.returncode == 111 and b"must run as root" in r.stderr and r.stdout == b"",
         "lspawn: refuses to run without root, before the startup byte", r.stderr)


def test_real_local(p, u):
    """qmail-local's code, run by qmail-lspawn, delivers into a Maildir."""
    md = u.maildir()
    ls = Lspawn(p, "./Maildir/")
    ls.limit()
    rep = ls.deliver(u.name + "@Example.org", sender=b"someone@example.net")
    R.ok(rep and rep[1] == "K" and rep[2].startswith("did 1+0+0"),
         "lspawn + real qmail-local: K did 1+0+0", repr(rep))
    new = os.listdir(os.path.join(md, "new"))
    R.eq(len(new), 1, "lspawn + real qmail-local: one message in Maildir/new")
    if new:
        with open(os.path.join(md, "new", new[0]), "rb") as f:
            text = f.read()
        R.ok(b"Delivered-To: " + u.name.encode() + b"@Example.org\n" in text and
             b"Return-Path: <someone@example.net>" in text and text.endswith(b"body\n"),
             "lspawn + real qmail-local: Return-Path, Delivered-To and body", text[:300])
        R.eq(os.stat(os.path.join(md, "new", new[0])).st_uid, u.uid,
             "lspawn + real qmail-local: the file belongs to the user")
    rep = ls.deliver(u.name + "-nosuchext@Example.org")
    R.ok(rep and rep[1] == "D" and "5.1.1" in rep[2], "lspawn + real qmail-local: unknown extension: D",
         repr(rep))
    R.eq(ls.close(), 0, "lspawn + real qmail-local: clean exit")


def main():
    if os.getuid() != 0:
        R.ok(False, "lspawn.py must run as root")
        R.finish()
    p = qmailtest.Prefix("lspawn")
    u = None
    try:
        if not R.ok(p.ready, "private install in " + p.home):
            R.finish()
        u = qmailtest.User("qtls")
        alias = open(os.path.join(qmailtest.TOP, "conf-users")).readline().strip()
        test_getpw(p, u, alias)
        test_newu(p)
        test_pw2u(p, u, alias)
        test_lspawn(p, u, alias)
    finally:
        if u:
            u.remove()
        p.cleanup()
    R.finish()


main()
