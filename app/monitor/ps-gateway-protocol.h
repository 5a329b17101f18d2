/* ps-gateway-protocol.h: what peerscope-gatewayd and its clients share
 *
 * Names, errors and the wire form of flow records of the
 * io.github.peerscope.Gateway1 D-Bus interface
 * (data/dbus/io.github.peerscope.Gateway1.xml).  Plain GLib, no privilege:
 * the daemon (app/daemons) and the client (PsGatewaySource) both use it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ps-flow-record.h"

G_BEGIN_DECLS

#define PS_GATEWAY_BUS_NAME          "io.github.peerscope.Gateway1"
#define PS_GATEWAY_OBJECT_PATH       "/io/github/peerscope/Gateway1"
#define PS_GATEWAY_FLOWS_INTERFACE   "io.github.peerscope.Gateway1.Flows"
#define PS_GATEWAY_WATCH_FLOWS_ACTION "io.github.peerscope.Gateway1.watch-flows"

/* the interface revision the Version property reports */
#define PS_GATEWAY_VERSION           1

/* the daemon sends at most this many records per Records signal */
#define PS_GATEWAY_RECORDS_PER_SIGNAL 512
/* a client refuses bigger batches than this */
#define PS_GATEWAY_MAX_RECORDS_PER_SIGNAL 8192

#define PS_GATEWAY_RECORDS_TYPE      "a(yyayayqqayqayayttttxxu)"

/* the standard error for a caller that did not allow a password prompt
 * (G_DBUS_ERROR has no code for it before GLib 2.80) */
#define PS_GATEWAY_INTERACTIVE_AUTHORIZATION_REQUIRED \
  "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired"

#define PS_GATEWAY_RECORD_FLAG_NEW_FLOW (1u << 0)
#define PS_GATEWAY_RECORD_FLAG_ENDED    (1u << 1)

/* Each code maps to io.github.peerscope.Gateway1.Error.<Name> on the bus. */
typedef enum {
  PS_GATEWAY_ERROR_FAILED,
  PS_GATEWAY_ERROR_NOT_AUTHORIZED,
  PS_GATEWAY_ERROR_NOT_SUPPORTED,
  PS_GATEWAY_ERROR_NOT_SUBSCRIBED,
  PS_GATEWAY_ERROR_LIMITS_EXCEEDED,
} PsGatewayError;

#define PS_GATEWAY_ERROR (ps_gateway_error_quark ())
GQuark    ps_gateway_error_quark          (void);

/* A floating PS_GATEWAY_RECORDS_TYPE array of n_records records. */
GVariant *ps_gateway_records_to_variant   (const PsFlowRecord  *records,
                                           guint                n_records);
/* Checks every field of one record (a child of the array); FALSE when it
 * is malformed, and then record holds nothing useful. */
gboolean  ps_gateway_record_from_variant  (GVariant            *value,
                                           PsFlowRecord        *record);
/* Parses a Records signal's parameters (a tuple holding the array) into
 * PsFlowRecords.  Malformed records are left out and counted in
 * n_rejected; the wrong type or too many records fail as a whole. */
GArray   *ps_gateway_records_parse        (GVariant            *parameters,
                                           guint               *n_rejected,
                                           GError             **error);

G_END_DECLS
