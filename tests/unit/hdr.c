/* hdr.c - tests for splitting a header into fields and naming them */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "hdr.h"

#define S(x) x, sizeof(x) - 1

static const hdr_limits lim = {HDR_BYTES_MAX, HDR_FIELDS_MAX};

static const struct {
	const char *in;    /* the message */
	size_t inlen;      /* its length */
	size_t nfields;    /* fields expected */
	const char *names; /* their names, each followed by '|' */
	size_t body;       /* where the body begins */
	int sep;           /* an empty line ended the header */
	int resent;        /* a Resent- field was seen */
} ok[] = {
	{S("To: a\nSubject: x\n\nbody\n"), 2, "To|Subject|", 18, 1, 0},
	{S("To: a\n  b\n\tc\nX: y\n"), 2, "To|X|", 18, 0, 0},
	{S("no header here\n"), 0, "", 0, 0, 0},
	{S("To: a\nnot a field line\nmore"), 1, "To|", 6, 0, 0},
	{S(" leading space\nTo: a\n"), 0, "", 0, 0, 0},
	{S("Subject : x\n\n"), 1, "Subject|", 13, 1, 0},
	{S("Subject\t: x\n"), 1, "Subject|", 12, 0, 0},
	{S(":-) smile\n"), 0, "", 0, 0, 0},
	{S("To: a\r\n\r\nbody"), 1, "To|", 9, 1, 0},
	{S("To: a"), 1, "To|", 5, 0, 0},
	{S(""), 0, "", 0, 0, 0},
	{S("\n"), 0, "", 1, 1, 0},
	{S("\nTo: a\n"), 0, "", 1, 1, 0},
	{S("Resent-From: x\n"), 1, "Resent-From|", 15, 0, 1},
	{S("RESENT-CC: x\n"), 1, "RESENT-CC|", 13, 0, 1},
	{S("Resent-: x\n"), 1, "Resent-|", 11, 0, 1},
	{S("Resentfrom: x\n"), 1, "Resentfrom|", 14, 0, 0},
	{S("X-Weird!#$%&'*+-/=?^_`{|}~: v\n"), 1, "X-Weird!#$%&'*+-/=?^_`{|}~|", 30, 0, 0},
	{S("A:\nB:\n\n"), 2, "A|B|", 7, 1, 0},
	{S("A: x\n \nB: y\n"), 2, "A|B|", 12, 0, 0},
	{S("A: x\nhello world: no\n"), 1, "A|", 5, 0, 0},
	{S("A: x\n\n\nbody"), 1, "A|", 6, 1, 0},
	{S("A: 8-bit value \xff\x01\n"), 1, "A|", 18, 0, 0},
	{S("A: x\nB\n"), 1, "A|", 5, 0, 0},
};

static const struct {
	const char *in; /* the message */
	size_t inlen;   /* its length */
	int err;        /* the error */
	size_t errat;   /* where */
} bad[] = {
	{S("Sub\x01ject: x\n"), HDR_EBADNAME, 0},
	{S("To: a\nGr\xc3\xbc\xc3\x9f"
	   "e: x\n"),
	 HDR_EBADNAME, 6},
	{S("To: a\nX\x7f: x\n"), HDR_EBADNAME, 6},
	{S("X\0Y: x\n"), HDR_EBADNAME, 0},
	{S("X\x01 : x\n"), HDR_EBADNAME, 0},
	{S("Subject\r: x\n"), HDR_EBADNAME, 0},
};

/* check_fields - h's field names joined with '|' equal names */
static void check_fields(const hdr *h, const char *s, const char *names)
{
	char joined[256];
	size_t i, n = 0;
	for (i = 0; i < h->n && n + h->f[i].name + 1 < sizeof joined; ++i) {
		memcpy(joined + n, s + h->f[i].off, h->f[i].name);
		n += h->f[i].name;
		joined[n++] = '|';
	}
	T_EQ_MEM(joined, n, names, strlen(names));
}

