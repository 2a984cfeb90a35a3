/* cmap.c - tests for the constant case-insensitive map */
#include <stdio.h>
#include <string.h>

#include "cmap.h"
#include "harness.h"

/* get - the value of key as a C string, or 0 */
static const char *get(const cmap *m, const char *key)
{
	return cmap_get(m, key, strlen(key), 0);
}

static void t_keys(void)
{
	static const char list[] = "example.com\0Localhost\0\0mail.EXAMPLE.com\0";
	cmap m;
	T_OK(cmap_init(&m, list, sizeof list - 1, 0));
	T_EQ_U(m.n, 4);
	T_EQ_S(get(&m, "example.com"), "");
	T_EQ_S(get(&m, "EXAMPLE.COM"), "");
	T_EQ_S(get(&m, "localhost"), "");
	T_EQ_S(get(&m, "mail.example.com"), "");
	T_EQ_S(get(&m, ""), ""); /* the empty item is a key */
	T_OK(get(&m, "example.co") == 0);
	T_OK(get(&m, "example.comm") == 0);
	T_OK(cmap_get(&m, "example.com", 7, 0) == 0);
	cmap_free(&m);
	T_OK(get(&m, "example.com") == 0);
}

static void t_colon(void)
{
	static const char list[] = "a.org:joe\0nocolon\0B.ORG:\0:catch\0a.org:later\0x:y:z";
	cmap m;
	size_t vlen = 99;
	T_OK(cmap_init(&m, list, sizeof list - 1, 1)); /* last item without its NUL */
	T_EQ_U(m.n, 4);
	T_EQ_S(get(&m, "A.org"), "later");
	T_EQ_S(cmap_get(&m, "b.org", 5, &vlen), "");
	T_EQ_U(vlen, 0);
	T_EQ_S(cmap_get(&m, "", 0, &vlen), "catch");
	T_EQ_U(vlen, 5);
	T_OK(get(&m, "nocolon") == 0);
	T_EQ_S(get(&m, "x"), "y:z");
	cmap_free(&m);
}

static void t_empty(void)
{
	cmap m, z = CMAP_ZERO;
	T_OK(cmap_init(&m, "", 0, 1));
	T_EQ_U(m.n, 0);
	T_OK(get(&m, "") == 0);
	T_OK(get(&z, "") == 0); /* a zeroed map is an empty map */
	cmap_free(&m);
	cmap_free(&z);
}

static void t_many(void)
{
	sa list = SA_ZERO;
	cmap m;
	char k[32];
	size_t i, bad = 0;
	for (i = 0; i < 5000; ++i) {
		snprintf(k, sizeof k, "Host%zu.Example:%zu", i, i * 3);
		T_OK(sa_cats(&list, k) && sa_0(&list));
	}
	T_OK(cmap_init(&m, list.s, list.len, 1));
	T_EQ_U(m.n, 5000);
	T_OK(m.mask + 1 >= 2 * m.n);
	for (i = 0; i < 5000; ++i) {
		char want[32];
		const char *v;
		snprintf(k, sizeof k, "hOST%zu.eXAMPLE", i);
		snprintf(want, sizeof want, "%zu", i * 3);
		v = get(&m, k);
		if (!v || strcmp(v, want))
			++bad;
		snprintf(k, sizeof k, "host%zu.example", i + 5000);
		if (get(&m, k))
			++bad;
	}
	T_EQ_U(bad, 0);
	cmap_free(&m);
	sa_free(&list);
}

const t_case t_cases[] = {T_CASE(t_keys), T_CASE(t_colon), T_CASE(t_empty), T_CASE(t_many), T_END};
