/* ps-dns-log.h: address answers in a dnsmasq query log
 *
 * Home routers run dnsmasq; with log-queries (better log-queries=extra) it
 * logs every answer it gives, as in
 *
 *   Nov 28 04:39:31 dnsmasq[27583]: 3 10.99.1.11/58769 reply cdn.example is 192.0.2.5
 *
 * which tells which device looked up which name and got which address: the
 * name behind a peer's address.  This is the pure part: the grammar of one
 * line and the cutting of a byte stream into lines, with no I/O.  The lines
 * come from a file anybody on the router can write to (syslog), so they are
 * untrusted: anything that is not exactly an answer is refused.
 *
 * Accepted (dnsmasq 2.90 and later, cache.c log_query ()):
 *
 *   [prefix] [TCP |UDP ][SERIAL [CLIENT/PORT ]]SOURCE NAME is ADDRESS[ (DNSSEC signed)]
 *
 * where SOURCE is reply, cached, cached-stale or config, and the prefix is
 * whatever a log file or syslog puts before the message, up to and including
 * the tag "dnsmasq[PID]: " or "dnsmasq: " (the first word ending in ':'), or
 * an RFC 5424 header "<PRI>1 TIMESTAMP HOST dnsmasq PROCID MSGID - ".  A line
 * with no tag at all is taken as a bare message (journalctl -o cat).
 * "is <CNAME>", "is NXDOMAIN", "is NODATA-IPv4" and friends carry no address
 * and are not answers here.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ps-flow-record.h"

G_BEGIN_DECLS

/* The longest line looked at, without its newline; longer ones are refused. */
#define PS_DNS_LOG_MAX_LINE  4096
/* The longest name, without a trailing dot (RFC 1035: 255 octets on the wire). */
#define PS_DNS_LOG_MAX_NAME  253

typedef enum {
  PS_DNS_LOG_ANSWER_REPLY,             /* "reply": from an upstream server */
  PS_DNS_LOG_ANSWER_CACHED,            /* "cached" */
  PS_DNS_LOG_ANSWER_CACHED_STALE,      /* "cached-stale" (use-stale-cache) */
  PS_DNS_LOG_ANSWER_CONFIG,            /* "config": address=, host-record= … */
} PsDnsLogAnswer;

typedef struct
{
  PsIpAddress    client;               /* family 0 when the line names no client */
  guint16        client_port;          /* 0 with no client */
  char           name[PS_DNS_LOG_MAX_NAME + 1];  /* lower case, no trailing dot */
  PsIpAddress    address;              /* the answer: family 4 or 6 */
  guint32        serial;               /* the query's serial; 0 when the line has none */
  PsDnsLogAnswer answer;
} PsDnsLogEntry;

typedef enum {
  PS_DNS_LOG_LINE_ANSWER,              /* an address answer: entry is filled in */
  PS_DNS_LOG_LINE_OTHER,               /* any other text line */
  PS_DNS_LOG_LINE_INVALID,             /* no text line: too long, NUL or control bytes, bad UTF-8 */
} PsDnsLogLine;

/* line need not be NUL-terminated; one trailing "\n" or "\r\n" is allowed
 * (and not counted in PS_DNS_LOG_MAX_LINE).
 * Never allocates.  On anything but PS_DNS_LOG_LINE_ANSWER, entry is zeroed. */
PsDnsLogLine ps_dns_log_classify_line  (const char    *line,
                                        gsize          length,
                                        PsDnsLogEntry *entry);
/* Whether line is an address answer (and entry filled in). */
gboolean     ps_dns_log_parse_line     (const char    *line,
                                        gsize          length,
                                        PsDnsLogEntry *entry);
/* A host name as accepted above: 1 to 253 letters, digits, '-', '_' and
 * dots, no empty label, labels of at most 63, no trailing dot. */
gboolean     ps_dns_log_name_is_valid  (const char    *name,
                                        gsize          length);

/* Cuts a stream of bytes into lines, without their newline, keeping a
 * partial last line until its newline arrives.  A line longer than
 * PS_DNS_LOG_MAX_LINE is dropped whole: func gets line NULL and length 0 for
 * it, so that it can be counted.  func returns FALSE to stop; the rest of
 * that feed is then thrown away (reset the buffer before feeding again). */
typedef gboolean (*PsDnsLogLineFunc) (const char *line,
                                      gsize       length,
                                      gpointer    user_data);

typedef struct
{
  gsize    length;                     /* of the partial line in data */
  gboolean overlong;                   /* dropping bytes up to the next newline */
  gboolean silent;                     /* … and not reporting them */
  char     data[PS_DNS_LOG_MAX_LINE];
} PsDnsLogLineBuffer;

void ps_dns_log_line_buffer_reset      (PsDnsLogLineBuffer *buffer);
/* Drops what comes up to the next newline without reporting it: for a
 * reader that starts in the middle of a line. */
void ps_dns_log_line_buffer_skip_line  (PsDnsLogLineBuffer *buffer);
void ps_dns_log_line_buffer_feed       (PsDnsLogLineBuffer *buffer,
                                        const char         *data,
                                        gsize               length,
                                        PsDnsLogLineFunc    func,
                                        gpointer            user_data);

G_END_DECLS
