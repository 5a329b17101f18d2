/* ps-emulator-resolver.h: host names for phone-home targets, asked of a
 * given DNS server over UDP or of the system resolver
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ps-emulator-log.h"

G_BEGIN_DECLS

typedef struct _PsEmulatorResolver PsEmulatorResolver;

/* server NULL: the system resolver (GResolver). Otherwise each lookup
 * sends one query for family's record type (A or AAAA) from a fresh socket
 * on an ephemeral port, like a camera's libc, and waits timeout_ms for the
 * answer. Every lookup writes one "dns-query" line to log. */
PsEmulatorResolver *ps_emulator_resolver_new           (GSocketAddress      *server,
                                                        GSocketFamily        family,
                                                        guint                timeout_ms,
                                                        PsEmulatorLog       *log);
/* Completes with a GPtrArray of GInetAddress (never empty). */
void                ps_emulator_resolver_lookup_async  (PsEmulatorResolver  *self,
                                                        const char          *name,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
GPtrArray          *ps_emulator_resolver_lookup_finish (PsEmulatorResolver  *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);
/* Pending lookups hold no pointer to the resolver: free it any time after
 * cancelling them. */
void                ps_emulator_resolver_free          (PsEmulatorResolver  *self);

G_END_DECLS
