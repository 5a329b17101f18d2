/* ps-whep-session.h: a camera behind a WHEP endpoint (RFC 9725)
 *
 * For cameras that go2rtc, MediaMTX or Janus bridge to WebRTC.  The viewer
 * offers to receive H.264, posts the offer with every candidate gathered
 * (application/sdp), and takes the 201 answer; the session resource in
 * Location is deleted at the end.  The endpoint's certificate, when it is
 * https, is checked the usual way; there is no device identity to pin.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gst/gst.h>

#include "ps-p2p-config.h"

G_BEGIN_DECLS

#define PS_TYPE_WHEP_SESSION (ps_whep_session_get_type ())
G_DECLARE_FINAL_TYPE (PsWhepSession, ps_whep_session, PS, WHEP_SESSION, GObject)

/* URL: http:// or https://; CONFIG: ICE servers and policy (its rendezvous
 * fields are not used; "token", when set, goes as a Bearer token) */
PsWhepSession *ps_whep_session_new (const char        *url,
                                    const PsP2pConfig *config);

G_END_DECLS
