/* peerscope-rendezvous.c: the P2P signalling server
 *
 *   peerscope-rendezvous --listen ADDR:PORT [--listen ADDR:PORT]… --token-file F
 *                        [--tls-cert F --tls-key F] [--config FILE] [limits]
 *
 * Serves GStreamer's WebRTC signalling protocol over WebSocket (wss with a
 * certificate) to the cameras and viewers of the accounts in the token
 * file (ps-rendezvous-server.c).  --config names a key file with the same
 * settings in a [rendezvous] group (data/peerscope-rendezvous.conf); the
 * command line wins.  An IPv6 address takes IPv6 only: give --listen twice
 * (or "listen = 0.0.0.0:8443;[::]:8443") for both.  When listening it
 * prints one JSON line on stdout, {"listen":"ws://127.0.0.1:PORT"}, the
 * first address with the port the system chose for port 0 (and
 * "listen_all", every address, when there are several).  It logs on
 * stderr, reads the token file again on SIGHUP and ends on SIGTERM or
 * SIGINT, closing every connection first.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "peerscope-rendezvous"

#include "config.h"

#include <glib/gstdio.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#ifdef G_OS_UNIX
#include <glib-unix.h>
#endif

#include "ps-rendezvous-server.h"
#include "ps-token-file.h"

#define CONFIG_GROUP        "rendezvous"
#define SHUTDOWN_SECONDS    3

typedef struct
{
  GStrv   listen;
  char   *token_file;
  char   *tls_cert;
  char   *tls_key;
  /* -1: not given */
  gint64  max_message_size;
  double  rate;
  double  burst;
  gint64  idle_timeout;
  gint64  handshake_timeout;
  gint64  max_connections;
  gint64  max_connections_per_account;
  gint64  max_connections_per_address;
  gint64  max_sessions_per_peer;
  gint64  max_backlog;
} Settings;

static void
settings_init (Settings *settings)
{
  memset (settings, 0, sizeof *settings);
  settings->max_message_size = settings->idle_timeout = settings->handshake_timeout = -1;
  settings->max_connections = settings->max_connections_per_account = -1;
  settings->max_connections_per_address = -1;
  settings->max_sessions_per_peer = settings->max_backlog = -1;
  settings->rate = settings->burst = -1;
}

static void
settings_clear (Settings *settings)
{
  g_strfreev (settings->listen);
  g_free (settings->token_file);
  g_free (settings->tls_cert);
  g_free (settings->tls_key);
}

/* Fills what the command line left unset; relative paths are taken from
 * the file's folder. */