static void t_split(void)
{
	size_t i;
	hdr h = HDR_ZERO;
	for (i = 0; i < sizeof ok / sizeof ok[0]; ++i) {
		char *copy = malloc(ok[i].inlen ? ok[i].inlen : 1); /* exact size for ASan */
		memcpy(copy, ok[i].in, ok[i].inlen);
		T_OK(hdr_split(&h, copy, ok[i].inlen, &lim));
		T_EQ_U(h.n, ok[i].nfields);
		check_fields(&h, copy, ok[i].names);
		T_EQ_U(h.body, ok[i].body);
		T_EQ_U(h.sep, ok[i].sep);
		T_EQ_U(h.resent, ok[i].resent);
		T_EQ_U(h.err, HDR_OK);
		free(copy);
	}
	hdr_free(&h);
}

static void t_bad(void)
{
	size_t i;
	hdr h = HDR_ZERO;
	for (i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
		T_OK(!hdr_split(&h, bad[i].in, bad[i].inlen, &lim));
		T_EQ_U(h.err, bad[i].err);
		T_EQ_U(h.errat, bad[i].errat);
	}
	hdr_free(&h);
}

/* t_offsets - value offsets and continuation lines are where they should be */
static void t_offsets(void)
{
	static const char m[] = "To : a,\n b\nSubject:x\n\nbody";
	hdr h = HDR_ZERO;
	T_OK(hdr_split(&h, m, sizeof m - 1, &lim));
	T_EQ_U(h.n, 2);
	T_EQ_U(h.f[0].off, 0);
	T_EQ_U(h.f[0].name, 2);
	T_EQ_U(h.f[0].val, 4);
	T_EQ_U(h.f[0].end, 11);
	T_EQ_U(h.f[0].id, HDR_TO);
	T_EQ_MEM(m + h.f[0].val, h.f[0].end - h.f[0].val, " a,\n b\n", 7);
	T_EQ_U(h.f[1].off, 11);
	T_EQ_U(h.f[1].val, 19);
	T_EQ_U(h.f[1].end, 21);
	T_EQ_U(h.f[1].id, HDR_OTHER);
	T_EQ_U(h.body, 22);
	T_EQ_MEM(m + h.body, sizeof m - 1 - h.body, "body", 4);
	hdr_free(&h);
}

/* t_prefixes - every prefix of every message splits without reading past its end,
 * and the fields of a prefix never extend past it */
static void t_prefixes(void)
{
	size_t i, k, j;
	hdr h = HDR_ZERO;
	for (i = 0; i < sizeof ok / sizeof ok[0]; ++i)
		for (k = 0; k <= ok[i].inlen; ++k) {
			char *copy = malloc(k ? k : 1);
			int good = 1;
			memcpy(copy, ok[i].in, k);
			T_OK(hdr_split(&h, copy, k, &lim));
			for (j = 0; j < h.n; ++j)
				good &= h.f[j].end <= k && h.f[j].val <= h.f[j].end;
			T_OK(good && h.body <= k);
			free(copy);
		}
	hdr_free(&h);
}

static void t_limits(void)
{
	hdr h = HDR_ZERO;
	hdr_limits small = {12, 2};
	T_OK(hdr_split(&h, S("A: 1\nB: 2\n\n"), &small));
	T_EQ_U(h.n, 2);
	T_OK(!hdr_split(&h, S("A:\nB:\nC:\n"), &small));
	T_EQ_U(h.err, HDR_EMANY);
	T_EQ_U(h.errat, 6);
	T_OK(hdr_split(&h, S("A: 1\nB: 23\n\n"), &small)); /* 12 bytes with the empty line */
	T_OK(!hdr_split(&h, S("A: 1\nB: 2345\n"), &small));
	T_EQ_U(h.err, HDR_ETOOBIG);
	T_EQ_U(h.errat, 5);
	/* the limit counts the header only, not the body after it */
	T_OK(hdr_split(&h, S("A: 1\n\nlong body line\n"), &small));
	T_OK(!hdr_split(&h, S("A: 1\n  more than twelve\n"), &small));
	T_EQ_U(h.err, HDR_ETOOBIG);
	/* the error is reset by the next split */
	T_OK(hdr_split(&h, S("A: 1\n"), &small));
	T_EQ_U(h.err, HDR_OK);
	hdr_free(&h);
}

