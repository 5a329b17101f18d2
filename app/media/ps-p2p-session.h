/* ps-p2p-session.h: the viewer's side of one P2P session with a camera
 *
 * Finds the camera whose device id was pinned among the producers of the
 * account on the rendezvous server, asks it for a session, answers its
 * offer and trickles ICE candidates, all through a webrtcbin that the
 * caller puts in its pipeline and whose source pads it decodes.
 *
 * The pinned device id is the only trust anchor: an offer whose DTLS
 * fingerprint is not the device id is refused before any packet is sent,
 * and the certificate the DTLS handshake presents is checked again before
 * a single decrypted packet leaves webrtcbin's pads.  Either mismatch ends
 * the session with PS_STREAM_ERROR_IDENTITY.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gst/gst.h>

#include "ps-p2p-config.h"

G_BEGIN_DECLS

#define PS_TYPE_P2P_SESSION (ps_p2p_session_get_type ())
G_DECLARE_FINAL_TYPE (PsP2pSession, ps_p2p_session, PS, P2P_SESSION, GObject)

/* DEVICE_ID in canonical form (ps_p2p_device_id_normalize()) */
PsP2pSession *ps_p2p_session_new          (const char        *device_id,
                                           const PsP2pConfig *config);
/* The webrtcbin to add to a pipeline before ps_p2p_session_start() */
GstElement   *ps_p2p_session_get_element  (PsP2pSession      *self);
/* Connects to the rendezvous server and negotiates; "failed" says why it
 * did not work or stopped working, "connected" when ICE found a path. */
void          ps_p2p_session_start        (PsP2pSession      *self);
/* Ends the session politely (endSession) and closes the connection */
void          ps_p2p_session_stop         (PsP2pSession      *self);
/* "ice-host", "ice-srflx", "ice-relay" (from the selected candidate pair),
 * or "ice" before one is selected */
const char   *ps_p2p_session_get_transport (PsP2pSession     *self);
/* The camera's end of the selected pair ("ADDR" and port), or NULL */
const char   *ps_p2p_session_get_remote_address (PsP2pSession *self,
                                                 guint        *port);

/* After a network change: whether the selected pair can still work (its
 * local end is a host address this machine still has).  A reflexive or
 * relayed pair, or none, counts as broken: the way out may have changed. */
gboolean      ps_p2p_session_path_is_intact (PsP2pSession *self);

G_END_DECLS
