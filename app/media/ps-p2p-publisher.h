/* ps-p2p-publisher.h: the camera's side of the P2P network
 *
 * Registers a camera as a producer of its account on the rendezvous
 * server, with its device id in the producer's metadata, and serves every
 * session a viewer starts: one pipeline per session, the camera's H.264
 * from a source the caller makes, payloaded into a send-only webrtcbin
 * whose DTLS certificate is the camera's long-term identity.  Viewers
 * check that identity against the device id they pinned.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gst/gst.h>
#include <json-glib/json-glib.h>

#include "ps-p2p-config.h"
#include "ps-p2p-identity.h"

G_BEGIN_DECLS

/* A new element whose source pad gives the camera's H.264 (byte-stream or
 * AVC), for the session KEY; upstream force-key-unit events should reach
 * the encoder.  NULL and ERROR when it cannot. */
typedef GstElement *(*PsP2pSourceFunc)  (gpointer   user_data,
                                         gpointer   key,
                                         GError   **error);
/* The session KEY ended: its source is being disposed of */
typedef void        (*PsP2pReleaseFunc) (gpointer   user_data,
                                         gpointer   key);

#define PS_TYPE_P2P_PUBLISHER (ps_p2p_publisher_get_type ())
G_DECLARE_FINAL_TYPE (PsP2pPublisher, ps_p2p_publisher, PS, P2P_PUBLISHER, GObject)

/* NAME is shown to viewers listing the account's cameras */
PsP2pPublisher *ps_p2p_publisher_new      (PsP2pIdentity      *identity,
                                           const PsP2pConfig  *config,
                                           const char         *name,
                                           PsP2pSourceFunc     source_func,
                                           PsP2pReleaseFunc    release_func,
                                           gpointer            user_data);
/* Connects and registers; fails when the rendezvous server cannot be
 * reached or refuses the token.  Afterwards "closed" reports a lost
 * connection: sessions already connected go on, and the publisher
 * registers again by itself (backoff from 1 s to 30 s). */
void            ps_p2p_publisher_start_async  (PsP2pPublisher       *self,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
gboolean        ps_p2p_publisher_start_finish (PsP2pPublisher       *self,
                                               GAsyncResult         *result,
                                               GError              **error);
void            ps_p2p_publisher_stop     (PsP2pPublisher     *self);
guint           ps_p2p_publisher_get_n_sessions (PsP2pPublisher *self);

G_END_DECLS
