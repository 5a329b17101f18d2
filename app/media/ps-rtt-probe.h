/* ps-rtt-probe.h: the viewer's round-trip time over a P2P session
 *
 * Pings the camera over its PS_RTT_CHANNEL_LABEL data channel once a
 * second and times the pongs: the round trip of the ICE pair in use, relay
 * included, as RTCP cannot give it to a viewer that sends no media.  The
 * value is smoothed as TCP smooths its SRTT (RFC 6298: 7/8 old, 1/8 new).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#define GST_USE_UNSTABLE_API
#include <gst/webrtc/webrtc.h>

G_BEGIN_DECLS

#define PS_TYPE_RTT_PROBE (ps_rtt_probe_get_type ())
G_DECLARE_FINAL_TYPE (PsRttProbe, ps_rtt_probe, PS, RTT_PROBE, GObject)

/* Pings go out from the thread-default main context of the caller */
PsRttProbe *ps_rtt_probe_new         (void);
/* Any thread (webrtcbin's "on-data-channel"): CHANNEL is the camera's
 * probe channel; other channels are ignored */
void        ps_rtt_probe_attach      (PsRttProbe           *self,
                                      GstWebRTCDataChannel *channel);
void        ps_rtt_probe_stop        (PsRttProbe           *self);
/* Milliseconds, smoothed; negative while nothing was measured */
double      ps_rtt_probe_get_rtt_ms  (PsRttProbe           *self);
guint       ps_rtt_probe_get_samples (PsRttProbe           *self);

G_END_DECLS
