/* test-emulator-phone-home.c: the emulator calling home, as the cameras do
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ps-pppp.h"
#include "ps-xml.h"
#include "test-emulator-common.h"

/* Phone home
 *
 * A second emulator (and a third, which honours the P2P switch) calls
 * "home" to servers this test runs on 127.0.0.1: a UDP sink on the PPPP
 * server port (given with --pppp-server-port, as 32100 is not ours to
 * bind), a second UDP sink reached by name through a tiny DNS server, an
 * HTTP heartbeat server and an SNTP server. Nothing leaves loopback. */

#define PH_INTERVAL      "0.2"
#define PH_WAIT_MS       15000
#define PH_VENDOR_NAME   "p2p.vendor.example"

typedef struct
{
  GBytes  *data;
  guint16  port;     /* the sender's */
  guint    order;    /* across every server, to tell what came first */
} Datagram;

typedef struct
{
  GSocket   *socket;
  GSource   *source;
  GPtrArray *datagrams;   /* Datagram */
  guint16    port;
} UdpServer;

typedef struct
{
  GSocketService *service;
  GPtrArray      *requests;   /* char *, each a whole request */
  guint16         port;
} HttpServer;

typedef struct
{
  GSubprocess *process;
  char        *tmpdir;
  char        *log_path;
  char        *cgi;         /* http://127.0.0.1:P/cgi-bin/CGIProxy.fcgi */
  JsonParser  *ready;
} PhoneCamera;

static struct
{
  UdpServer   pppp;        /* --phone-home 127.0.0.1:P/udp, P the PPPP server port */
  UdpServer   vendor;      /* --phone-home p2p.vendor.example:P/udp */
  UdpServer   dns;
  UdpServer   ntp;
  HttpServer  http;
  PhoneCamera camera;
  SoupSession *session;
  guint        order;
  guint        pppp_seen_at_off;  /* datagrams before setP2PEnable&isEnable=0 */
} home;

static void
datagram_free (gpointer data)
{
  Datagram *datagram = data;

  g_bytes_unref (datagram->data);
  g_free (datagram);
}

typedef GBytes *(*AnswerFunc) (const guint8 *data,
                               gsize         len);

/* DNS: NAME A 127.0.0.1 (TTL 60), NXDOMAIN for any other name, built by
 * hand; only well-formed single-question queries get an answer. */
static GBytes *
answer_dns (const guint8 *q,
            gsize         len)
{
  static const guint8 answer[] = {
    0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x04, 127, 0, 0, 1,
  };
  g_autoptr(GString) name = g_string_new (NULL);
  GByteArray *reply;
  gsize pos = 12;
  gboolean ours;

  if (len < 17 || q[2] & 0x80 || q[4] != 0 || q[5] != 1)
    return NULL;
  while (pos < len && q[pos] != 0)
    {
      if (q[pos] > 63 || pos + 1 + q[pos] >= len)
        return NULL;
      if (name->len > 0)
        g_string_append_c (name, '.');
      g_string_append_len (name, (const char *) q + pos + 1, q[pos]);
      pos += 1 + (gsize) q[pos];
    }
  if (pos + 5 > len)
    return NULL;
  pos += 5;   /* the root, type, class */

  ours = g_ascii_strcasecmp (name->str, PH_VENDOR_NAME) == 0 && q[pos - 4] == 0 &&
         q[pos - 3] == 1;
  reply = g_byte_array_new ();
  g_byte_array_append (reply, q, 2);
  g_byte_array_append (reply, (const guint8 *) (ours ? "\x81\x80" : "\x81\x83"), 2);
  g_byte_array_append (reply, (const guint8 *) "\x00\x01\x00", 3);
  g_byte_array_append (reply, (const guint8 *) (ours ? "\x01" : "\x00"), 1);
  g_byte_array_append (reply, (const guint8 *) "\x00\x00\x00\x00", 4);
  g_byte_array_append (reply, q + 12, (guint) (pos - 12));
  if (ours)
    g_byte_array_append (reply, answer, sizeof answer);

  return g_byte_array_free_to_bytes (reply);
}

/* SNTP: stratum 2, origin = the request's transmit timestamp. */
static GBytes *
answer_ntp (const guint8 *q,
            gsize         len)
{
  guint8 *reply;

  if (len != 48 || (q[0] & 7) != 3)
    return NULL;

  reply = g_malloc0 (48);
  reply[0] = 0x24;
  reply[1] = 2;
  memcpy (reply + 24, q + 40, 8);
  memcpy (reply + 40, q + 40, 8);
  reply[47] ^= 1;

  return g_bytes_new_take (reply, 48);
}

