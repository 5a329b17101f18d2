/* ps-gateway-service.h: the io.github.peerscope.Gateway1 object
 *
 * Serves connection tracking flows to unprivileged clients over D-Bus
 * (data/dbus/io.github.peerscope.Gateway1.xml): one PsConntrackSource per
 * subscriber, records sent as unicast Records signals, every call checked
 * with polkit first (ps-gateway-auth.h) unless the caller is root or the
 * bus is the session bus.  Everything runs on the main context.  The
 * Policy interface of the same object is PsGatewayPolicyService.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ps-gateway-auth.h"

G_BEGIN_DECLS

#define PS_TYPE_GATEWAY_SERVICE (ps_gateway_service_get_type ())
G_DECLARE_FINAL_TYPE (PsGatewayService, ps_gateway_service, PS, GATEWAY_SERVICE, GObject)

PsGatewayService *ps_gateway_service_new        (GDBusConnection   *connection,
                                                 PsGatewayBus       bus);
/* Exports the object; call it before owning the bus name. */
gboolean          ps_gateway_service_register   (PsGatewayService  *self,
                                                 GError           **error);
void              ps_gateway_service_unregister (PsGatewayService  *self);
/* No subscriber and no call in progress; notifies "idle" on change. */
gboolean          ps_gateway_service_get_idle   (PsGatewayService  *self);

G_END_DECLS
