#!/usr/bin/python3
"""pop3.py - qmail-popup and qmail-pop3d under tcpserver, on a private install.

A temporary user gets a Maildir with messages in new/ and cur/ (a lone dot line,
leading dots, CR LF and LF line ends, a last line without LF). A checkpassword
written here checks the fd 3 record against a fixed user and password (or an APOP
digest), logs the record, becomes the user with setpriv and runs qmail-pop3d in the
home directory. Debian's tcpserver runs qmail-popup on 127.0.0.1 on a free port of
our own. Python's poplib and a raw socket then log in and check STAT, LIST, UIDL,
RETR (byte for byte on the wire), TOP, DELE, RSET, QUIT, LAST, wrong passwords,
APOP, commands before authorization, NUL bytes, over-long and endless command lines,
and that qmail-pop3d refuses root. The whole session runs twice: with the plain
binaries, and with the ASan/UBSan build. Needs root.
Prints ok/FAIL per assertion and ends with "N passed, N failed".
"""
import os
import poplib
import re
import shutil
import socket
import stat
import sys
import threading
import time

TOP = os.environ.get("TOP") or os.getcwd()
sys.path.insert(0, os.path.join(TOP, "tests"))
import qmailtest  # noqa: E402

R = qmailtest.Results()
run = qmailtest.run
HOST = "pop.example.org"
SECRET = "s3cret pass"  # a space inside: PASS takes the rest of the line
ROOTSECRET = "rootpw"
FAILDELAY = 5

CHECKPW = r'''#!/usr/bin/python3
# checkpassword for the test: fd 3 holds "user NUL pass NUL timestamp NUL"
import hashlib, os, sys
USER, SECRET, ROOTSECRET = %(user)r, %(secret)r, %(rootsecret)r
HOME, LOG = %(home)r, %(log)r
data = b""
while len(data) < 512:
    chunk = os.read(3, 512 - len(data))
    if not chunk:
        break
    data += chunk
with open(LOG, "ab") as f:
    f.write(data + b"\n--\n")
parts = data.split(b"\0")
if len(parts) != 4 or parts[3] != b"":
    sys.exit(2)
user, pw, stamp = parts[0].decode(errors="replace"), parts[1], parts[2]
digest = hashlib.md5(stamp + SECRET.encode()).hexdigest().encode()
if user == "root" and pw == ROOTSECRET.encode():
    os.chdir(HOME)  # a root session with a Maildir: qmail-pop3d must still refuse
    os.execvp(sys.argv[1], sys.argv[1:])
if user == "tempfail":
    sys.exit(111)
if user != USER or pw not in (SECRET.encode(), digest, digest.upper()):
    sys.exit(1)
os.chdir(HOME)
os.environ["USER"] = USER
os.environ["HOME"] = HOME
os.execvp("setpriv", ["setpriv", "--reuid", USER, "--regid", USER, "--init-groups"] + sys.argv[1:])
'''

# the messages: (where, name, mtime, content)
MSGS = [
    ("new", "1000000000.M1P1.host", 1000000000,
     b"From: a@example.org\nSubject: first\n\nHello\n.leading dot\n..two dots\n.\n"
     b"a line with a bare \r CR\nend without newline"),
    ("cur", "1000000100.M2P2.host:2,S", 1000000100,
     b"Subject: second\r\n\r\nline one\r\n.\r\nline three\r\n"),
    ("new", "1000000200.M3P3.host", 1000000200,
     b"Subject: third\nX-Long: " + b"x" * 1500 + b"\n\n1\n2\n3\n4\n5\n"),
]


def wire(data, stuff):
    """The message as POP3 sends it: CR LF lines, a leading dot doubled if stuff."""
    out = b""
    lines = data.split(b"\n")
    last = lines.pop()
    if last:
        lines.append(last)
    for ln in lines:
        if ln.endswith(b"\r"):
            ln = ln[:-1]
        if stuff and ln.startswith(b"."):
            ln = b"." + ln
        out += ln + b"\r\n"
    return out


