/* smtpd_session.c - golden transcripts for qmail-smtpd's session state machine: input
 * bytes in, replies and queue actions out, fed whole and one byte at a time. The
 * program's private modules are compiled in here (they are not in a library). */
#include <stdio.h>
#include <string.h>

#include "../../src/qmail-smtpd/addr.c"
#include "../../src/qmail-smtpd/commands.c"
#include "../../src/qmail-smtpd/data.c"
#include "../../src/qmail-smtpd/session.c"
#include "harness.h"
#include "received.h"

#define NOW 1000000000 /* 9 Sep 2001 01:46:40 UTC */
#define RCVD                                                            \
	"Received: from client.example.org (HELO client) (192.0.2.1)\n" \
	"  by mx.example.com with SMTP; 9 Sep 2001 01:46:40 -0000\n"

/* options of a case */
#define O_RELAY   0x01  /* RELAYCLIENT="" */
#define O_RELAYX  0x02  /* RELAYCLIENT="+x" */
#define O_DB100   0x04  /* databytes 100 */
#define O_QFAIL   0x08  /* qstart fails */
#define O_QPERM   0x10  /* qfinish reports the text in fake.text */
#define O_NOLIP   0x20  /* no localiphost */
#define O_RCPT2   0x40  /* two recipients per message at most */
#define O_LONGLIP 0x80  /* localiphost mail.example.com */
#define O_NOIPME  0x100 /* this host's addresses cannot be listed */

typedef struct fake_s {
	sa log;           /* what the queue callbacks saw */
	sa msg;           /* bytes of the message being queued */
	int open;         /* a message is being queued */
	int opts;         /* the case's options */
	const char *text; /* qfinish's report with O_QPERM */
	int misuse;       /* a callback was called when it must not be */
	unsigned ipmes;   /* calls of the ipme callback */
} fake;

static fake fk;

static int f_bmf(void *ctx, const char *sender)
{
	(void)ctx;
	return case_equals(sender, "bad@example.org") || case_starts(sender, "x@spam.example");
}
static int f_relay(void *ctx, const char *rcpt)
{
	const char *at = strrchr(rcpt, '@');
	(void)ctx;
	if (!at)
		return 1;
	if (case_equals(at, "@tempfail.example"))
		return -1;
	return case_equals(at, "@example.com") || case_equals(at, "@example.net");
}
static int f_known(void *ctx, const char *rcpt)
{
	(void)ctx;
	if (case_starts(rcpt, "tempfail@"))
		return -1;
	return !case_starts(rcpt, "unknown@");
}
static int f_qstart(void *ctx)
{
	fake *f = ctx;
	if (f->open)
		f->misuse = 1;
	if (f->opts & O_QFAIL)
		return 0;
	f->open = 1;
	f->msg.len = 0;
	return 1;
}
static void f_qput(void *ctx, const char *s, size_t n)
{
	fake *f = ctx;
	if (!f->open)
		f->misuse = 1;
	sa_catb(&f->msg, s, n);
}
static void f_qabort(void *ctx)
{
	fake *f = ctx;
	if (!f->open)
		f->misuse = 1;
	f->open = 0;
	sa_cats(&f->log, "ABORT\n");
}
static const char *f_qfinish(void *ctx, const char *from, const sa *rcpts, unsigned long *qp)
{
	fake *f = ctx;
	size_t i;
	if (!f->open)
		f->misuse = 1;
	f->open = 0;
	sa_cats(&f->log, "F");
	sa_cats(&f->log, from);
	sa_cats(&f->log, "\n");
	for (i = 0; i < rcpts->len; i += strlen(rcpts->s + i) + 1) {
		sa_cats(&f->log, "T");
		sa_cats(&f->log, rcpts->s + i);
		sa_cats(&f->log, "\n");
	}
	sa_cat(&f->log, &f->msg);
	sa_cats(&f->log, "<end>\n");
	*qp = 42;
	return f->opts & O_QPERM ? f->text : "";
}
static time_t f_now(void *ctx)
{
	(void)ctx;
	return NOW;
}

static ip_list ipme;

/* f_ipme - this host's one address, counted; none with O_NOIPME */
static const ip_list *f_ipme(void *ctx)
{
	static const unsigned char me[4] = {192, 0, 2, 25};
	ip_addr a;
	(void)ctx;
	fk.ipmes++;
	if (fk.opts & O_NOIPME)
		return 0;
	if (!ipme.len) {
		ip_set4(&a, me);
		ip_list_add(&ipme, &a);
	}
	return &ipme;
}

static const smtp_ops ops = {&fk,    f_bmf,    f_relay,   f_known, f_qstart,
			     f_qput, f_qabort, f_qfinish, f_now,   f_ipme};

/* one golden case: input, replies after the greeting (LF for CRLF), queue log */
typedef struct scase_s {
	const char *name;    /* what it shows */
	const char *in;      /* the client's bytes */
	size_t inlen;        /* their length (inputs may hold NUL) */
	const char *replies; /* every reply after the greeting, each line ending "\n" */
	const char *log;     /* the queue callbacks' record */
	size_t loglen;       /* its length */
	int closed;          /* the session ends by itself (else the test sends EOF) */
	int opts;            /* O_ options */
	const char *text;    /* qfinish's report with O_QPERM */
} scase;

