/* test-gateway-protocol.c: flow records on the wire to and from peerscope-gatewayd
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>
#include <string.h>

#include "ps-gateway-protocol.h"
#include "ps-gateway-source.h"

static PsFlowRecord
make_record (const char *src,
             const char *dst)
{
  PsFlowRecord record;

  ps_flow_record_init (&record, PS_FLOW_ORIGIN_CONNTRACK);
  record.ip_protocol = 17;
  g_assert_true (ps_ip_address_parse (&record.src, src));
  g_assert_true (ps_ip_address_parse (&record.dst, dst));
  record.src_port = 32100;
  record.dst_port = 10001;
  record.packets = 3;
  record.bytes = 300;
  record.reply_packets = 1;
  record.reply_bytes = 90;
  record.first_ms = 1700000000000;
  record.last_ms = 1700000005000;
  record.new_flow = TRUE;
  return record;
}

static GVariant *
as_parameters (GVariant *array)
{
  return g_variant_ref_sink (g_variant_new_tuple (&array, 1));
}

/* One record of the signal's type with the given fields; NULL byte arrays
 * are empty. */
static GVariant *
raw_record (guint8        origin,
            const guint8 *src,
            gsize         src_len,
            const guint8 *dst,
            gsize         dst_len,
            const guint8 *nat,
            gsize         nat_len,
            gsize         mac_len,
            gint64        first_ms,
            gint64        last_ms,
            guint32       flags)
{
  static const guint8 mac[8] = { 2, 0, 0, 0, 1, 1, 7, 7 };

  return g_variant_new ("(yy@ay@ayqq@ayq@ay@ayttttxxu)", origin, 17,
                        g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, src, src_len, 1),
                        g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, dst, dst_len, 1),
                        (guint16) 1, (guint16) 2,
                        g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, nat, nat_len, 1),
                        (guint16) 3,
                        g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, mac, mac_len, 1),
                        g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, mac, 0, 1),
                        (guint64) 1, (guint64) 2, (guint64) 3, (guint64) 4,
                        first_ms, last_ms, flags);
}

static void
test_round_trip (void)
{
  PsFlowRecord in[3];
  g_autoptr(GVariant) parameters = NULL;
  g_autoptr(GArray) out = NULL;
  g_autoptr(GError) error = NULL;
  guint rejected = 99;

  in[0] = make_record ("10.99.1.11", "198.51.100.11");
  g_assert_true (ps_ip_address_parse (&in[0].nat_src, "203.0.113.1"));
  in[0].nat_src_port = 40000;
  memcpy (in[0].src_mac, "\x02\x00\x00\x00\x01\x01", 6);
  in[0].has_src_mac = TRUE;
  in[1] = make_record ("2001:db8::11", "2001:db8:1::1");
  in[1].new_flow = FALSE;
  in[1].ended = TRUE;
  memcpy (in[1].dst_mac, "\x02\x00\x00\x00\x02\x02", 6);
  in[1].has_dst_mac = TRUE;
  in[2] = make_record ("10.99.1.12", "10.99.1.1");
  in[2].ip_protocol = 1;
  in[2].src_port = in[2].dst_port = 0;
  in[2].first_ms = in[2].last_ms = 0;

  parameters = as_parameters (ps_gateway_records_to_variant (in, G_N_ELEMENTS (in)));
  g_assert_cmpstr (g_variant_get_type_string (parameters), ==, "(" PS_GATEWAY_RECORDS_TYPE ")");

  out = ps_gateway_records_parse (parameters, &rejected, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rejected, ==, 0);
  g_assert_cmpuint (out->len, ==, G_N_ELEMENTS (in));

  for (guint i = 0; i < out->len; i++)
    {
      const PsFlowRecord *a = &in[i];
      const PsFlowRecord *b = &g_array_index (out, PsFlowRecord, i);

      g_assert_cmpint (a->origin, ==, b->origin);
      g_assert_cmpuint (a->ip_protocol, ==, b->ip_protocol);
      g_assert_true (ps_ip_address_equal (&a->src, &b->src));
      g_assert_true (ps_ip_address_equal (&a->dst, &b->dst));
      g_assert_true (ps_ip_address_equal (&a->nat_src, &b->nat_src));
      g_assert_cmpuint (a->src_port, ==, b->src_port);
      g_assert_cmpuint (a->dst_port, ==, b->dst_port);
      g_assert_cmpuint (a->nat_src_port, ==, b->nat_src_port);
      g_assert_cmpuint (a->has_src_mac, ==, b->has_src_mac);
      g_assert_cmpuint (a->has_dst_mac, ==, b->has_dst_mac);
      if (a->has_src_mac)
        g_assert_cmpmem (a->src_mac, 6, b->src_mac, 6);
      if (a->has_dst_mac)
        g_assert_cmpmem (a->dst_mac, 6, b->dst_mac, 6);
      g_assert_cmpuint (a->new_flow, ==, b->new_flow);
      g_assert_cmpuint (a->ended, ==, b->ended);
      g_assert_cmpuint (a->packets, ==, b->packets);
      g_assert_cmpuint (a->bytes, ==, b->bytes);
      g_assert_cmpuint (a->reply_packets, ==, b->reply_packets);
      g_assert_cmpuint (a->reply_bytes, ==, b->reply_bytes);
      g_assert_cmpint (a->first_ms, ==, b->first_ms);
      g_assert_cmpint (a->last_ms, ==, b->last_ms);
    }
}

