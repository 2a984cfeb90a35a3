#!/usr/bin/env python3
"""smtpd.py - qmail-smtpd for real: a private install, tcpserver on a loopback port
of its own running qmail-smtpd as qmaild:nofiles, and Python's smtplib (or a raw
socket where the test must misbehave) as the client. Most cases queue through a
recording script named by $QMAILQUEUE; a few use the real qmail-queue and check the
queue's todo/ and mess/ files. Runs as root. Prints ok/FAIL per assertion, then
"N passed, N failed"."""

import hashlib
import os
import smtplib
import socket
import stat
import subprocess
import sys
import time

TOP = os.environ.get("TOP", os.getcwd())
sys.path.insert(0, os.path.join(TOP, "tests"))
from qmailtest import RecordingQueue, Results, envelope, need  # noqa: E402

R = Results()
P = need(R, "smtpd", ["tcpserver"])
LOCALNAME = "mx.hsmtpd.test"

QUEUE = RecordingQueue("smtpd")
REC, QQ = QUEUE.dir, QUEUE.prog
records, clear_records = QUEUE.records, QUEUE.clear


def Server(env=None, queue=True):
    """tcpserver running qmail-smtpd with env added (queue: through the recording QQ)"""
    e = {"GREETDELAY": "0"}
    if queue:
        e["QMAILQUEUE"] = QQ
    e.update(env or {})
    return P.tcpserver("qmail-smtpd", e, LOCALNAME)


class Raw:
    """a raw SMTP client, for what smtplib will not do"""

    def __init__(self, port, greet=True):
        self.s = socket.create_connection(("127.0.0.1", port), 10)
        self.buf = b""
        self.greeting = self.reply() if greet else None

    def send(self, b):
        self.s.sendall(b)

    def line(self, timeout=15):
        end = time.monotonic() + timeout
        while b"\n" not in self.buf:
            self.s.settimeout(max(0.01, end - time.monotonic()))
            try:
                d = self.s.recv(65536)
            except (socket.timeout, ConnectionResetError):
                return None
            if not d:
                return None
            self.buf += d
        l, self.buf = self.buf.split(b"\n", 1)
        return l + b"\n"

    def reply(self, timeout=15):
        """one whole reply, all its lines joined; None at EOF"""
        out = b""
        while True:
            l = self.line(timeout)
            if l is None:
                return out or None
            out += l
            if len(l) < 4 or l[3:4] != b"-":
                return out

    def cmd(self, b):
        self.send(b)
        return self.reply()

    def eof(self, timeout=10):
        """whether the server closes the connection (after what is buffered)"""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self.s.settimeout(max(0.01, end - time.monotonic()))
            try:
                d = self.s.recv(65536)
            except socket.timeout:
                return False
            except ConnectionResetError:
                return True
            if not d:
                return True
            self.buf += d
        return False

    def close(self):
        self.s.close()


def code(r):
    return r[:3].decode() if r else None


def body_of(msg):
    """the message without our Received line (two lines)"""
    lines = msg.split(b"\n", 2)
    return lines[2] if len(lines) == 3 else b""


def smtp(srv):
    return smtplib.SMTP("127.0.0.1", srv.port, local_hostname="client.test", timeout=30)


# --- configuration ---------------------------------------------------------------
P.control("me", "hsmtpd.test\n")
P.control("rcpthosts", "example.com\n.example.net\n")
P.control("localiphost", "example.com\n")
P.control("badmailfrom", "bad@evil.example\n@spam.example\n")
for name in ("databytes", "recipients.cdb"):
    try:
        os.unlink(P.path("control", name))
    except OSError:
        pass

S = Server()
R.ok(S.up(), "tcpserver runs qmail-smtpd on port %d" % S.port)

# --- greeting and EHLO ----------------------------------------------------------
c = smtp(S)
code_, msg = c.ehlo()
R.eq(code_, 250, "EHLO 250")
for kw in ("pipelining", "8bitmime", "size", "enhancedstatuscodes"):
    R.ok(c.has_extn(kw), "EHLO announces %s" % kw.upper())
