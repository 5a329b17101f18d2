/* ps-emulator-heartbeat.c: one HTTP request over a fresh TCP connection
 *
 * The reply is untrusted and only measured: read into a fixed buffer of
 * PS_EMULATOR_HEARTBEAT_MAX_REPLY bytes, never past it; the status line
 * and Content-Length are read in place, within what arrived.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-emulator"

#include <string.h>

#include "ps-emulator-heartbeat.h"

#define MAX_REPLY PS_EMULATOR_HEARTBEAT_MAX_REPLY

typedef struct
{
  GSocketClient     *client;
  GSocketConnection *connection;
  GCancellable      *cancellable;   /* ours: the timeout or the caller's cancel */
  GCancellable      *outer;         /* the caller's */
  gulong             outer_id;
  GSource           *timeout;
  GBytes            *request;
  PsEmulatorHeartbeat *report;
  guint8             reply[MAX_REPLY];
  gsize              reply_len;
  gboolean           timed_out;
} Exchange;

void
ps_emulator_heartbeat_free (PsEmulatorHeartbeat *heartbeat)
{
  if (heartbeat == NULL)
    return;

  g_clear_object (&heartbeat->remote);
  g_clear_object (&heartbeat->local);
  g_clear_error (&heartbeat->error);
  g_free (heartbeat);
}

static void
exchange_free (gpointer data)
{
  Exchange *exchange = data;

  g_assert (exchange->timeout == NULL && exchange->outer_id == 0);

  g_clear_object (&exchange->connection);
  g_clear_object (&exchange->client);
  g_clear_object (&exchange->cancellable);
  g_clear_object (&exchange->outer);
  g_clear_pointer (&exchange->request, g_bytes_unref);
  g_clear_pointer (&exchange->report, ps_emulator_heartbeat_free);
  g_free (exchange);
}

/* "HTTP/1.x NNN" */
static int
status_of (const guint8 *reply,
           gsize         len)
{
  if (len < 12 || memcmp (reply, "HTTP/1.", 7) != 0 || reply[8] != ' ' ||
      !g_ascii_isdigit (reply[9]) || !g_ascii_isdigit (reply[10]) ||
      !g_ascii_isdigit (reply[11]))
    return -1;

  return (reply[9] - '0') * 100 + (reply[10] - '0') * 10 + (reply[11] - '0');
}

/* Has a whole response come: headers and, if it says how long, the body? */
static gboolean
reply_is_complete (Exchange *exchange)
{
  const char *data = (const char *) exchange->reply;
  const char *end = g_strstr_len (data, (gssize) exchange->reply_len, "\r\n\r\n");
  gsize headers_len;

  if (end == NULL)
    return FALSE;
  headers_len = (gsize) (end - data) + 4;

  /* every header line ends with "\r\n", the last one at end */
  for (const char *line = data; line < end; )
    {
      const char *eol = g_strstr_len (line, end + 2 - line, "\r\n");

      if (eol == NULL)
        break;
      if (eol - line > 15 && g_ascii_strncasecmp (line, "Content-Length:", 15) == 0)
        {
          const char *value = line + 15;
          guint64 length;

          while (value < eol && (*value == ' ' || *value == '\t'))
            value++;
          if (value == eol || !g_ascii_isdigit (*value))
            return FALSE;
          /* stops at the '\r' of eol at the latest */
          length = g_ascii_strtoull (value, NULL, 10);
          if (length > MAX_REPLY)
            return FALSE;   /* read up to the cap, or the end */
          return exchange->reply_len - headers_len >= length;
        }
      line = eol + 2;
    }

  return FALSE;   /* no length: read until the server closes */
}

/* Ends the exchange with error (taken) or without. */
static void
exchange_finish (GTask  *task,
                 GError *error)
{
  Exchange *exchange = g_task_get_task_data (task);
  PsEmulatorHeartbeat *report = exchange->report;

  if (exchange->timeout != NULL)
    {
      g_source_destroy (exchange->timeout);
      g_clear_pointer (&exchange->timeout, g_source_unref);
    }
  if (exchange->outer_id != 0)
    {
      g_cancellable_disconnect (exchange->outer, exchange->outer_id);
      exchange->outer_id = 0;
    }
  if (exchange->connection != NULL)
    {
      report->local = g_socket_connection_get_local_address (exchange->connection, NULL);
      /* a socket close does not block */
      g_io_stream_close (G_IO_STREAM (exchange->connection), NULL, NULL);
    }

  report->bytes_in = exchange->reply_len;
  report->http_status = status_of (exchange->reply, exchange->reply_len);
  if (exchange->timed_out)
    {
      g_clear_error (&error);
      error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "timed out");
    }
  report->error = error;

  exchange->report = NULL;
  g_task_return_pointer (task, report, (GDestroyNotify) ps_emulator_heartbeat_free);
  g_object_unref (task);
}

