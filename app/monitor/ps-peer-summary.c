/* ps-peer-summary.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "ps-peer.h"
#include "ps-peer-summary.h"

void
ps_peer_summary_compute (GListModel    *peers,
                         PsPeerSummary *summary)
{
  g_autoptr(GHashTable) hosts = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) countries = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) p2p = g_hash_table_new (g_str_hash, g_str_equal);

  g_return_if_fail (G_IS_LIST_MODEL (peers));
  g_return_if_fail (summary != NULL);

  *summary = (PsPeerSummary) { 0 };

  for (guint i = 0, n = g_list_model_get_n_items (peers); i < n; i++)
    {
      g_autoptr(PsPeer) peer = g_list_model_get_item (peers, i);
      const char *address = ps_peer_get_address_string (peer);
      const char *country = ps_peer_get_country (peer);

      if (ps_peer_get_blocked_attempts (peer) > 0)
        summary->blocked++;

      if (ps_ip_address_is_local (ps_peer_get_address (peer)))
        continue;

      /* the strings live as long as the peers, which the model holds */
      g_hash_table_add (hosts, (gpointer) address);
      if (country != NULL && *country != '\0')
        g_hash_table_add (countries, (gpointer) country);
      if (ps_peer_get_kind (peer) == PS_PEER_KIND_P2P_SUPERNODE)
        g_hash_table_add (p2p, (gpointer) address);
      summary->bytes_out += ps_peer_get_bytes_out (peer);
      summary->bytes_in += ps_peer_get_bytes_in (peer);
    }

  summary->hosts = g_hash_table_size (hosts);
  summary->countries = g_hash_table_size (countries);
  summary->p2p_servers = g_hash_table_size (p2p);
}

char *
ps_peer_summary_format (const PsPeerSummary *summary)
{
  g_autofree char *hosts = NULL;
  g_autofree char *countries = NULL;
  g_autofree char *p2p = NULL;

  g_return_val_if_fail (summary != NULL, NULL);

  if (summary->hosts == 0)
    return NULL;

  /* Translators: the start of "Talks to 12 hosts in 9 countries, 3 P2P servers" */
  hosts = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Talks to %u host", "Talks to %u hosts",
                                        summary->hosts), summary->hosts);
  if (summary->countries > 0)
    /* Translators: the middle of "Talks to 12 hosts in 9 countries, 3 P2P servers" */
    countries = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, " in %u country", " in %u countries",
                                              summary->countries), summary->countries);
  if (summary->p2p_servers > 0)
    /* Translators: the end of "Talks to 12 hosts in 9 countries, 3 P2P servers" */
    p2p = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, ", %u P2P server", ", %u P2P servers",
                                        summary->p2p_servers), summary->p2p_servers);

  return g_strconcat (hosts, countries != NULL ? countries : "", p2p != NULL ? p2p : "", NULL);
}
