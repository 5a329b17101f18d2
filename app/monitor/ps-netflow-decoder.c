/* ps-netflow-decoder.c: NetFlow v5, NetFlow v9 and IPFIX, a stateful codec
 *
 * Wire formats (all integers big-endian):
 *
 *   v5     header[24] = version count uptime_ms:4 secs:4 nsecs:4 flow_sequence:4
 *                       engine_type:1 engine_id:1 sampling:2, then count (<= 30)
 *                       records of 48 bytes.
 *   v9     header[20] = version count uptime_ms:4 secs:4 package_sequence:4
 *                       source_id:4, then FlowSets to the end of the datagram.
 *   IPFIX  header[16] = version length export_secs:4 sequence:4 domain:4, then
 *                       Sets to exactly `length`.
 *
 *   Set              id:2 length:2 (its header included), body, padding
 *                    v9: 0 templates, 1 options templates; IPFIX: 2 and 3;
 *                    256 and up: data records of that template
 *   Template         id:2 count:2 { type:2 length:2 [pen:4 if IPFIX, type & 0x8000] }
 *   v9 options       id:2 scope_bytes:2 option_bytes:2 { type:2 length:2 }
 *   IPFIX options    id:2 count:2 scope_count:2 { field specifiers }
 *   IPFIX withdrawal id:2 count:0 (id 2 in set 2, 3 in set 3: all of them)
 *   IPFIX variable-length field: 65535 in the template; in the record a
 *                    1-byte length, or 255 then a 2-byte length.
 *
 * Sequence numbers count flows (v5), datagrams (v9) or data records
 * (IPFIX, options records included).
 *
 * Templates are filed under (exporter, domain, id, version); their records
 * are decoded by ps-netflow-template.c.  Data that comes before its
 * template is held a few seconds.  Every table is capped (PsNetflowLimits).
 *
 * Records of templates that lack a source or a destination address (options
 * templates, MPLS or L2-only templates) are read but not reported: a flow
 * needs two ends, and this also caps how many records one datagram can make.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-netflow"

#include "config.h"

#include <string.h>

#include "ps-byte-reader.h"
#include "ps-netflow-decoder.h"
#include "ps-netflow-template-private.h"

#define V5_HEADER_LEN     24
#define V5_RECORD_LEN     48
#define V9_HEADER_LEN     20
#define IPFIX_HEADER_LEN  16
#define SET_HEADER_LEN    4
#define ENTERPRISE_BIT    0x8000
#define SWEEP_INTERVAL_MS 1000

G_DEFINE_QUARK (ps-netflow-error-quark, ps_netflow_error)

typedef struct _Exporter Exporter;

typedef struct
{
  guint64  key;                        /* version << 32 | domain */
  guint32  next_sequence;
  gboolean sequence_known;
  gint64   sys_init_ms;                /* IPFIX systemInitTimeMilliseconds, 0 unknown */
  guint64  gaps;
  guint64  lost;
} Domain;

typedef struct
{
  PsNetflowContext ctx;
  gint64  arrived_ms;
  guint16 template_id;
  gsize   len;
  guint8  data[];
} Pending;

struct _Exporter
{
  PsIpAddress address;
  GHashTable *domains;                 /* &Domain.key -> Domain */
  GQueue      pending;                 /* Pending, oldest first */
  gsize       pending_bytes;
  guint       n_templates;
  gint64      last_seen_ms;
};

struct _PsNetflowDecoder
{
  PsNetflowLimits limits;
  PsNetflowStats  stats;
  GHashTable     *exporters;           /* &Exporter.address -> Exporter */
  GHashTable     *templates;           /* &PsNetflowTemplate.key -> PsNetflowTemplate */
  guint           n_pending;
  gsize           pending_bytes;
  gint64          last_sweep_ms;
  gboolean        swept;
  gint64          evict_retry_ms;      /* no exporter could go: do not rescan before */
};

/* Hash tables */

static guint
template_key_hash (gconstpointer p)
{
  const PsNetflowTemplateKey *k = p;

  return (guint) (gsize) k->exporter * 31u ^ k->domain * 2654435761u ^
         ((guint) k->id << 8 | k->version) * 40503u;
}

static gboolean
template_key_equal (gconstpointer a,
                    gconstpointer b)
{
  const PsNetflowTemplateKey *x = a, *y = b;

  return x->exporter == y->exporter && x->domain == y->domain &&
         x->id == y->id && x->version == y->version;
}

