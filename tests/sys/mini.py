#!/usr/bin/env python3
"""mini.py - mini-qmail: the client install (make MINI=1 setup check) and QMQP hubs.
  1. The mini tree: instcheck -m passes and catches a wrong mode; bin/qmail-queue is
     qmail-qmqpc; no queue, no daemons, no qmail-send.
  2. On loopback: the mini install's sendmail and qmail-inject hand mail by QMQP to a
     full private install's qmail-qmqpd (under tcpserver), whose qmail-send delivers
     it into a Maildir; without servers sendmail fails and nothing is sent.
  3. Three network namespaces made here (hmini-*), joined by veth pairs: the mini
     client and two hubs, each a full install with its own qmail-send and
     qmail-qmqpd. Hub 1 has an IPv4 address, hub 2 an IPv6 one (served by a
     one-connection-per-child listener written here, since Debian's tcpserver has
     no IPv6). Hub 2 is a copy of hub 1's tree mounted over the same home inside its
     namespace, so one build serves both. control/qmqpservers lists both; mail goes
     to hub 1; with hub 1's qmail-qmqpd stopped it goes to hub 2; every message
     arrives exactly once, at one hub.
The namespaces are removed at the end, also on failure. Runs as root; needs iproute2.
Run with --listen to be the IPv6 listener. Prints ok/FAIL, then "N passed, N failed"."""

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

TOP = os.environ.get("TOP", os.getcwd())
sys.path.insert(0, os.path.join(TOP, "tests"))


def listen_main(addr, port, uid, gid, local, prog):
    """accept on [addr]:port; each connection runs prog as uid:gid with the socket
    as fds 0 and 1 and tcpserver's environment variables"""
    s = socket.socket(socket.AF_INET6)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, int(port)))
    s.listen(16)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    print("listening", flush=True)
    while True:
        c, peer = s.accept()
        if os.fork() == 0:
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # qmail-qmqpd waits for its child
            s.close()
            os.dup2(c.fileno(), 0)
            os.dup2(c.fileno(), 1)
            c.close()
            os.setgroups([])
            os.setgid(int(gid))
            os.setuid(int(uid))
            env = {"PATH": "/usr/bin:/bin", "PROTO": "TCP6", "TCPLOCALIP": addr,
                   "TCPLOCALPORT": str(port), "TCPLOCALHOST": local,
                   "TCPREMOTEIP": peer[0], "TCPREMOTEPORT": str(peer[1])}
            os.execve(prog, [prog], env)
        c.close()


if len(sys.argv) > 1 and sys.argv[1] == "--listen":
    listen_main(*sys.argv[2:8])
    sys.exit(0)

from qmailtest import (Home, Prefix, Results, User, daemon_ids, free_port, install,  # noqa: E402
                       kill_under, need_root, run, wait_for)

R = Results()
T0 = time.monotonic()
need_root(R, "mini", ["tcpserver (ucspi-tcp)"])
UID, GID = daemon_ids()  # qmaild, nofiles
K = os.getpid() % 200 + 20
TAG = "hmini-%d" % os.getpid()
NS_C, NS_1, NS_2 = TAG + "c", TAG + "h1", TAG + "h2"
V4C, V4H = "10.238.%d.1" % K, "10.238.%d.2" % K
V6C, V6H = "fd00:686d:%x::1" % K, "fd00:686d:%x::2" % K

procs = []     # processes to stop at the end
netns = []     # namespaces to delete at the end


class Mini(Home):
    """the mini-qmail install: its own home, built and installed with MINI=1"""

    def __init__(self):
        self.home = tempfile.mkdtemp(prefix="qt-mini.", dir="/tmp")
        os.chmod(self.home, 0o755)
        self.build = os.path.join(TOP, "build", self.home.replace("/", "_"))
        r = install(self.home, setup=["MINI=1"], users=False)
        self.ready = r.returncode == 0
        self.out = (r.stdout + r.stderr).decode(errors="replace")

    def check(self):
        return run(["make", "--no-print-directory", "QMAIL=" + self.home, "MINI=1", "check"],
                   cwd=TOP)

    def cleanup(self):
        shutil.rmtree(self.home, ignore_errors=True)
        shutil.rmtree(self.build, ignore_errors=True)


def ip(*args):
    return run(["ip"] + list(args))


