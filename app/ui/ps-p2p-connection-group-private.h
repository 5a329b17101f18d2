/* ps-p2p-connection-group-private.h: what the tests read in PsP2pConnectionGroup
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ps-p2p-connection-group.h"
#include "ps-p2p-directory.h"

G_BEGIN_DECLS

/* The subtitle of a row: "device", "rendezvous", "path", "address",
 * "candidates", "rtt", "bitrate" */
const char     *_ps_p2p_connection_group_get_text      (PsP2pConnectionGroup *self,
                                                        const char           *row);
gboolean        _ps_p2p_connection_group_shows_warning (PsP2pConnectionGroup *self);
PsP2pDirectory *_ps_p2p_connection_group_get_directory (PsP2pConnectionGroup *self);
/* Takes the figures now instead of at the next tick (the bitrate needs a second
 * between two samples) */
void            _ps_p2p_connection_group_refresh       (PsP2pConnectionGroup *self);
AdwComboRow    *_ps_p2p_connection_group_get_policy_row (PsP2pConnectionGroup *self);

G_END_DECLS
