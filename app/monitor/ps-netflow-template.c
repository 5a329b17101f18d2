/* ps-netflow-template.c: NetFlow v9 / IPFIX templates compiled, and the
 * records they describe decoded into PsFlowRecord (untrusted input)
 *
 * A template becomes a short array of (offset, length, action) for the
 * fields that map into PsFlowRecord, so that a data record decodes with one
 * switch per mapped field, no allocation, straight into the caller's
 * GArray.  A template with a variable-length field keeps one step per field
 * (runs of unmapped fixed fields merged) and walks each record.  NetFlow v5's
 * fixed records are decoded here too.
 *
 * Information elements (IANA IPFIX registry; v9 uses the same numbers):
 *   8/12, 27/28 addresses     7/11 ports       4 protocol      6 TCP flags
 *   1/2 delta counts (85/86 totals when no delta; 23/24 in v9 only: the reply)
 *   PEN 29305 1/2 reverse counts (RFC 5103): the reply
 *   21/22 sysUpTime of last/first packet (v9: vs the header; IPFIX: vs 160)
 *   150/151 s, 152/153 ms, 154-157 NTP us/ns, 158/159 us before export
 *   56/80 MACs   225/227, 281 NAT source   136 flowEndReason
 *   160 systemInitTimeMilliseconds (usually in an options record)
 * Other elements, and known ones of an unexpected length, are skipped.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-netflow"

#include "config.h"

#include <string.h>

#include "ps-byte-reader.h"
#include "ps-netflow-template-private.h"

#define SET_HEADER_LEN    4
#define V5_RECORD_LEN     48
#define REVERSE_PEN       29305        /* RFC 5103 biflow: reverse elements */
/* past 9999-12-31: nonsense, and keeps the arithmetic far from overflow */
#define MAX_SANE_MS       G_GINT64_CONSTANT (253402300799999)
#define NTP_UNIX_OFFSET   G_GINT64_CONSTANT (2208988800)

#define TCP_FIN 0x01
#define TCP_RST 0x04

typedef enum {
  ACT_SKIP = 0,
  ACT_SRC4,
  ACT_DST4,
  ACT_SRC6,
  ACT_DST6,
  ACT_SRC_PORT,
  ACT_DST_PORT,
  ACT_PROTOCOL,
  ACT_TCP_FLAGS,
  ACT_END_REASON,
  ACT_BYTES,
  ACT_PACKETS,
  ACT_TOTAL_BYTES,
  ACT_TOTAL_PACKETS,
  ACT_REPLY_BYTES,
  ACT_REPLY_PACKETS,
  ACT_FIRST_UPTIME,
  ACT_LAST_UPTIME,
  ACT_FIRST_SECONDS,
  ACT_LAST_SECONDS,
  ACT_FIRST_MS,
  ACT_LAST_MS,
  ACT_FIRST_NTP,
  ACT_LAST_NTP,
  ACT_FIRST_DELTA_US,
  ACT_LAST_DELTA_US,
  ACT_SRC_MAC,
  ACT_DST_MAC,
  ACT_NAT_SRC4,
  ACT_NAT_SRC6,
  ACT_NAT_SRC_PORT,
  ACT_SYS_INIT_MS,
} Action;

/* Per record, what needs the whole record before it means anything. */
enum {
  SEEN_BYTES = 1 << 0,
  SEEN_PACKETS = 1 << 1,
  SEEN_TOTAL_BYTES = 1 << 2,
  SEEN_TOTAL_PACKETS = 1 << 3,
  SEEN_FIRST_UPTIME = 1 << 4,
  SEEN_LAST_UPTIME = 1 << 5,
  SEEN_FLAGS = 1 << 6,
  SEEN_REASON = 1 << 7,
  SEEN_SYS_INIT = 1 << 8,
};

typedef struct
{
  guint   seen;
  guint16 tcp_flags;
  guint8  end_reason;
  guint32 first_uptime;
  guint32 last_uptime;
  guint64 total_bytes;
  guint64 total_packets;
  gint64  sys_init_ms;
} Scratch;

gboolean
_ps_netflow_fail (GError         **error,
                  PsNetflowError   code,
                  const char      *format,
                  ...)
{
  va_list args;
  char *message;

  if (error == NULL)
    return FALSE;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, PS_NETFLOW_ERROR, code, message);
  g_free (message);

  return FALSE;
}

/* Field mapping */

static inline guint64
read_uint (const guint8 *p,
           guint         len)
{
  guint64 v = 0;

  for (guint i = 0; i < len; i++)
    v = v << 8 | p[i];

  return v;
}