class Server(qmailtest.TcpServer):
    """tcpserver -v running qmail-popup on 127.0.0.1, logging to a fresh log."""

    def __init__(self, bindir, checkpw, log):
        open(log, "wb").close()
        super().__init__([os.path.join(bindir, "qmail-popup"), HOST, checkpw,
                          os.path.join(bindir, "qmail-pop3d"), "Maildir"],
                         {"PATH": "/usr/bin:/bin"}, "localhost", log, opts=["-v"])


class Raw:
    """A raw POP3 connection: exact bytes in and out."""

    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), 30)
        self.f = self.s.makefile("rb")
        self.greeting = self.line()

    def line(self):
        return self.f.readline(100000)

    def cmd(self, text):
        self.s.sendall(text if isinstance(text, bytes) else text.encode() + b"\r\n")
        return self.line()

    def multi(self):
        """The rest of a multi-line answer, through CR LF . CR LF, as bytes."""
        out = b""
        while not out.endswith(b"\r\n.\r\n") and out != b".\r\n":
            ln = self.line()
            if not ln:
                break
            out += ln
        return out

    def eof(self):
        try:
            return self.f.read() == b""
        except OSError:
            return True

    def close(self):
        self.f.close()
        self.s.close()


def login(port):
    p = poplib.POP3("127.0.0.1", port, timeout=30)
    p.user(USERNAME)
    p.pass_(SECRET)
    return p


def setup_maildir(u):
    md = u.maildir()
    for sub in ("new", "cur", "tmp"):
        for n in os.listdir(os.path.join(md, sub)):
            os.unlink(os.path.join(md, sub, n))
    for where, name, mtime, data in MSGS:
        path = os.path.join(md, where, name)
        with open(path, "wb") as f:
            f.write(data)
        os.chown(path, u.uid, u.gid)
        os.utime(path, (mtime, mtime))
    # a stale tmp/ file (removed at login) and a fresh one (kept)
    for name, age in (("stale", 40 * 3600), ("fresh", 60)):
        path = os.path.join(md, "tmp", name)
        with open(path, "wb") as f:
            f.write(b"partial")
        os.chown(path, u.uid, u.gid)
        t = time.time() - age
        os.utime(path, (t, t))
    return md


def uid_of(name):
    return name.split(":")[0]


