/* ps-peer-alerts.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-peer-alerts"

#include "config.h"

#include "ps-peer-alerts.h"

typedef struct
{
  GHashTable *countries;   /* char* set */
  GHashTable *networks;    /* GUINT_TO_POINTER (asn) set */
  gboolean    p2p_server;
} Known;

struct _PsPeerAlerts
{
  GObject      parent_instance;

  PsPeerTable *table;
  GHashTable  *known;      /* device -> Known */
  GHashTable  *watched;    /* PsPeer* set: peers whose later changes we follow */
};

G_DEFINE_FINAL_TYPE (PsPeerAlerts, ps_peer_alerts, G_TYPE_OBJECT)

enum {
  ALERT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
known_free (gpointer data)
{
  Known *known = data;

  g_hash_table_unref (known->countries);
  g_hash_table_unref (known->networks);
  g_free (known);
}

static Known *
ps_peer_alerts_ensure (PsPeerAlerts *self,
                       const char   *device)
{
  Known *known = g_hash_table_lookup (self->known, device);

  if (known == NULL)
    {
      known = g_new0 (Known, 1);
      known->countries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      known->networks = g_hash_table_new (NULL, NULL);
      g_hash_table_insert (self->known, g_strdup (device), known);
    }

  return known;
}

static void
ps_peer_alerts_check (PsPeerAlerts *self,
                      PsPeer       *peer)
{
  Known *known = ps_peer_alerts_ensure (self, ps_peer_get_device (peer));
  const char *country = ps_peer_get_country (peer);
  guint32 asn = ps_peer_get_asn (peer);
  PsPeerKind kind = ps_peer_get_kind (peer);

  /* the local network is nobody's news */
  if (kind == PS_PEER_KIND_LAN || kind == PS_PEER_KIND_LAN_DISCOVERY || kind == PS_PEER_KIND_VIEWER)
    return;

  if (kind == PS_PEER_KIND_P2P_SUPERNODE && !known->p2p_server)
    {
      known->p2p_server = TRUE;
      g_signal_emit (self, signals[ALERT], 0, ps_peer_get_device (peer), PS_PEER_ALERT_P2P_SERVER, peer);
    }

  if (country != NULL && *country != '\0' && !g_hash_table_contains (known->countries, country))
    {
      g_hash_table_add (known->countries, g_strdup (country));
      g_signal_emit (self, signals[ALERT], 0, ps_peer_get_device (peer), PS_PEER_ALERT_NEW_COUNTRY, peer);
    }

  if (asn != 0 && !g_hash_table_contains (known->networks, GUINT_TO_POINTER (asn)))
    {
      g_hash_table_add (known->networks, GUINT_TO_POINTER (asn));
      g_signal_emit (self, signals[ALERT], 0, ps_peer_get_device (peer), PS_PEER_ALERT_NEW_NETWORK, peer);
    }
}

static void
on_peer_changed_cb (PsPeer       *peer,
                    GParamSpec   *pspec,
                    PsPeerAlerts *self)
{
  ps_peer_alerts_check (self, peer);
}

static void
on_peers_changed_cb (PsPeerAlerts *self,
                     guint         position,
                     guint         removed,
                     guint         added,
                     GListModel   *peers)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(PsPeer) peer = g_list_model_get_item (peers, i);

      ps_peer_alerts_check (self, peer);

      /* a reverse name can make it a P2P server later */
      if (g_hash_table_add (self->watched, peer))
        g_signal_connect_object (peer, "notify::class", G_CALLBACK (on_peer_changed_cb),
                                 self, 0);
    }
}

static void
ps_peer_alerts_finalize (GObject *object)
{
  PsPeerAlerts *self = PS_PEER_ALERTS (object);

  g_hash_table_unref (self->known);
  g_hash_table_unref (self->watched);
  g_clear_object (&self->table);

  G_OBJECT_CLASS (ps_peer_alerts_parent_class)->finalize (object);
}

static void
ps_peer_alerts_class_init (PsPeerAlertsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ps_peer_alerts_finalize;

  /**
   * PsPeerAlerts::alert:
   * @device: the device id
   * @kind: a #PsPeerAlertKind
   * @peer: the peer that is new
   */
  signals[ALERT] = g_signal_new ("alert", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL,
                                 G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_INT, PS_TYPE_PEER);
}

static void
ps_peer_alerts_init (PsPeerAlerts *self)
{
  self->known = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, known_free);
  self->watched = g_hash_table_new (NULL, NULL);
}

PsPeerAlerts *
ps_peer_alerts_new (PsPeerTable *table)
{
  PsPeerAlerts *self;

  g_return_val_if_fail (PS_IS_PEER_TABLE (table), NULL);

  self = g_object_new (PS_TYPE_PEER_ALERTS, NULL);
  self->table = g_object_ref (table);
  g_signal_connect_object (ps_peer_table_get_peers (table), "items-changed",
                           G_CALLBACK (on_peers_changed_cb), self, G_CONNECT_SWAPPED);

  return self;
}

void
ps_peer_alerts_add_known (PsPeerAlerts *self,
                          const char   *device,
                          const char   *country,
                          guint32       asn,
                          gboolean      p2p_server)
{
  Known *known;

  g_return_if_fail (PS_IS_PEER_ALERTS (self));
  g_return_if_fail (device != NULL);

  known = ps_peer_alerts_ensure (self, device);
  if (country != NULL && *country != '\0')
    g_hash_table_add (known->countries, g_strdup (country));
  if (asn != 0)
    g_hash_table_add (known->networks, GUINT_TO_POINTER (asn));
  known->p2p_server |= !!p2p_server;
}
