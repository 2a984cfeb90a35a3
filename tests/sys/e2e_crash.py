"""e2e_crash - kill -9 of qmail-send, and in a second round of qmail-lspawn, while
200 messages are being delivered; after a restart every message is delivered, none
is lost, and duplicates are counted and printed. Needs root."""
import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP", os.getcwd()), "tests"))
from qmailtest import Prefix, Results, User, wait_for  # noqa: E402

R = Results()
ME = "crash.test.example"
N = 200


def tags(md):
    """Count of each X-Tag value delivered to the Maildir."""
    seen = {}
    d = os.path.join(md, "new")
    for name in os.listdir(d):
        try:
            with open(os.path.join(d, name), "rb") as f:
                data = f.read()
        except OSError:
            continue
        m = re.search(rb"^X-Tag: (\S+)$", data, re.M)
        if m:
            seen[m.group(1)] = seen.get(m.group(1), 0) + 1
    return seen


def pids_of(q, prog):
    out = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                if os.readlink("/proc/%s/exe" % pid) == q.bin(prog):
                    out.append(int(pid))
            except OSError:
                pass
    return out


def round_(q, u, md, victim, rnd):
    q.start("./Maildir/")
    time.sleep(0.3)
    env = {"PATH": "/usr/bin:/bin", "USER": "tester"}
    procs = []
    for i in range(N):
        msg = ("Subject: crash\nX-Tag: %s-%d\n\n%s\n" % (rnd, i, "y" * 500)).encode()
        procs.append(subprocess.Popen([q.bin("sendmail"), "%s@%s" % (u.name, ME)],
                                      stdin=subprocess.PIPE, env=env))
        procs[-1].stdin.write(msg)
        procs[-1].stdin.close()
        if len(procs) >= 20:
            for p in procs:
                p.wait()
            procs = []
        if i == N // 4:
            wait_for(lambda: len(tags(md)) > 0, 10)
            killed = []
            for pid in pids_of(q, victim):
                try:
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
                except ProcessLookupError:
                    pass  # a delivery child (qmail-lspawn's image too) that just ended
            R.ok(killed, "killed %s with SIGKILL during delivery" % victim)
    rc = [p.wait() for p in procs]
    R.ok(all(c == 0 for c in rc), "every injection acknowledged")
    # whatever is left of the old daemons goes away; then restart
    if victim == "qmail-send":
        q.proc.wait(10)
    wait_for(lambda: not pids_of(q, "qmail-send"), 30)
    q.stop()
    for prog in ("qmail-lspawn", "qmail-clean", "qmail-rspawn"):
        wait_for(lambda: not pids_of(q, prog), 30)
    q.start("./Maildir/")
    got = wait_for(lambda: len([t for t in tags(md) if t.startswith(rnd.encode())]) >= N and tags(md), 120)
    seen = {t: c for t, c in (got or tags(md)).items() if t.startswith(rnd.encode())}
    lost = N - len(seen)
    dups = sum(c - 1 for c in seen.values())
    print("round %s: %d delivered, %d lost, %d duplicates" % (rnd, len(seen), lost, dups))
    R.eq(lost, 0, "after kill -9 of %s: no message lost" % victim)
    q.stop()


def main():
    q = Prefix("crash")
    u = None
    try:
        if not R.ok(q.ready, "private install"):
            return
        q.local_domain(ME)
        u = User("qtcr")
        md = u.maildir()
        round_(q, u, md, "qmail-send", "s")
        round_(q, u, md, "qmail-lspawn", "l")
    finally:
        if u:
            u.remove()
        q.cleanup()


main()
R.finish()
