/* ps-home-summary.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One pass over the peers finds, for every host, country and P2P server the cameras reach,
 * when the home first saw it (the earliest first_seen among the cameras' peers); a second
 * pass counts the new hosts per camera.  A host that one camera has reached for weeks is
 * not new because another camera reached it today.
 */

#define G_LOG_DOMAIN "ps-home-summary"

#include "config.h"

#include <glib/gi18n.h>

#include "ps-home-summary.h"

/* Traffic the camera starts towards the internet, or towards whatever the classifier knows
 * as its vendor's servers; never a Peerscope viewer, nor a host that connects to the camera. */
gboolean
ps_home_summary_phones_home (PsPeer *peer)
{
  PsPeerKind kind;

  g_return_val_if_fail (PS_IS_PEER (peer), FALSE);

  kind = ps_peer_get_kind (peer);
  if (kind == PS_PEER_KIND_VIEWER || ps_peer_get_inbound (peer))
    return FALSE;
  if (kind == PS_PEER_KIND_P2P_SUPERNODE || kind == PS_PEER_KIND_VENDOR_CLOUD)
    return TRUE;

  return !ps_ip_address_is_local (ps_peer_get_address (peer));
}

/* keeps the earliest known time of KEY; the keys live as long as the peers */
static void
note_first (GHashTable *firsts,
            const char *key,
            gint64      first_ms)
{
  gpointer value;

  if (!g_hash_table_lookup_extended (firsts, key, NULL, &value))
    {
      g_hash_table_insert (firsts, (gpointer) key, g_memdup2 (&first_ms, sizeof first_ms));
      return;
    }

  /* 0: not known (a peer the firewall only ever blocked) */
  if (first_ms > 0 && (*(gint64 *) value <= 0 || first_ms < *(gint64 *) value))
    *(gint64 *) value = first_ms;
}

static guint
count_since (GHashTable *firsts,
             gint64      since_ms)
{
  GHashTableIter iter;
  gpointer value;
  guint n = 0;

  g_hash_table_iter_init (&iter, firsts);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (*(gint64 *) value > 0 && *(gint64 *) value >= since_ms)
      n++;

  return n;
}

static gboolean
is_new (GHashTable *firsts,
        const char *key,
        gint64      since_ms)
{
  gint64 *first = g_hash_table_lookup (firsts, key);

  return first != NULL && *first > 0 && *first >= since_ms;
}

static PsIntent
camera_intent (PsPolicy   *policy,
               const char *camera)
{
  PsIntent intent;

  if (policy == NULL)
    return PS_INTENT_OPEN;
  if (ps_policy_get_device (policy, camera, NULL, NULL, &intent, NULL))
    return intent;

  return ps_policy_get_default_intent (policy);
}

