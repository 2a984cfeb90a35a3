/*
 * qbiff - tell the recipient at their terminals that mail has arrived; a .qmail
 * helper.
 *
 *	|qbiff
 *
 * For every login of $USER in the utmpx database, it writes one line, "New mail
 * from SENDER, subject: SUBJECT", with a bell, to the terminal, but only to a
 * terminal that is a character device owned by the user running qbiff and whose
 * owner-execute bit is set (what "biff y" sets). SENDER is $SENDER; SUBJECT the
 * Subject field of the message on stdin. Every byte that is not printable ASCII
 * becomes '?', so a message cannot send escape sequences to a terminal, and each
 * part is cut to a sane length. A busy terminal is skipped, never waited for.
 *
 * DIAGNOSTICS: always exit 0 (a notice must never make a delivery fail); problems
 * are reported as warnings.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utmpx.h>

#include "buf.h"
#include "die.h"
#include "env.h"
#include "sa.h"
#include "str.h"

#define SENDER_MAX  100   /* bytes of the sender shown */
#define SUBJECT_MAX 160   /* bytes of the subject shown */
#define HEADER_MAX  65536 /* header bytes read at most */

/* cat_shown - append at most max bytes of s[0..n), each unprintable one as '?' */
static void cat_shown(sa *x, const char *s, size_t n, size_t max)
{
	size_t i;
	if (n > max)
		n = max;
	for (i = 0; i < n; ++i)
		if (!sa_catc(x, (unsigned char)s[i] < 32 || (unsigned char)s[i] > 126 ? '?' : s[i]))
			die_x(0, "out of memory", (char *)0); /* exit 0: never fail a delivery */
}

/* subject - the Subject field of the header on stdin, unfolded, in out; the offset
 * where its text starts after the blanks (the blanks at the end are cut off) */
static size_t subject(sa *out)
{
	char space[4096];
	buf in;
	sa line = SA_ZERO;
	size_t total = 0;
	size_t skip = 0;
	unsigned flags;
	int r, in_subject = 0;
	buf_init(&in, 0, space, sizeof space);
	while (total < HEADER_MAX) {
		line.len = 0;
		r = buf_getline(&in, &line, SUBJECT_MAX * 2, '\n', &flags);
		if (r <= 0 || line.s[0] == '\n' ||
		    (line.s[0] == '\r' && line.len == 2 && line.s[1] == '\n'))
			break;
		total += line.len;
		while (line.len && (line.s[line.len - 1] == '\n' || line.s[line.len - 1] == '\r'))
			--line.len;
		if (line.len && (line.s[0] == ' ' || line.s[0] == '\t')) {
			if (in_subject && !sa_catb(out, line.s, line.len))
				break;
			continue;
		}
		if (in_subject)
			break; /* only the first Subject field */
		if (line.len >= 8 && case_equalb(line.s, 8, "subject:")) {
			in_subject = 1;
			if (!sa_catb(out, line.s + 8, line.len - 8))
				break;
		}
	}
	sa_free(&line);
	while (out->len && (out->s[out->len - 1] == ' ' || out->s[out->len - 1] == '\t'))
		--out->len;
	while (skip < out->len && (out->s[skip] == ' ' || out->s[skip] == '\t'))
		++skip;
	return skip;
}

/* tty_name - whether a utmpx line names a terminal under /dev we may open */
static int tty_name(const char *s, size_t n)
{
	size_t i;
	if (!n || s[0] == '/' || s[0] == '.')
		return 0;
	for (i = 0; i < n; ++i) {
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '/' || s[i] == '-' || s[i] == '_' ||
		      s[i] == '.'))
			return 0;
		if (s[i] == '/' && i + 1 < n && s[i + 1] == '.')
			return 0;
	}
	return 1;
}

/* notify - write the notice to /dev/LINE when it is the user's and biff is on */
static void notify(const char *line, size_t n, const sa *notice)
{
	char path[5 + sizeof((struct utmpx *)0)->ut_line + 1];
	struct stat st;
	int fd;
	if (!tty_name(line, n))
		return;
	memcpy(path, "/dev/", 5);
	memcpy(path + 5, line, n);
	path[5 + n] = 0;
	fd = open(path, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1)
		return;
	if (fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && st.st_uid == getuid() &&
	    (st.st_mode & S_IXUSR))
		if (write(fd, notice->s, notice->len) == -1 && errno != EAGAIN)
			warn_sys("unable to write to ", path, (char *)0);
	close(fd);
}

/* notice - the line to write: sender and subject, made safe for a terminal; 0 if
 * memory ran out */
static int notice(sa *out, const char *sender)
{
	sa subj = SA_ZERO;
	size_t skip = subject(&subj);
	int ok = sa_copys(out, "\r\n\007New mail from ");
	if (ok && sender && *sender)
		cat_shown(out, sender, strlen(sender), SENDER_MAX);
	else if (ok)
		ok = sa_cats(out, "MAILER-DAEMON");
	if (ok && skip < subj.len) {
		ok = sa_cats(out, ", subject: ");
		if (ok)
			cat_shown(out, subj.s + skip, subj.len - skip, SUBJECT_MAX);
	}
	sa_free(&subj);
	return ok && sa_cats(out, "\r\n");
}

int main(int argc, char **argv)
{
	const char *user = env_get("USER");
	sa line = SA_ZERO;
	struct utmpx *u;
	size_t ulen;
	(void)argc;
	die_init(argv[0]);
	if (!user || !*user) {
		warn_x("USER not set", (char *)0);
		return 0;
	}
	ulen = strlen(user);
	if (!notice(&line, env_get("SENDER"))) {
		warn_x("out of memory", (char *)0);
		return 0;
	}
	setutxent();
	while ((u = getutxent()))
		if (u->ut_type == USER_PROCESS && ulen <= sizeof u->ut_user &&
		    !memcmp(u->ut_user, user, ulen) &&
		    (ulen == sizeof u->ut_user || !u->ut_user[ulen]))
			notify(u->ut_line, strnlen(u->ut_line, sizeof u->ut_line), &line);
	endutxent();
	sa_free(&line);
	return 0;
}
