#!/usr/bin/env python3
"""newrcpt.py - qmail-newrcpt for real: a private install, test users with .qmail-EXT,
.qmail-EXT-default and .qmail-default files, users/assign lines, alias .qmail files
and virtual domains; qmail-newrcpt builds control/recipients.cdb (checked with
cdbdump), then qmail-smtpd under tcpserver (as qmaild:nofiles) refuses unknown local
and virtual recipients with 550 5.1.1 and accepts the rest. Runs as root. Prints
ok/FAIL per assertion, then "N passed, N failed"."""

import os
import shutil
import smtplib
import stat
import subprocess
import sys
import tempfile

TOP = os.environ.get("TOP", os.getcwd())
sys.path.insert(0, os.path.join(TOP, "tests"))
from qmailtest import Results, User, need  # noqa: E402

R = Results()
P = need(R, "newrcpt", ["tcpserver", "cdbdump"])
CDB = P.path("control", "recipients.cdb")
users = []
ASSIGNHOME = tempfile.mkdtemp(prefix="qt-newrcpt-assign.", dir="/tmp")


def Server(env=None):
    """tcpserver running the installed qmail-smtpd with env added"""
    e = {"GREETDELAY": "0", "QMAILQUEUE": "/bin/false"}
    e.update(env or {})
    return P.tcpserver("qmail-smtpd", e, "mx.newrcpt.test")


def dump():
    """the records of recipients.cdb as a list of (key, data) in file order"""
    out = subprocess.run(["cdbdump"], stdin=open(CDB, "rb"), capture_output=True).stdout
    recs = []
    i = 0
    while i < len(out) and out[i:i + 1] == b"+":
        comma = out.index(b",", i)
        colon = out.index(b":", comma)
        klen, dlen = int(out[i + 1:comma]), int(out[comma + 1:colon])
        key = out[colon + 1:colon + 1 + klen]
        data = out[colon + 3 + klen:colon + 3 + klen + dlen]
        recs.append((key.decode(), data.decode()))
        i = colon + 3 + klen + dlen + 1
    return recs


def rcpt_codes(port, addrs):
    """the full reply of RCPT for each address, in one transaction"""
    out = {}
    s = smtplib.SMTP("127.0.0.1", port, local_hostname="client.test", timeout=30)
    s.mail("a@client.test")
    for a in addrs:
        code, msg = s.rcpt(a)
        out[a] = (code, msg.decode(errors="replace"))
    s.quit()
    return out


