#!/usr/bin/python3
# qtools.py - the queue tools beyond qmail, on a private install with the real daemons:
#   qmail-qctl hold/release/requeue/remove while qmail-send runs (a remote message
#   routed by smtproutes to a closed loopback port, then to a sink that comes up),
#   a hold that survives a restart, a removal that bounces nothing, and the direct
#   actions while qmail-send is stopped;
#   qmail-qcheck on a deliberately damaged queue: each problem reported, -r refused
#   while qmail-send runs, repaired while it is stopped, clean afterwards, and mail
#   still flowing, the repaired messages included;
#   maildirwatch screens before and after messages arrive.
# Prints ok/FAIL per assertion and ends with "N passed, N failed".
import grp
import os
import pwd
import re
import signal
import subprocess
import sys
import time

TOP = os.environ.get("TOP", os.getcwd())
sys.path.insert(0, os.path.join(TOP, "tests"))
from qmailtest import Listener, Results, free_port, installed, run, wait_for  # noqa: E402

R = Results()
SPLIT = 23
ME = "mx.qtools.example"


class Sink(Listener):
    """An SMTP server in a thread that accepts everything and records recipients."""

    def __init__(self, port):
        self.rcpts = []
        super().__init__(port=port, backlog=8)

    def session(self, c):
        f = c.makefile("rb")
        c.sendall(b"220 sink\r\n")
        got = []
        while True:
            line = f.readline()
            if not line:
                return
            verb = line[:4].upper()
            if verb == b"RCPT":
                got.append(re.sub(rb"^RCPT TO:<(.*?)>.*\r?\n?$", rb"\1", line, flags=re.I)
                           .decode())
                c.sendall(b"250 ok\r\n")
            elif verb == b"DATA":
                c.sendall(b"354 go\r\n")
                while f.readline() not in (b".\r\n", b""):
                    pass
                self.rcpts.extend(got)
                c.sendall(b"250 accepted\r\n")
            elif verb == b"QUIT":
                c.sendall(b"221 bye\r\n")
                return
            elif verb == b"EHLO":
                c.sendall(b"250-sink\r\n250 8BITMIME\r\n")
            else:
                c.sendall(b"250 ok\r\n")


P = installed(R, "qtools", where=True)
Q = P.path("queue")
US = pwd.getpwnam("qmails").pw_uid
UQ = pwd.getpwnam("qmailq").pw_uid
GQ = grp.getgrnam("qmail").gr_gid
LIVE = free_port()  # the sink comes up here later
DEAD = free_port()  # nothing ever listens here
P.control("me", ME + "\n")
P.control("locals", ME + "\n")
P.control("smtproutes", "sink.example:127.0.0.1:%d\ndead.example:127.0.0.1:%d\n" % (LIVE, DEAD))

for d in ("ctl", "hold"):
    st = os.stat(os.path.join(Q, d))
    R.ok(st.st_uid == US and st.st_mode & 0o7777 == 0o700, "queue/%s is qmails 0700" % d)


def queue(sender, rcpts, body=b"Subject: t\n\nbody\n"):
    env = b"F" + sender.encode() + b"\0" + b"".join(b"T" + r.encode() + b"\0" for r in rcpts)
    r, w = os.pipe()
    os.write(w, env + b"\0")
    os.close(w)
    p = subprocess.run([P.bin("qmail-queue")], input=body, stdout=r, capture_output=False)
    os.close(r)
    return p.returncode


def qread():
    return run([P.bin("qmail-qread")]).stdout.decode()


def ids():
    return [int(x) for x in re.findall(r"#(\d+)", qread())]


def idof(rcpt):
    """the message that qmail-qread lists with recipient rcpt"""
    mid = None
    for line in qread().splitlines():
        m = re.search(r"#(\d+)", line)
        if m:
            mid = int(m.group(1))
        elif line.endswith("\t" + rcpt):
            return mid
    return None


def newid(before):
    got = wait_for(lambda: [i for i in ids() if i not in before], 10)
    return got[0] if got else None


def qctl(*args, user=None):
    pre = None
    if user:
        pw = pwd.getpwnam(user)

        def pre():
            os.setgroups([])
            os.setgid(pw.pw_gid)
            os.setuid(pw.pw_uid)
    r = run([P.bin("qmail-qctl")] + [str(a) for a in args], preexec_fn=pre)
    return r.returncode, r.stdout.decode(), r.stderr.decode()


def qcheck(*args):
    r = run([P.bin("qmail-qcheck")] + list(args))
    return r.returncode, r.stdout.decode(), r.stderr.decode()


