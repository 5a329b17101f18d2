/* ps-mdns-message.c: mDNS / DNS-SD messages, a pure codec
 *
 * Wire format (RFC 1035 §4, all integers big-endian): a 12-byte header
 * (id, flags, then the question, answer, authority and additional counts),
 * then the questions (name, type, class) and the records (name, type,
 * class, ttl:4, rdlength, rdata). mDNS (RFC 6762) borrows the top bit of
 * the class: QU in a question, cache-flush in a record.
 *
 * Names are read defensively. A compression pointer must point back, before
 * itself and past the header; together with the 255-byte cap on a name's
 * wire length (RFC 1035 §3.1: length bytes and the root included) this ends
 * every loop, even one that jumps into the middle of a label; a cap on the
 * number of jumps is a second fence. Labels over 63 bytes and the reserved
 * label types 01 and 10 are errors, as are more than PS_MDNS_MAX_RECORDS
 * records, any rdlength past the end and rdata whose names do not end where
 * the rdata ends.
 *
 * Names are kept in presentation form: labels joined by '.', with '.' and
 * '\' inside a label escaped as "\." and "\\", and bytes below 0x20, 0x7f
 * and bytes from 0x80 as "\DDD" (decimal), so two names compare with
 * g_ascii_strcasecmp() as DNS wants. The instance name shown to the user
 * (RFC 6763 §4.3: any UTF-8, dots and all) is the raw first label, with
 * each byte that is not valid UTF-8, and each control character, replaced
 * by U+FFFD: a camera with a broken name is still a camera.
 *
 * DNS-SD resolution (RFC 6763 §12) happens within one message: PTR
 * <service> -> <instance>.<service>, SRV <instance> -> host and port, A and
 * AAAA <host> -> addresses, TXT <instance> -> key=value strings (RFC 6763
 * §6: strings without '=' and empty strings are ignored; so are values that
 * are not UTF-8 or hold a NUL). A PTR with TTL 0 is a goodbye (RFC 6762
 * §10.1): the sighting says bye unless another PTR for the host lives.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-mdns-message"

#include <gio/gio.h>
#include <string.h>

#include "ps-byte-reader.h"
#include "ps-mdns-message.h"
#include "ps-wsd-message.h"

#define HEADER_LEN        12
#define FLAG_QR           0x8000
#define OPCODE_MASK       0x7800
#define RCODE_MASK        0x000f
#define MAX_HOPS          64
#define MAX_TXT_STRINGS   64
#define MAX_XADDRS        8
#define ONVIF_TYPE        "_onvif._tcp.local"
#define AXIS_TYPE         "_axis-video._tcp.local"
#define ONVIF_PATH        "/onvif/device_service"

const char * const ps_mdns_service_types[] = {
  "_rtsp._tcp.local",
  ONVIF_TYPE,
  AXIS_TYPE,
  "_http._tcp.local",
  "_hap._tcp.local",
  NULL
};

typedef struct
{
  guint16     type;
  guint32     ttl;
  char       *name;        /* owner */
  char       *target;      /* PTR, SRV */
  GByteArray *label;       /* PTR: the target's first label, raw */
  guint16     port;        /* SRV */
  char       *address;     /* A, AAAA */
  GPtrArray  *txt;         /* TXT: "key=value" */
} Record;

static void
record_free (Record *record)
{
  g_free (record->name);
  g_free (record->target);
  if (record->label != NULL)
    g_byte_array_unref (record->label);
  g_free (record->address);
  if (record->txt != NULL)
    g_ptr_array_unref (record->txt);
  g_free (record);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Record, record_free)

static gboolean
mdns_error (GError     **error,
            const char  *message)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "mDNS: %s", message);
  return FALSE;
}

void
ps_mdns_question_free (PsMdnsQuestion *question)
{
  if (question == NULL)
    return;

  g_free (question->name);
  g_free (question);
}

/* Names ------------------------------------------------------------------- */

