/* test-gatewayd-policy.c: peerscope-gatewayd's Policy interface on a private bus
 *
 * Run by tests/lab/test-lab-gatewayd.sh inside a network namespace of its
 * own, where a private dbus-daemon applies the helper's real bus policy
 * (data/dbus).  It starts the helper with a state folder of its own and
 * drives it with PsGatewayPolicyClient and with raw calls: applying and
 * re-applying a policy (checked with `nft -j list table inet peerscope`
 * and in the store), hostile documents that must change nothing, blocked
 * attempts, a caller that is not root, calls in a burst, a store that
 * cannot be written, restarts that apply the stored policy again, and
 * removing, next to a table that is not Peerscope's and must not change.
 *
 * The parser itself is fuzzed by tests/fuzz/fuzz-policy-json.c.
 *
 * Environment: PS_GATEWAY_TEST_BUS (the bus address), PS_GATEWAYD,
 * PS_GATEWAY_STATE_DIR (an empty folder).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ps-gateway-policy-client.h"
#include "ps-gateway-protocol.h"
#include "ps-policy-compiler.h"
#include "ps-policy-store.h"

#define WAIT_MS 15000
#define GATEWAY_NOT_AUTHORIZED "io.github.peerscope.Gateway1.Error.NotAuthorized"

#define POLICY_A \
  "{\"version\":1,\"default_intent\":\"open\",\"p2p_servers\":[\"198.51.100.11\"]," \
  "\"devices\":[{\"id\":\"cam1\",\"mac\":\"02:00:00:00:01:01\"," \
  "\"addresses\":[\"10.99.1.11\",\"fd00:99::11\"],\"intent\":\"block-vendor-p2p\"}]}"
#define POLICY_B \
  "{\"version\":1,\"default_intent\":\"open\"," \
  "\"devices\":[{\"id\":\"cam1\",\"addresses\":[\"10.99.1.11\"],\"intent\":\"local-only\"}," \
  "{\"id\":\"cam2\",\"addresses\":[\"10.99.1.12\"],\"intent\":\"allow-list\"," \
  "\"allow\":[\"192.0.2.10\"]}]}"

/* a table of the machine's own, which the helper must never touch */
#define UNRELATED_TABLE \
  "table inet psgw_unrelated {\n" \
  "  set keep { type ipv4_addr; elements = { 192.0.2.77 } }\n" \
  "  chain forward {\n" \
  "    type filter hook forward priority 5; policy accept;\n" \
  "    ip daddr @keep drop\n" \
  "  }\n" \
  "}\n"

static const char *bus_address;
static const char *gatewayd_path;
static const char *state_dir;
static char *store_path;
static GSubprocess *daemon_process;
static GDBusConnection *admin;          /* the test's own connection: root */
static PsGatewayPolicyClient *client;

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

/* Starts the helper on the bus with state_dir (or dir) and waits for it. */
static GSubprocess *
start_daemon (const char *dir)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  /* its stdout is not part of our TAP stream */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_take_stdout_fd (launcher, dup (STDERR_FILENO));
  process = g_subprocess_launcher_spawn (launcher, &error, gatewayd_path,
                                         "--bus-address", bus_address,
                                         "--state-dir", dir != NULL ? dir : state_dir, NULL);
  g_assert_no_error (error);
  if (!wait_for (name_has_owner, NULL, WAIT_MS))
    g_error ("peerscope-gatewayd did not take %s", PS_GATEWAY_BUS_NAME);

  return process;
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
  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  ((Waiting *) user_data)->done = TRUE;
}

static gboolean
waiting_done (gpointer data)
{
  return ((Waiting *) data)->done;
}

