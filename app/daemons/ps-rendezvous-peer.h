/* ps-rendezvous-peer.h: one WebSocket connection to peerscope-rendezvous
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "ps-rendezvous-stream.h"
#include "ps-signalling-message.h"

G_BEGIN_DECLS

#define PS_TYPE_RENDEZVOUS_PEER (ps_rendezvous_peer_get_type ())
G_DECLARE_FINAL_TYPE (PsRendezvousPeer, ps_rendezvous_peer, PS, RENDEZVOUS_PEER, GObject)

PsRendezvousPeer    *ps_rendezvous_peer_new              (SoupWebsocketConnection   *connection,
                                                          PsRendezvousStream        *stream,
                                                          const char                *account,
                                                          const char                *remote,
                                                          guint                      idle_timeout,
                                                          gsize                      max_backlog);
const char          *ps_rendezvous_peer_get_id           (PsRendezvousPeer          *self);
const char          *ps_rendezvous_peer_get_account      (PsRendezvousPeer          *self);
const char          *ps_rendezvous_peer_get_remote       (PsRendezvousPeer          *self);
gboolean             ps_rendezvous_peer_is_open          (PsRendezvousPeer          *self);

PsSignallingRoles    ps_rendezvous_peer_get_roles        (PsRendezvousPeer          *self);
JsonNode            *ps_rendezvous_peer_get_meta         (PsRendezvousPeer          *self);
void                 ps_rendezvous_peer_set_status       (PsRendezvousPeer          *self,
                                                          PsSignallingRoles          roles,
                                                          JsonNode                  *meta);
PsSignallingVersion  ps_rendezvous_peer_get_version      (PsRendezvousPeer          *self);
void                 ps_rendezvous_peer_set_version      (PsRendezvousPeer          *self,
                                                          PsSignallingVersion        version);
gboolean             ps_rendezvous_peer_has_spoken       (PsRendezvousPeer          *self);
void                 ps_rendezvous_peer_set_spoken       (PsRendezvousPeer          *self);

void                 ps_rendezvous_peer_add_session      (PsRendezvousPeer          *self,
                                                          const char                *session_id);
void                 ps_rendezvous_peer_remove_session   (PsRendezvousPeer          *self,
                                                          const char                *session_id);
guint                ps_rendezvous_peer_get_n_sessions   (PsRendezvousPeer          *self);
GStrv                ps_rendezvous_peer_dup_sessions     (PsRendezvousPeer          *self);

gboolean             ps_rendezvous_peer_send             (PsRendezvousPeer          *self,
                                                          const PsSignallingMessage *message);
void                 ps_rendezvous_peer_close            (PsRendezvousPeer          *self,
                                                          gushort                    code,
                                                          const char                *reason);

G_END_DECLS
