/* ps-conntrack-source.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-conntrack-source"

#include "config.h"

#include <glib/gi18n.h>
#include <errno.h>
#include <string.h>

#ifdef HAVE_CONNTRACK
#include <fcntl.h>
#include <glib-unix.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#endif

#include "ps-conntrack-source.h"

#define DEFAULT_DUMP_INTERVAL_MS 5000
#define EVENT_BUFFER_SIZE        (8 * 1024 * 1024)
#define MAX_TRACKED_FLOWS        (4 * 1024 * 1024)

/* What the last report of a flow said, to turn counters into deltas. */
typedef struct
{
  guint64 packets;
  guint64 bytes;
  guint64 reply_packets;
  guint64 reply_bytes;
  guint64 sequence;         /* when it was last accounted */
} FlowState;

/* One flow as the kernel reports it: cumulative counters. */
typedef struct
{
  PsFlowRecord record;
  guint32      id;
  gboolean     destroyed;
} Snapshot;

struct _PsConntrackSource
{
  GObject           parent_instance;

  guint             dump_interval_ms;
  guint             event_buffer_size;
  guint             dump_id;
  gboolean          dumping;
  gboolean          dump_again;
  guint64           sequence;       /* counts accountings */
  GHashTable       *flows;          /* flow key (id ^ tuple hash) -> FlowState */
  GCancellable     *cancellable;
  PsConntrackStats  stats;
  GArray           *pending;        /* PsFlowRecord, emitted per wakeup */

#ifdef HAVE_CONNTRACK
  struct nfct_handle *events;
  guint               events_id;
#endif
};

static void ps_conntrack_source_flow_source_init (PsFlowSourceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PsConntrackSource, ps_conntrack_source, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PS_TYPE_FLOW_SOURCE,
                                                      ps_conntrack_source_flow_source_init))

gboolean
ps_conntrack_source_is_supported (void)
{
#ifdef HAVE_CONNTRACK
  return TRUE;
#else
  return FALSE;
#endif
}

static guint64
flow_key (const Snapshot *snapshot)
{
  const PsFlowRecord *r = &snapshot->record;
  guint tuple = ps_ip_address_hash (&r->src) ^ (ps_ip_address_hash (&r->dst) * 31)
                ^ ((guint) r->src_port << 16 | r->dst_port) ^ r->ip_protocol;

  /* the kernel reuses ids; with the tuple a reused id is a new flow */
  return ((guint64) snapshot->id << 32) | tuple;
}

/* Turns a cumulative snapshot into a delta record, in place, and keeps
 * the state.  Returns FALSE when there is nothing new to report. */
static gboolean
ps_conntrack_source_account (PsConntrackSource *self,
                             Snapshot          *snapshot)
{
  guint64 key = flow_key (snapshot);
  PsFlowRecord *r = &snapshot->record;
  FlowState *state = g_hash_table_lookup (self->flows, &key);
  gboolean changed;

  if (state == NULL)
    {
      if (snapshot->destroyed || g_hash_table_size (self->flows) >= MAX_TRACKED_FLOWS)
        {
          /* seen for the first and last time at once: all of it is new */
          r->new_flow = TRUE;
          r->ended = snapshot->destroyed;
          return TRUE;
        }

      state = g_new0 (FlowState, 1);
      g_hash_table_insert (self->flows, g_memdup2 (&key, sizeof key), state);
      r->new_flow = TRUE;
    }

  /* counters only grow; a smaller one means the kernel restarted them */
#define DELTA(field, last) \
  G_STMT_START { \
    guint64 now_value = r->field; \
    r->field = now_value >= state->last ? now_value - state->last : now_value; \
    state->last = now_value; \
  } G_STMT_END
  DELTA (packets, packets);
  DELTA (bytes, bytes);
  DELTA (reply_packets, reply_packets);
  DELTA (reply_bytes, reply_bytes);
#undef DELTA

  state->sequence = ++self->sequence;
  changed = r->new_flow || r->packets != 0 || r->reply_packets != 0;

  if (snapshot->destroyed)
    {
      r->ended = TRUE;
      g_hash_table_remove (self->flows, &key);
      changed = TRUE;
    }

  return changed;
}