static inline guint16
read_u16 (const guint8 *p)
{
  return (guint16) (p[0] << 8 | p[1]);
}

static inline guint32
read_u32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

static inline gint64
sane_ms (guint64 ms)
{
  return ms <= (guint64) MAX_SANE_MS ? (gint64) ms : 0;
}

/* RFC 7011 dateTimeMicro/Nanoseconds: NTP seconds since 1900 and a binary
 * fraction; with the top bit clear the seconds are in era 1 (from 2036). */
static inline gint64
ntp_to_ms (guint64 ntp)
{
  gint64 secs = (gint64) (ntp >> 32);
  guint64 frac = ntp & 0xffffffffu;

  if (ntp == 0)
    return 0;
  if (secs < G_GINT64_CONSTANT (0x80000000))
    secs += G_GINT64_CONSTANT (0x100000000);

  return (secs - NTP_UNIX_OFFSET) * 1000 + (gint64) ((frac * 1000) >> 32);
}

/* v5/v9: a sysUptime (ms) in the record, relative to the header's. */
static inline gint64
uptime_to_ms (const PsNetflowContext *ctx,
              guint32                 uptime)
{
  /* how long before the export; a little after is clock skew */
  gint64 t = ctx->export_ms - (gint32) (ctx->uptime_ms - uptime);

  return t > 0 ? t : 0;
}

static inline gboolean
is_counter (guint16 length)
{
  return length >= 1 && length <= 8;
}

static Action
field_action (guint8  version,
              guint32 pen,
              guint16 type,
              guint16 length)
{
#define IF_LENGTH(n, action) return length == (n) ? (action) : ACT_SKIP

  if (pen == REVERSE_PEN)
    {
      if (type == 1 && is_counter (length))
        return ACT_REPLY_BYTES;
      if (type == 2 && is_counter (length))
        return ACT_REPLY_PACKETS;
      return ACT_SKIP;
    }
  if (pen != 0)
    return ACT_SKIP;

  switch (type)
    {
    case 1:   return is_counter (length) ? ACT_BYTES : ACT_SKIP;
    case 2:   return is_counter (length) ? ACT_PACKETS : ACT_SKIP;
    case 4:   IF_LENGTH (1, ACT_PROTOCOL);
    case 6:   return length == 1 || length == 2 ? ACT_TCP_FLAGS : ACT_SKIP;
    case 7:   IF_LENGTH (2, ACT_SRC_PORT);
    case 8:   IF_LENGTH (4, ACT_SRC4);
    case 11:  IF_LENGTH (2, ACT_DST_PORT);
    case 12:  IF_LENGTH (4, ACT_DST4);
    case 21:  IF_LENGTH (4, ACT_LAST_UPTIME);
    case 22:  IF_LENGTH (4, ACT_FIRST_UPTIME);
    /* v9 OUT_BYTES/OUT_PKTS; in IPFIX post*DeltaCount, not the reply */
    case 23:  return version == 9 && is_counter (length) ? ACT_REPLY_BYTES : ACT_SKIP;
    case 24:  return version == 9 && is_counter (length) ? ACT_REPLY_PACKETS : ACT_SKIP;
    case 27:  IF_LENGTH (16, ACT_SRC6);
    case 28:  IF_LENGTH (16, ACT_DST6);
    case 56:  IF_LENGTH (6, ACT_SRC_MAC);
    case 80:  IF_LENGTH (6, ACT_DST_MAC);
    case 85:  return is_counter (length) ? ACT_TOTAL_BYTES : ACT_SKIP;
    case 86:  return is_counter (length) ? ACT_TOTAL_PACKETS : ACT_SKIP;
    case 136: IF_LENGTH (1, ACT_END_REASON);
    case 150: IF_LENGTH (4, ACT_FIRST_SECONDS);
    case 151: IF_LENGTH (4, ACT_LAST_SECONDS);
    case 152: IF_LENGTH (8, ACT_FIRST_MS);
    case 153: IF_LENGTH (8, ACT_LAST_MS);
    case 154: IF_LENGTH (8, ACT_FIRST_NTP);
    case 155: IF_LENGTH (8, ACT_LAST_NTP);
    case 156: IF_LENGTH (8, ACT_FIRST_NTP);
    case 157: IF_LENGTH (8, ACT_LAST_NTP);
    case 158: IF_LENGTH (4, ACT_FIRST_DELTA_US);
    case 159: IF_LENGTH (4, ACT_LAST_DELTA_US);
    case 160: IF_LENGTH (8, ACT_SYS_INIT_MS);
    case 225: IF_LENGTH (4, ACT_NAT_SRC4);
    case 227: IF_LENGTH (2, ACT_NAT_SRC_PORT);
    case 281: IF_LENGTH (16, ACT_NAT_SRC6);
    default:  return ACT_SKIP;
    }

#undef IF_LENGTH
}

