#!/bin/sh
# mkusers.sh - create the groups and accounts named in conf-users, if missing.
# usage: mkusers.sh conf-users QMAILHOME     (as root; make setup runs it)
#
# Lines 9-10 of conf-users are the groups (queue group, no-files group); lines 1-8 the
# accounts: alias, daemon, log, owner, passwd, queue, remote, send. Accounts are
# system accounts with no login shell; alias's home is QMAILHOME/alias, the others'
# QMAILHOME. alias, daemon, log and passwd are in the no-files group; queue, remote
# and send in the queue group. The owner account (line 4, normally root) is never
# created or changed. An existing account or group is left alone (a note is printed
# when its home or group differs). Exit 0 when every account exists afterwards.
set -u
users=${1:?usage: mkusers.sh conf-users QMAILHOME}
home=${2:?usage: mkusers.sh conf-users QMAILHOME}
me=mkusers.sh

fatal() {
	echo "$me: fatal: $*" >&2
	exit 111
}

case $home in
/*) ;;
*) fatal "QMAILHOME must be an absolute path: $home" ;;
esac
[ "$(id -u)" = 0 ] || fatal "must be run as root (creates accounts and groups)"
[ -r "$users" ] || fatal "unable to read $users"
for tool in getent groupadd useradd; do
	command -v "$tool" > /dev/null 2>&1 || fatal "$tool not found (Debian: apt-get install passwd)"
done

# line N - line N of conf-users, checked to be an account name
line() {
	v=$(sed -n "$1p" "$users")
	case $v in
	"" | *[!a-z0-9_-]*) fatal "line $1 of $users is not an account name: '$v'" ;;
	esac
	echo "$v"
}

alias=$(line 1)
daemon=$(line 2)
log=$(line 3)
owner=$(line 4)
passwd=$(line 5)
queue=$(line 6)
remote=$(line 7)
send=$(line 8)
groupq=$(line 9)
groupn=$(line 10)

shell=/usr/sbin/nologin
[ -x "$shell" ] || shell=/bin/false

# group NAME - create a system group unless it exists
group() {
	if getent group "$1" > /dev/null; then
		echo "$me: group $1 exists"
	else
		groupadd -r "$1" || fatal "unable to create group $1"
		echo "$me: created group $1"
	fi
}

# user NAME GROUP HOME - create a system account unless it exists
user() {
	if ent=$(getent passwd "$1"); then
		echo "$me: user $1 exists"
		h=$(echo "$ent" | cut -d: -f6)
		[ "$h" = "$3" ] || echo "$me: note: home of $1 is $h, not $3 (left as it is)"
		g=$(id -gn "$1" 2> /dev/null)
		[ "$g" = "$2" ] || echo "$me: note: group of $1 is $g, not $2 (left as it is)"
	else
		useradd -r -g "$2" -d "$3" -M -s "$shell" -c "qmail $4" "$1" ||
			fatal "unable to create user $1"
		echo "$me: created user $1 (group $2, home $3)"
	fi
}

group "$groupq"
group "$groupn"
getent passwd "$owner" > /dev/null ||
	fatal "the owner account $owner (line 4 of $users) does not exist; it is never created here"
user "$alias" "$groupn" "$home/alias" alias
user "$daemon" "$groupn" "$home" daemon
user "$log" "$groupn" "$home" logger
user "$passwd" "$groupn" "$home" "passwd lookups"
user "$queue" "$groupq" "$home" queue
user "$remote" "$groupq" "$home" "remote delivery"
user "$send" "$groupq" "$home" "queue manager"
exit 0
