/* ps-rendezvous-stream.c: the limits of one rendezvous WebSocket connection, kept below libsoup
 *
 * A GIOStream between libsoup's SoupWebsocketConnection and the connection
 * it took over from SoupServer (plain TCP or TLS).  libsoup 3.2 caps the
 * size of one frame, but not of a message sent in many fragments: it keeps
 * appending them.  So this stream follows the frame headers as the bytes
 * go up (it reads only the headers, libsoup still parses everything) and
 *
 *  - adds up the payloads of a message's fragments: past max_message_size
 *    it stops reading;
 *  - counts every frame, pings and pongs too, against a token bucket
 *    (rate frames a second, up to burst at once): when the bucket is
 *    empty it stops reading;
 *  - notes when the last frame came, for the idle timeout.
 *
 * When it stops reading it emits "limit-exceeded" (from an idle, never from
 * inside libsoup's read), and libsoup can still write: the owner sends an
 * error and a close frame.  It also counts the bytes written, so that the
 * owner can tell a peer that does not read from one that is slow.
 * ps_rendezvous_stream_abort() shuts the socket down and makes the next
 * read an end of stream, which libsoup turns into "closed".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-rendezvous"

#include "config.h"

#include "ps-rendezvous-stream.h"

#define MAX_FRAME_HEADER 14     /* 2, 8 bytes of length, 4 of mask */

/* The input side */

#define PS_TYPE_RENDEZVOUS_INPUT (ps_rendezvous_input_get_type ())
G_DECLARE_FINAL_TYPE (PsRendezvousInput, ps_rendezvous_input, PS, RENDEZVOUS_INPUT, GInputStream)

struct _PsRendezvousInput
{
  GInputStream        parent_instance;

  GInputStream       *base;
  PsRendezvousStream *owner;              /* not a reference; cleared in its dispose */

  guint8              header[MAX_FRAME_HEADER];
  guint               header_length;
  guint               header_needed;
  guint64             payload_left;
  guint64             message_size;
  guint64             max_message_size;
  guint64             messages;           /* ends of messages read before any limit */

  double              rate;
  double              burst;
  double              tokens;
  gint64              refilled_at;
  gint64              last_frame_time;

  PsRendezvousLimit   limit;
  gboolean            aborted;
  GSource            *last_source;        /* the last source handed to libsoup */
  GSource            *notify_source;
};

static void ps_rendezvous_input_pollable_init (GPollableInputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PsRendezvousInput, ps_rendezvous_input, G_TYPE_INPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_INPUT_STREAM,
                                                      ps_rendezvous_input_pollable_init))

struct _PsRendezvousStream
{
  GIOStream           parent_instance;

  GIOStream          *base;
  PsRendezvousInput  *input;
  GOutputStream      *output;
};

