"""qmailtest - shared helpers for the end-to-end tests (imported, not run).

Each test builds and installs a private copy of the suite into a temporary home
(make QMAIL=DIR setup check), creates the users it needs, starts the real daemons
as the real users, and removes all of it at the end. Every assertion prints
"ok ..." or "FAIL ..."; finish() prints "N passed, N failed".
"""
import atexit
import glob
import grp
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

TOP = os.environ.get("TOP") or os.getcwd()
TMP = "/tmp"  # where Prefix and User make their directories (bench/compare.py moves it)


class Results:
    """Counts assertions and prints the closing line."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def ok(self, cond, what, detail=""):
        if cond:
            self.passed += 1
            print("ok", what, flush=True)
        else:
            self.failed += 1
            print("FAIL", what, detail, flush=True)
        return cond

    def eq(self, got, want, what):
        return self.ok(got == want, what, "got %r, want %r" % (got, want))

    def finish(self):
        print("%d passed, %d failed" % (self.passed, self.failed), flush=True)
        sys.exit(1 if self.failed else 0)


def run(cmd, **kw):
    """Run a command, return CompletedProcess with text output."""
    kw.setdefault("capture_output", True)
    return subprocess.run(cmd, **kw)


def install(home, flags=(), setup=(), users=True):
    """Build the suite (make all, with the make variables in flags) and install it
    into home (make setup check, with flags and setup): the last make run, as a
    CompletedProcess. users: first create the system accounts (mkusers.sh)."""
    if users:
        conf = open(os.path.join(TOP, "conf-qmail")).readline().strip()
        run(["sh", "src/tools/mkusers.sh", "conf-users", conf], cwd=TOP)
    make = ["make", "--no-print-directory"] + list(flags) + ["QMAIL=" + home]
    r = run(make[:2] + ["-j2"] + make[2:] + ["all"], cwd=TOP)
    if r.returncode == 0:
        r = run(make + list(setup) + ["setup", "check"], cwd=TOP)
    return r


class Home:
    """Paths in an installation: home, and its control files."""

    def path(self, *parts):
        return os.path.join(self.home, *parts)

    def bin(self, name):
        return self.path("bin", name)

    def control(self, name, text):
        with open(self.path("control", name), "w") as f:
            f.write(text)


class Prefix(Home):
    """A private installation in a temporary home."""

    def __init__(self, name):
        self.home = tempfile.mkdtemp(prefix="qt-%s." % name, dir=TMP)
        os.chmod(self.home, 0o755)
        self.build = os.path.join(TOP, "build", self.home.replace("/", "_"))
        self.proc = None
        self.log = self.home + ".log"
        self.servlog = self.home + ".tcpserver.log"
        self.servers = []
        self.cleaned = False
        atexit.register(self.cleanup)  # a test that dies halfway leaves no daemon behind
        r = install(self.home)
        self.ready = r.returncode == 0
        if not self.ready:
            sys.stdout.write(r.stdout.decode(errors="replace")[-3000:])
            sys.stdout.write(r.stderr.decode(errors="replace")[-3000:])

    def tcpserver(self, prog, env=None, localname="localhost", log=None):
        """Run the installed prog under tcpserver on a free loopback port, as the
        SMTP daemon's account (qmaild:nofiles), its stderr appended to log (by default
        self.servlog). env adds to PATH=/usr/bin:/bin; a value of None removes a name.
        Returns the TcpServer (port, proc, up(), stop()), listening; cleanup stops it."""
        e = {"PATH": "/usr/bin:/bin"}
        e.update(env or {})
        uid, gid = daemon_ids()
        srv = TcpServer([self.bin(prog)], e, localname, log or self.servlog, uid, gid)
        self.servers.append(srv)
        return srv

    def start(self, delivery="./Maildir/"):
        """Start qmail-start (which stays as qmail-send) with a clean environment."""
        env = {"PATH": self.path("bin") + ":/usr/bin:/bin"}
        self.logf = open(self.log, "ab")
        self.proc = subprocess.Popen([self.bin("qmail-start"), delivery], env=env,
                                     stdin=subprocess.DEVNULL, stdout=self.logf,
                                     stderr=subprocess.STDOUT, cwd="/")
        return self.proc

    def logtext(self):
        try:
            with open(self.log, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def signal(self, sig):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)

    def stop(self, timeout=30):
        """SIGTERM qmail-send and wait for it; kill -9 if it does not go."""
        if not self.proc:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        rc = self.proc.returncode
        self.proc = None
        return rc

    def queue(self, sender, rcpts, msg):
        """qmail-queue a message with an exact envelope; its exit code."""
        envf = self.path("env.tmp")
        with open(envf, "wb") as f:
            f.write(b"F" + sender.encode() + b"\0")
            for r in rcpts:
                f.write(b"T" + r.encode() + b"\0")
            f.write(b"\0")
        with open(envf, "rb") as e:
            return subprocess.run([self.bin("qmail-queue")], input=msg, stdout=e).returncode

    def local_domain(self, me, smtp=False):
        """Name this install me and deliver mail for me locally (control/me and
        locals); smtp: also accept it by SMTP at once (rcpthosts, smtpdgreetdelay 0)."""
        self.control("me", me + "\n")
        self.control("locals", me + "\n")
        if smtp:
            self.control("rcpthosts", me + "\n")
            self.control("smtpdgreetdelay", "0\n")

    def cleanup(self):
        if self.cleaned:
            return
        self.cleaned = True
        self.stop()
        for srv in self.servers:
            srv.stop()
        kill_under(self.home)
        shutil.rmtree(self.home, ignore_errors=True)
        shutil.rmtree(self.build, ignore_errors=True)
        for f in (self.log, self.servlog):
            try:
                os.unlink(f)
            except OSError:
                pass


def free_port(family=socket.AF_INET, kind=socket.SOCK_STREAM):
    """A loopback port that nothing is bound to just now (the caller binds it next)."""
    s = socket.socket(family, kind)
    s.bind(("127.0.0.1" if family == socket.AF_INET else "::1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Listener:
    """A TCP server in this process on a loopback address (127.0.0.1, or ::1 for
    AF_INET6; port 0: any free one, then in self.port), one daemon thread per
    connection: a subclass defines session(c). timeout: the connection's socket
    timeout (None: none); an exception in errors ends only that connection, which is
    closed afterwards. A subclass sets its own fields before calling __init__, since
    connections may come as soon as it returns."""

    errors = (OSError,)

    def __init__(self, family=socket.AF_INET, port=0, backlog=16, timeout=None):
        self.family = family
        self.timeout = timeout
        self.stopped = False
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1" if family == socket.AF_INET else "::1", port))
        self.sock.listen(backlog)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while not self.stopped:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.handle, args=(c,), daemon=True).start()

    def handle(self, c):
        try:
            if self.timeout is not None:
                c.settimeout(self.timeout)
            self.session(c)
        except self.errors:
            pass
        finally:
            c.close()

    def session(self, c):
        raise NotImplementedError

    def stop(self):
        self.stopped = True
        self.sock.close()


def smtp_data(f):
    """Read SMTP DATA from the binary file f up to and including the final dot line:
    the raw bytes (dots and CRLF as sent), or None if the client went away first."""
    raw = b""
    while not (raw == b".\r\n" or raw.endswith(b"\r\n.\r\n")):
        more = f.readline()
        if not more:
            return None
        raw += more
    return raw


def daemon_ids():
    """The uid of the SMTP daemon account (qmaild) and the gid of the group that owns
    no files (nofiles): lines 2 and 10 of conf-users."""
    conf = [l.strip() for l in open(os.path.join(TOP, "conf-users"))]
    return pwd.getpwnam(conf[1]).pw_uid, grp.getgrnam(conf[9]).gr_gid


class TcpServer:
    """tcpserver running argv for each connection on 127.0.0.1 at a free port, with
    -R -H and -l localname (and opts), as uid:gid when given, its stderr appended
    to log; started and stopped by its pid."""

    def __init__(self, argv, env, localname, log, uid=None, gid=None, timeout=10, opts=()):
        self.port = free_port()
        self.log = log
        ids = ["-u", str(uid), "-g", str(gid)] if uid is not None else []
        env = {k: v for k, v in env.items() if v is not None}
        with open(log, "ab") as logf:
            self.proc = subprocess.Popen(
                ["tcpserver"] + list(opts) + ids + ["-R", "-H", "-l", localname, "127.0.0.1",
                                                    str(self.port)] + argv,
                env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=logf)
        wait_for(self.up, timeout)

    def up(self):
        """Whether a connection to the port is accepted."""
        try:
            socket.create_connection(("127.0.0.1", self.port), 1).close()
            return True
        except OSError:
            return False

    def logtext(self):
        """What tcpserver and the programs it ran wrote to stderr so far."""
        with open(self.log, "rb") as f:
            return f.read().decode(errors="replace")

    def stop(self):
        """SIGTERM tcpserver (connections in progress run on) and reap it."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(10)