#define C(name, in, replies, log, closed, opts)                                        \
	{                                                                              \
		name, in, sizeof in - 1, replies, log, sizeof log - 1, closed, opts, 0 \
	}
#define CQ(name, in, replies, text)                                      \
	{                                                                \
		name, in, sizeof in - 1, replies, 0, 0, 0, O_QPERM, text \
	}

#define HM   "HELO client\r\nMAIL FROM:<a@example.org>\r\n"
#define HMR  HM "RCPT TO:<b@example.com>\r\n"
#define HMRD HMR "DATA\r\n"
#define OK3  "250 mx.example.com\n250 2.1.0 ok\n250 2.1.5 ok\n"
#define OK4  OK3 "354 go ahead\n"
#define QOK  "250 2.0.0 ok 1000000000 qp 42\n"
#define ENV  "Fa@example.org\nTb@example.com\n"
#define BYE  "221 2.0.0 mx.example.com\n"

static const scase cases[] = {
	C("a whole message", HMRD "Subject: x\r\n\r\nbody\r\n.\r\nQUIT\r\n", OK4 QOK BYE,
	  ENV RCVD "Subject: x\n\nbody\n<end>\n", 1, 0),
	C("dot-stuffing removed, lone dot ends", HMRD "..x\r\n.\r\n", OK4 QOK,
	  ENV RCVD ".x\n<end>\n", 0, 0),
	C("dot then text", HMRD ".a\r\n. \r\n...\r\n.\r\n", OK4 QOK, ENV RCVD "a\n \n..\n<end>\n",
	  0, 0),
	C("empty body", HMRD ".\r\n", OK4 QOK, ENV RCVD "<end>\n", 0, 0),
	C("8-bit and NUL bytes pass", HMRD "\xe4\xf6\0x\r\n.\r\n", OK4 QOK,
	  ENV RCVD "\xe4\xf6\0x\n<end>\n", 0, 0),
	C("CRLF.CRLF inside a line is text", HMRD "a.\r\nb\r\n.\r\n", OK4 QOK,
	  ENV RCVD "a.\nb\n<end>\n", 0, 0),
	C("two messages pipelined",
	  HMRD "one\r\n.\r\nMAIL FROM:<c@example.org>\r\nRCPT TO:<d@example.com>\r\nDATA\r\n"
	       "two\r\n.\r\nQUIT\r\n",
	  OK4 QOK "250 2.1.0 ok\n250 2.1.5 ok\n354 go ahead\n" QOK BYE,
	  ENV RCVD "one\n<end>\nFc@example.org\nTd@example.com\n" RCVD "two\n<end>\n", 1, 0),
	C("EHLO lists the extensions", "EHLO client\r\n",
	  "250-mx.example.com\n250-PIPELINING\n250-8BITMIME\n250-SIZE\n250 ENHANCEDSTATUSCODES\n",
	  "", 0, 0),
	C("EHLO SIZE shows databytes", "ehlo client\r\n",
	  "250-mx.example.com\n250-PIPELINING\n250-8BITMIME\n250-SIZE 100\n"
	  "250 ENHANCEDSTATUSCODES\n",
	  "", 0, O_DB100),
	C("MAIL without HELO, no HELO part",
	  "MAIL FROM:<>\r\nRCPT TO:<b@example.com>\r\nDATA\r\nx\r\n.\r\n",
	  "250 2.1.0 ok\n250 2.1.5 ok\n354 go ahead\n" QOK,
	  "F\nTb@example.com\nReceived: from client.example.org (192.0.2.1)\n"
	  "  by mx.example.com with SMTP; 9 Sep 2001 01:46:40 -0000\nx\n<end>\n",
	  0, 0),
	C("HELO same as remote host",
	  "HELO CLIENT.example.org\r\nMAIL FROM:<>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n.\r\n",
	  "250 mx.example.com\n250 2.1.0 ok\n250 2.1.5 ok\n354 go ahead\n" QOK,
	  "F\nTb@example.com\nReceived: from client.example.org (192.0.2.1)\n"
	  "  by mx.example.com with SMTP; 9 Sep 2001 01:46:40 -0000\n<end>\n",
	  0, 0),
	C("HELO argument made safe",
	  "HELO a(b)\t<c>;\"d\"[e]\r\nMAIL FROM:<>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n.\r\n",
	  "250 mx.example.com\n250 2.1.0 ok\n250 2.1.5 ok\n354 go ahead\n" QOK,
	  "F\nTb@example.com\nReceived: from client.example.org (HELO a?b???c???d?[e]) "
	  "(192.0.2.1)\n"
	  "  by mx.example.com with SMTP; 9 Sep 2001 01:46:40 -0000\n<end>\n",
	  0, 0),
	C("RCPT before MAIL", "RCPT TO:<b@example.com>\r\n", "503 5.5.1 MAIL first (#5.5.1)\n", "",
	  0, 0),
	C("DATA before MAIL closes", "DATA\r\nQUIT\r\n", "503 5.5.1 MAIL first (#5.5.1)\n", "", 1,
	  0),
	C("DATA before RCPT closes", HM "DATA\r\nbody\r\n.\r\n",
	  "250 mx.example.com\n250 2.1.0 ok\n503 5.5.1 RCPT first (#5.5.1)\n", "", 1, 0),
	C("DATA with an argument closes", HMR "DATA x\r\n",
	  OK3 "501 5.5.4 DATA takes no argument (#5.5.4)\n", "", 1, 0),
	C("queue start failure closes", HMRD "body\r\n.\r\n",
	  OK3 "451 4.3.0 qqt failure (#4.3.0)\n", "", 1, O_QFAIL),
	C("unimplemented commands",
	  "EXPN x\r\nAUTH LOGIN\r\nSTARTTLS\r\n\r\nMAILFROM:<a@b>\r\n MAIL FROM:<a@b>\r\n",
	  "502 5.5.1 unimplemented (#5.5.1)\n502 5.5.1 unimplemented (#5.5.1)\n"
	  "502 5.5.1 unimplemented (#5.5.1)\n502 5.5.1 unimplemented (#5.5.1)\n"
	  "502 5.5.1 unimplemented (#5.5.1)\n502 5.5.1 unimplemented (#5.5.1)\n",
	  "", 0, 0),
	C("simple commands", "NOOP\r\nnoop x\r\nVRFY root\r\nHELP\r\nRSET\r\n",
	  "250 2.0.0 ok\n250 2.0.0 ok\n252 2.0.0 send some mail, i'll try my best\n"
	  "214 2.0.0 qmail-smtpd: see the qmail-smtpd(8) manual page\n250 2.0.0 flushed\n",
	  "", 0, 0),
	C("QUIT ends, the rest is ignored", "QUIT\r\nNOOP\r\n", BYE, "", 1, 0),
	C("bare LF ends a command", "NOOP\nNOOP\r\n", "250 2.0.0 ok\n250 2.0.0 ok\n", "", 0, 0),
	C("NUL in a command", "MAIL FROM:<a@b\0c>\r\nNOOP\r\n",
	  "500 5.5.2 syntax error, NUL or CR in command (#5.5.2)\n250 2.0.0 ok\n", "", 0, 0),
	C("NUL then DATA is not a MAIL", "MAIL FROM:<a\0>\r\nRCPT TO:<b@example.com>\r\n",
	  "500 5.5.2 syntax error, NUL or CR in command (#5.5.2)\n503 5.5.1 MAIL first (#5.5.1)\n",
	  "", 0, 0),
	C("CR inside a command", "NOOP\rx\r\nNOOP\r\r\n",
	  "500 5.5.2 syntax error, NUL or CR in command (#5.5.2)\n"
	  "500 5.5.2 syntax error, NUL or CR in command (#5.5.2)\n",
	  "", 0, 0),
	C("RSET forgets the transaction", HMR "RSET\r\nDATA\r\n",
	  OK3 "250 2.0.0 flushed\n503 5.5.1 MAIL first (#5.5.1)\n", "", 1, 0),
	C("MAIL again starts over", HMR "MAIL FROM:<c@d>\r\nDATA\r\n",
	  OK3 "250 2.1.0 ok\n503 5.5.1 RCPT first (#5.5.1)\n", "", 1, 0),
	C("HELO forgets the transaction", HMR "HELO again\r\nDATA\r\n",
	  OK3 "250 mx.example.com\n503 5.5.1 MAIL first (#5.5.1)\n", "", 1, 0),
	C("MAIL syntax",
	  "MAIL FROM:<a@b\r\nMAIL TO:<a@b>\r\nMAIL FROM:<a@b>x\r\nMAIL FROM <a@b>\r\n"
	  "MAIL FROM:<a b@c>\r\nMAIL FROM:<\"a\r\nMAIL\r\n",
	  "555 5.5.4 syntax error (#5.5.4)\n555 5.5.4 syntax error (#5.5.4)\n"
	  "555 5.5.4 syntax error (#5.5.4)\n555 5.5.4 syntax error (#5.5.4)\n"
	  "555 5.5.4 syntax error (#5.5.4)\n555 5.5.4 syntax error (#5.5.4)\n"
	  "555 5.5.4 syntax error (#5.5.4)\n",
	  "", 0, 0),
	C("MAIL parameters",
	  "MAIL FROM:<a@b> SIZE=10 BODY=8BITMIME\r\nMAIL FROM:<a@b> BODY=7bit\r\n"
	  "MAIL FROM:<a@b> AUTH=<>\r\nMAIL FROM:<a@b> SIZE=x\r\nMAIL FROM:<a@b> BODY=binarymime\r\n"
	  "MAIL FROM:<a@b> SIZE=1 SIZE=2\r\nMAIL FROM: <a@b>  size=3 \r\n",
	  "250 2.1.0 ok\n250 2.1.0 ok\n555 5.5.4 unsupported parameter (#5.5.4)\n"
	  "555 5.5.4 unsupported parameter (#5.5.4)\n555 5.5.4 unsupported parameter (#5.5.4)\n"
	  "555 5.5.4 unsupported parameter (#5.5.4)\n250 2.1.0 ok\n",
	  "", 0, 0),
	C("SIZE against databytes",
	  "MAIL FROM:<a@b> SIZE=101\r\nMAIL FROM:<a@b> SIZE=100\r\n"
	  "MAIL FROM:<a@b> SIZE=99999999999999999999999999\r\n",
	  "552 5.3.4 sorry, that message size exceeds my databytes limit (#5.3.4)\n250 2.1.0 ok\n"
	  "552 5.3.4 sorry, that message size exceeds my databytes limit (#5.3.4)\n",
	  "", 0, O_DB100),
	C("message over databytes",
	  HMRD "0123456789012345678901234567890123456789\r\n"
	       "0123456789012345678901234567890123456789\r\n"
	       "0123456789012345678901234567890123456789\r\n.\r\nNOOP\r\n",
	  OK4 "552 5.3.4 sorry, that message size exceeds my databytes limit (#5.3.4)\n"
	      "250 2.0.0 ok\n",
	  "ABORT\n", 0, O_DB100),
	C("message at databytes",
	  HMRD "0123456789012345678901234567890123456789\r\n"
	       "0123456789012345678901234567890123456789012345678901234567\r\n"
	       ".\r\n",
	  OK4 QOK,
	  ENV RCVD "0123456789012345678901234567890123456789\n"
		   "0123456789012345678901234567890123456789012345678901234567\n<end>\n",
	  0, O_DB100),
	C("RCPT syntax",
	  HM "RCPT TO:<>\r\nRCPT TO:<b@example.com> NOTIFY=NEVER\r\nRCPT FROM:<b@example.com>\r\n",
	  "250 mx.example.com\n250 2.1.0 ok\n555 5.5.4 syntax error (#5.5.4)\n"
	  "555 5.5.4 unsupported parameter (#5.5.4)\n555 5.5.4 syntax error (#5.5.4)\n",
	  "", 0, 0),
	C("relay refused", HM "RCPT TO:<b@example.org>\r\nRCPT TO:<b%example.org@example.org>\r\n",
	  "250 mx.example.com\n250 2.1.0 ok\n"
	  "553 5.7.1 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)\n"
	  "553 5.7.1 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)\n",
	  "", 0, 0),
	C("domains outside the allow-list",
	  HM "RCPT TO:<\"x@y z\">\r\nRCPT TO:<x@example.com.>\r\nRCPT TO:<x@y\\>z>\r\n"
	     "RCPT TO:<\"x@example.com\\\\\">\r\nMAIL FROM:<\"a@b\\\"c\">\r\n"
	     "RCPT TO:<b@example.com>\r\n",
	  "250 mx.example.com\n250 2.1.0 ok\n"
	  "553 5.1.3 sorry, that domain is not a host name or address literal (#5.1.3)\n"
	  "553 5.1.3 sorry, that domain is not a host name or address literal (#5.1.3)\n"
	  "553 5.1.3 sorry, that domain is not a host name or address literal (#5.1.3)\n"
	  "553 5.1.3 sorry, that domain is not a host name or address literal (#5.1.3)\n"
	  "553 5.1.7 sorry, that domain is not a host name or address literal (#5.1.7)\n"
	  "250 2.1.5 ok\n",
	  "", 0, 0),
	C("relay temporary failure", HM "RCPT TO:<b@tempfail.example>\r\n",
	  "250 mx.example.com\n250 2.1.0 ok\n"
	  "451 4.3.0 temporary failure checking the address (#4.3.0)\n",
	  "", 0, 0),
	C("source route dropped, quotes removed",
	  HM "RCPT TO:<@relay.example,@x.example:b@example.com>\r\n"
	     "RCPT TO:<\"a b\"@example.com>\r\nRCPT TO:<a\\@b@example.com>\r\n"
	     "RCPT TO:<\"c@example.org\"@example.com>\r\nRCPT TO:<@relay.example:b@example.org>\r\n"
	     "DATA\r\n.\r\n",
	  "250 mx.example.com\n250 2.1.0 ok\n250 2.1.5 ok\n250 2.1.5 ok\n250 2.1.5 ok\n250 2.1.5 "
	  "ok\n"
	  "553 5.7.1 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)\n"
	  "354 go ahead\n" QOK,
	  "Fa@example.org\nTb@example.com\nTa b@example.com\nTa@b@example.com\n"
	  "Tc@example.org@example.com\n" RCVD "<end>\n",
	  0, 0),
	C("RELAYCLIENT accepts and is appended",
	  HM "RCPT TO:<b@example.org>\r\nRCPT TO:<c@example.com>\r\nDATA\r\n.\r\n",
	  "250 mx.example.com\n250 2.1.0 ok\n250 2.1.5 ok\n250 2.1.5 ok\n354 go ahead\n" QOK,
	  "Fa@example.org\nTb@example.org+x\nTc@example.com+x\n" RCVD "<end>\n", 0, O_RELAYX),
	C("empty RELAYCLIENT", HM "RCPT TO:<b@example.org>\r\n",
	  "250 mx.example.com\n250 2.1.0 ok\n250 2.1.5 ok\n", "", 0, O_RELAY),
	C("badmailfrom at RCPT time",
	  "MAIL FROM:<BAD@example.org>\r\nRCPT TO:<b@example.com>\r\n"
	  "MAIL FROM:<x@spam.example>\r\nRCPT TO:<b@example.com>\r\n",
	  "250 2.1.0 ok\n553 5.7.1 sorry, your envelope sender is in my badmailfrom list (#5.7.1)\n"
	  "250 2.1.0 ok\n553 5.7.1 sorry, your envelope sender is in my badmailfrom list "
	  "(#5.7.1)\n",
	  "", 0, O_RELAY),
	C("unknown recipients",
	  HM "RCPT TO:<unknown@example.com>\r\nRCPT TO:<tempfail@example.com>\r\n",
	  "250 mx.example.com\n250 2.1.0 ok\n"
	  "550 5.1.1 sorry, no mailbox here by that name (#5.1.1)\n"
	  "451 4.3.0 temporary failure checking the address (#4.3.0)\n",
	  "", 0, 0),
	C("localiphost rewriting",
	  HM "RCPT TO:<u@[192.0.2.25]>\r\nRCPT TO:<v@[127.0.0.1]>\r\nRCPT TO:<w@[0.0.0.0]>\r\n"
	     "RCPT TO:<x@[IPv6:::1]>\r\nRCPT TO:<y@[198.51.100.1]>\r\nDATA\r\n.\r\n",
	  "250 mx.example.com\n250 2.1.0 ok\n250 2.1.5 ok\n250 2.1.5 ok\n250 2.1.5 ok\n250 2.1.5 "
	  "ok\n"
	  "553 5.7.1 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)\n"
	  "354 go ahead\n" QOK,
	  "Fa@example.org\nTu@example.com\nTv@example.com\nTw@example.com\nTx@example.com\n" RCVD
	  "<end>\n",
	  0, 0),
	C("this host's addresses cannot be listed: that address only is refused, for now",
	  HM "RCPT TO:<u@[192.0.2.25]>\r\nRCPT TO:<v@example.com>\r\n",
	  "250 mx.example.com\n250 2.1.0 ok\n"
	  "451 4.3.0 unable to figure out my IP addresses (#4.3.0)\n250 2.1.5 ok\n",
	  "", 0, O_NOIPME),
	C("no localiphost: literals stay", HM "RCPT TO:<u@[192.0.2.25]>\r\n",
	  "250 mx.example.com\n250 2.1.0 ok\n"
	  "553 5.7.1 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)\n",
	  "", 0, O_NOLIP),
	C("too many recipients",
	  HMR "RCPT TO:<c@example.com>\r\nRCPT TO:<d@example.com>\r\nDATA\r\n.\r\n",
	  OK3 "250 2.1.5 ok\n452 4.5.3 too many recipients (#4.5.3)\n354 go ahead\n" QOK,
	  ENV "Tc@example.com\n" RCVD "<end>\n", 0, O_RCPT2),
	C("bare LF in data", HMRD "a\nb\r\n.\r\nQUIT\r\n",
	  OK4 "451 4.5.0 See https://cr.yp.to/docs/smtplf.html. (#4.5.0)\n", "ABORT\n", 1, 0),
	C("bare CR in data", HMRD "a\rb\r\n.\r\nQUIT\r\n",
	  OK4 "451 4.5.0 bare CR in data: lines must end with CRLF (#4.5.0)\n", "ABORT\n", 1, 0),
	C("smuggling LF.LF", HMRD "a\r\n\n.\nMAIL FROM:<x@y>\r\n",
	  OK4 "451 4.5.0 See https://cr.yp.to/docs/smtplf.html. (#4.5.0)\n", "ABORT\n", 1, 0),
	C("smuggling LF.CRLF", HMRD "a\n.\r\nMAIL FROM:<x@y>\r\n",
	  OK4 "451 4.5.0 See https://cr.yp.to/docs/smtplf.html. (#4.5.0)\n", "ABORT\n", 1, 0),
	C("smuggling CR.CRLF", HMRD "a\r.\r\nMAIL FROM:<x@y>\r\n",
	  OK4 "451 4.5.0 bare CR in data: lines must end with CRLF (#4.5.0)\n", "ABORT\n", 1, 0),
	C("smuggling CRLF.CR", HMRD "a\r\n.\rMAIL FROM:<x@y>\r\n",
	  OK4 "451 4.5.0 bare CR in data: lines must end with CRLF (#4.5.0)\n", "ABORT\n", 1, 0),
	C("smuggling CR.CR", HMRD "a\r.\rMAIL FROM:<x@y>\r\n",
	  OK4 "451 4.5.0 bare CR in data: lines must end with CRLF (#4.5.0)\n", "ABORT\n", 1, 0),
	C("smuggling CR.LF", HMRD "a\r.\nMAIL FROM:<x@y>\r\n",
	  OK4 "451 4.5.0 bare CR in data: lines must end with CRLF (#4.5.0)\n", "ABORT\n", 1, 0),
	C("smuggling LF.CR", HMRD "a\n.\rMAIL FROM:<x@y>\r\n",
	  OK4 "451 4.5.0 See https://cr.yp.to/docs/smtplf.html. (#4.5.0)\n", "ABORT\n", 1, 0),
	C("smuggling CRLF.LF", HMRD "a\r\n.\nMAIL FROM:<x@y>\r\n",
	  OK4 "451 4.5.0 See https://cr.yp.to/docs/smtplf.html. (#4.5.0)\n", "ABORT\n", 1, 0),
	C("smuggling CRLF NUL.CRLF is text", HMRD "a\r\n\0.\r\nMAIL FROM:<x@y>\r\n.\r\n", OK4 QOK,
	  ENV RCVD "a\n\0.\nMAIL FROM:<x@y>\n<end>\n", 0, 0),
	C("end of input inside DATA", HMRD "partial\r\n", OK4, "ABORT\n", 0, 0),
	CQ("permanent queue failure", HMRD ".\r\n", OK4 "554 5.3.0 qq permanent problem (#5.3.0)\n",
	   "Dqq permanent problem (#5.3.0)"),
	CQ("temporary queue failure", HMRD ".\r\n",
	   OK4 "451 4.3.0 qq write error or disk full (#4.3.0)\n",
	   "Zqq write error or disk full (#4.3.0)"),
	CQ("filter text with its own code", HMRD ".\r\n", OK4 "554 5.7.1 spam detected\n",
	   "D5.7.1 spam detected"),
	CQ("filter text with a trailing code", HMRD ".\r\n",
	   OK4 "554 5.7.0 rejected by policy (#5.7.0)\n", "Drejected by policy (#5.7.0)"),
	CQ("filter text without a code", HMRD ".\r\n", OK4 "451 4.3.0 try later\n", "Ztry later"),
	CQ("filter code of the wrong class", HMRD ".\r\n", OK4 "451 4.3.0 5.1.1 no (#5.1.1)\n",
	   "Z5.1.1 no (#5.1.1)"),
};

