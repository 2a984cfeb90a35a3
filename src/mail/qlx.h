/*
 * qlx.h - exit codes of qmail-lspawn's delivery child and of qmail-getpw (SPEC
 * section 5). qmail-lspawn turns each into a report: all temporary (Z) except
 * QLX_EXECHARD, which is permanent (D). qmail-local's own codes (0, 100, 111, ...)
 * never collide with these.
 */
#ifndef QLX_H
#define QLX_H

#define QLX_USAGE    112 /* a bug: bad arguments or a malformed record */
#define QLX_ROOT     113 /* the user's uid is 0: qmail never delivers as root */
#define QLX_NFS      115 /* a home directory could not be checked for now */
#define QLX_NOALIAS  116 /* the alias user does not exist */
#define QLX_CDB      117 /* users/cdb could not be read or is malformed */
#define QLX_SYS      118 /* a system call failed */
#define QLX_NOMEM    119 /* out of memory */
#define QLX_EXECSOFT 120 /* qmail-local could not be run, for now */
#define QLX_EXECPW   121 /* qmail-getpw could not be run */
#define QLX_EXECHARD 126 /* qmail-local could not be run, and retrying will not help */

#endif
