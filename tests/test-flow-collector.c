/* test-flow-collector.c: the NetFlow/IPFIX collector over real UDP on loopback
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>
#include <string.h>

#include "ps-flow-collector.h"

#define EXPORT_SECS 1700000000u

typedef struct
{
  GMainLoop *loop;
  GArray    *records;                  /* PsFlowRecord */
  guint      batches;
  guint      wanted;
} Fixture;

static void
put16 (GByteArray *b,
       guint16     v)
{
  guint8 bytes[2] = { v >> 8, v & 0xff };

  g_byte_array_append (b, bytes, 2);
}

static void
put32 (GByteArray *b,
       guint32     v)
{
  put16 (b, v >> 16);
  put16 (b, v & 0xffff);
}

static void
put_ip4 (GByteArray *b,
         guint8      a,
         guint8      b2,
         guint8      c,
         guint8      d)
{
  guint8 bytes[4] = { a, b2, c, d };

  g_byte_array_append (b, bytes, 4);
}

static GBytes *
build_v5 (guint n)
{
  GByteArray *b = g_byte_array_new ();

  put16 (b, 5);
  put16 (b, n);
  put32 (b, 60000);
  put32 (b, EXPORT_SECS);
  put32 (b, 0);
  put32 (b, 0);
  put32 (b, 0);
  for (guint i = 0; i < n; i++)
    {
      put_ip4 (b, 192, 168, 1, 10 + i);
      put_ip4 (b, 203, 0, 113, 1);
      put32 (b, 0);
      put32 (b, 0);
      put32 (b, 3);                    /* packets */
      put32 (b, 1000 + i);             /* bytes */
      put32 (b, 50000);
      put32 (b, 59000);
      put16 (b, 40000 + i);
      put16 (b, 443);
      put32 (b, 6 << 8);               /* pad, flags 0, protocol 6, tos */
      put32 (b, 0);
      put32 (b, 0);
    }

  return g_byte_array_free_to_bytes (b);
}

static GBytes *
build_ipfix (gboolean template,
             guint32  sequence)
{
  GByteArray *b = g_byte_array_new ();

  put16 (b, 10);
  put16 (b, 0);
  put32 (b, EXPORT_SECS);
  put32 (b, sequence);
  put32 (b, 7);
  if (template)
    {
      put16 (b, 2);
      put16 (b, 4 + 4 + 5 * 4);
      put16 (b, 256);
      put16 (b, 5);
      put16 (b, 27);                   /* sourceIPv6Address */
      put16 (b, 16);
      put16 (b, 12);                   /* destinationIPv4Address */
      put16 (b, 4);
      put16 (b, 11);
      put16 (b, 2);
      put16 (b, 4);
      put16 (b, 1);
      put16 (b, 1);
      put16 (b, 4);
    }
  else
    {
      static const guint8 src[16] = { 0xfd, 0, [15] = 0x42 };

      put16 (b, 256);
      put16 (b, 4 + 16 + 4 + 2 + 1 + 4);
      g_byte_array_append (b, src, 16);
      put_ip4 (b, 198, 51, 100, 9);
      put16 (b, 53);
      g_byte_array_append (b, (const guint8 *) "\x11", 1);
      put32 (b, 4321);
    }
  b->data[2] = b->len >> 8;
  b->data[3] = b->len & 0xff;

  return g_byte_array_free_to_bytes (b);
}

static void
on_records_cb (PsFlowSource       *source,
               const PsFlowRecord *records,
               guint               n_records,
               gpointer            user_data)
{
  Fixture *f = user_data;

  f->batches++;
  g_array_append_vals (f->records, records, n_records);
  if (f->records->len >= f->wanted)
    g_main_loop_quit (f->loop);
}

static gboolean
on_timeout_cb (gpointer user_data)
{
  g_error ("timed out waiting for flow records");
  return G_SOURCE_REMOVE;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->loop = g_main_loop_new (NULL, FALSE);
  f->records = g_array_new (FALSE, FALSE, sizeof (PsFlowRecord));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_pointer (&f->records, g_array_unref);
  g_clear_pointer (&f->loop, g_main_loop_unref);
}

static void
send_to (GSocket    *socket,
         const char *host,
         guint16     port,
         GBytes     *bytes)
{
  g_autoptr(GSocketAddress) to = g_inet_socket_address_new_from_string (host, port);
  g_autoptr(GError) error = NULL;
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  g_assert_cmpint (g_socket_send_to (socket, to, (const char *) data, len, NULL, &error), ==,
                   (gssize) len);
  g_assert_no_error (error);
}

