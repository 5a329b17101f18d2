/* test-gatewayd.c: peerscope-gatewayd and PsGatewaySource on a private bus
 *
 * Run by tests/lab/test-lab-gatewayd.sh inside a network namespace of its
 * own, where conntrack is on and a private dbus-daemon applies the helper's
 * real bus policy (data/dbus).  It starts the helper, subscribes clients,
 * makes UDP traffic on loopback and checks what comes back; then that
 * leaving unsubscribes, that nobody but root gets flows without polkit, that
 * --replace hands over and that --idle-exit exits.
 *
 * Environment: PS_GATEWAY_TEST_BUS (the bus address), PS_GATEWAYD,
 * PS_GATEWAY_STATE_DIR (the helper's state folder, so that it never reads
 * the machine's own stored policy).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "ps-gateway-protocol.h"
#include "ps-gateway-source.h"

#define WAIT_MS 15000

static const char *bus_address;
static const char *gatewayd_path;
static const char *state_dir;
static GSubprocess *first_daemon;
static GDBusConnection *admin;         /* the test's own bus connection */

/* Helpers */

static GDBusConnection *
open_connection (void)
{
  g_autoptr(GError) error = NULL;
  GDBusConnectionFlags flags = G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
                                | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION;
  GDBusConnection *connection;

  connection = g_dbus_connection_new_for_address_sync (bus_address, flags, NULL, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_set_exit_on_close (connection, FALSE);
  return connection;
}

static gboolean
on_tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the main context until done (data) holds, at most timeout_ms. */
static gboolean
wait_for (gboolean (*done) (gpointer data),
          gpointer   data,
          guint      timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  guint tick = g_timeout_add (50, on_tick_cb, NULL);
  gboolean ok;

  while (!(ok = done (data)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (tick);
  return ok;
}

static void
spin (guint ms)
{
  gint64 until = g_get_monotonic_time () + (gint64) ms * 1000;
  guint tick = g_timeout_add (10, on_tick_cb, NULL);

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
}

static GVariant *
call_gateway (GDBusConnection  *connection,
              const char       *method,
              GError          **error)
{
  return g_dbus_connection_call_sync (connection, PS_GATEWAY_BUS_NAME, PS_GATEWAY_OBJECT_PATH,
                                      PS_GATEWAY_FLOWS_INTERFACE, method, NULL, NULL,
                                      G_DBUS_CALL_FLAGS_NO_AUTO_START, 10000, NULL, error);
}

static guint64
get_stat (const char *key)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = call_gateway (admin, "GetStats", &error);
  g_autoptr(GVariant) stats = NULL;
  g_autoptr(GVariant) value = NULL;

  g_assert_no_error (error);
  g_assert_true (g_variant_is_of_type (reply, G_VARIANT_TYPE ("(a{sv})")));
  stats = g_variant_get_child_value (reply, 0);
  value = g_variant_lookup_value (stats, key, NULL);
  g_assert_nonnull (value);

  if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT32))
    return g_variant_get_uint32 (value);
  return g_variant_get_uint64 (value);
}

static gboolean
subscribers_are (gpointer data)
{
  guint want = GPOINTER_TO_UINT (data);

  return get_stat ("subscribers") == want && get_stat ("sources_running") == want;
}

static gboolean
dumps_reach (gpointer data)
{
  return get_stat ("dumps") >= GPOINTER_TO_UINT (data);
}

static gboolean
name_has_owner (gpointer data)
{
  g_autoptr(GVariant) reply = NULL;
  gboolean has_owner = FALSE;

  reply = g_dbus_connection_call_sync (admin, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", PS_GATEWAY_BUS_NAME),
                                       G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                       NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &has_owner);
  return has_owner;
}

static GSubprocess *
start_daemon (const char *first_arg,
              ...)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GSubprocess *daemon;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (gpointer) gatewayd_path);
  g_ptr_array_add (argv, (gpointer) "--bus-address");
  g_ptr_array_add (argv, (gpointer) bus_address);
  if (state_dir != NULL)
    {
      g_ptr_array_add (argv, (gpointer) "--state-dir");
      g_ptr_array_add (argv, (gpointer) state_dir);
    }
  va_start (args, first_arg);
  for (arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  /* its stdout is not part of our TAP stream */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_take_stdout_fd (launcher, dup (STDERR_FILENO));
  daemon = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);

  return daemon;
}

