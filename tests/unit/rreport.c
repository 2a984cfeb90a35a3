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
		T_OK(rreport_make(&text, &st, out, n, cases[i].wstat));
		for (j = 0; j < text.len; ++j)
			if (!text.s[j])
				text.s[j] = '_';
		if (!T_EQ_U(st, cases[i].status))
			t_eq_s(cases[i].out, "", __FILE__, __LINE__, "case");
		T_EQ_MEM(text.s, text.len, cases[i].text, strlen(cases[i].text));
		sa_free(&text);
	}
}

const t_case t_cases[] = {
	T_CASE(t_table),
	T_END,
};
