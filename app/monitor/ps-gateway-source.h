/* ps-gateway-source.h: conntrack flows through peerscope-gatewayd
 *
 * The unprivileged face of the conntrack source: a PsFlowSource that
 * subscribes to the privileged helper over D-Bus (the system bus, or a
 * given connection in tests) and turns its Records signals back into
 * PsFlowRecord batches, checking every field.
 *
 * Starting returns at once; the outcome shows in the "state" property
 * (and "error"), so that a window can say "Not authorised" or "Helper not
 * installed".  The source subscribes again when the helper restarts.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ps-flow-source.h"

G_BEGIN_DECLS

typedef enum {
  PS_GATEWAY_SOURCE_STATE_STOPPED,        /* not started, or stopped */
  PS_GATEWAY_SOURCE_STATE_CONNECTING,     /* subscribing; polkit may be asking */
  PS_GATEWAY_SOURCE_STATE_WATCHING,       /* subscribed: records flow */
  PS_GATEWAY_SOURCE_STATE_NOT_AUTHORIZED, /* polkit or the bus policy said no */
  PS_GATEWAY_SOURCE_STATE_UNAVAILABLE,    /* no helper, no system bus, or no conntrack */
  PS_GATEWAY_SOURCE_STATE_FAILED,         /* anything else; see "error" */
} PsGatewaySourceState;

#define PS_TYPE_GATEWAY_SOURCE_STATE (ps_gateway_source_state_get_type ())
GType ps_gateway_source_state_get_type (void);

#define PS_TYPE_GATEWAY_SOURCE (ps_gateway_source_get_type ())
G_DECLARE_FINAL_TYPE (PsGatewaySource, ps_gateway_source, PS, GATEWAY_SOURCE, GObject)

/* connection: a message bus connection, or NULL for the system bus */
PsGatewaySource      *ps_gateway_source_new                  (GDBusConnection      *connection);
PsGatewaySourceState  ps_gateway_source_get_state            (PsGatewaySource      *self);
/* Why the state is what it is; NULL while all is well. */
const GError         *ps_gateway_source_get_error            (PsGatewaySource      *self);
/* Records from the helper that failed validation and were dropped. */
guint64               ps_gateway_source_get_rejected_records (PsGatewaySource      *self);

/* Asks for every flow's counters now; the records are emitted before the
 * task completes.  Fails unless the state is WATCHING. */
void                  ps_gateway_source_dump_async           (PsGatewaySource      *self,
                                                              GCancellable         *cancellable,
                                                              GAsyncReadyCallback   callback,
                                                              gpointer              user_data);
gboolean              ps_gateway_source_dump_finish          (PsGatewaySource      *self,
                                                              GAsyncResult         *result,
                                                              GError              **error);

G_END_DECLS
