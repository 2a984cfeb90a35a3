/*
 * fix.c - qmail-inject's header work (qmail-header(5)): read the header, rewrite the
 * address fields, drop the fields that must not travel (Bcc, Resent-Bcc,
 * Return-Path, Content-Length), note the recipients and the sender it names, and add
 * the fields a message must have (Date, Message-ID, From, a recipient field).
 * A message with any Resent- field is "resent": then the Resent- forms are the ones
 * added, and only Resent-To, Resent-Cc and Resent-Bcc name recipients.
 */
#include <string.h>
#include <unistd.h>

#include "control.h"
#include "die.h"
#include "inject.h"
#include "str.h"
#include "tm.h"

/* read_header - read stdin up to and including the line that ends the header */
static void read_header(inject *s)
{
	size_t start = 0, name;
	int any = 0; /* a field has been read, so a blank-led line continues it */
	for (;;) {
		unsigned int flags;
		int kind, r;
		r = buf_getline(&s->in, &s->head, HDR_BYTES_MAX + 1 - s->head.len, '\n', &flags);
		if (r == -1)
			die_sys(111, "unable to read message", NULL);
		if (r == 0)
			return;
		if (s->head.len > HDR_BYTES_MAX)
			die_x(100, "message header too long", NULL);
		kind = hdr_line(s->head.s + start, s->head.len - start, &name);
		if (kind == HDR_L_END || kind == HDR_L_BAD || (kind == HDR_L_CONT && !any) ||
		    kind == HDR_L_BODY || (flags & BUF_PARTIAL))
			return;
		any = 1;
		start = s->head.len;
	}
}

/* parse_field - the address list of one field into s->al, or die: a list that cannot
 * be parsed is a hopeless header */
static void parse_field(inject *s, const hdr_field *f)
{
	const char *v = s->head.s + f->val;
	size_t n = f->end - f->val;
	if (!hdr_alist_parse(&s->al, v, n, &s->rw, f->name + 1)) {
		sa name = SA_ZERO; /* not freed: we are about to exit */
		if (s->al.err == HDR_ENOMEM || !sa_copyb(&name, s->head.s + f->off, f->name) ||
		    !sa_0(&name))
			die_nomem();
		die_x(100, "invalid header field ", name.s, ": ", hdr_errstr(s->al.err), NULL);
	}
}

/* add_addrs - append the non-empty addresses of s->al to a NUL-separated list */
static void add_addrs(inject *s, sa *list)
{
	size_t i = 0;
	while (i < s->al.addrs.len) {
		size_t n = strlen(s->al.addrs.s + i);
		if (n && !sa_catb(list, s->al.addrs.s + i, n + 1))
			die_nomem();
		i += n + 1;
	}
}

/* is_hrcpt - whether a field names envelope recipients of this message */
static int is_hrcpt(const inject *s, int id)
{
	if (s->h.resent)
		return id == HDR_R_TO || id == HDR_R_CC || id == HDR_R_BCC;
	return id == HDR_TO || id == HDR_CC || id == HDR_BCC || id == HDR_APPARENTLYTO;
}

/* fix_field - rewrite, keep or drop one field */
static void fix_field(inject *s, const hdr_field *f)
{
	int id = f->id;
	if (id == HDR_CONTENTLENGTH || (id == HDR_RETURNPATH && s->flag_skiprp))
		return;
	if (s->flag_delfrom && (id == HDR_FROM || id == HDR_R_FROM))
		return;
	if (s->flag_delmsgid && (id == HDR_MESSAGEID || id == HDR_R_MESSAGEID))
		return;
	if (!(hdr_class(id) & (HDR_C_SENDER | HDR_C_RECIP))) {
		if (!sa_catb(&s->out, s->head.s + f->off, f->end - f->off) ||
		    (s->head.s[f->end - 1] != '\n' && !sa_catc(&s->out, '\n')))
			die_nomem();
		s->seen[id] = 1;
		return;
	}
	parse_field(s, f);
	if (id == HDR_RETURNPATH) {
		if (!s->has_rp && s->al.count) {
			if (!sa_copys(&s->rp, s->al.addrs.s))
				die_nomem();
			s->has_rp = 1;
		}
		return;
	}
	if (is_hrcpt(s, id))
		add_addrs(s, &s->hrcpt);
	if (id == HDR_TO || id == HDR_CC)
		add_addrs(s, &s->tocc);
	if (id == HDR_BCC || id == HDR_R_BCC)
		return;
	if (!sa_catb(&s->out, s->head.s + f->off, f->name) || !sa_catc(&s->out, ':') ||
	    !sa_cat(&s->out, &s->al.text) || !sa_catc(&s->out, '\n'))
		die_nomem();
	s->seen[id] = 1;
}

/* fix_header - read the header from stdin and rewrite it into s->out */
void fix_header(inject *s)
{
	static const hdr_limits lim = {HDR_BYTES_MAX, HDR_FIELDS_MAX};
	size_t i;
	read_header(s);
	if (!hdr_split(&s->h, s->head.s, s->head.len, &lim)) {
		if (s->h.err == HDR_ENOMEM)
			die_nomem();
		die_x(100, "invalid header: ", hdr_errstr(s->h.err), NULL);
	}
	for (i = 0; i < s->h.n; ++i)
		fix_field(s, &s->h.f[i]);
}

