/* ps-rtsp-h264-source.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "ps-rtsp-h264-source.h"
#include "ps-stream-error.h"

/* Only the video stream, and only H.264 */
static gboolean
on_select_stream (GstElement *rtspsrc,
                  guint       num,
                  GstCaps    *caps,
                  gpointer    user_data)
{
  GstStructure *s = gst_caps_get_structure (caps, 0);

  return g_strcmp0 (gst_structure_get_string (s, "media"), "video") == 0 &&
         g_ascii_strcasecmp (gst_structure_get_string (s, "encoding-name") ?: "", "H264") == 0;
}

static void
on_pad_added (GstElement *rtspsrc,
              GstPad     *pad,
              gpointer    user_data)
{
  GstElement *depay = user_data;
  g_autoptr(GstPad) sinkpad = gst_element_get_static_pad (depay, "sink");

  if (!gst_pad_is_linked (sinkpad))
    gst_pad_link (pad, sinkpad);
}

GstElement *
ps_rtsp_h264_source_new (const char  *uri,
                         const char  *username,
                         const char  *password,
                         GError     **error)
{
  g_autoptr(GstPad) depay_src = NULL;
  GstElement *bin, *src, *depay;

  g_return_val_if_fail (uri != NULL, NULL);

  src = gst_element_factory_make ("rtspsrc", NULL);
  depay = gst_element_factory_make ("rtph264depay", NULL);
  if (src == NULL || depay == NULL)
    {
      gst_clear_object (&src);
      gst_clear_object (&depay);
      g_set_error_literal (error, PS_STREAM_ERROR, PS_STREAM_ERROR_DECODER,
                           _("GStreamer’s rtspsrc or rtph264depay is missing"));
      return NULL;
    }

  /* floating, like any new element: the caller's bin takes it */
  bin = gst_bin_new (NULL);
  gst_bin_add_many (GST_BIN (bin), src, depay, NULL);
  g_object_set (src, "location", uri, "latency", 0, "do-retransmission", FALSE,
                "user-agent", "Peerscope/" PACKAGE_VERSION, NULL);
  gst_util_set_object_arg (G_OBJECT (src), "protocols", "tcp");
  if (username != NULL)
    g_object_set (src, "user-id", username, "user-pw", password, NULL);
  g_object_set (depay, "request-keyframe", TRUE, NULL);
  g_signal_connect (src, "select-stream", G_CALLBACK (on_select_stream), NULL);
  g_signal_connect_object (src, "pad-added", G_CALLBACK (on_pad_added), depay, 0);

  depay_src = gst_element_get_static_pad (depay, "src");
  gst_element_add_pad (bin, gst_ghost_pad_new ("src", depay_src));

  return bin;
}
