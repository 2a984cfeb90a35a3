/*
 * getpw.h - qmail-getpw's lookup, shared with qmail-lspawn's delivery child.
 */
#ifndef GETPW_H
#define GETPW_H

void getpw_run(const char *local);

#endif
