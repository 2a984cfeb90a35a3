#!/usr/bin/python3
"""diskfull - the queue and a Maildir on small tmpfs filesystems (mount -t tmpfs -o
size=...), filled to the last block by a filler file that is removed again later.

  queue full   every injection gets a temporary failure: qmail-queue exits 53 (write
               error or disk full), sendmail 111, SMTP 451 after DATA, QMTP and QMQP a
               Z; a refused injection leaves nothing behind in the queue; messages
               that were queued before are not lost; qmail-send, with a backlog in
               todo/ it cannot preprocess, uses little CPU (no spin); once space
               returns, the next scan (a new message pulls the trigger) delivers all.
  Maildir full the delivery defers (temporary, logged as a deferral), leaves nothing
               in tmp/, qmail-send stays idle, and after space returns one retry
               (SIGALRM) delivers the message intact; nothing bounces. An mbox on the
               full filesystem: deferred, cut back to its old size, delivered later.
  bounce       a permanent failure while the queue is full: the bounce paragraph
               cannot be written; qmail-send retries without spinning, and the
               bounce arrives once space returns.
Needs root (mount). Prints ok/FAIL per assertion, then "N passed, N failed"."""
import os
import shutil
import signal
import smtplib
import socket
import subprocess
import sys
import time

TOP = os.environ.get("TOP") or os.getcwd()
sys.path.insert(0, os.path.join(TOP, "tests"))
from qmailtest import Prefix, Results, User, run, wait_for  # noqa: E402
import torture as T  # noqa: E402

R = Results()
ME = "full.torture.test"
TEMP_QQ = {51, 52, 53, 54, 61, 62, 63, 64, 65, 66, 71, 81}
mounts = []


def mount(path, size, owner=0, group=0, mode=0o755):
    """a tmpfs of size bytes on path"""
    r = run(["mount", "-t", "tmpfs", "-o", "size=%d,mode=%o,uid=%d,gid=%d" % (size, mode, owner, group),
             "tmpfs-htorture", path])
    if r.returncode == 0:
        mounts.append(path)
    return r.returncode == 0


def fill(d):
    """write d/filler until the filesystem is full; its size"""
    n = 0
    with open(os.path.join(d, "filler"), "wb", buffering=0) as f:
        for chunk in (65536, 4096, 512, 1):
            while True:
                try:
                    n += f.write(b"x" * chunk)
                except OSError:
                    break
    return n


def unfill(d):
    os.unlink(os.path.join(d, "filler"))


def cpu(pid):
    """utime + stime of pid in clock ticks"""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def leftovers(q):
    """files in pid/, intd/, todo/ and mess/*/ of the queue"""
    n = 0
    for d in ("pid", "intd", "todo"):
        n += len(os.listdir(q.path("queue", d)))
    for s in os.listdir(q.path("queue", "mess")):
        n += len(os.listdir(q.path("queue", "mess", s)))
    return n


def server(q, prog, port):
    return subprocess.Popen(["tcpserver", "-R", "-H", "-l", ME, "-u", str(T.uid("daemon")),
                             "-g", str(T.gid(T.GNOFILES)), "127.0.0.1", str(port), q.bin(prog)],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={"PATH": "/usr/bin:/bin"})


def smtp_reply(port, rcpt, msg):
    """the reply code to the end of DATA (0 if none)"""
    try:
        s = smtplib.SMTP("127.0.0.1", port, timeout=30)
        s.mail("x@" + ME)
        s.rcpt(rcpt)
        code, _ = s.data(msg.replace(b"\n", b"\r\n"))
        try:
            s.quit()
        except (OSError, smtplib.SMTPException):
            pass
        return code
    except (OSError, smtplib.SMTPException) as e:
        print("smtp:", e)
        return 0


def qmtp_reply(port, rcpt, msg):
    try:
        with socket.create_connection(("127.0.0.1", port), 30) as s:
            s.sendall(T.ns(b"\n" + msg) + T.ns(b"x@" + ME.encode()) + T.ns(T.ns(rcpt.encode())))
            return T.read_ns(s.makefile("rb")) or b""
    except OSError:
        return b""


def qmqp_reply(port, rcpt, msg):
    try:
        with socket.create_connection(("127.0.0.1", port), 30) as s:
            s.sendall(T.ns(T.ns(msg) + T.ns(b"x@" + ME.encode()) + T.ns(rcpt.encode())))
            return T.read_ns(s.makefile("rb")) or b""
    except OSError:
        return b""


def seen_in(u, seen):
    seen.scan_maildir(os.path.join(u.home, "Maildir"), u.name)
    return seen