/* SIGTERM, and a clean exit within WAIT_MS. */
static void
stop_daemon (void)
{
  Waiting waiting = { FALSE };

  g_assert_nonnull (daemon_process);
  g_subprocess_send_signal (daemon_process, SIGTERM);
  g_subprocess_wait_async (daemon_process, NULL, on_subprocess_exit_cb, &waiting);
  if (!wait_for (waiting_done, &waiting, WAIT_MS))
    {
      g_subprocess_force_exit (daemon_process);
      wait_for (waiting_done, &waiting, G_MAXINT);
      g_error ("peerscope-gatewayd did not stop on SIGTERM");
    }

  g_assert_true (g_subprocess_get_if_exited (daemon_process));
  g_assert_cmpint (g_subprocess_get_exit_status (daemon_process), ==, 0);
  g_clear_object (&daemon_process);
}

/* nft with args, in our namespace; its stdout, or NULL when it failed. */
static char *
nft (const char *input,
     const char *first_arg,
     ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *output = NULL;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (gpointer) "nft");
  va_start (args, first_arg);
  for (arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                               | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, input, NULL, &output, NULL, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (process))
    return NULL;

  return g_steal_pointer (&output);
}

/* The digest the kernel's Peerscope table carries, or NULL without one. */
static char *
table_digest (void)
{
  g_autofree char *listing = nft (NULL, "-j", "list", "table", "inet", "peerscope", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  if (listing == NULL)
    return NULL;

  json_parser_load_from_data (parser, listing, -1, &error);
  g_assert_no_error (error);
  return ps_policy_find_digest (json_parser_get_root (parser));
}

static char *
digest_of (const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PsPolicy) policy = ps_policy_new_from_json (json, -1, &error);

  g_assert_no_error (error);
  return ps_policy_digest (policy);
}

/* The stored policy as canonical JSON and the length of its change log,
 * or NULL when none is stored. */
static char *
stored_bytes (void)
{
  g_autoptr(PsPolicy) stored = ps_policy_store_load (store_path, NULL);
  g_autoptr(GPtrArray) changes = ps_policy_store_dup_changes (store_path, 0, NULL);
  g_autofree char *json = NULL;

  if (stored == NULL || changes == NULL)
    return NULL;
  json = ps_policy_to_json (stored);
  return g_strdup_printf ("%s\nchanges: %u", json, changes->len);
}

/* Runs SQL on the store, as someone editing it by hand would */
static void
edit_store (const char *sql)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (store_path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

static GVariant *
call_policy (GDBusConnection  *connection,
             const char       *method,
             GVariant         *parameters,
             GError          **error)
{
  return g_dbus_connection_call_sync (connection, PS_GATEWAY_BUS_NAME, PS_GATEWAY_OBJECT_PATH,
                                      PS_GATEWAY_POLICY_INTERFACE, method, parameters, NULL,
                                      G_DBUS_CALL_FLAGS_NO_AUTO_START, 30000, NULL, error);
}

/* The client's async calls, run to the end */

typedef struct
{
  GAsyncResult *result;
} Result;

static void
on_result_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  ((Result *) user_data)->result = g_object_ref (result);
}

static gboolean
has_result (gpointer data)
{
  return ((Result *) data)->result != NULL;
}

static GAsyncResult *
wait_result (Result *r)
{
  g_assert_true (wait_for (has_result, r, G_MAXINT));
  return r->result;
}

static gboolean
client_apply (const char  *json,
              gboolean    *changed,
              char       **digest,
              GError     **error)
{
  g_autoptr(PsPolicy) policy = ps_policy_new_from_json (json, -1, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  Result r = { NULL };

  g_assert_nonnull (policy);
  ps_gateway_policy_client_apply_async (client, policy, NULL, on_result_cb, &r);
  result = wait_result (&r);
  return ps_gateway_policy_client_apply_finish (client, result, changed, digest, error);
}

static void
client_get_state (char     **live,
                  char     **stored,
                  gboolean  *enforcing)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  Result r = { NULL };

  ps_gateway_policy_client_get_state_async (client, NULL, on_result_cb, &r);
  result = wait_result (&r);
  g_assert_true (ps_gateway_policy_client_get_state_finish (client, result, live, stored,
                                                            enforcing, &error));
  g_assert_no_error (error);
}