static void
append_label (GString      *out,
              const guint8 *label,
              gsize         len)
{
  if (out->len > 0)
    g_string_append_c (out, '.');

  for (gsize i = 0; i < len; i++)
    {
      guint8 c = label[i];

      if (c == '.' || c == '\\')
        {
          g_string_append_c (out, '\\');
          g_string_append_c (out, (char) c);
        }
      else if (c < 0x20 || c >= 0x7f)
        g_string_append_printf (out, "\\%03u", c);
      else
        g_string_append_c (out, (char) c);
    }
}

/* Reads the name at r's position (following pointers anywhere before it
 * within r) into out, in presentation form; r continues after the name's
 * in-place part. label (optional) gets the raw first label. */
static gboolean
read_name (PsByteReader  *r,
           GString       *out,
           GByteArray    *label,
           GError       **error)
{
  gsize pos = r->pos;
  gsize end = 0;
  gsize wire = 0;
  guint hops = 0;
  guint n_labels = 0;
  gboolean jumped = FALSE;

  g_string_truncate (out, 0);
  if (label != NULL)
    g_byte_array_set_size (label, 0);

  for (;;)
    {
      guint8 b;

      if (pos >= r->len)
        return mdns_error (error, "truncated name");
      b = r->data[pos];

      if ((b & 0xc0) == 0xc0)
        {
          gsize target;

          if (r->len - pos < 2)
            return mdns_error (error, "truncated compression pointer");
          target = (gsize) (b & 0x3f) << 8 | r->data[pos + 1];
          if (target >= pos)
            return mdns_error (error, "compression pointer does not point back");
          if (target < HEADER_LEN)
            return mdns_error (error, "compression pointer into the header");
          if (++hops > MAX_HOPS)
            return mdns_error (error, "too many compression pointers");
          if (!jumped)
            end = pos + 2;
          jumped = TRUE;
          pos = target;
          continue;
        }
      if ((b & 0xc0) != 0)
        return mdns_error (error, "label longer than 63 bytes");

      wire += 1 + (gsize) b;
      if (wire > PS_MDNS_MAX_NAME)
        return mdns_error (error, "name longer than 255 bytes");
      if (b == 0)
        {
          if (!jumped)
            end = pos + 1;
          break;
        }
      if (r->len - pos - 1 < b)
        return mdns_error (error, "truncated label");

      append_label (out, r->data + pos + 1, b);
      if (label != NULL && n_labels == 0)
        g_byte_array_append (label, r->data + pos + 1, b);
      n_labels++;
      pos += 1 + (gsize) b;
    }

  r->pos = end;
  return TRUE;
}

static gboolean
write_name (GByteArray *out,
            const char *name)
{
  g_auto(GStrv) labels = g_strsplit (name, ".", -1);
  gsize wire = 1;

  for (guint i = 0; labels[i] != NULL; i++)
    {
      gsize len = strlen (labels[i]);
      guint8 b = (guint8) len;

      wire += 1 + len;
      if (len == 0 || len > PS_MDNS_MAX_LABEL || wire > PS_MDNS_MAX_NAME)
        return FALSE;
      g_byte_array_append (out, &b, 1);
      g_byte_array_append (out, (const guint8 *) labels[i], (guint) len);
    }
  g_byte_array_append (out, (const guint8 *) "", 1);

  return TRUE;
}

/* The first label as something to show: UTF-8, no control characters. */
static char *
display_label (const GByteArray *label)
{
  GString *out = g_string_new (NULL);
  const char *p = (const char *) label->data;
  gsize left = label->len;

  while (left > 0)
    {
      gunichar c = g_utf8_get_char_validated (p, (gssize) left);
      gsize n;

      if (c == (gunichar) -1 || c == (gunichar) -2 || c == 0)
        {
          g_string_append_unichar (out, 0xfffd);
          p++;
          left--;
          continue;
        }
      n = (gsize) (g_utf8_next_char (p) - p);
      if (g_unichar_iscntrl (c))
        g_string_append_unichar (out, 0xfffd);
      else
        g_string_append_len (out, p, (gssize) n);
      p += n;
      left -= n;
    }

  return g_string_free (out, FALSE);
}

/* Header ------------------------------------------------------------------ */