static GSocket *
sender_new (GSocketFamily family)
{
  g_autoptr(GError) error = NULL;
  GSocket *socket = g_socket_new (family, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP,
                                  &error);

  g_assert_no_error (error);
  return socket;
}

static void
wait_for (Fixture *f,
          guint    n)
{
  guint timeout_id;

  f->wanted = n;
  if (f->records->len >= n)
    return;
  timeout_id = g_timeout_add_seconds (10, on_timeout_cb, NULL);
  g_main_loop_run (f->loop);
  g_source_remove (timeout_id);
}

static void
test_collector_v5_and_ipfix (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(PsFlowCollector) collector = ps_flow_collector_new ("127.0.0.1", 0);
  g_autoptr(GSocket) sender = sender_new (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GBytes) v5 = build_v5 (3);
  g_autoptr(GBytes) tmpl = build_ipfix (TRUE, 0);
  g_autoptr(GBytes) ipfix = build_ipfix (FALSE, 0);
  g_autoptr(GBytes) junk = g_bytes_new_static ("\x00\x0a\x00\x05junk", 8);
  g_autoptr(GError) error = NULL;
  g_autofree char *src = NULL;
  PsFlowCollectorStats stats;
  PsFlowRecord *r;
  guint port;

  g_signal_connect (collector, "records", G_CALLBACK (on_records_cb), f);
  g_assert_cmpuint (ps_flow_collector_get_bound_port (collector), ==, 0);
  g_assert_true (ps_flow_source_start (PS_FLOW_SOURCE (collector), &error));
  g_assert_no_error (error);
  port = ps_flow_collector_get_bound_port (collector);
  g_assert_cmpuint (port, !=, 0);
  g_assert_cmpstr (ps_flow_collector_get_address (collector), ==, "127.0.0.1");
  g_assert_cmpuint (ps_flow_collector_get_port (collector), ==, 0);

  send_to (sender, "127.0.0.1", port, v5);
  wait_for (f, 3);
  g_assert_cmpuint (f->records->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *text = NULL;

      r = &g_array_index (f->records, PsFlowRecord, i);
      text = ps_ip_address_to_string (&r->src);
      g_assert_cmpint (r->origin, ==, PS_FLOW_ORIGIN_NETFLOW_V5);
      g_assert_cmpuint (r->src_port, ==, 40000 + i);
      g_assert_cmpuint (r->dst_port, ==, 443);
      g_assert_cmpuint (r->bytes, ==, 1000 + i);
      g_assert_cmpuint (r->packets, ==, 3);
      g_assert_cmpuint (r->ip_protocol, ==, 6);
      g_assert_cmpint (r->first_ms, ==, (gint64) EXPORT_SECS * 1000 - 10000);
      g_assert_true (r->new_flow);
      g_assert_cmpuint (strlen (text), >, 0);
    }

  /* a bad datagram in between is counted, not fatal */
  send_to (sender, "127.0.0.1", port, junk);
  send_to (sender, "127.0.0.1", port, tmpl);
  send_to (sender, "127.0.0.1", port, ipfix);
  wait_for (f, 4);
  r = &g_array_index (f->records, PsFlowRecord, 3);
  g_assert_cmpint (r->origin, ==, PS_FLOW_ORIGIN_IPFIX);
  src = ps_ip_address_to_string (&r->src);
  g_assert_cmpstr (src, ==, "fd00::42");
  g_assert_cmpuint (r->dst_port, ==, 53);
  g_assert_cmpuint (r->ip_protocol, ==, 17);
  g_assert_cmpuint (r->bytes, ==, 4321);

  ps_flow_collector_get_stats (collector, &stats);
  g_assert_cmpuint (stats.datagrams, ==, 4);
  g_assert_cmpuint (stats.bad_datagrams, ==, 1);
  g_assert_cmpuint (stats.receive_errors, ==, 0);
  g_assert_cmpuint (stats.batches, ==, f->batches);
  g_assert_cmpuint (stats.decoder.records, ==, 4);
  g_assert_cmpuint (stats.decoder.templates, ==, 1);
  g_assert_cmpuint (stats.decoder.exporters, ==, 1);

  ps_flow_source_stop (PS_FLOW_SOURCE (collector));
  g_assert_cmpuint (ps_flow_collector_get_bound_port (collector), ==, 0);
}

