"""torture - shared pieces of the crash and fault tests (imported, not run):
tests/sys/chaos.py, diskfull.py and memory.py.

  Site       a private install run the supervised way: its own svscan directory with
             qmail-send, qmail-smtpd, qmail-qmtpd and qmail-qmqpd services (tcpserver
             on free 127.0.0.1 ports, multilog logs as qmaill), optional softlimit
  Sink       an SMTP server on 127.0.0.1 (a thread) that records every message
  tagged()   a message with a unique tag in Subject and body and a SHA-256 of its body
  inject_*   one message over SMTP, QMTP, QMQP (Python or qmail-qmqpc) or sendmail;
             each returns the recipients whose delivery was acknowledged
  maildir_tags, sink_tags   what arrived, per (tag, recipient)
  privileges  one snapshot of the suite's processes with their ids
Everything listens on 127.0.0.1 only; processes are found and killed only when their
executable lies under the private home or their working directory under the base.
"""
import grp
import hashlib
import os
import pwd
import random
import re
import shutil
import signal
import smtplib
import socket
import subprocess
import tempfile
import threading
import time

from qmailtest import Listener, Prefix, kill_under, run, wait_for

TOP = os.environ.get("TOP") or os.getcwd()
CONF = [line.strip() for line in open(os.path.join(TOP, "conf-users"))]
ACCT = dict(zip(("alias", "daemon", "log", "owner", "pw", "queue", "remote", "send"), CONF[:8]))
GQMAIL, GNOFILES = CONF[8], CONF[9]


def uid(name):
    return pwd.getpwnam(ACCT.get(name, name)).pw_uid


def gid(name):
    return grp.getgrnam(name).gr_gid


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ------------------------------------------------------------------ the messages
def tagged(tag, sender, rcpts, size=None, rnd=None):
    """(headers+body as bytes with LF line ends, body) for a message carrying tag"""
    rnd = rnd or random.Random(tag)
    size = size if size is not None else rnd.randint(100, 12000)
    lines, n = [], 0
    while n < size:
        k = rnd.randint(0, 76)
        line = "".join(rnd.choice("abcdefghijklmnopqrstuvwxyz0123456789 .-") for _ in range(k))
        if rnd.random() < 0.05:
            line = "." + line  # dot-stuffing on the way in and out
        lines.append(line)
        n += k + 1
    payload = ("\n".join(lines) + "\n").encode()
    body = b"tag " + tag.encode() + b"\nsha256 " + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload
    head = ("From: %s\nTo: %s\nSubject: chaos %s\nMessage-ID: <%s@torture.test>\n\n"
            % (sender, ", ".join(rcpts), tag, tag)).encode()
    return head + body, body


def split_body(msg):
    """the body (after the first empty line) with CRLF turned into LF"""
    msg = msg.replace(b"\r\n", b"\n")
    i = msg.find(b"\n\n")
    return msg[i + 2:] if i >= 0 else b""


SUBJ = re.compile(rb"^Subject: chaos (\S+)$", re.M)


def body_ok(body):
    """whether a body's sha256 line matches the payload after it"""
    parts = body.split(b"\n", 2)
    if len(parts) < 3 or not parts[1].startswith(b"sha256 "):
        return False
    return hashlib.sha256(parts[2]).hexdigest().encode() == parts[1][7:]


class Seen:
    """what arrived: key (tag, recipient) -> list of bodies; read files only once"""

    def __init__(self):
        self.copies = {}
        self.files = set()
        self.lock = threading.Lock()

    def add(self, tag, rcpt, body):
        with self.lock:
            self.copies.setdefault((tag, rcpt), []).append(body)

    def scan_maildir(self, md, rcpt):
        for sub in ("new", "cur"):
            d = os.path.join(md, sub)
            try:
                names = os.listdir(d)
            except OSError:
                continue
            for name in names:
                base = name.split(":")[0]
                if (md, base) in self.files:
                    continue
                try:
                    with open(os.path.join(d, name), "rb") as f:
                        data = f.read()
                except OSError:
                    continue
                self.files.add((md, base))
                m = SUBJ.search(data)
                if m:
                    self.add(m.group(1).decode(), rcpt, split_body(data))

    def count(self, keys):
        return sum(1 for k in keys if k in self.copies)


