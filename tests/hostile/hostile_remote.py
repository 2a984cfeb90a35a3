"""hostile_remote - part of tests/sys/hostile.py"""


def parts(R):
    return []
