/* ps-ice-close.h: letting go of a webrtcbin's ICE agent politely
 *
 * A libnice agent that still refreshes TURN allocations when it is freed
 * leaves them on the server until they expire (and warns).  Closing it
 * first deletes them; the agent lives until the close is done.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/* Starts closing WEBRTCBIN's ICE agent; call before the pipeline stops */
void ps_ice_close (GstElement *webrtcbin);

G_END_DECLS
