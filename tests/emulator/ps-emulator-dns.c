/* ps-emulator-dns.c: DNS A/AAAA queries and replies, a pure codec
 *
 * Wire format (RFC 1035 §4, all integers big-endian): a 12-byte header
 * (id, flags, then the question, answer, authority and additional counts),
 * the question (name, type, class), then the records (name, type, class,
 * ttl:4, rdlength, rdata). Only the answer section is read.
 *
 * Replies are untrusted. Everything goes through PsByteReader. A name's
 * compression pointer must point back, before itself and past the header,
 * so a chain of pointers cannot loop; the 255-byte cap on a name's wire
 * length and a cap on the number of jumps fence it twice more. Labels over
 * 63 bytes and the reserved label types are errors, as are more than
 * PS_EMULATOR_DNS_MAX_RECORDS answers (checked before any is read), any
 * rdlength past the end, A/AAAA rdata of the wrong size and CNAME rdata
 * whose name does not end where the rdata ends. CNAME chains are followed
 * within the reply for at most MAX_CNAME_HOPS names.
 *
 * Names are compared in presentation form, lower case, with bytes outside
 * letters, digits, '-' and '_' escaped as "\DDD", so a strange name in a
 * reply can never equal the plain name we asked for.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-emulator"

#include <string.h>

#include "ps-byte-reader.h"
#include "ps-emulator-dns.h"

#define HEADER_LEN      12
#define MAX_NAME_WIRE   255
#define MAX_HOPS        32
#define MAX_CNAME_HOPS  8
#define CLASS_IN        1
#define FLAG_QR         0x8000
#define FLAG_TC         0x0200
#define FLAG_RD         0x0100

typedef struct
{
  char    *owner;
  guint16  type;
  guint32  ttl;
  char    *cname;          /* CNAME: the target */
  GInetAddress *address;   /* A, AAAA */
} Record;

static void
record_clear (gpointer data)
{
  Record *record = data;

  g_free (record->owner);
  g_free (record->cname);
  g_clear_object (&record->address);
}

static gpointer
dns_error (GError     **error,
           const char  *message)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "DNS reply: %s", message);
  return NULL;
}

static gboolean
dns_fail (GError     **error,
          const char  *message)
{
  dns_error (error, message);
  return FALSE;
}

static void
put_u16 (GByteArray *out,
         guint16     v)
{
  guint8 b[2] = { (guint8) (v >> 8), (guint8) v };

  g_byte_array_append (out, b, 2);
}

GBytes *
ps_emulator_dns_build_query (guint16      id,
                             const char  *name,
                             guint16      qtype,
                             GError     **error)
{
  g_autoptr(GByteArray) out = NULL;
  g_auto(GStrv) labels = NULL;
  gsize wire = 1;

  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (qtype == PS_EMULATOR_DNS_TYPE_A || qtype == PS_EMULATOR_DNS_TYPE_AAAA,
                        NULL);

  out = g_byte_array_sized_new (HEADER_LEN + strlen (name) + 6);
  put_u16 (out, id);
  put_u16 (out, FLAG_RD);
  put_u16 (out, 1);
  put_u16 (out, 0);
  put_u16 (out, 0);
  put_u16 (out, 0);

  labels = g_strsplit (name, ".", -1);
  if (labels[0] == NULL)
    goto bad;   /* "" */
  for (guint i = 0; labels[i] != NULL; i++)
    {
      gsize len = strlen (labels[i]);
      guint8 b = (guint8) len;

      wire += 1 + len;
      if (len == 0 || len > 63 || wire > MAX_NAME_WIRE)
        goto bad;
      for (const char *p = labels[i]; *p != '\0'; p++)
        if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
          goto bad;
      g_byte_array_append (out, &b, 1);
      g_byte_array_append (out, (const guint8 *) labels[i], (guint) len);
    }
  g_byte_array_append (out, (const guint8 *) "", 1);
  put_u16 (out, qtype);
  put_u16 (out, CLASS_IN);

  return g_byte_array_free_to_bytes (g_steal_pointer (&out));

bad:
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "'%s' is not a DNS name", name);
  return NULL;
}

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

      if (g_ascii_isalnum (c) || c == '-' || c == '_')
        g_string_append_c (out, g_ascii_tolower ((char) c));
      else
        g_string_append_printf (out, "\\%03u", c);
    }
}

