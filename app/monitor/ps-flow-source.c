/* ps-flow-source.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ps-flow-source.h"

G_DEFINE_INTERFACE (PsFlowSource, ps_flow_source, G_TYPE_OBJECT)

enum {
  RECORDS,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
ps_flow_source_default_init (PsFlowSourceInterface *iface)
{
  /**
   * PsFlowSource::records:
   * @records: (array length=n_records): the records, valid during emission
   * @n_records: how many
   */
  signals[RECORDS] =
    g_signal_new ("records",
                  G_TYPE_FROM_INTERFACE (iface),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_POINTER, G_TYPE_UINT);
}

gboolean
ps_flow_source_start (PsFlowSource  *self,
                      GError       **error)
{
  g_return_val_if_fail (PS_IS_FLOW_SOURCE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return PS_FLOW_SOURCE_GET_IFACE (self)->start (self, error);
}

void
ps_flow_source_stop (PsFlowSource *self)
{
  g_return_if_fail (PS_IS_FLOW_SOURCE (self));

  PS_FLOW_SOURCE_GET_IFACE (self)->stop (self);
}

void
ps_flow_source_flush (PsFlowSource *self)
{
  PsFlowSourceInterface *iface;

  g_return_if_fail (PS_IS_FLOW_SOURCE (self));

  iface = PS_FLOW_SOURCE_GET_IFACE (self);
  if (iface->flush != NULL)
    iface->flush (self);
}

void
ps_flow_source_emit_records (PsFlowSource       *self,
                             const PsFlowRecord *records,
                             guint               n_records)
{
  g_return_if_fail (PS_IS_FLOW_SOURCE (self));

  if (n_records == 0)
    return;

  g_signal_emit (self, signals[RECORDS], 0, records, n_records);
}
