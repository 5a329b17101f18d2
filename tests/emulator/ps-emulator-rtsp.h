/* ps-emulator-rtsp.h: RTSP server with /main and /sub
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ps-emulator-log.h"
#include "ps-emulator-video.h"

G_BEGIN_DECLS

typedef struct _PsEmulatorRtsp PsEmulatorRtsp;

/* Listens on @address:@port (0: any free port) on the default main
 * context. With a @user, clients must authenticate (Basic or Digest). */
PsEmulatorRtsp *ps_emulator_rtsp_new      (GInetAddress      *address,
                                           guint              port,
                                           const char        *user,
                                           const char        *password,
                                           PsEmulatorStream  *main_stream,
                                           PsEmulatorStream  *sub_stream,
                                           PsEmulatorLog     *log,
                                           GError           **error);
guint           ps_emulator_rtsp_get_port (PsEmulatorRtsp    *self);
void            ps_emulator_rtsp_free     (PsEmulatorRtsp    *self);

G_END_DECLS
