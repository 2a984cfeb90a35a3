#!/bin/sh
# qmailctl - control the supervised qmail services (see qmailctl(8)).
# usage: qmailctl start|stop|restart|stat|queue|doqueue|reload|pause|cont|cdb|check|help
#        qmailctl hold|release|requeue|remove ID...
#
# The services are the directories under QMAILHOME/supervise that make run
# created (qmail-send, qmail-smtpd, and qmail-qmtpd, qmail-qmqpd when built);
# svc and svstat act on them directly, wherever svscan's directory links them.
# A service with a "down" file is left alone by start. The make build fills in
# QMAILHOME. Exit 0 on success, 1 on a usage error, 111 when a command failed.
QMAILHOME='@QMAILHOME@'
SUP=$QMAILHOME/supervise
PATH=$QMAILHOME/bin:/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin
export PATH
me=qmailctl

fatal() {
	echo "$me: fatal: $*" >&2
	exit 111
}

# services - print the service directories that exist, qmail-send first
services() {
	for s in qmail-send qmail-smtpd qmail-qmtpd qmail-qmqpd; do
		[ -d "$SUP/$s" ] && echo "$SUP/$s"
	done
}

# wanted - print the services that start brings up (those without a down file)
wanted() {
	for d in $(services); do
		[ -f "$d/down" ] || echo "$d"
	done
}

# tcp - print the services that run under tcpserver
tcp() {
	for d in $(services); do
		[ "$d" = "$SUP/qmail-send" ] || echo "$d"
	done
}

# svcall FLAG DIR... - svc FLAG on each DIR, reporting the ones that fail
svcall() {
	flag=$1
	shift
	rc=0
	for d in "$@"; do
		svc "$flag" "$d" || {
			echo "$me: unable to control $d (is svscan running?)" >&2
			rc=111
		}
	done
	return $rc
}

# cdb - compile each service's tcprules file (its path is in the service's rules file)
cdb() {
	rc=0
	for d in $(tcp); do
		[ -f "$d/rules" ] || continue
		r=$(head -n 1 "$d/rules")
		[ -f "$r" ] || {
			echo "$me: $r is missing" >&2
			rc=111
			continue
		}
		if tcprules "$r.cdb" "$r.tmp" < "$r"; then
			chmod 644 "$r.cdb"
			echo "$r.cdb: rebuilt from $r"
		else
			rc=111
		fi
	done
	return $rc
}

[ -d "$SUP" ] || fatal "$SUP is missing (run make run first)"
case $1 in
hold | release | requeue | remove)
	[ $# -ge 2 ] || set -- help
	;;
*)
	[ $# -eq 1 ] || set -- help
	;;
esac
case $1 in
hold | release | requeue | remove)
	qmail-qctl "$@"
	exit $?
	;;
check)
	qmail-qcheck
	exit $?
	;;
start)
	echo "Starting qmail."
	svcall -u $(wanted) $(for d in $(services); do echo "$d/log"; done)
	;;
stop)
	echo "Stopping qmail (the loggers keep running)."
	svcall -d $(tcp) && svcall -d "$SUP/qmail-send"
	;;
restart)
	echo "Restarting qmail."
	svcall -d $(tcp) && svcall -t "$SUP/qmail-send" && svcall -u $(wanted)
	;;
stat)
	rc=0
	for d in $(services); do
		svstat "$d" "$d/log" || rc=111
	done
	qmail-qstat || rc=111
	exit $rc
	;;
queue)
	qmail-qstat && qmail-qread
	;;
doqueue | alrm | flush)
	echo "Sending ALRM to qmail-send: every queued message is tried now."
	svcall -a "$SUP/qmail-send"
	;;
reload | hup)
	echo "Sending HUP to qmail-send: it rereads locals and virtualdomains."
	svcall -h "$SUP/qmail-send"
	;;
pause)
	echo "Pausing qmail."
	svcall -p $(wanted)
	;;
cont)
	echo "Continuing qmail."
	svcall -c $(wanted)
	;;
cdb)
	cdb
	;;
help)
	cat << EOF
usage: $me COMMAND
   start    start the services (those without a down file) and their loggers
   stop     stop the services; the loggers keep running
   restart  stop SMTP, restart qmail-send, start SMTP again
   stat     state of each service and logger, and of the queue
   queue    qmail-qstat and qmail-qread
   doqueue  ALRM to qmail-send: try every queued message now
   reload   HUP to qmail-send: reread locals and virtualdomains
   pause    STOP the services
   cont     CONT the services
   cdb      compile the tcprules file(s) into their cdb
   check    qmail-qcheck: report inconsistencies in the queue
   hold ID...     qmail-qctl: deliver nothing of these messages until released
   release ID...  qmail-qctl: undo hold
   requeue ID...  qmail-qctl: try these messages now
   remove ID...   qmail-qctl: drop these messages, bouncing nothing
EOF
	exit 1
	;;
*)
	echo "$me: unknown command: $1 (qmailctl help lists them)" >&2
	exit 1
	;;
esac || exit 111
exit 0