enum {
  LIMIT_EXCEEDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
notify_limit_cb (gpointer user_data)
{
  PsRendezvousInput *self = user_data;

  g_clear_pointer (&self->notify_source, g_source_unref);
  if (self->owner != NULL)
    g_signal_emit (self->owner, signals[LIMIT_EXCEEDED], 0);

  return G_SOURCE_REMOVE;
}

static void
set_limit (PsRendezvousInput *self,
           PsRendezvousLimit  limit)
{
  if (self->limit != PS_RENDEZVOUS_LIMIT_NONE)
    return;

  self->limit = limit;
  self->notify_source = g_idle_source_new ();
  g_source_set_name (self->notify_source, "[peerscope] rendezvous limit");
  g_source_set_callback (self->notify_source, notify_limit_cb, self, NULL);
  g_source_attach (self->notify_source, g_main_context_get_thread_default ());
}

static void
take_token (PsRendezvousInput *self,
            gint64             now)
{
  if (now > self->refilled_at)
    {
      double earned = (double) (now - self->refilled_at) * self->rate / G_USEC_PER_SEC;

      self->tokens = MIN (self->burst, self->tokens + earned);
      self->refilled_at = now;
    }

  if (self->tokens < 1.0)
    set_limit (self, PS_RENDEZVOUS_LIMIT_RATE);
  else
    self->tokens -= 1.0;
}

/* A whole frame header is in self->header */
static void
on_frame (PsRendezvousInput *self)
{
  const guint8 *h = self->header;
  guint opcode = h[0] & 0x0f;
  gboolean fin = (h[0] & 0x80) != 0;
  guint64 length = h[1] & 0x7f;
  gint64 now = g_get_monotonic_time ();

  if (length == 126)
    length = ((guint64) h[2] << 8) | h[3];
  else if (length == 127)
    {
      length = 0;
      for (guint i = 2; i < 10; i++)
        length = (length << 8) | h[i];
    }

  self->header_length = 0;
  self->header_needed = 0;
  self->payload_left = length;
  self->last_frame_time = now;

  take_token (self, now);

  /* data frames: a continuation (0) adds to the message a text (1) or binary (2) frame began */
  if (opcode < 8)
    {
      if (opcode != 0)
        self->message_size = 0;
      if (length > self->max_message_size || self->message_size + length > self->max_message_size)
        set_limit (self, PS_RENDEZVOUS_LIMIT_MESSAGE_SIZE);
      else
        self->message_size += length;
      if (fin)
        self->message_size = 0;
      if (fin && self->limit == PS_RENDEZVOUS_LIMIT_NONE)
        self->messages++;
    }
}

static void
track (PsRendezvousInput *self,
       const guint8      *data,
       gsize              length)
{
  while (length > 0 && self->limit == PS_RENDEZVOUS_LIMIT_NONE)
    {
      if (self->payload_left > 0)
        {
          gsize skip = (gsize) MIN ((guint64) length, self->payload_left);

          data += skip;
          length -= skip;
          self->payload_left -= skip;
          continue;
        }

      g_assert (self->header_length < MAX_FRAME_HEADER);
      self->header[self->header_length++] = *data++;
      length--;

      if (self->header_length == 2)
        {
          guint short_length = self->header[1] & 0x7f;

          self->header_needed = 2 + (short_length == 126 ? 2 : short_length == 127 ? 8 : 0)
                                + ((self->header[1] & 0x80) ? 4 : 0);
        }
      if (self->header_length >= 2 && self->header_length == self->header_needed)
        on_frame (self);
    }
}

static gssize
ps_rendezvous_input_read_nonblocking (GPollableInputStream  *stream,
                                      void                  *buffer,
                                      gsize                  count,
                                      GError               **error)
{
  PsRendezvousInput *self = PS_RENDEZVOUS_INPUT (stream);
  gssize n;

  if (self->aborted)
    return 0;
  if (self->limit != PS_RENDEZVOUS_LIMIT_NONE)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK, "Reading stopped at a limit");
      return -1;
    }

  n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (self->base), buffer, count,
                                                NULL, error);
  if (n > 0)
    track (self, buffer, (gsize) n);

  return n;
}

static gboolean
ps_rendezvous_input_can_poll (GPollableInputStream *stream)
{
  PsRendezvousInput *self = PS_RENDEZVOUS_INPUT (stream);

  return g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (self->base));
}

static gboolean
ps_rendezvous_input_is_readable (GPollableInputStream *stream)
{
  PsRendezvousInput *self = PS_RENDEZVOUS_INPUT (stream);

  if (self->aborted)
    return TRUE;
  if (self->limit != PS_RENDEZVOUS_LIMIT_NONE)
    return FALSE;

  return g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM (self->base));
}

static GSource *
ps_rendezvous_input_create_source (GPollableInputStream *stream,
                                   GCancellable         *cancellable)
{
  PsRendezvousInput *self = PS_RENDEZVOUS_INPUT (stream);
  g_autoptr(GSource) base_source = NULL;
  GSource *source;

  if (self->aborted || self->limit != PS_RENDEZVOUS_LIMIT_NONE)
    {
      /* stopped: a source that only abort() wakes */
      source = g_pollable_source_new (G_OBJECT (self));
      if (self->aborted)
        g_source_set_ready_time (source, 0);
    }
  else
    {
      base_source = g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM (self->base),
                                                           NULL);
      source = g_pollable_source_new_full (self, base_source, cancellable);
    }

  g_clear_pointer (&self->last_source, g_source_unref);
  self->last_source = g_source_ref (source);

  return source;
}

