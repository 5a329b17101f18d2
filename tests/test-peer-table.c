/* test-peer-table.c: flow records to peers, classification and addresses
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>
#include <string.h>

#include "ps-flow-record.h"
#include "ps-peer-alerts.h"
#include "ps-peer-classifier.h"
#include "ps-peer-table.h"

static PsFlowRecord
make_record (PsFlowOrigin  origin,
             guint8        ip_protocol,
             const char   *src,
             guint16       src_port,
             const char   *dst,
             guint16       dst_port,
             guint64       packets,
             guint64       bytes)
{
  PsFlowRecord record;

  ps_flow_record_init (&record, origin);
  record.ip_protocol = ip_protocol;
  g_assert_true (ps_ip_address_parse (&record.src, src));
  g_assert_true (ps_ip_address_parse (&record.dst, dst));
  record.src_port = src_port;
  record.dst_port = dst_port;
  record.packets = packets;
  record.bytes = bytes;
  record.new_flow = TRUE;
  record.first_ms = 1700000000000;
  record.last_ms = 1700000001000;
  return record;
}

static PsPeerTable *
new_quiet_table (void)
{
  g_autoptr(PsPeerEnricher) enricher = ps_peer_enricher_new (NULL, NULL);

  /* no resolver traffic from a unit test */
  ps_peer_enricher_set_resolve_names (enricher, FALSE);
  return ps_peer_table_new (enricher);
}

static void
test_address_basics (void)
{
  PsIpAddress a, b, net;
  char text[PS_IP_ADDRESS_STRLEN];

  g_assert_true (ps_ip_address_parse (&a, "198.51.100.11"));
  g_assert_cmpuint (a.family, ==, 4);
  g_assert_cmpstr (ps_ip_address_format (&a, text), ==, "198.51.100.11");
  g_assert_false (ps_ip_address_is_local (&a));

  /* a v4-mapped v6 address is the v4 address */
  g_assert_true (ps_ip_address_parse (&b, "::ffff:198.51.100.11"));
  g_assert_true (ps_ip_address_equal (&a, &b));
  g_assert_cmpuint (ps_ip_address_hash (&a), ==, ps_ip_address_hash (&b));

  g_assert_true (ps_ip_address_parse (&net, "198.51.100.0"));
  g_assert_true (ps_ip_address_in_network (&a, &net, 24));
  g_assert_true (ps_ip_address_in_network (&a, &net, 28));
  g_assert_false (ps_ip_address_in_network (&a, &net, 29));
  g_assert_false (ps_ip_address_in_network (&a, &net, 33));

  for (guint i = 0; i < 9; i++)
    {
      const char *local[] = { "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1",
                              "169.254.1.1", "100.64.0.1", "fd00::1", "fe80::1", "239.255.255.250" };

      g_assert_true (ps_ip_address_parse (&a, local[i]));
      g_assert_true (ps_ip_address_is_local (&a));
    }
  for (guint i = 0; i < 4; i++)
    {
      const char *remote[] = { "172.32.0.1", "198.51.100.1", "2001:db8::1", "100.128.0.1" };

      g_assert_true (ps_ip_address_parse (&a, remote[i]));
      g_assert_false (ps_ip_address_is_local (&a));
    }

  g_assert_false (ps_ip_address_parse (&a, "not an address"));
  g_assert_false (ps_ip_address_parse (&a, "300.1.1.1"));
  g_assert_false (ps_ip_address_is_set (&a));
}

static PsPeerKind
classify (PsPeerClassifier *classifier,
          const char       *peer,
          guint16           peer_port,
          guint16           device_port,
          guint8            ip_protocol,
          const char       *hostname,
          char            **reason)
{
  PsPeerFacts facts = { 0 };

  g_assert_true (ps_ip_address_parse (&facts.peer, peer));
  facts.peer_port = peer_port;
  facts.device_port = device_port;
  facts.ip_protocol = ip_protocol;
  facts.hostname = hostname;
  return ps_peer_classifier_classify (classifier, &facts, reason);
}

