/* sa.c - tests for growable strings, checked sizes and allocation */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "alloc.h"
#include "harness.h"
#include "sa.h"
#include "size.h"

static void t_size_add(void)
{
	size_t r = 7;
	T_OK(size_add(&r, 1, 2));
	T_EQ_U(r, 3);
	T_OK(size_add(&r, SIZE_MAX - 1, 1));
	T_EQ_U(r, SIZE_MAX);
	errno = 0;
	T_OK(!size_add(&r, SIZE_MAX, 1));
	T_EQ_U(errno, EOVERFLOW);
	T_OK(!size_add(&r, SIZE_MAX / 2 + 1, SIZE_MAX / 2 + 1));
}

static void t_size_mul(void)
{
	size_t r;
	T_OK(size_mul(&r, 0, SIZE_MAX));
	T_EQ_U(r, 0);
	T_OK(size_mul(&r, SIZE_MAX / 3, 3));
	errno = 0;
	T_OK(!size_mul(&r, SIZE_MAX / 2 + 1, 2));
	T_EQ_U(errno, EOVERFLOW);
	T_OK(!size_mul(&r, (size_t)1 << (sizeof(size_t) * 4), (size_t)1 << (sizeof(size_t) * 4)));
}

static void t_alloc_array(void)
{
	void *p;
	errno = 0;
	T_OK(alloc_array(SIZE_MAX / 4, 8) == 0);
	T_EQ_U(errno, EOVERFLOW);
	p = alloc_array(0, 8);
	T_OK(p != 0);
	alloc_free(p);
	errno = 0;
	T_OK(alloc(SIZE_MAX) == 0);
	T_EQ_U(errno, ENOMEM);
}

static void t_cat(void)
{
	sa x = SA_ZERO;
	T_OK(sa_cats(&x, "hello"));
	T_OK(sa_catc(&x, ' '));
	T_OK(sa_catb(&x, "world!!", 5));
	T_EQ_MEM(x.s, x.len, "hello world", 11);
	T_OK(sa_catu(&x, 18446744073709551615u));
	T_EQ_MEM(x.s, x.len, "hello world18446744073709551615", 31);
	T_OK(sa_copys(&x, "abc"));
	T_EQ_MEM(x.s, x.len, "abc", 3);
	T_OK(sa_0(&x));
	T_EQ_U(x.len, 4);
	T_EQ_S(x.s, "abc");
	T_OK(sa_starts(&x, "ab"));
	T_OK(!sa_starts(&x, "abd"));
	T_OK(sa_starts(&x, ""));
	sa_free(&x);
	T_OK(x.s == 0 && x.len == 0 && x.a == 0);
	T_OK(sa_catb(&x, "", 0));
	T_EQ_U(x.len, 0);
	sa_free(&x);
}

static void t_self_append(void)
{
	sa x = SA_ZERO;
	size_t i;
	T_OK(sa_cats(&x, "ab"));
	/* appending a string to itself must survive the reallocation it causes */
	for (i = 0; i < 12; ++i)
		if (!sa_catb(&x, x.s, x.len))
			break;
	T_EQ_U(x.len, 2 << 12);
	T_OK(memcmp(x.s + x.len - 2, "ab", 2) == 0);
	T_OK(sa_copyb(&x, x.s + 1, 3));
	T_EQ_MEM(x.s, x.len, "bab", 3);
	sa_free(&x);
}

static void t_copy(void)
{
	sa x = SA_ZERO, y = SA_ZERO;
	T_OK(sa_cats(&y, "text"));
	T_OK(sa_copy(&x, &y));
	T_OK(sa_cat(&x, &y));
	T_EQ_MEM(x.s, x.len, "texttext", 8);
	sa_free(&x);
	sa_free(&y);
}

static void t_catvis(void)
{
	sa x = SA_ZERO;
	T_OK(sa_cats(&x, "<"));
	T_OK(sa_catvis(&x, " ~az\x1f\x7f\x80\xff\0\t\n", 11));
	T_EQ_MEM(x.s, x.len, "< ~az_______", 12);
	T_OK(sa_catvis(&x, "", 0));
	T_EQ_U(x.len, 12);
	T_OK(sa_catvis(&x, x.s, 3)); /* from inside itself */
	T_EQ_MEM(x.s, x.len, "< ~az_______< ~", 15);
	errno = 0;
	T_OK(!sa_catvis(&x, "abc", SIZE_MAX));
	T_EQ_U(errno, EOVERFLOW);
	T_EQ_U(x.len, 15);
	sa_free(&x);
}

static void t_growth_near_size_max(void)
{
	/* A string whose length is near SIZE_MAX: growth must fail without writing. */
	char small[16] = "0123456789";
	sa x;
	x.s = small;
	x.len = SIZE_MAX - 5;
	x.a = SIZE_MAX - 5;
	errno = 0;
	T_OK(!sa_catb(&x, "abcdefghij", 10));
	T_EQ_U(errno, EOVERFLOW);
	T_EQ_U(x.len, SIZE_MAX - 5);
	T_OK(x.s == small);
	errno = 0;
	T_OK(!sa_readyplus(&x, SIZE_MAX));
	T_EQ_U(errno, EOVERFLOW);
	T_EQ_MEM(small, 10, "0123456789", 10);
}

static void t_huge_ready_fails_cleanly(void)
{
	sa x = SA_ZERO;
	T_OK(sa_cats(&x, "keep"));
	errno = 0;
	T_OK(!sa_ready(&x, SIZE_MAX));
	T_EQ_U(errno, ENOMEM);
	T_OK(!sa_ready(&x, SIZE_MAX - 40));
	T_OK(!sa_readyplus(&x, SIZE_MAX - 4));
	T_EQ_MEM(x.s, x.len, "keep", 4);
	sa_free(&x);
}

const t_case t_cases[] = {
	T_CASE(t_size_add),
	T_CASE(t_size_mul),
	T_CASE(t_alloc_array),
	T_CASE(t_cat),
	T_CASE(t_self_append),
	T_CASE(t_copy),
	T_CASE(t_catvis),
	T_CASE(t_growth_near_size_max),
	T_CASE(t_huge_ready_fails_cleanly),
	T_END,
};