# ------------------------------------------------------------------ the SMTP sink
class Sink(Listener):
    """An SMTP server on 127.0.0.1 in a thread; every finished DATA is recorded for
    each accepted recipient: (tag, rcpt, body) into a Seen. delay: seconds to wait
    before the reply to DATA (keeps qmail-remote alive long enough to be seen)."""

    errors = (OSError, ValueError)

    def __init__(self, seen):
        self.seen = seen
        self.lock = threading.Lock()
        self.delay = 0.0
        self.messages = 0
        super().__init__(backlog=64, timeout=60)

    def session(self, c):
        f = c.makefile("rb")
        c.sendall(b"220 sink.torture.test ESMTP\r\n")
        rcpts = []
        while True:
            line = f.readline(2000)
            if not line:
                return
            verb = line[:4].upper()
            if verb == b"EHLO":
                c.sendall(b"250-sink.torture.test\r\n250-PIPELINING\r\n250 8BITMIME\r\n")
            elif verb == b"HELO":
                c.sendall(b"250 sink.torture.test\r\n")
            elif verb == b"MAIL":
                rcpts = []
                c.sendall(b"250 ok\r\n")
            elif verb == b"RCPT":
                m = re.search(rb"<(.*?)>", line)
                rcpts.append((m.group(1) if m else b"").decode("latin-1").lower())
                c.sendall(b"250 ok\r\n")
            elif verb == b"DATA":
                c.sendall(b"354 go ahead\r\n")
                out = []
                while True:
                    x = f.readline(100000)
                    if not x:
                        return
                    if x == b".\r\n":
                        break
                    out.append(x[1:] if x.startswith(b".") else x)
                data = b"".join(out)
                if self.delay:
                    time.sleep(self.delay)
                m = SUBJ.search(data.replace(b"\r\n", b"\n"))
                with self.lock:
                    self.messages += 1
                    if m:
                        for r in rcpts:
                            self.seen.add(m.group(1).decode(), r, split_body(data))
                c.sendall(b"250 ok\r\n")
                rcpts = []
            elif verb == b"RSET":
                rcpts = []
                c.sendall(b"250 ok\r\n")
            elif verb == b"QUIT":
                c.sendall(b"221 bye\r\n")
                return
            else:
                c.sendall(b"502 what\r\n")


# ------------------------------------------------------------------ the site
SERVICES = {"qmail-smtpd": "smtpd", "qmail-qmtpd": "qmtpd", "qmail-qmqpd": "qmqpd"}


