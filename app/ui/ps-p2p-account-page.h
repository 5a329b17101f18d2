/* ps-p2p-account-page.h: the P2P account in Preferences
 *
 * The rendezvous server, the account token (kept in the keyring), an
 * optional certificate authority for wss://, the ICE policy, the STUN
 * server and the TURN servers (in the keyring too, since their addresses
 * carry credentials), and whether the server takes us now.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ps-p2p-account.h"

G_BEGIN_DECLS

#define PS_TYPE_P2P_ACCOUNT_PAGE (ps_p2p_account_page_get_type ())
G_DECLARE_FINAL_TYPE (PsP2pAccountPage, ps_p2p_account_page, PS, P2P_ACCOUNT_PAGE,
                      AdwPreferencesPage)

PsP2pAccountPage *ps_p2p_account_page_new         (PsP2pAccount     *account);
/* The account the page edits (the default one unless set) */
void              ps_p2p_account_page_set_account (PsP2pAccountPage *self,
                                                   PsP2pAccount     *account);

G_END_DECLS