def queue_full(q, u, seen):
    rcpt = "%s@%s" % (u.name, ME)
    qdir = q.path("queue")
    ports = {p: T.free_port() for p in ("qmail-smtpd", "qmail-qmtpd", "qmail-qmqpd")}
    srv = [server(q, p, port) for p, port in ports.items()]
    try:
        R.ok(wait_for(lambda: all(T.Site.listening(p) for p in ports.values()), 10), "servers listening")
        # queued before the disk fills, while qmail-send is down
        before = {}
        for i in range(5):
            tag = "before-%d" % i
            msg, before[tag] = T.tagged(tag, "x@" + ME, [rcpt], size=3000)
            R.eq(T.queue_like([q.bin("qmail-queue")], "x@" + ME, [rcpt], msg), 0, "queued %s" % tag)
        kept = leftovers(q)
        n = fill(qdir)
        print("queue filesystem filled with %d bytes" % n)
        msg, _ = T.tagged("full", "x@" + ME, [rcpt], size=20000)
        rc = T.queue_like([q.bin("qmail-queue")], "x@" + ME, [rcpt], msg)
        R.eq(rc, 53, "queue full: qmail-queue exits 53 (write error or disk full)")
        r = subprocess.run([q.bin("sendmail"), rcpt], input=msg, capture_output=True,
                           env={"PATH": "/usr/bin:/bin"}, preexec_fn=T.as_user(u))
        R.eq(r.returncode, 111, "queue full: sendmail exits 111 (temporary)")
        R.ok(b"disk full" in r.stderr or b"write error" in r.stderr, "sendmail says why", r.stderr)
        code = smtp_reply(ports["qmail-smtpd"], rcpt, msg)
        R.ok(400 <= code < 500, "queue full: SMTP DATA answered 4xx", code)
        rep = qmtp_reply(ports["qmail-qmtpd"], rcpt, msg)
        R.ok(rep[:1] == b"Z", "queue full: QMTP answers Z", rep)
        rep = qmqp_reply(ports["qmail-qmqpd"], rcpt, msg)
        R.ok(rep[:1] == b"Z", "queue full: QMQP answers Z", rep)
        R.eq(leftovers(q), kept, "queue full: refused injections leave nothing in the queue")

        # qmail-send starts with a backlog it cannot preprocess
        q.start("./Maildir/")
        pid = q.proc.pid
        time.sleep(1.5)
        c0 = cpu(pid)
        for _ in range(5):
            T.queue_like([q.bin("qmail-queue")], "x@" + ME, [rcpt], msg)
            time.sleep(1)
        used = cpu(pid) - c0
        print("qmail-send CPU while the queue is full: %d ticks in 5 s" % used)
        R.ok(used < 50, "queue full: qmail-send does not spin (under 0.5 s CPU in 5 s)", used)
        R.ok(q.proc.poll() is None, "queue full: qmail-send still runs")
        R.eq(seen_in(u, seen).count([(t, u.name) for t in before]), 0, "queue full: nothing delivered yet")
        R.eq(len(os.listdir(q.path("queue", "todo"))), 5, "queue full: the backlog stays in todo/")

        # space returns: the next message pulls the trigger and everything flows
        unfill(qdir)
        tag = "after"
        msg, before[tag] = T.tagged(tag, "x@" + ME, [rcpt], size=3000)
        R.eq(T.queue_like([q.bin("qmail-queue")], "x@" + ME, [rcpt], msg), 0, "space back: qmail-queue exits 0")
        keys = [(t, u.name) for t in before]
        R.ok(wait_for(lambda: seen_in(u, seen).count(keys) == len(keys), 30),
             "space back: the backlog and the new message are delivered at the next scan",
             seen.count(keys))
        R.ok(all(seen.copies.get(k, [b""])[0] == before[k[0]] for k in keys), "space back: bodies intact")
    finally:
        for p in srv:
            p.terminate()
            p.wait()


def maildir_full(q, u, seen):
    rcpt = "%s@%s" % (u.name, ME)
    md = os.path.join(u.home, "Maildir")
    n = fill(md)
    print("Maildir filesystem filled with %d bytes" % n)
    msg, body = T.tagged("mdfull", "x@" + ME, [rcpt], size=20000)
    log0 = len(q.logtext())
    R.eq(T.queue_like([q.bin("qmail-queue")], "x@" + ME, [rcpt], msg), 0, "Maildir full: message queued")
    R.ok(wait_for(lambda: "deferral:" in q.logtext()[log0:], 30), "Maildir full: the delivery defers",
         q.logtext()[log0:])
    R.ok("failure:" not in q.logtext()[log0:], "Maildir full: no permanent failure")
    R.eq(os.listdir(os.path.join(md, "tmp")), [], "Maildir full: nothing left in tmp/")
    R.eq(seen_in(u, seen).count([("mdfull", u.name)]), 0, "Maildir full: not delivered")
    c0 = cpu(q.proc.pid)
    time.sleep(4)
    used = cpu(q.proc.pid) - c0
    print("qmail-send CPU with a deferred delivery: %d ticks in 4 s" % used)
    R.ok(used < 40, "Maildir full: qmail-send does not spin", used)
    unfill(md)
    q.signal(signal.SIGALRM)
    R.ok(wait_for(lambda: seen_in(u, seen).count([("mdfull", u.name)]) == 1, 30),
         "Maildir full: after space returns one retry delivers it")
    R.ok(seen.copies.get(("mdfull", u.name), [b""])[0] == body, "Maildir full: body intact")
    R.ok("failure:" not in q.logtext()[log0:] and "bounce" not in q.logtext()[log0:], "Maildir full: nothing bounced")