static gboolean
read_config (const char  *path,
             Settings    *settings,
             GError     **error)
{
  static const char * const keys[] = {
    "listen", "token-file", "tls-cert", "tls-key", "max-message-size", "rate", "burst",
    "idle-timeout", "handshake-timeout", "max-connections", "max-connections-per-account",
    "max-connections-per-address", "max-sessions-per-peer", "max-backlog", NULL
  };
  struct { const char *key; gint64 *value; } integers[] = {
    { "max-message-size", &settings->max_message_size },
    { "idle-timeout", &settings->idle_timeout },
    { "handshake-timeout", &settings->handshake_timeout },
    { "max-connections", &settings->max_connections },
    { "max-connections-per-account", &settings->max_connections_per_account },
    { "max-connections-per-address", &settings->max_connections_per_address },
    { "max-sessions-per-peer", &settings->max_sessions_per_peer },
    { "max-backlog", &settings->max_backlog },
  };
  struct { const char *key; char **value; gboolean is_path; } strings[] = {
    { "token-file", &settings->token_file, TRUE },
    { "tls-cert", &settings->tls_cert, TRUE },
    { "tls-key", &settings->tls_key, TRUE },
  };
  struct { const char *key; double *value; } doubles[] = {
    { "rate", &settings->rate },
    { "burst", &settings->burst },
  };
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autofree char *folder = g_path_get_dirname (path);
  g_auto(GStrv) groups = NULL;
  g_auto(GStrv) found = NULL;

  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, error))
    return FALSE;

  groups = g_key_file_get_groups (file, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      if (strcmp (groups[i], CONFIG_GROUP) != 0)
        {
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND,
                       "unknown group [%s] (expected [%s])", groups[i], CONFIG_GROUP);
          return FALSE;
        }
    }
  if (!g_key_file_has_group (file, CONFIG_GROUP))
    return TRUE;

  found = g_key_file_get_keys (file, CONFIG_GROUP, NULL, error);
  if (found == NULL)
    return FALSE;
  for (guint i = 0; found[i] != NULL; i++)
    {
      if (!g_strv_contains (keys, found[i]))
        {
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND,
                       "unknown key “%s”", found[i]);
          return FALSE;
        }
    }

  if (settings->listen == NULL && g_key_file_has_key (file, CONFIG_GROUP, "listen", NULL))
    {
      settings->listen = g_key_file_get_string_list (file, CONFIG_GROUP, "listen", NULL, error);
      if (settings->listen == NULL)
        return FALSE;
      for (guint i = 0; settings->listen[i] != NULL; i++)
        g_strstrip (settings->listen[i]);
    }

  for (guint i = 0; i < G_N_ELEMENTS (strings); i++)
    {
      g_autofree char *value = NULL;

      if (*strings[i].value != NULL
          || !g_key_file_has_key (file, CONFIG_GROUP, strings[i].key, NULL))
        continue;
      value = g_key_file_get_string (file, CONFIG_GROUP, strings[i].key, error);
      if (value == NULL)
        return FALSE;
      if (strings[i].is_path && !g_path_is_absolute (value))
        *strings[i].value = g_build_filename (folder, value, NULL);
      else
        *strings[i].value = g_steal_pointer (&value);
    }

  for (guint i = 0; i < G_N_ELEMENTS (integers); i++)
    {
      GError *local_error = NULL;
      gint64 value;

      if (*integers[i].value >= 0
          || !g_key_file_has_key (file, CONFIG_GROUP, integers[i].key, NULL))
        continue;
      value = g_key_file_get_int64 (file, CONFIG_GROUP, integers[i].key, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
      if (value < 0)
        {
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                       "“%s” is negative", integers[i].key);
          return FALSE;
        }
      *integers[i].value = value;
    }

  for (guint i = 0; i < G_N_ELEMENTS (doubles); i++)
    {
      GError *local_error = NULL;
      double value;

      if (*doubles[i].value >= 0 || !g_key_file_has_key (file, CONFIG_GROUP, doubles[i].key, NULL))
        continue;
      value = g_key_file_get_double (file, CONFIG_GROUP, doubles[i].key, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
      if (!(value >= 0))
        {
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                       "“%s” is negative", doubles[i].key);
          return FALSE;
        }
      *doubles[i].value = value;
    }

  return TRUE;
}

/* IP:PORT or [IPv6]:PORT; no names are resolved */
static GSocketAddress *
parse_listen (const char  *text,
              GError     **error)
{
  g_autofree char *host = NULL;
  g_autoptr(GInetAddress) address = NULL;
  const char *port_text;
  guint64 port;

  if (text[0] == '[')
    {
      const char *end = strchr (text, ']');

      if (end == NULL || end[1] != ':')
        goto invalid;
      host = g_strndup (text + 1, (gsize) (end - text - 1));
      port_text = end + 2;
    }
  else
    {
      const char *colon = strrchr (text, ':');

      if (colon == NULL || strchr (text, ':') != colon)
        goto invalid;
      host = g_strndup (text, (gsize) (colon - text));
      port_text = colon + 1;
    }

  address = g_inet_address_new_from_string (host);
  if (address == NULL || !g_ascii_string_to_unsigned (port_text, 10, 0, 65535, &port, NULL))
    goto invalid;

  return g_inet_socket_address_new (address, (guint16) port);

invalid:
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               "--listen takes IP:PORT or [IPv6]:PORT, not “%s”", text);
  return NULL;
}