/* Records */

static inline void
begin_record (Scratch                *s,
              PsFlowRecord           *rec,
              const PsNetflowContext *ctx)
{
  memset (rec, 0, sizeof *rec);
  rec->origin = ctx->origin;
  rec->new_flow = TRUE;
  s->seen = 0;
}

static inline void
apply (Scratch                *s,
       PsFlowRecord           *rec,
       const PsNetflowContext *ctx,
       guint                   action,
       const guint8           *p,
       guint                   len)
{
  switch (action)
    {
    case ACT_SRC4:
      rec->src.family = 4;
      memcpy (rec->src.bytes, p, 4);
      break;
    case ACT_DST4:
      rec->dst.family = 4;
      memcpy (rec->dst.bytes, p, 4);
      break;
    case ACT_SRC6:
      ps_ip_address_set_v6 (&rec->src, p);
      break;
    case ACT_DST6:
      ps_ip_address_set_v6 (&rec->dst, p);
      break;
    case ACT_NAT_SRC4:
      rec->nat_src.family = 4;
      memcpy (rec->nat_src.bytes, p, 4);
      break;
    case ACT_NAT_SRC6:
      ps_ip_address_set_v6 (&rec->nat_src, p);
      break;
    case ACT_SRC_PORT:
      rec->src_port = read_u16 (p);
      break;
    case ACT_DST_PORT:
      rec->dst_port = read_u16 (p);
      break;
    case ACT_NAT_SRC_PORT:
      rec->nat_src_port = read_u16 (p);
      break;
    case ACT_PROTOCOL:
      rec->ip_protocol = p[0];
      break;
    case ACT_TCP_FLAGS:
      s->tcp_flags = (guint16) read_uint (p, len);
      s->seen |= SEEN_FLAGS;
      break;
    case ACT_END_REASON:
      s->end_reason = p[0];
      s->seen |= SEEN_REASON;
      break;
    case ACT_BYTES:
      rec->bytes = read_uint (p, len);
      s->seen |= SEEN_BYTES;
      break;
    case ACT_PACKETS:
      rec->packets = read_uint (p, len);
      s->seen |= SEEN_PACKETS;
      break;
    case ACT_TOTAL_BYTES:
      s->total_bytes = read_uint (p, len);
      s->seen |= SEEN_TOTAL_BYTES;
      break;
    case ACT_TOTAL_PACKETS:
      s->total_packets = read_uint (p, len);
      s->seen |= SEEN_TOTAL_PACKETS;
      break;
    case ACT_REPLY_BYTES:
      rec->reply_bytes = read_uint (p, len);
      break;
    case ACT_REPLY_PACKETS:
      rec->reply_packets = read_uint (p, len);
      break;
    case ACT_FIRST_UPTIME:
      s->first_uptime = read_u32 (p);
      s->seen |= SEEN_FIRST_UPTIME;
      break;
    case ACT_LAST_UPTIME:
      s->last_uptime = read_u32 (p);
      s->seen |= SEEN_LAST_UPTIME;
      break;
    case ACT_FIRST_SECONDS:
      rec->first_ms = (gint64) read_u32 (p) * 1000;
      break;
    case ACT_LAST_SECONDS:
      rec->last_ms = (gint64) read_u32 (p) * 1000;
      break;
    case ACT_FIRST_MS:
      rec->first_ms = sane_ms (read_uint (p, 8));
      break;
    case ACT_LAST_MS:
      rec->last_ms = sane_ms (read_uint (p, 8));
      break;
    case ACT_FIRST_NTP:
      rec->first_ms = ntp_to_ms (read_uint (p, 8));
      break;
    case ACT_LAST_NTP:
      rec->last_ms = ntp_to_ms (read_uint (p, 8));
      break;
    case ACT_FIRST_DELTA_US:
      rec->first_ms = MAX (ctx->export_ms - read_u32 (p) / 1000, 0);
      break;
    case ACT_LAST_DELTA_US:
      rec->last_ms = MAX (ctx->export_ms - read_u32 (p) / 1000, 0);
      break;
    case ACT_SRC_MAC:
      memcpy (rec->src_mac, p, 6);
      rec->has_src_mac = TRUE;
      break;
    case ACT_DST_MAC:
      memcpy (rec->dst_mac, p, 6);
      rec->has_dst_mac = TRUE;
      break;
    case ACT_SYS_INIT_MS:
      s->sys_init_ms = sane_ms (read_uint (p, 8));
      if (s->sys_init_ms != 0)
        s->seen |= SEEN_SYS_INIT;
      break;
    case ACT_SKIP:
    default:
      break;
    }
}

