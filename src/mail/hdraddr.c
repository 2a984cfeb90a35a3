/*
 * hdraddr.c - address lists (RFC 822 section 6, with the tolerance qmail-inject has
 * always had). The value is read as tokens (atoms, quoted strings, domain literals,
 * comments, specials), then as a list of items:
 *     plain      a@b (comment)            local[@domain] with comments anywhere
 *     angle      Full Name <@r1,@r2:a@b>  a display name and a route address
 *     group      name: item, item;        a named list of plain or angle items
 * Items are separated by commas; a semicolon outside a group counts as a comma, and a
 * word that cannot continue an address starts a new one ("a b" is "a, b"). Source
 * routes are dropped. Each address is rewritten (hdr_rw) and printed again in a
 * canonical form: the local part as a dot-atom when it is one, else quoted; display
 * names and comments as they were, folds removed; comments of a plain item after
 * its address. Printing again and parsing the result gives the same addresses.
 * Folds (CR, LF) are removed from every token copied, so no output line ends inside
 * an item. A NUL anywhere is a syntax error: addresses end up NUL-terminated.
 */
#include "hdraddr.h"

#include <stdint.h>
#include <string.h>

#include "size.h"

enum { T_END = 256, T_ATOM, T_QSTR, T_DLIT, T_CMT };
enum { K_PLAIN, K_ANGLE, K_GROUP };

typedef struct tok_s {
	int type;   /* a special's own byte ('<', '@', ...) or a T_ value */
	size_t off; /* offset of its first byte */
	size_t len; /* its bytes, delimiters included */
	int sp;     /* blanks or folds came before it */
} tok;

typedef struct ctx_s {
	const char *s;    /* the field value */
	size_t n;         /* its length */
	size_t pos;       /* where the next token starts */
	const hdr_rw *rw; /* the rewriting rules, or 0 */
	hdr_alist *r;     /* the results */
	int err;          /* sticky: the first error */
	size_t col;       /* output column of the next byte */
	int first;        /* the next item opens the field or a group */
	int top;          /* nothing printed yet: never fold before the first item */
	size_t plain_end; /* up to here the input is known to hold plain items only */
	sa item;          /* the item being printed */
	sa cmts;          /* the comments of the item */
	sa local;         /* local part, internal form */
	sa dom;           /* domain, internal form */
	sa host;          /* the domain rewritten */
} ctx;

/* fail - remember the first error; always 0, so callers can return it */
static int fail(ctx *c, int err)
{
	if (c->err == HDR_OK)
		c->err = err;
	return 0;
}

/* delimited - scan the quoted string, literal or comment that opens at s[i]; the
 * offset just past it, or 0 (with c->err) when it is unterminated or holds a NUL */
static size_t delimited(ctx *c, size_t i, char close)
{
	const char *s = c->s;
	char open = s[i];
	unsigned int depth = 1;
	for (++i; i < c->n; ++i) {
		char ch = s[i];
		if (ch == 0)
			return fail(c, HDR_ESYNTAX);
		if (ch == '\\') {
			if (++i == c->n || s[i] == 0)
				return fail(c, HDR_ESYNTAX);
		} else if (ch == close) {
			if (--depth == 0)
				return i + 1;
		} else if (ch == open && open == '(') {
			if (++depth > HDR_NEST_MAX)
				return fail(c, HDR_ENEST);
		} else if (ch == open) {
			return fail(c, HDR_ESYNTAX); /* '[' inside a literal */
		}
	}
	return fail(c, HDR_ESYNTAX);
}

/* lex - the token at c->pos, moving past it; 0 on a syntax error */
static int lex(ctx *c, tok *t)
{
	const char *s = c->s;
	size_t i = c->pos, end;
	unsigned char ch;
	t->sp = 0;
	while (i < c->n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) {
		++i;
		t->sp = 1;
	}
	t->off = i;
	if (i == c->n) {
		t->type = T_END;
		end = i;
	} else if ((ch = (unsigned char)s[i]) == '(' || ch == '"' || ch == '[') {
		t->type = ch == '(' ? T_CMT : ch == '"' ? T_QSTR : T_DLIT;
		end = delimited(c, i, ch == '(' ? ')' : ch == '"' ? '"' : ']');
		if (!end)
			return 0;
	} else if (ch && strchr("<>@,;:.", ch)) {
		t->type = ch;
		end = i + 1;
	} else if (hdr_atomchar(ch)) {
		t->type = T_ATOM;
		for (end = i; end < c->n && hdr_atomchar((unsigned char)s[end]); ++end)
			;
	} else {
		return fail(c, HDR_ESYNTAX); /* ) ] \ or a control byte */
	}
	t->len = end - i;
	c->pos = end;
	return 1;
}