static gboolean
on_udp_readable_cb (GSocket      *socket,
                    GIOCondition  condition,
                    gpointer      user_data)
{
  UdpServer *server = user_data;
  AnswerFunc answer = g_object_get_data (G_OBJECT (socket), "answer");

  for (;;)
    {
      g_autoptr(GSocketAddress) from = NULL;
      g_autoptr(GBytes) reply = NULL;
      guint8 buffer[2048];
      Datagram *datagram;
      gssize n;

      n = g_socket_receive_from (socket, &from, (char *) buffer, sizeof buffer, NULL, NULL);
      if (n < 0)
        break;

      datagram = g_new0 (Datagram, 1);
      datagram->data = g_bytes_new (buffer, (gsize) n);
      datagram->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (from));
      datagram->order = home.order++;
      g_ptr_array_add (server->datagrams, datagram);

      if (answer != NULL && (reply = answer (buffer, (gsize) n)) != NULL)
        g_socket_send_to (socket, from, g_bytes_get_data (reply, NULL), g_bytes_get_size (reply),
                          NULL, NULL);
    }

  return G_SOURCE_CONTINUE;
}

static void
udp_server_start (UdpServer  *server,
                  AnswerFunc  answer)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  server->socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                                 G_SOCKET_PROTOCOL_UDP, &error);
  g_assert_no_error (error);
  g_socket_set_blocking (server->socket, FALSE);
  g_socket_bind (server->socket, any, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (server->socket, &error);
  g_assert_no_error (error);
  server->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  server->datagrams = g_ptr_array_new_with_free_func (datagram_free);
  g_object_set_data (G_OBJECT (server->socket), "answer", answer);

  server->source = g_socket_create_source (server->socket, G_IO_IN, NULL);
  g_source_set_callback (server->source, G_SOURCE_FUNC (on_udp_readable_cb), server, NULL);
  g_source_attach (server->source, NULL);
}

static void
udp_server_stop (UdpServer *server)
{
  if (server->source != NULL)
    g_source_destroy (server->source);
  g_clear_pointer (&server->source, g_source_unref);
  g_clear_object (&server->socket);
  g_clear_pointer (&server->datagrams, g_ptr_array_unref);
}

/* HTTP heartbeats: read one whole request, answer 200, close. */

typedef struct
{
  HttpServer        *server;
  GSocketConnection *connection;
  char               buffer[4096];
  gsize              len;
} HttpClient;

static void
http_client_free (HttpClient *client)
{
  g_io_stream_close (G_IO_STREAM (client->connection), NULL, NULL);
  g_object_unref (client->connection);
  g_free (client);
}

static void
on_http_written_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, NULL);
  http_client_free (user_data);
}

static gboolean
http_request_is_whole (HttpClient *client)
{
  const char *end = g_strstr_len (client->buffer, (gssize) client->len, "\r\n\r\n");
  const char *length;

  if (end == NULL)
    return FALSE;
  length = g_strstr_len (client->buffer, end - client->buffer, "Content-Length: ");
  if (length == NULL)
    return TRUE;

  return client->len - (gsize) (end + 4 - client->buffer) >=
         g_ascii_strtoull (length + 16, NULL, 10);
}

static void
on_http_read_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  static const char reply[] =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n"
    "Connection: close\r\n\r\n{\"code\":0}\n";
  HttpClient *client = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, NULL);

  if (n <= 0)
    {
      http_client_free (client);
      return;
    }
  client->len += (gsize) n;
  if (!http_request_is_whole (client) && client->len < sizeof client->buffer - 1)
    {
      g_input_stream_read_async (G_INPUT_STREAM (object), client->buffer + client->len,
                                 sizeof client->buffer - 1 - client->len, G_PRIORITY_DEFAULT,
                                 NULL, on_http_read_cb, client);
      return;
    }

  g_ptr_array_add (client->server->requests, g_strndup (client->buffer, client->len));
  g_output_stream_write_all_async (g_io_stream_get_output_stream (G_IO_STREAM (client->connection)),
                                   reply, strlen (reply), G_PRIORITY_DEFAULT, NULL,
                                   on_http_written_cb, client);
}

