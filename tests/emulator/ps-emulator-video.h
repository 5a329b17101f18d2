/* ps-emulator-video.h: one always-running capture + encode pipeline per
 * stream, fanned out to every RTSP client pipeline
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gst/gst.h>

#include "ps-emulator-log.h"

G_BEGIN_DECLS

typedef struct _PsEmulatorStream PsEmulatorStream;

typedef struct
{
  const char *id;            /* "main" or "sub": the mount and profile token */
  const char *camera_name;   /* drawn into the picture */
  const char *pattern;       /* videotestsrc pattern nick */
  guint       width;
  guint       height;
  guint       fps;
  double      gop_seconds;
  guint       bitrate_kbps;
  gboolean    snapshot;      /* add the 1 fps JPEG branch */
} PsEmulatorStreamConfig;

/* Both are called on the main context. */
typedef void (*PsEmulatorStreamReadyFunc) (PsEmulatorStream *stream,
                                           gpointer          user_data);
typedef void (*PsEmulatorStreamErrorFunc) (PsEmulatorStream *stream,
                                           const GError     *error,
                                           gpointer          user_data);

PsEmulatorStream *ps_emulator_stream_new            (const PsEmulatorStreamConfig *config,
                                                     PsEmulatorLog                *log,
                                                     GError                      **error);
void              ps_emulator_stream_free           (PsEmulatorStream             *self);
void              ps_emulator_stream_start          (PsEmulatorStream             *self,
                                                     PsEmulatorStreamReadyFunc     ready_func,
                                                     PsEmulatorStreamErrorFunc     error_func,
                                                     gpointer                      user_data);
void              ps_emulator_stream_stop           (PsEmulatorStream             *self);

const char       *ps_emulator_stream_get_id         (PsEmulatorStream             *self);
const PsEmulatorStreamConfig *
                  ps_emulator_stream_get_config     (PsEmulatorStream             *self);
/* The H.264 level profile from the encoder caps ("Baseline", "Main", "High"). */
const char       *ps_emulator_stream_get_h264_profile (PsEmulatorStream           *self);
GstCaps          *ps_emulator_stream_dup_caps       (PsEmulatorStream             *self);
/* Last JPEG of the snapshot branch, or NULL. */
GBytes           *ps_emulator_stream_dup_snapshot   (PsEmulatorStream             *self);

/* Feeds the encoded stream into @appsrc from the next buffer on. @owner is
 * a key (the RTSP media) for ps_emulator_stream_remove_owner(). Upstream
 * force-key-unit events reaching @appsrc (RTCP PLI/FIR) force a keyframe. */
void              ps_emulator_stream_add_appsrc     (PsEmulatorStream             *self,
                                                     GstElement                   *appsrc,
                                                     gpointer                      owner);
void              ps_emulator_stream_remove_owner   (PsEmulatorStream             *self,
                                                     gpointer                      owner);
/* Asks the encoder for a keyframe with SPS/PPS as soon as possible. */
void              ps_emulator_stream_force_keyframe (PsEmulatorStream             *self,
                                                     const char                   *reason);

G_END_DECLS
