/*
 * tm.c - clocks, calendar conversion and mail dates. UTC conversion is done here with
 * the days-from-civil arithmetic (era of 400 years = 146097 days), so it needs no libc
 * time-zone state; only tm_local reads the zone, through tzset and localtime_r, which
 * is the one piece of global state involved (libc's, set by the TZ variable).
 * RFC 5322 offsets are whole minutes but historic zones have offsets such as +00:53:28,
 * so tm_local rounds the offset and computes the fields from t plus the rounded
 * offset: what is printed is always self-consistent.
 * Every date is built in a local buffer and appended with one sa_catb, so on failure
 * the output string is left exactly as it was.
 */
#include "tm.h"

#include <errno.h>
#include <stddef.h>

#include "fmt.h"

#define DAY 86400
/* seconds from 0000-01-01T00:00:00Z to 1970-01-01T00:00:00Z */
#define T_MIN (-62167219200LL)
/* 9999-12-31T23:59:59Z */
#define T_MAX 253402300799LL
/* days from 0000-03-01 to 1970-01-01: the era arithmetic counts from March */
#define EPOCH_SHIFT 719468
/* longest form: "Www, DD Mmm YYYY HH:MM:SS +hhmm" is 31 bytes */
#define DATE_BUF 40

static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
static const char wdays[] = "SunMonTueWedThuFriSat";

