#!/usr/bin/python3
"""memory - forced allocation failures. qmail-smtpd, qmail-qmtpd, qmail-qmqpd,
qmail-queue and qmail-local each run many times under `softlimit -d L` (RLIMIT_DATA,
which on Linux also bounds malloc's mmap), L swept upwards from the smallest limit at
which the program reaches main() (below it the dynamic loader itself fails with exit
127 or a SIGSEGV before any of our code runs), with work that needs memory (hundreds
of recipients, a large message); all are linked dynamically (make STATIC_PROGS=). At
every limit the outcome is success or a temporary failure: no signal, no 5xx, no D,
no permanent exit code; the sweep must reach both a temporary failure and, at its
top, a success. (Every daemon working under `softlimit -m 12000000`, as installed,
is shown by tests/sys/chaos.py.) Needs root.
Prints ok/FAIL per assertion, then "N passed, N failed"."""
import os
import subprocess
import sys

TOP = os.environ.get("TOP") or os.getcwd()
sys.path.insert(0, os.path.join(TOP, "tests"))
from qmailtest import Prefix, Results, User, install  # noqa: E402
import torture as T  # noqa: E402

R = Results()
ME = "mem.torture.test"
NRCPT = 300
BIG = 600000


def floor(cmd, pre=()):
    """smallest limit (4 KB steps) at which cmd gets past the dynamic loader"""
    lo = 4096
    while lo < 8 << 20:
        r = subprocess.run(list(pre) + ["softlimit", "-d", str(lo)] + cmd, stdin=subprocess.DEVNULL,
                           capture_output=True, env={"PATH": "/usr/bin:/bin"})
        if r.returncode not in (127, -11) and b"shared libraries" not in r.stderr:
            return lo
        lo += 4096
    return lo


def limits(lo):
    """the sweep: fine steps just above the floor, then coarser ones up to 16 MB"""
    out, step, x = [], 4096, lo
    while x < 16 << 20:
        out.append(x)
        x += step
        if x - lo > 12 * step:
            step *= 2
    return out


def sweep(name, cmd, run_at, judge, pre=()):
    """run the program at every limit; judge(result) says 'ok', 'temp' or a failure"""
    lo = floor(cmd, pre)
    outcomes, temps, bad = {}, {}, []
    for lim in limits(lo):
        res = run_at(lim)
        v, why = judge(res), ""
        if v.startswith("temp "):
            v, why = "temp", v[5:]
            temps[why] = temps.get(why, 0) + 1
        outcomes[v] = outcomes.get(v, 0) + 1
        if v not in ("ok", "temp"):
            bad.append((lim, v))
    print("%s: loader floor %d bytes; %s; temporary failures: %s" % (name, lo, outcomes, temps), flush=True)
    R.eq(bad[:5], [], "%s: every limit gives success or a temporary failure" % name)
    R.ok(outcomes.get("temp"), "%s: some limits force a temporary failure" % name)
    R.eq(v, "ok", "%s: the largest limit succeeds" % name)


