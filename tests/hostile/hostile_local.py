"""hostile_local - part of tests/sys/hostile.py: qmail-local, run as a temporary user
exactly as qmail-lspawn runs it, against hostile homes: .qmail files and home
directories group- or world-writable, symlinked and FIFOs; Maildir subdirectories
replaced by symlinks; an mbox that is a symlink, a hard link, a FIFO or a directory;
extensions with '/', '..', upper case, 8-bit bytes and shell syntax. Expected, per
SPEC sections 0 and 6: deferral (111, #4.7.0) for anything the recipient does not
control, no byte written through a link, no hang on a FIFO, and peer-controlled
text reaching a program only through the environment."""
import os
import shutil
import subprocess

from qmailtest import User

R = None
MSG = b"From: a@example.org\nSubject: hostile\n\nbody\n"


class Local:
    def __init__(self, P):
        self.P = P
        self.u = User("qth")
        self.msg = self.u.home + ".msg"
        with open(self.msg, "wb") as f:
            f.write(MSG)
        os.chmod(self.msg, 0o644)
        self.outside = self.u.home + ".outside"  # a place the user does not own
        os.makedirs(self.outside, exist_ok=True)
        os.chmod(self.outside, 0o755)

    def reset(self, mode=0o755):
        """an empty home of mode mode (only the message file outside it)"""
        for f in os.listdir(self.u.home):
            p = os.path.join(self.u.home, f)
            if os.path.isdir(p) and not os.path.islink(p):
                shutil.rmtree(p)
            else:
                os.unlink(p)
        os.chmod(self.u.home, mode)

    def run(self, ext="", dash=None, default="./Maildir/", n=False):
        u = self.u
        dash = ("-" if ext else "") if dash is None else dash
        ext = os.fsencode(ext)
        local = os.fsencode(u.name) + (os.fsencode(dash) + ext if ext else b"")
        argv = [self.P.bin("qmail-local")] + (["-n"] if n else []) + [
            "--", u.name, u.home, local, dash, ext, "example.com", "a@example.org", default]
        with open(self.msg, "rb") as f:
            p = subprocess.run([os.fsencode(a) if isinstance(a, str) else a for a in argv],
                               stdin=f, capture_output=True, user=u.uid, group=u.gid,
                               extra_groups=[], env=self.P.env({"USER": u.name}), cwd="/",
                               timeout=30)
        return p.returncode, p.stdout

    def file(self, name, text, mode=0o644):
        return self.u.file(name, text, mode)

    def remove(self):
        self.u.remove()
        shutil.rmtree(self.outside, ignore_errors=True)
        for p in (self.msg,):
            try:
                os.unlink(p)
            except OSError:
                pass


def defer(L, rc_out, what, word=b"#4.7.0"):
    rc, out = rc_out
    R.ok(rc == 111 and word in out, "%s: deferred 111 %s" % (what, word.decode()), (rc, out))


def delivered(L, rc_out, what):
    rc, out = rc_out
    R.ok(rc == 0 and out.startswith(b"did "), "%s: delivered" % what, (rc, out))


def maildir_count(home, name="Maildir"):
    try:
        return len(os.listdir(os.path.join(home, name, "new")))
    except OSError:
        return -1


def homes(P, L):
    u = L.u
    L.reset(0o757)
    u.maildir()
    defer(L, L.run(), "world-writable home")
    R.eq(maildir_count(u.home), 0, "world-writable home: nothing delivered")
    L.reset(0o775)  # conf-patrn is 002: only world-writable is refused (SPEC 6)
    u.maildir()
    delivered(L, L.run(), "group-writable home (conf-patrn 002)")
    L.reset(0o1755)
    defer(L, L.run(), "sticky home", b"#4.2.1")
    L.reset()
    u.maildir()
    u.file(".qmail", "./Maildir/\n", 0o646)
    defer(L, L.run(), "world-writable .qmail")
    u.file(".qmail", "./Maildir/\n", 0o664)
    delivered(L, L.run(), "group-writable .qmail (conf-patrn 002)")
    # a .qmail symlinked to a file the user does not own: defer; to its own file: used
    os.unlink(os.path.join(u.home, ".qmail"))
    foreign = os.path.join(L.outside, "qmail-foreign")
    with open(foreign, "w") as f:
        f.write("|touch pwned-by-foreign\n")
    os.symlink(foreign, os.path.join(u.home, ".qmail"))
    defer(L, L.run(), ".qmail symlinked to root's file")
    R.ok(not os.path.exists(os.path.join(u.home, "pwned-by-foreign")),
         ".qmail symlinked to root's file: its program never ran")
    os.unlink(os.path.join(u.home, ".qmail"))
    own = u.file("qmail-own", "./Maildir/\n")
    os.symlink(own, os.path.join(u.home, ".qmail"))
    os.lchown(os.path.join(u.home, ".qmail"), u.uid, u.gid)
    before = maildir_count(u.home)
    delivered(L, L.run(), ".qmail symlinked to the user's own file (ezmlm)")
    R.eq(maildir_count(u.home), before + 1, ".qmail symlink to own file: one more message")
    # a FIFO as .qmail: not a regular file, treated as absent (SPEC 6), no hang
    os.unlink(os.path.join(u.home, ".qmail"))
    os.mkfifo(os.path.join(u.home, ".qmail"))
    os.chown(os.path.join(u.home, ".qmail"), u.uid, u.gid)
    before = maildir_count(u.home)
    delivered(L, L.run(), ".qmail FIFO: treated as absent, defaultdelivery used")
    R.eq(maildir_count(u.home), before + 1, ".qmail FIFO: delivered by defaultdelivery")
    os.mkfifo(os.path.join(u.home, ".qmail-fifo"))
    rc, out = L.run("fifo")
    R.ok(rc == 100 and b"#5.1.1" in out, ".qmail-fifo FIFO: no mailbox by that name (100)",
         (rc, out))


