/*
 * env.h - reading the process environment, and building an environment for execve.
 * An env owns a NULL-terminated array of "NAME=value" strings; each name appears at
 * most once, and the order in which names were first set is kept. Names must be
 * non-empty and contain no '=' (EINVAL otherwise).
 */
#ifndef ENV_H
#define ENV_H

#include <stddef.h>

typedef struct env_s {
	char **v; /* n owned strings, then a 0; 0 until the first growth */
	size_t n; /* strings in use */
	size_t a; /* slots allocated in v, counting the terminating 0 */
} env;
/* clang-format off */
#define ENV_ZERO {0, 0, 0}
/* clang-format on */

const char *env_get(const char *name);
int env_init_from(env *e, char *const *envp);
const char *env_find(const env *e, const char *name);
int env_set(env *e, const char *name, const char *value);
int env_unset(env *e, const char *name);
void env_clear(env *e);
char **env_array(env *e);
void env_free(env *e);

#endif
