/* test-emulator-dns.c: the camera emulator's DNS and SNTP codecs, and
 * how it reads its phone-home targets
 *
 * Replies are hostile input: truncated at every length, pointer loops,
 * pointers forward and into the header, huge counts, wrong sizes, and a
 * few thousand deterministic mutations of good replies.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>
#include <gio/gio.h>

#include "ps-emulator-dns.h"
#include "ps-emulator-net.h"
#include "ps-emulator-ntp.h"

#define NAME       "p2p.vendor.example"
#define ID         0x1234
#define QUESTION_AT 12   /* where the question's name starts */
#define MUTATIONS  20000

/* Building replies by hand */

static void
put_u8 (GByteArray *m,
        guint8      v)
{
  g_byte_array_append (m, &v, 1);
}

static void
put_u16 (GByteArray *m,
         guint16     v)
{
  put_u8 (m, (guint8) (v >> 8));
  put_u8 (m, (guint8) v);
}

static void
put_u32 (GByteArray *m,
         guint32     v)
{
  put_u16 (m, (guint16) (v >> 16));
  put_u16 (m, (guint16) v);
}

/* Uncompressed; returns where it starts. */
static guint
put_name (GByteArray *m,
          const char *name)
{
  g_auto(GStrv) labels = g_strsplit (name, ".", -1);
  guint at = m->len;

  for (guint i = 0; labels[i] != NULL; i++)
    {
      put_u8 (m, (guint8) strlen (labels[i]));
      g_byte_array_append (m, (const guint8 *) labels[i], (guint) strlen (labels[i]));
    }
  put_u8 (m, 0);

  return at;
}

static void
put_pointer (GByteArray *m,
             guint       offset)
{
  put_u16 (m, (guint16) (0xc000 | offset));
}

static GByteArray *
begin_reply (guint16     id,
             guint16     flags,
             guint16     qdcount,
             guint16     ancount,
             const char *qname,
             guint16     qtype)
{
  GByteArray *m = g_byte_array_new ();

  put_u16 (m, id);
  put_u16 (m, flags);
  put_u16 (m, qdcount);
  put_u16 (m, ancount);
  put_u16 (m, 0);
  put_u16 (m, 0);
  if (qdcount > 0)
    {
      put_name (m, qname);
      put_u16 (m, qtype);
      put_u16 (m, 1);
    }

  return m;
}

/* type, class IN, ttl, rdlength; the caller appends rdata. */
static void
put_record_head (GByteArray *m,
                 guint16     type,
                 guint32     ttl,
                 guint16     rdlength)
{
  put_u16 (m, type);
  put_u16 (m, 1);
  put_u32 (m, ttl);
  put_u16 (m, rdlength);
}

static void
put_a (GByteArray *m,
       guint32     ttl,
       guint8      a,
       guint8      b,
       guint8      c,
       guint8      d)
{
  put_record_head (m, PS_EMULATOR_DNS_TYPE_A, ttl, 4);
  put_u8 (m, a);
  put_u8 (m, b);
  put_u8 (m, c);
  put_u8 (m, d);
}

/* The answer the test DNS server gives: NAME A 127.0.0.1, compressed. */
static GByteArray *
good_reply (void)
{
  GByteArray *m = begin_reply (ID, 0x8180, 1, 1, NAME, PS_EMULATOR_DNS_TYPE_A);

  put_pointer (m, QUESTION_AT);
  put_a (m, 60, 127, 0, 0, 1);

  return m;
}

static PsEmulatorDnsReply *
parse (GByteArray  *m,
       GError     **error)
{
  return ps_emulator_dns_parse_reply (m->data, m->len, ID, NAME, PS_EMULATOR_DNS_TYPE_A, error);
}

static void
expect_malformed (GByteArray *m,
                  const char *what)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PsEmulatorDnsReply) reply = parse (m, &error);

  g_assert_null (reply);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_test_message ("%s: %s", what, error->message);
}

static void
assert_address (PsEmulatorDnsReply *reply,
                guint               i,
                const char         *text)
{
  g_autofree char *address = NULL;

  g_assert_cmpuint (i, <, reply->addresses->len);
  address = g_inet_address_to_string (reply->addresses->pdata[i]);
  g_assert_cmpstr (address, ==, text);
}