static gboolean
on_http_incoming_cb (GSocketService    *service,
                     GSocketConnection *connection,
                     GObject           *source_object,
                     gpointer           user_data)
{
  HttpClient *client = g_new0 (HttpClient, 1);

  client->server = user_data;
  client->connection = g_object_ref (connection);
  g_input_stream_read_async (g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                             client->buffer, sizeof client->buffer - 1, G_PRIORITY_DEFAULT,
                             NULL, on_http_read_cb, client);

  return TRUE;
}

static void
http_server_start (HttpServer *server)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  server->service = g_socket_service_new ();
  server->requests = g_ptr_array_new_with_free_func (g_free);
  g_socket_listener_add_address (G_SOCKET_LISTENER (server->service), any,
                                 G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, &bound,
                                 &error);
  g_assert_no_error (error);
  server->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_signal_connect (server->service, "incoming", G_CALLBACK (on_http_incoming_cb), server);
  g_socket_service_start (server->service);
}

static void
http_server_stop (HttpServer *server)
{
  if (server->service != NULL)
    {
      g_socket_service_stop (server->service);
      g_socket_listener_close (G_SOCKET_LISTENER (server->service));
    }
  g_clear_object (&server->service);
  g_clear_pointer (&server->requests, g_ptr_array_unref);
}

/* Waiting on the default main context */

static gboolean
on_wait_timeout_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;

  return G_SOURCE_REMOVE;
}

static gboolean
wait_for (gboolean (*check) (gpointer data),
          gpointer   data,
          guint      timeout_ms)
{
  gboolean expired = FALSE;
  guint id = g_timeout_add (timeout_ms, on_wait_timeout_cb, &expired);

  while ((check == NULL || !check (data)) && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (id);

  return check == NULL || check (data);
}

static void
run_for (guint ms)
{
  wait_for (NULL, NULL, ms);
}

typedef struct
{
  UdpServer *server;
  guint      want;
} Want;

static gboolean
has_datagrams (gpointer data)
{
  Want *want = data;

  return want->server->datagrams->len >= want->want;
}

static void
wait_for_datagrams (UdpServer *server,
                    guint      n)
{
  Want want = { server, n };

  if (!wait_for (has_datagrams, &want, PH_WAIT_MS))
    g_error ("%u datagrams after %u ms, %u expected", server->datagrams->len, PH_WAIT_MS, n);
}

static gboolean
has_requests (gpointer data)
{
  return home.http.requests->len >= GPOINTER_TO_UINT (data);
}

/* Spawning */

static void
phone_camera_start (PhoneCamera *camera,
                    const char  *first_arg,
                    ...)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  g_autofree char *onvif = NULL;
  const char *path = g_getenv ("PS_EMULATOR");
  Wait wait = { loop };
  JsonObject *ready;
  va_list args;

  g_assert_nonnull (path);
  camera->tmpdir = g_dir_make_tmp ("test-emulator-home-XXXXXX", &error);
  g_assert_no_error (error);
  camera->log_path = g_build_filename (camera->tmpdir, "connections.log", NULL);

  g_ptr_array_add (argv, (gpointer) path);
  g_ptr_array_add (argv, (gpointer) "--bind");
  g_ptr_array_add (argv, (gpointer) "127.0.0.1");
  g_ptr_array_add (argv, (gpointer) "--log");
  g_ptr_array_add (argv, camera->log_path);
  /* small and slow: the encoders are not what this is about */
  g_ptr_array_add (argv, (gpointer) "--width=64");
  g_ptr_array_add (argv, (gpointer) "--height=64");
  g_ptr_array_add (argv, (gpointer) "--sub-width=64");
  g_ptr_array_add (argv, (gpointer) "--sub-height=64");
  g_ptr_array_add (argv, (gpointer) "--fps=5");
  g_ptr_array_add (argv, (gpointer) "--wsd-port=0");
  g_ptr_array_add (argv, (gpointer) "--mdns-port=0");
  g_ptr_array_add (argv, (gpointer) "--ssdp-port=0");
  g_ptr_array_add (argv, (gpointer) "--phone-home-interval=" PH_INTERVAL);
  va_start (args, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
#ifdef __linux__
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
#endif
  camera->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata,
                                                  &error);
  g_assert_no_error (error);

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (camera->process));
  g_data_input_stream_read_line_async (out, G_PRIORITY_DEFAULT, NULL, on_ready_line_cb, &wait);
  wait_run (&wait);
  g_assert_no_error (wait.error);
  g_assert_nonnull (wait.line);

  camera->ready = json_parser_new ();
  json_parser_load_from_data (camera->ready, wait.line, -1, &error);
  g_assert_no_error (error);
  g_free (wait.line);
  ready = json_node_get_object (json_parser_get_root (camera->ready));
  onvif = dup_member (ready, "onvif");
  g_assert_true (g_str_has_suffix (onvif, "/onvif/device_service"));
  camera->cgi = g_strdup_printf ("%.*s/cgi-bin/CGIProxy.fcgi",
                                 (int) (strlen (onvif) - strlen ("/onvif/device_service")), onvif);
}

