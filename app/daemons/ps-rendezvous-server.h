/* ps-rendezvous-server.h: peerscope-rendezvous, the P2P signalling server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ps-token-file.h"

G_BEGIN_DECLS

typedef struct
{
  guint   max_message_size;             /* bytes, at most PS_SIGNALLING_MAX_MESSAGE_SIZE */
  double  rate;                         /* frames a second, per connection */
  double  burst;                        /* frames at once */
  guint   idle_timeout;                 /* seconds without a frame (pongs count) */
  guint   handshake_timeout;            /* seconds from accepting to the WebSocket upgrade */
  guint   max_connections;              /* in all, upgrades under way included */
  guint   max_connections_per_account;
  guint   max_connections_per_address;  /* from one IP address, upgrades under way included */
  guint   max_sessions_per_peer;
  gsize   max_backlog;                  /* bytes queued to a peer that does not read */
} PsRendezvousLimits;

void     ps_rendezvous_limits_init  (PsRendezvousLimits        *limits);
gboolean ps_rendezvous_limits_check (const PsRendezvousLimits  *limits,
                                     GError                   **error);

#define PS_TYPE_RENDEZVOUS_SERVER (ps_rendezvous_server_get_type ())
G_DECLARE_FINAL_TYPE (PsRendezvousServer, ps_rendezvous_server, PS, RENDEZVOUS_SERVER, GObject)

PsRendezvousServer *ps_rendezvous_server_new         (PsTokenFile               *tokens,
                                                      const PsRendezvousLimits  *limits,
                                                      GTlsCertificate           *certificate);
gboolean            ps_rendezvous_server_listen      (PsRendezvousServer        *self,
                                                      GSocketAddress            *address,
                                                      GError                   **error);
GStrv               ps_rendezvous_server_dup_uris    (PsRendezvousServer        *self);
void                ps_rendezvous_server_set_tokens  (PsRendezvousServer        *self,
                                                      PsTokenFile               *tokens);
guint               ps_rendezvous_server_get_n_peers (PsRendezvousServer        *self);
void                ps_rendezvous_server_close_all   (PsRendezvousServer        *self);

G_END_DECLS
