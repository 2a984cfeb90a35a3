#!/usr/bin/python3
# inject.py - qmail-inject and sendmail as whole programs.
# qmail-inject reads its control files from the home compiled into it, so this test
# builds a private copy for a temporary home (plain and sanitized), puts control files
# there, and removes both the home and the build directories at the end. Messages
# are checked as printed by -n, and envelopes through a QMAILQUEUE filter script.
# Prints "ok NAME" or "FAIL NAME" per assertion and ends with "N passed, N failed".
import os
import re
import shutil
import subprocess
import sys
import tempfile

TOP = os.environ.get("TOP") or os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "tests"))
import qmailtest  # noqa: E402

res = qmailtest.Results()


def check(name, cond, detail=""):
    res.ok(bool(cond), name, detail)


class Home:
    """A temporary QMAILHOME with the programs built for it."""

    def __init__(self, tmp, san):
        self.home = os.path.join(tmp, "q")
        os.makedirs(os.path.join(self.home, "control"))
        os.makedirs(os.path.join(self.home, "bin"))
        rel = os.path.join("build", ("san" if san else "") + self.home.replace("/", "_"))
        self.build = os.path.join(TOP, rel)
        flags = ["SAN=1"] if san else []
        targets = [os.path.join(rel, "bin", p) for p in ("qmail-inject", "sendmail")]
        bins = [os.path.join(TOP, p) for p in targets]
        menv = {k: v for k, v in os.environ.items()
                if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS", "DESTDIR")}
        r = subprocess.run(["make", "-s", "QMAIL=" + self.home] + flags + targets, cwd=TOP,
                           env=menv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if r.returncode != 0:
            print(r.stdout.decode(errors="replace"))
            raise SystemExit("FAIL build\n0 passed, 1 failed")
        self.inject = bins[0]
        self.sendmail = bins[1]
        shutil.copy(self.inject, os.path.join(self.home, "bin", "qmail-inject"))
        self.out = os.path.join(tmp, "out")
        os.makedirs(self.out)
        self.qq = os.path.join(tmp, "qq.sh")
        with open(self.qq, "w") as f:
            f.write("#!/bin/sh\n"
                    "cat > \"$OUT/msg\" || exit 54\n"
                    "cat <&1 > \"$OUT/env\" || exit 54\n"
                    "if [ -n \"$QQTEXT\" ]; then printf '%s' \"$QQTEXT\" >&6; fi\n"
                    "exit ${QQEXIT:-0}\n")
        os.chmod(self.qq, 0o755)

    def control(self, **files):
        d = os.path.join(self.home, "control")
        for name in os.listdir(d):
            os.unlink(os.path.join(d, name))
        for name, value in files.items():
            with open(os.path.join(d, name), "w") as f:
                f.write(value + "\n")

    def run(self, args, data, env=None, prog=None, queue=False):
        e = {"PATH": "/usr/bin:/bin", "ASAN_OPTIONS": "detect_leaks=1"}
        if queue:
            e["QMAILQUEUE"] = self.qq
            e["OUT"] = self.out
            for name in ("msg", "env"):
                p = os.path.join(self.out, name)
                if os.path.exists(p):
                    os.unlink(p)
        e.update(env or {})
        if isinstance(data, str):
            data = data.encode()
        r = subprocess.run([prog or self.inject] + args, input=data, env=e,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        return r.returncode, r.stdout, r.stderr.decode(errors="replace")

    def envelope(self):
        """The sender and recipients the filter received."""
        try:
            with open(os.path.join(self.out, "env"), "rb") as f:
                raw = f.read()
        except OSError:
            return None, None
        recs = raw.split(b"\0")
        if len(recs) < 3 or recs[-1] != b"" or recs[-2] != b"" or not recs[0].startswith(b"F"):
            return "BAD", raw
        return recs[0][1:].decode(), [r[1:].decode() for r in recs[1:-2]]

    def queued(self):
        with open(os.path.join(self.out, "msg"), "rb") as f:
            return f.read()


def header(out):
    """The header lines of -n output (first line the Return-Path), unfolded."""
    text = out.decode(errors="replace")
    head = text.split("\n\n", 1)[0]
    return re.sub(r"\n[ \t]+", " ", head).split("\n")


def field(lines, name):
    """The values of every field called name."""
    return [l.split(":", 1)[1].strip() for l in lines
            if l.lower().startswith(name.lower() + ":")]


def body(out):
    return out.split(b"\n\n", 1)[1] if b"\n\n" in out else None


def tests(h, tag):
    def t(name):
        return tag + ":" + name

    env = {"USER": "joe"}
    std = dict(me="me.example", defaulthost="dh", defaultdomain="dd.example",
               plusdomain="pd.example", idhost="id.example")
    h.control(**std)

    # --- address rewriting
    rc, out, err = h.run(["-n"], "To: bob, sue@host+, c@d.e, x@y\nSubject: s\n\nbody\n", env)
    lines = header(out)
    check(t("rewrite exit"), rc == 0, err)
    check(t("rewrite To"), field(lines, "To") ==
          ["bob@dh.dd.example, sue@host.pd.example, c@d.e, x@y.dd.example"], lines)
    check(t("other fields kept"), field(lines, "Subject") == ["s"])
    check(t("body kept"), body(out) == b"body\n", out)
    rc, out, err = h.run(["-n"], "To: Full Name <a@b.c>, \"q w\"@x.y (c), <@r1,@r2:z@w.v>\n"
                         "Cc: g: a, b;\nReply-To: r d\n\n", env)
    lines = header(out)
    check(t("angle, quote, route"), field(lines, "To") ==
          ['Full Name <a@b.c>, "q w"@x.y (c), <z@w.v>'], lines)
    check(t("group"), field(lines, "Cc") == ["g: a@dh.dd.example, b@dh.dd.example;"], lines)
    check(t("stray space in Reply-To"), field(lines, "Reply-To") ==
          ["r@dh.dd.example, d@dh.dd.example"], lines)
    rc, out, err = h.run(["-n"], "To: a@b.c,\n\td@e.f\nX-Folded: one\n two\n\n", env)
    check(t("folded list unfolded"), field(header(out), "To") == ["a@b.c, d@e.f"])
    check(t("other folded field kept as is"), b"X-Folded: one\n two\n" in out, out)

    # --- added fields
    rc, out, err = h.run(["-n"], "Subject: nothing\n\n", env)
    lines = header(out)
    check(t("Date added"), len(field(lines, "Date")) == 1 and re.match(
        r"^\d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d -0000$", field(lines, "Date")[0]),
        lines)
    check(t("Message-ID added"), len(field(lines, "Message-ID")) == 1 and re.match(
        r"^<\d{14}\.\d+\.qmail@id\.example>$", field(lines, "Message-ID")[0]), lines)
    check(t("From added"), field(lines, "From") == ["joe@dh.dd.example"], lines)
    check(t("Cc recipient list not shown"), field(lines, "Cc") ==
          ["recipient list not shown: ;"], lines)
    check(t("Return-Path line first"), lines[0] == "Return-Path: <joe@dh.dd.example>", lines)
    check(t("added after the original fields"), lines[1] == "Subject: nothing", lines)
    rc, out, err = h.run(["-n"], "From: x@y.z\nDate: yesterday\nMessage-ID: <m@id>\n"
                         "To: a@b.c\n\n", env)
    lines = header(out)
    check(t("existing From kept"), field(lines, "From") == ["x@y.z"], lines)
    check(t("existing Date kept"), field(lines, "Date") == ["yesterday"], lines)
    check(t("existing Message-ID kept"), field(lines, "Message-ID") == ["<m@id>"], lines)
    check(t("no Cc when To"), field(lines, "Cc") == [], lines)
    rc, out, err = h.run(["-n"], "Cc: a@b.c\n\n", env)
    check(t("no Cc added when Cc"), field(header(out), "Cc") == ["a@b.c"])

    # --- removed fields
    rc, out, err = h.run(["-n"], "To: a@b.c\nBcc: hidden@x.y\nbCC: h2\nReturn-Path: <rp@x.y>\n"
                         "Content-Length: 3\nSubject: s\n\nbody\n", env)
    lines = header(out)
    check(t("Bcc removed"), field(lines, "Bcc") == [], lines)
    check(t("Content-Length removed"), field(lines, "Content-Length") == [], lines)
    check(t("Return-Path removed from header"), field(lines[1:], "Return-Path") == [], lines)
    check(t("Return-Path gives the sender"), lines[0] == "Return-Path: <rp@x.y>", lines)
    rc, out, err = h.run(["-n"], "Bcc: hidden@x.y\n\n", env)
    check(t("Cc added when only Bcc"), field(header(out), "Cc") ==
          ["recipient list not shown: ;"])

    # --- resent messages
    rc, out, err = h.run(["-n"], "From: orig@x.y\nDate: d\nMessage-ID: <i@d>\nTo: t@x.y\n"
                         "Resent-To: r@x.y\nResent-Bcc: rb@x.y\n\n", env)
    lines = header(out)
    check(t("resent: Date kept, Resent-Date added"), field(lines, "Date") == ["d"] and
          len(field(lines, "Resent-Date")) == 1, lines)
    check(t("resent: Resent-Message-ID added"), len(field(lines, "Resent-Message-ID")) == 1)
    check(t("resent: Resent-From added"), field(lines, "Resent-From") ==
          ["joe@dh.dd.example"] and field(lines, "From") == ["orig@x.y"], lines)
    check(t("resent: Resent-Bcc removed"), field(lines, "Resent-Bcc") == [], lines)
    check(t("resent: no Resent-Cc when Resent-To"), field(lines, "Resent-Cc") == [], lines)
    rc, out, err = h.run(["-n"], "To: t@x.y\nResent-Bcc: rb@x.y\n\n", env)
    lines = header(out)
    check(t("resent: Resent-Cc not shown"), field(lines, "Resent-Cc") ==
          ["recipient list not shown: ;"] and field(lines, "Cc") == [], lines)

    # --- control defaults and environment overrides
    h.control(me="me.example")
    rc, out, err = h.run(["-n"], "To: a, b@c\n\n", env)
    lines = header(out)
    check(t("defaults from me"), field(lines, "To") == ["a@me.example, b@c.me.example"], lines)
    check(t("idhost from me"), field(lines, "Message-ID")[0].endswith("@me.example>"), lines)
    h.control()
    rc, out, err = h.run(["-n"], "To: a, b@c+\n\n", env)
    lines = header(out)
    check(t("literal defaults"), field(lines, "To") ==
          ["a@defaulthost.defaultdomain, b@c.plusdomain"], lines)
    check(t("literal idhost"), field(lines, "Message-ID")[0].endswith(".qmail@idhost>"))
    h.control(**std)
    e2 = dict(env, QMAILDEFAULTHOST="eh+", QMAILDEFAULTDOMAIN="ed.example",
              QMAILPLUSDOMAIN="ep.example", QMAILIDHOST="ei.example")
    rc, out, err = h.run(["-n"], "To: a, b@c, d@e+\n\n", e2)
    lines = header(out)
    check(t("env overrides controls"), field(lines, "To") ==
          ["a@eh.ep.example, b@c.ed.example, d@e.ep.example"], lines)
    check(t("QMAILIDHOST"), field(lines, "Message-ID")[0].endswith(".qmail@ei.example>"))

    def from_of(e, data="To: a@b.c\n\n"):
        rc, out, err = h.run(["-n"], data, e)
        lines = header(out)
        return field(lines, "From"), lines[0]

    allu = {"QMAILUSER": "qu", "MAILUSER": "mu", "USER": "u", "LOGNAME": "l"}
    check(t("QMAILUSER first"), from_of(allu)[0] == ["qu@dh.dd.example"])
    del allu["QMAILUSER"]
    check(t("then MAILUSER"), from_of(allu)[0] == ["mu@dh.dd.example"])
    del allu["MAILUSER"]
    check(t("then USER"), from_of(allu)[0] == ["u@dh.dd.example"])
    del allu["USER"]
    check(t("then LOGNAME"), from_of(allu)[0] == ["l@dh.dd.example"])
    check(t("else anonymous"), from_of({})[0] == ["anonymous@dh.dd.example"])
    check(t("QMAILHOST over MAILHOST"), from_of(dict(env, QMAILHOST="qh.example",
                                                     MAILHOST="mh.example"))[0] ==
          ["joe@qh.example"])
    check(t("MAILHOST"), from_of(dict(env, MAILHOST="mh.example"))[0] == ["joe@mh.example"])
    check(t("QMAILNAME"), from_of(dict(env, QMAILNAME="Joe Q. User", NAME="n"))[0] ==
          ['"Joe Q. User" <joe@dh.dd.example>'])
    check(t("MAILNAME over NAME"), from_of(dict(env, MAILNAME="Mail Name", NAME="n"))[0] ==
          ["Mail Name <joe@dh.dd.example>"])
    check(t("NAME"), from_of(dict(env, NAME="Plain"))[0] == ["Plain <joe@dh.dd.example>"])
    check(t("QMAILINJECT c"), from_of(dict(env, NAME="J (x)", QMAILINJECT="c"))[0] ==
          ["joe@dh.dd.example (J \\(x\\))"])
    check(t("odd user quoted"), from_of({"USER": "a b"})[0] == ['"a b"@dh.dd.example'])
    rc, out, err = h.run(["-n"], "To: a@b.c\n\n", dict(env, NAME="bad\nname"))
    check(t("line break in name refused"), rc == 100 and "personal name" in err, err)
    rc, out, err = h.run(["-n"], "To: a@b.c\n\n", dict(env, QMAILDEFAULTHOST="x\nBcc: y"))
    check(t("line break in a host refused"), rc == 100, err)

    # --- envelope sender
    def sender(args, e, data="To: a@b.c\n\n"):
        rc, out, err = h.run(["-n"] + args, data, e)
        return header(out)[0] if rc == 0 else "exit %d %s" % (rc, err)

    rp = "Return-Path: <rp@x.y>\nTo: a@b.c\n\n"
    senv = dict(env, QMAILSUSER="su", QMAILSHOST="sh.example")
    check(t("sender from user and host"), sender([], env) == "Return-Path: <joe@dh.dd.example>")
    check(t("QMAILSUSER/QMAILSHOST"), sender([], senv) == "Return-Path: <su@sh.example>")
    check(t("QMAILSUSER alone"), sender([], dict(env, QMAILSUSER="su")) ==
          "Return-Path: <su@dh.dd.example>")
    check(t("QMAILSHOST alone"), sender([], dict(env, QMAILSHOST="sh")) ==
          "Return-Path: <joe@sh.dd.example>")
    check(t("Return-Path over QMAILSUSER"), sender([], senv, rp) == "Return-Path: <rp@x.y>")
    check(t("QMAILINJECT s ignores Return-Path"),
          sender([], dict(senv, QMAILINJECT="s"), rp) == "Return-Path: <su@sh.example>")
    check(t("-f over Return-Path"), sender(["-f", "f@g.h"], senv, rp) ==
          "Return-Path: <f@g.h>")
    check(t("-f attached"), sender(["-ff@g.h"], senv, rp) == "Return-Path: <f@g.h>")
    check(t("-f rewritten"), sender(["-f", "box"], env) == "Return-Path: <box@dh.dd.example>")
    check(t("-f empty"), sender(["-f", ""], env) == "Return-Path: <>")
    check(t("-f <>"), sender(["-f", "<>"], env) == "Return-Path: <>")
    check(t("Return-Path <>"), sender([], env, "Return-Path: <>\n\n") == "Return-Path: <>")
    check(t("VERP r"), sender([], dict(env, QMAILINJECT="r")) ==
          "Return-Path: <joe-@dh.dd.example-@[]>")
    s = sender([], dict(env, QMAILINJECT="m"))
    check(t("VERP m"), re.match(r"^Return-Path: <joe-\d+\.\d+@dh\.dd\.example>$", s), s)
    s = sender([], dict(env, QMAILINJECT="rm"))
    check(t("VERP rm"), re.match(r"^Return-Path: <joe-\d+\.\d+-@dh\.dd\.example-@\[\]>$", s),
          s)
    check(t("VERP not for <>"), sender(["-f", ""], dict(env, QMAILINJECT="rm")) ==
          "Return-Path: <>")

    # --- QMAILINJECT f and i
    rc, out, err = h.run(["-n"], "From: old@x.y\nMessage-ID: <old@id>\nTo: a@b.c\n\n",
                         dict(env, QMAILINJECT="fi"))
    lines = header(out)
    check(t("QMAILINJECT f"), field(lines, "From") == ["joe@dh.dd.example"], lines)
    check(t("QMAILINJECT i"), len(field(lines, "Message-ID")) == 1 and
          field(lines, "Message-ID")[0] != "<old@id>", lines)

    # --- Mail-Followup-To
    mft = os.path.join(h.home, "mft")
    with open(mft, "w") as f:
        f.write("# lists\nList@Lists.Example\n")
    me = dict(env, QMAILMFTFILE=mft)
    rc, out, err = h.run(["-n"], "To: a@b.c, list@lists.example\nCc: d@e.f\n\n", me)
    check(t("Mail-Followup-To added"), field(header(out), "Mail-Followup-To") ==
          ["a@b.c, list@lists.example, d@e.f"], header(out))
    rc, out, err = h.run(["-n"], "To: a@b.c\n\n", me)
    check(t("no Mail-Followup-To without a list"), field(header(out), "Mail-Followup-To") == [])
    rc, out, err = h.run(["-n"], "To: list@lists.example\nMail-Followup-To: x@y.z\n\n", me)
    check(t("Mail-Followup-To kept"), field(header(out), "Mail-Followup-To") == ["x@y.z"])
    rc, out, err = h.run(["-n"], "To: list@lists.example\n\n",
                         dict(env, QMAILMFTFILE=mft + ".missing"))
    check(t("missing MFT file is no list"), rc == 0 and
          field(header(out), "Mail-Followup-To") == [], err)

    # --- message shapes
    rc, out, err = h.run(["-n"], "just a body line\nand more\n", env)
    check(t("no header: body kept after a blank line"),
          rc == 0 and out.endswith(b"\n\njust a body line\nand more\n"), out)
    rc, out, err = h.run(["-n"], "To: a@b.c\nthis is body\n", env)
    check(t("body without blank line"), out.endswith(b"\n\nthis is body\n"), out)
    rc, out, err = h.run(["-n"], "To: a@b.c", env)
    check(t("header without final newline"), rc == 0 and
          field(header(out), "To") == ["a@b.c"], out)
    rc, out, err = h.run(["-n"], "To: a@b.c\r\nX: y\r\n\r\nbody\r\n", env)
    check(t("CRLF input"), rc == 0 and field(header(out), "To") == ["a@b.c"] and
          out.endswith(b"\n\nbody\r\n"), out)
    big = bytes(range(256)) * 2000 + b"\nno newline at end"
    rc, out, err = h.run(["-n"], b"To: a@b.c\n\n" + big, env)
    check(t("binary body kept byte for byte"), rc == 0 and body(out) == big)
    rc, out, err = h.run(["-n"], "", env)
    check(t("empty input"), rc == 0 and field(header(out), "From") == ["joe@dh.dd.example"])

    # --- hopeless input
    rc, out, err = h.run(["-n"], "To: <a@b.c\n\n", env)
    check(t("bad address list 100"), rc == 100 and "invalid header field To" in err, err)
    rc, out, err = h.run(["-n"], "From: a@b@c\n\n", env)
    check(t("bad From 100"), rc == 100, err)
    rc, out, err = h.run(["-n"], "To: a@b.c\nBa\x01d: x\n\n", env)
    check(t("unprintable field name 100"), rc == 100 and "field name" in err, err)
    rc, out, err = h.run(["-n"], b"To: a@b.c\nX: " + b"y" * (4 << 20) + b"\n\n", env)
    check(t("header too long 100"), rc == 100 and "too long" in err, err)
    rc, out, err = h.run(["-n"], "To: " + "x" * 1200 + "@y.z\n\n", env)
    check(t("address too long 100"), rc == 100 and "too long" in err, err)
    rc, out, err = h.run(["-z"], "", env)
    check(t("unknown option 100"), rc == 100 and "usage" in err, err)
    rc, out, err = h.run([], "Subject: s\n\n", env)
    check(t("no recipients 100"), rc == 100 and "no recipients" in err, err)
    rc, out, err = h.run(["-a"], "To: a@b.c\n\n", env)
    check(t("-a without arguments: no recipients"), rc == 100, err)
    rc, out, err = h.run(["<bad"], "To: a@b.c\n\n", env)
    check(t("bad argument 100"), rc == 100 and "invalid recipient" in err, err)

    # --- queueing: envelopes and modes
    msg = "To: t@x.y\nCc: c@x.y\nBcc: b@x.y\nApparently-To: ap@x.y\nSubject: q\n\nbody\n"

    def env_of(args, data=msg, e=env):
        rc, out, err = h.run(args, data, e, queue=True)
        return (rc,) + h.envelope()

    rc, snd, rcpts = env_of([])
    check(t("queue: header recipients"), rc == 0 and
          rcpts == ["t@x.y", "c@x.y", "b@x.y", "ap@x.y"], (rc, snd, rcpts))
    check(t("queue: sender"), snd == "joe@dh.dd.example", snd)
    q = h.queued()
    check(t("queue: message as -n prints it, without Return-Path"),
          q.startswith(b"To: t@x.y\nCc: c@x.y\nApparently-To: ap@x.y\nSubject: q\nDate: ") and
          q.endswith(b"\n\nbody\n") and b"Bcc" not in q and b"Return-Path" not in q, q)
    rc, snd, rcpts = env_of(["arg", "x@y.z"])
    check(t("queue: -A with args uses args"), rcpts == ["arg@dh.dd.example", "x@y.z"], rcpts)
    rc, snd, rcpts = env_of(["-a", "x@y.z"])
    check(t("queue: -a"), rcpts == ["x@y.z"], rcpts)
    rc, snd, rcpts = env_of(["-h", "x@y.z"])
    check(t("queue: -h ignores args"), rcpts == ["t@x.y", "c@x.y", "b@x.y", "ap@x.y"], rcpts)
    rc, snd, rcpts = env_of(["-H", "x@y.z"])
    check(t("queue: -H both"), rcpts == ["x@y.z", "t@x.y", "c@x.y", "b@x.y", "ap@x.y"], rcpts)
    rc, snd, rcpts = env_of(["-H", "a, b (c), <d@e.f>"])
    check(t("queue: argument address lists"), rcpts[:3] ==
          ["a@dh.dd.example", "b@dh.dd.example", "d@e.f"], rcpts)
    rc, snd, rcpts = env_of([], "To: t@x.y\nResent-To: r@x.y\nResent-Cc: rc@x.y\n"
                            "Resent-Bcc: rb@x.y\nBcc: b@x.y\n\n")
    check(t("queue: resent recipients only"), rcpts == ["r@x.y", "rc@x.y", "rb@x.y"], rcpts)
    rc, snd, rcpts = env_of(["-f", "s@x.y"], "To: <>, \"q r\"@x.y\n\n")
    check(t("queue: <> skipped, quotes removed"), rcpts == ["q r@x.y"] and snd == "s@x.y",
          (snd, rcpts))
    rc, snd, rcpts = env_of([], msg, dict(env, QMAILINJECT="r"))
    check(t("queue: VERP sender"), snd == "joe-@dh.dd.example-@[]", snd)
    for code, want, text in ((31, 100, "permanently"), (71, 111, "temporarily"),
                             (11, 100, "too long"), (25, 100, "permanent problem"),
                             (53, 111, "disk full"), (99, 111, "temporary problem")):
        rc, out, err = h.run([], msg, dict(env, QQEXIT=str(code)), queue=True)
        check(t("queue: exit %d -> %d" % (code, want)), rc == want and text in err, (rc, err))
    rc, out, err = h.run([], msg, dict(env, QQEXIT="82", QQTEXT="Dgo away (#5.7.1)"),
                         queue=True)
    check(t("queue: custom permanent text"), rc == 100 and "go away (#5.7.1)" in err, err)
    rc, out, err = h.run([], msg, dict(env, QQEXIT="82", QQTEXT="Zlater (#4.3.0)"),
                         queue=True)
    check(t("queue: custom temporary text"), rc == 111 and "later" in err, err)
    rc, out, err = h.run([], msg, dict(env, QMAILQUEUE="/nonexistent/qq"))
    check(t("queue: missing queue program 111"), rc == 111, err)

    # --- sendmail
    sm = h.sendmail

    def sendmail(args, data=msg, e=env, argv0=None):
        rc, out, err = h.run(args, data, e, prog=argv0 or sm, queue=True)
        return (rc, err) + h.envelope()

    rc, err, snd, rcpts = sendmail(["x@y.z"])
    check(t("sendmail: args only"), rc == 0 and rcpts == ["x@y.z"], (rc, err, rcpts))
    rc, err, snd, rcpts = sendmail(["-t", "x@y.z"])
    check(t("sendmail -t: header and args"),
          rcpts == ["x@y.z", "t@x.y", "c@x.y", "b@x.y", "ap@x.y"], rcpts)
    rc, err, snd, rcpts = sendmail(["-t"])
    check(t("sendmail -t alone"), rcpts == ["t@x.y", "c@x.y", "b@x.y", "ap@x.y"], rcpts)
    rc, err, snd, rcpts = sendmail([])
    check(t("sendmail without recipients 100"), rc == 100, err)
    rc, err, snd, rcpts = sendmail(["-f", "s@snd.example", "-F", "Full Name", "x@y.z"],
                                   "Subject: s\n\n",
                                   dict(env, NAME="n", MAILHOST="mh.example"))
    q = h.queued()
    check(t("sendmail -f sets sender"), snd == "s@snd.example", snd)
    check(t("sendmail -f/-F set From"), b"\nFrom: Full Name <s@snd.example>\n" in q, q)
    rc, err, snd, rcpts = sendmail(["-fs@snd.example", "x@y.z"], "Subject: s\n\n",
                                   dict(env, QMAILNAME="qn", QMAILHOST="qh.example"))
    check(t("sendmail -f drops QMAILNAME/QMAILHOST"),
          b"\nFrom: s@snd.example\n" in h.queued(), h.queued())
    rc, err, snd, rcpts = sendmail(["-f", "", "x@y.z"])
    check(t("sendmail -f ''"), rc == 0 and snd == "", (rc, err, snd))
    rc, err, snd, rcpts = sendmail(["-oi", "-oem", "-o", "x", "-i", "-v", "-m", "-x", "-B",
                                    "8BITMIME", "-p", "p", "-e", "e", "-Jjunk", "-E", "-bm",
                                    "--", "-dash@y.z"])
    check(t("sendmail: ignored flags accepted"), rc == 0 and rcpts == ["-dash@y.z"],
          (rc, err, rcpts))
    for args, text in ((["-bp"], "qmail-qread is not installed"),
                       (["-bs"], "qmail-smtpd is not installed")):
        rc, out, err = h.run(args, "", env, prog=sm)
        check(t("sendmail %s without the program 111" % args[0]), rc == 111 and text in err,
              (rc, err))
    for args, text in ((["-bi"], "fastforward"), (["-q"], "not supported"),
                       (["-q15m"], "not supported"), (["-bd"], "not supported"),
                       (["-z"], "usage"), (["-f"], "usage"), (["-oi", "-F"], "usage")):
        rc, out, err = h.run(args, "", env, prog=sm)
        check(t("sendmail %s 100" % " ".join(args)), rc == 100 and text in err, (rc, err))
    links = os.path.join(h.out, "links")
    os.makedirs(links, exist_ok=True)
    for name in ("mailq", "newaliases"):
        p = os.path.join(links, name)
        if not os.path.exists(p):
            os.symlink(sm, p)
    rc, out, err = h.run([], "", env, prog=os.path.join(links, "mailq"))
    check(t("mailq runs qmail-qread"), rc == 111 and "qmail-qread is not installed" in err, err)
    rc, out, err = h.run([], "", env, prog=os.path.join(links, "newaliases"))
    check(t("newaliases 100"), rc == 100 and "fastforward" in err, err)
    # with stand-ins installed, the programs get the right arguments and environment
    stub = "#!/bin/sh\necho \"cwd=$(pwd) args=$*\"\nenv | sort\n"
    for name in ("qmail-qread", "qmail-smtpd"):
        p = os.path.join(h.home, "bin", name)
        with open(p, "w") as f:
            f.write(stub)
        os.chmod(p, 0o755)
    rc, out, err = h.run(["-bp"], "", env, prog=sm)
    check(t("sendmail -bp execs qmail-qread in QMAILHOME"),
          rc == 0 and out.startswith(("cwd=%s args=\n" % h.home).encode()), out)
    rc, out, err = h.run(["-bs"], "", env, prog=sm)
    o = out.decode()
    check(t("sendmail -bs environment"), rc == 0 and all(
        x in o.split("\n") for x in ("RELAYCLIENT=", "DATABYTES=0", "PROTO=TCP",
                                     "TCPLOCALIP=127.0.0.1", "TCPREMOTEIP=127.0.0.1",
                                     "TCPLOCALHOST=localhost", "TCPREMOTEHOST=localhost",
                                     "TCPREMOTEINFO=sendmail-bs")), o)
    rc, out, err = h.run(["-bs"], "", dict(env, PROTO="TCP", TCPREMOTEIP="10.0.0.1"), prog=sm)
    o = out.decode()
    check(t("sendmail -bs keeps an existing PROTO"), rc == 0 and "TCPREMOTEIP=10.0.0.1" in o
          and "RELAYCLIENT=" not in o, o)
    for name in ("qmail-qread", "qmail-smtpd"):
        os.unlink(os.path.join(h.home, "bin", name))


def main():
    tmp = tempfile.mkdtemp(prefix="injt.", dir="/tmp")
    homes = []
    try:
        for san in (False, True):
            sub = os.path.join(tmp, "san" if san else "plain")
            os.makedirs(sub)
            h = Home(sub, san)
            homes.append(h)
            tests(h, "san" if san else "plain")
    finally:
        for h in homes:
            shutil.rmtree(h.build, ignore_errors=True)
        shutil.rmtree(tmp, ignore_errors=True)
    res.finish()


main()
