/* spawn.c - tests for the spawn protocol reader and writer and queue names */
#include <string.h>

#include "harness.h"
#include "queue.h"
#include "spawn.h"

/* feed_cmd - feed s[0..n) in chunks of step bytes; returns the last result */
static int feed_cmd(spawn_cmd *c, const char *s, size_t n, size_t step, int *complete)
{
	size_t i = 0;
	int r = 0;
	*complete = 0;
	while (i < n) {
		size_t used, k = n - i < step ? n - i : step;
		r = spawn_cmd_feed(c, s + i, k, &used);
		if (r < 0)
			return r;
		if (r == 1)
			++*complete;
		if (used == 0 && r == 0)
			return -2;
		i += used;
	}
	return r;
}

static void t_cmd_round_trip(void)
{
	size_t step;
	for (step = 1; step <= 64; step *= 4) {
		sa out = SA_ZERO;
		spawn_cmd c = {0};
		int done;
		size_t first;
		T_OK(spawn_cmd_put(&out, 7, "3/12345", "sender@example.org", "rcpt@example.com"));
		first = out.len;
		T_EQ_U(first, 45);
		T_OK(spawn_cmd_put(&out, 200, "22/9", "", "a@b"));
		T_EQ_U(feed_cmd(&c, out.s, first, step, &done), 1);
		T_EQ_U(done, 1);
		T_EQ_U(c.slot, 7);
		T_EQ_S(c.path.s, "3/12345");
		T_EQ_S(c.sender.s, "sender@example.org");
		T_EQ_S(c.rcpt.s, "rcpt@example.com");
		T_EQ_U(feed_cmd(&c, out.s + first, out.len - first, step, &done), 1);
		T_EQ_U(c.slot, 200);
		T_EQ_S(c.path.s, "22/9");
		T_EQ_S(c.sender.s, "");
		T_EQ_S(c.rcpt.s, "a@b");
		spawn_cmd_free(&c);
		sa_free(&out);
	}
}

static void t_cmd_limits(void)
{
	char path[SPAWN_PATHMAX + 3];
	spawn_cmd c = {0};
	sa out = SA_ZERO;
	int done;
	memset(path, '1', sizeof path - 1);
	path[sizeof path - 1] = 0;
	T_OK(spawn_cmd_put(&out, 1, path, "s", "r@x"));
	T_EQ_U(feed_cmd(&c, out.s, out.len, 1, &done), -1);
	/* sticky: a later good command is refused too */
	out.len = 0;
	T_OK(spawn_cmd_put(&out, 1, "1/1", "s", "r@x"));
	T_EQ_U(feed_cmd(&c, out.s, out.len, 100, &done), -1);
	spawn_cmd_free(&c);
	T_OK(!spawn_cmd_put(&out, 256, "1/1", "", "a@b"));
	sa_free(&out);
}

/* list_case - a list command, NULs written as '|', and what the reader makes of it */
static const struct {
	const char *in;    /* the bytes */
	int result;        /* last feed result: 1 complete, 0 incomplete, -1 violation */
	size_t nrcpt;      /* recipients when complete */
	const char *rcpts; /* rcpt when complete, NULs as '|' */
} list_cases[] = {
	{"\0011/2|s|a@b||", 1, 1, "a@b|"}, {"\0011/2|s|a@b|c@d|e@f||", 1, 3, "a@b|c@d|e@f|"},
	{"\0011/2||a@b||", 1, 1, "a@b|"}, /* empty sender, then a list */
	{"\0011/2|s|a@b|", 0, 0, ""},     /* the list is not ended yet */
	{"\0011/2|s|a@b", 0, 0, ""},       {"\0011/2|s||", -1, 0, ""}, /* no recipient at all */
	{"\0011/2|s|||", -1, 0, ""},
};

/* unbar - s with '|' as NUL into out (at most 64 bytes); its length */
static size_t unbar(char *out, const char *s)
{
	size_t i, n = strlen(s);
	for (i = 0; i < n; ++i)
		out[i] = s[i] == '|' ? 0 : s[i];
	return n;
}

