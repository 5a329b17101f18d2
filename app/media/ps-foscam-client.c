/* ps-foscam-client.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-foscam-client"

#include "config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>
#include <string.h>

#include "ps-foscam-client.h"
#include "ps-http-fetch.h"
#include "ps-xml.h"

struct _PsFoscamClient
{
  GObject      parent_instance;

  SoupSession *session;
  GUri        *base;
  char        *username;
  char        *password;
};

G_DEFINE_FINAL_TYPE (PsFoscamClient, ps_foscam_client, G_TYPE_OBJECT)

static void
ps_foscam_client_finalize (GObject *object)
{
  PsFoscamClient *self = PS_FOSCAM_CLIENT (object);

  g_clear_object (&self->session);
  g_clear_pointer (&self->base, g_uri_unref);
  g_free (self->username);
  /* the password leaves no copy behind */
  if (self->password != NULL)
    memset (self->password, 0, strlen (self->password));
  g_free (self->password);

  G_OBJECT_CLASS (ps_foscam_client_parent_class)->finalize (object);
}

static void
ps_foscam_client_class_init (PsFoscamClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ps_foscam_client_finalize;
}

static void
ps_foscam_client_init (PsFoscamClient *self)
{
  self->session = soup_session_new_with_options ("timeout", 10, NULL);
}

PsFoscamClient *
ps_foscam_client_new (const char  *base,
                      const char  *username,
                      const char  *password,
                      GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  PsFoscamClient *self;

  g_return_val_if_fail (base != NULL, NULL);

  uri = g_uri_parse (base, G_URI_FLAGS_NONE, error);
  if (uri == NULL)
    return NULL;
  if (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 && g_strcmp0 (g_uri_get_scheme (uri), "https") != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not an HTTP address"), base);
      return NULL;
    }

  self = g_object_new (PS_TYPE_FOSCAM_CLIENT, NULL);
  self->base = g_uri_build (G_URI_FLAGS_NONE, g_uri_get_scheme (uri), NULL, g_uri_get_host (uri),
                            g_uri_get_port (uri), "/cgi-bin/CGIProxy.fcgi", NULL, NULL);
  self->username = g_strdup (username != NULL ? username : "");
  self->password = g_strdup (password != NULL ? password : "");

  return self;
}

gboolean
ps_foscam_parse_reply (const char  *data,
                       gsize        length,
                       int         *is_enable,
                       GError     **error)
{
  g_autoptr(xmlDoc) doc = NULL;
  g_autofree char *result = NULL;
  g_autofree char *enable = NULL;
  xmlNode *root;
  gint64 code;

  *is_enable = -1;
  doc = ps_xml_parse (data, length, error);
  if (doc == NULL)
    return FALSE;

  root = xmlDocGetRootElement (doc);
  if (root == NULL || g_strcmp0 ((const char *) root->name, "CGI_Result") != 0)
    {
      g_set_error (error, PS_XML_ERROR, PS_XML_ERROR_MISSING, _("The camera’s reply is not a CGI result"));
      return FALSE;
    }

  result = ps_xml_find_text (root, "result");
  if (result == NULL || !g_ascii_string_to_signed (result, 10, -99, 99, &code, NULL))
    {
      g_set_error (error, PS_XML_ERROR, PS_XML_ERROR_MISSING, _("The camera’s reply has no result"));
      return FALSE;
    }

  switch (code)
    {
    case 0:
      break;
    case -2:
    case -3:
      g_set_error (error, PS_XML_ERROR, PS_XML_ERROR_NOT_AUTHORIZED,
                   _("The camera refused the user name or password"));
      return FALSE;
    default:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("The camera could not do it (CGI result %d)"), (int) code);
      return FALSE;
    }

  enable = ps_xml_find_text (root, "isEnable");
  if (enable != NULL)
    {
      if (g_strcmp0 (enable, "0") == 0)
        *is_enable = 0;
      else if (g_strcmp0 (enable, "1") == 0)
        *is_enable = 1;
      else
        {
          g_set_error (error, PS_XML_ERROR, PS_XML_ERROR_MISSING,
                       _("The camera’s reply has an unexpected switch value"));
          return FALSE;
        }
    }

  return TRUE;
}