static gboolean
read_header (PsByteReader  *r,
             guint16       *id,
             guint16       *flags,
             guint16        counts[4],
             GError       **error)
{
  guint total = 0;

  if (!ps_byte_reader_get_u16_be (r, id) || !ps_byte_reader_get_u16_be (r, flags))
    return mdns_error (error, "truncated header");
  for (guint i = 0; i < 4; i++)
    {
      if (!ps_byte_reader_get_u16_be (r, &counts[i]))
        return mdns_error (error, "truncated header");
      total += counts[i];
    }
  if (total > PS_MDNS_MAX_RECORDS)
    return mdns_error (error, "more than 128 questions and records");
  if ((*flags & OPCODE_MASK) != 0)
    return mdns_error (error, "not a standard query (opcode)");

  return TRUE;
}

gboolean
ps_mdns_is_response (const guint8 *data,
                     gsize         len)
{
  if (data == NULL || len < HEADER_LEN)
    return FALSE;

  return (data[2] & 0x80) != 0 && (data[2] & 0x78) == 0;
}

/* Queries ----------------------------------------------------------------- */

GBytes *
ps_mdns_build_query (guint16             id,
                     const char * const *service_types,
                     gboolean            unicast_response)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  guint n = 0;
  guint8 header[HEADER_LEN] = { 0 };

  if (service_types == NULL)
    service_types = ps_mdns_service_types;
  while (service_types[n] != NULL)
    n++;
  g_return_val_if_fail (n > 0 && n <= PS_MDNS_MAX_RECORDS, NULL);

  header[0] = (guint8) (id >> 8);
  header[1] = (guint8) id;
  header[4] = (guint8) (n >> 8);
  header[5] = (guint8) n;
  g_byte_array_append (out, header, sizeof header);

  for (guint i = 0; i < n; i++)
    {
      guint16 klass = PS_MDNS_CLASS_IN | (unicast_response ? PS_MDNS_CLASS_FLAG : 0);
      guint8 tail[4] = { 0, PS_MDNS_TYPE_PTR, (guint8) (klass >> 8), (guint8) klass };

      if (!write_name (out, service_types[i]))
        return NULL;
      g_byte_array_append (out, tail, sizeof tail);
    }

  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

GPtrArray *
ps_mdns_parse_query (const guint8  *data,
                     gsize          len,
                     guint16       *id,
                     GError       **error)
{
  PsByteReader r = PS_BYTE_READER_INIT (data, len);
  g_autoptr(GPtrArray) questions = NULL;
  g_autoptr(GString) name = g_string_new (NULL);
  guint16 local_id, flags, counts[4];

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  if (!read_header (&r, &local_id, &flags, counts, error))
    return NULL;
  if ((flags & FLAG_QR) != 0)
    {
      mdns_error (error, "not a query");
      return NULL;
    }

  questions = g_ptr_array_new_with_free_func ((GDestroyNotify) ps_mdns_question_free);
  for (guint i = 0; i < counts[0]; i++)
    {
      PsMdnsQuestion *q;
      guint16 type, klass;

      if (!read_name (&r, name, NULL, error))
        return NULL;
      if (!ps_byte_reader_get_u16_be (&r, &type) || !ps_byte_reader_get_u16_be (&r, &klass))
        {
          mdns_error (error, "truncated question");
          return NULL;
        }
      q = g_new0 (PsMdnsQuestion, 1);
      q->name = g_strdup (name->str);
      q->type = type;
      q->klass = klass;
      g_ptr_array_add (questions, q);
    }

  if (id != NULL)
    *id = local_id;
  return g_steal_pointer (&questions);
}

/* Records ----------------------------------------------------------------- */

static gboolean
read_txt (PsByteReader  *r,
          Record        *record,
          GError       **error)
{
  record->txt = g_ptr_array_new_with_free_func (g_free);

  while (ps_byte_reader_remaining (r) > 0)
    {
      const guint8 *s;
      guint8 n;

      if (!ps_byte_reader_get_u8 (r, &n) || !ps_byte_reader_get_bytes (r, n, &s))
        return mdns_error (error, "TXT string past the end of its record");
      if (n == 0 || record->txt->len >= MAX_TXT_STRINGS ||
          memchr (s, '=', n) == NULL || s[0] == '=' || memchr (s, '\0', n) != NULL ||
          !g_utf8_validate ((const char *) s, n, NULL))
        continue;
      g_ptr_array_add (record->txt, g_strndup ((const char *) s, n));
    }

  return TRUE;
}