static void
ps_conntrack_source_emit_pending (PsConntrackSource *self)
{
  g_autoptr(GArray) records = g_steal_pointer (&self->pending);

  self->pending = g_array_new (FALSE, FALSE, sizeof (PsFlowRecord));
  self->stats.flows_tracked = g_hash_table_size (self->flows);
  ps_flow_source_emit_records (PS_FLOW_SOURCE (self), (const PsFlowRecord *) records->data,
                               records->len);
}

#ifdef HAVE_CONNTRACK

static gboolean
ps_conntrack_snapshot (const struct nf_conntrack *ct,
                       Snapshot                  *snapshot,
                       gint64                     now_ms)
{
  PsFlowRecord *r = &snapshot->record;
  guint8 l3 = nfct_get_attr_u8 (ct, ATTR_L3PROTO);

  memset (snapshot, 0, sizeof *snapshot);
  ps_flow_record_init (r, PS_FLOW_ORIGIN_CONNTRACK);

  if (l3 == AF_INET)
    {
      guint32 src = nfct_get_attr_u32 (ct, ATTR_ORIG_IPV4_SRC);
      guint32 dst = nfct_get_attr_u32 (ct, ATTR_ORIG_IPV4_DST);
      guint32 nat = nfct_get_attr_u32 (ct, ATTR_REPL_IPV4_DST);

      ps_ip_address_set_v4 (&r->src, (const guint8 *) &src);
      ps_ip_address_set_v4 (&r->dst, (const guint8 *) &dst);
      ps_ip_address_set_v4 (&r->nat_src, (const guint8 *) &nat);
    }
  else if (l3 == AF_INET6)
    {
      const guint8 *src = nfct_get_attr (ct, ATTR_ORIG_IPV6_SRC);
      const guint8 *dst = nfct_get_attr (ct, ATTR_ORIG_IPV6_DST);
      const guint8 *nat = nfct_get_attr (ct, ATTR_REPL_IPV6_DST);

      if (src == NULL || dst == NULL || nat == NULL)
        return FALSE;
      ps_ip_address_set_v6 (&r->src, src);
      ps_ip_address_set_v6 (&r->dst, dst);
      ps_ip_address_set_v6 (&r->nat_src, nat);
    }
  else
    {
      return FALSE;
    }

  r->ip_protocol = nfct_get_attr_u8 (ct, ATTR_L4PROTO);
  if (r->ip_protocol == IPPROTO_TCP || r->ip_protocol == IPPROTO_UDP
      || r->ip_protocol == IPPROTO_SCTP || r->ip_protocol == IPPROTO_UDPLITE)
    {
      r->src_port = g_ntohs (nfct_get_attr_u16 (ct, ATTR_ORIG_PORT_SRC));
      r->dst_port = g_ntohs (nfct_get_attr_u16 (ct, ATTR_ORIG_PORT_DST));
      r->nat_src_port = g_ntohs (nfct_get_attr_u16 (ct, ATTR_REPL_PORT_DST));
    }

  /* no NAT: the reply goes back to the original source */
  if (ps_ip_address_equal (&r->nat_src, &r->src) && r->nat_src_port == r->src_port)
    {
      memset (&r->nat_src, 0, sizeof r->nat_src);
      r->nat_src_port = 0;
    }

  if (nfct_attr_is_set (ct, ATTR_ORIG_COUNTER_PACKETS) > 0)
    {
      r->packets = nfct_get_attr_u64 (ct, ATTR_ORIG_COUNTER_PACKETS);
      r->bytes = nfct_get_attr_u64 (ct, ATTR_ORIG_COUNTER_BYTES);
      r->reply_packets = nfct_get_attr_u64 (ct, ATTR_REPL_COUNTER_PACKETS);
      r->reply_bytes = nfct_get_attr_u64 (ct, ATTR_REPL_COUNTER_BYTES);
    }

  if (nfct_attr_is_set (ct, ATTR_TIMESTAMP_START) > 0)
    r->first_ms = (gint64) (nfct_get_attr_u64 (ct, ATTR_TIMESTAMP_START) / 1000000);
  if (nfct_attr_is_set (ct, ATTR_TIMESTAMP_STOP) > 0)
    r->last_ms = (gint64) (nfct_get_attr_u64 (ct, ATTR_TIMESTAMP_STOP) / 1000000);
  if (r->last_ms == 0)
    r->last_ms = now_ms;
  if (r->first_ms == 0 || r->first_ms > r->last_ms)
    r->first_ms = 0;

  snapshot->id = nfct_get_attr_u32 (ct, ATTR_ID);
  return TRUE;
}