void
ps_home_summary_compute (PsHomeSummary      *summary,
                         const char * const *cameras,
                         GListModel         *peers,
                         PsPolicy           *policy,
                         gint64              since_ms)
{
  g_autoptr(GHashTable) index = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) hosts = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autoptr(GHashTable) countries = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autoptr(GHashTable) p2p = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autoptr(GHashTable) new_pairs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree gboolean *phoning = NULL;
  g_autofree guint *news = NULL;
  const char *first_open_phoning = NULL;
  const char *first_blocked = NULL;
  guint n_cameras, n_peers, best = 0;

  g_return_if_fail (summary != NULL);
  g_return_if_fail (peers == NULL || G_IS_LIST_MODEL (peers));
  g_return_if_fail (policy == NULL || PS_IS_POLICY (policy));

  *summary = (PsHomeSummary) { 0 };
  n_cameras = cameras != NULL ? g_strv_length ((GStrv) cameras) : 0;
  n_peers = peers != NULL ? g_list_model_get_n_items (peers) : 0;
  phoning = g_new0 (gboolean, n_cameras + 1);
  news = g_new0 (guint, n_cameras + 1);
  summary->cameras = n_cameras;

  for (guint i = 0; i < n_cameras; i++)
    g_hash_table_insert (index, (gpointer) cameras[i], GUINT_TO_POINTER (i + 1));

  for (guint i = 0; i < n_peers; i++)
    {
      g_autoptr(PsPeer) peer = g_list_model_get_item (peers, i);
      guint camera = GPOINTER_TO_UINT (g_hash_table_lookup (index, ps_peer_get_device (peer)));
      const char *country = ps_peer_get_country (peer);
      gint64 first = ps_peer_get_first_seen (peer);

      if (camera == 0)
        continue;
      summary->has_peers = TRUE;
      if (!ps_home_summary_phones_home (peer))
        continue;

      phoning[camera - 1] = TRUE;
      note_first (hosts, ps_peer_get_address_string (peer), first);
      if (country != NULL && *country != '\0')
        note_first (countries, country, first);
      if (ps_peer_get_kind (peer) == PS_PEER_KIND_P2P_SUPERNODE)
        note_first (p2p, ps_peer_get_address_string (peer), first);
    }

  /* which camera reached the most of the new hosts */
  for (guint i = 0; i < n_peers; i++)
    {
      g_autoptr(PsPeer) peer = g_list_model_get_item (peers, i);
      guint camera = GPOINTER_TO_UINT (g_hash_table_lookup (index, ps_peer_get_device (peer)));
      const char *address = ps_peer_get_address_string (peer);

      if (camera == 0 || !ps_home_summary_phones_home (peer)
          || !is_new (hosts, address, since_ms))
        continue;
      if (g_hash_table_add (new_pairs, g_strconcat (cameras[camera - 1], " ", address, NULL)))
        news[camera - 1]++;
    }

  summary->hosts = g_hash_table_size (hosts);
  summary->countries = g_hash_table_size (countries);
  summary->p2p_servers = g_hash_table_size (p2p);
  summary->new_hosts = count_since (hosts, since_ms);
  summary->new_countries = count_since (countries, since_ms);
  summary->new_p2p_servers = count_since (p2p, since_ms);

  for (guint i = 0; i < n_cameras; i++)
    {
      gboolean open = camera_intent (policy, cameras[i]) == PS_INTENT_OPEN;

      if (phoning[i])
        {
          summary->phoning_home++;
          if (summary->phoning_camera == NULL)
            summary->phoning_camera = cameras[i];
          if (open)
            summary->open_phoning++;
          /* the camera to do something about */
          if (open && first_open_phoning == NULL)
            first_open_phoning = cameras[i];
        }
      if (!open)
        {
          summary->blocked++;
          if (first_blocked == NULL)
            first_blocked = cameras[i];
        }
      if (news[i] > best)
        {
          best = news[i];
          summary->news_camera = cameras[i];
        }
    }
  summary->blocked_camera = first_open_phoning != NULL ? first_open_phoning : first_blocked;
}

/* ---- the sentences --------------------------------------------------------------------- */

void
ps_home_summary_format_phoning (const PsHomeSummary  *summary,
                                char                **title,
                                char                **subtitle)
{
  g_autofree char *hosts = NULL;
  g_autofree char *countries = NULL;
  g_autofree char *p2p = NULL;
  g_autofree char *reach = NULL;

  g_return_if_fail (summary != NULL);
  g_return_if_fail (title != NULL && subtitle != NULL);

  if (summary->phoning_home == 0)
    {
      *title = g_strdup (_("No camera phones home"));
      *subtitle = g_strdup (summary->has_peers
                            ? _("Your cameras talk only to your own network")
                            : _("Peerscope has seen no traffic of your cameras yet"));
      return;
    }

  if (summary->cameras == 1)
    *title = g_strdup (_("Your camera phones home"));
  else
    /* Translators: e.g. "2 of 3 cameras phone home": the plural follows the first number.
     * "Phoning home": a camera contacting servers on the internet on its own */
    *title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u cameras phones home",
                                           "%u of %u cameras phone home", summary->phoning_home),
                              summary->phoning_home, summary->cameras);

  /* Translators: the start of "12 hosts in 9 countries, 3 of them P2P servers" */
  hosts = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u host", "%u hosts", summary->hosts),
                           summary->hosts);
  if (summary->countries > 0)
    /* Translators: the middle of "12 hosts in 9 countries, 3 of them P2P servers" */
    countries = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, " in %u country",
                                              " in %u countries", summary->countries),
                                 summary->countries);
  if (summary->p2p_servers > 0)
    /* Translators: the end of "12 hosts in 9 countries, 3 of them P2P servers" */
    p2p = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, ", %u of them a P2P server",
                                        ", %u of them P2P servers", summary->p2p_servers),
                           summary->p2p_servers);
  reach = g_strconcat (hosts, countries != NULL ? countries : "", p2p != NULL ? p2p : "", NULL);

  /* Translators: %s is e.g. "12 hosts in 9 countries, 3 of them P2P servers"; the plural
   * follows how many cameras phone home */
  *subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "It reaches %s", "They reach %s",
                                            summary->phoning_home), reach);
}

