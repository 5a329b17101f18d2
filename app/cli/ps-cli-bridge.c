/* ps-cli-bridge.c: peerscope-cli bridge
 *
 * Publishes an existing LAN camera (RTSP) onto the user's own P2P network,
 * so that the vendor's P2P can be blocked while remote viewing keeps
 * working.  The bridge has a long-term identity of its own (--identity,
 * created on first use): its device id is what viewers pin, printed with a
 * QR code to scan.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "peerscope-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <stdio.h>

#include "ps-cli-qr.h"
#include "ps-cli.h"
#include "ps-p2p-identity.h"
#include "ps-p2p-publisher.h"
#include "ps-rtsp-h264-source.h"

typedef struct
{
  GMainLoop *loop;
  char      *uri;
  char      *user;
  char      *password;
  PsP2pIdentity *identity;
  const char *name;
  gboolean   json;
  int        status;
  char      *failure;
} Bridge;

static void print_ready (PsP2pIdentity *identity,
                         const char    *name,
                         gboolean       json);

static GstElement *
make_source (gpointer   user_data,
             gpointer   key,
             GError   **error)
{
  Bridge *bridge = user_data;

  /* one pull per viewer: the camera's own RTSP server fans out */
  return ps_rtsp_h264_source_new (bridge->uri, bridge->user, bridge->password, error);
}

static void
on_published (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Bridge *bridge = user_data;
  g_autoptr(GError) error = NULL;

  if (!ps_p2p_publisher_start_finish (PS_P2P_PUBLISHER (object), result, &error))
    {
      bridge->status = 1;
      bridge->failure = g_strdup (error->message);
      g_main_loop_quit (bridge->loop);
      return;
    }

  print_ready (bridge->identity, bridge->name, bridge->json);
}

static void
on_closed (PsP2pPublisher *publisher,
           const GError   *error,
           gpointer        user_data)
{
  /* the publisher registers again by itself; viewers already connected go on */
  g_printerr (_("peerscope-cli: lost the rendezvous server (%s); trying again\n"),
              error != NULL ? error->message : "?");
}

static gboolean
on_signal (gpointer user_data)
{
  g_main_loop_quit (((Bridge *) user_data)->loop);
  return G_SOURCE_CONTINUE;
}

static void
print_ready (PsP2pIdentity *identity,
             const char    *name,
             gboolean       json)
{
  const char *device_id = ps_p2p_identity_get_device_id (identity);
  g_autofree char *uri = g_strconcat ("p2p:", device_id, NULL);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "device_id");
      json_builder_add_string_value (builder, device_id);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, name);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      /* one line: the bridge goes on running after it */
      text = json_to_string (root, FALSE);
      printf ("%s\n", text);
    }
  else
    {
      g_autofree char *formatted = ps_p2p_device_id_format (device_id);
      g_autofree char *qr = ps_cli_qr_text (uri);

      printf ("%s\n  %s\n", _("Publishing as P2P device:"), formatted);
      if (qr != NULL)
        printf ("\n%s\n", qr);
      printf ("%s\n", _("Add it in Peerscope by this device id; compare it with the one shown "
                        "there. Stop with Ctrl+C."));
    }
  fflush (stdout);
}

