/* ps-rtsp-h264-source.h: a camera's H.264 pulled over RTSP, as one element
 *
 * A bin with one "src" pad: rtspsrc (no jitter buffer, RTP over TCP) and
 * rtph264depay, which asks the camera for a keyframe when it needs one.
 * Used to publish an existing LAN camera onto the user's P2P network
 * (peerscope-cli bridge).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

GstElement *ps_rtsp_h264_source_new (const char  *uri,
                                     const char  *username,
                                     const char  *password,
                                     GError     **error);

G_END_DECLS