static void
test_empty (void)
{
  g_autoptr(GVariant) parameters = as_parameters (ps_gateway_records_to_variant (NULL, 0));
  g_autoptr(GArray) out = NULL;

  out = ps_gateway_records_parse (parameters, NULL, NULL);
  g_assert_nonnull (out);
  g_assert_cmpuint (out->len, ==, 0);
}

static void
test_wrong_type (void)
{
  g_autoptr(GVariant) parameters = g_variant_ref_sink (g_variant_new ("(s)", "records"));
  g_autoptr(GVariant) nested = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) out = NULL;

  out = ps_gateway_records_parse (parameters, NULL, &error);
  g_assert_null (out);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);

  /* the bare array, not in its tuple */
  nested = g_variant_ref_sink (ps_gateway_records_to_variant (NULL, 0));
  out = ps_gateway_records_parse (nested, NULL, &error);
  g_assert_null (out);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
}

static void
test_too_many (void)
{
  g_autofree PsFlowRecord *records = g_new (PsFlowRecord, PS_GATEWAY_MAX_RECORDS_PER_SIGNAL + 1);
  g_autoptr(GVariant) parameters = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) out = NULL;

  for (guint i = 0; i <= PS_GATEWAY_MAX_RECORDS_PER_SIGNAL; i++)
    records[i] = make_record ("10.99.1.11", "198.51.100.11");

  parameters = as_parameters (ps_gateway_records_to_variant (
                                 records, PS_GATEWAY_MAX_RECORDS_PER_SIGNAL + 1));
  out = ps_gateway_records_parse (parameters, NULL, &error);
  g_assert_null (out);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
}