static smtp_limits limits;
static smtp_info info;

/* setup - the session's environment for a case's options */
static void setup(int opts)
{
	limits.linemax = SMTP_LINEMAX;
	limits.addrmax = SMTP_ADDRMAX;
	limits.rcptmax = opts & O_RCPT2 ? 2 : SMTP_RCPTMAX;
	limits.databytes = opts & O_DB100 ? 100 : 0;
	limits.hopmax = SMTP_HOPMAX;
	info.greeting = "mx.example.com";
	info.localhost = "mx.example.com";
	info.remotehost = "client.example.org";
	info.remoteip = "192.0.2.1";
	info.remoteinfo = 0;
	info.relayclient = opts & O_RELAY ? "" : opts & O_RELAYX ? "+x" : 0;
	info.liphost = opts & O_NOLIP ? 0 : opts & O_LONGLIP ? "mail.example.com" : "example.com";
	fk.log.len = fk.msg.len = 0;
	fk.open = fk.misuse = 0;
	fk.ipmes = 0;
	fk.opts = opts;
}

/* crlf - s with every LF made CRLF */
static void crlf(sa *out, const char *s)
{
	out->len = 0;
	for (; *s; ++s) {
		if (*s == '\n')
			sa_catc(out, '\r');
		sa_catc(out, *s);
	}
}

