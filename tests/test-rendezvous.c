/* test-rendezvous.c: peerscope-rendezvous with real WebSocket clients
 *
 * Each test starts the real server (PS_RENDEZVOUS) on 127.0.0.1, port 0,
 * with a token file of two accounts, and talks to it with libsoup's
 * WebSocket client, whose every received message must also pass Peerscope's
 * own strict parser; where libsoup is too polite (fragments, unanswered
 * pings, a silent connection) a raw socket speaks instead.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "ps-signalling-message.h"

#define TOKEN_A "token-of-home-a-0123456789abcdef"
#define TOKEN_B "token-of-home-b-0123456789abcdef"
#define TOKEN_C "token-of-home-c-0123456789abcdef"
#define WAIT_MS 5000
#define QUIET_MS 300

/* The server process */

typedef struct
{
  char            *dir;
  char            *token_file;
  char            *cert_file;
  char            *key_file;
  GSubprocess     *process;
  char            *uri;
  guint16          port;
  gboolean         tls;
  GTlsCertificate *certificate;
} Server;

static gboolean
tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

typedef gboolean (*Condition) (gpointer data);

/* Runs the main loop until condition holds or timeout_ms pass */
static gboolean
wait_until (Condition condition,
            gpointer  data,
            guint     timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  guint tick = g_timeout_add (10, tick_cb, NULL);
  gboolean met;

  while (!(met = condition (data)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);

  return met;
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

static void
spin (guint ms)
{
  wait_until (never, NULL, ms);
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static Server *
server_new (void)
{
  g_autoptr(GError) error = NULL;
  Server *server = g_new0 (Server, 1);

  server->dir = g_dir_make_tmp ("ps-rendezvous-XXXXXX", &error);
  g_assert_no_error (error);
  server->token_file = g_build_filename (server->dir, "tokens", NULL);
  g_file_set_contents (server->token_file,
                       "# two homes\nhome-a " TOKEN_A "\nhome-b " TOKEN_B "\n", -1, &error);
  g_assert_no_error (error);
  g_chmod (server->token_file, 0600);

  return server;
}

typedef struct
{
  char    *line;
  gboolean done;
} ReadLine;

static void
read_line_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  ReadLine *read = user_data;

  read->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result,
                                                          NULL, NULL);
  read->done = TRUE;
}

/* Starts the server with the arguments given (NULL-terminated); with
 * defaults, --listen 127.0.0.1:0 and --token-file come first.  Returns the
 * ready line's URI, or NULL when the server printed none. */
static const char *
server_start (Server     *server,
              gboolean    defaults,
              const char *first_arg,
              ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  ReadLine read = { NULL, FALSE };
  const char *path = g_getenv ("PS_RENDEZVOUS");
  va_list args;

  g_assert_nonnull (path);
  g_assert_null (server->process);

  g_ptr_array_add (argv, (gpointer) path);
  if (defaults)
    {
      g_ptr_array_add (argv, (gpointer) "--listen");
      g_ptr_array_add (argv, (gpointer) "127.0.0.1:0");
      g_ptr_array_add (argv, (gpointer) "--token-file");
      g_ptr_array_add (argv, server->token_file);
    }
  va_start (args, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  server->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata,
                                                  &error);
  g_assert_no_error (error);

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));
  g_data_input_stream_read_line_async (out, G_PRIORITY_DEFAULT, NULL, read_line_cb, &read);
  g_assert_true (wait_until (is_true, &read.done, 20000));
  if (read.line == NULL)
    return NULL;

  node = json_from_string (read.line, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  g_free (server->uri);
  server->uri = g_strdup (json_object_get_string_member (json_node_get_object (node), "listen"));
  g_free (read.line);

  server->tls = g_str_has_prefix (server->uri, "wss://");
  g_assert_true (server->tls || g_str_has_prefix (server->uri, "ws://127.0.0.1:"));
  server->port = (guint16) g_ascii_strtoull (strrchr (server->uri, ':') + 1, NULL, 10);
  g_assert_cmpuint (server->port, >, 0);

  return server->uri;
}

static void
wait_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  *(gboolean *) user_data = TRUE;
}

/* SIGTERM; the main loop runs meanwhile, so that clients see their close.
 * Returns the exit status. */
static int
server_stop (Server *server)
{
  gboolean exited = FALSE;
  int status;

  g_assert_nonnull (server->process);
  g_subprocess_send_signal (server->process, SIGTERM);
  g_subprocess_wait_async (server->process, NULL, wait_cb, &exited);
  g_assert_true (wait_until (is_true, &exited, 10000));

  g_assert_true (g_subprocess_get_if_exited (server->process));
  status = g_subprocess_get_exit_status (server->process);
  g_clear_object (&server->process);

  return status;
}

/* for a process that should end by itself */
static int
server_wait_exit (Server *server)
{
  gboolean exited = FALSE;
  int status;

  g_subprocess_wait_async (server->process, NULL, wait_cb, &exited);
  g_assert_true (wait_until (is_true, &exited, 10000));
  g_assert_true (g_subprocess_get_if_exited (server->process));
  status = g_subprocess_get_exit_status (server->process);
  g_clear_object (&server->process);

  return status;
}

static void
server_free (Server *server)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (server->process != NULL)
    g_assert_cmpint (server_stop (server), ==, 0);

  dir = g_dir_open (server->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (server->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (server->dir);

  g_clear_object (&server->certificate);
  g_free (server->uri);
  g_free (server->cert_file);
  g_free (server->key_file);
  g_free (server->token_file);
  g_free (server->dir);
  g_free (server);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Server, server_free)

/* libsoup clients */

typedef enum
{
  TOKEN_HEADER,
  TOKEN_QUERY,
  TOKEN_PATH,
  TOKEN_NONE,
} TokenForm;

typedef struct
{
  Server                  *server;
  SoupSession             *session;
  SoupWebsocketConnection *connection;
  GQueue                   received;      /* texts */
  char                    *id;
  guint                    status;        /* HTTP status of the upgrade */
  gboolean                 done;
  gboolean                 closed;
} Client;

static void
on_client_message_cb (SoupWebsocketConnection *connection,
                      gint                     type,
                      GBytes                  *bytes,
                      Client                  *client)
{
  g_autoptr(PsSignallingMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);

  g_assert_cmpint (type, ==, SOUP_WEBSOCKET_DATA_TEXT);

  /* whatever the server says passes the strict parser */
  message = ps_signalling_message_parse (data, size, PS_SIGNALLING_TO_CLIENT, &error);
  g_assert_no_error (error);

  g_queue_push_tail (&client->received, g_strndup (data, size));
}

static void
on_client_closed_cb (SoupWebsocketConnection *connection,
                     Client                  *client)
{
  client->closed = TRUE;
}

static gboolean
on_accept_certificate_cb (SoupMessage          *message,
                          GTlsCertificate      *certificate,
                          GTlsCertificateFlags  errors,
                          Client               *client)
{
  /* the test's own self-signed certificate, and no other */
  return client->server->certificate != NULL
         && g_tls_certificate_is_same (certificate, client->server->certificate);
}

static void
connected_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Client *client = user_data;

  client->connection = soup_session_websocket_connect_finish (SOUP_SESSION (object), result, NULL);
  client->done = TRUE;
}

static gboolean
client_done (gpointer data)
{
  return ((Client *) data)->done;
}

