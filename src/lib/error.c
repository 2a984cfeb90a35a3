/*
 * error.c - errno to text. Our own short lower-case wording, so that log lines and
 * bounce texts read the same whatever the C library's locale or version.
 */
#include "error.h"

#include <errno.h>
#include <stddef.h>

static const struct {
	int e;            /* errno value */
	const char *text; /* what we print */
} table[] = {
	{0, "no error"},
	{EPERM, "permission denied"},
	{ENOENT, "file does not exist"},
	{ESRCH, "no such process"},
	{EINTR, "interrupted system call"},
	{EIO, "input/output error"},
	{ENXIO, "device not configured"},
	{E2BIG, "argument list too long"},
	{ENOEXEC, "exec format error"},
	{EBADF, "file descriptor not open"},
	{ECHILD, "no child processes"},
	{EAGAIN, "temporary failure"},
	{ENOMEM, "out of memory"},
	{EACCES, "access denied"},
	{EFAULT, "bad address"},
	{EBUSY, "device busy"},
	{EEXIST, "file already exists"},
	{EXDEV, "cross-device link"},
	{ENODEV, "device not supported"},
	{ENOTDIR, "not a directory"},
	{EISDIR, "is a directory"},
	{EINVAL, "invalid argument"},
	{ENFILE, "system cannot open more files"},
	{EMFILE, "process cannot open more files"},
	{ENOTTY, "not a tty"},
	{ETXTBSY, "text busy"},
	{EFBIG, "file too big"},
	{ENOSPC, "out of disk space"},
	{ESPIPE, "unseekable descriptor"},
	{EROFS, "read-only file system"},
	{EMLINK, "too many links"},
	{EPIPE, "broken pipe"},
	{EDOM, "input out of range"},
	{ERANGE, "output out of range"},
	{EDEADLK, "operation would cause deadlock"},
	{ENAMETOOLONG, "file name too long"},
	{ENOLCK, "no locks available"},
	{ENOSYS, "system call not available"},
	{ENOTEMPTY, "directory not empty"},
	{ELOOP, "too many symbolic links"},
	{EOVERFLOW, "value too large"},
	{EWOULDBLOCK, "input/output would block"},
	{EINPROGRESS, "operation in progress"},
	{EALREADY, "operation already in progress"},
	{ENOTSOCK, "not a socket"},
	{EMSGSIZE, "message too long"},
	{EPROTONOSUPPORT, "protocol not supported"},
	{EAFNOSUPPORT, "address family not supported"},
	{EADDRINUSE, "address already used"},
	{EADDRNOTAVAIL, "address not available"},
	{ENETDOWN, "network down"},
	{ENETUNREACH, "network unreachable"},
	{ECONNABORTED, "connection aborted"},
	{ECONNRESET, "connection reset"},
	{ENOBUFS, "out of buffer space"},
	{EISCONN, "already connected"},
	{ENOTCONN, "not connected"},
	{ETIMEDOUT, "timed out"},
	{ECONNREFUSED, "connection refused"},
	{EHOSTDOWN, "host down"},
	{EHOSTUNREACH, "host unreachable"},
	{EDQUOT, "disk quota exceeded"},
	{ESTALE, "stale NFS file handle"},
	{ENOTSUP, "operation not supported"},
	{EILSEQ, "illegal byte sequence"},
	{EPROTO, "protocol error"},
};

/* error_str - the text for errno value e ("error" for values we do not know) */
const char *error_str(int e)
{
	size_t i;
	for (i = 0; i < sizeof table / sizeof table[0]; ++i)
		if (table[i].e == e)
			return table[i].text;
	return "unknown error";
}

/* error_temp - whether e is worth retrying later (a temporary failure) */
int error_temp(int e)
{
	switch (e) {
	case EINTR:
	case EAGAIN:
#if EWOULDBLOCK != EAGAIN
	case EWOULDBLOCK:
#endif
	case ENOMEM:
	case ENFILE:
	case EMFILE:
	case ENOSPC:
	case EDQUOT:
	case EIO:
	case ETIMEDOUT:
	case ECONNREFUSED:
	case ECONNRESET:
	case ENETDOWN:
	case ENETUNREACH:
	case EHOSTUNREACH:
	case EHOSTDOWN:
	case ETXTBSY:
	case ESTALE:
	case ENOBUFS:
	case EBUSY:
		return 1;
	default:
		return 0;
	}
}
