/* rreport.c - tests for qmail-rspawn's mapping of qmail-remote results */
#include <signal.h>
#include <string.h>

#include "harness.h"
#include "rreport.h"

#define EXIT(c) ((c) << 8) /* a wait status for exit code c (Linux encoding) */

static const struct {
	const char *out; /* qmail-remote's output; NULs written as '|' */
	int wstat;       /* its wait status */
	char status;     /* expected letter */
	const char *text;
} cases[] = {
	{"r|Kip accepted message.\n|", EXIT(0), 'K', "ip accepted message.\n"},
	{"rwhy|Kgood|", EXIT(0), 'K', "whygood"},
	{"hno|DGiving up.|", EXIT(0), 'D', "noGiving up."},
	{"slater|DGiving up.|", EXIT(0), 'Z', "laterGiving up."},
	{"slater|Kodd|", EXIT(0), 'Z', "later"}, /* K is better than s: its text is dropped */
	{"hno|Zlost|", EXIT(0), 'D', "no"},
	{"r|Zdied. Possible duplicate!|", EXIT(0), 'Z', "died. Possible duplicate!"},
	{"r|Dfailed after data|", EXIT(0), 'D', "failed after data"},
	{"Zconnect failed|", EXIT(0), 'Z', "connect failed"},
	{"Dno such domain|", EXIT(0), 'D', "no such domain"},
	{"K|", EXIT(0), 'K', ""},
	{"Kok|junk", EXIT(0), 'K', "ok"},
	{"r|h|s|Kx|", EXIT(0), 'K', "x"},
	/* failures of the run itself */
	{"", EXIT(0), 'Z', "qmail-remote produced no output. (#4.3.0)\n"},
	{"r|", EXIT(0), 'Z', "qmail-remote produced malformed output. (#4.3.0)\n"},
	{"Kok", EXIT(0), 'Z', "qmail-remote produced malformed output. (#4.3.0)\n"},
	{"Xok|", EXIT(0), 'Z', "qmail-remote produced malformed output. (#4.3.0)\n"},
	{"|Kok|", EXIT(0), 'Z', "qmail-remote produced malformed output. (#4.3.0)\n"},
	{"r|Qok|", EXIT(0), 'Z', "qmail-remote produced malformed output. (#4.3.0)\n"},
	{"r|K", EXIT(0), 'Z', "qmail-remote produced malformed output. (#4.3.0)\n"},
	{"Kok|", EXIT(111), 'Z', "Unable to run qmail-remote. (#4.3.0)\nKok_"},
	{"Kok|", EXIT(100), 'D', "Unable to run qmail-remote. (#5.3.0)\n"},
	{"Kok|", EXIT(1), 'D', "Unable to run qmail-remote. (#5.3.0)\n"},
	{"Kok|", SIGKILL, 'Z', "qmail-remote crashed. (#4.3.0)\n"},
	{"", SIGSEGV | 0x80, 'Z', "qmail-remote crashed. (#4.3.0)\n"},
};

static void t_table(void)
{
	size_t i, j;
	for (i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
		char out[64];
		size_t n = strlen(cases[i].out);
		sa text = SA_ZERO;
		char st = 0;
		memcpy(out, cases[i].out, n);
		for (j = 0; j < n; ++j)
			if (out[j] == '|')
				out[j] = 0;
		T_OK(rreport_rcpt(&text, &st, out, n, cases[i].wstat, 0));
		for (j = 0; j < text.len; ++j)
			if (!text.s[j])
				text.s[j] = '_';
		if (!T_EQ_U(st, cases[i].status))
			t_eq_s(cases[i].out, "", __FILE__, __LINE__, "case");
		T_EQ_MEM(text.s, text.len, cases[i].text, strlen(cases[i].text));
		sa_free(&text);
	}
}