static void
assert_state (const char *expected_live,
              const char *expected_stored,
              gboolean    expected_enforcing)
{
  g_autofree char *live = NULL;
  g_autofree char *stored = NULL;
  gboolean enforcing = !expected_enforcing;

  client_get_state (&live, &stored, &enforcing);
  g_assert_cmpstr (live, ==, expected_live);
  g_assert_cmpstr (stored, ==, expected_stored);
  g_assert_cmpint (enforcing, ==, expected_enforcing);
}

/* Tests, in order: they share the helper and its state */

static void
test_interface (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GDBusNodeInfo) node = NULL;
  GDBusInterfaceInfo *policy;
  const char *xml;
  guint n_methods = 0;

  reply = g_dbus_connection_call_sync (admin, PS_GATEWAY_BUS_NAME, PS_GATEWAY_OBJECT_PATH,
                                       "org.freedesktop.DBus.Introspectable", "Introspect",
                                       NULL, G_VARIANT_TYPE ("(s)"), G_DBUS_CALL_FLAGS_NONE,
                                       -1, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(&s)", &xml);
  node = g_dbus_node_info_new_for_xml (xml, &error);
  g_assert_no_error (error);

  g_assert_nonnull (g_dbus_node_info_lookup_interface (node, PS_GATEWAY_FLOWS_INTERFACE));
  policy = g_dbus_node_info_lookup_interface (node, PS_GATEWAY_POLICY_INTERFACE);
  g_assert_nonnull (policy);

  /* a policy document is the only input: no method takes rules */
  for (guint i = 0; policy->methods[i] != NULL; i++)
    {
      const char *name = policy->methods[i]->name;
      GDBusArgInfo **in_args = policy->methods[i]->in_args;

      n_methods++;
      g_assert_true (g_str_equal (name, "Apply") || g_str_equal (name, "Remove")
                     || g_str_equal (name, "GetState") || g_str_equal (name, "GetBlocked"));
      if (g_str_equal (name, "Apply"))
        {
          g_assert_nonnull (in_args[0]);
          g_assert_cmpstr (in_args[0]->name, ==, "policy_json");
          g_assert_null (in_args[1]);
        }
      else
        {
          g_assert_true (in_args == NULL || in_args[0] == NULL);
        }
    }
  g_assert_cmpuint (n_methods, ==, 4);
}

static void
test_empty (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  assert_state (NULL, NULL, FALSE);

  /* nothing to remove is not an error */
  reply = call_policy (admin, "Remove", NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&reply, g_variant_unref);

  reply = call_policy (admin, "GetBlocked", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_variant_get_type_string (reply), ==, "(a(sssqtt))");
  g_assert_cmpuint (g_variant_n_children (g_variant_get_child_value (reply, 0)), ==, 0);
}

