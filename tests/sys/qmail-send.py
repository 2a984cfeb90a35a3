#!/usr/bin/env python3
"""qmail-send.py - qmail-send and qmail-clean against a private queue.

Builds the suite for a private QMAIL prefix, makes a queue tree there, and runs
qmail-send with the real qmail-clean and two fake spawners (this script, run with
--spawner) that speak the spawn protocol and answer by the recipient's local part:
ok* K, tmp* Z (K once the file 'release' exists), bad* D, slow* K after 2 s,
mangle* an unknown status letter, multi* D with a blank line in the text.
Bounces go to a recording QMAILQUEUE script. Prints ok/FAIL per assertion and
ends with "N passed, N failed".
"""
import os
import re
import select
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time

SPLIT = 23


def spawner(argv):
    """A fake qmail-lspawn/qmail-rspawn: log each command, answer by local part."""
    logname, limit, flagdir = argv[0], int(argv[1]), argv[2]
    lists = len(argv) > 3 and argv[3] == 'list'  # remote: recipient lists (beyond qmail)
    os.write(1, bytes([limit]))
    buf, pending = b'', []
    log = open(logname, 'ab', buffering=0)

    def answer(slot, rcpt):
        box = rcpt.rsplit(b'@', 1)[0]
        if box.startswith(b'vu-'):
            box = box[3:]
        rep = lambda st, text: bytes([slot]) + st + text + b'\0'
        if box.startswith(b'ok'):
            return 0, rep(b'K', b'did 0+0+1\n')
        if box.startswith(b'tmp'):
            if os.path.exists(os.path.join(flagdir, 'release')):
                return 0, rep(b'K', b'did 1+0+0\n')
            return 0, rep(b'Z', b'Temporary trouble, try later. (#4.3.0)\n')
        if box.startswith(b'bad'):
            return 0, rep(b'D', b'Sorry, no mailbox here by that name. (#5.1.1)\n')
        if box.startswith(b'slow'):
            return 2, rep(b'K', b'did 0+0+1\n')
        if box.startswith(b'mangle'):
            return 0, rep(b'X', b'what?\n')
        if box.startswith(b'multi'):
            return 0, rep(b'D', b'first line\n\nthird line 100%\n')
        return 0, rep(b'Z', b'fake spawner: no rule\n')

    eof = False
    while not eof or pending:
        timeout = None
        if pending:
            timeout = max(0.0, min(t for t, _ in pending) - time.time())
        r = [] if eof else select.select([0], [], [], timeout)[0]
        if eof and pending:
            time.sleep(timeout)
        now = time.time()
        for item in sorted(p for p in pending if p[0] <= now):
            os.write(1, item[1])
            pending.remove(item)
        if not r:
            continue
        d = os.read(0, 4096)
        if not d:
            eof = True
            continue
        buf += d
        while buf:
            if lists:  # path, sender, recipients, an empty field
                fields, i, rest = [], 1, None
                while rest is None:
                    k = buf.find(b'\0', i)
                    if k < 0:
                        break
                    if len(fields) >= 3 and k == i:
                        rest = buf[k + 1:]
                    fields.append(buf[i:k])
                    i = k + 1
                if rest is None:
                    break
                slot, path, sender, rcpts, buf = buf[0], fields[0], fields[1], fields[2:-1], rest
            else:
                parts = buf[1:].split(b'\0', 3)
                if len(parts) < 4:
                    break
                slot, (path, sender, rcpt, buf) = buf[0], parts
                rcpts = [rcpt]
            delays, reps = [], b''
            for rcpt in rcpts:
                log.write(b'%d %s <%s> %s\n' % (slot, path, sender, rcpt))
                delay, rep = answer(slot, rcpt)
                delays.append(delay)
                reps += rep
            pending.append((time.time() + max(delays), reps))


if len(sys.argv) > 1 and sys.argv[1] == '--spawner':
    spawner(sys.argv[2:])
    sys.exit(0)

TOP = os.environ.get('TOP', os.getcwd())
BASE = '/tmp/hsend-systest.%d' % os.getpid()
QMAIL = BASE + '/q'
SAN = os.environ.get('SEND_SAN') == '1'  # SEND_SAN=1: run the sanitized build
BUILD = os.path.join(TOP, 'build', ('san' if SAN else '') + QMAIL.replace('/', '_'))
BIN = os.path.join(BUILD, 'bin')
Q = QMAIL + '/queue'
WORK = BASE + '/work'
PROCS = []  # every process started, killed at the end whatever happens
passed = failed = 0


def check(cond, name):
    global passed, failed
    if cond:
        passed += 1
        print('ok - ' + name)
    else:
        failed += 1
        print('FAIL - ' + name)
    return cond