static void
on_fetched_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SoupMessage *msg = g_task_get_task_data (task);
  g_autoptr(GBytes) reply = NULL;
  GError *error = NULL;
  guint status;
  int is_enable;

  reply = ps_http_fetch_finish (result, &error);
  if (reply == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  status = soup_message_get_status (msg);
  if (status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN)
    {
      g_task_return_new_error (task, PS_XML_ERROR, PS_XML_ERROR_NOT_AUTHORIZED,
                               _("Authentication failed (HTTP %u)"), status);
      return;
    }
  if (status != SOUP_STATUS_OK)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("The camera has no Foscam-style CGI (HTTP %u)"), status);
      return;
    }

  if (!ps_foscam_parse_reply (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply),
                              &is_enable, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_int (task, is_enable);
}

static void
ps_foscam_client_call (PsFoscamClient      *self,
                       const char          *cmd,
                       int                  is_enable,
                       gpointer             source_tag,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GString) query = g_string_new ("cmd=");
  g_autoptr(GUri) uri = NULL;
  g_autofree char *url = NULL;
  SoupMessage *msg;

  g_task_set_source_tag (task, source_tag);

  /* every value escaped: a password may hold & = + # */
  g_string_append_uri_escaped (query, cmd, NULL, FALSE);
  if (is_enable >= 0)
    g_string_append_printf (query, "&isEnable=%d", is_enable);
  g_string_append (query, "&usr=");
  g_string_append_uri_escaped (query, self->username, NULL, FALSE);
  g_string_append (query, "&pwd=");
  g_string_append_uri_escaped (query, self->password, NULL, FALSE);

  uri = g_uri_build (G_URI_FLAGS_ENCODED_QUERY, g_uri_get_scheme (self->base), NULL,
                     g_uri_get_host (self->base), g_uri_get_port (self->base),
                     g_uri_get_path (self->base), query->str, NULL);
  url = g_uri_to_string (uri);
  msg = soup_message_new (SOUP_METHOD_GET, url);
  if (msg == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("Cannot build a request for the camera"));
      return;
    }
  g_task_set_task_data (task, msg, g_object_unref);

  ps_http_fetch_async (self->session, msg, PS_FOSCAM_MAX_REPLY, cancellable,
                       on_fetched_cb, g_steal_pointer (&task));
}

void
ps_foscam_client_get_async (PsFoscamClient      *self,
                            PsFoscamSwitch       which,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (PS_IS_FOSCAM_CLIENT (self));

  ps_foscam_client_call (self, which == PS_FOSCAM_SWITCH_P2P ? "getP2PEnable" : "getUPnPConfig",
                         -1, ps_foscam_client_get_async, cancellable, callback, user_data);
}

gboolean
ps_foscam_client_get_finish (PsFoscamClient  *self,
                             GAsyncResult    *result,
                             gboolean        *enabled,
                             GError         **error)
{
  gssize value;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  value = g_task_propagate_int (G_TASK (result), error);
  if (value == -1 && error != NULL && *error != NULL)
    return FALSE;
  if (value < 0)
    {
      g_set_error (error, PS_XML_ERROR, PS_XML_ERROR_MISSING,
                   _("The camera did not say whether the switch is on"));
      return FALSE;
    }

  *enabled = value == 1;
  return TRUE;
}

void
ps_foscam_client_set_async (PsFoscamClient      *self,
                            PsFoscamSwitch       which,
                            gboolean             enabled,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (PS_IS_FOSCAM_CLIENT (self));

  ps_foscam_client_call (self, which == PS_FOSCAM_SWITCH_P2P ? "setP2PEnable" : "setUPnPConfig",
                         enabled ? 1 : 0, ps_foscam_client_set_async, cancellable, callback,
                         user_data);
}

gboolean
ps_foscam_client_set_finish (PsFoscamClient  *self,
                             GAsyncResult    *result,
                             GError         **error)
{
  GError *local = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  g_task_propagate_int (G_TASK (result), &local);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }

  return TRUE;
}
