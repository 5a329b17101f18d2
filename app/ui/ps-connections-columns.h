/* ps-connections-columns.h: the columns of the Connections view, and how it words a peer
 *
 * Each column's cells follow their PsPeer's notify signals while bound.  The columns share a
 * PsConnectionsColumns, which knows the bound cells that show a relative time ("2 min ago")
 * so that the view can refresh them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "ps-peer.h"

G_BEGIN_DECLS

typedef enum {
  PS_CONNECTIONS_COLUMN_PEER,
  PS_CONNECTIONS_COLUMN_COUNTRY,
  PS_CONNECTIONS_COLUMN_NETWORK,
  PS_CONNECTIONS_COLUMN_CLASS,
  PS_CONNECTIONS_COLUMN_SENT,
  PS_CONNECTIONS_COLUMN_RECEIVED,
  PS_CONNECTIONS_COLUMN_FIRST_SEEN,
  PS_CONNECTIONS_COLUMN_LAST_SEEN,
  PS_CONNECTIONS_COLUMN_BLOCKED,
} PsConnectionsColumn;

#define PS_CONNECTIONS_N_COLUMNS (PS_CONNECTIONS_COLUMN_BLOCKED + 1)

typedef struct _PsConnectionsColumns PsConnectionsColumns;

PsConnectionsColumns *ps_connections_columns_new              (void);
PsConnectionsColumns *ps_connections_columns_ref              (PsConnectionsColumns *self);
void                  ps_connections_columns_unref            (PsConnectionsColumns *self);
/* a column with its title, cells and sorter */
GtkColumnViewColumn  *ps_connections_columns_create           (PsConnectionsColumns *self,
                                                               PsConnectionsColumn   column);
/* updates the relative times of the bound cells */
void                  ps_connections_columns_tick             (PsConnectionsColumns *self);

/* "peer", "country", "network", "class", "sent", "received", "first-seen", "last-seen",
 * "blocked" */
const char           *ps_connections_columns_get_id           (PsConnectionsColumn   column);
/* numbers and times: the largest first is the useful way to start */
gboolean              ps_connections_columns_descending_first (PsConnectionsColumn   column);
/* traffic both ways, the most first; then by address */
GtkSorter            *ps_connections_columns_traffic_sorter   (void);

const char           *ps_connections_columns_kind_label       (PsPeerKind            kind);
/* "198.51.100.11:32100/udp", "[2001:db8::5]:443/tcp" */
char                 *ps_connections_columns_endpoint         (PsPeer               *peer);
/* the country's name, else its code, else NULL */
const char           *ps_connections_columns_country          (PsPeer               *peer);
guint64               ps_connections_columns_traffic          (PsPeer               *peer);
/* the flag emoji (regional indicator symbols) of an ISO 3166-1 alpha-2 code, or NULL */
char                 *ps_connections_columns_flag             (const char           *country_code);
/* "Just now", "2 min ago", "3 hours ago", "4 days ago" or a date */
char                 *ps_connections_columns_relative_time    (gint64                unix_ms,
                                                               gint64                now_ms);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsConnectionsColumns, ps_connections_columns_unref)

G_END_DECLS
