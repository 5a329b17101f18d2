/* ps-webrtc-promise.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ps-webrtc-promise.h"

GstWebRTCSessionDescription *
ps_webrtc_promise_take_description (GstPromise *promise,
                                    const char *field)
{
  const GstStructure *reply = NULL;
  GstWebRTCSessionDescription *description = NULL;

  g_return_val_if_fail (promise != NULL, NULL);

  if (gst_promise_wait (promise) == GST_PROMISE_RESULT_REPLIED)
    reply = gst_promise_get_reply (promise);
  if (reply != NULL)
    gst_structure_get (reply, field, GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &description, NULL);
  gst_promise_unref (promise);

  return description;
}
