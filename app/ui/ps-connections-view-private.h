/* ps-connections-view-private.h: what the tests look at inside PsConnectionsView
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ps-connections-view.h"
#include "ps-peer.h"

G_BEGIN_DECLS

typedef enum {
  PS_CONNECTIONS_EXPORT_CSV,
  PS_CONNECTIONS_EXPORT_JSON,
} PsConnectionsExport;

/* what "Export as CSV…" and "Export as JSON…" write: the rows shown, in their order */
GBytes              *_ps_connections_view_build_export      (PsConnectionsView   *self,
                                                             PsConnectionsExport  format);
/* the rows: filtered and sorted (a GtkSingleSelection) */
GtkSelectionModel   *_ps_connections_view_get_rows          (PsConnectionsView   *self);
const char          *_ps_connections_view_get_summary       (PsConnectionsView   *self);
/* "empty", "no-match" or "list" */
const char          *_ps_connections_view_get_state         (PsConnectionsView   *self);
/* "peer", "country", "network", "class", "sent", "received", "first-seen", "last-seen",
 * "blocked" */
GtkColumnViewColumn *_ps_connections_view_get_column        (PsConnectionsView   *self,
                                                             const char          *id);
guint                _ps_connections_view_get_n_map_points  (PsConnectionsView   *self);
/* the export's GtkFileChooserNative (GtkFileDialog from GTK 4.10) while it is open */
GObject             *_ps_connections_view_get_export_dialog (PsConnectionsView   *self);
/* the id of a peer's point on the map (::point-activated) */
char                *_ps_connections_view_dup_point_id      (PsPeer              *peer);
/* runs the summary, map, sort and filter refresh that peer changes schedule */
void                 _ps_connections_view_flush             (PsConnectionsView   *self);

G_END_DECLS
