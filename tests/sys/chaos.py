#!/usr/bin/python3
"""chaos - crash torture of the supervised suite. A private install runs under its own
svscan (qmail-send through qmail-start; qmail-smtpd, qmail-qmtpd and qmail-qmqpd under
tcpserver on free 127.0.0.1 ports; multilog logs), every service under
`softlimit -m 12000000`, local users with Maildirs and a remote SMTP sink on 127.0.0.1
reached through control/smtproutes.

  load   LOAD_N tagged messages through every path (SMTP, QMTP, QMQP from Python and
         through qmail-qmqpc, sendmail as a user) to local and remote recipients with no
         chaos: all are acknowledged and delivered under the softlimit, while snapshots
         of /proc show every program with the uid and gid SPEC section 1 gives it.
  chaos  CHAOS_N (env, default 2000) more, spread over CHAOS_T seconds (default 60), while a loop SIGKILLs one of qmail-send,
         qmail-lspawn, qmail-rspawn, qmail-clean, qmail-smtpd, qmail-queue, qmail-local,
         qmail-remote (ours: found by /proc/PID/exe; qmail-local is qmail-lspawn's
         delivery child once it runs as the recipient) every 50-500 ms.
  drain  the chaos stops; qmail-send is woken (svc -a) until everything acknowledged
         (SMTP 250 after DATA, QMTP K, QMQP K, exit 0) has arrived.
Oracle: every acknowledged (message, recipient) is delivered at least once with a body
identical to the one sent (it carries its own SHA-256); duplicates are counted and
printed; unacknowledged ones may or may not arrive; no bounce; the queue empties; no
qmail-local ever runs as root. Needs root, daemontools and ucspi-tcp.
Prints ok/FAIL per assertion, then "N passed, N failed"."""
import collections
import concurrent.futures
import os
import random
import signal
import socket
import sys
import threading
import time

TOP = os.environ.get("TOP") or os.getcwd()
sys.path.insert(0, os.path.join(TOP, "tests"))
from qmailtest import Results, User, wait_for  # noqa: E402
import torture as T  # noqa: E402

R = Results()
ME = "chaos.torture.test"
SINK = "sink.torture.test"
N = int(os.environ.get("CHAOS_N", "2000"))
SPREAD = float(os.environ.get("CHAOS_T", "60"))  # seconds the chaos injection is spread over
LOAD_N = 50
WORKERS = 8
DRAIN_T = float(os.environ.get("CHAOS_DRAIN", "180"))
TARGETS = ("qmail-send", "qmail-lspawn", "qmail-rspawn", "qmail-clean", "qmail-smtpd",
           "qmail-queue", "qmail-local", "qmail-remote")
METHODS = ("smtp", "qmtp", "qmqp", "qmqpc", "sendmail")
SEEN_LOAD = ("qmail-smtpd", "qmail-qmtpd", "qmail-qmqpd", "qmail-queue", "qmail-send",
             "qmail-clean", "qmail-lspawn", "qmail-local", "qmail-rspawn", "qmail-remote",
             "multilog")


class Run:
    """one phase's bookkeeping"""

    def __init__(self):
        self.bodies = {}                         # tag -> body sent
        self.acked = set()                       # (tag, rcpt) acknowledged
        self.tried = 0                           # (tag, rcpt) offered
        self.by_method = collections.Counter()   # method -> acknowledged recipients
        self.lock = threading.Lock()


def send_one(site, users, run, tag, rnd):
    """inject one message by the method its number picks; note what was acknowledged"""
    a, b, bounce = users
    rcpts = rnd.sample(["%s@%s" % (a.name, ME), "%s@%s" % (b.name, ME),
                        "x@" + SINK, "y@" + SINK], rnd.choice((1, 1, 2)))
    sender = "%s@%s" % (bounce.name, ME)
    msg, body = T.tagged(tag, sender, rcpts, rnd=rnd)
    method = METHODS[int(tag.rsplit("-", 1)[1]) % len(METHODS)]
    if method == "smtp":
        acked = T.inject_smtp(site.ports["qmail-smtpd"], sender, rcpts, msg)
    elif method == "qmtp":
        acked = T.inject_qmtp(site.ports["qmail-qmtpd"], sender, rcpts, msg)
    elif method == "qmqp":
        acked = T.inject_qmqp(site.ports["qmail-qmqpd"], sender, rcpts, msg)
    elif method == "qmqpc":
        acked = T.inject_qmqpc(site, sender, rcpts, msg)
    else:
        acked = T.inject_sendmail(site, sender, rcpts, msg, user=a, limit=site.limit)
    with run.lock:
        run.bodies[tag] = body
        run.tried += len(rcpts)
        run.by_method[method] += len(acked)
        for r in acked:
            run.acked.add((tag, r.lower()))


