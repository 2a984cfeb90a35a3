#!/bin/sh
# qmail-queue.sh - the installed setuid qmail-queue, run as ordinary users: a good
# message is queued with the right files, owners and Received line; every malformed
# envelope gets its SPEC 4 exit code and leaves nothing behind in the queue.
. tests/lib.sh
need_root
mkprefix qq
trap rmprefix EXIT
tmp=$(mktemp -d /tmp/qt-qq-in.XXXXXX)
trap 'rmprefix; rm -rf "$tmp"' EXIT
chmod 755 "$tmp"

printf 'Subject: hello\n\nbody line\n' > "$tmp/msg"
printf 'Fsender@example.org\0Ta@example.com\0Tb@example.com\0\0' > "$tmp/env"

# as USER ENVFILE - run qmail-queue as USER with msg on fd 0 and ENVFILE on fd 1
as() {
	setpriv --reuid="$1" --regid=nogroup --clear-groups "$Q/bin/qmail-queue" < "$tmp/msg" 1< "$2"
}
# files - how many files the queue holds (not counting lock/)
files() {
	find "$Q/queue" -path "$Q/queue/lock" -prune -o -type f -print | wc -l
}

exec 3<> "$Q/queue/lock/trigger"
as nobody "$tmp/env"
eq "queued as nobody: exit 0" "$?" 0
todo=$(ls "$Q/queue/todo")
id=$todo
t "one todo entry" test -n "$id" -a "$(ls "$Q/queue/todo" | wc -l)" -eq 1
mess=$Q/queue/mess/$((id % 23))/$id
t "mess file at mess/split(ID)/ID" test -f "$mess"
eq "mess inode is the ID" "$(stat -c %i "$mess")" "$id"
eq "mess owned by qmailq" "$(stat -c '%U %a' "$mess")" "qmailq 644"
t "todo and intd are one file" test "$Q/queue/todo/$id" -ef "$Q/queue/intd/$id"
uid=$(id -u nobody)
printf "u$uid\0p" > "$tmp/want"
head -c "$(stat -c %s "$tmp/want")" "$Q/queue/todo/$id" > "$tmp/got"
t "envelope starts with u and p records" cmp -s "$tmp/want" "$tmp/got"
printf 'Fsender@example.org\0Ta@example.com\0Tb@example.com\0' > "$tmp/want"
tail -c "$(stat -c %s "$tmp/want")" "$Q/queue/todo/$id" > "$tmp/got"
t "envelope records copied, final NUL not stored" cmp -s "$tmp/want" "$tmp/got"
first=$(head -n 1 "$mess")
case $first in
"Received: (qmail "[0-9]*" invoked by uid $uid); "[0-9]*" "[A-Z][a-z][a-z]" "2[0-9][0-9][0-9]" "[0-2][0-9]:[0-5][0-9]:[0-6][0-9]" -0000")
	ok "Received line: $first" ;;
*) fail "Received line: $first" ;;
esac
tail -n +2 "$mess" > "$tmp/got"
t "message bytes follow unchanged" cmp -s "$tmp/msg" "$tmp/got"
t "trigger pulled" sh -c "dd bs=1 count=1 iflag=nonblock <&3 2>/dev/null | wc -c | grep -q 1"
t "pid directory empty" test -z "$(ls "$Q/queue/pid")"

as qmaild "$tmp/env"
new=$(ls -t "$Q/queue/todo" | head -n 1)
case $(head -n 1 "$Q/queue/mess/$((new % 23))/$new") in
*"invoked from network); "*) ok "qmaild is 'from network'" ;;
*) fail "qmaild is 'from network'" ;;
esac
as alias "$tmp/env"
new=$(ls -t "$Q/queue/todo" | head -n 1)
case $(head -n 1 "$Q/queue/mess/$((new % 23))/$new") in
*"invoked by alias); "*) ok "alias is 'by alias'" ;;
*) fail "alias is 'by alias'" ;;
esac

# Malformed envelopes: exit code, and nothing left behind.
before=$(files)
bad() {
	printf "$2" > "$tmp/bad"
	as nobody "$tmp/bad"
	eq "$1: exit $3" "$?" "$3"
	eq "$1: nothing left in the queue" "$(files)" "$before"
}
bad "no F record" 'Ta@b\0\0' 91
bad "empty envelope" '' 54
bad "record other than T" 'Fa@b\0Xc@d\0\0' 91
bad "no final NUL" 'Fa@b\0Tc@d\0' 54
bad "cut inside an address" 'Fa@b\0Tc@' 54
head -c 1048576 /dev/zero | tr '\0' a > "$tmp/long"
{ printf 'Fs\0T'; cat "$tmp/long"; printf '\0\0'; } > "$tmp/bad"
as nobody "$tmp/bad"
eq "1 MB address: exit 11" "$?" 11
eq "1 MB address: nothing left" "$(files)" "$before"
{ printf 'F'; head -c 1002 "$tmp/long"; printf '\0Ta\0\0'; } > "$tmp/bad"
as nobody "$tmp/bad"
eq "1002-byte sender accepted" "$?" 0
before=$(files)
setpriv --reuid=nobody --regid=nogroup --clear-groups "$Q/bin/qmail-queue" < "$tmp/msg" 1>&-
eq "closed fd 1: exit 54" "$?" 54
eq "closed fd 1: nothing left" "$(files)" "$before"
setpriv --reuid=nobody --regid=nogroup --clear-groups "$Q/bin/qmail-queue" 0<&- 1< "$tmp/env"
eq "closed fd 0: exit 54" "$?" 54
eq "closed fd 0: nothing left" "$(files)" "$before"
QMAILQUEUE=/bin/false as nobody "$tmp/env"
eq "QMAILQUEUE is ignored by qmail-queue itself" "$?" 0

# qmail-send reopens lock/trigger now and then: a reader that goes away between
# qmail-queue's open of the FIFO and its write must not kill it with SIGPIPE after
# the message is queued (its caller would report a failure, and the message could
# come twice). strace makes the write to the trigger fail so, every time.
before=$(ls "$Q/queue/todo" | wc -l)
strace -f -qq -o /dev/null -u nobody -P "$Q/queue/lock/trigger" \
	-e trace=write -e inject=write:error=EPIPE:signal=SIGPIPE \
	"$Q/bin/qmail-queue" < "$tmp/msg" 1< "$tmp/env"
eq "trigger write fails with EPIPE and SIGPIPE: still exit 0" "$?" 0
eq "... and the message is queued" "$(ls "$Q/queue/todo" | wc -l)" "$((before + 1))"
finish