/* Queries */

static void
test_build_query (void)
{
  static const guint8 expected[] = {
    0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    3, 'p', '2', 'p', 6, 'v', 'e', 'n', 'd', 'o', 'r', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0,
    0x00, 0x01, 0x00, 0x01,
  };
  g_autoptr(GBytes) query = NULL;
  g_autoptr(GBytes) aaaa = NULL;
  g_autofree char *long_label = g_strnfill (64, 'a');
  g_autofree char *long_name = NULL;
  const char *bad[] = { "", ".", "a..b", "a.", ".a", "bad name", "ex*mple.com", "é.example" };
  const guint8 *data;
  gsize len;

  query = ps_emulator_dns_build_query (ID, NAME, PS_EMULATOR_DNS_TYPE_A, NULL);
  g_assert_nonnull (query);
  data = g_bytes_get_data (query, &len);
  g_assert_cmpmem (data, len, expected, sizeof expected);

  aaaa = ps_emulator_dns_build_query (7, NAME, PS_EMULATOR_DNS_TYPE_AAAA, NULL);
  data = g_bytes_get_data (aaaa, &len);
  g_assert_cmpuint (len, ==, sizeof expected);
  g_assert_cmpuint (data[len - 3], ==, 28);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) nothing = ps_emulator_dns_build_query (1, bad[i],
                                                               PS_EMULATOR_DNS_TYPE_A, &error);

      g_assert_null (nothing);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) nothing = ps_emulator_dns_build_query (1, long_label,
                                                             PS_EMULATOR_DNS_TYPE_A, &error);

    g_assert_null (nothing);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  }

  /* 5 labels of 50: 256 bytes on the wire with the root, one too many */
  {
    g_autofree char *l = g_strnfill (50, 'x');
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) nothing = NULL;

    long_name = g_strjoin (".", l, l, l, l, l, NULL);
    nothing = ps_emulator_dns_build_query (1, long_name, PS_EMULATOR_DNS_TYPE_A, &error);
    g_assert_null (nothing);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  }
}

/* Good replies */

static void
test_reply_a (void)
{
  g_autoptr(GByteArray) m = good_reply ();
  g_autoptr(GError) error = NULL;
  g_autoptr(PsEmulatorDnsReply) reply = parse (m, &error);

  g_assert_no_error (error);
  g_assert_nonnull (reply);
  g_assert_cmpuint (reply->rcode, ==, 0);
  g_assert_cmpuint (reply->ttl, ==, 60);
  g_assert_cmpuint (reply->addresses->len, ==, 1);
  assert_address (reply, 0, "127.0.0.1");
}

