#!/usr/bin/python3
"""e2e_remote - remote mail end to end through the real daemons: qmail-queue ->
qmail-send -> qmail-rspawn -> qmail-remote -> SMTP servers written here, in a private
install (qmailtest.Prefix), with bounces delivered locally to a test user.
  1. control/smtproutes to a sink on 127.0.0.1: envelope and body (byte for byte
     apart from the Received line, dot-stuffing both ways), 4xx defers and a retry
     after SIGALRM delivers, 5xx bounces (RFC 3464), mixed per-recipient results.
  2. MX lookups answered by dnsmasq (QMAIL_DNS_SERVER in qmail-start's environment).
     qmail-remote refuses exchangers that are this host's own addresses, so the
     sinks live in network namespaces made here, joined by veth pairs, on addresses
     in 10.237.0.0/16 that exist only inside this test: a first MX that refuses,
     a domain with only an A record, and a domain that does not exist.
  3. smtproutes to [::1]:PORT.
Every address used is one this test creates (or loopback). Needs root, iproute2 and
/usr/sbin/dnsmasq. Run with --sink to be one SMTP server (used by the test itself).
Prints ok/FAIL per assertion, then "N passed, N failed"."""
import email
import email.policy
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

TOP = os.environ.get("TOP") or os.getcwd()
sys.path.insert(0, os.path.join(TOP, "tests"))
from qmailtest import Prefix, Results, User, free_port, run, smtp_data, wait_for  # noqa: E402

ME = "mail.test.example"


# ---------------------------------------------------------------- the SMTP sink
def sink_main(host, port, conf, logname):
    """One SMTP server on host:port. Replies come from the JSON file conf, read anew
    for each command: {"rcpt": {addr: reply}, "final": reply}. Each finished DATA
    appends one JSON line to logname: peer, the connection's number (from 1, in the
    order of acceptance), MAIL address, accepted and all RCPT addresses, the raw DATA
    bytes as sent and the message with dots and CRLF undone."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, int(port)))
    s.listen(16)
    lock = threading.Lock()

    def config():
        try:
            with open(conf) as f:
                return json.load(f)
        except (OSError, ValueError):
            return {}

    def record(entry):
        with lock:
            with open(logname, "a") as f:
                f.write(json.dumps(entry) + "\n")

    def session(c, peer, conn):
        f = c.makefile("rb")

        def send(b):
            c.sendall(b if b.endswith(b"\r\n") else b + b"\r\n")
        send(b"220 sink.test ESMTP")
        mail, rcpts, accepted = None, [], []
        while True:
            line = f.readline()
            if not line:
                break
            cmd = line.rstrip(b"\r\n").decode("latin-1")
            verb = cmd[:4].upper()
            if verb == "EHLO":
                send(b"250-sink.test\r\n250-PIPELINING\r\n250 8BITMIME")
            elif verb == "HELO":
                send(b"250 sink.test")
            elif verb == "MAIL":
                mail = re.sub(r"^MAIL FROM:<(.*?)>.*", r"\1", cmd, flags=re.I)
                rcpts, accepted = [], []
                send(b"250 sender ok")
            elif verb == "RCPT":
                a = re.sub(r"^RCPT TO:<(.*?)>.*", r"\1", cmd, flags=re.I)
                rcpts.append(a)
                reply = config().get("rcpt", {}).get(a.lower(), "250 recipient ok")
                if reply.startswith("2"):
                    accepted.append(a)
                send(reply.encode())
            elif verb == "DATA":
                if not accepted:
                    send(b"554 no valid recipients")
                    continue
                send(b"354 go ahead")
                raw = smtp_data(f)
                if raw is None:
                    return
                body = raw[:-3]
                lines = body.split(b"\r\n")[:-1]
                msg = b"".join((x[1:] if x.startswith(b".") else x) + b"\n" for x in lines)
                record({"peer": peer[0], "conn": conn, "mail": mail, "rcpts": rcpts, "accepted": accepted,
                        "raw": body.decode("latin-1"), "msg": msg.decode("latin-1")})
                send(config().get("final", "250 ok queued").encode())
            elif verb == "RSET":
                mail, rcpts, accepted = None, [], []
                send(b"250 reset")
            elif verb == "QUIT":
                send(b"221 bye")
                break
            else:
                send(b"502 unknown command")

    def serve(c, peer, conn):
        try:
            session(c, peer, conn)
        except OSError:
            pass
        finally:
            c.close()
    print("listening", flush=True)
    conns = 0
    while True:
        c, peer = s.accept()
        conns += 1
        threading.Thread(target=serve, args=(c, peer, conns), daemon=True).start()


if len(sys.argv) == 6 and sys.argv[1] == "--sink":
    sink_main(*sys.argv[2:])
    sys.exit(0)


R = Results()
SELF = os.path.abspath(__file__)


class Sink:
    """A sink process (optionally inside a network namespace) and its files."""

    def __init__(self, q, name, host, port, netns=None):
        self.host, self.port = host, port
        self.conf = q.path("sink-%s.json" % name)
        self.log = q.path("sink-%s.log" % name)
        self.set({})
        open(self.log, "w").close()
        cmd = [sys.executable, SELF, "--sink", host, str(port), self.conf, self.log]
        if netns:
            cmd = ["ip", "netns", "exec", netns] + cmd
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
        self.ready = self.proc.stdout.readline().strip() == b"listening"

    def set(self, conf):
        with open(self.conf + ".tmp", "w") as f:
            json.dump(conf, f)
        os.rename(self.conf + ".tmp", self.conf)

    def entries(self):
        with open(self.log) as f:
            return [json.loads(x) for x in f if x.strip()]

    def to(self, addr):
        """The transactions that carried addr."""
        return [e for e in self.entries() if addr in e["accepted"]]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


def start(q, extra):
    """Prefix.start with extra variables in qmail-start's environment."""
    env = {"PATH": q.path("bin") + ":/usr/bin:/bin"}
    env.update(extra)
    q.logf = open(q.log, "ab")
    q.proc = subprocess.Popen([q.bin("qmail-start"), "./Maildir/"], env=env,
                              stdin=subprocess.DEVNULL, stdout=q.logf,
                              stderr=subprocess.STDOUT, cwd="/")
    return q.proc


