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
 * only mislead).
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

/* rreport_start - read a run's output and wait status once, for rreport_next: its
 * own failure, or a message report alone, or recipient reports then a message
 * report, all well formed */
void rreport_start(rreport *r, const char *out, size_t len, int wstat)
{
	char l;
	const char *s;
	size_t n, next, end;
	memset(r, 0, sizeof *r);
	r->out = out;
	r->len = len;
	r->own = 'Z';
	if (wait_crashed(wstat) || wait_exitcode(wstat) < 0) {
		r->text = "qmail-remote crashed. (#4.3.0)\n";
		return;
	}
	if (wait_exitcode(wstat) == 111) {
		r->text = "Unable to run qmail-remote. (#4.3.0)\n";
		r->addout = 1;
		return;
	}
	if (wait_exitcode(wstat) != 0) {
		r->own = 'D';
		r->text = "Unable to run qmail-remote. (#5.3.0)\n";
		return;
	}
	if (!len) {
		r->text = "qmail-remote produced no output. (#4.3.0)\n";
		return;
	}
	r->text = "qmail-remote produced malformed output. (#4.3.0)\n";
	for (next = 0;; next = end) {
		if (!record(out, len, next, &l, &s, &n, &end) || rank(l) < 0)
			return;
		if (l != 'r' && l != 'h' && l != 's')
			break;
		++r->left;
	}
	r->ml = l;
	r->ms = s;
	r->mn = n;
	r->own = 0;
	r->single = r->left == 0;
}

/* rreport_next - the report of the next recipient into *status and text: its own
 * report with the message report (or the message report alone, or the run's
 * failure); a recipient beyond those reported gets the malformed-output report. 0
 * if out of memory */
int rreport_next(rreport *r, sa *text, char *status)
{
	char l;
	const char *s;
	size_t n, end;
	if (r->own) {
		*status = r->own;
		return sa_copys(text, r->text) && (!r->addout || sa_catb(text, r->out, r->len));
	}
	if (r->single) { /* a message report alone: everyone's */
		*status = r->ml;
		return sa_copyb(text, r->ms, r->mn);
	}
	if (r->left == 0 || !record(r->out, r->len, r->next, &l, &s, &n, &end)) {
		*status = 'Z';
		return sa_copys(text, r->text);
	}
	r->next = end;
	--r->left;
	*status = l == 's' ? 'Z' : l == 'h' ? 'D' : r->ml;
	if (!sa_copyb(text, s, n))
		return 0;
	if (rank(r->ml) <= rank(l))
		return sa_catb(text, r->ms, r->mn);
	return 1;
}

/* rreport_rcpt - the report of recipient i (from 0) of the run alone into *status
 * and text: rreport_start and rreport_next up to it (every recipient past the last
 * one reported gets the same report); 0 if out of memory */
int rreport_rcpt(sa *text, char *status, const char *out, size_t len, int wstat, size_t i)
{
	rreport r;
	rreport_start(&r, out, len, wstat);
	if (i > r.left)
		i = r.left;
	do
		if (!rreport_next(&r, text, status))
			return 0;
	while (i--);
	return 1;
}
