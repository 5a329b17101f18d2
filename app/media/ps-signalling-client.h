/* ps-signalling-client.h: one connection to a P2P rendezvous server
 *
 * A WebSocket client of GStreamer's WebRTC signalling protocol
 * (ps-signalling-message.h), as peerscope-rendezvous and
 * gst-webrtc-signalling-server speak it.  It presents the account's token,
 * checks every message it receives with the strict parser, and hands the
 * valid ones to "message"; a message it cannot parse closes the connection
 * ("closed" with the reason), since a server that sends one is broken or
 * hostile.  Nothing here is trusted for identity: the session checks the
 * camera's certificate itself.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ps-signalling-message.h"

G_BEGIN_DECLS

#define PS_TYPE_SIGNALLING_CLIENT (ps_signalling_client_get_type ())
G_DECLARE_FINAL_TYPE (PsSignallingClient, ps_signalling_client, PS, SIGNALLING_CLIENT, GObject)

/* URL: ws:// or wss://; TOKEN: the account's shared secret, or NULL */
PsSignallingClient *ps_signalling_client_new         (const char           *url,
                                                      const char           *token);
/* Trust the server certificates in this PEM file (a private CA or the
 * server's own self-signed certificate) instead of the system's.  It is
 * read, in a worker thread, as connecting begins: a file that cannot be
 * read fails the connection (PS_STREAM_ERROR_INVALID_URI). */
void                ps_signalling_client_set_ca_file (PsSignallingClient   *self,
                                                      const char           *path);

/* Connects and waits for the server's welcome. */
void                ps_signalling_client_connect_async  (PsSignallingClient  *self,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
gboolean            ps_signalling_client_connect_finish (PsSignallingClient  *self,
                                                         GAsyncResult        *result,
                                                         GError             **error);
/* The id the server gave us, once welcomed */
const char         *ps_signalling_client_get_peer_id (PsSignallingClient   *self);
gboolean            ps_signalling_client_is_connected (PsSignallingClient  *self);

/* Sends MESSAGE; FALSE when not connected. */
gboolean            ps_signalling_client_send        (PsSignallingClient        *self,
                                                      const PsSignallingMessage *message);
/* Shortcuts */
gboolean            ps_signalling_client_set_status  (PsSignallingClient   *self,
                                                      PsSignallingRoles     roles,
                                                      JsonNode             *meta);
gboolean            ps_signalling_client_list        (PsSignallingClient   *self);
gboolean            ps_signalling_client_start_session (PsSignallingClient *self,
                                                        const char         *peer_id);
gboolean            ps_signalling_client_send_sdp    (PsSignallingClient   *self,
                                                      const char           *session_id,
                                                      PsSignallingSdpType   type,
                                                      const char           *sdp);
gboolean            ps_signalling_client_send_candidate (PsSignallingClient *self,
                                                         const char         *session_id,
                                                         guint               m_line_index,
                                                         const char         *candidate);
gboolean            ps_signalling_client_end_session (PsSignallingClient   *self,
                                                      const char           *session_id);
void                ps_signalling_client_close       (PsSignallingClient   *self);

G_END_DECLS
