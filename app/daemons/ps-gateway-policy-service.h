/* ps-gateway-policy-service.h: the io.github.peerscope.Gateway1.Policy interface
 *
 * The policy side of peerscope-gatewayd, on the same object as the flows
 * (data/dbus/io.github.peerscope.Gateway1.xml): Apply(), Remove(),
 * GetState() and GetBlocked().  The only input is a policy document, which
 * ps_policy_new_from_json() validates and the compiler turns into rules;
 * there is no way to hand the helper rules or commands.
 *
 * Every caller but root is checked with polkit first (ps-gateway-auth.h):
 * changing the firewall needs PS_GATEWAY_APPLY_POLICY_ACTION, reading its
 * state the flows' action.  The work (libnftables, and the durable write
 * of the store) runs on a worker thread, one operation at a time, so the
 * flows keep going meanwhile.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ps-gateway-auth.h"

G_BEGIN_DECLS

#define PS_GATEWAY_APPLY_POLICY_ACTION "io.github.peerscope.Gateway1.apply-policy"

#define PS_TYPE_GATEWAY_POLICY_SERVICE (ps_gateway_policy_service_get_type ())
G_DECLARE_FINAL_TYPE (PsGatewayPolicyService, ps_gateway_policy_service,
                      PS, GATEWAY_POLICY_SERVICE, GObject)

/* store_path: where the applied policy is kept (ps-policy-store.h) */
PsGatewayPolicyService *ps_gateway_policy_service_new        (GDBusConnection         *connection,
                                                              PsGatewayBus             bus,
                                                              const char              *store_path);
/* Exports the interface; call it before owning the bus name. */
gboolean                ps_gateway_policy_service_register   (PsGatewayPolicyService  *self,
                                                              GError                 **error);
void                    ps_gateway_policy_service_unregister (PsGatewayPolicyService  *self);
/* No call in progress; notifies "idle" on change. */
gboolean                ps_gateway_policy_service_get_idle   (PsGatewayPolicyService  *self);
/* Applies the stored policy again, on this thread (at start).  Returns
 * FALSE with G_IO_ERROR_NOT_FOUND when none is stored. */
gboolean                ps_gateway_policy_service_restore    (PsGatewayPolicyService  *self,
                                                              gboolean                *changed,
                                                              char                   **digest,
                                                              GError                 **error);
/* Before exiting: unexports the interface, fails the calls that wait
 * and lets the one that runs finish, iterating the main context. */
void                    ps_gateway_policy_service_shutdown   (PsGatewayPolicyService  *self);

G_END_DECLS
