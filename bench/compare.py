#!/usr/bin/env python3
"""bench/compare.py - this suite against Postfix on the same machine (not a test).

  python3 bench/compare.py [--quick] [--reps R] [--n N]   (as root, top of the tree)

Installs a private copy of this suite (tests/qmailtest.py's Prefix) and, if it is
missing, Debian's postfix package (apt-get install -y postfix, preseeded with
"No configuration" so nothing is set up system wide and nothing is started). Postfix
then runs as a private instance: `postfix -c DIR start` with its own
config_directory, queue_directory and data_directory in a directory of its own,
inet_interfaces = 127.0.0.1 and its smtpd on a free loopback port (the "smtp inet"
line of master.cf is replaced; no chroot). Nothing binds port 25 and nothing listens
on a non-loopback address. Both systems deliver for the test domain bench.test to a
Maildir of a temporary user of their own, and relay everything else to an
smtp-sink on another loopback port.

Each system's files (its install or spool, its user's home) live under a new
top-level directory of its own, /qt-bench-NAME.*: ext4 puts each top-level
directory in a block group of its own, so one system's file churn cannot slow the
other's file creation (see own_top), as it could when both shared /tmp. The harness
moves delivered files aside instead of unlinking them between cases (empty_maildir).

Settings on both sides:
  ours:    qmail-smtpd under `tcpserver -c 100 -b 100 -R -H` (at most 100
           concurrent sessions, listen backlog 100), RELAYCLIENT="" (as Postfix's
           mynetworks = 127.0.0.0/8), control/smtpdgreetdelay 0 (Postfix's smtpd
           has no pregreet wait without postscreen), concurrencylocal 20,
           concurrencyremote 50, smtproutes sink.test:127.0.0.1:SINKPORT
  postfix: in_flow_delay = 0, local_destination_concurrency_limit = 20,
           default_destination_concurrency_limit = 50, home_mailbox = Maildir/,
           relayhost = [127.0.0.1]:SINKPORT, default_process_limit 100, the
           rest Debian's defaults (so Postfix reuses SMTP client connections to
           the sink, and verifies local recipients like our smtpd does)

Cases (each system in turn, the order alternating per repetition; 3 repetitions;
the table shows medians; --cases picks some by key):
  local1, local10, local50: smtp-source with C = 1, 10, 50 parallel sessions sends N
     messages of 2 KB (one message per connection) to a local user; the clock runs
     from the first connection until all N files are in the user's Maildir/new;
  remote10: the same with C = 10 for a remote recipient, relayed to smtp-sink; the
     clock stops when the sink has received all N (its -c counter);
  rcpts: one message to 1000 recipients at the sink domain (smtp-source -r 1000);
     the clock stops when the queue is empty (rate = recipients/s);
  sendmail: N/4 messages injected one after another with `sendmail -t`, until all
     are in the Maildir;
  qmqp10: qmqp-source, 10 sessions, N messages to the local user (Postfix: its qmqpd
     on another loopback port, qmqpd_authorized_clients 127.0.0.0/8);
  qmtp10: a Python QMTP client, 10 sessions, N messages (ours only: Postfix has no
     QMTP server).
N is 2000 (--quick: 200, so a run takes a few minutes).

Peak PSS: the proportional set size of every process in a system's trees, summed,
sampled every 0.25 s during a case; the largest sum (short-lived processes are
mostly missed).

CPU seconds per 1000 messages: /proc/PID/stat of every process of a system's
process trees (ours: qmail-send and tcpserver; Postfix: master) is summed as
utime + stime + cutime + cstime, before and after a case. A process that exits
is reaped by its parent inside the tree, so its time moves into the parent's
cutime/cstime and the sum only grows; the difference is all the CPU the system
used in between. The end is read 0.5 s after the last delivery, so trailing
work (queue cleanup) is counted. The clients (smtp-source) and the sink are not
counted; in case 3 the sendmail processes are part of the system, so their
rusage from wait4 (which includes qmail-inject/qmail-queue or postdrop) is added.
Disk requests per message: the growth of the write and flush counters of the
block device that holds the system's directory (/sys/dev/block/MAJ:MIN/stat, the
partition's own counters when it is one) over the same span, divided by the
messages (recipients in the rcpts case), in a second table. Everything else on the
machine is idle during a case, so it is this system's traffic; the kernel counts
each flush in both columns (a flush is also a write request).
Everything it made is removed at the end (the postfix package stays installed).
"""
import argparse
import os
import pwd
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

