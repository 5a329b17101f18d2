/* test-peer-history.c: the peer table survives a restart
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "ps-peer-history.h"

static PsPeerTable *
new_quiet_table (void)
{
  g_autoptr(PsPeerEnricher) enricher = ps_peer_enricher_new (NULL, NULL);

  ps_peer_enricher_set_resolve_names (enricher, FALSE);
  return ps_peer_table_new (enricher);
}

static void
add_flow (PsPeerTable *table,
          const char  *device,
          const char  *peer,
          guint16      port,
          guint64      bytes,
          gint64       when_ms)
{
  PsFlowRecord record;

  ps_flow_record_init (&record, PS_FLOW_ORIGIN_CONNTRACK);
  record.ip_protocol = 17;
  g_assert_true (ps_ip_address_parse (&record.src, device));
  g_assert_true (ps_ip_address_parse (&record.dst, peer));
  record.src_port = 40000;
  record.dst_port = port;
  record.packets = 1;
  record.bytes = bytes;
  record.reply_packets = 1;
  record.reply_bytes = bytes / 2;
  record.new_flow = TRUE;
  record.first_ms = when_ms;
  record.last_ms = when_ms;
  ps_peer_table_add_records (table, &record, 1);
}

static void
done_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static gboolean
save (PsPeerHistory *history,
      GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ps_peer_history_save_async (history, NULL, done_cb, &result);
  return ps_peer_history_save_finish (history, wait_for (&result), error);
}

static gboolean
load (PsPeerHistory *history,
      GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ps_peer_history_load_async (history, NULL, done_cb, &result);
  return ps_peer_history_load_finish (history, wait_for (&result), error);
}

static void
test_history_round_trip (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ps-history-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "sub", "history.db", NULL);
  g_autoptr(PsPeerTable) first = new_quiet_table ();
  g_autoptr(PsPeerTable) second = new_quiet_table ();
  g_autoptr(PsPeerTable) third = new_quiet_table ();
  g_autoptr(PsPeerHistory) history = ps_peer_history_new (first, path);
  g_autoptr(PsPeerHistory) history2 = NULL;
  g_autoptr(PsPeerHistory) history3 = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time () / 1000;
  PsPeer *peer;

  add_flow (first, "10.99.1.11", "198.51.100.11", 32100, 100, now - 5000);
  add_flow (first, "10.99.1.11", "198.51.100.21", 32100, 300, now - 4000);
  g_assert_true (save (history, &error));
  g_assert_no_error (error);

  /* more traffic, saved as a delta; and a save with nothing new */
  add_flow (first, "10.99.1.11", "198.51.100.11", 32100, 50, now - 1000);
  g_assert_true (save (history, &error));
  g_assert_true (save (history, &error));
  g_assert_no_error (error);

  /* a restart: a new table loads what the first one saw */
  history2 = ps_peer_history_new (second, path);
  g_assert_true (load (history2, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (ps_peer_table_get_peers (second)), ==, 2);
  peer = ps_peer_table_lookup (second, "10.99.1.11", "198.51.100.11", 32100, 17);
  g_assert_nonnull (peer);
  g_assert_cmpuint (ps_peer_get_bytes_out (peer), ==, 150);
  g_assert_cmpuint (ps_peer_get_bytes_in (peer), ==, 75);
  g_assert_cmpuint (ps_peer_get_packets_out (peer), ==, 2);
  g_assert_cmpuint (ps_peer_get_flows (peer), ==, 2);
  g_assert_cmpint (ps_peer_get_first_seen (peer), ==, now - 5000);
  g_assert_cmpint (ps_peer_get_last_seen (peer), ==, now - 1000);
  g_assert_cmpint (ps_peer_get_kind (peer), ==, PS_PEER_KIND_P2P_SUPERNODE);

  /* what was loaded is not saved twice; new traffic is */
  add_flow (second, "10.99.1.11", "198.51.100.11", 32100, 10, now);
  g_assert_true (save (history2, &error));
  history3 = ps_peer_history_new (third, path);
  g_assert_true (load (history3, &error));
  peer = ps_peer_table_lookup (third, "10.99.1.11", "198.51.100.11", 32100, 17);
  g_assert_nonnull (peer);
  g_assert_cmpuint (ps_peer_get_bytes_out (peer), ==, 160);

  g_remove (path);
}

static void
test_history_retention (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ps-history-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "history.db", NULL);
  g_autoptr(PsPeerTable) first = new_quiet_table ();
  g_autoptr(PsPeerTable) second = new_quiet_table ();
  g_autoptr(PsPeerHistory) history = ps_peer_history_new (first, path);
  g_autoptr(PsPeerHistory) history2 = ps_peer_history_new (second, path);
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time () / 1000;

  ps_peer_history_set_retention_days (history, 2);
  ps_peer_history_set_retention_days (history2, 2);
  add_flow (first, "10.99.1.11", "198.51.100.11", 32100, 100, now - 3 * 24 * 3600 * G_GINT64_CONSTANT (1000));
  add_flow (first, "10.99.1.11", "198.51.100.21", 32100, 100, now);
  g_assert_true (save (history, &error));
  g_assert_true (load (history2, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (ps_peer_table_get_peers (second)), ==, 1);
  g_assert_nonnull (ps_peer_table_lookup (second, NULL, "198.51.100.21", 32100, 17));
}

static void
test_history_damaged (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ps-history-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "history.db", NULL);
  g_autoptr(PsPeerTable) table = new_quiet_table ();
  g_autoptr(PsPeerHistory) history = ps_peer_history_new (table, path);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, "this is not a database, not at all, no", -1, NULL));
  g_assert_false (load (history, &error));
  g_assert_nonnull (error);
  g_assert_cmpuint (g_list_model_get_n_items (ps_peer_table_get_peers (table)), ==, 0);
  g_clear_error (&error);
  g_assert_false (save (history, &error));
  g_assert_nonnull (error);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/monitor/history/round-trip", test_history_round_trip);
  g_test_add_func ("/monitor/history/retention", test_history_retention);
  g_test_add_func ("/monitor/history/damaged", test_history_damaged);

  return g_test_run ();
}