/* rdata is read through a reader that ends where the rdata ends (names may
 * still point back anywhere before). */
static gboolean
read_rdata (const PsByteReader  *message,
            gsize                start,
            gsize                rdlength,
            Record              *record,
            GString             *scratch,
            GError             **error)
{
  PsByteReader r = PS_BYTE_READER_INIT (message->data, start + rdlength);
  const guint8 *bytes;

  r.pos = start;
  switch (record->type)
    {
    case PS_MDNS_TYPE_PTR:
      record->label = g_byte_array_new ();
      if (!read_name (&r, scratch, record->label, error))
        return FALSE;
      record->target = g_strdup (scratch->str);
      break;

    case PS_MDNS_TYPE_SRV:
      {
        guint16 priority, weight;

        if (!ps_byte_reader_get_u16_be (&r, &priority) ||
            !ps_byte_reader_get_u16_be (&r, &weight) ||
            !ps_byte_reader_get_u16_be (&r, &record->port))
          return mdns_error (error, "truncated SRV record");
        if (!read_name (&r, scratch, NULL, error))
          return FALSE;
        record->target = g_strdup (scratch->str);
      }
      break;

    case PS_MDNS_TYPE_A:
    case PS_MDNS_TYPE_AAAA:
      {
        gboolean v4 = record->type == PS_MDNS_TYPE_A;
        g_autoptr(GInetAddress) address = NULL;

        if (rdlength != (v4 ? 4u : 16u) || !ps_byte_reader_get_bytes (&r, rdlength, &bytes))
          return mdns_error (error, v4 ? "bad A record" : "bad AAAA record");
        address = g_inet_address_new_from_bytes (bytes, v4 ? G_SOCKET_FAMILY_IPV4
                                                           : G_SOCKET_FAMILY_IPV6);
        record->address = g_inet_address_to_string (address);
      }
      break;

    case PS_MDNS_TYPE_TXT:
      if (!read_txt (&r, record, error))
        return FALSE;
      break;

    default:
      return TRUE;
    }

  if (ps_byte_reader_remaining (&r) != 0)
    return mdns_error (error, "record data longer than its content");

  return TRUE;
}

static Record *
read_record (PsByteReader  *r,
             GString       *scratch,
             GError       **error)
{
  g_autoptr(Record) record = g_new0 (Record, 1);
  guint16 klass, rdlength;
  gsize start;

  if (!read_name (r, scratch, NULL, error))
    return NULL;
  record->name = g_strdup (scratch->str);
  if (!ps_byte_reader_get_u16_be (r, &record->type) ||
      !ps_byte_reader_get_u16_be (r, &klass) ||
      !ps_byte_reader_get_u32_be (r, &record->ttl) ||
      !ps_byte_reader_get_u16_be (r, &rdlength))
    {
      mdns_error (error, "truncated record");
      return NULL;
    }
  start = r->pos;
  if (!ps_byte_reader_skip (r, rdlength))
    {
      mdns_error (error, "record data past the end");
      return NULL;
    }

  /* other classes are skipped whole, their rdata unread */
  if ((klass & ~PS_MDNS_CLASS_FLAG) != PS_MDNS_CLASS_IN)
    record->type = 0;
  if (!read_rdata (r, start, rdlength, record, scratch, error))
    return NULL;

  return g_steal_pointer (&record);
}

/* Resolution -------------------------------------------------------------- */

static const Record *
find_record (GPtrArray  *records,
             guint16     type,
             const char *name,
             guint      *from)
{
  for (guint i = from != NULL ? *from : 0; i < records->len; i++)
    {
      const Record *record = g_ptr_array_index (records, i);

      if (record->type == type && g_ascii_strcasecmp (record->name, name) == 0)
        {
          if (from != NULL)
            *from = i + 1;
          return record;
        }
    }

  return NULL;
}

static const char *
service_type (const char *name)
{
  for (guint i = 0; ps_mdns_service_types[i] != NULL; i++)
    if (g_ascii_strcasecmp (name, ps_mdns_service_types[i]) == 0)
      return ps_mdns_service_types[i];

  return NULL;
}