def write(path, data, mode=0o644):
    with open(path, 'wb') as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    os.chmod(path, mode)


def make_queue():
    for d in ('pid', 'intd', 'todo', 'bounce', 'lock'):
        os.makedirs(os.path.join(Q, d))
    for d in ('mess', 'info', 'local', 'remote'):
        for i in range(SPLIT):
            os.makedirs(os.path.join(Q, d, str(i)))
    write(Q + '/lock/sendmutex', b'', 0o600)
    os.mkfifo(Q + '/lock/trigger', 0o622)
    os.makedirs(QMAIL + '/control')
    write(QMAIL + '/control/me', 'test.example\n')
    write(QMAIL + '/control/locals', 'test.example\nlocalhost\n')
    write(QMAIL + '/control/virtualdomains', 'virt.example:vu\nlong.example:' + 'p' * 4100 + '\n')
    os.makedirs(WORK)
    write(WORK + '/qq', '#!/bin/sh\n'
          'n=$(( $(ls %s/bounces | wc -l) / 2 ))\n'
          'cat > %s/bounces/$n.msg\n'
          'cat <&1 > %s/bounces/$n.env\n'
          'exit 0\n' % (WORK, WORK, WORK), 0o755)
    os.makedirs(WORK + '/bounces')


seq = [0]


def pull():
    try:
        fd = os.open(Q + '/lock/trigger', os.O_WRONLY | os.O_NONBLOCK)
        os.write(fd, b'x')
        os.close(fd)
    except OSError:
        pass


def inject(sender, rcpts, body=b'Subject: test\n\nhello\n', trigger=True, raw=None):
    """Queue a message the way qmail-queue does; returns its id."""
    seq[0] += 1
    p = '%s/pid/%d.1.%d' % (Q, os.getpid(), seq[0])
    write(p, body)
    ino = os.stat(p).st_ino
    os.link(p, '%s/mess/%d/%d' % (Q, ino % SPLIT, ino))
    os.unlink(p)
    env = raw
    if env is None:
        env = b'u0\0p4242\0F' + sender + b'\0' + b''.join(b'T' + r + b'\0' for r in rcpts)
    write('%s/intd/%d' % (Q, ino), env)
    os.link('%s/intd/%d' % (Q, ino), '%s/todo/%d' % (Q, ino))
    if trigger:
        pull()
    return ino


class Log:
    """Collects qmail-send's log lines from a pipe."""

    def __init__(self, fd):
        self.lines, self.fd, self.cv = [], fd, threading.Condition()
        threading.Thread(target=self.run, daemon=True).start()

    def run(self):
        f = os.fdopen(self.fd, 'rb')
        for line in f:
            with self.cv:
                self.lines.append(line.rstrip(b'\n').decode('latin-1'))
                self.cv.notify_all()

    def wait(self, pattern, timeout=10, start=0):
        """The first line from index start matching the regex, or None."""
        rx = re.compile(pattern)
        end = time.time() + timeout
        with self.cv:
            while True:
                for line in self.lines[start:]:
                    if rx.fullmatch(line):
                        return line
                left = end - time.time()
                if left <= 0:
                    return None
                self.cv.wait(left)

    def mark(self):
        with self.cv:
            return len(self.lines)

    def since(self, start):
        with self.cv:
            return list(self.lines[start:])


class Send:
    """qmail-send wired to qmail-clean and two fake spawners, as qmail-start does."""

    def __init__(self, llimit=5, rlimit=200, env=None, spawners=True, trace=None, strace=None,
                 clean_strace=None):
        pipes = [os.pipe() for _ in range(7)]
        (log_r, log_w), (lc_r, lc_w), (lr_r, lr_w), (rc_r, rc_w), (rr_r, rr_w), \
            (cc_r, cc_w), (cr_r, cr_w) = pipes
        self.procs = []
        me = os.path.abspath(__file__)
        if spawners:
            self.procs.append(subprocess.Popen(
                [sys.executable, me, '--spawner', WORK + '/local.log', str(llimit), WORK],
                stdin=lc_r, stdout=lr_w))
            self.procs.append(subprocess.Popen(
                [sys.executable, me, '--spawner', WORK + '/remote.log', str(rlimit), WORK, 'list'],
                stdin=rc_r, stdout=rr_w))
            clean = [BIN + '/qmail-clean']
            if clean_strace:
                clean = ['strace', '-qq', '-o', '/dev/null'] + clean_strace + clean
            self.procs.append(subprocess.Popen(clean, stdin=cc_r, stdout=cr_w))
        PROCS.extend(self.procs)
        wires = [log_w, lc_w, lr_r, rc_w, rr_r, cc_w, cr_r]

        def wire():
            high = [os.dup2(fd, 100 + i) for i, fd in enumerate(wires)]
            for i, fd in enumerate(high):
                os.dup2(fd, i)
                os.close(fd)
        e = {'PATH': '/usr/bin:/bin', 'QMAILQUEUE': WORK + '/qq',
             'ASAN_OPTIONS': 'log_path=%s/asan' % WORK}
        e.update(env or {})
        cmd = [BIN + '/qmail-send']
        if trace:
            # -f: qmail-send issues a todo batch's fsyncs on threads of its own (syncq)
            cmd = ['strace', '-f', '-y', '-o', trace, '-e', 'trace=fsync,write'] + cmd
        elif strace:
            cmd = ['strace', '-f', '-qq', '-o', '/dev/null'] + strace + cmd
        self.p = subprocess.Popen(cmd, preexec_fn=wire, close_fds=False, env=e)
        PROCS.append(self.p)
        for r, w in pipes:
            if r != log_r:
                os.close(r)
            os.close(w)
        self.log = Log(log_r)

    def stop(self, timeout=10):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
        try:
            rc = self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            rc = self.p.wait()
        for q in self.procs:
            try:
                q.wait(5)
            except subprocess.TimeoutExpired:
                q.kill()
                q.wait()
        return rc