static void
test_reply_several (void)
{
  g_autoptr(GByteArray) m = begin_reply (ID, 0x8180, 1, 3, "P2P.Vendor.EXAMPLE",
                                         PS_EMULATOR_DNS_TYPE_A);
  g_autoptr(GError) error = NULL;
  g_autoptr(PsEmulatorDnsReply) reply = NULL;

  put_pointer (m, QUESTION_AT);
  put_a (m, 300, 198, 51, 100, 11);
  /* a record of another name is not ours */
  put_name (m, "other.example");
  put_a (m, 5, 192, 0, 2, 99);
  put_pointer (m, QUESTION_AT);
  put_a (m, 30, 198, 51, 100, 12);

  reply = parse (m, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (reply->addresses->len, ==, 2);
  assert_address (reply, 0, "198.51.100.11");
  assert_address (reply, 1, "198.51.100.12");
  g_assert_cmpuint (reply->ttl, ==, 30);
}

static void
test_reply_cname (void)
{
  g_autoptr(GByteArray) m = begin_reply (ID, 0x8180, 1, 3, NAME, PS_EMULATOR_DNS_TYPE_A);
  g_autoptr(GError) error = NULL;
  g_autoptr(PsEmulatorDnsReply) reply = NULL;
  guint rdlength_at, rdata_at, cdn_at, edge_at;

  /* NAME CNAME cdn.<pointer to vendor.example> */
  put_pointer (m, QUESTION_AT);
  put_record_head (m, PS_EMULATOR_DNS_TYPE_CNAME, 120, 0);
  rdlength_at = m->len - 2;
  rdata_at = cdn_at = m->len;
  put_u8 (m, 3);
  g_byte_array_append (m, (const guint8 *) "cdn", 3);
  put_pointer (m, QUESTION_AT + 4);
  m->data[rdlength_at + 1] = (guint8) (m->len - rdata_at);

  /* cdn.vendor.example CNAME edge.example */
  put_pointer (m, cdn_at);
  put_record_head (m, PS_EMULATOR_DNS_TYPE_CNAME, 90, 14);
  edge_at = put_name (m, "edge.example");

  put_pointer (m, edge_at);
  put_a (m, 600, 203, 0, 113, 7);

  reply = parse (m, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (reply->addresses->len, ==, 1);
  assert_address (reply, 0, "203.0.113.7");
  g_assert_cmpuint (reply->ttl, ==, 90);
}

static void
test_reply_cname_loop (void)
{
  g_autoptr(GByteArray) m = begin_reply (ID, 0x8180, 1, 2, NAME, PS_EMULATOR_DNS_TYPE_A);
  g_autoptr(GError) error = NULL;
  g_autoptr(PsEmulatorDnsReply) reply = NULL;
  guint other_at;

  /* NAME CNAME other.example, other.example CNAME NAME: no address, no hang */
  put_pointer (m, QUESTION_AT);
  put_record_head (m, PS_EMULATOR_DNS_TYPE_CNAME, 60, 15);
  other_at = put_name (m, "other.example");
  put_pointer (m, other_at);
  put_record_head (m, PS_EMULATOR_DNS_TYPE_CNAME, 60, 2);
  put_pointer (m, QUESTION_AT);

  reply = parse (m, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (reply->addresses->len, ==, 0);
}

static void
test_reply_aaaa (void)
{
  static const guint8 v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x11 };
  g_autoptr(GByteArray) m = begin_reply (ID, 0x8180, 1, 1, NAME, PS_EMULATOR_DNS_TYPE_AAAA);
  g_autoptr(GError) error = NULL;
  g_autoptr(PsEmulatorDnsReply) reply = NULL;

  put_pointer (m, QUESTION_AT);
  put_record_head (m, PS_EMULATOR_DNS_TYPE_AAAA, 10, 16);
  g_byte_array_append (m, v6, 16);

  reply = ps_emulator_dns_parse_reply (m->data, m->len, ID, NAME, PS_EMULATOR_DNS_TYPE_AAAA,
                                       &error);
  g_assert_no_error (error);
  assert_address (reply, 0, "2001:db8::11");
}

static void
test_reply_nxdomain (void)
{
  g_autoptr(GByteArray) m = begin_reply (ID, 0x8183, 1, 0, NAME, PS_EMULATOR_DNS_TYPE_A);
  g_autoptr(GError) error = NULL;
  g_autoptr(PsEmulatorDnsReply) reply = parse (m, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (reply->rcode, ==, 3);
  g_assert_cmpuint (reply->addresses->len, ==, 0);
  g_assert_cmpstr (ps_emulator_dns_rcode_name (reply->rcode), ==, "NXDOMAIN");
  g_assert_cmpstr (ps_emulator_dns_rcode_name (15), ==, "RCODE15");
}

static void
test_reply_ttl_top_bit (void)
{
  g_autoptr(GByteArray) m = begin_reply (ID, 0x8180, 1, 1, NAME, PS_EMULATOR_DNS_TYPE_A);
  g_autoptr(PsEmulatorDnsReply) reply = NULL;

  put_pointer (m, QUESTION_AT);
  put_a (m, 0x80000000, 10, 0, 0, 1);
  reply = parse (m, NULL);
  g_assert_nonnull (reply);
  g_assert_cmpuint (reply->ttl, ==, 0);
}

/* Malformed replies */

static void
test_truncated (void)
{
  g_autoptr(GByteArray) m = good_reply ();

  for (guint len = 0; len < m->len; len++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PsEmulatorDnsReply) reply = NULL;

      reply = ps_emulator_dns_parse_reply (len > 0 ? m->data : NULL, len, ID, NAME,
                                           PS_EMULATOR_DNS_TYPE_A, &error);
      g_assert_null (reply);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    }
}

static void
test_header (void)
{
  struct { const char *what; guint16 id, flags, qdcount, ancount; } cases[] = {
    { "wrong id", ID + 1, 0x8180, 1, 1 },
    { "a query", ID, 0x0100, 1, 1 },
    { "opcode 2", ID, 0x9180, 1, 1 },
    { "TC", ID, 0x8380, 1, 1 },
    { "no question", ID, 0x8180, 0, 1 },
    { "two questions", ID, 0x8180, 2, 1 },
    { "65535 answers", ID, 0x8180, 1, 0xffff },
    { "65 answers", ID, 0x8180, 1, PS_EMULATOR_DNS_MAX_RECORDS + 1 },
    { "64 answers, one there", ID, 0x8180, 1, PS_EMULATOR_DNS_MAX_RECORDS },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GByteArray) m = begin_reply (cases[i].id, cases[i].flags, cases[i].qdcount,
                                             cases[i].ancount, NAME, PS_EMULATOR_DNS_TYPE_A);

      put_pointer (m, QUESTION_AT);
      put_a (m, 60, 127, 0, 0, 1);
      expect_malformed (m, cases[i].what);
    }
}

static void
test_other_question (void)
{
  g_autoptr(GByteArray) name = begin_reply (ID, 0x8180, 1, 0, "p2p.vendor.exampl",
                                            PS_EMULATOR_DNS_TYPE_A);
  g_autoptr(GByteArray) type = begin_reply (ID, 0x8180, 1, 0, NAME, PS_EMULATOR_DNS_TYPE_AAAA);
  g_autoptr(GByteArray) dotted = begin_reply (ID, 0x8180, 1, 0, "p2p.vendor", 1);

  expect_malformed (name, "another name");
  expect_malformed (type, "another type");
  /* "p2p.vendor" + a label "example" with a dot inside must not match */
  g_byte_array_set_size (dotted, dotted->len - 5);
  put_u8 (dotted, 7);
  g_byte_array_append (dotted, (const guint8 *) "exa.ple", 7);
  put_u8 (dotted, 0);
  put_u16 (dotted, 1);
  put_u16 (dotted, 1);
  expect_malformed (dotted, "a dot inside a label");
}

static void
test_pointers (void)
{
  /* the answer's name points at itself */
  {
    g_autoptr(GByteArray) m = begin_reply (ID, 0x8180, 1, 1, NAME, 1);

    put_pointer (m, m->len);
    put_a (m, 60, 127, 0, 0, 1);
    expect_malformed (m, "pointer to itself");
  }
  /* forward */
  {
    g_autoptr(GByteArray) m = begin_reply (ID, 0x8180, 1, 1, NAME, 1);

    put_pointer (m, m->len + 2);
    put_u8 (m, 0);
    put_a (m, 60, 127, 0, 0, 1);
    expect_malformed (m, "pointer forward");
  }
  /* into the header */
  {
    g_autoptr(GByteArray) m = begin_reply (ID, 0x8180, 1, 1, NAME, 1);

    put_pointer (m, 2);
    put_a (m, 60, 127, 0, 0, 1);
    expect_malformed (m, "pointer into the header");
  }
  /* a loop through a label: "a" then a pointer back to it, forever */
  {
    g_autoptr(GByteArray) m = begin_reply (ID, 0x8180, 1, 1, NAME, 1);
    guint at = m->len;

    put_u8 (m, 1);
    put_u8 (m, 'a');
    put_pointer (m, at);
    put_a (m, 60, 127, 0, 0, 1);
    expect_malformed (m, "label and pointer loop");
  }
  /* a pointer cut in half at the end */
  {
    g_autoptr(GByteArray) m = begin_reply (ID, 0x8180, 1, 1, NAME, 1);

    put_u8 (m, 0xc0);
    expect_malformed (m, "half a pointer");
  }
  /* a loop inside CNAME rdata: the target points at the rdata itself */
  {
    g_autoptr(GByteArray) m = begin_reply (ID, 0x8180, 1, 1, NAME, 1);

    put_pointer (m, QUESTION_AT);
    put_record_head (m, PS_EMULATOR_DNS_TYPE_CNAME, 60, 2);
    put_pointer (m, m->len);
    expect_malformed (m, "CNAME pointing at itself");
  }
}

static void
test_labels (void)
{
  guint8 reserved[] = { 0x40, 0x80 };

  for (guint i = 0; i < G_N_ELEMENTS (reserved); i++)
    {
      g_autoptr(GByteArray) m = begin_reply (ID, 0x8180, 1, 1, NAME, 1);

      put_u8 (m, reserved[i]);
      put_u8 (m, 0);
      put_a (m, 60, 127, 0, 0, 1);
      expect_malformed (m, "reserved label type");
    }

  /* 5 labels of 63: past 255 bytes */
  {
    g_autoptr(GByteArray) m = begin_reply (ID, 0x8180, 1, 1, NAME, 1);

    for (guint i = 0; i < 5; i++)
      {
        put_u8 (m, 63);
        for (guint j = 0; j < 63; j++)
          put_u8 (m, 'x');
      }
    put_u8 (m, 0);
    put_a (m, 60, 127, 0, 0, 1);
    expect_malformed (m, "name over 255 bytes");
  }
}

static void
test_rdata (void)
{
  struct { const char *what; guint16 type, rdlength; guint extra; } cases[] = {
    { "A of 5 bytes", PS_EMULATOR_DNS_TYPE_A, 5, 5 },
    { "A of 3 bytes", PS_EMULATOR_DNS_TYPE_A, 3, 3 },
    { "AAAA of 4 bytes", PS_EMULATOR_DNS_TYPE_AAAA, 4, 4 },
    { "rdlength past the end", PS_EMULATOR_DNS_TYPE_A, 4, 2 },
    { "rdlength 65535", 16, 0xffff, 10 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GByteArray) m = begin_reply (ID, 0x8180, 1, 1, NAME, 1);

      put_pointer (m, QUESTION_AT);
      put_record_head (m, cases[i].type, 60, cases[i].rdlength);
      for (guint j = 0; j < cases[i].extra; j++)
        put_u8 (m, 1);
      expect_malformed (m, cases[i].what);
    }

  /* a CNAME whose name ends before its rdata does */
  {
    g_autoptr(GByteArray) m = begin_reply (ID, 0x8180, 1, 1, NAME, 1);

    put_pointer (m, QUESTION_AT);
    put_record_head (m, PS_EMULATOR_DNS_TYPE_CNAME, 60, 4);
    put_pointer (m, QUESTION_AT);
    put_u16 (m, 0);
    expect_malformed (m, "CNAME with trailing bytes");
  }
  /* a CNAME whose name runs past its rdata */
  {
    g_autoptr(GByteArray) m = begin_reply (ID, 0x8180, 1, 1, NAME, 1);

    put_pointer (m, QUESTION_AT);
    put_record_head (m, PS_EMULATOR_DNS_TYPE_CNAME, 60, 3);
    put_name (m, "abc.example");
    expect_malformed (m, "CNAME name past its rdata");
  }
}

/* Deterministic mutations of good replies: no crash, no warning, and
 * whatever parses has sane contents. */
static void
test_mutations (void)
{
  g_autoptr(GByteArray) a = good_reply ();
  guint parsed = 0;

  for (guint n = 0; n < MUTATIONS; n++)
    {
      g_autoptr(GByteArray) m = g_byte_array_new ();
      g_autoptr(PsEmulatorDnsReply) reply = NULL;
      guint flips = (guint) g_test_rand_int_range (1, 5);

      g_byte_array_append (m, a->data, a->len);
      for (guint i = 0; i < flips; i++)
        {
          guint at = (guint) g_test_rand_int_range (0, (gint32) m->len);

          switch (g_test_rand_int_range (0, 4))
            {
            case 0:
              m->data[at] = (guint8) g_test_rand_int_range (0, 256);
              break;
            case 1:
              m->data[at] ^= (guint8) (1u << g_test_rand_int_range (0, 8));
              break;
            case 2:
              g_byte_array_set_size (m, at);
              break;
            default:
              put_u8 (m, (guint8) g_test_rand_int_range (0, 256));
              break;
            }
          if (m->len == 0)
            break;
        }

      reply = ps_emulator_dns_parse_reply (m->len > 0 ? m->data : NULL, m->len, ID, NAME,
                                           PS_EMULATOR_DNS_TYPE_A, NULL);
      if (reply != NULL)
        {
          parsed++;
          g_assert_cmpuint (reply->addresses->len, <=, PS_EMULATOR_DNS_MAX_RECORDS);
          g_assert_cmpuint (reply->ttl, <=, G_MAXINT32);
        }
    }
  g_test_message ("%u of %u mutations parsed", parsed, MUTATIONS);
}

/* SNTP */

static guint8 *
ntp_reply (guint64 origin,
           guint8  first,
           guint8  stratum,
           guint64 transmit)
{
  guint8 *p = g_malloc0 (PS_EMULATOR_NTP_PACKET_LEN);

  p[0] = first;
  p[1] = stratum;
  for (guint i = 0; i < 8; i++)
    {
      p[24 + i] = (guint8) (origin >> (56 - 8 * i));
      p[40 + i] = (guint8) (transmit >> (56 - 8 * i));
    }

  return p;
}

static void
test_ntp (void)
{
  gint64 now = g_get_real_time ();
  guint64 transmit = 0;
  g_autoptr(GBytes) request = ps_emulator_ntp_build_request (now, &transmit);
  g_autofree guint8 *good = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 *data;
  gint64 server_us = 0;
  guint stratum = 0;
  gsize len;
  guint64 in_packet = 0;

  data = g_bytes_get_data (request, &len);
  g_assert_cmpuint (len, ==, 48);
  g_assert_cmpuint (data[0], ==, 0x23);   /* LI 0, version 4, mode 3 */
  for (guint i = 0; i < 8; i++)
    in_packet = in_packet << 8 | data[40 + i];
  g_assert_cmpuint (in_packet, ==, transmit);
  g_assert_cmpuint (transmit >> 32, >, G_GUINT64_CONSTANT (3900000000));

  /* a server that is 1.5 s ahead */
  good = ntp_reply (transmit, 0x24, 2, transmit + (G_GUINT64_CONSTANT (3) << 31));
  g_assert_true (ps_emulator_ntp_parse_reply (good, 48, transmit, &stratum, &server_us,
                                              &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stratum, ==, 2);
  g_assert_cmpint (server_us - now, >=, 1500000 - 2);
  g_assert_cmpint (server_us - now, <=, 1500000 + 2);

  /* longer (an extension field) is fine; shorter is not */
  {
    g_autofree guint8 *longer = g_malloc0 (68);

    memcpy (longer, good, 48);
    g_assert_true (ps_emulator_ntp_parse_reply (longer, 68, transmit, NULL, NULL, NULL));
  }
  for (gsize n = 0; n < 48; n++)
    g_assert_false (ps_emulator_ntp_parse_reply (n > 0 ? good : NULL, n, transmit, NULL, NULL,
                                                 NULL));

  {
    struct { const char *what; guint8 first, stratum; guint64 origin, xmit; } bad[] = {
      { "client mode", 0x23, 2, transmit, transmit },
      { "version 0", 0x04, 2, transmit, transmit },
      { "version 7", 0x3c, 2, transmit, transmit },
      { "unsynchronised", 0xe4, 2, transmit, transmit },
      { "kiss-o'-death", 0x24, 0, transmit, transmit },
      { "no transmit timestamp", 0x24, 2, transmit, 0 },
      { "someone else's origin", 0x24, 2, transmit + 1, transmit },
    };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autofree guint8 *p = ntp_reply (bad[i].origin, bad[i].first, bad[i].stratum,
                                          bad[i].xmit);
        g_autoptr(GError) bad_error = NULL;

        g_assert_false (ps_emulator_ntp_parse_reply (p, 48, transmit, NULL, NULL, &bad_error));
        g_assert_error (bad_error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
        g_test_message ("%s: %s", bad[i].what, bad_error->message);
      }
  }
}

/* Targets */

static void
test_host_port (void)
{
  struct { const char *text; guint16 default_port; const char *host; guint16 port; } good[] = {
    { "198.51.100.11:32100", 0, "198.51.100.11", 32100 },
    { "[2001:db8::11]:443", 0, "2001:db8::11", 443 },
    { "p2p1.vendor.example:32100", 0, "p2p1.vendor.example", 32100 },
    { "ntp.vendor.example", 123, "ntp.vendor.example", 123 },
    { "[::1]", 53, "::1", 53 },
    { "127.0.0.1:5353", 53, "127.0.0.1", 5353 },
    { "a_b-c.example:1", 0, "a_b-c.example", 1 },
  };
  const char *bad[] = {
    "", ":80", "host:", "host:0", "host:65536", "host:80x", "198.51.100.11", "::1:80",
    "[::1", "[::1]x", "[198.51.100.1]:80", "[nothost]:80", "bad name:80", "a..b:80",
    "1.2.3:80", "-:80x",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autofree char *host = NULL;
      g_autoptr(GError) error = NULL;
      guint16 port = 0;

      g_assert_true (ps_emulator_net_parse_host_port (good[i].text, good[i].default_port, &host,
                                                      &port, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (host, ==, good[i].host);
      g_assert_cmpuint (port, ==, good[i].port);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *host = NULL;
      g_autoptr(GError) error = NULL;
      guint16 port = 0;

      g_assert_false (ps_emulator_net_parse_host_port (bad[i], 0, &host, &port, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_assert_null (host);
    }
}

static void
test_lab_address (void)
{
  const char *lab[] = {
    "127.0.0.1", "10.99.1.11", "172.16.0.1", "172.31.255.255", "192.168.1.1", "100.64.0.1",
    "169.254.1.1", "198.18.0.1", "198.19.255.255", "192.0.2.1", "198.51.100.11",
    "203.0.113.7", "::1", "fe80::1", "fd00::1", "fc00::1", "2001:db8::11",
  };
  const char *elsewhere[] = {
    "11.22.33.44", "45.67.89.10", "172.32.0.1", "100.128.0.1", "198.20.0.1", "192.0.3.1",
    "203.0.114.1", "240.0.0.1", "0.0.0.0", "255.255.255.255", "224.0.0.251",
    "2001:470::1234", "::", "::ffff:11.22.33.44", "2001:db9::1", "ff02::fb",
  };

  for (guint i = 0; i < G_N_ELEMENTS (lab); i++)
    {
      g_autoptr(GInetAddress) address = g_inet_address_new_from_string (lab[i]);

      g_assert_nonnull (address);
      if (!ps_emulator_net_is_lab_address (address))
        g_error ("%s should be a lab address", lab[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (elsewhere); i++)
    {
      g_autoptr(GInetAddress) address = g_inet_address_new_from_string (elsewhere[i]);

      g_assert_nonnull (address);
      if (ps_emulator_net_is_lab_address (address))
        g_error ("%s should not be a lab address", elsewhere[i]);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/emulator-dns/build-query", test_build_query);
  g_test_add_func ("/emulator-dns/reply/a", test_reply_a);
  g_test_add_func ("/emulator-dns/reply/several", test_reply_several);
  g_test_add_func ("/emulator-dns/reply/cname", test_reply_cname);
  g_test_add_func ("/emulator-dns/reply/cname-loop", test_reply_cname_loop);
  g_test_add_func ("/emulator-dns/reply/aaaa", test_reply_aaaa);
  g_test_add_func ("/emulator-dns/reply/nxdomain", test_reply_nxdomain);
  g_test_add_func ("/emulator-dns/reply/ttl-top-bit", test_reply_ttl_top_bit);
  g_test_add_func ("/emulator-dns/malformed/truncated", test_truncated);
  g_test_add_func ("/emulator-dns/malformed/header", test_header);
  g_test_add_func ("/emulator-dns/malformed/other-question", test_other_question);
  g_test_add_func ("/emulator-dns/malformed/pointers", test_pointers);
  g_test_add_func ("/emulator-dns/malformed/labels", test_labels);
  g_test_add_func ("/emulator-dns/malformed/rdata", test_rdata);
  g_test_add_func ("/emulator-dns/malformed/mutations", test_mutations);
  g_test_add_func ("/emulator-ntp/request-and-reply", test_ntp);
  g_test_add_func ("/emulator-net/host-port", test_host_port);
  g_test_add_func ("/emulator-net/lab-address", test_lab_address);

  return g_test_run ();
}
