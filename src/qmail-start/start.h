/*
 * start.h - qmail-start's stand-in for a missing qmail-rspawn.
 */
#ifndef START_H
#define START_H

_Noreturn void norspawn(void);

#endif