def qpath(d, ino, split=True):
    return '%s/%s/%d/%d' % (Q, d, ino % SPLIT, ino) if split else '%s/%s/%d' % (Q, d, ino)


def gone(ino):
    return not any(os.path.exists(p) for p in (
        qpath('mess', ino), qpath('info', ino), qpath('local', ino), qpath('remote', ino),
        qpath('todo', ino, False), qpath('intd', ino, False), qpath('bounce', ino, False)))


def spawnlog(ch):
    try:
        with open('%s/%s.log' % (WORK, ch), 'rb') as f:
            return f.read().decode('latin-1').splitlines()
    except FileNotFoundError:
        return []


def bounces():
    out = []
    for i in range(len(os.listdir(WORK + '/bounces')) // 2):
        msg = open('%s/bounces/%d.msg' % (WORK, i), 'rb').read()
        env = open('%s/bounces/%d.env' % (WORK, i), 'rb').read()
        out.append((env, msg))
    return out


def test_clean():
    """qmail-clean alone: replies, removals, malformed requests, reaping pid/."""
    old = time.time() - 40 * 3600
    write(Q + '/pid/old1', b'')
    os.utime(Q + '/pid/old1', (old, old))
    write(Q + '/pid/young', b'')
    p = subprocess.Popen([BIN + '/qmail-clean'], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    PROCS.append(p)
    count = [0]

    def req(r):
        count[0] += 1
        p.stdin.write(r)
        p.stdin.flush()
        return p.stdout.read(1)
    check(req(b'foop/999\0') == b'+', 'clean: missing files count as removed')
    check(not os.path.exists(Q + '/pid/old1'), 'clean: stale pid file reaped at startup')
    check(os.path.exists(Q + '/pid/young'), 'clean: young pid file kept')
    write('%s/mess/%d/%d' % (Q, 46 % SPLIT, 46), b'x')
    write(Q + '/intd/46', b'x')
    check(req(b'foop/46\0') == b'+', 'clean: foop answered +')
    check(not os.path.exists('%s/mess/0/46' % Q) and not os.path.exists(Q + '/intd/46'),
          'clean: foop removes mess and intd')
    write(Q + '/todo/47', b'x')
    write(Q + '/intd/47', b'x')
    write('%s/mess/%d/47' % (Q, 47 % SPLIT), b'x')
    check(req(b'todo/47\0') == b'+', 'clean: todo answered +')
    check(not os.path.exists(Q + '/todo/47') and not os.path.exists(Q + '/intd/47'),
          'clean: todo removes todo and intd')
    check(os.path.exists('%s/mess/%d/47' % (Q, 47 % SPLIT)), 'clean: todo keeps mess')
    for bad in (b'foop/\0', b'bad/12345\0', b'foop/12a\0', b'todo/-1\0', b'foo\0',
                b'todo/' + b'0' * 91 + b'1234\0', b'foop/99999999999999999999999\0',
                b'x' * 300 + b'\0'):
        check(req(bad) == b'x', 'clean: malformed %r refused' % bad[:20])
    check(req(b'todo/' + b'0' * 90 + b'1234\0') == b'+', 'clean: 100-byte request accepted')
    os.mkdir(Q + '/intd/48')
    check(req(b'foop/48\0') == b'!', 'clean: unlink failure answered !')
    os.rmdir(Q + '/intd/48')
    write(Q + '/pid/old2', b'')
    os.utime(Q + '/pid/old2', (old, old))
    while count[0] % 30 != 29:
        req(b'foop/1\0')
    check(os.path.exists(Q + '/pid/old2'), 'clean: no sweep before 30 requests')
    req(b'foop/1\0')
    req(b'foop/1\0')  # answered after the sweep that followed the 30th
    check(not os.path.exists(Q + '/pid/old2'), 'clean: sweep after 30 requests')
    p.stdin.close()
    check(p.wait(5) == 0, 'clean: exits 0 at end of input')
    os.unlink(Q + '/pid/young')


def test_send():
    old = time.time() - 40 * 3600
    # stale files the startup sweep must remove, and one it must keep
    write('%s/mess/%d/%d' % (Q, 5000 % SPLIT, 5000), b'stale')
    os.utime('%s/mess/%d/%d' % (Q, 5000 % SPLIT, 5000), (old, old))
    write('%s/mess/%d/%d' % (Q, 5001 % SPLIT, 5001), b'young')
    write(Q + '/bounce/5002', b'<x>:\nx\n\n')

    s = Send()
    L = s.log
    check(L.wait(r'status: local 0/5 remote 0/20') is not None,
          'startup status: concurrency is min(control, spawner limit)')
    time.sleep(1)
    check(not os.path.exists('%s/mess/%d/5000' % (Q, 5000 % SPLIT)), 'startup sweep: stale mess removed')
    check(os.path.exists('%s/mess/%d/5001' % (Q, 5001 % SPLIT)), 'startup sweep: young mess kept')
    check(not os.path.exists(Q + '/bounce/5002'), 'startup sweep: orphan bounce removed')

    # K on both channels
    m = L.mark()
    id1 = inject(b'a@b.example', [b'ok1@test.example', b'ok2@remote.example'])
    size = len(b'Subject: test\n\nhello\n')
    check(L.wait(r'new msg %d' % id1, start=m) is not None, 'log: new msg')
    check(L.wait(r'info msg %d: bytes %d from <a@b\.example> qp 4242 uid 0' % (id1, size),
                 start=m) is not None, 'log: info msg')
    d1 = L.wait(r'starting delivery \d+: msg %d to local ok1@test\.example' % id1, start=m)
    d2 = L.wait(r'starting delivery \d+: msg %d to remote ok2@remote\.example' % id1, start=m)
    check(d1 is not None and d2 is not None, 'log: starting delivery local and remote')
    n1 = d1 and d1.split()[2].rstrip(':')
    check(L.wait(r'delivery %s: success: did_0\+0\+1/' % n1, start=m) is not None,
          'log: delivery success, text made log-safe')
    check(L.wait(r'end msg %d' % id1, start=m) is not None, 'log: end msg')
    time.sleep(0.3)
    check(gone(id1), 'K: every file of the message removed')
    check(L.wait(r'status: local 0/5 remote 0/20', start=m) is not None, 'log: status after delivery')
    check(any(l.endswith('%d/%d <a@b.example> ok1@test.example' % (id1 % SPLIT, id1))
              for l in spawnlog('local')), 'spawn command: SPLIT/ID, sender, recipient')
    check(any('ok2@remote.example' in l for l in spawnlog('remote')), 'remote recipient to rspawn')
    numbers = [int(x.split()[2].rstrip(':')) for x in L.since(0) if x.startswith('starting delivery')]
    check(sorted(numbers) == list(range(1, len(numbers) + 1)), 'delivery numbers count from 1')

    # rewriting: envnoathost, virtual domain, percent kept for remote, log-safe address
    m = L.mark()
    id2 = inject(b'', [b'ok3', b'ok4@virt.example', b'ok5%x@remote.example'])
    check(L.wait(r'starting delivery \d+: msg %d to local ok3@test\.example' % id2, start=m) is not None,
          'rewrite: envnoathost appended')
    check(L.wait(r'starting delivery \d+: msg %d to local vu-ok4@virt\.example' % id2, start=m) is not None,
          'rewrite: virtual domain prefix')
    check(L.wait(r'starting delivery \d+: msg %d to remote ok5_x@remote\.example' % id2, start=m) is not None,
          'log: % in an address is logged as _')
    check(L.wait(r'end msg %d' % id2, start=m) is not None, 'rewritten message finished')

    # VERP sender expansion
    m = L.mark()
    id3 = inject(b'list-@lists.example-@[]', [b'ok6@test.example'])
    check(L.wait(r'end msg %d' % id3, start=m) is not None, 'VERP message delivered')
    check(any('<list-ok6=test.example@lists.example> ok6@test.example' in l for l in spawnlog('local')),
          'VERP: sender expanded per recipient')

    # Z, then SIGALRM retries; a K beside it is marked D in place
    m = L.mark()
    id4 = inject(b'z@b.example', [b'ok7@test.example', b'tmp1@test.example'])
    dz = L.wait(r'starting delivery \d+: msg %d to local tmp1@test\.example' % id4, start=m)
    nz = dz and dz.split()[2].rstrip(':')
    check(L.wait(r'delivery %s: deferral: Temporary_trouble,_try_later\._\(#4\.3\.0\)/' % nz,
                 start=m) is not None, 'log: deferral')
    time.sleep(0.5)
    local = qpath('local', id4)
    data = open(local, 'rb').read() if os.path.exists(local) else b''
    check(data == b'Dok7@test.example\0Ttmp1@test.example\0', 'mark: K record overwritten with D, Z left T')
    check(os.path.exists(qpath('info', id4)), 'Z: message stays queued')
    m = L.mark()
    s.p.send_signal(signal.SIGALRM)
    check(L.wait(r'starting delivery \d+: msg %d to local tmp1@test\.example' % id4, start=m) is not None,
          'SIGALRM: deferred recipient tried again')
    check(L.wait(r'starting delivery \d+: msg %d to local ok7@test\.example' % id4, start=m, timeout=1) is None,
          'retry skips recipients marked done')

    # D: bounce injected through QMAILQUEUE
    m = L.mark()
    id5 = inject(b's@x.example', [b'bad1@test.example', b'ok8@test.example', b'bad2@virt.example'])
    check(L.wait(r'delivery \d+: failure: Sorry,_no_mailbox_here_by_that_name\._\(#5\.1\.1\)/',
                 start=m) is not None, 'log: failure')
    b = L.wait(r'bounce msg %d qp \d+' % id5, start=m)
    check(b is not None, 'log: bounce msg ID qp PID')
    check(L.wait(r'end msg %d' % id5, start=m) is not None, 'bounced message finished')
    time.sleep(0.3)
    check(gone(id5), 'D: every file removed, bounce/ID too')
    bl = bounces()
    check(len(bl) == 1, 'one bounce for two failures')
    if bl:
        env, msg = bl[0]
        check(env == b'F\0Ts@x.example\0\0', 'bounce envelope: empty sender, to the original sender')
        check(b'Hi. This is the qmail-send program at test.example.' in msg, 'bounce: QSBMF greeting')
        check(b'report-type=delivery-status' in msg and b'message/delivery-status' in msg,
              'bounce: RFC 3464 report')
        check(b'<bad1@test.example>:\nSorry, no mailbox here by that name. (#5.1.1)\n\n' in msg,
              'bounce: paragraph per failed recipient')
        check(b'<bad2@virt.example>:' in msg, 'bounce: virtual prefix removed from the address')
        check(b'ok8' not in msg.split(b'--- Below')[0], 'bounce: delivered recipient not listed')
        check(b'From: MAILER-DAEMON@test.example\n' in msg, 'bounce: From bouncefrom@bouncehost')
        check(b'Return-Path: <s@x.example>\nSubject: test\n\nhello\n' in msg, 'bounce: original attached')

    # double bounce, VERP bounce, triple bounce, blank lines in a report
    m = L.mark()
    id6 = inject(b'', [b'bad3@test.example'])
    id7 = inject(b'l-@lists.example-@[]', [b'multi1@test.example'])
    id8 = inject(b'#@[]', [b'bad4@test.example'])
    check(L.wait(r'bounce msg %d qp \d+' % id6, start=m) is not None, 'double bounce injected')
    check(L.wait(r'bounce msg %d qp \d+' % id7, start=m) is not None, 'VERP bounce injected')
    check(L.wait(r'triple bounce: discarding bounce/%d' % id8, start=m) is not None, 'log: triple bounce')
    check(L.wait(r'delivery \d+: failure: first_line//third_line_100_/', start=m) is not None,
          'log: report text log-safe (newlines, spaces, %)')
    for i in (id6, id7, id8):
        check(L.wait(r'end msg %d' % i, start=m) is not None, 'end msg %d' % i)
    envs = [e for e, _ in bounces()[1:]]
    check(b'F#@[]\0Tpostmaster@test.example\0\0' in envs, 'double bounce: #@[] to doublebounceto@doublebouncehost')
    check(b'F\0Tl-@lists.example\0\0' in envs, 'VERP bounce to pre-@host')
    check(len(bounces()) == 3, 'triple bounce not injected')
    dbl = [msg for e, msg in bounces() if e.startswith(b'F#@[]')]
    check(bool(dbl) and b'--- Below this line is the original bounce.' in dbl[0], 'double bounce wording')
    vb = [msg for e, msg in bounces() if e.startswith(b'F\0Tl-')]
    check(bool(vb) and b'<multi1@test.example>:\nfirst line\n/\nthird line 100%\n\n' in vb[0],
          'bounce: blank line in a report becomes /')

    # a recipient that virtualdomains makes too long for the spawn protocol bounces
    m = L.mark()
    id13 = inject(b'long@x.example', [b'ok11@long.example'])
    check(L.wait(r'warning: overlong recipient in local/\d+/%d' % id13, start=m) is not None,
          'overlong recipient: warning')
    check(L.wait(r'bounce msg %d qp \d+' % id13, start=m) is not None, 'overlong recipient: bounced')
    lb = [msg for e, msg in bounces() if e == b'F\0Tlong@x.example\0\0']
    check(bool(lb) and b'<ok11@long.example>:\nSorry, this address is too long' in lb[0],
          'overlong recipient: paragraph shows the address as written')
    check(not any('long.example' in l for l in spawnlog('local')), 'overlong recipient: never sent to a spawner')

    # mangled report
    m = L.mark()
    id9 = inject(b'a@b.example', [b'mangle1@test.example'])
    check(L.wait(r'delivery \d+: report mangled, will defer', start=m) is not None, 'log: report mangled')

    # corrupt todo entries are set aside, the next message still flows
    m = L.mark()
    bad = inject(b'', [], raw=b'u0\0p1\0Tno-sender@test.example\0')
    bad2 = inject(b'', [], raw=b'u0\0p1\0Fa@b\0Tcut@test.example')
    bad3 = inject(b'', [], raw=b'u0\0p1\0Fa@b\0Qweird\0')
    check(L.wait(r'warning: recipient before sender in todo/%d; leaving it for the postmaster' % bad,
                 start=m) is not None, 'corrupt todo: logged and set aside')
    check(L.wait(r'warning: truncated record in todo/%d; .*' % bad2, start=m) is not None,
          'corrupt todo: truncated record')
    check(L.wait(r'warning: unknown record type in todo/%d; .*' % bad3, start=m) is not None,
          'corrupt todo: unknown record type')
    id10 = inject(b'a@b.example', [b'ok9@test.example'])
    check(L.wait(r'end msg %d' % id10, start=m) is not None, 'queue keeps working after corrupt entries')
    check(os.path.exists(qpath('todo', bad, False)) and not os.path.exists(qpath('info', bad)),
          'corrupt todo left in place, no info created')
    check(s.p.poll() is None, 'qmail-send still running')
    m = L.mark()
    pull()
    time.sleep(0.5)
    check(not any('todo/%d' % bad in l for l in L.since(m)), 'set-aside entry not reported again')

    # the send mutex keeps a second qmail-send out
    s2 = Send(spawners=False)
    try:
        rc = s2.p.wait(10)
    except subprocess.TimeoutExpired:
        rc = s2.stop()
    check(rc == 111, 'second qmail-send exits 111 (%r %r)' % (rc, s2.log.since(0)))
    check(s2.log.wait(r'alert: cannot start: qmail-send is already running', timeout=2) is not None,
          'second qmail-send logs the mutex alert')

    # SIGTERM waits for the outstanding delivery
    m = L.mark()
    id11 = inject(b'a@b.example', [b'slow1@test.example'])
    check(L.wait(r'starting delivery \d+: msg %d to local slow1@test\.example' % id11, start=m) is not None,
          'slow delivery started')
    s.p.send_signal(signal.SIGTERM)
    check(L.wait(r'status: local 1/5 remote 0/20 exitasap', start=m) is not None, 'log: status exitasap')
    time.sleep(0.5)
    check(s.p.poll() is None, 'SIGTERM: still running while a delivery is outstanding')
    check(L.wait(r'delivery \d+: success: did_0\+0\+1/', start=m) is not None, 'outstanding delivery reported')
    rc = s.stop()
    check(rc == 0, 'exit 0 after SIGTERM')
    check(L.since(0)[-1] == 'status: exiting', 'log: status: exiting is the last line')
    st = os.stat(qpath('local', id4))
    check(st.st_mtime > time.time() + 30, 'shutdown: pending channel file mtime set to its retry time')
    check(os.path.exists(qpath('info', id9)) and os.path.exists(qpath('local', id9)),
          'mangled report left the recipient queued')

    # restart: info/ rescan; a short queuelifetime turns the deferral into a bounce
    write(QMAIL + '/control/queuelifetime', '1\n')
    time.sleep(1.2)
    s = Send()
    L = s.log
    m = 0
    check(L.wait(r'status: local 0/5 remote 0/20') is not None, 'restart')
    s.p.send_signal(signal.SIGALRM)
    d = L.wait(r'starting delivery \d+: msg %d to local tmp1@test\.example' % id4)
    check(d is not None, 'restart: rescan of info/ finds the deferred message')
    n = d and d.split()[2].rstrip(':')
    check(L.wait(r'delivery %s: failure: Temporary_trouble,_try_later\._\(#4\.3\.0\)/This_message_has_been_in_the_queue_too_long,_so_I_am_giving_up\./' % n)
          is not None, 'dying message: deferral becomes failure')
    check(L.wait(r'bounce msg %d qp \d+' % id4) is not None, 'dying message bounced')
    check(L.wait(r'end msg %d' % id4) is not None, 'dying message removed')

    # SIGHUP rereads locals: a remote domain becomes local
    write(QMAIL + '/control/locals', 'test.example\nnewlocal.example\n')
    s.p.send_signal(signal.SIGHUP)
    time.sleep(0.5)
    m = L.mark()
    id12 = inject(b'a@b.example', [b'ok10@newlocal.example'])
    check(L.wait(r'starting delivery \d+: msg %d to local ok10@newlocal\.example' % id12, start=m) is not None,
          'SIGHUP: locals reread')
    check(L.wait(r'end msg %d' % id12, start=m) is not None, 'new local delivered')
    info = open(qpath('info', id9), 'rb').read() if os.path.exists(qpath('info', id9)) else b''
    check(info == b'Fa@b.example\0', 'info file: F sender NUL')

    # a lost spawner makes qmail-send exit
    s.procs[0].kill()
    s.procs[0].wait()
    check(L.wait(r'alert: oh no! lost spawn connection! dying\.\.\.') is not None, 'log: lost spawn connection')
    try:
        rc = s.p.wait(10)
    except subprocess.TimeoutExpired:
        rc = None
    check(rc == 0, 'exit after a lost spawner')
    s.stop()
    # strace is installed by .ci/run: without it this check fails, it is never skipped
    check(shutil.which('strace') is not None, 'strace is installed for the fsync order check')
    if shutil.which('strace'):
        test_order()
    bad_lines = [l for l in L.since(0) if not re.fullmatch(
        r'(status: local \d+/\d+ remote \d+/\d+( exitasap)?|new msg \d+|'
        r'info msg \d+: bytes \d+ from <[^ ]*> qp \d+ uid \d+|'
        r'starting delivery \d+: msg \d+ to (local|remote) [^ ]+|'
        r'delivery \d+: (success|deferral|failure): [^ ]*|delivery \d+: report mangled, will defer|'
        r'bounce msg \d+ qp \d+|triple bounce: discarding bounce/\d+|end msg \d+|status: exiting|'
        r'(alert|warning): .*)', l)]
    check(bad_lines == [], 'every log line has a SPEC 16 shape %r' % bad_lines[:3])


def strace_lines(raw):
    """strace -f output as one line per finished call, in the order the calls
    finished: the pid prefix is cut and an "<unfinished ...>" call is joined with
    its "<... resumed>" end, at the place of the end."""
    out, pending = [], {}
    for l in raw:
        pid, _, rest = l.partition(' ')
        if not pid.isdigit():
            pid, rest = '', l
        rest = rest.lstrip()
        if rest.endswith('<unfinished ...>'):
            pending[pid] = rest[:-len('<unfinished ...>')].rstrip()
            continue
        m = re.match(r'<\.\.\. \w+ resumed>(.*)', rest)
        if m:
            rest = pending.pop(pid, '') + m.group(1)
        out.append(rest)
    return out


def test_order():
    """Under strace: every file and directory written for a message is synced before
    qmail-clean is asked to remove todo/ID."""
    trace = WORK + '/trace'
    s = Send(trace=trace)
    L = s.log
    L.wait(r'status: local 0/5 remote 0/20')
    idt = inject(b'a@b.example', [b'ok20@test.example', b'ok21@remote.example'])
    check(L.wait(r'end msg %d' % idt) is not None, 'traced message delivered')
    s.stop()
    lines = strace_lines(open(trace).read().splitlines())
    req = [i for i, l in enumerate(lines) if l.startswith('write(5') and '"todo/%d\\0"' % idt in l]
    check(len(req) == 1, 'trace: one todo request to qmail-clean')
    sp = idt % SPLIT
    want = ['info/%d/%d>' % (sp, idt), 'local/%d/%d>' % (sp, idt), 'remote/%d/%d>' % (sp, idt),
            'info/%d>' % sp, 'local/%d>' % sp, 'remote/%d>' % sp]
    for w in want:
        at = [i for i, l in enumerate(lines) if l.startswith('fsync(') and w in l and '= 0' in l]
        check(bool(at) and bool(req) and at[0] < req[0], 'trace: fsync of %s before the todo request' % w[:-1])


def ctl_start(**kw):
    """qmail-send (Send(**kw)) on the queue with a ctl/ directory, once it is up:
    (the Send, its log, the log's mark); messages live a week again (test_send left
    queuelifetime at 1 s, which would bounce a deferred message before its removal)"""
    write(QMAIL + '/control/queuelifetime', '604800\n')
    os.makedirs(Q + '/ctl', exist_ok=True)
    s = Send(**kw)
    s.log.wait(r'status: local 0/5 remote 0/20')
    return s, s.log, s.log.mark()


def ctl_request(data):
    """a request in ctl/, as qmail-qctl makes it, and a pull of the trigger"""
    write('%s/ctl/%d.%d' % (Q, int(time.time() * 1e6), os.getpid()), data, 0o600)
    pull()


def until(cond, timeout):
    end = time.time() + timeout
    while not cond() and time.time() < end:
        time.sleep(0.05)
    return cond()


def test_ctl_pull():
    """A pull of the trigger for a ctl/ request that comes while a todo batch is
    still being synced, with a second todo pull already seen, is not lost when the
    todo scan after the batch reopens the trigger (every fsync delayed by strace)."""
    s, L, mark = ctl_start(strace=['-e', 'trace=fsync', '-e', 'inject=fsync:delay_enter=1500000'])
    a = inject(b'a@b.example', [b'ok30@test.example'])
    check(L.wait(r'new msg %d' % a, start=mark) is not None, 'slow batch: A is being preprocessed')
    time.sleep(0.3)
    inject(b'a@b.example', [b'ok31@test.example'])  # a todo pull while A's batch is busy
    time.sleep(0.3)
    ctl_request(b'hold 999999999\n')
    check(L.wait(r'warning: hold request for msg 999999999: no such message', 20, mark) is not None,
          'a ctl/ request pulled during a busy todo batch is carried out')
    check(until(lambda: os.listdir(Q + '/ctl') == [], 5), 'and removed')
    s.stop()
    os.rmdir(Q + '/ctl')


def test_ctl_pending():
    """A removal asked for while qmail-clean has not yet answered for the message's
    todo entry (its todo/ sync delayed by strace) waits for the answer, then removes
    the message once and cleanly."""
    s, L, mark = ctl_start(clean_strace=['-e', 'trace=fsync', '-e', 'inject=fsync:delay_enter=2000000'])
    x = inject(b'a@b.example', [b'tmp40@test.example'])
    check(L.wait(r'new msg %d' % x, start=mark) is not None, 'pending: X preprocessed')
    time.sleep(0.3)  # the batch is synced; qmail-clean sits on the todo/ sync
    asked = time.time()
    ctl_request(b'remove %d\n' % x)
    check(L.wait(r'end msg %d' % x, 20, mark) is not None, 'pending: X removed')
    took = time.time() - asked
    lines = L.since(mark)
    check(lines.count('remove msg %d' % x) == 1 and lines.count('end msg %d' % x) == 1,
          'pending: one removal, one end %r' % [l for l in lines if str(x) in l])
    check(took >= 1.0, 'pending: the removal waited for qmail-clean\'s answer (%.1f s)' % took)
    warn = [l for l in lines if l.startswith(('warning', 'alert')) and str(x) in l]
    check(not warn, 'pending: no warnings about X %r' % warn[:3])
    until(lambda: gone(x) and os.listdir(Q + '/ctl') == [], 10)
    left = [p for p in (qpath('mess', x), qpath('info', x), qpath('local', x), qpath('remote', x),
                        qpath('todo', x, False), qpath('intd', x, False)) if os.path.exists(p)]
    check(gone(x), 'pending: nothing of X is left %r' % left)
    check(os.listdir(Q + '/ctl') == [], 'pending: the request is removed %r' % os.listdir(Q + '/ctl'))
    s.stop()
    os.rmdir(Q + '/ctl')


def main():
    os.makedirs(BASE)
    try:
        r = subprocess.run(['make', '-s', '-C', TOP, 'QMAIL=' + QMAIL] + (['SAN=1'] if SAN else []) + ['all'],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if not check(r.returncode == 0, 'build for a private prefix'):
            print(r.stdout.decode()[-2000:])
            return
        make_queue()
        test_clean()
        test_send()
        test_ctl_pull()
        test_ctl_pending()
        reports = [f for f in os.listdir(WORK) if f.startswith('asan')]
        for f in reports:
            print(open(os.path.join(WORK, f)).read()[:3000])
        check(not reports, 'no sanitizer reports from qmail-send')
    finally:
        for p in PROCS:
            if p.poll() is None:
                p.kill()
                p.wait()
        shutil.rmtree(BASE, ignore_errors=True)
        shutil.rmtree(BUILD, ignore_errors=True)
    print('%d passed, %d failed' % (passed, failed))


if __name__ == '__main__':
    try:
        main()
    except Exception:
        import traceback
        traceback.print_exc()
        failed += 1
        print('%d passed, %d failed' % (passed, failed))
    sys.exit(1 if failed else 0)
