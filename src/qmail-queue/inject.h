/*
 * inject.h - the injection sequence of qmail-queue (SPEC section 3).
 */
#ifndef INJECT_H
#define INJECT_H

#include <stdint.h>
#include <sys/types.h>

#include "buf.h"
#include "queue.h"
#include "spare.h"

#define INJECT_ADDRMAX 1002 /* longest envelope address; one more byte is exit 11 */

typedef struct inject_s {
	uint64_t id;                  /* the message number: the mess file's inode */
	uid_t uid;                    /* real uid of the caller */
	pid_t pid;                    /* our pid, the "qp" in logs */
	int messfd;                   /* the mess file while it is written */
	int intdfd;                   /* the intd file while it is written */
	spare sp;                     /* queue/qpool/N, N our pid mod the split */
	int made;                     /* how far we got: 1 mess linked, 2 intd created */
	char pidname[QUEUE_PATHMAX];  /* pid/PID.TIME.SEQ */
	char messname[QUEUE_PATHMAX]; /* mess/SPLIT/ID */
	char intdname[QUEUE_PATHMAX]; /* intd/ID */
	char todoname[QUEUE_PATHMAX]; /* todo/ID */
	char messdir[QUEUE_PATHMAX];  /* mess/SPLIT */
	buf in;                       /* fd 0 (message), then fd 1 (envelope) */
	buf out;                      /* the file being written */
	char inspace[65536];          /* storage for in */
	char outspace[65536];         /* storage for out */
} inject;

int inject_run(inject *in);

#endif