static void
ps_rendezvous_input_pollable_init (GPollableInputStreamInterface *iface)
{
  iface->can_poll = ps_rendezvous_input_can_poll;
  iface->is_readable = ps_rendezvous_input_is_readable;
  iface->create_source = ps_rendezvous_input_create_source;
  iface->read_nonblocking = ps_rendezvous_input_read_nonblocking;
}

static gssize
ps_rendezvous_input_read (GInputStream  *stream,
                          void          *buffer,
                          gsize          count,
                          GCancellable  *cancellable,
                          GError       **error)
{
  PsRendezvousInput *self = PS_RENDEZVOUS_INPUT (stream);
  gssize n;

  if (self->aborted)
    return 0;
  if (self->limit != PS_RENDEZVOUS_LIMIT_NONE)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Reading stopped at a limit");
      return -1;
    }

  n = g_input_stream_read (self->base, buffer, count, cancellable, error);
  if (n > 0)
    track (self, buffer, (gsize) n);

  return n;
}

/* the GIOStream closes the connection */
static gboolean
ps_rendezvous_input_close (GInputStream  *stream,
                           GCancellable  *cancellable,
                           GError       **error)
{
  return TRUE;
}

static void
ps_rendezvous_input_finalize (GObject *object)
{
  PsRendezvousInput *self = PS_RENDEZVOUS_INPUT (object);

  if (self->notify_source != NULL)
    g_source_destroy (self->notify_source);
  g_clear_pointer (&self->notify_source, g_source_unref);
  g_clear_pointer (&self->last_source, g_source_unref);
  g_clear_object (&self->base);

  G_OBJECT_CLASS (ps_rendezvous_input_parent_class)->finalize (object);
}

static void
ps_rendezvous_input_class_init (PsRendezvousInputClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = ps_rendezvous_input_finalize;
  stream_class->read_fn = ps_rendezvous_input_read;
  stream_class->close_fn = ps_rendezvous_input_close;
}

static void
ps_rendezvous_input_init (PsRendezvousInput *self)
{
}

/* The output side: counts what is written */

#define PS_TYPE_RENDEZVOUS_OUTPUT (ps_rendezvous_output_get_type ())
G_DECLARE_FINAL_TYPE (PsRendezvousOutput, ps_rendezvous_output, PS, RENDEZVOUS_OUTPUT,
                      GOutputStream)

struct _PsRendezvousOutput
{
  GOutputStream  parent_instance;

  GOutputStream *base;
  guint64        written;
};

static void ps_rendezvous_output_pollable_init (GPollableOutputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PsRendezvousOutput, ps_rendezvous_output, G_TYPE_OUTPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_OUTPUT_STREAM,
                                                      ps_rendezvous_output_pollable_init))

static gssize
ps_rendezvous_output_write_nonblocking (GPollableOutputStream  *stream,
                                        const void             *buffer,
                                        gsize                   count,
                                        GError                **error)
{
  PsRendezvousOutput *self = PS_RENDEZVOUS_OUTPUT (stream);
  gssize n;

  n = g_pollable_output_stream_write_nonblocking (G_POLLABLE_OUTPUT_STREAM (self->base), buffer,
                                                  count, NULL, error);
  if (n > 0)
    self->written += (guint64) n;

  return n;
}

static gboolean
ps_rendezvous_output_can_poll (GPollableOutputStream *stream)
{
  PsRendezvousOutput *self = PS_RENDEZVOUS_OUTPUT (stream);

  return g_pollable_output_stream_can_poll (G_POLLABLE_OUTPUT_STREAM (self->base));
}

static gboolean
ps_rendezvous_output_is_writable (GPollableOutputStream *stream)
{
  PsRendezvousOutput *self = PS_RENDEZVOUS_OUTPUT (stream);

  return g_pollable_output_stream_is_writable (G_POLLABLE_OUTPUT_STREAM (self->base));
}

static GSource *
ps_rendezvous_output_create_source (GPollableOutputStream *stream,
                                    GCancellable          *cancellable)
{
  PsRendezvousOutput *self = PS_RENDEZVOUS_OUTPUT (stream);
  g_autoptr(GSource) base_source = NULL;

  base_source = g_pollable_output_stream_create_source (G_POLLABLE_OUTPUT_STREAM (self->base),
                                                        NULL);
  return g_pollable_source_new_full (self, base_source, cancellable);
}

