/* ps-p2p-account.h: the user's P2P account, from GSettings and the keyring
 *
 * The rendezvous server, its CA file, the STUN server, the ICE policy and
 * the addresses to gather on live in GSettings ("p2p-*" keys); the account
 * token and the TURN servers (whose URLs carry credentials) live in the
 * keyring, read once and asynchronously.  Everything that plays or lists
 * P2P cameras builds its PsP2pConfig here.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ps-p2p-config.h"

G_BEGIN_DECLS

#define PS_TYPE_P2P_ACCOUNT (ps_p2p_account_get_type ())
G_DECLARE_FINAL_TYPE (PsP2pAccount, ps_p2p_account, PS, P2P_ACCOUNT, GObject)

/* settings: the application's (NULL: nothing set up); use_keyring FALSE
 * keeps the secrets in memory only (tests, or no keyring at all). */
PsP2pAccount      *ps_p2p_account_new           (GSettings           *settings,
                                                 gboolean             use_keyring);
/* The application's account: its settings and the keyring */
PsP2pAccount      *ps_p2p_account_get_default   (void);
/* Replaces the default (tests); NULL goes back to the real one */
void               ps_p2p_account_set_default   (PsP2pAccount        *account);

GSettings         *ps_p2p_account_get_settings  (PsP2pAccount        *self);
/* A rendezvous server is set */
gboolean           ps_p2p_account_is_set_up     (PsP2pAccount        *self);
/* The secrets were read (or there is no keyring to read them from) */
gboolean           ps_p2p_account_is_loaded     (PsP2pAccount        *self);
/* Once loaded: the TURN servers (never NULL) */
const char * const *ps_p2p_account_get_turn_servers (PsP2pAccount    *self);
/* Why the keyring could not be used, or NULL */
const char        *ps_p2p_account_get_keyring_error (PsP2pAccount    *self);

/* Reads the secrets if not done yet; a new PsP2pConfig, or an error when
 * no rendezvous server is set up. */
void               ps_p2p_account_load_async    (PsP2pAccount        *self,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
PsP2pConfig       *ps_p2p_account_load_finish   (PsP2pAccount        *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);
/* The config at once when the secrets are loaded and a server is set up,
 * else NULL; free it with ps_p2p_config_free(). */
PsP2pConfig       *ps_p2p_account_dup_config    (PsP2pAccount        *self);

/* The new token (NULL or "": none) is used at once and stored in the
 * keyring; an error says the keyring did not take it. */
void               ps_p2p_account_set_token_async  (PsP2pAccount        *self,
                                                    const char          *token,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
gboolean           ps_p2p_account_set_token_finish (PsP2pAccount        *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);
/* The same for the TURN servers (turn://USER:PASS@HOST:PORT …) */
void               ps_p2p_account_set_turn_servers_async  (PsP2pAccount        *self,
                                                           const char * const  *servers,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
gboolean           ps_p2p_account_set_turn_servers_finish (PsP2pAccount        *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);

/* The config for one camera ("p2p:DEVICE-ID"): the account's, with the
 * camera's own ICE policy when it has one; NULL as dup_config() */
PsP2pConfig       *ps_p2p_account_dup_config_for (PsP2pAccount      *self,
                                                  const char        *uri);
/* Applies the camera's own ICE policy to CONFIG (which may be NULL) and
 * returns it */
PsP2pConfig       *ps_p2p_account_apply_camera_policy (PsP2pAccount *self,
                                                       const char   *uri,
                                                       PsP2pConfig  *config);
/* A camera's own ICE policy: TRUE and POLICY when it has one */
gboolean           ps_p2p_account_get_camera_ice_policy (PsP2pAccount      *self,
                                                         const char        *device_id,
                                                         PsIcePolicy       *policy);
/* POLICY NULL: the camera follows the account's again */
void               ps_p2p_account_set_camera_ice_policy (PsP2pAccount      *self,
                                                         const char        *device_id,
                                                         const PsIcePolicy *policy);

/* Whether two configs (either NULL) reach the camera the same way */
gboolean           ps_p2p_account_config_equal  (const PsP2pConfig   *a,
                                                 const PsP2pConfig   *b);
/* Is a P2P camera's address: "p2p:DEVICE-ID" */
gboolean           ps_p2p_account_is_p2p_uri    (const char          *uri);

G_END_DECLS
