/* ps-webrtc-sender.h: one camera-side WebRTC session
 *
 * A pipeline of its own: the camera's H.264 from a source element,
 * payloaded into a send-only webrtcbin, optionally with the camera's
 * long-term identity as its DTLS certificate.  Two ways to negotiate:
 * - offering (Peerscope's P2P network): ps_webrtc_sender_start(), then
 *   "offer" and "candidate" as they come, ps_webrtc_sender_set_answer()
 *   and ps_webrtc_sender_add_candidate() for the viewer's;
 * - answering (WHEP, RFC 9725): ps_webrtc_sender_answer_async() takes the
 *   viewer's offer and gives a complete answer, candidates included.
 * Signals are emitted on the thread-default main context of the creator.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gst/gst.h>

#include "ps-p2p-config.h"
#include "ps-p2p-identity.h"

G_BEGIN_DECLS

#define PS_TYPE_WEBRTC_SENDER (ps_webrtc_sender_get_type ())
G_DECLARE_FINAL_TYPE (PsWebrtcSender, ps_webrtc_sender, PS, WEBRTC_SENDER, GObject)

/* SOURCE: a new (floating) element giving H.264; IDENTITY: NULL for a
 * throwaway certificate */
PsWebrtcSender *ps_webrtc_sender_new          (GstElement         *source,
                                               PsP2pIdentity      *identity,
                                               const PsP2pConfig  *config,
                                               GError            **error);
void            ps_webrtc_sender_start        (PsWebrtcSender     *self);
void            ps_webrtc_sender_set_answer   (PsWebrtcSender     *self,
                                               const char         *sdp);
void            ps_webrtc_sender_add_candidate (PsWebrtcSender    *self,
                                                guint              m_line,
                                                const char        *candidate);
void            ps_webrtc_sender_answer_async  (PsWebrtcSender      *self,
                                                const char          *offer,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
char           *ps_webrtc_sender_answer_finish (PsWebrtcSender      *self,
                                                GAsyncResult        *result,
                                                GError             **error);
void            ps_webrtc_sender_stop         (PsWebrtcSender     *self);

G_END_DECLS