try:
    # --- users and their .qmail files ------------------------------------------
    u1 = User("qna")   # .qmail-ext, .qmail-list-default, .qmail-dot:name, .qmail-Upper
    u2 = User("qnb")   # .qmail-default: everything u2-*
    u3 = User("qnc")   # the virtual domain example.org goes to u3-foo-
    users += [u1, u2, u3]
    u1.file(".qmail", "./Maildir/\n")
    u1.file(".qmail-ext", "./Maildir/\n")
    u1.file(".qmail-list-default", "./Maildir/\n")
    u1.file(".qmail-dot:name", "./Maildir/\n")
    u1.file(".qmail-Upper", "./Maildir/\n")        # qmail-local never looks this up
    u1.file(".qmail-a.b", "./Maildir/\n")          # nor this ('.' is written ':')
    os.mkdir(os.path.join(u1.home, ".qmail-adir"))  # not a file
    os.symlink("/nonexistent", os.path.join(u1.home, ".qmail-dangling"))
    u2.file(".qmail-default", "./Maildir/\n")
    u3.file(".qmail-foo-info", "./Maildir/\n")
    u3.file(".qmail-foo-sales-default", "./Maildir/\n")
    u3.file(".qmail-bar", "./Maildir/\n")
    # a user whose home it does not own receives nothing through passwd
    u4 = User("qnd")
    users.append(u4)
    os.chown(u4.home, 0, 0)

    # --- users/assign, alias, control files -----------------------------------
    for name in (".qmail-shop-orders", ".qmail-shop-sale-default", ".qmail-other"):
        open(os.path.join(ASSIGNHOME, name), "w").close()
    with open(P.path("users", "assign"), "w") as f:
        f.write("=VJoe:%s:%d:%d:%s:::\n" % (u1.name, u1.uid, u1.gid, u1.home))
        f.write("+shop-:%s:%d:%d:%s:-:shop-:\n" % (u1.name, u1.uid, u1.gid, ASSIGNHOME))
        f.write("+ml-:%s:%d:%d:%s:::\n" % (u1.name, u1.uid, u1.gid, ASSIGNHOME))
        f.write(".\n")
    open(P.path("alias", ".qmail-help-default"), "w").close()
    open(P.path("alias", ".qmail-abuse"), "w").close()
    P.control("me", "local.test\n")
    P.control("locals", "local.test\nLocal2.Test\n")
    P.control("virtualdomains", "example.org:%s-foo\ncatch.example:%s\nremote.example:\n"
              "Only@Single.Example:%s\n" % (u3.name, u2.name, u1.name))
    P.control("rcpthosts", "local.test\nlocal2.test\nexample.org\ncatch.example\n"
              "remote.example\nsingle.example\n")
    if os.path.exists(CDB):
        os.unlink(CDB)

    # --- qmail-newrcpt --------------------------------------------------------
    r = subprocess.run([P.bin("qmail-newrcpt"), "extra"], capture_output=True)
    R.eq(r.returncode, 100, "an argument: usage, exit 100")
    R.ok(not os.path.exists(CDB), "usage error writes nothing")
    r = subprocess.run([P.bin("qmail-newrcpt")], capture_output=True, cwd="/")
    R.eq(r.returncode, 0, "qmail-newrcpt exits 0")
    R.eq(r.stderr, b"", "qmail-newrcpt prints nothing")
    R.ok(os.path.exists(CDB), "recipients.cdb written")
    R.ok(not os.path.exists(CDB + ".tmp"), "no recipients.cdb.tmp left")
    R.eq(stat.S_IMODE(os.stat(CDB).st_mode), 0o644, "recipients.cdb mode 0644")
    R.eq(stat.S_IMODE(os.stat(P.bin("qmail-newrcpt")).st_mode), 0o700,
         "qmail-newrcpt installed 0700")
    recs = dump()
    keys = [k for k, _ in recs]
    db = dict(recs)
    R.eq(len(keys), len(set(keys)), "one record per key")
    R.ok(all(k == k.lower() for k in keys), "every key in lower case")
    R.ok(all(d in ("", "*") for d in db.values()), "every data is empty or *")
    a, b, c, d = u1.name, u2.name, u3.name, u4.name
    want = {
        "@local.test": "", "@local2.test": "",
        a + "@local.test": "", a + "@local2.test": "",
        a + "-ext@local.test": "", a + "-list-@local.test": "*",
        a + "-dot.name@local.test": "",
        b + "@local.test": "", b + "-@local.test": "*", b + "-@local2.test": "*",
        c + "-foo-info@local.test": "", c + "-foo-sales-@local.test": "*",
        "postmaster@local.test": "", "root@local.test": "", "abuse@local.test": "",
        "mailer-daemon@local.test": "", "help-@local.test": "*",
        "vjoe@local.test": "", "shop-orders@local.test": "", "shop-sale-@local.test": "*",
        "ml-@local.test": "*",
        "@example.org": "", "info@example.org": "", "sales-@example.org": "*",
        "postmaster@example.org": "",
        "@catch.example": "*",
        "only@single.example": "",
    }
    for k, v in want.items():
        R.eq(db.get(k), v, "record %s" % k)
    for k in (a + "-upper@local.test", a + "-a.b@local.test", a + "-a:b@local.test",
              a + "-adir@local.test", a + "-dangling@local.test", d + "@local.test",
              "shop-other@local.test", "other@local.test", "@remote.example",
              "@single.example", "bar@example.org", "root@example.org", "@", "@example.com"):
        R.ok(k not in db, "no record %s" % k)
    R.ok(not any(k.startswith("@") and k[1:] not in
                 ("local.test", "local2.test", "example.org", "catch.example") for k in keys),
         "only the local and virtual domains are checked")

    # --- qmail-smtpd with the table ---------------------------------------------
    S = Server()
    checks = {
        a + "@local.test": 250, a.upper() + "@LOCAL.TEST": 250, a + "-ext@Local2.Test": 250,
        a + "-list-x-y@local.test": 250, a + "-list@local.test": 550,
        a + "-other@local.test": 550, "nobody@local.test": 550, b + "-x@local.test": 250,
        b + "@local2.test": 250, "help-me@local.test": 250, "postmaster@local.test": 250,
        "vjoe@local.test": 250, "shop-orders@local.test": 250, "shop-x@local.test": 550,
        "shop-sale-today@local.test": 250, "ml-anything@local.test": 250,
        "info@example.org": 250, "Sales-EU@example.org": 250, "other@example.org": 550,
        "postmaster@example.org": 250, "anyone@catch.example": 250,
        "anyone@remote.example": 250, "only@single.example": 250,
        "else@single.example": 250, d + "@local.test": 550,
    }
    got = rcpt_codes(S.port, checks)
    for addr, code in checks.items():
        R.eq(got[addr][0], code, "RCPT <%s>" % addr)
        if code == 550:
            R.ok(got[addr][1].startswith("5.1.1"), "550 5.1.1 for <%s>" % addr, got[addr][1])
    got = rcpt_codes(S.port, ["x@elsewhere.example"])
    R.eq(got["x@elsewhere.example"][0], 553, "remote domain without RELAYCLIENT: relaying denied")
    S2 = Server({"RELAYCLIENT": ""})
    got = rcpt_codes(S2.port, ["x@elsewhere.example", "nobody@local.test", a + "@local.test"])
    R.eq(got["x@elsewhere.example"][0], 250, "RELAYCLIENT: a remote domain is unaffected")
    R.eq(got["nobody@local.test"][0], 550, "RELAYCLIENT: an unknown local recipient is refused")
    R.eq(got[a + "@local.test"][0], 250, "RELAYCLIENT: a known local recipient is accepted")

    # --- an alias .qmail-default makes every local domain a catch-all ---------
    open(P.path("alias", ".qmail-default"), "w").close()
    r = subprocess.run([P.bin("qmail-newrcpt")], capture_output=True)
    R.eq(r.returncode, 0, "qmail-newrcpt with alias .qmail-default")
    db = dict(dump())
    R.eq(db.get("@local.test"), "*", "alias .qmail-default: local.test catch-all")
    R.eq(db.get("@example.org"), "*", "alias .qmail-default: example.org catch-all")
    got = rcpt_codes(S.port, ["nobody@local.test", "other@example.org"])
    R.eq([got[x][0] for x in got], [250, 250], "alias .qmail-default: everything accepted")
    os.unlink(P.path("alias", ".qmail-default"))

    # --- a malformed users/assign changes nothing -----------------------------
    before = open(CDB, "rb").read()
    with open(P.path("users", "assign"), "w") as f:
        f.write("=broken\n.\n")
    r = subprocess.run([P.bin("qmail-newrcpt")], capture_output=True)
    R.eq(r.returncode, 100, "malformed users/assign: exit 100")
    R.ok(b"users/assign line 1" in r.stderr, "malformed users/assign: the line is named",
         r.stderr)
    R.eq(open(CDB, "rb").read(), before, "malformed users/assign: the old table stays")
    os.unlink(P.path("users", "assign"))
    r = subprocess.run([P.bin("qmail-newrcpt")], capture_output=True)
    R.eq(r.returncode, 0, "no users/assign: exit 0")
    R.ok("vjoe@local.test" not in dict(dump()), "no users/assign: its entries are gone")

    # --- without recipients.cdb everything is accepted as before --------------
    os.unlink(CDB)
    got = rcpt_codes(S.port, ["nobody@local.test", "other@example.org"])
    R.eq([got[x][0] for x in got], [250, 250], "no recipients.cdb: no validation")
finally:
    for u in users:
        u.remove()
    shutil.rmtree(ASSIGNHOME, ignore_errors=True)
    P.cleanup()
R.finish()