class Site:
    """A private install (qmailtest.Prefix) run under a private svscan. limit: the
    softlimit arguments for every service (None: no softlimit)."""

    def __init__(self, name, me, limit=None):
        self.me = me
        self.q = Prefix(name)
        self.ready = self.q.ready
        self.base = tempfile.mkdtemp(prefix="qt-%s-sv." % name, dir="/tmp")
        os.chmod(self.base, 0o755)
        self.sv = os.path.join(self.base, "service")
        self.logdir = os.path.join(self.base, "log")
        os.makedirs(self.sv)
        self.ports = {p: free_port() for p in SERVICES}
        self.limit = limit
        self.svscan = None

    def bin(self, prog):
        return self.q.bin(prog)

    def control(self, name, text):
        self.q.control(name, text)

    def service(self, name, script):
        d = os.path.join(self.sv, name)
        os.makedirs(os.path.join(d, "log"))
        os.chmod(d, 0o1755)
        ld = os.path.join(self.logdir, name)
        os.makedirs(ld)
        os.chown(ld, uid("log"), gid(GNOFILES))
        self.write(os.path.join(d, "log", "run"),
                   "#!/bin/sh\nexec setuidgid %s multilog t %s\n" % (ACCT["log"], ld))
        self.write(os.path.join(d, "run"), "#!/bin/sh\nexec 2>&1\n" + script)

    @staticmethod
    def write(path, text):
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o755)

    def start(self):
        """write the services and start svscan on them; wait until all are up"""
        soft = "softlimit %s " % self.limit if self.limit else ""
        self.service("qmail-send", "exec %senv - PATH=%s:/usr/bin:/bin qmail-start ./Maildir/\n"
                     % (soft, self.q.path("bin")))
        for prog, port in self.ports.items():
            self.service(prog, "exec %stcpserver -v -R -H -l %s -c 60 -u %d -g %d 127.0.0.1 %d %s\n"
                         % (soft, self.me, uid("daemon"), gid(GNOFILES), port, self.bin(prog)))
        self.svscan = subprocess.Popen(["svscan", self.sv], cwd="/", stdin=subprocess.DEVNULL,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                       env={"PATH": "/usr/bin:/bin:/usr/sbin:/sbin"},
                                       start_new_session=True)
        return wait_for(lambda: all(self.up(s) for s in ["qmail-send"] + list(self.ports))
                        and all(self.listening(p) for p in self.ports.values()), 30)

    def up(self, name):
        return ": up" in self.svstat(name)

    def svstat(self, name):
        return run(["svstat", os.path.join(self.sv, name)]).stdout.decode()

    def pid(self, name):
        out = self.svstat(name)
        return int(out.split("(pid ")[1].split(")")[0]) if ": up (pid " in out else 0

    def svc(self, flag, name="qmail-send"):
        run(["svc", flag, os.path.join(self.sv, name)])

    @staticmethod
    def listening(port):
        try:
            socket.create_connection(("127.0.0.1", port), 2).close()
            return True
        except OSError:
            return False

    def log(self, name="qmail-send"):
        """the whole log of a service: multilog's rotated files, then current"""
        d = os.path.join(self.logdir, name)
        out = []
        for f in sorted(x for x in os.listdir(d) if x.startswith("@")) + ["current"]:
            try:
                with open(os.path.join(d, f), "rb") as fh:
                    out.append(fh.read().decode(errors="replace"))
            except OSError:
                pass
        return "".join(out)

    def queue_count(self):
        """entries in todo/ and info/*/ (messages not yet finished)"""
        n = len(os.listdir(self.q.path("queue", "todo")))
        for d in os.listdir(self.q.path("queue", "info")):
            n += len(os.listdir(self.q.path("queue", "info", d)))
        return n

    def ours(self, pid):
        """whether pid belongs to this site: its executable under the home, or a
        daemontools/ucspi process working in the base"""
        try:
            exe = os.readlink("/proc/%s/exe" % pid)
        except OSError:
            return None
        if exe.startswith(self.q.home + "/"):
            return exe
        try:
            cwd = os.readlink("/proc/%s/cwd" % pid)
            cmd = open("/proc/%s/cmdline" % pid, "rb").read()
        except OSError:
            return None
        if cwd.startswith(self.base + "/") or (self.base + "/").encode() in cmd:
            return exe
        return None

    def pids(self, progs):
        """{pid: program name} of our processes running one of progs from bin/"""
        out = {}
        for p in os.listdir("/proc"):
            if not p.isdigit():
                continue
            try:
                exe = os.readlink("/proc/%s/exe" % p)
            except OSError:
                continue
            d, name = os.path.split(exe)
            if d == self.q.path("bin"):
                name = role(name, status_ids(p))
                if name in progs:
                    out[int(p)] = name
        return out

    def cleanup(self):
        for d in os.listdir(self.sv):
            run(["svc", "-dx", os.path.join(self.sv, d)])
            run(["svc", "-dx", os.path.join(self.sv, d, "log")])
        if self.svscan:
            try:
                os.killpg(self.svscan.pid, signal.SIGTERM)
            except OSError:
                pass
            try:
                self.svscan.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.svscan.pid, signal.SIGKILL)
                self.svscan.wait()
        time.sleep(0.5)
        for p in os.listdir("/proc"):
            if p.isdigit() and self.ours(p):
                try:
                    os.kill(int(p), signal.SIGKILL)
                except OSError:
                    pass
        kill_under(self.q.home)
        self.q.cleanup()
        shutil.rmtree(self.base, ignore_errors=True)


# ------------------------------------------------------------------ injection
def ns(b):
    return str(len(b)).encode() + b":" + b + b","