from benchlib import TOP, free_port, parallel
import qmailtest
from qmailtest import Prefix, User, wait_for

DOMAIN = "bench.test"
SINKDOM = "sink.test"
CLK = os.sysconf("SC_CLK_TCK")
ENV = {"PATH": "/usr/bin:/bin:/usr/sbin:/sbin"}


def listening(port):
    try:
        socket.create_connection(("127.0.0.1", port), 1).close()
        return True
    except OSError:
        return False


def tree_cpu(roots):
    """CPU seconds of the processes under roots: utime+stime+cutime+cstime summed."""
    kids = {}
    cpu = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                s = f.read()
        except OSError:
            continue
        rest = s[s.rindex(")") + 2:].split()
        pid = int(d)
        kids.setdefault(int(rest[1]), []).append(pid)
        cpu[pid] = sum(int(x) for x in rest[11:15])
    total = 0
    todo = [r for r in roots if r in cpu]
    seen = set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        total += cpu.get(p, 0)
        todo.extend(kids.get(p, []))
    return total / CLK


def count_new(md):
    try:
        return len(os.listdir(os.path.join(md, "new")))
    except OSError:
        return 0


def empty_maildir(md):
    """Move the delivered files aside, into a directory next to the Maildir that goes
    with the user at the end: unlinking them here would leave thousands of recently
    freed inodes in the Maildir's block group, which ext4 without a journal makes
    every later file creation there skip one by one (recently_deleted) for a minute
    or more, a cost of the harness that would fall on whichever system runs next."""
    aside = os.path.join(os.path.dirname(md), "bench-aside")
    os.makedirs(aside, exist_ok=True)
    for sub in ("new", "cur", "tmp"):
        d = os.path.join(md, sub)
        for n in os.listdir(d):
            os.rename(os.path.join(d, n), os.path.join(aside, "%s.%s" % (sub, n)))


def own_top(name):
    """A new top-level directory for one system's files (its install or spool and
    its user's home). ext4 places each top-level directory in a block group of its
    own (the Orlov allocator) and keeps what is made below it there, so one system's
    freed inodes never slow the other's file creations: without a journal, ext4
    skips every inode freed in the last minutes one by one when it allocates one in
    the same group. On one machine an MTA's queue is not shared with another's."""
    d = tempfile.mkdtemp(prefix="qt-bench-%s." % name, dir="/")
    os.chmod(d, 0o755)
    return d


def ensure_postfix():
    if shutil.which("smtp-source") and shutil.which("postfix"):
        return
    subprocess.run(["debconf-set-selections"], check=True,
                   input=b"postfix postfix/main_mailer_type select No configuration\n")
    subprocess.run(["apt-get", "install", "-y", "postfix"], check=True,
                   env=dict(ENV, DEBIAN_FRONTEND="noninteractive"))


