# tests/lib.sh - shared functions for the system tests (sourced, not run).
# Each assertion prints "ok ..." or "FAIL ..."; finish prints "N passed, N failed".
cd "${TOP:-.}" || exit 1
unset MAKEFLAGS MAKELEVEL MFLAGS DESTDIR
passed=0
failed=0

ok() {
	echo "ok $*"
	passed=$((passed + 1))
}
fail() {
	echo "FAIL $*"
	failed=$((failed + 1))
}
# t DESCRIPTION COMMAND... - one assertion: the command succeeds
t() {
	d=$1
	shift
	if "$@"; then ok "$d"; else fail "$d"; fi
}
# eq DESCRIPTION GOT WANT - one assertion: two strings are equal
eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else fail "$1: got '$2', want '$3'"; fi
}
finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}
need_root() {
	if [ "$(id -u)" != 0 ]; then
		fail "$0 must run as root"
		finish
	fi
}

# mkprefix NAME - build and install a private copy into a new temporary home; sets
# Q (the home) and QB (its build directory); removed by rmprefix
mkprefix() {
	Q=$(mktemp -d "/tmp/qt-$1.XXXXXX")
	QB=build/$(echo "$Q" | tr / _)
	# accounts made here get the homes of the default QMAILHOME, not of $Q
	sh src/tools/mkusers.sh conf-users "$(sed -n 1p conf-qmail)" > "$Q.log" 2>&1
	if make --no-print-directory -j2 QMAIL="$Q" all >> "$Q.log" 2>&1 &&
		make --no-print-directory QMAIL="$Q" setup check >> "$Q.log" 2>&1; then
		ok "private install in $Q"
	else
		fail "private install in $Q"
		tail -n 20 "$Q.log"
	fi
	rm -f "$Q.log"
}
rmprefix() {
	[ -n "${Q:-}" ] && rm -rf "$Q" "$QB"
}