/* play - feed in (whole, or in pieces of step bytes), then EOF if still open; the
 * replies after the greeting into got; 1 if the session closed by itself */
static int play(const char *in, size_t n, size_t step, int opts, sa *got)
{
	smtp s;
	size_t i;
	int open = 1;
	setup(opts);
	if (!T_OK(smtp_init(&s, &limits, &info, &ops)))
		return 0;
	smtp_greet(&s);
	s.out.len = 0;
	for (i = 0; i < n && open; i += step)
		open = smtp_feed(&s, in + i, n - i < step ? n - i : step);
	if (open)
		smtp_eof(&s);
	T_OK(s.state == SMTP_CLOSED);
	T_OK(!s.nomem);
	sa_copy(got, &s.out);
	smtp_free(&s);
	return !open;
}

static void t_golden(void)
{
	sa want = SA_ZERO, got = SA_ZERO;
	size_t i, k;
	for (i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
		const scase *c = &cases[i];
		crlf(&want, c->replies);
		for (k = 0; k < 2; ++k) {
			int closed;
			fk.text = c->text;
			closed = play(c->in, c->inlen, k ? 1 : c->inlen + 1, c->opts, &got);
			if (!T_EQ_MEM(got.s, got.len, want.s, want.len) ||
			    !T_EQ_U(closed, c->closed) || !T_OK(!fk.misuse) || !T_OK(!fk.open) ||
			    (c->log && !T_EQ_MEM(fk.log.s, fk.log.len, c->log, c->loglen)))
				printf("    case \"%s\", %s\n", c->name,
				       k ? "byte by byte" : "whole");
		}
	}
	sa_free(&want);
	sa_free(&got);
}

