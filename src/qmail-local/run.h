/*
 * run.h - qmail-local as a function, for main.c and for qmail-lspawn's delivery child.
 */
#ifndef RUN_H
#define RUN_H

int local_run(int argc, char **argv);

#endif