static void read_more (GTask *task);

static void
on_read_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  Exchange *exchange = g_task_get_task_data (task);
  GError *error = NULL;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, &error);
  if (n < 0)
    {
      exchange_finish (task, error);
      return;
    }

  exchange->reply_len += (gsize) n;
  if (n == 0 || exchange->reply_len == MAX_REPLY || reply_is_complete (exchange))
    {
      exchange_finish (task, NULL);
      return;
    }

  read_more (task);
}

static void
read_more (GTask *task)
{
  Exchange *exchange = g_task_get_task_data (task);
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (exchange->connection));

  g_input_stream_read_async (in, exchange->reply + exchange->reply_len,
                             MAX_REPLY - exchange->reply_len, G_PRIORITY_DEFAULT,
                             exchange->cancellable, on_read_cb, task);
}

static void
on_written_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  Exchange *exchange = g_task_get_task_data (task);
  GError *error = NULL;
  gsize written = 0;

  g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, &written, &error);
  exchange->report->bytes_out = written;
  if (error != NULL)
    {
      exchange_finish (task, error);
      return;
    }

  read_more (task);
}

static void
on_connected_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  Exchange *exchange = g_task_get_task_data (task);
  GError *error = NULL;
  GOutputStream *out;

  exchange->connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (object), result,
                                                         &error);
  if (exchange->connection == NULL)
    {
      exchange_finish (task, error);
      return;
    }
  exchange->report->connected = TRUE;

  out = g_io_stream_get_output_stream (G_IO_STREAM (exchange->connection));
  g_output_stream_write_all_async (out, g_bytes_get_data (exchange->request, NULL),
                                   g_bytes_get_size (exchange->request), G_PRIORITY_DEFAULT,
                                   exchange->cancellable, on_written_cb, task);
}

static gboolean
on_timeout_cb (gpointer user_data)
{
  Exchange *exchange = user_data;

  exchange->timed_out = TRUE;
  g_clear_pointer (&exchange->timeout, g_source_unref);
  g_cancellable_cancel (exchange->cancellable);

  return G_SOURCE_REMOVE;
}

static void
on_outer_cancelled_cb (GCancellable *outer,
                       gpointer      user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

void
ps_emulator_heartbeat_send_async (GSocketAddress      *remote,
                                  GInetAddress        *local_address,
                                  GBytes              *request,
                                  guint                timeout_ms,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GSocketAddress) local = NULL;
  Exchange *exchange;
  GTask *task;

  g_return_if_fail (G_IS_INET_SOCKET_ADDRESS (remote));
  g_return_if_fail (G_IS_INET_ADDRESS (local_address));
  g_return_if_fail (request != NULL);

  /* the report is the result, even for a cancelled exchange */
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ps_emulator_heartbeat_send_async);
  g_task_set_check_cancellable (task, FALSE);

  exchange = g_new0 (Exchange, 1);
  exchange->request = g_bytes_ref (request);
  exchange->cancellable = g_cancellable_new ();
  exchange->report = g_new0 (PsEmulatorHeartbeat, 1);
  exchange->report->remote = g_object_ref (remote);
  exchange->report->http_status = -1;
  g_task_set_task_data (task, exchange, exchange_free);

  if (cancellable != NULL)
    {
      exchange->outer = g_object_ref (cancellable);
      exchange->outer_id = g_cancellable_connect (cancellable,
                                                  G_CALLBACK (on_outer_cancelled_cb),
                                                  g_object_ref (exchange->cancellable),
                                                  g_object_unref);
    }

  exchange->timeout = g_timeout_source_new (timeout_ms);
  g_source_set_callback (exchange->timeout, on_timeout_cb, exchange, NULL);
  g_source_attach (exchange->timeout, NULL);

  local = g_inet_socket_address_new (local_address, 0);
  exchange->client = g_socket_client_new ();
  /* straight to the lab host: no system proxy */
  g_socket_client_set_enable_proxy (exchange->client, FALSE);
  g_socket_client_set_local_address (exchange->client, local);
  g_socket_client_connect_async (exchange->client, G_SOCKET_CONNECTABLE (remote),
                                 exchange->cancellable, on_connected_cb, task);
}

PsEmulatorHeartbeat *
ps_emulator_heartbeat_send_finish (GAsyncResult *result)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), NULL);
}
