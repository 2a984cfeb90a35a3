/* tm.c - tests for clocks, calendar conversion and mail dates */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "sa.h"
#include "tm.h"

static const struct {
	int64_t t;          /* seconds since the epoch */
	const char *utc822; /* date_utc822 */
	const char *mbox;   /* date_mbox */
	const char *msgid;  /* date_msgid */
} utc[] = {
	{0, "1 Jan 1970 00:00:00 -0000", "Thu Jan 01 00:00:00 1970", "19700101000000"},
	{-1, "31 Dec 1969 23:59:59 -0000", "Wed Dec 31 23:59:59 1969", "19691231235959"},
	{951782400, "29 Feb 2000 00:00:00 -0000", "Tue Feb 29 00:00:00 2000", "20000229000000"},
	{951868799, "29 Feb 2000 23:59:59 -0000", "Tue Feb 29 23:59:59 2000", "20000229235959"},
	{951868800, "1 Mar 2000 00:00:00 -0000", "Wed Mar 01 00:00:00 2000", "20000301000000"},
	{2147483647, "19 Jan 2038 03:14:07 -0000", "Tue Jan 19 03:14:07 2038", "20380119031407"},
	{2147483648, "19 Jan 2038 03:14:08 -0000", "Tue Jan 19 03:14:08 2038", "20380119031408"},
	{4102444800, "1 Jan 2100 00:00:00 -0000", "Fri Jan 01 00:00:00 2100", "21000101000000"},
	{4107542399, "28 Feb 2100 23:59:59 -0000", "Sun Feb 28 23:59:59 2100", "21000228235959"},
	{4107542400, "1 Mar 2100 00:00:00 -0000", "Mon Mar 01 00:00:00 2100", "21000301000000"},
	{1795959727, "29 Nov 2026 13:42:07 -0000", "Sun Nov 29 13:42:07 2026", "20261129134207"},
	{1782907200, "1 Jul 2026 12:00:00 -0000", "Wed Jul 01 12:00:00 2026", "20260701120000"},
	{253402300799, "31 Dec 9999 23:59:59 -0000", "Fri Dec 31 23:59:59 9999", "99991231235959"},
	{-62167219200, "1 Jan 0000 00:00:00 -0000", "Sat Jan 01 00:00:00 0000", "00000101000000"},
};

/* t_utc_table - the three UTC forms for known instants, appended after a prefix */
static void t_utc_table(void)
{
	size_t i;
	for (i = 0; i < sizeof utc / sizeof utc[0]; ++i) {
		sa x = SA_ZERO;
		time_t t = (time_t)utc[i].t;
		T_OK(sa_copys(&x, "Date: "));
		T_OK(date_utc822(&x, t));
		T_EQ_MEM(x.s, 6, "Date: ", 6);
		T_EQ_MEM(x.s + 6, x.len - 6, utc[i].utc822, strlen(utc[i].utc822));
		x.len = 0;
		T_OK(date_mbox(&x, t));
		T_EQ_MEM(x.s, x.len, utc[i].mbox, strlen(utc[i].mbox));
		x.len = 0;
		T_OK(date_msgid(&x, t));
		T_EQ_MEM(x.s, x.len, utc[i].msgid, strlen(utc[i].msgid));
		sa_free(&x);
	}
}

/* t_utc_fields - tm_utc fields of one instant */
static void t_utc_fields(void)
{
	tm_cal c = TM_CAL_ZERO;
	T_OK(tm_utc(&c, (time_t)1795959727));
	T_EQ_U(c.year, 2026);
	T_EQ_U(c.mon, 11);
	T_EQ_U(c.mday, 29);
	T_EQ_U(c.hour, 13);
	T_EQ_U(c.min, 42);
	T_EQ_U(c.sec, 7);
	T_EQ_U(c.wday, 0);
	T_EQ_U(c.off, 0);
}

/* t_utc_range - outside years 0000..9999 every function fails and appends nothing */
static void t_utc_range(void)
{
	static const int64_t bad[] = {253402300800, -62167219201, INT64_MAX, INT64_MIN};
	size_t i;
	for (i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
		sa x = SA_ZERO;
		tm_cal c;
		time_t t = (time_t)bad[i];
		T_OK(sa_copys(&x, "keep"));
		errno = 0;
		T_OK(!tm_utc(&c, t));
		T_EQ_U(errno, EOVERFLOW);
		errno = 0;
		T_OK(!date_utc822(&x, t));
		T_EQ_U(errno, EOVERFLOW);
		T_OK(!date_mbox(&x, t));
		T_OK(!date_msgid(&x, t));
		T_OK(!date_local822(&x, t));
		T_EQ_MEM(x.s, x.len, "keep", 4);
		sa_free(&x);
	}
}

/* t_utc_sweep - tm_utc agrees with gmtime_r over many instants 0000..9999 */
static void t_utc_sweep(void)
{
	int64_t t;
	unsigned long bad = 0, n = 0;
	for (t = -62167219200; t <= 253402300799; t += 86399 * 29 + 7) {
		struct tm g;
		tm_cal c;
		time_t tt = (time_t)t;
		++n;
		if (!tm_utc(&c, tt) || !gmtime_r(&tt, &g) || c.year != (unsigned)g.tm_year + 1900 ||
		    c.mon != (unsigned)g.tm_mon + 1 || c.mday != (unsigned)g.tm_mday ||
		    c.hour != (unsigned)g.tm_hour || c.min != (unsigned)g.tm_min ||
		    c.sec != (unsigned)g.tm_sec || c.wday != (unsigned)g.tm_wday)
			++bad;
	}
	T_OK(n > 100000);
	T_EQ_U(bad, 0);
}

