/* ps-webrtc-promise.h: the description a webrtcbin promise carries
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#define GST_USE_UNSTABLE_API
#include <gst/webrtc/webrtc.h>

G_BEGIN_DECLS

/* Waits for PROMISE (create-offer or create-answer), takes its FIELD
 * ("offer" or "answer") and unrefs it: the description, or NULL when
 * webrtcbin made none */
GstWebRTCSessionDescription *ps_webrtc_promise_take_description (GstPromise *promise,
                                                                 const char *field);

G_END_DECLS
