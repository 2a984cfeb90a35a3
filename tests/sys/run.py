#!/usr/bin/env python3
"""run.py - make run for real, into a private home: its own svscan directory (with an
svscan this test starts and kills), its own log directory, tcprules file and SMTP port
on 127.0.0.1, and SENDMAIL=no so /usr/sbin/sendmail is never touched. Checks that the
supervised services come up, accept SMTP, deliver to postmaster's Maildir, survive
svc -t and kill -9 of qmail-send, that qmailctl works and that a second make run
changes nothing. Runs as root. Prints ok/FAIL per assertion, then "N passed, N failed"."""

import glob
import hashlib
import os
import shutil
import signal
import smtplib
import subprocess
import sys
import tempfile
import time

TOP = os.environ.get("TOP", os.getcwd())
sys.path.insert(0, os.path.join(TOP, "tests"))
from qmailtest import Results, free_port, kill_under, run, wait_for  # noqa: E402

R = Results()
if os.geteuid() != 0:
    R.ok(False, "run tests must run as root")
    R.finish()
for tool in ("svscan", "tcpserver", "tcprules", "multilog"):
    if not shutil.which(tool):
        R.ok(False, "%s is installed" % tool)
        R.finish()

BASE = tempfile.mkdtemp(prefix="qt-run.", dir="/tmp")
os.chmod(BASE, 0o755)
Q = os.path.join(BASE, "q")
SV = os.path.join(BASE, "service")
LOG = os.path.join(BASE, "log")
RULES = os.path.join(BASE, "tcp.smtp")
BUILD = os.path.join(TOP, "build", Q.replace("/", "_"))
os.makedirs(SV)


PORT = free_port()
VARS = ["QMAIL=" + Q, "SVDIR=" + SV, "LOGDIR=" + LOG, "SMTPPORT=%d" % PORT,
        "SMTPADDR=127.0.0.1", "TCPRULES=" + RULES, "SENDMAIL=no", "ME=mx.hrun.test"]
sendmail_before = os.path.realpath("/usr/sbin/sendmail") if os.path.lexists("/usr/sbin/sendmail") else None

svscan = subprocess.Popen(["svscan", SV], cwd="/", stdin=subprocess.DEVNULL,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          env={"PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"},
                          start_new_session=True)


def make_run():
    return run(["make", "--no-print-directory", "-j2"] + VARS + ["run"], cwd=TOP)


def svstat(name):
    return run(["svstat", os.path.join(SV, name)]).stdout.decode()


def pid_of(name):
    """the pid supervise reports for a service, or 0"""
    out = svstat(name)
    if ": up (pid " not in out:
        return 0
    return int(out.split("(pid ")[1].split(")")[0])


def listing():
    """names, modes, owners and contents of what make run writes"""
    out = []
    roots = [os.path.join(Q, "control"), os.path.join(Q, "supervise"), SV,
             os.path.join(Q, "alias"), os.path.join(Q, "rc"), RULES, RULES + ".cdb", LOG]
    for root in roots:
        for d, dirs, files in os.walk(root):
            # supervise's own state and multilog's files change by themselves
            dirs[:] = sorted(x for x in dirs if x not in ("supervise", "Maildir"))
            entries = [d] + [os.path.join(d, f) for f in sorted(files)]
            for p in entries:
                if p.startswith(LOG + "/") and not os.path.isdir(p):
                    continue
                st = os.lstat(p)
                h = ""
                if os.path.islink(p):
                    h = os.readlink(p)
                elif os.path.isfile(p):
                    h = hashlib.sha256(open(p, "rb").read()).hexdigest()
                mt = 0 if os.path.isdir(p) else st.st_mtime_ns
                out.append((p, st.st_mode, st.st_uid, st.st_gid, mt, h))
        if os.path.isfile(root):
            st = os.lstat(root)
            out.append((root, st.st_mode, st.st_mtime_ns,
                        hashlib.sha256(open(root, "rb").read()).hexdigest()))
    return out


def delivered(text):
    for f in glob.glob(os.path.join(Q, "alias", "Maildir", "new", "*")):
        try:
            if text in open(f, "rb").read():
                return f
        except OSError:
            pass
    return None


