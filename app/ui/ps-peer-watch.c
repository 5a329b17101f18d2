/* ps-peer-watch.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-peer-watch"

#include "config.h"

#include "ps-peer-watch.h"

struct _PsPeerWatch
{
  GListModel      *peers;
  GPtrArray       *watched;     /* the peers, in the model's order, each with our handler */
  char            *signal;      /* "notify" or "notify::PROPERTY" */
  guint            delay_ms;
  guint            pending_id;
  PsPeerWatchFunc  func;
  gpointer         user_data;
};

static gboolean
on_pending_cb (gpointer user_data)
{
  PsPeerWatch *self = user_data;

  self->pending_id = 0;
  self->func (self->user_data);

  return G_SOURCE_REMOVE;
}

static void
schedule (PsPeerWatch *self)
{
  if (self->pending_id == 0)
    self->pending_id = g_timeout_add (self->delay_ms, on_pending_cb, self);
}

static void
on_peer_notify_cb (GObject    *peer,
                   GParamSpec *pspec,
                   gpointer    user_data)
{
  schedule (user_data);
}

static void
on_items_changed_cb (GListModel *model,
                     guint       position,
                     guint       removed,
                     guint       added,
                     gpointer    user_data)
{
  PsPeerWatch *self = user_data;

  for (guint i = 0; i < removed; i++)
    g_signal_handlers_disconnect_by_func (g_ptr_array_index (self->watched, position + i),
                                          on_peer_notify_cb, self);
  g_ptr_array_remove_range (self->watched, position, removed);

  for (guint i = 0; i < added; i++)
    {
      GObject *peer = g_list_model_get_item (model, position + i);

      g_signal_connect (peer, self->signal, G_CALLBACK (on_peer_notify_cb), self);
      g_ptr_array_insert (self->watched, (int) (position + i), peer);
    }

  if (removed > 0 || added > 0)
    schedule (self);
}

PsPeerWatch *
ps_peer_watch_new (GListModel      *peers,
                   const char      *property,
                   guint            delay_ms,
                   PsPeerWatchFunc  func,
                   gpointer         user_data)
{
  PsPeerWatch *self;

  g_return_val_if_fail (G_IS_LIST_MODEL (peers), NULL);
  g_return_val_if_fail (func != NULL, NULL);

  self = g_new0 (PsPeerWatch, 1);
  self->peers = g_object_ref (peers);
  self->watched = g_ptr_array_new_with_free_func (g_object_unref);
  self->signal = property != NULL ? g_strconcat ("notify::", property, NULL) : g_strdup ("notify");
  self->delay_ms = delay_ms;
  self->func = func;
  self->user_data = user_data;

  g_signal_connect (peers, "items-changed", G_CALLBACK (on_items_changed_cb), self);
  on_items_changed_cb (peers, 0, 0, g_list_model_get_n_items (peers), self);
  /* what is there now needs no call */
  g_clear_handle_id (&self->pending_id, g_source_remove);

  return self;
}

void
ps_peer_watch_flush (PsPeerWatch *self)
{
  g_return_if_fail (self != NULL);

  if (self->pending_id != 0)
    {
      g_clear_handle_id (&self->pending_id, g_source_remove);
      self->func (self->user_data);
    }
}

void
ps_peer_watch_free (PsPeerWatch *self)
{
  if (self == NULL)
    return;

  g_clear_handle_id (&self->pending_id, g_source_remove);
  g_signal_handlers_disconnect_by_func (self->peers, on_items_changed_cb, self);
  for (guint i = 0; i < self->watched->len; i++)
    g_signal_handlers_disconnect_by_func (g_ptr_array_index (self->watched, i),
                                          on_peer_notify_cb, self);
  g_ptr_array_unref (self->watched);
  g_object_unref (self->peers);
  g_free (self->signal);
  g_free (self);
}