static Client *
client_try (Server     *server,
            const char *token,
            TokenForm   form)
{
  g_autoptr(SoupMessage) message = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *escaped = g_uri_escape_string (token != NULL ? token : "", NULL, FALSE);
  const char *scheme = server->tls ? "https" : "http";
  Client *client = g_new0 (Client, 1);

  client->server = server;
  switch (form)
    {
    case TOKEN_QUERY:
      uri = g_strdup_printf ("%s://127.0.0.1:%u/?token=%s", scheme, server->port, escaped);
      break;
    case TOKEN_PATH:
      uri = g_strdup_printf ("%s://127.0.0.1:%u/token/%s", scheme, server->port, escaped);
      break;
    case TOKEN_HEADER:
    case TOKEN_NONE:
    default:
      uri = g_strdup_printf ("%s://127.0.0.1:%u/", scheme, server->port);
      break;
    }

  message = soup_message_new ("GET", uri);
  if (form == TOKEN_HEADER)
    {
      g_autofree char *value = g_strdup_printf ("Bearer %s", token);

      soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization", value);
    }
  g_signal_connect (message, "accept-certificate", G_CALLBACK (on_accept_certificate_cb), client);

  client->session = soup_session_new ();
  soup_session_websocket_connect_async (client->session, message, NULL, NULL, G_PRIORITY_DEFAULT,
                                        NULL, connected_cb, client);
  g_assert_true (wait_until (client_done, client, WAIT_MS));
  client->status = soup_message_get_status (message);

  if (client->connection != NULL)
    {
      g_signal_connect (client->connection, "message", G_CALLBACK (on_client_message_cb), client);
      g_signal_connect (client->connection, "closed", G_CALLBACK (on_client_closed_cb), client);
    }

  return client;
}

static gboolean
client_has_message (gpointer data)
{
  Client *client = data;

  return !g_queue_is_empty (&client->received) || client->closed;
}

/* The next message's text; fails the test after WAIT_MS */
static char *
client_next (Client *client)
{
  wait_until (client_has_message, client, WAIT_MS);
  if (g_queue_is_empty (&client->received))
    g_error ("client %s: no message within %u ms%s", client->id, WAIT_MS,
             client->closed ? " (closed)" : "");

  return g_queue_pop_head (&client->received);
}

static PsSignallingMessage *
client_expect (Client                  *client,
               PsSignallingMessageType  type)
{
  g_autofree char *text = client_next (client);
  PsSignallingMessage *message;

  message = ps_signalling_message_parse (text, strlen (text), PS_SIGNALLING_TO_CLIENT, NULL);
  g_assert_nonnull (message);
  if (message->type != type)
    g_error ("expected %s, received %s", ps_signalling_message_type_to_string (type), text);

  return message;
}

static void
client_expect_text (Client     *client,
                    const char *expected)
{
  g_autofree char *text = client_next (client);

  g_assert_cmpstr (text, ==, expected);
}

static void
client_expect_error (Client     *client,
                     const char *part)
{
  g_autoptr(PsSignallingMessage) error = client_expect (client, PS_SIGNALLING_MESSAGE_ERROR);

  if (strstr (error->details, part) == NULL)
    g_error ("expected an error about “%s”, received “%s”", part, error->details);
}

static void
client_expect_quiet (Client *client)
{
  g_autofree char *text = NULL;

  spin (QUIET_MS);
  text = g_queue_pop_head (&client->received);
  if (text != NULL)
    g_error ("client %s: expected nothing, received %s", client->id, text);
}

static void
client_send (Client     *client,
             const char *format,
             ...) G_GNUC_PRINTF (2, 3);

static void
client_send (Client     *client,
             const char *format,
             ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  g_assert_cmpint (soup_websocket_connection_get_state (client->connection), ==,
                   SOUP_WEBSOCKET_STATE_OPEN);
  soup_websocket_connection_send_text (client->connection, text);
}

static gboolean
client_is_closed (gpointer data)
{
  return ((Client *) data)->closed;
}

static gushort
client_wait_closed (Client *client)
{
  if (!wait_until (client_is_closed, client, WAIT_MS))
    g_error ("client %s: still open after %u ms", client->id, WAIT_MS);

  return soup_websocket_connection_get_close_code (client->connection);
}