def path(kind, mid):
    if kind in ("mess", "info", "local", "remote"):
        return os.path.join(Q, kind, str(mid % SPLIT), str(mid))
    return os.path.join(Q, kind, str(mid))


def since(mid):
    """the log from the last "new msg mid" on (message numbers are inodes: reused)"""
    text = P.logtext()
    return text[text.rfind("\nnew msg %d\n" % mid) + 1:]


def starts(mid):
    """how many deliveries of msg mid the log shows"""
    return len(re.findall(r"^starting delivery \d+: msg %d to " % mid, since(mid), re.M))


def started():
    return wait_for(lambda: re.search(r"^status: local 0/\d+ remote 0/\d+$", P.logtext(), re.M),
                    15)


def restart():
    rc = P.stop()
    open(P.log, "w").close()
    P.start()
    return rc, started()


# ------------------------------------------------------------------ hold and friends
P.start()
R.ok(started(), "qmail-send started")
R.ok(queue("postmaster@" + ME, ["a@sink.example"]) == 0, "queued a message to sink.example")
A = newid([])
R.ok(A is not None, "qmail-qread shows it")
R.ok(wait_for(lambda: re.search(r"^delivery \d+: deferral: ", P.logtext(), re.M), 15),
     "first attempt deferred (port closed)")

rc, out, err = qctl("hold", A)
R.eq((rc, out, err), (0, "hold msg %d: done\n" % A, ""), "qctl hold: done")
R.ok(re.search(r"^hold msg %d$" % A, P.logtext(), re.M), "qmail-send logs hold msg")
R.ok(os.path.exists(path("hold", A)), "hold/ID marker exists")
R.ok(re.search(r"#%d  \d+  <postmaster@%s>  held\n" % (A, re.escape(ME)), qread()),
     "qread shows it held", qread())
R.eq(os.listdir(os.path.join(Q, "ctl")), [], "request file removed by qmail-send")
n = starts(A)
P.signal(signal.SIGALRM)
time.sleep(2)
R.eq(starts(A), n, "held: SIGALRM does not start a delivery")

rc, ok = restart()
R.ok(rc == 0 and ok, "qmail-send restarted")
P.signal(signal.SIGALRM)
time.sleep(2)
R.eq(starts(A), 0, "held across the restart: no delivery")
R.ok(os.path.exists(path("hold", A)), "hold marker kept across the restart")

rc, out, err = qctl("release", "#%d" % A)
R.eq((rc, out), (0, "release msg %d: done\n" % A), "qctl release (with #): done")
R.ok(re.search(r"^release msg %d$" % A, P.logtext(), re.M), "qmail-send logs release msg")
R.ok(not os.path.exists(path("hold", A)), "hold marker gone")
R.ok(" held" not in qread(), "qread no longer shows it held")
R.ok(wait_for(lambda: starts(A) == 1, 10), "released: the overdue retry happens at once")
R.ok(wait_for(lambda: re.search(r"^delivery \d+: deferral: ", P.logtext(), re.M), 15),
     "and is deferred again")

sink = Sink(LIVE)
time.sleep(1)
R.eq(starts(A), 1, "no retry of its own soon after (next one is minutes away)")
rc, out, err = qctl("requeue", A)
R.eq((rc, out), (0, "requeue msg %d: done\n" % A), "qctl requeue: done")
R.ok(wait_for(lambda: "a@sink.example" in sink.rcpts, 10), "requeue: delivered at once to the sink")
R.ok(wait_for(lambda: re.search(r"^end msg %d$" % A, P.logtext(), re.M), 10), "end msg logged")
R.ok(A not in ids(), "qread no longer shows it")

# remove: a message with a bounce paragraph (unknown local user) and a pending remote one
before = ids()
R.ok(queue("postmaster@" + ME, ["nosuch-user-x@" + ME, "b@dead.example"]) == 0, "queued B")
B = newid(before)
R.ok(wait_for(lambda: os.path.exists(path("bounce", B)), 15), "B has a bounce paragraph")
R.ok(wait_for(lambda: " bouncing" in qread(), 5), "qread: B is bouncing")
R.ok(wait_for(lambda: starts(B) == 2, 15), "B: both deliveries started", since(B))
time.sleep(1)
alias_new = P.path("alias", "Maildir", "new")
inbox = len(os.listdir(alias_new))
rc, out, err = qctl("remove", B)
R.eq((rc, out), (0, "remove msg %d: done\n" % B), "qctl remove: done")
log = since(B)
R.ok(re.search(r"^remove msg %d$" % B, log, re.M), "qmail-send logs remove msg")
R.ok(re.search(r"^end msg %d$" % B, log, re.M), "and end msg")
R.ok(B not in ids(), "qread no longer shows B")
for kind in ("mess", "info", "local", "remote", "bounce", "hold"):
    R.ok(not os.path.exists(path(kind, B)), "B: no %s file left" % kind)
