/*
 * spare.c - pools of spare queue files (beyond qmail; queue/qpool/SPLIT for
 * qmailq's files, queue/sspare for qmail-send's, see qmail-queue.8 and
 * qmail-send.8).
 *
 * Why: a message passes through five new inodes (mess, intd, info, local or remote,
 * the delivered file) and four of them are freed again. Creating an inode is where
 * a busy queue spends its file-system time: ext4 without a journal skips every
 * inode freed in the last minutes (recently_deleted), one buffer lookup each, so
 * under load each creation scans thousands of them. A file taken from a pool is a
 * link, an unlink and an open; a file given back is an lstat, a link and an
 * unlink. Its blocks are freed too, up to the first: on a file system mounted with
 * discard every freed block is a discard request the freeing process waits for
 * (0.1 ms each here, four per message), and every new block an allocation that the
 * file's fsync then writes; so a file keeps its first SPARE_KEEP bytes in the pool,
 * and whoever takes it writes over them and cuts the file where it stopped writing
 * (spare_cut) before it syncs it.
 *
 * A pool is a directory of at most SPARE_SLOTS files named 0, 1, ... A file moves
 * by a link to its new name (which fails when that name exists, so a give never
 * replaces a file already in a slot) and an unlink of its old one. Of several
 * processes taking the same slot, only one unlinks the slot's name; the others get
 * ENOENT and unlink the link they made. Not rename: a rename from one directory to
 * another takes a lock of the whole file system, and under load every process of
 * the queue waited for it. Processes that share a pool take from the files its
 * directory lists (qmail-queue; a few at most, starting at one its pid picks) and
 * give to SPARE_PROBES slots from a hint moved on each time (qmail-clean); they
 * fall back to create or unlink when none serves. Such a pool is split into
 * directories like mess/ (spare_part), so that fifty injections at once do not all
 * wait for one directory. A process that owns its pool (qmail-send) reads it once
 * (spare_map) and keeps the map of full slots, so it looks only where a file is,
 * or where one is not.
 *
 * Safety rules:
 *  - a file is given only when it is a regular file with one link, and it is cut
 *    to at most SPARE_KEEP bytes before it enters the pool (a file in a slot may
 *    be taken at any moment, so nothing may touch it there);
 *  - a taken file is checked again once it is ours (regular, one link, owned by
 *    our euid: a file with a second name, left by a crash between a link and its
 *    unlink or still being given, is refused; under a name made from its inode
 *    number, it must be that inode), given the mode a new file would have and
 *    the current times (qmail-clean and qmail-send judge age by them); anything
 *    else is unlinked and the caller creates a new file. It still holds
 *    an earlier file's bytes: the caller writes from offset 0 and calls
 *    spare_cut before its fsync, so the synced file is exactly what it wrote
 *    whatever it took (and a new file is cut at its end, which changes nothing);
 *    the bytes are those of a finished queue file of the same pool, which only
 *    the pool's owner can read;
 *  - the callers take a file only under a name that nothing reads before they have
 *    written and synced it (pid/, mess/ and intd/ before todo/ID exists, and
 *    qmail-send's files while todo/ID still exists), so a crash between the
 *    move and the write leaves nothing that is read as mail; and they give a
 *    file only when no other name of it can come back after a crash
 *    (qmail-clean gives intd/ID only after todo/ is synced).
 */
#include "spare.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fmt.h"
#include "queue.h"
#include "scan.h"

/* move - give the file from the name to instead: link, then unlink from; fails with
 * EEXIST when to exists, and with ENOENT (the link undone) when from went away
 * meanwhile, taken by another process */
static int move(const char *from, const char *to)
{
	int e;
	if (link(from, to) == -1)
		return -1;
	if (unlink(from) == 0)
		return 0;
	e = errno;
	unlink(to);
	errno = e;
	return -1;
}

/* spare_init - a pool at directory pool (a short name), no map, looked at from hint */
void spare_init(spare *sp, const char *pool, unsigned hint)
{
	size_t n = strlen(pool);
	memset(sp, 0, sizeof *sp);
	if (n >= sizeof sp->pool)
		n = sizeof sp->pool - 1; /* our own short names never are */
	memcpy(sp->pool, pool, n);
	sp->hint = hint;
}

/* spare_part - a pool at directory pool/N, N being part mod the split (a pool
 * shared by many processes is split, like mess/, so that they seldom contend for
 * one directory) */
void spare_part(spare *sp, const char *pool, uint64_t part, unsigned hint)
{
	char dir[QUEUE_PATHMAX];
	queue_name(dir, pool, part, 1);
	*strrchr(dir, '/') = 0;
	spare_init(sp, dir, hint);
}

