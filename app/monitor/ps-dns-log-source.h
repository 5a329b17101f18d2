/* ps-dns-log-source.h: follow a dnsmasq query log like tail -F
 *
 * Polls a log file (dnsmasq's --log-facility file, or a syslog file that
 * holds its lines) every 500 ms on the thread-default main context of
 * ps_dns_log_source_start(), reads at most 1 MiB a tick, and emits "lookup"
 * for each address answer (see ps-dns-log.h).  Follows truncation (the
 * file got shorter) and rotation (the path now names another file: the old
 * one is read to its end first), starting the new file from its beginning.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define PS_TYPE_DNS_LOG_SOURCE (ps_dns_log_source_get_type ())
G_DECLARE_FINAL_TYPE (PsDnsLogSource, ps_dns_log_source, PS, DNS_LOG_SOURCE, GObject)

PsDnsLogSource *ps_dns_log_source_new        (const char      *path);
const char     *ps_dns_log_source_get_path   (PsDnsLogSource  *self);
/* from_start: read what the file holds already too; otherwise only the
 * lines that are added from now on.  Fails when the file cannot be read. */
gboolean        ps_dns_log_source_start      (PsDnsLogSource  *self,
                                              gboolean         from_start,
                                              GError         **error);
void            ps_dns_log_source_stop       (PsDnsLogSource  *self);
gboolean        ps_dns_log_source_is_running (PsDnsLogSource  *self);
/* Since construction: complete lines read; of those, the address answers
 * ("lookup" emitted) and the lines refused as no text (longer than
 * PS_DNS_LOG_MAX_LINE, NUL or control bytes, invalid UTF-8). */
void            ps_dns_log_source_get_stats  (PsDnsLogSource  *self,
                                              guint64         *lines,
                                              guint64         *answers,
                                              guint64         *rejected);

G_END_DECLS