static gboolean
apply_settings (const Settings      *settings,
                PsRendezvousLimits  *limits,
                GError             **error)
{
  ps_rendezvous_limits_init (limits);

  if (settings->max_message_size >= 0)
    limits->max_message_size = (guint) MIN (settings->max_message_size, G_MAXUINT);
  if (settings->rate >= 0)
    limits->rate = settings->rate;
  if (settings->burst >= 0)
    limits->burst = settings->burst;
  if (settings->idle_timeout >= 0)
    limits->idle_timeout = (guint) MIN (settings->idle_timeout, G_MAXUINT);
  if (settings->handshake_timeout >= 0)
    limits->handshake_timeout = (guint) MIN (settings->handshake_timeout, G_MAXUINT);
  if (settings->max_connections >= 0)
    limits->max_connections = (guint) MIN (settings->max_connections, G_MAXUINT);
  if (settings->max_connections_per_account >= 0)
    limits->max_connections_per_account = (guint) MIN (settings->max_connections_per_account,
                                                       G_MAXUINT);
  if (settings->max_connections_per_address >= 0)
    limits->max_connections_per_address = (guint) MIN (settings->max_connections_per_address,
                                                       G_MAXUINT);
  if (settings->max_sessions_per_peer >= 0)
    limits->max_sessions_per_peer = (guint) MIN (settings->max_sessions_per_peer, G_MAXUINT);
  if (settings->max_backlog >= 0)
    limits->max_backlog = (gsize) MIN ((guint64) settings->max_backlog, G_MAXSIZE);

  return ps_rendezvous_limits_check (limits, error);
}

static PsTokenFile *
load_tokens (const char  *path,
             GError     **error)
{
#ifdef G_OS_UNIX
  GStatBuf st;

  if (g_stat (path, &st) == 0 && (st.st_mode & 0077) != 0)
    g_message ("%s can be read by other users than its owner", path);
#endif

  return ps_token_file_new_from_path (path, error);
}

typedef struct
{
  GMainLoop          *loop;
  PsRendezvousServer *server;
  const char         *token_file;
} Daemon;

#ifdef G_OS_UNIX
static gboolean
on_quit_signal_cb (gpointer user_data)
{
  Daemon *daemon = user_data;

  g_message ("Shutting down");
  g_main_loop_quit (daemon->loop);

  return G_SOURCE_CONTINUE;
}

static gboolean
on_reload_signal_cb (gpointer user_data)
{
  Daemon *daemon = user_data;
  g_autoptr(PsTokenFile) tokens = NULL;
  g_autoptr(GError) error = NULL;

  tokens = load_tokens (daemon->token_file, &error);
  if (tokens == NULL)
    {
      g_message ("Keeping the tokens: %s", error->message);
      return G_SOURCE_CONTINUE;
    }

  g_message ("Read %u accounts from %s", ps_token_file_get_n_accounts (tokens), daemon->token_file);
  ps_rendezvous_server_set_tokens (daemon->server, tokens);

  return G_SOURCE_CONTINUE;
}
#endif