static inline void
finish_record (Scratch                *s,
               PsFlowRecord           *rec,
               const PsNetflowContext *ctx,
               gint64                 *sys_init_ms)
{
  if (s->seen & SEEN_SYS_INIT)
    *sys_init_ms = s->sys_init_ms;

  if ((s->seen & (SEEN_BYTES | SEEN_TOTAL_BYTES)) == SEEN_TOTAL_BYTES)
    rec->bytes = s->total_bytes;
  if ((s->seen & (SEEN_PACKETS | SEEN_TOTAL_PACKETS)) == SEEN_TOTAL_PACKETS)
    rec->packets = s->total_packets;

  if (s->seen & (SEEN_FIRST_UPTIME | SEEN_LAST_UPTIME))
    {
      if (ctx->version != 10)
        {
          if (s->seen & SEEN_FIRST_UPTIME)
            rec->first_ms = uptime_to_ms (ctx, s->first_uptime);
          if (s->seen & SEEN_LAST_UPTIME)
            rec->last_ms = uptime_to_ms (ctx, s->last_uptime);
        }
      else if (*sys_init_ms != 0)
        {
          /* IPFIX flowStart/EndSysUpTime count from systemInitTimeMilliseconds */
          if (s->seen & SEEN_FIRST_UPTIME)
            rec->first_ms = *sys_init_ms + s->first_uptime;
          if (s->seen & SEEN_LAST_UPTIME)
            rec->last_ms = *sys_init_ms + s->last_uptime;
        }
    }

  /* flowEndReason: 1 idle timeout, 3 end of flow, 4 forced, 5 lack of
   * resources end it; 2 (active timeout) does not.  Otherwise FIN or RST. */
  if (s->seen & SEEN_REASON)
    rec->ended = s->end_reason >= 1 && s->end_reason <= 5 && s->end_reason != 2;
  else if ((s->seen & SEEN_FLAGS) && rec->ip_protocol == 6)
    rec->ended = (s->tcp_flags & (TCP_FIN | TCP_RST)) != 0;
}

static inline void
decode_fixed (const PsNetflowTemplate *t,
              const PsNetflowContext  *ctx,
              const guint8            *p,
              PsFlowRecord            *rec,
              gint64                  *sys_init_ms)
{
  Scratch s;

  begin_record (&s, rec, ctx);
  for (guint k = 0; k < t->n_ops; k++)
    apply (&s, rec, ctx, t->ops[k].action, p + t->ops[k].offset, t->ops[k].length);
  finish_record (&s, rec, ctx, sys_init_ms);
}

static gboolean
decode_variable (const PsNetflowTemplate *t,
                 const PsNetflowContext  *ctx,
                 PsByteReader            *r,
                 PsFlowRecord            *rec,
                 gint64                  *sys_init_ms)
{
  Scratch s;

  begin_record (&s, rec, ctx);
  for (guint k = 0; k < t->n_ops; k++)
    {
      const PsNetflowOp *op = &t->ops[k];
      gsize length = op->length;
      const guint8 *p;

      if (length == PS_NETFLOW_VARIABLE_LENGTH)
        {
          guint8 short_length;
          guint16 long_length;

          if (!ps_byte_reader_get_u8 (r, &short_length))
            return FALSE;
          length = short_length;
          if (short_length == 255)
            {
              if (!ps_byte_reader_get_u16_be (r, &long_length))
                return FALSE;
              length = long_length;
            }
        }
      if (!ps_byte_reader_get_bytes (r, length, &p))
        return FALSE;
      apply (&s, rec, ctx, op->action, p, (guint) length);
    }
  finish_record (&s, rec, ctx, sys_init_ms);

  return TRUE;
}