static void
template_free (gpointer data)
{
  PsNetflowTemplate *t = data;
  Exporter *e = t->key.exporter;

  e->n_templates--;
  g_free (t);
}

static void
exporter_free (gpointer data)
{
  Exporter *e = data;

  g_queue_clear_full (&e->pending, g_free);
  g_hash_table_unref (e->domains);
  g_free (e);
}

/* Limits, life cycle */

void
ps_netflow_limits_init_default (PsNetflowLimits *limits)
{
  g_return_if_fail (limits != NULL);

  limits->template_timeout_ms = 30 * 60 * 1000;
  limits->max_templates_per_exporter = 1024;
  limits->max_templates = 8192;
  limits->max_exporters = 1024;
  limits->max_domains_per_exporter = 64;
  limits->pending_timeout_ms = 5000;
  limits->max_pending_bytes_per_exporter = 256 * 1024;
  limits->max_pending_bytes = 4 * 1024 * 1024;
}

PsNetflowDecoder *
ps_netflow_decoder_new (void)
{
  PsNetflowDecoder *self = g_new0 (PsNetflowDecoder, 1);

  ps_netflow_limits_init_default (&self->limits);
  self->exporters = g_hash_table_new_full (ps_ip_address_hash_func, ps_ip_address_equal_func, NULL, exporter_free);
  self->templates = g_hash_table_new_full (template_key_hash, template_key_equal,
                                           NULL, template_free);

  return self;
}

void
ps_netflow_decoder_free (PsNetflowDecoder *self)
{
  if (self == NULL)
    return;

  /* templates first: freeing one touches its exporter */
  g_hash_table_unref (self->templates);
  g_hash_table_unref (self->exporters);
  g_free (self);
}

void
ps_netflow_decoder_set_limits (PsNetflowDecoder      *self,
                               const PsNetflowLimits *limits)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (limits != NULL);

  self->limits = *limits;
}

void
ps_netflow_decoder_get_limits (PsNetflowDecoder *self,
                               PsNetflowLimits  *limits)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (limits != NULL);

  *limits = self->limits;
}

/* Exporters and their domains */

static gboolean
evict_idle_exporter (PsNetflowDecoder *self)
{
  GHashTableIter iter;
  Exporter *e, *oldest = NULL;

  g_hash_table_iter_init (&iter, self->exporters);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &e))
    if (e->n_templates == 0 && e->pending.length == 0 &&
        (oldest == NULL || e->last_seen_ms < oldest->last_seen_ms))
      oldest = e;

  if (oldest == NULL)
    return FALSE;

  g_hash_table_remove (self->exporters, &oldest->address);
  return TRUE;
}

static Exporter *
get_exporter (PsNetflowDecoder   *self,
              const PsIpAddress  *address,
              gint64              now_ms,
              GError            **error)
{
  Exporter *e = g_hash_table_lookup (self->exporters, address);

  if (e == NULL)
    {
      gboolean full = g_hash_table_size (self->exporters) >= self->limits.max_exporters;

      /* a flood from spoofed sources must not rescan the table each time */
      if (full && now_ms >= self->evict_retry_ms)
        {
          full = !evict_idle_exporter (self);
          if (full)
            self->evict_retry_ms = now_ms + SWEEP_INTERVAL_MS;
        }
      if (full)
        {
          _ps_netflow_fail (error, PS_NETFLOW_ERROR_LIMIT,
                            "already %u exporters with templates, no room for another",
                            g_hash_table_size (self->exporters));
          return NULL;
        }

      e = g_new0 (Exporter, 1);
      e->address = *address;
      e->domains = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, g_free);
      g_queue_init (&e->pending);
      g_hash_table_insert (self->exporters, &e->address, e);
    }

  e->last_seen_ms = now_ms;
  return e;
}

/* NULL when the exporter already has too many (the data still decodes). */
static Domain *
get_domain (PsNetflowDecoder *self,
            Exporter         *e,
            guint8            version,
            guint32           domain)
{
  guint64 key = (guint64) version << 32 | domain;
  Domain *d = g_hash_table_lookup (e->domains, &key);

  if (d == NULL && g_hash_table_size (e->domains) < self->limits.max_domains_per_exporter)
    {
      d = g_new0 (Domain, 1);
      d->key = key;
      g_hash_table_insert (e->domains, &d->key, d);
    }

  return d;
}

