#!/usr/bin/python3
"""multi.py - several recipients per SMTP transaction (beyond qmail): qmail-send gives
qmail-rspawn up to 100 recipients of one message at one domain in one delivery, and
qmail-remote sends them in one SMTP transaction. Through the real daemons in a private
install (qmailtest.Prefix), to an SMTP sink in this process on 127.0.0.1 reached
through control/smtproutes:
  1. 250 recipients at one domain arrive in ceil(250/100) = 3 transactions, each
     recipient once, one log line pair per recipient.
  2. Mixed results in one message of 150: 550s bounce in ONE bounce message, 450s are
     deferred and delivered by the retry (and only they are sent again), the rest once.
  3. Two domains (one of them written in several cases) in one message: one
     transaction per domain.
  4. A crash (SIGKILL of every daemon) while transactions wait for the final reply:
     after a restart every recipient arrives, some twice, none lost.
  5. qmail-rspawn alone: a list command gets one report per recipient, in order.
Prints ok/FAIL per assertion, then "N passed, N failed"."""
import email
import email.policy
import os
import pwd
import re
import signal
import subprocess
import sys
import threading
import time

TOP = os.environ.get("TOP") or os.getcwd()
sys.path.insert(0, os.path.join(TOP, "tests"))
from qmailtest import (Listener, Prefix, Results, User, kill_under, smtp_data,  # noqa: E402
                       wait_for)

R = Results()
ME = "mail.multi.example"
MAXRCPT = 100


class Sink(Listener):
    """An SMTP server in threads: each finished DATA is recorded as one transaction
    (the RCPT addresses accepted); rcpt maps an address (lower case) to a reply."""

    def __init__(self):
        self.rcpt = {}
        self.trans = []
        self.delay = 0  # seconds before the reply to the final dot
        self.lock = threading.Lock()
        super().__init__(backlog=64)

    def session(self, c):
        f = c.makefile("rb")

        def send(b):
            c.sendall(b + b"\r\n")
        send(b"220 sink ESMTP")
        accepted = []
        while True:
            line = f.readline()
            if not line:
                break
            cmd = line.rstrip(b"\r\n").decode("latin-1")
            verb = cmd[:4].upper()
            if verb == "EHLO":
                send(b"250-sink\r\n250 PIPELINING")
            elif verb in ("HELO", "RSET"):
                accepted = []
                send(b"250 ok")
            elif verb == "MAIL":
                accepted = []
                send(b"250 ok")
            elif verb == "RCPT":
                a = re.sub(r"^RCPT TO:<(.*?)>.*", r"\1", cmd, flags=re.I)
                with self.lock:
                    reply = self.rcpt.get(a.lower(), "250 ok")
                if reply.startswith("2"):
                    accepted.append(a)
                send(reply.encode())
            elif verb == "DATA":
                if not accepted:
                    send(b"554 no valid recipients")
                    continue
                send(b"354 go")
                if smtp_data(f) is None:
                    return
                with self.lock:
                    self.trans.append(list(accepted))
                time.sleep(self.delay)
                send(b"250 ok queued")
            elif verb == "QUIT":
                send(b"221 bye")
                break
            else:
                send(b"502 unknown")

    def set(self, rcpt):
        with self.lock:
            self.rcpt = dict(rcpt)

    def got(self):
        with self.lock:
            return [list(t) for t in self.trans]

    def clear(self):
        with self.lock:
            self.trans = []


def outcomes(log, msgid=None):
    """{recipient: [outcome, ...]} from the starting delivery / delivery lines."""
    who, res = {}, {}
    pat = r"^starting delivery (\d+): msg (\d+) to remote (\S+)$"
    for m in re.finditer(pat, log, re.M):
        who[m.group(1)] = m.group(3)
    for m in re.finditer(r"^delivery (\d+): (success|failure|deferral): (.*)$", log, re.M):
        if m.group(1) in who:
            res.setdefault(who[m.group(1)], []).append(m.group(2))
    return res


def bounces(md):
    d = os.path.join(md, "new")
    out = []
    for n in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        with open(os.path.join(d, n), "rb") as f:
            data = f.read()
        if b"multipart/report" in data:
            out.append(email.message_from_bytes(data, policy=email.policy.default))
    return out