/* t_size_limit - a string that cannot grow makes the date fail, untouched */
static void t_size_limit(void)
{
	char buf[8] = "xyz";
	sa x;
	x.s = buf;
	x.len = SIZE_MAX - 5;
	x.a = sizeof buf;
	errno = 0;
	T_OK(!date_utc822(&x, 0));
	T_EQ_U(errno, EOVERFLOW);
	T_EQ_U(x.len, SIZE_MAX - 5);
	T_OK(!date_mbox(&x, 0));
	T_OK(!date_msgid(&x, 0));
	T_OK(!date_local822(&x, 0));
	T_EQ_MEM(buf, 4, "xyz", 4);
}

static const struct {
	const char *tz;  /* TZ value */
	int64_t t;       /* instant */
	const char *out; /* date_local822 */
	long off;        /* tm_local's offset */
} local[] = {
	{"UTC0", 0, "Thu, 1 Jan 1970 00:00:00 +0000", 0},
	{"EST5", 0, "Wed, 31 Dec 1969 19:00:00 -0500", -18000},
	{"EST5", 1795959727, "Sun, 29 Nov 2026 08:42:07 -0500", -18000},
	{"Europe/Berlin", 1795959727, "Sun, 29 Nov 2026 14:42:07 +0100", 3600},
	{"Europe/Berlin", 1782907200, "Wed, 1 Jul 2026 14:00:00 +0200", 7200},
	{"Europe/Berlin", 1774745999, "Sun, 29 Mar 2026 01:59:59 +0100", 3600},
	{"Europe/Berlin", 1774746000, "Sun, 29 Mar 2026 03:00:00 +0200", 7200},
	{"CET-1CEST,M3.5.0,M10.5.0/3", 1795959727, "Sun, 29 Nov 2026 14:42:07 +0100", 3600},
	{"CET-1CEST,M3.5.0,M10.5.0/3", 1782907200, "Wed, 1 Jul 2026 14:00:00 +0200", 7200},
	{"CET-1CEST,M3.5.0,M10.5.0/3", 1774746000, "Sun, 29 Mar 2026 03:00:00 +0200", 7200},
	{"IST-5:30", 1795959727, "Sun, 29 Nov 2026 19:12:07 +0530", 19800},
	{"NST3:30", 1795959727, "Sun, 29 Nov 2026 10:12:07 -0330", -12600},
	{"LMT-0:53:28", 0, "Thu, 1 Jan 1970 00:53:00 +0053", 3180},
	{"LMT+0:53:31", 0, "Wed, 31 Dec 1969 23:06:00 -0054", -3240},
	{"XST-14", 253402300799 - 14 * 3600, "Fri, 31 Dec 9999 23:59:59 +1400", 50400},
};

/* t_local - date_local822 under several TZ values, restoring TZ afterwards */
static void t_local(void)
{
	const char *old = getenv("TZ");
	char *saved = old ? strdup(old) : 0;
	size_t i;
	for (i = 0; i < sizeof local / sizeof local[0]; ++i) {
		sa x = SA_ZERO;
		tm_cal c;
		T_OK(setenv("TZ", local[i].tz, 1) == 0);
		tzset();
		T_OK(date_local822(&x, (time_t)local[i].t));
		T_EQ_MEM(x.s, x.len, local[i].out, strlen(local[i].out));
		T_OK(tm_local(&c, (time_t)local[i].t));
		T_EQ_U((unsigned long long)c.off, (unsigned long long)local[i].off);
		sa_free(&x);
	}
	/* a local time past 9999 fails even though the UTC instant is in range */
	{
		sa x = SA_ZERO;
		T_OK(setenv("TZ", "XST-14", 1) == 0);
		errno = 0;
		T_OK(!date_local822(&x, (time_t)253402300799));
		T_EQ_U(errno, EOVERFLOW);
		T_EQ_U(x.len, 0);
	}
	if (saved) {
		setenv("TZ", saved, 1);
		free(saved);
	} else
		unsetenv("TZ");
	tzset();
}

/* t_clocks - the clocks agree with time() and move forward */
static void t_clocks(void)
{
	struct timespec ts = {0, 20 * 1000000L};
	time_t a = time(0), now = tm_now(), b;
	uint64_t us = tm_now_usec(), m0 = tm_mono_ms(), u0 = tm_mono_usec(), m1, u1;
	b = time(0);
	T_OK(now >= a && now <= b);
	T_OK(us / 1000000 + 1 >= (uint64_t)a && us / 1000000 <= (uint64_t)b + 1);
	T_OK(nanosleep(&ts, 0) == 0);
	m1 = tm_mono_ms();
	u1 = tm_mono_usec();
	T_OK(m1 - m0 >= 20 && m1 - m0 < 5000);
	T_OK(u1 - u0 >= 20000 && u1 > u0);
}

const t_case t_cases[] = {
	T_CASE(t_utc_table),  T_CASE(t_utc_fields), T_CASE(t_utc_range), T_CASE(t_utc_sweep),
	T_CASE(t_size_limit), T_CASE(t_local),      T_CASE(t_clocks),    T_END,
};