/* SIGTERM; asserts a clean exit. */
static void
phone_camera_stop (PhoneCamera *camera)
{
  g_autoptr(GError) error = NULL;

  if (camera->process == NULL)
    return;

  g_subprocess_send_signal (camera->process, SIGTERM);
  g_subprocess_wait (camera->process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (camera->process));
  g_assert_cmpint (g_subprocess_get_exit_status (camera->process), ==, 0);
  g_clear_object (&camera->process);
}

static void
phone_camera_clear (PhoneCamera *camera)
{
  if (camera->process != NULL && g_subprocess_get_identifier (camera->process) != NULL)
    {
      g_subprocess_force_exit (camera->process);
      g_subprocess_wait (camera->process, NULL, NULL);
    }
  g_clear_object (&camera->process);
  if (camera->log_path != NULL)
    g_unlink (camera->log_path);
  if (camera->tmpdir != NULL)
    g_rmdir (camera->tmpdir);
  g_clear_pointer (&camera->log_path, g_free);
  g_clear_pointer (&camera->tmpdir, g_free);
  g_clear_pointer (&camera->cgi, g_free);
  g_clear_object (&camera->ready);
}

/* Every line of the camera's log, parsed (objects owned by the array). */
static GPtrArray *
read_log (PhoneCamera *camera)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

  g_file_get_contents (camera->log_path, &contents, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonNode) node = NULL;

      if (*lines[i] == '\0')
        continue;
      node = json_from_string (lines[i], &error);
      g_assert_no_error (error);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
      g_assert_cmpint (json_object_get_int_member (json_node_get_object (node), "ts_us"), >, 0);
      g_ptr_array_add (events, json_object_ref (json_node_get_object (node)));
    }

  return events;
}

/* The CGI: returns <result> and, when there is one, <isEnable> (else -1). */
static int
cgi (PhoneCamera *camera,
     const char  *query,
     int         *is_enable)
{
  g_autofree char *url = g_strdup_printf ("%s?%s", camera->cgi, query);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(xmlDoc) doc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *result = NULL;
  g_autofree char *enable = NULL;
  Wait wait = { loop };
  const char *data;
  gsize len;

  soup_session_send_and_read_async (home.session, msg, G_PRIORITY_DEFAULT, NULL, on_sent_cb,
                                    &wait);
  wait_run (&wait);
  g_assert_no_error (wait.error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, SOUP_STATUS_OK);

  data = g_bytes_get_data (wait.body, &len);
  doc = ps_xml_parse (data, len, &error);
  g_assert_no_error (error);
  g_assert_cmpstr ((const char *) xmlDocGetRootElement (doc)->name, ==, "CGI_Result");
  result = ps_xml_find_text (xmlDocGetRootElement (doc), "result");
  g_assert_nonnull (result);
  enable = ps_xml_find_text (xmlDocGetRootElement (doc), "isEnable");
  if (is_enable != NULL)
    *is_enable = enable != NULL ? atoi (enable) : -1;
  g_bytes_unref (wait.body);

  return atoi (result);
}

static gint64
member_int (JsonObject *o,
            const char *name)
{
  return json_object_get_int_member_with_default (o, name, -1);
}

static const char *
member_str (JsonObject *o,
            const char *name)
{
  return json_object_get_string_member_with_default (o, name, "");
}

/* Tests */

