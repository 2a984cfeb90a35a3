"""hostile_net - part of tests/sys/hostile.py: malformed netstrings to qmail-qmtpd and
qmail-qmqpd (huge lengths, leading zeros, signs, a missing comma, one byte per second),
and envelopes fed to qmail-queue by an ordinary user (missing records, no terminator,
1 MB addresses, closed descriptors 0 and 1), and corrupt todo/ entries meeting
qmail-send. Expected: the exit codes of the man
pages and SPEC sections 4 and 13, never a K, and nothing left in the queue."""
import os
import subprocess
import time

from hostilelib import Conn, envelope, gid as gid_of, uid as uid_of

R = None


def ns(b):
    return b"%d:%s," % (len(b), b)


def empty_queue(P, what):
    q = P.queue_files()
    R.ok(not any(q.values()), "%s: nothing left in the queue" % what, repr(q))
    P.clear_queue()


def qmtp_package(msg=b"Subject: q\n\nhi\n", sender=b"a@example.org",
                 rcpts=(b"u@example.com",)):
    return ns(b"\n" + msg) + ns(sender) + ns(b"".join(ns(r) for r in rcpts))


def qmtp(P):
    P.clear_queue()
    bad = [
        (b"99999999999999999999:", 111, "a 20-digit length"),
        (b"18446744073709551617:", 111, "a length past 2^64"),
        (b"200000001:", 111, "a length over 2e8"),
        (b"01:\n,", 100, "a leading zero"),
        (b"00:,", 100, "a length of two zeros"),
        (b"+1:\n,", 100, "a plus sign"),
        (b"-1:\n,", 100, "a minus sign"),
        (b" 1:\n,", 100, "a space before the length"),
        (b":\n,", 100, "no length at all"),
        (b"1x\n,", 100, "a letter in the length"),
        (b"5:\nabcd;", 100, "a missing comma"),
        (b"5:\nabcd" + ns(b"a@example.org") + ns(ns(b"u@example.com")), 100,
         "a missing comma before the sender"),
        (ns(b"\nx") + ns(b"a@example.org") + b"3:3:u@,,", 100,
         "a recipient list cut inside"),
        (ns(b"\nx") + b"2000000:", 111, "a sender over its 1 MB limit"),
    ]
    for data, rc, what in bad:
        c = Conn(P, "qmail-qmtpd")
        c.send(data)
        out = c.read_all(20)
        R.ok(out is not None and b"K" not in out[:2], "qmtpd, %s: no acceptance" % what, out)
        R.eq(c.wait(), rc, "qmtpd, %s: exit %d" % (what, rc))
        c.close()
    empty_queue(P, "qmtpd malformed netstrings")
    # a good package, its first bytes one per second: accepted, then a clean end
    c = Conn(P, "qmail-qmtpd")
    pkg = qmtp_package()
    t = time.monotonic()
    for i in range(3):
        c.send(pkg[i:i + 1])
        time.sleep(1)
    c.send(pkg[3:])
    c.s.shutdown(1)
    r = c.read_all(20)
    R.ok(r is not None and r.startswith(b"2") and b":Kok " in r,
         "qmtpd, one byte per second: accepted (%.1f s)" % (time.monotonic() - t), r)
    R.eq(c.wait(), 0, "qmtpd: exit 0 at a clean end")
    c.close()
    q = P.queue_files()
    R.eq(len(q["todo"]), 1, "qmtpd, slow package: queued once")
    if q["todo"]:
        s, rc = envelope(P.todo(sorted(q["todo"])[0]))
        R.eq((s, rc), (b"a@example.org", [b"u@example.com"]), "qmtpd: envelope")
    P.clear_queue()
    # a NUL in a recipient, a recipient in a foreign domain: D each, the rest goes on
    c = Conn(P, "qmail-qmtpd")
    c.send(qmtp_package(rcpts=(b"u\0x@example.com", b"u@evil.test", b"v@example.com")))
    c.s.shutdown(1)
    out = c.read_all(20) or b""
    rs = []
    while out:
        n, rest = out.split(b":", 1)
        rs.append(rest[:int(n)])
        out = rest[int(n) + 1:]
    R.ok(len(rs) == 3 and rs[0][:1] == b"D" and b"#5.1.3" in rs[0] and rs[1][:1] == b"D"
         and b"#5.7.1" in rs[1] and rs[2][:1] == b"K",
         "qmtpd: NUL and foreign recipients refused, a good one accepted", rs)
    R.eq(c.wait(), 0, "qmtpd: exit 0 at a clean end")
    q = P.queue_files()
    R.ok(len(q["todo"]) == 1 and envelope(P.todo(sorted(q["todo"])[0]))[1] == [b"v@example.com"],
         "qmtpd: only the good recipient is queued", repr(q))
    c.close()
    P.clear_queue()


