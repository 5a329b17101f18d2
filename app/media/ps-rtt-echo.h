/* ps-rtt-echo.h: the camera's side of the round-trip probe
 *
 * Opens the PS_RTT_CHANNEL_LABEL data channel on a camera-side webrtcbin
 * (before its offer is made) and answers each "ping N" with "pong N".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/* FALSE when webrtcbin cannot open data channels (no SCTP plugin): the
 * session works, its viewers measure no round trip */
gboolean ps_rtt_echo_open (GstElement *webrtc);

G_END_DECLS