def test_authorization(tag, srv, log):
    port = srv.port
    r = Raw(port)
    m = re.match(rb"^\+OK (<\d+\.\d+@" + re.escape(HOST.encode()) + rb">)\r\n$", r.greeting)
    R.ok(m, tag + ": greeting +OK <PID.USEC@HOST>", r.greeting)
    stamp = m.group(1) if m else b""
    r2 = Raw(port)
    R.ok(r2.greeting != r.greeting, tag + ": each connection has its own timestamp")
    r2.close()
    R.ok(r.cmd("STAT").startswith(b"-ERR"), tag + ": STAT before login is refused")
    R.ok(r.cmd("RETR 1").startswith(b"-ERR"), tag + ": RETR before login is refused")
    R.ok(r.cmd("PASS x").startswith(b"-ERR"), tag + ": PASS before USER is refused")
    R.ok(r.cmd("FOO bar").startswith(b"-ERR"), tag + ": an unknown command is refused")
    R.ok(r.cmd(b"USER a\0b\r\n").startswith(b"-ERR"), tag + ": NUL in USER is a syntax error")
    R.ok(r.cmd(b"USER ab\rc\r\n").startswith(b"-ERR"), tag + ": a bare CR is a syntax error")
    R.ok(r.cmd("USER " + "u" * 2000).startswith(b"-ERR"),
         tag + ": a 2000-byte command line is refused")
    R.eq(r.cmd("NOOP"), b"+OK\r\n", tag + ": and the session goes on")
    R.ok(r.cmd("CAPA").startswith(b"+OK"), tag + ": CAPA answered before login")
    capa = r.multi()
    R.ok(b"USER\r\n" in capa and b"TOP\r\n" in capa and b"UIDL\r\n" in capa,
         tag + ": CAPA lists USER, TOP, UIDL", capa)
    R.ok(r.cmd("USER " + USERNAME).startswith(b"+OK"), tag + ": USER accepted")
    open(log, "wb").close()
    R.ok(r.cmd("PASS " + SECRET).startswith(b"+OK"), tag + ": PASS with a space in it accepted")
    with open(log, "rb") as f:
        rec = f.read()
    R.eq(rec, USERNAME.encode() + b"\0" + SECRET.encode() + b"\0" + stamp + b"\0\n--\n",
         tag + ": fd 3 record is user NUL pass NUL timestamp NUL")
    R.eq(r.cmd("USER x")[:4], b"-ERR", tag + ": USER after login is refused")
    R.eq(r.cmd("QUIT"), b"+OK bye\r\n", tag + ": QUIT")
    R.ok(r.eof(), tag + ": connection closed after QUIT")
    r.close()

    # the refusals each take FAILDELAY seconds: run them side by side
    checks = [refuse_wrong, refuse_unknown, refuse_apop, refuse_tempfail, refuse_root]
    results = [[] for _ in checks]
    threads = [threading.Thread(target=f, args=(port, out)) for f, out in zip(checks, results)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    for out in results:
        for cond, what, detail in out:
            R.ok(cond, tag + ": " + what, detail)

    # APOP: the digest over the greeting's timestamp
    p = poplib.POP3("127.0.0.1", port, timeout=30)
    try:
        R.ok(p.apop(USERNAME, SECRET).startswith(b"+OK"), tag + ": APOP with the right digest")
        R.eq(p.stat()[0], 3, tag + ": APOP session sees 3 messages")
        p.quit()
    except poplib.error_proto as e:
        R.ok(False, tag + ": APOP with the right digest", e)


def refuse_wrong(port, out):
    """Wrong password: a delay, -ERR, and the connection is closed."""
    r = Raw(port)
    r.cmd("USER " + USERNAME)
    t0 = time.monotonic()
    ans = r.cmd("PASS wrong")
    took = time.monotonic() - t0
    out.append((ans == b"-ERR authorization failed\r\n", "wrong password: -ERR", ans))
    out.append((took >= FAILDELAY - 0.5, "wrong password answered after a delay", took))
    out.append((r.eof(), "connection closed after a failed login", ""))
    r.close()


def refuse_unknown(port, out):
    p = poplib.POP3("127.0.0.1", port, timeout=30)
    p.user("nosuchuser")
    try:
        p.pass_(SECRET)
        out.append((False, "poplib: unknown user refused", ""))
    except poplib.error_proto as e:
        out.append((str(e).startswith("b'-ERR"), "poplib: unknown user refused", e))
    p.close()


def refuse_apop(port, out):
    r = Raw(port)
    ans = r.cmd("APOP " + USERNAME + " " + "0" * 32)
    out.append((ans == b"-ERR authorization failed\r\n", "APOP with a wrong digest refused", ans))
    r.close()


def refuse_tempfail(port, out):
    """checkpassword exits 111: a temporary failure."""
    r = Raw(port)
    r.cmd("USER tempfail")
    ans = r.cmd("PASS x")
    out.append((ans.startswith(b"-ERR temporary"), "checkpassword exit 111: temporary -ERR", ans))
    r.close()


def refuse_root(port, out):
    """checkpassword lets root in with a Maildir; qmail-pop3d refuses."""
    r = Raw(port)
    r.cmd("USER root")
    ans = r.cmd("PASS " + ROOTSECRET)
    out.append((ans == b"-ERR authorization failed\r\n", "qmail-pop3d refuses a root session", ans))
    r.close()


def test_transaction(tag, srv, md):
    port = srv.port
    p = login(port)
    R.eq(sorted(os.listdir(os.path.join(md, "new"))), [], tag + ": new/ emptied at login")
    cur = sorted(os.listdir(os.path.join(md, "cur")))
    want_cur = sorted([MSGS[0][1] + ":2,", MSGS[1][1], MSGS[2][1] + ":2,"])
    R.eq(cur, want_cur, tag + ": new/ messages moved to cur/ with :2,")
    R.eq(sorted(os.listdir(os.path.join(md, "tmp"))), ["fresh"],
         tag + ": stale tmp/ file removed, fresh one kept")
    sizes = [len(wire(m[3], False)) for m in MSGS]
    R.eq(p.stat(), (3, sum(sizes)), tag + ": STAT: count and exact size")
    resp, lst, _ = p.list()
    R.eq(lst, [b"%d %d" % (i + 1, s) for i, s in enumerate(sizes)],
         tag + ": LIST: oldest first, exact sizes")
    R.eq(p.list(2), b"+OK 2 %d" % sizes[1], tag + ": LIST 2")
    resp, lst, _ = p.uidl()
    R.eq(lst, [b"%d %s" % (i + 1, uid_of(m[1]).encode()) for i, m in enumerate(MSGS)],
         tag + ": UIDL: the names before the info")
    R.eq(p.uidl(3), b"+OK 3 " + uid_of(MSGS[2][1]).encode(), tag + ": UIDL 3")
    for i, m in enumerate(MSGS):
        resp, lines, octets = p.retr(i + 1)
        want = wire(m[3], False).split(b"\r\n")[:-1]
        R.eq(lines, want, tag + ": poplib RETR %d: the message, lines unstuffed" % (i + 1))
        R.eq(resp, b"+OK %d octets" % sizes[i], tag + ": RETR %d: +OK with the size" % (i + 1))
    resp, lines, _ = p.top(3, 2)
    R.eq(lines, [b"Subject: third", b"X-Long: " + b"x" * 1500, b"", b"1", b"2"],
         tag + ": TOP 3 2: header, blank line, two body lines")
    resp, lines, _ = p.top(1, 0)
    R.eq(lines, [b"From: a@example.org", b"Subject: first", b""], tag + ": TOP 1 0: header only")
    R.eq(p._shortcmd("LAST"), b"+OK 3", tag + ": LAST: highest message retrieved")
    for bad in ("RETR 0", "RETR 4", "RETR 18446744073709551616", "DELE 99", "TOP 1", "LIST x"):
        try:
            p._shortcmd(bad)
            R.ok(False, tag + ": " + bad + " refused")
        except poplib.error_proto:
            R.ok(True, tag + ": " + bad + " refused")
    p.quit()

    # RETR on the wire, byte for byte
    r = Raw(port)
    r.cmd("USER " + USERNAME)
    r.cmd("PASS " + SECRET)
    for i, m in enumerate(MSGS):
        ans = r.cmd("RETR %d" % (i + 1))
        body = r.multi()
        R.eq(body, wire(m[3], True) + b".\r\n",
             tag + ": RETR %d on the wire: CR LF lines, dots doubled, final dot" % (i + 1))
    ans = r.cmd("TOP 1 3")
    R.eq(r.multi(), b"From: a@example.org\r\nSubject: first\r\n\r\nHello\r\n..leading dot\r\n"
         b"...two dots\r\n.\r\n", tag + ": TOP 1 3 on the wire, dot-stuffed")
    R.eq(r.cmd("NOOP " + "x" * 5000), b"-ERR line too long\r\n",
         tag + ": qmail-pop3d: an over-long line is refused")
    R.eq(r.cmd("NOOP"), b"+OK\r\n", tag + ": qmail-pop3d: and the session goes on")
    R.eq(r.cmd(b"DELE 1\0\r\n"), b"-ERR syntax error\r\n", tag + ": qmail-pop3d: NUL in a command")
    R.eq(r.cmd("DELE 1"), b"+OK\r\n", tag + ": DELE 1")
    R.eq(r.cmd("DELE 1"), b"-ERR no such message\r\n", tag + ": DELE 1 again refused")
    R.eq(r.cmd("RETR 1"), b"-ERR no such message\r\n", tag + ": RETR of a deleted message")
    R.eq(r.cmd("STAT"), b"+OK 2 %d\r\n" % (sizes[1] + sizes[2]), tag + ": STAT leaves it out")
    r.cmd("LIST")
    R.eq(r.multi(), b"2 %d\r\n3 %d\r\n.\r\n" % (sizes[1], sizes[2]), tag + ": LIST leaves it out")
    R.eq(r.cmd("RSET"), b"+OK\r\n", tag + ": RSET")
    R.eq(r.cmd("STAT"), b"+OK 3 %d\r\n" % sum(sizes), tag + ": RSET undoes DELE")
    R.eq(r.cmd("LAST"), b"+OK 0\r\n", tag + ": RSET resets LAST")
    R.eq(r.cmd("DELE 2"), b"+OK\r\n", tag + ": DELE 2 then hang up")
    r.close()
    time.sleep(0.5)
    R.eq(len(os.listdir(os.path.join(md, "cur"))), 3, tag + ": no QUIT: nothing removed")

    p = login(port)
    p.dele(2)
    p.rset()
    p.quit()
    R.eq(len(os.listdir(os.path.join(md, "cur"))), 3, tag + ": DELE, RSET, QUIT: nothing removed")

    p = login(port)
    p.dele(2)
    R.ok(p.quit().startswith(b"+OK"), tag + ": DELE 2, QUIT: +OK")
    R.eq(sorted(os.listdir(os.path.join(md, "cur"))),
         sorted([MSGS[0][1] + ":2,", MSGS[2][1] + ":2,"]), tag + ": QUIT removed message 2")
    p = login(port)
    R.eq(p.stat()[0], 2, tag + ": next session sees 2 messages")
    p.quit()


def test_flood(tag, srv):
    before = srv.logtext().count(" status ")
    s = socket.create_connection(("127.0.0.1", srv.port), 30)
    s.recv(1000)
    try:
        for _ in range(20):
            s.sendall(b"U" * 10000)  # 200 KB and no end of line
        time.sleep(0.5)
        data = s.recv(1000)
        R.ok(data in (b"", b"-ERR line too long\r\n"), tag + ": endless line: -ERR or hang-up", data)
    except OSError:
        R.ok(True, tag + ": endless line: the connection was dropped")
    s.close()
    qmailtest.wait_for(lambda: srv.logtext().count(" status ") > before, 10)
    ends = re.findall(r"end \d+ status (\d+)", srv.logtext())
    # another connection may end after this one: look at every end since it began
    R.ok("256" in ends[before:], tag + ": qmail-popup exited 1, did not crash", ends[-3:])
    R.ok(all(int(e) % 256 == 0 for e in ends), tag + ": no session was killed by a signal", ends)


def test_direct(tag, bindir, u):
    """qmail-pop3d and qmail-popup run by hand: root refused, usage, transcripts."""
    r = run([os.path.join(bindir, "qmail-pop3d"), "Maildir"], cwd=u.home, input=b"STAT\r\n")
    R.eq((r.returncode, r.stdout), (1, b""), tag + ": qmail-pop3d as root: exit 1, no output")
    R.ok(b"root" in r.stderr, tag + ": qmail-pop3d as root says why", r.stderr)
    r = run(["setpriv", "--reuid", USERNAME, "--regid", USERNAME, "--init-groups",
             os.path.join(bindir, "qmail-pop3d"), "NoSuchMaildir"], cwd=u.home, input=b"")
    R.eq((r.returncode, r.stdout), (111, b""), tag + ": qmail-pop3d without a Maildir: 111")
    r = run([os.path.join(bindir, "qmail-popup")], input=b"")
    R.eq(r.returncode, 100, tag + ": qmail-popup usage: 100")
    r = run([os.path.join(bindir, "qmail-popup"), "bad host", "true"], input=b"")
    R.eq(r.returncode, 100, tag + ": qmail-popup refuses a host name with a space")
    r = run(["setpriv", "--reuid", USERNAME, "--regid", USERNAME, "--init-groups",
             os.path.join(bindir, "qmail-pop3d"), "Maildir"], cwd=u.home,
            input=b"STAT\r\nUIDL 1\r\nQUIT\r\n")
    R.ok(r.returncode == 0 and r.stdout.startswith(b"+OK\r\n+OK 2 ") and
         r.stdout.endswith(b"+OK bye\r\n"), tag + ": qmail-pop3d transcript on pipes",
         (r.returncode, r.stdout, r.stderr))


def session(tag, bindir, u, checkpw, log, logdir):
    setup_maildir(u)
    srv = Server(bindir, checkpw, os.path.join(logdir, "tcpserver-" + tag + ".log"))
    try:
        if not R.ok(srv.up(), tag + ": tcpserver listening on 127.0.0.1:%d" % srv.port):
            return
        test_authorization(tag, srv, log)
        test_transaction(tag, srv, os.path.join(u.home, "Maildir"))
        test_flood(tag, srv)
        test_direct(tag, bindir, u)
        log_text = srv.logtext()
        R.ok("runtime error" not in log_text and "AddressSanitizer" not in log_text,
             tag + ": no sanitizer reports", log_text[-2000:])
    finally:
        srv.stop()


def main():
    global USERNAME
    if os.getuid() != 0:
        R.ok(False, "pop3.py must run as root")
        R.finish()
    p = qmailtest.Prefix("pop3")
    u = None
    san = os.path.join(TOP, "build", "san" + p.home.replace("/", "_"))
    try:
        if not R.ok(p.ready, "private install in " + p.home):
            R.finish()
        for name, mode in (("qmail-popup", 0o711), ("qmail-pop3d", 0o755)):
            st = os.stat(p.bin(name))
            R.eq(stat.S_IMODE(st.st_mode), mode, "installed %s mode %o" % (name, mode))
        u = qmailtest.User("qtpop")
        USERNAME = u.name
        log = p.path("checkpw.log")
        checkpw = p.path("checkpw")
        with open(checkpw, "w") as f:
            f.write(CHECKPW % {"user": u.name, "secret": SECRET, "rootsecret": ROOTSECRET,
                               "home": u.home, "log": log})
        os.chmod(checkpw, 0o700)
        session("plain", p.path("bin"), u, checkpw, log, p.home)
        r = run(["make", "--no-print-directory", "QMAIL=" + p.home, "SAN=1"] +
                [os.path.join(os.path.relpath(san, TOP), "bin", t)
                 for t in ("qmail-popup", "qmail-pop3d")], cwd=TOP)
        if R.ok(r.returncode == 0, "sanitized build of qmail-popup and qmail-pop3d",
                r.stderr[-2000:]):
            sanbin = p.path("sanbin")
            os.mkdir(sanbin)
            os.chmod(sanbin, 0o755)
            for t in ("qmail-popup", "qmail-pop3d"):
                shutil.copy(os.path.join(san, "bin", t), sanbin)
                os.chmod(os.path.join(sanbin, t), 0o755)
            session("sanitized", sanbin, u, checkpw, log, p.home)
    finally:
        if u:
            u.remove()
        p.cleanup()
        shutil.rmtree(san, ignore_errors=True)
    R.finish()


USERNAME = ""
main()