/* "<first label>.<service>" in presentation form? */
static gboolean
is_instance_of (const char *instance,
                const char *service)
{
  for (const char *p = instance; *p != '\0'; p++)
    {
      if (*p == '\\' && p[1] != '\0')
        p++;
      else if (*p == '.')
        return g_ascii_strcasecmp (p + 1, service) == 0;
    }

  return FALSE;
}

static const char *
txt_value (const Record *txt,
           const char   *key)
{
  gsize key_len = strlen (key);

  for (guint i = 0; txt != NULL && i < txt->txt->len; i++)
    {
      const char *s = g_ptr_array_index (txt->txt, i);

      /* RFC 6763 §6.4: keys are case-insensitive; empty values say nothing */
      if (g_ascii_strncasecmp (s, key, key_len) == 0 && s[key_len] == '=' &&
          s[key_len + 1] != '\0')
        return s + key_len + 1;
    }

  return NULL;
}

static const char *
txt_any (const Record       *txt,
         const char * const *keys)
{
  for (guint i = 0; keys[i] != NULL; i++)
    {
      const char *value = txt_value (txt, keys[i]);

      if (value != NULL)
        return value;
    }

  return NULL;
}

static gboolean
is_safe_path (const char *path)
{
  if (path == NULL || path[0] != '/' || strlen (path) > 255)
    return FALSE;
  for (const char *p = path; *p != '\0'; p++)
    if (*p <= 0x20 || *p >= 0x7f || *p == '#')
      return FALSE;

  return TRUE;
}

static void
add_xaddr (PsSighting *sighting,
           char       *xaddr)
{
  guint n = sighting->xaddrs != NULL ? g_strv_length (sighting->xaddrs) : 0;

  if (n >= MAX_XADDRS || (n > 0 && g_strv_contains ((const char * const *) sighting->xaddrs,
                                                     xaddr)))
    {
      g_free (xaddr);
      return;
    }
  sighting->xaddrs = g_renew (char *, sighting->xaddrs, n + 2);
  sighting->xaddrs[n] = xaddr;
  sighting->xaddrs[n + 1] = NULL;
}

typedef struct
{
  char       *key;        /* the SRV host, or the instance without one */
  PsSighting *sighting;
} Host;

static void
host_free (Host *host)
{
  g_free (host->key);
  ps_sighting_free (host->sighting);
  g_free (host);
}

static Host *
get_host (GPtrArray  *hosts,
          const char *key)
{
  Host *host;

  for (guint i = 0; i < hosts->len; i++)
    {
      host = g_ptr_array_index (hosts, i);
      if (g_ascii_strcasecmp (host->key, key) == 0)
        return host;
    }

  host = g_new0 (Host, 1);
  host->key = g_strdup (key);
  host->sighting = ps_sighting_new (PS_PROTOCOL_MDNS);
  host->sighting->bye = TRUE;
  g_ptr_array_add (hosts, host);

  return host;
}

