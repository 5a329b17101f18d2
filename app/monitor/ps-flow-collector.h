/* ps-flow-collector.h: a NetFlow v5/v9 and IPFIX collector on a UDP port
 *
 * A PsFlowSource: binds a UDP socket (an address, or every address, dual
 * stack where the system allows), reads up to 64 datagrams per wakeup on the
 * thread-default main context it was started on, decodes them with a
 * PsNetflowDecoder and emits their records as one "records" batch.  A bad
 * datagram is counted and logged at debug level, never fatal.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ps-flow-source.h"
#include "ps-netflow-decoder.h"

G_BEGIN_DECLS

#define PS_TYPE_FLOW_COLLECTOR (ps_flow_collector_get_type ())
G_DECLARE_FINAL_TYPE (PsFlowCollector, ps_flow_collector, PS, FLOW_COLLECTOR, GObject)

typedef struct
{
  guint64        datagrams;            /* received */
  guint64        bad_datagrams;        /* rejected by the decoder, wholly or in part */
  guint64        receive_errors;       /* the socket said no */
  guint64        batches;              /* "records" emissions */
  PsNetflowStats decoder;
} PsFlowCollectorStats;

/* address NULL: every address (IPv6 and IPv4 on one dual-stack socket if
 * possible, else IPv4).  port 0: any free port, see get_bound_port(). */
PsFlowCollector  *ps_flow_collector_new            (const char           *address,
                                                    guint16               port);
const char       *ps_flow_collector_get_address    (PsFlowCollector      *self);
guint16           ps_flow_collector_get_port       (PsFlowCollector      *self);
/* The port actually bound, once started; 0 before. */
guint16           ps_flow_collector_get_bound_port (PsFlowCollector      *self);
void              ps_flow_collector_get_stats      (PsFlowCollector      *self,
                                                    PsFlowCollectorStats *stats);
/* To change its limits; owned by the collector. */
PsNetflowDecoder *ps_flow_collector_get_decoder    (PsFlowCollector      *self);

G_END_DECLS
