#!/bin/sh
# setup.sh - make setup check installs a complete tree into a private home, twice in a
# row; instcheck names every deliberate breakage; setup repairs it; setup refuses to
# follow planted links; make package DESTDIR=... stages a tree without touching the
# home. Needs root. TOP is the source tree (tests/run sets it).
. tests/lib.sh
# is PATH "TYPE OWNER GROUP MODE" - stat says so (mode in octal, no leading 0)
is() {
	got=$(stat -c '%F %U %G %a' "$1" 2>&1)
	if [ "$got" = "$2" ]; then ok "$1 is $2"; else fail "$1 is '$got', should be '$2'"; fi
}
# mentions PATTERN - the last check's output has a line with this fixed text
mentions() {
	if grep -qF -- "$1" "$log"; then ok "check names: $1"; else fail "check does not name: $1"; fi
}

need_root

tmp=$(mktemp -d /tmp/hinst-setup.XXXXXX)
tmp2=$tmp-pkg
stage=$(mktemp -d /tmp/hinst-stage.XXXXXX)
log=$(mktemp /tmp/hinst-log.XXXXXX)
bdir=build/$(echo "$tmp" | tr / _)
bdir2=build/$(echo "$tmp2" | tr / _)
cleanup() {
	rm -rf "$tmp" "$tmp2" "$stage" "$bdir" "$bdir2"
	rm -f "$log"
}
trap cleanup EXIT

# run DESCRIPTION make-args... - make must succeed; its output goes to $log
run() {
	d=$1
	shift
	if make --no-print-directory "$@" > "$log" 2>&1; then
		ok "$d"
	else
		fail "$d"
		tail -n 20 "$log"
	fi
}
# refuse DESCRIPTION make-args... - make must fail
refuse() {
	d=$1
	shift
	if make --no-print-directory "$@" > "$log" 2>&1; then fail "$d"; else ok "$d"; fi
}

# Accounts made by this test get the homes of the default QMAILHOME, not of $tmp.
t "accounts exist or are created" sh src/tools/mkusers.sh conf-users "$(sed -n 1p conf-qmail)" > /dev/null

run "first make setup check" QMAIL="$tmp" setup check
run "second make setup check" QMAIL="$tmp" setup check
t "instpackage, instchown, instcheck built in $bdir" test -x "$bdir/bin/instcheck"

is "$tmp" "directory root qmail 755"
is "$tmp/control" "directory root qmail 755"
is "$tmp/bin" "directory root qmail 755"
is "$tmp/man/man8" "directory root qmail 755"
is "$tmp/alias" "directory alias qmail 2755"
is "$tmp/queue" "directory qmailq qmail 750"
is "$tmp/queue/pid" "directory qmailq qmail 700"
is "$tmp/queue/intd" "directory qmailq qmail 700"
is "$tmp/queue/todo" "directory qmailq qmail 750"
is "$tmp/queue/mess/0" "directory qmailq qmail 750"
is "$tmp/queue/mess/22" "directory qmailq qmail 750"
is "$tmp/queue/info/22" "directory qmails qmail 700"
is "$tmp/queue/local/11" "directory qmails qmail 700"
is "$tmp/queue/remote/22" "directory qmails qmail 700"
is "$tmp/queue/bounce" "directory qmails qmail 700"
is "$tmp/queue/lock" "directory qmailq qmail 750"
is "$tmp/queue/lock/trigger" "fifo qmails qmail 622"
is "$tmp/queue/lock/sendmutex" "regular empty file qmails qmail 600"
is "$tmp/queue/lock/tcpto" "regular file qmailr qmail 644"
is "$tmp/queue/qpool" "directory qmailq qmail 700"
is "$tmp/queue/qpool/22" "directory qmailq qmail 700"
is "$tmp/queue/sspare" "directory qmails qmail 700"
t "no queue/mess/23 (split is 23)" test ! -e "$tmp/queue/mess/23"

