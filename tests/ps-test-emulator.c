/* ps-test-emulator.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "ps-test-emulator.h"

#define READY_TIMEOUT_MS 20000

/* An aborted test must not leave its emulator behind (nor let it hold the
 * test's stderr open, which keeps the test runner waiting). */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static const char *
emulator_path (void)
{
  const char *path = g_getenv ("PS_EMULATOR");

  g_assert_nonnull (path);
  return path;
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

static gboolean
read_done (gpointer data)
{
  return ((ReadLine *) data)->done;
}

PsTestEmulator *
ps_test_emulator_start (const char *first_arg,
                        ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(JsonNode) node = NULL;
  PsTestEmulator *emulator;
  ReadLine read = { NULL, FALSE };
  JsonObject *object;
  va_list args;

  g_ptr_array_add (argv, (gpointer) emulator_path ());
  g_ptr_array_add (argv, (gpointer) "--bind");
  g_ptr_array_add (argv, (gpointer) "127.0.0.1");
  va_start (args, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  emulator = g_new0 (PsTestEmulator, 1);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  emulator->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata,
                                                    &error);
  g_assert_no_error (error);

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (emulator->process));
  g_data_input_stream_read_line_async (out, G_PRIORITY_DEFAULT, NULL, read_line_cb, &read);
  ps_test_wait_until (read_done, &read, READY_TIMEOUT_MS);
  if (!read.done || read.line == NULL)
    {
      ps_test_emulator_stop (emulator);
      g_error ("the emulator printed no ready line");
    }

  node = json_from_string (read.line, &error);
  g_assert_no_error (error);
  g_free (read.line);
  object = json_node_get_object (node);
  emulator->rtsp = g_strdup (json_object_get_string_member (object, "rtsp"));
  emulator->rtsp_sub = g_strdup (json_object_get_string_member (object, "rtsp_sub"));
  emulator->onvif = g_strdup (json_object_get_string_member (object, "onvif"));
  emulator->snapshot = g_strdup (json_object_get_string_member (object, "snapshot"));
  emulator->pppp_port = (guint16) json_object_get_int_member_with_default (object, "pppp_port", 0);
  emulator->kalay_port = (guint16) json_object_get_int_member_with_default (object, "kalay_port", 0);
  emulator->wsd_port = (guint16) json_object_get_int_member_with_default (object, "wsd_port", 0);
  emulator->wsd_endpoint = g_strdup (json_object_get_string_member_with_default (object,
                                                                                 "wsd_endpoint",
                                                                                 NULL));

  return emulator;
}

void
ps_test_emulator_stop (PsTestEmulator *emulator)
{
  if (emulator == NULL)
    return;

  if (emulator->process != NULL)
    {
      g_subprocess_send_signal (emulator->process, SIGTERM);
      g_subprocess_wait (emulator->process, NULL, NULL);
      g_clear_object (&emulator->process);
    }
  g_free (emulator->rtsp);
  g_free (emulator->rtsp_sub);
  g_free (emulator->onvif);
  g_free (emulator->snapshot);
  g_free (emulator->wsd_endpoint);
  g_free (emulator);
}

guint16
ps_test_free_port (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                         &error);
  g_assert_no_error (error);
  g_socket_bind (socket, any, TRUE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);

  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

GSocket *
ps_test_udp_socket (void)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GError) error = NULL;
  GSocket *socket;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP,
                         &error);
  g_assert_no_error (error);
  g_socket_bind (socket, any, FALSE, &error);
  g_assert_no_error (error);

  return socket;
}

static gboolean
timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
ps_test_wait_until (gboolean (*check) (gpointer data),
                    gpointer   data,
                    guint      timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, timeout_cb, &timed_out);

  /* GLib resets the handler at each test case; every case that runs
   * GStreamer waits here */
  ps_test_tolerate_gst_bugs ();

  while (!check (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (!timed_out)
    g_source_remove (id);

  return check (data);
}

void ps_test_tolerate_gst_bugs (void);

static gboolean
is_known_gst_bug (const char *log_domain,
                  const char *message)
{
  return g_strcmp0 (log_domain, "GStreamer") == 0 && message != NULL &&
         strstr (message, "gst_event_set_seqnum") != NULL &&
         strstr (message, "GST_SEQNUM_INVALID") != NULL;
}

static gboolean
fatal_log_handler (const char     *log_domain,
                   GLogLevelFlags  log_level,
                   const char     *message,
                   gpointer        user_data)
{
  return !is_known_gst_bug (log_domain, message);
}

/* Keeps the known message out of the TAP stream, where the default handler
 * would print it as "Bail out!"; everything else goes the default way. */
static void
gst_log_handler (const char     *log_domain,
                 GLogLevelFlags  log_level,
                 const char     *message,
                 gpointer        user_data)
{
  if (is_known_gst_bug (log_domain, message))
    return;

  g_log_default_handler (log_domain, log_level, message, user_data);
}

void
ps_test_tolerate_gst_bugs (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      g_log_set_handler ("GStreamer", G_LOG_LEVEL_CRITICAL | G_LOG_FLAG_FATAL,
                         gst_log_handler, NULL);
      g_once_init_leave (&once, 1);
    }
  g_test_log_set_fatal_handler (fatal_log_handler, NULL);
}
