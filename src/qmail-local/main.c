/*
 * qmail-local - deliver one message to one local recipient as a .qmail file says.
 *
 *	qmail-local [-nN] [--] user homedir local dash ext domain sender defaultdelivery
 *
 * The program is local_run (run.c), which qmail-lspawn also runs in its delivery
 * child without an exec; this entry point is for people, scripts and other spawners.
 */
#include "run.h"

int main(int argc, char **argv)
{
	return local_run(argc, argv);
}