static void
check_sequence (PsNetflowDecoder *self,
                Domain           *d,
                guint32           sequence)
{
  guint32 ahead;

  if (d == NULL || !d->sequence_known || sequence == d->next_sequence)
    return;

  d->gaps++;
  self->stats.sequence_gaps++;

  /* far "ahead" is a step back: a restart or reordering, nothing lost */
  ahead = sequence - d->next_sequence;
  if (ahead < 0x80000000u)
    {
      d->lost += ahead;
      self->stats.sequence_lost += ahead;
    }
}

static void
set_next_sequence (Domain  *d,
                   guint32  next)
{
  if (d == NULL)
    return;

  d->next_sequence = next;
  d->sequence_known = TRUE;
}

/* The records of one data set; *n_records counts them (for IPFIX sequence
 * numbers), reported or not. */
static gboolean
decode_records (PsNetflowDecoder         *self,
                const PsNetflowTemplate  *t,
                Domain                   *d,
                const PsNetflowContext   *ctx,
                const guint8             *body,
                gsize                     len,
                GArray                   *out,
                guint                    *n_records,
                GError                  **error)
{
  gint64 sys_init_ms = d != NULL ? d->sys_init_ms : 0;
  guint n = 0;
  gboolean ok;

  ok = _ps_netflow_template_decode (t, ctx, body, len, out, &sys_init_ms, &n, error);

  if (d != NULL)
    d->sys_init_ms = sys_init_ms;
  if (t->flows)
    self->stats.records += n;
  else
    self->stats.other_records += n;
  *n_records += n;

  return ok;
}

/* Data that came before its template */

static void
forget_pending (PsNetflowDecoder *self,
                Exporter         *e,
                Pending          *p)
{
  gsize cost = sizeof (Pending) + p->len;

  e->pending_bytes -= cost;
  self->pending_bytes -= cost;
  self->n_pending--;
  g_free (p);
}

static void
buffer_set (PsNetflowDecoder       *self,
            Exporter               *e,
            const PsNetflowContext *ctx,
            guint16                 template_id,
            const guint8           *body,
            gsize                   len,
            gint64                  now_ms)
{
  gsize cost = sizeof (Pending) + len;
  Pending *p;

  if (self->limits.pending_timeout_ms <= 0 ||
      e->pending_bytes + cost > self->limits.max_pending_bytes_per_exporter ||
      self->pending_bytes + cost > self->limits.max_pending_bytes)
    {
      self->stats.sets_dropped++;
      g_debug ("no room to hold %" G_GSIZE_FORMAT " bytes for unknown template %u",
               len, template_id);
      return;
    }

  p = g_malloc (cost);
  p->ctx = *ctx;
  p->arrived_ms = now_ms;
  p->template_id = template_id;
  p->len = len;
  memcpy (p->data, body, len);

  g_queue_push_tail (&e->pending, p);
  e->pending_bytes += cost;
  self->pending_bytes += cost;
  self->n_pending++;
  self->stats.sets_buffered++;
}

static void
decode_pending (PsNetflowDecoder        *self,
                Exporter                *e,
                const PsNetflowTemplate *t,
                gint64                   now_ms,
                GArray                  *out)
{
  GList *l = e->pending.head;

  while (l != NULL)
    {
      GList *next = l->next;
      Pending *p = l->data;

      if (p->template_id == t->key.id && p->ctx.domain == t->key.domain &&
          p->ctx.version == t->key.version)
        {
          g_autoptr(GError) error = NULL;
          guint n = 0;

          if (now_ms - p->arrived_ms >= self->limits.pending_timeout_ms)
            self->stats.sets_dropped++;
          else if (!decode_records (self, t, get_domain (self, e, p->ctx.version, p->ctx.domain),
                                    &p->ctx, p->data, p->len, out, &n, &error))
            g_debug ("held data for template %u: %s", t->key.id, error->message);

          g_queue_delete_link (&e->pending, l);
          forget_pending (self, e, p);
        }
      l = next;
    }
}

/* Templates */
static void
add_template (PsNetflowDecoder         *self,
              Exporter                 *e,
              const PsNetflowContext   *ctx,
              guint16                   id,
              gboolean                  options,
              const PsNetflowFieldSpec *fields,
              guint                     n_fields,
              guint32                   min_len,
              gboolean                  variable,
              gint64                    now_ms,
              GArray                   *out)
{
  PsNetflowTemplateKey key = { e, ctx->domain, id, ctx->version };
  PsNetflowTemplate *t;

  if (g_hash_table_lookup (self->templates, &key) == NULL &&
      (e->n_templates >= self->limits.max_templates_per_exporter ||
       g_hash_table_size (self->templates) >= self->limits.max_templates))
    {
      self->stats.templates_rejected++;
      g_debug ("no room for template %u of domain %u", id, ctx->domain);
      return;
    }

  t = _ps_netflow_template_compile (ctx->version, options, fields, n_fields, min_len, variable);
  t->key = key;
  t->last_used_ms = now_ms;
  e->n_templates++;
  /* replace, not insert: the key lives in the value */
  g_hash_table_replace (self->templates, &t->key, t);

  decode_pending (self, e, t, now_ms, out);
}

