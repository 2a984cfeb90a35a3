#!/bin/sh
# run.sh - build, install, configure and start a supervised MTA (make run).
# usage: sh src/tools/run.sh QMAILHOME BUILDDIR    (as root, from the top of the tree)
#
# Settings come from the environment (make passes VAR=value through):
#   SVDIR     svscan's directory                 /etc/service
#   LOGDIR    multilog's directory               /var/log/qmail
#   SMTPPORT  SMTP port                          25
#   SMTPADDR  address tcpserver listens on        0 (all)
#   TCPRULES  tcprules source for qmail-smtpd     /etc/tcp.smtp (compiled to .cdb)
#   SENDMAIL  link /usr/sbin/sendmail, /usr/lib/sendmail when free: yes or no   yes
#   ME        this host's fully qualified name   hostname -f
# Steps: packages, make setup check, control files (only the missing ones), rc and
# the service directories under QMAILHOME/supervise, links into SVDIR, svscan,
# sendmail links, a test message to postmaster. Every file is rewritten only when
# its content differs, so a second run changes nothing. Exit 0 when the test
# message arrived; 111 on any failure, with a line that says what failed.
set -u
Q=${1:?usage: run.sh QMAILHOME BUILDDIR}
B=${2:?usage: run.sh QMAILHOME BUILDDIR}
SVDIR=${SVDIR:-/etc/service}
LOGDIR=${LOGDIR:-/var/log/qmail}
SMTPPORT=${SMTPPORT:-25}
SMTPADDR=${SMTPADDR:-0}
TCPRULES=${TCPRULES:-/etc/tcp.smtp}
SENDMAIL=${SENDMAIL:-yes}
me=run.sh
PATH=/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin
export PATH

fatal() {
	echo "$me: fatal: $*" >&2
	exit 111
}

say() {
	echo "$me: $*"
}

# put FILE MODE - write standard input to FILE when it differs; set MODE
put() {
	tmp=$1.tmp.$$
	cat > "$tmp" || fatal "unable to write $tmp"
	if cmp -s "$tmp" "$1"; then
		rm -f "$tmp"
	else
		mv -f "$tmp" "$1" || fatal "unable to write $1"
		say "wrote $1"
	fi
	chmod "$2" "$1"
}

# control NAME VALUE... - create control/NAME with one VALUE a line, only if missing
control() {
	f=$Q/control/$1
	shift
	[ -f "$f" ] && return 0
	printf '%s\n' "$@" | put "$f" 644
}

# user N - the name on line N of conf-users
user() {
	sed -n "${1}p" conf-users
}

# svscanning DIR - true when an svscan process runs in DIR
svscanning() {
	real=$(cd "$1" && pwd -P) || return 1
	for p in /proc/[0-9]*; do
		[ "$(cat "$p/comm" 2> /dev/null)" = svscan ] || continue
		[ "$(readlink "$p/cwd" 2> /dev/null)" = "$real" ] && return 0
	done
	return 1
}

# link TARGET NAME - make NAME a symbolic link to TARGET unless it is one already
link() {
	if [ -L "$2" ] && [ "$(readlink "$2")" = "$1" ]; then
		return 0
	fi
	if [ -e "$2" ] || [ -L "$2" ]; then
		say "left alone: $2 exists; to use ours: mv $2 $2.old && ln -s $1 $2"
		return 1
	fi
	ln -s "$1" "$2" || fatal "unable to link $2"
	say "linked $2 -> $1"
}

[ "$(id -u)" = 0 ] || fatal "must be run as root"
[ -f conf-users ] || fatal "run from the top of the source tree"
case $SENDMAIL in yes | no) ;; *) fatal "SENDMAIL must be yes or no" ;; esac

# 1. packages
if ! command -v svscan > /dev/null || ! command -v tcpserver > /dev/null; then
	command -v apt-get > /dev/null || fatal "install daemontools and ucspi-tcp first"
	say "installing daemontools and ucspi-tcp"
	DEBIAN_FRONTEND=noninteractive apt-get install -y daemontools ucspi-tcp ||
		fatal "unable to install daemontools and ucspi-tcp"
fi