def smtp_send(tag):
    """one message to postmaster over SMTP; True when accepted"""
    try:
        s = smtplib.SMTP("127.0.0.1", PORT, timeout=20)
        s.sendmail("tester@example.org", ["postmaster@mx.hrun.test"],
                   "From: tester@example.org\r\nTo: postmaster\r\nSubject: %s\r\n\r\nbody %s\r\n"
                   % (tag, tag))
        s.quit()
        return True
    except (OSError, smtplib.SMTPException) as e:
        print("smtp:", e)
        return False


def ctl(*args):
    return run([os.path.join(Q, "bin", "qmailctl")] + list(args))


def cleanup():
    for d in glob.glob(os.path.join(SV, "*")):
        run(["svc", "-dx", d])
        run(["svc", "-dx", os.path.join(d, "log")])
    try:
        os.killpg(svscan.pid, signal.SIGTERM)
    except OSError:
        pass
    try:
        svscan.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(svscan.pid, signal.SIGKILL)
        svscan.wait()
    # supervise, multilog and tcpserver run in the test's directories; the daemons from Q
    time.sleep(0.5)
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            cwd = os.readlink("/proc/%s/cwd" % p)
            cmd = open("/proc/%s/cmdline" % p, "rb").read()
        except OSError:
            continue
        if cwd.startswith(BASE + "/") or BASE.encode() + b"/" in cmd:
            try:
                os.kill(int(p), signal.SIGKILL)
            except OSError:
                pass
    kill_under(Q)
    shutil.rmtree(BASE, ignore_errors=True)
    shutil.rmtree(BUILD, ignore_errors=True)


