/*
 * driver.c - a main for the fuzz targets without libFuzzer: for AFL++ (make
 * fuzz-afl) and for replaying inputs under any compiler. With file arguments, each
 * file is one input; without, standard input is one input. Built by afl-clang-fast
 * it uses AFL++'s persistent mode on standard input (many inputs per process).
 *     afl-fuzz -i tests/fuzz/ns -o out -- build/afl/ns
 *     build/afl/ns crash-file...
 * DIAGNOSTICS: exit 0 when every input ran; 1 when a file cannot be read. A broken
 * invariant aborts (fuzz.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

#define DRIVER_MAX (1024 * 1024) /* longest input read; the rest is ignored */

#ifdef __AFL_FUZZ_TESTCASE_LEN
__AFL_FUZZ_INIT();
#endif

/* slurp - read at most DRIVER_MAX bytes of fd into buf; the count, or -1 */
static ssize_t slurp(int fd, unsigned char *buf)
{
	size_t n = 0;
	while (n < DRIVER_MAX) {
		ssize_t r = read(fd, buf + n, DRIVER_MAX - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	return (ssize_t)n;
}

/* one - run the target on the contents of fd; 1, or 0 when it cannot be read */
static int one(int fd, unsigned char *buf, const char *name)
{
	ssize_t n = slurp(fd, buf);
	if (n < 0) {
		fprintf(stderr, "driver: unable to read %s: %s\n", name, strerror(errno));
		return 0;
	}
	/* a copy of exactly n bytes, so that ASan sees any read past the input */
	{
		unsigned char *copy = malloc(n ? (size_t)n : 1);
		if (!copy) {
			fprintf(stderr, "driver: out of memory\n");
			return 0;
		}
		memcpy(copy, buf, (size_t)n);
		LLVMFuzzerTestOneInput(copy, (size_t)n);
		free(copy);
	}
	return 1;
}

int main(int argc, char **argv)
{
	unsigned char *buf;
	int i, ok = 1;
#ifdef __AFL_FUZZ_TESTCASE_LEN
	if (argc < 2) {
		__AFL_INIT();
		buf = __AFL_FUZZ_TESTCASE_BUF;
		while (__AFL_LOOP(10000)) {
			/* a copy of exactly the input, so ASan sees any read past it */
			size_t n = (size_t)__AFL_FUZZ_TESTCASE_LEN;
			unsigned char *copy = malloc(n ? n : 1);
			if (!copy)
				return 1;
			memcpy(copy, buf, n);
			LLVMFuzzerTestOneInput(copy, n);
			free(copy);
		}
		return 0;
	}
#endif
	buf = malloc(DRIVER_MAX);
	if (!buf) {
		fprintf(stderr, "driver: out of memory\n");
		return 1;
	}
	if (argc < 2)
		ok = one(0, buf, "standard input");
	for (i = 1; i < argc; ++i) {
		FILE *f = fopen(argv[i], "rb");
		if (!f) {
			fprintf(stderr, "driver: unable to open %s: %s\n", argv[i],
				strerror(errno));
			ok = 0;
			continue;
		}
		if (!one(fileno(f), buf, argv[i]))
			ok = 0;
		fclose(f);
	}
	free(buf);
	return ok ? 0 : 1;
}