/* cat_raw - a token's bytes with folds removed (an escaped CR or LF goes with its
 * backslash, so the copy still parses) */
static int cat_raw(ctx *c, sa *out, const tok *t)
{
	const char *s = c->s + t->off;
	size_t i = 0, n = t->len;
	while (i < n) {
		size_t k = i;
		while (k < n && s[k] != '\r' && s[k] != '\n' && s[k] != '\\')
			++k;
		if (k > i && !sa_catb(out, s + i, k - i))
			return fail(c, HDR_ENOMEM);
		if (k == n)
			break;
		if (s[k] == '\\' && k + 1 < n) {
			if (s[k + 1] != '\r' && s[k + 1] != '\n' && !sa_catb(out, s + k, 2))
				return fail(c, HDR_ENOMEM);
			i = k + 2;
		} else {
			i = k + 1;
		}
	}
	return 1;
}

/* cat_unquoted - the contents of a quoted string, escapes resolved, folds removed */
static int cat_unquoted(ctx *c, sa *out, const tok *t)
{
	const char *s = c->s + t->off;
	size_t i;
	for (i = 1; i + 1 < t->len; ++i) {
		if (s[i] == '\\')
			++i;
		if (s[i] != '\r' && s[i] != '\n' && !sa_catc(out, s[i]))
			return fail(c, HDR_ENOMEM);
	}
	return 1;
}

/* comment - add a comment token to the item's comments */
static int comment(ctx *c, const tok *t)
{
	if (c->cmts.len && !sa_catc(&c->cmts, ' '))
		return fail(c, HDR_ENOMEM);
	return cat_raw(c, &c->cmts, t);
}

/* next - the next token that is not a comment (comments go to c->cmts) */
static int next(ctx *c, tok *t)
{
	for (;;) {
		if (!lex(c, t))
			return 0;
		if (t->type != T_CMT)
			return 1;
		if (!comment(c, t))
			return 0;
	}
}

/* finish - record the address in c->local/c->dom (dom only if at) and print it into
 * c->item */
static int finish(ctx *c, int at)
{
	hdr_alist *r = c->r;
	size_t len;
	c->host.len = 0;
	if (at) {
		if (!hdr_host_rewrite(&c->host, c->dom.s, c->dom.len, c->rw))
			return fail(c, HDR_ENOMEM);
	} else if (c->rw && c->rw->defhost) {
		if (!hdr_host_rewrite(&c->host, c->rw->defhost, strlen(c->rw->defhost), c->rw))
			return fail(c, HDR_ENOMEM);
		at = 1;
	}
	if (!size_add(&len, c->local.len, c->host.len) || len + (size_t)at > HDR_ADDR_MAX)
		return fail(c, HDR_ELONG);
	if (!sa_cat(&r->addrs, &c->local) || (at && !sa_catc(&r->addrs, '@')) ||
	    !sa_cat(&r->addrs, &c->host) || !sa_0(&r->addrs))
		return fail(c, HDR_ENOMEM);
	++r->count;
	if (!hdr_local_render(&c->item, c->local.s, c->local.len) ||
	    (at && !sa_catc(&c->item, '@')) || !sa_cat(&c->item, &c->host))
		return fail(c, HDR_ENOMEM);
	return 1;
}

/* spec - an addr-spec into c->local and c->dom, stopping before the first token that
 * cannot continue it (a word right after a word begins the next address). 1 with
 * *at set, -1 when there was no word at all (nothing consumed but comments), 0 on
 * error. Dots may be doubled or trail: such local parts exist and are quoted. */