static void
test_malformed_records (void)
{
  static const guint8 v4a[4] = { 10, 99, 1, 11 };
  static const guint8 v4b[4] = { 198, 51, 100, 11 };
  static const guint8 v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
  static const guint8 junk[5] = { 1, 2, 3, 4, 5 };
  GVariantBuilder builder;
  g_autoptr(GVariant) parameters = NULL;
  g_autoptr(GArray) out = NULL;
  g_autoptr(GError) error = NULL;
  const PsFlowRecord *r;
  guint rejected = 0;

  g_variant_builder_init (&builder, G_VARIANT_TYPE (PS_GATEWAY_RECORDS_TYPE));
  /* good, with unknown flag bits and first > last: kept, start unknown */
  g_variant_builder_add_value (&builder, raw_record (0, v4a, 4, v4b, 4, NULL, 0, 6,
                                                     2000, 1000, 0xff01));
  /* an unknown origin */
  g_variant_builder_add_value (&builder, raw_record (200, v4a, 4, v4b, 4, NULL, 0, 0, 0, 0, 0));
  /* a 5-byte address */
  g_variant_builder_add_value (&builder, raw_record (0, junk, 5, v4b, 4, NULL, 0, 0, 0, 0, 0));
  /* no source address */
  g_variant_builder_add_value (&builder, raw_record (0, NULL, 0, v4b, 4, NULL, 0, 0, 0, 0, 0));
  /* IPv4 to IPv6 */
  g_variant_builder_add_value (&builder, raw_record (0, v4a, 4, v6, 16, NULL, 0, 0, 0, 0, 0));
  /* a NAT address of the other family */
  g_variant_builder_add_value (&builder, raw_record (0, v4a, 4, v4b, 4, v6, 16, 0, 0, 0, 0));
  /* a 7-byte MAC */
  g_variant_builder_add_value (&builder, raw_record (0, v4a, 4, v4b, 4, NULL, 0, 7, 0, 0, 0));
  /* a negative time */
  g_variant_builder_add_value (&builder, raw_record (0, v4a, 4, v4b, 4, NULL, 0, 0, -5, 0, 0));
  /* good: IPv6 with a NAT address */
  g_variant_builder_add_value (&builder, raw_record (0, v6, 16, v6, 16, v6, 16, 0, 0, 0, 2));
  parameters = as_parameters (g_variant_builder_end (&builder));

  out = ps_gateway_records_parse (parameters, &rejected, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rejected, ==, 7);
  g_assert_cmpuint (out->len, ==, 2);

  r = &g_array_index (out, PsFlowRecord, 0);
  g_assert_cmpuint (r->src.family, ==, 4);
  g_assert_true (r->new_flow);
  g_assert_false (r->ended);
  g_assert_true (r->has_src_mac);
  g_assert_false (r->has_dst_mac);
  g_assert_cmpint (r->first_ms, ==, 0);
  g_assert_cmpint (r->last_ms, ==, 1000);
  g_assert_false (ps_ip_address_is_set (&r->nat_src));
  g_assert_cmpuint (r->nat_src_port, ==, 0);

  r = &g_array_index (out, PsFlowRecord, 1);
  g_assert_cmpuint (r->src.family, ==, 6);
  g_assert_cmpuint (r->nat_src.family, ==, 6);
  g_assert_cmpuint (r->nat_src_port, ==, 3);
  g_assert_false (r->new_flow);
  g_assert_true (r->ended);
}

static void
test_errors_cross_the_bus (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;

  error = g_error_new_literal (PS_GATEWAY_ERROR, PS_GATEWAY_ERROR_NOT_AUTHORIZED, "no");
  name = g_dbus_error_encode_gerror (error);
  g_assert_cmpstr (name, ==, "io.github.peerscope.Gateway1.Error.NotAuthorized");
  g_clear_error (&error);

  error = g_dbus_error_new_for_dbus_error ("io.github.peerscope.Gateway1.Error.NotSubscribed",
                                           "no");
  g_assert_error (error, PS_GATEWAY_ERROR, PS_GATEWAY_ERROR_NOT_SUBSCRIBED);
}

static void
test_source_without_bus (void)
{
  g_autoptr(PsGatewaySource) source = ps_gateway_source_new (NULL);

  /* nothing happens before start, and a dump needs a subscription */
  g_assert_cmpint (ps_gateway_source_get_state (source), ==, PS_GATEWAY_SOURCE_STATE_STOPPED);
  g_assert_null (ps_gateway_source_get_error (source));
  ps_flow_source_stop (PS_FLOW_SOURCE (source));
  ps_flow_source_flush (PS_FLOW_SOURCE (source));
  g_assert_cmpint (ps_gateway_source_get_state (source), ==, PS_GATEWAY_SOURCE_STATE_STOPPED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gateway-protocol/round-trip", test_round_trip);
  g_test_add_func ("/gateway-protocol/empty", test_empty);
  g_test_add_func ("/gateway-protocol/wrong-type", test_wrong_type);
  g_test_add_func ("/gateway-protocol/too-many", test_too_many);
  g_test_add_func ("/gateway-protocol/malformed-records", test_malformed_records);
  g_test_add_func ("/gateway-protocol/errors-cross-the-bus", test_errors_cross_the_bus);
  g_test_add_func ("/gateway-protocol/source-without-bus", test_source_without_bus);

  return g_test_run ();
}