def reachable(host, port, ns=None):
    if ns:
        return run(["ip", "netns", "exec", ns, "python3", "-c",
                    "import socket; socket.create_connection((%r, %d), 2).close()" % (host, port)]
                   ).returncode == 0
    try:
        socket.create_connection((host, port), 1).close()
        return True
    except OSError:
        return False


def spawn(cmd, log, ns=None, mount=None, env=None):
    """start cmd (in namespace ns, with mount=(src, dst) bound first); remember it"""
    if mount:
        cmd = ["sh", "-c", 'mount --bind "$1" "$2" && shift 2 && exec "$@"', "sh",
               mount[0], mount[1]] + cmd
    if ns:
        cmd = ["ip", "netns", "exec", ns] + cmd
    p = subprocess.Popen(cmd, env=env or {"PATH": "/usr/bin:/bin"}, stdin=subprocess.DEVNULL,
                         stdout=open(log, "ab"), stderr=subprocess.STDOUT, cwd="/")
    procs.append(p)
    return p


def stop(p):
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(15)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def maildir(md):
    out = []
    for n in sorted(glob.glob(md + "/new/*")):
        with open(n, "rb") as f:
            out.append(f.read())
    return out


def subject(m):
    for line in m.split(b"\n"):
        if line.startswith(b"Subject: "):
            return line[9:].decode()
        if not line:
            break
    return None


def part1(m):
    """the mini tree"""
    R.ok(os.path.isfile(m.bin("qmail-queue")) and
         open(m.bin("qmail-queue"), "rb").read() ==
         open(os.path.join(m.build, "bin", "qmail-qmqpc"), "rb").read(),
         "bin/qmail-queue is qmail-qmqpc")
    R.ok(os.stat(m.bin("qmail-queue")).st_mode & 0o7777 == 0o755, "bin/qmail-queue is 0755, not setuid")
    for x in ("qmail-inject", "sendmail", "qmail-qmqpc", "predate", "datemail", "mailsubj",
              "qmail-showctl"):
        R.ok(os.access(m.bin(x), os.X_OK), "bin/%s installed" % x)
    for x in ("queue", "alias", "users", "bin/qmail-send", "bin/qmail-start", "bin/qmail-smtpd",
              "bin/qmail-qmqpd", "bin/qmail-remote", "bin/qmail-local", "bin/splogger"):
        R.ok(not os.path.exists(m.path(x)), "no %s in a mini-qmail" % x)
    R.ok(os.path.isfile(m.path("man", "man8", "qmail-qmqpc.8")), "man pages installed")
    r = m.check()
    R.eq(r.returncode, 0, "make MINI=1 check passes")
    os.chmod(m.bin("sendmail"), 0o700)
    r = m.check()
    R.ok(r.returncode != 0 and b"bin/sendmail" in r.stdout + r.stderr,
         "instcheck -m names a wrong mode", (r.stdout + r.stderr)[-300:])
    os.chmod(m.bin("sendmail"), 0o755)


def part2(m, h, u, md):
    """the mini install sends by QMQP to hub h on loopback"""
    srv = tcpserver(h, "127.0.0.1", free_port(), "hub0.test")
    m.control("qmqpservers", "")
    r = run([m.bin("sendmail"), "-f", "me@client.test", "%s@hub.test" % u.name],
            input=b"Subject: nowhere\n\nno servers\n")
    R.ok(r.returncode != 0, "no qmqpservers: sendmail fails", r.stderr)
    m.control("qmqpservers", "127.0.0.1:%d\n" % srv[1])
    r = run([m.bin("sendmail"), "-f", "me@client.test", "%s@hub.test" % u.name],
            input=b"Subject: mini loopback\n\nsent by the mini sendmail\n")
    R.eq(r.returncode, 0, "mini sendmail exits 0", )
    r = run([m.bin("qmail-inject")], env={"PATH": "/usr/bin:/bin", "USER": "carol"},
            input=("To: %s@hub.test\nSubject: mini inject\n\nx\n" % u.name).encode())
    R.eq(r.returncode, 0, "mini qmail-inject exits 0")
    R.ok(wait_for(lambda: len(maildir(md)) >= 2, 20), "both arrive in the hub's Maildir")
    got = maildir(md)
    R.eq(sorted(subject(x) for x in got), ["mini inject", "mini loopback"], "each exactly once")
    one = [x for x in got if subject(x) == "mini inject"]
    R.ok(one and b"by hub0.test with QMQP" in one[0], "Received: by the hub with QMQP")
    R.ok(one and b"Message-ID: <" in one[0] and b"@id.client.test>" in one[0],
         "Message-ID from the mini's control/idhost", one[:1])
    R.ok(one and b"From: carol@client.test" in one[0], "From: from the mini's defaulthost",
         one[:1])
    R.ok(b"Return-Path: <me@client.test>" in [x for x in got if subject(x) == "mini loopback"][0],
         "envelope sender kept")
    for n in glob.glob(md + "/new/*"):
        os.unlink(n)
    stop(srv[0])


