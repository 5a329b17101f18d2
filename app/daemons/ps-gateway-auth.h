/* ps-gateway-auth.h: who may call peerscope-gatewayd
 *
 * One check per method call: the caller's uid as the bus daemon reports
 * it (root may do anything), then polkit for the method's action, with a
 * password prompt only when the caller's message allows interactive
 * authorisation.  Every doubt refuses: a caller the bus cannot describe,
 * a polkit that cannot be reached, a caller that left.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Which bus the helper is on decides how callers are authorised. */
typedef enum {
  /* polkit for every caller but root, the subject being its bus name */
  PS_GATEWAY_BUS_SYSTEM,
  /* a private bus (tests): polkit for every caller but root, the subject
   * being its process as the bus daemon reports it */
  PS_GATEWAY_BUS_PRIVATE,
  /* the session bus (tests): the bus is the user's own, no polkit */
  PS_GATEWAY_BUS_SESSION,
} PsGatewayBus;

/* Checks that the caller of INVOCATION may do ACTION_ID (a polkit action
 * of data/polkit).  PURPOSE completes "Not authorised to …" in the error
 * the caller gets, e.g. "watch network flows".  Finishes with TRUE, or
 * FALSE and the error to answer the call with (PS_GATEWAY_ERROR_NOT_AUTHORIZED,
 * or the D-Bus error InteractiveAuthorizationRequired). */
void     ps_gateway_auth_check_async  (GDBusConnection        *connection,
                                       PsGatewayBus            bus,
                                       GDBusMethodInvocation  *invocation,
                                       const char             *action_id,
                                       const char             *purpose,
                                       GAsyncReadyCallback     callback,
                                       gpointer                user_data);
gboolean ps_gateway_auth_check_finish (GAsyncResult           *result,
                                       GError                **error);

/* Answers INVOCATION with ERROR, under the D-Bus error name it stands for:
 * a remote error such as InteractiveAuthorizationRequired keeps its name
 * (not GDBus's "UnmappedGError" wrapper), a registered GError its own. */
void     ps_gateway_auth_return_error (GDBusMethodInvocation  *invocation,
                                       const GError           *error);

G_END_DECLS
