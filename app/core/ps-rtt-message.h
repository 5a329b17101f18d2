/* ps-rtt-message.h: the round-trip probe of a P2P session
 *
 * A camera-side session opens a WebRTC data channel,
 * PS_RTT_CHANNEL_LABEL, unordered and never retransmitted.  The viewer
 * sends "ping N" on it; the camera answers "pong N" at once.  N is a
 * decimal sequence number below 2^32.  The channel crosses the same ICE
 * pair and DTLS as the video, so the time a ping takes is the path's
 * round trip, as the viewer sees it.  A peer that opens no such channel
 * (webrtcsink, a WHEP endpoint) simply has no measured round trip.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PS_RTT_CHANNEL_LABEL   "peerscope-rtt"
/* "ping 4294967295" is 15 bytes: anything longer is not a probe */
#define PS_RTT_MAX_MESSAGE_SIZE 15

#define PS_RTT_MESSAGE_ERROR (ps_rtt_message_error_quark ())

typedef enum
{
  PS_RTT_MESSAGE_ERROR_TOO_LARGE,
  PS_RTT_MESSAGE_ERROR_MALFORMED,
} PsRttMessageError;

typedef enum
{
  PS_RTT_PING,
  PS_RTT_PONG,
} PsRttKind;

GQuark   ps_rtt_message_error_quark (void);

/* TEXT is LENGTH bytes from the network, not necessarily terminated */
gboolean ps_rtt_message_parse  (const char  *text,
                                gsize        length,
                                PsRttKind   *kind,
                                guint32     *sequence,
                                GError     **error);
/* The same for a data channel's string (NUL-terminated, or NULL): no more
 * than PS_RTT_MAX_MESSAGE_SIZE + 1 bytes of it are read */
gboolean ps_rtt_message_parse_text (const char  *text,
                                    PsRttKind   *kind,
                                    guint32     *sequence,
                                    GError     **error);
char    *ps_rtt_message_format (PsRttKind    kind,
                                guint32      sequence);

G_END_DECLS
