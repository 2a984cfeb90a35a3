"""qmail-start.py - the daemons qmail-start wires together, on a private install.

qmail-send and qmail-clean are replaced by fakes (qmail-send a Python script that
checks its ids and descriptors, talks to both spawners and to qmail-clean over the six
pipes, and logs what it saw on fd 0); qmail-lspawn is the real one, delivering with
qmail-local's code to the default mailbox; qmail-rspawn is a fake that must run as qmailr with all of qmailr's
groups. A missing daemon makes qmail-start exit 111 before it starts anything.
Needs root.
"""
import grp
import os
import pwd
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP") or os.getcwd(), "tests"))
import qmailtest  # noqa: E402

R = qmailtest.Results()
run = qmailtest.run

FAKE_SEND = r"""#!/usr/bin/python3
import os
USER = %r
def log(s):
    os.write(0, (s + "\n").encode())
def isopen(fd):
    try:
        os.fstat(fd)
        return True
    except OSError:
        return False
def report(fd):
    b = b""
    while not b.endswith(b"\0") or len(b) < 3:
        c = os.read(fd, 65536)
        if not c:
            return "EOF"
        b += c
    return "%%d %%s" %% (b[0], b[1:-1].decode(errors="replace").replace("\n", "/"))
umask = os.umask(0o77)
log("send uid=%%d gid=%%d groups=%%s cwd=%%s umask=%%o" %% (os.getuid(), os.getgid(),
    ",".join(map(str, sorted(set(os.getgroups())))), os.getcwd(), umask))
log("send open=%%s" %% ",".join(str(fd) for fd in range(64) if isopen(fd)))
log("limits %%d %%d" %% (os.read(2, 1)[0], os.read(4, 1)[0]))
os.write(3, b"\5" b"0/1000\0" b"s@x\0" b"r@remote.example\0")
log("remote " + report(4))
os.write(1, b"\6" b"0/1000\0" b"s@x\0" + USER.encode() + b"@local\0")
log("local " + report(2))
os.write(5, b"foop/1000\0")
log("clean " + os.read(6, 1000).decode())
for fd in (1, 3, 5):
    os.close(fd)
for fd in (2, 4, 6):
    log("eof %%d %%r" %% (fd, os.read(fd, 100)))
log("send done")
"""

FAKE_CLEAN = r"""#!/bin/sh
echo "clean-stderr" >&2
head -c 10 > /dev/null
printf '+clean uid=%s gid=%s groups=%s cwd=%s' "$(id -u)" "$(id -g)" "$(id -G)" "$(pwd)"
cat > /dev/null
"""

FAKE_RSPAWN = r"""#!/bin/sh
printf 'x'
printf '\005Zrspawn uid=%s gid=%s groups=%s\0' "$(id -u)" "$(id -g)" "$(id -G | tr ' ' '\n' | sort -n | tr '\n' ',')"
cat > /dev/null
"""

def install(p, name, text):
    path = p.bin(name)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o755)


def start(p, args, close2=False, timeout=30):
    """Run qmail-start with args; return (exit code, stdout, stderr)."""
    out = open(p.home + ".out", "w+b")
    err = open(p.home + ".err", "w+b")
    pre = (lambda: os.close(2)) if close2 else None
    env = {"PATH": p.path("bin") + ":/usr/bin:/bin"}
    proc = subprocess.Popen([p.bin("qmail-start")] + args, stdin=subprocess.DEVNULL,
                            stdout=out, stderr=err, cwd="/tmp", env=env, preexec_fn=pre)
    try:
        rc = proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = proc.wait()
    # the logger and the other daemons finish on their own once qmail-send is gone
    qmailtest.wait_for(lambda: b"send done" in open(out.name, "rb").read(), 10)
    time.sleep(0.3)
    out.seek(0)
    err.seek(0)
    o, e = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    out.close()
    err.close()
    os.unlink(out.name)
    os.unlink(err.name)
    return rc, o, e


def line(text, prefix):
    for l in text.splitlines():
        if l.startswith(prefix):
            return l
    return ""