static void
test_apply (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PsPolicy) stored = NULL;
  g_autoptr(PsPolicy) expected = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *expected_digest = digest_of (POLICY_A);
  g_autofree char *live = NULL;
  gboolean changed = FALSE;
  GStatBuf st;

  g_assert_true (client_apply (POLICY_A, &changed, &digest, &error));
  g_assert_no_error (error);
  g_assert_true (changed);
  g_assert_cmpstr (digest, ==, expected_digest);

  /* the kernel has it */
  live = table_digest ();
  g_assert_cmpstr (live, ==, expected_digest);

  /* and so has the store, private to root, before the answer came */
  g_assert_cmpint (g_stat (store_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  stored = ps_policy_store_load (store_path, &error);
  g_assert_no_error (error);
  expected = ps_policy_new_from_json (POLICY_A, -1, NULL);
  g_assert_true (ps_policy_equal (stored, expected));
}

static void
test_apply_again (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *expected_digest = digest_of (POLICY_A);
  gboolean changed = TRUE;
  const char *raw_digest;

  g_assert_true (client_apply (POLICY_A, &changed, &digest, &error));
  g_assert_no_error (error);
  g_assert_false (changed);
  g_assert_cmpstr (digest, ==, expected_digest);

  /* the same document with other spacing is the same policy */
  reply = call_policy (admin, "Apply", g_variant_new ("(s)", "  " POLICY_A "\n"), &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(b&s)", &changed, &raw_digest);
  g_assert_false (changed);
  g_assert_cmpstr (raw_digest, ==, expected_digest);
}

static void
test_state (void)
{
  g_autofree char *digest = digest_of (POLICY_A);

  assert_state (digest, digest, TRUE);
}

static void
test_hostile (void)
{
  g_autofree char *before_store = stored_bytes ();
  g_autofree char *before_live = table_digest ();
  g_autofree char *big = NULL;
  g_autoptr(GString) many = g_string_new ("{\"devices\":[");
  g_autoptr(GString) deep = g_string_new ("{\"devices\":");
  const char *hostile[] = {
    "",
    "{",
    "[]",
    "null",
    "{\"version\":1,\"unknown\":true}",
    "{\"version\":2}",
    "{\"devices\":[{\"id\":\"cam;nft flush ruleset\",\"addresses\":[\"10.99.1.11\"],"
    "\"intent\":\"local-only\"}]}",
    "{\"devices\":[{\"id\":\"cam\\nflush ruleset\",\"addresses\":[\"10.99.1.11\"],"
    "\"intent\":\"local-only\"}]}",
    "{\"devices\":[{\"id\":\"cam\\\"; drop\",\"addresses\":[\"10.99.1.11\"],"
    "\"intent\":\"local-only\"}]}",
    "{\"devices\":[{\"id\":\"cam'x\",\"addresses\":[\"10.99.1.11\"],\"intent\":\"open\"}]}",
    "{\"devices\":[{\"id\":\"cam1\",\"addresses\":[\"10.99.1.11\"],\"intent\":\"allow-all\"}]}",
    "{\"devices\":[{\"id\":\"cam1\",\"addresses\":[\"10.99.1.11\"],\"intent\":3}]}",
    "{\"devices\":[{\"id\":\"cam1\",\"addresses\":[\"10.99.1.11; flush ruleset\"],"
    "\"intent\":\"local-only\"}]}",
    "{\"devices\":[{\"id\":\"cam1\",\"mac\":\"02:00:00:00:00:01 drop\",\"intent\":\"open\"}]}",
    "{\"devices\":[{\"id\":\"cam1\",\"addresses\":[\"10.99.1.11\"],\"intent\":\"allow-list\","
    "\"allow\":[\"192.0.2.0/33\"]}]}",
    "{\"p2p_ports\":[\"udp/99999\"]}",
    NULL, /* deep */
    NULL, /* too many devices */
    NULL, /* 2 MB */
    NULL
  };
  guint n_fixed = g_strv_length ((char **) hostile);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *after_store = NULL;
  g_autofree char *after_live = NULL;

  g_assert_nonnull (before_store);
  g_assert_nonnull (before_live);

  for (guint i = 0; i < 64; i++)
    g_string_append (deep, "[");
  for (guint i = 0; i < 64; i++)
    g_string_append (deep, "]");
  g_string_append (deep, "}");
  hostile[n_fixed] = deep->str;

  for (guint i = 0; i <= PS_POLICY_MAX_DEVICES; i++)
    g_string_append_printf (many, "%s{\"id\":\"cam%u\",\"addresses\":[\"10.98.%u.%u\"],"
                            "\"intent\":\"local-only\"}",
                            i > 0 ? "," : "", i, i / 250, 1 + i % 250);
  g_string_append (many, "]}");
  hostile[n_fixed + 1] = many->str;

  big = g_strnfill (2 * 1024 * 1024, 'a');
  memcpy (big, "{\"devices\":[{\"id\":\"", strlen ("{\"devices\":[{\"id\":\""));
  hostile[n_fixed + 2] = big;

  for (guint i = 0; hostile[i] != NULL; i++)
    {
      reply = call_policy (admin, "Apply", g_variant_new ("(s)", hostile[i]), &error);
      g_test_message ("hostile %u: %s", i, error != NULL ? error->message : "accepted");
      g_assert_null (reply);
      g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
      g_clear_error (&error);
    }

  /* wrong signatures never reach the helper's code */
  reply = call_policy (admin, "Apply", g_variant_new ("(i)", 7), &error);
  g_assert_null (reply);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  g_clear_error (&error);
  reply = call_policy (admin, "Apply", g_variant_new ("(ss)", POLICY_B, "flush ruleset"), &error);
  g_assert_null (reply);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  g_clear_error (&error);
  reply = call_policy (admin, "Remove", g_variant_new ("(s)", "inet filter"), &error);
  g_assert_null (reply);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  g_clear_error (&error);
  reply = call_policy (admin, "RunRule", g_variant_new ("(s)", "flush ruleset"), &error);
  g_assert_null (reply);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD);
  g_clear_error (&error);

  /* and nothing changed */
  after_store = stored_bytes ();
  after_live = table_digest ();
  g_assert_cmpstr (after_store, ==, before_store);
  g_assert_cmpstr (after_live, ==, before_live);
}

static void
test_blocked (void)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) attempts = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *added = NULL;
  gboolean seen4 = FALSE, seen6 = FALSE;
  Result r = { NULL };

  /* what the kernel adds when it drops a camera's packets */
  added = nft ("add element inet peerscope blocked { 10.99.1.11 . 198.51.100.11 . udp . 32100 "
               "counter packets 3 bytes 120 }\n"
               "add element inet peerscope blocked6 { fd00:99::11 . 2001:db8::1 . tcp . 443 "
               "counter packets 2 bytes 80 }\n", "-f", "-", NULL);
  g_assert_nonnull (added);

  ps_gateway_policy_client_get_blocked_async (client, NULL, on_result_cb, &r);
  result = wait_result (&r);
  attempts = ps_gateway_policy_client_get_blocked_finish (client, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (attempts->len, ==, 2);

  for (guint i = 0; i < attempts->len; i++)
    {
      PsBlockedAttempt *a = g_ptr_array_index (attempts, i);

      if (g_str_equal (a->device_address, "10.99.1.11"))
        {
          g_assert_cmpstr (a->peer_address, ==, "198.51.100.11");
          g_assert_cmpstr (a->protocol, ==, "udp");
          g_assert_cmpuint (a->port, ==, 32100);
          g_assert_cmpuint (a->packets, ==, 3);
          g_assert_cmpuint (a->bytes, ==, 120);
          seen4 = TRUE;
        }
      else
        {
          g_assert_cmpstr (a->device_address, ==, "fd00:99::11");
          g_assert_cmpstr (a->peer_address, ==, "2001:db8::1");
          g_assert_cmpstr (a->protocol, ==, "tcp");
          g_assert_cmpuint (a->port, ==, 443);
          g_assert_cmpuint (a->packets, ==, 2);
          seen6 = TRUE;
        }
    }
  g_assert_true (seen4 && seen6);
}