def paced(t0, at, fn, *args):
    """fn(*args), not before t0 + at"""
    d = t0 + at - time.monotonic()
    if d > 0:
        time.sleep(d)
    fn(*args)


def inject(site, users, run, prefix, n, spread=0.0):
    """n messages from WORKERS threads, spread evenly over spread seconds"""
    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(WORKERS) as ex:
        futs = [ex.submit(paced, t0, spread * i / n, send_one, site, users, run, "%s-%d" % (prefix, i),
                          random.Random(prefix + str(i))) for i in range(n)]
        for f in futs:
            f.result()


def linger(site, rcpt, done, secs):
    """hold one half-sent connection open to each server (SMTP: inside DATA, so a
    qmail-queue waits too) until done() or secs pass, so that the short-lived
    programs are in the privilege snapshots; nothing is queued"""
    socks = []
    for prog, port in site.ports.items():
        try:
            s = socket.create_connection(("127.0.0.1", port), 5)
            if prog == "qmail-smtpd":
                s.sendall(("EHLO x\r\nMAIL FROM:<>\r\nRCPT TO:<%s>\r\nDATA\r\n" % rcpt).encode())
                time.sleep(0.2)
                s.sendall(b"Subject: partial\r\n")
            else:
                s.sendall(b"100:")
            socks.append(s)
        except OSError:
            pass
    wait_for(done, secs)
    for s in socks:
        s.close()


def chaos(site, stop, kills):
    """SIGKILL one of our processes every 50-500 ms until stop is set"""
    rnd = random.Random()
    while not stop.is_set():
        time.sleep(rnd.uniform(0.05, 0.5))
        by = {}
        for pid, name in site.pids(TARGETS).items():
            by.setdefault(name, []).append(pid)
        if not by:
            continue
        name = rnd.choice(sorted(by))
        try:
            os.kill(rnd.choice(by[name]), signal.SIGKILL)
            kills[name] += 1
        except OSError:
            pass


def sampler(site, uids, stop, seen, bad, step, snaps):
    """privilege snapshots until stop is set"""
    while not stop.is_set():
        s, b = T.privileges(site, uids)
        seen.update(s)
        for x in b:
            if len(bad) < 20:
                bad.add(x)
        snaps[0] += 1
        time.sleep(step)


def scan(seen, users):
    a, b, _ = users
    seen.scan_maildir(os.path.join(a.home, "Maildir"), "%s@%s" % (a.name, ME))
    seen.scan_maildir(os.path.join(b.home, "Maildir"), "%s@%s" % (b.name, ME))


def verdict(seen, run, what):
    """lost, corrupt and duplicate counts of a phase; prints and asserts them"""
    lost = [k for k in run.acked if k not in seen.copies]
    corrupt = dups = arrived = 0
    for k, bodies in seen.copies.items():
        if k[0] not in run.bodies:
            continue
        arrived += 1
        dups += len(bodies) - 1
        corrupt += sum(1 for x in bodies if x != run.bodies[k[0]] or not T.body_ok(x))
    print("%s: %d messages, %d recipients offered, %d acknowledged (%s), %d arrived, "
          "%d lost, %d corrupt, %d duplicates"
          % (what, len(run.bodies), run.tried, len(run.acked),
             " ".join("%s %d" % kv for kv in sorted(run.by_method.items())), arrived,
             len(lost), corrupt, dups), flush=True)
    R.eq(len(lost), 0, "%s: no acknowledged message lost" % what)
    if lost:
        print("lost:", sorted(lost)[:10])
    R.eq(corrupt, 0, "%s: every copy identical to what was sent" % what)
    return lost, corrupt, dups


def drain(site, seen, users, run, timeout):
    """wake qmail-send every 3 s until every acknowledged recipient has a copy"""
    end = time.monotonic() + timeout
    last = 0
    while time.monotonic() < end:
        scan(seen, users)
        if all(k in seen.copies for k in run.acked):
            return True
        if time.monotonic() - last > 3:
            site.svc("-a")
            last = time.monotonic()
        time.sleep(0.5)
    scan(seen, users)
    return all(k in seen.copies for k in run.acked)


