/* ps-viewer-stream.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-viewer-stream"

#include "ps-video-paintable.h"
#include "ps-viewer-stream.h"

PsStream *
ps_viewer_stream_new (PsDevice        *device,
                      const char      *password,
                      PsStreamProfile  profile,
                      GtkPicture      *picture)
{
  const char *uri = ps_device_get_uri (device);
  PsStream *stream;

  g_return_val_if_fail (PS_IS_DEVICE (device), NULL);
  g_return_val_if_fail (GTK_IS_PICTURE (picture), NULL);

  if (profile == PS_STREAM_PROFILE_SUB && ps_device_get_sub_uri (device) != NULL)
    uri = ps_device_get_sub_uri (device);

  stream = ps_stream_new (uri);
  ps_stream_set_output (stream, PS_STREAM_OUTPUT_BGRA);
  ps_stream_set_profile (stream, profile);
  /* a viewer waits for a camera that is still booting */
  ps_stream_set_keep_trying (stream, TRUE);
  if (ps_device_get_username (device) != NULL)
    ps_stream_set_credentials (stream, ps_device_get_username (device), password);
  ps_video_paintable_use_gtk_sink (stream, picture);

  return stream;
}
