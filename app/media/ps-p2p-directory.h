/* ps-p2p-directory.h: the cameras of a P2P account, as the rendezvous lists them
 *
 * One listener connection to the account's rendezvous server: whether it
 * stands ("Connected as …" or why not), and the producers of the account
 * with the device id and name their metadata give.  It follows producers
 * that come and go, and reconnects with a growing delay when the server
 * goes away.  Names and ids are the server's word only: the device id a
 * user pins is checked by the session, not here.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ps-p2p-config.h"

G_BEGIN_DECLS

typedef enum {
  PS_P2P_DIRECTORY_IDLE,
  PS_P2P_DIRECTORY_CONNECTING,
  PS_P2P_DIRECTORY_CONNECTED,
  PS_P2P_DIRECTORY_FAILED,      /* ps_p2p_directory_get_error() says why; it tries again */
} PsP2pDirectoryState;

typedef struct
{
  char *peer_id;
  char *device_id;    /* canonical (ps_p2p_device_id_normalize) */
  char *name;         /* printable, at most PS_P2P_DIRECTORY_MAX_NAME characters */
} PsP2pDirectoryCamera;

#define PS_P2P_DIRECTORY_MAX_NAME 64

#define PS_TYPE_P2P_DIRECTORY (ps_p2p_directory_get_type ())
G_DECLARE_FINAL_TYPE (PsP2pDirectory, ps_p2p_directory, PS, P2P_DIRECTORY, GObject)

PsP2pDirectory             *ps_p2p_directory_new       (void);
/* (Re)connects with config; NULL stops. */
void                        ps_p2p_directory_start     (PsP2pDirectory    *self,
                                                        const PsP2pConfig *config);
void                        ps_p2p_directory_stop      (PsP2pDirectory    *self);
PsP2pDirectoryState         ps_p2p_directory_get_state (PsP2pDirectory    *self);
/* The id the server gave us, while connected */
const char                 *ps_p2p_directory_get_peer_id (PsP2pDirectory  *self);
/* Why the last connection failed or ended, or NULL */
const char                 *ps_p2p_directory_get_error (PsP2pDirectory    *self);
/* Whether the server answered the list request since connecting */
gboolean                    ps_p2p_directory_is_listed (PsP2pDirectory    *self);
/* PsP2pDirectoryCamera, by name */
GPtrArray                  *ps_p2p_directory_get_cameras (PsP2pDirectory  *self);
const PsP2pDirectoryCamera *ps_p2p_directory_find      (PsP2pDirectory    *self,
                                                        const char        *device_id);

G_END_DECLS
