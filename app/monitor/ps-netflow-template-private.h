/* ps-netflow-template-private.h: compiled NetFlow v9 / IPFIX templates and
 * record decoding, shared by the decoder (internal API)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "ps-netflow-decoder.h"

G_BEGIN_DECLS

#define PS_NETFLOW_VARIABLE_LENGTH 65535   /* IPFIX: the length is in the record */

/* What a datagram's records are relative to. */
typedef struct
{
  PsFlowOrigin origin;
  guint8       version;                /* 5, 9 or 10 */
  guint32      domain;
  gint64       export_ms;              /* the header's time, Unix ms */
  guint32      uptime_ms;              /* v5/v9: sysUptime at export */
} PsNetflowContext;

/* One field specifier as the template gave it. */
typedef struct
{
  guint32 pen;                         /* 0: IETF */
  guint16 type;
  guint16 length;
} PsNetflowFieldSpec;

typedef struct
{
  guint16 offset;                      /* fixed templates: from the record's start */
  guint16 length;                      /* PS_NETFLOW_VARIABLE_LENGTH: read from the record */
  guint8  action;
} PsNetflowOp;

/* What the decoder files a template under; exporter is its own. */
typedef struct
{
  gpointer exporter;
  guint32  domain;
  guint16  id;
  guint8   version;
} PsNetflowTemplateKey;

typedef struct
{
  PsNetflowTemplateKey key;
  gint64               last_used_ms;
  guint32              min_len;        /* the record length, or the least if variable */
  guint16              n_ops;
  guint                variable : 1;
  guint                options : 1;
  guint                flows : 1;      /* has both addresses: its records are reported */
  PsNetflowOp          ops[];
} PsNetflowTemplate;

gboolean           _ps_netflow_fail              (GError                   **error,
                                                  PsNetflowError             code,
                                                  const char                *format,
                                                  ...) G_GNUC_PRINTF (3, 4);

/* min_len >= 1 and fits a datagram; the caller has checked. Free with g_free(). */
PsNetflowTemplate *_ps_netflow_template_compile  (guint8                     version,
                                                  gboolean                   options,
                                                  const PsNetflowFieldSpec  *fields,
                                                  guint                      n_fields,
                                                  guint32                    min_len,
                                                  gboolean                   variable);
/* Decodes the records of one data set body (padding allowed).  Flow records
 * go to out; *n_records counts every record, reported or not.  sys_init_ms
 * is the domain's systemInitTimeMilliseconds, updated from the records. */
gboolean           _ps_netflow_template_decode   (const PsNetflowTemplate  *t,
                                                  const PsNetflowContext   *ctx,
                                                  const guint8             *body,
                                                  gsize                     len,
                                                  GArray                   *out,
                                                  gint64                   *sys_init_ms,
                                                  guint                    *n_records,
                                                  GError                  **error);
/* count records of 48 bytes at data, checked by the caller. */
void               _ps_netflow_decode_v5_records (const PsNetflowContext   *ctx,
                                                  const guint8             *data,
                                                  guint                     count,
                                                  PsFlowRecord             *out);

G_END_DECLS