static const struct {
	const char *out; /* qmail-remote's output for several recipients; NULs as '|' */
	int wstat;       /* its wait status */
	size_t i;        /* the recipient asked about */
	char status;     /* expected letter */
	const char *text;
} rcases[] = {
	{"ra|hb|sc|Kok|", EXIT(0), 0, 'K', "aok"},
	{"ra|hb|sc|Kok|", EXIT(0), 1, 'D', "b"},
	{"ra|hb|sc|Kok|", EXIT(0), 2, 'Z', "c"},
	{"ra|hb|sc|Kok|", EXIT(0), 3, 'Z', "qmail-remote produced malformed output. (#4.3.0)\n"},
	{"ra|hb|sc|Dlost|", EXIT(0), 0, 'D', "alost"},
	{"ra|hb|sc|Dlost|", EXIT(0), 1, 'D', "blost"},
	{"ra|hb|sc|Dlost|", EXIT(0), 2, 'Z', "clost"},
	{"ra|rb|Zdup|", EXIT(0), 1, 'Z', "bdup"},
	{"Zno connection|", EXIT(0), 0, 'Z', "no connection"},
	{"Zno connection|", EXIT(0), 57, 'Z', "no connection"},
	{"Dno domain|", EXIT(0), 99, 'D', "no domain"},
	{"ra|rb|", EXIT(0), 1, 'Z', "qmail-remote produced malformed output. (#4.3.0)\n"},
	{"ra|rb|Kok", EXIT(0), 0, 'Z', "qmail-remote produced malformed output. (#4.3.0)\n"},
	{"ra|xb|Kok|", EXIT(0), 0, 'Z', "qmail-remote produced malformed output. (#4.3.0)\n"},
	{"ra|rb|Kok|", EXIT(100), 1, 'D', "Unable to run qmail-remote. (#5.3.0)\n"},
	{"ra|rb|Kok|", SIGKILL, 1, 'Z', "qmail-remote crashed. (#4.3.0)\n"},
	{"", EXIT(0), 5, 'Z', "qmail-remote produced no output. (#4.3.0)\n"},
	{"ra|rb|Kok|", EXIT(0), (size_t)-1, 'Z',
	 "qmail-remote produced malformed output. (#4.3.0)\n"},
};

static void t_rcpt(void)
{
	size_t i, j;
	for (i = 0; i < sizeof rcases / sizeof rcases[0]; ++i) {
		char out[64];
		size_t n = strlen(rcases[i].out);
		sa text = SA_ZERO;
		char st = 0;
		memcpy(out, rcases[i].out, n);
		for (j = 0; j < n; ++j)
			if (out[j] == '|')
				out[j] = 0;
		T_OK(rreport_rcpt(&text, &st, out, n, rcases[i].wstat, rcases[i].i));
		if (!T_EQ_U(st, rcases[i].status))
			t_eq_s(rcases[i].out, "", __FILE__, __LINE__, "case");
		T_EQ_MEM(text.s, text.len, rcases[i].text, strlen(rcases[i].text));
		sa_free(&text);
	}
}

/* t_each - rreport_next for each recipient in turn gives what rreport_rcpt gives
 * for each alone, past the last one reported too */
static void t_each(void)
{
	size_t i, j, k;
	for (i = 0; i < sizeof rcases / sizeof rcases[0]; ++i) {
		char out[64];
		size_t n = strlen(rcases[i].out);
		rreport r;
		memcpy(out, rcases[i].out, n);
		for (j = 0; j < n; ++j)
			if (out[j] == '|')
				out[j] = 0;
		rreport_start(&r, out, n, rcases[i].wstat);
		for (k = 0; k < 6; ++k) {
			sa one = SA_ZERO, each = SA_ZERO;
			char st1 = 0, st2 = 0;
			T_OK(rreport_rcpt(&one, &st1, out, n, rcases[i].wstat, k));
			T_OK(rreport_next(&r, &each, &st2));
			if (!T_EQ_U(st2, st1))
				t_eq_s(rcases[i].out, "", __FILE__, __LINE__, "case");
			T_EQ_MEM(each.s, each.len, one.s, one.len);
			sa_free(&one);
			sa_free(&each);
		}
	}
}

const t_case t_cases[] = {
	T_CASE(t_each),
	T_CASE(t_table),
	T_CASE(t_rcpt),
	T_END,
};
