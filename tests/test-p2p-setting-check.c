/* test-p2p-setting-check.c: which P2P servers prove that a camera ignores
 * its own P2P setting
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>

#include "ps-p2p-setting-check.h"
#include "ps-peer-private.h"
#include "ps-peer-table.h"

#define DEVICE         "cam1"
#define DEVICE_ADDRESS "10.99.1.11"
#define OFF_MS         G_GINT64_CONSTANT (1700000000000)

static PsPeerTable *
new_table (void)
{
  g_autoptr(PsPeerEnricher) enricher = ps_peer_enricher_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  PsPeerTable *table;

  /* no resolver traffic from a unit test */
  ps_peer_enricher_set_resolve_names (enricher, FALSE);
  table = ps_peer_table_new (enricher);
  g_assert_true (ps_peer_table_add_device (table, DEVICE, DEVICE_ADDRESS, NULL, &error));
  g_assert_no_error (error);

  return table;
}

/* one flow from the camera to ADDRESS:PORT/udp that ended at LAST_MS */
static PsPeer *
add_peer (PsPeerTable *table,
          const char  *address,
          guint16      port,
          gint64       last_ms,
          PsPeerKind   kind)
{
  PsFlowRecord record;
  PsPeer *peer;

  ps_flow_record_init (&record, PS_FLOW_ORIGIN_CONNTRACK);
  record.ip_protocol = 17;
  g_assert_true (ps_ip_address_parse (&record.src, DEVICE_ADDRESS));
  g_assert_true (ps_ip_address_parse (&record.dst, address));
  record.src_port = 40000;
  record.dst_port = port;
  record.packets = 1;
  record.bytes = 48;
  record.new_flow = TRUE;
  record.first_ms = OFF_MS - 600000;
  record.last_ms = last_ms;
  ps_peer_table_add_records (table, &record, 1);

  peer = ps_peer_table_lookup (table, DEVICE, address, port, 17);
  g_assert_nonnull (peer);
  /* what the classifier would have said */
  _ps_peer_set_class (peer, kind, "test");

  return peer;
}

static gboolean
contains (GPtrArray  *peers,
          const char *address)
{
  for (guint i = 0; i < peers->len; i++)
    if (g_strcmp0 (ps_peer_get_address_string (g_ptr_array_index (peers, i)), address) == 0)
      return TRUE;
  return FALSE;
}

/* a camera that goes on talking to P2P servers, and only those count */
static void
test_traffic (void)
{
  g_autoptr(PsPeerTable) table = new_table ();
  g_autoptr(GPtrArray) offenders = NULL;
  GListModel *peers = ps_peer_table_get_device_peers (table, DEVICE);

  /* before the switch, in flight, at the edge of the grace period, after */
  add_peer (table, "198.51.100.11", 32100, OFF_MS - 1000, PS_PEER_KIND_P2P_SUPERNODE);
  add_peer (table, "198.51.100.12", 32100, OFF_MS + 2000, PS_PEER_KIND_P2P_SUPERNODE);
  add_peer (table, "198.51.100.13", 32100, OFF_MS + PS_P2P_SETTING_GRACE_MS,
            PS_PEER_KIND_P2P_SUPERNODE);
  add_peer (table, "198.51.100.14", 32100, OFF_MS + PS_P2P_SETTING_GRACE_MS + 1,
            PS_PEER_KIND_P2P_SUPERNODE);
  add_peer (table, "198.51.100.15", 10001, OFF_MS + 20000, PS_PEER_KIND_P2P_SUPERNODE);
  /* other classes, however late, are not P2P */
  add_peer (table, "192.0.2.10", 443, OFF_MS + 20000, PS_PEER_KIND_VENDOR_CLOUD);
  add_peer (table, "198.51.100.130", 123, OFF_MS + 20000, PS_PEER_KIND_NTP);
  add_peer (table, "198.51.100.113", 3478, OFF_MS + 20000, PS_PEER_KIND_STUN_TURN);

  offenders = ps_p2p_setting_find_offenders (peers, OFF_MS, NULL);
  g_assert_cmpuint (offenders->len, ==, 2);
  g_assert_true (contains (offenders, "198.51.100.14"));
  g_assert_true (contains (offenders, "198.51.100.15"));

  /* turned off later than every contact: it obeys */
  g_clear_pointer (&offenders, g_ptr_array_unref);
  offenders = ps_p2p_setting_find_offenders (peers, OFF_MS + 60000, NULL);
  g_assert_cmpuint (offenders->len, ==, 0);

  /* no overflow at the end of time */
  g_clear_pointer (&offenders, g_ptr_array_unref);
  offenders = ps_p2p_setting_find_offenders (peers, G_MAXINT64 - 1, NULL);
  g_assert_cmpuint (offenders->len, ==, 0);
}

