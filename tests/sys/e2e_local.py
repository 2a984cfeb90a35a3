"""e2e_local - local mail end to end: sendmail -> qmail-inject -> qmail-queue ->
qmail-send -> qmail-lspawn -> qmail-local -> Maildir, mbox, programs, forwards,
aliases, virtual domains, users/assign, bounces (RFC 3464) and the log of SPEC 16.
Runs the real daemons as the real users in a private install. Needs root."""
import email
import email.policy
import mailbox
import os
import re
import signal
import subprocess
import sys

sys.path.insert(0, os.path.join(os.environ.get("TOP", os.getcwd()), "tests"))
from qmailtest import Prefix, Results, User, run, wait_for  # noqa: E402

R = Results()
ME = "mail.test.example"


def messages(md):
    """The files in a Maildir's new/ directory, oldest first."""
    d = os.path.join(md, "new")
    try:
        names = sorted(os.listdir(d), key=lambda n: os.stat(os.path.join(d, n)).st_mtime)
    except OSError:
        return []
    return [os.path.join(d, n) for n in names]


def read(p):
    with open(p, "rb") as f:
        return f.read()


def sendmail(q, args, msg, env=None):
    e = {"PATH": "/usr/bin:/bin", "USER": "tester", "LOGNAME": "tester"}
    if env:
        e.update(env)
    return run([q.bin("sendmail")] + args, input=msg, env=e)


def header_lines(data):
    """The header of a delivered message as a list of lines."""
    head = data.split(b"\n\n", 1)[0]
    return head.split(b"\n")