def tcpserver(h, addr, port, local, ns=None, mount=None):
    p = spawn(["tcpserver", "-u", str(UID), "-g", str(GID), "-R", "-H", "-l", local, addr,
               str(port), h.bin("qmail-qmqpd")], h.home + ".srv.log", ns, mount)
    wait_for(lambda: reachable(addr if addr != "0" else "127.0.0.1", port, ns), 10)
    return p, port


def start_send(h, ns=None, mount=None, log=None):
    return spawn([h.bin("qmail-start"), "./Maildir/"], log, ns, mount,
                 {"PATH": h.path("bin") + ":/usr/bin:/bin"})


def logof(name):
    try:
        return open(name, "rb").read().decode(errors="replace")
    except OSError:
        return ""


def namespaces():
    """client, hub 1 (IPv4) and hub 2 (IPv6), the client joined to each hub"""
    for n in (NS_C, NS_1, NS_2):
        r = ip("netns", "add", n)
        if r.returncode == 0:
            netns.append(n)
        else:
            return R.ok(False, "namespace %s" % n, r.stderr)
    cmds = [["-n", NS_C, "link", "add", "c1", "type", "veth", "peer", "name", "h1", "netns", NS_1],
            ["-n", NS_C, "link", "add", "c2", "type", "veth", "peer", "name", "h2", "netns", NS_2],
            ["-n", NS_C, "addr", "add", V4C + "/24", "dev", "c1"],
            ["-n", NS_1, "addr", "add", V4H + "/24", "dev", "h1"],
            ["-n", NS_C, "addr", "add", V6C + "/64", "dev", "c2", "nodad"],
            ["-n", NS_2, "addr", "add", V6H + "/64", "dev", "h2", "nodad"]]
    for n, dev in ((NS_C, "c1"), (NS_C, "c2"), (NS_1, "h1"), (NS_2, "h2")):
        cmds.append(["-n", n, "link", "set", dev, "up"])
    for n in (NS_C, NS_1, NS_2):
        cmds.append(["-n", n, "link", "set", "lo", "up"])
    bad = [(c, ip(*c).stderr) for c in cmds]
    bad = [b for b in bad if b[1]]
    return R.ok(not bad, "three namespaces joined by veth pairs", bad)


def send(m, u, subj):
    return run(["ip", "netns", "exec", NS_C, m.bin("sendmail"), "-f", "me@client.test",
                "%s@hub.test" % u.name], input=("Subject: %s\n\n%s\n" % (subj, subj)).encode())


