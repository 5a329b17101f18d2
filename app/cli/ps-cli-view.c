/* ps-cli-view.c: peerscope-cli view URI|DEVICE-ID
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "peerscope-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ps-cli.h"
#include "ps-saved-cameras.h"
#include "ps-stream.h"

#define CLOSE_WAIT_MS 2000

typedef struct
{
  guint      timeout_id;
  GMainLoop *loop;
  PsStream  *stream;
  guint64    want_frames;
  int        status;
  char      *failure;
} ViewRun;

static void
finish (ViewRun    *run,
        int         status,
        const char *failure)
{
  if (!g_main_loop_is_running (run->loop))
    return;

  run->status = status;
  g_free (run->failure);
  run->failure = g_strdup (failure);
  g_main_loop_quit (run->loop);
}

static void
on_stopped (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  ps_stream_stop_finish (PS_STREAM (object), result);
  g_main_loop_quit (user_data);
}

static gboolean
on_close_wait_over (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static void
on_frame (PsStream  *stream,
          GstSample *sample,
          ViewRun   *run)
{
  if (ps_stream_get_frames (stream) >= run->want_frames)
    finish (run, 0, NULL);
}

static void
on_state (PsStream   *stream,
          GParamSpec *pspec,
          ViewRun    *run)
{
  const GError *error;

  if (ps_stream_get_state (stream) != PS_STREAM_STATE_ERROR)
    return;

  error = ps_stream_get_error (stream);
  finish (run, 1, error != NULL ? error->message : "failed");
}

static gboolean
on_timeout (gpointer user_data)
{
  ViewRun *run = user_data;
  g_autofree char *message = NULL;

  message = g_strdup_printf (_("timed out after %llu of %llu frames"),
                             (unsigned long long) ps_stream_get_frames (run->stream),
                             (unsigned long long) run->want_frames);
  run->timeout_id = 0;
  finish (run, 1, message);

  return G_SOURCE_REMOVE;
}

static gboolean
on_interrupt (gpointer user_data)
{
  finish (user_data, 130, _("interrupted"));
  return G_SOURCE_REMOVE;
}

static void
add_number_or_null (JsonBuilder *builder,
                    const char  *name,
                    double       value)
{
  json_builder_set_member_name (builder, name);
  if (isnan (value) || value < 0)
    json_builder_add_null_value (builder);
  else
    json_builder_add_double_value (builder, round (value * 10) / 10);
}

static JsonNode *
build_report (PsStream   *stream,
              const char *failure)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GPtrArray) candidates = ps_stream_dup_remote_candidates (stream);
  double p50 = NAN, p95 = NAN;
  gboolean have_latency;

  have_latency = ps_stream_get_latency (stream, &p50, &p95);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "uri");
  json_builder_add_string_value (builder, ps_stream_get_uri (stream));
  json_builder_set_member_name (builder, "stream_uri");
  json_builder_add_string_value (builder, ps_stream_get_resolved_uri (stream));
  json_builder_set_member_name (builder, "transport");
  json_builder_add_string_value (builder, ps_stream_get_transport (stream));
  json_builder_set_member_name (builder, "codec");
  json_builder_add_string_value (builder, ps_stream_get_codec (stream));
  json_builder_set_member_name (builder, "width");
  json_builder_add_int_value (builder, ps_stream_get_width (stream));
  json_builder_set_member_name (builder, "height");
  json_builder_add_int_value (builder, ps_stream_get_height (stream));
  json_builder_set_member_name (builder, "frames");
  json_builder_add_int_value (builder, (gint64) ps_stream_get_frames (stream));
  add_number_or_null (builder, "first_frame_ms", ps_stream_get_first_frame_ms (stream));
  json_builder_set_member_name (builder, "reconnects");
  json_builder_add_int_value (builder, ps_stream_get_reconnects (stream));
  /* P2P: the path's round trip; to 10 µs, a LAN's is a fraction of 1 ms */
  json_builder_set_member_name (builder, "rtt_ms");
  if (ps_stream_get_rtt_ms (stream) >= 0)
    json_builder_add_double_value (builder, round (ps_stream_get_rtt_ms (stream) * 100) / 100);
  else
    json_builder_add_null_value (builder);
  add_number_or_null (builder, "fps",
                      ps_stream_get_frames (stream) >= 2 ? ps_stream_get_fps (stream) : -1);
  json_builder_set_member_name (builder, "remote_candidates");
  json_builder_begin_array (builder);
  for (guint i = 0; i < candidates->len; i++)
    {
      PsIceCandidate *candidate = g_ptr_array_index (candidates, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, candidate->type);
      json_builder_set_member_name (builder, "transport");
      json_builder_add_string_value (builder, candidate->transport);
      json_builder_set_member_name (builder, "address");
      json_builder_add_string_value (builder, candidate->address);
      json_builder_set_member_name (builder, "port");
      json_builder_add_int_value (builder, candidate->port);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "latency_ms");
  if (have_latency)
    {
      json_builder_begin_object (builder);
      add_number_or_null (builder, "p50", p50);
      add_number_or_null (builder, "p95", p95);
      json_builder_end_object (builder);
    }
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "error");
  if (failure != NULL)
    json_builder_add_string_value (builder, failure);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static void