class Sink:
    """smtp-sink on a loopback port; counts messages by its -c output."""

    def __init__(self):
        self.port = free_port()
        self.out = tempfile.NamedTemporaryFile(prefix="sink-bench.", dir="/tmp", delete=False)
        self.proc = subprocess.Popen(["smtp-sink", "-c", "-u", "nobody",
                                      "127.0.0.1:%d" % self.port, "256"],
                                     stdout=self.out, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        wait_for(lambda: listening(self.port), 10)

    def count(self):
        with open(self.out.name, "rb") as f:
            f.seek(0, 2)
            f.seek(max(0, f.tell() - 200))
            m = re.findall(rb"mesg=(\d+)", f.read())
        return int(m[-1]) if m else 0

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        os.unlink(self.out.name)


class Ours:
    name = "ours"

    def __init__(self, sink, top=None, name="ours"):
        """top: build from another source tree (--base) under another name."""
        self.name = name
        self.top = own_top(name)
        self.servers = []
        qmailtest.TMP = self.top
        try:
            self.setup(sink, top)
        except BaseException:
            self.abandon()
            raise
        finally:
            qmailtest.TMP = "/tmp"

    def abandon(self):
        """A setup that failed halfway: stop and remove whatever it made."""
        for p in self.servers:
            if p.poll() is None:
                p.kill()
                p.wait(10)
        if getattr(self, "user", None):
            self.user.remove()
        if getattr(self, "q", None):
            self.q.stop()
            self.q.cleanup()
        shutil.rmtree(self.top, ignore_errors=True)

    def setup(self, sink, top):
        qmailtest.TOP = top or TOP
        try:
            self.q = Prefix("cmp")
        finally:
            qmailtest.TOP = TOP
        if not self.q.ready:
            raise SystemExit("compare: private install failed")
        q = self.q
        q.control("me", "ours.bench.example\n")
        q.control("locals", DOMAIN + "\n")
        q.control("rcpthosts", DOMAIN + "\n")
        q.control("concurrencylocal", "20\n")
        q.control("concurrencyremote", "50\n")
        q.control("smtpdgreetdelay", "0\n")
        q.control("smtproutes", "%s:127.0.0.1:%d\n" % (SINKDOM, sink.port))
        self.user = User("qtbq")
        self.md = self.user.maildir()
        self.rcpt = "%s@%s" % (self.user.name, DOMAIN)
        q.start("./Maildir/")
        conf = [l.strip() for l in open(os.path.join(TOP, "conf-users"))]
        uid = pwd.getpwnam(conf[1]).pw_uid  # qmaild
        gid = int(subprocess.run(["getent", "group", conf[9]], capture_output=True,
                                 text=True).stdout.split(":")[2])  # nofiles
        self.port = free_port()
        self.slog = open(q.home + ".smtpd.log", "ab")
        self.tcp = subprocess.Popen(
            ["tcpserver", "-c", "100", "-b", "100", "-u", str(uid), "-g", str(gid), "-R", "-H",
             "-l", "ours.bench.example", "127.0.0.1", str(self.port), q.bin("qmail-smtpd")],
            env=dict(ENV, RELAYCLIENT=""), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=self.slog)
        self.servers.append(self.tcp)
        if not wait_for(lambda: listening(self.port), 10):
            raise SystemExit("compare: tcpserver did not start")
        for prog, attr in (("qmail-qmqpd", "qmqp_port"), ("qmail-qmtpd", "qmtp_port")):
            port = free_port()
            setattr(self, attr, port)
            p = subprocess.Popen(
                ["tcpserver", "-c", "100", "-b", "100", "-u", str(uid), "-g", str(gid), "-R",
                 "-H", "-l", "ours.bench.example", "127.0.0.1", str(port), q.bin(prog)],
                env=dict(ENV, RELAYCLIENT=""), stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=self.slog)
            self.servers.append(p)
            if not wait_for(lambda: listening(port), 10):
                raise SystemExit("compare: tcpserver for %s did not start" % prog)

    def roots(self):
        return [self.q.proc.pid] + [p.pid for p in self.servers]

    def queue_empty(self):
        for d in ("todo", "info"):
            for _, _, files in os.walk(self.q.path("queue", d)):
                if files:
                    return False
        return True

    def sendmail(self):
        return [self.q.bin("sendmail"), "-t"], ENV

    def stop(self):
        for p in self.servers:
            if p.poll() is None:
                p.terminate()
                p.wait(10)
        self.q.stop()

    def cleanup(self):
        self.user.remove()
        self.q.cleanup()
        try:
            os.unlink(self.q.home + ".smtpd.log")
        except OSError:
            pass
        shutil.rmtree(self.top, ignore_errors=True)


class Postfix:
    name = "postfix"

    def __init__(self, sink):
        self.top = own_top("postfix")
        self.base = tempfile.mkdtemp(prefix="pf-bench.", dir=self.top)
        os.chmod(self.base, 0o755)
        b = self.base
        self.etc = os.path.join(b, "etc")
        for d in ("etc", "spool", "data"):
            os.mkdir(os.path.join(b, d), 0o755)
        pw = pwd.getpwnam("postfix")
        os.chown(os.path.join(b, "data"), pw.pw_uid, pw.pw_gid)
        self.port = free_port()
        qmailtest.TMP = self.top
        try:
            self.user = User("qtbp")
        finally:
            qmailtest.TMP = "/tmp"
        self.md = self.user.maildir()
        self.rcpt = "%s@%s" % (self.user.name, DOMAIN)
        main = """compatibility_level = 3.6
queue_directory = {b}/spool
data_directory = {b}/data
myhostname = pf.bench.example
mydomain = bench.example
myorigin = $myhostname
mydestination = {dom}
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
home_mailbox = Maildir/
relayhost = [127.0.0.1]:{sink}
in_flow_delay = 0
local_destination_concurrency_limit = 20
default_destination_concurrency_limit = 50
default_process_limit = 100
biff = no
append_dot_mydomain = no
maillog_file = {b}/maillog
maillog_file_prefixes = {b}
qmqpd_authorized_clients = 127.0.0.0/8
""".format(b=b, dom=DOMAIN, sink=sink.port)
        with open(os.path.join(self.etc, "main.cf"), "w") as f:
            f.write(main)
        found = 0
        out = []
        for line in open("/etc/postfix/master.cf"):
            w = line.split()
            if line[:1].isalnum() and len(w) >= 8:
                if w[0] == "smtp" and w[1] == "inet":
                    w[0] = "127.0.0.1:%d" % self.port
                    found += 1
                elif w[1] == "inet":
                    raise SystemExit("compare: unexpected inet service in master.cf: " + w[0])
                w[4] = "n"  # no chroot
                line = " ".join(w) + "\n"
            out.append(line)
        if found != 1:
            raise SystemExit("compare: no 'smtp inet' line in /etc/postfix/master.cf")
        self.qmqp_port = free_port()
        self.qmtp_port = None  # Postfix has no QMTP server
        out.append("127.0.0.1:%d inet n - n - - qmqpd\n" % self.qmqp_port)
        with open(os.path.join(self.etc, "master.cf"), "w") as f:
            f.writelines(out)
        r = subprocess.run(["postfix", "-c", self.etc, "start"], env=ENV)
        if r.returncode != 0 or not wait_for(lambda: listening(self.port), 10):
            raise SystemExit("compare: postfix did not start; see %s/maillog" % b)
        with open(os.path.join(b, "spool", "pid", "master.pid")) as f:
            self.master = int(f.read().strip())

    def roots(self):
        return [self.master]

    def queue_empty(self):
        for d in ("maildrop", "incoming", "active", "deferred", "hold"):
            for _, _, files in os.walk(os.path.join(self.base, "spool", d)):
                if files:
                    return False
        return True

    def sendmail(self):
        return ["/usr/sbin/sendmail", "-C", self.etc, "-t"], dict(ENV, MAIL_CONFIG=self.etc)

    def stop(self):
        subprocess.run(["postfix", "-c", self.etc, "stop"], env=ENV)
        wait_for(lambda: not os.path.exists("/proc/%d" % self.master), 20)

    def cleanup(self):
        if os.path.exists("/proc/%d" % self.master):
            os.kill(self.master, signal.SIGKILL)
        self.user.remove()
        shutil.rmtree(self.top, ignore_errors=True)


def smtp_source(port, n, conc, rcpt, rcpts=1):
    return subprocess.run(["smtp-source", "-s", str(conc), "-m", str(n), "-l", "2048",
                           "-r", str(rcpts), "-M", "client.example", "-f",
                           "bench@client.example", "-t", rcpt, "127.0.0.1:%d" % port],
                          env=ENV, stdout=subprocess.DEVNULL)


def qmqp_source(port, n, conc, rcpt):
    return subprocess.run(["qmqp-source", "-s", str(conc), "-m", str(n), "-l", "2048",
                           "-M", "client.example", "-f", "bench@client.example", "-t", rcpt,
                           "127.0.0.1:%d" % port], env=ENV, stdout=subprocess.DEVNULL)


def netstring(b):
    return b"%d:%s," % (len(b), b)


def qmtp_source(port, n, conc, rcpt):
    """QMTP client: conc threads, one message (2 KB, LF lines) per connection."""
    body = b"From: bench@client.example\nTo: %s\nSubject: qmtp\n\n" % rcpt.encode()
    body += (b"x" * 63 + b"\n") * ((2048 - len(body)) // 64)
    data = netstring(b"\n" + body) + netstring(b"bench@client.example") + \
        netstring(netstring(rcpt.encode()))

    def one():
        with socket.create_connection(("127.0.0.1", port), 30) as c:
            c.sendall(data)
            reply = b""
            while not reply.endswith(b","):
                r = c.recv(512)
                if not r:
                    break
                reply += r
            return None if b":K" in reply else reply

    bad = parallel(n, conc, one)
    if bad:
        print("compare: qmtp refused: %r" % bad[:1])


def tree_pids(roots):
    kids = qmailtest.children()
    out, todo = [], list(roots)
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def tree_pss(roots):
    """Sum of the proportional set size (kB) of the processes under roots."""
    total = 0
    for p in tree_pids(roots):
        try:
            with open("/proc/%d/smaps_rollup" % p) as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            pass
    return total


class PssPeak(threading.Thread):
    """Samples tree_pss every 0.25 s until stopped; keeps the peak."""

    def __init__(self, roots):
        super().__init__(daemon=True)
        self.roots, self.peak, self.stop_ = roots, 0, threading.Event()
        self.start()

    def run(self):
        while not self.stop_.wait(0.25):
            self.peak = max(self.peak, tree_pss(self.roots))

    def finish(self):
        self.stop_.set()
        self.join()
        self.peak = max(self.peak, tree_pss(self.roots))
        return self.peak


def disk_counts(path):
    """(write requests, flush requests) completed so far by the block device that
    holds path, or None where the kernel does not tell (no /sys, no flush counters
    before Linux 5.5)"""
    st = os.stat(path)
    try:
        with open("/sys/dev/block/%d:%d/stat" % (os.major(st.st_dev), os.minor(st.st_dev))) as f:
            v = [int(x) for x in f.read().split()]
    except (OSError, ValueError):
        return None
    return (v[4], v[15]) if len(v) >= 17 else None


def machine(path):
    """One line on where the figures were taken: processor, memory, system, and the
    file system that holds the systems' files (path): its type, mount options and
    whether ext4 keeps a journal there (jbd2 lists the journals in use), since the
    cost of every fsync depends on it"""
    cpu = mem = osname = "?"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "?")
        with open("/proc/meminfo") as f:
            mem = "%d MB" % (int(f.readline().split()[1]) // 1024)
        with open("/etc/os-release") as f:
            osname = next((l.split("=", 1)[1].strip().strip('"') for l in f
                           if l.startswith("PRETTY_NAME=")), "?")
    except (OSError, ValueError, IndexError):
        pass
    st = os.stat(path)
    dev = "%d:%d" % (os.major(st.st_dev), os.minor(st.st_dev))
    fs = "?"
    try:
        with open("/proc/self/mountinfo") as f:
            for l in f:
                left, right = l.split(" - ", 1)
                w, r = left.split(), right.split()
                if w[2] == dev:
                    fs = "%s (%s)" % (r[0], r[2])
                    if r[0] == "ext4":
                        name = os.path.basename(os.readlink("/sys/dev/block/" + dev))
                        journal = any(j.startswith(name + "-") for j in os.listdir("/proc/fs/jbd2")) \
                            if os.path.isdir("/proc/fs/jbd2") else False
                        fs += " with a journal" if journal else " without a journal"
                    break
    except (OSError, ValueError, IndexError):
        pass
    return "machine: %s x %d, %s, %s, Linux %s; files on %s" % (
        cpu, os.cpu_count(), mem, osname, os.uname().release, fs)


def run_case(sysm, sink, case, n):
    """One measurement: (seconds, cpu seconds, seconds to inject, peak PSS kB,
    (disk writes, disk flushes) or None); None for a timeout."""
    kind, conc = case
    empty_maildir(sysm.md)
    base = sink.count()
    extra = 0.0
    limit = max(120, n / 2)
    d0 = disk_counts(sysm.top)
    c0 = tree_cpu(sysm.roots())
    pss = PssPeak(sysm.roots())
    t0 = time.monotonic()
    if kind in ("local", "qmqp", "qmtp"):
        if kind == "local":
            smtp_source(sysm.port, n, conc, sysm.rcpt)
        elif kind == "qmqp":
            qmqp_source(sysm.qmqp_port, n, conc, sysm.rcpt)
        else:
            qmtp_source(sysm.qmtp_port, n, conc, sysm.rcpt)
        ti = time.monotonic() - t0
        done = wait_for(lambda: count_new(sysm.md) >= n, limit, 0.01)
    elif kind == "remote":
        smtp_source(sysm.port, n, conc, "sink@" + SINKDOM)
        ti = time.monotonic() - t0
        done = wait_for(lambda: sink.count() >= base + n, limit, 0.01)
    elif kind == "rcpts":
        smtp_source(sysm.port, 1, 1, "sink@" + SINKDOM, rcpts=n)
        ti = time.monotonic() - t0
        done = wait_for(sysm.queue_empty, limit, 0.01)
    else:
        cmd, env = sysm.sendmail()
        msg = ("From: bench@%s\nTo: %s\nSubject: bench\n\n" % (DOMAIN, sysm.rcpt)).encode()
        msg += (b"x" * 63 + b"\n") * 32
        with tempfile.TemporaryFile() as f:
            f.write(msg)
            for _ in range(n):
                f.seek(0)
                p = subprocess.Popen(cmd, env=env, stdin=f, stdout=subprocess.DEVNULL)
                _, status, ru = os.wait4(p.pid, 0)
                p.returncode = os.waitstatus_to_exitcode(status)
                extra += ru.ru_utime + ru.ru_stime
                if p.returncode != 0:
                    print("compare: %s sendmail exited %d" % (sysm.name, p.returncode))
        ti = time.monotonic() - t0
        done = wait_for(lambda: count_new(sysm.md) >= n, limit, 0.01)
    t = time.monotonic() - t0
    time.sleep(0.5)
    cpu = tree_cpu(sysm.roots()) - c0 + extra
    d1 = disk_counts(sysm.top)
    disk = (d1[0] - d0[0], d1[1] - d0[1]) if d0 and d1 else None
    return (t if done else None), cpu, ti, pss.finish(), disk


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


CASES = [  # key, (kind, concurrency), name, messages as a fraction of N (0: fixed 1000)
    ("local1", ("local", 1), "SMTP->Maildir, 1 client", 1),
    ("local10", ("local", 10), "SMTP->Maildir, 10 clients", 1),
    ("local50", ("local", 50), "SMTP->Maildir, 50 clients", 1),
    ("remote10", ("remote", 10), "SMTP->relay->sink, 10", 1),
    ("rcpts", ("rcpts", 1), "1 msg to 1000 rcpts at sink", 0),
    ("sendmail", ("sendmail", 1), "sendmail -t, sequential", 0.25),
    ("qmqp10", ("qmqp", 10), "QMQP->Maildir, 10 clients", 1),
    ("qmtp10", ("qmtp", 10), "QMTP->Maildir, 10 clients", 1),
]


def main():
    ap = argparse.ArgumentParser(description="this suite against a private Postfix")
    ap.add_argument("--quick", action="store_true", help="200 messages per case, not 2000")
    ap.add_argument("--n", type=int, help="messages per SMTP case")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--cases", default=",".join(c[0] for c in CASES),
                    help="comma-separated subset of " + ",".join(c[0] for c in CASES))
    ap.add_argument("--systems", default="ours,postfix", help="ours,postfix or one of them")
    ap.add_argument("--base", help="also run a copy built from the source tree BASE "
                    "(e.g. git archive of an older commit), as system 'base'")
    a = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("compare: run as root")
    if not shutil.which("tcpserver"):
        sys.exit("compare: tcpserver (ucspi-tcp) is needed")
    n = a.n or (200 if a.quick else 2000)
    want = a.cases.split(",")
    cases = [c for c in CASES if c[0] in want]
    ensure_postfix()
    sink = Sink()
    systems = []
    res = {}
    try:
        if "ours" in a.systems:
            systems.append(Ours(sink))
        if "postfix" in a.systems:
            systems.append(Postfix(sink))
        if a.base:
            systems.append(Ours(sink, os.path.abspath(a.base), "base"))
        time.sleep(1)
        for rep in range(a.reps):
            order = systems if rep % 2 == 0 else systems[::-1]
            for key, case, name, frac in cases:
                cn = int(n * frac) if frac else 1000
                for s in order:
                    if case[0] == "qmtp" and not getattr(s, "qmtp_port", None):
                        continue
                    t, cpu, ti, pss, disk = run_case(s, sink, case, cn)
                    res.setdefault((key, s.name), []).append((t, cpu, cn, pss, disk))
                    print("rep %d %-28s %-8s %s s (injected in %.2f s), cpu %.2f s, "
                          "peak PSS %d MB" % (rep + 1, name, s.name,
                                              "%.2f" % t if t else "TIMEOUT", ti, cpu,
                                              pss // 1024), flush=True)
    finally:
        for s in systems:
            s.stop()
        sink.stop()
        for s in systems:
            s.cleanup()
    print()
    print("%d messages per SMTP/QMQP/QMTP case, %d for sendmail, 1000 recipients; medians "
          "of %d runs; %d CPUs; %s" % (n, n // 4, a.reps, os.cpu_count(),
                                      time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())))
    print(machine("/"))
    names = [x.name for x in systems]
    head = "| case |" + "".join(" %s msg/s |" % x for x in names)
    if "postfix" in names and "ours" in names:
        head += " ours/postfix |"
    if "base" in names and "ours" in names:
        head += " ours/base |"
    head += "".join(" %s CPU s/1000 |" % x for x in names)
    head += "".join(" %s peak PSS MB |" % x for x in names)
    print(head)
    print("|---|" + "---:|" * (head.count("|") - 2))
    f = lambda x, p: ("%.*f" % (p, x)) if x is not None else "-"  # noqa: E731
    for key, case, name, frac in cases:
        rate, cpu, pss = {}, {}, {}
        for nm in names:
            rs = res.get((key, nm), [])
            rate[nm] = med([cn / t if t else None for t, _, cn, _, _ in rs])
            cpu[nm] = med([c * 1000 / cn for t, c, cn, _, _ in rs if t])
            pss[nm] = med([p / 1024 for t, _, _, p, _ in rs if t])
        row = "| %s |" % name + "".join(" %s |" % f(rate[x], 0) for x in names)
        for other in ("postfix", "base"):
            if other in names and "ours" in names:
                r = rate["ours"] / rate[other] if rate["ours"] and rate[other] else None
                row += " %s |" % f(r, 2)
        row += "".join(" %s |" % f(cpu[x], 2) for x in names)
        row += "".join(" %s |" % f(pss[x], 0) for x in names)
        print(row)
    print()
    print("Disk requests per message (per recipient in the 1000-recipient case), medians")
    head = "| case |" + "".join(" %s writes | %s flushes |" % (x, x) for x in names)
    print(head)
    print("|---|" + "---:|" * (head.count("|") - 2))
    for key, case, name, frac in cases:
        row = "| %s |" % name
        for nm in names:
            rs = [(d, cn) for t, _, cn, _, d in res.get((key, nm), []) if t and d]
            row += " %s | %s |" % (f(med([d[0] / cn for d, cn in rs]), 1),
                                   f(med([d[1] / cn for d, cn in rs]), 2))
        print(row)

if __name__ == "__main__":
    main()