static void
client_free (Client *client)
{
  if (client->connection != NULL)
    {
      g_signal_handlers_disconnect_by_func (client->connection, on_client_message_cb, client);
      if (soup_websocket_connection_get_state (client->connection) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (client->connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      wait_until (client_is_closed, client, WAIT_MS);
      g_signal_handlers_disconnect_by_func (client->connection, on_client_closed_cb, client);
    }

  g_clear_object (&client->connection);
  g_clear_object (&client->session);
  g_queue_clear_full (&client->received, g_free);
  g_free (client->id);
  g_free (client);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Client, client_free)

/* Connected, welcomed, its id known */
static Client *
client_open (Server     *server,
             const char *token,
             TokenForm   form)
{
  g_autoptr(PsSignallingMessage) welcome = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *text = NULL;
  Client *client = client_try (server, token, form);

  if (client->connection == NULL)
    g_error ("the upgrade failed with HTTP status %u", client->status);
  g_assert_cmpuint (client->status, ==, SOUP_STATUS_SWITCHING_PROTOCOLS);

  text = client_next (client);
  welcome = ps_signalling_message_parse (text, strlen (text), PS_SIGNALLING_TO_CLIENT, NULL);
  g_assert_nonnull (welcome);
  g_assert_cmpint (welcome->type, ==, PS_SIGNALLING_MESSAGE_WELCOME);
  /* a UUID, as gst-webrtc-signalling-server gives */
  g_assert_cmpuint (strlen (welcome->peer_id), ==, 36);
  expected = g_strdup_printf ("{\"type\":\"welcome\",\"peerId\":\"%s\"}", welcome->peer_id);
  g_assert_cmpstr (text, ==, expected);
  client->id = g_strdup (welcome->peer_id);

  return client;
}

static Client *
client_register (Server     *server,
                 const char *token,
                 const char *roles,
                 const char *meta)
{
  Client *client = client_open (server, token, TOKEN_HEADER);

  client_send (client, "{\"type\":\"setPeerStatus\",\"roles\":[%s],\"meta\":%s}", roles, meta);
  if (strstr (roles, "listener") != NULL)
    {
      g_autoptr(PsSignallingMessage) own = client_expect (client, PS_SIGNALLING_MESSAGE_PEER_STATUS_CHANGED);

      g_assert_cmpstr (own->peer_id, ==, client->id);
    }
  else
    {
      /* the server answers in order: once this is answered, the status is in */
      g_autoptr(PsSignallingMessage) list = NULL;

      client_send (client, "{\"type\":\"listConsumers\"}");
      list = client_expect (client, PS_SIGNALLING_MESSAGE_LIST_CONSUMERS);
    }

  return client;
}

/* consumer asks producer for a session: both hear of it; the session id */
static char *
start_session (Client *consumer,
               Client *producer)
{
  g_autoptr(PsSignallingMessage) started = NULL;
  g_autofree char *expected = NULL;

  client_send (consumer, "{\"type\":\"startSession\",\"peerId\":\"%s\",\"offer\":null}", producer->id);
  started = client_expect (consumer, PS_SIGNALLING_MESSAGE_SESSION_STARTED);
  g_assert_cmpstr (started->peer_id, ==, producer->id);

  expected = g_strdup_printf ("{\"type\":\"startSession\",\"peerId\":\"%s\",\"sessionId\":\"%s\"}",
                              consumer->id, started->session_id);
  client_expect_text (producer, expected);

  return g_strdup (started->session_id);
}

/* Raw clients */

typedef struct
{
  GSocketConnection *connection;
  GInputStream      *in;
  GOutputStream     *out;
} Raw;

/* A plain TCP connection to the server, from FROM (a loopback address) or
 * from 127.0.0.1 */
static Raw *
raw_connect_from (Server     *server,
                  const char *from)
{
  g_autoptr(GSocketClient) socket_client = g_socket_client_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, server->port);
  g_autoptr(GError) error = NULL;
  Raw *raw = g_new0 (Raw, 1);

  if (from != NULL)
    {
      g_autoptr(GSocketAddress) local = g_inet_socket_address_new_from_string (from, 0);

      g_socket_client_set_local_address (socket_client, local);
    }

  raw->connection = g_socket_client_connect (socket_client, G_SOCKET_CONNECTABLE (address), NULL,
                                             &error);
  g_assert_no_error (error);
  g_socket_set_timeout (g_socket_connection_get_socket (raw->connection), 10);
  raw->in = g_io_stream_get_input_stream (G_IO_STREAM (raw->connection));
  raw->out = g_io_stream_get_output_stream (G_IO_STREAM (raw->connection));

  return raw;
}

static Raw *
raw_connect (Server *server)
{
  return raw_connect_from (server, NULL);
}

static void
raw_free (Raw *raw)
{
  g_io_stream_close (G_IO_STREAM (raw->connection), NULL, NULL);
  g_object_unref (raw->connection);
  g_free (raw);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Raw, raw_free)

static void
raw_write (Raw          *raw,
           const void   *data,
           gsize         length)
{
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (raw->out, data, length, NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
raw_upgrade (Raw        *raw,
             const char *token)
{
  g_autofree char *request = NULL;
  g_autoptr(GString) answer = g_string_new (NULL);

  request = g_strdup_printf ("GET /?token=%s HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                             "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                             "Sec-WebSocket-Version: 13\r\n\r\n", token);
  raw_write (raw, request, strlen (request));

  while (!g_str_has_suffix (answer->str, "\r\n\r\n"))
    {
      char c;

      g_assert_cmpint (g_input_stream_read (raw->in, &c, 1, NULL, NULL), ==, 1);
      g_string_append_c (answer, c);
      g_assert_cmpuint (answer->len, <, 4096);
    }
  g_assert_true (g_str_has_prefix (answer->str, "HTTP/1.1 101"));
}

/* a client's frame: masked */
static void
raw_send_frame (Raw          *raw,
                guint         opcode,
                gboolean      fin,
                const guint8 *payload,
                gsize         length)
{
  static const guint8 mask[4] = { 0x12, 0x34, 0x56, 0x78 };
  g_autoptr(GByteArray) frame = g_byte_array_new ();
  guint8 header[10];
  gsize header_length;

  header[0] = (fin ? 0x80 : 0) | opcode;
  if (length < 126)
    {
      header[1] = 0x80 | length;
      header_length = 2;
    }
  else if (length <= 0xffff)
    {
      header[1] = 0x80 | 126;
      header[2] = length >> 8;
      header[3] = length & 0xff;
      header_length = 4;
    }
  else
    {
      header[1] = 0x80 | 127;
      for (guint i = 0; i < 8; i++)
        header[2 + i] = (guint8) ((guint64) length >> (56 - 8 * i));
      header_length = 10;
    }

  g_byte_array_append (frame, header, header_length);
  g_byte_array_append (frame, mask, 4);
  for (gsize i = 0; i < length; i++)
    {
      guint8 byte = payload[i] ^ mask[i % 4];

      g_byte_array_append (frame, &byte, 1);
    }

  raw_write (raw, frame->data, frame->len);
}

static gboolean
raw_read_exactly (Raw    *raw,
                  guint8 *buffer,
                  gsize   length)
{
  gsize got = 0;

  return g_input_stream_read_all (raw->in, buffer, length, &got, NULL, NULL) && got == length;
}

/* The next frame from the server; FALSE at the end of the connection */
static gboolean
raw_read_frame (Raw     *raw,
                guint   *opcode,
                GBytes **payload)
{
  guint8 header[8];
  guint64 length;
  g_autofree guint8 *data = NULL;

  if (!raw_read_exactly (raw, header, 2))
    return FALSE;

  *opcode = header[0] & 0x0f;
  g_assert_cmpuint (header[1] & 0x80, ==, 0);     /* servers do not mask */
  length = header[1] & 0x7f;
  if (length == 126)
    {
      g_assert_true (raw_read_exactly (raw, header, 2));
      length = ((guint64) header[0] << 8) | header[1];
    }
  else if (length == 127)
    {
      g_assert_true (raw_read_exactly (raw, header, 8));
      length = 0;
      for (guint i = 0; i < 8; i++)
        length = (length << 8) | header[i];
    }
  g_assert_cmpuint (length, <=, 1024 * 1024);

  data = g_malloc (length + 1);
  g_assert_true (raw_read_exactly (raw, data, length));
  data[length] = '\0';
  *payload = g_bytes_new_take (g_steal_pointer (&data), length);

  return TRUE;
}

/* Reads to the end: the texts it got, and the close code (0 for none) */
static gushort
raw_read_to_end (Raw        *raw,
                 GPtrArray  *texts,
                 guint      *pings)
{
  gushort code = 0;
  GBytes *payload;
  guint opcode;

  while (raw_read_frame (raw, &opcode, &payload))
    {
      gsize size;
      const guint8 *data = g_bytes_get_data (payload, &size);

      if (opcode == 0x1)
        g_ptr_array_add (texts, g_strndup ((const char *) data, size));
      else if (opcode == 0x8 && size >= 2)
        code = (data[0] << 8) | data[1];
      else if (opcode == 0x9 && pings != NULL)
        (*pings)++;
      g_bytes_unref (payload);
    }

  return code;
}

/* raw_read_to_end() in a thread, while the main loop serves the libsoup clients */
typedef struct
{
  Raw       *raw;
  GPtrArray *texts;
  guint      pings;
  gushort    code;
  gint       done;
} ReadToEnd;

static gpointer
read_to_end_thread (gpointer data)
{
  ReadToEnd *read = data;

  read->code = raw_read_to_end (read->raw, read->texts, &read->pings);
  g_atomic_int_set (&read->done, TRUE);
  g_main_context_wakeup (NULL);

  return NULL;
}

static gboolean
read_to_end_done (gpointer data)
{
  return g_atomic_int_get (&((ReadToEnd *) data)->done);
}

/* The tests */

static void
test_welcome (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(Client) header = NULL;
  g_autoptr(Client) query = NULL;
  g_autoptr(Client) path = NULL;
  const char *refused[][2] = {
    { NULL, NULL },
    { "", NULL },
    { "token-of-home-a-0123456789abcdeF", NULL },
    { "token-of-home-a-0123456789abcde", NULL },
    { TOKEN_A "0", NULL },
  };

  server_start (server, TRUE, NULL);

  header = client_open (server, TOKEN_A, TOKEN_HEADER);
  query = client_open (server, TOKEN_A, TOKEN_QUERY);
  path = client_open (server, TOKEN_B, TOKEN_PATH);
  g_assert_cmpstr (header->id, !=, query->id);

  /* without a valid token: 401, and no WebSocket */
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      for (TokenForm form = TOKEN_HEADER; form <= TOKEN_NONE; form++)
        {
          g_autoptr(Client) client = client_try (server, refused[i][0], form);

          g_assert_null (client->connection);
          g_assert_cmpuint (client->status, ==, SOUP_STATUS_UNAUTHORIZED);
        }
    }

  /* another scheme than Bearer */
  {
    g_autoptr(SoupSession) session = soup_session_new ();
    g_autoptr(SoupMessage) message = NULL;
    g_autofree char *uri = g_strdup_printf ("http://127.0.0.1:%u/?token=%s", server->port, TOKEN_A);
    g_autoptr(GBytes) body = NULL;

    message = soup_message_new ("GET", uri);
    soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization",
                                  "Basic aG9tZS1hOnNlY3JldA==");
    body = soup_session_send_and_read (session, message, NULL, NULL);
    g_assert_cmpuint (soup_message_get_status (message), ==, SOUP_STATUS_UNAUTHORIZED);
  }

  /* a valid token, but no upgrade */
  {
    g_autoptr(SoupSession) session = soup_session_new ();
    g_autoptr(SoupMessage) message = NULL;
    g_autofree char *uri = g_strdup_printf ("http://127.0.0.1:%u/?token=%s", server->port, TOKEN_A);
    g_autoptr(GBytes) body = NULL;

    message = soup_message_new ("GET", uri);
    body = soup_session_send_and_read (session, message, NULL, NULL);
    g_assert_cmpuint (soup_message_get_status (message), ==, SOUP_STATUS_BAD_REQUEST);
  }

  /* the connections work */
  client_send (path, "{\"type\":\"list\"}");
  client_expect_text (path, "{\"type\":\"list\",\"producers\":[]}");
}

static void
test_producer_listener (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(Client) listener = NULL;
  g_autoptr(Client) producer = NULL;
  g_autoptr(Client) late = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *list = NULL;
  const char *meta = "{\"display-name\":\"Front door\",\"device-id\":\"sha-256 AB:CD\"}";

  server_start (server, TRUE, NULL);

  listener = client_register (server, TOKEN_A, "\"listener\"", "null");
  producer = client_register (server, TOKEN_A, "\"producer\"", meta);

  expected = g_strdup_printf ("{\"type\":\"peerStatusChanged\",\"peerId\":\"%s\","
                              "\"roles\":[\"producer\"],\"meta\":%s}", producer->id, meta);
  client_expect_text (listener, expected);
  client_expect_quiet (producer);

  /* the same status again is no news */
  client_send (producer, "{\"type\":\"setPeerStatus\",\"roles\":[\"producer\"],\"meta\":%s}", meta);
  client_expect_quiet (listener);

  list = g_strdup_printf ("{\"type\":\"list\",\"producers\":[{\"id\":\"%s\",\"meta\":%s}]}",
                          producer->id, meta);
  client_send (listener, "{\"type\":\"list\"}");
  client_expect_text (listener, list);

  /* one who comes later lists it too */
  late = client_open (server, TOKEN_A, TOKEN_QUERY);
  client_send (late, "{\"type\":\"list\"}");
  client_expect_text (late, list);
  client_send (late, "{\"type\":\"listConsumers\"}");
  client_expect_text (late, "{\"type\":\"listConsumers\",\"consumers\":[]}");

  /* a new meta is news */
  client_send (producer, "{\"type\":\"setPeerStatus\",\"roles\":[\"producer\"],"
                         "\"meta\":{\"display-name\":\"Garage\"}}");
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("{\"type\":\"peerStatusChanged\",\"peerId\":\"%s\","
                              "\"roles\":[\"producer\"],\"meta\":{\"display-name\":\"Garage\"}}",
                              producer->id);
  client_expect_text (listener, expected);
}

static void
test_session (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(Client) producer = NULL;
  g_autoptr(Client) consumer = NULL;
  g_autoptr(Client) listener = NULL;
  g_autofree char *session = NULL;
  g_autofree char *offer = NULL;
  g_autofree char *answer = NULL;
  g_autofree char *ice = NULL;
  g_autofree char *ice_back = NULL;
  g_autofree char *end = NULL;

  server_start (server, TRUE, NULL);

  producer = client_register (server, TOKEN_A, "\"producer\"", "{\"display-name\":\"cam1\"}");
  consumer = client_open (server, TOKEN_A, TOKEN_HEADER);
  listener = client_register (server, TOKEN_A, "\"listener\"", "null");

  session = start_session (consumer, producer);

  /* SDP and candidates go through unchanged, each to the other end */
  offer = g_strdup_printf ("{\"type\":\"peer\",\"sessionId\":\"%s\",\"sdp\":{\"type\":\"offer\","
                           "\"sdp\":\"v=0\\r\\no=- 1 0 IN IP4 0.0.0.0\\r\\ns=-\\r\\nt=0 0\\r\\n\"}}",
                           session);
  client_send (producer, "%s", offer);
  client_expect_text (consumer, offer);

  answer = g_strdup_printf ("{\"type\":\"peer\",\"sessionId\":\"%s\",\"sdp\":{\"type\":\"answer\","
                            "\"sdp\":\"v=0\\r\\no=- 2 0 IN IP4 0.0.0.0\\r\\n\"}}", session);
  client_send (consumer, "%s", answer);
  client_expect_text (producer, answer);

  ice = g_strdup_printf ("{\"type\":\"peer\",\"sessionId\":\"%s\",\"ice\":{\"candidate\":"
                         "\"candidate:1 1 UDP 2015363327 192.0.2.10 40000 typ host\","
                         "\"sdpMLineIndex\":0}}", session);
  client_send (producer, "%s", ice);
  client_expect_text (consumer, ice);

  /* a browser's candidate has more members: what is relayed is the protocol's */
  client_send (consumer, "{\"type\":\"peer\",\"sessionId\":\"%s\",\"ice\":{\"candidate\":"
                         "\"candidate:2 1 UDP 2015363327 198.51.100.7 50000 typ host\","
                         "\"sdpMLineIndex\":1,\"sdpMid\":\"video0\"}}", session);
  ice_back = g_strdup_printf ("{\"type\":\"peer\",\"sessionId\":\"%s\",\"ice\":{\"candidate\":"
                              "\"candidate:2 1 UDP 2015363327 198.51.100.7 50000 typ host\","
                              "\"sdpMLineIndex\":1}}", session);
  client_expect_text (producer, ice_back);

  /* only the producer offers */
  client_send (consumer, "{\"type\":\"peer\",\"sessionId\":\"%s\",\"sdp\":{\"type\":\"offer\",\"sdp\":\"v=0\"}}",
               session);
  client_expect_error (consumer, "not the producer");
  client_expect_quiet (producer);

  /* the consumer ends it: the producer hears */
  client_send (consumer, "{\"type\":\"endSession\",\"sessionId\":\"%s\"}", session);
  end = g_strdup_printf ("{\"type\":\"endSession\",\"sessionId\":\"%s\"}", session);
  client_expect_text (producer, end);
  client_expect_quiet (consumer);

  /* an ended session carries nothing more */
  client_send (producer, "%s", ice);
  client_send (consumer, "{\"type\":\"endSession\",\"sessionId\":\"%s\"}", session);
  client_expect_quiet (consumer);
  client_expect_quiet (producer);

  /* neither a listener nor itself is something to start a session with */
  client_send (consumer, "{\"type\":\"startSession\",\"peerId\":\"%s\"}", listener->id);
  client_expect_error (consumer, "neither a producer nor a passive consumer");
  client_send (producer, "{\"type\":\"startSession\",\"peerId\":\"%s\"}", producer->id);
  client_expect_error (producer, "not found");

  /* the listener heard only the statuses */
  client_expect_quiet (listener);
}

/* A producer may start a session with a passive consumer (webrtcsrc without
 * a producer id), giving its offer along */
static void
test_passive_consumer (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(Client) producer = NULL;
  g_autoptr(Client) consumer = NULL;
  g_autoptr(Client) listener = NULL;
  g_autoptr(PsSignallingMessage) started = NULL;
  g_autoptr(PsSignallingMessage) news = NULL;
  g_autoptr(PsSignallingMessage) ended = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *list = NULL;

  server_start (server, TRUE, NULL);

  listener = client_register (server, TOKEN_A, "\"listener\"", "null");
  consumer = client_register (server, TOKEN_A, "\"consumer\"", "{\"name\":\"viewer\"}");
  news = client_expect (listener, PS_SIGNALLING_MESSAGE_PEER_STATUS_CHANGED);
  g_assert_cmpint (news->roles, ==, PS_SIGNALLING_ROLE_CONSUMER);
  producer = client_register (server, TOKEN_A, "\"producer\"", "null");
  g_clear_pointer (&news, ps_signalling_message_free);
  news = client_expect (listener, PS_SIGNALLING_MESSAGE_PEER_STATUS_CHANGED);
  g_assert_cmpint (news->roles, ==, PS_SIGNALLING_ROLE_PRODUCER);

  client_send (listener, "{\"type\":\"listConsumers\"}");
  list = g_strdup_printf ("{\"type\":\"listConsumers\",\"consumers\":[{\"id\":\"%s\","
                          "\"meta\":{\"name\":\"viewer\"}}]}", consumer->id);
  client_expect_text (listener, list);

  /* as upstream: the consumer hears "sessionStarted", the producer "startSession" */
  client_send (producer, "{\"type\":\"startSession\",\"peerId\":\"%s\"}", consumer->id);
  started = client_expect (consumer, PS_SIGNALLING_MESSAGE_SESSION_STARTED);
  g_assert_cmpstr (started->peer_id, ==, producer->id);
  expected = g_strdup_printf ("{\"type\":\"startSession\",\"peerId\":\"%s\",\"sessionId\":\"%s\"}",
                              consumer->id, started->session_id);
  client_expect_text (producer, expected);

  /* a consumer may give its offer along: the producer gets it */
  {
    g_autoptr(Client) offering = client_open (server, TOKEN_A, TOKEN_HEADER);
    g_autoptr(PsSignallingMessage) offered = NULL;
    g_autofree char *with_offer = NULL;

    client_send (offering, "{\"type\":\"startSession\",\"peerId\":\"%s\",\"offer\":\"v=0\\r\\n\"}",
                 producer->id);
    offered = client_expect (offering, PS_SIGNALLING_MESSAGE_SESSION_STARTED);
    with_offer = g_strdup_printf ("{\"type\":\"startSession\",\"peerId\":\"%s\",\"sessionId\":\"%s\","
                                  "\"offer\":\"v=0\\r\\n\"}", offering->id, offered->session_id);
    client_expect_text (producer, with_offer);
  }
  /* the consumer left: its session ended */
  ended = client_expect (producer, PS_SIGNALLING_MESSAGE_END_SESSION);

  /* both roles at once are refused, as upstream does */
  client_send (producer, "{\"type\":\"setPeerStatus\",\"roles\":[\"producer\",\"consumer\"]}");
  client_expect_error (producer, "both producer and passive consumer");
}

static void
test_accounts (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(Client) producer = NULL;
  g_autoptr(Client) consumer = NULL;
  g_autoptr(Client) stranger = NULL;
  g_autoptr(PsSignallingMessage) end = NULL;
  g_autofree char *session = NULL;
  g_autofree char *ice = NULL;

  server_start (server, TRUE, NULL);

  stranger = client_register (server, TOKEN_B, "\"listener\",\"consumer\"", "null");
  producer = client_register (server, TOKEN_A, "\"producer\"", "{\"display-name\":\"cam\"}");
  consumer = client_open (server, TOKEN_A, TOKEN_HEADER);

  /* another account's producer is neither announced nor listed */
  client_expect_quiet (stranger);
  client_send (stranger, "{\"type\":\"list\"}");
  client_expect_text (stranger, "{\"type\":\"list\",\"producers\":[]}");

  /* nor reachable: its id is unknown */
  client_send (stranger, "{\"type\":\"startSession\",\"peerId\":\"%s\"}", producer->id);
  client_expect_error (stranger, "not found");
  client_expect_quiet (producer);

  /* nor can it start a session with the stranger, a passive consumer */
  client_send (producer, "{\"type\":\"startSession\",\"peerId\":\"%s\"}", stranger->id);
  client_expect_error (producer, "not found");
  client_send (consumer, "{\"type\":\"listConsumers\"}");
  client_expect_text (consumer, "{\"type\":\"listConsumers\",\"consumers\":[]}");

  /* a session of its account's peers is out of reach */
  session = start_session (consumer, producer);
  client_send (stranger, "{\"type\":\"peer\",\"sessionId\":\"%s\",\"sdp\":{\"type\":\"offer\",\"sdp\":\"v=0\"}}",
               session);
  client_send (stranger, "{\"type\":\"endSession\",\"sessionId\":\"%s\"}", session);
  client_expect_quiet (producer);
  client_expect_quiet (consumer);
  client_expect_quiet (stranger);

  /* and goes on */
  ice = g_strdup_printf ("{\"type\":\"peer\",\"sessionId\":\"%s\",\"ice\":{\"candidate\":\"\","
                         "\"sdpMLineIndex\":0}}", session);
  client_send (consumer, "%s", ice);
  client_expect_text (producer, ice);

  /* the stranger never hears the producer go */
  g_clear_pointer (&producer, client_free);
  end = client_expect (consumer, PS_SIGNALLING_MESSAGE_END_SESSION);
  client_expect_quiet (stranger);
}

static void
test_producer_gone (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(Client) producer = NULL;
  g_autoptr(Client) consumer = NULL;
  g_autoptr(Client) listener = NULL;
  g_autoptr(PsSignallingMessage) news = NULL;
  g_autofree char *session = NULL;
  g_autofree char *producer_id = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *gone = NULL;

  server_start (server, TRUE, NULL);

  listener = client_register (server, TOKEN_A, "\"listener\"", "null");
  producer = client_register (server, TOKEN_A, "\"producer\"", "{\"display-name\":\"cam\"}");
  news = client_expect (listener, PS_SIGNALLING_MESSAGE_PEER_STATUS_CHANGED);
  consumer = client_open (server, TOKEN_A, TOKEN_HEADER);
  session = start_session (consumer, producer);

  producer_id = g_strdup (producer->id);
  g_clear_pointer (&producer, client_free);

  expected = g_strdup_printf ("{\"type\":\"endSession\",\"sessionId\":\"%s\"}", session);
  client_expect_text (consumer, expected);
  gone = g_strdup_printf ("{\"type\":\"peerStatusChanged\",\"peerId\":\"%s\",\"roles\":[],"
                          "\"meta\":{\"display-name\":\"cam\"}}", producer_id);
  client_expect_text (listener, gone);

  client_send (listener, "{\"type\":\"list\"}");
  client_expect_text (listener, "{\"type\":\"list\",\"producers\":[]}");

  /* a producer that stops producing ends its sessions too */
  producer = client_register (server, TOKEN_A, "\"producer\"", "null");
  g_clear_pointer (&session, g_free);
  session = start_session (consumer, producer);
  client_send (producer, "{\"type\":\"setPeerStatus\",\"roles\":[]}");
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("{\"type\":\"endSession\",\"sessionId\":\"%s\"}", session);
  client_expect_text (consumer, expected);
}

static void
test_protocol_version (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(Client) producer = NULL;
  g_autoptr(Client) consumer = NULL;
  g_autofree char *session = NULL;
  g_autofree char *expected = NULL;

  server_start (server, TRUE, NULL);

  /* webrtcsink's signaller opens with its version */
  producer = client_open (server, TOKEN_A, TOKEN_HEADER);
  client_send (producer, "{\"type\":\"setProtocolVersion\",\"version\":\"v1_1\"}");
  client_send (producer, "{\"type\":\"setPeerStatus\",\"roles\":[\"producer\"],\"meta\":null,\"peerId\":\"%s\"}",
               producer->id);
  consumer = client_open (server, TOKEN_A, TOKEN_HEADER);

  /* to a 1.0 peer, an end with an error is a plain end */
  session = start_session (consumer, producer);
  client_send (producer, "{\"type\":\"endSessionV1_1\",\"sessionId\":\"%s\",\"error\":\"no codec\"}", session);
  expected = g_strdup_printf ("{\"type\":\"endSession\",\"sessionId\":\"%s\"}", session);
  client_expect_text (consumer, expected);

  /* to a 1.1 peer, the 1.1 message */
  g_clear_pointer (&session, g_free);
  session = start_session (consumer, producer);
  client_send (consumer, "{\"type\":\"endSession\",\"sessionId\":\"%s\"}", session);
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("{\"type\":\"endSessionV1_1\",\"sessionId\":\"%s\",\"error\":null}", session);
  client_expect_text (producer, expected);

  /* a 1.0 peer cannot send an error; the version comes first or never */
  g_clear_pointer (&session, g_free);
  session = start_session (consumer, producer);
  client_send (consumer, "{\"type\":\"endSessionV1_1\",\"sessionId\":\"%s\",\"error\":\"x\"}", session);
  client_expect_error (consumer, "version 1.1");
  client_send (consumer, "{\"type\":\"setProtocolVersion\",\"version\":\"v1_1\"}");
  client_expect_error (consumer, "first message");
  client_expect_quiet (producer);
}

static void
test_bad_messages (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(Client) client = NULL;
  g_autoptr(GBytes) binary = g_bytes_new_static ("\x00\x01", 2);
  g_autofree char *deep_open = g_strnfill (64, '[');
  g_autofree char *deep_close = g_strnfill (64, ']');

  server_start (server, TRUE, NULL);
  client = client_open (server, TOKEN_A, TOKEN_HEADER);

  client_send (client, "not json");
  client_expect_error (client, "not one JSON object");
  client_send (client, "{\"type\":\"welcome\",\"peerId\":\"me\"}");
  client_expect_error (client, "Unknown message type");
  client_send (client, "{\"type\":\"startSession\",\"peerId\":\"a\\\"b\"}");
  client_expect_error (client, "not a valid id");
  client_send (client, "{\"type\":\"setPeerStatus\",\"roles\":[\"admin\"]}");
  client_expect_error (client, "unknown role");
  client_send (client, "%s%s", deep_open, deep_close);
  client_expect_error (client, "not one JSON object");
  soup_websocket_connection_send_message (client->connection, SOUP_WEBSOCKET_DATA_BINARY, binary);
  client_expect_error (client, "Binary");

  /* still welcome */
  client_send (client, "{\"type\":\"list\"}");
  client_expect_text (client, "{\"type\":\"list\",\"producers\":[]}");
}

static void
test_oversize (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(Client) client = NULL;
  g_autoptr(Client) neighbour = NULL;
  g_autoptr(GString) big = g_string_new ("{\"type\":\"list\",\"padding\":\"");

  server_start (server, TRUE, NULL);
  client = client_open (server, TOKEN_A, TOKEN_HEADER);
  neighbour = client_open (server, TOKEN_A, TOKEN_HEADER);

  while (big->len < 70000)
    g_string_append (big, "0123456789abcdef");
  g_string_append (big, "\"}");
  client_send (client, "%s", big->str);

  client_expect_error (client, "too large");
  g_assert_cmpuint (client_wait_closed (client), ==, SOUP_WEBSOCKET_CLOSE_TOO_BIG);

  /* the others go on */
  client_send (neighbour, "{\"type\":\"list\"}");
  client_expect_text (neighbour, "{\"type\":\"list\",\"producers\":[]}");
}

/* libsoup 3.2 caps frames, not messages: many small fragments are counted */
static void
test_fragments (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(Raw) raw = NULL;
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autofree guint8 *chunk = g_malloc (8000);
  gushort code;

  server_start (server, TRUE, NULL);
  raw = raw_connect (server);
  raw_upgrade (raw, TOKEN_A);

  /* a message in fragments is fine while small */
  raw_send_frame (raw, 0x1, FALSE, (const guint8 *) "{\"type\":", 8);
  raw_send_frame (raw, 0x0, FALSE, (const guint8 *) "\"li", 3);
  raw_send_frame (raw, 0x9, TRUE, (const guint8 *) "ping", 4);
  raw_send_frame (raw, 0x0, TRUE, (const guint8 *) "st\"}", 4);

  memset (chunk, ' ', 8000);
  raw_send_frame (raw, 0x1, FALSE, (const guint8 *) "{", 1);
  for (guint i = 0; i < 10; i++)
    raw_send_frame (raw, 0x0, FALSE, chunk, 8000);

  code = raw_read_to_end (raw, texts, NULL);
  g_assert_cmpuint (texts->len, ==, 3);
  g_assert_true (g_str_has_prefix (texts->pdata[0], "{\"type\":\"welcome\""));
  g_assert_cmpstr (texts->pdata[1], ==, "{\"type\":\"list\",\"producers\":[]}");
  g_assert_cmpstr (texts->pdata[2], ==, "{\"type\":\"error\",\"details\":\"Message too large\"}");
  g_assert_cmpuint (code, ==, SOUP_WEBSOCKET_CLOSE_TOO_BIG);
}

static void
test_flood (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(Client) client = NULL;
  g_autoptr(Client) neighbour = NULL;
  gboolean got_error = FALSE;
  guint answers = 0;

  server_start (server, TRUE, NULL);
  client = client_open (server, TOKEN_A, TOKEN_HEADER);
  neighbour = client_open (server, TOKEN_A, TOKEN_HEADER);

  for (guint i = 0; i < 400; i++)
    client_send (client, "{\"type\":\"list\"}");

  g_assert_cmpuint (client_wait_closed (client), ==, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION);
  while (!g_queue_is_empty (&client->received))
    {
      g_autofree char *text = g_queue_pop_head (&client->received);

      if (strstr (text, "\"list\"") != NULL)
        answers++;
      else
        {
          g_assert_cmpstr (text, ==, "{\"type\":\"error\",\"details\":\"Too many messages\"}");
          got_error = TRUE;
        }
    }
  g_assert_true (got_error);
  /* the burst (100), and what the rate let through meanwhile */
  g_assert_cmpuint (answers, >=, 90);
  g_assert_cmpuint (answers, <, 400);

  client_send (neighbour, "{\"type\":\"list\"}");
  client_expect_text (neighbour, "{\"type\":\"list\",\"producers\":[]}");
}

/* A peer that does not read what is relayed to it is cut off, and its
 * session ends */
static void
test_backlog (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(Client) producer = NULL;
  g_autoptr(Raw) consumer = NULL;
  g_autoptr(PsSignallingMessage) started = NULL;
  g_autoptr(PsSignallingMessage) end = NULL;
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(GString) sdp = g_string_new ("v=0\\r\\n");
  g_autofree char *start = NULL;
  guint opcode;

  server_start (server, TRUE, "--rate", "100000", "--burst", "100000", "--max-backlog", "131072",
                NULL);
  producer = client_register (server, TOKEN_A, "\"producer\"", "null");

  consumer = raw_connect (server);
  raw_upgrade (consumer, TOKEN_A);
  g_assert_true (raw_read_frame (consumer, &opcode, &payload));     /* welcome */
  g_clear_pointer (&payload, g_bytes_unref);
  start = g_strdup_printf ("{\"type\":\"startSession\",\"peerId\":\"%s\"}", producer->id);
  raw_send_frame (consumer, 0x1, TRUE, (const guint8 *) start, strlen (start));
  g_assert_true (raw_read_frame (consumer, &opcode, &payload));     /* sessionStarted */
  started = ps_signalling_message_parse (g_bytes_get_data (payload, NULL), g_bytes_get_size (payload),
                                         PS_SIGNALLING_TO_CLIENT, NULL);
  g_assert_nonnull (started);
  g_assert_cmpint (started->type, ==, PS_SIGNALLING_MESSAGE_SESSION_STARTED);
  ps_signalling_message_free (client_expect (producer, PS_SIGNALLING_MESSAGE_START_SESSION));

  /* offers of 60 kB until the consumer's socket buffers are full and more */
  while (sdp->len < 60000)
    g_string_append (sdp, "a=x-padding:0123456789abcdef0123456789abcdef\\r\\n");
  for (guint i = 0; i < 400 && !producer->closed && g_queue_is_empty (&producer->received); i++)
    {
      client_send (producer, "{\"type\":\"peer\",\"sessionId\":\"%s\",\"sdp\":{\"type\":\"offer\","
                             "\"sdp\":\"%s\"}}", started->session_id, sdp->str);
      spin (5);
    }

  end = client_expect (producer, PS_SIGNALLING_MESSAGE_END_SESSION);
  g_assert_cmpstr (end->session_id, ==, started->session_id);
  g_assert_false (producer->closed);
}

static void
test_idle (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(Client) live = NULL;
  g_autoptr(Raw) raw = NULL;
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GThread) thread = NULL;
  ReadToEnd read = { NULL, NULL, 0, 0, FALSE };
  gint64 start;
  double seconds;

  server_start (server, TRUE, "--idle-timeout", "3", NULL);

  /* libsoup answers the server's pings: it stays */
  live = client_open (server, TOKEN_A, TOKEN_HEADER);

  /* a peer that never answers is closed after the timeout */
  raw = raw_connect (server);
  raw_upgrade (raw, TOKEN_A);
  start = g_get_monotonic_time ();
  read.raw = raw;
  read.texts = texts;
  thread = g_thread_new ("read-to-end", read_to_end_thread, &read);
  g_assert_true (wait_until (read_to_end_done, &read, 10000));
  g_thread_join (g_steal_pointer (&thread));
  seconds = (g_get_monotonic_time () - start) / 1e6;
  g_assert_cmpuint (read.code, ==, SOUP_WEBSOCKET_CLOSE_NORMAL);
  g_assert_cmpuint (texts->len, ==, 1);       /* the welcome */
  g_assert_cmpuint (read.pings, >=, 1);
  g_assert_cmpfloat (seconds, >=, 2.9);
  g_assert_cmpfloat (seconds, <, 6);

  spin (2000);
  g_assert_false (live->closed);
  client_send (live, "{\"type\":\"list\"}");
  client_expect_text (live, "{\"type\":\"list\",\"producers\":[]}");
}