gboolean
_ps_netflow_template_decode (const PsNetflowTemplate  *t,
                             const PsNetflowContext   *ctx,
                             const guint8             *body,
                             gsize                     len,
                             GArray                   *out,
                             gint64                   *sys_init_ms,
                             guint                    *n_records,
                             GError                  **error)
{
  guint n = 0;

  /* fewer than 4 bytes can be padding; more must hold a record */
  if (len >= SET_HEADER_LEN && len < t->min_len)
    return _ps_netflow_fail (error, PS_NETFLOW_ERROR_BAD_LENGTH,
                             "data set of %" G_GSIZE_FORMAT " bytes for template %u, "
                             "whose records need %u", len, t->key.id, t->min_len);

  if (!t->variable)
    {
      n = (guint) (len / t->min_len);   /* the rest is padding */
      if (t->flows && n > 0)
        {
          guint base = out->len;
          PsFlowRecord *recs;

          g_array_set_size (out, base + n);
          recs = &g_array_index (out, PsFlowRecord, base);
          for (guint i = 0; i < n; i++)
            decode_fixed (t, ctx, body + (gsize) i * t->min_len, &recs[i], sys_init_ms);
        }
      else
        {
          for (guint i = 0; i < n; i++)
            {
              PsFlowRecord scratch;

              decode_fixed (t, ctx, body + (gsize) i * t->min_len, &scratch, sys_init_ms);
            }
        }
    }
  else
    {
      PsByteReader r = PS_BYTE_READER_INIT (body, len);

      /* each record takes at least min_len >= 1 bytes: this ends */
      while (ps_byte_reader_remaining (&r) >= t->min_len)
        {
          PsFlowRecord scratch, *rec = &scratch;

          if (t->flows)
            {
              g_array_set_size (out, out->len + 1);
              rec = &g_array_index (out, PsFlowRecord, out->len - 1);
            }
          if (!decode_variable (t, ctx, &r, rec, sys_init_ms))
            {
              if (t->flows)
                g_array_set_size (out, out->len - 1);
              *n_records += n;
              return _ps_netflow_fail (error, PS_NETFLOW_ERROR_TRUNCATED,
                                       "a record of template %u runs past the end of its set",
                                       t->key.id);
            }
          n++;
        }
    }

  *n_records += n;
  return TRUE;
}

PsNetflowTemplate *
_ps_netflow_template_compile (guint8                    version,
                              gboolean                  options,
                              const PsNetflowFieldSpec *fields,
                              guint                     n_fields,
                              guint32                   min_len,
                              gboolean                  variable)
{
  PsNetflowTemplate *t = g_malloc0 (sizeof (PsNetflowTemplate) + n_fields * sizeof (PsNetflowOp));
  gboolean has_src = FALSE, has_dst = FALSE;
  guint offset = 0, k = 0;

  for (guint i = 0; i < n_fields; i++)
    {
      Action action = field_action (version, fields[i].pen, fields[i].type, fields[i].length);
      guint16 length = fields[i].length;

      has_src |= action == ACT_SRC4 || action == ACT_SRC6;
      has_dst |= action == ACT_DST4 || action == ACT_DST6;

      if (!variable)
        {
          if (action != ACT_SKIP)
            t->ops[k++] = (PsNetflowOp) { (guint16) offset, length, action };
          offset += length;
        }
      else if (action == ACT_SKIP && length != PS_NETFLOW_VARIABLE_LENGTH && k > 0 &&
               t->ops[k - 1].action == ACT_SKIP &&
               t->ops[k - 1].length != PS_NETFLOW_VARIABLE_LENGTH &&
               (guint) t->ops[k - 1].length + length < PS_NETFLOW_VARIABLE_LENGTH)
        {
          t->ops[k - 1].length += length;
        }
      else
        {
          t->ops[k++] = (PsNetflowOp) { 0, length, action };
        }
    }

  t->n_ops = (guint16) k;
  t->min_len = min_len;
  t->variable = variable;
  t->options = options;
  t->flows = !options && has_src && has_dst;

  return t;
}

void
_ps_netflow_decode_v5_records (const PsNetflowContext *ctx,
                               const guint8           *data,
                               guint                   count,
                               PsFlowRecord           *out)
{
  for (guint i = 0; i < count; i++)
    {
      const guint8 *p = data + (gsize) i * V5_RECORD_LEN;
      PsFlowRecord *rec = &out[i];

      memset (rec, 0, sizeof *rec);
      rec->origin = PS_FLOW_ORIGIN_NETFLOW_V5;
      rec->new_flow = TRUE;
      rec->src.family = 4;
      memcpy (rec->src.bytes, p, 4);
      rec->dst.family = 4;
      memcpy (rec->dst.bytes, p + 4, 4);
      rec->packets = read_u32 (p + 16);
      rec->bytes = read_u32 (p + 20);
      rec->first_ms = uptime_to_ms (ctx, read_u32 (p + 24));
      rec->last_ms = uptime_to_ms (ctx, read_u32 (p + 28));
      rec->src_port = read_u16 (p + 32);
      rec->dst_port = read_u16 (p + 34);
      rec->ip_protocol = p[38];
      rec->ended = rec->ip_protocol == 6 && (p[37] & (TCP_FIN | TCP_RST)) != 0;
    }
}
