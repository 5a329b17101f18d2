/* test-netflow-decoder.c: NetFlow v5, v9 and IPFIX decoding, valid and hostile
 *
 * Every packet is built here, field by field, with the small writers below.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>
#include <string.h>

#include "ps-netflow-decoder.h"

#define EXPORT_SECS 1700000000u        /* 2023-11-14 22:13:20 UTC */
#define EXPORT_MS   G_GINT64_CONSTANT (1700000000000)
#define NTP_OFFSET  2208988800u

/* Writers */

static void
put8 (GByteArray *b,
      guint8      v)
{
  g_byte_array_append (b, &v, 1);
}

static void
put16 (GByteArray *b,
       guint16     v)
{
  put8 (b, v >> 8);
  put8 (b, v & 0xff);
}

static void
put32 (GByteArray *b,
       guint32     v)
{
  put16 (b, v >> 16);
  put16 (b, v & 0xffff);
}

static void
put64 (GByteArray *b,
       guint64     v)
{
  put32 (b, v >> 32);
  put32 (b, v & 0xffffffffu);
}

static void
put_bytes (GByteArray   *b,
           const guint8 *data,
           gsize         len)
{
  g_byte_array_append (b, data, len);
}

static void
put_ip4 (GByteArray *b,
         const char *text)
{
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (text);

  g_assert_nonnull (inet);
  g_assert_cmpint (g_inet_address_get_family (inet), ==, G_SOCKET_FAMILY_IPV4);
  put_bytes (b, g_inet_address_to_bytes (inet), 4);
}

static void
put_ip6 (GByteArray *b,
         const char *text)
{
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (text);

  g_assert_nonnull (inet);
  g_assert_cmpint (g_inet_address_get_family (inet), ==, G_SOCKET_FAMILY_IPV6);
  put_bytes (b, g_inet_address_to_bytes (inet), 16);
}

static void
patch16 (GByteArray *b,
         gsize       at,
         guint16     v)
{
  b->data[at] = v >> 8;
  b->data[at + 1] = v & 0xff;
}

/* A set: its header now, its length when it ends. */
static gsize
set_begin (GByteArray *b,
           guint16     id)
{
  gsize at = b->len;

  put16 (b, id);
  put16 (b, 0);
  return at;
}

static void
set_end (GByteArray *b,
         gsize       at)
{
  patch16 (b, at + 2, (guint16) (b->len - at));
}

/* A field specifier; pen != 0 sets the enterprise bit (IPFIX). */
static void
field (GByteArray *b,
       guint16     type,
       guint16     length,
       guint32     pen)
{
  put16 (b, pen != 0 ? type | 0x8000 : type);
  put16 (b, length);
  if (pen != 0)
    put32 (b, pen);
}

static GByteArray *
ipfix_begin (guint32 export_secs,
             guint32 sequence,
             guint32 domain)
{
  GByteArray *b = g_byte_array_new ();

  put16 (b, 10);
  put16 (b, 0);
  put32 (b, export_secs);
  put32 (b, sequence);
  put32 (b, domain);
  return b;
}

static void
ipfix_end (GByteArray *b)
{
  patch16 (b, 2, (guint16) b->len);
}

static GByteArray *
v9_begin (guint32 uptime_ms,
          guint32 secs,
          guint32 sequence,
          guint32 source_id)
{
  GByteArray *b = g_byte_array_new ();

  put16 (b, 9);
  put16 (b, 0);                        /* count: the decoder does not trust it */
  put32 (b, uptime_ms);
  put32 (b, secs);
  put32 (b, sequence);
  put32 (b, source_id);
  return b;
}

typedef struct
{
  const char *src, *dst;
  guint16     src_port, dst_port;
  guint8      protocol, tcp_flags;
  guint32     packets, bytes, first, last;
} V5Flow;

static GByteArray *
v5_build (guint32       uptime_ms,
          guint32       secs,
          guint32       nsecs,
          guint32       sequence,
          guint8        engine_type,
          guint8        engine_id,
          const V5Flow *flows,
          guint         n)
{
  GByteArray *b = g_byte_array_new ();

  put16 (b, 5);
  put16 (b, n);
  put32 (b, uptime_ms);
  put32 (b, secs);
  put32 (b, nsecs);
  put32 (b, sequence);
  put8 (b, engine_type);
  put8 (b, engine_id);
  put16 (b, 0);
  for (guint i = 0; i < n; i++)
    {
      put_ip4 (b, flows[i].src);
      put_ip4 (b, flows[i].dst);
      put32 (b, 0);                    /* nexthop */
      put16 (b, 1);                    /* input */
      put16 (b, 2);                    /* output */
      put32 (b, flows[i].packets);
      put32 (b, flows[i].bytes);
      put32 (b, flows[i].first);
      put32 (b, flows[i].last);
      put16 (b, flows[i].src_port);
      put16 (b, flows[i].dst_port);
      put8 (b, 0);
      put8 (b, flows[i].tcp_flags);
      put8 (b, flows[i].protocol);
      put8 (b, 0);                     /* tos */
      put32 (b, 0);                    /* AS numbers */
      put16 (b, 0);                    /* masks */
      put16 (b, 0);
    }
  return b;
}

/* Decoding */

static PsIpAddress exporter_a;
static PsIpAddress exporter_b;

static gboolean
decode_from (PsNetflowDecoder   *d,
             const PsIpAddress  *exporter,
             GByteArray         *b,
             gint64              now_ms,
             GArray             *out,
             GError            **error)
{
  return ps_netflow_decoder_decode (d, exporter, b->data, b->len, now_ms, out, error);
}

static GArray *
records_new (void)
{
  return g_array_new (FALSE, FALSE, sizeof (PsFlowRecord));
}

static void
decode_ok (PsNetflowDecoder *d,
           GByteArray       *b,
           gint64            now_ms,
           GArray           *out)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (decode_from (d, &exporter_a, b, now_ms, out, &error));
  g_assert_no_error (error);
}

static void
decode_fails (PsNetflowDecoder *d,
              GByteArray       *b,
              PsNetflowError    code)
{
  g_autoptr(GArray) out = records_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (decode_from (d, &exporter_a, b, 1000, out, &error));
  g_assert_error (error, PS_NETFLOW_ERROR, (gint) code);
  g_test_message ("rejected as expected: %s", error->message);
  g_assert_cmpuint (out->len, ==, 0);
}

static void
assert_address (const PsIpAddress *address,
                const char        *expected)
{
  g_autofree char *text = ps_ip_address_to_string (address);

  g_assert_cmpstr (text, ==, expected);
}

static void
assert_mac (const guint8 mac[6],
            const guint8 expected[6])
{
  g_assert_cmpmem (mac, 6, expected, 6);
}