/* Reads the name at r's position (following pointers back within r) into
 * out; r continues after the name's in-place part. */
static gboolean
read_name (PsByteReader  *r,
           GString       *out,
           GError       **error)
{
  gsize pos = r->pos;
  gsize end = 0;
  gsize wire = 0;
  guint hops = 0;
  gboolean jumped = FALSE;

  g_string_truncate (out, 0);

  for (;;)
    {
      guint8 b;

      if (pos >= r->len)
        return dns_fail (error, "truncated name");
      b = r->data[pos];

      if ((b & 0xc0) == 0xc0)
        {
          gsize target;

          if (r->len - pos < 2)
            return dns_fail (error, "truncated compression pointer");
          target = (gsize) (b & 0x3f) << 8 | r->data[pos + 1];
          if (target >= pos)
            return dns_fail (error, "compression pointer does not point back");
          if (target < HEADER_LEN)
            return dns_fail (error, "compression pointer into the header");
          if (++hops > MAX_HOPS)
            return dns_fail (error, "too many compression pointers");
          if (!jumped)
            end = pos + 2;
          jumped = TRUE;
          pos = target;
          continue;
        }
      if ((b & 0xc0) != 0)
        return dns_fail (error, "reserved label type");

      wire += 1 + (gsize) b;
      if (wire > MAX_NAME_WIRE)
        return dns_fail (error, "name longer than 255 bytes");
      if (b == 0)
        {
          if (!jumped)
            end = pos + 1;
          break;
        }
      if (r->len - pos - 1 < b)
        return dns_fail (error, "truncated label");

      append_label (out, r->data + pos + 1, b);
      pos += 1 + (gsize) b;
    }

  r->pos = end;
  return TRUE;
}

static gboolean
read_record (PsByteReader  *r,
             GString       *scratch,
             Record        *record,
             GError       **error)
{
  guint16 klass, rdlength;
  const guint8 *rdata;
  gsize rdata_at;

  if (!read_name (r, scratch, error))
    return FALSE;
  record->owner = g_strdup (scratch->str);

  if (!ps_byte_reader_get_u16_be (r, &record->type) ||
      !ps_byte_reader_get_u16_be (r, &klass) ||
      !ps_byte_reader_get_u32_be (r, &record->ttl) ||
      !ps_byte_reader_get_u16_be (r, &rdlength))
    return dns_fail (error, "truncated record");

  /* RFC 2181 §8: a TTL with the top bit set means 0 */
  if (record->ttl > G_MAXINT32)
    record->ttl = 0;

  rdata_at = r->pos;
  if (!ps_byte_reader_get_bytes (r, rdlength, &rdata))
    return dns_fail (error, "rdata past the end");
  if (klass != CLASS_IN)
    return TRUE;

  switch (record->type)
    {
    case PS_EMULATOR_DNS_TYPE_A:
      if (rdlength != 4)
        return dns_fail (error, "A record not 4 bytes long");
      record->address = g_inet_address_new_from_bytes (rdata, G_SOCKET_FAMILY_IPV4);
      break;

    case PS_EMULATOR_DNS_TYPE_AAAA:
      if (rdlength != 16)
        return dns_fail (error, "AAAA record not 16 bytes long");
      record->address = g_inet_address_new_from_bytes (rdata, G_SOCKET_FAMILY_IPV6);
      break;

    case PS_EMULATOR_DNS_TYPE_CNAME:
      {
        /* the target may point back into the message: read it in place */
        PsByteReader in_place = { r->data, rdata_at + rdlength, rdata_at };

        if (!read_name (&in_place, scratch, error))
          return FALSE;
        if (in_place.pos != rdata_at + rdlength)
          return dns_fail (error, "CNAME rdata longer than its name");
        record->cname = g_strdup (scratch->str);
      }
      break;

    default:
      break;
    }

  return TRUE;
}

