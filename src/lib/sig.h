/*
 * sig.h - signal dispositions, the signal mask, and a self-pipe for poll loops.
 * sig_catch installs a handler WITHOUT SA_RESTART: a slow system call interrupted by
 * the signal fails with EINTR, so a loop blocked in poll or read notices the signal
 * at once. sig_catch_restart asks for SA_RESTART instead. The mask functions act on
 * the calling thread; the suite's programs are single-threaded.
 */
#ifndef SIG_H
#define SIG_H

typedef void (*sig_fn)(int sig);

int sig_catch(int sig, sig_fn f);
int sig_catch_restart(int sig, sig_fn f);
int sig_ignore(int sig);
int sig_default(int sig);
int sig_block(int sig);
int sig_unblock(int sig);
int sig_blocknone(void);
void sig_pause(void);

int sig_pipe_init(void);
int sig_pipe_fd(void);
void sig_pipe_notify(int sig);
void sig_pipe_drain(void);
void sig_pipe_close(void);

#endif