def part3(m, h, u, md):
    """failover between two hubs in namespaces"""
    if not shutil.which("ip"):
        print("skip: iproute2 (ip) not installed: no namespace test", flush=True)
        return
    if not namespaces():
        return
    h2dir = tempfile.mkdtemp(prefix="qt-mini-h2.", dir="/tmp")
    procs_dirs.append(h2dir)
    r = run(["cp", "-a", h.home + "/.", h2dir])
    R.eq(r.returncode, 0, "hub 2's tree is a copy of hub 1's")
    mount = (h2dir, h.home)
    log1, log2 = h.home + ".h1.log", h.home + ".h2.log"
    send1 = start_send(h, NS_1, None, log1)
    send2 = start_send(h, NS_2, mount, log2)
    srv1 = spawn(["tcpserver", "-u", str(UID), "-g", str(GID), "-R", "-H", "-l", "hub1.test",
                  "0", "628", h.bin("qmail-qmqpd")], h.home + ".srv1.log", NS_1)
    srv2 = spawn(["python3", os.path.abspath(__file__), "--listen", "::", "628", str(UID),
                  str(GID), "hub2.test", h.bin("qmail-qmqpd")], h.home + ".srv2.log", NS_2, mount)
    R.ok(wait_for(lambda: "status: local 0/" in logof(log1) and "status: local 0/" in logof(log2),
                  15), "both hubs' qmail-send start in their namespaces")
    R.ok(wait_for(lambda: reachable(V4H, 628, NS_C), 10), "client reaches hub 1 (IPv4) on port 628")
    R.ok(wait_for(lambda: reachable(V6H, 628, NS_C), 10), "client reaches hub 2 (IPv6) on port 628")
    m.control("qmqpservers", "%s\n[%s]\n" % (V4H, V6H))
    n = 4
    for i in range(n):
        r = send(m, u, "first %d" % i)
        R.eq(r.returncode, 0, "client sends 'first %d'" % i)
    R.ok(wait_for(lambda: len(maildir(md)) >= n, 20), "the first messages arrive")
    stop(srv1)
    R.ok(not reachable(V4H, 628, NS_C), "hub 1's qmail-qmqpd is down")
    for i in range(n):
        r = send(m, u, "second %d" % i)
        R.eq(r.returncode, 0, "client sends 'second %d' (fails over)" % i)
    R.ok(wait_for(lambda: len(maildir(md)) >= 2 * n, 20), "the second messages arrive")
    time.sleep(0.5)
    got = maildir(md)
    subs = sorted(subject(x) for x in got)
    R.eq(subs, sorted(["first %d" % i for i in range(n)] + ["second %d" % i for i in range(n)]),
         "nothing lost, nothing twice")
    by = {subject(x): (b"by hub1.test with QMQP" in x, b"by hub2.test with QMQP" in x) for x in got}
    R.ok(all(by.get("first %d" % i) == (True, False) for i in range(n)),
         "the first messages went to hub 1 only", by)
    R.ok(all(by.get("second %d" % i) == (False, True) for i in range(n)),
         "the second messages went to hub 2 only", by)
    R.ok(all(b"(%s)" % V6C.encode() in x or V6C.encode() in x for x in got
             if subject(x).startswith("second")), "hub 2 saw the client's IPv6 address")
    R.eq(logof(log1).count(": success:"), n, "hub 1 delivered %d" % n)
    R.eq(logof(log2).count(": success:"), n, "hub 2 delivered %d" % n)
    for p in (srv2, send1, send2):
        stop(p)
    R.ok("status: exiting" in logof(log1) and "status: exiting" in logof(log2),
         "both hubs' qmail-send exit")


procs_dirs = []


def cleanup_netns():
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait()
    for n in netns:
        ip("netns", "del", n)
    del netns[:]


def main():
    h = Prefix("minih")
    m = Mini()
    users = []
    old = signal.signal(signal.SIGTERM, lambda *a: sys.exit(1))
    try:
        if not R.ok(h.ready, "full private install (the hub)"):
            return
        if not R.ok(m.ready, "make MINI=1 setup check", m.out[-2000:]):
            return
        part1(m)
        u = User("qtm")
        users.append(u)
        md = u.maildir()
        h.control("me", "hub.test\n")
        h.control("locals", "hub.test\n")
        m.control("me", "client.test\n")
        m.control("defaulthost", "client.test\n")
        m.control("defaultdomain", "client.test\n")
        m.control("plusdomain", "client.test\n")
        m.control("idhost", "id.client.test\n")
        h.start()
        R.ok(wait_for(lambda: "status: local 0/" in h.logtext(), 10), "the hub's qmail-send starts")
        part2(m, h, u, md)
        h.stop()
        part3(m, h, u, md)
        R.ok(time.monotonic() - T0 < 90, "whole test under 90 seconds",
             "%.1fs" % (time.monotonic() - T0))
    finally:
        signal.signal(signal.SIGTERM, old)
        cleanup_netns()
        left = [n for n in ip("netns", "list").stdout.decode().split() if n.startswith(TAG)]
        R.ok(not left, "namespaces removed", left)
        for x in users:
            x.remove()
        kill_under(h.home)
        h.cleanup()
        m.cleanup()
        for d in procs_dirs:
            shutil.rmtree(d, ignore_errors=True)
        for f in glob.glob(h.home + ".*"):
            os.unlink(f)


main()
R.finish()