# The static programs have no program interpreter; with musl installed (.ci/run
# installs musl-dev) they carry musl, not glibc, and qmail-queue is one of them;
# the others are dynamic.
static="qmail-smtpd qmail-remote qmail-local sendmail"
if [ -e /usr/lib/x86_64-linux-musl/rcrt1.o ]; then static="$static qmail-queue"; fi
for p in $static; do
	t "$p is static" sh -c "! readelf -l '$tmp/bin/$p' | grep -q INTERP"
	if [ -e /usr/lib/x86_64-linux-musl/rcrt1.o ]; then
		t "$p is built against musl" sh -c "! grep -q GLIBC_ '$tmp/bin/$p'"
	fi
done
t "qmail-send is dynamic" sh -c "readelf -l '$tmp/bin/qmail-send' | grep -q INTERP"
if [ ! -e /usr/lib/x86_64-linux-musl/rcrt1.o ]; then
	t "without musl qmail-queue is dynamic (NSS)" sh -c "readelf -l '$tmp/bin/qmail-queue' | grep -q INTERP"
fi
t "tcpto is 1024 zero bytes" sh -c "head -c 1024 /dev/zero | cmp -s - '$tmp/queue/lock/tcpto'"
is "$tmp/man/man8/instcheck.8" "regular file root qmail 644"
t "man page installed as in the source" cmp -s man/instcheck.8 "$tmp/man/man8/instcheck.8"
is "$tmp/doc/INSTALL" "regular file root qmail 644"
set -- man/*.[1-9]
npages=$#
set -- "$tmp"/man/man[1-9]/*
ninst=$#
t "every man page installed ($npages)" test "$npages" -eq "$ninst"
t "no temporary files left in bin, doc, man" sh -c "! ls -A '$tmp/bin' '$tmp/doc' '$tmp'/man/man* | grep -q inst-new"

# Live data survives a reinstall: tcpto contents, queue files, control files.
printf 'live' | dd of="$tmp/queue/lock/tcpto" conv=notrunc 2> /dev/null
echo message > "$tmp/queue/mess/3/12345"
echo mail.example.org > "$tmp/control/me"
run "setup over live data" QMAIL="$tmp" setup check
t "tcpto contents kept" sh -c "head -c 4 '$tmp/queue/lock/tcpto' | grep -q live"
t "tcpto still 1024 bytes" test "$(stat -c %s "$tmp/queue/lock/tcpto")" = 1024
t "queue file kept" grep -q message "$tmp/queue/mess/3/12345"
t "control file kept" grep -q mail.example.org "$tmp/control/me"
rm -f "$tmp/queue/mess/3/12345"

# Break things; check must fail and name each one.
chmod 700 "$tmp/control"
chown qmaild "$tmp/queue/lock/tcpto"
chgrp nofiles "$tmp/queue/todo"
chmod 4755 "$tmp/queue/lock/sendmutex"
rmdir "$tmp/queue/mess/5"
rm "$tmp/queue/lock/trigger"
: > "$tmp/queue/lock/trigger"
echo extra >> "$tmp/man/man8/instcheck.8"
refuse "check fails on a broken tree" QMAIL="$tmp" check
mentions "$tmp/control: mode 0700 should be 0755"
mentions "$tmp/queue/lock/tcpto: owner qmaild should be qmailr"
mentions "$tmp/queue/todo: group nofiles should be qmail"
mentions "$tmp/queue/lock/sendmutex: mode 04755 should be 0600"
mentions "$tmp/queue/mess/5: missing"
mentions "$tmp/queue/lock/trigger: wrong type: a regular file should be a named pipe"
mentions "$tmp/man/man8/instcheck.8: contents differ"
mentions "7 problems"
t "check names nothing else" test "$(grep -c "^instcheck: $tmp" "$log")" -eq 7
rm "$tmp/queue/lock/trigger"
run "setup repairs the tree" QMAIL="$tmp" setup
run "check passes after repair" QMAIL="$tmp" check

# A planted symbolic link or hard link is refused, and its target left alone.
victim=$stage/victim
echo secret > "$victim"
chmod 600 "$victim"
rm "$tmp/queue/lock/trigger"
ln -s "$victim" "$tmp/queue/lock/trigger"
refuse "setup refuses a symbolic link" QMAIL="$tmp" setup
mentions "trigger is a symbolic link"
is "$victim" "regular file root root 600"
if "$bdir/bin/instchown" > "$log" 2>&1; then fail "instchown follows a link"; else ok "instchown refuses a symbolic link"; fi
mentions "symbolic link"
is "$victim" "regular file root root 600"
rm "$tmp/queue/lock/trigger"
rm "$tmp/queue/lock/tcpto"
ln "$victim" "$tmp/queue/lock/tcpto"
refuse "setup refuses a hard link" QMAIL="$tmp" setup
mentions "tcpto: it has 2 links"
is "$victim" "regular file root root 600"
rm "$tmp/queue/lock/tcpto"
mv "$tmp/queue/mess" "$tmp/queue/mess.real"
ln -s mess.real "$tmp/queue/mess"
refuse "check fails on a linked directory" QMAIL="$tmp" check
mentions "$tmp/queue/mess: wrong type: a symbolic link should be a directory"
refuse "setup refuses a linked directory" QMAIL="$tmp" setup
rm "$tmp/queue/mess"
mv "$tmp/queue/mess.real" "$tmp/queue/mess"
run "setup after removing the links" QMAIL="$tmp" setup check

# mkusers.sh: non-root and a missing owner are clear errors.
if setpriv --reuid=nobody --regid=nogroup --clear-groups sh src/tools/mkusers.sh conf-users /x > "$log" 2>&1; then
	fail "mkusers.sh runs as non-root"
else
	ok "mkusers.sh refuses to run as non-root"
fi
mentions "must be run as root"
sed '4s/.*/nosuchowner/' conf-users > "$stage/conf-users"
if sh src/tools/mkusers.sh "$stage/conf-users" /x > "$log" 2>&1; then
	fail "mkusers.sh accepts a missing owner"
