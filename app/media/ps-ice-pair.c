/* ps-ice-pair.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-ice-pair"
#define GST_USE_UNSTABLE_API

#include "config.h"

#include <gio/gio.h>
#include <gst/webrtc/webrtc.h>

#include "ps-ice-pair.h"

struct _PsIcePair
{
  GObject     parent_instance;

  GstElement *webrtc;           /* unowned; watched while it lives */
  GMutex      lock;
  char       *transport;
  char       *remote_address;
  guint       remote_port;
  char       *local_address;    /* of a host candidate, or NULL */
  GPtrArray  *remote_candidates;
};

G_DEFINE_FINAL_TYPE (PsIcePair, ps_ice_pair, G_TYPE_OBJECT)

static const char *
transport_of (const GstWebRTCICECandidateStats *local,
              const GstWebRTCICECandidateStats *remote)
{
  if (g_strcmp0 (local->type, "relay") == 0 || g_strcmp0 (remote->type, "relay") == 0)
    return "ice-relay";
  if (g_strcmp0 (local->type, "host") == 0 && g_strcmp0 (remote->type, "host") == 0)
    return "ice-host";

  return "ice-srflx";
}

/* libnice's thread */
static void
on_selected_pair (GObject  *ice_transport,
                  gpointer  user_data)
{
  PsIcePair *self = user_data;
  g_autoptr(GstWebRTCICE) agent = NULL;
  g_autoptr(GstWebRTCICEStream) stream = NULL;
  GstWebRTCICECandidateStats *local = NULL;
  GstWebRTCICECandidateStats *remote = NULL;

  if (self->webrtc == NULL)
    return;
  g_object_get (self->webrtc, "ice-agent", &agent, NULL);
  g_object_get (ice_transport, "stream", &stream, NULL);
  if (agent == NULL || stream == NULL ||
      !gst_webrtc_ice_get_selected_pair (agent, stream, &local, &remote))
    return;

  g_mutex_lock (&self->lock);
  g_free (self->transport);
  self->transport = g_strdup (transport_of (local, remote));
  g_free (self->remote_address);
  self->remote_address = g_strdup (remote->ipaddr);
  self->remote_port = remote->port;
  g_free (self->local_address);
  self->local_address = g_strcmp0 (local->type, "host") == 0 ? g_strdup (local->ipaddr) : NULL;
  g_debug ("selected pair %s %s:%u <-> %s %s:%u (%s)", local->type, local->ipaddr, local->port,
           remote->type, remote->ipaddr, remote->port, self->transport);
  g_mutex_unlock (&self->lock);

  gst_webrtc_ice_candidate_stats_free (local);
  gst_webrtc_ice_candidate_stats_free (remote);
}

void
ps_ice_pair_watch (PsIcePair  *self,
                   GstElement *webrtcbin)
{
  g_autoptr(GstWebRTCRTPTransceiver) transceiver = NULL;
  g_autoptr(GstWebRTCRTPReceiver) receiver = NULL;
  g_autoptr(GObject) dtls = NULL;
  g_autoptr(GObject) ice = NULL;

  g_return_if_fail (PS_IS_ICE_PAIR (self));
  g_return_if_fail (GST_IS_ELEMENT (webrtcbin));

  if (self->webrtc != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->webrtc), (gpointer *) &self->webrtc);
  self->webrtc = webrtcbin;
  g_object_add_weak_pointer (G_OBJECT (webrtcbin), (gpointer *) &self->webrtc);

  g_signal_emit_by_name (webrtcbin, "get-transceiver", 0, &transceiver);
  if (transceiver != NULL)
    g_object_get (transceiver, "receiver", &receiver, NULL);
  if (receiver != NULL)
    g_object_get (receiver, "transport", &dtls, NULL);
  if (dtls != NULL)
    g_object_get (dtls, "transport", &ice, NULL);
  if (ice == NULL)
    return;

  g_signal_connect_object (ice, "on-selected-candidate-pair-change",
                           G_CALLBACK (on_selected_pair), self, 0);
  /* the pair ICE chose before we listened */
  on_selected_pair (ice, self);
}

const char *
ps_ice_pair_get_transport (PsIcePair *self)
{
  const char *transport;

  g_return_val_if_fail (PS_IS_ICE_PAIR (self), NULL);

  g_mutex_lock (&self->lock);
  transport = self->transport != NULL ? g_intern_string (self->transport) : "ice";
  g_mutex_unlock (&self->lock);

  return transport;
}

