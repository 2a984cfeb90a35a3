/*
 * qmail-qctl - hold, release, requeue or remove queued messages by number.
 * usage: qmail-qctl [-t SECONDS] hold|release|requeue|remove ID...
 *
 * ID is the message number qmail-qread shows (a leading '#' is allowed). While
 * qmail-send runs (it holds lock/sendmutex) the queue is its own: for each ID this
 * tool leaves a request in queue/ctl/ (qctl.h), pulls the trigger, and waits up to
 * SECONDS (default 30) for qmail-send to carry the requests out and remove them.
 * When qmail-send is not running, this tool takes lock/sendmutex itself, so that
 * qmail-send cannot start meanwhile, and does only what is safe without it:
 *   hold     creates queue/hold/ID
 *   release  removes queue/hold/ID
 *   requeue  sets the times of local/SPLIT/ID and remote/SPLIT/ID to now (the due
 *            time qmail-send reads at startup)
 *   remove   leaves its request, carried out when qmail-send starts (only qmail-send
 *            and qmail-clean may remove the message's files)
 * Runs as root (then gives up root for qmails and the queue group) or as qmails.
 *
 * DIAGNOSTICS: 0 every request was carried out (or, for remove, left for the next
 * start); 100 usage, or an ID that is not in the queue; 111 a request is still
 * pending after SECONDS, or a system error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "auto.h"
#include "die.h"
#include "error.h"
#include "file.h"
#include "fmt.h"
#include "lock.h"
#include "qctl.h"
#include "qtool.h"
#include "queue.h"
#include "scan.h"
#include "tm.h"

#define ARGS_MAX  1000 /* message numbers per run */
#define WAIT_STEP 50   /* milliseconds between looks at ctl/ while waiting */

static struct {
	int verb;                           /* QCTL_ */
	uint64_t wait;                      /* seconds to wait for qmail-send */
	uint64_t id[ARGS_MAX];              /* the messages */
	char path[ARGS_MAX][QCTL_NAME + 4]; /* their requests "ctl/NAME", once made */
	size_t n;                           /* messages given */
	uint64_t last;                      /* last request time used, kept increasing */
	int rc;                             /* exit code so far */
} g;

/* usage - the one usage exit */
static _Noreturn void usage(void)
{
	die_x(100, "usage: qmail-qctl [-t SECONDS] hold|release|requeue|remove ID...", NULL);
}

/* args - options, verb and message numbers */
static void args(int argc, char **argv)
{
	int i = 1;
	g.wait = 30;
	if (i + 1 < argc && !strcmp(argv[i], "-t")) {
		if (!scan_u64_all(argv[i + 1], strlen(argv[i + 1]), &g.wait) || g.wait > 86400)
			usage();
		i += 2;
	}
	if (i >= argc || !(g.verb = qctl_verb(argv[i])))
		usage();
	for (++i; i < argc; ++i) {
		const char *a = argv[i] + (argv[i][0] == '#');
		if (g.n == ARGS_MAX)
			die_x(100, "too many message numbers", NULL);
		if (!scan_u64_all(a, strlen(a), &g.id[g.n]))
			die_x(100, "not a message number: ", argv[i], NULL);
		++g.n;
	}
	if (!g.n)
		usage();
}

/* exists - whether path exists; errors other than ENOENT are fatal */
static int exists(const char *path)
{
	struct stat st;
	if (stat(path, &st) == 0)
		return 1;
	if (errno != ENOENT)
		die_sys(111, "unable to stat ", path, NULL);
	return 0;
}

/* known - whether message id is in the queue; errors other than ENOENT are fatal */
static int known(uint64_t id)
{
	char path[QUEUE_PATHMAX];
	int r = queue_known(path, id);
	if (r < 0)
		die_sys(111, "unable to stat ", path, NULL);
	return r;
}

/* say - "VERB msg ID: what" on stdout */
static void say(uint64_t id, const char *what)
{
	char num[FMT_U64];
	num[fmt_u64(num, id)] = 0;
	msg_put(1, qctl_word(g.verb), " msg ", num, ": ", what, NULL);
}

/* request - write the request for id as ctl/NAME (temporary name, fsync, rename,
 * fsync ctl/), so qmail-send never sees half a request */