static void t_cmd_list(void)
{
	size_t i, step;
	for (i = 0; i < sizeof list_cases / sizeof list_cases[0]; ++i)
		for (step = 1; step <= 64; step *= 64) {
			char in[64], want[64];
			spawn_cmd c = {0};
			int done;
			size_t n = unbar(in, list_cases[i].in),
			       m = unbar(want, list_cases[i].rcpts);
			c.list = 1;
			T_EQ_U(feed_cmd(&c, in, n, step, &done), list_cases[i].result);
			if (list_cases[i].result == 1) {
				T_EQ_U(c.slot, 1);
				T_EQ_S(c.path.s, "1/2");
				T_EQ_U(c.nrcpt, list_cases[i].nrcpt);
				T_EQ_MEM(c.rcpt.s, c.rcpt.len, want, m);
			}
			spawn_cmd_free(&c);
		}
}

static void t_cmd_list_round_trip(void)
{
	sa out = SA_ZERO, rcpts = SA_ZERO, one = SA_ZERO;
	spawn_cmd c = {0};
	size_t i, step, first;
	int done;
	for (i = 0; i < SPAWN_RCPTMAX; ++i) {
		T_OK(sa_cats(&rcpts, "user"));
		T_OK(sa_catu(&rcpts, i));
		T_OK(sa_cats(&rcpts, "@example.com"));
		T_OK(sa_0(&rcpts));
	}
	T_OK(spawn_cmd_putlist(&out, 9, "3/77", "s@x", rcpts.s, SPAWN_RCPTMAX));
	first = out.len;
	T_OK(spawn_cmd_putlist(&out, 10, "3/78", "", "a@b", 1));
	c.list = 1;
	for (step = 1; step <= 4096; step *= 8) {
		T_EQ_U(feed_cmd(&c, out.s, out.len, step, &done), 1);
		T_EQ_U(done, 2);
		T_EQ_U(c.slot, 10);
		T_EQ_U(c.nrcpt, 1);
		T_EQ_MEM(c.rcpt.s, c.rcpt.len, "a@b", 4);
		T_EQ_U(feed_cmd(&c, out.s, first, step, &done), 1);
		T_EQ_U(c.slot, 9);
		T_EQ_U(c.nrcpt, SPAWN_RCPTMAX);
		T_EQ_MEM(c.rcpt.s, c.rcpt.len, rcpts.s, rcpts.len);
	}
	spawn_cmd_free(&c);
	/* one recipient more than allowed: the writer refuses, the reader too */
	T_OK(!spawn_cmd_putlist(&one, 1, "1/1", "", rcpts.s, SPAWN_RCPTMAX + 1));
	T_OK(!spawn_cmd_putlist(&one, 1, "1/1", "", rcpts.s, 0));
	T_OK(!spawn_cmd_putlist(&one, 1, "1/1", "", "\0", 1));
	T_OK(!spawn_cmd_putlist(&one, 256, "1/1", "", "a@b", 1));
	one.len = 0;
	T_OK(sa_catb(&one, "\0011/1\0\0", 6));
	T_OK(sa_catb(&one, rcpts.s, rcpts.len));
	T_OK(sa_cats(&one, "extra@example.com"));
	T_OK(sa_0(&one) && sa_0(&one));
	c = (spawn_cmd){0};
	c.list = 1;
	T_EQ_U(feed_cmd(&c, one.s, one.len, 1, &done), -1);
	spawn_cmd_free(&c);
	/* a recipient over SPAWN_ADDRMAX is refused in a list too */
	one.len = 0;
	T_OK(sa_catb(&one, "\0011/1\0\0a@b\0", 10));
	for (i = 0; i <= SPAWN_ADDRMAX; ++i)
		T_OK(sa_catc(&one, 'x'));
	T_OK(sa_0(&one) && sa_0(&one));
	c = (spawn_cmd){0};
	c.list = 1;
	T_EQ_U(feed_cmd(&c, one.s, one.len, 1000, &done), -1);
	spawn_cmd_free(&c);
	/* exactly SPAWN_ADDRMAX after a first recipient is fine */
	one.len = 10;
	for (i = 0; i < SPAWN_ADDRMAX; ++i)
		T_OK(sa_catc(&one, 'x'));
	T_OK(sa_0(&one) && sa_0(&one));
	c = (spawn_cmd){0};
	c.list = 1;
	T_EQ_U(feed_cmd(&c, one.s, one.len, 1000, &done), 1);
	T_EQ_U(c.nrcpt, 2);
	T_EQ_U(c.rcpt.len, 4 + SPAWN_ADDRMAX + 1);
	spawn_cmd_free(&c);
	sa_free(&out);
	sa_free(&rcpts);
	sa_free(&one);
}