def mbox_full(q, u):
    """an mbox on the full filesystem: deferred, the mbox cut back to its old size,
    delivered after space returns"""
    rcpt = "%s-mbox@%s" % (u.name, ME)
    mbox = u.file("Maildir/mbox", "From x@y Thu Jan  1 00:00:00 1970\nSubject: old\n\nold\n\n", 0o600)
    u.file(".qmail-mbox", "./Maildir/mbox\n")
    size0 = os.path.getsize(mbox)
    fill(os.path.dirname(mbox))
    msg, body = T.tagged("mbfull", "x@" + ME, [rcpt], size=20000)
    log0 = len(q.logtext())
    R.eq(T.queue_like([q.bin("qmail-queue")], "x@" + ME, [rcpt], msg), 0, "mbox full: message queued")
    R.ok(wait_for(lambda: "deferral:" in q.logtext()[log0:], 30), "mbox full: the delivery defers",
         q.logtext()[log0:])
    R.eq(os.path.getsize(mbox), size0, "mbox full: the mbox is cut back to its old size")
    unfill(os.path.dirname(mbox))
    q.signal(signal.SIGALRM)
    R.ok(wait_for(lambda: b"Subject: chaos mbfull" in open(mbox, "rb").read(), 30),
         "mbox full: after space returns one retry delivers it")
    data = open(mbox, "rb").read()[size0:]
    R.ok(body.replace(b"\nFrom ", b"\n>From ") in data, "mbox full: body intact")


def bounce_full(q, u, seen):
    """a permanent failure while the queue is full: the bounce paragraph cannot be
    written; qmail-send retries it without spinning and the bounce arrives later"""
    rcpt = "%s-nosuch@%s" % (u.name, ME)
    q.stop()
    q.control("concurrencylocal", "0\n")
    q.start("./Maildir/")
    msg, _ = T.tagged("bfull", "%s@%s" % (u.name, ME), [rcpt], size=2000)
    R.eq(T.queue_like([q.bin("qmail-queue")], "%s@%s" % (u.name, ME), [rcpt], msg), 0, "bounce: message queued")
    R.ok(wait_for(lambda: not os.listdir(q.path("queue", "todo")), 20), "bounce: preprocessed, held")
    q.stop()
    os.unlink(q.path("control", "concurrencylocal"))
    fill(q.path("queue"))
    log0 = len(q.logtext())
    q.start("./Maildir/")
    time.sleep(0.5)
    q.signal(signal.SIGALRM)
    R.ok(wait_for(lambda: "unable to append to bounce" in q.logtext()[log0:], 20),
         "bounce, queue full: the paragraph cannot be written (logged)", q.logtext()[log0:])
    c0 = cpu(q.proc.pid)
    time.sleep(5)
    used = cpu(q.proc.pid) - c0
    print("qmail-send CPU while a bounce cannot be written: %d ticks in 5 s" % used)
    R.ok(used < 50, "bounce, queue full: qmail-send does not spin", used)
    unfill(q.path("queue"))
    keys = [("bfull", "bounce")]

    def bounced():
        seen.scan_maildir(os.path.join(u.home, "Maildir"), "bounce")
        return seen.count(keys)
    R.ok(wait_for(bounced, 60), "bounce, space back: the bounce arrives")
    R.ok(wait_for(lambda: not os.listdir(q.path("queue", "bounce")), 20), "bounce: bounce/ emptied")


def main():
    q = Prefix("diskfull")
    u = None
    try:
        if not R.ok(q.ready, "private install"):
            return
        q.local_domain(ME, smtp=True)
        u = User("qtdf")
        # the queue onto a 2 MB tmpfs, with its owners and modes
        qd = q.path("queue")
        shutil.move(qd, qd + ".disk")
        os.mkdir(qd)
        st = os.stat(qd + ".disk")
        if not R.ok(mount(qd, 2 << 20, st.st_uid, st.st_gid, st.st_mode & 0o7777), "queue on a 2 MB tmpfs"):
            return
        R.eq(run(["cp", "-a", qd + ".disk/.", qd + "/"]).returncode, 0, "queue copied onto the tmpfs")
        md = os.path.join(u.home, "Maildir")
        os.mkdir(md)
        R.ok(mount(md, 1 << 20, u.uid, u.gid, 0o700), "Maildir on a 1 MB tmpfs")
        u.maildir()
        seen = T.Seen()
        queue_full(q, u, seen)
        maildir_full(q, u, seen)
        mbox_full(q, u)
        bounce_full(q, u, seen)
        q.stop()
    finally:
        q.stop()
        for m in reversed(mounts):
            run(["umount", "-l", m])
        if u:
            u.remove()
        q.cleanup()


main()
R.finish()