static int
ps_conntrack_event_cb (enum nf_conntrack_msg_type  type,
                       struct nf_conntrack        *ct,
                       void                       *user_data)
{
  PsConntrackSource *self = user_data;
  Snapshot snapshot;

  self->stats.events++;

  if (!ps_conntrack_snapshot (ct, &snapshot, g_get_real_time () / 1000))
    return NFCT_CB_CONTINUE;

  snapshot.destroyed = (type == NFCT_T_DESTROY);
  if (ps_conntrack_source_account (self, &snapshot))
    g_array_append_val (self->pending, snapshot.record);

  return NFCT_CB_CONTINUE;
}

static void ps_conntrack_source_start_dump (PsConntrackSource *self,
                                            GTask             *task);

static gboolean
ps_conntrack_source_events_cb (int          fd,
                               GIOCondition condition,
                               gpointer     user_data)
{
  PsConntrackSource *self = user_data;
  int ret;

  /* reads until the socket is empty (it is non-blocking) */
  ret = nfct_catch (self->events);
  if (ret < 0 && errno == ENOBUFS)
    {
      /* the kernel dropped events: only a dump tells what we missed */
      g_debug ("conntrack events lost, resynchronising");
      self->stats.resyncs++;
      ps_conntrack_source_start_dump (self, NULL);
    }
  else if (ret < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
    {
      g_warning ("Reading conntrack events failed: %s", g_strerror (errno));
    }

  ps_conntrack_source_emit_pending (self);
  return G_SOURCE_CONTINUE;
}

typedef struct
{
  GArray *snapshots;
} DumpData;

static int
ps_conntrack_dump_cb (enum nf_conntrack_msg_type  type,
                      struct nf_conntrack        *ct,
                      void                       *user_data)
{
  DumpData *data = user_data;
  Snapshot snapshot;

  /* now, not when the dump began: a flow may be younger than the dump */
  if (ps_conntrack_snapshot (ct, &snapshot, g_get_real_time () / 1000))
    g_array_append_val (data->snapshots, snapshot);

  return data->snapshots->len < MAX_TRACKED_FLOWS ? NFCT_CB_CONTINUE : NFCT_CB_STOP;
}

static void
ps_conntrack_source_dump_thread (GTask        *task,
                                 gpointer      source_object,
                                 gpointer      task_data,
                                 GCancellable *cancellable)
{
  struct nfct_handle *handle;
  DumpData data;
  guint32 family = AF_UNSPEC;
  int saved_errno;

  handle = nfct_open (CONNTRACK, 0);
  if (handle == NULL)
    {
      saved_errno = errno;
      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                               _("Cannot open connection tracking: %s"), g_strerror (saved_errno));
      return;
    }

  data.snapshots = g_array_new (FALSE, FALSE, sizeof (Snapshot));
  nfct_callback_register (handle, NFCT_T_ALL, ps_conntrack_dump_cb, &data);

  if (nfct_query (handle, NFCT_Q_DUMP, &family) < 0)
    {
      saved_errno = errno;
      nfct_close (handle);
      g_array_unref (data.snapshots);
      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                               _("Cannot read connection tracking: %s"), g_strerror (saved_errno));
      return;
    }

  nfct_close (handle);
  g_task_return_pointer (task, data.snapshots, (GDestroyNotify) g_array_unref);
}

#endif /* HAVE_CONNTRACK */