static int spec(ctx *c, int *at)
{
	tok t;
	size_t save;
	int last = 0, words = 0, subs = 0; /* last: 'w' word, 's' subdomain, '.' or '@' */
	c->local.len = c->dom.len = 0;
	*at = 0;
	for (;;) {
		save = c->pos;
		if (!lex(c, &t))
			return 0;
		if (t.type == T_CMT) {
			if (!comment(c, &t))
				return 0;
			continue;
		}
		if (t.type == '.') {
			if (!sa_catc(*at ? &c->dom : &c->local, '.'))
				return fail(c, HDR_ENOMEM);
		} else if (!*at && (t.type == T_ATOM || t.type == T_QSTR) && last != 'w') {
			if (t.type == T_ATOM ? !cat_raw(c, &c->local, &t)
					     : !cat_unquoted(c, &c->local, &t))
				return 0;
			++words;
		} else if (!*at && t.type == '@' && words) {
			*at = 1;
		} else if (*at && (t.type == T_ATOM || t.type == T_DLIT) && last != 's') {
			if (!cat_raw(c, &c->dom, &t))
				return 0;
			++subs;
		} else {
			break;
		}
		last = t.type == '.' ? '.' : t.type == '@' ? '@' : *at ? 's' : 'w';
	}
	c->pos = save;
	if (!words && !c->local.len)
		return -1;
	if (!words || (*at && !subs))
		return fail(c, HDR_ESYNTAX);
	return 1;
}

/* trailing - comments after an item go to c->cmts */
static int trailing(ctx *c)
{
	tok t;
	for (;;) {
		size_t save = c->pos;
		if (!lex(c, &t))
			return 0;
		if (t.type != T_CMT) {
			c->pos = save;
			return 1;
		}
		if (!comment(c, &t))
			return 0;
	}
}

/* emit - add c->item (and its comments) to the text after " " or ", ", folding the
 * line before the item when it would pass HDR_FOLD */
static int emit(ctx *c)
{
	sa *t = &c->r->text;
	int space = c->item.len && c->cmts.len; /* between the item and its comments */
	size_t w = c->item.len + c->cmts.len + (size_t)space, need;
	/* ", " before the item and perhaps a ',' after it must fit on the line */
	if (!size_add(&need, c->col, w) || !size_add(&need, need, 3))
		need = SIZE_MAX;
	if (!c->top && need > HDR_FOLD) {
		if ((!c->first && !sa_catc(t, ',')) || !sa_cats(t, "\n  "))
			return fail(c, HDR_ENOMEM);
		c->col = 2;
	} else {
		if (!sa_cats(t, c->first ? " " : ", "))
			return fail(c, HDR_ENOMEM);
		c->col += c->first ? 1 : 2;
	}
	if (!sa_cat(t, &c->item) || (space && !sa_catc(t, ' ')) || !sa_cat(t, &c->cmts))
		return fail(c, HDR_ENOMEM);
	c->col += w;
	c->first = c->top = 0;
	return 1;
}

/* plain - one plain item; an item of comments alone is kept as it is */
static int plain(ctx *c)
{
	int at, r = spec(c, &at);
	if (r == 0)
		return 0;
	if (r == -1) {
		tok t;
		size_t save = c->pos;
		if (!lex(c, &t))
			return 0;
		c->pos = save;
		if (!c->cmts.len || (t.type != ',' && t.type != ';' && t.type != T_END))
			return fail(c, HDR_ESYNTAX);
		return emit(c);
	}
	return finish(c, at) && trailing(c) && emit(c);
}

/* phrase - the words before stop ('<' or ':') into c->item, spacing kept; consumes
 * stop */
static int phrase(ctx *c, int stop)
{
	tok t;
	for (;;) {
		if (!lex(c, &t))
			return 0;
		if (t.type == stop)
			return 1;
		if (t.type != T_ATOM && t.type != T_QSTR && t.type != T_CMT && t.type != '.' &&
		    t.type != '@')
			return fail(c, HDR_ESYNTAX);
		if (c->item.len && t.sp && !sa_catc(&c->item, ' '))
			return fail(c, HDR_ENOMEM);
		if (!cat_raw(c, &c->item, &t))
			return 0;
	}
}

/* route - skip a source route "@a,@b:" (the '@' has been read) */
static int route(ctx *c)
{
	tok t;
	for (;;) {
		int subs = 0;
		for (;;) {
			if (!next(c, &t))
				return 0;
			if (t.type != T_ATOM && t.type != T_DLIT && t.type != '.')
				break;
			subs += t.type != '.';
		}
		if (!subs)
			return fail(c, HDR_ESYNTAX);
		if (t.type == ':')
			return 1;
		if (t.type != ',' || !next(c, &t))
			return fail(c, HDR_ESYNTAX);
		if (t.type != '@')
			return fail(c, HDR_ESYNTAX);
	}
}

