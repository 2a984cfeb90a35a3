"""hostilelib - shared parts of the hostile-input suite (tests/sys/hostile.py; imported,
not run). One private install built with AddressSanitizer and UndefinedBehaviorSanitizer
(make SAN=1 setup check); every program started from here gets ASAN_OPTIONS and
UBSAN_OPTIONS with log_path pointing at one directory (mode 1777, so that programs
running as qmaild, qmailq, qmailr or a user can write there), and check_reports()
fails the test for every report file found in it.

Leak detection is off for the programs (detect_leaks=0): they change user ids, and
LeakSanitizer's tracer cannot attach to a process that did; a leak at exit is not
what this suite looks for. Memory errors and undefined behaviour abort the program
(-fno-sanitize-recover=all) and leave a report file.
"""
import glob
import grp
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

TOP = os.environ.get("TOP") or os.getcwd()
sys.path.insert(0, os.path.join(TOP, "tests"))
from qmailtest import Home, install, kill_under  # noqa: E402

CONF = [l.strip() for l in open(os.path.join(TOP, "conf-users"))]
NAMES = {"alias": CONF[0], "qmaild": CONF[1], "qmaill": CONF[2], "root": CONF[3],
         "qmailp": CONF[4], "qmailq": CONF[5], "qmailr": CONF[6], "qmails": CONF[7],
         "qmail": CONF[8], "nofiles": CONF[9]}


def uid(name):
    return pwd.getpwnam(NAMES[name]).pw_uid


def gid(name):
    return grp.getgrnam(NAMES[name]).gr_gid


class SanPrefix(Home):
    """A private installation of the sanitized build in a temporary home."""

    def __init__(self, name):
        self.keep = os.environ.get("HOSTILE_HOME")  # development: reuse this install
        if self.keep and os.path.isdir(os.path.join(self.keep, "queue")):
            self.home = self.keep
            self.build = os.path.join(TOP, "build", "san" + self.home.replace("/", "_"))
            self.reports = self.home + ".san"
            self.ready, self.why = True, ""
            return
        self.home = self.keep or tempfile.mkdtemp(prefix="qt-%s." % name, dir="/tmp")
        if self.keep:
            os.makedirs(self.home, exist_ok=True)
        os.chmod(self.home, 0o755)
        self.build = os.path.join(TOP, "build", "san" + self.home.replace("/", "_"))
        self.reports = self.home + ".san"
        os.makedirs(self.reports, exist_ok=True)
        os.chmod(self.reports, 0o1777)
        r = install(self.home, ["SAN=1"])
        self.ready = r.returncode == 0
        self.why = "" if self.ready else (r.stdout[-2000:] + r.stderr[-2000:]).decode(
            errors="replace")

    def env(self, extra=None):
        """an environment for a program under test: PATH, the sanitizer options, extra"""
        e = {"PATH": self.path("bin") + ":/usr/bin:/bin",
             "ASAN_OPTIONS": "log_path=%s/asan:detect_leaks=0:abort_on_error=0:"
                             "allocator_may_return_null=1" % self.reports,
             "UBSAN_OPTIONS": "log_path=%s/ubsan:print_stacktrace=1:halt_on_error=1"
                              % self.reports}
        e.update(extra or {})
        return {k: v for k, v in e.items() if v is not None}

    def report_files(self):
        return sorted(glob.glob(os.path.join(self.reports, "*")))

    def check_reports(self, R, what):
        """one assertion: no sanitizer report appeared since the last check"""
        files = self.report_files()
        text = ""
        for f in files[:3]:
            try:
                text += open(f, errors="replace").read()[:1500]
            except OSError:
                pass
        R.ok(not files, "%s: no sanitizer reports" % what, text)
        for f in files:
            os.unlink(f)

    def queue_files(self):
        """{dir: set of entry names} of the queue directories that hold messages"""
        out = {}
        for d in ("todo", "intd", "pid"):
            out[d] = set(os.listdir(self.path("queue", d)))
        mess = set()
        for s in os.listdir(self.path("queue", "mess")):
            mess |= set(os.listdir(self.path("queue", "mess", s)))
        out["mess"] = mess
        return out

    def todo(self, ident):
        with open(self.path("queue", "todo", ident), "rb") as f:
            return f.read()

    def mess_path(self, ident):
        for s in os.listdir(self.path("queue", "mess")):
            p = self.path("queue", "mess", s, ident)
            if os.path.exists(p):
                return p
        return None

    def clear_queue(self):
        for d in ("todo", "intd", "pid"):
            for f in os.listdir(self.path("queue", d)):
                os.unlink(self.path("queue", d, f))
        for s in os.listdir(self.path("queue", "mess")):
            for f in os.listdir(self.path("queue", "mess", s)):
                os.unlink(self.path("queue", "mess", s, f))

    def cleanup(self):
        kill_under(self.home)
        if self.keep:
            return
        shutil.rmtree(self.home, ignore_errors=True)
        shutil.rmtree(self.build, ignore_errors=True)
        shutil.rmtree(self.reports, ignore_errors=True)
        shutil.rmtree(self.home + ".qq", ignore_errors=True)
        try:
            os.unlink(self.home + ".stderr")
        except OSError:
            pass


