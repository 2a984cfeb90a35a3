/* wait.c - tests for waiting for children and reading their status */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "wait.h"

static volatile sig_atomic_t usr1; /* SIGUSR1s handled */

static void on_usr1(int sig)
{
	(void)sig;
	usr1++;
}

/* nap - sleep for ms milliseconds */
static void nap(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, 0);
}

static void t_exit_codes(void)
{
	static const int codes[] = {0, 1, 100, 111, 255};
	size_t i;
	for (i = 0; i < sizeof codes / sizeof codes[0]; ++i) {
		int status = -1;
		pid_t pid = fork();
		if (pid == 0)
			_exit(codes[i]);
		T_OK(pid > 0);
		T_EQ_U(wait_pid(pid, &status), pid);
		T_OK(wait_exited(status));
		T_EQ_U(wait_exitcode(status), codes[i]);
		T_OK(!wait_crashed(status));
		T_EQ_U(wait_termsig(status), 0);
		T_EQ_U(wait_stopsig(status), 0);
	}
}

static void t_killed(void)
{
	int status = -1;
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGTERM, SIG_DFL);
		raise(SIGTERM);
		_exit(1);
	}
	T_OK(pid > 0);
	T_EQ_U(wait_pid(pid, &status), pid);
	T_OK(wait_crashed(status));
	T_EQ_U(wait_termsig(status), SIGTERM);
	T_OK(!wait_exited(status));
	T_EQ_U(wait_exitcode(status), (unsigned long long)-1);
	T_EQ_U(wait_stopsig(status), 0);

	pid = fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	T_OK(pid > 0);
	T_OK(kill(pid, SIGKILL) == 0);
	T_EQ_U(wait_pid(pid, 0), pid); /* a null status is allowed */
	T_OK(wait_pid(pid, &status) < 0 && errno == ECHILD);
}

static void t_stopped(void)
{
	int status = -1;
	pid_t pid = fork();
	if (pid == 0) {
		raise(SIGSTOP);
		_exit(3);
	}
	T_OK(pid > 0);
	T_OK(waitpid(pid, &status, WUNTRACED) == pid);
	T_EQ_U(wait_stopsig(status), SIGSTOP);
	T_OK(!wait_crashed(status));
	T_OK(!wait_exited(status));
	T_EQ_U(wait_exitcode(status), (unsigned long long)-1);
	T_OK(kill(pid, SIGKILL) == 0);
	T_EQ_U(wait_pid(pid, &status), pid);
	T_EQ_U(wait_termsig(status), SIGKILL);
}

static void t_nohang(void)
{
	int p[2], status = 12345, i;
	pid_t pid, quick, r = 0;
	char c;
	errno = 0;
	T_EQ_U(wait_nohang(&status), (unsigned long long)-1);
	T_EQ_U(errno, ECHILD);
	errno = 0;
	T_EQ_U(wait_pid(-1, &status), (unsigned long long)-1);
	T_EQ_U(errno, ECHILD);
	T_EQ_U(status, 12345);

	T_OK(pipe(p) == 0);
	pid = fork();
	if (pid == 0) {
		close(p[1]);
		_exit(read(p[0], &c, 1) == 0 ? 7 : 8);
	}
	T_OK(pid > 0);
	close(p[0]);
	/* a child that has not ended: 0, and the status is left alone */
	T_EQ_U(wait_nohang(&status), 0);
	T_EQ_U(status, 12345);

	quick = fork();
	if (quick == 0)
		_exit(9);
	T_OK(quick > 0);
	for (i = 0; i < 5000 && (r = wait_nohang(&status)) == 0; ++i)
		nap(1);
	T_EQ_U(r, quick);
	T_EQ_U(wait_exitcode(status), 9);
	T_EQ_U(wait_nohang(&status), 0);

	close(p[1]);
	T_EQ_U(wait_pid(pid, &status), pid);
	T_EQ_U(wait_exitcode(status), 7);
	T_EQ_U(wait_nohang(&status), (unsigned long long)-1);
}

/* t_eintr - signals handled while waiting (no SA_RESTART) do not end wait_pid */
static void t_eintr(void)
{
	struct sigaction sa, old;
	int status = -1, i;
	pid_t parent = getpid(), pid;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sigemptyset(&sa.sa_mask);
	T_OK(sigaction(SIGUSR1, &sa, &old) == 0);
	usr1 = 0;
	pid = fork();
	if (pid == 0) {
		for (i = 0; i < 5; ++i) {
			nap(20);
			kill(parent, SIGUSR1);
		}
		nap(20);
		_exit(42);
	}
	T_OK(pid > 0);
	T_EQ_U(wait_pid(pid, &status), pid);
	T_EQ_U(wait_exitcode(status), 42);
	T_OK(usr1 >= 1);
	T_OK(sigaction(SIGUSR1, &old, 0) == 0);
}

const t_case t_cases[] = {
	T_CASE(t_exit_codes), T_CASE(t_killed), T_CASE(t_stopped),
	T_CASE(t_nohang),     T_CASE(t_eintr),  T_END,
};
