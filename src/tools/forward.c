/*
 * forward - send the message on stdin on to other addresses; a .qmail helper.
 *
 *	|forward ADDR...
 *
 * qmail-local runs it with the envelope in the environment. The new message starts
 * with $DTLINE, our Delivered-To line, so a forwarding loop is noticed where it
 * closes, and its envelope sender is $NEWSENDER (the sender, or the list owner when
 * the .qmail file has an -owner companion). All addresses go in one queue run.
 *
 * DIAGNOSTICS: "qp N" on stdout and exit 0 when the message is queued; exit 100
 * when the queue refuses it for good; 111 for anything temporary, and for a usage
 * error, so no mail is lost while the .qmail file is being fixed.
 */
#include <signal.h>
#include <string.h>

#include "die.h"
#include "env.h"
#include "fmt.h"
#include "requeue.h"
#include "sig.h"

#define EXIT_PERM 100
#define EXIT_TEMP 111

/* need - an environment variable qmail-local sets, or a fatal error */
static const char *need(const char *name)
{
	const char *v = env_get(name);
	if (!v)
		die_x(EXIT_TEMP, name, " not set", (char *)0);
	return v;
}

int main(int argc, char **argv)
{
	static qq q;
	char num[FMT_U64];
	const char *sender, *dtline, *text;
	int rerr;
	die_init(argv[0]);
	if (argc < 2)
		die_x(EXIT_TEMP, "usage: forward address ...", (char *)0);
	sender = need("NEWSENDER");
	dtline = need("DTLINE");
	if (!sig_ignore(SIGPIPE))
		die_sys(EXIT_TEMP, "unable to ignore SIGPIPE", (char *)0);
	if (!qq_start(&q))
		die_sys(EXIT_TEMP, "unable to start qq", (char *)0);
	text = requeue(&q, 0, dtline, strlen(dtline), sender, argv + 1, (size_t)argc - 1, &rerr);
	if (rerr)
		die_sys(EXIT_TEMP, "unable to read message", (char *)0);
	if (*text)
		die_x(*text == 'D' ? EXIT_PERM : EXIT_TEMP, text + 1, (char *)0);
	num[fmt_u64(num, qq_qp(&q))] = 0;
	msg_put(1, "qp ", num, (char *)0);
	return 0;
}