def qmqp(P):
    P.clear_queue()
    good = ns(ns(b"Subject: q\n\nhi\n") + ns(b"a@example.org") + ns(b"u@evil.test"))
    bad = [
        (b"99999999999999999999:", 111, "a 20-digit length"),
        (b"200000001:", 111, "a length over 2e8"),
        (b"0" + good, 100, "a leading zero"),
        (b"+" + good, 100, "a plus sign"),
        (b"-" + good, 100, "a minus sign"),
        (good[:-1] + b";", 100, "a missing final comma"),
        (ns(b"5:hello" + ns(b"a@example.org")), 100, "a missing inner comma"),
        (ns(b"99999:x"), 100, "an inner length past the outer end"),
    ]
    for data, rc, what in bad:
        c = Conn(P, "qmail-qmqpd")
        c.send(data)
        out = c.read_all(20)
        R.ok(out is not None and b":K" not in out, "qmqpd, %s: no acceptance" % what, out)
        R.eq(c.wait(), rc, "qmqpd, %s: exit %d" % (what, rc))
        c.close()
    empty_queue(P, "qmqpd malformed netstrings")
    c = Conn(P, "qmail-qmqpd")
    for i in range(3):
        c.send(good[i:i + 1])
        time.sleep(1)
    c.send(good[3:])
    out = c.read_all(20)
    R.ok(out is not None and b":K" in out, "qmqpd, one byte per second: accepted", out)
    R.eq(c.wait(), 0, "qmqpd: exit 0 after answering")
    c.close()
    q = P.queue_files()
    R.eq(len(q["todo"]), 1, "qmqpd, slow packet: queued once")
    P.clear_queue()
    for what, pkt in (("a NUL in the sender", ns(ns(b"x\n") + ns(b"a\0b@example.org") +
                                                   ns(b"u@evil.test"))),
                      ("a NUL in a recipient", ns(ns(b"x\n") + ns(b"a@example.org") +
                                                  ns(b"u@evil.test") + ns(b"v\0@evil.test"))),
                      ("a 1000-byte recipient", ns(ns(b"x\n") + ns(b"a@example.org") +
                                                   ns(b"u" * 990 + b"@evil.test")))):
        c = Conn(P, "qmail-qmqpd")
        c.send(pkt)
        out = c.read_all(20)
        R.ok(out is not None and b":D" in out and b"#5.1.3" in out,
             "qmqpd, %s: D #5.1.3" % what, out)
        R.eq(c.wait(), 0, "qmqpd, %s: exit 0 after answering" % what)
        c.close()
    empty_queue(P, "qmqpd bad addresses")


def qq(P, env, msg=b"Subject: x\n\nhi\n", shell=None):
    """run qmail-queue as nobody; env are the envelope bytes on fd 1"""
    d = P.home + ".qq"
    os.makedirs(d, exist_ok=True)
    with open(d + "/m", "wb") as f:
        f.write(msg)
    with open(d + "/e", "wb") as f:
        f.write(env)
    os.chmod(d + "/m", 0o644)
    os.chmod(d + "/e", 0o644)
    cmd = shell or 'exec "$Q" < "$D/m" 1< "$D/e"'
    e = P.env({"Q": P.bin("qmail-queue"), "D": d})
    p = subprocess.run(["sh", "-c", cmd], env=e, user=65534, group=65534, extra_groups=[],
                       capture_output=True, timeout=60, cwd="/")
    return p.returncode