static void
ps_rendezvous_output_pollable_init (GPollableOutputStreamInterface *iface)
{
  iface->can_poll = ps_rendezvous_output_can_poll;
  iface->is_writable = ps_rendezvous_output_is_writable;
  iface->create_source = ps_rendezvous_output_create_source;
  iface->write_nonblocking = ps_rendezvous_output_write_nonblocking;
}

static gssize
ps_rendezvous_output_write (GOutputStream  *stream,
                            const void     *buffer,
                            gsize           count,
                            GCancellable   *cancellable,
                            GError        **error)
{
  PsRendezvousOutput *self = PS_RENDEZVOUS_OUTPUT (stream);
  gssize n;

  n = g_output_stream_write (self->base, buffer, count, cancellable, error);
  if (n > 0)
    self->written += (guint64) n;

  return n;
}

static gboolean
ps_rendezvous_output_flush (GOutputStream  *stream,
                            GCancellable   *cancellable,
                            GError        **error)
{
  return g_output_stream_flush (PS_RENDEZVOUS_OUTPUT (stream)->base, cancellable, error);
}

static gboolean
ps_rendezvous_output_close (GOutputStream  *stream,
                            GCancellable   *cancellable,
                            GError        **error)
{
  return TRUE;
}

static void
ps_rendezvous_output_finalize (GObject *object)
{
  g_clear_object (&PS_RENDEZVOUS_OUTPUT (object)->base);

  G_OBJECT_CLASS (ps_rendezvous_output_parent_class)->finalize (object);
}

static void
ps_rendezvous_output_class_init (PsRendezvousOutputClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GOutputStreamClass *stream_class = G_OUTPUT_STREAM_CLASS (klass);

  object_class->finalize = ps_rendezvous_output_finalize;
  stream_class->write_fn = ps_rendezvous_output_write;
  stream_class->flush = ps_rendezvous_output_flush;
  stream_class->close_fn = ps_rendezvous_output_close;
}

static void
ps_rendezvous_output_init (PsRendezvousOutput *self)
{
}

/* The stream */

G_DEFINE_FINAL_TYPE (PsRendezvousStream, ps_rendezvous_stream, G_TYPE_IO_STREAM)

static GInputStream *
ps_rendezvous_stream_get_input_stream (GIOStream *stream)
{
  return G_INPUT_STREAM (PS_RENDEZVOUS_STREAM (stream)->input);
}

static GOutputStream *
ps_rendezvous_stream_get_output_stream (GIOStream *stream)
{
  return PS_RENDEZVOUS_STREAM (stream)->output;
}

static gboolean
ps_rendezvous_stream_close (GIOStream     *stream,
                            GCancellable  *cancellable,
                            GError       **error)
{
  return g_io_stream_close (PS_RENDEZVOUS_STREAM (stream)->base, cancellable, error);
}

