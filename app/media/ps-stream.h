/* ps-stream.h: one camera stream, opened with low latency and kept alive
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <gst/gst.h>

#include "ps-ice-candidate.h"
#include "ps-p2p-config.h"
#include "ps-stream-error.h"

G_BEGIN_DECLS

typedef enum {
  PS_STREAM_STATE_IDLE,
  PS_STREAM_STATE_CONNECTING,
  PS_STREAM_STATE_PLAYING,
  PS_STREAM_STATE_RECONNECTING,
  PS_STREAM_STATE_ERROR,
} PsStreamState;

typedef enum {
  PS_STREAM_OUTPUT_NATIVE, /* whatever the decoder gives: cheapest, for statistics */
  PS_STREAM_OUTPUT_BGRA,   /* packed 8-bit BGRA, for GdkMemoryTexture */
} PsStreamOutput;

typedef enum {
  PS_STREAM_PROFILE_MAIN, /* the highest resolution an ONVIF camera offers */
  PS_STREAM_PROFILE_SUB,  /* the lowest, for tiles */
} PsStreamProfile;

#define PS_TYPE_STREAM (ps_stream_get_type ())
G_DECLARE_FINAL_TYPE (PsStream, ps_stream, PS, STREAM, GObject)

PsStream      *ps_stream_new                (const char      *uri);
const char    *ps_stream_get_uri            (PsStream        *self);
void           ps_stream_set_credentials    (PsStream        *self,
                                             const char      *username,
                                             const char      *password);
void           ps_stream_set_output         (PsStream        *self,
                                             PsStreamOutput   output);
/* Decoded video goes to this sink (e.g. gtk4paintablesink) instead of an
 * appsink; "new-frame" still fires. Set it while the stream is stopped. */
void           ps_stream_set_video_sink     (PsStream        *self,
                                             GstElement      *sink);
void           ps_stream_set_profile        (PsStream        *self,
                                             PsStreamProfile  profile);
void           ps_stream_set_timeout        (PsStream        *self,
                                             guint            timeout_ms);
void           ps_stream_set_reconnect      (PsStream        *self,
                                             gboolean         reconnect);
/* Also retry a camera that has not played yet (a viewer waiting for a camera
 * to boot); wrong passwords and addresses still end in the error state. */
void           ps_stream_set_keep_trying    (PsStream        *self,
                                             gboolean         keep_trying);
void           ps_stream_set_use_tcp        (PsStream        *self,
                                             gboolean         use_tcp);
/* How to reach a p2p:DEVICE-ID camera (rendezvous, token, ICE servers) */
void           ps_stream_set_p2p_config     (PsStream          *self,
                                             const PsP2pConfig *config);
/* For P2P: the camera's end of the selected ICE pair, or NULL */
const char    *ps_stream_get_remote_address (PsStream        *self,
                                             guint           *port);
/* For P2P: the path's round trip in milliseconds (Peerscope's probe over a
 * data channel), the last session's once stopped; negative when unknown */
double         ps_stream_get_rtt_ms         (PsStream        *self);
/* For P2P: every candidate the camera's end gave, the last session's once
 * stopped: (element-type PsIceCandidate) (transfer full) */
GPtrArray     *ps_stream_dup_remote_candidates (PsStream     *self);

void           ps_stream_start              (PsStream        *self);
void           ps_stream_stop               (PsStream        *self);
/* Stops, then ends once the camera's end was told goodbye (WHEP: the
 * session DELETEd); for a process about to exit */
void           ps_stream_stop_async         (PsStream            *self,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
void           ps_stream_stop_finish        (PsStream            *self,
                                             GAsyncResult        *result);

PsStreamState  ps_stream_get_state          (PsStream        *self);
const GError  *ps_stream_get_error          (PsStream        *self);
const char    *ps_stream_get_resolved_uri   (PsStream        *self);
const char    *ps_stream_get_transport      (PsStream        *self);
const char    *ps_stream_get_codec          (PsStream        *self);
guint          ps_stream_get_width          (PsStream        *self);
guint          ps_stream_get_height         (PsStream        *self);
guint64        ps_stream_get_frames         (PsStream        *self);
double         ps_stream_get_fps            (PsStream        *self);
double         ps_stream_get_first_frame_ms (PsStream        *self);
void             ps_stream_get_received       (PsStream        *self,
                                               guint64         *bytes,
                                               guint64         *packets);
guint          ps_stream_get_reconnects     (PsStream        *self);
gboolean       ps_stream_get_latency        (PsStream        *self,
                                             double          *p50_ms,
                                             double          *p95_ms);

G_END_DECLS