try:
    # --- first run: install, configure, start, test message -----------------------
    r = make_run()
    out = r.stdout.decode(errors="replace")
    if not R.eq(r.returncode, 0, "make run exits 0"):
        print(out[-3000:], r.stderr.decode(errors="replace")[-3000:])
    R.ok("test message to postmaster arrived" in out, "make run reports the test message", out[-500:])
    R.ok(delivered(b"make run works.") is not None, "the test message is in postmaster's Maildir")
    for svc in ("qmail-qmtpd", "qmail-qmqpd"):
        R.ok(os.path.exists(os.path.join(Q, "supervise", svc, "down")),
             "%s service present but down" % svc)
    R.ok(" -x " in open(os.path.join(Q, "supervise", "qmail-qmqpd", "run")).read(),
         "qmail-qmqpd runs with tcprules")
    for name, want in (("me", "mx.hrun.test\n"), ("locals", "mx.hrun.test\nlocalhost\n"),
                       ("rcpthosts", "mx.hrun.test\nlocalhost\n"),
                       ("defaultdelivery", "./Maildir/\n"), ("concurrencyincoming", "100\n")):
        p = os.path.join(Q, "control", name)
        R.eq(open(p).read() if os.path.exists(p) else None, want, "control/" + name)
    for a in ("postmaster", "mailer-daemon", "root"):
        R.ok(os.path.isfile(os.path.join(Q, "alias", ".qmail-" + a)), "alias/.qmail-" + a)
    R.eq(open(RULES).read(), '127.:allow,RELAYCLIENT=""\n', "tcprules file")
    R.ok(os.path.isfile(RULES + ".cdb"), "tcprules cdb")
    for s in ("qmail-send", "qmail-smtpd"):
        R.eq(os.readlink(os.path.join(SV, s)), os.path.join(Q, "supervise", s), "link " + s)
        R.ok(": up" in svstat(s), s + " is up", svstat(s))
        R.ok(": up" in svstat(s + "/log"), s + " log is up", svstat(s + "/log"))
    smtpd_run = open(os.path.join(Q, "supervise", "qmail-smtpd", "run")).read()
    R.ok("softlimit" in smtpd_run and "-x %s.cdb" % RULES in smtpd_run
         and "concurrencyincoming" in smtpd_run and '-c "$max" -b "$max"' in smtpd_run,
         "smtpd run: softlimit, rules cdb, concurrency and SYN backlog from concurrencyincoming")
    R.ok("multilog t " + LOG in open(os.path.join(Q, "supervise", "qmail-send", "log", "run")).read(),
         "qmail-send logs through multilog into the log directory")
    R.eq(os.path.realpath("/usr/sbin/sendmail") if os.path.lexists("/usr/sbin/sendmail") else None,
         sendmail_before, "/usr/sbin/sendmail untouched with SENDMAIL=no")

    # --- SMTP in, delivered; the logs -----------------------------------------------
    R.ok(smtp_send("first-smtp"), "SMTP accepted on the service's port")
    R.ok(wait_for(lambda: delivered(b"body first-smtp"), 30), "SMTP message delivered to postmaster")
    R.ok(wait_for(lambda: b"end msg" in open(os.path.join(LOG, "current"), "rb").read()
                  if os.path.exists(os.path.join(LOG, "current")) else False, 15),
         "qmail-send's log lines reach LOGDIR/current")
    R.ok(wait_for(lambda: os.path.exists(os.path.join(LOG, "smtpd", "current"))
                  and b"tcpserver" in open(os.path.join(LOG, "smtpd", "current"), "rb").read(), 15),
         "tcpserver's lines reach LOGDIR/smtpd/current")
    s = smtplib.SMTP("127.0.0.1", PORT, timeout=20)
    code, _ = s.rcpt("x@elsewhere.example") if s.mail("a@b.example")[0] == 250 else (0, b"")
    s.quit()
    R.eq(code, 250, "127.0.0.1 may relay (RELAYCLIENT from the rules cdb)")

    # --- svc -t and kill -9 -----------------------------------------------------------
    old = pid_of("qmail-send")
    run(["svc", "-t", os.path.join(SV, "qmail-send")])
    R.ok(wait_for(lambda: pid_of("qmail-send") not in (0, old), 20), "svc -t restarts qmail-send")
    old = pid_of("qmail-smtpd")
    run(["svc", "-t", os.path.join(SV, "qmail-smtpd")])
    R.ok(wait_for(lambda: pid_of("qmail-smtpd") not in (0, old), 20), "svc -t restarts qmail-smtpd")
    R.ok(wait_for(lambda: smtp_send("after-svc-t"), 20), "SMTP after svc -t")
    R.ok(wait_for(lambda: delivered(b"body after-svc-t"), 30), "delivered after svc -t")
    old = pid_of("qmail-send")
    if old:
        os.kill(old, signal.SIGKILL)
    R.ok(wait_for(lambda: pid_of("qmail-send") not in (0, old), 20), "qmail-send back after kill -9")
    R.ok(smtp_send("after-kill"), "SMTP after kill -9 of qmail-send")
    R.ok(wait_for(lambda: delivered(b"body after-kill"), 60), "delivered after kill -9")

    # --- qmailctl -----------------------------------------------------------------------
    r = ctl("stat")
    o = r.stdout.decode()
    R.eq(r.returncode, 0, "qmailctl stat exits 0")
    R.ok("qmail-send: up" in o and "qmail-smtpd: up" in o and "messages in queue" in o,
         "qmailctl stat shows services and queue", o)
    r = ctl("queue")
    R.eq(r.returncode, 0, "qmailctl queue exits 0")
    R.ok(b"messages in queue" in r.stdout, "qmailctl queue shows qmail-qstat", r.stdout)
    r = ctl("doqueue")
    R.eq(r.returncode, 0, "qmailctl doqueue exits 0")
    r = ctl("reload")
    R.eq(r.returncode, 0, "qmailctl reload exits 0")
    r = ctl("cdb")
    R.eq(r.returncode, 0, "qmailctl cdb exits 0")
    R.ok(os.path.isfile(RULES + ".cdb"), "qmailctl cdb leaves the cdb")
    R.eq(ctl("bogus").returncode, 1, "qmailctl with an unknown command exits 1")
    r = ctl("stop")
    R.eq(r.returncode, 0, "qmailctl stop exits 0")
    R.ok(wait_for(lambda: ": down" in svstat("qmail-send") and ": down" in svstat("qmail-smtpd"), 20),
         "qmailctl stop takes both down")
    r = ctl("start")
    R.eq(r.returncode, 0, "qmailctl start exits 0")
    R.ok(wait_for(lambda: ": up" in svstat("qmail-send") and ": up" in svstat("qmail-smtpd"), 20),
         "qmailctl start brings both up")

    # --- second run changes nothing -------------------------------------------------
    before = listing()
    time.sleep(1.1)
    r = make_run()
    R.eq(r.returncode, 0, "second make run exits 0")
    out = r.stdout.decode(errors="replace")
    R.ok("wrote " not in out and "linked " not in out and "compiled " not in out,
         "second make run writes nothing", out[-1500:])
    after = listing()
    R.eq([x for x in after if x not in before], [], "second make run: control, services, rules unchanged")
    R.ok(len(before) > 20, "the listing covers the files", len(before))
finally:
    cleanup()
R.ok(not os.path.exists(BASE), "cleaned up")
R.finish()