static void
test_classifier (void)
{
  g_autoptr(PsPeerClassifier) classifier = ps_peer_classifier_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *reason = NULL;

  g_assert_cmpint (classify (classifier, "198.51.100.11", 32100, 40001, 17, NULL, &reason),
                   ==, PS_PEER_KIND_P2P_SUPERNODE);
  g_assert_nonnull (strstr (reason, "32100"));
  g_clear_pointer (&reason, g_free);

  /* CS2 servers listen on UDP only; TCP 32100 is not evidence */
  g_assert_cmpint (classify (classifier, "198.51.100.11", 32100, 40001, 6, NULL, NULL),
                   ==, PS_PEER_KIND_UNKNOWN);
  g_assert_cmpint (classify (classifier, "198.51.100.12", 10001, 40001, 17, NULL, NULL),
                   ==, PS_PEER_KIND_P2P_SUPERNODE);
  g_assert_cmpint (classify (classifier, "198.51.100.13", 9999, 40001, 6, NULL, NULL),
                   ==, PS_PEER_KIND_P2P_SUPERNODE);
  g_assert_cmpint (classify (classifier, "198.51.100.14", 3478, 40001, 17, NULL, NULL),
                   ==, PS_PEER_KIND_STUN_TURN);
  g_assert_cmpint (classify (classifier, "198.51.100.15", 123, 123, 17, NULL, NULL),
                   ==, PS_PEER_KIND_NTP);
  g_assert_cmpint (classify (classifier, "198.51.100.16", 53, 5000, 17, NULL, NULL),
                   ==, PS_PEER_KIND_DNS);
  g_assert_cmpint (classify (classifier, "192.0.2.10", 443, 40000, 6, "api.Vendor.Example.", &reason),
                   ==, PS_PEER_KIND_VENDOR_CLOUD);
  g_assert_nonnull (strstr (reason, "api.Vendor.Example."));
  g_clear_pointer (&reason, g_free);
  g_assert_cmpint (classify (classifier, "192.0.2.10", 443, 40000, 6, "evil-vendor.example", NULL),
                   ==, PS_PEER_KIND_UNKNOWN);
  /* a known P2P name wins over a harmless port */
  g_assert_cmpint (classify (classifier, "192.0.2.11", 443, 40000, 6, "p2p3.p2p.vendor.example", NULL),
                   ==, PS_PEER_KIND_P2P_SUPERNODE);
  g_assert_cmpint (classify (classifier, "192.0.2.12", 8443, 40000, 6, "example.org", NULL),
                   ==, PS_PEER_KIND_UNKNOWN);

  /* local peers */
  g_assert_cmpint (classify (classifier, "10.99.1.100", 50123, 554, 6, NULL, NULL),
                   ==, PS_PEER_KIND_VIEWER);
  g_assert_cmpint (classify (classifier, "10.99.1.1", 5000, 6000, 17, NULL, NULL),
                   ==, PS_PEER_KIND_LAN);
  /* the router's DNS forwarder */
  g_assert_cmpint (classify (classifier, "10.99.1.1", 53, 40000, 17, NULL, NULL),
                   ==, PS_PEER_KIND_DNS);
  g_assert_cmpint (classify (classifier, "239.255.255.250", 1900, 1900, 17, NULL, NULL),
                   ==, PS_PEER_KIND_LAN_DISCOVERY);
  g_assert_cmpint (classify (classifier, "10.99.1.100", 40000, 32108, 17, NULL, NULL),
                   ==, PS_PEER_KIND_LAN_DISCOVERY);

  /* user rules */
  g_assert_cmpint (classify (classifier, "198.51.100.20", 8000, 40000, 17, NULL, NULL),
                   ==, PS_PEER_KIND_UNKNOWN);
  g_assert_true (ps_peer_classifier_add_rule (classifier, "udp/8000", &error));
  g_assert_no_error (error);
  g_assert_cmpint (classify (classifier, "198.51.100.20", 8000, 40000, 17, NULL, NULL),
                   ==, PS_PEER_KIND_P2P_SUPERNODE);
  g_assert_cmpint (classify (classifier, "198.51.100.20", 8000, 40000, 6, NULL, NULL),
                   ==, PS_PEER_KIND_UNKNOWN);
  g_assert_true (ps_peer_classifier_add_rule (classifier, "*.cams.example", &error));
  g_assert_cmpint (classify (classifier, "198.51.100.21", 443, 40000, 6, "a.cams.example", NULL),
                   ==, PS_PEER_KIND_VENDOR_CLOUD);
  g_assert_cmpint (classify (classifier, "198.51.100.21", 443, 40000, 6, "cams.example", NULL),
                   ==, PS_PEER_KIND_UNKNOWN);
  g_assert_true (ps_peer_classifier_add_rule (classifier, "p2p:relay.example", &error));
  g_assert_cmpint (classify (classifier, "198.51.100.22", 443, 40000, 6, "relay.example", NULL),
                   ==, PS_PEER_KIND_P2P_SUPERNODE);

  /* rules that are neither ports nor names */
  for (guint i = 0; i < 7; i++)
    {
      const char *bad[] = { "udp/0", "udp/65536", "tcp/", "", "*.", "a..b", "x y.example" };

      g_clear_error (&error);
      g_assert_false (ps_peer_classifier_add_rule (classifier, bad[i], &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    }

  /* every class has a contract name that round-trips */
  for (PsPeerKind kind = PS_PEER_KIND_UNKNOWN; kind <= PS_PEER_KIND_LAST; kind++)
    {
      PsPeerKind back;

      g_assert_true (ps_peer_kind_from_string (ps_peer_kind_to_string (kind), &back));
      g_assert_cmpint (back, ==, kind);
    }
  g_assert_cmpstr (ps_peer_kind_to_string (PS_PEER_KIND_P2P_SUPERNODE), ==, "p2p-supernode");
}

static void
test_table_aggregates (void)
{
  g_autoptr(PsPeerTable) table = new_quiet_table ();
  GListModel *peers = ps_peer_table_get_peers (table);
  PsFlowRecord records[4];
  PsPeer *peer;

  /* a camera's login to a supernode, both directions from NetFlow v9 */
  records[0] = make_record (PS_FLOW_ORIGIN_NETFLOW_V9, 17, "10.99.1.11", 40001, "198.51.100.11", 32100, 3, 300);
  records[1] = make_record (PS_FLOW_ORIGIN_NETFLOW_V9, 17, "198.51.100.11", 32100, "10.99.1.11", 40001, 2, 120);
  /* the same camera to another supernode */
  records[2] = make_record (PS_FLOW_ORIGIN_NETFLOW_V9, 17, "10.99.1.11", 40002, "198.51.100.12", 32100, 1, 100);
  /* and transit traffic between two remote hosts: nobody's device */
  records[3] = make_record (PS_FLOW_ORIGIN_NETFLOW_V9, 6, "198.51.100.1", 1234, "203.0.113.5", 80, 1, 60);

  ps_peer_table_add_records (table, records, G_N_ELEMENTS (records));
  g_assert_cmpuint (g_list_model_get_n_items (peers), ==, 2);
  g_assert_cmpuint (ps_peer_table_get_n_records (table), ==, 4);

  peer = ps_peer_table_lookup (table, "10.99.1.11", "198.51.100.11", 32100, 17);
  g_assert_nonnull (peer);
  g_assert_cmpuint (ps_peer_get_packets_out (peer), ==, 3);
  g_assert_cmpuint (ps_peer_get_bytes_out (peer), ==, 300);
  g_assert_cmpuint (ps_peer_get_packets_in (peer), ==, 2);
  g_assert_cmpuint (ps_peer_get_bytes_in (peer), ==, 120);
  g_assert_cmpuint (ps_peer_get_flows (peer), ==, 2);
  g_assert_cmpint (ps_peer_get_kind (peer), ==, PS_PEER_KIND_P2P_SUPERNODE);
  g_assert_cmpstr (ps_peer_get_protocol_name (peer), ==, "udp");
  g_assert_cmpint (ps_peer_get_first_seen (peer), ==, 1700000000000);
  g_assert_cmpint (ps_peer_get_last_seen (peer), ==, 1700000001000);

  /* more of the same adds up */
  ps_peer_table_add_records (table, records, 1);
  g_assert_cmpuint (ps_peer_get_bytes_out (peer), ==, 600);
  g_assert_cmpuint (g_list_model_get_n_items (ps_peer_table_get_device_peers (table, "10.99.1.11")), ==, 2);
}

static void
test_table_conntrack_directions (void)
{
  g_autoptr(PsPeerTable) table = new_quiet_table ();
  PsFlowRecord record;
  PsPeer *peer;

  /* conntrack: the camera opened it, so out is original, in is reply */
  record = make_record (PS_FLOW_ORIGIN_CONNTRACK, 6, "10.99.1.11", 50000, "192.0.2.10", 443, 10, 1000);
  record.reply_packets = 8;
  record.reply_bytes = 4000;
  g_assert_true (ps_ip_address_parse (&record.nat_src, "203.0.113.1"));
  record.nat_src_port = 61000;
  ps_peer_table_add_records (table, &record, 1);

  peer = ps_peer_table_lookup (table, "10.99.1.11", "192.0.2.10", 443, 6);
  g_assert_nonnull (peer);
  g_assert_cmpuint (ps_peer_get_bytes_out (peer), ==, 1000);
  g_assert_cmpuint (ps_peer_get_bytes_in (peer), ==, 4000);

  /* a viewer opening the camera's RTSP twice: one peer, keyed by 554 */
  record = make_record (PS_FLOW_ORIGIN_CONNTRACK, 6, "10.99.1.100", 50001, "10.99.1.11", 554, 5, 500);
  ps_peer_table_add_records (table, &record, 1);
  record = make_record (PS_FLOW_ORIGIN_CONNTRACK, 6, "10.99.1.100", 50002, "10.99.1.11", 554, 5, 500);
  ps_peer_table_add_records (table, &record, 1);

  peer = ps_peer_table_lookup (table, "10.99.1.11", "10.99.1.100", 554, 6);
  g_assert_nonnull (peer);
  g_assert_cmpuint (ps_peer_get_flows (peer), ==, 2);
  g_assert_cmpuint (ps_peer_get_bytes_in (peer), ==, 1000);
  g_assert_cmpint (ps_peer_get_kind (peer), ==, PS_PEER_KIND_VIEWER);

  /* and the viewer, a local address too, has the camera as its peer */
  peer = ps_peer_table_lookup (table, "10.99.1.100", "10.99.1.11", 554, 6);
  g_assert_nonnull (peer);
  g_assert_cmpuint (ps_peer_get_bytes_out (peer), ==, 1000);
}

static void
test_table_devices (void)
{
  g_autoptr(PsPeerTable) table = new_quiet_table ();
  g_autoptr(GError) error = NULL;
  PsFlowRecord records[3];
  GListModel *cam;

  g_assert_true (ps_peer_table_add_device (table, "cam1", "10.99.1.11", NULL, &error));
  g_assert_true (ps_peer_table_add_device (table, "cam2", NULL, "02:00:00:00:00:12", &error));
  g_assert_no_error (error);
  g_assert_false (ps_peer_table_add_device (table, "bad", "10.99.1", NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (ps_peer_table_add_device (table, "bad", NULL, "02:00:00:00:00", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (ps_peer_table_add_device (table, "bad", NULL, NULL, &error));
  g_clear_error (&error);

  records[0] = make_record (PS_FLOW_ORIGIN_IPFIX, 17, "10.99.1.11", 40001, "198.51.100.11", 32100, 1, 100);
  /* cam2 moved to a new address; its MAC says who it is */
  records[1] = make_record (PS_FLOW_ORIGIN_IPFIX, 17, "10.99.1.77", 40001, "198.51.100.12", 32100, 1, 100);
  memcpy (records[1].src_mac, (guint8[]) { 2, 0, 0, 0, 0, 0x12 }, 6);
  records[1].has_src_mac = TRUE;
  /* some other LAN host: not a device we asked for */
  records[2] = make_record (PS_FLOW_ORIGIN_IPFIX, 17, "10.99.1.50", 40001, "198.51.100.13", 32100, 1, 100);
  ps_peer_table_add_records (table, records, 3);

  cam = ps_peer_table_get_device_peers (table, "cam1");
  g_assert_cmpuint (g_list_model_get_n_items (cam), ==, 1);
  cam = ps_peer_table_get_device_peers (table, "cam2");
  g_assert_cmpuint (g_list_model_get_n_items (cam), ==, 1);
  g_assert_nonnull (ps_peer_table_lookup (table, "cam2", "198.51.100.12", 32100, 17));
  g_assert_cmpuint (g_list_model_get_n_items (ps_peer_table_get_peers (table)), ==, 2);
}

static void
test_table_ignores_incomplete (void)
{
  g_autoptr(PsPeerTable) table = new_quiet_table ();
  PsFlowRecord record;

  ps_flow_record_init (&record, PS_FLOW_ORIGIN_IPFIX);
  record.bytes = 100;
  ps_peer_table_add_records (table, &record, 1);
  g_assert_cmpuint (g_list_model_get_n_items (ps_peer_table_get_peers (table)), ==, 0);
}

static void
on_items_changed_cb (GListModel *model,
                     guint       position,
                     guint       removed,
                     guint       added,
                     guint      *total)
{
  *total += added;
}

static void
on_notify_cb (GObject    *object,
              GParamSpec *pspec,
              guint      *notified)
{
  (*notified)++;
}

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static void
test_table_live_updates (void)
{
  g_autoptr(PsPeerTable) table = new_quiet_table ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  PsFlowRecord record;
  guint added = 0;
  guint notified = 0;
  PsPeer *peer;

  g_signal_connect (ps_peer_table_get_peers (table), "items-changed",
                    G_CALLBACK (on_items_changed_cb), &added);
  record = make_record (PS_FLOW_ORIGIN_CONNTRACK, 17, "10.99.1.11", 40001, "198.51.100.11", 32100, 1, 100);
  ps_peer_table_add_records (table, &record, 1);
  g_assert_cmpuint (added, ==, 1);

  peer = ps_peer_table_lookup (table, NULL, "198.51.100.11", 32100, 17);
  g_signal_connect (peer, "notify::bytes-out", G_CALLBACK (on_notify_cb), &notified);

  /* a thousand updates cost one notification per tick, not a thousand */
  record.new_flow = FALSE;
  for (guint i = 0; i < 1000; i++)
    ps_peer_table_add_records (table, &record, 1);
  g_assert_cmpuint (notified, ==, 0);
  g_timeout_add (600, quit_cb, loop);
  g_main_loop_run (loop);
  g_assert_cmpuint (notified, ==, 1);
  g_assert_cmpuint (ps_peer_get_bytes_out (peer), ==, 100100);
  g_assert_cmpuint (ps_peer_get_flows (peer), ==, 1);
}

typedef struct
{
  GPtrArray *texts;
} Alerts;

static void
on_alert_cb (PsPeerAlerts *alerts,
             const char   *device,
             int           kind,
             PsPeer       *peer,
             Alerts       *seen)
{
  g_ptr_array_add (seen->texts, g_strdup_printf ("%s %d %s", device, kind,
                                                 ps_peer_get_address_string (peer)));
}

static void
test_alerts (void)
{
  g_autoptr(PsPeerTable) table = new_quiet_table ();
  g_autoptr(PsPeerAlerts) alerts = ps_peer_alerts_new (table);
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  Alerts seen = { texts };
  PsFlowRecord records[3];
  PsPeer *peer;

  g_signal_connect (alerts, "alert", G_CALLBACK (on_alert_cb), &seen);

  records[0] = make_record (PS_FLOW_ORIGIN_CONNTRACK, 17, "10.99.1.11", 40001, "198.51.100.11", 32100, 1, 100);
  records[1] = make_record (PS_FLOW_ORIGIN_CONNTRACK, 17, "10.99.1.11", 40002, "198.51.100.12", 32100, 1, 100);
  records[2] = make_record (PS_FLOW_ORIGIN_CONNTRACK, 6, "10.99.1.11", 40003, "10.99.1.1", 80, 1, 100);
  ps_peer_table_add_records (table, records, 3);

  /* without GeoIP data only the P2P server is news, and only once */
  g_assert_cmpuint (texts->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (texts, 0), ==, "10.99.1.11 2 198.51.100.11");

  /* a second device has its own first time; known history is not news */
  ps_peer_alerts_add_known (alerts, "10.99.1.12", NULL, 0, TRUE);
  records[0] = make_record (PS_FLOW_ORIGIN_CONNTRACK, 17, "10.99.1.12", 40001, "198.51.100.11", 32100, 1, 100);
  records[1] = make_record (PS_FLOW_ORIGIN_CONNTRACK, 17, "10.99.1.13", 40001, "198.51.100.11", 32100, 1, 100);
  ps_peer_table_add_records (table, records, 2);
  g_assert_cmpuint (texts->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (texts, 1), ==, "10.99.1.13 2 198.51.100.11");

  peer = ps_peer_table_lookup (table, "10.99.1.12", "198.51.100.11", 32100, 17);
  g_assert_nonnull (peer);
}

static void
test_dns_lookups (void)
{
  g_autoptr(PsPeerEnricher) enricher = ps_peer_enricher_new (NULL, NULL);
  g_autoptr(PsPeerTable) table = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  PsIpAddress camera, supernode, hardcoded, late;
  gint64 now = g_get_real_time () / 1000;
  PsFlowRecord records[3];
  PsPeer *peer;

  ps_peer_enricher_set_resolve_names (enricher, FALSE);
  ps_peer_enricher_set_dns_grace (enricher, 300);
  table = ps_peer_table_new (enricher);

  /* before the DNS source: nobody can tell */
  records[0] = make_record (PS_FLOW_ORIGIN_CONNTRACK, 17, "10.99.1.11", 40000, "198.51.100.99", 32100, 1, 100);
  records[0].first_ms = records[0].last_ms = now - 60000;
  ps_peer_table_add_records (table, records, 1);

  ps_peer_enricher_watch_dns (enricher);
  g_assert_true (ps_ip_address_parse (&camera, "10.99.1.11"));
  g_assert_true (ps_ip_address_parse (&supernode, "198.51.100.11"));
  g_assert_true (ps_ip_address_parse (&hardcoded, "198.51.100.200"));
  g_assert_true (ps_ip_address_parse (&late, "198.51.100.37"));

  /* the camera looks a supernode up, then talks to it; another it never
   * looks up; a third it looks up only after the first packet (the log
   * is read late) */
  ps_peer_enricher_add_lookup (enricher, &camera, "P2P1.p2p.vendor.example", &supernode, now + 100);
  records[0] = make_record (PS_FLOW_ORIGIN_CONNTRACK, 17, "10.99.1.11", 40001, "198.51.100.11", 32100, 1, 100);
  records[1] = make_record (PS_FLOW_ORIGIN_CONNTRACK, 17, "10.99.1.11", 40002, "198.51.100.200", 32100, 1, 100);
  records[2] = make_record (PS_FLOW_ORIGIN_CONNTRACK, 17, "10.99.1.11", 40003, "198.51.100.37", 32100, 1, 100);
  for (guint i = 0; i < 3; i++)
    records[i].first_ms = records[i].last_ms = now + 200;
  ps_peer_table_add_records (table, records, 3);

  peer = ps_peer_table_lookup (table, NULL, "198.51.100.11", 32100, 17);
  g_assert_cmpint (ps_peer_get_dns_lookup (peer), ==, PS_PEER_DNS_LOOKUP_YES);
  g_assert_cmpstr (ps_peer_get_dns_name (peer), ==, "P2P1.p2p.vendor.example");

  ps_peer_enricher_add_lookup (enricher, &camera, "p2p3.p2p.vendor.example", &late, now + 400);
  g_assert_cmpint (ps_peer_get_dns_lookup (ps_peer_table_lookup (table, NULL, "198.51.100.37", 32100, 17)),
                   ==, PS_PEER_DNS_LOOKUP_YES);

  /* the address-only one is judged when the grace time is over */
  peer = ps_peer_table_lookup (table, NULL, "198.51.100.200", 32100, 17);
  g_assert_cmpint (ps_peer_get_dns_lookup (peer), ==, PS_PEER_DNS_LOOKUP_UNKNOWN);
  g_timeout_add (800, quit_cb, loop);
  g_main_loop_run (loop);
  g_assert_cmpint (ps_peer_get_dns_lookup (peer), ==, PS_PEER_DNS_LOOKUP_NO);
  g_assert_null (ps_peer_get_dns_name (peer));

  /* a lookup long after the first contact does not make it a lookup first */
  ps_peer_enricher_add_lookup (enricher, &camera, "late.example", &hardcoded, now + 60000);
  g_assert_cmpint (ps_peer_get_dns_lookup (peer), ==, PS_PEER_DNS_LOOKUP_NO);

  peer = ps_peer_table_lookup (table, NULL, "198.51.100.99", 32100, 17);
  g_assert_cmpint (ps_peer_get_dns_lookup (peer), ==, PS_PEER_DNS_LOOKUP_UNKNOWN);
}

static void
test_blocked (void)
{
  g_autoptr(PsPeerTable) table = new_quiet_table ();
  g_autoptr(GError) error = NULL;
  PsFlowRecord record;
  PsPeer *peer;

  g_assert_true (ps_peer_table_add_device (table, "cam1", "10.99.1.11", NULL, &error));

  /* a supernode the camera reached, then one it only knocked at */
  record = make_record (PS_FLOW_ORIGIN_CONNTRACK, 17, "10.99.1.11", 40001, "198.51.100.11", 32100, 1, 100);
  ps_peer_table_add_records (table, &record, 1);
  ps_peer_table_set_blocked (table, "10.99.1.11", "198.51.100.11", 17, 32100, 5);
  ps_peer_table_set_blocked (table, "10.99.1.11", "198.51.100.21", 17, 32100, 3);
  ps_peer_table_set_blocked (table, "10.99.1.11", "198.51.100.11", 17, 32100, 7);

  peer = ps_peer_table_lookup (table, "cam1", "198.51.100.11", 32100, 17);
  g_assert_cmpuint (ps_peer_get_blocked_attempts (peer), ==, 7);
  g_assert_cmpuint (ps_peer_get_bytes_out (peer), ==, 100);
  peer = ps_peer_table_lookup (table, "cam1", "198.51.100.21", 32100, 17);
  g_assert_nonnull (peer);
  g_assert_cmpuint (ps_peer_get_blocked_attempts (peer), ==, 3);
  g_assert_cmpuint (ps_peer_get_bytes_out (peer), ==, 0);
  g_assert_cmpint (ps_peer_get_kind (peer), ==, PS_PEER_KIND_P2P_SUPERNODE);

  /* not a device of ours, not an address: nothing */
  ps_peer_table_set_blocked (table, "10.99.1.99", "198.51.100.21", 17, 32100, 3);
  ps_peer_table_set_blocked (table, "nonsense", "198.51.100.21", 17, 32100, 3);
  g_assert_cmpuint (g_list_model_get_n_items (ps_peer_table_get_peers (table)), ==, 2);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/monitor/address", test_address_basics);
  g_test_add_func ("/monitor/classifier", test_classifier);
  g_test_add_func ("/monitor/table/aggregates", test_table_aggregates);
  g_test_add_func ("/monitor/table/conntrack-directions", test_table_conntrack_directions);
  g_test_add_func ("/monitor/table/devices", test_table_devices);
  g_test_add_func ("/monitor/table/incomplete", test_table_ignores_incomplete);
  g_test_add_func ("/monitor/table/live-updates", test_table_live_updates);
  g_test_add_func ("/monitor/alerts", test_alerts);
  g_test_add_func ("/monitor/dns-lookups", test_dns_lookups);
  g_test_add_func ("/monitor/blocked", test_blocked);

  return g_test_run ();
}