static void
resolve_instance (GPtrArray    *records,
                  GPtrArray    *hosts,
                  const Record *ptr,
                  const char   *service,
                  const char   *answering_address)
{
  static const char * const model_keys[] = { "model", "md", NULL };
  static const char * const vendor_keys[] = { "manufacturer", "mf", "vendor", NULL };
  static const char * const mac_keys[] = { "mac", "macaddress", NULL };
  const Record *srv = find_record (records, PS_MDNS_TYPE_SRV, ptr->target, NULL);
  const Record *txt = find_record (records, PS_MDNS_TYPE_TXT, ptr->target, NULL);
  const char *host_name = srv != NULL && *srv->target != '\0' ? srv->target : NULL;
  PsSighting *s = get_host (hosts, host_name != NULL ? host_name : ptr->target)->sighting;
  gboolean answerer_listed = FALSE;
  guint n_addresses = 0;
  const char *value;

  if (ptr->ttl > 0)
    s->bye = FALSE;
  if (s->name == NULL)
    s->name = display_label (ptr->label);

  if (s->model == NULL && (value = txt_any (txt, model_keys)) != NULL)
    s->model = g_strdup (value);
  if (s->manufacturer == NULL && (value = txt_any (txt, vendor_keys)) != NULL)
    s->manufacturer = g_strdup (value);
  if (s->manufacturer == NULL && strcmp (service, AXIS_TYPE) == 0)
    s->manufacturer = g_strdup ("AXIS");
  if (s->mac == NULL)
    s->mac = ps_wsd_normalize_mac (txt_any (txt, mac_keys));

  for (guint from = 0; host_name != NULL && n_addresses < PS_MDNS_MAX_ADDRESSES; )
    {
      const Record *a = find_record (records, PS_MDNS_TYPE_A, host_name, &from);

      if (a == NULL)
        break;
      n_addresses++;
      answerer_listed |= g_strcmp0 (a->address, answering_address) == 0;
      if (s->address == NULL)
        s->address = g_strdup (a->address);
    }
  for (guint from = 0; host_name != NULL && n_addresses < PS_MDNS_MAX_ADDRESSES; )
    {
      const Record *aaaa = find_record (records, PS_MDNS_TYPE_AAAA, host_name, &from);

      if (aaaa == NULL)
        break;
      n_addresses++;
      answerer_listed |= g_strcmp0 (aaaa->address, answering_address) == 0;
      if (s->address == NULL)
        s->address = g_strdup (aaaa->address);
    }

  /* an XAddr only ever names the host that answered */
  if (strcmp (service, ONVIF_TYPE) == 0 && srv != NULL && srv->port != 0 &&
      answering_address != NULL && (n_addresses == 0 || answerer_listed))
    {
      const char *path = txt_value (txt, "path");
      gboolean v6 = strchr (answering_address, ':') != NULL;

      add_xaddr (s, g_strdup_printf ("http://%s%s%s:%u%s", v6 ? "[" : "", answering_address,
                                     v6 ? "]" : "", srv->port,
                                     is_safe_path (path) ? path : ONVIF_PATH));
    }
}

GPtrArray *
ps_mdns_parse_response (const guint8  *data,
                        gsize          len,
                        const char    *answering_address,
                        GError       **error)
{
  PsByteReader r = PS_BYTE_READER_INIT (data, len);
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) hosts = NULL;
  g_autoptr(GString) scratch = g_string_new (NULL);
  GPtrArray *sightings;
  guint16 id, flags, counts[4];

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  if (!read_header (&r, &id, &flags, counts, error))
    return NULL;
  if ((flags & FLAG_QR) == 0)
    {
      mdns_error (error, "not a response");
      return NULL;
    }
  if ((flags & RCODE_MASK) != 0)
    {
      mdns_error (error, "error response");
      return NULL;
    }

  for (guint i = 0; i < counts[0]; i++)
    {
      if (!read_name (&r, scratch, NULL, error))
        return NULL;
      if (!ps_byte_reader_skip (&r, 4))
        {
          mdns_error (error, "truncated question");
          return NULL;
        }
    }

  records = g_ptr_array_new_with_free_func ((GDestroyNotify) record_free);
  for (guint i = 0; i < (guint) counts[1] + counts[2] + counts[3]; i++)
    {
      Record *record = read_record (&r, scratch, error);

      if (record == NULL)
        return NULL;
      /* authority records are proposed answers of a probe, not facts */
      if (i >= counts[1] && i < (guint) counts[1] + counts[2])
        record_free (record);
      else
        g_ptr_array_add (records, record);
    }

  hosts = g_ptr_array_new_with_free_func ((GDestroyNotify) host_free);
  for (guint i = 0; i < records->len; i++)
    {
      const Record *ptr = g_ptr_array_index (records, i);
      const char *service;

      if (ptr->type != PS_MDNS_TYPE_PTR || (service = service_type (ptr->name)) == NULL ||
          !is_instance_of (ptr->target, service) || ptr->label->len == 0)
        continue;
      resolve_instance (records, hosts, ptr, service, answering_address);
    }

  sightings = g_ptr_array_new_with_free_func ((GDestroyNotify) ps_sighting_free);
  for (guint i = 0; i < hosts->len; i++)
    {
      Host *host = g_ptr_array_index (hosts, i);

      g_ptr_array_add (sightings, g_steal_pointer (&host->sighting));
    }

  return sightings;
}
