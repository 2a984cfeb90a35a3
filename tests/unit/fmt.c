/* fmt.c - tests for number formatting and scanning */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "fmt.h"
#include "harness.h"
#include "scan.h"

static void t_fmt(void)
{
	char b[FMT_U64O];
	T_EQ_MEM(b, fmt_u64(b, 0), "0", 1);
	T_EQ_MEM(b, fmt_u64(b, 1234567), "1234567", 7);
	T_EQ_MEM(b, fmt_u64(b, UINT64_MAX), "18446744073709551615", 20);
	T_EQ_U(fmt_u64(0, UINT64_MAX), 20);
	T_EQ_MEM(b, fmt_u64o(b, 04711), "4711", 4);
	T_EQ_MEM(b, fmt_u64o(b, UINT64_MAX), "1777777777777777777777", 22);
	T_EQ_MEM(b, fmt_x(b, 0xdeadbeef), "deadbeef", 8);
	T_EQ_MEM(b, fmt_u64pad(b, 7, 3), "007", 3);
	T_EQ_MEM(b, fmt_u64pad(b, 12345, 3), "12345", 5);
}

static const struct {
	const char *in; /* input */
	size_t used;    /* bytes scan_u64 should use (0: error) */
	uint64_t value; /* its value */
	int err;        /* errno when used is 0 */
} dec[] = {
	{"0", 1, 0, 0},
	{"42abc", 2, 42, 0},
	{"18446744073709551615", 20, UINT64_MAX, 0},
	{"18446744073709551616", 0, 0, ERANGE},
	{"99999999999999999999", 0, 0, ERANGE},
	{"000000000000000000000000000001", 30, 1, 0},
	{"", 0, 0, EINVAL},
	{"-1", 0, 0, EINVAL},
	{"+1", 0, 0, EINVAL},
	{" 1", 0, 0, EINVAL},
};

static void t_scan_table(void)
{
	size_t i;
	for (i = 0; i < sizeof dec / sizeof dec[0]; ++i) {
		uint64_t v = 77;
		size_t n;
		errno = 0;
		n = scan_u64(dec[i].in, strlen(dec[i].in), &v);
		T_EQ_U(n, dec[i].used);
		if (n)
			T_EQ_U(v, dec[i].value);
		else {
			T_EQ_U(errno, dec[i].err);
			T_EQ_U(v, 77);
		}
	}
}

static void t_scan_bounded(void)
{
	uint64_t v = 0;
	/* the length bounds the scan: no reading past n */
	T_EQ_U(scan_u64("12345", 3, &v), 3);
	T_EQ_U(v, 123);
	T_EQ_U(scan_u64o("0777", 4, &v), 4);
	T_EQ_U(v, 0777);
	T_EQ_U(scan_u64o("8", 1, &v), 0);
	T_EQ_U(scan_u64o("2000000000000000000000", 22, &v), 0);
	T_EQ_U(errno, ERANGE);
	T_EQ_U(scan_x("fFz", 3, &v), 2);
	T_EQ_U(v, 255);
	T_OK(scan_u64_all("604800", 6, &v));
	T_EQ_U(v, 604800);
	T_OK(!scan_u64_all("604800x", 7, &v));
	T_EQ_U(errno, EINVAL);
	T_OK(!scan_u64_all("", 0, &v));
	T_OK(!scan_u64_all("99999999999999999999", 20, &v));
	T_EQ_U(errno, ERANGE);
}

static void t_round_trip(void)
{
	static const uint64_t vals[] = {0, 1, 9, 10, 255, 1000000007, UINT64_MAX / 10, UINT64_MAX};
	size_t i;
	for (i = 0; i < sizeof vals / sizeof vals[0]; ++i) {
		char b[FMT_U64O];
		uint64_t v;
		size_t n = fmt_u64(b, vals[i]);
		T_EQ_U(scan_u64(b, n, &v), n);
		T_EQ_U(v, vals[i]);
		n = fmt_u64o(b, vals[i]);
		T_EQ_U(scan_u64o(b, n, &v), n);
		T_EQ_U(v, vals[i]);
	}
}

/* t_xdigit - every byte: the 22 hexadecimal digits have their values, the rest -1 */
static void t_xdigit(void)
{
	static const char digits[] = "0123456789abcdefABCDEF";
	int c, bad = 0, n = 0;
	for (c = -128; c < 128; ++c) {
		const char *p = c ? strchr(digits, c) : 0;
		int want = !p ? -1 : p - digits < 16 ? (int)(p - digits) : (int)(p - digits) - 6;
		n += want >= 0;
		bad += scan_xdigit((char)c) != want;
	}
	T_EQ_U(bad, 0);
	T_EQ_U(n, 22);
	T_EQ_U(scan_xdigit('f'), 15);
	T_EQ_U(scan_xdigit('F'), 15);
	T_EQ_U(scan_xdigit('0'), 0);
	T_OK(scan_xdigit('g') == -1);
	T_OK(scan_xdigit('/') == -1);
	T_OK(scan_xdigit(':') == -1);
	T_OK(scan_xdigit('@') == -1);
	T_OK(scan_xdigit('G') == -1);
	T_OK(scan_xdigit('`') == -1);
}

const t_case t_cases[] = {
	T_CASE(t_fmt),          T_CASE(t_scan_table), T_CASE(t_xdigit),
	T_CASE(t_scan_bounded), T_CASE(t_round_trip), T_END,
};