def kill_under(home):
    """SIGKILL every process whose executable lies under home (left-over daemons)."""
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            exe = os.readlink("/proc/%s/exe" % pid)
        except OSError:
            continue
        if exe.startswith(home + "/"):
            try:
                os.kill(int(pid), signal.SIGKILL)
            except OSError:
                pass


class User:
    """A temporary local user with a home of its own."""

    def __init__(self, prefix="qt"):
        self.name = "%s%d" % (prefix, os.getpid() % 100000)
        n = 0
        while True:
            try:
                pwd.getpwnam(self.name)
            except KeyError:
                break
            n += 1
            self.name = "%s%d%d" % (prefix, os.getpid() % 100000, n)
        self.home = tempfile.mkdtemp(prefix="qt-home.", dir=TMP)
        os.rmdir(self.home)
        run(["useradd", "-m", "-d", self.home, "-s", "/bin/sh", self.name], check=True)
        os.chmod(self.home, 0o755)
        pw = pwd.getpwnam(self.name)
        self.uid, self.gid = pw.pw_uid, pw.pw_gid

    def file(self, name, text, mode=0o644):
        p = os.path.join(self.home, name)
        with open(p, "w") as f:
            f.write(text)
        os.chown(p, self.uid, self.gid)
        os.chmod(p, mode)
        return p

    def maildir(self, name="Maildir"):
        p = os.path.join(self.home, name)
        for sub in ("", "tmp", "new", "cur"):
            os.makedirs(os.path.join(p, sub), exist_ok=True)
            os.chown(os.path.join(p, sub), self.uid, self.gid)
            os.chmod(os.path.join(p, sub), 0o700)
        return p

    def remove(self):
        run(["pkill", "-KILL", "-u", self.name])
        run(["userdel", "-r", "-f", self.name])
        shutil.rmtree(self.home, ignore_errors=True)