typedef struct
{
  Exporter *exporter;
  guint32   domain;
  guint8    version;
  gboolean  options;
} WithdrawAll;

static gboolean
withdraw_all_cb (gpointer key,
                 gpointer value,
                 gpointer user_data)
{
  const PsNetflowTemplate *t = value;
  const WithdrawAll *w = user_data;

  return t->key.exporter == w->exporter && t->key.domain == w->domain &&
         t->key.version == w->version && t->options == w->options;
}

static gboolean
withdraw (PsNetflowDecoder        *self,
          Exporter                *e,
          const PsNetflowContext  *ctx,
          guint16                  id,
          gboolean                 options,
          GError                 **error)
{
  if (id == (options ? 3 : 2))
    {
      WithdrawAll w = { e, ctx->domain, ctx->version, options };

      g_hash_table_foreach_remove (self->templates, withdraw_all_cb, &w);
      return TRUE;
    }
  if (id >= 256)
    {
      PsNetflowTemplateKey key = { e, ctx->domain, id, ctx->version };

      g_hash_table_remove (self->templates, &key);
      return TRUE;
    }

  return _ps_netflow_fail (error, PS_NETFLOW_ERROR_BAD_TEMPLATE,
                           "cannot withdraw template %u", id);
}

static gboolean
parse_template_set (PsNetflowDecoder        *self,
                    Exporter                *e,
                    const PsNetflowContext  *ctx,
                    const guint8            *body,
                    gsize                    len,
                    gboolean                 options,
                    gint64                   now_ms,
                    GArray                  *out,
                    GError                 **error)
{
  PsByteReader r = PS_BYTE_READER_INIT (body, len);
  gboolean ipfix = ctx->version == 10;
  gsize min_header = !ipfix && options ? 6 : 4;
  guint32 max_record = PS_NETFLOW_MAX_DATAGRAM - SET_HEADER_LEN -
                       (ipfix ? IPFIX_HEADER_LEN : V9_HEADER_LEN);

  /* fewer bytes than a template header are padding */
  while (ps_byte_reader_remaining (&r) >= min_header)
    {
      PsNetflowFieldSpec fields[PS_NETFLOW_MAX_TEMPLATE_FIELDS];
      guint16 id = 0, count16 = 0, scope = 0;
      guint count;
      guint32 min_len = 0;
      gboolean variable = FALSE;

      ps_byte_reader_get_u16_be (&r, &id);
      if (!ipfix && options)
        {
          guint16 scope_len = 0, option_len = 0;

          ps_byte_reader_get_u16_be (&r, &scope_len);
          ps_byte_reader_get_u16_be (&r, &option_len);
          if (scope_len % 4 != 0 || option_len % 4 != 0)
            return _ps_netflow_fail (error, PS_NETFLOW_ERROR_BAD_TEMPLATE,
                                     "options template %u: scope length %u or option length %u "
                                     "is not a multiple of 4", id, scope_len, option_len);
          count = ((guint) scope_len + option_len) / 4;
        }
      else
        {
          ps_byte_reader_get_u16_be (&r, &count16);
          count = count16;
          if (ipfix && count == 0)
            {
              if (!withdraw (self, e, ctx, id, options, error))
                return FALSE;
              continue;
            }
          if (ipfix && options)
            {
              if (!ps_byte_reader_get_u16_be (&r, &scope))
                return _ps_netflow_fail (error, PS_NETFLOW_ERROR_BAD_TEMPLATE,
                                         "options template %u runs past the end of its set", id);
              if (scope == 0 || scope > count)
                return _ps_netflow_fail (error, PS_NETFLOW_ERROR_BAD_TEMPLATE,
                                         "options template %u has %u scope fields out of %u",
                                         id, scope, count);
            }
        }

      if (id < 256)
        return _ps_netflow_fail (error, PS_NETFLOW_ERROR_BAD_TEMPLATE,
                                 "template id %u is reserved (below 256)", id);
      if (count == 0)
        return _ps_netflow_fail (error, PS_NETFLOW_ERROR_BAD_TEMPLATE,
                                 "template %u has no fields", id);
      if (count > PS_NETFLOW_MAX_TEMPLATE_FIELDS)
        return _ps_netflow_fail (error, PS_NETFLOW_ERROR_BAD_TEMPLATE,
                                 "template %u has %u fields, more than %u", id, count,
                                 PS_NETFLOW_MAX_TEMPLATE_FIELDS);

      for (guint i = 0; i < count; i++)
        {
          PsNetflowFieldSpec *f = &fields[i];

          f->pen = 0;
          if (!ps_byte_reader_get_u16_be (&r, &f->type) ||
              !ps_byte_reader_get_u16_be (&r, &f->length) ||
              (ipfix && (f->type & ENTERPRISE_BIT) && !ps_byte_reader_get_u32_be (&r, &f->pen)))
            return _ps_netflow_fail (error, PS_NETFLOW_ERROR_BAD_TEMPLATE,
                                     "template %u runs past the end of its set", id);
          if (ipfix)
            f->type &= ~ENTERPRISE_BIT;

          if (ipfix && f->length == PS_NETFLOW_VARIABLE_LENGTH)
            {
              variable = TRUE;
              min_len += 1;
            }
          else
            {
              min_len += f->length;
            }
          if (min_len > max_record)
            return _ps_netflow_fail (error, PS_NETFLOW_ERROR_BAD_TEMPLATE,
                                     "template %u describes records of more than %u bytes",
                                     id, max_record);
        }

      if (min_len == 0)
        return _ps_netflow_fail (error, PS_NETFLOW_ERROR_BAD_TEMPLATE,
                                 "template %u describes records of zero length", id);

      add_template (self, e, ctx, id, options, fields, count, min_len, variable, now_ms, out);
    }

  return TRUE;
}

