"""bench/local.py - local delivery throughput of a private install (not a test).

  python3 bench/local.py [N]      (as root, from the top of the source tree)

Builds and installs a private copy (make QMAIL=/tmp/qt-bench.* setup check), starts
it with ./Maildir/ delivery, then measures:
  1. N messages (default 1000) injected one after another with sendmail, to one
     local user: seconds until all are in Maildir/new, and messages per second;
  2. one message to 1000 local recipients (1000 users' extensions via one
     .qmail-default): seconds until all 1000 deliveries are in Maildir/new.
Everything it made is removed at the end.
"""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.getcwd(), "tests"))
from qmailtest import Prefix, User, wait_for  # noqa: E402

ME = "bench.example"


def count(md):
    try:
        return len(os.listdir(os.path.join(md, "new")))
    except OSError:
        return 0


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    q = Prefix("bench")
    u = None
    try:
        if not q.ready:
            sys.exit("bench: private install failed")
        q.control("me", ME + "\n")
        q.control("locals", ME + "\n")
        q.control("concurrencylocal", "20\n")
        u = User("qtbench")
        md = u.maildir()
        u.file(".qmail-default", "./Maildir/\n")
        q.start("./Maildir/")
        time.sleep(0.5)
        env = {"PATH": "/usr/bin:/bin", "USER": "bench"}
        msg = b"Subject: bench\n\n" + b"x" * 2000 + b"\n"
        t0 = time.monotonic()
        for i in range(n):
            subprocess.run([q.bin("sendmail"), "%s@%s" % (u.name, ME)], input=msg, env=env,
                           check=True)
        t_inj = time.monotonic() - t0
        wait_for(lambda: count(md) >= n, 600, 0.01)
        t_all = time.monotonic() - t0
        print("sequential sendmail: %d messages injected in %.2f s (%.0f/s), "
              "all delivered in %.2f s (%.0f/s)" % (n, t_inj, n / t_inj, t_all, n / t_all))

        base = count(md)
        rcpts = ["%s-r%d@%s" % (u.name, i, ME) for i in range(1000)]
        t0 = time.monotonic()
        subprocess.run([q.bin("sendmail")] + rcpts, input=msg, env=env, check=True)
        wait_for(lambda: count(md) >= base + 1000, 600, 0.01)
        t = time.monotonic() - t0
        print("one message to 1000 local recipients: %.2f s (%.0f deliveries/s)" % (t, 1000 / t))
    finally:
        if u:
            u.remove()
        q.cleanup()


main()