/* Follows CNAMEs from name and collects the addresses of type qtype. */
static void
resolve_chain (GArray             *records,
               const char         *name,
               guint16             qtype,
               PsEmulatorDnsReply *reply)
{
  const char *want = name;
  guint32 ttl = G_MAXUINT32;

  for (guint hop = 0; hop <= MAX_CNAME_HOPS; hop++)
    {
      const Record *cname = NULL;

      for (guint i = 0; i < records->len; i++)
        {
          const Record *record = &g_array_index (records, Record, i);

          if (g_strcmp0 (record->owner, want) != 0)
            continue;
          if (record->type == qtype && record->address != NULL)
            {
              g_ptr_array_add (reply->addresses, g_object_ref (record->address));
              ttl = MIN (ttl, record->ttl);
            }
          else if (record->cname != NULL && cname == NULL)
            cname = record;
        }

      if (reply->addresses->len > 0 || cname == NULL)
        break;
      ttl = MIN (ttl, cname->ttl);
      want = cname->cname;
    }

  reply->ttl = reply->addresses->len > 0 ? ttl : 0;
}

PsEmulatorDnsReply *
ps_emulator_dns_parse_reply (const guint8  *data,
                             gsize          len,
                             guint16        id,
                             const char    *name,
                             guint16        qtype,
                             GError       **error)
{
  PsByteReader r = PS_BYTE_READER_INIT (data, len);
  g_autoptr(PsEmulatorDnsReply) reply = NULL;
  g_autoptr(GArray) records = NULL;
  g_autoptr(GString) scratch = g_string_new (NULL);
  g_autofree char *wanted = NULL;
  guint16 reply_id, flags, qdcount, ancount, nscount, arcount, type, klass;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if (!ps_byte_reader_get_u16_be (&r, &reply_id) ||
      !ps_byte_reader_get_u16_be (&r, &flags) ||
      !ps_byte_reader_get_u16_be (&r, &qdcount) ||
      !ps_byte_reader_get_u16_be (&r, &ancount) ||
      !ps_byte_reader_get_u16_be (&r, &nscount) ||
      !ps_byte_reader_get_u16_be (&r, &arcount))
    return dns_error (error, "shorter than a header");
  if (reply_id != id)
    return dns_error (error, "wrong id");
  if ((flags & FLAG_QR) == 0)
    return dns_error (error, "a query, not a reply");
  if (((flags >> 11) & 0xf) != 0)
    return dns_error (error, "not a standard query");
  if ((flags & FLAG_TC) != 0)
    return dns_error (error, "truncated (TC)");
  if (qdcount != 1)
    return dns_error (error, "not one question");
  if (ancount > PS_EMULATOR_DNS_MAX_RECORDS)
    return dns_error (error, "too many answers");

  /* the question must be ours (name is plain letters, digits, '-', '_') */
  wanted = g_ascii_strdown (name, -1);
  if (!read_name (&r, scratch, error))
    return NULL;
  if (!ps_byte_reader_get_u16_be (&r, &type) || !ps_byte_reader_get_u16_be (&r, &klass))
    return dns_error (error, "truncated question");
  if (g_strcmp0 (scratch->str, wanted) != 0 || type != qtype || klass != CLASS_IN)
    return dns_error (error, "answers another question");

  reply = g_new0 (PsEmulatorDnsReply, 1);
  reply->addresses = g_ptr_array_new_with_free_func (g_object_unref);
  reply->rcode = flags & 0xf;
  if (reply->rcode != 0)
    return g_steal_pointer (&reply);

  records = g_array_sized_new (FALSE, TRUE, sizeof (Record), ancount);
  g_array_set_clear_func (records, record_clear);
  for (guint i = 0; i < ancount; i++)
    {
      Record record = { 0 };

      if (!read_record (&r, scratch, &record, error))
        {
          record_clear (&record);
          return NULL;
        }
      g_array_append_val (records, record);
    }

  resolve_chain (records, wanted, qtype, reply);

  return g_steal_pointer (&reply);
}

void
ps_emulator_dns_reply_free (PsEmulatorDnsReply *reply)
{
  if (reply == NULL)
    return;

  g_clear_pointer (&reply->addresses, g_ptr_array_unref);
  g_free (reply);
}

const char *
ps_emulator_dns_rcode_name (guint rcode)
{
  static const char * const names[16] = {
    "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN", "YXRRSET",
    "NXRRSET", "NOTAUTH", "NOTZONE", "RCODE11", "RCODE12", "RCODE13", "RCODE14", "RCODE15",
  };

  return names[rcode & 0xf];
}