static void
test_phone_home_start (void)
{
  g_autofree char *pppp = NULL;
  g_autofree char *pppp_port = NULL;
  g_autofree char *tcp = NULL;
  g_autofree char *vendor = NULL;
  g_autofree char *dns = NULL;
  g_autofree char *ntp = NULL;
  JsonObject *ready;
  JsonArray *targets;

  udp_server_start (&home.pppp, NULL);
  udp_server_start (&home.vendor, NULL);
  udp_server_start (&home.dns, answer_dns);
  udp_server_start (&home.ntp, answer_ntp);
  http_server_start (&home.http);
  home.session = soup_session_new_with_options ("timeout", TIMEOUT_S, NULL);

  pppp = g_strdup_printf ("--phone-home=127.0.0.1:%u/udp", home.pppp.port);
  pppp_port = g_strdup_printf ("--pppp-server-port=%u", home.pppp.port);
  tcp = g_strdup_printf ("--phone-home=127.0.0.1:%u/tcp", home.http.port);
  vendor = g_strdup_printf ("--phone-home=" PH_VENDOR_NAME ":%u/udp", home.vendor.port);
  dns = g_strdup_printf ("--dns-server=127.0.0.1:%u", home.dns.port);
  ntp = g_strdup_printf ("--ntp=127.0.0.1:%u", home.ntp.port);

  phone_camera_start (&home.camera, pppp, pppp_port, tcp, vendor, dns, ntp,
                      "--user", USER, "--password", PASSWORD, NULL);

  ready = json_node_get_object (json_parser_get_root (home.camera.ready));
  g_assert_true (json_object_has_member (ready, "phone_home"));
  targets = json_object_get_array_member (ready, "phone_home");
  g_assert_cmpuint (json_array_get_length (targets), ==, 3);
  g_assert_cmpstr (json_array_get_string_element (targets, 0), ==, pppp + strlen ("--phone-home="));
  g_assert_cmpstr (json_array_get_string_element (targets, 1), ==, tcp + strlen ("--phone-home="));
  g_assert_cmpstr (json_array_get_string_element (targets, 2), ==,
                   vendor + strlen ("--phone-home="));
  g_assert_cmpstr (member_str (ready, "ntp"), ==, ntp + strlen ("--ntp="));
}

static void
test_phone_home_udp (void)
{
  guint16 port;

  wait_for_datagrams (&home.pppp, 3);

  /* one socket for the whole run: one source port, one conntrack flow */
  port = ((Datagram *) home.pppp.datagrams->pdata[0])->port;
  g_assert_cmpuint (port, !=, 0);
  for (guint i = 0; i < home.pppp.datagrams->len; i++)
    {
      Datagram *datagram = home.pppp.datagrams->pdata[i];
      gsize len;
      const guint8 *data = g_bytes_get_data (datagram->data, &len);

      g_assert_cmpuint (datagram->port, ==, port);
      /* CS2 PPPP MSG_HELLO */
      g_assert_cmpmem (data, len, "\xf1\x00\x00\x00", 4);
    }
}