/* Run as nobody by test_not_root: what a raw call and the client hear. */
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
  dir = g_dir_make_tmp ("psgwp-XXXXXX", &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (dir, 0755), ==, 0);
  copy = g_build_filename (dir, "test-gatewayd-policy", NULL);
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
  g_autofree char *setpriv = g_find_program_in_path ("setpriv");
  g_autofree char *before_store = stored_bytes ();
  g_autofree char *before_live = table_digest ();
  g_autofree char *after_store = NULL;
  g_autofree char *after_live = NULL;
  const char *modes[] = { "--helper-apply", "--helper-remove", "--helper-get-state",
                          "--helper-get-blocked", NULL };

  if (setpriv == NULL)
    {
      g_test_skip ("setpriv (util-linux) is missing");
      return;
    }

  /* no polkit agent says yes here (and usually no polkit at all); the
   * helper refuses, not the bus: its policy lets anyone call */
  for (guint i = 0; modes[i] != NULL; i++)
    {
      g_autofree char *output = run_as_nobody (modes[i]);
      g_auto(GStrv) lines = g_strsplit (output, "\n", -1);

      g_test_message ("as nobody, %s: %s", modes[i], output);
      g_assert_cmpuint (g_strv_length (lines), ==, 2);
      g_assert_true (g_str_equal (lines[0], "raw: " GATEWAY_NOT_AUTHORIZED)
                     || g_str_equal (lines[0],
                                     "raw: " PS_GATEWAY_INTERACTIVE_AUTHORIZATION_REQUIRED));
      g_assert_cmpstr (lines[1], ==, "client: permission-denied");
    }

  after_store = stored_bytes ();
  after_live = table_digest ();
  g_assert_cmpstr (after_store, ==, before_store);
  g_assert_cmpstr (after_live, ==, before_live);
}

