/* ps-gateway-policy-client.h: policies enforced through peerscope-gatewayd
 *
 * The unprivileged way to enforce a policy on this machine: the window
 * hands the whole policy document to the privileged helper's
 * io.github.peerscope.Gateway1.Policy interface
 * (data/dbus/io.github.peerscope.Gateway1.xml), on the system bus or a
 * given connection (tests).  The helper validates the document, compiles
 * it and stores it; this side checks every field of its answers.
 *
 * Each call may start the helper (D-Bus activation) and may wait for the
 * user to type a password (polkit): there is no timeout, cancel instead.
 *
 * Errors are G_IO_ERROR:
 *   PERMISSION_DENIED  polkit or the bus said no (or the user cancelled);
 *   NOT_SUPPORTED      no helper, no system bus, a helper without the
 *                      Policy interface, or one that cannot enforce here;
 *   INVALID_ARGUMENT   the helper found the policy invalid;
 *   MESSAGE_TOO_LARGE  the policy is larger than PS_POLICY_MAX_JSON_BYTES;
 *   INVALID_DATA       the helper's answer is malformed;
 *   BUSY               the helper has too many calls in progress;
 *   FAILED             anything else (the message says what).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ps-enforcer.h"
#include "ps-policy.h"

G_BEGIN_DECLS

#define PS_GATEWAY_POLICY_INTERFACE   "io.github.peerscope.Gateway1.Policy"
/* GetBlocked() answers with at most this many attempts: the kernel's two
 * "blocked" sets hold 65536 each. */
#define PS_GATEWAY_POLICY_MAX_BLOCKED 131072

#define PS_TYPE_GATEWAY_POLICY_CLIENT (ps_gateway_policy_client_get_type ())
G_DECLARE_FINAL_TYPE (PsGatewayPolicyClient, ps_gateway_policy_client,
                      PS, GATEWAY_POLICY_CLIENT, GObject)

/* connection: a message bus connection, or NULL for the system bus */
PsGatewayPolicyClient *ps_gateway_policy_client_new (GDBusConnection *connection);

/* Enforces POLICY exactly as given (resolve allow-list names into a copy
 * first: the helper never resolves names) and stores it on the helper's
 * side.  The document is taken before this returns.  changed: FALSE when
 * the policy was already enforced; digest: the policy's (ps_policy_digest()). */
void     ps_gateway_policy_client_apply_async  (PsGatewayPolicyClient  *self,
                                                PsPolicy               *policy,
                                                GCancellable           *cancellable,
                                                GAsyncReadyCallback     callback,
                                                gpointer                user_data);
gboolean ps_gateway_policy_client_apply_finish (PsGatewayPolicyClient  *self,
                                                GAsyncResult           *result,
                                                gboolean               *changed,
                                                char                  **digest,
                                                GError                **error);

/* Removes Peerscope's table and the helper's stored policy. */
void     ps_gateway_policy_client_remove_async  (PsGatewayPolicyClient  *self,
                                                 GCancellable           *cancellable,
                                                 GAsyncReadyCallback     callback,
                                                 gpointer                user_data);
gboolean ps_gateway_policy_client_remove_finish (PsGatewayPolicyClient  *self,
                                                 GAsyncResult           *result,
                                                 GError                **error);

/* live_digest and stored_digest are NULL when there is no table or no
 * stored policy; enforcing: both are there and equal. */
void     ps_gateway_policy_client_get_state_async  (PsGatewayPolicyClient  *self,
                                                    GCancellable           *cancellable,
                                                    GAsyncReadyCallback     callback,
                                                    gpointer                user_data);
gboolean ps_gateway_policy_client_get_state_finish (PsGatewayPolicyClient  *self,
                                                    GAsyncResult           *result,
                                                    char                  **live_digest,
                                                    char                  **stored_digest,
                                                    gboolean               *enforcing,
                                                    GError                **error);

/* Every blocked (device, peer, protocol, port) with its counters, as a
 * GPtrArray of PsBlockedAttempt. */
void       ps_gateway_policy_client_get_blocked_async  (PsGatewayPolicyClient  *self,
                                                        GCancellable           *cancellable,
                                                        GAsyncReadyCallback     callback,
                                                        gpointer                user_data);
GPtrArray *ps_gateway_policy_client_get_blocked_finish (PsGatewayPolicyClient  *self,
                                                        GAsyncResult           *result,
                                                        GError                **error);

G_END_DECLS