static void mark(spare *sp, unsigned n, int full)
{
	uint64_t bit = (uint64_t)1 << (n % 64);
	if (full)
		sp->full[n / 64] |= bit;
	else
		sp->full[n / 64] &= ~bit;
}

/* spare_map - read the pool once: from now on this process alone takes and gives */
void spare_map(spare *sp)
{
	DIR *d = opendir(sp->pool);
	struct dirent *e;
	uint64_t n;
	memset(sp->full, 0, sizeof sp->full);
	sp->mapped = 1;
	if (!d)
		return; /* no pool: every take misses, every give finds the link failing */
	while ((e = readdir(d)) != 0)
		if (scan_u64_all(e->d_name, strlen(e->d_name), &n) && n < SPARE_SLOTS)
			mark(sp, (unsigned)n, 1);
	closedir(d);
}

/* next - the slot to look at after looked others: without a map the next one from
 * the hint, with one the first from the hint that is full (want 1) or empty (want
 * 0); SPARE_SLOTS when there is none or SPARE_PROBES were looked at in vain */
static unsigned next(spare *sp, unsigned looked, int want)
{
	unsigned from = sp->hint % SPARE_SLOTS, i, words = SPARE_SLOTS / 64;
	if (looked >= SPARE_PROBES)
		return SPARE_SLOTS;
	if (!sp->mapped)
		return (sp->hint + looked) % SPARE_SLOTS;
	/* a word of the map at a time: the hint's word from the hint on, the other
	 * words, then the hint's word again before the hint */
	for (i = 0; i <= words; ++i) {
		unsigned w = (from / 64 + i) % words;
		uint64_t bits = want ? sp->full[w] : ~sp->full[w];
		if (i == 0)
			bits &= ~(uint64_t)0 << (from % 64);
		else if (i == words)
			bits &= ((uint64_t)1 << (from % 64)) - 1;
		if (bits)
			return w * 64 + (unsigned)__builtin_ctzll(bits);
	}
	return SPARE_SLOTS;
}

/* slot - "pool/N" into s (QUEUE_PATHMAX bytes) */
static void slot(char *s, const char *pool, unsigned n)
{
	size_t len = strlen(pool);
	memcpy(s, pool, len);
	s[len++] = '/';
	s[len + fmt_u64(s + len, n)] = 0;
}

/* fit - make the file on fd, just taken, fit for use as a new file of mode (its
 * bytes stay until spare_cut); with ino, it must be that inode; 1 yes */
static int fit(int fd, mode_t mode, const uint64_t *ino)
{
	struct stat st;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) || st.st_nlink != 1 ||
	    st.st_uid != geteuid() || (ino && (uint64_t)st.st_ino != *ino))
		return 0;
	if ((st.st_mode & 07777) != mode && fchmod(fd, mode) == -1)
		return 0;
	return futimens(fd, 0) == 0;
}

/* claim_slot - move the file in slot n to dst; with name, to the name its inode
 * number gives, written into dst (*ino set). 1 done; 0 when the slot is empty,
 * was taken meanwhile, or (with name) holds no file to take; -1 on an error that
 * ends the take. A named take links the file it looked at, or one put in the slot
 * since, under that name: the caller checks the inode once the file is its own. */
static int claim_slot(const spare *sp, unsigned n, spare_namer *name, char *dst, uint64_t *ino)
{
	char s[QUEUE_PATHMAX];
	struct stat st;
	slot(s, sp->pool, n);
	if (name) {
		if (lstat(s, &st) == -1)
			return errno == ENOENT ? 0 : -1;
		if (!S_ISREG(st.st_mode) || st.st_nlink != 1)
			return 0;
		*ino = (uint64_t)st.st_ino;
		name(dst, *ino);
	}
	if (move(s, dst) == 0)
		return 1;
	/* ENOENT: another taker was first; EEXIST on a name made from the inode:
	 * another taker holds that file under it */
	return errno == ENOENT || (name && errno == EEXIST) ? 0 : -1;
}

/* claim_mapped - move a slot the map says is full to dst (see claim_slot); 1 done */
static int claim_mapped(spare *sp, spare_namer *name, char *dst, uint64_t *ino)
{
	unsigned looked, n;
	for (looked = 0; (n = next(sp, looked, 1)) < SPARE_SLOTS; ++looked) {
		int r;
		mark(sp, n, 0); /* taken now, or not there after all */
		r = claim_slot(sp, n, name, dst, ino);
		if (r > 0)
			sp->hint = n + 1;
		if (r)
			return r > 0;
	}
	return 0;
}

/* list - a shared pool's first slots, as its directory lists them: read again only
 * when every slot listed has been tried (qmail-queue takes two files from one
 * listing) */