static gboolean
on_shutdown_deadline_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;

  return G_SOURCE_REMOVE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PsTokenFile) tokens = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GPtrArray) addresses = g_ptr_array_new_with_free_func (g_object_unref);
  g_auto(GStrv) uris = NULL;
  g_autoptr(GString) ready = g_string_new (NULL);
  g_autofree char *config = NULL;
  gboolean version = FALSE;
  gboolean deadline = FALSE;
  guint deadline_id;
  PsRendezvousLimits limits;
  Settings settings;
  Daemon daemon = { 0 };
  int max_message_size = -1, idle_timeout = -1, handshake_timeout = -1;
  int max_connections = -1, max_per_account = -1, max_per_address = -1, max_sessions = -1;
  gint64 max_backlog = -1;
  double rate = -1, burst = -1;
  const GOptionEntry entries[] = {
    { "listen", 'l', 0, G_OPTION_ARG_STRING_ARRAY, &settings.listen,
      "Listen on IP:PORT or [IPv6]:PORT (port 0: any free port); may be repeated", "ADDR:PORT" },
    { "token-file", 't', 0, G_OPTION_ARG_FILENAME, &settings.token_file,
      "Accept the account tokens in FILE (lines “ACCOUNT TOKEN”, or one token)", "FILE" },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &settings.tls_cert,
      "Serve wss:// with the PEM certificate (chain) in FILE", "FILE" },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &settings.tls_key,
      "The certificate's PEM private key", "FILE" },
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config,
      "Read settings from the [rendezvous] group of FILE; options win", "FILE" },
    { "max-message-size", 0, 0, G_OPTION_ARG_INT, &max_message_size,
      "Close connections that send a larger message (default 65536)", "BYTES" },
    { "rate", 0, 0, G_OPTION_ARG_DOUBLE, &rate,
      "Messages a second a connection may send (default 50)", "N" },
    { "burst", 0, 0, G_OPTION_ARG_DOUBLE, &burst,
      "Messages a connection may send at once (default 100)", "N" },
    { "idle-timeout", 0, 0, G_OPTION_ARG_INT, &idle_timeout,
      "Close connections silent for SECONDS, pongs included (default 60)", "SECONDS" },
    { "handshake-timeout", 0, 0, G_OPTION_ARG_INT, &handshake_timeout,
      "Drop connections not upgraded to WebSocket within SECONDS (default 10)", "SECONDS" },
    { "max-connections", 0, 0, G_OPTION_ARG_INT, &max_connections,
      "Connections in all (default 1000)", "N" },
    { "max-connections-per-account", 0, 0, G_OPTION_ARG_INT, &max_per_account,
      "Connections per account (default 64)", "N" },
    { "max-connections-per-address", 0, 0, G_OPTION_ARG_INT, &max_per_address,
      "Connections from one IP address, before and after the token check (default 32)", "N" },
    { "max-sessions-per-peer", 0, 0, G_OPTION_ARG_INT, &max_sessions,
      "Sessions a peer may be in at once (default 16)", "N" },
    { "max-backlog", 0, 0, G_OPTION_ARG_INT64, &max_backlog,
      "Cut off a peer with more than BYTES sent to it and not taken (default 1048576)",
      "BYTES" },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version,
      "Print the version and exit", NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");
  settings_init (&settings);
  /* WebSocket upgrades need HTTP/1.1: never offer h2 */
  g_unsetenv ("SOUP_SERVER_HTTP2");

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, "Serves GStreamer's WebRTC signalling protocol over "
                                         "WebSocket to the cameras and viewers of each account "
                                         "in the token file, each account on its own.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("peerscope-rendezvous: %s\n", error->message);
      settings_clear (&settings);
      return 2;
    }

  if (version)
    {
      printf ("peerscope-rendezvous %s\n", PACKAGE_VERSION);
      settings_clear (&settings);
      return 0;
    }

  if (argc > 1)
    {
      g_printerr ("peerscope-rendezvous: unexpected argument “%s”\n", argv[1]);
      settings_clear (&settings);
      return 2;
    }

  /* the command line first, then the configuration fills the rest */
  settings.max_message_size = max_message_size;
  settings.rate = rate;
  settings.burst = burst;
  settings.idle_timeout = idle_timeout;
  settings.handshake_timeout = handshake_timeout;
  settings.max_connections = max_connections;
  settings.max_connections_per_account = max_per_account;
  settings.max_connections_per_address = max_per_address;
  settings.max_sessions_per_peer = max_sessions;
  settings.max_backlog = max_backlog;
  if (config != NULL && !read_config (config, &settings, &error))
    {
      g_printerr ("peerscope-rendezvous: %s: %s\n", config, error->message);
      settings_clear (&settings);
      return 2;
    }

  if (settings.listen == NULL || settings.listen[0] == NULL || settings.token_file == NULL)
    {
      g_printerr ("peerscope-rendezvous: --listen and --token-file are needed\n");
      settings_clear (&settings);
      return 2;
    }
  if ((settings.tls_cert == NULL) != (settings.tls_key == NULL))
    {
      g_printerr ("peerscope-rendezvous: --tls-cert and --tls-key go together\n");
      settings_clear (&settings);
      return 2;
    }

  for (guint i = 0; settings.listen[i] != NULL; i++)
    {
      GSocketAddress *address = parse_listen (settings.listen[i], &error);

      if (address == NULL)
        break;
      g_ptr_array_add (addresses, address);
    }
  if (error != NULL || !apply_settings (&settings, &limits, &error))
    {
      g_printerr ("peerscope-rendezvous: %s\n", error->message);
      settings_clear (&settings);
      return 2;
    }

  tokens = load_tokens (settings.token_file, &error);
  if (tokens == NULL)
    {
      g_printerr ("peerscope-rendezvous: %s\n", error->message);
      settings_clear (&settings);
      return 1;
    }

  if (settings.tls_cert != NULL)
    {
      certificate = g_tls_certificate_new_from_files (settings.tls_cert, settings.tls_key, &error);
      if (certificate == NULL)
        {
          g_printerr ("peerscope-rendezvous: cannot load the TLS certificate: %s\n",
                      error->message);
          settings_clear (&settings);
          return 1;
        }
    }

  daemon.loop = g_main_loop_new (NULL, FALSE);
  daemon.token_file = settings.token_file;
  daemon.server = ps_rendezvous_server_new (tokens, &limits, certificate);
  for (guint i = 0; i < addresses->len; i++)
    {
      if (!ps_rendezvous_server_listen (daemon.server, addresses->pdata[i], &error))
        {
          g_printerr ("peerscope-rendezvous: cannot listen on %s: %s\n", settings.listen[i],
                      error->message);
          g_clear_object (&daemon.server);
          g_main_loop_unref (daemon.loop);
          settings_clear (&settings);
          return 1;
        }
    }