/* t_ipme_lazy - this host's addresses are listed only for a literal that may be ours,
 * and only when localiphost is set */
static void t_ipme_lazy(void)
{
	sa got = SA_ZERO;
	static const char plain[] = HM "RCPT TO:<u@example.com>\r\nDATA\r\n.\r\n";
	static const char lit[] = HM "RCPT TO:<u@[192.0.2.25]>\r\nRCPT TO:<v@[192.0.2.25]>\r\n";
	play(plain, sizeof plain - 1, sizeof plain, 0, &got);
	T_EQ_U(fk.ipmes, 0);
	play(lit, sizeof lit - 1, sizeof lit, O_NOLIP, &got);
	T_EQ_U(fk.ipmes, 0);
	play(lit, sizeof lit - 1, sizeof lit, 0, &got);
	T_EQ_U(fk.ipmes, 2);
	sa_free(&got);
}

static void t_greeting(void)
{
	smtp s;
	setup(0);
	T_OK(smtp_init(&s, &limits, &info, &ops));
	smtp_greet(&s);
	T_EQ_MEM(s.out.s, s.out.len, "220 mx.example.com ESMTP\r\n", 26);
	smtp_free(&s);
	T_OK(smtp_init(&s, &limits, &info, &ops));
	smtp_early(&s);
	T_EQ_S(s.out.s ? (sa_0(&s.out), s.out.s) : "",
	       "554 5.5.0 SMTP protocol violation: input before the greeting (#5.5.0)\r\n");
	T_EQ_U(s.state, SMTP_CLOSED);
	T_EQ_U(smtp_feed(&s, "QUIT\r\n", 6), 0);
	smtp_free(&s);
}

