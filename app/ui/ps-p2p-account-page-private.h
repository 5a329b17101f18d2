/* ps-p2p-account-page-private.h: what the tests read in PsP2pAccountPage
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ps-p2p-account-page.h"

G_BEGIN_DECLS

/* The status row: its title and subtitle */
const char *_ps_p2p_account_page_get_status_title (PsP2pAccountPage *self);
const char *_ps_p2p_account_page_get_status       (PsP2pAccountPage *self);
/* What the error label under the account or the TURN servers says, or NULL */
const char *_ps_p2p_account_page_get_error        (PsP2pAccountPage *self);
/* Sets the CA file as the file chooser would */
void        _ps_p2p_account_page_choose_ca_file   (PsP2pAccountPage *self,
                                                   const char       *path);

G_END_DECLS