static void
ps_conntrack_source_dump_done_cb (GObject      *object,
                                  GAsyncResult *result,
                                  gpointer      user_data)
{
  PsConntrackSource *self = PS_CONNTRACK_SOURCE (object);
  g_autoptr(GTask) caller = user_data;
  g_autoptr(GArray) snapshots = NULL;
  g_autoptr(GError) error = NULL;
  GHashTableIter iter;
  FlowState *state;

  self->dumping = FALSE;
  snapshots = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      if (caller != NULL)
        g_task_return_error (caller, g_steal_pointer (&error));
      return;
    }

  if (snapshots != NULL)
    {
      guint64 started = GPOINTER_TO_SIZE (g_task_get_task_data (G_TASK (result)));

      self->stats.dumps++;

      for (guint i = 0; i < snapshots->len; i++)
        {
          Snapshot *snapshot = &g_array_index (snapshots, Snapshot, i);

          if (ps_conntrack_source_account (self, snapshot))
            g_array_append_val (self->pending, snapshot->record);
        }

      /* flows the dump did not see, and that no event touched since it
       * began, are gone: their DESTROY was lost */
      g_hash_table_iter_init (&iter, self->flows);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &state))
        if (state->sequence <= started)
          g_hash_table_iter_remove (&iter);

      ps_conntrack_source_emit_pending (self);
    }
  else
    {
      g_debug ("conntrack dump failed: %s", error->message);
    }

  if (caller != NULL)
    {
      if (error != NULL)
        g_task_return_error (caller, g_steal_pointer (&error));
      else
        g_task_return_boolean (caller, TRUE);
    }

  if (self->dump_again)
    {
      self->dump_again = FALSE;
      ps_conntrack_source_start_dump (self, NULL);
    }
}

static void
ps_conntrack_source_start_dump (PsConntrackSource *self,
                                GTask             *caller)
{
#ifdef HAVE_CONNTRACK
  g_autoptr(GTask) task = NULL;

  if (self->dumping && caller == NULL)
    {
      self->dump_again = TRUE;
      return;
    }

  self->dumping = TRUE;
  task = g_task_new (self, self->cancellable, ps_conntrack_source_dump_done_cb,
                     caller != NULL ? g_object_ref (caller) : NULL);
  g_task_set_source_tag (task, ps_conntrack_source_start_dump);
  g_task_set_task_data (task, GSIZE_TO_POINTER (self->sequence), NULL);
  g_task_run_in_thread (task, ps_conntrack_source_dump_thread);
#else
  if (caller != NULL)
    g_task_return_new_error (caller, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                             _("This build has no connection tracking support"));
#endif
}

static gboolean
ps_conntrack_source_dump_timeout_cb (gpointer user_data)
{
  ps_conntrack_source_start_dump (user_data, NULL);
  return G_SOURCE_CONTINUE;
}

static void
write_sysctl (const char *path)
{
  g_autoptr(GError) error = NULL;

  /* only new flows get counters and timestamps; harmless when not allowed */
  if (!g_file_set_contents_full (path, "1\n", -1, G_FILE_SET_CONTENTS_NONE, 0644, &error))
    g_debug ("Cannot turn on %s: %s", path, error->message);
}

static gboolean
ps_conntrack_source_start (PsFlowSource  *source,
                           GError       **error)
{
  PsConntrackSource *self = PS_CONNTRACK_SOURCE (source);

#ifdef HAVE_CONNTRACK
  int fd;
  int flags;

  if (self->events != NULL)
    return TRUE;

  write_sysctl ("/proc/sys/net/netfilter/nf_conntrack_acct");
  write_sysctl ("/proc/sys/net/netfilter/nf_conntrack_timestamp");

  self->events = nfct_open (CONNTRACK, NF_NETLINK_CONNTRACK_NEW | NF_NETLINK_CONNTRACK_DESTROY);
  if (self->events == NULL)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   saved_errno == EPERM
                   ? _("Watching connection tracking needs administrator rights (CAP_NET_ADMIN)")
                   : _("Cannot open connection tracking: %s"),
                   g_strerror (saved_errno));
      return FALSE;
    }

  nfnl_rcvbufsiz (nfct_nfnlh (self->events), self->event_buffer_size);
  nfct_callback_register (self->events, NFCT_T_NEW | NFCT_T_DESTROY, ps_conntrack_event_cb, self);

  fd = nfct_fd (self->events);
  flags = fcntl (fd, F_GETFL);
  fcntl (fd, F_SETFL, flags | O_NONBLOCK);
  self->events_id = g_unix_fd_add (fd, G_IO_IN | G_IO_ERR, ps_conntrack_source_events_cb, self);

  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  /* what is already open counts too */
  ps_conntrack_source_start_dump (self, NULL);
  if (self->dump_interval_ms > 0)
    self->dump_id = g_timeout_add (self->dump_interval_ms, ps_conntrack_source_dump_timeout_cb, self);

  return TRUE;
