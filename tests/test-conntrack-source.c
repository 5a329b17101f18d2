/* test-conntrack-source.c: real connection tracking, in a network
 * namespace of the test's own
 *
 * Needs root (CAP_NET_ADMIN): it moves itself into a new network namespace
 * with only loopback, turns conntrack on there with one nftables rule, and
 * makes flows of its own.  Without root the whole program skips (exit 77);
 * CI runs as root.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define _GNU_SOURCE

#include <gio/gio.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

#include "ps-conntrack-source.h"

#define N_FLOWS 4000
#define PAYLOAD 20

typedef struct
{
  GHashTable *new_flows;     /* source port -> times reported new */
  guint64     packets;
  guint64     bytes;
  guint       ended;
  guint       duplicates;
} Seen;

static void
on_records_cb (PsFlowSource       *source,
               const PsFlowRecord *records,
               guint               n_records,
               Seen               *seen)
{
  for (guint i = 0; i < n_records; i++)
    {
      const PsFlowRecord *r = &records[i];
      guint count;

      if (r->ip_protocol != 17 || r->dst_port != 9)
        continue;

      if (r->new_flow)
        {
          count = GPOINTER_TO_UINT (g_hash_table_lookup (seen->new_flows, GUINT_TO_POINTER (r->src_port)));
          if (count > 0)
            seen->duplicates++;
          g_hash_table_insert (seen->new_flows, GUINT_TO_POINTER (r->src_port), GUINT_TO_POINTER (count + 1));
        }
      seen->packets += r->packets;
      seen->bytes += r->bytes;
      seen->ended += r->ended;
    }
}

static void
send_flows (guint n)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) to = g_inet_socket_address_new (loopback, 9);
  char payload[PAYLOAD] = { 0 };

  /* one flow per source port, each port bound on purpose: the kernel's
   * own choice may pick a port twice */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                                                G_SOCKET_PROTOCOL_UDP, NULL);
      g_autoptr(GSocketAddress) from = g_inet_socket_address_new (loopback, (guint16) (20000 + i));

      g_assert_nonnull (socket);
      g_assert_true (g_socket_bind (socket, from, FALSE, NULL));
      g_assert_cmpint (g_socket_send_to (socket, to, payload, sizeof payload, NULL, NULL), ==, PAYLOAD);
    }
}

static void
dumped_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ps_conntrack_source_dump_finish (PS_CONNTRACK_SOURCE (object), result, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

static void
dump (PsConntrackSource *source)
{
  gboolean done = FALSE;

  ps_conntrack_source_dump_async (source, NULL, dumped_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static void
iterate_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE), g_usleep (1000);
}

static void
test_conntrack_events_and_resync (void)
{
  g_autoptr(PsConntrackSource) source = ps_conntrack_source_new ();
  g_autoptr(GError) error = NULL;
  Seen seen = { g_hash_table_new (NULL, NULL), 0, 0, 0, 0 };
  PsConntrackStats stats;

  /* a buffer far too small for a burst of flows: events get lost */
  ps_conntrack_source_set_dump_interval (source, 0);
  ps_conntrack_source_set_event_buffer_size (source, 8192);
  g_signal_connect (source, "records", G_CALLBACK (on_records_cb), &seen);
  g_assert_true (ps_flow_source_start (PS_FLOW_SOURCE (source), &error));
  g_assert_no_error (error);
  iterate_for (200);

  send_flows (N_FLOWS);
  iterate_for (1000);

  ps_conntrack_source_get_stats (source, &stats);
  g_test_message ("events %" G_GUINT64_FORMAT ", resyncs %" G_GUINT64_FORMAT ", dumps %" G_GUINT64_FORMAT,
                  stats.events, stats.resyncs, stats.dumps);
  /* the kernel said it dropped events, and the source read a dump for them */
  g_assert_cmpuint (stats.resyncs, >=, 1);

  /* every flow reported new exactly once, events or dump */
  dump (source);
  g_assert_cmpuint (g_hash_table_size (seen.new_flows), ==, N_FLOWS);
  g_assert_cmpuint (seen.duplicates, ==, 0);
  /* counters: one datagram each, the whole IP packet */
  g_assert_cmpuint (seen.packets, ==, N_FLOWS);
  g_assert_cmpuint (seen.bytes, ==, (guint64) N_FLOWS * (PAYLOAD + 28));

  /* a second dump adds nothing: counters are deltas */
  dump (source);
  g_assert_cmpuint (seen.packets, ==, N_FLOWS);

  /* flows that end are reported ended */
  g_assert_cmpint (system ("conntrack -F >/dev/null 2>&1"), ==, 0);
  iterate_for (500);
  dump (source);
  g_assert_cmpuint (seen.ended, >, 0);
  ps_conntrack_source_get_stats (source, &stats);
  g_assert_cmpuint (stats.flows_tracked, <, N_FLOWS);

  ps_flow_source_stop (PS_FLOW_SOURCE (source));
  g_hash_table_unref (seen.new_flows);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  if (getuid () != 0)
    {
      g_print ("1..0 # SKIP connection tracking needs root (CI runs as root)\n");
      return 77;
    }

  /* a network of our own: nothing here touches the machine's */
  if (unshare (CLONE_NEWNET) != 0
      || system ("ip link set lo up") != 0
      || system ("nft -f - <<'EOF'\n"
                 "table ip ps_test {\n"
                 "  chain output {\n"
                 "    type filter hook output priority 0; policy accept;\n"
                 "    ct state new counter\n"
                 "  }\n"
                 "}\n"
                 "EOF") != 0)
    {
      g_printerr ("Cannot set up a network namespace with conntrack\n");
      return 1;
    }

  g_test_add_func ("/monitor/conntrack/events-and-resync", test_conntrack_events_and_resync);

  return g_test_run ();
}
