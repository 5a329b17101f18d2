/* ps-p2p-setting-check.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-p2p-setting-check"

#include "config.h"

#include "ps-p2p-setting-check.h"
#include "ps-peer.h"

/**
 * ps_p2p_setting_count_blocked:
 * @peers: a #GListModel of #PsPeer
 *
 * Returns: (transfer full): a table from each peer of @peers (a reference)
 *   to its blocked attempts now (a #guint64)
 */
GHashTable *
ps_p2p_setting_count_blocked (GListModel *peers)
{
  GHashTable *counts;

  g_return_val_if_fail (G_IS_LIST_MODEL (peers), NULL);

  counts = g_hash_table_new_full (NULL, NULL, g_object_unref, g_free);
  for (guint i = 0, n = g_list_model_get_n_items (peers); i < n; i++)
    {
      PsPeer *peer = g_list_model_get_item (peers, i);
      guint64 attempts = ps_peer_get_blocked_attempts (peer);

      /* every peer: the enricher may class one a P2P server only later */
      g_hash_table_insert (counts, peer, g_memdup2 (&attempts, sizeof attempts));
    }

  return counts;
}

/**
 * ps_p2p_setting_find_offenders:
 * @peers: a #GListModel of #PsPeer, one device's
 * @off_ms: when the device's P2P setting went off, in Unix ms
 * @blocked_before: (nullable): from ps_p2p_setting_count_blocked(), taken
 *   after the grace period
 *
 * Returns: (transfer full) (element-type PsPeer): the P2P servers the
 *   device reached after it was told to stop
 */
GPtrArray *
ps_p2p_setting_find_offenders (GListModel *peers,
                               gint64      off_ms,
                               GHashTable *blocked_before)
{
  GPtrArray *offenders;
  gint64 after_ms;

  g_return_val_if_fail (G_IS_LIST_MODEL (peers), NULL);

  offenders = g_ptr_array_new_with_free_func (g_object_unref);
  after_ms = off_ms > G_MAXINT64 - PS_P2P_SETTING_GRACE_MS ? G_MAXINT64
                                                           : off_ms + PS_P2P_SETTING_GRACE_MS;

  for (guint i = 0, n = g_list_model_get_n_items (peers); i < n; i++)
    {
      g_autoptr(PsPeer) peer = g_list_model_get_item (peers, i);
      gboolean reached;

      if (ps_peer_get_kind (peer) != PS_PEER_KIND_P2P_SUPERNODE)
        continue;

      reached = ps_peer_get_last_seen (peer) > after_ms;
      if (!reached && blocked_before != NULL)
        {
          const guint64 *before = g_hash_table_lookup (blocked_before, peer);

          /* a server first blocked after the snapshot counts from zero */
          reached = ps_peer_get_blocked_attempts (peer) > (before != NULL ? *before : 0);
        }

      if (reached)
        g_ptr_array_add (offenders, g_steal_pointer (&peer));
    }

  return offenders;
}