time.sleep(2)
R.ok(not re.search(r"^bounce msg %d " % B, since(B), re.M), "nothing bounced for B")
R.eq(len(os.listdir(alias_new)), inbox, "no bounce reached the sender")

# remove while a delivery runs: it waits for the report, then drops the rest
with open(P.path("alias", ".qmail-slow"), "w") as f:
    f.write("|sleep 3\n")
before = ids()
R.ok(queue("postmaster@" + ME, ["slow@" + ME, "e@dead.example"]) == 0, "queued E")
E = newid(before)
R.ok(wait_for(lambda: starts(E) == 2, 10), "E: both deliveries started")
rc, out, err = qctl("remove", E)
R.eq((rc, out), (0, "remove msg %d: done\n" % E), "qctl remove of E: done")
log = since(E)
m = re.search(r"^starting delivery (\d+): msg %d to local" % E, log, re.M)
done = re.search(r"^delivery %s: success: " % (m.group(1) if m else "x"), log, re.M)
rm = re.search(r"^remove msg %d$" % E, log, re.M)
R.ok(done and rm and done.start() < rm.start(), "the removal waited for the running delivery")
R.ok(E not in ids(), "E is gone")

# malformed requests and requests for no message, straight into ctl/
def request(name, data):
    p = os.path.join(Q, "ctl", name)
    with open(p, "wb") as f:
        f.write(data)
    os.chown(p, US, GQ)
    fd = os.open(os.path.join(Q, "lock", "trigger"), os.O_WRONLY | os.O_NONBLOCK)
    os.write(fd, b"x")
    os.close(fd)
    return p


p1 = request("1.1", b"frob 1\n")
p2 = request("2.1", b"hold 1\n")
R.ok(wait_for(lambda: "warning: malformed request ctl/1.1; removed" in P.logtext(), 10),
     "malformed request logged")
R.ok(wait_for(lambda: "warning: hold request for msg 1: no such message" in P.logtext(), 10),
     "request for no message logged")
R.ok(wait_for(lambda: os.listdir(os.path.join(Q, "ctl")) == [], 5), "both removed")

# Message numbers are inode numbers, which the spare queue files make come back soon
# after a message ends: a request made before a message was queued was meant for an
# earlier one and is dropped, and a hold marker left by a hold that came while a
# message's last delivery ran goes with that message.
before = ids()
R.ok(queue("postmaster@" + ME, ["h@dead.example"]) == 0, "queued H")
H = newid(before)
usec = os.stat(path("mess", H)).st_mtime_ns // 1000 - 5000000
request("%d.1" % usec, b"hold %d\n" % H)
R.ok(wait_for(lambda: "warning: hold request for msg %d: made before this message was queued; "
              "removed" % H in P.logtext(), 10), "a request older than the message is dropped")
R.ok(wait_for(lambda: os.listdir(os.path.join(Q, "ctl")) == [], 5), "and removed")
R.ok(not os.path.exists(path("hold", H)), "H not held")
R.eq(qctl("remove", H)[0], 0, "H removed")
before = ids()
R.ok(queue("postmaster@" + ME, ["slow@" + ME]) == 0, "queued S (one slow local delivery)")
S = newid(before)
R.ok(wait_for(lambda: starts(S) == 1, 10), "S: delivery started")
rc, out, err = qctl("hold", S)
R.eq((rc, out), (0, "hold msg %d: done\n" % S), "hold S while its delivery runs")
R.ok(wait_for(lambda: re.search(r"^end msg %d$" % S, since(S), re.M), 10), "S ends all the same")
R.ok(not os.path.exists(path("hold", S)), "S's hold marker went with it")
R.eq(os.listdir(os.path.join(Q, "hold")), [], "hold/ is empty")

# The spare queue files are in use: the finished messages left their files, cut to
# their first block, in the pools, and the next message's number is the inode of a
# spare from the part of qpool/ its qmail-queue's pid picks (each part is given a
# spare first, so that whichever it picks has one).


