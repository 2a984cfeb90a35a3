/*
 * rreport.c - qmail-remote's output and exit status to one K, Z or D report.
 *   killed by a signal         Z
 *   exit 111                   Z (its output, if any, follows our text)
 *   any other non-zero exit    D
 *   exit 0 but no output       Z
 *   output not made of whole records with known letters, or a recipient report
 *   without a message report   Z
 * Otherwise, with only a message report, it is the answer for every recipient. With
 * recipient reports first, the i-th recipient's report decides (none → malformed, Z):
 * 's' gives Z and 'h' gives D whatever the message report says, and 'r' gives the
 * message report's letter. The text is the recipient report's, followed by the message
 * report's unless the message fared better than the recipient (then its text would
 * only mislead). rreport_make is rreport_rcpt for the first recipient.
 */
#include "rreport.h"

#include <string.h>

#include "str.h"
#include "wait.h"

/* rank - how well a report letter went: 2 success, 1 temporary, 0 permanent, -1 bad */
static int rank(char c)
{
	switch (c) {
	case 'K':
	case 'r':
		return 2;
	case 'Z':
	case 's':
		return 1;
	case 'D':
	case 'h':
		return 0;
	}
	return -1;
}

/* record - the record at out[pos..len): letter, text and its length, and where the
 * next one starts; 0 when there is no complete record */
static int record(const char *out, size_t len, size_t pos, char *letter, const char **s, size_t *n,
		  size_t *next)
{
	size_t k;
	if (pos >= len)
		return 0;
	k = byte_chr(out + pos, len - pos, 0);
	if (pos + k == len)
		return 0; /* no NUL: a cut record */
	*letter = out[pos];
	*s = out + pos + 1;
	*n = k ? k - 1 : 0;
	*next = pos + k + 1;
	return k != 0; /* a lone NUL has no letter */
}

/* say - our own text as the report */
static int say(sa *text, char *status, char st, const char *s)
{
	*status = st;
	return sa_copys(text, s);
}

/* rreport_make - the report for qmail-send into *status and text; 0 if out of memory */
int rreport_make(sa *text, char *status, const char *out, size_t len, int wstat)
{
	return rreport_rcpt(text, status, out, len, wstat, 0);
}

/* rreport_rcpt - the report of recipient i (from 0) of the run into *status and text;
 * 0 if out of memory */
int rreport_rcpt(sa *text, char *status, const char *out, size_t len, int wstat, size_t i)
{
	char l1, l2;
	const char *s1, *s2;
	size_t n1, n2, next, end, k = 0;
	if (wait_crashed(wstat) || wait_exitcode(wstat) < 0)
		return say(text, status, 'Z', "qmail-remote crashed. (#4.3.0)\n");
	if (wait_exitcode(wstat) == 111)
		return say(text, status, 'Z', "Unable to run qmail-remote. (#4.3.0)\n") &&
		       sa_catb(text, out, len);
	if (wait_exitcode(wstat) != 0)
		return say(text, status, 'D', "Unable to run qmail-remote. (#5.3.0)\n");
	if (!len)
		return say(text, status, 'Z', "qmail-remote produced no output. (#4.3.0)\n");
	if (!record(out, len, 0, &l1, &s1, &n1, &next) || rank(l1) < 0)
		goto bad;
	if (l1 == 'K' || l1 == 'Z' || l1 == 'D') {
		*status = l1;
		return sa_copyb(text, s1, n1);
	}
	/* recipient reports, then the message's; the i-th recipient report is kept */
	for (;;) {
		if (!record(out, len, next, &l2, &s2, &n2, &end) || rank(l2) < 0)
			goto bad;
		next = end;
		if (l2 != 'r' && l2 != 'h' && l2 != 's')
			break;
		if (++k == i) {
			l1 = l2;
			s1 = s2;
			n1 = n2;
		}
	}
	if (i > k)
		goto bad;
	*status = l1 == 's' ? 'Z' : l1 == 'h' ? 'D' : l2;
	if (!sa_copyb(text, s1, n1))
		return 0;
	if (rank(l2) <= rank(l1))
		return sa_catb(text, s2, n2);
	return 1;
bad:
	return say(text, status, 'Z', "qmail-remote produced malformed output. (#4.3.0)\n");
}
