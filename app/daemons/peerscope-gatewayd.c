/* peerscope-gatewayd.c: the privileged gateway helper
 *
 * A D-Bus system service (io.github.peerscope.Gateway1) that reads
 * connection tracking (the Flows interface) and enforces Peerscope's
 * privacy policy in nftables (the Policy interface) for the unprivileged
 * window and CLI, each caller authorised with polkit.  Started by D-Bus
 * activation through systemd (data/systemd/peerscope-gatewayd.service), and
 * at boot when the unit is enabled, to apply the stored policy again; tests
 * run it on a private bus.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "peerscope-gatewayd"

#include "config.h"

#include <glib-unix.h>
#include <locale.h>
#include <stdio.h>

#include "ps-gateway-policy-service.h"
#include "ps-gateway-protocol.h"
#include "ps-gateway-service.h"
#include "ps-policy-store.h"

/* a day: longer makes no sense and keeps the milliseconds in range */
#define MAX_IDLE_EXIT_SECONDS (24 * 60 * 60)

typedef struct
{
  GMainLoop              *loop;
  GDBusConnection        *connection;
  PsGatewayService       *service;          /* Flows */
  PsGatewayPolicyService *policy_service;   /* Policy */
  guint                   owner_id;
  guint                   idle_exit;        /* seconds; 0 for never */
  guint                   idle_id;
  gboolean                name_acquired;
  gboolean                name_lost;
  int                     status;
} Daemon;

static void
daemon_quit (Daemon *daemon,
             int     status)
{
  daemon->status = status;
  g_main_loop_quit (daemon->loop);
}

static gboolean
on_idle_timeout_cb (gpointer user_data)
{
  Daemon *daemon = user_data;

  daemon->idle_id = 0;
  g_message ("No clients for %u s, exiting", daemon->idle_exit);

  /* give the name back at once: a call that comes now starts a new helper */
  g_clear_handle_id (&daemon->owner_id, g_bus_unown_name);
  daemon_quit (daemon, 0);

  return G_SOURCE_REMOVE;
}

static void
daemon_update_idle_timer (Daemon *daemon)
{
  gboolean idle = ps_gateway_service_get_idle (daemon->service)
                  && ps_gateway_policy_service_get_idle (daemon->policy_service);

  if (daemon->idle_exit == 0 || !daemon->name_acquired || !idle)
    {
      g_clear_handle_id (&daemon->idle_id, g_source_remove);
      return;
    }

  if (daemon->idle_id == 0)
    daemon->idle_id = g_timeout_add_seconds (daemon->idle_exit, on_idle_timeout_cb, daemon);
}

static void
on_service_idle_notify_cb (GObject    *service,
                           GParamSpec *pspec,
                           Daemon     *daemon)
{
  daemon_update_idle_timer (daemon);
}

static void
on_name_acquired_cb (GDBusConnection *connection,
                     const char      *name,
                     gpointer         user_data)
{
  Daemon *daemon = user_data;

  g_debug ("Owning %s", name);
  daemon->name_acquired = TRUE;
  daemon_update_idle_timer (daemon);
}

static void
on_name_lost_cb (GDBusConnection *connection,
                 const char      *name,
                 gpointer         user_data)
{
  Daemon *daemon = user_data;

  daemon->name_lost = TRUE;
  if (daemon->name_acquired)
    {
      g_message ("Replaced by another instance of %s", name);
      daemon_quit (daemon, 0);
    }
  else
    {
      g_printerr ("peerscope-gatewayd: cannot own %s: another instance runs "
                  "(--replace takes over) or the bus policy forbids it\n", name);
      daemon_quit (daemon, 1);
    }
}

static void
on_connection_closed_cb (GDBusConnection *connection,
                         gboolean         remote_peer_vanished,
                         GError          *error,
                         Daemon          *daemon)
{
  g_message ("Lost the message bus%s%s", error != NULL ? ": " : "",
             error != NULL ? error->message : "");
  daemon_quit (daemon, 1);
}

static gboolean
on_signal_cb (gpointer user_data)
{
  daemon_quit (user_data, 0);
  return G_SOURCE_CONTINUE;
}

/* The kernel forgets the rules at every boot: the store remembers them. */
static void
restore_policy (Daemon *daemon)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *digest = NULL;
  gboolean changed = FALSE;

  if (ps_gateway_policy_service_restore (daemon->policy_service, &changed, &digest, &error))
    g_message ("Stored policy %.12s %s", digest,
               changed ? "applied again" : "already enforced");
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    g_debug ("No stored policy");
  else
    {
      /* serving flows is still worth it; Apply can fix the policy */
      g_message ("Cannot apply the stored policy: %s", error->message);
    }
}