def spares(d):
    """inode -> size of every file in the pool directory d"""
    return {os.stat(os.path.join(d, n)).st_ino: os.stat(os.path.join(d, n)).st_size
            for n in os.listdir(d)}


pools = {"qpool": {}, "sspare": spares(os.path.join(Q, "sspare"))}
parts = sorted(os.listdir(os.path.join(Q, "qpool")), key=int)
R.eq(parts, [str(k) for k in range(23)], "qpool/ is split like mess/")
for k in parts:
    pools["qpool"].update(spares(os.path.join(Q, "qpool", k)))
R.ok(pools["qpool"], "qmail-clean kept finished mess and intd files in qpool/")
R.ok(pools["sspare"], "qmail-send kept finished info, local and remote files in sspare/")
R.ok(max(list(pools["qpool"].values()) + list(pools["sspare"].values())) <= 4096,
     "every spare keeps at most its first 4096 bytes")
# A spare still holds an earlier file's bytes, which the next writer writes over and
# cuts off: fill every qmail-queue spare with junk longer than P's files
JUNK = b"stale " * 600
for k in parts:
    d = os.path.join(Q, "qpool", k)
    for n in os.listdir(d) or ["1000"]:
        f = os.path.join(d, n)
        with open(f, "wb") as fh:
            fh.write(JUNK)
        os.chown(f, UQ, -1)
        pools["qpool"][os.stat(f).st_ino] = len(JUNK)
before = ids()
R.ok(queue("postmaster@" + ME, ["p@dead.example"]) == 0, "queued P")
PM = newid(before)
R.ok(PM in pools["qpool"], "P's number is the inode of a spare from qpool/")
with open(path("mess", PM), "rb") as fh:
    pm = fh.read()
R.ok(pm.startswith(b"Received: (qmail ") and pm.endswith(b"\n\nbody\n") and b"stale" not in pm,
     "P's message is exactly what was queued, none of the spare's old bytes")
R.ok(wait_for(lambda: os.path.exists(path("remote", PM)), 10), "P preprocessed")
with open(path("info", PM), "rb") as fh:
    R.eq(fh.read(), b"Fpostmaster@" + ME.encode() + b"\0", "P's info holds its sender alone")
with open(path("remote", PM), "rb") as fh:
    R.eq(fh.read(), b"Tp@dead.example\0", "P's remote holds its recipient alone")
R.ok("truncated record" not in since(PM) and "malformed" not in since(PM),
     "P's envelope read cleanly")
R.eq(qctl("remove", PM)[0], 0, "P removed")

# errors
rc, out, err = qctl("hold", 1)
R.eq((rc, err), (100, "qmail-qctl: warning: no message 1 in the queue\n"), "qctl: unknown ID: 100")
R.eq(qctl("frob", 1)[0], 100, "qctl: unknown verb: 100")
R.eq(qctl("hold")[0], 100, "qctl: no ID: 100")
R.eq(qctl("hold", "12x")[0], 100, "qctl: bad ID: 100")
rc, out, err = qctl("hold", 1, user="nobody")
R.eq((rc, err), (111, "qmail-qctl: fatal: must be run by root or qmails\n"), "qctl as nobody: 111")
rc, out, err = qcheck("-r")
R.eq(rc, 2, "qcheck -r while qmail-send runs: exit 2")
R.ok("qmail-send is running" in err, "qcheck -r says why", err)
rc, out, err = qcheck()
R.eq((rc, out), (0, "no problems found\n"), "qcheck while running: clean queue")
os.mkdir(P.path("supervise"))  # qmailctl wants the directory of make run
r = run([P.bin("qmailctl"), "check"])
R.eq((r.returncode, r.stdout), (0, b"no problems found\n"), "qmailctl check runs qmail-qcheck")
r = run([P.bin("qmailctl"), "hold", "1"])
R.eq(r.returncode, 100, "qmailctl hold passes its arguments to qmail-qctl")
R.eq(run([P.bin("qmailctl"), "hold"]).returncode, 1, "qmailctl hold without an ID: usage")

# messages for the damage: C (hold while stopped), D, F, G deferred to dead.example
before = ids()
for x in ("d", "f", "g"):
    queue("postmaster@" + ME, [x + "@dead.example"])