def messages(md):
    d = os.path.join(md, "new")
    try:
        return [os.path.join(d, n) for n in sorted(os.listdir(d))]
    except OSError:
        return []


def read(p):
    with open(p, "rb") as f:
        return f.read()


def bounce_for(md, rcpt):
    """The RFC 3464 bounce in md whose report names rcpt, parsed, or None."""
    for p in messages(md):
        data = read(p)
        if b"multipart/report" in data and rcpt.encode() in data:
            return email.message_from_bytes(data, policy=email.policy.default)
    return None


def dsn_text(b):
    parts = list(b.iter_parts())
    return parts[0].get_content(), parts[1].as_string() if len(parts) > 1 else ""


def outcomes(log):
    """{recipient: [outcome, ...]} from the starting delivery / delivery lines."""
    who, res = {}, {}
    for m in re.finditer(r"^starting delivery (\d+): msg \d+ to remote (\S+)$", log, re.M):
        who[m.group(1)] = m.group(2)
    for m in re.finditer(r"^delivery (\d+): (success|failure|deferral): (.*)$", log, re.M):
        if m.group(1) in who:
            res.setdefault(who[m.group(1)], []).append(m.group(2))
    return res


def reach(host, port):
    """1 if a TCP connection to host:port opens."""
    try:
        socket.create_connection((host, port), 2).close()
        return True
    except OSError:
        return False


def ip(*args):
    return run(["ip"] + list(args))