def main():
    q = Prefix("e2e")
    users = []
    try:
        if not R.ok(q.ready, "private install"):
            return
        q.control("me", ME + "\n")
        q.control("locals", ME + "\nlocalhost\n")
        q.control("virtualdomains", "virt.example:%s\n")
        u = User("qta")
        users.append(u)
        v = User("qtb")
        users.append(v)
        q.control("virtualdomains", "virt.example:%s\n" % v.name)
        md = u.maildir()
        v.maildir()
        q.start("./Maildir/")
        R.ok(wait_for(lambda: "status: local 0/10 remote 0/20" in q.logtext(), 10),
             "qmail-send starts and logs its status line")

        # 1. sendmail -t: delivered byte for byte plus three lines on top
        body = ("From: Tester <tester@%s>\nTo: %s@%s\nSubject: first\n"
                "Date: Sun, 29 Nov 2026 10:00:00 +0000\nMessage-ID: <m1@test>\n\n"
                "line one\n.\n..two dots\nFrom the start\nlast\n" % (ME, u.name, ME)).encode()
        r = sendmail(q, ["-t"], body)
        R.eq(r.returncode, 0, "sendmail -t exits 0")
        got = wait_for(lambda: messages(md), 20)
        if R.ok(got, "sendmail -t delivered to ~/Maildir/new"):
            data = read(got[0])
            lines = header_lines(data)
            R.eq(lines[0], b"Return-Path: <tester@%s>" % ME.encode(), "Return-Path first")
            R.eq(lines[1], b"Delivered-To: %s@%s" % (u.name.encode(), ME.encode()),
                 "Delivered-To second")
            R.ok(lines[2].startswith(b"Received: (qmail ") and b"invoked by uid 0" in lines[2],
                 "qmail-queue Received line third", lines[2])
            R.ok(data.endswith(body.split(b"\n\n", 1)[1]), "body byte for byte")
            m = email.message_from_bytes(data, policy=email.policy.default)
            R.eq(m["Subject"], "first", "email package reads Subject")
            R.eq(len(mailbox.Maildir(md, create=False)), 1, "mailbox.Maildir sees one message")

        # 2. sendmail user: header added by qmail-inject
        r = sendmail(q, [u.name], b"Subject: second\n\nhello\n")
        R.eq(r.returncode, 0, "sendmail user exits 0")
        got = wait_for(lambda: len(messages(md)) >= 2 and messages(md), 20)
        if R.ok(got, "sendmail user delivered"):
            m = email.message_from_bytes(read(got[-1]), policy=email.policy.default)
            R.ok(m["Date"] is not None, "qmail-inject added Date")
            R.ok(m["Message-ID"] is not None, "qmail-inject added Message-ID")
            R.ok("tester@" + ME in str(m["From"]), "qmail-inject added From", str(m["From"]))

        # 3. mbox via .qmail-box, with >From quoting
        u.file(".qmail-box", "./Mbox\n")
        sendmail(q, ["%s-box@%s" % (u.name, ME)],
                 b"Subject: mbox\n\nFrom me\n>From you\nplain\n")
        mb = os.path.join(u.home, "Mbox")
        if R.ok(wait_for(lambda: os.path.exists(mb) and os.path.getsize(mb) > 0, 20),
                "mbox delivery via .qmail-box"):
            raw = read(mb)
            R.ok(raw.startswith(b"From "), "mbox starts with a From_ line")
            R.ok(b"\n>From me\n>>From you\n" in raw, ">From quoting (mboxrd)", raw[-120:])
            msgs = list(mailbox.mbox(mb))
            R.eq(len(msgs), 1, "mailbox.mbox reads one message")
            if msgs:
                R.eq(msgs[0]["Subject"], "mbox", "mbox message Subject")

        # 4. .qmail-ext-default with DEFAULT; a program sees the environment
        envfile = os.path.join(u.home, "env.out")
        u.file(".qmail-list-default", "|env > %s\n" % envfile)
        sendmail(q, ["-f", "sndr@else.example", "%s-list-foo-bar@%s" % (u.name, ME)],
                 b"Subject: prog\n\nx\n")
        if R.ok(wait_for(lambda: os.path.exists(envfile) and os.path.getsize(envfile) > 0, 20),
                "program delivery via .qmail-list-default"):
            env = dict(line.split("=", 1) for line in open(envfile).read().splitlines()
                       if "=" in line)
            want = {
                "USER": u.name, "HOME": u.home, "LOCAL": "%s-list-foo-bar" % u.name,
                "HOST": ME, "RECIPIENT": "%s-list-foo-bar@%s" % (u.name, ME),
                "SENDER": "sndr@else.example", "EXT": "list-foo-bar", "EXT2": "foo-bar",
                "EXT3": "bar", "EXT4": "", "HOST2": "mail.test", "HOST3": "mail",
                "HOST4": "mail", "DEFAULT": "foo-bar", "NEWSENDER": "sndr@else.example",
                "DTLINE": "Delivered-To: %s-list-foo-bar@%s" % (u.name, ME),
                "RPLINE": "Return-Path: <sndr@else.example>",
            }
            for k, val in want.items():
                R.eq(env.get(k), val, "program sees %s" % k)
            R.ok(env.get("UFLINE", "").startswith("From sndr@else.example "), "program sees UFLINE")

        # 5. exit 99 skips later lines; exit 100 bounces; exit 111 defers then delivers
        u.file(".qmail-stop", "|exit 99\n./Maildir/\n")
        sendmail(q, ["%s-stop@%s" % (u.name, ME)], b"Subject: stop\n\nx\n")
        R.ok(wait_for(lambda: re.search(r"delivery \d+: success: did_0\+0\+1/",
                                        q.logtext()), 20), "exit 99 counts as success")
        flag = os.path.join(u.home, "flag")
        u.file(".qmail-later", "|test -f %s || exit 111\n./Maildir/\n" % flag)
        sendmail(q, ["%s-later@%s" % (u.name, ME)], b"Subject: later\n\nx\n")
        R.ok(wait_for(lambda: "deferral:" in q.logtext(), 20), "exit 111 defers")
        u.file("flag", "")
        q.signal(signal.SIGALRM)
        R.ok(wait_for(lambda: any(b"Subject: later" in read(p) for p in messages(md)), 20),
             "after SIGALRM the deferred message is delivered")
        R.ok(not any(b"Subject: stop" in read(p) for p in messages(md)),
             "line after exit 99 was skipped")

        # 6. forwarding: &addr and a bare address; alias postmaster; virtual domain
        u.file(".qmail-fwd", "&%s@%s\n" % (v.name, ME))
        u.file(".qmail-bare", "%s@%s\n" % (v.name, ME))
        vmd = os.path.join(v.home, "Maildir")
        sendmail(q, ["%s-fwd@%s" % (u.name, ME)], b"Subject: fwd1\n\nx\n")
        sendmail(q, ["%s-bare@%s" % (u.name, ME)], b"Subject: fwd2\n\nx\n")
        R.ok(wait_for(lambda: sum(b"Subject: fwd" in read(p) for p in messages(vmd)) == 2, 20),
             "&addr and bare address forwards arrive")
        v.file(".qmail-default", "./Maildir/\n")
        sendmail(q, ["info@virt.example"], b"Subject: virtual\n\nx\n")
        R.ok(wait_for(lambda: any(b"Delivered-To: %s-info@virt.example" % v.name.encode()
                                  in read(p) for p in messages(vmd)), 20),
             "virtualdomains prefix rewriting delivers to user-info")
        amd = q.path("alias", "Maildir")
        sendmail(q, ["postmaster@%s" % ME], b"Subject: to postmaster\n\nx\n")
        R.ok(wait_for(lambda: any(b"Subject: to postmaster" in read(p)
                                  for p in messages(amd)), 20),
             "postmaster goes to the alias user's Maildir")

        # 7. bounce for a nonexistent user: RFC 3464 with 5.1.1
        sendmail(q, ["-f", "%s@%s" % (u.name, ME), "%s-nosuch@%s" % (u.name, ME)],
                 b"Subject: lost\n\nx\n")

        def bounce():
            for p in messages(md):
                m = email.message_from_bytes(read(p), policy=email.policy.default)
                if m.get_content_type() == "multipart/report":
                    return m
            return None
        b = wait_for(bounce, 30)
        if R.ok(b is not None, "bounce arrives as multipart/report"):
            R.eq(b.get_param("report-type"), "delivery-status", "report-type=delivery-status")
            parts = list(b.iter_parts())
            first = parts[0].get_content()
            R.ok(first.startswith("Hi. This is the qmail-send program at"), "QSBMF first part")
            R.ok("<%s-nosuch@%s>:" % (u.name, ME) in first, "paragraph names the recipient")
            ds = parts[1]
            R.eq(ds.get_content_type(), "message/delivery-status", "second part delivery-status")
            text = ds.as_string()
            R.ok("Final-Recipient: rfc822; %s-nosuch@%s" % (u.name, ME) in text,
                 "Final-Recipient names the recipient", text)
            R.ok("Status: 5.1.1" in text, "Status 5.1.1", text)

        # 8. a .qmail loop bounces with 5.4.6
        u.file(".qmail-la", "%s-lb@%s\n" % (u.name, ME))
        u.file(".qmail-lb", "%s-la@%s\n" % (u.name, ME))
        sendmail(q, ["-f", "%s@%s" % (u.name, ME), "%s-la@%s" % (u.name, ME)],
                 b"Subject: loop\n\nx\n")
        R.ok(wait_for(lambda: any(b"5.4.6" in read(p) and b"multipart/report" in read(p)
                                  for p in messages(md)), 30), "a .qmail loop bounces with 5.4.6")

        # 9. double bounce: a bounce to an empty sender goes to postmaster
        sendmail(q, ["-f", "", "%s-nosuch2@%s" % (u.name, ME)], b"Subject: dbl\n\nx\n")
        R.ok(wait_for(lambda: any(b"nosuch2" in read(p) and b"multipart/report" in read(p)
                                  for p in messages(amd)), 30),
             "bounce of a bounce goes to postmaster")

        # 10. users/assign compiled with qmail-newu routes a name to a user
        with open(q.path("users", "assign"), "w") as f:
            f.write("=someone:%s:%d:%d:%s:::\n.\n" % (u.name, u.uid, u.gid, u.home))
        r = run([q.bin("qmail-newu")], cwd="/")
        R.eq(r.returncode, 0, "qmail-newu compiles users/assign")
        sendmail(q, ["someone@%s" % ME], b"Subject: assigned\n\nx\n")
        R.ok(wait_for(lambda: any(b"Delivered-To: someone@%s" % ME.encode() in read(p)
                                  for p in messages(md)), 20),
             "users/cdb entry delivers someone@ to the user")

        # 11. a triple bounce (sender #@[]) is discarded and logged
        envf = q.path("tripleenv")
        with open(envf, "wb") as f:
            f.write(b"F#@[]\0T%s-nosuch3@%s\0\0" % (u.name.encode(), ME.encode()))
        with open(envf, "rb") as e:
            r = subprocess.run([q.bin("qmail-queue")], input=b"Subject: triple\n\nx\n", stdout=e)
        R.eq(r.returncode, 0, "qmail-queue takes a message from #@[]")
        R.ok(wait_for(lambda: re.search(r"^triple bounce: discarding bounce/\d+$", q.logtext(),
                                        re.M), 30), "triple bounce discarded and logged")

        # 12. log lines of SPEC 16
        log = q.logtext()
        for pat in [r"^new msg \d+$", r"^info msg \d+: bytes \d+ from <[^>]*> qp \d+ uid \d+$",
                    r"^starting delivery \d+: msg \d+ to local \S+$",
                    r"^delivery \d+: success: \S+$", r"^end msg \d+$",
                    r"^delivery \d+: failure: \S+$", r"^bounce msg \d+ qp \d+$"]:
            R.ok(re.search(pat, log, re.M), "log has a line like %s" % pat)
        q.stop()
        R.ok("status: exiting" in q.logtext(), "SIGTERM: status: exiting")
    finally:
        for x in users:
            x.remove()
        q.cleanup()


main()
R.finish()