static void
on_burst_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  guint *left = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (ps_gateway_policy_client_apply_finish (PS_GATEWAY_POLICY_CLIENT (object),
                                                        result, NULL, NULL, &error));
  g_assert_no_error (error);
  (*left)--;
}

static gboolean
burst_done (gpointer data)
{
  return *(guint *) data == 0;
}

static void
test_burst (void)
{
  g_autoptr(PsPolicy) a = ps_policy_new_from_json (POLICY_A, -1, NULL);
  g_autoptr(PsPolicy) b = ps_policy_new_from_json (POLICY_B, -1, NULL);
  g_autofree char *digest_b = digest_of (POLICY_B);
  guint left = 0;

  /* one at a time, in order: the last one wins, whole */
  for (guint i = 0; i < 20; i++)
    {
      ps_gateway_policy_client_apply_async (client, i % 2 == 0 ? a : b, NULL, on_burst_cb, &left);
      left++;
    }
  g_assert_true (wait_for (burst_done, &left, 60000));

  assert_state (digest_b, digest_b, TRUE);
}

static void
test_restart (void)
{
  g_autofree char *digest_b = digest_of (POLICY_B);
  g_autofree char *live = NULL;
  g_autofree char *deleted = NULL;

  /* the gateway rebooted, or someone deleted the table by hand */
  stop_daemon ();
  deleted = nft (NULL, "delete", "table", "inet", "peerscope", NULL);
  g_assert_nonnull (deleted);
  g_assert_null (table_digest ());

  /* the helper puts the stored policy back before it takes the name */
  daemon_process = start_daemon (NULL);
  live = table_digest ();
  g_assert_cmpstr (live, ==, digest_b);
  assert_state (digest_b, digest_b, TRUE);
}

static void
test_hostile_store (void)
{
  g_autoptr(PsPolicy) good = ps_policy_store_load (store_path, NULL);
  g_autoptr(PsPolicy) restored = NULL;
  g_autofree char *deleted = NULL;
  g_autoptr(GError) error = NULL;

  /* a store edited by hand is read as strictly as a call: not applied,
   * and the helper still serves */
  g_assert_nonnull (good);
  stop_daemon ();
  deleted = nft (NULL, "delete", "table", "inet", "peerscope", NULL);
  g_assert_nonnull (deleted);
  edit_store ("INSERT INTO policy_device (id, mac, intent)"
              " VALUES ('x\"; flush ruleset', NULL, 'open')");

  daemon_process = start_daemon (NULL);
  g_assert_null (table_digest ());
  assert_state (NULL, NULL, FALSE);

  /* put things back as they were */
  edit_store ("DELETE FROM policy_device WHERE id LIKE 'x%'");
  stop_daemon ();
  daemon_process = start_daemon (NULL);
  g_assert_nonnull (table_digest ());
  restored = ps_policy_store_load (store_path, &error);
  g_assert_no_error (error);
  g_assert_true (ps_policy_equal (restored, good));
}

