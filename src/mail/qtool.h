/*
 * qtool.h - the start the queue tools that qmail-send's user may run share
 * (qmail-qread, qmail-qctl).
 */
#ifndef QTOOL_H
#define QTOOL_H

void qtool_become(void);

#endif