static void t_timeouts(void)
{
	static const char *const want[] = {
		"451 4.4.2 timeout (#4.4.2)\r\n",
		"421 4.4.2 session time limit reached, closing connection (#4.4.2)\r\n",
		"421 4.4.2 data arriving too slowly, closing connection (#4.4.2)\r\n",
	};
	smtp s;
	int why;
	for (why = 0; why < 3; ++why) {
		setup(0);
		T_OK(smtp_init(&s, &limits, &info, &ops));
		T_EQ_U(smtp_feed(&s, HMRD "partial", sizeof HMRD + 6), 1);
		T_EQ_U(s.state, SMTP_DATA);
		s.out.len = 0;
		smtp_timeout(&s, why);
		T_OK(sa_0(&s.out));
		T_EQ_S(s.out.s, want[why]);
		T_EQ_U(s.state, SMTP_CLOSED);
		T_EQ_MEM(fk.log.s, fk.log.len, "ABORT\n", 6);
		T_OK(!fk.open);
		smtp_free(&s);
	}
}

/* put - append s to x, times times */
static void put(sa *x, const char *s, size_t times)
{
	while (times--)
		sa_cats(x, s);
}

/* check - play in with each step size; the replies must be want (LF for CRLF) */
static void check(const sa *in, int opts, const char *want)
{
	static const size_t steps[] = {1, 7, 8192, (size_t)-1};
	sa got = SA_ZERO, w = SA_ZERO;
	size_t i;
	crlf(&w, want);
	for (i = 0; i < sizeof steps / sizeof steps[0]; ++i) {
		play(in->s, in->len, steps[i] > in->len ? in->len + 1 : steps[i], opts, &got);
		if (!T_EQ_MEM(got.s, got.len, w.s, w.len))
			printf("    step %zu\n", steps[i]);
	}
	sa_free(&got);
	sa_free(&w);
}

