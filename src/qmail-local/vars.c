/*
 * vars.c - the lines qmail-local adds to messages (Delivered-To, Return-Path, the mbox
 * From_ line) and the environment of program deliveries. Every value here comes from
 * the envelope, so it is attacker-controlled: no line may carry a CR or LF of its own
 * into a header, and programs get the values only as environment variables.
 */
#include <string.h>

#include "dotqmail.h"
#include "local.h"
#include "mboxrd.h"
#include "str.h"
#include "tm.h"

/* is_special - whether c must be quoted in an RFC 821 local part */
static int is_special(unsigned char c)
{
	return c <= ' ' || c == 127 || strchr("<>()[]\\.,;:@\"", c) != 0;
}

/* dot_string - whether s[0..n) is an RFC 821 dot-string: atoms joined by single dots */
static int dot_string(const char *s, size_t n)
{
	size_t i;
	if (!n || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (i = 0; i < n; ++i)
		if (s[i] == '.' ? s[i + 1] == '.' : is_special((unsigned char)s[i]))
			return 0;
	return 1;
}

/* quote - append addr with its local part quoted as RFC 821 requires */
static int quote(sa *out, const char *addr)
{
	size_t n = strlen(addr), at = byte_rchr(addr, n, '@'), i;
	if (!n || dot_string(addr, at))
		return sa_catb(out, addr, n);
	if (!sa_catc(out, '"'))
		return 0;
	for (i = 0; i < at; ++i) {
		if (addr[i] == '"' || addr[i] == '\\')
			if (!sa_catc(out, '\\'))
				return 0;
		if (!sa_catc(out, addr[i]))
			return 0;
	}
	return sa_catc(out, '"') && sa_catb(out, addr + at, n - at);
}

/* tame - replace each CR and LF in s[from..) by c, so a value stays on one line */
static void tame(sa *s, size_t from, char c)
{
	for (; from < s->len; ++from)
		if (s->s[from] == '\n' || s->s[from] == '\r')
			s->s[from] = c;
}

/* vars_lines - RECIPIENT and the three header lines */
void vars_lines(local *l)
{
	size_t off;
	if (!sa_copys(&l->recipient, l->local) || !sa_catc(&l->recipient, '@') ||
	    !sa_cats(&l->recipient, l->domain))
		quit_nomem();

	if (!sa_copys(&l->dtline, "Delivered-To: "))
		quit_nomem();
	off = l->dtline.len;
	if (!sa_cat(&l->dtline, &l->recipient))
		quit_nomem();
	tame(&l->dtline, off, '_');
	if (!sa_catc(&l->dtline, '\n'))
		quit_nomem();

	if (!sa_copys(&l->rpline, "Return-Path: <"))
		quit_nomem();
	off = l->rpline.len;
	if (!quote(&l->rpline, l->sender))
		quit_nomem();
	tame(&l->rpline, off, '_');
	if (!sa_cats(&l->rpline, ">\n"))
		quit_nomem();

	l->ufline.len = 0;
	if (!mboxrd_fromline(&l->ufline, l->sender, tm_now()))
		quit_nomem();
}

/* put - set name in the programs' environment to n bytes of s */
static void put(local *l, const char *name, const char *s, size_t n)
{
	sa v = SA_ZERO;
	if (!sa_copyb(&v, s, n) || !sa_0(&v) || !env_set(&l->env, name, v.s))
		quit_nomem();
	sa_free(&v);
}

/* puts_ - set name to a C string */
static void puts_(local *l, const char *name, const char *s)
{
	put(l, name, s, strlen(s));
}

/* vars_env - the environment of SPEC section 6 on top of the inherited one */
void vars_env(local *l)
{
	static const char *const exts[] = {"EXT2", "EXT3", "EXT4"};
	static const char *const hosts[] = {"HOST2", "HOST3", "HOST4"};
	const char *p = l->ext;
	size_t i, n;
	puts_(l, "USER", l->user);
	puts_(l, "HOME", l->home);
	puts_(l, "LOCAL", l->local);
	puts_(l, "HOST", l->domain);
	put(l, "RECIPIENT", l->recipient.s, l->recipient.len);
	puts_(l, "SENDER", l->sender);
	put(l, "NEWSENDER", l->newsender.s, l->newsender.len);
	puts_(l, "EXT", l->ext);
	/* EXTn: what follows the (n-1)th '-', or "" once there is none */
	for (i = 0; i < 3; ++i) {
		n = strlen(p);
		p += byte_chr(p, n, '-');
		if (*p)
			++p;
		puts_(l, exts[i], p);
	}
	/* HOSTn: drop one more dot-component each time; with no dot left it stays */
	n = strlen(l->domain);
	for (i = 0; i < 3; ++i) {
		n = byte_rchr(l->domain, n, '.');
		put(l, hosts[i], l->domain, n);
	}
	if (l->defpos != DOTQMAIL_NODEFAULT)
		puts_(l, "DEFAULT", l->ext + l->defpos);
	else if (!env_unset(&l->env, "DEFAULT"))
		quit_nomem();
	put(l, "DTLINE", l->dtline.s, l->dtline.len);
	put(l, "RPLINE", l->rpline.s, l->rpline.len);
	put(l, "UFLINE", l->ufline.s, l->ufline.len);
}
