/* fdpass.c - tests for passing descriptors over a Unix-domain socket */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fdpass.h"
#include "harness.h"

/* pair - a connected Unix-domain stream socket pair */
static void pair(int s[2])
{
	T_OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s) == 0);
}

/* t_roundtrip - a pipe's write end goes over, arrives close-on-exec, and works */
static void t_roundtrip(void)
{
	int s[2], p[2], got = -1;
	char c = 0;
	pair(s);
	T_OK(pipe(p) == 0);
	T_OK(fdpass_send(s[0], p[1]));
	T_OK(close(p[1]) == 0); /* the sender's copy goes; the passed one stays open */
	T_EQ_U(fdpass_recv(s[1], &got), 1);
	T_OK(got >= 0 && got != s[1]);
	T_OK((fcntl(got, F_GETFD) & FD_CLOEXEC) != 0);
	T_OK(write(got, "z", 1) == 1 && read(p[0], &c, 1) == 1 && c == 'z');
	close(got);
	close(p[0]);
	close(s[0]);
	close(s[1]);
}

/* t_order - two descriptors sent in a row arrive one by one, in order; then nothing
 * waits (EAGAIN), and a closed sender is end of file */
static void t_order(void)
{
	int s[2], a[2], b[2], x = -1, y = -1;
	char c = 0;
	pair(s);
	T_OK(pipe(a) == 0 && pipe(b) == 0);
	T_OK(fdpass_send(s[0], a[1]) && fdpass_send(s[0], b[1]));
	T_EQ_U(fdpass_recv(s[1], &x), 1);
	T_EQ_U(fdpass_recv(s[1], &y), 1);
	T_OK(write(x, "a", 1) == 1 && read(a[0], &c, 1) == 1 && c == 'a');
	T_OK(write(y, "b", 1) == 1 && read(b[0], &c, 1) == 1 && c == 'b');
	errno = 0;
	T_EQ_U(fdpass_recv(s[1], &x) == -1 && errno == EAGAIN, 1);
	close(s[0]);
	T_EQ_U(fdpass_recv(s[1], &x), 0);
	close(y);
	close(a[0]);
	close(a[1]);
	close(b[0]);
	close(b[1]);
	close(s[1]);
}

/* t_plain - a byte without a descriptor is refused (EPROTO) */
static void t_plain(void)
{
	int s[2], x = -1;
	pair(s);
	T_OK(write(s[0], "F", 1) == 1);
	errno = 0;
	T_EQ_U(fdpass_recv(s[1], &x) == -1 && errno == EPROTO, 1);
	T_OK(x == -1);
	close(s[0]);
	close(s[1]);
}

/* t_closed - sending to a socket whose reader is gone fails (EPIPE, no signal) */
static void t_closed(void)
{
	int s[2];
	pair(s);
	close(s[1]);
	errno = 0;
	T_OK(!fdpass_send(s[0], 0) && errno == EPIPE);
	close(s[0]);
}

const t_case t_cases[] = {
	T_CASE(t_roundtrip), T_CASE(t_order), T_CASE(t_plain), T_CASE(t_closed), T_END,
};
