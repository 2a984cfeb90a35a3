/*
 * execcost - the CPU cost of starting a program: fork+exec it N times, one after
 * another, and print the children's CPU time (user + system) per run.
 *
 *	cc -O2 -o /tmp/execcost bench/execcost.c
 *	/tmp/execcost N INPUT PROGRAM [ARG ...]
 *
 * Each run gets INPUT on fd 0 and /dev/null on fds 1 and 2, and this program's
 * environment (set it with env -). The CPU time comes from getrusage
 * (RUSAGE_CHILDREN), so it counts the child from fork to exit: the exec, the
 * dynamic loader's work (none for a static-pie program) and the program's own
 * run. The exit code of the first run is printed; a run that exits differently
 * is an error, so a misconfigured invocation cannot pass for a fast one.
 *
 * DIAGNOSTICS: exit 0 after N runs; 1 on usage or a system error; 2 when a run
 * exited with another status than the first.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* run_once - fork, exec argv with input on fd 0; the wait status, or -1 */
static int run_once(const char *input, char *const *argv)
{
	int status;
	pid_t pid = fork();
	if (pid == -1)
		return -1;
	if (pid == 0) {
		int in = open(input, O_RDONLY);
		int null = open("/dev/null", O_WRONLY);
		if (in == -1 || null == -1 || dup2(in, 0) != 0 || dup2(null, 1) != 1 ||
		    dup2(null, 2) != 2)
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

/* usec - a timeval in microseconds */
static double usec(struct timeval tv)
{
	return (double)tv.tv_sec * 1e6 + (double)tv.tv_usec;
}

int main(int argc, char **argv)
{
	struct rusage ru;
	struct timespec t0, t1;
	long i, n;
	int first = -1;
	double cpu, wall;
	if (argc < 4 || (n = strtol(argv[1], 0, 10)) <= 0) {
		fprintf(stderr, "usage: execcost N INPUT PROGRAM [ARG ...]\n");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; ++i) {
		int status = run_once(argv[2], argv + 3);
		if (status == -1) {
			perror("execcost: fork or wait");
			return 1;
		}
		if (i == 0)
			first = status;
		else if (status != first) {
			fprintf(stderr, "execcost: run %ld: status %d, the first run had %d\n", i,
				status, first);
			return 2;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (getrusage(RUSAGE_CHILDREN, &ru) == -1) {
		perror("execcost: getrusage");
		return 1;
	}
	cpu = (usec(ru.ru_utime) + usec(ru.ru_stime)) / (double)n;
	wall = ((double)(t1.tv_sec - t0.tv_sec) * 1e6 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e3) /
	       (double)n;
	printf("%s: %ld runs, exit %d: cpu %.0f us/run (user %.0f, sys %.0f), wall %.0f us/run\n",
	       argv[3], n, WIFEXITED(first) ? WEXITSTATUS(first) : -1, cpu,
	       usec(ru.ru_utime) / (double)n, usec(ru.ru_stime) / (double)n, wall);
	return 0;
}
