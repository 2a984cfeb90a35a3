"""bench/qmtp.py - QMTP against SMTP between two private installs (not a test).

  python3 bench/qmtp.py [N] [ROUNDS]   (as root, from the top of the source tree)

Builds and installs two private copies, A and B. B runs qmail-smtpd and qmail-qmtpd
under tcpserver on loopback ports of their own and its qmail-send delivers into a
test user's Maildir. For each protocol in turn (ROUNDS times, default 1, order
alternating), with A's qmail-send stopped, N messages (default 1000, 2 KB each) are
put into A's queue with qmail-queue; then A's control/smtproutes or control/qmtproutes
sends the domain to B, A's qmail-send is started, and the clock runs until A's log
shows N successful remote deliveries (relayed: B has queued them all) and again
until all N are in B's Maildir. Prints messages per second for both. Everything it
made is removed at the end.
"""
import os
import signal
import subprocess
import sys
import time

from benchlib import daemon_ids, free_port
from qmailtest import Prefix, User, wait_for

UID, GID = daemon_ids()  # qmaild, nofiles


def server(p, prog, local):
    port = free_port()
    proc = subprocess.Popen(
        ["tcpserver", "-c", "100", "-u", str(UID), "-g", str(GID), "-R", "-H", "-l", local,
         "127.0.0.1", str(port), p.bin(prog)],
        env={"PATH": "/usr/bin:/bin"}, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    return proc, port


def count(md):
    try:
        return len(os.listdir(os.path.join(md, "new")))
    except OSError:
        return 0


def inject(a, n, rcpt):
    env = b"Fbench@ha.test\0T" + rcpt.encode() + b"\0\0"
    msg = b"Subject: bench\n\n" + (b"x" * 75 + b"\n") * 26
    for _ in range(n):
        r, w = os.pipe()
        os.write(w, env)
        os.close(w)
        subprocess.run([a.bin("qmail-queue")], input=msg, stdout=r, check=True)
        os.close(r)


def one_round(a, b, u, md, proto, port, n):
    a.stop()
    for f in ("smtproutes", "qmtproutes"):
        try:
            os.unlink(a.path("control", f))
        except OSError:
            pass
    a.control(proto + "routes", "hb.test:[127.0.0.1]:%d\n" % port)
    for f in os.listdir(os.path.join(md, "new")):
        os.unlink(os.path.join(md, "new", f))
    open(a.log, "wb").close()
    inject(a, n, "%s@hb.test" % u.name)
    t0 = time.monotonic()
    a.start()
    wait_for(lambda: a.logtext().count(": success:") >= n, 1200, 0.05)
    t_relay = time.monotonic() - t0
    wait_for(lambda: count(md) >= n, 1200, 0.05)
    t_all = time.monotonic() - t0
    got = count(md)
    print("%s: %d messages relayed A->B in %.2f s (%.1f msg/s); all in B's Maildir in "
          "%.2f s (%.1f msg/s)%s" % (proto.upper(), n, t_relay, n / t_relay, t_all, n / t_all,
                                     "" if got == n else " (%d arrived!)" % got), flush=True)
    return n / t_relay, n / t_all


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    a, b = Prefix("bencha"), Prefix("benchb")
    u, procs = None, []
    try:
        if not (a.ready and b.ready):
            sys.exit("bench: private install failed")
        a.local_domain("ha.test")
        b.local_domain("hb.test", smtp=True)
        b.control("concurrencylocal", "20\n")
        u = User("qtbq")
        md = u.maildir()
        smtp, sport = server(b, "qmail-smtpd", "hb.test")
        qmtp, qport = server(b, "qmail-qmtpd", "hb.test")
        procs += [smtp, qmtp]
        b.start()
        time.sleep(0.5)
        res = {"smtp": [], "qmtp": []}
        order = ["smtp", "qmtp"]
        for i in range(rounds):
            for proto in (order if i % 2 == 0 else order[::-1]):
                res[proto].append(one_round(a, b, u, md, proto,
                                            sport if proto == "smtp" else qport, n))
        for proto in order:
            rel = sorted(x[0] for x in res[proto])[len(res[proto]) // 2]
            end = sorted(x[1] for x in res[proto])[len(res[proto]) // 2]
            print("median %s: relay %.1f msg/s, end to end %.1f msg/s" % (proto.upper(), rel, end))
    finally:
        a.stop()
        b.stop()
        for p in procs:
            p.send_signal(signal.SIGTERM)
            p.wait()
        if u:
            u.remove()
        a.cleanup()
        b.cleanup()


main()