static void
base_closed_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (g_io_stream_close_finish (G_IO_STREAM (object), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void
ps_rendezvous_stream_close_async (GIOStream           *stream,
                                  int                  io_priority,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  PsRendezvousStream *self = PS_RENDEZVOUS_STREAM (stream);
  GTask *task;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ps_rendezvous_stream_close_async);
  g_io_stream_close_async (self->base, io_priority, cancellable, base_closed_cb, task);
}

static gboolean
ps_rendezvous_stream_close_finish (GIOStream     *stream,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
ps_rendezvous_stream_dispose (GObject *object)
{
  PsRendezvousStream *self = PS_RENDEZVOUS_STREAM (object);

  if (self->input != NULL)
    self->input->owner = NULL;

  G_OBJECT_CLASS (ps_rendezvous_stream_parent_class)->dispose (object);
}

static void
ps_rendezvous_stream_finalize (GObject *object)
{
  PsRendezvousStream *self = PS_RENDEZVOUS_STREAM (object);

  g_clear_object (&self->input);
  g_clear_object (&self->output);
  g_clear_object (&self->base);

  G_OBJECT_CLASS (ps_rendezvous_stream_parent_class)->finalize (object);
}

static void
ps_rendezvous_stream_class_init (PsRendezvousStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GIOStreamClass *stream_class = G_IO_STREAM_CLASS (klass);

  object_class->dispose = ps_rendezvous_stream_dispose;
  object_class->finalize = ps_rendezvous_stream_finalize;
  stream_class->get_input_stream = ps_rendezvous_stream_get_input_stream;
  stream_class->get_output_stream = ps_rendezvous_stream_get_output_stream;
  stream_class->close_fn = ps_rendezvous_stream_close;
  stream_class->close_async = ps_rendezvous_stream_close_async;
  stream_class->close_finish = ps_rendezvous_stream_close_finish;

  /**
   * PsRendezvousStream::limit-exceeded:
   *
   * Reading stopped at a limit (ps_rendezvous_stream_get_limit() says
   * which); emitted once, from the main loop.
   */
  signals[LIMIT_EXCEEDED] = g_signal_new ("limit-exceeded", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 0);
}

static void
ps_rendezvous_stream_init (PsRendezvousStream *self)
{
}

/* base: pollable both ways, as SoupServer hands its connections over.
 * rate and burst: frames a second, and how many may come at once. */
PsRendezvousStream *
ps_rendezvous_stream_new (GIOStream *base,
                          guint64    max_message_size,
                          double     rate,
                          double     burst)
{
  PsRendezvousStream *self;
  PsRendezvousInput *input;
  PsRendezvousOutput *output;

  g_return_val_if_fail (G_IS_IO_STREAM (base), NULL);
  g_return_val_if_fail (G_IS_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (base)), NULL);
  g_return_val_if_fail (G_IS_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (base)), NULL);
  g_return_val_if_fail (rate > 0 && burst >= 1, NULL);

  self = g_object_new (PS_TYPE_RENDEZVOUS_STREAM, NULL);
  self->base = g_object_ref (base);

  input = g_object_new (PS_TYPE_RENDEZVOUS_INPUT, NULL);
  input->base = g_object_ref (g_io_stream_get_input_stream (base));
  input->owner = self;
  input->max_message_size = max_message_size;
  input->rate = rate;
  input->burst = burst;
  input->tokens = burst;
  input->refilled_at = g_get_monotonic_time ();
  input->last_frame_time = input->refilled_at;
  self->input = input;

  output = g_object_new (PS_TYPE_RENDEZVOUS_OUTPUT, NULL);
  output->base = g_object_ref (g_io_stream_get_output_stream (base));
  self->output = G_OUTPUT_STREAM (output);

  return self;
}

PsRendezvousLimit
ps_rendezvous_stream_get_limit (PsRendezvousStream *self)
{
  g_return_val_if_fail (PS_IS_RENDEZVOUS_STREAM (self), PS_RENDEZVOUS_LIMIT_NONE);

  return self->input->limit;
}

/* How many messages came whole before reading stopped at a limit: libsoup
 * may still hand over a few that came after, in the same read. */
guint64
ps_rendezvous_stream_get_messages_allowed (PsRendezvousStream *self)
{
  g_return_val_if_fail (PS_IS_RENDEZVOUS_STREAM (self), 0);

  return self->input->messages;
}

/* monotonic time (µs) of the last frame received, or of the stream's creation */
gint64
ps_rendezvous_stream_get_last_frame_time (PsRendezvousStream *self)
{
  g_return_val_if_fail (PS_IS_RENDEZVOUS_STREAM (self), 0);

  return self->input->last_frame_time;
}

guint64
ps_rendezvous_stream_get_bytes_written (PsRendezvousStream *self)
{
  g_return_val_if_fail (PS_IS_RENDEZVOUS_STREAM (self), 0);

  return PS_RENDEZVOUS_OUTPUT (self->output)->written;
}

/* Ends the connection without a goodbye: for a peer that does not read. */
void
ps_rendezvous_stream_abort (PsRendezvousStream *self)
{
  GSocket *socket;

  g_return_if_fail (PS_IS_RENDEZVOUS_STREAM (self));

  if (self->input->aborted)
    return;
  self->input->aborted = TRUE;

  /* SoupServer leaves the socket on the connection it hands over */
  socket = g_object_get_data (G_OBJECT (self->base), "GSocket");
  if (G_IS_SOCKET (socket))
    g_socket_shutdown (socket, TRUE, TRUE, NULL);

  /* the next read, an end of stream, closes the connection in libsoup */
  if (self->input->last_source != NULL && !g_source_is_destroyed (self->input->last_source))
    g_source_set_ready_time (self->input->last_source, 0);
}
