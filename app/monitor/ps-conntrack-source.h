/* ps-conntrack-source.h: flows from Linux connection tracking
 *
 * For when this machine is the cameras' gateway (or peerscope-gatewayd runs
 * on it): NEW and DESTROY events as they happen, plus a full dump every few
 * seconds for the byte and packet counters.  The original tuple is the LAN
 * side, so NATed flows map back to the device.  When the kernel drops
 * events (ENOBUFS) the source resynchronises with a dump at once.
 *
 * Needs CAP_NET_ADMIN.  Built only on Linux with libnetfilter_conntrack;
 * elsewhere starting fails with G_IO_ERROR_NOT_SUPPORTED.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ps-flow-source.h"

G_BEGIN_DECLS

#define PS_TYPE_CONNTRACK_SOURCE (ps_conntrack_source_get_type ())
G_DECLARE_FINAL_TYPE (PsConntrackSource, ps_conntrack_source, PS, CONNTRACK_SOURCE, GObject)

typedef struct
{
  guint64 events;           /* NEW and DESTROY events read */
  guint64 dumps;            /* full dumps done */
  guint64 resyncs;          /* dumps forced by lost events */
  guint64 flows_tracked;    /* flows known now */
} PsConntrackStats;

gboolean           ps_conntrack_source_is_supported   (void);
PsConntrackSource *ps_conntrack_source_new            (void);
/* How often counters are read with a full dump; 0 turns dumps off. */
void               ps_conntrack_source_set_dump_interval (PsConntrackSource *self,
                                                       guint              interval_ms);
/* The kernel's buffer for events (default 8 MiB); before start. */
void               ps_conntrack_source_set_event_buffer_size (PsConntrackSource *self,
                                                       guint              bytes);
void               ps_conntrack_source_get_stats      (PsConntrackSource *self,
                                                       PsConntrackStats  *stats);

G_END_DECLS

G_BEGIN_DECLS

/* Reads every flow's counters now; records are emitted before the task
 * completes. */
void               ps_conntrack_source_dump_async     (PsConntrackSource   *self,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gboolean           ps_conntrack_source_dump_finish    (PsConntrackSource   *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);

G_END_DECLS
