/* ps-webrtc-viewer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>

#include "ps-ice-candidate.h"
#include "ps-stream-error.h"
#include "ps-webrtc-viewer.h"

G_DEFINE_INTERFACE (PsWebrtcViewer, ps_webrtc_viewer, G_TYPE_OBJECT)

static void
ps_webrtc_viewer_default_init (PsWebrtcViewerInterface *iface)
{
  g_signal_new ("failed", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                G_TYPE_NONE, 1, G_TYPE_ERROR);
  g_signal_new ("connected", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                NULL, G_TYPE_NONE, 0);
}

GstElement *
ps_webrtc_viewer_get_element (PsWebrtcViewer *self)
{
  g_return_val_if_fail (PS_IS_WEBRTC_VIEWER (self), NULL);

  return PS_WEBRTC_VIEWER_GET_IFACE (self)->get_element (self);
}

void
ps_webrtc_viewer_start (PsWebrtcViewer *self)
{
  g_return_if_fail (PS_IS_WEBRTC_VIEWER (self));

  PS_WEBRTC_VIEWER_GET_IFACE (self)->start (self);
}

void
ps_webrtc_viewer_stop (PsWebrtcViewer *self)
{
  g_return_if_fail (PS_IS_WEBRTC_VIEWER (self));

  PS_WEBRTC_VIEWER_GET_IFACE (self)->stop (self);
}

const char *
ps_webrtc_viewer_get_transport (PsWebrtcViewer *self)
{
  g_return_val_if_fail (PS_IS_WEBRTC_VIEWER (self), NULL);

  return PS_WEBRTC_VIEWER_GET_IFACE (self)->get_transport (self);
}

const char *
ps_webrtc_viewer_get_remote_address (PsWebrtcViewer *self,
                                     guint          *port)
{
  g_return_val_if_fail (PS_IS_WEBRTC_VIEWER (self), NULL);

  return PS_WEBRTC_VIEWER_GET_IFACE (self)->get_remote_address (self, port);
}

gboolean
ps_webrtc_viewer_path_is_intact (PsWebrtcViewer *self)
{
  g_return_val_if_fail (PS_IS_WEBRTC_VIEWER (self), FALSE);

  return PS_WEBRTC_VIEWER_GET_IFACE (self)->path_is_intact (self);
}

double
ps_webrtc_viewer_get_rtt_ms (PsWebrtcViewer *self)
{
  PsWebrtcViewerInterface *iface;

  g_return_val_if_fail (PS_IS_WEBRTC_VIEWER (self), -1);

  iface = PS_WEBRTC_VIEWER_GET_IFACE (self);
  return iface->get_rtt_ms != NULL ? iface->get_rtt_ms (self) : -1;
}

GPtrArray *
ps_webrtc_viewer_dup_remote_candidates (PsWebrtcViewer *self)
{
  PsWebrtcViewerInterface *iface;

  g_return_val_if_fail (PS_IS_WEBRTC_VIEWER (self), NULL);

  iface = PS_WEBRTC_VIEWER_GET_IFACE (self);
  if (iface->dup_remote_candidates != NULL)
    return iface->dup_remote_candidates (self);

  return g_ptr_array_new_with_free_func ((GDestroyNotify) ps_ice_candidate_free);
}

void
ps_webrtc_viewer_wait_closed_async (PsWebrtcViewer      *self,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  PsWebrtcViewerInterface *iface;
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PS_IS_WEBRTC_VIEWER (self));

  iface = PS_WEBRTC_VIEWER_GET_IFACE (self);
  if (iface->wait_closed_async != NULL)
    {
      iface->wait_closed_async (self, callback, user_data);
      return;
    }
  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, ps_webrtc_viewer_wait_closed_async);
  g_task_return_boolean (task, TRUE);
}

void
ps_webrtc_viewer_wait_closed_finish (PsWebrtcViewer *self,
                                     GAsyncResult   *result)
{
  g_return_if_fail (g_task_is_valid (result, self));

  g_task_propagate_boolean (G_TASK (result), NULL);
}

GstElement *
ps_webrtc_viewer_make_webrtcbin (const PsP2pConfig  *config,
                                 GError            **error)
{
  GstElement *webrtc = gst_element_factory_make ("webrtcbin", NULL);

  g_return_val_if_fail (config != NULL, NULL);

  if (webrtc == NULL)
    {
      g_set_error_literal (error, PS_STREAM_ERROR, PS_STREAM_ERROR_DECODER,
                           _("The GStreamer element “webrtcbin” is missing: install "
                             "the GStreamer plugins (bad) and libnice’s plugin"));
      return gst_object_ref_sink (gst_element_factory_make ("fakesrc", NULL));
    }
  gst_object_ref_sink (webrtc);
  g_object_set (webrtc, "latency", 0, NULL);
  ps_p2p_config_configure_webrtcbin (config, webrtc);

  return webrtc;
}