# ---------------------------------------------------------------- the test
def part1(q, s, md, sender):
    """smtproutes to a sink on 127.0.0.1."""
    # body: dots at line starts, a lone dot, trailing blanks, a tab, 8-bit bytes
    body = (b"From: x@" + ME.encode() + b"\nTo: a@sink.example\nSubject: exact\n\n"
            b"first\n.\n..\n.leading dot\n...three\n trailing  \n\ttab\n"
            b"\xe9t\xe9 8bit\n\nlast line\n")
    R.eq(q.queue(sender, ["a@sink.example"], body), 0, "qmail-queue takes the message")
    got = wait_for(lambda: s.to("a@sink.example"), 20)
    if R.ok(got, "delivered to the sink through smtproutes"):
        e = got[0]
        R.eq(e["mail"], sender, "MAIL FROM is the envelope sender")
        R.eq(e["rcpts"], ["a@sink.example"], "RCPT TO is the envelope recipient")
        msg = e["msg"].encode("latin-1")
        first, rest = msg.split(b"\n", 1)
        R.ok(first.startswith(b"Received: (qmail ") and b"invoked by uid" in first,
             "first line is qmail-queue's Received line", first)
        R.eq(rest, body, "message byte for byte after the Received line")
        raw = e["raw"].encode("latin-1")
        R.ok(b"\r\n..\r\n...\r\n..leading dot\r\n....three\r\n" in raw,
             "dots stuffed on the wire", raw[:200])
        R.ok(b"\n" not in raw.replace(b"\r\n", b""), "no bare LF on the wire")
        R.ok(raw.endswith(b"last line\r\n"), "data ends with the last line and CRLF")
    R.ok(wait_for(lambda: outcomes(q.logtext()).get("a@sink.example") == ["success"], 10),
         "log: delivery N: success for a@sink.example", q.logtext()[-800:])
    R.ok(re.search(r"^delivery \d+: success: 127\.0\.0\.1_accepted_message\./"
                   r"Remote_host_said:_250_ok_queued/$", q.logtext(), re.M),
         "success line quotes the remote host", q.logtext()[-800:])

    # 4xx defers; SIGALRM after the sink recovers delivers
    s.set({"rcpt": {"later@sink.example": "451 4.3.0 try again later"}})
    q.queue(sender, ["later@sink.example"], b"Subject: later\n\nx\n")
    R.ok(wait_for(lambda: "deferral" in outcomes(q.logtext()).get("later@sink.example", []), 20),
         "451 to RCPT: delivery N: deferral")
    R.ok(re.search(r"^delivery \d+: deferral: .*451_4\.3\.0_try_again_later", q.logtext(), re.M),
         "deferral line quotes the 451", q.logtext()[-600:])
    R.eq(s.to("later@sink.example"), [], "nothing delivered while the sink says 451")
    s.set({})
    q.signal(signal.SIGALRM)
    R.ok(wait_for(lambda: s.to("later@sink.example"), 20), "SIGALRM: the retry is delivered")
    want = ["deferral", "success"]
    R.ok(wait_for(lambda: outcomes(q.logtext()).get("later@sink.example") == want, 10),
         "log: deferral then success", outcomes(q.logtext()))

    # 5xx bounces to the local sender with RFC 3464
    s.set({"rcpt": {"reject@sink.example": "550 5.1.1 no such mailbox here"}})
    q.queue(sender, ["reject@sink.example"], b"Subject: rejected\n\nx\n")
    b = wait_for(lambda: bounce_for(md, "reject@sink.example"), 30)
    if R.ok(b is not None, "550: an RFC 3464 bounce reaches the sender's Maildir"):
        R.eq(b.get_content_type(), "multipart/report", "bounce is multipart/report")
        R.eq(b.get_param("report-type"), "delivery-status", "report-type=delivery-status")
        human, ds = dsn_text(b)
        R.ok("<reject@sink.example>:" in human, "human part names the recipient", human)
        R.ok("550 5.1.1 no such mailbox here" in human, "human part quotes the 550", human)
        R.ok("Final-Recipient: rfc822; reject@sink.example" in ds, "Final-Recipient", ds)
        R.ok(re.search(r"^Status: 5\.\d+\.\d+", ds, re.M), "Status 5.x.x", ds)
        R.ok(re.search(r"^Action: failed", ds, re.M), "Action: failed", ds)
        R.ok(re.search(r"^Diagnostic-Code: smtp; 550 5\.1\.1 no such mailbox here", ds, re.M),
             "Diagnostic-Code: smtp; 550 ...", ds)
        R.ok(b["To"] is not None and sender in str(b["To"]), "bounce addressed to the sender",
             str(b["To"]))
    R.ok("failure" in outcomes(q.logtext()).get("reject@sink.example", []),
         "log: delivery N: failure for the 550")

    # mixed results in one message: 250, 550 and 450
    s.set({"rcpt": {"m-bad@sink.example": "550 5.1.1 bad one",
                    "m-soft@sink.example": "450 4.2.1 busy one"}})
    rc = ["m-ok@sink.example", "m-bad@sink.example", "m-soft@sink.example"]
    q.queue(sender, rc, b"Subject: mixed\n\nx\n")

    def settled():
        o = outcomes(q.logtext())
        return all(r in o for r in rc) and o
    o = wait_for(settled, 20) or outcomes(q.logtext())
    R.eq(o.get("m-ok@sink.example"), ["success"], "mixed: 250 recipient: success")
    R.eq(o.get("m-bad@sink.example"), ["failure"], "mixed: 550 recipient: failure")
    R.eq(o.get("m-soft@sink.example"), ["deferral"], "mixed: 450 recipient: deferral")
    R.eq(len(s.to("m-ok@sink.example")), 1, "mixed: the 250 recipient got it once")
    time.sleep(1)
    R.ok(bounce_for(md, "m-bad@sink.example") is None,
         "mixed: no bounce while a recipient is still deferred")
    # the deferred one arrives once the sink accepts it
    s.set({})
    q.signal(signal.SIGALRM)
    R.ok(wait_for(lambda: s.to("m-soft@sink.example"), 20), "mixed: 450 recipient retried")
    time.sleep(0.5)
    R.eq(len(s.to("m-ok@sink.example")), 1, "mixed: the 250 recipient is not sent again")
    b = wait_for(lambda: bounce_for(md, "m-bad@sink.example"), 30)
    if R.ok(b is not None, "mixed: one bounce arrives when all are done"):
        human, ds = dsn_text(b)
        R.ok("m-bad@sink.example" in human + ds, "mixed bounce names the 550 recipient")
        R.ok("m-ok@" not in human + ds, "mixed bounce does not name the 250 recipient")
        R.ok("m-soft@" not in human + ds, "mixed bounce does not name the 450 recipient")
        R.eq(len(re.findall(r"^Final-Recipient:", ds, re.M)), 1, "mixed bounce: one recipient")

    # messages one after another to one domain share a kept connection (qmail-rspawn)
    rc = ["k%d@sink.example" % i for i in range(5)]
    for r in rc:
        q.queue(sender, [r], b"Subject: kept " + r.encode() + b"\n\nx\n")
        wait_for(lambda: outcomes(q.logtext()).get(r) == ["success"], 20)
    got = [s.to(r) for r in rc]
    R.ok(all(len(g) == 1 and g[0]["msg"].endswith("Subject: kept %s\n\nx\n" % r)
             for g, r in zip(got, rc)), "kept: five messages in a row, each delivered once",
         repr(got)[:600])
    R.eq(len({g[0]["conn"] for g in got if g}), 1, "kept: all five over one connection")


