/* ps-ssdp-description.c
 *
 * One GET, pinned to the host that answered: the URL is checked again here
 * (whoever calls), redirects are not followed, no proxy is used (a proxy
 * would take a LAN URL somewhere else), the body is read in chunks and
 * capped, and the whole exchange has a deadline, not only an idle timeout:
 * a device dripping one byte a second does not hold us.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-ssdp-description"

#include <string.h>

#include "ps-ssdp-description.h"
#include "ps-xml.h"

typedef struct
{
  SoupMessage  *msg;
  GInputStream *stream;
  GByteArray   *buffer;
  char         *location;
  GCancellable *cancellable;   /* ours: the deadline and the caller's cancel it */
  GCancellable *outer;
  gulong        outer_id;
  guint         deadline_id;
  gboolean      timed_out;
} Fetch;

static void
fetch_free (Fetch *fetch)
{
  g_clear_handle_id (&fetch->deadline_id, g_source_remove);
  if (fetch->outer != NULL)
    g_cancellable_disconnect (fetch->outer, fetch->outer_id);
  g_clear_object (&fetch->outer);
  g_clear_object (&fetch->cancellable);
  g_clear_object (&fetch->msg);
  g_clear_object (&fetch->stream);
  g_clear_pointer (&fetch->buffer, g_byte_array_unref);
  g_free (fetch->location);
  g_free (fetch);
}

SoupSession *
ps_ssdp_description_session_new (void)
{
  return soup_session_new_with_options ("timeout", PS_SSDP_DESCRIPTION_TIMEOUT_MS / 1000,
                                        "idle-timeout", 10,
                                        "max-conns", 8,
                                        "max-conns-per-host", 1,
                                        "proxy-resolver", NULL,
                                        "user-agent", "Peerscope",
                                        NULL);
}

static void
return_error (GTask  *task,
              GError *error)
{
  Fetch *fetch = g_task_get_task_data (task);

  if (fetch->timed_out)
    {
      g_clear_error (&error);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                               "No UPnP description within %d ms",
                               PS_SSDP_DESCRIPTION_TIMEOUT_MS);
      return;
    }

  g_task_return_error (task, error);
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
  PsSsdpDescription *description;
  GError *error = NULL;

  chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);
  if (chunk == NULL)
    {
      return_error (task, error);
      return;
    }

  if (g_bytes_get_size (chunk) > 0)
    {
      if (fetch->buffer->len + g_bytes_get_size (chunk) > PS_SSDP_MAX_DESCRIPTION)
        {
          g_task_return_new_error (task, PS_XML_ERROR, PS_XML_ERROR_TOO_LARGE,
                                   "UPnP description of more than %d bytes",
                                   PS_SSDP_MAX_DESCRIPTION);
          return;
        }
      g_byte_array_append (fetch->buffer, g_bytes_get_data (chunk, NULL),
                           g_bytes_get_size (chunk));
      read_chunk (g_steal_pointer (&task));
      return;
    }

  description = ps_ssdp_parse_description ((const char *) fetch->buffer->data,
                                           fetch->buffer->len, fetch->location, &error);
  if (description == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, description, (GDestroyNotify) ps_ssdp_description_free);
}

static void
read_chunk (GTask *task)
{
  Fetch *fetch = g_task_get_task_data (task);

  g_input_stream_read_bytes_async (fetch->stream, 16384, G_PRIORITY_DEFAULT,
                                   fetch->cancellable, on_chunk_cb, task);
}

static void
on_sent_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Fetch *fetch = g_task_get_task_data (task);
  GError *error = NULL;
  guint status;
  goffset length;

  fetch->stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  if (fetch->stream == NULL)
    {
      return_error (task, error);
      return;
    }

  status = soup_message_get_status (fetch->msg);
  if (status != SOUP_STATUS_OK)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                               "UPnP description: HTTP %u", status);
      return;
    }

  length = soup_message_headers_get_content_length (soup_message_get_response_headers (fetch->msg));
  if (length > PS_SSDP_MAX_DESCRIPTION)
    {
      g_task_return_new_error (task, PS_XML_ERROR, PS_XML_ERROR_TOO_LARGE,
                               "UPnP description of %" G_GINT64_FORMAT " bytes announced",
                               (gint64) length);
      return;
    }

  fetch->buffer = g_byte_array_new ();
  read_chunk (g_steal_pointer (&task));
}

static gboolean
on_deadline_cb (gpointer user_data)
{
  Fetch *fetch = user_data;

  fetch->deadline_id = 0;
  fetch->timed_out = TRUE;
  g_cancellable_cancel (fetch->cancellable);

  return G_SOURCE_REMOVE;
}

static void
on_outer_cancelled_cb (GCancellable *outer,
                       gpointer      user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

void
ps_ssdp_description_fetch_async (SoupSession          *session,
                                 const char           *location,
                                 const char           *responder,
                                 GCancellable         *cancellable,
                                 GAsyncReadyCallback   callback,
                                 gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  Fetch *fetch;

  g_return_if_fail (SOUP_IS_SESSION (session));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ps_ssdp_description_fetch_async);

  if (!ps_ssdp_location_is_on (location, responder))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                               "UPnP description not on the responder %s",
                               responder != NULL ? responder : "(unknown)");
      return;
    }

  fetch = g_new0 (Fetch, 1);
  fetch->location = g_strdup (location);
  fetch->cancellable = g_cancellable_new ();
  fetch->msg = soup_message_new (SOUP_METHOD_GET, location);
  g_task_set_task_data (task, fetch, (GDestroyNotify) fetch_free);
  if (fetch->msg == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "Invalid UPnP description URL");
      return;
    }
  soup_message_add_flags (fetch->msg, SOUP_MESSAGE_NO_REDIRECT);
  soup_message_headers_replace (soup_message_get_request_headers (fetch->msg),
                                "Accept", "text/xml, application/xml");
  if (cancellable != NULL)
    {
      fetch->outer = g_object_ref (cancellable);
      fetch->outer_id = g_cancellable_connect (cancellable, G_CALLBACK (on_outer_cancelled_cb),
                                               g_object_ref (fetch->cancellable),
                                               g_object_unref);
    }
  fetch->deadline_id = g_timeout_add (PS_SSDP_DESCRIPTION_TIMEOUT_MS, on_deadline_cb, fetch);

  soup_session_send_async (session, fetch->msg, G_PRIORITY_DEFAULT, fetch->cancellable,
                           on_sent_cb, g_steal_pointer (&task));
}

PsSsdpDescription *
ps_ssdp_description_fetch_finish (GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