R.ok(msg.split(b"\n")[0] == b"hsmtpd.test", "EHLO first line is the greeting name", msg)
R.eq(c.noop(), (250, b"2.0.0 ok"), "NOOP")
R.eq(c.verify("root")[0], 252, "VRFY 252")
R.eq(c.docmd("HELP")[0], 214, "HELP 214")
R.eq(c.docmd("EXPN", "root")[0], 502, "EXPN 502")
R.eq(c.docmd("STARTTLS")[0], 502, "STARTTLS 502")
R.eq(c.rset(), (250, b"2.0.0 flushed"), "RSET")
R.eq(c.quit()[0], 221, "QUIT 221")

r = Raw(S.port)
R.eq(r.greeting, b"220 hsmtpd.test ESMTP\r\n", "greeting")
R.eq(code(r.cmd(b"HELO x\r\n")), "250", "HELO")
R.eq(r.cmd(b"QUIT\r\n"), b"221 2.0.0 hsmtpd.test\r\n", "QUIT reply")
R.ok(r.eof(), "closed after QUIT")
r.close()

# --- a message, dot-stuffing, 8-bit ----------------------------------------------
clear_records()
text = (b"From: a@example.org\r\nTo: u@example.com\r\nSubject: dots\r\n\r\n"
        b".\r\n..\r\n.leading dot\r\n...three\r\nend.\r\n. \r\n\r\n.")
c = smtp(S)
c.sendmail("a@example.org", ["u@example.com", "v@sub.example.net"], text)
c.quit()
rec = records()
R.eq(len(rec), 1, "one message queued")
if rec:
    m, e = rec[0]
    R.eq(envelope(e), ("a@example.org", ["u@example.com", "v@sub.example.net"]), "envelope")
    R.ok(m.startswith(b"Received: from unknown (HELO client.test) (127.0.0.1)\n  by "
                      + LOCALNAME.encode() + b" with SMTP; "), "Received line", m[:120])
    R.eq(body_of(m), text.replace(b"\r\n", b"\n") + b"\n", "dot-stuffing round trip")

clear_records()
eight = bytes(range(128, 256)) * 4
text = b"Subject: 8bit\r\nContent-Type: text/plain; charset=latin1\r\n\r\n" + eight + b"\r\n" + \
    b"\xe4\xf6\xfc \xc3\xa4\r\n"
c = smtp(S)
c.ehlo()
c.sendmail("a@example.org", ["u@example.com"], text, mail_options=["BODY=8BITMIME"])
c.quit()
rec = records()
R.ok(len(rec) == 1 and body_of(rec[0][0]) == text.replace(b"\r\n", b"\n"), "8-bit body intact")

# --- pipelining ------------------------------------------------------------------
clear_records()
r = Raw(S.port)
r.send(b"EHLO client.test\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<u@example.com>\r\n"
       b"RCPT TO:<x@other.org>\r\nRCPT TO:<v@example.com>\r\nDATA\r\n")
r.s.settimeout(10)
first = r.s.recv(65536)
r.buf = first
replies = [r.reply() for _ in range(6)]
R.eq([code(x) for x in replies], ["250", "250", "250", "553", "250", "354"],
     "pipelined replies in order")
R.ok(first.count(b"\r\n") == 10, "pipelined replies arrive in one write", first)
r.send(b"Subject: p\r\n\r\npipelined\r\n.\r\nMAIL FROM:<b@example.org>\r\n"
       b"RCPT TO:<w@example.com>\r\nDATA\r\n")
R.eq(code(r.reply()), "250", "end of data while next commands are pipelined")
R.eq([code(r.reply()) for _ in range(3)], ["250", "250", "354"], "second transaction")
R.eq(code(r.cmd(b"second\r\n.\r\n")), "250", "second message")
r.cmd(b"QUIT\r\n")
r.close()
rec = records()
R.eq([envelope(e) for _, e in rec],
     [("a@example.org", ["u@example.com", "v@example.com"]), ("b@example.org", ["w@example.com"])],
     "two pipelined messages, envelopes")