/* peerscope-cli bridge --uri rtsp://… --rendezvous URL --token-file F --identity F */
int
ps_cli_bridge (int    argc,
               char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(PsP2pConfig) config = NULL;
  g_autoptr(PsP2pIdentity) identity = NULL;
  g_autoptr(PsP2pPublisher) publisher = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *user = NULL;
  g_autofree char *password_file = NULL;
  g_autofree char *password = NULL;
  g_autofree char *rendezvous = NULL;
  g_autofree char *token_file = NULL;
  g_autofree char *token = NULL;
  g_autofree char *identity_path = NULL;
  g_autofree char *name = NULL;
  g_autofree char *stun = NULL;
  g_autofree char *ice_policy = NULL;
  g_autofree char *ca_file = NULL;
  g_auto(GStrv) turn = NULL;
  g_auto(GStrv) local_addresses = NULL;
  gboolean json = FALSE;
  guint sigint_id, sigterm_id;
  Bridge bridge = { 0 };
  const GOptionEntry entries[] = {
    { "uri", 0, 0, G_OPTION_ARG_STRING, &uri, N_("The camera’s RTSP stream"), N_("URI") },
    { "user", 'u', 0, G_OPTION_ARG_STRING, &user, N_("User name"), "U" },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &password_file,
      N_("Read the password from file F"), "F" },
    { "rendezvous", 0, 0, G_OPTION_ARG_STRING, &rendezvous,
      N_("The rendezvous server (ws:// or wss://)"), N_("URL") },
    { "token-file", 0, 0, G_OPTION_ARG_FILENAME, &token_file,
      N_("Read the account token from file F"), "F" },
    { "identity", 0, 0, G_OPTION_ARG_FILENAME, &identity_path,
      N_("The bridge’s identity (created on first use, reused after)"), "F" },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("The name viewers see"), N_("NAME") },
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &ca_file,
      N_("Trust the rendezvous server certificates in file F"), "F" },
    { "stun", 0, 0, G_OPTION_ARG_STRING, &stun, N_("STUN server (stun://HOST:PORT)"), N_("URL") },
    { "turn", 0, 0, G_OPTION_ARG_STRING_ARRAY, &turn,
      N_("TURN server (turn://USER:PASS@HOST:PORT[?transport=tcp], repeatable)"), N_("URL") },
    { "ice-policy", 0, 0, G_OPTION_ARG_STRING, &ice_policy,
      N_("all, relay (hide our addresses) or lan (host candidates only)"), N_("POLICY") },
    { "local-address", 0, 0, G_OPTION_ARG_STRING_ARRAY, &local_addresses,
      N_("Gather ICE candidates on this address only (repeatable)"), N_("ADDR") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("Print one JSON line (device_id, name) when published"), NULL },
    { NULL }
  };

  context = g_option_context_new (_("— publish a LAN camera on your own P2P network"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return ps_cli_fail ("%s", error->message);
  if (argc > 1)
    return ps_cli_fail (_("bridge takes no arguments"));
  if (uri == NULL || rendezvous == NULL || token_file == NULL || identity_path == NULL)
    return ps_cli_fail (_("bridge needs --uri, --rendezvous, --token-file and --identity"));
  if (!g_str_has_prefix (uri, "rtsp://") && !g_str_has_prefix (uri, "rtsps://"))
    return ps_cli_fail (_("--uri takes an rtsp:// address"));
  if (password_file != NULL && (password = ps_cli_read_secret (password_file, &error)) == NULL)
    return ps_cli_fail ("%s", error->message);
  if ((token = ps_cli_read_secret (token_file, &error)) == NULL)
    return ps_cli_fail ("%s", error->message);

  config = ps_p2p_config_new (rendezvous, token);
  config->ca_file = g_strdup (ca_file);
  config->stun_server = g_strdup (stun);
  config->turn_servers = g_strdupv (turn);
  config->local_addresses = g_strdupv (local_addresses);
  if (ice_policy != NULL && !ps_ice_policy_from_string (ice_policy, &config->ice_policy))
    return ps_cli_fail (_("--ice-policy is all, relay or lan, not “%s”"), ice_policy);
  if (!ps_p2p_config_validate (config, &error))
    return ps_cli_fail ("%s", error->message);

  identity = ps_p2p_identity_load_or_create (identity_path, &error);
  if (identity == NULL)
    return ps_cli_fail ("%s", error->message);

  loop = g_main_loop_new (NULL, FALSE);
  bridge.loop = loop;
  bridge.uri = uri;
  bridge.user = user;
  bridge.password = password;
  if (name == NULL)
    name = g_strdup (_("Bridged camera"));
  bridge.identity = identity;
  bridge.name = name;
  bridge.json = json;

  publisher = ps_p2p_publisher_new (identity, config, name, make_source, NULL, &bridge);
  g_signal_connect (publisher, "closed", G_CALLBACK (on_closed), &bridge);
  ps_p2p_publisher_start_async (publisher, NULL, on_published, &bridge);
  sigint_id = g_unix_signal_add (SIGINT, on_signal, &bridge);
  sigterm_id = g_unix_signal_add (SIGTERM, on_signal, &bridge);

  g_main_loop_run (loop);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  g_signal_handlers_disconnect_by_data (publisher, &bridge);
  ps_p2p_publisher_stop (publisher);

  if (bridge.status != 0)
    {
      ps_cli_fail ("%s", bridge.failure);
      g_free (bridge.failure);
      return bridge.status;
    }

  return 0;
}