def part1(q, s, sender):
    """250 recipients at one domain: 3 transactions, each recipient once."""
    rc = ["r%03d@sink.example" % i for i in range(250)]
    R.eq(q.queue(sender, rc, b"Subject: many\n\nbody\n"), 0, "queue 250 recipients")
    ok = wait_for(lambda: sum(len(t) for t in s.got()) >= 250, 60)
    R.ok(ok, "all 250 recipients accepted by the sink", sum(len(t) for t in s.got()))
    time.sleep(0.5)
    t = s.got()
    R.eq(len(t), (250 + MAXRCPT - 1) // MAXRCPT, "ceil(250/100) = 3 SMTP transactions")
    R.ok(all(len(x) <= MAXRCPT for x in t), "at most 100 recipients per transaction",
         [len(x) for x in t])
    flat = sorted(a for x in t for a in x)
    R.eq(flat, rc, "every recipient exactly once")
    o = wait_for(lambda: (lambda o: len(o) >= 250 and o)(outcomes(q.logtext())), 10) or {}
    R.ok(all(o.get(r) == ["success"] for r in rc), "log: one success line per recipient",
         [r for r in rc if o.get(r) != ["success"]][:5])
    nums = re.findall(r"^starting delivery (\d+): msg \d+ to remote r\d+@sink", q.logtext(), re.M)
    R.eq(len(set(nums)), 250, "one delivery number per recipient")
    R.ok(not re.search(r"^status: local \d+/\d+ remote ([4-9]|\d\d+)/20", q.logtext(), re.M),
         "never more than 3 remote slots for the 250 recipients")


def part2(q, s, md, sender):
    """150 recipients: 10 refused with 550, 10 with 450, the rest accepted."""
    s.clear()
    bad = ["bad%02d@sink.example" % i for i in range(10)]
    soft = ["soft%02d@sink.example" % i for i in range(10)]
    good = ["good%03d@sink.example" % i for i in range(130)]
    rc = []
    for i in range(150):  # interleaved, so every transaction has some of each
        rc.append((good + bad + soft)[(i * 7) % 150])
    R.eq(sorted(rc), sorted(good + bad + soft), "mixed: 150 distinct recipients")
    conf = {r: "550 5.1.1 no such user" for r in bad}
    conf.update({r: "450 4.2.1 mailbox busy" for r in soft})
    s.set(conf)
    R.eq(q.queue(sender, rc, b"Subject: mixed\n\nx\n"), 0, "mixed: queued")

    def settled():
        o = outcomes(q.logtext())
        return all(r in o for r in rc) and o
    o = wait_for(settled, 60) or outcomes(q.logtext())
    R.ok(all(o.get(r) == ["success"] for r in good), "mixed: 250 recipients: success")
    R.ok(all(o.get(r) == ["failure"] for r in bad), "mixed: 550 recipients: failure")
    R.ok(all(o.get(r) == ["deferral"] for r in soft), "mixed: 450 recipients: deferral")
    t = s.got()
    R.eq(len(t), 2, "mixed: 150 recipients in 2 transactions")
    R.eq(sorted(a for x in t for a in x), sorted(good), "mixed: the accepted ones once")
    time.sleep(1)
    R.eq([b for b in bounces(md) if "bad00@sink.example" in b.as_string()], [],
         "mixed: no bounce while recipients are deferred")
    s.set({})
    s.clear()
    q.signal(signal.SIGALRM)
    R.ok(wait_for(lambda: sum(len(x) for x in s.got()) >= 10, 30), "mixed: the retry delivers")
    time.sleep(0.5)
    t = s.got()
    R.eq(sorted(a for x in t for a in x), sorted(soft), "mixed: only the 450 ones sent again")
    R.eq(len(t), 1, "mixed: the 10 deferred ones in one transaction")
    b = wait_for(lambda: [x for x in bounces(md) if "bad00@sink.example" in x.as_string()], 30)
    R.eq(len(b or []), 1, "mixed: ONE bounce message for the 550s")
    if b:
        txt = b[0].as_string()
        R.ok(all("<%s>:" % r in txt for r in bad), "mixed: the bounce names all ten 550s")
        R.ok(not any("<%s>:" % r in txt for r in good + soft),
             "mixed: the bounce names no delivered recipient")


def part3(q, s, sender):
    """two domains, one written in several cases: one transaction per domain"""
    s.clear()
    rc = ["a1@sink.example", "b1@other.example", "a2@SINK.Example", "b2@other.example",
          "a3@sink.EXAMPLE", "b3@Other.example"]
    R.eq(q.queue(sender, rc, b"Subject: two\n\nx\n"), 0, "two domains: queued")
    R.ok(wait_for(lambda: sum(len(x) for x in s.got()) >= 6, 30), "two domains: all delivered")
    time.sleep(0.5)
    t = sorted(sorted(x) for x in s.got())
    R.eq(t, [["a1@sink.example", "a2@SINK.Example", "a3@sink.EXAMPLE"],
             ["b1@other.example", "b2@other.example", "b3@Other.example"]],
         "two domains: two transactions, domains compared without case")


def part4(q, s, sender):
    """crash in the middle of the transactions: duplicates at worst, no loss"""
    s.clear()
    s.delay = 4
    rc = ["c%03d@sink.example" % i for i in range(150)]
    log0 = len(q.logtext())
    R.eq(q.queue(sender, rc, b"Subject: crash\n\nx\n"), 0, "crash: queued")
    R.ok(wait_for(lambda: len(s.got()) >= 2, 30), "crash: both transactions reached the dot")
    before = [a for x in s.got() for a in x]
    q.proc.kill()
    q.proc.wait()
    kill_under(q.home)
    q.proc = None
    R.ok(not re.search(r"^delivery \d+: success", q.logtext()[log0:], re.M),
         "crash: no recipient was marked done before its report")
    s.delay = 0
    q.start()
    got = lambda: set(a for x in s.got() for a in x)  # noqa: E731
    R.ok(wait_for(lambda: got() >= set(rc), 60), "crash: after the restart every recipient arrives",
         len(got()))
    R.ok(wait_for(lambda: re.search(r"^end msg", q.logtext()[log0:], re.M), 30),
         "crash: the message is finished")
    R.eq(sorted(before), rc, "crash: the first run had sent all of them once")
    n = len([a for x in s.got() for a in x])
    R.ok(n >= 150, "crash: duplicates allowed, %d deliveries for 150" % n)


def part5(q, s, tmp):
    """qmail-rspawn alone: list commands and their reports"""
    s.clear()
    s.set({"no@sink.example": "550 no", "later@sink.example": "451 later"})
    mess = q.path("queue", "mess", "0")
    path = os.path.join(mess, "4242")
    with open(path, "wb") as f:
        f.write(b"Subject: rspawn\n\nx\n")
    os.chown(path, pwd.getpwnam("qmailq").pw_uid, -1)
    p = subprocess.Popen([q.bin("qmail-rspawn")], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         env={"PATH": "/usr/bin:/bin"}, cwd="/")
    R.eq(os.read(p.stdout.fileno(), 1), bytes([120]), "rspawn: limit byte")
    p.stdin.write(b"\x07" + b"0/4242\0s@me\0yes@sink.example\0no@sink.example\0"
                  b"later@sink.example\0Yes2@SINK.example\0\0")
    p.stdin.write(b"\x08" + b"0/4242\0s@me\0x@sink.example\0y@other.example\0\0")
    p.stdin.write(b"\x09" + b"0/4242\0s@me\0x@sink.example\0noat\0\0")
    p.stdin.flush()
    data, end = b"", time.monotonic() + 30
    while data.count(b"\0") < 8 and time.monotonic() < end:
        chunk = os.read(p.stdout.fileno(), 65536)
        if not chunk:
            break
        data += chunk
    p.stdin.close()
    R.eq(p.wait(30), 0, "rspawn: exits 0 at end of input")
    reps, rest = [], data
    while len(rest) >= 3 and b"\0" in rest[2:]:
        k = rest.index(b"\0", 2)
        reps.append((rest[0], chr(rest[1]), rest[2:k].decode("latin-1")))
        rest = rest[k + 1:]
    R.eq(rest, b"", "rspawn: whole reports only")
    seven = [r for r in reps if r[0] == 7]
    R.eq([r[1] for r in seven], ["K", "D", "Z", "K"], "rspawn: one report per recipient in order")
    if len(seven) == 4:
        R.ok("550 no" in seven[1][2], "rspawn: the 550 text for its recipient", seven[1][2])
        R.ok("451 later" in seven[2][2], "rspawn: the 451 text for its recipient", seven[2][2])
    R.eq(s.got(), [["yes@sink.example", "Yes2@SINK.example"]], "rspawn: one transaction")
    eight = [r for r in reps if r[0] == 8]
    R.ok([r[1] for r in eight] == ["Z", "Z"] and "different domains" in eight[0][2],
         "rspawn: two domains in one command: Z for each", eight)
    nine = [r for r in reps if r[0] == 9]
    R.ok([r[1] for r in nine] == ["D", "D"], "rspawn: a recipient without @: D for each", nine)


def main():
    t0 = time.monotonic()
    q = Prefix("hmulti")
    users = []
    s = None
    try:
        if not R.ok(q.ready, "private install"):
            return
        u = User("qtm")
        users.append(u)
        md = u.maildir()
        sender = "%s@%s" % (u.name, ME)
        q.control("me", ME + "\n")
        q.control("locals", ME + "\nlocalhost\n")
        s = Sink()
        q.control("smtproutes", "sink.example:127.0.0.1:%d\nother.example:127.0.0.1:%d\n"
                  % (s.port, s.port))
        q.start()
        R.ok(wait_for(lambda: "status: local 0/10 remote 0/20" in q.logtext(), 10),
             "qmail-send starts")
        part1(q, s, sender)
        part2(q, s, md, sender)
        part3(q, s, sender)
        part4(q, s, sender)
        q.stop()
        part5(q, s, q.home)
        R.ok(time.monotonic() - t0 < 120, "whole test under 120 seconds",
             "%.1fs" % (time.monotonic() - t0))
    finally:
        q.stop()
        if s:
            s.stop()
        for x in users:
            x.remove()
        q.cleanup()


main()
R.finish()
