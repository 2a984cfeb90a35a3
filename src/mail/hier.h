/*
 * hier.h - the installed hierarchy under QMAILHOME as one table of data: every
 * directory, queue file, program, document and man page, with its owner and group
 * (by name, resolved when a tool runs) and its mode. instpackage creates the tree,
 * instchown sets owners and modes, instcheck verifies; all three walk this table,
 * so adding a program to the install is adding one line to hier.c.
 */
#ifndef HIER_H
#define HIER_H

#include <stddef.h>

#include "sa.h"

typedef enum hier_type_e {
	HIER_DIR,   /* a directory */
	HIER_SPLIT, /* a directory and its subdirectories 0..AUTO_SPLIT-1, same owner and mode */
	HIER_ZERO,  /* a regular file of size zero bytes, made only when missing (live data) */
	HIER_FIFO,  /* a named pipe, made only when missing */
	HIER_PROG,  /* a program, copied from BUILDDIR/bin/ + the last component of path */
	HIER_DOC,   /* a document, copied from the source tree file named like path's last part */
	HIER_MAN,   /* every page man/NAME.N of the source tree, as path/manN/NAME.N */
	HIER_FILE   /* (items only) a regular file copied from the item's src */
} hier_type;

typedef struct hier_entry_s {
	hier_type type;    /* what the entry is; never HIER_FILE */
	const char *path;  /* under QMAILHOME, no leading slash; "" is QMAILHOME itself */
	const char *user;  /* owner, an auto_user* name */
	const char *group; /* group, an auto_group* name */
	unsigned mode;     /* permission bits, with setuid, setgid and sticky */
	size_t size;       /* HIER_ZERO: length when made; instcheck checks it when not 0 */
	const char *from;  /* HIER_PROG, HIER_DOC: the source when its name is not path's
			      last part (a program in bin/, a file of the source tree); or 0 */
} hier_entry;

extern const hier_entry hier[];      /* the hierarchy; ends with an entry whose path is 0 */
extern const hier_entry hier_mini[]; /* mini-qmail's: no queue, qmail-queue is qmail-qmqpc */

/* One concrete thing to install: a table entry with splits and man pages expanded. */
typedef struct hier_item_s {
	hier_type type;    /* HIER_DIR, HIER_ZERO, HIER_FIFO or HIER_FILE */
	const char *rel;   /* path under QMAILHOME; "" for QMAILHOME itself */
	const char *path;  /* the full path: DESTDIR, QMAILHOME, rel */
	const char *src;   /* HIER_FILE: the file to copy; 0 when unknown (no builddir) */
	const char *user;  /* owner name */
	const char *group; /* group name */
	unsigned mode;     /* permission bits */
	size_t size;       /* HIER_ZERO: see hier_entry */
} hier_item;

/* Where a walk looks: the tree to install into and the trees to copy from. */
typedef struct hier_where_s {
	const char *destdir;  /* prefix of QMAILHOME (packaging); "" or 0 for none */
	const char *srcdir;   /* the source tree: man/ and documents */
	const char *builddir; /* the build directory (bin/); 0 when programs are not copied */
} hier_where;

typedef int (*hier_fn)(const hier_item *item, void *arg);

int hier_root(sa *root, const char *destdir);
int hier_walk(const hier_entry *table, const hier_where *where, hier_fn fn, void *arg);
int hier_dirfd(int rootfd, const char *rel, const char **base);

#endif
