"""bench/benchlib.py - what the benchmarks share (imported, not run): the tests'
helpers (tests/qmailtest.py) on the path, run from the top of the source tree, and a
pool of threads that does one job many times."""
import os
import sys
import threading

TOP = os.getcwd()
sys.path.insert(0, os.path.join(TOP, "tests"))
from qmailtest import daemon_ids, free_port  # noqa: E402,F401


def parallel(n, jobs, one):
    """Call one() n times in all, from jobs threads at once; the list of what the calls
    that failed returned (one returns None on success)."""
    left = [n]
    lock = threading.Lock()
    bad = []

    def worker():
        while True:
            with lock:
                if left[0] <= 0:
                    return
                left[0] -= 1
            r = one()
            if r is not None:
                bad.append(r)

    ts = [threading.Thread(target=worker) for _ in range(jobs)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return bad