static void request(size_t k)
{
	char line[QCTL_MAX], tmp[QCTL_NAME + 16], num[FMT_U64];
	const char *path = g.path[k];
	uint64_t t = tm_now_usec();
	size_t n = qctl_format(line, g.verb, g.id[k]);
	int fd;
	if (t <= g.last)
		t = g.last + 1;
	g.last = t;
	memcpy(g.path[k], "ctl/", 4);
	qctl_name(g.path[k] + 4, t, (uint64_t)getpid());
	memcpy(tmp, "ctl/tmp.", 8);
	num[fmt_u64(num, (uint64_t)getpid())] = 0;
	memcpy(tmp + 8, num, strlen(num) + 1);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd == -1)
		die_sys(111, "unable to create ", tmp, NULL);
	if (write(fd, line, n) != (ssize_t)n || fsync(fd) == -1 || close(fd) == -1) {
		unlink(tmp);
		die_sys(111, "unable to write ", tmp, NULL);
	}
	if (rename(tmp, path) == -1) {
		unlink(tmp);
		die_sys(111, "unable to rename ", tmp, NULL);
	}
	if (!file_syncdir("ctl"))
		die_sys(111, "unable to sync ctl", NULL);
}

/* pending - whether request k is still in ctl/ */
static int pending(size_t k)
{
	return g.path[k][0] && exists(g.path[k]);
}

/* live - qmail-send runs: leave the requests, wait for them to go */
static void live(void)
{
	uint64_t end = tm_mono_ms() + g.wait * 1000;
	size_t k, left;
	for (k = 0; k < g.n; ++k)
		if (known(g.id[k]))
			request(k);
	queue_trigger();
	for (;;) {
		for (left = k = 0; k < g.n; ++k)
			left += (size_t)pending(k);
		if (!left || tm_mono_ms() >= end)
			break;
		usleep(WAIT_STEP * 1000);
	}
	for (k = 0; k < g.n; ++k)
		if (!g.path[k][0])
			continue;
		else if (pending(k)) {
			say(g.id[k], "pending: qmail-send has not acted on it yet");
			if (g.rc == 0)
				g.rc = 111;
		} else
			say(g.id[k], "done");
}

/* touch - set the times of path to now, if it exists */
static void touch(const char *path)
{
	if (utimes(path, 0) == -1 && errno != ENOENT)
		die_sys(111, "unable to set the times of ", path, NULL);
}

/* stopped - qmail-send is not running (and cannot start: we hold its lock) */
static void stopped(void)
{
	char path[QUEUE_PATHMAX];
	size_t k;
	int fd;
	for (k = 0; k < g.n; ++k) {
		uint64_t id = g.id[k];
		if (!known(id))
			continue;
		queue_name(path, "hold", id, 0);
		switch (g.verb) {
		case QCTL_HOLD:
			fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
			if (fd == -1 || close(fd) == -1)
				die_sys(111, "unable to create ", path, NULL);
			break;
		case QCTL_RELEASE:
			if (unlink(path) == -1 && errno != ENOENT)
				die_sys(111, "unable to unlink ", path, NULL);
			break;
		case QCTL_REQUEUE:
			queue_name(path, "local", id, 1);
			touch(path);
			queue_name(path, "remote", id, 1);
			touch(path);
			break;
		default:
			request(k);
			say(id, "qmail-send is not running; done when it starts");
			continue;
		}
		say(id, "done (qmail-send is not running)");
	}
	if (!file_syncdir("hold"))
		die_sys(111, "unable to sync hold", NULL);
}

/* run - check each number, then act through qmail-send or directly */
static void run(void)
{
	char num[FMT_U64];
	size_t k;
	int fd = open("lock/sendmutex", O_RDWR | O_CLOEXEC);
	if (fd == -1)
		die_sys(111, "unable to open lock/sendmutex", NULL);
	if (!exists("ctl") || !exists("hold"))
		die_x(111, "no queue/ctl or queue/hold: run make setup to create them", NULL);
	for (k = 0; k < g.n; ++k)
		if (!known(g.id[k])) {
			num[fmt_u64(num, g.id[k])] = 0;
			warn_x("no message ", num, " in the queue", NULL);
			g.rc = 100;
		}
	if (lock_exnb(fd))
		stopped();
	else if (errno == EWOULDBLOCK || errno == EAGAIN)
		live();
	else
		die_sys(111, "unable to lock lock/sendmutex", NULL);
	close(fd);
}

int main(int argc, char **argv)
{
	die_init(argv[0]);
	args(argc, argv);
	qtool_become();
	if (chdir(auto_qmail) == -1)
		die_sys(111, "unable to switch to ", auto_qmail, NULL);
	if (chdir("queue") == -1)
		die_sys(111, "unable to switch to ", auto_qmail, "/queue", NULL);
	umask(077);
	run();
	return g.rc;
}
