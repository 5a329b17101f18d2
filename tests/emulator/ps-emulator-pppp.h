/* ps-emulator-pppp.h: CS2 PPPP and Kalay LAN search responders
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ps-emulator-log.h"

G_BEGIN_DECLS

typedef struct _PsEmulatorP2pSearch PsEmulatorP2pSearch;

/* Listens on address:port (0: any free port) for a PPPP LAN search,
 * obfuscated with psk when it is not NULL, and answers each one with a
 * PUNCH_PKT carrying uid. */
PsEmulatorP2pSearch *ps_emulator_pppp_new   (GInetAddress         *address,
                                             guint                 port,
                                             const char           *uid,
                                             const char           *psk,
                                             PsEmulatorLog        *log,
                                             GError              **error);
/* The same for a Kalay (TUTK IOTC) LAN search. */
PsEmulatorP2pSearch *ps_emulator_kalay_new  (GInetAddress         *address,
                                             guint                 port,
                                             const char           *uid,
                                             PsEmulatorLog        *log,
                                             GError              **error);
guint16              ps_emulator_p2p_search_get_port (PsEmulatorP2pSearch *self);
void                 ps_emulator_p2p_search_free     (PsEmulatorP2pSearch *self);

G_END_DECLS
