/* ps-rtt-echo.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-rtt-echo"
#define GST_USE_UNSTABLE_API

#include "config.h"

#include <gst/webrtc/webrtc.h>
#include <string.h>

#include "ps-rtt-echo.h"
#include "ps-rtt-message.h"

/* SCTP's thread: the viewer's words, checked before use */
static void
on_message (GstWebRTCDataChannel *channel,
            const char           *text,
            gpointer              user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *pong = NULL;
  GstWebRTCDataChannelState state;
  PsRttKind kind;
  guint32 sequence;

  if (!ps_rtt_message_parse_text (text, &kind, &sequence, &error))
    {
      g_debug ("ignored: %s", error->message);
      return;
    }
  if (kind != PS_RTT_PING)
    return;
  g_object_get (channel, "ready-state", &state, NULL);
  if (state != GST_WEBRTC_DATA_CHANNEL_STATE_OPEN)
    return;   /* closing: no answer */

  pong = ps_rtt_message_format (PS_RTT_PONG, sequence);
  g_signal_emit_by_name (channel, "send-string", pong);
}

gboolean
ps_rtt_echo_open (GstElement *webrtc)
{
  g_autoptr(GstStructure) options = NULL;
  g_autoptr(GstWebRTCDataChannel) channel = NULL;

  g_return_val_if_fail (GST_IS_ELEMENT (webrtc), FALSE);

  /* a late pong is a wrong one: no order, no retransmission */
  options = gst_structure_new ("options",
                               "ordered", G_TYPE_BOOLEAN, FALSE,
                               "max-retransmits", G_TYPE_INT, 0,
                               NULL);
  g_signal_emit_by_name (webrtc, "create-data-channel", PS_RTT_CHANNEL_LABEL, options, &channel);
  if (channel == NULL)
    {
      g_debug ("no data channel: no round-trip probe");
      return FALSE;
    }
  /* webrtcbin keeps the channel as long as the session */
  g_signal_connect (channel, "on-message-string", G_CALLBACK (on_message), NULL);

  return TRUE;
}
