/* ps-test-hostile-rendezvous.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <libsoup/soup.h>
#include <string.h>

#include "ps-test-hostile-rendezvous.h"

struct _PsTestHostileRendezvous
{
  SoupServer  *server;
  SoupSession *session;
  char        *upstream;
  char        *url;
  GPtrArray   *from;
  GPtrArray   *to;
  GPtrArray   *links;     /* Link */
  guint        rewritten;
};

/* One client, and our connection to the real server on its behalf */
typedef struct
{
  PsTestHostileRendezvous *self;
  SoupWebsocketConnection *client;
  SoupWebsocketConnection *server;
  GPtrArray               *pending;   /* client messages before upstream is open */
} Link;

static char *
rewrite (PsTestHostileRendezvous *self,
         const char              *text)
{
  GString *out = g_string_new (text);
  guint changed = 0;

  for (guint i = 0; i < self->from->len; i++)
    changed += g_string_replace (out, self->from->pdata[i], self->to->pdata[i], 0);
  if (changed > 0)
    self->rewritten++;

  return g_string_free (out, FALSE);
}

static void
relay (Link                    *link,
       SoupWebsocketConnection *to,
       GBytes                  *message)
{
  g_autofree char *text = g_strndup (g_bytes_get_data (message, NULL), g_bytes_get_size (message));
  g_autofree char *changed = rewrite (link->self, text);

  if (soup_websocket_connection_get_state (to) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_text (to, changed);
}

static void
on_client_message (SoupWebsocketConnection *connection,
                   SoupWebsocketDataType    type,
                   GBytes                  *message,
                   gpointer                 user_data)
{
  Link *link = user_data;

  if (link->server == NULL)
    g_ptr_array_add (link->pending, g_bytes_ref (message));
  else
    relay (link, link->server, message);
}

static void
on_server_message (SoupWebsocketConnection *connection,
                   SoupWebsocketDataType    type,
                   GBytes                  *message,
                   gpointer                 user_data)
{
  Link *link = user_data;

  relay (link, link->client, message);
}

static void
close_end (SoupWebsocketConnection *end)
{
  if (end != NULL && soup_websocket_connection_get_state (end) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (end, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
}

/* one end went away: so does the other */
static void
close_other (SoupWebsocketConnection *connection,
             gpointer                 user_data)
{
  Link *link = user_data;

  close_end (link->client);
  close_end (link->server);
}

static void
on_upstream (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Link *link = user_data;

  link->server = soup_session_websocket_connect_finish (SOUP_SESSION (object), result, NULL);
  if (link->server == NULL)
    {
      close_other (NULL, link);
      return;
    }

  g_signal_connect (link->server, "message", G_CALLBACK (on_server_message), link);
  g_signal_connect (link->server, "closed", G_CALLBACK (close_other), link);
  for (guint i = 0; i < link->pending->len; i++)
    relay (link, link->server, link->pending->pdata[i]);
  g_ptr_array_set_size (link->pending, 0);
}

static void
link_free (Link *link)
{
  if (link->client != NULL)
    g_signal_handlers_disconnect_by_data (link->client, link);
  if (link->server != NULL)
    g_signal_handlers_disconnect_by_data (link->server, link);
  g_clear_object (&link->client);
  g_clear_object (&link->server);
  g_ptr_array_unref (link->pending);
  g_free (link);
}

static void
on_websocket (SoupServer              *server,
              SoupServerMessage       *msg,
              const char              *path,
              SoupWebsocketConnection *connection,
              gpointer                 user_data)
{
  PsTestHostileRendezvous *self = user_data;
  const char *authorization;
  g_autofree char *location = g_strconcat ("http://", self->upstream + strlen ("ws://"), NULL);
  g_autoptr(SoupMessage) upstream = soup_message_new ("GET", location);
  Link *link = g_new0 (Link, 1);

  link->self = self;
  link->client = g_object_ref (connection);
  link->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_ptr_array_add (self->links, link);

  /* the client's token goes on, as any relay would pass it */
  authorization = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                "Authorization");
  if (authorization != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (upstream), "Authorization",
                                  authorization);

  g_signal_connect (connection, "message", G_CALLBACK (on_client_message), link);
  g_signal_connect (connection, "closed", G_CALLBACK (close_other), link);
  soup_session_websocket_connect_async (self->session, upstream, NULL, NULL, G_PRIORITY_DEFAULT,
                                        NULL, on_upstream, link);
}

PsTestHostileRendezvous *
ps_test_hostile_rendezvous_new (const char *upstream)
{
  PsTestHostileRendezvous *self = g_new0 (PsTestHostileRendezvous, 1);
  g_autoptr(GError) error = NULL;
  g_autoslist(GUri) uris = NULL;

  self->upstream = g_strdup (upstream);
  self->from = g_ptr_array_new_with_free_func (g_free);
  self->to = g_ptr_array_new_with_free_func (g_free);
  self->links = g_ptr_array_new_with_free_func ((GDestroyNotify) link_free);
  self->session = soup_session_new ();
  self->server = soup_server_new (NULL, NULL);
  soup_server_add_websocket_handler (self->server, NULL, NULL, NULL, on_websocket, self, NULL);
  soup_server_listen_local (self->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (self->server);
  self->url = g_strdup_printf ("ws://127.0.0.1:%d", g_uri_get_port (uris->data));

  return self;
}

void
ps_test_hostile_rendezvous_free (PsTestHostileRendezvous *self)
{
  soup_server_disconnect (self->server);
  g_ptr_array_unref (self->links);
  g_clear_object (&self->server);
  g_clear_object (&self->session);
  g_ptr_array_unref (self->from);
  g_ptr_array_unref (self->to);
  g_free (self->upstream);
  g_free (self->url);
  g_free (self);
}

const char *
ps_test_hostile_rendezvous_get_url (PsTestHostileRendezvous *self)
{
  return self->url;
}

void
ps_test_hostile_rendezvous_replace (PsTestHostileRendezvous *self,
                                    const char              *from,
                                    const char              *to)
{
  g_ptr_array_add (self->from, g_strdup (from));
  g_ptr_array_add (self->to, g_strdup (to));
}

guint
ps_test_hostile_rendezvous_get_rewritten (PsTestHostileRendezvous *self)
{
  return self->rewritten;
}
