"""hostile_net - part of tests/sys/hostile.py"""


def parts(R):
    return []