static void
test_handshake_timeout (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(Raw) silent = NULL;
  g_autoptr(Raw) slow = NULL;
  gint64 start;
  guint8 byte;

  server_start (server, TRUE, "--handshake-timeout", "1", NULL);

  /* nothing sent at all, or half a request */
  silent = raw_connect (server);
  slow = raw_connect (server);
  raw_write (slow, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n", 33);

  start = g_get_monotonic_time ();
  g_assert_cmpint (g_input_stream_read (silent->in, &byte, 1, NULL, NULL), <=, 0);
  g_assert_cmpint (g_input_stream_read (slow->in, &byte, 1, NULL, NULL), <=, 0);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 4 * G_USEC_PER_SEC);
}

static void
test_caps (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(Client) a1 = NULL;
  g_autoptr(Client) a2 = NULL;
  g_autoptr(Client) a3 = NULL;
  g_autoptr(Client) b1 = NULL;
  g_autoptr(Client) b2 = NULL;
  g_autoptr(Client) a4 = NULL;

  server_start (server, TRUE, "--max-connections-per-account", "2", "--max-connections", "3", NULL);

  a1 = client_open (server, TOKEN_A, TOKEN_HEADER);
  a2 = client_open (server, TOKEN_A, TOKEN_QUERY);
  a3 = client_try (server, TOKEN_A, TOKEN_HEADER);
  g_assert_null (a3->connection);
  g_assert_cmpuint (a3->status, ==, SOUP_STATUS_SERVICE_UNAVAILABLE);

  b1 = client_open (server, TOKEN_B, TOKEN_HEADER);
  b2 = client_try (server, TOKEN_B, TOKEN_HEADER);
  g_assert_null (b2->connection);

  /* a place freed is taken again */
  g_clear_pointer (&a1, client_free);
  spin (QUIET_MS);
  a4 = client_open (server, TOKEN_A, TOKEN_HEADER);
}

