/* ps-webrtc-viewer.h: the viewer's side of a WebRTC stream, whatever the
 * signalling
 *
 * PsStream plays a camera through one of these: PsP2pSession (Peerscope's
 * own P2P network, the camera's identity pinned) or PsWhepSession (a WHEP
 * endpoint, RFC 9725).  Each owns a webrtcbin that the stream puts in its
 * pipeline and whose source pads it decodes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <gst/gst.h>

#include "ps-p2p-config.h"

G_BEGIN_DECLS

#define PS_TYPE_WEBRTC_VIEWER (ps_webrtc_viewer_get_type ())
G_DECLARE_INTERFACE (PsWebrtcViewer, ps_webrtc_viewer, PS, WEBRTC_VIEWER, GObject)

struct _PsWebrtcViewerInterface
{
  GTypeInterface parent_iface;

  GstElement *(*get_element)        (PsWebrtcViewer *self);
  void        (*start)              (PsWebrtcViewer *self);
  void        (*stop)               (PsWebrtcViewer *self);
  const char *(*get_transport)      (PsWebrtcViewer *self);
  const char *(*get_remote_address) (PsWebrtcViewer *self,
                                     guint          *port);
  gboolean    (*path_is_intact)     (PsWebrtcViewer *self);
  /* optional: (element-type PsIceCandidate) (transfer full) */
  GPtrArray  *(*dup_remote_candidates) (PsWebrtcViewer *self);
  /* optional: the path's round trip, negative when not measured */
  double      (*get_rtt_ms)         (PsWebrtcViewer *self);
  /* optional: the goodbye that stop() began (WHEP: the DELETE) */
  void        (*wait_closed_async)  (PsWebrtcViewer      *self,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
};

/* Signals: "failed" (GError: why it did not work or stopped working) and
 * "connected" (ICE found a path), both on the creator's main context. */
GstElement *ps_webrtc_viewer_get_element        (PsWebrtcViewer *self);
void        ps_webrtc_viewer_start              (PsWebrtcViewer *self);
void        ps_webrtc_viewer_stop               (PsWebrtcViewer *self);
/* "ice-host", "ice-srflx", "ice-relay", or "ice" before a pair is chosen */
const char *ps_webrtc_viewer_get_transport      (PsWebrtcViewer *self);
const char *ps_webrtc_viewer_get_remote_address (PsWebrtcViewer *self,
                                                 guint          *port);
gboolean    ps_webrtc_viewer_path_is_intact     (PsWebrtcViewer *self);
/* Milliseconds, smoothed; negative while unknown (or never, for a peer
 * that does not answer Peerscope's round-trip probe) */
double      ps_webrtc_viewer_get_rtt_ms         (PsWebrtcViewer *self);
/* Every candidate the camera's end gave (host, srflx, relay), each of
 * which our ICE agent checked: (element-type PsIceCandidate) (transfer full) */
GPtrArray  *ps_webrtc_viewer_dup_remote_candidates (PsWebrtcViewer *self);

/* For implementations: the viewer's webrtcbin, owned, latency 0 and set up
 * by CONFIG; when GStreamer has none, a placeholder element and ERROR */
GstElement *ps_webrtc_viewer_make_webrtcbin     (const PsP2pConfig  *config,
                                                 GError            **error);
/* After stop: ends once the far end was told goodbye, or could not be
 * (bounded by the signalling's own timeouts).  Then a process can exit
 * without leaving a session behind on the server. */
void        ps_webrtc_viewer_wait_closed_async  (PsWebrtcViewer      *self,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
void        ps_webrtc_viewer_wait_closed_finish (PsWebrtcViewer      *self,
                                                 GAsyncResult        *result);

G_END_DECLS