/* Sets */

static gboolean
check_sets (const guint8  *data,
            gsize          len,
            gboolean       ipfix,
            GError       **error)
{
  PsByteReader r = PS_BYTE_READER_INIT (data, len);
  const char *what = ipfix ? "IPFIX" : "NetFlow v9";

  while (ps_byte_reader_remaining (&r) >= SET_HEADER_LEN)
    {
      guint16 id = 0, set_len = 0;

      ps_byte_reader_get_u16_be (&r, &id);
      ps_byte_reader_get_u16_be (&r, &set_len);
      if (set_len < SET_HEADER_LEN)
        return _ps_netflow_fail (error, PS_NETFLOW_ERROR_BAD_LENGTH,
                                 "%s set %u has length %u, less than its own header",
                                 what, id, set_len);
      if (!ps_byte_reader_skip (&r, set_len - SET_HEADER_LEN))
        return _ps_netflow_fail (error, PS_NETFLOW_ERROR_TRUNCATED,
                                 "%s set %u of %u bytes runs past the end "
                                 "(%" G_GSIZE_FORMAT " left)", what, id, set_len,
                                 ps_byte_reader_remaining (&r) + SET_HEADER_LEN);
    }

  /* a v9 datagram may end in a little padding; an IPFIX message may not */
  if (ipfix && ps_byte_reader_remaining (&r) != 0)
    return _ps_netflow_fail (error, PS_NETFLOW_ERROR_BAD_LENGTH,
                             "IPFIX message ends in %" G_GSIZE_FORMAT " bytes that are not a set",
                             ps_byte_reader_remaining (&r));

  return TRUE;
}