print_human (PsStream *stream)
{
  g_autoptr(GPtrArray) candidates = ps_stream_dup_remote_candidates (stream);
  double p50, p95;

  printf ("%-16s %s\n", _("Camera:"), ps_stream_get_uri (stream));
  printf ("%-16s %s (%s)\n", _("Stream:"), ps_stream_get_resolved_uri (stream),
          ps_stream_get_transport (stream));
  printf ("%-16s %s %ux%u\n", _("Video:"), ps_stream_get_codec (stream),
          ps_stream_get_width (stream), ps_stream_get_height (stream));
  printf ("%-16s %" G_GUINT64_FORMAT " (%.1f fps)\n", _("Frames:"),
          ps_stream_get_frames (stream), ps_stream_get_fps (stream));
  printf ("%-16s %.0f ms\n", _("First frame:"), ps_stream_get_first_frame_ms (stream));
  if (ps_stream_get_rtt_ms (stream) >= 0)
    printf ("%-16s %.2f ms\n", _("Round trip:"), ps_stream_get_rtt_ms (stream));
  for (guint i = 0; i < candidates->len; i++)
    {
      PsIceCandidate *candidate = g_ptr_array_index (candidates, i);

      printf ("%-16s %s %s %s %u\n", i == 0 ? _("Camera’s end:") : "", candidate->type,
              candidate->transport, candidate->address, candidate->port);
    }
  if (ps_stream_get_latency (stream, &p50, &p95))
    printf ("%-16s p50 %.1f ms, p95 %.1f ms\n", _("Latency:"), p50, p95);
  else
    printf ("%-16s %s\n", _("Latency:"), _("unknown (the camera does not stamp its frames)"));
}