# --- a 20 MB message -------------------------------------------------------------
clear_records()
line = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.0123456789" + b"\r\n"
big = b"Subject: big\r\n\r\n" + line * (20 * 1024 * 1024 // len(line))
c = smtp(S)
t0 = time.monotonic()
c.sendmail("a@example.org", ["u@example.com"], big)
c.quit()
rec = records()
R.ok(len(rec) == 1, "20 MB message accepted in %.1f s" % (time.monotonic() - t0))
if rec:
    R.eq(hashlib.sha256(body_of(rec[0][0])).hexdigest(),
         hashlib.sha256(big.replace(b"\r\n", b"\n")).hexdigest(), "20 MB message intact")

# --- SIZE and databytes ----------------------------------------------------------
D = Server({"DATABYTES": "1000"})
c = smtp(D)
c.ehlo()
R.eq(c.esmtp_features.get("size"), "1000", "EHLO SIZE 1000")
try:
    c.sendmail("a@example.org", ["u@example.com"], b"x" * 2000)
    R.ok(False, "SIZE over databytes refused")
except smtplib.SMTPSenderRefused as ex:
    R.eq(ex.smtp_code, 552, "SIZE over databytes refused at MAIL with 552")
c.quit()
clear_records()
r = Raw(D.port)
r.cmd(b"HELO x\r\n")
R.eq(code(r.cmd(b"MAIL FROM:<a@example.org> SIZE=1001\r\n")), "552", "raw SIZE=1001 552")
R.eq(code(r.cmd(b"MAIL FROM:<a@example.org> SIZE=1000\r\n")), "250", "raw SIZE=1000 250")
r.cmd(b"RCPT TO:<u@example.com>\r\n")
r.cmd(b"DATA\r\n")
rep = r.cmd(b"Subject: big\r\n\r\n" + (b"y" * 70 + b"\r\n") * 20 + b".\r\n")
R.ok(rep and rep.startswith(b"552 5.3.4 "), "message over databytes refused at end", rep)
R.eq(code(r.cmd(b"MAIL FROM:<a@example.org>\r\n")), "250", "session goes on after 552")
r.cmd(b"RCPT TO:<u@example.com>\r\n")
r.cmd(b"DATA\r\n")
R.eq(code(r.cmd(b"small\r\n.\r\n")), "250", "small message after a refused one")
r.close()
R.eq(len(records()), 1, "only the small message was queued")
D.stop()

# --- relaying --------------------------------------------------------------------
refused = ["u@other.org", "u@OTHER.ORG", "\"u@other.org\"", "@example.com:u@other.org",
           "@example.com,@example.net:u@other.org", "u@[192.0.2.1]",
           "u@example.com.other.org", "u@otherexample.com", "u@example.net",
           "u%example.com@other.org", "u@example.com@other.org", "example.com!u@other.org",
           "u@[IPv6:2001:db8::1]"]
local = {"u%other.org@example.com": "u%other.org@example.com",
         "other.org!u@example.com": "other.org!u@example.com",
         "\"u@other.org\"@example.com": "u@other.org@example.com",
         "u@other.org@example.com": "u@other.org@example.com",
         "u\\@other.org@example.com": "u@other.org@example.com",
         "u%other.org": "u%other.org",
         "other.org!u": "other.org!u",
         "u@[127.0.0.1]": "u@example.com",
         "u@[0.0.0.0]": "u@example.com",
         "u@sub.example.net": "u@sub.example.net"}
for sender in ("a@example.org", "", "u@example.com", "postmaster", "@other.org:a@example.org",
               "\"a b\"@example.com", "u@[127.0.0.1]"):
    r = Raw(S.port)
    r.cmd(b"HELO x\r\n")
    R.eq(code(r.cmd(b"MAIL FROM:<%s>\r\n" % sender.encode())), "250", "MAIL FROM:<%s>" % sender)
    for a in refused:
        rep = r.cmd(b"RCPT TO:<%s>\r\n" % a.encode())
        R.ok(rep and rep.startswith(b"553 5.7.1 "), "relay refused: <%s> from <%s>" % (a, sender),
             rep)
    for a in ("u@other.org.", "\"u@other.org \"", "u@other.org\\>"):
        rep = r.cmd(b"RCPT TO:<%s>\r\n" % a.encode())
        R.ok(rep and rep.startswith(b"553 5.1.3 "), "bad domain refused: <%s> from <%s>" % (a, sender),
             rep)
    r.cmd(b"RSET\r\n")
    r.close()
r = Raw(S.port)
for sender in ("@", "<>", "a b@example.org", "a@b>", "\"a@example.org"):
    R.eq(code(r.cmd(b"MAIL FROM:<%s>\r\n" % sender.encode())), "555",
         "odd sender refused: <%s>" % sender)
    R.eq(code(r.cmd(b"RCPT TO:<u@other.org>\r\n")), "503", "no relay after <%s>" % sender)
r.close()
clear_records()
r = Raw(S.port)
r.cmd(b"HELO x\r\n")
r.cmd(b"MAIL FROM:<a@example.org>\r\n")
for a in local:
    R.eq(code(r.cmd(b"RCPT TO:<%s>\r\n" % a.encode())), "250", "local form accepted: <%s>" % a)
R.eq(code(r.cmd(b"RCPT TO:u@other.org\r\n")), "553", "relay refused without brackets")
r.cmd(b"DATA\r\n")
r.cmd(b"x\r\n.\r\n")
r.close()
rec = records()
R.eq(envelope(rec[0][1])[1] if rec else None, list(local.values()),
     "local forms reach the envelope with a local domain (or none)")

RC = Server({"RELAYCLIENT": ""})
clear_records()
c = smtp(RC)
c.sendmail("a@example.org", ["u@other.org", "v@[192.0.2.1]"], b"Subject: relay\r\n\r\nx\r\n")
c.quit()
rec = records()
R.eq(envelope(rec[0][1]) if rec else None, ("a@example.org", ["u@other.org", "v@[192.0.2.1]"]),
     "RELAYCLIENT: relaying accepted")
RC.stop()
RX = Server({"RELAYCLIENT": "@fixme"})
clear_records()
c = smtp(RX)
c.sendmail("a@example.org", ["u@other.org"], b"x\r\n")
c.quit()
rec = records()
R.eq(envelope(rec[0][1])[1] if rec else None, ["u@other.org@fixme"], "RELAYCLIENT is appended")
RX.stop()

# --- morercpthosts.cdb and qmail-newmrh ------------------------------------------
P.control("morercpthosts", "# more domains\nMore.Example  \n\n.sub.more.example\n")
res = subprocess.run([P.bin("qmail-newmrh")], capture_output=True)
R.eq(res.returncode, 0, "qmail-newmrh exit 0", )
cdbfile = P.path("control", "morercpthosts.cdb")
dump = subprocess.run(["cdbdump"], stdin=open(cdbfile, "rb"), capture_output=True).stdout
R.eq(dump, b"+12,0:more.example->\n+17,0:.sub.more.example->\n\n", "qmail-newmrh: keys in lower case")
R.eq(stat.S_IMODE(os.stat(cdbfile).st_mode), 0o644, "qmail-newmrh: mode 0644")
R.ok(not os.path.exists(P.path("control", "morercpthosts.tmp")), "qmail-newmrh: no .tmp left")
r = Raw(S.port)
r.cmd(b"MAIL FROM:<a@example.org>\r\n")
for a, want in (("u@more.example", "250"), ("u@MORE.EXAMPLE", "250"), ("u@x.sub.more.example", "250"),
                ("u@sub.more.example", "553"), ("u@x.more.example", "553")):
    R.eq(code(r.cmd(b"RCPT TO:<%s>\r\n" % a.encode())), want, "morercpthosts.cdb: <%s>" % a)
r.close()
os.unlink(P.path("control", "morercpthosts"))
res = subprocess.run([P.bin("qmail-newmrh")], capture_output=True)
R.eq(res.returncode, 111, "qmail-newmrh without its source: 111")
R.ok(b"qmail-newmrh: fatal: unable to read control/morercpthosts" in res.stderr,
     "qmail-newmrh names the missing file", res.stderr)
R.eq(subprocess.run(["cdbdump"], stdin=open(cdbfile, "rb"), capture_output=True).stdout, dump,
     "qmail-newmrh failure leaves the old database")
os.unlink(cdbfile)

# --- badmailfrom -----------------------------------------------------------------
for sender in ("bad@evil.example", "BAD@Evil.Example", "x@spam.example"):
    r = Raw(S.port)
    R.eq(code(r.cmd(b"MAIL FROM:<%s>\r\n" % sender.encode())), "250",
         "badmailfrom: MAIL from <%s> accepted" % sender)
    rep = r.cmd(b"RCPT TO:<u@example.com>\r\n")
    R.ok(rep and rep.startswith(b"553 5.7.1 sorry, your envelope sender is in my badmailfrom"),
         "badmailfrom: RCPT refused for <%s>" % sender, rep)
    r.close()
r = Raw(S.port)
r.cmd(b"MAIL FROM:<good@evil.example>\r\n")
R.eq(code(r.cmd(b"RCPT TO:<u@example.com>\r\n")), "250", "badmailfrom: other sender passes")
r.close()

# --- recipient validation --------------------------------------------------------
cdbin = (b"+12,0:@example.com->\n+15,0:joe@example.com->\n+22,0:postmaster@example.com->\n"
         b"+17,1:list-@example.com->*\n\n")
tmpcdb = P.path("control", "recipients.tmp")
subprocess.run(["cdbmake", P.path("control", "recipients.cdb"), tmpcdb], input=cdbin,
               check=True)
os.chmod(P.path("control", "recipients.cdb"), 0o644)
checks = {"joe@example.com": "250", "JOE@EXAMPLE.COM": "250", "postmaster@example.com": "250",
          "jim@example.com": "550", "list-x@example.com": "250", "list@example.com": "550",
          "u@sub.example.net": "250"}
r = Raw(S.port)
r.cmd(b"MAIL FROM:<a@example.org>\r\n")
for a, want in checks.items():
    rep = r.cmd(b"RCPT TO:<%s>\r\n" % a.encode())
    R.eq(code(rep), want, "recipients.cdb: <%s>" % a)
    if want == "550":
        R.ok(rep.startswith(b"550 5.1.1 "), "550 5.1.1 for <%s>" % a, rep)
r.close()
os.unlink(P.path("control", "recipients.cdb"))
r = Raw(S.port)
r.cmd(b"MAIL FROM:<a@example.org>\r\n")
R.eq(code(r.cmd(b"RCPT TO:<jim@example.com>\r\n")), "250", "no recipients.cdb: no validation")
r.close()

# --- bare LF, bare CR, smuggling -------------------------------------------------


def data_session(srv):
    r = Raw(srv.port)
    r.cmd(b"HELO x\r\n")
    r.cmd(b"MAIL FROM:<a@example.org>\r\n")
    r.cmd(b"RCPT TO:<u@example.com>\r\n")
    R.ok(code(r.cmd(b"DATA\r\n")) == "354", "354")
    return r


for name, body in (("bare LF", b"line one\nline two\r\n.\r\n"),
                   ("bare CR", b"line one\rline two\r\n.\r\n")):
    clear_records()
    r = data_session(S)
    rep = r.cmd(body)
    R.ok(rep and rep.startswith(b"451 4.5.0 "), "%s: 451" % name, rep)
    R.ok(r.eof(), "%s: connection closed" % name)
    R.eq(len(records()), 0, "%s: nothing queued" % name)
    r.close()

variants = [b"\n.\n", b"\n.\r\n", b"\r.\r\n", b"\r\n.\r", b"\r.\r", b"\r.\n", b"\n.\r",
            b"\r\n.\n", b"\r\n\0.\r\n"]
for v in variants:
    clear_records()
    r = data_session(S)
    r.send(b"Subject: smuggle\r\n\r\nbody" + v + b"MAIL FROM:<evil@example.org>\r\n"
           b"RCPT TO:<victim@example.com>\r\nDATA\r\nsmuggled\r\n.\r\nQUIT\r\n")
    got = []
    while True:
        rep = r.reply(10)
        if rep is None:
            break
        got.append(code(rep))
    r.close()
    rec = records()
    R.ok(len(rec) <= 1, "smuggling %r: at most one message from one DATA" % v, got)
    R.ok(all(envelope(e)[0] != "evil@example.org" for _, e in rec),
         "smuggling %r: no smuggled envelope" % v, rec)
    if v == b"\r\n\0.\r\n":
        R.eq(got, ["250", "221"], "smuggling %r: text, one message" % v)
        R.ok(len(rec) == 1 and b"smuggled" in rec[0][0], "smuggling %r: in the body" % v)
    else:
        R.ok(got[:1] == ["451"] and len(got) == 1, "smuggling %r: 451 and close" % v, got)

# --- hops ------------------------------------------------------------------------
clear_records()
c = smtp(S)
hdr = b"".join(b"Received: from h%d by h%d\r\n" % (i, i + 1) for i in range(100))
try:
    c.sendmail("a@example.org", ["u@example.com"], hdr + b"Subject: loop\r\n\r\nx\r\n")
    R.ok(False, "100 Received lines refused")
except smtplib.SMTPDataError as ex:
    R.eq(ex.smtp_code, 554, "100 Received lines: 554")
    R.ok(ex.smtp_error.startswith(b"5.4.6 "), "100 Received lines: 5.4.6", ex.smtp_error)
c.sendmail("a@example.org", ["u@example.com"],
           b"".join(hdr.split(b"\r\n", 1)[1:]) + b"Subject: ok\r\n\r\nx\r\n")
c.quit()
R.eq(len(records()), 1, "99 Received lines accepted")

# --- command-line abuse ----------------------------------------------------------
r = Raw(S.port)
rep = r.cmd(b"MAIL FROM:<a\0@example.org>\r\n")
R.ok(rep and rep.startswith(b"500 5.5.2 "), "NUL in a command: 500", rep)
R.eq(code(r.cmd(b"RCPT TO:<u@example.com>\r\n")), "503", "NUL command did not set a sender")
rep = r.cmd(b"NOOP " + b"x" * 3000 + b"\r\n")
R.ok(rep and rep.startswith(b"500 5.5.2 line too long"), "over-long command line: 500", rep)
R.eq(code(r.cmd(b"NOOP\r\n")), "250", "session goes on after an over-long line")
rep = r.cmd(b"MAIL FROM:<" + b"a" * 1001 + b"@example.org>\r\n")
R.ok(rep and rep.startswith(b"555 "), "address over 1000 bytes: 555", rep)
r.close()

clear_records()
r = Raw(S.port)
r.send(b"MAIL FROM:<a@example.org>\r\n" + b"RCPT TO:<r@example.com>\r\n" * 1001)
reps = [r.reply() for _ in range(1002)]
R.eq([code(x) for x in reps].count("250"), 1001, "1000 recipients accepted")
R.ok(reps[-1] and reps[-1].startswith(b"452 4.5.3 "), "1001st recipient: 452", reps[-1])
r.cmd(b"DATA\r\n")
R.eq(code(r.cmd(b"x\r\n.\r\n")), "250", "message to 1000 recipients")
r.close()
rec = records()
R.eq(len(envelope(rec[0][1])[1]) if rec else 0, 1000, "envelope holds 1000 recipients")

# --- DATA refused: the connection closes -----------------------------------------
r = Raw(S.port)
r.send(b"MAIL FROM:<a@example.org>\r\nRCPT TO:<x@other.org>\r\nDATA\r\n"
       b"MAIL FROM:<evil@example.org>\r\nRCPT TO:<u@example.com>\r\nDATA\r\n")
got = []
while True:
    rep = r.reply(10)
    if rep is None:
        break
    got.append(code(rep))
R.eq(got, ["250", "553", "503"], "refused DATA ends the session; the body is not read")
r.close()

# --- queue refusals --------------------------------------------------------------
for ex, text, want in (("31", None, b"554 5.3.0 mail server permanently rejected message"),
                       ("71", None, b"451 4.3.0 mail server temporarily rejected message"),
                       ("82", "Dsorry, filtered (#5.7.1)", b"554 5.7.1 sorry, filtered (#5.7.1)")):
    clear_records()
    with open(os.path.join(REC, "custom" if text else "exit"), "w") as f:
        f.write(text or ex)
    r = data_session(S)
    rep = r.cmd(b"x\r\n.\r\n")
    R.ok(rep and rep.startswith(want), "queue exit %s: %r" % (ex, want), rep)
    r.close()
clear_records()

# --- early talker ----------------------------------------------------------------
E = Server({"GREETDELAY": "1500"})
r = Raw(E.port, greet=False)
r.send(b"EHLO spammer\r\n")
rep = r.reply()
R.ok(rep and rep.startswith(b"554 5.5.0 "), "early talker: 554", rep)
R.ok(r.eof(), "early talker: dropped")
r.close()
t0 = time.monotonic()
r = Raw(E.port)
R.ok(r.greeting and r.greeting.startswith(b"220 ") and time.monotonic() - t0 >= 1.4,
     "patient client greeted after the delay", r.greeting)
r.close()
E.stop()

# --- time limits -----------------------------------------------------------------
P.control("timeoutsmtpd", "2\n")
r = Raw(S.port)
t0 = time.monotonic()
rep = r.reply(10)
R.ok(rep == b"451 4.4.2 timeout (#4.4.2)\r\n" and 1.5 < time.monotonic() - t0 < 6,
     "idle client: 451 timeout", rep)
R.ok(r.eof(), "closed after timeout")
r.close()
os.unlink(P.path("control", "timeoutsmtpd"))
P.control("timeoutsmtpdsession", "3\n")
r = Raw(S.port)
t0 = time.monotonic()
rep = None
while time.monotonic() - t0 < 10:
    rep = r.cmd(b"NOOP\r\n")
    if not rep or not rep.startswith(b"250"):
        break
    time.sleep(0.5)
R.ok(rep and rep.startswith(b"421 4.4.2 ") and 2.5 < time.monotonic() - t0 < 6,
     "session deadline: 421", rep)
r.close()
# a client that never stops sending is stopped by the deadline all the same
P.control("timeoutsmtpdsession", "2\n")
clear_records()
r = data_session(S)
t0 = time.monotonic()
chunk = (b"x" * 998 + b"\r\n") * 64
r.s.settimeout(1)
try:
    while time.monotonic() - t0 < 15:
        r.s.sendall(chunk)
except OSError:
    pass
elapsed = time.monotonic() - t0
rep = r.reply(5)
R.ok(rep and rep.startswith(b"421 4.4.2 session time limit") and elapsed < 8,
     "flooding client: 421 at the deadline after %.1f s" % elapsed, rep)
r.close()
R.eq(len(records()), 0, "flooding client: nothing queued")
os.unlink(P.path("control", "timeoutsmtpdsession"))

# --- controls --------------------------------------------------------------------
os.rename(P.path("control", "me"), P.path("control", "me.off"))
r = Raw(S.port, greet=False)
rep = r.reply()
R.ok(rep and rep.startswith(b"421 4.3.0 unable to read controls"), "no me: 421", rep)
r.close()
os.rename(P.path("control", "me.off"), P.path("control", "me"))
P.control("smtpgreeting", "greeting.hsmtpd.test some text\n")
r = Raw(S.port)
R.eq(r.greeting, b"220 greeting.hsmtpd.test some text ESMTP\r\n", "smtpgreeting")
r.close()
os.unlink(P.path("control", "smtpgreeting"))

# --- the real qmail-queue --------------------------------------------------------
Q = Server(queue=False)
c = smtp(Q)
resp = c.sendmail("a@example.org", ["u@example.com", "v@example.com"],
                  b"Subject: real\r\n\r\nthrough qmail-queue\r\n..dot\r\n")
code_, msg = c.noop()
c.quit()
todo = os.listdir(P.path("queue", "todo"))
R.eq(len(todo), 1, "real queue: one todo entry")
if todo:
    ident = int(todo[0])
    mess = P.path("queue", "mess", str(ident % 23), str(ident))
    R.ok(os.path.exists(mess) and os.stat(mess).st_ino == ident, "real queue: mess file")
    m = open(mess, "rb").read()
    first, second, rest = m.split(b"\n", 2)
    R.ok(first.startswith(b"Received: (qmail ") and b" invoked from network); " in first,
         "real queue: qmail-queue's Received line names the network", first)
    R.ok(second.startswith(b"Received: from unknown (HELO client.test) (127.0.0.1)"),
         "real queue: our Received line below it", second)
    R.ok(rest.endswith(b"\nSubject: real\n\nthrough qmail-queue\n..dot\n"), "real queue: body",
         rest[-80:])
    t = open(P.path("queue", "todo", todo[0]), "rb").read()
    R.ok(b"\0Fa@example.org\0Tu@example.com\0Tv@example.com\0" in t, "real queue: envelope", t)
Q.stop()

for s in P.servers:
    s.stop()
QUEUE.remove()
try:
    log = open(P.servlog, "rb").read()
except OSError:
    log = b""
R.ok(b"fatal" not in log, "no fatal messages from qmail-smtpd", log[-300:])
P.cleanup()
R.finish()
