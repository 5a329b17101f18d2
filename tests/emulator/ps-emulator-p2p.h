/* ps-emulator-p2p.h: the emulated camera on the user's own P2P network
 *
 * Publishes the main stream through a rendezvous server as a producer
 * (PsP2pPublisher), with a long-term identity kept in a file: the same
 * device id on every start, as a real camera would have.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ps-emulator-video.h"
#include "ps-p2p-config.h"

G_BEGIN_DECLS

typedef struct _PsEmulatorP2p PsEmulatorP2p;

/* Loads or creates the identity in IDENTITY_PATH */
PsEmulatorP2p *ps_emulator_p2p_new           (PsEmulatorStream  *stream,
                                              const PsP2pConfig *config,
                                              const char        *identity_path,
                                              const char        *name,
                                              GError           **error);
void           ps_emulator_p2p_free          (PsEmulatorP2p     *self);
const char    *ps_emulator_p2p_get_device_id (PsEmulatorP2p     *self);
/* Registers with the rendezvous server; CALLBACK gets the outcome */
void           ps_emulator_p2p_start         (PsEmulatorP2p     *self,
                                              GAsyncReadyCallback callback,
                                              gpointer          user_data);
gboolean       ps_emulator_p2p_start_finish  (PsEmulatorP2p     *self,
                                              GAsyncResult      *result,
                                              GError           **error);

G_END_DECLS