# 2. build, install, verify
log=$(mktemp) || fatal "unable to create a temporary file"
${MAKE:-make} --no-print-directory QMAIL="$Q" all > "$log" 2>&1 &&
	${MAKE:-make} --no-print-directory QMAIL="$Q" setup check >> "$log" 2>&1 || {
	tail -n 30 "$log" >&2
	fatal "make setup check failed (whole output in $log)"
}
rm -f "$log"
say "installed and checked $Q"

# 3. control files, only those that are missing
fqdn=${ME:-$(hostname -f 2> /dev/null || hostname)}
[ -n "$fqdn" ] || fatal "unable to find this host's name (set ME=name)"
control me "$fqdn"
control locals "$fqdn" localhost
control rcpthosts "$fqdn" localhost
control defaultdelivery ./Maildir/
control concurrencyincoming 100
for a in postmaster mailer-daemon root; do
	[ -f "$Q/alias/.qmail-$a" ] || : | put "$Q/alias/.qmail-$a" 644
done

# 4. rc and the service directories
daemon=$(user 2)
logger=$(user 3)
nofiles=$(user 10)
put "$Q/rc" 755 << EOF
#!/bin/sh
# rc - start qmail-send; the log goes to standard output (made by make run)
exec env - PATH="$Q/bin:/usr/local/bin:/usr/bin:/bin" \\
	qmail-start "\$(cat $Q/control/defaultdelivery)"
EOF
mkdir -p "$LOGDIR/smtpd" || fatal "unable to create $LOGDIR"
chown "$logger:$nofiles" "$LOGDIR" "$LOGDIR/smtpd"
chmod 750 "$LOGDIR" "$LOGDIR/smtpd"

# service NAME LOGSUBDIR - the directory, its log directory and log/run
service() {
	mkdir -p "$Q/supervise/$1/log" || fatal "unable to create $Q/supervise/$1"
	chmod 1755 "$Q/supervise/$1"
	chmod 755 "$Q/supervise/$1/log"
	put "$Q/supervise/$1/log/run" 755 << EOF
#!/bin/sh
exec setuidgid $logger multilog t $LOGDIR$2
EOF
}

# tcpservice NAME PORT RULES PROGRAM - a tcpserver service reading the control files.
# The SYN backlog (-b) is as large as the connection limit: with tcpserver's default
# of 20, bursts of clients beyond it see dropped SYNs and retry only after a second.
tcpservice() {
	service "$1" "/${1#qmail-}"
	[ "$3" = - ] || echo "$3" | put "$Q/supervise/$1/rules" 644
	x=
	[ "$3" = - ] || x="-x $3.cdb "
	put "$Q/supervise/$1/run" 755 << EOF
#!/bin/sh
# run - $4 under tcpserver (made by make run)
uid=\$(id -u $daemon)
gid=\$(getent group $nofiles | cut -d: -f3)
max=\$(head -n 1 $Q/control/concurrencyincoming)
local=\$(head -n 1 $Q/control/me)
if [ -z "\$uid" ] || [ -z "\$gid" ] || [ -z "\$max" ] || [ -z "\$local" ]; then
	echo "$1: missing the $daemon account, the $nofiles group," \\
		"control/concurrencyincoming or control/me"
	exit 1
fi
if [ ! -f $Q/control/rcpthosts ]; then
	echo "$1: control/rcpthosts is missing: refusing to run an open relay"
	exit 1
fi
exec 2>&1
exec softlimit -m 64000000 tcpserver -v -R -H -l "\$local" $x-c "\$max" -b "\$max" \\
	-u "\$uid" -g "\$gid" $SMTPADDR $2 $Q/bin/$4
EOF
}

service qmail-send ""
put "$Q/supervise/qmail-send/run" 755 << EOF
#!/bin/sh
exec $Q/rc 2>&1
EOF
[ -f "$TCPRULES" ] || printf '%s\n' '127.:allow,RELAYCLIENT=""' | put "$TCPRULES" 644
if [ ! -f "$TCPRULES.cdb" ] || [ "$TCPRULES" -nt "$TCPRULES.cdb" ]; then
	tcprules "$TCPRULES.cdb" "$TCPRULES.tmp" < "$TCPRULES" || fatal "tcprules failed on $TCPRULES"
	chmod 644 "$TCPRULES.cdb"
	say "compiled $TCPRULES.cdb"
