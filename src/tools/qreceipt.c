/*
 * qreceipt - answer a request for a delivery notice; a .qmail helper.
 *
 *	|qreceipt ADDR
 *
 * Reads the header of the message on stdin. If a Notice-Requested-Upon-Delivery-To
 * field lists ADDR (read as an address list by hdraddr.c, compared ignoring case),
 * it sends a short success notice about ADDR to the envelope sender $SENDER. Nothing is sent for a
 *bounce (empty sender) or a double bounce (#@[]), and the notice itself goes out with an empty
 *envelope sender, so notices can never bounce back and forth.
 *
 * DIAGNOSTICS: exit 0 when the notice was queued or none was wanted; 100 when the
 * queue refused it for good; 111 for a temporary failure, and for a usage error.
 */
#include <signal.h>
#include <string.h>

#include "buf.h"
#include "die.h"
#include "env.h"
#include "hdr.h"
#include "hdraddr.h"
#include "qq.h"
#include "sa.h"
#include "sig.h"
#include "str.h"
#include "tm.h"

#define EXIT_PERM  100
#define EXIT_TEMP  111
#define HEADER_MAX 1048576 /* header bytes read at most */

static const char field_name[] = "notice-requested-upon-delivery-to";

/* nomem - out of memory is a temporary failure */
static _Noreturn void nomem(void)
{
	die_x(EXIT_TEMP, "out of memory", (char *)0);
}

/* read_header - the header on stdin up to and including the empty line that ends
 * it, at most HEADER_MAX bytes (a longer one is looked at only that far) */
static void read_header(sa *head)
{
	char space[8192];
	buf in;
	unsigned flags;
	size_t start;
	int r;
	buf_init(&in, 0, space, sizeof space);
	while (head->len < HEADER_MAX) {
		start = head->len;
		r = buf_getline(&in, head, HEADER_MAX - head->len, '\n', &flags);
		if (r < 0)
			die_sys(EXIT_TEMP, "unable to read message", (char *)0);
		if (r == 0 || head->s[start] == '\n' ||
		    (head->len - start == 2 && head->s[start] == '\r' &&
		     head->s[start + 1] == '\n'))
			break;
	}
}

/* requested - whether a Notice-Requested-Upon-Delivery-To field of the header lists
 * addr (compared ignoring case, after the addresses are unquoted by hdraddr.c) */
static int requested(const sa *head, const char *addr)
{
	static const hdr_limits lim = {HEADER_MAX + 2, HDR_FIELDS_MAX};
	hdr h = HDR_ZERO;
	hdr_alist al = HDR_ALIST_ZERO;
	size_t i, k = sizeof field_name - 1, n = strlen(addr), off;
	int found = 0;
	if (!hdr_split(&h, head->s, head->len, &lim) && h.err == HDR_ENOMEM)
		nomem();
	for (i = 0; i < h.n && !found; ++i) {
		const hdr_field *f = &h.f[i];
		if (f->name != k || !case_equalb(head->s + f->off, k, field_name))
			continue;
		if (!hdr_alist_parse(&al, head->s + f->val, f->end - f->val, 0, k + 1)) {
			if (al.err == HDR_ENOMEM)
				nomem();
			continue; /* not an address list: it requests nothing */
		}
		for (off = 0; off < al.addrs.len && !found; off += strlen(al.addrs.s + off) + 1)
			found = strlen(al.addrs.s + off) == n &&
				case_equalb(al.addrs.s + off, n, addr);
	}
	hdr_alist_free(&al);
	hdr_free(&h);
	return found;
}

/* notice - queue the success notice about addr to sender */
static void notice(const char *addr, const char *sender)
{
	static qq q;
	const char *rcpt = env_get("RECIPIENT");
	const char *host = env_get("HOST");
	const char *text;
	sa date = SA_ZERO;
	if (!date_utc822(&date, tm_now()) || !sa_0(&date))
		nomem();
	if (!qq_start(&q))
		die_sys(EXIT_TEMP, "unable to start qq", (char *)0);
	qq_puts(&q, "From: Delivery notice <");
	qq_puts(&q, rcpt ? rcpt : addr);
	qq_puts(&q, ">\nTo: <");
	qq_puts(&q, sender);
	qq_puts(&q, ">\nSubject: success notice\nDate: ");
	qq_puts(&q, date.s);
	qq_puts(&q, "\nAuto-Submitted: auto-replied\n\n"
		    "This is the qreceipt program");
	if (host) {
		qq_puts(&q, " at ");
		qq_puts(&q, host);
	}
	qq_puts(&q, ".\n\nYour message has been delivered to this address:\n\n    ");
	qq_puts(&q, addr);
	qq_puts(&q, "\n\nYou asked for this notice in the Notice-Requested-Upon-Delivery-To\n"
		    "field of its header.\n");
	qq_from(&q, "");
	qq_to(&q, sender);
	text = qq_finish(&q);
	if (*text)
		die_x(*text == 'D' ? EXIT_PERM : EXIT_TEMP, text + 1, (char *)0);
	sa_free(&date);
}

/* tame - whether s is fit for a header line: no CR, LF or other control bytes */
static int tame(const char *s)
{
	for (; *s; ++s)
		if ((unsigned char)*s < 32 || (unsigned char)*s == 127)
			return 0;
	return 1;
}

int main(int argc, char **argv)
{
	const char *sender;
	sa head = SA_ZERO;
	int found;
	die_init(argv[0]);
	if (argc != 2 || !argv[1][0])
		die_x(EXIT_TEMP, "usage: qreceipt address", (char *)0);
	sender = env_get("SENDER");
	if (!sender)
		die_x(EXIT_TEMP, "SENDER not set", (char *)0);
	if (!*sender || str_equal(sender, "#@[]"))
		return 0;
	if (!sig_ignore(SIGPIPE))
		die_sys(EXIT_TEMP, "unable to ignore SIGPIPE", (char *)0);
	read_header(&head);
	found = requested(&head, argv[1]);
	sa_free(&head);
	if (!found)
		return 0;
	if (!tame(sender) || !tame(argv[1]) ||
	    (env_get("RECIPIENT") && !tame(env_get("RECIPIENT"))) ||
	    (env_get("HOST") && !tame(env_get("HOST")))) {
		/* nothing sensible can be sent; the delivery itself is fine */
		msg_put(1, "qreceipt: control characters in an address, no notice sent", (char *)0);
		return 0;
	}
	notice(argv[1], sender);
	return 0;
}
