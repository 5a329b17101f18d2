/* ps-emulator-pppp.c: CS2 PPPP and Kalay LAN search responders
 *
 * Like a real camera, each responder listens on the LAN search port and
 * answers from a second socket bound to another port (port 0 on the same
 * address), and only ever unicast to the sender of a valid search: no
 * broadcast, no multicast, nothing unsolicited. The responders never talk
 * to UDP 32100; the hellos a camera sends its vendor's servers there are
 * ps-emulator-phone-home.c's, and go only to the lab hosts it is given.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-emulator"

#include "ps-emulator-net.h"
#include "ps-emulator-pppp.h"
#include "ps-kalay.h"
#include "ps-pppp.h"

#define MAX_DATAGRAM 2048

typedef enum {
  KIND_PPPP,
  KIND_KALAY,
} Kind;

struct _PsEmulatorP2pSearch
{
  Kind            kind;
  char           *uid;
  char           *psk;
  GSocket        *listen;
  GSocket        *reply;
  GSource        *source;
  guint16         port;
  PsEmulatorLog  *log;
};

static GSocket *
bind_udp (GInetAddress  *address,
          guint          port,
          GError       **error)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) local = NULL;

  socket = g_socket_new (g_inet_address_get_family (address), G_SOCKET_TYPE_DATAGRAM,
                         G_SOCKET_PROTOCOL_UDP, error);
  if (socket == NULL)
    return NULL;

  local = g_inet_socket_address_new (address, (guint16) port);
  if (!g_socket_bind (socket, local, FALSE, error))
    return NULL;

  g_socket_set_blocking (socket, FALSE);

  return g_steal_pointer (&socket);
}

static GBytes *
answer_for (PsEmulatorP2pSearch *self,
            const guint8        *data,
            gsize                len)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *wanted = NULL;
  guint8 session[PS_KALAY_SESSION_LEN];

  switch (self->kind)
    {
    case KIND_PPPP:
      if (!ps_pppp_parse_lan_search (data, len, self->psk, NULL, &error))
        {
          g_debug ("pppp: ignoring a datagram: %s", error->message);
          return NULL;
        }
      return ps_pppp_build_punch (self->uid, PS_PPPP_MSG_PUNCH_PKT, self->psk);

    case KIND_KALAY:
      if (!ps_kalay_parse_lan_search (data, len, &wanted, session, &error))
        {
          g_debug ("kalay: ignoring a datagram: %s", error->message);
          return NULL;
        }
      if (wanted != NULL && g_strcmp0 (wanted, self->uid) != 0)
        return NULL;
      /* 200 bytes, echoing the searcher's session id, as devices do */
      return ps_kalay_build_answer (self->uid, session);

    default:
      g_assert_not_reached ();
    }
}

static gboolean
on_search_cb (GSocket      *socket,
              GIOCondition  condition,
              gpointer      user_data)
{
  PsEmulatorP2pSearch *self = user_data;
  g_autoptr(GSocketAddress) sender = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;
  guint8 buf[MAX_DATAGRAM];
  gssize n;

  n = g_socket_receive_from (socket, &sender, (char *) buf, sizeof buf, NULL, &error);
  if (n < 0)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        g_debug ("%s: receive: %s", self->kind == KIND_PPPP ? "pppp" : "kalay", error->message);
      return G_SOURCE_CONTINUE;
    }

  answer = answer_for (self, buf, (gsize) n);
  if (answer == NULL || !G_IS_INET_SOCKET_ADDRESS (sender))
    return G_SOURCE_CONTINUE;

  /* unicast back to the sender only, from the other socket */
  local = g_socket_get_local_address (socket, NULL);
  ps_emulator_log_accept (self->log, self->kind == KIND_PPPP ? "pppp" : "kalay", sender, local);
  if (g_socket_send_to (self->reply, sender, g_bytes_get_data (answer, NULL),
                        g_bytes_get_size (answer), NULL, &error) < 0)
    g_debug ("%s: send: %s", self->kind == KIND_PPPP ? "pppp" : "kalay", error->message);

  return G_SOURCE_CONTINUE;
}

static PsEmulatorP2pSearch *
p2p_search_new (Kind            kind,
                GInetAddress   *address,
                guint           port,
                const char     *uid,
                const char     *psk,
                PsEmulatorLog  *log,
                GError        **error)
{
  PsEmulatorP2pSearch *self;
  g_autoptr(GSocketAddress) local = NULL;

  self = g_new0 (PsEmulatorP2pSearch, 1);
  self->kind = kind;
  self->uid = g_strdup (uid);
  self->psk = g_strdup (psk);
  self->log = log;

  self->listen = bind_udp (address, port, error);
  if (self->listen == NULL)
    goto fail;
  self->reply = bind_udp (address, 0, error);
  if (self->reply == NULL)
    goto fail;

  local = g_socket_get_local_address (self->listen, error);
  if (local == NULL)
    goto fail;
  self->port = ps_emulator_net_port (local);

  self->source = g_socket_create_source (self->listen, G_IO_IN, NULL);
  g_source_set_callback (self->source, G_SOURCE_FUNC (on_search_cb), self, NULL);
  g_source_attach (self->source, NULL);

  return self;

fail:
  ps_emulator_p2p_search_free (self);
  return NULL;
}

PsEmulatorP2pSearch *
ps_emulator_pppp_new (GInetAddress   *address,
                      guint           port,
                      const char     *uid,
                      const char     *psk,
                      PsEmulatorLog  *log,
                      GError        **error)
{
  g_autoptr(GBytes) check = NULL;

  g_return_val_if_fail (G_IS_INET_ADDRESS (address), NULL);
  g_return_val_if_fail (uid != NULL, NULL);

  /* the search port, not the vendor's server port */
  g_return_val_if_fail (port != 32100, NULL);

  check = ps_pppp_build_punch (uid, PS_PPPP_MSG_PUNCH_PKT, psk);
  if (check == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "'%s' is not a PPPP UID (PREFIX-123456-CHECK, A-Z and 0-9, "
                   "at most 7 characters each side)", uid);
      return NULL;
    }

  return p2p_search_new (KIND_PPPP, address, port, uid, psk, log, error);
}

PsEmulatorP2pSearch *
ps_emulator_kalay_new (GInetAddress   *address,
                       guint           port,
                       const char     *uid,
                       PsEmulatorLog  *log,
                       GError        **error)
{
  g_return_val_if_fail (G_IS_INET_ADDRESS (address), NULL);
  g_return_val_if_fail (uid != NULL, NULL);

  if (!ps_kalay_uid_is_valid (uid))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "'%s' is not a Kalay UID (20 characters, A-Z and 0-9)", uid);
      return NULL;
    }

  return p2p_search_new (KIND_KALAY, address, port, uid, NULL, log, error);
}

guint16
ps_emulator_p2p_search_get_port (PsEmulatorP2pSearch *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->port;
}

void
ps_emulator_p2p_search_free (PsEmulatorP2pSearch *self)
{
  if (self == NULL)
    return;

  if (self->source != NULL)
    {
      g_source_destroy (self->source);
      g_source_unref (self->source);
    }
  if (self->listen != NULL)
    g_socket_close (self->listen, NULL);
  if (self->reply != NULL)
    g_socket_close (self->reply, NULL);
  g_clear_object (&self->listen);
  g_clear_object (&self->reply);
  g_free (self->uid);
  g_free (self->psk);
  g_free (self);
}
