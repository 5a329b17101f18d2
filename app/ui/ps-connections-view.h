/* ps-connections-view.h: every host one camera talks to, on a map and in a table
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define PS_TYPE_CONNECTIONS_VIEW (ps_connections_view_get_type ())
G_DECLARE_FINAL_TYPE (PsConnectionsView, ps_connections_view, PS, CONNECTIONS_VIEW, AdwBin)

PsConnectionsView *ps_connections_view_new          (void);
/* A live model of PsPeer (ps_peer_table_get_device_peers()); NULL clears. */
void               ps_connections_view_set_peers    (PsConnectionsView *self,
                                                     GListModel        *peers);
GListModel        *ps_connections_view_get_peers    (PsConnectionsView *self);
void               ps_connections_view_focus_search (PsConnectionsView *self);

G_END_DECLS