static void
test_store_fails (void)
{
  g_autofree char *digest_b = digest_of (POLICY_B);
  g_autofree char *file = g_build_filename (state_dir, "not-a-folder", NULL);
  g_autofree char *bad_dir = g_build_filename (file, "state", NULL);
  g_autofree char *digest = NULL;
  g_autoptr(GError) error = NULL;
  gboolean changed = FALSE;

  /* a helper whose store cannot be written, and holds no policy */
  g_file_set_contents (file, "", 0, &error);
  g_assert_no_error (error);
  stop_daemon ();
  daemon_process = start_daemon (bad_dir);

  /* the rules changed, the store failed: what is stored (nothing) is back */
  g_assert_false (client_apply (POLICY_A, &changed, &digest, &error));
  g_test_message ("store fails: %s", error->message);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_null (table_digest ());
  g_clear_error (&error);

  /* back to the real store, which the start applies again */
  stop_daemon ();
  g_unlink (file);
  daemon_process = start_daemon (NULL);
  assert_state (digest_b, digest_b, TRUE);
}

static void
test_remove (void)
{
  g_autofree char *created = NULL;
  g_autofree char *unrelated_before = NULL;
  g_autofree char *unrelated_after = NULL;
  g_autofree char *unrelated_restarted = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  Result r = { NULL };

  created = nft (UNRELATED_TABLE, "-f", "-", NULL);
  g_assert_nonnull (created);
  unrelated_before = nft (NULL, "-j", "list", "table", "inet", "psgw_unrelated", NULL);
  g_assert_nonnull (unrelated_before);
  g_assert_true (g_file_test (store_path, G_FILE_TEST_EXISTS));

  ps_gateway_policy_client_remove_async (client, NULL, on_result_cb, &r);
  result = wait_result (&r);
  g_assert_true (ps_gateway_policy_client_remove_finish (client, result, &error));
  g_assert_no_error (error);

  /* Peerscope's table and stored policy are gone, for good (the change log
   * remembers the removal) */
  g_assert_null (table_digest ());
  g_assert_null (ps_policy_store_load (store_path, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  assert_state (NULL, NULL, FALSE);

  /* the other table is exactly as it was */
  unrelated_after = nft (NULL, "-j", "list", "table", "inet", "psgw_unrelated", NULL);
  g_assert_cmpstr (unrelated_after, ==, unrelated_before);

  /* and a restart applies nothing */
  stop_daemon ();
  daemon_process = start_daemon (NULL);
  g_assert_null (table_digest ());
  unrelated_restarted = nft (NULL, "-j", "list", "table", "inet", "psgw_unrelated", NULL);
  g_assert_cmpstr (unrelated_restarted, ==, unrelated_before);
  g_free (nft (NULL, "delete", "table", "inet", "psgw_unrelated", NULL));
}

/* Run as nobody by test_not_root */

static const char *
io_error_nick (const GError *error)
{
  g_autoptr(GEnumClass) codes = NULL;
  GEnumValue *value;

  if (error == NULL)
    return "success";
  if (error->domain != G_IO_ERROR)
    return "other-domain";

  codes = g_type_class_ref (G_TYPE_IO_ERROR_ENUM);
  value = g_enum_get_value (codes, error->code);
  return value != NULL ? value->value_nick : "unknown";
}

static int
helper_call (const char *mode)
{
  g_autoptr(GDBusConnection) connection = open_connection ();
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PsPolicy) policy = ps_policy_new_from_json (POLICY_B, -1, NULL);
  g_autofree char *remote = NULL;
  const char *method = g_str_equal (mode, "--helper-apply") ? "Apply"
                       : g_str_equal (mode, "--helper-remove") ? "Remove"
                       : g_str_equal (mode, "--helper-get-state") ? "GetState" : "GetBlocked";
  Result r = { NULL };

  /* a raw call, without the interactive flag: which error, by name */
  reply = call_policy (connection, method,
                       g_str_equal (method, "Apply") ? g_variant_new ("(s)", POLICY_B) : NULL,
                       &error);
  remote = error != NULL ? g_dbus_error_get_remote_error (error) : NULL;
  g_print ("raw: %s\n", reply != NULL ? "success" : remote != NULL ? remote : error->message);
  g_clear_error (&error);

  /* the client, which allows a password prompt */
  client = ps_gateway_policy_client_new (connection);
  if (g_str_equal (method, "Apply"))
    {
      ps_gateway_policy_client_apply_async (client, policy, NULL, on_result_cb, &r);
      ps_gateway_policy_client_apply_finish (client, wait_result (&r), NULL, NULL, &error);
    }
  else if (g_str_equal (method, "Remove"))
    {
      ps_gateway_policy_client_remove_async (client, NULL, on_result_cb, &r);
      ps_gateway_policy_client_remove_finish (client, wait_result (&r), &error);
    }
  else if (g_str_equal (method, "GetState"))
    {
      ps_gateway_policy_client_get_state_async (client, NULL, on_result_cb, &r);
      ps_gateway_policy_client_get_state_finish (client, wait_result (&r), NULL, NULL, NULL,
                                                 &error);
    }
  else
    {
      g_autoptr(GPtrArray) attempts = NULL;

      ps_gateway_policy_client_get_blocked_async (client, NULL, on_result_cb, &r);
      attempts = ps_gateway_policy_client_get_blocked_finish (client, wait_result (&r), &error);
    }
  result = r.result;
  g_print ("client: %s\n", io_error_nick (error));
  g_clear_object (&client);

  return 0;
}

int
main (int   argc,
      char *argv[])
{
  int status;

  if (argc == 3 && g_str_has_prefix (argv[1], "--helper-"))
    {
      bus_address = argv[2];
      return helper_call (argv[1]);
    }

  g_test_init (&argc, &argv, NULL);

  bus_address = g_getenv ("PS_GATEWAY_TEST_BUS");
  gatewayd_path = g_getenv ("PS_GATEWAYD");
  state_dir = g_getenv ("PS_GATEWAY_STATE_DIR");
  if (bus_address == NULL || gatewayd_path == NULL || state_dir == NULL)
    {
      g_print ("1..0 # SKIP run by tests/lab/test-lab-gatewayd.sh (needs a private bus)\n");
      return 0;
    }
  store_path = g_build_filename (state_dir, "policy.db", NULL);

  /* PS_GATEWAY_ERROR from the helper's error names */
  ps_gateway_error_quark ();

  admin = open_connection ();
  client = ps_gateway_policy_client_new (admin);
  daemon_process = start_daemon (NULL);

  g_test_add_func ("/gatewayd-policy/interface", test_interface);
  g_test_add_func ("/gatewayd-policy/empty", test_empty);
  g_test_add_func ("/gatewayd-policy/apply", test_apply);
  g_test_add_func ("/gatewayd-policy/apply-again", test_apply_again);
  g_test_add_func ("/gatewayd-policy/state", test_state);
  g_test_add_func ("/gatewayd-policy/hostile", test_hostile);
  g_test_add_func ("/gatewayd-policy/blocked", test_blocked);
  g_test_add_func ("/gatewayd-policy/not-root", test_not_root);
  g_test_add_func ("/gatewayd-policy/burst", test_burst);
  g_test_add_func ("/gatewayd-policy/restart", test_restart);
  g_test_add_func ("/gatewayd-policy/hostile-store", test_hostile_store);
  g_test_add_func ("/gatewayd-policy/store-fails", test_store_fails);
  g_test_add_func ("/gatewayd-policy/remove", test_remove);

  status = g_test_run ();

  /* still there when a test failed early: SIGTERM ends it cleanly */
  if (daemon_process != NULL && g_subprocess_get_identifier (daemon_process) != NULL)
    stop_daemon ();
  g_clear_object (&daemon_process);
  g_clear_object (&client);
  g_dbus_connection_close_sync (admin, NULL, NULL);
  g_clear_object (&admin);
  g_free (store_path);

  return status;
}
