/*
 * env.c - environments for execve. Lookups are linear: an environment is small,
 * and a linear scan keeps the order callers and children see. env_init_from keeps
 * only the first of duplicate names (the one getenv sees), so a child can never be
 * handed a second, hidden value for a name its parent checked.
 */
#include "env.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "size.h"

/* name_ok - whether name can name a variable: non-empty, no '=' */
static int name_ok(const char *name)
{
	if (!name || !*name || strchr(name, '=')) {
		errno = EINVAL;
		return 0;
	}
	return 1;
}

/* slot - index of the string for the name of length len in e, or e->n */
static size_t slot(const env *e, const char *name, size_t len)
{
	size_t i;
	for (i = 0; i < e->n; ++i)
		if (strncmp(e->v[i], name, len) == 0 && e->v[i][len] == '=')
			return i;
	return e->n;
}

/* ready - make room for one more string and the terminating 0 */
static int ready(env *e)
{
	size_t need, want, bytes;
	void *p;
	if (!size_add(&need, e->n, 2))
		return 0;
	if (e->v && need <= e->a)
		return 1;
	if (!size_add(&want, need, need / 2) || !size_add(&want, want, 8))
		want = need;
	p = e->v;
	if (!size_mul(&bytes, want, sizeof *e->v) || !alloc_resize(&p, bytes))
		return 0;
	e->v = p;
	e->a = want;
	e->v[e->n] = 0;
	return 1;
}

/* join - a new "name=value" string, of which the name is len bytes of name */
static char *join(const char *name, size_t len, const char *value)
{
	size_t vlen = strlen(value);
	size_t n;
	char *s;
	if (!size_add(&n, len, vlen) || !size_add(&n, n, 2))
		return 0;
	s = alloc(n);
	if (!s)
		return 0;
	memcpy(s, name, len);
	s[len] = '=';
	memcpy(s + len + 1, value, vlen + 1);
	return s;
}

/* env_get - the value of name in this process's environment, or 0 if unset */
const char *env_get(const char *name)
{
	if (!name_ok(name))
		return 0;
	return getenv(name);
}

/* env_init_from - make e a copy of envp (0 means empty); e is unchanged on failure.
 * Strings without '=' or with an empty name are dropped, and so are later duplicates. */
int env_init_from(env *e, char *const *envp)
{
	env x = ENV_ZERO;
	size_t i;
	if (!ready(&x))
		return 0;
	for (i = 0; envp && envp[i]; ++i) {
		const char *eq = strchr(envp[i], '=');
		size_t len;
		if (!eq || eq == envp[i])
			continue;
		len = (size_t)(eq - envp[i]);
		if (slot(&x, envp[i], len) < x.n)
			continue;
		if (!ready(&x))
			goto fail;
		x.v[x.n] = join(envp[i], len, eq + 1);
		if (!x.v[x.n])
			goto fail;
		x.v[++x.n] = 0;
	}
	env_free(e);
	*e = x;
	return 1;
fail:
	env_free(&x);
	return 0;
}

/* env_find - the value of name in e, or 0 if it is not set there */
const char *env_find(const env *e, const char *name)
{
	size_t len, i;
	if (!name_ok(name))
		return 0;
	len = strlen(name);
	i = slot(e, name, len);
	return i < e->n ? e->v[i] + len + 1 : 0;
}

/* env_set - set name to value, in place if it is set already, else at the end */
int env_set(env *e, const char *name, const char *value)
{
	size_t len, i;
	char *s;
	if (!name_ok(name) || !value) {
		errno = EINVAL;
		return 0;
	}
	len = strlen(name);
	i = slot(e, name, len);
	if (i == e->n && !ready(e))
		return 0;
	s = join(name, len, value);
	if (!s)
		return 0;
	if (i < e->n) {
		alloc_free(e->v[i]);
		e->v[i] = s;
	} else {
		e->v[e->n] = s;
		e->v[++e->n] = 0;
	}
	return 1;
}

/* env_unset - remove name from e, keeping the order of the rest; unset is not an error */
int env_unset(env *e, const char *name)
{
	size_t i;
	if (!name_ok(name))
		return 0;
	i = slot(e, name, strlen(name));
	if (i == e->n)
		return 1;
	alloc_free(e->v[i]);
	memmove(e->v + i, e->v + i + 1, (e->n - i) * sizeof *e->v);
	e->n--;
	return 1;
}

/* env_clear - remove every variable; the array is kept for reuse */
void env_clear(env *e)
{
	size_t i;
	for (i = 0; i < e->n; ++i)
		alloc_free(e->v[i]);
	e->n = 0;
	if (e->v)
		e->v[0] = 0;
}

/* env_array - the NULL-terminated array for execve, owned by e and valid until e
 * next changes; 0 with errno ENOMEM only if an empty e cannot get its first slot */
char **env_array(env *e)
{
	if (!e->v && !ready(e))
		return 0;
	return e->v;
}

/* env_free - release every string and the array; e is ENV_ZERO afterwards */
void env_free(env *e)
{
	env_clear(e);
	alloc_free(e->v);
	e->v = 0;
	e->a = 0;
}