def read_ns(f):
    """one netstring from a file object; None on EOF or garbage"""
    n = b""
    while True:
        c = f.read(1)
        if not c:
            return None
        if c == b":":
            break
        if not c.isdigit() or len(n) > 10:
            return None
        n += c
    data = f.read(int(n) + 1)
    if len(data) != int(n) + 1 or data[-1:] != b",":
        return None
    return data[:-1]


def inject_smtp(port, sender, rcpts, msg, timeout=60):
    """SMTP; the recipients acknowledged by 250 after DATA"""
    try:
        s = smtplib.SMTP("127.0.0.1", port, timeout=timeout)
    except (OSError, smtplib.SMTPException):
        return []
    try:
        refused = s.sendmail(sender, rcpts, msg.replace(b"\n", b"\r\n"))
        acked = [r for r in rcpts if r not in refused]
    except (OSError, smtplib.SMTPException):
        acked = []
    try:
        s.quit()
    except (OSError, smtplib.SMTPException):
        pass
    return acked


def inject_qmtp(port, sender, rcpts, msg, timeout=60):
    """QMTP; the recipients answered K"""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout) as s:
            s.sendall(ns(b"\n" + msg) + ns(sender.encode()) + ns(b"".join(ns(r.encode()) for r in rcpts)))
            f = s.makefile("rb")
            acked = []
            for r in rcpts:
                rep = read_ns(f)
                if rep is None:
                    break
                if rep[:1] == b"K":
                    acked.append(r)
            return acked
    except OSError:
        return []


def inject_qmqp(port, sender, rcpts, msg, timeout=60):
    """QMQP from Python; all recipients when the answer is K"""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout) as s:
            s.sendall(ns(ns(msg) + ns(sender.encode()) + b"".join(ns(r.encode()) for r in rcpts)))
            rep = read_ns(s.makefile("rb"))
            return list(rcpts) if rep and rep[:1] == b"K" else []
    except OSError:
        return []