/* One address cannot take every place, even before a token is checked:
 * silent connections count */
static void
test_address_cap (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(Raw) other1 = NULL;
  g_autoptr(Raw) other2 = NULL;
  g_autoptr(Raw) other3 = NULL;
  g_autoptr(Client) a1 = NULL;
  g_autoptr(Client) b1 = NULL;
  g_autoptr(Client) a2 = NULL;
  g_autoptr(Client) a3 = NULL;
  gint64 start;
  guint8 byte;

  server_start (server, TRUE, "--max-connections-per-address", "2", NULL);

  /* two silent connections from 127.0.0.2 fill that address's places... */
  other1 = raw_connect_from (server, "127.0.0.2");
  other2 = raw_connect_from (server, "127.0.0.2");
  spin (QUIET_MS);
  other3 = raw_connect_from (server, "127.0.0.2");
  start = g_get_monotonic_time ();
  g_assert_cmpint (g_input_stream_read (other3->in, &byte, 1, NULL, NULL), <=, 0);
  /* cut at once, not by the handshake timeout (10 s) */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);

  /* ...not 127.0.0.1's, whose two places any accounts may take */
  a1 = client_open (server, TOKEN_A, TOKEN_HEADER);
  b1 = client_open (server, TOKEN_B, TOKEN_HEADER);
  a2 = client_try (server, TOKEN_A, TOKEN_HEADER);
  g_assert_null (a2->connection);

  /* a place freed is taken again */
  g_clear_pointer (&b1, client_free);
  spin (QUIET_MS);
  a3 = client_open (server, TOKEN_A, TOKEN_HEADER);
}