def main():
    if os.getuid() != 0:
        R.ok(False, "qmail-start.py must run as root")
        R.finish()
    p = qmailtest.Prefix("start")
    u = None
    group = "qtstart%d" % (os.getpid() % 100000)
    try:
        if not R.ok(p.ready, "private install in " + p.home):
            R.finish()
        u = qmailtest.User("qtst")
        qmails, qmailq, qmailr = (pwd.getpwnam(n) for n in ("qmails", "qmailq", "qmailr"))
        qmaill = pwd.getpwnam("qmaill")
        gq = grp.getgrnam("qmail").gr_gid
        gn = grp.getgrnam("nofiles").gr_gid
        install(p, "qmail-send", FAKE_SEND % u.name)
        install(p, "qmail-clean", FAKE_CLEAN)
        install(p, "qmail-rspawn", FAKE_RSPAWN)
        mess = p.path("queue", "mess", "0", "1000")
        with open(mess, "w") as f:
            f.write("Subject: x\n\nbody\n")
        os.chown(mess, qmailq.pw_uid, qmailq.pw_gid)

        rc, out, err = start(p, [])
        R.eq(rc, 0, "qmail-start becomes qmail-send (its exit code)")
        R.eq(line(out, "send uid"), "send uid=%d gid=%d groups=%d cwd=/ umask=77"
             % (qmails.pw_uid, gq, gq), "qmail-send: qmails, group qmail only, cwd /, umask 077")
        R.eq(line(out, "send open"), "send open=0,1,2,3,4,5,6", "qmail-send: fds 0..6, nothing else")
        R.eq(line(out, "limits"), "limits 120 120", "both spawners send their limit")
        R.ok(line(out, "remote 5 ").startswith("remote 5 Zrspawn"), "qmail-rspawn answers", out)
        R.ok("warning" not in err, "no warning", err)
        R.eq(line(out, "local "), "local 6 Kdid 1+0+0/", "qmail-lspawn delivers: K did 1+0+0")
        mbox = os.path.join(u.home, "Mailbox")
        R.ok(os.path.exists(mbox) and os.stat(mbox).st_uid == u.uid,
             "... into the default ./Mailbox, as the user")
        R.eq(line(out, "clean "), "clean +clean uid=%d gid=%d groups=%d cwd=/"
             % (qmailq.pw_uid, gq, gq), "qmail-clean: qmailq, group qmail")
        R.ok("clean-stderr" in err, "daemons keep qmail-start's stderr")
        R.ok("eof 2 b''" in out and "eof 4 b''" in out and "eof 6 b''" in out,
             "every daemon exits when qmail-send closes its pipe", out)

        # a logger, a delivery argument, and a real-looking qmail-rspawn
        run(["groupadd", group], check=True)
        run(["gpasswd", "-a", "qmailr", group], check=True)
        gx = grp.getgrnam(group).gr_gid
        md = u.maildir()
        rc, out, err = start(p, ["./Maildir/", "sh", "-c",
                                 'echo "logger uid=$(id -u) gid=$(id -g) groups=$(id -G)"; cat'])
        R.eq(rc, 0, "with a logger: qmail-send exits 0")
        R.eq(line(out, "logger"), "logger uid=%d gid=%d groups=%d" % (qmaill.pw_uid, gn, gn),
             "logger runs as qmaill:nofiles")
        R.ok(out.index("logger") < out.index("send uid"), "qmail-send's log goes through the logger")
        new = os.listdir(os.path.join(md, "new"))
        R.ok(line(out, "local ") == "local 6 Kdid 1+0+0/" and len(new) == 1 and
             os.stat(os.path.join(md, "new", new[0])).st_uid == u.uid,
             "defaultdelivery argument reaches qmail-local: ./Maildir/", out)
        groups = sorted({gq, gx} | {g.gr_gid for g in grp.getgrall() if "qmailr" in g.gr_mem}
                        | {qmailr.pw_gid})
        R.eq(line(out, "remote "), "remote 5 Zrspawn uid=%d gid=%d groups=%s"
             % (qmailr.pw_uid, gq, "".join("%d," % g for g in groups)),
             "qmail-rspawn: qmailr, group qmail, and all of qmailr's groups")

        rc, out, err = start(p, [], close2=True)
        R.ok(rc == 0 and "send open=0,1,2,3,4,5,6" in out, "works with fd 2 closed", out)

        os.rename(p.bin("qmail-clean"), p.bin("qmail-clean.off"))
        r = run([p.bin("qmail-start")], stdin=subprocess.DEVNULL, timeout=30)
        R.ok(r.returncode == 111 and b"qmail-clean" in r.stderr and b"send uid" not in r.stdout,
             "missing qmail-clean: exit 111 before starting anything", r.stderr)
        os.rename(p.bin("qmail-clean.off"), p.bin("qmail-clean"))
        os.unlink(p.bin("qmail-rspawn"))
        r = run([p.bin("qmail-start")], stdin=subprocess.DEVNULL, timeout=30)
        R.ok(r.returncode == 111 and b"qmail-rspawn" in r.stderr and b"send uid" not in r.stdout,
             "missing qmail-rspawn: exit 111 before starting anything", r.stderr)
        install(p, "qmail-rspawn", FAKE_RSPAWN)
        r = subprocess.run([p.bin("qmail-start")], stdin=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, preexec_fn=lambda: os.close(1), timeout=30)
        R.ok(r.returncode == 111 and b"descriptors 0 and 1" in r.stderr,
             "fd 1 closed: exit 111", r.stderr)
    finally:
        run(["groupdel", group])
        if u:
            u.remove()
        p.cleanup()
    R.finish()


main()