def maildirs(P, L):
    u = L.u
    for sub in ("new", "tmp", "cur"):
        L.reset()
        md = u.maildir()
        target = os.path.join(L.outside, "md-" + sub)
        os.makedirs(target, exist_ok=True)
        os.chown(target, u.uid, u.gid)  # even a directory the user owns, via a link
        shutil.rmtree(os.path.join(md, sub))
        os.symlink(target, os.path.join(md, sub))
        defer(L, L.run(), "Maildir/%s a symlink" % sub)
        R.eq(os.listdir(target), [], "Maildir/%s a symlink: nothing written through it" % sub)
    L.reset()
    md = u.maildir()
    shutil.rmtree(os.path.join(md, "new"))
    os.mkdir(os.path.join(md, "new"), 0o700)  # root's
    defer(L, L.run(), "Maildir/new owned by another user")
    L.reset()
    md = u.maildir()
    shutil.rmtree(os.path.join(md, "tmp"))
    os.mkfifo(os.path.join(md, "tmp"))
    os.chown(os.path.join(md, "tmp"), u.uid, u.gid)
    defer(L, L.run(), "Maildir/tmp a FIFO")
    L.reset()
    os.symlink(L.outside, os.path.join(u.home, "Maildir"))
    rc, out = L.run()
    R.eq(rc, 111, "Maildir itself a symlink to a foreign directory: deferred")


def mboxes(P, L):
    u = L.u
    victim = os.path.join(L.outside, "victim")

    def fresh():
        L.reset()
        with open(victim, "wb") as f:
            f.write(b"precious\n")
        os.chmod(victim, 0o666)

    fresh()
    os.symlink(victim, os.path.join(u.home, "Mailbox"))
    defer(L, L.run(default="./Mailbox"), "mbox a symlink")
    R.eq(open(victim, "rb").read(), b"precious\n", "mbox a symlink: target untouched")
    fresh()
    os.chown(victim, u.uid, u.gid)
    os.link(victim, os.path.join(u.home, "Mailbox"))
    defer(L, L.run(default="./Mailbox"), "mbox a hard link")
    R.eq(open(victim, "rb").read(), b"precious\n", "mbox a hard link: untouched")
    fresh()
    os.mkfifo(os.path.join(u.home, "Mailbox"))
    os.chown(os.path.join(u.home, "Mailbox"), u.uid, u.gid)
    defer(L, L.run(default="./Mailbox"), "mbox a FIFO (no hang)")
    fresh()
    os.mkdir(os.path.join(u.home, "Mailbox"))
    os.chown(os.path.join(u.home, "Mailbox"), u.uid, u.gid)
    defer(L, L.run(default="./Mailbox"), "mbox a directory")
    fresh()
    with open(os.path.join(u.home, "Mailbox"), "wb") as f:
        f.write(b"")
    defer(L, L.run(default="./Mailbox"), "mbox owned by root")
    fresh()
    delivered(L, L.run(default="./Mailbox"), "mbox created fresh")
    st = os.lstat(os.path.join(u.home, "Mailbox"))
    R.ok(st.st_uid == u.uid and st.st_mode & 0o777 == 0o600 and st.st_nlink == 1,
         "mbox created fresh: the user's, 0600, one link")


def extensions(P, L):
    u = L.u
    shutil.rmtree(L.outside)
    os.makedirs(L.outside)
    L.reset()
    u.maildir()
    u.file(".qmail-foo", "./Maildir/\n")
    u.file(".qmail-default", '|printf %s "$EXT" > ext.out\n')
    rc, out = L.run("FOO", n=True)
    R.ok(rc == 0 and b"maildir ./Maildir/" in out, "extension FOO: .qmail-foo (lower case)",
         (rc, out))
    cases = [b"a/b", b"../../x", b"..", b"a/../../../etc", b"\xe4\xff", b"x`touch pwned1`",
             b"$(touch pwned2)", b"x;touch pwned3", b"x' 'y", b"-"]
    for ext in cases:
        p = os.path.join(u.home, "ext.out")
        if os.path.exists(p):
            os.unlink(p)
        rc, out = L.run(ext)
        got = open(p, "rb").read() if os.path.exists(p) else None
        R.ok(rc == 0 and got == ext,
             "extension %r: .qmail-default, EXT passed unchanged in the environment" % ext,
             (rc, out, got))
    R.ok(not any(os.path.exists(os.path.join(u.home, "pwned%d" % i)) for i in (1, 2, 3)),
         "extensions: shell syntax never ran")
    R.ok(sorted(os.listdir(L.outside)) == [], "extensions: nothing written outside the home")


def local(P):
    L = Local(P)
    try:
        homes(P, L)
        maildirs(P, L)
        mboxes(P, L)
        extensions(P, L)
    finally:
        L.remove()


def parts(results):
    global R
    R = results
    return [local]