static void
test_phone_home_tcp (void)
{
  if (!wait_for (has_requests, GUINT_TO_POINTER (2), PH_WAIT_MS))
    g_error ("%u heartbeats, 2 expected", home.http.requests->len);

  for (guint i = 0; i < home.http.requests->len; i++)
    {
      const char *request = home.http.requests->pdata[i];
      const char *body = strstr (request, "\r\n\r\n");
      g_autoptr(JsonNode) json = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_true (g_str_has_prefix (request, "POST /api/heartbeat HTTP/1.1\r\n"));
      g_assert_nonnull (body);
      json = json_from_string (body + 4, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (member_str (json_node_get_object (json), "cmd"), ==, "heartbeat");
    }
}

static void
test_phone_home_dns (void)
{
  Datagram *query, *first;
  const guint8 *data;
  gsize len;

  wait_for_datagrams (&home.vendor, 2);
  g_assert_cmpuint (home.dns.datagrams->len, >=, 1);

  /* the name was looked up (with our server), then the datagrams came */
  query = home.dns.datagrams->pdata[0];
  first = home.vendor.datagrams->pdata[0];
  g_assert_cmpuint (query->order, <, first->order);
  data = g_bytes_get_data (query->data, &len);
  g_assert_cmpuint (len, ==, 12 + strlen (PH_VENDOR_NAME) + 2 + 4);
  g_assert_cmpmem (data + 12, 4, "\x03p2p", 4);
  g_assert_cmpmem (data + len - 4, 4, "\x00\x01\x00\x01", 4);   /* A, IN */

  /* not the PPPP port: a small vendor heartbeat, from one socket too */
  for (guint i = 0; i < home.vendor.datagrams->len; i++)
    {
      Datagram *datagram = home.vendor.datagrams->pdata[i];
      g_autoptr(JsonNode) json = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *text = NULL;

      data = g_bytes_get_data (datagram->data, &len);
      text = g_strndup ((const char *) data, len);
      json = json_from_string (text, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (member_str (json_node_get_object (json), "cmd"), ==, "heartbeat");
      g_assert_cmpuint (datagram->port, ==, first->port);
    }
}

static void
test_phone_home_ntp (void)
{
  const guint8 *data;
  gsize len;

  wait_for_datagrams (&home.ntp, 2);
  data = g_bytes_get_data (((Datagram *) home.ntp.datagrams->pdata[0])->data, &len);
  g_assert_cmpuint (len, ==, 48);
  g_assert_cmpuint (data[0], ==, 0x23);
}

static void
test_phone_home_cgi (void)
{
  int enable;

  g_assert_cmpint (cgi (&home.camera, "cmd=getP2PEnable&usr=" USER "&pwd=" PASSWORD, &enable),
                   ==, 0);
  g_assert_cmpint (enable, ==, 1);
  g_assert_cmpint (cgi (&home.camera, "cmd=getP2PEnable&usr=" USER "&pwd=nope", &enable), ==, -2);
  g_assert_cmpint (enable, ==, -1);
  g_assert_cmpint (cgi (&home.camera, "cmd=getP2PEnable", NULL), ==, -2);
  g_assert_cmpint (cgi (&home.camera, "cmd=setP2PEnable&isEnable=0&usr=x&pwd=" PASSWORD, NULL),
                   ==, -2);
  g_assert_cmpint (cgi (&home.camera, "cmd=reboot&usr=" USER "&pwd=" PASSWORD, NULL), ==, -1);
  g_assert_cmpint (cgi (&home.camera, "cmd=setP2PEnable&isEnable=2&usr=" USER "&pwd=" PASSWORD,
                        NULL), ==, -1);
  g_assert_cmpint (cgi (&home.camera, "usr=" USER "&pwd=" PASSWORD, NULL), ==, -1);

  /* UPnP: stored, and read back */
  g_assert_cmpint (cgi (&home.camera, "cmd=getUPnPConfig&usr=" USER "&pwd=" PASSWORD, &enable),
                   ==, 0);
  g_assert_cmpint (enable, ==, 1);
  g_assert_cmpint (cgi (&home.camera, "cmd=setUPnPConfig&isEnable=0&usr=" USER "&pwd=" PASSWORD,
                        NULL), ==, 0);
  g_assert_cmpint (cgi (&home.camera, "cmd=getUPnPConfig&usr=" USER "&pwd=" PASSWORD, &enable),
                   ==, 0);
  g_assert_cmpint (enable, ==, 0);

  /* P2P off, and it says so */
  g_assert_cmpint (cgi (&home.camera, "cmd=setP2PEnable&isEnable=0&usr=" USER "&pwd=" PASSWORD,
                        NULL), ==, 0);
  home.pppp_seen_at_off = home.pppp.datagrams->len;
  g_assert_cmpint (cgi (&home.camera, "cmd=getP2PEnable&usr=" USER "&pwd=" PASSWORD, &enable),
                   ==, 0);
  g_assert_cmpint (enable, ==, 0);
}

/* The vendor bug: P2P is "off", and the hellos go on. */
static void
test_phone_home_p2p_off_bug (void)
{
  wait_for_datagrams (&home.pppp, home.pppp_seen_at_off + 4);
}

/* The log is the ground truth: it matches what the servers saw. */
static void
test_phone_home_log (void)
{
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *pppp_remote = g_strdup_printf ("127.0.0.1:%u", home.pppp.port);
  g_autofree char *vendor_remote = g_strdup_printf ("127.0.0.1:%u", home.vendor.port);
  g_autofree char *tcp_remote = g_strdup_printf ("127.0.0.1:%u", home.http.port);
  g_autofree char *dns_server = g_strdup_printf ("127.0.0.1:%u", home.dns.port);
  g_autofree char *pppp_local = NULL;
  gint64 pppp_packets = 0, pppp_bytes = 0, vendor_packets = 0, tcp_ok = 0, dns_ok = 0;
  gint64 ntp_answered = 0;
  gboolean p2p_off = FALSE, upnp_off = FALSE, denied = FALSE;

  phone_camera_stop (&home.camera);
  run_for (100);   /* what was in flight */

  pppp_local = g_strdup_printf ("127.0.0.1:%u",
                                ((Datagram *) home.pppp.datagrams->pdata[0])->port);
  events = read_log (&home.camera);
  for (guint i = 0; i < events->len; i++)
    {
      JsonObject *o = events->pdata[i];
      const char *event = member_str (o, "event");

      if (g_str_equal (event, "phone-home") && g_str_equal (member_str (o, "remote"), pppp_remote))
        {
          g_assert_cmpstr (member_str (o, "protocol"), ==, "udp");
          g_assert_cmpstr (member_str (o, "payload"), ==, "pppp-hello");
          g_assert_cmpstr (member_str (o, "host"), ==, "127.0.0.1");
          g_assert_cmpstr (member_str (o, "local"), ==, pppp_local);
          g_assert_cmpint (member_int (o, "round"), >, 0);
          g_assert_false (json_object_has_member (o, "error"));
          pppp_packets += member_int (o, "packets_out");
          pppp_bytes += member_int (o, "bytes_out");
        }
      else if (g_str_equal (event, "phone-home") &&
               g_str_equal (member_str (o, "remote"), vendor_remote))
        {
          g_assert_cmpstr (member_str (o, "host"), ==, PH_VENDOR_NAME);
          g_assert_cmpstr (member_str (o, "payload"), ==, "vendor");
          vendor_packets += member_int (o, "packets_out");
        }
      else if (g_str_equal (event, "phone-home") &&
               g_str_equal (member_str (o, "protocol"), "tcp"))
        {
          g_assert_cmpstr (member_str (o, "remote"), ==, tcp_remote);
          if (json_object_get_boolean_member_with_default (o, "connected", FALSE) &&
              member_int (o, "http_status") == 200 && member_int (o, "bytes_out") > 100 &&
              member_int (o, "bytes_in") > 0)
            tcp_ok++;
        }
      else if (g_str_equal (event, "dns-query"))
        {
          JsonArray *answers = json_object_get_array_member (o, "answers");

          g_assert_cmpstr (member_str (o, "name"), ==, PH_VENDOR_NAME);
          g_assert_cmpstr (member_str (o, "type"), ==, "A");
          g_assert_cmpstr (member_str (o, "server"), ==, dns_server);
          if (g_str_equal (member_str (o, "rcode"), "NOERROR") &&
              json_array_get_length (answers) == 1 &&
              g_str_equal (json_array_get_string_element (answers, 0), "127.0.0.1") &&
              member_int (o, "ttl") == 60 && member_int (o, "packets_out") == 1 &&
              member_int (o, "bytes_out") == 36)
            dns_ok++;
        }
      else if (g_str_equal (event, "ntp"))
        {
          if (member_int (o, "stratum") == 2)
            ntp_answered++;
        }
      else if (g_str_equal (event, "p2p-setting"))
        {
          g_assert_false (json_object_get_boolean_member (o, "enable"));
          g_assert_false (json_object_get_boolean_member (o, "honoured"));
          p2p_off = TRUE;
        }
      else if (g_str_equal (event, "upnp-setting"))
        upnp_off = !json_object_get_boolean_member (o, "enable");
      else if (g_str_equal (event, "cgi") && g_str_equal (member_str (o, "auth"), "denied"))
        denied = TRUE;
    }

  /* loopback loses nothing: one logged packet per datagram received */
  g_assert_cmpint (pppp_packets, ==, home.pppp.datagrams->len);
  g_assert_cmpint (pppp_bytes, ==, 4 * pppp_packets);
  g_assert_cmpint (vendor_packets, ==, home.vendor.datagrams->len);
  g_assert_cmpint (tcp_ok, >=, 2);
  g_assert_cmpint (dns_ok, >=, 1);
  g_assert_cmpint (ntp_answered, >=, 1);
  g_assert_true (p2p_off);
  g_assert_true (upnp_off);
  g_assert_true (denied);

  phone_camera_clear (&home.camera);
}

/* With --honour-p2p-setting, P2P off stops the hellos (and on starts
 * them again, from the same port). Obfuscated with --pppp-psk here. */
static void
test_phone_home_honoured (void)
{
  g_autofree char *target = NULL;
  g_autofree char *port = NULL;
  g_autoptr(GPtrArray) events = NULL;
  PhoneCamera camera = { 0 };
  guint16 source_port;
  gboolean honoured = FALSE;

  g_ptr_array_set_size (home.pppp.datagrams, 0);
  target = g_strdup_printf ("--phone-home=127.0.0.1:%u/udp", home.pppp.port);
  port = g_strdup_printf ("--pppp-server-port=%u", home.pppp.port);
  phone_camera_start (&camera, target, port, "--pppp-psk=camera", "--honour-p2p-setting", NULL);

  wait_for_datagrams (&home.pppp, 2);
  source_port = ((Datagram *) home.pppp.datagrams->pdata[0])->port;
  for (guint i = 0; i < home.pppp.datagrams->len; i++)
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (((Datagram *) home.pppp.datagrams->pdata[i])->data,
                                             &len);
      guint8 plain[4];

      g_assert_cmpuint (len, ==, 4);
      g_assert_true (memcmp (data, "\xf1\x00\x00\x00", 4) != 0);
      ps_pppp_decrypt ("camera", data, plain, 4);
      g_assert_cmpmem (plain, 4, "\xf1\x00\x00\x00", 4);
    }

  /* no credentials configured: any will do */
  g_assert_cmpint (cgi (&camera, "cmd=setP2PEnable&isEnable=0&usr=a&pwd=b", NULL), ==, 0);
  run_for (300);   /* what was on its way */
  g_ptr_array_set_size (home.pppp.datagrams, 0);
  run_for (1200);   /* six rounds */
  g_assert_cmpuint (home.pppp.datagrams->len, ==, 0);

  g_assert_cmpint (cgi (&camera, "cmd=setP2PEnable&isEnable=1&usr=a&pwd=b", NULL), ==, 0);
  wait_for_datagrams (&home.pppp, 2);
  g_assert_cmpuint (((Datagram *) home.pppp.datagrams->pdata[0])->port, ==, source_port);

  phone_camera_stop (&camera);
  events = read_log (&camera);
  for (guint i = 0; i < events->len; i++)
    if (g_str_equal (member_str (events->pdata[i], "event"), "p2p-setting") &&
        !json_object_get_boolean_member (events->pdata[i], "enable"))
      honoured = json_object_get_boolean_member (events->pdata[i], "honoured");
  g_assert_true (honoured);
  phone_camera_clear (&camera);
}

/* Only lab addresses, and well-formed targets: the emulator refuses to
 * start otherwise, before it sends anything. */
static void
test_phone_home_refused (void)
{
  const char *path = g_getenv ("PS_EMULATOR");
  const char *bad[][2] = {
    { "--phone-home", "240.0.0.1:32100/udp" },      /* not a lab address */
    { "--phone-home", "127.0.0.1:32100/sctp" },
    { "--phone-home", "127.0.0.1/udp" },
    { "--phone-home", "::1:32100/udp" },            /* IPv6 needs brackets */
    { "--phone-home", "bad_name!:80/tcp" },
    { "--ntp", "240.0.0.1" },
    { "--dns-server", "dns.example" },              /* must be numeric */
  };

  g_assert_nonnull (path);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GSubprocess) process = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *err = NULL;

      process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                  G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                                  path, "--bind", "127.0.0.1", "--wsd-port=0", "--mdns-port=0",
                                  "--ssdp-port=0", "--width=64", "--height=64",
                                  "--sub-width=64", "--sub-height=64",
                                  "--phone-home", "127.0.0.1:9/udp",
                                  bad[i][0], bad[i][1], NULL);
      g_assert_no_error (error);
      g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err, &error);
      g_assert_no_error (error);
      g_test_message ("%s %s: %s", bad[i][0], bad[i][1], err);
      g_assert_true (g_subprocess_get_if_exited (process));
      g_assert_cmpint (g_subprocess_get_exit_status (process), !=, 0);
      g_assert_nonnull (strstr (err, "phone home: "));
    }
}

void
phone_home_cleanup (void)
{
  phone_camera_clear (&home.camera);
  udp_server_stop (&home.pppp);
  udp_server_stop (&home.vendor);
  udp_server_stop (&home.dns);
  udp_server_stop (&home.ntp);
  http_server_stop (&home.http);
  g_clear_object (&home.session);
}

void
phone_home_add_tests (void)
{
  g_test_add_func ("/emulator/phone-home/start", test_phone_home_start);
  g_test_add_func ("/emulator/phone-home/udp", test_phone_home_udp);
  g_test_add_func ("/emulator/phone-home/tcp", test_phone_home_tcp);
  g_test_add_func ("/emulator/phone-home/dns", test_phone_home_dns);
  g_test_add_func ("/emulator/phone-home/ntp", test_phone_home_ntp);
  g_test_add_func ("/emulator/phone-home/cgi", test_phone_home_cgi);
  g_test_add_func ("/emulator/phone-home/p2p-off-bug", test_phone_home_p2p_off_bug);
  g_test_add_func ("/emulator/phone-home/log", test_phone_home_log);
  g_test_add_func ("/emulator/phone-home/honoured", test_phone_home_honoured);
  g_test_add_func ("/emulator/phone-home/refused", test_phone_home_refused);
}
