/* ps-rtt-probe.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-rtt-probe"

#include "config.h"

#include <string.h>

#include "ps-rtt-message.h"
#include "ps-rtt-probe.h"

#define PING_INTERVAL_MS 1000
/* pings in flight that a pong may still answer; older ones are lost */
#define IN_FLIGHT        8

typedef struct
{
  guint32 sequence;
  gint64  sent_us;      /* 0: free */
} Ping;

struct _PsRttProbe
{
  GObject               parent_instance;

  GMainContext         *context;
  GSource              *timer;

  GMutex                lock;   /* what follows: written from SCTP's thread */
  GstWebRTCDataChannel *channel;
  gboolean              stopped;
  Ping                  in_flight[IN_FLIGHT];
  guint32               next_sequence;
  double                srtt_ms;
  guint                 samples;
};

G_DEFINE_FINAL_TYPE (PsRttProbe, ps_rtt_probe, G_TYPE_OBJECT)

static void
drop_probe (gpointer  data,
            GClosure *closure)
{
  g_object_unref (data);
}

/* With the lock held */
static void
send_ping_locked (PsRttProbe *self)
{
  GstWebRTCDataChannelState state;
  g_autofree char *text = NULL;
  Ping *ping;

  if (self->channel == NULL)
    return;
  g_object_get (self->channel, "ready-state", &state, NULL);
  if (state != GST_WEBRTC_DATA_CHANNEL_STATE_OPEN)
    return;

  ping = &self->in_flight[self->next_sequence % IN_FLIGHT];
  ping->sequence = self->next_sequence++;
  ping->sent_us = g_get_monotonic_time ();
  text = ps_rtt_message_format (PS_RTT_PING, ping->sequence);
  g_signal_emit_by_name (self->channel, "send-string", text);
}

static gboolean
ping_cb (gpointer user_data)
{
  PsRttProbe *self = user_data;

  g_mutex_lock (&self->lock);
  send_ping_locked (self);
  g_mutex_unlock (&self->lock);

  return G_SOURCE_CONTINUE;
}

/* SCTP's thread */
static void
on_open (GstWebRTCDataChannel *channel,
         gpointer              user_data)
{
  PsRttProbe *self = user_data;

  g_mutex_lock (&self->lock);
  if (self->channel == channel)
    send_ping_locked (self);
  g_mutex_unlock (&self->lock);
}

/* SCTP's thread: the camera's words, checked before use */
static void
on_message (GstWebRTCDataChannel *channel,
            const char           *text,
            gpointer              user_data)
{
  PsRttProbe *self = user_data;
  g_autoptr(GError) error = NULL;
  PsRttKind kind;
  guint32 sequence;
  Ping *ping;
  gint64 now = g_get_monotonic_time ();
  double sample;

  if (!ps_rtt_message_parse_text (text, &kind, &sequence, &error))
    {
      g_debug ("ignored: %s", error->message);
      return;
    }
  if (kind != PS_RTT_PONG)
    return;

  g_mutex_lock (&self->lock);
  ping = &self->in_flight[sequence % IN_FLIGHT];
  if (self->channel == channel && ping->sent_us != 0 && ping->sequence == sequence)
    {
      sample = (now - ping->sent_us) / 1000.0;
      ping->sent_us = 0;
      self->srtt_ms = self->samples == 0 ? sample : 0.875 * self->srtt_ms + 0.125 * sample;
      self->samples++;
    }
  g_mutex_unlock (&self->lock);
}

void
ps_rtt_probe_attach (PsRttProbe           *self,
                     GstWebRTCDataChannel *channel)
{
  g_autofree char *label = NULL;

  g_return_if_fail (PS_IS_RTT_PROBE (self));
  g_return_if_fail (GST_IS_WEBRTC_DATA_CHANNEL (channel));

  g_object_get (channel, "label", &label, NULL);
  if (g_strcmp0 (label, PS_RTT_CHANNEL_LABEL) != 0)
    return;

  g_mutex_lock (&self->lock);
  if (self->channel == NULL && !self->stopped)
    {
      self->channel = g_object_ref (channel);
      /* each handler holds the probe: SCTP's thread may be inside one
       * while the main thread disconnects it */
      g_signal_connect_data (channel, "on-open", G_CALLBACK (on_open), g_object_ref (self),
                             drop_probe, 0);
      g_signal_connect_data (channel, "on-message-string", G_CALLBACK (on_message),
                             g_object_ref (self), drop_probe, 0);
      /* a channel already open when announced gets its first ping now */
      send_ping_locked (self);
    }
  g_mutex_unlock (&self->lock);
}

void
ps_rtt_probe_stop (PsRttProbe *self)
{
  g_autoptr(GstWebRTCDataChannel) channel = NULL;

  g_return_if_fail (PS_IS_RTT_PROBE (self));

  if (self->timer != NULL)
    {
      g_source_destroy (self->timer);
      g_clear_pointer (&self->timer, g_source_unref);
    }
  g_mutex_lock (&self->lock);
  self->stopped = TRUE;
  channel = g_steal_pointer (&self->channel);
  g_mutex_unlock (&self->lock);
  if (channel != NULL)
    g_signal_handlers_disconnect_by_data (channel, self);
}

double
ps_rtt_probe_get_rtt_ms (PsRttProbe *self)
{
  double rtt;

  g_return_val_if_fail (PS_IS_RTT_PROBE (self), -1);

  g_mutex_lock (&self->lock);
  rtt = self->samples > 0 ? self->srtt_ms : -1;
  g_mutex_unlock (&self->lock);

  return rtt;
}

guint
ps_rtt_probe_get_samples (PsRttProbe *self)
{
  guint samples;

  g_return_val_if_fail (PS_IS_RTT_PROBE (self), 0);

  g_mutex_lock (&self->lock);
  samples = self->samples;
  g_mutex_unlock (&self->lock);

  return samples;
}

PsRttProbe *
ps_rtt_probe_new (void)
{
  PsRttProbe *self = g_object_new (PS_TYPE_RTT_PROBE, NULL);

  self->context = g_main_context_ref_thread_default ();
  self->timer = g_timeout_source_new (PING_INTERVAL_MS);
  g_source_set_callback (self->timer, ping_cb, self, NULL);
  g_source_attach (self->timer, self->context);

  return self;
}

static void
ps_rtt_probe_finalize (GObject *object)
{
  PsRttProbe *self = (PsRttProbe *) object;

  ps_rtt_probe_stop (self);
  g_main_context_unref (self->context);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (ps_rtt_probe_parent_class)->finalize (object);
}

static void
ps_rtt_probe_class_init (PsRttProbeClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ps_rtt_probe_finalize;
}

static void
ps_rtt_probe_init (PsRttProbe *self)
{
  g_mutex_init (&self->lock);
}