static gboolean
process_sets (PsNetflowDecoder        *self,
              Exporter                *e,
              Domain                  *d,
              const PsNetflowContext  *ctx,
              const guint8            *data,
              gsize                    len,
              gint64                   now_ms,
              GArray                  *out,
              guint                   *n_data,
              gboolean                *incomplete,
              GError                 **error)
{
  PsByteReader r = PS_BYTE_READER_INIT (data, len);
  guint16 template_set = ctx->version == 10 ? 2 : 0;
  guint16 options_set = ctx->version == 10 ? 3 : 1;

  /* check_sets() has vouched for the framing */
  while (ps_byte_reader_remaining (&r) >= SET_HEADER_LEN)
    {
      guint16 id = 0, set_len = 0;
      const guint8 *body;
      gsize body_len;

      ps_byte_reader_get_u16_be (&r, &id);
      ps_byte_reader_get_u16_be (&r, &set_len);
      body_len = set_len - SET_HEADER_LEN;
      if (!ps_byte_reader_get_bytes (&r, body_len, &body))
        return _ps_netflow_fail (error, PS_NETFLOW_ERROR_TRUNCATED, "set %u runs past the end", id);

      if (id == template_set || id == options_set)
        {
          if (!parse_template_set (self, e, ctx, body, body_len, id == options_set,
                                   now_ms, out, error))
            return FALSE;
        }
      else if (id >= 256)
        {
          PsNetflowTemplateKey key = { e, ctx->domain, id, ctx->version };
          PsNetflowTemplate *t = g_hash_table_lookup (self->templates, &key);

          if (t == NULL)
            {
              buffer_set (self, e, ctx, id, body, body_len, now_ms);
              *incomplete = TRUE;
              continue;
            }

          t->last_used_ms = now_ms;
          if (!decode_records (self, t, d, ctx, body, body_len, out, n_data, error))
            return FALSE;
        }
      /* else a reserved set id: skipped */
    }

  return TRUE;
}

/* Versions */

static gboolean
decode_v5 (PsNetflowDecoder   *self,
           const PsIpAddress  *address,
           const guint8       *data,
           gsize               len,
           gint64              now_ms,
           GArray             *out,
           GError            **error)
{
  PsByteReader r = PS_BYTE_READER_INIT (data, len);
  PsNetflowContext ctx = { PS_FLOW_ORIGIN_NETFLOW_V5, 5, 0, 0, 0 };
  guint16 version, count, sampling;
  guint32 uptime, secs, nsecs, sequence;
  guint8 engine_type, engine_id;
  gsize expected;
  Exporter *e;

  if (!ps_byte_reader_get_u16_be (&r, &version) ||
      !ps_byte_reader_get_u16_be (&r, &count) ||
      !ps_byte_reader_get_u32_be (&r, &uptime) ||
      !ps_byte_reader_get_u32_be (&r, &secs) ||
      !ps_byte_reader_get_u32_be (&r, &nsecs) ||
      !ps_byte_reader_get_u32_be (&r, &sequence) ||
      !ps_byte_reader_get_u8 (&r, &engine_type) ||
      !ps_byte_reader_get_u8 (&r, &engine_id) ||
      !ps_byte_reader_get_u16_be (&r, &sampling))
    return _ps_netflow_fail (error, PS_NETFLOW_ERROR_TRUNCATED,
                             "NetFlow v5 header needs %u bytes, the datagram has %" G_GSIZE_FORMAT,
                             V5_HEADER_LEN, len);

  if (count > PS_NETFLOW_V5_MAX_RECORDS)
    return _ps_netflow_fail (error, PS_NETFLOW_ERROR_TOO_LARGE,
                             "NetFlow v5 count %u is more than %u",
                             count, PS_NETFLOW_V5_MAX_RECORDS);

  expected = V5_HEADER_LEN + (gsize) count * V5_RECORD_LEN;
  if (len < expected)
    return _ps_netflow_fail (error, PS_NETFLOW_ERROR_TRUNCATED,
                             "NetFlow v5 count %u needs %" G_GSIZE_FORMAT " bytes, "
                             "the datagram has %" G_GSIZE_FORMAT, count, expected, len);
  if (len > expected)
    return _ps_netflow_fail (error, PS_NETFLOW_ERROR_BAD_LENGTH,
                             "NetFlow v5 datagram has %" G_GSIZE_FORMAT " bytes, count %u says %"
                             G_GSIZE_FORMAT, len, count, expected);

  e = get_exporter (self, address, now_ms, error);
  if (e == NULL)
    return FALSE;

  ctx.domain = (guint32) engine_type << 8 | engine_id;
  ctx.export_ms = (gint64) secs * 1000 + MIN (nsecs, 999999999u) / 1000000;
  ctx.uptime_ms = uptime;

  {
    Domain *d = get_domain (self, e, 5, ctx.domain);

    check_sequence (self, d, sequence);
    set_next_sequence (d, sequence + count);
  }

  if (count > 0)
    {
      guint base = out->len;

      g_array_set_size (out, base + count);
      _ps_netflow_decode_v5_records (&ctx, data + V5_HEADER_LEN, count,
                                     &g_array_index (out, PsFlowRecord, base));
    }
  self->stats.records += count;

  return TRUE;
}

