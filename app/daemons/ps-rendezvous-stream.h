/* ps-rendezvous-stream.h: the limits of one rendezvous WebSocket connection, kept below libsoup
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  PS_RENDEZVOUS_LIMIT_NONE,
  PS_RENDEZVOUS_LIMIT_MESSAGE_SIZE,   /* a message, all its fragments together, too large */
  PS_RENDEZVOUS_LIMIT_RATE,           /* frames faster than the rate allows */
} PsRendezvousLimit;

#define PS_TYPE_RENDEZVOUS_STREAM (ps_rendezvous_stream_get_type ())
G_DECLARE_FINAL_TYPE (PsRendezvousStream, ps_rendezvous_stream, PS, RENDEZVOUS_STREAM, GIOStream)

PsRendezvousStream *ps_rendezvous_stream_new                 (GIOStream          *base,
                                                              guint64             max_message_size,
                                                              double              rate,
                                                              double              burst);
PsRendezvousLimit   ps_rendezvous_stream_get_limit           (PsRendezvousStream *self);
guint64             ps_rendezvous_stream_get_messages_allowed (PsRendezvousStream *self);
gint64              ps_rendezvous_stream_get_last_frame_time (PsRendezvousStream *self);
guint64             ps_rendezvous_stream_get_bytes_written   (PsRendezvousStream *self);
void                ps_rendezvous_stream_abort               (PsRendezvousStream *self);

G_END_DECLS