typedef struct
{
  gboolean done;
} Waiting;

static void
on_subprocess_exit_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  Waiting *waiting = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  waiting->done = TRUE;
}

static gboolean
waiting_done (gpointer data)
{
  return ((Waiting *) data)->done;
}

/* Whether process exits within timeout_ms. */
static gboolean
wait_exit (GSubprocess *process,
           guint        timeout_ms)
{
  Waiting waiting = { FALSE };

  g_subprocess_wait_async (process, NULL, on_subprocess_exit_cb, &waiting);
  if (wait_for (waiting_done, &waiting, timeout_ms))
    return TRUE;

  /* the pending wait must finish before waiting goes out of scope */
  g_subprocess_force_exit (process);
  wait_for (waiting_done, &waiting, G_MAXINT);
  return FALSE;
}

/* A client: a PsGatewaySource on a bus connection of its own, and every
 * record it emitted. */
typedef struct
{
  GDBusConnection *connection;
  PsGatewaySource *source;
  GArray          *records;
} Client;

static void
on_records_cb (PsFlowSource       *source,
               const PsFlowRecord *records,
               guint               n_records,
               Client             *client)
{
  g_array_append_vals (client->records, records, n_records);
}

static gboolean
client_watching (gpointer data)
{
  Client *client = data;

  return ps_gateway_source_get_state (client->source) == PS_GATEWAY_SOURCE_STATE_WATCHING;
}

static Client *
client_new (void)
{
  Client *client = g_new0 (Client, 1);

  client->connection = open_connection ();
  client->source = ps_gateway_source_new (client->connection);
  client->records = g_array_new (FALSE, FALSE, sizeof (PsFlowRecord));
  g_signal_connect (client->source, "records", G_CALLBACK (on_records_cb), client);

  return client;
}

static void
client_start (Client *client)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ps_flow_source_start (PS_FLOW_SOURCE (client->source), &error));
  g_assert_no_error (error);
  g_assert_cmpint (ps_gateway_source_get_state (client->source), ==,
                   PS_GATEWAY_SOURCE_STATE_CONNECTING);
  if (!wait_for (client_watching, client, WAIT_MS))
    {
      const GError *why = ps_gateway_source_get_error (client->source);

      g_error ("client not watching: state %d, %s",
               ps_gateway_source_get_state (client->source),
               why != NULL ? why->message : "no error");
    }
}

/* Starts client and waits for the first dump of its source, so that the
 * traffic that follows is reported by events and later dumps only.
 * (PsConntrackSource forgets flows that start while a dump runs.) */
static void
client_start_settled (Client *client)
{
  guint64 dumps = get_stat ("dumps");

  client_start (client);
  g_assert_true (wait_for (dumps_reach, GUINT_TO_POINTER ((guint) dumps + 1), WAIT_MS));
}

static void
client_free (Client *client)
{
  g_signal_handlers_disconnect_by_data (client->source, client);
  g_clear_object (&client->source);
  if (!g_dbus_connection_is_closed (client->connection))
    g_dbus_connection_close_sync (client->connection, NULL, NULL);
  g_clear_object (&client->connection);
  g_array_unref (client->records);
  g_free (client);
}

typedef struct
{
  gboolean  done;
  GError   *error;
} DumpWait;

static void
on_dump_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  DumpWait *wait = user_data;

  ps_gateway_source_dump_finish (PS_GATEWAY_SOURCE (object), result, &wait->error);
  wait->done = TRUE;
}

static gboolean
dump_done (gpointer data)
{
  return ((DumpWait *) data)->done;
}

/* Returns once the helper has sent every flow's counters to client. */
static void
client_dump (Client *client)
{
  DumpWait wait = { FALSE, NULL };

  ps_gateway_source_dump_async (client->source, NULL, on_dump_cb, &wait);
  g_assert_true (wait_for (dump_done, &wait, G_MAXINT));
  g_assert_no_error (wait.error);
}

/* Traffic: n datagrams of len bytes from src to dst, and n_replies back.
 * Returns both ports. */