static void list(spare *sp)
{
	struct dirent *e;
	uint64_t n;
	DIR *d = opendir(sp->pool);
	sp->nlist = 0;
	if (!d)
		return;
	while (sp->nlist < sizeof sp->list / sizeof sp->list[0] && (e = readdir(d)) != 0)
		if (scan_u64_all(e->d_name, strlen(e->d_name), &n) && n < SPARE_SLOTS)
			sp->list[sp->nlist++] = (unsigned)n;
	closedir(d);
}

/* claim_listed - for a shared pool: move one of the listed slots to dst (see
 * claim_slot), trying up to SPARE_PROBES of them from one the hint picks (so that
 * concurrent takers start at different files); a slot tried is never tried again;
 * 1 done */
static int claim_listed(spare *sp, spare_namer *name, char *dst, uint64_t *ino)
{
	unsigned i;
	if (!sp->nlist)
		list(sp);
	for (i = 0; i < SPARE_PROBES && sp->nlist; ++i) {
		unsigned k = sp->hint % sp->nlist, n = sp->list[k];
		int r;
		sp->list[k] = sp->list[--sp->nlist];
		r = claim_slot(sp, n, name, dst, ino);
		if (r > 0)
			++sp->hint;
		if (r)
			return r > 0;
	}
	return 0;
}

/* take - move a file from the pool to dst (see claim_slot) and open it for writing
 * at offset 0, fit for use (see fit); the descriptor, or -1 with dst gone */
static int take(spare *sp, spare_namer *name, char *dst, mode_t mode, uint64_t *ino)
{
	int fd;
	if (!(sp->mapped ? claim_mapped(sp, name, dst, ino) : claim_listed(sp, name, dst, ino)))
		return -1;
	fd = open(dst, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd != -1 && fit(fd, mode, name ? ino : 0) && fcntl(fd, F_SETFL, 0) == 0)
		return fd;
	if (fd != -1)
		close(fd);
	unlink(dst);
	return -1;
}

/* spare_take - move a file from the pool to dst, which must not exist, and open it
 * for writing at offset 0: of mode, with the current times, and with up to
 * SPARE_KEEP bytes of an earlier file that the caller writes over and then cuts
 * off with spare_cut. The descriptor (close-on-exec), or -1 when the pool has none
 * to give or the file was unfit; dst does not exist then, and the caller creates
 * it. */
int spare_take(spare *sp, const char *dst, mode_t mode)
{
	char d[QUEUE_PATHMAX];
	size_t n = strlen(dst);
	if (n >= sizeof d)
		return -1;
	memcpy(d, dst, n + 1);
	return take(sp, 0, d, mode, 0);
}

/* spare_take_named - spare_take under the name that name makes from the file's
 * inode number (into dst; the number into *ino), for a file whose name is its
 * inode, like mess/SPLIT/ID: no temporary name is needed to learn the number */
int spare_take_named(spare *sp, spare_namer *name, char *dst, mode_t mode, uint64_t *ino)
{
	return take(sp, name, dst, mode, ino);
}

/* spare_cut - end the file on fd, written from offset 0, where the writing stopped:
 * the bytes of a taken file's earlier life past it go; 1 done, 0 with errno. A file
 * that ends there already (it grew, or is new) is left alone: a truncate would be a
 * second update of the inode, under its locks, for nothing */
int spare_cut(int fd)
{
	struct stat st;
	off_t at = lseek(fd, 0, SEEK_CUR);
	if (at == -1 || fstat(fd, &st) == -1)
		return 0;
	return st.st_size == at || ftruncate(fd, at) == 0;
}

/* spare_give - retire path: cut it to its first SPARE_KEEP bytes and move it into
 * the pool, or unlink it when it is not a plain file with one link or no slot is
 * free. 1 when path is gone, 0 when it is still there (errno set). */
int spare_give(spare *sp, const char *path)
{
	char s[QUEUE_PATHMAX];
	struct stat st;
	unsigned looked, n;
	if (lstat(path, &st) == -1)
		return errno == ENOENT;
	if (S_ISREG(st.st_mode) && st.st_nlink == 1 &&
	    (st.st_size <= SPARE_KEEP || truncate(path, SPARE_KEEP) == 0))
		for (looked = 0; (n = next(sp, looked, 0)) < SPARE_SLOTS; ++looked) {
			slot(s, sp->pool, n);
			if (move(path, s) == 0) {
				sp->hint = n + 1;
				if (sp->mapped)
					mark(sp, n, 1);
				return 1;
			}
			if (errno != EEXIST)
				break;
			if (sp->mapped)
				mark(sp, n, 1); /* full after all */
		}
	sp->hint += sp->mapped ? 0 : SPARE_PROBES;
	return unlink(path) == 0 || errno == ENOENT;
}
