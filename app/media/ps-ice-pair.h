/* ps-ice-pair.h: the candidate pair ICE selected for a webrtcbin
 *
 * What the camera page, the CLI and the peer monitor report of a WebRTC
 * stream: host, server-reflexive or relayed, and the camera's end of it.
 * Updated from libnice's thread; read from any thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gst/gst.h>
#include <gst/sdp/sdp.h>

#include "ps-ice-candidate.h"

G_BEGIN_DECLS

#define PS_TYPE_ICE_PAIR (ps_ice_pair_get_type ())
G_DECLARE_FINAL_TYPE (PsIcePair, ps_ice_pair, PS, ICE_PAIR, GObject)

PsIcePair  *ps_ice_pair_new                (void);
/* Follows the pair of WEBRTCBIN's first transceiver (call once ICE is
 * connected: the transport exists then), reading the current one at once */
void        ps_ice_pair_watch              (PsIcePair  *self,
                                            GstElement *webrtcbin);
/* "ice-host", "ice-srflx", "ice-relay", or "ice" before a pair is known */
const char *ps_ice_pair_get_transport      (PsIcePair  *self);
const char *ps_ice_pair_get_remote_address (PsIcePair  *self,
                                            guint      *port);
/* Whether the pair's local end is a host address this machine still has
 * (a reflexive or relayed pair counts as broken after a network change) */
gboolean    ps_ice_pair_is_intact          (PsIcePair  *self);

/* A candidate line the far end sent (by signalling, or in its SDP): kept
 * once each, up to PS_ICE_PAIR_MAX_CANDIDATES; one that does not parse is
 * dropped.  Every one of them receives our connectivity checks. */
#define PS_ICE_PAIR_MAX_CANDIDATES 32
void        ps_ice_pair_add_remote_candidate    (PsIcePair           *self,
                                                 const char          *line);
/* The same for each a=candidate of a description */
void        ps_ice_pair_add_remote_candidates_from_sdp (PsIcePair           *self,
                                                        const GstSDPMessage *sdp);
/* (element-type PsIceCandidate) (transfer full) */
GPtrArray  *ps_ice_pair_dup_remote_candidates   (PsIcePair           *self);

G_END_DECLS