static void
test_sessions_cap (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(Client) producer = NULL;
  g_autoptr(Client) consumer = NULL;

  server_start (server, TRUE, "--max-sessions-per-peer", "2", NULL);
  producer = client_register (server, TOKEN_A, "\"producer\"", "null");
  consumer = client_open (server, TOKEN_A, TOKEN_HEADER);

  g_free (start_session (consumer, producer));
  g_free (start_session (consumer, producer));
  client_send (consumer, "{\"type\":\"startSession\",\"peerId\":\"%s\"}", producer->id);
  client_expect_error (consumer, "Too many sessions");
  client_expect_quiet (producer);
}

static void
test_wss (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(Client) client = NULL;
  g_autoptr(Client) plain = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  g_autofree char *subject = NULL;
  int status = -1;

  if (openssl == NULL)
    {
      g_test_skip ("openssl is needed to make a certificate");
      return;
    }

  server->cert_file = g_build_filename (server->dir, "cert.pem", NULL);
  server->key_file = g_build_filename (server->dir, "key.pem", NULL);
  {
    const char *argv[] = {
      openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
      "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
      "-keyout", server->key_file, "-out", server->cert_file, NULL
    };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                  NULL, NULL, NULL, NULL, &status, &error);
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }
  server->certificate = g_tls_certificate_new_from_file (server->cert_file, &error);
  g_assert_no_error (error);

  g_assert_true (g_str_has_prefix (server_start (server, TRUE, "--tls-cert", server->cert_file,
                                                 "--tls-key", server->key_file, NULL),
                                   "wss://127.0.0.1:"));

  client = client_open (server, TOKEN_A, TOKEN_QUERY);
  client_send (client, "{\"type\":\"list\"}");
  client_expect_text (client, "{\"type\":\"list\",\"producers\":[]}");

  /* the token is checked inside TLS as well */
  {
    g_autoptr(Client) refused = client_try (server, TOKEN_C, TOKEN_HEADER);

    g_assert_null (refused->connection);
    g_assert_cmpuint (refused->status, ==, SOUP_STATUS_UNAUTHORIZED);
  }

  /* no plain WebSocket on that port */
  server->tls = FALSE;
  plain = client_try (server, TOKEN_A, TOKEN_HEADER);
  g_assert_null (plain->connection);
  server->tls = TRUE;
}

