/*
 * splogger - send each line of its input to syslog, with the time it arrived.
 *
 *	splogger [tag [facility]]
 *
 * Made for qmail-send's log on fd 0 (qmail-start runs it as the log user). Each
 * line becomes one syslog message "SECONDS.USEC text": the time the line began to
 * arrive, then the line. A line longer than PIECE bytes is sent in several messages
 * with the same time, every piece after the first starting with '+'. A control
 * character or a byte above 126 becomes '?', so a line can never forge a second
 * log entry or a terminal escape. The priority comes from the start of the line:
 * "alert:" is LOG_ALERT, "warning:" LOG_WARNING, anything else LOG_INFO.
 * tag defaults to "qmail"; facility is a name (mail, daemon, local0, ...) or a
 * number (2 is mail), default mail.
 *
 * DIAGNOSTICS: exit 0 at the end of input; 100 for a usage error; 111 when the
 * input cannot be read.
 */
#include <string.h>
#include <syslog.h>

#include "buf.h"
#include "die.h"
#include "fmt.h"
#include "scan.h"
#include "str.h"
#include "tm.h"

#define EXIT_USAGE 100
#define EXIT_TEMP  111
#define PIECE      800 /* bytes of a line in one syslog message */

static struct {
	char stamp[2 * FMT_U64 + 2]; /* "SECONDS.USEC" of the current line */
	char text[PIECE];            /* the current piece of the line */
	size_t len;                  /* bytes in text */
	int started;                 /* a line is in progress */
	int more;                    /* the piece is not the line's first */
	int prio;                    /* the line's priority, from its first piece */
} g;

/* facility - a syslog facility by name or number, -1 if unknown */
static int facility(const char *s)
{
	static const struct {
		const char *name; /* as in syslog.conf */
		int code;         /* the LOG_ value */
	} t[] = {
		{"auth", LOG_AUTH},     {"authpriv", LOG_AUTHPRIV}, {"cron", LOG_CRON},
		{"daemon", LOG_DAEMON}, {"ftp", LOG_FTP},           {"kern", LOG_KERN},
		{"lpr", LOG_LPR},       {"mail", LOG_MAIL},         {"news", LOG_NEWS},
		{"syslog", LOG_SYSLOG}, {"user", LOG_USER},         {"uucp", LOG_UUCP},
		{"local0", LOG_LOCAL0}, {"local1", LOG_LOCAL1},     {"local2", LOG_LOCAL2},
		{"local3", LOG_LOCAL3}, {"local4", LOG_LOCAL4},     {"local5", LOG_LOCAL5},
		{"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7},
	};
	uint64_t u;
	size_t i;
	for (i = 0; i < sizeof t / sizeof t[0]; ++i)
		if (case_equals(s, t[i].name))
			return t[i].code;
	if (scan_u64_all(s, strlen(s), &u) && u < 24)
		return (int)u << 3;
	return -1;
}

/* stamp - remember the time a line began */
static void stamp(void)
{
	uint64_t now = tm_now_usec();
	size_t n = fmt_u64(g.stamp, now / 1000000);
	g.stamp[n++] = '.';
	n += fmt_u64pad(g.stamp + n, now % 1000000, 6);
	g.stamp[n] = 0;
	g.started = 1;
	g.more = 0;
}

/* priority - what the start of a line says about it */
static int priority(const char *s, size_t n)
{
	if (n >= 6 && !memcmp(s, "alert:", 6))
		return LOG_ALERT;
	if (n >= 8 && !memcmp(s, "warning:", 8))
		return LOG_WARNING;
	return LOG_INFO;
}

/* flush - send the current piece; the next one continues the line */
static void flush(void)
{
	if (!g.more)
		g.prio = priority(g.text, g.len);
	syslog(g.prio, "%s %s%.*s", g.stamp, g.more ? "+" : "", (int)g.len, g.text);
	g.len = 0;
	g.more = 1;
}

/* put - one input byte */
static void put(char c)
{
	if (!g.started)
		stamp();
	if (c == '\n') {
		flush();
		g.started = 0;
		return;
	}
	if (g.len == PIECE)
		flush();
	g.text[g.len++] = (unsigned char)c < 32 || (unsigned char)c > 126 ? '?' : c;
}

int main(int argc, char **argv)
{
	char space[4096];
	const char *tag = "qmail";
	int fac = LOG_MAIL;
	buf in;
	ssize_t r;
	die_init(argv[0]);
	if (argc > 3)
		die_x(EXIT_USAGE, "usage: splogger [tag [facility]]", (char *)0);
	if (argc > 1)
		tag = argv[1];
	if (argc > 2 && (fac = facility(argv[2])) < 0)
		die_x(EXIT_USAGE, "unknown facility ", argv[2], (char *)0);
	openlog(tag, 0, fac);
	buf_init(&in, 0, space, sizeof space);
	while ((r = buf_feed(&in)) > 0) {
		size_t n, i;
		const char *s = buf_peek(&in, &n);
		for (i = 0; i < n; ++i)
			put(s[i]);
		buf_skip(&in, n);
	}
	if (g.started)
		flush();
	if (r < 0)
		die_sys(EXIT_TEMP, "unable to read input", (char *)0);
	return 0;
}
