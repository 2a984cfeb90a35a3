/*
 * send.h - qmail-send's state and the entry points of its modules. One struct send
 * holds everything; main.c owns the only instance and passes it down.
 *   log.c      log lines on fd 0 (SPEC section 16)
 *   rec.c      NUL-terminated records of queue files; small sets of ids
 *   clean.c    requests to qmail-clean; the periodic sweep for stale files
 *   todo.c     the trigger, todo/ scans, preprocessing todo/ID -> info, local, remote
 *   sched.c    per-channel schedules, the startup scan of info/, SIGALRM, shutdown
 *   deliver.c  the spawners: passes through channel files, commands, reports
 *   finish.c   bounce paragraphs, bounce injection, removal of finished messages
 *   ctl.c      the administrator's requests in ctl/: hold, release, requeue, remove
 *   loop.c     the poll loop and signals
 */
#ifndef SEND_H
#define SEND_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "pq.h"
#include "rewrite.h"
#include "sa.h"
#include "spare.h"
#include "spawn.h"
#include "syncq.h"

#define CHAN_LOCAL  0 /* indexes of s->ch; also the REWRITE_ channel values' order */
#define CHAN_REMOTE 1
#define NCHAN       2

#define TODO_EVERY    1500   /* seconds between todo/ scans without a trigger (25 min) */
#define CLEAN_EVERY   76431  /* seconds between sweeps for stale files (~21 h) */
#define STALE_AGE     129600 /* a mess file unread this long (36 h) may be stale */
#define BOUNCE_WAIT   10     /* seconds before retrying a bounce paragraph that failed */
#define INJECT_WAIT   60     /* seconds before retrying a bounce that could not be queued */
#define TODO_BATCH    32     /* todo entries preprocessed and synced together */
#define CLEAN_BATCH   64     /* most requests sent to qmail-clean at once */
#define CLEAN_PENDMAX 256    /* requests awaiting qmail-clean's answer */
#define CTL_WAIT      2      /* seconds before retrying a request that has to wait */

#define REC_LONG 1 /* rec_get: the record was longer than asked for; the rest is skipped */
#define REC_CUT  2 /* rec_get: the file ended before the record's NUL */

typedef struct idset_s {
	uint64_t *v; /* the ids, in no order; owned */
	size_t n;    /* ids in use */
	size_t a;    /* ids allocated */
} idset;

#define DEST_OPEN 0 /* recipient states: report awaited */
#define DEST_WAIT 1 /* permanent failure reported, bounce paragraph not yet written */
#define DEST_DONE 2 /* finished */

typedef struct dest_s {
	uint64_t num;   /* delivery number, for the log: one per recipient */
	uint64_t off;   /* offset of the recipient's T record in the channel file */
	size_t at;      /* offset of the recipient in the slot's rcpt */
	int state;      /* DEST_OPEN, DEST_WAIT or DEST_DONE */
	uint64_t retry; /* when waiting: the time to try writing the paragraph again */
	sa text;        /* when waiting: the failure report */
} dest;

typedef struct slot_s {
	int busy;       /* a delivery is forming, running, or has failures to record */
	int forming;    /* recipients are still being gathered; no command sent yet */
	size_t job;     /* the job the delivery belongs to */
	size_t n;       /* recipients of the delivery (1..chan's max) */
	size_t got;     /* reports received, in recipient order */
	size_t open;    /* recipients not finished */
	dest *t;        /* the recipients; chan's max entries */
	sa rcpt;        /* the recipients, each NUL-terminated */
	sa sender;      /* their envelope sender (VERP expanded), NUL-terminated */
	size_t dom;     /* offset in rcpt of the first recipient's domain */
	size_t domlen;  /* its length; 0 when it has none (then no other recipient joins) */
	int waiting;    /* some recipient is DEST_WAIT */
	uint64_t retry; /* when waiting: the earliest retry of its recipients */
} slot;

typedef struct job_s {
	int used;        /* this entry is in use */
	uint64_t id;     /* message id */
	int chan;        /* CHAN_LOCAL or CHAN_REMOTE */
	uint64_t birth;  /* mtime of info/SPLIT/ID */
	uint64_t due;    /* when this pass was due */
	int dying;       /* older than queuelifetime: temporary failures become permanent */
	size_t refs;     /* deliveries not yet finished */
	int passing;     /* the channel file is still being read */
	int left;        /* some recipient is still to be delivered */
	int interrupted; /* the pass stopped before the end of the file */
	int held;        /* a hold or remove request came: start no more deliveries */
	sa sender;       /* envelope sender from info, NUL-terminated */
} job;

typedef struct pass_s {
	int open;         /* a channel file is being read */
	size_t job;       /* its job */
	int fd;           /* the channel file */
	buf in;           /* reads from fd */
	char space[4096]; /* storage for in */
	uint64_t off;     /* offset of the next record */
} pass;

typedef struct cleanreq_s {
	uint64_t id;   /* the message */
	int todo;      /* removes todo/ID (else the finished message's files) */
	unsigned mask; /* todo: the channels that got recipients */
} cleanreq;

typedef struct chan_s {
	const char *name; /* "local" or "remote" */
	int wfd;          /* commands to the spawner */
	int rfd;          /* reports from the spawner */
	uint64_t skip;    /* retry schedule constant */
	unsigned conc;    /* concurrency: min(control file, spawner's limit) */
	unsigned used;    /* busy slots */
	size_t max;       /* most recipients in one delivery: 1 local, SPAWN_RCPTMAX remote */
	unsigned forming; /* slots gathering recipients of the pass's message */
	int alive;        /* the spawner is still connected */
	slot *slots;      /* conc slots */
	sa out;           /* command bytes not yet written */
	size_t outpos;    /* bytes of out already written */
	spawn_rep rep;    /* the report being read */
	pq wait;          /* (due time, id) of messages waiting for a pass */
	pq held;          /* (due time, id) of waiting messages that are held */
	pass p;           /* the pass in progress */
} chan;