static void
test_config (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(Client) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *config = g_build_filename (server->dir, "rendezvous.conf", NULL);
  g_autofree char *bad = g_build_filename (server->dir, "bad.conf", NULL);

  /* relative paths are the configuration's */
  g_file_set_contents (config, "# test\n[rendezvous]\nlisten = 127.0.0.1:0\ntoken-file = tokens\n"
                               "rate = 1\nburst = 3\n", -1, &error);
  g_assert_no_error (error);
  g_file_set_contents (bad, "[rendezvous]\nlisten = 127.0.0.1:0\ntoken-file = tokens\n"
                            "max-msg = 5\n", -1, &error);
  g_assert_no_error (error);

  g_assert_nonnull (server_start (server, FALSE, "--config", config, NULL));
  client = client_open (server, TOKEN_A, TOKEN_HEADER);
  for (guint i = 0; i < 5; i++)
    client_send (client, "{\"type\":\"list\"}");
  g_assert_cmpuint (client_wait_closed (client), ==, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION);
  g_clear_pointer (&client, client_free);
  g_assert_cmpint (server_stop (server), ==, 0);

  /* the command line wins */
  g_assert_nonnull (server_start (server, FALSE, "--config", config, "--burst", "100", NULL));
  client = client_open (server, TOKEN_A, TOKEN_HEADER);
  for (guint i = 0; i < 5; i++)
    {
      client_send (client, "{\"type\":\"list\"}");
      client_expect_text (client, "{\"type\":\"list\",\"producers\":[]}");
    }
  g_clear_pointer (&client, client_free);
  g_assert_cmpint (server_stop (server), ==, 0);

  /* the example that is installed: its settings pass */
  g_assert_nonnull (server_start (server, TRUE, "--config",
                                  g_test_get_filename (G_TEST_DIST, "..", "data",
                                                       "peerscope-rendezvous.conf", NULL),
                                  NULL));
  client = client_open (server, TOKEN_A, TOKEN_HEADER);
  g_clear_pointer (&client, client_free);
  g_assert_cmpint (server_stop (server), ==, 0);

  /* mistakes end it at once */
  g_assert_null (server_start (server, FALSE, "--config", bad, NULL));
  g_assert_cmpint (server_wait_exit (server), ==, 2);
  g_assert_null (server_start (server, TRUE, "--rate", "0", NULL));
  g_assert_cmpint (server_wait_exit (server), ==, 2);
  g_assert_null (server_start (server, FALSE, "--listen", "localhost:0", "--token-file",
                               server->token_file, NULL));
  g_assert_cmpint (server_wait_exit (server), ==, 2);
  g_assert_null (server_start (server, FALSE, "--listen", "127.0.0.1:0", "--token-file", config, NULL));
  g_assert_cmpint (server_wait_exit (server), ==, 1);
}