R.ok(wait_for(lambda: all(idof(x + "@dead.example") for x in "dfg"), 10), "D, F, G queued")
D, F, G = (idof(x + "@dead.example") for x in "dfg")
R.ok(wait_for(lambda: all(starts(x) for x in (D, F, G)), 10), "D, F, G tried")
time.sleep(1)
R.eq(P.stop(), 0, "qmail-send stopped")
before = ids()
queue("postmaster@" + ME, ["c@sink.example"])
C = newid(before)
r = run([P.bin("qmailctl"), "hold", str(C)])
R.eq((r.returncode, r.stdout.decode()), (0, "hold msg %d: done (qmail-send is not running)\n" % C),
     "qmailctl hold while stopped")
R.ok(os.path.exists(path("hold", C)), "hold marker made directly")
os.utime(path("remote", F), (1, 1))
rc, out, err = qctl("requeue", F)
R.eq(rc, 0, "qctl requeue while stopped")
R.ok(os.stat(path("remote", F)).st_mtime > time.time() - 60, "requeue sets the channel file time")
rc, out, err = qctl("remove", G)
R.eq((rc, out), (0, "remove msg %d: qmail-send is not running; done when it starts\n" % G),
     "qctl remove while stopped: left for qmail-send")
R.eq(len(os.listdir(os.path.join(Q, "ctl"))), 1, "the request waits in ctl/")
rc, out, err = qctl("release", C)
R.eq(rc, 0, "qctl release while stopped")
R.ok(not os.path.exists(path("hold", C)), "hold marker removed directly")

# damage
rc, out, err = qcheck()
R.eq((rc, out), (0, "no problems found\n"), "qcheck: clean before the damage")
ORPH = 987654321
while os.path.exists(path("mess", ORPH)):
    ORPH += 1


def put(p, data, uid, mode):
    with open(p, "wb") as f:
        f.write(data)
    os.chown(p, uid, GQ)
    os.chmod(p, mode)


put(path("info", ORPH), b"Fx@y\0", US, 0o600)                          # orphan info
put(path("todo", ORPH + 1), b"u0\0p1\0Fx\0", UQ, 0o644)                # orphan todo
os.unlink(path("remote", D))                                           # missing remote part
os.chown(path("info", F), 0, 0)                                        # wrong owner
os.chmod(path("remote", F), 0o644)                                     # wrong mode
put(path("intd", F), b"u0\0p1\0Fpostmaster@x\0", UQ, 0o644)            # stale intd
wrong = os.path.join(Q, "remote", str((F + 1) % SPLIT), str(F))
os.rename(path("remote", F), wrong)                                    # wrong split
os.unlink(path("info", G))                                             # sender lost
put(os.path.join(Q, "ctl", "tmp.12345"), b"hold 1\n", US, 0o600)       # unfinished request
put(path("hold", ORPH + 2), b"", US, 0o600)                            # hold for nothing
STRAY = os.path.join(Q, "todo", "x\x1b[2J\n1\xe9")                       # terminal codes
put(STRAY, b"", UQ, 0o644)
want = {
    "info/%d/%d: no mess file" % (ORPH % SPLIT, ORPH): "removed",
    "todo/%d: no mess file" % (ORPH + 1): "todo and intd removed",
    "info/%d/%d: neither a local nor a remote part: no recipient is left" % (D % SPLIT, D):
        "info and mess removed",
    "info/%d/%d: wrong owner" % (F % SPLIT, F): "owner set",
    "remote/%d/%d: wrong mode" % ((F + 1) % SPLIT, F): "mode set",
    "intd/%d: left over from an injection" % F: "removed",
    "remote/%d/%d: in the wrong split directory" % ((F + 1) % SPLIT, F): "moved to the right one",
    "remote/%d/%d: no info file: the sender is lost" % (G % SPLIT, G):
        "info made with an empty sender",
    "ctl/tmp.12345: unfinished request": "removed",
    "hold/%d: no mess file" % (ORPH + 2): "removed",
}
rc, out, err = qcheck()
R.eq(rc, 1, "qcheck on the damaged queue: exit 1")
lines = out.splitlines()
for k in want:
    R.ok("queue/" + k in lines, "qcheck reports " + k, out)
R.ok("queue/todo/x?[2J?1??: not a message number (left alone)" in lines,
     "qcheck shows a stray name with each unprintable byte as ?", out)
R.eq(lines[-1], "%d problems found" % (len(want) + 1), "qcheck: nothing else reported")
R.eq(err, "", "qcheck: no warnings")
rc, out, err = qcheck("-r")
R.eq((rc, err), (1, ""), "qcheck -r: exit 1, as one problem is not fixed")
lines = out.splitlines()
for k, v in want.items():
    R.ok("queue/%s; fixed: %s" % (k, v) in lines, "qcheck -r fixes " + k, out)