typedef struct send_s {
	int homefd;                        /* QMAILHOME, for rereading controls */
	int queuefd;                       /* QMAILHOME/queue, the working directory */
	sa me;                             /* control/me, NUL-terminated ("" when absent) */
	sa bouncefrom;                     /* control/bouncefrom */
	sa bouncehost;                     /* control/bouncehost */
	sa dbhost;                         /* control/doublebouncehost */
	sa dbto;                           /* control/doublebounceto */
	uint64_t lifetime;                 /* control/queuelifetime */
	uint64_t maxbytes;                 /* control/bouncemaxbytes */
	rewrite rw;                        /* locals, percenthack, virtualdomains, envnoathost */
	chan ch[NCHAN];                    /* the two delivery channels */
	job *jobs;                         /* njobs entries */
	size_t njobs;                      /* enough for one pass and every slot of each channel */
	uint64_t delnum;                   /* last delivery number used */
	int exitasap;                      /* SIGTERM or a lost connection: finish and exit */
	int cleanlost;                     /* qmail-clean's pipes are closed */
	cleanreq cleanpend[CLEAN_PENDMAX]; /* unanswered requests, a ring (clean.c) */
	size_t cleanfirst;                 /* the oldest of them */
	size_t cleann;                     /* how many there are */
	size_t cleantodo;                  /* how many of them remove todo entries */
	struct batch_s *batch;             /* todo entries being synced (todo.c) */
	syncq sq;                          /* their fsyncs */
	pq done;                           /* (time, id) of messages with no channel file left */
	int trigfd;                        /* lock/trigger, or -1 */
	int todo_trig;                     /* scan todo/ soon: the trigger fired or SIGALRM */
	uint64_t todo_next;                /* time of the next scan without a trigger */
	pq todo;                           /* (id, id) of todo entries still to preprocess */
	idset todo_bad;                    /* corrupt todo entries, set aside */
	idset todo_unclean;        /* preprocessed entries that qmail-clean did not remove */
	uint64_t clean_next;       /* time of the next sweep for stale files */
	int ctl_trig;              /* read ctl/ soon: the trigger fired or SIGALRM */
	uint64_t ctl_next;         /* time of the next reading of ctl/ without a trigger */
	struct timespec ctl_mtime; /* ctl/'s settled mtime at the last reading, or zero */
	size_t holds;              /* markers in hold/ (ctl.c); 0: no message is held */
	spare spare;               /* sspare/: spare files for info, local, remote */
	unsigned clean_step;       /* directory the sweep is in; CLEAN_IDLE when not sweeping */
	sa para;                   /* scratch: a bounce paragraph */
	sa info;                   /* scratch: info/SPLIT/ID being read */
	sa line;                   /* scratch: the log line being built */
	sa tmp;                    /* scratch */
	sa tmp2;                   /* scratch */
} send;

#define CLEAN_IDLE ((unsigned)-1)

/* log.c */
void log_put(const char *s, ...) __attribute__((sentinel));
void log_safe(sa *line, const char *s, size_t n);
void log_end(sa *line);
void log_nomem(void);
char *log_u(char *b, uint64_t u);

/* rec.c */
int rec_get(buf *b, sa *rec, size_t max, uint64_t *len, unsigned *flags);
int idset_has(const idset *x, uint64_t id);
int idset_add(idset *x, uint64_t id);
void idset_del(idset *x, uint64_t id);

/* clean.c */
int clean_reqs(send *s, const char *dir, const uint64_t *id, size_t n, char *reply);
int clean_req(send *s, const char *dir, uint64_t id);
void clean_finished(send *s, uint64_t id);
int clean_todo(send *s, const uint64_t *id, const unsigned *mask, size_t n);
void clean_answers(send *s, int all);
int clean_pending(const send *s, uint64_t id);
void clean_step(send *s, uint64_t now);

/* todo.c */
void todo_scan(send *s, uint64_t now);
void todo_step(send *s, uint64_t now);
int todo_init(send *s);
int todo_busy(const send *s);
void todo_synced(send *s);
void todo_cleaned(send *s, uint64_t id, unsigned mask, char r, uint64_t now);
void todo_end(send *s);

/* sched.c */
void sched_push(send *s, int c, uint64_t id, uint64_t when);
void sched_rescan(send *s, uint64_t now);
void sched_alarm(send *s, uint64_t now);
void sched_shutdown(send *s);
uint64_t sched_wake(send *s, uint64_t now);

/* deliver.c */
int deliver_init(send *s);
void deliver_start(send *s, uint64_t now);
void deliver_flush(send *s, int c);
void deliver_reports(send *s, int c, uint64_t now);
void deliver_retry(send *s, uint64_t now);
void deliver_stop(send *s, uint64_t now);
int deliver_canexit(const send *s);
void deliver_status(const send *s);

/* finish.c */
int finish_para(send *s, uint64_t id, int c, const char *rcpt, const char *text, size_t tlen);
void finish_add(send *s, uint64_t id, uint64_t when);
void finish_step(send *s, uint64_t now);

/* ctl.c */
void ctl_init(send *s);
void ctl_scan(send *s, uint64_t now);
void ctl_ended(send *s, uint64_t id);
int ctl_held(const send *s, uint64_t id);

/* loop.c */
void loop_run(send *s);

/* main.c */
void send_reread(send *s);

#endif