/* put_from - the From field made of the user, host and personal name */
static void put_from(inject *s, const char *fname)
{
	sa addr = SA_ZERO, host = SA_ZERO;
	const char *h = s->host ? s->host : s->defhost.s;
	int ok;
	if (!hdr_local_render(&addr, s->user, strlen(s->user)))
		die_x(100, "unusable From user: line break or NUL in it", NULL);
	if (!hdr_host_rewrite(&host, h, strlen(h), &s->rw) || !sa_catc(&addr, '@') ||
	    !sa_cat(&addr, &host) || !sa_cats(&s->out, fname) || !sa_cats(&s->out, ": "))
		die_nomem();
	if (!s->name || !*s->name)
		ok = sa_cat(&s->out, &addr);
	else if (s->flag_comment)
		ok = sa_cat(&s->out, &addr) && sa_catc(&s->out, ' ') &&
		     hdr_comment_render(&s->out, s->name, strlen(s->name));
	else
		ok = hdr_phrase_render(&s->out, s->name, strlen(s->name)) &&
		     sa_cats(&s->out, " <") && sa_cat(&s->out, &addr) && sa_catc(&s->out, '>');
	if (!ok || !sa_catc(&s->out, '\n'))
		die_x(100, "unusable personal name: line break or NUL in it", NULL);
	sa_free(&addr);
	sa_free(&host);
}

/* in_list - whether addr matches an item of the NUL-separated list, ignoring case */
static int in_list(const sa *list, const char *addr)
{
	size_t i = 0;
	while (i < list->len) {
		if (case_diffs(list->s + i, addr) == 0)
			return 1;
		i += strlen(list->s + i) + 1;
	}
	return 0;
}

/* put_mft - Mail-Followup-To naming To and Cc, when they include a list of ours */
static void put_mft(inject *s)
{
	sa lists = SA_ZERO, raw = SA_ZERO;
	size_t i;
	int hit = 0;
	int r = control_readlist(&lists, s->mftfile);
	if (r == -1)
		die_sys(111, "unable to read ", s->mftfile, NULL);
	for (i = 0; r == 1 && i < s->tocc.len; i += strlen(s->tocc.s + i) + 1)
		hit |= in_list(&lists, s->tocc.s + i);
	for (i = 0; hit && i < s->tocc.len; i += strlen(s->tocc.s + i) + 1) {
		const char *a = s->tocc.s + i;
		size_t n = strlen(a), at = byte_rchr(a, n, '@');
		if ((raw.len && !sa_cats(&raw, ", ")) || !hdr_local_render(&raw, a, at) ||
		    !sa_catb(&raw, a + at, n - at))
			die_nomem();
	}
	if (hit) {
		if (!hdr_alist_parse(&s->al, raw.s, raw.len, 0, 17))
			die_x(100, "unable to build Mail-Followup-To: ", hdr_errstr(s->al.err),
			      NULL);
		if (!sa_cats(&s->out, "Mail-Followup-To:") || !sa_cat(&s->out, &s->al.text) ||
		    !sa_catc(&s->out, '\n'))
			die_nomem();
	}
	sa_free(&lists);
	sa_free(&raw);
}

/* fix_complete - add Date, Message-ID, From and a recipient field where missing */
void fix_complete(inject *s)
{
	int r = s->h.resent;
	time_t now = tm_now();
	if (!s->seen[r ? HDR_R_DATE : HDR_DATE] &&
	    (!sa_cats(&s->out, r ? "Resent-Date: " : "Date: ") || !date_utc822(&s->out, now) ||
	     !sa_catc(&s->out, '\n')))
		die_nomem();
	if (!s->seen[r ? HDR_R_MESSAGEID : HDR_MESSAGEID] &&
	    (!sa_cats(&s->out, r ? "Resent-Message-ID: <" : "Message-ID: <") ||
	     !date_msgid(&s->out, now) || !sa_catc(&s->out, '.') ||
	     !sa_catu(&s->out, (uint64_t)getpid()) || !sa_cats(&s->out, ".qmail@") ||
	     !sa_cats(&s->out, s->idhost.s) || !sa_cats(&s->out, ">\n")))
		die_nomem();
	if (!s->seen[r ? HDR_R_FROM : HDR_FROM])
		put_from(s, r ? "Resent-From" : "From");
	if (!s->seen[r ? HDR_R_TO : HDR_TO] && !s->seen[r ? HDR_R_CC : HDR_CC] &&
	    !sa_cats(&s->out, r ? "Resent-Cc: recipient list not shown: ;\n"
				: "Cc: recipient list not shown: ;\n"))
		die_nomem();
	if (s->mftfile && !s->seen[HDR_MFT])
		put_mft(s);
}

/* fix_args - the recipients named on the command line, parsed and rewritten like
 * header addresses */
void fix_args(inject *s, char **argv)
{
	for (; *argv; ++argv) {
		if (!hdr_alist_parse(&s->al, *argv, strlen(*argv), &s->rw, 0)) {
			if (s->al.err == HDR_ENOMEM)
				die_nomem();
			die_x(100, "invalid recipient ", *argv, ": ", hdr_errstr(s->al.err), NULL);
		}
		add_addrs(s, &s->arcpt);
	}
}
