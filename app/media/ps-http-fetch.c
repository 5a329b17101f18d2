/* ps-http-fetch.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-http-fetch"

#include "config.h"

#include <glib/gi18n.h>

#include "ps-http-fetch.h"
#include "ps-xml.h"

#define CHUNK_SIZE 16384

typedef struct
{
  SoupMessage  *msg;
  GInputStream *stream;
  GByteArray   *buffer;
  gsize         max_bytes;
} Fetch;

static void
fetch_free (Fetch *fetch)
{
  g_clear_object (&fetch->msg);
  g_clear_object (&fetch->stream);
  g_clear_pointer (&fetch->buffer, g_byte_array_unref);
  g_free (fetch);
}

static void read_chunk (GTask *task);

static void
on_chunk_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Fetch *fetch = g_task_get_task_data (task);
  g_autoptr(GBytes) chunk = NULL;
  GError *error = NULL;

  chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);
  if (chunk == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (g_bytes_get_size (chunk) == 0)
    {
      g_task_return_pointer (task, g_byte_array_free_to_bytes (g_steal_pointer (&fetch->buffer)),
                             (GDestroyNotify) g_bytes_unref);
      return;
    }

  if (fetch->buffer->len + g_bytes_get_size (chunk) > fetch->max_bytes)
    {
      g_task_return_new_error (task, PS_XML_ERROR, PS_XML_ERROR_TOO_LARGE,
                               _("The device sent a reply of more than %u bytes"),
                               (guint) fetch->max_bytes);
      return;
    }

  g_byte_array_append (fetch->buffer, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk));
  read_chunk (g_steal_pointer (&task));
}

static void
read_chunk (GTask *task)
{
  Fetch *fetch = g_task_get_task_data (task);

  g_input_stream_read_bytes_async (fetch->stream, CHUNK_SIZE, G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task), on_chunk_cb, task);
}

static void
on_sent_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  Fetch *fetch = g_task_get_task_data (task);
  GError *error = NULL;

  fetch->stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  if (fetch->stream == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  fetch->buffer = g_byte_array_new ();
  read_chunk (task);
}

void
ps_http_fetch_async (SoupSession         *session,
                     SoupMessage         *msg,
                     gsize                max_bytes,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  GTask *task;
  Fetch *fetch;

  g_return_if_fail (SOUP_IS_SESSION (session));
  g_return_if_fail (SOUP_IS_MESSAGE (msg));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ps_http_fetch_async);
  fetch = g_new0 (Fetch, 1);
  fetch->msg = g_object_ref (msg);
  fetch->max_bytes = max_bytes;
  g_task_set_task_data (task, fetch, (GDestroyNotify) fetch_free);

  soup_session_send_async (session, msg, G_PRIORITY_DEFAULT, cancellable, on_sent_cb, task);
}

GBytes *
ps_http_fetch_finish (GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