static gboolean
decode_v9 (PsNetflowDecoder   *self,
           const PsIpAddress  *address,
           const guint8       *data,
           gsize               len,
           gint64              now_ms,
           GArray             *out,
           GError            **error)
{
  PsByteReader r = PS_BYTE_READER_INIT (data, len);
  PsNetflowContext ctx = { PS_FLOW_ORIGIN_NETFLOW_V9, 9, 0, 0, 0 };
  guint16 version, count;
  guint32 uptime, secs, sequence, source_id;
  gboolean incomplete = FALSE;
  guint n_data = 0;
  Exporter *e;
  Domain *d;

  if (!ps_byte_reader_get_u16_be (&r, &version) ||
      !ps_byte_reader_get_u16_be (&r, &count) ||
      !ps_byte_reader_get_u32_be (&r, &uptime) ||
      !ps_byte_reader_get_u32_be (&r, &secs) ||
      !ps_byte_reader_get_u32_be (&r, &sequence) ||
      !ps_byte_reader_get_u32_be (&r, &source_id))
    return _ps_netflow_fail (error, PS_NETFLOW_ERROR_TRUNCATED,
                             "NetFlow v9 header needs %u bytes, the datagram has %" G_GSIZE_FORMAT,
                             V9_HEADER_LEN, len);

  /* the header's count is often wrong in the wild: the sets decide */
  if (!check_sets (data + V9_HEADER_LEN, len - V9_HEADER_LEN, FALSE, error))
    return FALSE;

  e = get_exporter (self, address, now_ms, error);
  if (e == NULL)
    return FALSE;

  ctx.domain = source_id;
  ctx.export_ms = (gint64) secs * 1000;
  ctx.uptime_ms = uptime;
  d = get_domain (self, e, 9, source_id);
  check_sequence (self, d, sequence);
  set_next_sequence (d, sequence + 1);

  return process_sets (self, e, d, &ctx, data + V9_HEADER_LEN, len - V9_HEADER_LEN, now_ms,
                       out, &n_data, &incomplete, error);
}

static gboolean
decode_ipfix (PsNetflowDecoder   *self,
              const PsIpAddress  *address,
              const guint8       *data,
              gsize               len,
              gint64              now_ms,
              GArray             *out,
              GError            **error)
{
  PsByteReader r = PS_BYTE_READER_INIT (data, len);
  PsNetflowContext ctx = { PS_FLOW_ORIGIN_IPFIX, 10, 0, 0, 0 };
  guint16 version, length;
  guint32 export_secs, sequence, domain;
  gboolean incomplete = FALSE;
  guint n_data = 0;
  Exporter *e;
  Domain *d;
  gboolean ok;

  if (!ps_byte_reader_get_u16_be (&r, &version) ||
      !ps_byte_reader_get_u16_be (&r, &length) ||
      !ps_byte_reader_get_u32_be (&r, &export_secs) ||
      !ps_byte_reader_get_u32_be (&r, &sequence) ||
      !ps_byte_reader_get_u32_be (&r, &domain))
    return _ps_netflow_fail (error, PS_NETFLOW_ERROR_TRUNCATED,
                             "IPFIX header needs %u bytes, the datagram has %" G_GSIZE_FORMAT,
                             IPFIX_HEADER_LEN, len);

  if (length != len)
    return _ps_netflow_fail (error, PS_NETFLOW_ERROR_BAD_LENGTH,
                             "IPFIX message length %u does not match the %" G_GSIZE_FORMAT
                             "-byte datagram", length, len);

  if (!check_sets (data + IPFIX_HEADER_LEN, len - IPFIX_HEADER_LEN, TRUE, error))
    return FALSE;

  e = get_exporter (self, address, now_ms, error);
  if (e == NULL)
    return FALSE;

  ctx.domain = domain;
  ctx.export_ms = (gint64) export_secs * 1000;
  d = get_domain (self, e, 10, domain);
  check_sequence (self, d, sequence);

  ok = process_sets (self, e, d, &ctx, data + IPFIX_HEADER_LEN, len - IPFIX_HEADER_LEN,
                     now_ms, out, &n_data, &incomplete, error);

  /* records held for a template are not counted yet: the next message
   * starts a new reference rather than reporting a false gap */
  if (ok && !incomplete)
    set_next_sequence (d, sequence + n_data);
  else if (d != NULL)
    d->sequence_known = FALSE;

  return ok;
}

/* Expiry */

typedef struct
{
  PsNetflowDecoder *self;
  gint64            now_ms;
} Sweep;