static const guint8 mac_src[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
static const guint8 mac_dst[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };

/* NetFlow v5 */

static void
test_v5_roundtrip (void)
{
  const V5Flow flows[] = {
    { "192.168.1.20", "203.0.113.5", 40000, 443, 6, 0x1b, 12, 3400, 90000, 99000 },
    { "192.168.1.21", "198.51.100.7", 5353, 53, 17, 0x01, 1, 70, 99500, 99500 },
    /* sysUptime wrapped since the flow began */
    { "10.0.0.1", "10.0.0.2", 1, 2, 6, 0x04, 1, 40, 0xfffff000u, 500 },
  };
  g_autoptr(PsNetflowDecoder) d = ps_netflow_decoder_new ();
  g_autoptr(GArray) out = records_new ();
  g_autoptr(GByteArray) b = v5_build (100000, EXPORT_SECS, 500000000, 0, 1, 2, flows, 2);
  g_autoptr(GByteArray) wrap = v5_build (1000, EXPORT_SECS, 0, 2, 1, 2, flows + 2, 1);
  PsFlowRecord *r;
  PsNetflowStats stats;

  decode_ok (d, b, 1000, out);
  g_assert_cmpuint (out->len, ==, 2);

  r = &g_array_index (out, PsFlowRecord, 0);
  g_assert_cmpint (r->origin, ==, PS_FLOW_ORIGIN_NETFLOW_V5);
  assert_address (&r->src, "192.168.1.20");
  assert_address (&r->dst, "203.0.113.5");
  g_assert_cmpuint (r->src_port, ==, 40000);
  g_assert_cmpuint (r->dst_port, ==, 443);
  g_assert_cmpuint (r->ip_protocol, ==, 6);
  g_assert_cmpuint (r->packets, ==, 12);
  g_assert_cmpuint (r->bytes, ==, 3400);
  g_assert_cmpint (r->first_ms, ==, EXPORT_MS + 500 - 10000);
  g_assert_cmpint (r->last_ms, ==, EXPORT_MS + 500 - 1000);
  g_assert_true (r->new_flow);
  g_assert_true (r->ended);            /* FIN in 0x1b */
  g_assert_false (ps_ip_address_is_set (&r->nat_src));
  g_assert_false (r->has_src_mac);

  r = &g_array_index (out, PsFlowRecord, 1);
  assert_address (&r->src, "192.168.1.21");
  g_assert_cmpuint (r->ip_protocol, ==, 17);
  g_assert_false (r->ended);           /* the FIN bit means nothing for UDP */

  decode_ok (d, wrap, 2000, out);
  g_assert_cmpuint (out->len, ==, 3);
  r = &g_array_index (out, PsFlowRecord, 2);
  g_assert_cmpint (r->first_ms, ==, EXPORT_MS - (1000 + 4096));
  g_assert_cmpint (r->last_ms, ==, EXPORT_MS - 500);
  g_assert_true (r->ended);            /* RST */

  ps_netflow_decoder_get_stats (d, &stats);
  g_assert_cmpuint (stats.packets, ==, 2);
  g_assert_cmpuint (stats.records, ==, 3);
  g_assert_cmpuint (stats.sequence_gaps, ==, 0);
  g_assert_cmpuint (stats.errors, ==, 0);
}

static void
test_v5_sequence (void)
{
  const V5Flow flow = { "192.0.2.10", "192.0.2.20", 1, 2, 17, 0, 1, 100, 1, 1 };
  const V5Flow two[] = { flow, flow };
  g_autoptr(PsNetflowDecoder) d = ps_netflow_decoder_new ();
  g_autoptr(GArray) out = records_new ();
  g_autoptr(GByteArray) p1 = v5_build (10, EXPORT_SECS, 0, 100, 1, 2, two, 2);
  g_autoptr(GByteArray) p2 = v5_build (10, EXPORT_SECS, 0, 102, 1, 2, &flow, 1);
  g_autoptr(GByteArray) p3 = v5_build (10, EXPORT_SECS, 0, 110, 1, 2, &flow, 1);
  g_autoptr(GByteArray) other = v5_build (10, EXPORT_SECS, 0, 5000, 3, 4, &flow, 1);
  guint64 lost = 0;

  decode_ok (d, p1, 0, out);
  decode_ok (d, p2, 0, out);
  g_assert_cmpuint (ps_netflow_decoder_get_sequence_gaps (d, &exporter_a, 1 << 8 | 2, &lost),
                    ==, 0);
  decode_ok (d, p3, 0, out);           /* 103..109 lost */
  decode_ok (d, other, 0, out);        /* another engine: its own counter */
  g_assert_cmpuint (ps_netflow_decoder_get_sequence_gaps (d, &exporter_a, 1 << 8 | 2, &lost),
                    ==, 1);
  g_assert_cmpuint (lost, ==, 7);
  g_assert_cmpuint (ps_netflow_decoder_get_sequence_gaps (d, &exporter_a, 3 << 8 | 4, &lost),
                    ==, 0);
  g_assert_cmpuint (ps_netflow_decoder_get_sequence_gaps (d, &exporter_b, 1 << 8 | 2, &lost),
                    ==, 0);
}

static void
test_v5_malformed (void)
{
  const V5Flow flow = { "192.0.2.10", "192.0.2.20", 1, 2, 17, 0, 1, 100, 1, 1 };
  g_autoptr(PsNetflowDecoder) d = ps_netflow_decoder_new ();
  g_autoptr(GByteArray) b = v5_build (10, EXPORT_SECS, 0, 0, 0, 0, &flow, 1);
  g_autoptr(GByteArray) header = g_byte_array_new ();
  g_autoptr(GByteArray) big = g_byte_array_new ();
  g_autoptr(GByteArray) empty = v5_build (10, EXPORT_SECS, 0, 0, 0, 0, NULL, 0);
  g_autoptr(GArray) out = records_new ();
  PsNetflowStats stats;

  /* truncated header, and nothing at all */
  put_bytes (header, b->data, 10);
  decode_fails (d, header, PS_NETFLOW_ERROR_TRUNCATED);
  g_byte_array_set_size (header, 1);
  decode_fails (d, header, PS_NETFLOW_ERROR_TRUNCATED);
  g_byte_array_set_size (header, 0);
  decode_fails (d, header, PS_NETFLOW_ERROR_TRUNCATED);

  /* count says 2, one record follows; then count 1 with extra bytes */
  patch16 (b, 2, 2);
  decode_fails (d, b, PS_NETFLOW_ERROR_TRUNCATED);
  patch16 (b, 2, 1);
  put32 (b, 0);
  decode_fails (d, b, PS_NETFLOW_ERROR_BAD_LENGTH);
  g_byte_array_set_size (b, b->len - 4);

  /* count over 30 */
  patch16 (b, 2, 31);
  decode_fails (d, b, PS_NETFLOW_ERROR_TOO_LARGE);
  patch16 (b, 2, 0xffff);
  decode_fails (d, b, PS_NETFLOW_ERROR_TOO_LARGE);
  patch16 (b, 2, 1);

  /* versions that are not ours */
  patch16 (b, 0, 7);
  decode_fails (d, b, PS_NETFLOW_ERROR_BAD_VERSION);
  patch16 (b, 0, 0);
  decode_fails (d, b, PS_NETFLOW_ERROR_BAD_VERSION);
  patch16 (b, 0, 5);

  /* more than a datagram can hold */
  g_byte_array_set_size (big, PS_NETFLOW_MAX_DATAGRAM + 1);
  memset (big->data, 0, big->len);
  big->data[1] = 10;
  decode_fails (d, big, PS_NETFLOW_ERROR_TOO_LARGE);

  /* count 0 is an empty, valid datagram; the fixed one decodes again */
  decode_ok (d, empty, 1000, out);
  decode_ok (d, b, 1000, out);
  g_assert_cmpuint (out->len, ==, 1);

  ps_netflow_decoder_get_stats (d, &stats);
  g_assert_cmpuint (stats.errors, ==, 10);
  g_assert_cmpuint (stats.packets, ==, 2);
}

/* NetFlow v9 */

static void
v9_flow_template (GByteArray *b,
                  guint16     id)
{
  gsize set = set_begin (b, 0);

  put16 (b, id);
  put16 (b, 16);
  field (b, 8, 4, 0);                  /* IPV4_SRC_ADDR */
  field (b, 12, 4, 0);                 /* IPV4_DST_ADDR */
  field (b, 7, 2, 0);                  /* L4_SRC_PORT */
  field (b, 11, 2, 0);                 /* L4_DST_PORT */
  field (b, 4, 1, 0);                  /* PROTOCOL */
  field (b, 6, 1, 0);                  /* TCP_FLAGS */
  field (b, 1, 4, 0);                  /* IN_BYTES, 4 bytes */
  field (b, 2, 8, 0);                  /* IN_PKTS, 8 bytes */
  field (b, 23, 3, 0);                 /* OUT_BYTES, 3 bytes */
  field (b, 24, 2, 0);                 /* OUT_PKTS */
  field (b, 22, 4, 0);                 /* FIRST_SWITCHED */
  field (b, 21, 4, 0);                 /* LAST_SWITCHED */
  field (b, 56, 6, 0);                 /* IN_SRC_MAC */
  field (b, 80, 6, 0);                 /* IN_DST_MAC */
  field (b, 225, 4, 0);                /* postNATSourceIPv4Address */
  field (b, 227, 2, 0);                /* postNAPTSourceTransportPort */
  set_end (b, set);
}

static void
v9_flow_record (GByteArray *b,
                const char *src,
                guint8      tcp_flags,
                guint32     bytes)
{
  put_ip4 (b, src);
  put_ip4 (b, "203.0.113.9");
  put16 (b, 51000);
  put16 (b, 8883);
  put8 (b, 6);
  put8 (b, tcp_flags);
  put32 (b, bytes);
  put64 (b, 7);
  put8 (b, 0x01);
  put16 (b, 0x0203);                   /* 3-byte OUT_BYTES: 0x010203 */
  put16 (b, 5);
  put32 (b, 3590000);
  put32 (b, 3599000);
  put_bytes (b, mac_src, 6);
  put_bytes (b, mac_dst, 6);
  put_ip4 (b, "198.51.100.1");
  put16 (b, 61000);
}

static void
test_v9_roundtrip (void)
{
  g_autoptr(PsNetflowDecoder) d = ps_netflow_decoder_new ();
  g_autoptr(GArray) out = records_new ();
  g_autoptr(GByteArray) b = v9_begin (3600000, EXPORT_SECS, 0, 42);
  PsNetflowStats stats;
  PsFlowRecord *r;
  gsize set;

  v9_flow_template (b, 300);

  /* an options template: scope 4 bytes (system), one option field */
  set = set_begin (b, 1);
  put16 (b, 301);
  put16 (b, 4);
  put16 (b, 8);
  field (b, 1, 4, 0);                  /* scope: System */
  field (b, 34, 4, 0);                 /* SAMPLING_INTERVAL */
  field (b, 35, 1, 0);                 /* SAMPLING_ALGORITHM */
  put16 (b, 0);                        /* padding */
  set_end (b, set);

  set = set_begin (b, 300);
  v9_flow_record (b, "192.168.1.30", 0x02, 4000);
  v9_flow_record (b, "192.168.1.31", 0x11, 5000);
  put16 (b, 0);                        /* padding */
  set_end (b, set);

  set = set_begin (b, 301);
  put32 (b, 1);
  put32 (b, 100);
  put8 (b, 2);
  put8 (b, 0);
  put16 (b, 0);                        /* padding */
  set_end (b, set);

  decode_ok (d, b, 0, out);
  g_assert_cmpuint (out->len, ==, 2);

  r = &g_array_index (out, PsFlowRecord, 0);
  g_assert_cmpint (r->origin, ==, PS_FLOW_ORIGIN_NETFLOW_V9);
  assert_address (&r->src, "192.168.1.30");
  assert_address (&r->dst, "203.0.113.9");
  g_assert_cmpuint (r->src_port, ==, 51000);
  g_assert_cmpuint (r->dst_port, ==, 8883);
  g_assert_cmpuint (r->ip_protocol, ==, 6);
  g_assert_cmpuint (r->bytes, ==, 4000);
  g_assert_cmpuint (r->packets, ==, 7);
  g_assert_cmpuint (r->reply_bytes, ==, 0x010203);
  g_assert_cmpuint (r->reply_packets, ==, 5);
  g_assert_cmpint (r->first_ms, ==, EXPORT_MS - 10000);
  g_assert_cmpint (r->last_ms, ==, EXPORT_MS - 1000);
  g_assert_true (r->has_src_mac);
  g_assert_true (r->has_dst_mac);
  assert_mac (r->src_mac, mac_src);
  assert_mac (r->dst_mac, mac_dst);
  assert_address (&r->nat_src, "198.51.100.1");
  g_assert_cmpuint (r->nat_src_port, ==, 61000);
  g_assert_true (r->new_flow);
  g_assert_false (r->ended);           /* SYN only */

  r = &g_array_index (out, PsFlowRecord, 1);
  assert_address (&r->src, "192.168.1.31");
  g_assert_cmpuint (r->bytes, ==, 5000);
  g_assert_true (r->ended);            /* FIN|ACK */

  ps_netflow_decoder_get_stats (d, &stats);
  g_assert_cmpuint (stats.templates, ==, 2);
  g_assert_cmpuint (stats.records, ==, 2);
  g_assert_cmpuint (stats.other_records, ==, 1);
}

static void
test_v9_ipv6_and_sequence (void)
{
  g_autoptr(PsNetflowDecoder) d = ps_netflow_decoder_new ();
  g_autoptr(GArray) out = records_new ();
  guint64 lost = 0;
  PsFlowRecord *r;

  for (guint i = 0; i < 4; i++)
    {
      const guint32 sequences[] = { 5, 6, 9, 10 };
      g_autoptr(GByteArray) b = v9_begin (1000, EXPORT_SECS, sequences[i], 7);
      gsize set = set_begin (b, 0);

      put16 (b, 260);
      put16 (b, 6);
      field (b, 27, 16, 0);            /* IPV6_SRC_ADDR */
      field (b, 28, 16, 0);            /* IPV6_DST_ADDR */
      field (b, 281, 16, 0);           /* postNATSourceIPv6Address */
      field (b, 4, 1, 0);
      field (b, 85, 4, 0);             /* total octets: used, no delta */
      field (b, 86, 2, 0);
      set_end (b, set);

      set = set_begin (b, 260);
      put_ip6 (b, "fd00::20");
      put_ip6 (b, "2001:db8::5");
      put_ip6 (b, "2001:db8:ffff::1");
      put8 (b, 17);
      put32 (b, 123456);
      put16 (b, 99);
      set_end (b, set);

      decode_ok (d, b, 0, out);
    }

  g_assert_cmpuint (out->len, ==, 4);
  r = &g_array_index (out, PsFlowRecord, 0);
  assert_address (&r->src, "fd00::20");
  assert_address (&r->dst, "2001:db8::5");
  assert_address (&r->nat_src, "2001:db8:ffff::1");
  g_assert_cmpuint (r->src.family, ==, 6);
  g_assert_cmpuint (r->bytes, ==, 123456);
  g_assert_cmpuint (r->packets, ==, 99);
  g_assert_cmpint (r->first_ms, ==, 0);

  /* v9 counts datagrams: 7 and 8 went missing */
  g_assert_cmpuint (ps_netflow_decoder_get_sequence_gaps (d, &exporter_a, 7, &lost), ==, 1);
  g_assert_cmpuint (lost, ==, 2);
}

static void
test_v9_malformed (void)
{
  g_autoptr(PsNetflowDecoder) d = ps_netflow_decoder_new ();
  g_autoptr(GByteArray) header = v9_begin (0, 0, 0, 0);
  PsNetflowStats stats;

  /* a header alone is valid; 19 bytes of it are not */
  {
    g_autoptr(GArray) out = records_new ();

    decode_ok (d, header, 0, out);
    g_byte_array_set_size (header, 19);
    decode_fails (d, header, PS_NETFLOW_ERROR_TRUNCATED);
  }

  /* a template with no fields */
  {
    g_autoptr(GByteArray) b = v9_begin (0, 0, 0, 0);
    gsize set = set_begin (b, 0);

    put16 (b, 256);
    put16 (b, 0);
    set_end (b, set);
    decode_fails (d, b, PS_NETFLOW_ERROR_BAD_TEMPLATE);
  }

  /* field count 0xffff, with nothing behind it */
  {
    g_autoptr(GByteArray) b = v9_begin (0, 0, 0, 0);
    gsize set = set_begin (b, 0);

    put16 (b, 256);
    put16 (b, 0xffff);
    field (b, 8, 4, 0);
    set_end (b, set);
    decode_fails (d, b, PS_NETFLOW_ERROR_BAD_TEMPLATE);
  }

  /* in v9 65535 is not variable length: no datagram holds such a record */
  {
    g_autoptr(GByteArray) b = v9_begin (0, 0, 0, 0);
    gsize set = set_begin (b, 0);

    put16 (b, 256);
    put16 (b, 1);
    field (b, 8, 0xffff, 0);
    set_end (b, set);
    decode_fails (d, b, PS_NETFLOW_ERROR_BAD_TEMPLATE);
  }

  /* options template lengths that are not whole fields, or none */
  {
    g_autoptr(GByteArray) b = v9_begin (0, 0, 0, 0);
    gsize set = set_begin (b, 1);

    put16 (b, 256);
    put16 (b, 3);
    put16 (b, 4);
    put32 (b, 0);
    put32 (b, 0);
    set_end (b, set);
    decode_fails (d, b, PS_NETFLOW_ERROR_BAD_TEMPLATE);

    patch16 (b, set + 6, 0);           /* scope 0, options 0: no fields */
    patch16 (b, set + 8, 0);
    decode_fails (d, b, PS_NETFLOW_ERROR_BAD_TEMPLATE);
  }

  /* a flowset length of 0, of 2, and one past the end */
  {
    g_autoptr(GByteArray) b = v9_begin (0, 0, 0, 0);
    gsize set = set_begin (b, 300);

    put32 (b, 0);
    set_end (b, set);
    patch16 (b, set + 2, 0);
    decode_fails (d, b, PS_NETFLOW_ERROR_BAD_LENGTH);
    patch16 (b, set + 2, 2);
    decode_fails (d, b, PS_NETFLOW_ERROR_BAD_LENGTH);
    patch16 (b, set + 2, 12);
    decode_fails (d, b, PS_NETFLOW_ERROR_TRUNCATED);
  }

  ps_netflow_decoder_get_stats (d, &stats);
  g_assert_cmpuint (stats.templates, ==, 0);
  g_assert_cmpuint (stats.sets_buffered, ==, 0);
}

/* IPFIX */

static void
ipfix_flow_template (GByteArray *b,
                     guint16     id)
{
  gsize set = set_begin (b, 2);

  put16 (b, id);
  put16 (b, 17);
  field (b, 8, 4, 0);                  /* sourceIPv4Address */
  field (b, 12, 4, 0);                 /* destinationIPv4Address */
  field (b, 7, 2, 0);
  field (b, 11, 2, 0);
  field (b, 4, 1, 0);
  field (b, 100, 4, 9);                /* an enterprise field: skipped */
  field (b, 1, 8, 0);                  /* octetDeltaCount */
  field (b, 2, 4, 0);                  /* packetDeltaCount */
  field (b, 1, 4, 29305);              /* reverseOctetDeltaCount (RFC 5103) */
  field (b, 2, 2, 29305);              /* reversePacketDeltaCount */
  field (b, 152, 8, 0);                /* flowStartMilliseconds */
  field (b, 153, 8, 0);                /* flowEndMilliseconds */
  field (b, 56, 6, 0);                 /* sourceMacAddress */
  field (b, 80, 6, 0);                 /* destinationMacAddress */
  field (b, 225, 4, 0);                /* postNATSourceIPv4Address */
  field (b, 227, 2, 0);                /* postNAPTSourceTransportPort */
  field (b, 136, 1, 0);                /* flowEndReason */
  set_end (b, set);
}

static void
ipfix_flow_record (GByteArray *b,
                   const char *src,
                   guint8      end_reason)
{
  put_ip4 (b, src);
  put_ip4 (b, "203.0.113.77");
  put16 (b, 40001);
  put16 (b, 443);
  put8 (b, 6);
  put32 (b, 0xdeadbeef);
  put64 (b, G_GUINT64_CONSTANT (5000000000));
  put32 (b, 3000000);
  put32 (b, 777);
  put16 (b, 11);
  put64 (b, EXPORT_MS - 60000);
  put64 (b, EXPORT_MS - 2000);
  put_bytes (b, mac_src, 6);
  put_bytes (b, mac_dst, 6);
  put_ip4 (b, "198.51.100.200");
  put16 (b, 30000);
  put8 (b, end_reason);
}

static void
test_ipfix_roundtrip (void)
{
  g_autoptr(PsNetflowDecoder) d = ps_netflow_decoder_new ();
  g_autoptr(GArray) out = records_new ();
  g_autoptr(GByteArray) b = ipfix_begin (EXPORT_SECS, 0, 1);
  PsFlowRecord *r;
  gsize set;

  ipfix_flow_template (b, 256);
  set = set_begin (b, 256);
  ipfix_flow_record (b, "10.1.2.3", 2);
  ipfix_flow_record (b, "10.1.2.4", 3);
  set_end (b, set);
  ipfix_end (b);

  decode_ok (d, b, 0, out);
  g_assert_cmpuint (out->len, ==, 2);

  r = &g_array_index (out, PsFlowRecord, 0);
  g_assert_cmpint (r->origin, ==, PS_FLOW_ORIGIN_IPFIX);
  assert_address (&r->src, "10.1.2.3");
  assert_address (&r->dst, "203.0.113.77");
  g_assert_cmpuint (r->src_port, ==, 40001);
  g_assert_cmpuint (r->dst_port, ==, 443);
  g_assert_cmpuint (r->ip_protocol, ==, 6);
  g_assert_cmpuint (r->bytes, ==, G_GUINT64_CONSTANT (5000000000));
  g_assert_cmpuint (r->packets, ==, 3000000);
  g_assert_cmpuint (r->reply_bytes, ==, 777);
  g_assert_cmpuint (r->reply_packets, ==, 11);
  g_assert_cmpint (r->first_ms, ==, EXPORT_MS - 60000);
  g_assert_cmpint (r->last_ms, ==, EXPORT_MS - 2000);
  assert_mac (r->src_mac, mac_src);
  assert_mac (r->dst_mac, mac_dst);
  assert_address (&r->nat_src, "198.51.100.200");
  g_assert_cmpuint (r->nat_src_port, ==, 30000);
  g_assert_false (r->ended);           /* active timeout */

  r = &g_array_index (out, PsFlowRecord, 1);
  assert_address (&r->src, "10.1.2.4");
  g_assert_true (r->ended);            /* end of flow detected */
}

static void
test_ipfix_timestamps (void)
{
  g_autoptr(PsNetflowDecoder) d = ps_netflow_decoder_new ();
  g_autoptr(GArray) out = records_new ();
  g_autoptr(GByteArray) b = ipfix_begin (EXPORT_SECS, 0, 1);
  gsize set;

  /* an options template carrying systemInitTimeMilliseconds */
  set = set_begin (b, 3);
  put16 (b, 400);
  put16 (b, 2);
  put16 (b, 1);
  field (b, 149, 4, 0);                /* scope: observationDomainId */
  field (b, 160, 8, 0);                /* systemInitTimeMilliseconds */
  set_end (b, set);

  set = set_begin (b, 2);
  put16 (b, 401);                      /* seconds */
  put16 (b, 4);
  field (b, 8, 4, 0);
  field (b, 12, 4, 0);
  field (b, 150, 4, 0);
  field (b, 151, 4, 0);
  put16 (b, 402);                      /* NTP microseconds and nanoseconds */
  put16 (b, 4);
  field (b, 8, 4, 0);
  field (b, 12, 4, 0);
  field (b, 154, 8, 0);
  field (b, 157, 8, 0);
  put16 (b, 403);                      /* deltas from the export time */
  put16 (b, 4);
  field (b, 8, 4, 0);
  field (b, 12, 4, 0);
  field (b, 158, 4, 0);
  field (b, 159, 4, 0);
  put16 (b, 404);                      /* sysUpTime, relative to system init */
  put16 (b, 6);
  field (b, 8, 4, 0);
  field (b, 12, 4, 0);
  field (b, 22, 4, 0);
  field (b, 21, 4, 0);
  field (b, 85, 8, 0);                 /* totals, no deltas */
  field (b, 86, 8, 0);
  set_end (b, set);

  set = set_begin (b, 400);
  put32 (b, 1);
  put64 (b, EXPORT_MS - 3600000);
  set_end (b, set);

  set = set_begin (b, 401);
  put_ip4 (b, "10.0.0.1");
  put_ip4 (b, "10.0.0.2");
  put32 (b, EXPORT_SECS - 30);
  put32 (b, EXPORT_SECS - 1);
  set_end (b, set);

  set = set_begin (b, 402);
  put_ip4 (b, "10.0.0.1");
  put_ip4 (b, "10.0.0.2");
  put32 (b, EXPORT_SECS - 20 + NTP_OFFSET);
  put32 (b, 0x40000000);               /* .25 s */
  put32 (b, EXPORT_SECS - 2 + NTP_OFFSET);
  put32 (b, 0x80000000);               /* .5 s */
  set_end (b, set);

  set = set_begin (b, 403);
  put_ip4 (b, "10.0.0.1");
  put_ip4 (b, "10.0.0.2");
  put32 (b, 5000000);
  put32 (b, 1500);
  set_end (b, set);

  set = set_begin (b, 404);
  put_ip4 (b, "10.0.0.1");
  put_ip4 (b, "10.0.0.2");
  put32 (b, 5000);
  put32 (b, 9000);
  put64 (b, 4242);
  put64 (b, 42);
  set_end (b, set);
  ipfix_end (b);

  decode_ok (d, b, 0, out);
  g_assert_cmpuint (out->len, ==, 4);

  g_assert_cmpint (g_array_index (out, PsFlowRecord, 0).first_ms, ==, EXPORT_MS - 30000);
  g_assert_cmpint (g_array_index (out, PsFlowRecord, 0).last_ms, ==, EXPORT_MS - 1000);
  g_assert_cmpint (g_array_index (out, PsFlowRecord, 1).first_ms, ==, EXPORT_MS - 20000 + 250);
  g_assert_cmpint (g_array_index (out, PsFlowRecord, 1).last_ms, ==, EXPORT_MS - 2000 + 500);
  g_assert_cmpint (g_array_index (out, PsFlowRecord, 2).first_ms, ==, EXPORT_MS - 5000);
  g_assert_cmpint (g_array_index (out, PsFlowRecord, 2).last_ms, ==, EXPORT_MS - 1);
  g_assert_cmpint (g_array_index (out, PsFlowRecord, 3).first_ms, ==, EXPORT_MS - 3600000 + 5000);
  g_assert_cmpint (g_array_index (out, PsFlowRecord, 3).last_ms, ==, EXPORT_MS - 3600000 + 9000);
  g_assert_cmpuint (g_array_index (out, PsFlowRecord, 3).bytes, ==, 4242);
  g_assert_cmpuint (g_array_index (out, PsFlowRecord, 3).packets, ==, 42);
}

static void
test_ipfix_variable_length (void)
{
  g_autoptr(PsNetflowDecoder) d = ps_netflow_decoder_new ();
  g_autoptr(GArray) out = records_new ();
  g_autoptr(GByteArray) b = ipfix_begin (EXPORT_SECS, 0, 1);
  guint8 long_name[300];
  PsFlowRecord *r;
  gsize set;

  memset (long_name, 'x', sizeof long_name);

  set = set_begin (b, 2);
  put16 (b, 500);
  put16 (b, 6);
  field (b, 8, 4, 0);
  field (b, 82, 0xffff, 0);            /* interfaceName, variable */
  field (b, 12, 4, 0);
  field (b, 200, 0xffff, 12345);       /* an enterprise variable field */
  field (b, 7, 2, 0);
  field (b, 11, 2, 0);
  set_end (b, set);

  set = set_begin (b, 500);
  /* short form */
  put_ip4 (b, "10.9.9.1");
  put8 (b, 4);
  put_bytes (b, (const guint8 *) "eth0", 4);
  put_ip4 (b, "10.9.9.2");
  put8 (b, 0);
  put16 (b, 1111);
  put16 (b, 2222);
  /* long form: 255 then two bytes */
  put_ip4 (b, "10.9.9.3");
  put8 (b, 255);
  put16 (b, sizeof long_name);
  put_bytes (b, long_name, sizeof long_name);
  put_ip4 (b, "10.9.9.4");
  put8 (b, 255);
  put16 (b, 3);
  put_bytes (b, (const guint8 *) "abc", 3);
  put16 (b, 3333);
  put16 (b, 4444);
  set_end (b, set);
  ipfix_end (b);

  decode_ok (d, b, 0, out);
  g_assert_cmpuint (out->len, ==, 2);
  r = &g_array_index (out, PsFlowRecord, 0);
  assert_address (&r->src, "10.9.9.1");
  assert_address (&r->dst, "10.9.9.2");
  g_assert_cmpuint (r->src_port, ==, 1111);
  g_assert_cmpuint (r->dst_port, ==, 2222);
  r = &g_array_index (out, PsFlowRecord, 1);
  assert_address (&r->src, "10.9.9.3");
  assert_address (&r->dst, "10.9.9.4");
  g_assert_cmpuint (r->src_port, ==, 3333);
  g_assert_cmpuint (r->dst_port, ==, 4444);

  /* a variable-length field that claims more than the set holds */
  {
    g_autoptr(GByteArray) bad = ipfix_begin (EXPORT_SECS, 2, 1);

    set = set_begin (bad, 500);
    put_ip4 (bad, "10.9.9.1");
    put8 (bad, 200);
    put_bytes (bad, (const guint8 *) "eth0", 4);
    put64 (bad, 0);                    /* more than padding, less than 200 */
    set_end (bad, set);
    ipfix_end (bad);
    decode_fails (d, bad, PS_NETFLOW_ERROR_TRUNCATED);
  }
}

static void
test_ipfix_options_and_other_records (void)
{
  g_autoptr(PsNetflowDecoder) d = ps_netflow_decoder_new ();
  g_autoptr(GArray) out = records_new ();
  g_autoptr(GByteArray) b = ipfix_begin (EXPORT_SECS, 0, 1);
  PsNetflowStats stats;
  gsize set;

  set = set_begin (b, 3);
  put16 (b, 600);
  put16 (b, 3);
  put16 (b, 1);
  field (b, 10, 4, 0);                 /* scope: ingressInterface */
  field (b, 82, 0xffff, 0);            /* interfaceName */
  field (b, 8, 4, 0);                  /* an address is no flow in options */
  put16 (b, 0);                        /* padding: less than a template header */
  set_end (b, set);

  set = set_begin (b, 2);
  put16 (b, 601);                      /* an L2-only template: no addresses */
  put16 (b, 2);
  field (b, 56, 6, 0);
  field (b, 1, 4, 0);
  set_end (b, set);

  set = set_begin (b, 600);
  put32 (b, 3);
  put8 (b, 4);
  put_bytes (b, (const guint8 *) "wan0", 4);
  put_ip4 (b, "192.0.2.1");
  put8 (b, 0);                         /* padding: shorter than a record */
  set_end (b, set);

  set = set_begin (b, 601);
  put_bytes (b, mac_src, 6);
  put32 (b, 100);
  put_bytes (b, mac_dst, 6);
  put32 (b, 200);
  set_end (b, set);
  ipfix_end (b);

  decode_ok (d, b, 0, out);
  g_assert_cmpuint (out->len, ==, 0);
  ps_netflow_decoder_get_stats (d, &stats);
  g_assert_cmpuint (stats.templates, ==, 2);
  g_assert_cmpuint (stats.other_records, ==, 3);
  g_assert_cmpuint (stats.records, ==, 0);
}

static GByteArray *
ipfix_data_only (guint32     sequence,
                 guint16     template_id,
                 const char *src)
{
  GByteArray *b = ipfix_begin (EXPORT_SECS, sequence, 1);
  gsize set = set_begin (b, template_id);

  ipfix_flow_record (b, src, 1);
  set_end (b, set);
  ipfix_end (b);
  return b;
}

static GByteArray *
ipfix_template_only (guint32 sequence,
                     guint16 template_id)
{
  GByteArray *b = ipfix_begin (EXPORT_SECS, sequence, 1);

  ipfix_flow_template (b, template_id);
  ipfix_end (b);
  return b;
}

static void
test_ipfix_data_before_template (void)
{
  g_autoptr(PsNetflowDecoder) d = ps_netflow_decoder_new ();
  g_autoptr(GArray) out = records_new ();
  g_autoptr(GByteArray) data1 = ipfix_data_only (0, 256, "10.0.0.1");
  g_autoptr(GByteArray) data2 = ipfix_data_only (1, 256, "10.0.0.2");
  g_autoptr(GByteArray) other = ipfix_data_only (2, 999, "10.0.0.3");
  g_autoptr(GByteArray) tmpl = ipfix_template_only (3, 256);
  PsNetflowStats stats;

  decode_ok (d, data1, 1000, out);
  decode_ok (d, data2, 2000, out);
  decode_ok (d, other, 2000, out);
  g_assert_cmpuint (out->len, ==, 0);
  ps_netflow_decoder_get_stats (d, &stats);
  g_assert_cmpuint (stats.sets_buffered, ==, 3);
  g_assert_cmpuint (stats.sets_pending, ==, 3);
  g_assert_cmpuint (stats.pending_bytes, >, 2 * 70);

  /* the template unlocks the two held sets for it, oldest first */
  decode_ok (d, tmpl, 3000, out);
  g_assert_cmpuint (out->len, ==, 2);
  assert_address (&g_array_index (out, PsFlowRecord, 0).src, "10.0.0.1");
  assert_address (&g_array_index (out, PsFlowRecord, 1).src, "10.0.0.2");
  g_assert_true (g_array_index (out, PsFlowRecord, 1).ended);
  ps_netflow_decoder_get_stats (d, &stats);
  g_assert_cmpuint (stats.sets_pending, ==, 1);
  g_assert_cmpuint (stats.records, ==, 2);
  g_assert_cmpuint (stats.sets_dropped, ==, 0);

  /* the other never gets its template: gone after 5 s */
  ps_netflow_decoder_expire (d, 6999);
  ps_netflow_decoder_get_stats (d, &stats);
  g_assert_cmpuint (stats.sets_pending, ==, 1);
  ps_netflow_decoder_expire (d, 7000);
  ps_netflow_decoder_get_stats (d, &stats);
  g_assert_cmpuint (stats.sets_pending, ==, 0);
  g_assert_cmpuint (stats.pending_bytes, ==, 0);
  g_assert_cmpuint (stats.sets_dropped, ==, 1);
}

static void
test_ipfix_data_expires_before_template (void)
{
  g_autoptr(PsNetflowDecoder) d = ps_netflow_decoder_new ();
  g_autoptr(GArray) out = records_new ();
  g_autoptr(GByteArray) data = ipfix_data_only (0, 256, "10.0.0.1");
  g_autoptr(GByteArray) tmpl = ipfix_template_only (1, 256);
  PsNetflowStats stats;

  decode_ok (d, data, 1000, out);
  /* the template comes 5 s after its data: too late */
  decode_ok (d, tmpl, 1000 + 5000, out);
  g_assert_cmpuint (out->len, ==, 0);
  ps_netflow_decoder_get_stats (d, &stats);
  g_assert_cmpuint (stats.sets_dropped, ==, 1);
  g_assert_cmpuint (stats.sets_pending, ==, 0);
}

static void
test_ipfix_withdrawal (void)
{
  g_autoptr(PsNetflowDecoder) d = ps_netflow_decoder_new ();
  g_autoptr(GArray) out = records_new ();
  g_autoptr(GByteArray) t1 = ipfix_template_only (0, 256);
  g_autoptr(GByteArray) t2 = ipfix_template_only (0, 257);
  g_autoptr(GByteArray) withdraw_one = ipfix_begin (EXPORT_SECS, 0, 1);
  g_autoptr(GByteArray) withdraw_all = ipfix_begin (EXPORT_SECS, 0, 1);
  g_autoptr(GByteArray) withdraw_bad = ipfix_begin (EXPORT_SECS, 0, 1);
  g_autoptr(GByteArray) data1 = ipfix_data_only (0, 256, "10.0.0.1");
  g_autoptr(GByteArray) data2 = ipfix_data_only (0, 257, "10.0.0.2");
  PsNetflowStats stats;
  gsize set;

  set = set_begin (withdraw_one, 2);
  put16 (withdraw_one, 256);
  put16 (withdraw_one, 0);
  set_end (withdraw_one, set);
  ipfix_end (withdraw_one);

  set = set_begin (withdraw_all, 2);
  put16 (withdraw_all, 2);
  put16 (withdraw_all, 0);
  set_end (withdraw_all, set);
  ipfix_end (withdraw_all);

  set = set_begin (withdraw_bad, 2);
  put16 (withdraw_bad, 7);
  put16 (withdraw_bad, 0);
  set_end (withdraw_bad, set);
  ipfix_end (withdraw_bad);

  decode_ok (d, t1, 0, out);
  decode_ok (d, t2, 0, out);
  ps_netflow_decoder_get_stats (d, &stats);
  g_assert_cmpuint (stats.templates, ==, 2);

  decode_ok (d, withdraw_one, 0, out);
  decode_ok (d, data1, 0, out);        /* held: 256 is gone */
  decode_ok (d, data2, 0, out);
  g_assert_cmpuint (out->len, ==, 1);
  assert_address (&g_array_index (out, PsFlowRecord, 0).src, "10.0.0.2");
  ps_netflow_decoder_get_stats (d, &stats);
  g_assert_cmpuint (stats.templates, ==, 1);
  g_assert_cmpuint (stats.sets_pending, ==, 1);

  decode_ok (d, withdraw_all, 0, out);
  ps_netflow_decoder_get_stats (d, &stats);
  g_assert_cmpuint (stats.templates, ==, 0);

  decode_fails (d, withdraw_bad, PS_NETFLOW_ERROR_BAD_TEMPLATE);
}

static void
test_ipfix_sequence (void)
{
  g_autoptr(PsNetflowDecoder) d = ps_netflow_decoder_new ();
  g_autoptr(GArray) out = records_new ();
  g_autoptr(GByteArray) tmpl = ipfix_template_only (0, 256);
  guint64 lost = 0;
  struct { guint32 sequence; guint n; } messages[] = {
    { 0, 3 }, { 3, 2 }, { 10, 1 }, { 11, 1 },
  };

  decode_ok (d, tmpl, 0, out);
  for (guint i = 0; i < G_N_ELEMENTS (messages); i++)
    {
      g_autoptr(GByteArray) b = ipfix_begin (EXPORT_SECS, messages[i].sequence, 1);
      gsize set = set_begin (b, 256);

      for (guint k = 0; k < messages[i].n; k++)
        ipfix_flow_record (b, "10.0.0.1", 2);
      set_end (b, set);
      ipfix_end (b);
      decode_ok (d, b, 0, out);
    }

  /* IPFIX counts data records: 5..9 went missing */
  g_assert_cmpuint (out->len, ==, 7);
  g_assert_cmpuint (ps_netflow_decoder_get_sequence_gaps (d, &exporter_a, 1, &lost), ==, 1);
  g_assert_cmpuint (lost, ==, 5);
}

static void
test_ipfix_malformed (void)
{
  g_autoptr(PsNetflowDecoder) d = ps_netflow_decoder_new ();
  PsNetflowStats stats;

  /* the message length must be the datagram's */
  {
    g_autoptr(GByteArray) b = ipfix_template_only (0, 256);

    patch16 (b, 2, b->len - 1);
    decode_fails (d, b, PS_NETFLOW_ERROR_BAD_LENGTH);
    patch16 (b, 2, b->len + 1);
    decode_fails (d, b, PS_NETFLOW_ERROR_BAD_LENGTH);
    patch16 (b, 2, 0);
    decode_fails (d, b, PS_NETFLOW_ERROR_BAD_LENGTH);
    g_byte_array_set_size (b, 15);
    decode_fails (d, b, PS_NETFLOW_ERROR_TRUNCATED);
  }

  /* set length 0, below 4, past the end; bytes after the last set */
  {
    g_autoptr(GByteArray) b = ipfix_begin (EXPORT_SECS, 0, 1);
    gsize set = set_begin (b, 256);

    put32 (b, 0);
    set_end (b, set);
    ipfix_end (b);
    patch16 (b, set + 2, 0);
    decode_fails (d, b, PS_NETFLOW_ERROR_BAD_LENGTH);
    patch16 (b, set + 2, 3);
    decode_fails (d, b, PS_NETFLOW_ERROR_BAD_LENGTH);
    patch16 (b, set + 2, 9);
    decode_fails (d, b, PS_NETFLOW_ERROR_TRUNCATED);
    patch16 (b, set + 2, 4);
    decode_fails (d, b, PS_NETFLOW_ERROR_BAD_LENGTH);
  }

  /* a zero-length template: records of zero bytes would never end */
  {
    g_autoptr(GByteArray) b = ipfix_begin (EXPORT_SECS, 0, 1);
    gsize set = set_begin (b, 2);

    put16 (b, 256);
    put16 (b, 2);
    field (b, 8, 0, 0);
    field (b, 12, 0, 0);
    set_end (b, set);
    ipfix_end (b);
    decode_fails (d, b, PS_NETFLOW_ERROR_BAD_TEMPLATE);
  }

  /* field count 0xffff */
  {
    g_autoptr(GByteArray) b = ipfix_begin (EXPORT_SECS, 0, 1);
    gsize set = set_begin (b, 2);

    put16 (b, 256);
    put16 (b, 0xffff);
    for (guint i = 0; i < 600; i++)
      field (b, 8, 4, 0);
    set_end (b, set);
    ipfix_end (b);
    decode_fails (d, b, PS_NETFLOW_ERROR_BAD_TEMPLATE);
  }

  /* huge field lengths: no message could carry the record */
  {
    g_autoptr(GByteArray) b = ipfix_begin (EXPORT_SECS, 0, 1);
    gsize set = set_begin (b, 2);

    put16 (b, 256);
    put16 (b, 2);
    field (b, 8, 40000, 0);
    field (b, 12, 40000, 0);
    set_end (b, set);
    ipfix_end (b);
    decode_fails (d, b, PS_NETFLOW_ERROR_BAD_TEMPLATE);
  }

  /* a template longer than its set, with and without an enterprise number */
  {
    g_autoptr(GByteArray) b = ipfix_begin (EXPORT_SECS, 0, 1);
    gsize set = set_begin (b, 2);

    put16 (b, 256);
    put16 (b, 3);
    field (b, 8, 4, 0);
    field (b, 12, 4, 0);
    set_end (b, set);
    ipfix_end (b);
    decode_fails (d, b, PS_NETFLOW_ERROR_BAD_TEMPLATE);

    patch16 (b, set + 6, 2);
    b->data[set + 12] |= 0x80;         /* IE 12 now claims a PEN that is not there */
    decode_fails (d, b, PS_NETFLOW_ERROR_BAD_TEMPLATE);
  }

  /* a reserved template id; options with 0 or too many scope fields */
  {
    g_autoptr(GByteArray) b = ipfix_begin (EXPORT_SECS, 0, 1);
    g_autoptr(GByteArray) o = ipfix_begin (EXPORT_SECS, 0, 1);
    gsize set = set_begin (b, 2);

    put16 (b, 255);
    put16 (b, 1);
    field (b, 8, 4, 0);
    set_end (b, set);
    ipfix_end (b);
    decode_fails (d, b, PS_NETFLOW_ERROR_BAD_TEMPLATE);

    set = set_begin (o, 3);
    put16 (o, 256);
    put16 (o, 1);
    put16 (o, 0);
    field (o, 8, 4, 0);
    set_end (o, set);
    ipfix_end (o);
    decode_fails (d, o, PS_NETFLOW_ERROR_BAD_TEMPLATE);
    patch16 (o, set + 8, 2);
    decode_fails (d, o, PS_NETFLOW_ERROR_BAD_TEMPLATE);
  }

  ps_netflow_decoder_get_stats (d, &stats);
  g_assert_cmpuint (stats.templates, ==, 0);
  g_assert_cmpuint (stats.packets, ==, 0);

  /* a data set that holds part of a record (more than padding) */
  {
    g_autoptr(GByteArray) tmpl = ipfix_template_only (0, 256);
    g_autoptr(GByteArray) b = ipfix_begin (EXPORT_SECS, 0, 1);
    g_autoptr(GArray) out = records_new ();
    gsize set;

    decode_ok (d, tmpl, 0, out);
    set = set_begin (b, 256);
    put_ip4 (b, "10.0.0.1");
    put_ip4 (b, "10.0.0.2");
    set_end (b, set);
    ipfix_end (b);
    decode_fails (d, b, PS_NETFLOW_ERROR_BAD_LENGTH);
  }
}

/* Limits and expiry */

static void
test_limits (void)
{
  g_autoptr(PsNetflowDecoder) d = ps_netflow_decoder_new ();
  g_autoptr(GArray) out = records_new ();
  g_autoptr(GByteArray) t1 = ipfix_template_only (0, 256);
  g_autoptr(GByteArray) t2 = ipfix_template_only (0, 257);
  g_autoptr(GByteArray) t3 = ipfix_template_only (0, 258);
  g_autoptr(GByteArray) data = ipfix_data_only (0, 300, "10.0.0.1");
  g_autoptr(GError) error = NULL;
  PsNetflowLimits limits;
  PsNetflowStats stats;

  ps_netflow_decoder_get_limits (d, &limits);
  g_assert_cmpint (limits.template_timeout_ms, ==, 30 * 60 * 1000);
  g_assert_cmpint (limits.pending_timeout_ms, ==, 5000);
  g_assert_cmpuint (limits.max_pending_bytes_per_exporter, ==, 256 * 1024);

  limits.max_templates_per_exporter = 2;
  limits.max_exporters = 1;
  limits.max_pending_bytes_per_exporter = 64;
  ps_netflow_decoder_set_limits (d, &limits);

  decode_ok (d, t1, 0, out);
  decode_ok (d, t2, 0, out);
  decode_ok (d, t3, 0, out);           /* no room: counted, not an error */
  decode_ok (d, t2, 0, out);           /* a known one is refreshed */
  decode_ok (d, data, 0, out);         /* too big to hold */
  ps_netflow_decoder_get_stats (d, &stats);
  g_assert_cmpuint (stats.templates, ==, 2);
  g_assert_cmpuint (stats.templates_rejected, ==, 1);
  g_assert_cmpuint (stats.sets_dropped, ==, 1);
  g_assert_cmpuint (stats.sets_pending, ==, 0);

  /* a second exporter: the first holds templates, so no room */
  g_assert_false (decode_from (d, &exporter_b, t1, 0, out, &error));
  g_assert_error (error, PS_NETFLOW_ERROR, PS_NETFLOW_ERROR_LIMIT);
  g_clear_error (&error);

  /* once they expire, the first exporter goes and the second gets in */
  limits.template_timeout_ms = 1000;
  ps_netflow_decoder_set_limits (d, &limits);
  ps_netflow_decoder_expire (d, 1000);
  ps_netflow_decoder_get_stats (d, &stats);
  g_assert_cmpuint (stats.templates, ==, 0);
  g_assert_cmpuint (stats.exporters, ==, 0);
  g_assert_true (decode_from (d, &exporter_b, t1, 1000, out, &error));
  g_assert_no_error (error);

  /* an idle exporter without templates makes room for a new one at once */
  {
    const V5Flow flow = { "192.0.2.10", "192.0.2.20", 1, 2, 17, 0, 1, 100, 1, 1 };
    g_autoptr(GByteArray) v5 = v5_build (10, EXPORT_SECS, 0, 0, 0, 0, &flow, 1);
    g_autoptr(PsNetflowDecoder) d2 = ps_netflow_decoder_new ();

    ps_netflow_decoder_set_limits (d2, &limits);
    g_assert_true (decode_from (d2, &exporter_a, v5, 0, out, NULL));
    g_assert_true (decode_from (d2, &exporter_b, v5, 0, out, NULL));
    ps_netflow_decoder_get_stats (d2, &stats);
    g_assert_cmpuint (stats.exporters, ==, 1);
  }
}

static void
test_exporter_table_full (void)
{
  g_autoptr(PsNetflowDecoder) d = ps_netflow_decoder_new ();
  g_autoptr(GArray) out = records_new ();
  g_autoptr(GByteArray) tmpl = ipfix_template_only (0, 256);
  g_autoptr(GByteArray) withdraw_all = ipfix_begin (EXPORT_SECS, 0, 1);
  g_autoptr(GError) error = NULL;
  PsNetflowLimits limits;
  gsize set;

  set = set_begin (withdraw_all, 2);
  put16 (withdraw_all, 2);
  put16 (withdraw_all, 0);
  set_end (withdraw_all, set);
  ipfix_end (withdraw_all);

  ps_netflow_decoder_get_limits (d, &limits);
  limits.max_exporters = 1;
  ps_netflow_decoder_set_limits (d, &limits);

  decode_ok (d, tmpl, 0, out);
  g_assert_false (decode_from (d, &exporter_b, tmpl, 0, out, &error));
  g_assert_error (error, PS_NETFLOW_ERROR, PS_NETFLOW_ERROR_LIMIT);
  g_clear_error (&error);

  /* the first exporter could go now, but the table is not searched again
   * for a second: a flood of new sources costs a lookup each, no more */
  decode_ok (d, withdraw_all, 10, out);
  g_assert_false (decode_from (d, &exporter_b, tmpl, 500, out, &error));
  g_assert_error (error, PS_NETFLOW_ERROR, PS_NETFLOW_ERROR_LIMIT);
  g_clear_error (&error);
  g_assert_false (decode_from (d, &exporter_b, tmpl, 999, out, &error));
  g_clear_error (&error);
  g_assert_true (decode_from (d, &exporter_b, tmpl, 1000, out, &error));
  g_assert_no_error (error);
}

static void
test_template_expiry (void)
{
  g_autoptr(PsNetflowDecoder) d = ps_netflow_decoder_new ();
  g_autoptr(GArray) out = records_new ();
  g_autoptr(GByteArray) tmpl = ipfix_template_only (0, 256);
  g_autoptr(GByteArray) data = ipfix_data_only (0, 256, "10.0.0.1");
  PsNetflowLimits limits;
  PsNetflowStats stats;

  ps_netflow_decoder_get_limits (d, &limits);
  limits.template_timeout_ms = 60000;
  ps_netflow_decoder_set_limits (d, &limits);

  decode_ok (d, tmpl, 0, out);
  decode_ok (d, data, 50000, out);     /* use keeps it alive */
  decode_ok (d, data, 100000, out);
  g_assert_cmpuint (out->len, ==, 2);
  decode_ok (d, data, 160000, out);    /* unused for 60 s: gone, data held */
  g_assert_cmpuint (out->len, ==, 2);
  ps_netflow_decoder_get_stats (d, &stats);
  g_assert_cmpuint (stats.templates, ==, 0);
  g_assert_cmpuint (stats.sets_pending, ==, 1);
}

static void
test_ended (void)
{
  g_autoptr(PsNetflowDecoder) d = ps_netflow_decoder_new ();
  g_autoptr(GArray) out = records_new ();
  g_autoptr(GByteArray) b = ipfix_begin (EXPORT_SECS, 0, 1);
  const guint8 reasons[] = { 1, 2, 3, 4, 5, 6, 0 };
  gsize set;

  ipfix_flow_template (b, 256);
  set = set_begin (b, 256);
  for (guint i = 0; i < G_N_ELEMENTS (reasons); i++)
    ipfix_flow_record (b, "10.0.0.1", reasons[i]);
  set_end (b, set);
  ipfix_end (b);

  decode_ok (d, b, 0, out);
  g_assert_cmpuint (out->len, ==, G_N_ELEMENTS (reasons));
  for (guint i = 0; i < G_N_ELEMENTS (reasons); i++)
    g_assert_cmpint (g_array_index (out, PsFlowRecord, i).ended, ==,
                     reasons[i] == 1 || reasons[i] == 3 || reasons[i] == 4 || reasons[i] == 5);
}

int
main (int   argc,
      char *argv[])
{
  const guint8 a[4] = { 192, 0, 2, 1 };
  const guint8 b[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

  g_test_init (&argc, &argv, NULL);

  ps_ip_address_set_v4 (&exporter_a, a);
  ps_ip_address_set_v6 (&exporter_b, b);

  g_test_add_func ("/netflow/v5/roundtrip", test_v5_roundtrip);
  g_test_add_func ("/netflow/v5/sequence", test_v5_sequence);
  g_test_add_func ("/netflow/v5/malformed", test_v5_malformed);
  g_test_add_func ("/netflow/v9/roundtrip", test_v9_roundtrip);
  g_test_add_func ("/netflow/v9/ipv6-and-sequence", test_v9_ipv6_and_sequence);
  g_test_add_func ("/netflow/v9/malformed", test_v9_malformed);
  g_test_add_func ("/netflow/ipfix/roundtrip", test_ipfix_roundtrip);
  g_test_add_func ("/netflow/ipfix/timestamps", test_ipfix_timestamps);
  g_test_add_func ("/netflow/ipfix/variable-length", test_ipfix_variable_length);
  g_test_add_func ("/netflow/ipfix/options", test_ipfix_options_and_other_records);
  g_test_add_func ("/netflow/ipfix/data-before-template", test_ipfix_data_before_template);
  g_test_add_func ("/netflow/ipfix/data-expires", test_ipfix_data_expires_before_template);
  g_test_add_func ("/netflow/ipfix/withdrawal", test_ipfix_withdrawal);
  g_test_add_func ("/netflow/ipfix/sequence", test_ipfix_sequence);
  g_test_add_func ("/netflow/ipfix/malformed", test_ipfix_malformed);
  g_test_add_func ("/netflow/limits", test_limits);
  g_test_add_func ("/netflow/exporter-table-full", test_exporter_table_full);
  g_test_add_func ("/netflow/template-expiry", test_template_expiry);
  g_test_add_func ("/netflow/ended", test_ended);

  return g_test_run ();
}
