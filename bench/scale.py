#!/usr/bin/env python3
"""bench/scale.py - local delivery with a large queue waiting for a remote host (not a test).

  python3 bench/scale.py [--n N] [--m M] [--hold] [--jobs J]   (as root, top of the tree)

Installs a private copy (tests/qmailtest.py's Prefix) and measures:
  1. the empty-queue rate: M messages (default 500) injected with qmail-queue, J at
     a time, to a local Maildir user; the clock stops when all M are in Maildir/new;
  2. fills the queue with N messages (default 100000) for unreachable.test, routed by
     control/smtproutes to a loopback port where nothing listens (every attempt is
     refused at once and deferred; with --hold, control/concurrencyremote is 0 and no
     attempt is made), until qmail-send has preprocessed all of them (todo/ empty);
  3. the same M local messages again, with the N remote ones still queued;
  4. qmail-send's resident memory (VmRSS, /proc) after 1, while filling, after 2 and
     after 3, and its peak (VmHWM).
It prints the ratio of rate 3 to rate 1 (the requirement is at least 0.8) and the
memory figures. Everything it made is removed at the end.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

from benchlib import free_port, parallel
from qmailtest import Prefix, User, wait_for

DOMAIN = "bench.test"


def status(pid, key):
    """A kB figure from /proc/PID/status (VmRSS, VmHWM)."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def count(path):
    n = 0
    for _, _, files in os.walk(path):
        n += len(files)
    return n


def inject(q, n, rcpt, jobs, tag):
    """n messages through qmail-queue, jobs at a time; returns the seconds taken."""
    body = ("From: bench@%s\nTo: %s\nSubject: scale %s\n\n" % (DOMAIN, rcpt, tag)).encode()
    body += (b"x" * 63 + b"\n") * 16
    env = b"Fbench@" + DOMAIN.encode() + b"\0T" + rcpt.encode() + b"\0\0"
    tmp = tempfile.mkdtemp(prefix="scale.", dir="/tmp")
    mpath, epath = os.path.join(tmp, "m"), os.path.join(tmp, "e")
    with open(mpath, "wb") as f:
        f.write(body)
    with open(epath, "wb") as f:
        f.write(env)

    def one():
        with open(mpath, "rb") as m, open(epath, "rb") as e:
            r = subprocess.run([q.bin("qmail-queue")], stdin=m, stdout=e)
        return r.returncode or None

    t0 = time.monotonic()
    bad = parallel(n, jobs, one)
    os.unlink(mpath)
    os.unlink(epath)
    os.rmdir(tmp)
    if bad:
        print("scale: qmail-queue failed %d times (first exit %d)" % (len(bad), bad[0]))
    return time.monotonic() - t0


def local_rate(q, user, md, m, jobs, tag):
    """Rate of M local messages from the first injection to the last delivery."""
    for n in os.listdir(os.path.join(md, "new")):
        os.unlink(os.path.join(md, "new", n))
    t0 = time.monotonic()
    inject(q, m, "%s@%s" % (user.name, DOMAIN), jobs, tag)
    if not wait_for(lambda: len(os.listdir(os.path.join(md, "new"))) >= m, 600, 0.01):
        raise SystemExit("scale: local messages not delivered")
    return m / (time.monotonic() - t0)


def main():
    ap = argparse.ArgumentParser(description="local delivery next to a large remote queue")
    ap.add_argument("--n", type=int, default=100000, help="remote messages queued")
    ap.add_argument("--m", type=int, default=500, help="local messages per measurement")
    ap.add_argument("--jobs", type=int, default=8, help="parallel qmail-queue runs")
    ap.add_argument("--hold", action="store_true", help="concurrencyremote 0: no attempts")
    a = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("scale: run as root")
    q = Prefix("scale")
    if not q.ready:
        sys.exit("scale: private install failed")
    user = User("qtsc")
    try:
        md = user.maildir()
        q.control("me", "scale.bench.example\n")
        q.control("locals", DOMAIN + "\n")
        q.control("rcpthosts", DOMAIN + "\n")
        q.control("concurrencylocal", "20\n")
        q.control("concurrencyremote", "0\n" if a.hold else "20\n")
        q.control("smtproutes", "unreachable.test:127.0.0.1:%d\n" % free_port())
        q.start("./Maildir/")
        time.sleep(1)
        send = q.proc.pid
        r1 = local_rate(q, user, md, a.m, a.jobs, "empty")
        rss1 = status(send, "VmRSS")
        print("empty queue: %d local messages at %.0f msg/s; qmail-send RSS %d kB" %
              (a.m, r1, rss1), flush=True)
        t0 = time.monotonic()
        step = max(1, a.n // 4)
        done = 0
        peak = rss1
        while done < a.n:
            k = min(step, a.n - done)
            inject(q, k, "nobody@unreachable.test", a.jobs, "remote")
            done += k
            peak = max(peak, status(send, "VmRSS"))
            print("  queued %d remote messages after %.0f s; qmail-send RSS %d kB" %
                  (done, time.monotonic() - t0, status(send, "VmRSS")), flush=True)
        wait_for(lambda: count(q.path("queue", "todo")) == 0, 3600, 0.5)
        fill = time.monotonic() - t0
        rss2 = status(send, "VmRSS")
        queued = count(q.path("queue", "info"))
        print("queue filled: %d messages in info/ after %.0f s (%.0f msg/s); qmail-send RSS "
              "%d kB" % (queued, fill, a.n / fill, rss2), flush=True)
        r2 = local_rate(q, user, md, a.m, a.jobs, "full")
        rss3 = status(send, "VmRSS")
        hwm = max(peak, rss2, rss3, status(send, "VmHWM"))
        print("full queue: %d local messages at %.0f msg/s; qmail-send RSS %d kB (peak %d kB)" %
              (a.m, r2, rss3, hwm), flush=True)
        print()
        print("| remote messages queued | local msg/s, empty queue | local msg/s, full queue | "
              "ratio | qmail-send RSS kB: empty / filled / after | peak kB |")
        print("|---:|---:|---:|---:|---|---:|")
        print("| %d | %.0f | %.0f | %.2f | %d / %d / %d | %d |" %
              (queued, r1, r2, r2 / r1, rss1, rss2, rss3, hwm))
    finally:
        q.stop(120)
        user.remove()
        q.cleanup()


if __name__ == "__main__":
    main()
