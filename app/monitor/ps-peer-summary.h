/* ps-peer-summary.h: a device's peers at a glance
 *
 * "Talks to 12 hosts in 9 countries, 3 P2P servers": the line on each
 * camera tile and at the top of its Connections view.  Hosts are distinct
 * addresses outside the local network.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  guint   hosts;          /* distinct addresses beyond the LAN */
  guint   countries;      /* distinct known countries among them */
  guint   p2p_servers;    /* distinct addresses classed p2p-supernode */
  guint   blocked;        /* peers with blocked attempts */
  guint64 bytes_out;      /* to hosts beyond the LAN */
  guint64 bytes_in;
} PsPeerSummary;

void  ps_peer_summary_compute (GListModel          *peers,
                               PsPeerSummary       *summary);
/* NULL when the device talks to nobody beyond the LAN */
char *ps_peer_summary_format  (const PsPeerSummary *summary);

G_END_DECLS
