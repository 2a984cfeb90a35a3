"""hostile_local - part of tests/sys/hostile.py"""


def parts(R):
    return []