const char *
ps_ice_pair_get_remote_address (PsIcePair *self,
                                guint     *port)
{
  const char *address;

  g_return_val_if_fail (PS_IS_ICE_PAIR (self), NULL);

  g_mutex_lock (&self->lock);
  address = self->remote_address != NULL ? g_intern_string (self->remote_address) : NULL;
  if (port != NULL)
    *port = self->remote_port;
  g_mutex_unlock (&self->lock);

  return address;
}

gboolean
ps_ice_pair_is_intact (PsIcePair *self)
{
  g_autoptr(GInetAddress) address = NULL;
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autofree char *local = NULL;

  g_return_val_if_fail (PS_IS_ICE_PAIR (self), FALSE);

  g_mutex_lock (&self->lock);
  local = g_strdup (self->local_address);
  g_mutex_unlock (&self->lock);

  /* a reflexive or relayed pair depends on the way out, which changed */
  if (local == NULL || (address = g_inet_address_new_from_string (local)) == NULL)
    return FALSE;

  /* still ours if we can bind to it */
  socket = g_socket_new (g_inet_address_get_family (address), G_SOCKET_TYPE_DATAGRAM,
                         G_SOCKET_PROTOCOL_UDP, NULL);
  socket_address = g_inet_socket_address_new (address, 0);

  return socket != NULL && g_socket_bind (socket, socket_address, FALSE, NULL);
}

static void
ps_ice_pair_finalize (GObject *object)
{
  PsIcePair *self = (PsIcePair *) object;

  if (self->webrtc != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->webrtc), (gpointer *) &self->webrtc);
  g_free (self->transport);
  g_free (self->remote_address);
  g_free (self->local_address);
  g_ptr_array_unref (self->remote_candidates);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (ps_ice_pair_parent_class)->finalize (object);
}

static void
ps_ice_pair_class_init (PsIcePairClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ps_ice_pair_finalize;
}

static void
ps_ice_pair_init (PsIcePair *self)
{
  g_mutex_init (&self->lock);
  self->remote_candidates = g_ptr_array_new_with_free_func ((GDestroyNotify) ps_ice_candidate_free);
}

PsIcePair *
ps_ice_pair_new (void)
{
  return g_object_new (PS_TYPE_ICE_PAIR, NULL);
}

void
ps_ice_pair_add_remote_candidate (PsIcePair  *self,
                                  const char *line)
{
  g_autoptr(PsIceCandidate) candidate = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (PS_IS_ICE_PAIR (self));

  if (line == NULL || *line == '\0')
    return;   /* the end of candidates */
  candidate = ps_ice_candidate_parse (line, strnlen (line, PS_ICE_CANDIDATE_MAX_SIZE + 1),
                                      &error);
  if (candidate == NULL)
    {
      g_debug ("a remote candidate not kept: %s", error->message);
      return;
    }

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->remote_candidates->len && candidate != NULL; i++)
    if (ps_ice_candidate_equal (g_ptr_array_index (self->remote_candidates, i), candidate))
      g_clear_pointer (&candidate, ps_ice_candidate_free);
  if (candidate != NULL && self->remote_candidates->len < PS_ICE_PAIR_MAX_CANDIDATES)
    g_ptr_array_add (self->remote_candidates, g_steal_pointer (&candidate));
  g_mutex_unlock (&self->lock);
}

void
ps_ice_pair_add_remote_candidates_from_sdp (PsIcePair           *self,
                                            const GstSDPMessage *sdp)
{
  g_return_if_fail (PS_IS_ICE_PAIR (self));
  g_return_if_fail (sdp != NULL);

  for (guint m = 0; m < gst_sdp_message_medias_len (sdp); m++)
    {
      const GstSDPMedia *media = gst_sdp_message_get_media (sdp, m);

      for (guint a = 0; a < gst_sdp_media_attributes_len (media); a++)
        {
          const GstSDPAttribute *attribute = gst_sdp_media_get_attribute (media, a);
          g_autofree char *line = NULL;

          if (g_strcmp0 (attribute->key, "candidate") != 0 || attribute->value == NULL)
            continue;
          line = g_strconcat ("candidate:", attribute->value, NULL);
          ps_ice_pair_add_remote_candidate (self, line);
        }
    }
}

GPtrArray *
ps_ice_pair_dup_remote_candidates (PsIcePair *self)
{
  GPtrArray *copy;

  g_return_val_if_fail (PS_IS_ICE_PAIR (self), NULL);

  g_mutex_lock (&self->lock);
  copy = g_ptr_array_new_full (self->remote_candidates->len,
                               (GDestroyNotify) ps_ice_candidate_free);
  for (guint i = 0; i < self->remote_candidates->len; i++)
    g_ptr_array_add (copy, ps_ice_candidate_copy (g_ptr_array_index (self->remote_candidates, i)));
  g_mutex_unlock (&self->lock);

  return copy;
}