void
ps_home_summary_format_blocked (const PsHomeSummary  *summary,
                                PsHomeEnforcement     enforcement,
                                char                **title,
                                char                **subtitle)
{
  g_return_if_fail (summary != NULL);
  g_return_if_fail (title != NULL && subtitle != NULL);

  if (summary->blocked == 0)
    {
      *title = g_strdup (_("No camera is blocked"));
      *subtitle = g_strdup (_("A camera’s Privacy view can stop it from phoning home"));
      return;
    }

  if (summary->cameras == 1)
    *title = g_strdup (_("Your camera is blocked"));
  else
    /* Translators: e.g. "2 of 3 cameras are blocked" (rules limit what they may reach): the
     * plural follows the first number */
    *title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u cameras is blocked",
                                           "%u of %u cameras are blocked", summary->blocked),
                              summary->blocked, summary->cameras);

  switch (enforcement)
    {
    case PS_HOME_ENFORCEMENT_CHECKING:
      *subtitle = g_strdup (_("Checking whether a firewall enforces the rules…"));
      break;
    case PS_HOME_ENFORCEMENT_ENFORCED:
      *subtitle = g_strdup (_("A firewall enforces the rules now"));
      break;
    case PS_HOME_ENFORCEMENT_OUTDATED:
      *subtitle = g_strdup (_("The firewall still has earlier rules: apply these in a camera’s "
                              "Privacy view"));
      break;
    case PS_HOME_ENFORCEMENT_NOT_ENFORCED:
      *subtitle = g_strdup (_("Not enforced yet: apply the rules in a camera’s Privacy view"));
      break;
    case PS_HOME_ENFORCEMENT_UNKNOWN:
    default:
      *subtitle = g_strdup (_("Cannot tell whether a firewall enforces the rules: see a camera’s "
                              "Privacy view"));
      break;
    }
}

void
ps_home_summary_format_news (const PsHomeSummary  *summary,
                             int                   rule_changes,
                             char                **title,
                             char                **subtitle)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  g_return_if_fail (summary != NULL);
  g_return_if_fail (title != NULL && subtitle != NULL);

  if (summary->new_hosts == 0)
    *title = g_strdup (_("No new hosts since yesterday"));
  else
    /* Translators: hosts the cameras reached for the first time in the last 24 hours */
    *title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u new host since yesterday",
                                           "%u new hosts since yesterday", summary->new_hosts),
                              summary->new_hosts);

  if (summary->new_countries > 0)
    g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u new country",
                                                          "%u new countries",
                                                          summary->new_countries),
                                             summary->new_countries));
  if (summary->new_p2p_servers > 0)
    g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u new P2P server",
                                                          "%u new P2P servers",
                                                          summary->new_p2p_servers),
                                             summary->new_p2p_servers));
  if (rule_changes > 0)
    /* Translators: changes of the cameras' privacy rules in the last 24 hours */
    g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d rule change",
                                                          "%d rule changes", rule_changes),
                                             rule_changes));

  if (parts->len == 0)
    {
      *subtitle = g_strdup (rule_changes == 0
                            ? _("No new countries or P2P servers, and no rule changes")
                            : _("No new countries or P2P servers"));
      return;
    }

  g_ptr_array_add (parts, NULL);
  /* Translators: between the items of "2 new countries, 1 new P2P server, 3 rule changes" */
  *subtitle = g_strjoinv (_(", "), (GStrv) parts->pdata);
}