def envelope(b):
    """(sender, [recipients]) of a todo/ID envelope (u and p records skipped)"""
    sender, rcpts = None, []
    for rec in b.split(b"\0"):
        if rec[:1] == b"F":
            sender = rec[1:]
        elif rec[:1] == b"T":
            rcpts.append(rec[1:])
    return sender, rcpts


def vm(pid, field):
    """a /proc/PID/status field in kB (VmRSS, VmHWM), or None once the process is gone"""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


class Conn:
    """A program under test on one end of a socketpair; the test holds the other end.
    Used for qmail-smtpd, qmail-qmtpd and qmail-qmqpd, run as qmaild:nofiles as
    tcpserver would run them, with the TCP* variables set."""

    def __init__(self, P, prog, env=None, user="qmaild", group="nofiles"):
        a, b = socket.socketpair()
        for s in (a, b):
            s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        e = {"PROTO": "TCP", "TCPLOCALIP": "127.0.0.1", "TCPLOCALHOST": "mx.hostile.test",
             "TCPREMOTEIP": "127.0.0.1", "TCPREMOTEHOST": "client.hostile.test",
             "GREETDELAY": "0"}
        e.update(env or {})
        self.proc = subprocess.Popen([P.bin(prog)], stdin=b, stdout=b,
                                     stderr=open(P.home + ".stderr", "ab"),
                                     env=P.env(e), cwd=P.home, user=uid(user), group=gid(group),
                                     extra_groups=[], close_fds=True)
        b.close()
        self.s = a
        self.buf = b""
        self.eofseen = False

    def send(self, b):
        self.s.sendall(b)

    def line(self, timeout=20):
        end = time.monotonic() + timeout
        while b"\n" not in self.buf:
            if self.eofseen:
                return None
            self.s.settimeout(max(0.01, end - time.monotonic()))
            try:
                d = self.s.recv(1 << 16)
            except socket.timeout:
                return None
            except OSError:
                d = b""
            if not d:
                self.eofseen = True
                return None
            self.buf += d
        l, self.buf = self.buf.split(b"\n", 1)
        return l + b"\n"

    def reply(self, timeout=20):
        out = b""
        while True:
            l = self.line(timeout)
            if l is None:
                return out or None
            out += l
            if len(l) < 4 or l[3:4] != b"-":
                return out

    def cmd(self, b, timeout=20):
        self.send(b)
        return self.reply(timeout)

    def read_all(self, timeout=20):
        """everything until the program closes its end (None if it does not in time)"""
        end = time.monotonic() + timeout
        out = self.buf
        self.buf = b""
        while not self.eofseen:
            self.s.settimeout(max(0.01, end - time.monotonic()))
            try:
                d = self.s.recv(1 << 16)
            except socket.timeout:
                return None
            except OSError:
                d = b""
            if not d:
                self.eofseen = True
                break
            out += d
        return out

    def wait(self, timeout=20):
        """the exit code, or None if it is still running after timeout"""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass
        if self.wait(10) is None:
            self.proc.kill()
            self.proc.wait()


class Sampler:
    """Samples a process's VmRSS every step seconds in a thread; peak() is the most
    seen (kB)."""

    def __init__(self, pid, step=0.1):
        self.pid = pid
        self.step = step
        self.most = 0
        self.done = False
        self.t = threading.Thread(target=self.loop, daemon=True)
        self.t.start()

    def loop(self):
        while not self.done:
            v = vm(self.pid, "VmRSS")
            if v is None:
                return
            self.most = max(self.most, v)
            time.sleep(self.step)

    def peak(self):
        self.done = True
        self.t.join()
        hwm = vm(self.pid, "VmHWM")
        return max(self.most, hwm or 0)


def stream(sock, total, pattern, chunk=1 << 20, prefix=b"", suffix=b"", hasher=None):
    """send prefix, then total bytes made of pattern repeated, then suffix, in large
    writes from one prebuilt buffer; hasher (if any) is updated with the total bytes"""
    block = (pattern * (chunk // len(pattern) + 1))[:chunk - chunk % len(pattern)]
    view = memoryview(block)
    sock.sendall(prefix)
    left = total
    while left:
        k = min(left, len(block))
        sock.sendall(view[:k])
        if hasher:
            hasher.update(view[:k])
        left -= k
    sock.sendall(suffix)
