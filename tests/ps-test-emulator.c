/* ps-test-emulator.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <json-glib/json-glib.h>

#include "ps-test-emulator.h"

#define READY_TIMEOUT_MS 20000

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
  emulator->process = g_subprocess_newv ((const char * const *) argv->pdata,
                                         G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
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

  while (!check (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (!timed_out)
    g_source_remove (id);

  return check (data);
}