def part2(q, sinks, md, sender, down_ip):
    """MX lookups answered by dnsmasq; sinks in namespaces."""
    b, c = sinks
    q.queue(sender, ["u1@mx2.dns.test"], b"Subject: mx\n\nvia the second MX\n")
    got = wait_for(lambda: b.to("u1@mx2.dns.test"), 30)
    R.ok(got, "first MX refuses: the second MX gets the message")
    if got:
        R.eq(got[0]["peer"].split(".")[:3], b.host.split(".")[:3],
             "connection came over the veth link")
        R.ok(got[0]["msg"].endswith("via the second MX\n"), "MX delivery body intact")
    R.ok(wait_for(lambda: outcomes(q.logtext()).get("u1@mx2.dns.test") == ["success"], 10),
         "log: success through the second MX", outcomes(q.logtext()))
    r = run([q.bin("qmail-tcpto")], cwd="/")
    R.ok(down_ip[0] not in r.stdout.decode(errors="replace"),
         "a refused connection is not a timeout in qmail-tcpto", r.stdout)

    t = time.monotonic()
    q.queue(sender, ["u4@mxt.dns.test"], b"Subject: mxt\n\nafter a timeout\n")
    got = wait_for(lambda: b.to("u4@mxt.dns.test"), 30)
    took = time.monotonic() - t
    R.ok(got, "first MX times out: the second MX gets the message")
    R.ok(1.5 < took < 15, "timeoutconnect 2 bounds the wait", "%.1fs" % took)
    r = run([q.bin("qmail-tcpto")], cwd="/")
    R.ok(re.search(r"^%s timed out \d+ seconds ago; # recent timeouts: 1$"
                   % re.escape(down_ip[1]), r.stdout.decode(errors="replace"), re.M),
         "qmail-tcpto lists the first MX that timed out", r.stdout)

    q.queue(sender, ["u2@amx.dns.test"], b"Subject: a\n\nby the A record\n")
    R.ok(wait_for(lambda: c.to("u2@amx.dns.test"), 30), "no MX: delivered to the A record")
    R.eq(b.to("u2@amx.dns.test"), [], "no MX: not to the other host")

    q.queue(sender, ["u3@nx.dns.test"], b"Subject: nx\n\nx\n")
    bb = wait_for(lambda: bounce_for(md, "u3@nx.dns.test"), 30)
    if R.ok(bb is not None, "NXDOMAIN: the message bounces"):
        human, ds = dsn_text(bb)
        R.ok("#5.1.2" in human, "NXDOMAIN bounce says #5.1.2", human)
        R.ok(re.search(r"^Status: 5\.1\.2", ds, re.M), "NXDOMAIN bounce Status 5.1.2", ds)
    R.ok("failure" in outcomes(q.logtext()).get("u3@nx.dns.test", []),
         "log: delivery N: failure for NXDOMAIN")


