/* qctl.c - tests for queue control request lines and names */
#include <stdint.h>
#include <string.h>

#include "harness.h"
#include "qctl.h"

/* t_parse - valid and invalid lines, whole */
static void t_parse(void)
{
	static const struct {
		const char *s;
		int ok, verb;
		uint64_t id;
	} t[] = {
		{"hold 1\n", 1, QCTL_HOLD, 1},
		{"release 42\n", 1, QCTL_RELEASE, 42},
		{"requeue 123456\n", 1, QCTL_REQUEUE, 123456},
		{"remove 18446744073709551615\n", 1, QCTL_REMOVE, UINT64_MAX},
		{"remove 18446744073709551616\n", 0, 0, 0},
		{"hold 0\n", 1, QCTL_HOLD, 0},
		{"hold 01\n", 0, 0, 0},
		{"hold 1", 0, 0, 0},
		{"hold  1\n", 0, 0, 0},
		{"hold 1 \n", 0, 0, 0},
		{"hold 1\n\n", 0, 0, 0},
		{"hold -1\n", 0, 0, 0},
		{"hold +1\n", 0, 0, 0},
		{"hold \n", 0, 0, 0},
		{"HOLD 1\n", 0, 0, 0},
		{"holdx 1\n", 0, 0, 0},
		{"hol 1\n", 0, 0, 0},
		{" 1\n", 0, 0, 0},
		{"\n", 0, 0, 0},
		{"", 0, 0, 0},
		{"requeuerequeue 1\n", 0, 0, 0},
		{"hold 1\r\n", 0, 0, 0},
	};
	size_t i;
	for (i = 0; i < sizeof t / sizeof t[0]; ++i) {
		int v = 0;
		uint64_t id = 0;
		int r = qctl_parse(t[i].s, strlen(t[i].s), &v, &id);
		T_EQ_U(r, t[i].ok);
		if (r && t[i].ok) {
			T_EQ_U(v, t[i].verb);
			T_EQ_U(id, t[i].id);
		}
	}
	{
		int v;
		uint64_t id;
		T_EQ_U(qctl_parse("hold\0001\n", 7, &v, &id), 0);
		T_EQ_U(qctl_parse("ho\0d 1\n", 7, &v, &id), 0);
		T_EQ_U(qctl_parse("hold 1\0\n", 8, &v, &id), 0);
	}
}

/* t_format - every verb formats into a line that parses back */
static void t_format(void)
{
	static const uint64_t ids[] = {0, 1, 9, 10, 4294967296u, UINT64_MAX};
	int v;
	size_t i;
	for (v = QCTL_HOLD; v <= QCTL_REMOVE; ++v)
		for (i = 0; i < sizeof ids / sizeof ids[0]; ++i) {
			char b[QCTL_MAX];
			int v2 = 0;
			uint64_t id = 1;
			size_t n = qctl_format(b, v, ids[i]);
			T_OK(n <= QCTL_MAX);
			T_EQ_U(qctl_parse(b, n, &v2, &id), 1);
			T_EQ_U(v2, v);
			T_EQ_U(id, ids[i]);
			T_EQ_U(qctl_verb(qctl_word(v)), v);
		}
	T_EQ_U(qctl_verb("stop"), 0);
	T_EQ_U(qctl_verb(""), 0);
	T_EQ_S(qctl_word(0), "?");
	T_EQ_S(qctl_word(5), "?");
	{
		char b[QCTL_MAX];
		size_t n = qctl_format(b, QCTL_REQUEUE, UINT64_MAX);
		T_EQ_MEM(b, n, "requeue 18446744073709551615\n", 29);
	}
}

/* t_name - request names round-trip; temporary and foreign names are refused */
static void t_name(void)
{
	char b[QCTL_NAME];
	uint64_t u = 0, p = 0;
	size_t n = qctl_name(b, UINT64_MAX, UINT64_MAX);
	T_OK(n < QCTL_NAME);
	T_EQ_U(qctl_scan_name(b, &u, &p), 1);
	T_EQ_U(u, UINT64_MAX);
	T_EQ_U(p, UINT64_MAX);
	qctl_name(b, 1700000000123456u, 4242);
	T_EQ_S(b, "1700000000123456.4242");
	T_EQ_U(qctl_scan_name(b, &u, &p), 1);
	T_EQ_U(u, 1700000000123456u);
	T_EQ_U(p, 4242);
	T_EQ_U(qctl_scan_name("tmp.4242", &u, &p), 0);
	T_EQ_U(qctl_scan_name("12.", &u, &p), 0);
	T_EQ_U(qctl_scan_name(".12", &u, &p), 0);
	T_EQ_U(qctl_scan_name("12", &u, &p), 0);
	T_EQ_U(qctl_scan_name("12.3.4", &u, &p), 0);
	T_EQ_U(qctl_scan_name("012.3", &u, &p), 0);
	T_EQ_U(qctl_scan_name("12.34x", &u, &p), 0);
	T_EQ_U(qctl_scan_name("99999999999999999999.1", &u, &p), 0);
	T_EQ_U(qctl_scan_name("", &u, &p), 0);
}

const t_case t_cases[] = {T_CASE(t_parse), T_CASE(t_format), T_CASE(t_name), T_END};
