/* ps-flow-source.h: anything that reports flow records
 *
 * Implemented by the conntrack source, the NetFlow/IPFIX collector and the
 * app's own sessions.  Records arrive in batches through the "records"
 * signal, on the thread-default main context the source was started on.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ps-flow-record.h"

G_BEGIN_DECLS

#define PS_TYPE_FLOW_SOURCE (ps_flow_source_get_type ())
G_DECLARE_INTERFACE (PsFlowSource, ps_flow_source, PS, FLOW_SOURCE, GObject)

struct _PsFlowSourceInterface
{
  GTypeInterface parent_iface;

  gboolean (*start) (PsFlowSource  *self,
                     GError       **error);
  void     (*stop)  (PsFlowSource  *self);
  /* Report what is known now (a full dump), if the source can. */
  void     (*flush) (PsFlowSource  *self);
};

gboolean ps_flow_source_start          (PsFlowSource       *self,
                                        GError            **error);
void     ps_flow_source_stop           (PsFlowSource       *self);
void     ps_flow_source_flush          (PsFlowSource       *self);

/* For implementations: emit "records" (const PsFlowRecord *, guint n). */
void     ps_flow_source_emit_records   (PsFlowSource       *self,
                                        const PsFlowRecord *records,
                                        guint               n_records);

G_END_DECLS