/* a camera whose tries the firewall drops: its blocked attempts grow */
static void
test_blocked (void)
{
  g_autoptr(PsPeerTable) table = new_table ();
  g_autoptr(GPtrArray) offenders = NULL;
  g_autoptr(GHashTable) before = NULL;
  GListModel *peers = ps_peer_table_get_device_peers (table, DEVICE);
  PsPeer *quiet, *knocking, *late;

  quiet = add_peer (table, "198.51.100.21", 32100, OFF_MS - 1000, PS_PEER_KIND_P2P_SUPERNODE);
  knocking = add_peer (table, "198.51.100.22", 32100, OFF_MS - 1000, PS_PEER_KIND_P2P_SUPERNODE);
  ps_peer_table_set_blocked (table, DEVICE_ADDRESS, "198.51.100.21", 17, 32100, 7);
  ps_peer_table_set_blocked (table, DEVICE_ADDRESS, "198.51.100.22", 17, 32100, 7);
  g_assert_cmpuint (ps_peer_get_blocked_attempts (knocking), ==, 7);

  before = ps_p2p_setting_count_blocked (peers);
  g_assert_cmpuint (g_hash_table_size (before), ==, 2);

  /* nothing new yet */
  offenders = ps_p2p_setting_find_offenders (peers, OFF_MS, before);
  g_assert_cmpuint (offenders->len, ==, 0);

  /* one keeps knocking; a server the camera never reached before is blocked too */
  ps_peer_table_set_blocked (table, DEVICE_ADDRESS, "198.51.100.21", 17, 32100, 7);
  ps_peer_table_set_blocked (table, DEVICE_ADDRESS, "198.51.100.22", 17, 32100, 9);
  ps_peer_table_set_blocked (table, DEVICE_ADDRESS, "198.51.100.23", 17, 32100, 2);
  late = ps_peer_table_lookup (table, DEVICE, "198.51.100.23", 32100, 17);
  g_assert_nonnull (late);
  _ps_peer_set_class (late, PS_PEER_KIND_P2P_SUPERNODE, "test");

  g_clear_pointer (&offenders, g_ptr_array_unref);
  offenders = ps_p2p_setting_find_offenders (peers, OFF_MS, before);
  g_assert_cmpuint (offenders->len, ==, 2);
  g_assert_false (g_ptr_array_find (offenders, quiet, NULL));
  g_assert_true (g_ptr_array_find (offenders, knocking, NULL));
  g_assert_true (g_ptr_array_find (offenders, late, NULL));

  /* without the snapshot only traffic counts: the new one was seen when it was first blocked */
  g_clear_pointer (&offenders, g_ptr_array_unref);
  offenders = ps_p2p_setting_find_offenders (peers, OFF_MS, NULL);
  g_assert_cmpuint (offenders->len, ==, 1);
  g_assert_true (g_ptr_array_index (offenders, 0) == late);
}

/* a peer classed a P2P server only after the snapshot keeps its earlier count */
static void
test_late_class (void)
{
  g_autoptr(PsPeerTable) table = new_table ();
  g_autoptr(GPtrArray) offenders = NULL;
  g_autoptr(GHashTable) before = NULL;
  GListModel *peers = ps_peer_table_get_device_peers (table, DEVICE);
  PsPeer *peer;

  peer = add_peer (table, "198.51.100.31", 32100, OFF_MS - 1000, PS_PEER_KIND_UNKNOWN);
  ps_peer_table_set_blocked (table, DEVICE_ADDRESS, "198.51.100.31", 17, 32100, 5);
  before = ps_p2p_setting_count_blocked (peers);

  _ps_peer_set_class (peer, PS_PEER_KIND_P2P_SUPERNODE, "test");
  offenders = ps_p2p_setting_find_offenders (peers, OFF_MS, before);
  g_assert_cmpuint (offenders->len, ==, 0);

  ps_peer_table_set_blocked (table, DEVICE_ADDRESS, "198.51.100.31", 17, 32100, 6);
  g_clear_pointer (&offenders, g_ptr_array_unref);
  offenders = ps_p2p_setting_find_offenders (peers, OFF_MS, before);
  g_assert_cmpuint (offenders->len, ==, 1);
}

static void
test_empty (void)
{
  g_autoptr(GListStore) none = g_list_store_new (PS_TYPE_PEER);
  g_autoptr(GPtrArray) offenders = NULL;
  g_autoptr(GHashTable) before = NULL;

  before = ps_p2p_setting_count_blocked (G_LIST_MODEL (none));
  g_assert_cmpuint (g_hash_table_size (before), ==, 0);
  offenders = ps_p2p_setting_find_offenders (G_LIST_MODEL (none), OFF_MS, before);
  g_assert_cmpuint (offenders->len, ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/p2p-setting-check/traffic", test_traffic);
  g_test_add_func ("/p2p-setting-check/blocked", test_blocked);
  g_test_add_func ("/p2p-setting-check/late-class", test_late_class);
  g_test_add_func ("/p2p-setting-check/empty", test_empty);

  return g_test_run ();
}