static void
udp_exchange (const char *src,
              const char *dst,
              guint       n,
              gsize       len,
              guint       n_replies,
              guint16    *src_port,
              guint16    *dst_port)
{
  g_autoptr(GInetAddress) src_inet = g_inet_address_new_from_string (src);
  g_autoptr(GInetAddress) dst_inet = g_inet_address_new_from_string (dst);
  GSocketFamily family = g_inet_address_get_family (src_inet);
  g_autoptr(GSocket) sender = NULL;
  g_autoptr(GSocket) receiver = NULL;
  g_autoptr(GSocketAddress) bind_src = g_inet_socket_address_new (src_inet, 0);
  g_autoptr(GSocketAddress) bind_dst = g_inet_socket_address_new (dst_inet, 0);
  g_autoptr(GSocketAddress) src_address = NULL;
  g_autoptr(GSocketAddress) dst_address = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *payload = g_malloc0 (len);
  char buffer[2048];

  g_assert_cmpuint (len, <=, sizeof buffer);

  sender = g_socket_new (family, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, &error);
  g_assert_no_error (error);
  receiver = g_socket_new (family, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, &error);
  g_assert_no_error (error);
  g_socket_set_timeout (sender, 5);
  g_socket_set_timeout (receiver, 5);
  g_socket_bind (sender, bind_src, FALSE, &error);
  g_assert_no_error (error);
  g_socket_bind (receiver, bind_dst, FALSE, &error);
  g_assert_no_error (error);

  src_address = g_socket_get_local_address (sender, &error);
  g_assert_no_error (error);
  dst_address = g_socket_get_local_address (receiver, &error);
  g_assert_no_error (error);
  *src_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (src_address));
  *dst_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (dst_address));

  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpint (g_socket_send_to (sender, dst_address, payload, len, NULL, &error), ==, len);
      g_assert_no_error (error);
      g_assert_cmpint (g_socket_receive (receiver, buffer, sizeof buffer, NULL, &error), ==, len);
      g_assert_no_error (error);
    }

  for (guint i = 0; i < n_replies; i++)
    {
      g_assert_cmpint (g_socket_send_to (receiver, src_address, payload, len, NULL, &error),
                       ==, len);
      g_assert_no_error (error);
      g_assert_cmpint (g_socket_receive (sender, buffer, sizeof buffer, NULL, &error), ==, len);
      g_assert_no_error (error);
    }
}

typedef struct
{
  guint   n_records;
  guint   n_new;
  guint64 packets;
  guint64 bytes;
  guint64 reply_packets;
  guint64 reply_bytes;
  gint64  first_ms;
  guint   family;
  gboolean nat;
} FlowSum;

static FlowSum
sum_flow (GArray     *records,
          const char *src,
          guint16     src_port,
          const char *dst,
          guint16     dst_port)
{
  PsIpAddress src_ip, dst_ip;
  FlowSum sum = { 0 };

  g_assert_true (ps_ip_address_parse (&src_ip, src));
  g_assert_true (ps_ip_address_parse (&dst_ip, dst));

  for (guint i = 0; i < records->len; i++)
    {
      const PsFlowRecord *r = &g_array_index (records, PsFlowRecord, i);

      if (r->ip_protocol != 17 || r->src_port != src_port || r->dst_port != dst_port
          || !ps_ip_address_equal (&r->src, &src_ip) || !ps_ip_address_equal (&r->dst, &dst_ip))
        continue;

      g_assert_cmpint (r->origin, ==, PS_FLOW_ORIGIN_CONNTRACK);
      sum.n_records++;
      sum.n_new += r->new_flow;
      sum.packets += r->packets;
      sum.bytes += r->bytes;
      sum.reply_packets += r->reply_packets;
      sum.reply_bytes += r->reply_bytes;
      sum.family = r->src.family;
      sum.nat |= ps_ip_address_is_set (&r->nat_src);
      if (r->first_ms != 0)
        sum.first_ms = r->first_ms;
    }

  return sum;
}

static gboolean
have_ipv6_loopback (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV6, G_SOCKET_TYPE_DATAGRAM,
                                            G_SOCKET_PROTOCOL_UDP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);

  return socket != NULL && g_socket_bind (socket, address, FALSE, NULL);
}

/* Tests, in order: they share the first helper and these clients */

static Client *client_a;
static Client *client_b;