static void t_line(void)
{
	size_t name = 99;
	T_EQ_U(hdr_line(S("To: x\n"), &name), HDR_L_FIELD);
	T_EQ_U(name, 2);
	T_EQ_U(hdr_line(S("To  :x"), &name), HDR_L_FIELD);
	T_EQ_U(name, 2);
	T_EQ_U(hdr_line(S(" x\n"), &name), HDR_L_CONT);
	T_EQ_U(hdr_line(S("\tx"), &name), HDR_L_CONT);
	T_EQ_U(hdr_line(S("\n"), &name), HDR_L_END);
	T_EQ_U(hdr_line(S("\r\n"), &name), HDR_L_END);
	T_EQ_U(hdr_line(S(""), &name), HDR_L_END);
	T_EQ_U(hdr_line(S("hello\n"), &name), HDR_L_BODY);
	T_EQ_U(hdr_line(S("hello there: x\n"), &name), HDR_L_BODY);
	T_EQ_U(hdr_line(S(": x\n"), &name), HDR_L_BODY);
	T_EQ_U(hdr_line(S("\xe9t\xe9: x\n"), &name), HDR_L_BAD);
	T_EQ_U(hdr_line(S("\xe9t\xe9 x\n"), &name), HDR_L_BODY);
	T_EQ_U(hdr_line(S("a\x01"), &name), HDR_L_BODY);
	T_EQ_U(hdr_line(S("\r"), &name), HDR_L_END);
	T_EQ_U(hdr_line(S("\rX: y"), &name), HDR_L_BAD);
}

static void t_ids(void)
{
	static const struct {
		const char *name; /* a field name */
		int id;           /* its id */
		unsigned int cls; /* its classes */
	} t[] = {
		{"To", HDR_TO, HDR_C_RECIP},
		{"tO", HDR_TO, HDR_C_RECIP},
		{"Cc", HDR_CC, HDR_C_RECIP},
		{"BCC", HDR_BCC, HDR_C_RECIP},
		{"Apparently-To", HDR_APPARENTLYTO, HDR_C_RECIP},
		{"Resent-To", HDR_R_TO, HDR_C_RECIP | HDR_C_RESENT},
		{"Resent-Cc", HDR_R_CC, HDR_C_RECIP | HDR_C_RESENT},
		{"resent-bcc", HDR_R_BCC, HDR_C_RECIP | HDR_C_RESENT},
		{"From", HDR_FROM, HDR_C_SENDER},
		{"Sender", HDR_SENDER, HDR_C_SENDER},
		{"Reply-To", HDR_REPLYTO, HDR_C_SENDER},
		{"Return-Path", HDR_RETURNPATH, HDR_C_SENDER},
		{"Return-Receipt-To", HDR_RETURNRECEIPTTO, HDR_C_SENDER},
		{"Errors-To", HDR_ERRORSTO, HDR_C_SENDER},
		{"Resent-Sender", HDR_R_SENDER, HDR_C_SENDER | HDR_C_RESENT},
		{"Resent-From", HDR_R_FROM, HDR_C_SENDER | HDR_C_RESENT},
		{"Resent-Reply-To", HDR_R_REPLYTO, HDR_C_SENDER | HDR_C_RESENT},
		{"Date", HDR_DATE, 0},
		{"Resent-Date", HDR_R_DATE, HDR_C_RESENT},
		{"Message-ID", HDR_MESSAGEID, 0},
		{"Resent-Message-Id", HDR_R_MESSAGEID, HDR_C_RESENT},
		{"Content-Length", HDR_CONTENTLENGTH, 0},
		{"Mail-Followup-To", HDR_MFT, 0},
		{"Subject", HDR_OTHER, 0},
		{"X-To", HDR_OTHER, 0},
		{"T", HDR_OTHER, 0},
		{"Tox", HDR_OTHER, 0},
		{"", HDR_OTHER, 0},
	};
	size_t i;
	for (i = 0; i < sizeof t / sizeof t[0]; ++i) {
		T_EQ_U(hdr_id(t[i].name, strlen(t[i].name)), t[i].id);
		T_EQ_U(hdr_class(t[i].id), t[i].cls);
	}
	T_EQ_U(hdr_id("To", 1), HDR_OTHER);
	for (i = HDR_OK; i <= HDR_ENEST; ++i)
		T_OK(strcmp(hdr_errstr((int)i), "unknown error") != 0);
	T_EQ_S(hdr_errstr(99), "unknown error");
}

const t_case t_cases[] = {
	T_CASE(t_split),  T_CASE(t_bad),  T_CASE(t_offsets), T_CASE(t_prefixes),
	T_CASE(t_limits), T_CASE(t_line), T_CASE(t_ids),     T_END,
};