else
	ok "mkusers.sh stops on a missing owner"
fi
mentions "nosuchowner"
if sh src/tools/mkusers.sh conf-users relative > "$log" 2>&1; then fail "mkusers.sh accepts a relative home"; else ok "mkusers.sh refuses a relative home"; fi

# DESTDIR: the tree is made under $stage$tmp2, with modes and no owners; $tmp2 untouched.
run "make package DESTDIR" QMAIL="$tmp2" package DESTDIR="$stage"
t "$tmp2 not created" test ! -e "$tmp2"
is "$stage$tmp2/queue/lock/trigger" "fifo root root 622"
is "$stage$tmp2/queue/mess/22" "directory root root 750"
is "$stage$tmp2/alias" "directory root root 2755"
t "staged tcpto is 1024 bytes" test "$(stat -c %s "$stage$tmp2/queue/lock/tcpto")" = 1024
if "$bdir2/bin/instcheck" "$stage" > "$log" 2>&1; then fail "instcheck passes a tree without owners"; else ok "instcheck finds the missing owners"; fi
mentions "$stage$tmp2/queue: owner root should be qmailq"
t "instchown DESTDIR" "$bdir2/bin/instchown" "$stage"
t "instcheck DESTDIR" "$bdir2/bin/instcheck" "$stage"
is "$stage$tmp2/queue/lock/trigger" "fifo qmails qmail 622"
t "$tmp2 still not created" test ! -e "$tmp2"
if "$bdir2/bin/instcheck" > "$log" 2>&1; then fail "instcheck passes a missing home"; else ok "instcheck fails on a missing home"; fi

# Usage errors exit 100.
"$bdir/bin/instpackage" > /dev/null 2>&1
t "instpackage without arguments exits 100" test $? -eq 100
"$bdir/bin/instcheck" a b > /dev/null 2>&1
t "instcheck with two arguments exits 100" test $? -eq 100

cleanup
t "temporary home removed" test ! -e "$tmp"
t "temporary build directories removed" test ! -e "$bdir" -a ! -e "$bdir2"
finish