def part3(q, s6):
    q.queue("v6sender@" + ME, ["v6@v6.example"], b"Subject: six\n\nover IPv6\n")
    got = wait_for(lambda: s6.to("v6@v6.example"), 20)
    if R.ok(got, "smtproutes [::1]:PORT delivers over IPv6"):
        R.eq(got[0]["peer"], "::1", "the connection came from ::1")
        R.ok(got[0]["msg"].endswith("\n\nover IPv6\n"), "IPv6 body intact")
        R.eq(got[0]["mail"], "v6sender@" + ME, "IPv6 MAIL FROM")
    R.ok(wait_for(lambda: outcomes(q.logtext()).get("v6@v6.example") == ["success"], 10),
         "log: success over IPv6")


def main():
    t0 = time.monotonic()
    q = Prefix("e2er")
    users, procs, netns, veths = [], [], [], []
    tag = "qtr%d" % (os.getpid() % 10000)
    net = 1 + (os.getpid() % 60) * 4  # four /24s: 10.237.net..net+3
    try:
        if not R.ok(q.ready, "private install"):
            return
        u = User("qtr")
        users.append(u)
        md = u.maildir()
        sender = "%s@%s" % (u.name, ME)
        q.control("me", ME + "\n")
        q.control("locals", ME + "\nlocalhost\n")
        q.control("timeoutconnect", "2\n")

        # loopback sinks: IPv4 and IPv6
        s = Sink(q, "lo", "127.0.0.1", free_port())
        procs.append(s)
        R.ok(s.ready, "sink on 127.0.0.1 listens")
        s6 = Sink(q, "v6", "::1", free_port(socket.AF_INET6))
        procs.append(s6)
        R.ok(s6.ready, "sink on ::1 listens")
        q.control("smtproutes", "sink.example:127.0.0.1:%d\nv6.example:[::1]:%d\n"
                  % (s.port, s6.port))

        # namespaces: a (first MX, nothing listening), b (second MX), c (A record only),
        # d (first MX whose answers never come back: a blackhole route to the host)
        addrs = {}
        for i, n in enumerate("abcd"):
            ns, h, p = tag + n, tag + n + "h", tag + n + "p"
            sub = "10.237.%d" % (net + i)
            r = ip("netns", "add", ns)
            if r.returncode == 0:
                netns.append(ns)
            r2 = ip("link", "add", h, "type", "veth", "peer", "name", p)
            if r2.returncode == 0:
                veths.append(h)
            cmds = [["link", "set", p, "netns", ns],
                    ["addr", "add", sub + ".1/24", "dev", h],
                    ["link", "set", h, "up"],
                    ["-n", ns, "addr", "add", sub + ".2/24", "dev", p],
                    ["-n", ns, "link", "set", p, "up"],
                    ["-n", ns, "link", "set", "lo", "up"]]
            if n == "d":
                cmds.append(["-n", ns, "route", "add", "blackhole", sub + ".1/32"])
            bad = [c for c in cmds if ip(*c).returncode != 0]
            R.ok(r.returncode == 0 and r2.returncode == 0 and not bad,
                 "namespace %s with a veth link" % n, (r.stderr, r2.stderr, bad))
            addrs[n] = sub + ".2"
        b = Sink(q, "b", addrs["b"], 25, tag + "b")
        procs.append(b)
        R.ok(b.ready, "sink in namespace b listens on port 25")
        c = Sink(q, "c", addrs["c"], 25, tag + "c")
        procs.append(c)
        R.ok(c.ready, "sink in namespace c listens on port 25")
        R.ok(wait_for(lambda: reach(addrs["b"], 25), 5), "host reaches namespace b")

        # dnsmasq answering for dns.test only (NXDOMAIN for the rest of it)
        dport = free_port(socket.AF_INET, socket.SOCK_DGRAM)
        dlog = q.path("dnsmasq.log")
        dns = subprocess.Popen(
            ["/usr/sbin/dnsmasq", "-k", "--no-resolv", "--no-hosts", "--conf-file=/dev/null",
             "--port=%d" % dport, "--listen-address=127.0.0.1", "--bind-interfaces",
             "--pid-file=", "--user=root", "--local=/dns.test/", "--log-queries",
             "--log-facility=" + dlog,
             "--mx-host=mx2.dns.test,mx1.dns.test,10", "--mx-host=mx2.dns.test,mx2b.dns.test,20",
             "--mx-host=mxt.dns.test,mxd.dns.test,10", "--mx-host=mxt.dns.test,mx2b.dns.test,20",
             "--host-record=mx1.dns.test,%s" % addrs["a"],
             "--host-record=mxd.dns.test,%s" % addrs["d"],
             "--host-record=mx2b.dns.test,%s" % addrs["b"],
             "--host-record=amx.dns.test,%s" % addrs["c"]],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        procs.append(dns)
        R.ok(wait_for(lambda: "started" in (open(dlog).read() if os.path.exists(dlog) else "")
                      or dns.poll() is not None, 5) and dns.poll() is None,
             "dnsmasq runs", dns.poll() is not None and dns.stderr.read())

        start(q, {"QMAIL_DNS_SERVER": "127.0.0.1:%d" % dport})
        R.ok(wait_for(lambda: "status: local 0/10 remote 0/20" in q.logtext(), 10),
             "qmail-send starts")
        part1(q, s, md, sender)
        part2(q, (b, c), md, sender, (addrs["a"], addrs["d"]))
        part3(q, s6)
        log = open(dlog).read() if os.path.exists(dlog) else ""
        R.ok(re.search(r"query\[MX\] mx2\.dns\.test", log), "dnsmasq was asked for the MX")
        q.stop()
        R.ok("status: exiting" in q.logtext(), "qmail-send exits on SIGTERM")
        R.ok(time.monotonic() - t0 < 90, "whole test under 90 seconds",
             "%.1fs" % (time.monotonic() - t0))
    finally:
        q.stop()
        for p in procs:
            if isinstance(p, Sink):
                p.stop()
            else:
                if p.poll() is None:
                    p.kill()
                p.wait()
        for h in veths:
            ip("link", "del", h)
        for ns in netns:
            ip("netns", "del", ns)
        for x in users:
            x.remove()
        q.cleanup()


main()
R.finish()