def queue(P):
    P.clear_queue()
    big = b"x" * (1 << 20)
    cases = [
        (b"", 54, "an empty envelope"),
        (b"Tu@example.com\0\0", 91, "a recipient first, no sender"),
        (b"\0", 91, "a lone terminator"),
        (b"Fa@example.org", 54, "a sender without its NUL"),
        (b"Fa@example.org\0Tu@example.com\0", 54, "no terminating NUL"),
        (b"Fa@example.org\0Tu@example.com", 54, "a recipient without its NUL"),
        (b"Fa@example.org\0Xu@example.com\0\0", 91, "an unknown record"),
        (b"Fa@example.org\0u1\0\0", 91, "a forged u record"),
        (b"F" + big + b"\0Tu@example.com\0\0", 11, "a 1 MB sender"),
        (b"Fa@example.org\0T" + big + b"\0\0", 11, "a 1 MB recipient"),
        (b"F" + b"x" * 1003 + b"\0\0", 11, "a 1003-byte sender"),
    ]
    for env, rc, what in cases:
        R.eq(qq(P, env), rc, "qmail-queue as a user, %s: exit %d" % (what, rc))
    empty_queue(P, "qmail-queue bad envelopes")
    R.eq(qq(P, b"", shell='exec "$Q" <&- 1< "$D/e"'), 54,
         "qmail-queue with fd 0 closed: exit 54")
    R.eq(qq(P, b"Fa@example.org\0Tu@example.com\0\0", shell='exec "$Q" < "$D/m" >&-'), 54,
         "qmail-queue with fd 1 closed: exit 54")
    R.eq(qq(P, b"", shell='exec "$Q" <&- >&-'), 54,
         "qmail-queue with fds 0 and 1 closed: exit 54")
    empty_queue(P, "qmail-queue closed descriptors")
    R.eq(qq(P, b"Fa@example.org\0T" + b"x" * 1001 + b"\0\0"), 0,
         "qmail-queue as a user, a 1002-byte recipient (the longest): exit 0")
    q = P.queue_files()
    R.ok(len(q["todo"]) == 1 and q["intd"] == q["todo"] == q["mess"] and not q["pid"],
         "qmail-queue: the good envelope is queued (mess, intd, todo), no pid file left",
         repr(q))
    if q["todo"]:
        b = P.todo(sorted(q["todo"])[0])
        R.ok(b.startswith(b"u65534\0p") and envelope(b)[1] == [b"x" * 1001],
             "qmail-queue: the real uid is recorded", b[:40])
    P.clear_queue()