static void
test_collector_batches (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(PsFlowCollector) collector = ps_flow_collector_new ("127.0.0.1", 0);
  g_autoptr(GSocket) sender = sender_new (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GBytes) v5 = build_v5 (30);
  g_autoptr(GError) error = NULL;
  guint port;

  g_signal_connect (collector, "records", G_CALLBACK (on_records_cb), f);
  g_assert_true (ps_flow_source_start (PS_FLOW_SOURCE (collector), &error));
  port = ps_flow_collector_get_bound_port (collector);

  /* sent before the loop runs: they wait in the socket, read in batches */
  for (guint i = 0; i < 100; i++)
    send_to (sender, "127.0.0.1", port, v5);
  wait_for (f, 3000);
  g_assert_cmpuint (f->records->len, ==, 3000);
  g_assert_cmpuint (f->batches, <, 100);
  g_test_message ("3000 records in %u batches", f->batches);
}

static void
test_collector_any_address (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(PsFlowCollector) collector = ps_flow_collector_new (NULL, 0);
  g_autoptr(GSocket) sender4 = sender_new (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GBytes) v5 = build_v5 (1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) sender6 = NULL;
  guint port;

  g_signal_connect (collector, "records", G_CALLBACK (on_records_cb), f);
  g_assert_true (ps_flow_source_start (PS_FLOW_SOURCE (collector), &error));
  g_assert_no_error (error);
  port = ps_flow_collector_get_bound_port (collector);

  send_to (sender4, "127.0.0.1", port, v5);
  wait_for (f, 1);

  sender6 = g_socket_new (G_SOCKET_FAMILY_IPV6, G_SOCKET_TYPE_DATAGRAM,
                          G_SOCKET_PROTOCOL_UDP, NULL);
  if (sender6 != NULL)
    {
      g_autoptr(GSocketAddress) to = g_inet_socket_address_new_from_string ("::1", port);

      if (g_socket_send_to (sender6, to, g_bytes_get_data (v5, NULL), g_bytes_get_size (v5),
                            NULL, NULL) > 0)
        wait_for (f, 2);
      else
        g_test_message ("no IPv6 loopback here: IPv4 only");
    }
}

static void
test_collector_port_taken (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(PsFlowCollector) first = ps_flow_collector_new ("127.0.0.1", 0);
  g_autoptr(PsFlowCollector) second = NULL;
  g_autoptr(PsFlowCollector) bad = ps_flow_collector_new ("not an address", 0);
  g_autoptr(GError) error = NULL;

  g_assert_true (ps_flow_source_start (PS_FLOW_SOURCE (first), &error));
  g_assert_no_error (error);
  g_assert_true (ps_flow_source_start (PS_FLOW_SOURCE (first), &error));   /* again: no-op */

  second = ps_flow_collector_new ("127.0.0.1", ps_flow_collector_get_bound_port (first));
  g_assert_false (ps_flow_source_start (PS_FLOW_SOURCE (second), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_clear_error (&error);

  g_assert_false (ps_flow_source_start (PS_FLOW_SOURCE (bad), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

static void
on_records_stop_cb (PsFlowSource       *source,
                    const PsFlowRecord *records,
                    guint               n_records,
                    gpointer            user_data)
{
  Fixture *f = user_data;

  f->batches++;
  ps_flow_source_stop (source);
  g_main_loop_quit (f->loop);
}

static void
test_collector_stop_in_handler (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(PsFlowCollector) collector = ps_flow_collector_new ("127.0.0.1", 0);
  g_autoptr(GSocket) sender = sender_new (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GBytes) v5 = build_v5 (2);
  g_autoptr(GError) error = NULL;
  guint timeout_id;

  g_signal_connect (collector, "records", G_CALLBACK (on_records_stop_cb), f);
  g_assert_true (ps_flow_source_start (PS_FLOW_SOURCE (collector), &error));
  send_to (sender, "127.0.0.1", ps_flow_collector_get_bound_port (collector), v5);
  timeout_id = g_timeout_add_seconds (10, on_timeout_cb, NULL);
  g_main_loop_run (f->loop);
  g_source_remove (timeout_id);
  g_assert_cmpuint (f->batches, ==, 1);
  g_assert_cmpuint (ps_flow_collector_get_bound_port (collector), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/flow-collector/v5-and-ipfix", Fixture, NULL,
              fixture_set_up, test_collector_v5_and_ipfix, fixture_tear_down);
  g_test_add ("/flow-collector/batches", Fixture, NULL,
              fixture_set_up, test_collector_batches, fixture_tear_down);
  g_test_add ("/flow-collector/any-address", Fixture, NULL,
              fixture_set_up, test_collector_any_address, fixture_tear_down);
  g_test_add ("/flow-collector/port-taken", Fixture, NULL,
              fixture_set_up, test_collector_port_taken, fixture_tear_down);
  g_test_add ("/flow-collector/stop-in-handler", Fixture, NULL,
              fixture_set_up, test_collector_stop_in_handler, fixture_tear_down);

  return g_test_run ();
}