/* clock_read - one clock as microseconds; 0 if it reads before the epoch or fails */
static uint64_t clock_read(clockid_t id)
{
	struct timespec ts;
	if (clock_gettime(id, &ts) != 0 || ts.tv_sec < 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* tm_now - wall-clock seconds since the epoch, for timestamps and queue ages */
time_t tm_now(void)
{
	return time(0);
}

/* tm_now_usec - wall-clock microseconds since the epoch, for unique file names */
uint64_t tm_now_usec(void)
{
	return clock_read(CLOCK_REALTIME);
}

/* tm_mono_ms - monotonic milliseconds from an arbitrary origin, for deadlines */
uint64_t tm_mono_ms(void)
{
	return clock_read(CLOCK_MONOTONIC) / 1000;
}

/* tm_mono_usec - monotonic microseconds from an arbitrary origin, for fine timing */
uint64_t tm_mono_usec(void)
{
	return clock_read(CLOCK_MONOTONIC);
}

/* cal_from - split t (already checked to lie in T_MIN..T_MAX) into calendar fields */
static void cal_from(tm_cal *c, int64_t t)
{
	int64_t days = t / DAY, rem = t % DAY, z, era, doe, yoe, doy, mp, y;
	if (rem < 0) {
		rem += DAY;
		--days;
	}
	c->hour = (unsigned int)(rem / 3600);
	c->min = (unsigned int)(rem / 60 % 60);
	c->sec = (unsigned int)(rem % 60);
	/* 1970-01-01 was a Thursday (4); shift so the remainder is never negative */
	c->wday = (unsigned int)((days % 7 + 11) % 7);
	z = days + EPOCH_SHIFT;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;                                      /* 0..146096 */
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* 0..399 */
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* 0..365, from March */
	mp = (5 * doy + 2) / 153;                                    /* 0 = March */
	y = yoe + era * 400 + (mp >= 10);
	c->mday = (unsigned int)(doy - (153 * mp + 2) / 5 + 1);
	c->mon = (unsigned int)(mp < 10 ? mp + 3 : mp - 9);
	c->year = (unsigned int)y;
}

/* cal_at - fields of t shifted by off seconds; fails when outside years 0..9999 */
static int cal_at(tm_cal *c, time_t t, long off)
{
	int64_t s = (int64_t)t;
	if (s < T_MIN || s > T_MAX || (s += off) < T_MIN || s > T_MAX) {
		errno = EOVERFLOW;
		return 0;
	}
	cal_from(c, s);
	c->off = off;
	return 1;
}

/* tm_utc - t as UTC calendar fields */
int tm_utc(tm_cal *c, time_t t)
{
	return cal_at(c, t, 0);
}

/* tm_local - t in the TZ zone; fields follow the offset rounded to whole minutes */
int tm_local(tm_cal *c, time_t t)
{
	struct tm lt;
	long off;
	if ((int64_t)t < T_MIN || (int64_t)t > T_MAX) {
		errno = EOVERFLOW;
		return 0;
	}
	tzset();
	errno = 0;
	if (!localtime_r(&t, &lt)) {
		if (!errno)
			errno = EOVERFLOW;
		return 0;
	}
	off = lt.tm_gmtoff;
	off = (off >= 0 ? off + 30 : off - 30) / 60 * 60;
	if (off <= -100 * 3600 || off >= 100 * 3600) {
		errno = EOVERFLOW;
		return 0;
	}
	return cal_at(c, t, off);
}

/* put_name - the three-letter name number i from a table of them */
static size_t put_name(char *b, const char *table, unsigned int i)
{
	b[0] = table[3 * i];
	b[1] = table[3 * i + 1];
	b[2] = table[3 * i + 2];
	return 3;
}

/* put_hms - "HH:MM:SS" */
static size_t put_hms(char *b, const tm_cal *c)
{
	fmt_u64pad(b, c->hour, 2);
	b[2] = ':';
	fmt_u64pad(b + 3, c->min, 2);
	b[5] = ':';
	fmt_u64pad(b + 6, c->sec, 2);
	return 8;
}

/* put_822 - "D Mon YYYY HH:MM:SS ", the part the two RFC 5322 forms share */
static size_t put_822(char *b, const tm_cal *c)
{
	size_t n = fmt_u64(b, c->mday);
	b[n++] = ' ';
	n += put_name(b + n, months, c->mon - 1);
	b[n++] = ' ';
	n += fmt_u64pad(b + n, c->year, 4);
	b[n++] = ' ';
	n += put_hms(b + n, c);
	b[n++] = ' ';
	return n;
}

/* date_utc822 - append "29 Nov 2026 13:42:07 -0000": UTC, day not padded, as in
 * Received and Date lines the queue and qmail-inject write */
int date_utc822(sa *out, time_t t)
{
	char b[DATE_BUF];
	tm_cal c;
	size_t n;
	if (!tm_utc(&c, t))
		return 0;
	n = put_822(b, &c);
	b[n++] = '-';
	n += fmt_u64pad(b + n, 0, 4);
	return sa_catb(out, b, n);
}

/* date_local822 - append "Sun, 29 Nov 2026 14:42:07 +0100" in the TZ zone, for
 * predate */
int date_local822(sa *out, time_t t)
{
	char b[DATE_BUF];
	tm_cal c;
	size_t n;
	unsigned long m;
	if (!tm_local(&c, t))
		return 0;
	n = put_name(b, wdays, c.wday);
	b[n++] = ',';
	b[n++] = ' ';
	n += put_822(b + n, &c);
	b[n++] = c.off < 0 ? '-' : '+';
	m = (unsigned long)(c.off < 0 ? -c.off : c.off) / 60;
	n += fmt_u64pad(b + n, m / 60, 2);
	n += fmt_u64pad(b + n, m % 60, 2);
	return sa_catb(out, b, n);
}

/* date_mbox - append "Sun Nov 29 13:42:07 2026" (UTC, day zero-padded), the date of
 * an mbox From_ line */
int date_mbox(sa *out, time_t t)
{
	char b[DATE_BUF];
	tm_cal c;
	size_t n;
	if (!tm_utc(&c, t))
		return 0;
	n = put_name(b, wdays, c.wday);
	b[n++] = ' ';
	n += put_name(b + n, months, c.mon - 1);
	b[n++] = ' ';
	n += fmt_u64pad(b + n, c.mday, 2);
	b[n++] = ' ';
	n += put_hms(b + n, &c);
	b[n++] = ' ';
	n += fmt_u64pad(b + n, c.year, 4);
	return sa_catb(out, b, n);
}

/* date_msgid - append "20261129134207" (UTC), the time part of a Message-ID */
int date_msgid(sa *out, time_t t)
{
	char b[DATE_BUF];
	tm_cal c;
	size_t n;
	if (!tm_utc(&c, t))
		return 0;
	n = fmt_u64pad(b, c.year, 4);
	n += fmt_u64pad(b + n, c.mon, 2);
	n += fmt_u64pad(b + n, c.mday, 2);
	n += fmt_u64pad(b + n, c.hour, 2);
	n += fmt_u64pad(b + n, c.min, 2);
	n += fmt_u64pad(b + n, c.sec, 2);
	return sa_catb(out, b, n);
}
