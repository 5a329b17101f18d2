/* ps-emulator-heartbeat.h: one HTTP request over a fresh TCP connection,
 * the way a camera's heartbeat to its vendor cloud goes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define PS_EMULATOR_HEARTBEAT_MAX_REPLY 4096

/* What happened, whatever happened. */
typedef struct
{
  GSocketAddress *remote;
  GSocketAddress *local;        /* NULL when it never connected */
  gsize           bytes_out;    /* of the request, written */
  gsize           bytes_in;     /* of the reply, read (at most MAX_REPLY) */
  gboolean        connected;
  int             http_status;  /* -1: no status line */
  GError         *error;        /* NULL: answered, or closed by the server */
} PsEmulatorHeartbeat;

/* Connects from local_address (port 0) to remote, no proxy, writes
 * request, reads the reply up to its Content-Length, the cap or the end,
 * and closes; gives up after timeout_ms (error G_IO_ERROR_TIMED_OUT). */
void                 ps_emulator_heartbeat_send_async  (GSocketAddress      *remote,
                                                        GInetAddress        *local_address,
                                                        GBytes              *request,
                                                        guint                timeout_ms,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
/* Never NULL, even when cancelled (error then G_IO_ERROR_CANCELLED). */
PsEmulatorHeartbeat *ps_emulator_heartbeat_send_finish (GAsyncResult        *result);
void                 ps_emulator_heartbeat_free        (PsEmulatorHeartbeat *heartbeat);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsEmulatorHeartbeat, ps_emulator_heartbeat_free)

G_END_DECLS