def main():
    site = T.Site("chaos", ME, limit="-m 12000000")
    users = []
    sink = None
    stop_s = threading.Event()
    try:
        if not R.ok(site.ready, "private install"):
            return
        seen = T.Seen()
        sink = T.Sink(seen)
        a, b, bounce = User("qtca"), User("qtcb"), User("qtcc")
        users = [a, b, bounce]
        for u in users:
            u.maildir()
        uids = {u.uid: u.gid for u in users}
        site.control("me", ME + "\n")
        site.control("locals", ME + "\n")
        site.control("rcpthosts", "%s\n%s\n" % (ME, SINK))
        site.control("smtproutes", "%s:127.0.0.1:%d\n" % (SINK, sink.port))
        site.control("smtpdgreetdelay", "0\n")
        site.control("qmqpservers", "127.0.0.1:%d\n" % site.ports["qmail-qmqpd"])
        site.control("concurrencyremote", "20\n")
        site.control("concurrencylocal", "20\n")
        if not R.ok(site.start(), "services up under svscan with softlimit -m 12000000",
                    [site.svstat(s) for s in os.listdir(site.sv)]):
            return

        # ---- load: every path, every program seen with its ids ----------------------
        sink.delay = 0.3
        a.file(".qmail", "|sleep 0.3\n./Maildir/\n")
        pseen, pbad, psnaps = set(), set(), [0]
        t = threading.Thread(target=sampler, args=(site, uids, stop_s, pseen, pbad, 0.03, psnaps))
        t.start()
        load = Run()
        t0 = time.monotonic()
        inject(site, users, load, "load", LOAD_N)
        linger(site, "%s@%s" % (a.name, ME), lambda: all(x in pseen for x in SEEN_LOAD), 5)
        R.eq(len(load.acked), load.tried, "load: every injection acknowledged under softlimit")
        R.ok(all(load.by_method[m] for m in METHODS), "load: through SMTP, QMTP, QMQP, qmail-qmqpc and sendmail",
             load.by_method)
        R.ok(drain(site, seen, users, load, 120), "load: everything delivered under softlimit")
        stop_s.set()
        t.join()
        verdict(seen, load, "load")
        print("load: %.1f s; %d privilege snapshots" % (time.monotonic() - t0, psnaps[0]))
        for name in SEEN_LOAD:
            R.ok(name in pseen, "privileges: %s seen at work" % name)
        R.eq(sorted(pbad), [], "privileges: every program with its uid and gid, none root but lspawn")

        # ---- chaos -------------------------------------------------------------------
        sink.delay = 0
        a.file(".qmail", "./Maildir/\n")
        seen_before = sum(len(v) for v in seen.copies.values())
        stop_s = threading.Event()
        cseen, cbad, csnaps = set(), set(), [0]
        t = threading.Thread(target=sampler, args=(site, uids, stop_s, cseen, cbad, 0.1, csnaps))
        t.start()
        stop_c = threading.Event()
        kills = collections.Counter()
        c = threading.Thread(target=chaos, args=(site, stop_c, kills))
        work = Run()
        t0 = time.monotonic()
        c.start()
        inject(site, users, work, "chaos", N, SPREAD)
        stop_c.set()
        c.join()
        t1 = time.monotonic()
        print("chaos: %d messages injected in %.1f s, %d kills: %s"
              % (N, t1 - t0, sum(kills.values()),
                 " ".join("%s %d" % kv for kv in sorted(kills.items()))), flush=True)
        R.ok(sum(kills.values()) >= 20, "chaos: processes were killed", kills)
        R.ok(len(kills) >= 5, "chaos: at least 5 kinds of process killed", kills)
        R.ok(work.acked, "chaos: some injections acknowledged")
        ok = drain(site, seen, users, work, DRAIN_T)
        print("drain: %.1f s" % (time.monotonic() - t1), flush=True)
        R.ok(ok, "chaos: everything acknowledged arrived after the drain")
        stop_s.set()
        t.join()
        lost, corrupt, dups = verdict(seen, work, "chaos")
        R.ok(wait_for(lambda: site.queue_count() == 0 or site.svc("-a"), 60, 2),
             "chaos: the queue empties", site.queue_count())
        scan(seen, users)
        seen.scan_maildir(os.path.join(bounce.home, "Maildir"), "bounce")
        bounces = len([k for k in seen.copies if k[1] == "bounce"])
        nb = len(os.listdir(os.path.join(bounce.home, "Maildir", "new")))
        R.eq(nb, 0, "chaos: no bounce (no kill turns into a permanent failure)")
        R.eq(sorted(cbad), [], "chaos: privileges hold in %d snapshots; no qmail-local as root" % csnaps[0])
        R.ok(all(site.up(s) for s in os.listdir(site.sv)), "chaos: every service up again",
             [site.svstat(s) for s in os.listdir(site.sv)])
        lines = site.log().splitlines()
        warn = collections.Counter(" ".join(x.split()[1:4]) for x in lines if " alert: " in x or " warning: " in x)
        print("qmail-send log: %d lines kept by multilog; alerts and warnings: %s"
              % (len(lines), dict(warn.most_common(8))))
        print("figures: messages %d, acknowledged recipients %d, lost %d, corrupt %d, "
              "duplicates %d, kills %d, bounces %d, copies %d"
              % (N, len(work.acked), len(lost), corrupt, dups, sum(kills.values()), bounces,
                 sum(len(v) for v in seen.copies.values()) - seen_before), flush=True)
    finally:
        stop_s.set()
        if sink:
            sink.stop()
        site.cleanup()
        for u in users:
            u.remove()


main()
R.finish()