def queue_like(cmd, sender, rcpts, msg, env=None, timeout=60, pre=None):
    """run a qmail-queue look-alike: message on fd 0, envelope on fd 1; exit code"""
    r, w = os.pipe()
    env_bytes = b"F" + sender.encode() + b"\0" + b"".join(b"T" + x.encode() + b"\0" for x in rcpts) + b"\0"
    mf = tempfile.TemporaryFile()
    mf.write(msg)
    mf.seek(0)
    try:
        p = subprocess.Popen(cmd, stdin=mf, stdout=r, stderr=subprocess.DEVNULL,
                             env=env or {"PATH": "/usr/bin:/bin"}, preexec_fn=pre)
    finally:
        os.close(r)
        mf.close()
    try:
        os.write(w, env_bytes)
    except OSError:
        pass
    os.close(w)
    try:
        return p.wait(timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        return -9


def inject_qmqpc(site, sender, rcpts, msg, timeout=60):
    """our qmail-qmqpc to the site's qmail-qmqpd; all recipients on exit 0"""
    rc = queue_like([site.bin("qmail-qmqpc")], sender, rcpts, msg, timeout=timeout)
    return list(rcpts) if rc == 0 else []


def as_user(u):
    def pre():
        os.setgroups([])
        os.setgid(u.gid)
        os.setuid(u.uid)
    return pre


def inject_sendmail(site, sender, rcpts, msg, user=None, limit=None, timeout=60):
    """sendmail -f sender rcpts, as user; all recipients on exit 0"""
    cmd = [site.bin("sendmail"), "-f", sender] + list(rcpts)
    if limit:
        cmd = ["softlimit"] + limit.split() + cmd
    try:
        p = subprocess.run(cmd, input=msg, capture_output=True, timeout=timeout,
                           env={"PATH": "/usr/bin:/bin"}, preexec_fn=as_user(user) if user else None)
    except subprocess.TimeoutExpired:
        return []
    return list(rcpts) if p.returncode == 0 else []


# ------------------------------------------------------------------ privileges
def status_ids(pid):
    """(uids, gids, groups) of a process from /proc/PID/status, or None"""
    try:
        with open("/proc/%s/status" % pid) as f:
            st = f.read()
    except OSError:
        return None
    u = g = grs = None
    for line in st.splitlines():
        if line.startswith("Uid:"):
            u = [int(x) for x in line.split()[1:]]
        elif line.startswith("Gid:"):
            g = [int(x) for x in line.split()[1:]]
        elif line.startswith("Groups:"):
            grs = [int(x) for x in line.split()[1:]]
    return (u, g, grs) if u and g else None


def role(name, ids):
    """what a process of ours does: qmail-lspawn's delivery child runs qmail-local's code
    once it has become the recipient, and its lookup child qmail-getpw's once it is
    qmailp (neither is exec'd); every other process is its program"""
    if name == "qmail-lspawn" and ids and ids[0][0] != 0:
        return "qmail-getpw" if ids[0][0] == uid("pw") else "qmail-local"
    return name


def expected_ids():
    """program -> (uid, gid) per SPEC section 1; None where the caller decides"""
    qm, nf = gid(GQMAIL), gid(GNOFILES)
    return {
        "qmail-smtpd": (uid("daemon"), nf), "qmail-qmtpd": (uid("daemon"), nf),
        "qmail-qmqpd": (uid("daemon"), nf), "qmail-send": (uid("send"), qm),
        "qmail-clean": (uid("queue"), qm), "qmail-rspawn": (uid("remote"), qm),
        "qmail-remote": (uid("remote"), qm), "qmail-lspawn": (0, qm),
        "qmail-getpw": (uid("pw"), nf), "multilog": (uid("log"), pwd.getpwnam(ACCT["log"]).pw_gid),
    }


def privileges(site, users):
    """one snapshot: (names seen, list of violations as text). users: the uids
    qmail-local may run as, {uid: gid}."""
    want = expected_ids()
    seen, bad = set(), []
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        exe = site.ours(p)
        if not exe:
            continue
        ids = status_ids(p)
        if not ids:
            continue
        (ru, eu, su, fu), (rg, eg, sg, fg), grs = ids
        name = role(os.path.basename(exe), ids)
        seen.add(name)
        what = "%s pid %s uid %s gid %s groups %s" % (name, p, ids[0], ids[1], grs)
        ours = exe.startswith(site.q.home + "/")
        if name != "qmail-queue" and ours and eu == su == fu == uid("queue") and ru != 0 \
                and ru == want.get(name, (ru,))[0]:
            # a child of name in the middle of exec'ing the setuid qmail-queue: the
            # kernel gives it the new euid before /proc shows the new executable
            pass
        elif name == "qmail-queue":
            if eu != uid("queue") or su != uid("queue"):
                bad.append("qmail-queue not euid qmailq: " + what)
        elif name == "qmail-local":
            if ru == 0 or eu == 0 or ru not in users or eu != ru or rg != users.get(ru) or eg != rg \
                    or any(x != rg for x in grs):
                bad.append("qmail-local not the recipient: " + what)
        elif name == "qmail-lspawn":
            # root:qmail, or a delivery (or lookup) child still root while it drops to
            # the recipient (or to qmailp): setgroups, setgid and setuid may each be
            # seen on its own; its parent may be gone already (chaos kills qmail-lspawn)
            gs = {gid(GQMAIL), gid(GNOFILES)} | set(users.values())
            ok = {ru, eu, su, fu} == {0} and len({rg, eg, sg, fg}) == 1 and rg in gs and set(grs) <= gs
            if not ok:
                bad.append("qmail-lspawn not root:qmail or dropping to a recipient: " + what)
        elif name in want and (name == "multilog" or ours):
            u, g = want[name]
            if {ru, eu, su, fu} != {u} or {rg, eg, sg, fg} != {g}:
                bad.append("%s not %d:%d: %s" % (name, u, g, what))
        elif ours and name not in ("qmail-start", "sendmail", "qmail-inject", "qmail-qmqpc"):
            if 0 in (ru, eu, su, fu):
                bad.append("runs as root: " + what)
        elif not ours and name not in ("supervise", "svscan", "tcpserver", "softlimit", "env",
                                       "setuidgid", "sh", "dash", "bash", "sleep", "readproctitle",
                                       "svc", "svstat", "svok"):
            if 0 in (ru, eu, su, fu):
                bad.append("runs as root: " + what)
    return seen, bad
