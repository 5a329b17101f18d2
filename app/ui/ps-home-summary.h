/* ps-home-summary.h: the whole home at a glance, for the overview above the
 * camera grid
 *
 * How many cameras phone home (reach a P2P server, a vendor cloud or any
 * host beyond the LAN), how many a rule restricts, and what is new since a
 * given time (a day ago): hosts, countries and P2P servers first seen
 * then.  Plain data in, counts and sentences out; no widgets, so the tests
 * can check every number.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ps-peer.h"
#include "ps-policy.h"

G_BEGIN_DECLS

/* Whether the firewall holds the policy, as far as the overview knows. */
typedef enum {
  PS_HOME_ENFORCEMENT_CHECKING,
  PS_HOME_ENFORCEMENT_ENFORCED,
  PS_HOME_ENFORCEMENT_OUTDATED,      /* a firewall has earlier rules */
  PS_HOME_ENFORCEMENT_NOT_ENFORCED,  /* no firewall has Peerscope's rules */
  PS_HOME_ENFORCEMENT_UNKNOWN,       /* cannot tell (no helper, not allowed, an error) */
} PsHomeEnforcement;

typedef struct
{
  guint       cameras;
  guint       phoning_home;      /* cameras that reach beyond the LAN */
  guint       hosts;             /* distinct addresses they reach */
  guint       countries;         /* distinct known countries of those */
  guint       p2p_servers;       /* distinct addresses classed p2p-supernode */
  guint       blocked;           /* cameras whose intent is not open */
  guint       open_phoning;      /* cameras that phone home and are not blocked */
  guint       new_hosts;         /* of those hosts, first seen at or after SINCE */
  guint       new_countries;
  guint       new_p2p_servers;
  gboolean    has_peers;         /* Peerscope saw any traffic of the cameras */

  /* Where a click on each line leads: camera ids from CAMERAS, or NULL. */
  const char *phoning_camera;    /* the first camera that phones home */
  const char *blocked_camera;    /* the first that phones home unrestricted, else
                                  * the first restricted one */
  const char *news_camera;       /* the one with the most new hosts */
} PsHomeSummary;

/* CAMERAS: device ids in the order they are shown.  PEERS: PsPeer of any
 * devices (the peer table's whole list).  POLICY may be NULL (every camera
 * open).  SINCE_MS: Unix ms where "new" begins. */
void  ps_home_summary_compute          (PsHomeSummary       *summary,
                                        const char * const  *cameras,
                                        GListModel          *peers,
                                        PsPolicy            *policy,
                                        gint64               since_ms);
/* Whether a peer of a camera counts as phoning home. */
gboolean ps_home_summary_phones_home  (PsPeer              *peer);

/* The overview's three lines, each a title and a subtitle. */
void  ps_home_summary_format_phoning   (const PsHomeSummary *summary,
                                        char               **title,
                                        char               **subtitle);
void  ps_home_summary_format_blocked   (const PsHomeSummary *summary,
                                        PsHomeEnforcement    enforcement,
                                        char               **title,
                                        char               **subtitle);
/* RULE_CHANGES: the policy changes logged since yesterday, or -1 when
 * unknown (no log). */
void  ps_home_summary_format_news      (const PsHomeSummary *summary,
                                        int                  rule_changes,
                                        char               **title,
                                        char               **subtitle);

G_END_DECLS