R.eq(lines[-1], "%d problems found, %d fixed" % (len(want) + 1, len(want)),
     "qcheck -r: all fixed but the stray name, which it leaves alone")
R.ok(os.path.exists(STRAY), "qcheck -r left the stray name alone")
os.unlink(STRAY)
R.eq(qcheck("-r"), (0, "no problems found\n", ""), "qcheck -r after the repair: clean, exit 0")
R.ok(not os.path.exists(path("mess", D)), "D (no recipient left) is gone")
R.ok(os.path.exists(path("mess", F)) and os.path.exists(path("mess", G)), "F and G kept")
st = os.stat(path("info", F))
R.ok(st.st_uid == US, "F's info owned by qmails again")
with open(path("info", G), "rb") as f:
    R.eq(f.read(), b"F\0", "G's new info has an empty sender")

# mail flows again: dead.example now leads to the sink; G's remove request waits
P.control("smtproutes", "sink.example:127.0.0.1:%d\ndead.example:127.0.0.1:%d\n" % (LIVE, LIVE))
P.start()
R.ok(started(), "qmail-send started after the repair")
R.ok(wait_for(lambda: re.search(r"^remove msg %d$" % G, since(G), re.M), 10),
     "the remove request left while stopped is carried out at startup")
R.ok(wait_for(lambda: "c@sink.example" in sink.rcpts, 15), "C (held and released) delivered")
R.ok(wait_for(lambda: "f@dead.example" in sink.rcpts, 15), "F (requeued, repaired) delivered")
before = ids()
queue("postmaster@" + ME, ["new@sink.example"])
R.ok(wait_for(lambda: "new@sink.example" in sink.rcpts, 15), "a new message flows")
R.ok(wait_for(lambda: ids() == [], 10), "queue empty at the end", qread())
R.ok("g@dead.example" not in sink.rcpts, "G was removed, not delivered")
R.eq(P.stop(), 0, "qmail-send exits cleanly")
R.eq(qcheck(), (0, "no problems found\n", ""), "qcheck at the end: clean")

# ------------------------------------------------------------------ maildirwatch
md = P.path("md")
for sub in ("", "tmp", "new", "cur"):
    os.mkdir(os.path.join(md, sub))
w = subprocess.Popen([P.bin("maildirwatch"), "-i", "1"], env={"MAILDIR": md},
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
time.sleep(1.5)
with open(os.path.join(md, "new", "1000.1.host"), "wb") as f:
    f.write(b"Subject: first\r\n  folded\r\nFrom: Alice <alice@example.org>\r\n\r\nFrom: no\n")
with open(os.path.join(md, "cur", "1001.1.host:2,"), "wb") as f:
    f.write(b"From: bob@example.org\nSubject: esc \x1b[2J\xe9\n\nbody\n")
with open(os.path.join(md, "cur", "1002.1.host:2,S"), "wb") as f:
    f.write(b"From: seen@example.org\nSubject: seen\n\n")
time.sleep(2.5)
w.kill()
out, err = w.communicate()
screens = out.split(b"\x1b[H\x1b[2J")
R.eq(screens[0], b"", "maildirwatch: each screen starts by clearing")
R.eq(screens[1], b"0 new messages in " + md.encode() + b"\n\n", "maildirwatch: empty maildir")
R.eq(screens[-1], b"2 new messages in " + md.encode() + b"\n\n"
     b"From: Alice <alice@example.org>\nSubject: first folded\n\n"
     b"From: bob@example.org\nSubject: esc ?[2J?\n\n",
     "maildirwatch: new and unseen messages, oldest first, escapes defused")
esc = P.path("md\x1b[2J")  # a directory name that is an escape sequence
os.rename(md, esc)
w = subprocess.Popen([P.bin("maildirwatch"), "-i", "1"], env={"MAILDIR": esc},
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
time.sleep(0.5)
w.kill()
out, err = w.communicate()
R.eq(out.split(b"\x1b[H\x1b[2J")[1][:len(b"2 new messages in ") + len(esc) + 1],
     b"2 new messages in " + P.path("md?[2J").encode() + b"\n",
     "maildirwatch: $MAILDIR is shown made printable too")
os.rename(esc, md)
r = run([P.bin("maildirwatch")], env={"MAILDIR": md + "/none"})
R.eq(r.returncode, 111, "maildirwatch: missing maildir: 111")
R.eq(run([P.bin("maildirwatch"), "-i", "0"]).returncode, 100, "maildirwatch: -i 0: usage")

P.cleanup()
R.finish()