/* angle - one item "[phrase] <[route]addr-spec>" or "[phrase] <>" */
static int angle(ctx *c)
{
	tok t;
	size_t save;
	int at;
	if (!phrase(c, '<') || (c->item.len && !sa_catc(&c->item, ' ')) || !sa_catc(&c->item, '<'))
		return fail(c, HDR_ENOMEM);
	do {
		save = c->pos;
		if (!lex(c, &t))
			return 0;
	} while (t.type == T_CMT && comment(c, &t));
	if (c->err)
		return 0;
	if (t.type == '>') {
		if (!sa_0(&c->r->addrs))
			return fail(c, HDR_ENOMEM);
		++c->r->count;
	} else {
		if (t.type == '@') {
			if (!route(c))
				return 0;
		} else {
			c->pos = save;
		}
		if (spec(c, &at) != 1 || !finish(c, at) || !next(c, &t))
			return fail(c, HDR_ESYNTAX);
		if (t.type != '>')
			return fail(c, HDR_ESYNTAX);
	}
	if (!sa_catc(&c->item, '>'))
		return fail(c, HDR_ENOMEM);
	return trailing(c) && emit(c);
}

static int list(ctx *c, int in_group);

/* group - "name: items;" (a missing final ';' is supplied) */
static int group(ctx *c)
{
	tok t;
	if (!phrase(c, ':') || !sa_catc(&c->item, ':') || !emit(c))
		return fail(c, HDR_ENOMEM);
	c->first = 1;
	if (!list(c, 1) || !lex(c, &t))
		return 0;
	if (!sa_cats(&c->r->text, c->first ? " ;" : ";"))
		return fail(c, HDR_ENOMEM);
	c->col += c->first ? 2 : 1;
	c->first = 0;
	c->cmts.len = 0;
	if (!trailing(c))
		return 0;
	if (c->cmts.len) {
		if (!sa_catc(&c->r->text, ' ') || !sa_cat(&c->r->text, &c->cmts))
			return fail(c, HDR_ENOMEM);
		c->col += c->cmts.len + 1;
	}
	return 1;
}

/* kind - what the item at c->pos is: a group if ':' comes before any of ", ; <",
 * an angle item if '<' does, else plain. The end of a plain stretch is remembered,
 * so that "a b c ..." is looked at once, not once per address. */
static int kind(ctx *c, int *k)
{
	size_t save = c->pos;
	tok t;
	if (save < c->plain_end) {
		*k = K_PLAIN;
		return 1;
	}
	for (;;) {
		if (!lex(c, &t))
			return 0;
		if (t.type == ':' || t.type == '<') {
			*k = t.type == ':' ? K_GROUP : K_ANGLE;
			break;
		}
		if (t.type == ',' || t.type == ';' || t.type == T_END) {
			*k = K_PLAIN;
			c->plain_end = t.off;
			break;
		}
	}
	c->pos = save;
	return 1;
}

/* list - items up to the end, or inside a group up to its ';' (not consumed) */
static int list(ctx *c, int in_group)
{
	for (;;) {
		tok t;
		size_t save = c->pos;
		int k, ok;
		if (!lex(c, &t))
			return 0;
		if (t.type == T_END || (t.type == ';' && in_group)) {
			c->pos = save;
			return 1;
		}
		if (t.type == ',' || t.type == ';')
			continue;
		c->pos = save;
		c->item.len = c->cmts.len = 0;
		if (!kind(c, &k))
			return 0;
		if (k == K_GROUP && in_group)
			return fail(c, HDR_ESYNTAX);
		ok = k == K_GROUP ? group(c) : k == K_ANGLE ? angle(c) : plain(c);
		if (!ok)
			return 0;
	}
}

/* hdr_alist_parse - parse the address list s[0..n), rewrite it with rw (0: no
 * rewriting), print it into r->text as it continues a line at column col (the
 * length of "Name:"), and collect its addresses; 1 on success, 0 with r->err */
int hdr_alist_parse(hdr_alist *r, const char *s, size_t n, const hdr_rw *rw, size_t col)
{
	ctx c;
	memset(&c, 0, sizeof c);
	c.s = s;
	c.n = n;
	c.rw = rw;
	c.r = r;
	c.col = col;
	c.first = c.top = 1;
	r->text.len = r->addrs.len = 0;
	r->count = 0;
	list(&c, 0);
	sa_free(&c.item);
	sa_free(&c.cmts);
	sa_free(&c.local);
	sa_free(&c.dom);
	sa_free(&c.host);
	r->err = c.err;
	return c.err == HDR_OK;
}

/* hdr_alist_free - release the results */
void hdr_alist_free(hdr_alist *r)
{
	sa_free(&r->text);
	sa_free(&r->addrs);
	r->count = 0;
}