static GDBusConnection *
connect_bus (gboolean     session,
             const char  *address,
             GError     **error)
{
  if (address != NULL)
    return g_dbus_connection_new_for_address_sync (address,
                                                   G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
                                                   | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                   NULL, NULL, error);

  return g_bus_get_sync (session ? G_BUS_TYPE_SESSION : G_BUS_TYPE_SYSTEM, NULL, error);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *bus_address = NULL;
  g_autofree char *state_dir = NULL;
  g_autofree char *store_path = NULL;
  gboolean session = FALSE;
  gboolean replace = FALSE;
  gboolean version = FALSE;
  int idle_exit = 0;
  GBusNameOwnerFlags flags;
  PsGatewayBus bus;
  Daemon daemon = { 0 };
  const GOptionEntry entries[] = {
    { "session", 0, 0, G_OPTION_ARG_NONE, &session,
      "Use the session bus, without polkit (for tests)", NULL },
    { "bus-address", 0, 0, G_OPTION_ARG_STRING, &bus_address,
      "Use the message bus at ADDRESS (for tests); polkit still decides", "ADDRESS" },
    { "replace", 'r', 0, G_OPTION_ARG_NONE, &replace,
      "Take the bus name over from a running instance", NULL },
    { "idle-exit", 0, 0, G_OPTION_ARG_INT, &idle_exit,
      "Exit after SECONDS without clients (default 0: never)", "SECONDS" },
    { "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &state_dir,
      "Keep the applied policy in DIR (default /var/lib/peerscope; for tests)", "DIR" },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version,
      "Print the version and exit", NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, "Serves connection tracking flows to Peerscope over "
                                         "D-Bus and enforces its privacy policy with "
                                         "nftables, for callers that polkit authorises.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("peerscope-gatewayd: %s\n", error->message);
      return 2;
    }

  if (version)
    {
      printf ("peerscope-gatewayd %s (interface version %u)\n", PACKAGE_VERSION,
              PS_GATEWAY_VERSION);
      return 0;
    }

  if (argc > 1)
    {
      g_printerr ("peerscope-gatewayd: unexpected argument “%s”\n", argv[1]);
      return 2;
    }
  if (session && bus_address != NULL)
    {
      g_printerr ("peerscope-gatewayd: --session and --bus-address exclude each other\n");
      return 2;
    }
  if (idle_exit < 0 || idle_exit > MAX_IDLE_EXIT_SECONDS)
    {
      g_printerr ("peerscope-gatewayd: --idle-exit takes 0 to %d seconds\n",
                  MAX_IDLE_EXIT_SECONDS);
      return 2;
    }
  if (state_dir != NULL && !g_path_is_absolute (state_dir))
    {
      g_printerr ("peerscope-gatewayd: --state-dir takes an absolute path\n");
      return 2;
    }

  bus = bus_address != NULL ? PS_GATEWAY_BUS_PRIVATE
        : session ? PS_GATEWAY_BUS_SESSION
        : PS_GATEWAY_BUS_SYSTEM;

  daemon.connection = connect_bus (session, bus_address, &error);
  if (daemon.connection == NULL)
    {
      g_printerr ("peerscope-gatewayd: cannot connect to the message bus: %s\n", error->message);
      return 1;
    }

  /* a lost bus ends the main loop, not the process on the spot */
  g_dbus_connection_set_exit_on_close (daemon.connection, FALSE);

  daemon.loop = g_main_loop_new (NULL, FALSE);
  daemon.idle_exit = (guint) idle_exit;
  daemon.service = ps_gateway_service_new (daemon.connection, bus);
  store_path = state_dir != NULL ? g_build_filename (state_dir, "policy.db", NULL)
                                 : ps_policy_store_default_path (TRUE);
  daemon.policy_service = ps_gateway_policy_service_new (daemon.connection, bus, store_path);

  /* exported before the name is owned, so no call finds it missing */
  if (!ps_gateway_service_register (daemon.service, &error)
      || !ps_gateway_policy_service_register (daemon.policy_service, &error))
    {
      g_printerr ("peerscope-gatewayd: cannot export %s: %s\n", PS_GATEWAY_OBJECT_PATH,
                  error->message);
      ps_gateway_service_unregister (daemon.service);
      g_clear_object (&daemon.policy_service);
      g_clear_object (&daemon.service);
      g_clear_object (&daemon.connection);
      g_main_loop_unref (daemon.loop);
      return 1;
    }

  /* before the name is owned: the first caller sees the policy in force.
   * The session bus is a test mode that may run without privileges. */
  if (bus != PS_GATEWAY_BUS_SESSION)
    restore_policy (&daemon);

  g_signal_connect (daemon.service, "notify::idle", G_CALLBACK (on_service_idle_notify_cb),
                    &daemon);
  g_signal_connect (daemon.policy_service, "notify::idle",
                    G_CALLBACK (on_service_idle_notify_cb), &daemon);
  g_signal_connect (daemon.connection, "closed", G_CALLBACK (on_connection_closed_cb), &daemon);
  g_unix_signal_add (SIGTERM, on_signal_cb, &daemon);
  g_unix_signal_add (SIGINT, on_signal_cb, &daemon);

  flags = G_BUS_NAME_OWNER_FLAGS_ALLOW_REPLACEMENT | G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE;
  if (replace)
    flags |= G_BUS_NAME_OWNER_FLAGS_REPLACE;
  daemon.owner_id = g_bus_own_name_on_connection (daemon.connection, PS_GATEWAY_BUS_NAME, flags,
                                                  on_name_acquired_cb, on_name_lost_cb,
                                                  &daemon, NULL);

  g_main_loop_run (daemon.loop);

  g_clear_handle_id (&daemon.idle_id, g_source_remove);
  g_signal_handlers_disconnect_by_data (daemon.service, &daemon);
  g_signal_handlers_disconnect_by_data (daemon.policy_service, &daemon);
  g_signal_handlers_disconnect_by_data (daemon.connection, &daemon);
  ps_gateway_service_unregister (daemon.service);
  /* a policy change under way is finished and answered first */
  ps_gateway_policy_service_shutdown (daemon.policy_service);
  g_clear_object (&daemon.policy_service);
  g_clear_object (&daemon.service);

  /* replies reach the bus before we go.  A name we lost is not given
   * back: GLib would still ask the bus to release it and warn at the
   * answer, and the process ends anyway. */
  if (!g_dbus_connection_is_closed (daemon.connection))
    g_dbus_connection_flush_sync (daemon.connection, NULL, NULL);
  if (!daemon.name_lost)
    g_clear_handle_id (&daemon.owner_id, g_bus_unown_name);
  g_clear_object (&daemon.connection);
  g_main_loop_unref (daemon.loop);

  return daemon.status;
}