#ifdef G_OS_UNIX
  g_unix_signal_add (SIGTERM, on_quit_signal_cb, &daemon);
  g_unix_signal_add (SIGINT, on_quit_signal_cb, &daemon);
  g_unix_signal_add (SIGHUP, on_reload_signal_cb, &daemon);
#endif

  /* URIs hold no character JSON would escape */
  uris = ps_rendezvous_server_dup_uris (daemon.server);
  g_string_append_printf (ready, "{\"listen\":\"%s\"", uris[0]);
  if (uris[1] != NULL)
    {
      g_string_append (ready, ",\"listen_all\":[");
      for (guint i = 0; uris[i] != NULL; i++)
        g_string_append_printf (ready, "%s\"%s\"", i > 0 ? "," : "", uris[i]);
      g_string_append_c (ready, ']');
    }
  g_string_append_c (ready, '}');
  for (guint i = 0; uris[i] != NULL; i++)
    g_message ("Listening on %s", uris[i]);
  g_message ("Serving %u accounts", ps_token_file_get_n_accounts (tokens));
  printf ("%s\n", ready->str);
  fflush (stdout);

  g_main_loop_run (daemon.loop);

  /* say goodbye to every peer, for a few seconds at most */
  ps_rendezvous_server_close_all (daemon.server);
  deadline_id = g_timeout_add_seconds (SHUTDOWN_SECONDS, on_shutdown_deadline_cb, &deadline);
  while (!deadline && ps_rendezvous_server_get_n_peers (daemon.server) > 0)
    g_main_context_iteration (NULL, TRUE);
  if (!deadline)
    g_source_remove (deadline_id);

  g_clear_object (&daemon.server);
  g_main_loop_unref (daemon.loop);
  settings_clear (&settings);

  return 0;
}
