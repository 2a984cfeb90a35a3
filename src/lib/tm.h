/*
 * tm.h - clocks and mail dates. tm_now* read the wall clock, tm_mono* the monotonic
 * clock (for deadlines and timeouts, immune to clock steps). tm_utc and tm_local break
 * a time_t into calendar fields for years 0000..9999; the date_ functions append the
 * fixed date forms the mail programs write to an sa, with no static buffers.
 */
#ifndef TM_H
#define TM_H

#include <stdint.h>
#include <time.h>

#include "sa.h"

typedef struct tm_cal_s {
	unsigned int year; /* 0..9999, proleptic Gregorian */
	unsigned int mon;  /* 1..12 */
	unsigned int mday; /* 1..31 */
	unsigned int hour; /* 0..23 */
	unsigned int min;  /* 0..59 */
	unsigned int sec;  /* 0..59 (POSIX time has no leap seconds) */
	unsigned int wday; /* 0 Sunday .. 6 Saturday */
	long off;          /* seconds east of UTC, whole minutes; 0 from tm_utc */
} tm_cal;
/* clang-format off */
#define TM_CAL_ZERO {0, 0, 0, 0, 0, 0, 0, 0}
/* clang-format on */

#define TM_YEAR_MAX 9999

time_t tm_now(void);
uint64_t tm_now_usec(void);
uint64_t tm_mono_ms(void);
uint64_t tm_mono_usec(void);

int tm_utc(tm_cal *c, time_t t);
int tm_local(tm_cal *c, time_t t);

int date_utc822(sa *out, time_t t);
int date_local822(sa *out, time_t t);
int date_mbox(sa *out, time_t t);
int date_msgid(sa *out, time_t t);

#endif
