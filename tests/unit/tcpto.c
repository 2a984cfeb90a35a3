/* tcpto.c - tests for the connect timeout table: the record logic on tables in
 * memory, the byte layout qmail's tools read, and the file functions */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "sa.h"
#include "tcpto.h"

static ip_addr addr(const char *s)
{
	ip_addr ip = IP_ADDR_ZERO;
	T_OK(ip_scan_all(s, strlen(s), &ip));
	return ip;
}

static void t_counting(void)
{
	tcpto t;
	ip_addr a = addr("192.0.2.1");
	uint64_t now = 1700000000;
	tcpto_entry e;
	size_t i;
	memset(&t, 0, sizeof t);
	T_OK(!tcpto_busy(&t, &a, now, 0));
	i = tcpto_fail(&t, &a, now);
	T_EQ_U(i, 0);
	T_OK(tcpto_get(&t, 0, &e));
	T_EQ_U(e.count, 1);
	T_EQ_U(e.when, now);
	T_OK(!tcpto_busy(&t, &a, now, 0)); /* one failure is not enough */
	/* a second failure within TCPTO_GAP seconds does not count */
	T_EQ_U(tcpto_fail(&t, &a, now + TCPTO_GAP - 1), TCPTO_NONE);
	T_OK(tcpto_get(&t, 0, &e));
	T_EQ_U(e.count, 1);
	T_EQ_U(tcpto_fail(&t, &a, now + TCPTO_GAP), 0);
	T_OK(tcpto_get(&t, 0, &e));
	T_EQ_U(e.count, 2);
	now += TCPTO_GAP;
	/* busy for (60 + pid mod 32) * 64 seconds */
	T_OK(tcpto_busy(&t, &a, now, 0));
	T_OK(tcpto_busy(&t, &a, now + 60 * 64 - 1, 0));
	T_OK(!tcpto_busy(&t, &a, now + 60 * 64, 0));
	T_OK(tcpto_busy(&t, &a, now + 60 * 64, 1));
	T_OK(tcpto_busy(&t, &a, now + 91 * 64 - 1, 31));
	T_OK(!tcpto_busy(&t, &a, now + 91 * 64, 31));
	T_OK(!tcpto_busy(&t, &a, now + 91 * 64, 63)); /* 63 mod 32 = 31 */
	/* a clock set back a little keeps it busy, a lot does not */
	T_OK(tcpto_busy(&t, &a, now - 100, 0));
	T_OK(!tcpto_busy(&t, &a, now - 100000, 0));
	/* the count stops at TCPTO_COUNTMAX */
	for (i = 0; i < 20; ++i)
		now += TCPTO_GAP, tcpto_fail(&t, &a, now);
	T_OK(tcpto_get(&t, 0, &e));
	T_EQ_U(e.count, TCPTO_COUNTMAX);
	/* success forgets */
	T_EQ_U(tcpto_ok(&t, &a), 0);
	T_OK(!tcpto_get(&t, 0, &e));
	T_OK(!tcpto_busy(&t, &a, now, 0));
	T_EQ_U(tcpto_ok(&t, &a), TCPTO_NONE);
	T_EQ_U(tcpto_fail(&t, &a, now + 1), 0); /* a fresh count, even within the gap */
	T_OK(tcpto_get(&t, 0, &e));
	T_EQ_U(e.count, 1);
}

static void t_families(void)
{
	tcpto t;
	ip_addr v6 = addr("2001:db8::1"), v4 = addr("192.0.2.1"), mapped = addr("::ffff:192.0.2.1");
	ip_addr none = IP_ADDR_ZERO;
	tcpto_entry e;
	char buf[IP_FMT];
	memset(&t, 0, sizeof t);
	T_EQ_U(tcpto_fail(&t, &v6, 1000), TCPTO_SLOTS);
	T_OK(tcpto_get(&t, TCPTO_SLOTS, &e));
	T_EQ_MEM(buf, ip_fmt(buf, &e.ip), "2001:db8::1", 11);
	T_EQ_U(e.ip.family, 6);
	/* a mapped address is its IPv4 address */
	T_EQ_U(tcpto_fail(&t, &mapped, 1000), 0);
	T_OK(tcpto_get(&t, 0, &e));
	T_EQ_U(e.ip.family, 4);
	T_EQ_U(tcpto_fail(&t, &v4, 2000), 0);
	T_OK(tcpto_get(&t, 0, &e));
	T_EQ_U(e.count, 2);
	T_OK(tcpto_busy(&t, &mapped, 2000, 0));
	T_OK(!tcpto_busy(&t, &v6, 2000, 0));
	T_EQ_U(tcpto_fail(&t, &none, 1000), TCPTO_NONE);
	T_OK(!tcpto_busy(&t, &none, 1000, 0));
	T_EQ_U(tcpto_ok(&t, &none), TCPTO_NONE);
	T_OK(!tcpto_get(&t, 2 * TCPTO_SLOTS, &e));
}