static void t_line_limit(void)
{
	sa in = SA_ZERO;
	/* exactly linemax bytes: accepted; one more: refused, and the session goes on */
	put(&in, "NOOP ", 1);
	put(&in, "x", SMTP_LINEMAX - 5);
	put(&in, "\r\nNOOP ", 1);
	put(&in, "y", SMTP_LINEMAX - 4);
	put(&in, "\r\nNOOP\r\n", 1);
	check(&in, 0, "250 2.0.0 ok\n500 5.5.2 line too long (#5.5.2)\n250 2.0.0 ok\n");
	/* a huge line costs no memory (only linemax + 1 bytes are kept) and is no MAIL */
	in.len = 0;
	put(&in, "MAIL FROM:<", 1);
	put(&in, "a", 1000000);
	put(&in, ">\r\nRCPT TO:<b@example.com>\r\n", 1);
	check(&in, 0, "500 5.5.2 line too long (#5.5.2)\n503 5.5.1 MAIL first (#5.5.1)\n");
	sa_free(&in);
}

static void t_address_limit(void)
{
	sa in = SA_ZERO;
	/* 1000 bytes: accepted; 1001: too long */
	put(&in, "MAIL FROM:<", 1);
	put(&in, "a", SMTP_ADDRMAX - 2);
	put(&in, "@b>\r\nMAIL FROM:<", 1);
	put(&in, "a", SMTP_ADDRMAX - 1);
	put(&in, "@b>\r\n", 1);
	check(&in, 0, "250 2.1.0 ok\n555 5.5.4 address too long (#5.5.4)\n");
	/* escapes do not count, the unquoted result does */
	in.len = 0;
	put(&in, "MAIL FROM:<", 1);
	put(&in, "\\a", SMTP_ADDRMAX - 2);
	put(&in, "@b>\r\n", 1);
	check(&in, 0, "250 2.1.0 ok\n");
	/* localiphost making an address too long */
	in.len = 0;
	put(&in, "MAIL FROM:<", 1);
	put(&in, "a", SMTP_ADDRMAX - 12);
	put(&in, "@[127.0.0.1]>\r\n", 1);
	check(&in, 0, "250 2.1.0 ok\n");
	check(&in, O_LONGLIP, "555 5.5.4 address too long (#5.5.4)\n");
	sa_free(&in);
}

