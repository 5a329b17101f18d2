/* ps-bench-peers.c: what the peer table costs per peer
 *
 *   ps-bench-peers [--peers N] [--runs R]
 *
 * Feeds N flow records, each a new (device, peer) pair, to a PsPeerTable
 * (no names looked up, no GeoIP) and prints, as one JSON line per run, the
 * resident memory it grew by per peer and the records per second it took
 * in.  tests/bench/flows/peers runs it and compares with the kernel's own
 * connection tracking entry.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>
#include <stdio.h>
#include <unistd.h>

#include "ps-peer-table.h"

static gint64
resident_bytes (void)
{
  g_autofree char *statm = NULL;
  unsigned long size = 0, resident = 0;

  if (!g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL)
      || sscanf (statm, "%lu %lu", &size, &resident) != 2)
    return -1;

  return (gint64) resident * sysconf (_SC_PAGESIZE);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("— peer table memory and speed");
  g_autoptr(GError) error = NULL;
  int n_peers = 100000;
  int runs = 3;
  const GOptionEntry entries[] = {
    { "peers", 0, 0, G_OPTION_ARG_INT, &n_peers, "Peers per run (default 100000)", "N" },
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "Runs (default 3)", "R" },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || n_peers < 1 || runs < 1)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "bad arguments");
      return 2;
    }

  for (int run = 0; run < runs; run++)
    {
      g_autoptr(PsPeerEnricher) enricher = ps_peer_enricher_new (NULL, NULL);
      g_autoptr(PsPeerTable) table = NULL;
      g_autofree PsFlowRecord *records = g_new0 (PsFlowRecord, n_peers);
      gint64 before, after, start, elapsed;

      ps_peer_enricher_set_resolve_names (enricher, FALSE);
      table = ps_peer_table_new (enricher);

      /* 250 cameras on 10.0.0.0/8, each with its own set of peers in
       * 100.128.0.0/9: every record a new peer */
      for (int i = 0; i < n_peers; i++)
        {
          PsFlowRecord *r = &records[i];
          guint8 device[4] = { 10, 0, (guint8) (i % 250), 1 };
          guint8 peer[4] = { 100, (guint8) (128 + ((i >> 16) & 0x7f)), (guint8) (i >> 8), (guint8) i };

          ps_flow_record_init (r, PS_FLOW_ORIGIN_IPFIX);
          ps_ip_address_set_v4 (&r->src, device);
          ps_ip_address_set_v4 (&r->dst, peer);
          r->ip_protocol = 17;
          r->src_port = 40000;
          r->dst_port = 32100;
          r->packets = 1;
          r->bytes = 100;
          r->new_flow = TRUE;
          r->first_ms = r->last_ms = 1700000000000;
        }

      before = resident_bytes ();
      start = g_get_monotonic_time ();
      for (int i = 0; i < n_peers; i += 64)
        ps_peer_table_add_records (table, &records[i], MIN (64, n_peers - i));
      elapsed = g_get_monotonic_time () - start;
      after = resident_bytes ();

      printf ("{\"run\": %d, \"peers\": %u, \"bytes_per_peer\": %.1f, \"records_per_s\": %.0f}\n",
              run, g_list_model_get_n_items (ps_peer_table_get_peers (table)),
              (double) (after - before) / n_peers, n_peers / (elapsed / 1e6));
      fflush (stdout);
    }

  return 0;
}
