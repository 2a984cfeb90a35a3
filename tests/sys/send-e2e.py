"""send-e2e.py - the real queue end to end, on a private install (needs root).

make setup builds the tree with its owners and modes; qmail-start runs qmail-send
(as qmails), qmail-lspawn, qmail-clean (as qmailq) and the stand-in remote spawner.
Mail injected with qmail-inject reaches a user's Maildir through qmail-local; an
unknown local user bounces to the sender; a remote recipient is deferred and stays
queued; SIGTERM ends with "status: exiting" and the schedule in the file times.
"""
import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP") or os.getcwd(), "tests"))
import qmailtest  # noqa: E402

R = qmailtest.Results()


def inject(p, sender, rcpts, body):
    r = subprocess.run([p.bin("qmail-inject"), "-f", sender, "-a"] + rcpts,
                       input=body, capture_output=True, cwd="/")
    return r.returncode


def logline(p, pattern, timeout=20):
    """The first log line matching the regex, waiting for it."""
    rx = re.compile(pattern)

    def find():
        for line in p.logtext().splitlines():
            if rx.fullmatch(line):
                return line
        return None
    return qmailtest.wait_for(find, timeout)


def main():
    p = qmailtest.Prefix("send")
    u = None
    try:
        if not R.ok(p.ready, "private install (make setup check)"):
            return
        p.control("me", "e2e.example\n")
        p.control("locals", "e2e.example\n")
        p.control("smtproutes", "far.example:127.0.0.1:9\n")  # refused: a deferral
        u = qmailtest.User("qs")
        md = u.maildir()
        p.start("./Maildir/")
        R.ok(logline(p, r"status: local 0/10 remote 0/20") is not None, "qmail-send started by qmail-start")

        R.eq(inject(p, "sender@far.example", [u.name + "@e2e.example"],
                    b"Subject: e2e\n\nhello through the queue\n"), 0, "qmail-inject queues")
        new = os.path.join(md, "new")
        got = qmailtest.wait_for(lambda: os.listdir(new), 20)
        R.ok(bool(got), "message delivered to the Maildir")
        if got:
            data = open(os.path.join(new, got[0]), "rb").read()
            R.ok(b"hello through the queue" in data, "Maildir message has the body")
            R.ok(data.startswith(b"Return-Path: <sender@far.example>\nDelivered-To: %s@e2e.example\n"
                                 % u.name.encode()), "qmail-local added Return-Path and Delivered-To")
        m = logline(p, r"new msg (\d+)")
        R.ok(m is not None, "log: new msg")
        mid = m.split()[2] if m else "?"
        R.ok(logline(p, r"info msg %s: bytes \d+ from <sender@far\.example> qp \d+ uid 0" % mid)
             is not None, "log: info msg")
        R.ok(logline(p, r"starting delivery 1: msg %s to local %s@e2e\.example" % (mid, u.name))
             is not None, "log: starting delivery 1")
        R.ok(logline(p, r"delivery 1: success: did_\d\+\d\+\d/") is not None, "log: delivery 1 success")
        R.ok(logline(p, r"end msg %s" % mid) is not None, "log: end msg")
        split = int(mid) % 23 if mid.isdigit() else 0
        R.ok(qmailtest.wait_for(lambda: not os.path.exists(p.path("queue", "mess", str(split), mid)), 10),
             "qmail-clean removed the message file")

        # an unknown user bounces; the bounce to a remote sender waits in the queue
        R.eq(inject(p, "someone@far.example", ["nosuchuserqs@e2e.example"], b"Subject: x\n\nx\n"), 0,
             "queue mail for an unknown user")
        R.ok(logline(p, r"delivery \d+: failure: .*#5\.1\.1.*") is not None, "log: unknown user fails")
        b = logline(p, r"bounce msg \d+ qp \d+")
        R.ok(b is not None, "log: bounce injected")
        R.ok(logline(p, r"starting delivery \d+: msg \d+ to remote someone@far\.example") is not None,
             "bounce goes to the sender, remotely")
        R.ok(logline(p, r"delivery \d+: deferral: .*") is not None, "remote delivery deferred")

        p.signal(signal.SIGTERM)
        rc = p.stop()
        R.eq(rc, 0, "qmail-start/qmail-send exit 0 on SIGTERM")
        R.eq(p.logtext().splitlines()[-1:], ["status: exiting"], "log ends with status: exiting")
        remote = [os.path.join(dp, f) for dp, _, fs in os.walk(p.path("queue", "remote")) for f in fs]
        R.eq(len(remote), 1, "the deferred bounce is still queued")
        if remote:
            R.ok(os.stat(remote[0]).st_mtime > time.time() + 60, "its mtime is its next retry time")
    finally:
        if u:
            u.remove()
        p.cleanup()


main()
R.finish()
