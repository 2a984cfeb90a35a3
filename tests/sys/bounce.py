#!/usr/bin/python3
# bounce.py - failure notices read by an independent MIME parser (Python's email
# package). The unit test binary B/tests/bounce leaves sample notices in
# $BOUNCE_SAMPLES; each NAME.eml comes with the original (NAME.orig) and what it
# should report (NAME.want: kind, single/double, sender, then "addr TAB status TAB
# diagnostic" per recipient). Checks: the multipart/report structure, the QSBMF
# shape of the first part, the delivery-status fields, the original byte for byte,
# and that no line of content can be taken for the boundary.
# Uses $B and $SANB from tests/run (plain and sanitized binaries).
# Prints ok/FAIL per assertion and ends with "N passed, N failed".
import email
import os
import re
import shutil
import subprocess
import sys
import tempfile

TOP = os.environ.get("TOP", os.getcwd())
sys.path.insert(0, os.path.join(TOP, "tests"))
from qmailtest import Results  # noqa: E402

R = Results()


def check(ok, what, detail=""):
    return R.ok(ok, what, detail)


def header_of(orig):
    """the header the notice quotes when the original is too large"""
    if orig.startswith(b"\n"):
        return b""
    i = orig.find(b"\n\n")
    hdr = orig if i < 0 else orig[: i + 1]
    return hdr[:65536]


def qsbmf(text):
    """a minimal QSBMF reader: (intro, [addresses], break line) of a text part"""
    paras = text.split(b"\n\n")
    intro = paras[0]
    addrs = []
    brk = None
    for p in paras[1:]:
        p = p.lstrip(b"\n")
        if p.startswith(b"-"):
            brk = p.split(b"\n")[0]
            break
        first = p.split(b"\n")[0]
        if first.startswith(b"<") and first.endswith(b">:"):
            addrs.append(first[1:-2].decode("latin-1"))
    return intro, addrs, brk


def one(d, name):
    raw = open(os.path.join(d, name + ".eml"), "rb").read()
    orig = open(os.path.join(d, name + ".orig"), "rb").read()
    want = open(os.path.join(d, name + ".want")).read().split("\n")
    kind, mode, sender = want[0], want[1], want[2]
    rcpts = [w.split("\t") for w in want[3:] if w]
    n = name + ": "

    msg = email.message_from_bytes(raw)
    check(not msg.defects, n + "no defects at the top %r" % msg.defects)
    check(msg.get_content_type() == "multipart/report", n + "multipart/report")
    check(msg.get_param("report-type") == "delivery-status", n + "report-type")
    check(msg["Subject"] == "failure notice", n + "Subject")
    check(msg["From"] == "MAILER-DAEMON@example.org", n + "From")
    check(msg["MIME-Version"] == "1.0", n + "MIME-Version")
    check(re.match(r"^\d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d -0000$", msg["Date"] or "")
          is not None, n + "Date")
    check(msg["Message-ID"] is None, n + "no Message-ID")
    parts = msg.get_payload()
    if not check(isinstance(parts, list) and len(parts) == 3, n + "three parts"):
        return
    for i, p in enumerate(parts):
        check(not p.defects, n + "no defects in part %d %r" % (i + 1, p.defects))

    # part 1: QSBMF
    p1 = parts[0]
    check(p1.get_content_type() == "text/plain", n + "part 1 text/plain")
    text = p1.get_payload(decode=True)
    check(text.startswith(b"Hi. This is the qmail-send program at example.org.\n"),
          n + "part 1 begins with the QSBMF greeting")
    intro, addrs, brk = qsbmf(text)
    check(intro.startswith(b"Hi. This is the"), n + "QSBMF intro paragraph")
    check(addrs == [r[0] for r in rcpts], n + "QSBMF recipients %r" % addrs)
    if mode == "double":
        check(brk == b"--- Below this line is the original bounce.", n + "double break line")
    else:
        check(brk == b"--- Below this line is a copy of the message.", n + "break line")

    # part 2: delivery-status
    p2 = parts[1]
    check(p2.get_content_type() == "message/delivery-status", n + "part 2 delivery-status")
    blocks = p2.get_payload()
    if check(isinstance(blocks, list) and len(blocks) == 1 + len(rcpts),
             n + "one block per message and per recipient"):
        check(blocks[0]["Reporting-MTA"] == "dns; mx.example.org", n + "Reporting-MTA")
        check(blocks[0]["Arrival-Date"] == "14 Nov 2023 19:26:40 -0000", n + "Arrival-Date")
        for b, r in zip(blocks[1:], rcpts):
            check(b["Final-Recipient"] == "rfc822; " + r[0], n + "Final-Recipient " + r[0])
            check(b["Action"] == "failed", n + "Action " + r[0])
            check(b["Status"] == r[1], n + "Status %s %s" % (r[0], b["Status"]))
            dc = b["Diagnostic-Code"]
            dc = " ".join(dc.split()) if dc else ""
            check(dc == r[2], n + "Diagnostic-Code %s %r" % (r[0], dc))

    # part 3: the original
    p3 = parts[2]
    rp = b"Return-Path: <" + sender.encode() + b">\n"
    if kind == "headers":
        check(p3.get_content_type() == "text/rfc822-headers", n + "part 3 text/rfc822-headers")
        expect = rp + header_of(orig)
    else:
        check(p3.get_content_type() == "message/rfc822", n + "part 3 message/rfc822")
        inner = p3.get_payload()
        subj = re.search(rb"^Subject: (.*)$", orig, re.M)
        check(isinstance(inner, list) and subj is not None and
              inner[0]["Subject"] == subj.group(1).decode(), n + "inner Subject")
        expect = rp + orig

    # byte for byte, and the boundary occurs only as the four delimiters
    bnd = msg.get_boundary().encode()
    lines = re.split(rb"\r|\n", raw)
    hits = [l for l in lines if l.startswith(b"--" + bnd)]
    check(hits == [b"--" + bnd] * 3 + [b"--" + bnd + b"--"], n + "only 4 delimiter lines")
    pieces = raw.split(b"\n--" + bnd)
    if check(len(pieces) == 5 and pieces[4] == b"--\n", n + "closing delimiter ends it"):
        body3 = pieces[3].split(b"\n\n", 1)[1]
        check(body3 == expect, n + "original byte for byte (%d bytes)" % len(expect))


def main():
    progs = [os.path.join(os.environ[v], "tests", "bounce")
             for v in ("B", "SANB") if os.environ.get(v)]
    progs = [p for p in progs if os.access(p, os.X_OK)]
    check(progs != [], "unit binary built")
    for prog in progs:
        d = tempfile.mkdtemp(prefix="bounce.")
        try:
            env = dict(os.environ, BOUNCE_SAMPLES=d)
            r = subprocess.run([prog], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            check(r.returncode == 0, prog + ": sample writer exit 0")
            names = sorted(f[:-5] for f in os.listdir(d) if f.endswith(".want"))
            check(names == ["conflict", "double", "large", "single"], "samples %r" % names)
            for name in names:
                one(d, name)
        finally:
            shutil.rmtree(d)
    R.finish()


if __name__ == "__main__":
    main()