static void
test_properties (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) properties = NULL;
  guint32 version = 0;
  gboolean available = FALSE;

  reply = g_dbus_connection_call_sync (admin, PS_GATEWAY_BUS_NAME, PS_GATEWAY_OBJECT_PATH,
                                       "org.freedesktop.DBus.Properties", "GetAll",
                                       g_variant_new ("(s)", PS_GATEWAY_FLOWS_INTERFACE),
                                       G_VARIANT_TYPE ("(a{sv})"), G_DBUS_CALL_FLAGS_NONE, -1,
                                       NULL, &error);
  g_assert_no_error (error);
  properties = g_variant_get_child_value (reply, 0);
  g_assert_true (g_variant_lookup (properties, "Version", "u", &version));
  g_assert_cmpuint (version, ==, PS_GATEWAY_VERSION);
  g_assert_true (g_variant_lookup (properties, "ConntrackAvailable", "b", &available));
  g_assert_true (available);

  g_assert_cmpuint (get_stat ("subscribers"), ==, 0);
  g_assert_cmpuint (get_stat ("sources_running"), ==, 0);
}

static void
test_bad_calls (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  /* a dump is only for subscribers */
  reply = call_gateway (admin, "Dump", &error);
  g_assert_null (reply);
  g_assert_error (error, PS_GATEWAY_ERROR, PS_GATEWAY_ERROR_NOT_SUBSCRIBED);
  g_clear_error (&error);

  /* the methods take no arguments */
  reply = g_dbus_connection_call_sync (admin, PS_GATEWAY_BUS_NAME, PS_GATEWAY_OBJECT_PATH,
                                       PS_GATEWAY_FLOWS_INTERFACE, "Subscribe",
                                       g_variant_new ("(s)", "x"), NULL,
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_null (reply);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  g_clear_error (&error);

  /* read-only properties */
  reply = g_dbus_connection_call_sync (admin, PS_GATEWAY_BUS_NAME, PS_GATEWAY_OBJECT_PATH,
                                       "org.freedesktop.DBus.Properties", "Set",
                                       g_variant_new ("(ssv)", PS_GATEWAY_FLOWS_INTERFACE,
                                                      "Version", g_variant_new_uint32 (7)),
                                       NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_null (reply);
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* unsubscribing without a subscription is fine; nothing runs after it */
  reply = call_gateway (admin, "Unsubscribe", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (get_stat ("subscribers"), ==, 0);
}

static void
test_records (void)
{
  guint16 src_port, dst_port;
  gint64 now_ms = g_get_real_time () / 1000;
  FlowSum sum;

  client_a = client_new ();
  client_start_settled (client_a);
  g_assert_true (wait_for (subscribers_are, GUINT_TO_POINTER (1), WAIT_MS));

  udp_exchange ("127.0.0.1", "127.0.0.2", 5, 100, 2, &src_port, &dst_port);
  client_dump (client_a);

  sum = sum_flow (client_a->records, "127.0.0.1", src_port, "127.0.0.2", dst_port);
  g_test_message ("IPv4 flow: %u records, %" G_GUINT64_FORMAT " packets", sum.n_records,
                  sum.packets);
  g_assert_cmpuint (sum.n_records, >=, 1);
  g_assert_cmpuint (sum.n_new, ==, 1);
  g_assert_cmpuint (sum.family, ==, 4);
  g_assert_false (sum.nat);
  /* conntrack counts IP lengths: 20 + 8 header bytes per datagram */
  g_assert_cmpuint (sum.packets, ==, 5);
  g_assert_cmpuint (sum.bytes, ==, 5 * 128);
  g_assert_cmpuint (sum.reply_packets, ==, 2);
  g_assert_cmpuint (sum.reply_bytes, ==, 2 * 128);
  g_assert_cmpint (sum.first_ms, >=, now_ms - 60000);
  g_assert_cmpint (sum.first_ms, <=, now_ms + 60000);

  /* a second dump adds nothing: counters are deltas */
  client_dump (client_a);
  sum = sum_flow (client_a->records, "127.0.0.1", src_port, "127.0.0.2", dst_port);
  g_assert_cmpuint (sum.packets, ==, 5);
  g_assert_cmpuint (sum.n_new, ==, 1);

  if (!have_ipv6_loopback ())
    {
      g_test_message ("no IPv6 loopback in this namespace; IPv4 only");
      return;
    }

  udp_exchange ("::1", "::1", 3, 60, 1, &src_port, &dst_port);
  client_dump (client_a);
  sum = sum_flow (client_a->records, "::1", src_port, "::1", dst_port);
  g_assert_cmpuint (sum.n_new, ==, 1);
  g_assert_cmpuint (sum.family, ==, 6);
  g_assert_cmpuint (sum.packets, ==, 3);
  g_assert_cmpuint (sum.bytes, ==, 3 * (60 + 48));
  g_assert_cmpuint (sum.reply_packets, ==, 1);

  g_assert_cmpuint (ps_gateway_source_get_rejected_records (client_a->source), ==, 0);
  g_assert_cmpuint (get_stat ("records_sent"), >=, 2);
}

static void
test_second_client (void)
{
  guint16 old_src, old_dst, src_port, dst_port;
  FlowSum sum;

  g_assert_nonnull (client_a);

  /* a flow from before the second client subscribes */
  udp_exchange ("127.0.0.1", "127.0.0.3", 4, 50, 0, &old_src, &old_dst);

  client_b = client_new ();
  client_start_settled (client_b);
  g_assert_true (wait_for (subscribers_are, GUINT_TO_POINTER (2), WAIT_MS));

  udp_exchange ("127.0.0.1", "127.0.0.4", 7, 20, 3, &src_port, &dst_port);
  client_dump (client_a);
  client_dump (client_b);

  /* each subscriber counts on its own: both see the whole new flow */
  sum = sum_flow (client_a->records, "127.0.0.1", src_port, "127.0.0.4", dst_port);
  g_assert_cmpuint (sum.n_new, ==, 1);
  g_assert_cmpuint (sum.packets, ==, 7);
  g_assert_cmpuint (sum.reply_packets, ==, 3);
  sum = sum_flow (client_b->records, "127.0.0.1", src_port, "127.0.0.4", dst_port);
  g_assert_cmpuint (sum.n_new, ==, 1);
  g_assert_cmpuint (sum.packets, ==, 7);
  g_assert_cmpuint (sum.bytes, ==, 7 * 48);
  g_assert_cmpuint (sum.reply_packets, ==, 3);

  /* and the latecomer hears of the older flow, with all of its counters */
  sum = sum_flow (client_b->records, "127.0.0.1", old_src, "127.0.0.3", old_dst);
  g_assert_cmpuint (sum.n_new, ==, 1);
  g_assert_cmpuint (sum.packets, ==, 4);
  sum = sum_flow (client_a->records, "127.0.0.1", old_src, "127.0.0.3", old_dst);
  g_assert_cmpuint (sum.packets, ==, 4);
}

static void
test_forged_records (void)
{
  g_autoptr(GError) error = NULL;
  PsFlowRecord forged;
  GVariant *array;
  guint before;
  FlowSum sum;

  g_assert_nonnull (client_a);

  /* anyone on the bus can send client A a Records signal of its own */
  ps_flow_record_init (&forged, PS_FLOW_ORIGIN_CONNTRACK);
  forged.ip_protocol = 17;
  g_assert_true (ps_ip_address_parse (&forged.src, "192.0.2.66"));
  g_assert_true (ps_ip_address_parse (&forged.dst, "192.0.2.67"));
  forged.src_port = 6666;
  forged.dst_port = 6667;
  forged.packets = 1;
  forged.new_flow = TRUE;
  array = ps_gateway_records_to_variant (&forged, 1);

  before = client_a->records->len;
  g_dbus_connection_emit_signal (admin, g_dbus_connection_get_unique_name (client_a->connection),
                                 PS_GATEWAY_OBJECT_PATH, PS_GATEWAY_FLOWS_INTERFACE, "Records",
                                 g_variant_new_tuple (&array, 1), &error);
  g_assert_no_error (error);
  g_dbus_connection_flush_sync (admin, NULL, &error);
  g_assert_no_error (error);
  spin (300);
  client_dump (client_a);

  sum = sum_flow (client_a->records, "192.0.2.66", 6666, "192.0.2.67", 6667);
  g_assert_cmpuint (sum.n_records, ==, 0);
  g_assert_cmpuint (client_a->records->len, >=, before);
}

static void
test_disconnect (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (client_a);
  g_assert_nonnull (client_b);

  /* leaving the bus unsubscribes, without a word to the helper */
  g_dbus_connection_close_sync (client_b->connection, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (wait_for (subscribers_are, GUINT_TO_POINTER (1), WAIT_MS));
  g_clear_pointer (&client_b, client_free);

  /* stopping unsubscribes: no source runs without a subscriber */
  ps_flow_source_stop (PS_FLOW_SOURCE (client_a->source));
  g_assert_cmpint (ps_gateway_source_get_state (client_a->source), ==,
                   PS_GATEWAY_SOURCE_STATE_STOPPED);
  g_assert_true (wait_for (subscribers_are, GUINT_TO_POINTER (0), WAIT_MS));

  /* and starting again subscribes again */
  client_start (client_a);
  g_assert_true (wait_for (subscribers_are, GUINT_TO_POINTER (1), WAIT_MS));
  g_clear_pointer (&client_a, client_free);
  g_assert_true (wait_for (subscribers_are, GUINT_TO_POINTER (0), WAIT_MS));
}

static char *
run_as_nobody (const char *mode)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) helper = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *copy = NULL;
  g_autofree char *self_exe = NULL;
  g_autofree char *contents = NULL;
  gsize length;
  char *output = NULL;

  /* a copy nobody can run, wherever the build directory lives */
  self_exe = g_file_read_link ("/proc/self/exe", &error);
  g_assert_no_error (error);
  dir = g_dir_make_tmp ("psgw-XXXXXX", &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (dir, 0755), ==, 0);
  copy = g_build_filename (dir, "test-gatewayd", NULL);
  g_file_get_contents (self_exe, &contents, &length, &error);
  g_assert_no_error (error);
  g_file_set_contents_full (copy, contents, (gssize) length, G_FILE_SET_CONTENTS_NONE, 0755,
                            &error);
  g_assert_no_error (error);

  helper = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                             "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                             "--", copy, mode, bus_address, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (helper, NULL, NULL, &output, NULL, &error);
  g_assert_no_error (error);

  g_unlink (copy);
  g_rmdir (dir);
  g_strstrip (output);
  return output;
}

static void
test_not_root (void)
{
  g_autofree char *subscribed = NULL;
  g_autofree char *owned = NULL;
  g_autofree char *setpriv = g_find_program_in_path ("setpriv");

  if (setpriv == NULL)
    {
      g_test_skip ("setpriv (util-linux) is missing");
      return;
    }

  /* no polkit agent says yes here (and usually no polkit at all) */
  subscribed = run_as_nobody ("--helper-subscribe");
  g_test_message ("as nobody: %s", subscribed);
  g_assert_true (g_str_has_prefix (subscribed, "not-authorized"));
  g_assert_cmpuint (get_stat ("subscribers"), ==, 0);

  /* the bus policy keeps the name for root */
  owned = run_as_nobody ("--helper-own");
  g_assert_cmpstr (owned, ==, "denied");
}

static void
test_replace_and_idle_exit (void)
{
  g_autoptr(GSubprocess) second_daemon = NULL;
  Client *client;
  guint16 src_port, dst_port;
  gint64 stopped_at;
  FlowSum sum;

  client = client_new ();
  client_start_settled (client);

  /* a new helper takes over; the first one leaves, the client follows */
  second_daemon = start_daemon ("--replace", "--idle-exit", "2", NULL);
  g_assert_true (wait_exit (first_daemon, WAIT_MS));
  g_assert_true (g_subprocess_get_if_exited (first_daemon));
  g_assert_cmpint (g_subprocess_get_exit_status (first_daemon), ==, 0);
  g_assert_true (wait_for (name_has_owner, NULL, WAIT_MS));
  g_assert_true (wait_for (subscribers_are, GUINT_TO_POINTER (1), WAIT_MS));
  g_assert_true (wait_for (client_watching, client, WAIT_MS));
  g_assert_true (wait_for (dumps_reach, GUINT_TO_POINTER (1), WAIT_MS));

  udp_exchange ("127.0.0.1", "127.0.0.5", 2, 10, 0, &src_port, &dst_port);
  client_dump (client);
  sum = sum_flow (client->records, "127.0.0.1", src_port, "127.0.0.5", dst_port);
  g_assert_cmpuint (sum.packets, ==, 2);

  /* no client left: the helper goes after its idle time */
  g_clear_pointer (&client, client_free);
  stopped_at = g_get_monotonic_time ();
  g_assert_true (wait_exit (second_daemon, WAIT_MS));
  g_assert_true (g_subprocess_get_if_exited (second_daemon));
  g_assert_cmpint (g_subprocess_get_exit_status (second_daemon), ==, 0);
  g_assert_cmpint (g_get_monotonic_time () - stopped_at, >=, G_USEC_PER_SEC);
  g_assert_false (name_has_owner (NULL));
}

/* Run as nobody by test_not_root */

static gboolean
source_settled (gpointer data)
{
  return ps_gateway_source_get_state (data) != PS_GATEWAY_SOURCE_STATE_CONNECTING;
}

static int
helper_subscribe (void)
{
  g_autoptr(GDBusConnection) connection = open_connection ();
  g_autoptr(PsGatewaySource) source = ps_gateway_source_new (connection);
  g_autoptr(GEnumClass) states = g_type_class_ref (PS_TYPE_GATEWAY_SOURCE_STATE);
  const GError *error;

  ps_flow_source_start (PS_FLOW_SOURCE (source), NULL);
  wait_for (source_settled, source, WAIT_MS);
  error = ps_gateway_source_get_error (source);
  g_print ("%s: %s\n",
           g_enum_get_value (states, ps_gateway_source_get_state (source))->value_nick,
           error != NULL ? error->message : "");
  ps_flow_source_stop (PS_FLOW_SOURCE (source));
  return 0;
}

static int
helper_own (void)
{
  g_autoptr(GDBusConnection) connection = open_connection ();
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  guint32 result;

  reply = g_dbus_connection_call_sync (connection, "org.freedesktop.DBus",
                                       "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                       "RequestName",
                                       g_variant_new ("(su)", PS_GATEWAY_BUS_NAME, 4),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                       NULL, &error);
  if (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED))
    {
      g_print ("denied\n");
      return 0;
    }
  if (reply == NULL)
    {
      g_print ("error: %s\n", error->message);
      return 0;
    }

  g_variant_get (reply, "(u)", &result);
  g_print ("owned: %u\n", result);
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  int status;

  bus_address = g_getenv ("PS_GATEWAY_TEST_BUS");
  gatewayd_path = g_getenv ("PS_GATEWAYD");
  state_dir = g_getenv ("PS_GATEWAY_STATE_DIR");

  if (argc == 3 && g_str_equal (argv[1], "--helper-subscribe"))
    {
      bus_address = argv[2];
      return helper_subscribe ();
    }
  if (argc == 3 && g_str_equal (argv[1], "--helper-own"))
    {
      bus_address = argv[2];
      return helper_own ();
    }

  g_test_init (&argc, &argv, NULL);

  if (bus_address == NULL || gatewayd_path == NULL)
    {
      g_print ("1..0 # SKIP run by tests/lab/test-lab-gatewayd.sh (needs a private bus)\n");
      return 0;
    }

  /* PS_GATEWAY_ERROR from the helper's error names */
  ps_gateway_error_quark ();

  admin = open_connection ();
  first_daemon = start_daemon (NULL);
  if (!wait_for (name_has_owner, NULL, WAIT_MS))
    g_error ("peerscope-gatewayd did not take %s", PS_GATEWAY_BUS_NAME);

  g_test_add_func ("/gatewayd/properties", test_properties);
  g_test_add_func ("/gatewayd/bad-calls", test_bad_calls);
  g_test_add_func ("/gatewayd/records", test_records);
  g_test_add_func ("/gatewayd/second-client", test_second_client);
  g_test_add_func ("/gatewayd/forged-records", test_forged_records);
  g_test_add_func ("/gatewayd/disconnect", test_disconnect);
  g_test_add_func ("/gatewayd/not-root", test_not_root);
  g_test_add_func ("/gatewayd/replace-and-idle-exit", test_replace_and_idle_exit);

  status = g_test_run ();

  g_clear_pointer (&client_a, client_free);
  g_clear_pointer (&client_b, client_free);
  /* still there when a test failed early: SIGTERM ends it cleanly */
  if (g_subprocess_get_identifier (first_daemon) != NULL)
    {
      g_subprocess_send_signal (first_daemon, SIGTERM);
      wait_exit (first_daemon, WAIT_MS);
    }
  g_clear_object (&first_daemon);
  g_dbus_connection_close_sync (admin, NULL, NULL);
  g_clear_object (&admin);

  return status;
}