static void t_recipient_limit(void)
{
	sa in = SA_ZERO, want = SA_ZERO;
	size_t i, n = 0;
	put(&in, HM, 1);
	put(&in, "RCPT TO:<r@example.com>\r\n", SMTP_RCPTMAX + 1);
	put(&in, "DATA\r\n.\r\n", 1);
	put(&want, "250 mx.example.com\n250 2.1.0 ok\n", 1);
	put(&want, "250 2.1.5 ok\n", SMTP_RCPTMAX);
	put(&want, "452 4.5.3 too many recipients (#4.5.3)\n354 go ahead\n" QOK, 1);
	sa_0(&want);
	check(&in, 0, want.s);
	for (i = 0; i < fk.log.len; ++i)
		if (fk.log.s[i] == 'T' && (i == 0 || fk.log.s[i - 1] == '\n'))
			++n;
	T_EQ_U(n, SMTP_RCPTMAX);
	sa_free(&in);
	sa_free(&want);
}

static void t_hops(void)
{
	sa in = SA_ZERO;
	put(&in, HMRD, 1);
	put(&in, "Received: x\r\n", 99);
	put(&in, "Delivered-To: y\r\n\r\nbody\r\n.\r\n", 1);
	check(&in, 0, OK4 "554 5.4.6 too many hops, this message is looping (#5.4.6)\n");
	T_EQ_MEM(fk.log.s, fk.log.len, "ABORT\n", 6);
	in.len = 0;
	put(&in, HMRD, 1);
	put(&in, "received: x\r\n", 98);
	put(&in, "DELIVERED-TO: y\r\n\r\nbody\r\n.\r\n", 1);
	check(&in, 0, OK4 QOK);
	/* in the body they do not count */
	in.len = 0;
	put(&in, HMRD "Subject: x\r\n\r\n", 1);
	put(&in, "Received: x\r\n", 200);
	put(&in, ".\r\n", 1);
	check(&in, 0, OK4 QOK);
	sa_free(&in);
}

static void t_received(void)
{
	received r;
	sa x = SA_ZERO;
	setup(0);
	r.proto = "SMTP";
	r.remotehost = info.remotehost;
	r.helo = "client";
	r.remoteinfo = info.remoteinfo;
	r.remoteip = info.remoteip;
	r.localhost = info.localhost;
	T_OK(received_line(&x, &r, NOW));
	T_EQ_MEM(x.s, x.len, RCVD, sizeof RCVD - 1);
	r.remoteinfo = "joe";
	r.remotehost = "unknown";
	r.remoteip = "2001:db8::1";
	r.helo = "Unknown";
	T_OK(received_line(&x, &r, NOW));
	sa_0(&x);
	T_EQ_S(x.s, "Received: from unknown (joe@2001:db8::1)\n"
		    "  by mx.example.com with SMTP; 9 Sep 2001 01:46:40 -0000\n");
	r.proto = "QMTP";
	r.helo = 0;
	r.remotehost = "client.example.org";
	T_OK(received_line(&x, &r, NOW));
	sa_0(&x);
	T_EQ_S(x.s, "Received: from client.example.org (joe@2001:db8::1)\n"
		    "  by mx.example.com with QMTP; 9 Sep 2001 01:46:40 -0000\n");
	r.proto = "SMTP";
	r.helo = "";
	r.remoteinfo = "j o\r\ne";
	r.remotehost = "h(o)s;t";
	r.remoteip = "1.2.3.4\n";
	r.localhost = "l\x80"
		      "c a l";
	T_OK(received_line(&x, &r, NOW));
	sa_0(&x);
	T_EQ_S(x.s, "Received: from h?o?s?t (HELO ) (j?o??e@1.2.3.4?)\n"
		    "  by l?c?a?l with SMTP; 9 Sep 2001 01:46:40 -0000\n");
	x.len = 0;
	T_OK(received_safe(&x, "AZaz09.@%+/=:-[]_ \t\"<>()\\,;!#$&'*?^`{|}~\xff"));
	T_EQ_MEM(x.s, x.len, "AZaz09.@%+/=:-[]?????????????????????????", 41);
	sa_free(&x);
}

const t_case t_cases[] = {
	T_CASE(t_golden),        T_CASE(t_greeting),
	T_CASE(t_timeouts),      T_CASE(t_line_limit),
	T_CASE(t_address_limit), T_CASE(t_recipient_limit),
	T_CASE(t_hops),          T_CASE(t_received),
	T_CASE(t_ipme_lazy),     T_END,
};