def need_root(R, name, tools=()):
    """The prologue of a test that needs root and the commands in tools (each a
    command name, perhaps followed by words naming its package): a missing piece is
    one failed assertion and the end of the test."""
    if os.geteuid() != 0:
        R.ok(False, "%s tests must run as root" % name)
        R.finish()
    for tool in tools:
        if not shutil.which(tool.split()[0]):
            R.ok(False, "%s is installed" % tool)
            R.finish()


def need(R, name, tools=()):
    """The prologue of a test that needs root, the commands in tools and a private
    install: a missing piece is one failed assertion and the end of the test.
    Returns the Prefix."""
    need_root(R, name, tools)
    return installed(R, name)


def installed(R, name, where=False):
    """A private install (Prefix) and one assertion that it worked, "private install"
    (with where: "in HOME" added); a failed install is the end of the test."""
    p = Prefix(name)
    R.ok(p.ready, "private install" + (" in " + p.home if where else ""))
    if not p.ready:
        p.cleanup()
        R.finish()
    return p


RECORDER = r"""#!/bin/sh
# record one message: the message from fd 0, the envelope from fd 1
d=%s
exec 3<&1
cat > "$d/$$.tmp" || exit 54
cat <&3 > "$d/$$.env" || exit 54
# like qmail-queue: an envelope that does not end with its extra NUL is a read error
if [ "$(tail -c 2 "$d/$$.env" | od -An -tx1 | tr -d ' 
')" != 0000 ]; then
	rm -f "$d/$$.tmp" "$d/$$.env"
	exit 54
fi
mv "$d/$$.tmp" "$d/$$.msg"
if [ -f "$d/custom" ]; then cat "$d/custom" >&6; exit 82; fi
if [ -f "$d/exit" ]; then exit "$(cat "$d/exit")"; fi
exit 0
"""


class RecordingQueue:
    """A stand-in for qmail-queue, to be named by $QMAILQUEUE: prog keeps each message
    and its envelope in dir (any user may write there), fails with exit 54 as
    qmail-queue does when the envelope lacks its final NUL, and otherwise exits with
    the number in dir/exit if that file exists, or 82 after copying dir/custom to
    fd 6 if that one does, else 0."""

    def __init__(self, name):
        self.dir = tempfile.mkdtemp(prefix="qt-%s-rec." % name, dir="/tmp")
        os.chmod(self.dir, 0o777)
        self.prog = os.path.join(self.dir, "qq")
        with open(self.prog, "w") as f:
            f.write(RECORDER % self.dir)
        os.chmod(self.prog, 0o755)

    def records(self):
        """The messages recorded, oldest first: [(message bytes, envelope bytes)]."""
        out = []
        for m in sorted(glob.glob(os.path.join(self.dir, "*.msg")), key=os.path.getmtime):
            with open(m, "rb") as f, open(m[:-4] + ".env", "rb") as e:
                out.append((f.read(), e.read()))
        return out

    def clear(self):
        """Forget the messages recorded, and the exit and custom files."""
        for f in glob.glob(os.path.join(self.dir, "*.*")) + \
                glob.glob(os.path.join(self.dir, "exit")) + glob.glob(os.path.join(self.dir, "custom")):
            os.unlink(f)

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def envelope(env):
    """(sender, [recipients]) of an envelope as qmail-queue reads it on fd 1."""
    parts = env.split(b"\0")
    return parts[0][1:].decode("latin-1"), [p[1:].decode("latin-1") for p in parts[1:] if p]


def children():
    """{pid: [its children's pids]} of every process, from /proc/PID/stat."""
    kids = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open("/proc/%s/stat" % d) as f:
                    st = f.read()
            except OSError:
                continue
            kids.setdefault(int(st[st.rindex(")") + 2:].split()[1]), []).append(int(d))
    return kids


def wait_for(pred, timeout=30.0, step=0.05):
    """Poll pred() until it is true or timeout seconds pass; return its last value."""
    end = time.monotonic() + timeout
    while True:
        v = pred()
        if v or time.monotonic() >= end:
            return v
        time.sleep(step)