static void
test_shutdown (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(Client) a = NULL;
  g_autoptr(Client) b = NULL;

  server_start (server, TRUE, NULL);
  a = client_open (server, TOKEN_A, TOKEN_HEADER);
  b = client_register (server, TOKEN_B, "\"producer\"", "null");

  g_assert_cmpint (server_stop (server), ==, 0);
  g_assert_cmpuint (client_wait_closed (a), ==, SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
  g_assert_cmpuint (client_wait_closed (b), ==, SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
}

static void
test_reload (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(Client) a = NULL;
  g_autoptr(Client) b = NULL;
  g_autoptr(Client) c = NULL;
  g_autoptr(Client) refused = NULL;
  g_autoptr(GError) error = NULL;

  server_start (server, TRUE, NULL);
  a = client_open (server, TOKEN_A, TOKEN_HEADER);
  b = client_open (server, TOKEN_B, TOKEN_HEADER);

  /* home-b leaves, home-c comes */
  g_file_set_contents (server->token_file, "home-a " TOKEN_A "\nhome-c " TOKEN_C "\n", -1, &error);
  g_assert_no_error (error);
  g_subprocess_send_signal (server->process, SIGHUP);

  g_assert_cmpuint (client_wait_closed (b), ==, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION);
  client_send (a, "{\"type\":\"list\"}");
  client_expect_text (a, "{\"type\":\"list\",\"producers\":[]}");

  refused = client_try (server, TOKEN_B, TOKEN_HEADER);
  g_assert_cmpuint (refused->status, ==, SOUP_STATUS_UNAUTHORIZED);
  c = client_open (server, TOKEN_C, TOKEN_HEADER);

  /* a broken file keeps the tokens in force */
  g_file_set_contents (server->token_file, "home-a\n", -1, &error);
  g_assert_no_error (error);
  g_subprocess_send_signal (server->process, SIGHUP);
  spin (QUIET_MS);
  g_assert_false (a->closed);
  g_assert_false (c->closed);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/rendezvous/welcome", test_welcome);
  g_test_add_func ("/rendezvous/producer-listener", test_producer_listener);
  g_test_add_func ("/rendezvous/session", test_session);
  g_test_add_func ("/rendezvous/passive-consumer", test_passive_consumer);
  g_test_add_func ("/rendezvous/accounts", test_accounts);
  g_test_add_func ("/rendezvous/producer-gone", test_producer_gone);
  g_test_add_func ("/rendezvous/protocol-version", test_protocol_version);
  g_test_add_func ("/rendezvous/bad-messages", test_bad_messages);
  g_test_add_func ("/rendezvous/oversize", test_oversize);
  g_test_add_func ("/rendezvous/fragments", test_fragments);
  g_test_add_func ("/rendezvous/flood", test_flood);
  g_test_add_func ("/rendezvous/backlog", test_backlog);
  g_test_add_func ("/rendezvous/idle", test_idle);
  g_test_add_func ("/rendezvous/handshake-timeout", test_handshake_timeout);
  g_test_add_func ("/rendezvous/caps", test_caps);
  g_test_add_func ("/rendezvous/address-cap", test_address_cap);
  g_test_add_func ("/rendezvous/sessions-cap", test_sessions_cap);
  g_test_add_func ("/rendezvous/wss", test_wss);
  g_test_add_func ("/rendezvous/config", test_config);
  g_test_add_func ("/rendezvous/shutdown", test_shutdown);
  g_test_add_func ("/rendezvous/reload", test_reload);

  return g_test_run ();
}