int
ps_cli_view (int    argc,
             char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(PsStream) stream = NULL;
  g_autofree char *user = NULL;
  g_autofree char *password_file = NULL;
  g_autofree char *password = NULL;
  g_autofree char *uri = NULL;
  g_auto(GStrv) args = NULL;
  g_autofree char *rendezvous = NULL;
  g_autofree char *token_file = NULL;
  g_autofree char *ca_file = NULL;
  g_autofree char *stun = NULL;
  g_autofree char *ice_policy = NULL;
  g_auto(GStrv) turn = NULL;
  g_auto(GStrv) local_addresses = NULL;
  g_autoptr(PsP2pConfig) p2p = NULL;
  int frames = 30;
  double timeout = 10;
  gboolean json = FALSE;
  gboolean sub = FALSE;
  gboolean udp = FALSE;
  guint sigint_id, sigterm_id;
  ViewRun run = { 0 };
  const GOptionEntry entries[] = {
    { "frames", 'n', 0, G_OPTION_ARG_INT, &frames, N_("Frames to decode (default 30)"), "N" },
    { "timeout", 't', 0, G_OPTION_ARG_DOUBLE, &timeout, N_("Give up after S seconds"), "S" },
    { "user", 'u', 0, G_OPTION_ARG_STRING, &user, N_("User name"), "U" },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &password_file,
      N_("Read the password from file F"), "F" },
    { "sub", 0, 0, G_OPTION_ARG_NONE, &sub, N_("Prefer the sub-stream of an ONVIF camera"), NULL },
    { "udp", 0, 0, G_OPTION_ARG_NONE, &udp, N_("Receive RTP over UDP instead of TCP"), NULL },
    { "rendezvous", 0, 0, G_OPTION_ARG_STRING, &rendezvous,
      N_("For p2p:DEVICE-ID: the rendezvous server (ws:// or wss://)"), N_("URL") },
    { "token-file", 0, 0, G_OPTION_ARG_FILENAME, &token_file,
      N_("For p2p:DEVICE-ID: read the account token from file F (for whep+http(s)://, the endpoint’s Bearer token)"), "F" },
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &ca_file,
      N_("Trust the rendezvous server certificates in file F"), "F" },
    { "stun", 0, 0, G_OPTION_ARG_STRING, &stun, N_("STUN server (stun://HOST:PORT)"), N_("URL") },
    { "turn", 0, 0, G_OPTION_ARG_STRING_ARRAY, &turn,
      N_("TURN server (turn://USER:PASS@HOST:PORT[?transport=tcp], repeatable)"), N_("URL") },
    { "ice-policy", 0, 0, G_OPTION_ARG_STRING, &ice_policy,
      N_("all, relay (hide our addresses) or lan (host candidates only)"), N_("POLICY") },
    { "local-address", 0, 0, G_OPTION_ARG_STRING_ARRAY, &local_addresses,
      N_("Gather ICE candidates on this address only (repeatable)"), N_("ADDR") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON document"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &args, NULL, N_("URI|DEVICE-ID") },
    { NULL }
  };

  context = g_option_context_new (_("URI|DEVICE-ID — open a camera stream"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return ps_cli_fail ("%s", error->message);

  if (args == NULL || args[0] == NULL || args[1] != NULL)
    return ps_cli_fail (_("view takes exactly one URI or device id"));
  if (frames < 1 || timeout <= 0)
    return ps_cli_fail (_("--frames and --timeout must be positive"));
  if (password_file != NULL)
    {
      password = ps_cli_read_secret (password_file, &error);
      if (password == NULL)
        return ps_cli_fail ("%s", error->message);
    }

  if (g_str_has_prefix (args[0], "p2p:") || g_str_has_prefix (args[0], "whep+"))
    {
      g_autofree char *token = NULL;
      gboolean whep = g_str_has_prefix (args[0], "whep+");

      if (!whep && (rendezvous == NULL || token_file == NULL))
        return ps_cli_fail (_("a p2p: camera needs --rendezvous URL and --token-file F"));
      if (token_file != NULL && (token = ps_cli_read_secret (token_file, &error)) == NULL)
        return ps_cli_fail ("%s", error->message);
      /* WHEP: the token, if any, is the endpoint's Bearer token */
      p2p = ps_p2p_config_new (whep ? NULL : rendezvous, token);
      p2p->ca_file = g_strdup (ca_file);
      p2p->stun_server = g_strdup (stun);
      p2p->turn_servers = g_strdupv (turn);
      p2p->local_addresses = g_strdupv (local_addresses);
      if (ice_policy != NULL && !ps_ice_policy_from_string (ice_policy, &p2p->ice_policy))
        return ps_cli_fail (_("--ice-policy is all, relay or lan, not “%s”"), ice_policy);
      if (!whep && !ps_p2p_config_validate (p2p, &error))
        return ps_cli_fail ("%s", error->message);
      uri = g_strdup (args[0]);
    }
  else if (strstr (args[0], "://") != NULL)
    uri = g_strdup (args[0]);
  else
    {
      /* a camera saved in Peerscope, by device id or address */
      g_autoptr(GSettings) settings = ps_saved_cameras_settings ();
      g_autoptr(PsStore) store = ps_store_open (NULL, NULL);
      g_autoptr(GPtrArray) saved = ps_saved_cameras_load_known (store, settings);
      PsDevice *device = ps_saved_cameras_find (saved, args[0]);
      if (device == NULL)
        return ps_cli_fail (_("“%s” is neither a camera address nor a saved camera"), args[0]);

      uri = g_strdup (ps_device_get_uri (device));
      if (user == NULL && ps_device_get_username (device) != NULL)
        {
          user = g_strdup (ps_device_get_username (device));
          if (password == NULL)
            {
              password = ps_saved_cameras_lookup_password_sync (device, &error);
              if (password == NULL)
                return ps_cli_fail (_("No password for %s in the keyring: %s"), args[0],
                                    error != NULL ? error->message : _("not found"));
            }
        }
    }

  stream = ps_stream_new (uri);
  if (user != NULL)
    ps_stream_set_credentials (stream, user, password);
  ps_stream_set_reconnect (stream, FALSE);
  ps_stream_set_use_tcp (stream, !udp);
  ps_stream_set_profile (stream, sub ? PS_STREAM_PROFILE_SUB : PS_STREAM_PROFILE_MAIN);
  ps_stream_set_timeout (stream, (guint) (timeout * 1000));
  if (p2p != NULL)
    ps_stream_set_p2p_config (stream, p2p);

  loop = g_main_loop_new (NULL, FALSE);
  run.loop = loop;
  run.stream = stream;
  run.want_frames = (guint64) frames;

  g_signal_connect (stream, "new-frame", G_CALLBACK (on_frame), &run);
  g_signal_connect (stream, "notify::state", G_CALLBACK (on_state), &run);
  run.timeout_id = g_timeout_add ((guint) (timeout * 1000), on_timeout, &run);
  sigint_id = g_unix_signal_add (SIGINT, on_interrupt, &run);
  sigterm_id = g_unix_signal_add (SIGTERM, on_interrupt, &run);

  ps_stream_start (stream);
  g_main_loop_run (loop);

  g_clear_handle_id (&run.timeout_id, g_source_remove);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  g_signal_handlers_disconnect_by_data (stream, &run);
  /* the camera's end hears goodbye (a WHEP endpoint frees the session)
   * before the process goes; an endpoint that does not answer is given
   * CLOSE_WAIT_MS */
  ps_stream_stop_async (stream, on_stopped, loop);
  run.timeout_id = g_timeout_add (CLOSE_WAIT_MS, on_close_wait_over, loop);
  g_main_loop_run (loop);
  g_clear_handle_id (&run.timeout_id, g_source_remove);

  if (json)
    {
      g_autoptr(JsonNode) report = build_report (stream, run.failure);
      ps_cli_print_json (report);
    }
  else if (run.status == 0)
    print_human (stream);

  if (run.status != 0)
    {
      ps_cli_fail ("%s", run.failure);
      g_free (run.failure);
      return run.status;
    }

  return 0;
}