def server_input(kind, rcpts):
    msg = b"Subject: big\n\n" + (b"x" * 70 + b"\n") * (BIG // 71)
    if kind == "qmail-smtpd":
        s = b"EHLO client.example\r\nMAIL FROM:<s@example.org>\r\n"
        s += b"".join(b"RCPT TO:<" + r.encode() + b">\r\n" for r in rcpts)
        return s + b"DATA\r\n" + msg.replace(b"\n", b"\r\n") + b".\r\nQUIT\r\n"
    if kind == "qmail-qmtpd":
        return T.ns(b"\n" + msg) + T.ns(b"s@example.org") + T.ns(b"".join(T.ns(r.encode()) for r in rcpts))
    return T.ns(T.ns(msg) + T.ns(b"s@example.org") + b"".join(T.ns(r.encode()) for r in rcpts))


def judge_server(kind, nr):
    def judge(res):
        rc, out = res
        if rc < 0:
            return "signal %d" % -rc
        if kind == "qmail-smtpd":
            # one code per reply: EHLO's continuation lines (250-...) must not make
            # up for a missing 250 after DATA
            codes = [line[:3] for line in out.split(b"\r\n") if line[:3].isdigit() and line[3:4] != b"-"]
            if any(c.startswith(b"5") for c in codes):
                return "5xx: %r" % out[-200:]
            last = [x for x in out.split(b"\r\n") if x[:1] == b"4"][-1:]
            return "ok" if codes.count(b"250") >= nr + 3 else "temp %r" % (last[0][:60] if last else b"closed")
        reps = []
        buf = out
        while buf:
            i = buf.find(b":")
            if i < 1 or not buf[:i].isdigit():
                break
            n = int(buf[:i])
            reps.append(buf[i + 1:i + 1 + n])
            buf = buf[i + 2 + n:]
        if any(r[:1] == b"D" for r in reps):
            return "D: %r" % reps[:2]
        want = nr if kind == "qmail-qmtpd" else 1
        if len(reps) == want and all(r[:1] == b"K" for r in reps):
            return "ok"
        z = [r for r in reps if r[:1] != b"K"][:1]
        return "temp %r" % (z[0][:60] if z else b"closed after %d replies" % len(reps))
    return judge


def main():
    q = Prefix("memory")
    u = None
    try:
        if not R.ok(q.ready, "private install"):
            return
        # The sweep is about our out-of-memory paths, so the programs are linked
        # dynamically (make STATIC_PROGS=): a static program's C library takes a heap
        # of 128 KB or more before main, and its sweep would jump from a start-up
        # crash straight to a program that never runs short of memory.
        r = install(q.home, flags=["STATIC_PROGS="], users=False)
        if not R.ok(r.returncode == 0, "private install, linked dynamically"):
            return
        q.local_domain(ME, smtp=True)
        q.control("databytes", "0\n")
        u = User("qtmm")
        u.maildir()
        rcpts = ["%s-%d@%s" % (u.name, i, ME) for i in range(NRCPT)]
        daemon = ["setpriv", "--reuid=%d" % T.uid("daemon"), "--regid=%d" % T.gid(T.GNOFILES), "--clear-groups"]
        env = {"PATH": "/usr/bin:/bin", "TCPREMOTEIP": "127.0.0.1", "TCPLOCALIP": "127.0.0.1",
               "TCPLOCALPORT": "25", "TCPLOCALHOST": ME, "PROTO": "TCP"}

        for kind in ("qmail-smtpd", "qmail-qmtpd", "qmail-qmqpd"):
            data = server_input(kind, rcpts)

            def run_at(lim, kind=kind, data=data):
                p = subprocess.run(daemon + ["softlimit", "-d", str(lim), q.bin(kind)], input=data,
                                   capture_output=True, env=env, timeout=60)
                return p.returncode, p.stdout
            sweep(kind, [q.bin(kind)], run_at, judge_server(kind, NRCPT), pre=daemon)

        msg, _ = T.tagged("mem", "s@example.org", rcpts[:1], size=BIG)

        def qq_at(lim):
            return T.queue_like(["softlimit", "-d", str(lim), q.bin("qmail-queue")], "s@example.org", rcpts, msg)

        def qq_judge(rc):
            if rc < 0:
                return "signal %d" % -rc
            if 11 <= rc <= 40:
                return "permanent exit %d" % rc
            return "ok" if rc == 0 else "temp exit %d" % rc
        sweep("qmail-queue", [q.bin("qmail-queue")], qq_at, qq_judge)

        # qmail-local: a .qmail with a Maildir, an mbox and a program line
        u.file(".qmail", "./Maildir/\n./mbox\n|cat > /dev/null\n")
        u.file("mbox", "", 0o600)
        user = ["setpriv", "--reuid=%d" % u.uid, "--regid=%d" % u.gid, "--clear-groups"]
        mf = os.path.join(u.home, "msg")
        with open(mf, "wb") as f:
            f.write(msg)
        args = [u.name, u.home, u.name, "", "", ME, "s@example.org", "./Maildir/"]

        def local_at(lim):
            with open(mf, "rb") as f:
                p = subprocess.run(user + ["softlimit", "-d", str(lim), q.bin("qmail-local"), "--"] + args,
                                   stdin=f, capture_output=True, env={"PATH": "/usr/bin:/bin"}, timeout=60)
            return p.returncode, p.stdout

        def local_judge(res):
            rc, out = res
            if rc < 0:
                return "signal %d" % -rc
            if rc not in (0, 111):
                return "exit %d: %r" % (rc, out[-200:])
            return "ok" if rc == 0 else "temp %r" % out.strip().split(b"\n")[-1][:60]
        sweep("qmail-local", [q.bin("qmail-local")], local_at, local_judge, pre=user)
        R.eq(os.listdir(os.path.join(u.home, "Maildir", "tmp")), [], "qmail-local: nothing left in tmp/")
    finally:
        if u:
            u.remove()
        q.cleanup()


main()
R.finish()