fi
tcpservice qmail-smtpd "$SMTPPORT" "$TCPRULES" qmail-smtpd
for s in qmtpd:209 qmqpd:628; do
	p=qmail-${s%:*}
	if [ -x "$Q/bin/$p" ]; then
		mkdir -p "$LOGDIR/${s%:*}"
		chown "$logger:$nofiles" "$LOGDIR/${s%:*}"
		rules=-
		if [ "$p" = qmail-qmqpd ]; then
			# QMQP relays anything: only the clients listed here may connect
			rules=${TCPRULES%/*}/tcp.qmqp
			[ -f "$rules" ] || printf '127.:allow\n:deny\n' | put "$rules" 644
			if [ ! -f "$rules.cdb" ] || [ "$rules" -nt "$rules.cdb" ]; then
				tcprules "$rules.cdb" "$rules.tmp" < "$rules" ||
					fatal "tcprules failed on $rules"
				chmod 644 "$rules.cdb"
			fi
		fi
		tcpservice "$p" "${s#*:}" "$rules" "$p"
		[ -f "$Q/supervise/$p/down" ] || : | put "$Q/supervise/$p/down" 644
	else
		say "skipped the $p service: $Q/bin/$p is not built yet"
	fi
done

# 5. svscan's directory, svscan
if [ "$SVDIR" = /etc/service ] && ! svscanning /etc/service 2> /dev/null &&
	command -v apt-get > /dev/null && ! dpkg -s daemontools-run > /dev/null 2>&1; then
	say "installing daemontools-run (svscan on /etc/service at boot)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y daemontools-run ||
		say "unable to install daemontools-run; starting svscan by hand"
fi
mkdir -p "$SVDIR" || fatal "unable to create $SVDIR"
for d in "$Q"/supervise/*; do
	link "$d" "$SVDIR/${d##*/}"
done
n=10
dpkg -s daemontools-run > /dev/null 2>&1 && [ "$SVDIR" = /etc/service ] && n=0
while ! svscanning "$SVDIR" && [ $n -lt 10 ]; do
	sleep 1
	n=$((n + 1))
done
if ! svscanning "$SVDIR"; then
	(cd / && exec setsid nohup env - PATH=/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin \
		svscan "$SVDIR" < /dev/null > /dev/null 2>&1 &)
	if dpkg -s daemontools-run > /dev/null 2>&1 && [ "$SVDIR" = /etc/service ]; then
		say "started svscan $SVDIR by hand now; daemontools-run starts it at boot"
	else
		say "started svscan $SVDIR (not at boot: install daemontools-run for that)"
	fi
fi
n=0
until svstat "$SVDIR/qmail-send" 2> /dev/null | grep -q ': up' &&
	svstat "$SVDIR/qmail-smtpd" 2> /dev/null | grep -q ': up'; do
	[ $n -lt 30 ] || fatal "the services did not come up: $(svstat "$SVDIR"/qmail-*)"
	sleep 1
	n=$((n + 1))
done
svstat "$SVDIR"/qmail-*

# 6. sendmail
if [ "$SENDMAIL" = yes ]; then
	for p in /usr/sbin/sendmail /usr/lib/sendmail; do
		[ -d "${p%/*}" ] && link "$Q/bin/sendmail" "$p"
	done
else
	say "left /usr/sbin/sendmail alone (SENDMAIL=no)"
fi

# 7. a test message to postmaster
id="run.$(date +%s).$$@$fqdn"
printf 'To: postmaster\nSubject: make run test\nMessage-ID: <%s>\n\nmake run works.\n' "$id" |
	"$Q/bin/sendmail" -t || fatal "sendmail failed"
n=0
while :; do
	f=$(grep -l -F "$id" "$Q"/alias/Maildir/new/* 2> /dev/null | head -n 1)
	[ -n "$f" ] && break
	[ $n -lt 60 ] || fatal "the test message to postmaster did not arrive (see $LOGDIR/current)"
	sleep 1
	n=$((n + 1))
done
say "the test message to postmaster arrived: $f"
say "done: qmail runs under svscan in $SVDIR; $Q/bin/qmailctl stat shows it"