def send(P):
    """qmail-send (sanitized, started by qmail-start) meets corrupt todo/ entries: each
    is logged with its reason and set aside (todo/ID stays, no info/ID), a good one
    with 100000 recipients next to them is preprocessed, and qmail-send keeps
    running and exits cleanly on SIGTERM. Deliveries are held (concurrency 0)."""
    import re
    import signal
    import threading
    P.clear_queue()
    P.control("locals", "example.com\n")
    P.control("envnoathost", "example.com\n")
    P.control("concurrencylocal", "0\n")
    P.control("concurrencyremote", "0\n")
    q = P.path("queue")
    quid, qgid = uid_of("qmailq"), gid_of("qmail")
    seq = [0]

    def inject(env):
        seq[0] += 1
        p = "%s/pid/h.%d" % (q, seq[0])
        with open(p, "wb") as f:
            f.write(b"Subject: x\n\nhi\n")
        ino = os.stat(p).st_ino
        os.link(p, "%s/mess/%d/%d" % (q, ino % 23, ino))
        os.unlink(p)
        with open("%s/intd/%d" % (q, ino), "wb") as f:
            f.write(env)
        for d in ("intd", "mess/%d" % (ino % 23)):
            os.chown("%s/%s/%d" % (q, d, ino), quid, qgid)
        os.link("%s/intd/%d" % (q, ino), "%s/todo/%d" % (q, ino))
        return ino
    bad = {
        "overlong record": b"u0\0p1\0Fa@b\0T" + b"x" * 2000 + b"\0",
        "bad number": b"u-1\0p1\0Fa@b\0Tc@d\0",
        "second sender": b"u0\0p1\0Fa@b\0Fc@d\0",
        "recipient before sender": b"u0\0Tc@d\0Fa@b\0",
        "truncated record": b"u0\0p1\0Fa@b\0Tc@d",
        "unknown record type": b"u0\0p1\0Fa@b\0\0Tc@d\0",
        "no sender": b"",
    }
    ids = {why: inject(env) for why, env in bad.items()}
    big = b"u0\0p4242\0Fa@example.org\0" + b"".join(
        b"Tu%d@remote.test\0" % i for i in range(100000))
    good = inject(big)
    # what qmail-smtpd accepts as local forms stays local (no percenthack configured)
    forms = [b"u%evil.test@example.com", b"evil.test!u@example.com", b"u@evil.test@example.com",
             b"u%evil.test", b"evil.test!u"]
    loc = inject(b"u0\0p1\0Fa@example.org\0" + b"".join(b"T" + f + b"\0" for f in forms))
    proc = subprocess.Popen([P.bin("qmail-start"), "./Maildir/"], env=P.env(),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, cwd="/")
    log = []

    def reader():
        for line in proc.stdout:
            log.append(line.decode(errors="replace"))
    t = threading.Thread(target=reader, daemon=True)
    t.start()

    def seen(pat):
        r = re.compile(pat)
        return any(r.search(l) for l in log)
    end = time.monotonic() + 60
    want = ["info msg %d: " % good, "info msg %d: " % loc] + [
        "warning: %s in todo/%d; leaving it for the postmaster" % (w, i) for w, i in ids.items()]
    while time.monotonic() < end and not all(seen(re.escape(w)) for w in want):
        time.sleep(0.2)
    for w, i in ids.items():
        R.ok(seen(re.escape("warning: %s in todo/%d; leaving it for the postmaster" % (w, i))),
             "qmail-send: corrupt todo (%s) logged and set aside" % w, "".join(log[-5:]))
        R.ok(os.path.exists("%s/todo/%d" % (q, i)) and
             not os.path.exists("%s/info/%d/%d" % (q, i % 23, i)),
             "qmail-send: corrupt todo (%s) left in place, no info" % w)
    R.ok(seen(re.escape("info msg %d: " % good)), "qmail-send: 100000-recipient message "
         "preprocessed next to the corrupt ones")
    rfile = "%s/remote/%d/%d" % (q, good % 23, good)
    n = open(rfile, "rb").read().count(b"\0") if os.path.exists(rfile) else -1
    R.eq(n, 100000, "qmail-send: all 100000 recipients in remote/")
    lfile = "%s/local/%d/%d" % (q, loc % 23, loc)
    got = open(lfile, "rb").read().split(b"\0")[:-1] if os.path.exists(lfile) else None
    R.ok(got is not None and len(got) == len(forms) and all(
        g.endswith(b"@example.com") for g in got) and not os.path.exists(
        "%s/remote/%d/%d" % (q, loc % 23, loc)),
        "qmail-send: the relay-looking local forms all go to local/, none to remote/", got)
    R.ok(proc.poll() is None, "qmail-send still running")
    proc.send_signal(signal.SIGTERM)
    try:
        rc = proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = proc.wait()
    t.join(5)
    R.eq(rc, 0, "qmail-send exits 0 on SIGTERM")
    R.ok(seen("status: exiting"), "qmail-send logs status: exiting")
    for d in ("info", "local", "remote"):
        for s in os.listdir(os.path.join(q, d)):
            for f in os.listdir(os.path.join(q, d, s)):
                os.unlink(os.path.join(q, d, s, f))
    P.clear_queue()
    for f in ("concurrencylocal", "concurrencyremote", "envnoathost"):
        os.unlink(P.path("control", f))


def parts(results):
    global R
    R = results
    return [qmtp, qmqp, queue, send]