#else
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
               _("This build has no connection tracking support"));
  return FALSE;
#endif
}

static void
ps_conntrack_source_stop (PsFlowSource *source)
{
  PsConntrackSource *self = PS_CONNTRACK_SOURCE (source);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->dump_id, g_source_remove);
#ifdef HAVE_CONNTRACK
  g_clear_handle_id (&self->events_id, g_source_remove);
  g_clear_pointer (&self->events, nfct_close);
#endif
}

static void
ps_conntrack_source_flush (PsFlowSource *source)
{
  ps_conntrack_source_start_dump (PS_CONNTRACK_SOURCE (source), NULL);
}

static void
ps_conntrack_source_flow_source_init (PsFlowSourceInterface *iface)
{
  iface->start = ps_conntrack_source_start;
  iface->stop = ps_conntrack_source_stop;
  iface->flush = ps_conntrack_source_flush;
}

static void
ps_conntrack_source_dispose (GObject *object)
{
  ps_conntrack_source_stop (PS_FLOW_SOURCE (object));

  G_OBJECT_CLASS (ps_conntrack_source_parent_class)->dispose (object);
}

static void
ps_conntrack_source_finalize (GObject *object)
{
  PsConntrackSource *self = PS_CONNTRACK_SOURCE (object);

  g_clear_object (&self->cancellable);
  g_hash_table_unref (self->flows);
  g_array_unref (self->pending);

  G_OBJECT_CLASS (ps_conntrack_source_parent_class)->finalize (object);
}

static void
ps_conntrack_source_class_init (PsConntrackSourceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ps_conntrack_source_dispose;
  object_class->finalize = ps_conntrack_source_finalize;
}

static void
ps_conntrack_source_init (PsConntrackSource *self)
{
  self->dump_interval_ms = DEFAULT_DUMP_INTERVAL_MS;
  self->event_buffer_size = EVENT_BUFFER_SIZE;
  self->flows = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  self->pending = g_array_new (FALSE, FALSE, sizeof (PsFlowRecord));
  self->cancellable = g_cancellable_new ();
}

PsConntrackSource *
ps_conntrack_source_new (void)
{
  return g_object_new (PS_TYPE_CONNTRACK_SOURCE, NULL);
}

void
ps_conntrack_source_set_dump_interval (PsConntrackSource *self,
                                       guint              interval_ms)
{
  g_return_if_fail (PS_IS_CONNTRACK_SOURCE (self));

  self->dump_interval_ms = interval_ms;
}

void
ps_conntrack_source_set_event_buffer_size (PsConntrackSource *self,
                                           guint              bytes)
{
  g_return_if_fail (PS_IS_CONNTRACK_SOURCE (self));
  g_return_if_fail (bytes >= 4096);

  self->event_buffer_size = bytes;
}

void
ps_conntrack_source_get_stats (PsConntrackSource *self,
                               PsConntrackStats  *stats)
{
  g_return_if_fail (PS_IS_CONNTRACK_SOURCE (self));
  g_return_if_fail (stats != NULL);

  *stats = self->stats;
  stats->flows_tracked = g_hash_table_size (self->flows);
}

void
ps_conntrack_source_dump_async (PsConntrackSource   *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PS_IS_CONNTRACK_SOURCE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ps_conntrack_source_dump_async);
  ps_conntrack_source_start_dump (self, task);
}

gboolean
ps_conntrack_source_dump_finish (PsConntrackSource  *self,
                                 GAsyncResult       *result,
                                 GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