static gboolean
template_expired_cb (gpointer key,
                     gpointer value,
                     gpointer user_data)
{
  const PsNetflowTemplate *t = value;
  const Sweep *sweep = user_data;

  return sweep->now_ms - t->last_used_ms >= sweep->self->limits.template_timeout_ms;
}

void
ps_netflow_decoder_expire (PsNetflowDecoder *self,
                           gint64            now_ms)
{
  Sweep sweep = { self, now_ms };
  GHashTableIter iter;
  Exporter *e;

  g_return_if_fail (self != NULL);

  self->last_sweep_ms = now_ms;
  self->swept = TRUE;

  g_hash_table_foreach_remove (self->templates, template_expired_cb, &sweep);

  g_hash_table_iter_init (&iter, self->exporters);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &e))
    {
      GList *l = e->pending.head;

      while (l != NULL)
        {
          GList *next = l->next;
          Pending *p = l->data;

          if (now_ms - p->arrived_ms >= self->limits.pending_timeout_ms)
            {
              g_debug ("data for template %u never got its template", p->template_id);
              self->stats.sets_dropped++;
              g_queue_delete_link (&e->pending, l);
              forget_pending (self, e, p);
            }
          l = next;
        }

      if (e->n_templates == 0 && e->pending.length == 0 &&
          now_ms - e->last_seen_ms >= self->limits.template_timeout_ms)
        g_hash_table_iter_remove (&iter);
    }
}

/* Entry points */

gboolean
ps_netflow_decoder_decode (PsNetflowDecoder   *self,
                           const PsIpAddress  *exporter,
                           const guint8       *data,
                           gsize               len,
                           gint64              now_ms,
                           GArray             *out_records,
                           GError            **error)
{
  guint16 version;
  gboolean ok;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (exporter != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (out_records != NULL, FALSE);
  g_return_val_if_fail (g_array_get_element_size (out_records) == sizeof (PsFlowRecord), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!self->swept || now_ms - self->last_sweep_ms >= SWEEP_INTERVAL_MS ||
      now_ms < self->last_sweep_ms)
    ps_netflow_decoder_expire (self, now_ms);

  version = len >= 2 ? (guint16) (data[0] << 8 | data[1]) : 0;

  if (len > PS_NETFLOW_MAX_DATAGRAM)
    ok = _ps_netflow_fail (error, PS_NETFLOW_ERROR_TOO_LARGE,
                           "a datagram of %" G_GSIZE_FORMAT " bytes is larger than %u",
                           len, PS_NETFLOW_MAX_DATAGRAM);
  else if (len < 2)
    ok = _ps_netflow_fail (error, PS_NETFLOW_ERROR_TRUNCATED,
                           "a datagram of %" G_GSIZE_FORMAT " bytes has no version", len);
  else if (version == 5)
    ok = decode_v5 (self, exporter, data, len, now_ms, out_records, error);
  else if (version == 9)
    ok = decode_v9 (self, exporter, data, len, now_ms, out_records, error);
  else if (version == 10)
    ok = decode_ipfix (self, exporter, data, len, now_ms, out_records, error);
  else
    ok = _ps_netflow_fail (error, PS_NETFLOW_ERROR_BAD_VERSION,
                           "version %u is not NetFlow v5, v9 or IPFIX", version);

  if (ok)
    self->stats.packets++;
  else
    self->stats.errors++;

  return ok;
}

void
ps_netflow_decoder_get_stats (PsNetflowDecoder *self,
                              PsNetflowStats   *stats)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (stats != NULL);

  *stats = self->stats;
  stats->templates = g_hash_table_size (self->templates);
  stats->exporters = g_hash_table_size (self->exporters);
  stats->sets_pending = self->n_pending;
  stats->pending_bytes = self->pending_bytes;
}

guint64
ps_netflow_decoder_get_sequence_gaps (PsNetflowDecoder  *self,
                                      const PsIpAddress *exporter,
                                      guint32            domain,
                                      guint64           *lost)
{
  GHashTableIter iter;
  Exporter *e;
  Domain *d;
  guint64 gaps = 0, n_lost = 0;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (exporter != NULL, 0);

  e = g_hash_table_lookup (self->exporters, exporter);
  if (e != NULL)
    {
      g_hash_table_iter_init (&iter, e->domains);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &d))
        if ((guint32) d->key == domain)
          {
            gaps += d->gaps;
            n_lost += d->lost;
          }
    }

  if (lost != NULL)
    *lost = n_lost;
  return gaps;
}