static void t_path_ok(void)
{
	static const struct {
		const char *path; /* input */
		int ok;           /* expected */
	} t[] = {
		{"3/12345", 1}, {"0/1", 1},  {"12345", 1}, {"", 0},     {"/1", 0},   {"1/", 0},
		{"1//2", 0},    {"../1", 0}, {"1/a", 0},   {"1/1 ", 0}, {"-1/2", 0},
	};
	size_t i;
	for (i = 0; i < sizeof t / sizeof t[0]; ++i)
		T_EQ_U(spawn_path_ok(t[i].path), t[i].ok);
}

static void t_report(void)
{
	sa out = SA_ZERO;
	spawn_rep r = {0};
	size_t used, i;
	int res = 0, n = 0;
	T_OK(spawn_rep_put(&out, 5, 'K', "did 1+0+0/", 10));
	T_OK(spawn_rep_put(&out, 6, 'Z', "a\0b", 3));
	for (i = 0; i < out.len; i += used) {
		res = spawn_rep_feed(&r, out.s + i, 1, &used);
		if (res == 1) {
			++n;
			if (n == 1) {
				T_EQ_U(r.slot, 5);
				T_EQ_U(r.status, 'K');
				T_EQ_S(r.text.s, "did 1+0+0/");
			}
		}
	}
	T_EQ_U(n, 2);
	T_EQ_U(r.slot, 6);
	T_EQ_U(r.status, 'Z');
	T_EQ_S(r.text.s, "a_b");
	spawn_rep_free(&r);
	sa_free(&out);
}

static void t_report_cap(void)
{
	sa out = SA_ZERO, text = SA_ZERO;
	spawn_rep r = {0};
	size_t used;
	T_OK(sa_ready(&text, 30000));
	memset(text.s, 'x', 30000);
	text.len = 30000;
	T_OK(spawn_rep_put(&out, 1, 'D', text.s, text.len));
	T_EQ_U(spawn_rep_feed(&r, out.s, out.len, &used), 1);
	T_EQ_U(used, out.len);
	T_EQ_U(r.text.len, SPAWN_REPORTMAX + 1);
	T_EQ_U(r.dropped, 30000 - SPAWN_REPORTMAX);
	spawn_rep_free(&r);
	sa_free(&out);
	sa_free(&text);
}

static void t_queue_name(void)
{
	char s[QUEUE_PATHMAX];
	T_EQ_U(queue_split(46), 0);
	T_EQ_U(queue_split(47), 1);
	T_EQ_U(queue_name(s, "mess", 12345, 1), 13);
	T_EQ_S(s, "mess/17/12345");
	T_EQ_U(queue_name(s, "todo", 12345, 0), 10);
	T_EQ_S(s, "todo/12345");
	T_OK(queue_name(s, "remote", UINT64_MAX, 1) < QUEUE_PATHMAX);
}

const t_case t_cases[] = {
	T_CASE(t_cmd_round_trip),      T_CASE(t_cmd_limits), T_CASE(t_cmd_list),
	T_CASE(t_cmd_list_round_trip), T_CASE(t_path_ok),    T_CASE(t_report),
	T_CASE(t_report_cap),          T_CASE(t_queue_name), T_END,
};
