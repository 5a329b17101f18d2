/* ps-netflow-decoder.h: NetFlow v5, NetFlow v9 (RFC 3954) and IPFIX
 * (RFC 7011) datagrams into flow records (untrusted input)
 *
 * A plain stateful decoder, no I/O: the collector (or a test, or a fuzzer)
 * hands it one datagram at a time with the exporter's address and a clock.
 * It keeps the templates of each (exporter, observation domain / source id),
 * holds data that arrives before its template for a few seconds, and counts
 * sequence gaps.  All its memory is capped (PsNetflowLimits).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "ps-flow-record.h"

G_BEGIN_DECLS

#define PS_NETFLOW_ERROR (ps_netflow_error_quark ())

typedef enum {
  PS_NETFLOW_ERROR_TRUNCATED,          /* shorter than its header or a length says */
  PS_NETFLOW_ERROR_BAD_VERSION,        /* not 5, 9 or 10 */
  PS_NETFLOW_ERROR_BAD_LENGTH,         /* a length field that does not add up */
  PS_NETFLOW_ERROR_BAD_TEMPLATE,       /* a template no record can follow */
  PS_NETFLOW_ERROR_TOO_LARGE,          /* more than a datagram or a v5 count can hold */
  PS_NETFLOW_ERROR_LIMIT,              /* too many exporters already */
} PsNetflowError;

#define PS_NETFLOW_MAX_DATAGRAM          65535
#define PS_NETFLOW_V5_MAX_RECORDS        30
#define PS_NETFLOW_MAX_TEMPLATE_FIELDS   512

typedef struct
{
  gint64 template_timeout_ms;          /* a template unused this long goes (30 min) */
  guint  max_templates_per_exporter;   /* 1024 */
  guint  max_templates;                /* 8192, all exporters together */
  guint  max_exporters;                /* 1024 */
  guint  max_domains_per_exporter;     /* 64 sequence counters */
  gint64 pending_timeout_ms;           /* data waits this long for its template (5 s) */
  gsize  max_pending_bytes_per_exporter; /* 256 KiB */
  gsize  max_pending_bytes;            /* 4 MiB, all exporters together */
} PsNetflowLimits;

typedef struct
{
  guint64 packets;                     /* datagrams accepted */
  guint64 errors;                      /* datagrams rejected, wholly or from a point on */
  guint64 records;                     /* flow records produced */
  guint64 other_records;               /* options records, records without two addresses */
  guint64 sequence_gaps;               /* jumps in a sequence number, all (exporter, domain) */
  guint64 sequence_lost;               /* units skipped (v5 flows, v9 packets, IPFIX records) */
  guint64 templates_rejected;          /* over the caps */
  guint64 sets_buffered;               /* data sets that came before their template */
  guint64 sets_dropped;                /* ... whose template never came, or no room */
  guint   templates;                   /* known now */
  guint   exporters;                   /* known now */
  guint   sets_pending;                /* held now */
  gsize   pending_bytes;               /* held now */
} PsNetflowStats;

typedef struct _PsNetflowDecoder PsNetflowDecoder;

GQuark            ps_netflow_error_quark                (void);

void              ps_netflow_limits_init_default        (PsNetflowLimits        *limits);

PsNetflowDecoder *ps_netflow_decoder_new                (void);
void              ps_netflow_decoder_free               (PsNetflowDecoder       *self);
void              ps_netflow_decoder_set_limits         (PsNetflowDecoder       *self,
                                                         const PsNetflowLimits  *limits);
void              ps_netflow_decoder_get_limits         (PsNetflowDecoder       *self,
                                                         PsNetflowLimits        *limits);

/* Appends the flow records of one datagram to out_records (a GArray of
 * PsFlowRecord), and those of buffered data its templates unlock.  now_ms
 * is any millisecond clock (monotonic is best) used only for expiry.
 *
 * On error, records appended before the problem was found stay, and the
 * rest of the datagram is ignored; a datagram whose header or set framing
 * is wrong changes nothing. */
gboolean          ps_netflow_decoder_decode             (PsNetflowDecoder       *self,
                                                         const PsIpAddress      *exporter,
                                                         const guint8           *data,
                                                         gsize                   len,
                                                         gint64                  now_ms,
                                                         GArray                 *out_records,
                                                         GError                **error);
/* Drops expired templates, buffered data and idle exporters now (decode
 * does it too, at most once a second). */
void              ps_netflow_decoder_expire             (PsNetflowDecoder       *self,
                                                         gint64                  now_ms);

void              ps_netflow_decoder_get_stats          (PsNetflowDecoder       *self,
                                                         PsNetflowStats         *stats);
/* Sequence gaps seen from one exporter in one domain: the observation
 * domain (IPFIX), the source id (v9), engine_type << 8 | engine_id (v5). */
guint64           ps_netflow_decoder_get_sequence_gaps  (PsNetflowDecoder       *self,
                                                         const PsIpAddress      *exporter,
                                                         guint32                 domain,
                                                         guint64                *lost);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsNetflowDecoder, ps_netflow_decoder_free)

G_END_DECLS
