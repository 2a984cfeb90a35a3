/* spare.c - tests for the pools of spare queue files: a given file keeps at most
 * its first SPARE_KEEP bytes and comes back with the asked mode and fresh times,
 * and what the taker writes and cuts is exactly the file; only plain files with one
 * link enter a pool; a full, missing or unfit pool falls back to unlink and create */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auto.h"
#include "harness.h"
#include "spare.h"

/* put - create path holding text, of mode */
static void put(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	size_t n = strlen(text);
	T_OK(fd != -1);
	if (fd == -1)
		return;
	T_EQ_U(write(fd, text, n), n);
	T_EQ_U(fchmod(fd, mode), 0);
	close(fd);
}

static int exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

static ino_t ino(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? st.st_ino : 0;
}

/* to_queue - a fresh directory with pool/ and work/ as the current directory */
static void to_queue(const char *name)
{
	T_EQ_U(chdir(t_tmpdir()), 0);
	T_EQ_U(mkdir(name, 0700), 0);
	T_EQ_U(chdir(name), 0);
	T_EQ_U(mkdir("pool", 0700), 0);
	T_EQ_U(mkdir("work", 0700), 0);
}

static void t_round_trip(void)
{
	spare sp;
	struct stat st;
	ino_t i;
	int fd;
	to_queue("q1");
	spare_init(&sp, "pool", 5);
	T_EQ_U(spare_take(&sp, "work/new", 0644), (unsigned long long)-1); /* empty pool */
	T_OK(!exists("work/new"));
	spare_init(&sp, "pool", 5); /* the miss moved the hint on */
	put("work/old", "an old envelope", 0600);
	i = ino("work/old");
	T_EQ_U(spare_give(&sp, "work/old"), 1);
	T_OK(!exists("work/old"));
	T_OK(stat("pool/5", &st) == 0 && st.st_size == 15); /* small: kept as it was */
	T_EQ_U(utimensat(AT_FDCWD, "pool/5", (const struct timespec[]){{1, 0}, {1, 0}}, 0), 0);
	T_EQ_U(sp.hint, 6); /* moved past the slot used */
	sp.hint = 5;
	fd = spare_take(&sp, "work/new", 0644);
	T_OK(fd != -1);
	T_OK(!exists("pool/5"));
	T_EQ_U(ino("work/new"), i);
	T_OK(fstat(fd, &st) == 0 && (st.st_mode & 07777) == 0644 && st.st_size == 15);
	T_OK(st.st_atime > 1 && st.st_mtime > 1); /* fresh times: age is judged by them */
	T_EQ_U(write(fd, "x", 1), 1);             /* written from offset 0 over the old bytes */
	T_EQ_U(spare_cut(fd), 1);
	T_OK(fstat(fd, &st) == 0 && st.st_size == 1);
	T_EQ_U(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	close(fd);
}

/* t_keep - a large file keeps only its first SPARE_KEEP bytes in the pool, a cut
 * beyond them lengthens nothing, and a new file cut where it was written stays */
static void t_keep(void)
{
	static char big[3 * SPARE_KEEP + 5];
	spare sp;
	struct stat st;
	int fd;
	to_queue("q9");
	spare_init(&sp, "pool", 0);
	memset(big, 'm', sizeof big - 1);
	put("work/big", big, 0600);
	T_EQ_U(spare_give(&sp, "work/big"), 1);
	T_OK(stat("pool/0", &st) == 0 && st.st_size == SPARE_KEEP);
	T_OK(st.st_blocks <= SPARE_KEEP / 512); /* the blocks past the first are freed */
	fd = spare_take(&sp, "work/next", 0600);
	T_OK(fd != -1);
	if (fd == -1)
		return;
	T_EQ_U(write(fd, big, SPARE_KEEP + 7), SPARE_KEEP + 7); /* longer than it was */
	T_EQ_U(spare_cut(fd), 1);
	T_OK(fstat(fd, &st) == 0 && st.st_size == SPARE_KEEP + 7);
	T_EQ_U(lseek(fd, 0, SEEK_SET), 0);
	T_EQ_U(spare_cut(fd), 1); /* nothing written: nothing left */
	T_OK(fstat(fd, &st) == 0 && st.st_size == 0);
	close(fd);
	fd = open("work/fresh", O_WRONLY | O_CREAT | O_EXCL, 0600);
	T_OK(fd != -1);
	T_EQ_U(write(fd, "abc", 3), 3);
	T_EQ_U(spare_cut(fd), 1);
	T_OK(fstat(fd, &st) == 0 && st.st_size == 3);
	close(fd);
	T_EQ_U(spare_cut(-1), 0);
}

static void t_unfit_given(void)
{
	spare sp;
	to_queue("q2");
	spare_init(&sp, "pool", 0);
	put("work/a", "mail", 0600);
	T_EQ_U(link("work/a", "work/b"), 0);
	T_EQ_U(spare_give(&sp, "work/a"), 1); /* two links: unlinked, never emptied */
	T_OK(!exists("work/a") && !exists("pool/0"));
	T_EQ_U(ino("work/b") != 0, 1);
	{
		struct stat st;
		T_OK(stat("work/b", &st) == 0 && st.st_size == 4);
	}
	T_EQ_U(symlink("b", "work/c"), 0);
	T_EQ_U(spare_give(&sp, "work/c"), 1); /* a symlink goes, its target stays */
	T_OK(!exists("work/c") && !exists("pool/0") && exists("work/b"));
	T_EQ_U(spare_give(&sp, "work/none"), 1); /* already gone counts as gone */
	T_EQ_U(mkdir("work/d", 0700), 0);
	T_EQ_U(spare_give(&sp, "work/d"), 0); /* not a file: unlink fails, still there */
	T_OK(exists("work/d") && !exists("pool/0"));
}

static void t_unfit_taken(void)
{
	spare sp;
	int fd;
	to_queue("q3");
	spare_init(&sp, "pool", 0);
	put("pool/0", "other", 0600);
	T_EQ_U(link("pool/0", "work/keep"), 0); /* a second name: must not be written */
	T_EQ_U(spare_take(&sp, "work/new", 0600), (unsigned long long)-1);
	T_OK(!exists("work/new") && !exists("pool/0"));
	{
		struct stat st;
		T_OK(stat("work/keep", &st) == 0 && st.st_size == 5 && st.st_nlink == 1);
	}
	put("pool/1", "left by a crash", 0600); /* whatever it holds, the cut ends it */
	fd = spare_take(&sp, "work/new", 0600);
	T_OK(fd != -1);
	{
		struct stat st;
		T_OK(fd != -1 && write(fd, "ok", 2) == 2 && spare_cut(fd) == 1);
		T_OK(fd != -1 && fstat(fd, &st) == 0 && st.st_size == 2);
	}
	if (fd != -1)
		close(fd);
	put("pool/2", "", 0600);
	T_EQ_U(spare_take(&sp, "work/new", 0600), (unsigned long long)-1); /* dst exists */
	T_OK(exists("pool/2"));
}

/* t_part - a split pool: part N is the directory pool/(N mod the split) */
static void t_part(void)
{
	spare sp;
	char dir[32];
	ino_t i;
	int fd;
	to_queue("q7");
	snprintf(dir, sizeof dir, "pool/%u", (unsigned)(AUTO_SPLIT + 2) % AUTO_SPLIT);
	T_EQ_U(mkdir(dir, 0700), 0);
	spare_part(&sp, "pool", AUTO_SPLIT + 2, 0);
	T_EQ_S(sp.pool, dir);
	put("work/old", "data", 0600);
	i = ino("work/old");
	T_EQ_U(spare_give(&sp, "work/old"), 1);
	T_OK(!exists("work/old"));
	snprintf(dir, sizeof dir, "pool/%u/0", (unsigned)(AUTO_SPLIT + 2) % AUTO_SPLIT);
	T_EQ_U(ino(dir), i);
	fd = spare_take(&sp, "work/new", 0600);
	T_OK(fd != -1);
	T_EQ_U(ino("work/new"), i);
	T_OK(!exists(dir));
	if (fd != -1)
		close(fd);
}

static void t_full_or_missing(void)
{
	spare sp;
	char name[32];
	unsigned i;
	to_queue("q4");
	spare_init(&sp, "pool", 10);
	for (i = 10; i < 10 + SPARE_PROBES; ++i) {
		snprintf(name, sizeof name, "pool/%u", i);
		put(name, "", 0600);
	}
	put("work/a", "x", 0600);
	T_EQ_U(spare_give(&sp, "work/a"), 1); /* every slot looked at is full: unlinked */
	T_OK(!exists("work/a"));
	snprintf(name, sizeof name, "pool/%u", 10 + SPARE_PROBES);
	T_OK(!exists(name));
	spare_init(&sp, "nopool", 0);
	put("work/b", "x", 0600);
	T_EQ_U(spare_give(&sp, "work/b"), 1);
	T_OK(!exists("work/b"));
	T_EQ_U(spare_take(&sp, "work/b", 0600), (unsigned long long)-1);
}

static void t_listed(void)
{
	spare sp;
	int fd;
	to_queue("q6");
	put("pool/700", "", 0644); /* far from the hint: a shared pool is listed */
	put("pool/x", "", 0644);   /* not a slot: never taken */
	spare_init(&sp, "pool", 3);
	fd = spare_take(&sp, "work/a", 0644);
	T_OK(fd != -1);
	if (fd != -1)
		close(fd);
	T_OK(!exists("pool/700") && exists("work/a") && exists("pool/x"));
	T_EQ_U(spare_take(&sp, "work/b", 0644), (unsigned long long)-1);
	T_OK(!exists("work/b"));
}

static void t_mapped(void)
{
	spare sp;
	int fd;
	to_queue("q5");
	put("pool/900", "", 0600); /* far from the hint: found only through the map */
	put("pool/junk", "", 0600);
	spare_init(&sp, "pool", 0);
	spare_map(&sp);
	fd = spare_take(&sp, "work/a", 0600);
	T_OK(fd != -1);
	if (fd != -1)
		close(fd);
	T_OK(!exists("pool/900"));
	T_EQ_U(spare_take(&sp, "work/b", 0600), (unsigned long long)-1); /* none left */
	put("pool/901", "", 0600); /* someone else's: the map learns it */
	T_EQ_U(spare_give(&sp, "work/a"), 1);
	T_OK(exists("pool/901") && exists("pool/902") && !exists("work/a"));
	T_OK(exists("pool/junk")); /* not a slot: left alone */
}

/* namer - "work/INO"; with refill set, the slot's file is moved away to work/moved
 * and another put in its place first, as a giver might between a taker's look and
 * its move */
static const char *refill;

static void namer(char *dst, uint64_t n)
{
	if (refill) {
		T_EQ_U(rename(refill, "work/moved"), 0);
		put(refill, "someone else's", 0644);
		refill = 0;
	}
	snprintf(dst, QUEUE_PATHMAX, "work/%llu", (unsigned long long)n);
}

/* t_named - a named take moves the file straight to the name its inode number
 * makes; the pool is listed once for the takes it can serve */
static void t_named(void)
{
	spare sp;
	char dst[QUEUE_PATHMAX], want[QUEUE_PATHMAX];
	uint64_t n = 0;
	ino_t i;
	int fd, k;
	to_queue("named");
	put("pool/3", "hello", 0600);
	put("pool/6", "hello", 0600);
	spare_init(&sp, "pool", 0);
	for (k = 0; k < 3; ++k) {
		fd = spare_take_named(&sp, namer, dst, 0644, &n);
		T_OK(fd != -1);
		if (fd != -1)
			close(fd);
		i = ino(dst);
		T_EQ_U(n, i);
		snprintf(want, sizeof want, "work/%llu", (unsigned long long)i);
		T_EQ_S(dst, want);
		if (k == 0) /* after the listing: taken only once the listed ones are gone */
			put("pool/9", "", 0600);
		T_EQ_U(exists("pool/9"), k < 2);
	}
	T_OK(!exists("pool/3") && !exists("pool/6"));
	T_EQ_U(spare_take_named(&sp, namer, dst, 0644, &n), (unsigned long long)-1);
}

/* one_slot - a fresh queue whose pool holds one file, in slot; its inode number,
 * and in want the name a named take gives it */
static ino_t one_slot(const char *queue, const char *slot, char *want)
{
	ino_t i;
	to_queue(queue);
	put(slot, "a spare", 0600);
	i = ino(slot);
	snprintf(want, QUEUE_PATHMAX, "work/%llu", (unsigned long long)i);
	return i;
}

/* t_named_held - a name that exists means another taker holds that file: the slot
 * is passed over */
static void t_named_held(void)
{
	spare sp;
	char dst[QUEUE_PATHMAX], want[QUEUE_PATHMAX];
	uint64_t n = 0;
	ino_t i = one_slot("named-held", "pool/4", want);
	put(want, "its holder", 0600);
	spare_init(&sp, "pool", 0);
	T_EQ_U(spare_take_named(&sp, namer, dst, 0644, &n), (unsigned long long)-1);
	T_OK(exists("pool/4") && ino(want) != i && ino(want) != 0);
}

/* t_named_refilled - a slot refilled between the look and the move: the file moved
 * is not the inode its name was made from, and is refused */
static void t_named_refilled(void)
{
	spare sp;
	char dst[QUEUE_PATHMAX], want[QUEUE_PATHMAX];
	uint64_t n = 0;
	ino_t i = one_slot("named-refilled", "pool/5", want);
	spare_init(&sp, "pool", 0);
	refill = "pool/5";
	T_EQ_U(spare_take_named(&sp, namer, dst, 0644, &n), (unsigned long long)-1);
	T_OK(!exists(want) && !exists("pool/5")); /* the refill was refused, and is gone */
	T_EQ_U(ino("work/moved"), i);             /* the file looked at is untouched */
}

/* take_one - a take from a mapped pool succeeds and moves the hint to hint */
static void take_one(spare *sp, unsigned hint)
{
	int fd = spare_take(sp, "work/t", 0600);
	T_OK(fd != -1);
	if (fd != -1)
		close(fd);
	unlink("work/t");
	T_EQ_U(sp->hint, hint);
}

/* t_mapped_wrap - with a map, a take finds a full slot and a give an empty one past
 * the end of the slots, from a hint in the middle of a word of the map */
static void t_mapped_wrap(void)
{
	spare sp;
	char name[32];
	unsigned i;
	to_queue("mapped-wrap");
	put("pool/5", "", 0600);
	for (i = SPARE_SLOTS - 70; i < SPARE_SLOTS; ++i) {
		snprintf(name, sizeof name, "pool/%u", i);
		put(name, "", 0600);
	}
	spare_init(&sp, "pool", SPARE_SLOTS - 70);
	spare_map(&sp);
	put("work/a", "x", 0600);
	T_EQ_U(spare_give(&sp, "work/a"), 1); /* slots hint..end full: the first empty is 0 */
	T_OK(exists("pool/0") && !exists("work/a"));
	T_EQ_U(sp.hint, 1);
	take_one(&sp, 6);                /* past the empty slots 1 to 4 */
	take_one(&sp, SPARE_SLOTS - 69); /* into the next words of the map */
	sp.hint = SPARE_SLOTS - 3;
	take_one(&sp, SPARE_SLOTS - 2); /* from the middle of the last word */
	snprintf(name, sizeof name, "pool/%u", SPARE_SLOTS - 70);
	T_OK(!exists(name) && !exists("pool/5"));
	for (i = SPARE_SLOTS - 2; i < SPARE_SLOTS; ++i) {
		snprintf(name, sizeof name, "pool/%u", i);
		T_EQ_U(unlink(name), 0);
	}
	sp.hint = SPARE_SLOTS - 2; /* the last two went (the map learns it): on to slot 0 */
	take_one(&sp, 1);
	T_OK(!exists("pool/0"));
}

const t_case t_cases[] = {
	T_CASE(t_mapped_wrap),
	T_CASE(t_named),
	T_CASE(t_named_held),
	T_CASE(t_named_refilled),
	T_CASE(t_round_trip),
	T_CASE(t_unfit_given),
	T_CASE(t_unfit_taken),
	T_CASE(t_full_or_missing),
	T_CASE(t_listed),
	T_CASE(t_mapped),
	T_CASE(t_part),
	T_CASE(t_keep),
	T_END,
};