/* t_layout - the bytes of qmail's record: address, count, 32-bit time at 8 */
static void t_layout(void)
{
	static const unsigned char want4[16] = {192, 0, 2, 9, 1, 0, 0, 0, 0x78, 0x56, 0x34, 0x12};
	static const unsigned char want6[32] = {
		0x20, 0x01, 0x0d, 0xb8, [15] = 5, [16] = 1, [24] = 0xef, 0xcd, 0xab, 0x89, 0x01};
	tcpto t;
	ip_addr a = addr("192.0.2.9"), b = addr("2001:db8::5");
	memset(&t, 0, sizeof t);
	T_EQ_U(tcpto_fail(&t, &a, 0x12345678), 0);
	T_EQ_MEM(t.t, 16, want4, 16);
	T_EQ_U(tcpto_fail(&t, &b, 0x0189abcdefULL), TCPTO_SLOTS);
	T_EQ_MEM(t.t + TCPTO_SIZE4, 32, want6, 32);
}

/* t_replace - a full table gives up its oldest record (time + count * 1024) */
static void t_replace(void)
{
	tcpto t;
	tcpto_entry e;
	unsigned char b[4] = {10, 0, 0, 0};
	ip_addr ip;
	size_t i;
	memset(&t, 0, sizeof t);
	for (i = 0; i < TCPTO_SLOTS; ++i) {
		b[3] = (unsigned char)i;
		ip_set4(&ip, b);
		T_EQ_U(tcpto_fail(&t, &ip, 100000 + (i == 17 ? 0 : 5000)), i);
	}
	/* slot 17 is oldest by time; slot 3 gets count 2, raising its score */
	b[3] = 3;
	ip_set4(&ip, b);
	tcpto_fail(&t, &ip, 200000);
	b[3] = 200;
	ip_set4(&ip, b);
	T_EQ_U(tcpto_fail(&t, &ip, 300000), 17);
	T_OK(tcpto_get(&t, 17, &e));
	T_EQ_U(e.ip.a[3], 200);
	T_EQ_U(e.count, 1);
	/* a cleared record is free again and taken first */
	b[3] = 40;
	ip_set4(&ip, b);
	T_EQ_U(tcpto_ok(&t, &ip), 40);
	b[3] = 201;
	ip_set4(&ip, b);
	T_EQ_U(tcpto_fail(&t, &ip, 300000), 40);
}

static void t_file(void)
{
	sa path = SA_ZERO;
	tcpto t, u;
	ip_addr a = addr("192.0.2.1"), b = addr("2001:db8::1");
	struct stat st;
	int fd;
	T_OK(sa_cats(&path, t_tmpdir()) && sa_cats(&path, "/tcpto") && sa_0(&path));
	fd = open(path.s, O_RDWR | O_CREAT | O_TRUNC, 0644);
	T_OK(fd >= 0);
	T_OK(tcpto_zero(fd));
	T_OK(fstat(fd, &st) == 0 && st.st_size == TCPTO_SIZE4);
	T_OK(tcpto_load(fd, &t));
	T_EQ_U(tcpto_fail(&t, &a, 5000), 0);
	T_OK(tcpto_store(fd, &t, 0));
	T_OK(fstat(fd, &st) == 0 && st.st_size == TCPTO_SIZE4);
	T_EQ_U(tcpto_fail(&t, &b, 5000), TCPTO_SLOTS);
	T_OK(tcpto_store(fd, &t, TCPTO_SLOTS));
	T_OK(fstat(fd, &st) == 0 && st.st_size == TCPTO_SIZE4 + 32);
	T_OK(tcpto_load(fd, &u));
	T_EQ_MEM(u.t, sizeof u.t, t.t, sizeof t.t);
	T_OK(!tcpto_store(fd, &t, 2 * TCPTO_SLOTS));
	T_OK(tcpto_zero(fd));
	T_OK(fstat(fd, &st) == 0 && st.st_size == TCPTO_SIZE4);
	T_OK(tcpto_load(fd, &u));
	T_OK(!tcpto_busy(&u, &b, 5000, 0));
	memset(&t, 0, sizeof t);
	T_EQ_MEM(u.t, sizeof u.t, t.t, sizeof t.t);
	close(fd);
	unlink(path.s);
	sa_free(&path);
}

const t_case t_cases[] = {
	T_CASE(t_counting), T_CASE(t_families), T_CASE(t_layout),
	T_CASE(t_replace),  T_CASE(t_file),     T_END,
};
