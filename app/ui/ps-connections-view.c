/* ps-connections-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The models: the peers → GtkFilterListModel (the search and the class) → GtkSortListModel
 * (the column view's sorter, then traffic, most first) → GtkSingleSelection → GtkColumnView.
 * Each cell binds to the notify signals of its peer.  Counters change in batches, so the
 * summary, the map, the order and the filter follow a little later (REFRESH_DELAY_MS), once
 * per batch rather than once per notification.
 */

#define G_LOG_DOMAIN "ps-connections-view"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ps-connections-columns.h"
#include "ps-connections-view-private.h"
#include "ps-peer-json.h"
#include "ps-peer-summary.h"
#include "ps-world-map.h"

#define REFRESH_DELAY_MS 250
#define CLOCK_INTERVAL_S 30

typedef enum {
  REFRESH_SUMMARY = 1 << 0,
  REFRESH_MAP     = 1 << 1,
  REFRESH_SORT    = 1 << 2,
  REFRESH_FILTER  = 1 << 3,
  REFRESH_ALL     = REFRESH_SUMMARY | REFRESH_MAP | REFRESH_SORT | REFRESH_FILTER,
} RefreshFlags;

struct _PsConnectionsView
{
  AdwBin                parent_instance;

  AdwToastOverlay      *toast_overlay;
  GtkStack             *stack;
  GtkImage             *summary_icon;
  GtkLabel             *summary_label;
  GtkSearchEntry       *search_entry;
  GtkDropDown          *class_dropdown;
  PsWorldMap           *map;
  GtkStack             *list_stack;
  GtkColumnView        *column_view;

  GListModel           *peers;
  GPtrArray            *watched;        /* the peers, each with our notify handler */
  GtkCustomFilter      *filter;         /* these three belong to selection */
  GtkFilterListModel   *filtered;
  GtkSorter            *traffic_sorter;
  GtkSingleSelection   *selection;
  PsConnectionsColumns *cells;
  GtkColumnViewColumn  *columns[PS_CONNECTIONS_N_COLUMNS];
  GHashTable           *points;         /* map point id → PsPeer */

  char                **search_words;   /* casefolded; NULL when the search is empty */
  guint                 class_filter;   /* index into class_filters[] */
  RefreshFlags          pending;
  gboolean              capturing_keys;
  guint                 refresh_id;
  guint                 clock_id;

  GCancellable         *cancellable;
  GObject              *chooser;        /* the export file chooser while it is open */
  PsConnectionsExport   export_format;
};

G_DEFINE_FINAL_TYPE (PsConnectionsView, ps_connections_view, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_PEERS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void schedule_refresh (PsConnectionsView *self,
                              RefreshFlags       flags);
static void scroll_to_row    (PsConnectionsView *self,
                              guint              position);
static void scroll_to_top    (PsConnectionsView *self);

/* ---- filtering ------------------------------------------------------------------------- */

typedef enum {
  MATCH_ALL,
  MATCH_PHONE_HOME,
  MATCH_KIND,
} MatchMode;

static const struct {
  const char *label;
  MatchMode   mode;
  PsPeerKind  kind;
} class_filters[] = {
  { NC_("class filter", "All Classes"), MATCH_ALL, 0 },
  { NC_("class filter", "Phoning Home"), MATCH_PHONE_HOME, 0 },
  { NC_("class filter", "P2P Servers"), MATCH_KIND, PS_PEER_KIND_P2P_SUPERNODE },
  { NC_("class filter", "Vendor Cloud"), MATCH_KIND, PS_PEER_KIND_VENDOR_CLOUD },
  { NC_("class filter", "STUN/TURN"), MATCH_KIND, PS_PEER_KIND_STUN_TURN },
  { NC_("class filter", "Time (NTP)"), MATCH_KIND, PS_PEER_KIND_NTP },
  { NC_("class filter", "DNS"), MATCH_KIND, PS_PEER_KIND_DNS },
  { NC_("class filter", "LAN Discovery"), MATCH_KIND, PS_PEER_KIND_LAN_DISCOVERY },
  { NC_("class filter", "Viewers"), MATCH_KIND, PS_PEER_KIND_VIEWER },
  { NC_("class filter", "Local Network"), MATCH_KIND, PS_PEER_KIND_LAN },
  { NC_("class filter", "Unknown"), MATCH_KIND, PS_PEER_KIND_UNKNOWN },
};

static gboolean
class_filter_matches (guint      index,
                      PsPeerKind kind)
{
  g_assert (index < G_N_ELEMENTS (class_filters));

  switch (class_filters[index].mode)
    {
    case MATCH_PHONE_HOME:
      return ps_peer_kind_is_phone_home (kind);
    case MATCH_KIND:
      return kind == class_filters[index].kind;
    case MATCH_ALL:
    default:
      return TRUE;
    }
}

/* ---- sorting and filtering ------------------------------------------------------------- */

static gboolean
peer_matches_words (PsPeer      *peer,
                    char *const *words)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *endpoint = ps_connections_columns_endpoint (peer);
  g_autofree char *folded = NULL;
  PsPeerKind kind = ps_peer_get_kind (peer);
  const char *fields[] = {
    endpoint,
    ps_peer_get_hostname (peer),
    ps_peer_get_country (peer),
    ps_peer_get_country_name (peer),
    ps_peer_get_org (peer),
    ps_peer_kind_to_string (kind),
    ps_connections_columns_kind_label (kind),
  };

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    if (fields[i] != NULL)
      g_string_append_printf (text, "%s\n", fields[i]);
  if (ps_peer_get_asn (peer) != 0)
    g_string_append_printf (text, "AS%u\n", ps_peer_get_asn (peer));

  folded = g_utf8_casefold (text->str, text->len);
  for (guint i = 0; words[i] != NULL; i++)
    if (strstr (folded, words[i]) == NULL)
      return FALSE;

  return TRUE;
}

static gboolean
filter_peer (gpointer item,
             gpointer user_data)
{
  PsConnectionsView *self = user_data;
  PsPeer *peer = item;

  if (!class_filter_matches (self->class_filter, ps_peer_get_kind (peer)))
    return FALSE;

  return self->search_words == NULL || peer_matches_words (peer, self->search_words);
}

static gboolean
filter_is_active (PsConnectionsView *self)
{
  return self->search_words != NULL || self->class_filter != 0;
}

static void
on_search_changed_cb (PsConnectionsView *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  g_autofree char *folded = g_utf8_casefold (text, -1);
  g_auto(GStrv) words = g_strsplit_set (g_strstrip (folded), " \t\n", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; words[i] != NULL; i++)
    if (*words[i] != '\0')
      g_strv_builder_add (builder, words[i]);

  g_strfreev (self->search_words);
  self->search_words = g_strv_builder_end (builder);
  if (self->search_words[0] == NULL)
    g_clear_pointer (&self->search_words, g_strfreev);

  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  scroll_to_top (self);
}

static void
on_stop_search_cb (PsConnectionsView *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
}

static void
on_class_selected_cb (PsConnectionsView *self)
{
  guint selected = gtk_drop_down_get_selected (self->class_dropdown);

  self->class_filter = selected < G_N_ELEMENTS (class_filters) ? selected : 0;
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  scroll_to_top (self);
}

/* ---- summary, map and pages ------------------------------------------------------------ */

static void
update_summary (PsConnectionsView *self)
{
  g_autofree char *summary = NULL;
  PsPeerSummary counts = { 0 };

  /* the same words as the camera's tile */
  if (self->peers != NULL)
    ps_peer_summary_compute (self->peers, &counts);
  summary = ps_peer_summary_format (&counts);

  gtk_label_set_text (self->summary_label,
                      summary != NULL ? summary : _("Talks only to the local network"));
  gtk_widget_set_visible (GTK_WIDGET (self->summary_icon), counts.p2p_servers > 0);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->summary_icon),
                               counts.p2p_servers > 0
                               ? _("This camera talks to P2P servers on the internet: they "
                                   "let anyone with its id reach it from outside your home")
                               : NULL);
}

/**
 * _ps_connections_view_dup_point_id:
 * @peer: a peer
 *
 * Returns: (transfer full): the id of @peer's point on the map
 */
char *
_ps_connections_view_dup_point_id (PsPeer *peer)
{
  return g_strdup_printf ("%s|%s|%u|%u", ps_peer_get_device (peer),
                          ps_peer_get_address_string (peer), ps_peer_get_port (peer),
                          ps_peer_get_ip_protocol (peer));
}

static char *
point_label (PsPeer *peer)
{
  const char *host = ps_peer_get_hostname (peer);
  const char *country = ps_connections_columns_country (peer);
  g_autofree char *size = g_format_size (ps_connections_columns_traffic (peer));

  /* Translators: a point on the map: host, country, traffic and class, e.g.
   * "p2p1.vendor.example — China, 3.2 MB, P2P server" */
  return g_strdup_printf (_("%s — %s, %s, %s"),
                          host != NULL ? host : ps_peer_get_address_string (peer),
                          country != NULL ? country : C_("country", "Unknown"),
                          size, ps_connections_columns_kind_label (ps_peer_get_kind (peer)));
}

static void
update_map (PsConnectionsView *self)
{
  g_autoptr(GArray) points = g_array_new (FALSE, TRUE, sizeof (PsWorldMapPoint));
  g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
  GListModel *rows = G_LIST_MODEL (self->filtered);
  guint n = g_list_model_get_n_items (rows);

  g_hash_table_remove_all (self->points);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PsPeer) peer = g_list_model_get_item (rows, i);
      PsWorldMapPoint point = { 0 };
      char *id;
      char *label;

      if (!ps_peer_get_location (peer, &point.latitude, &point.longitude)
          && !ps_world_map_country_location (ps_peer_get_country (peer), &point.latitude,
                                             &point.longitude))
        continue;

      id = _ps_connections_view_dup_point_id (peer);
      label = point_label (peer);
      g_ptr_array_add (strings, id);
      g_ptr_array_add (strings, label);
      g_hash_table_replace (self->points, g_strdup (id), g_object_ref (peer));

      point.id = id;
      point.label = label;
      point.weight = ps_connections_columns_traffic (peer);
      point.country_code = ps_peer_get_country (peer);
      point.highlight = ps_peer_get_kind (peer) == PS_PEER_KIND_P2P_SUPERNODE;
      g_array_append_val (points, point);
    }

  ps_world_map_set_points (self->map, (const PsWorldMapPoint *) points->data, points->len);
}

static void
update_pages (PsConnectionsView *self)
{
  guint n_peers = self->peers != NULL ? g_list_model_get_n_items (self->peers) : 0;
  guint n_rows = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));

  gtk_stack_set_visible_child_name (self->stack, n_peers > 0 ? "peers" : "empty");
  gtk_stack_set_visible_child_name (self->list_stack, n_rows > 0 ? "list" : "no-match");
  /* typing anywhere in the list searches; not on the empty page */
  if (self->capturing_keys != (n_peers > 0))
    {
      self->capturing_keys = n_peers > 0;
      gtk_search_entry_set_key_capture_widget (self->search_entry,
                                               self->capturing_keys ? GTK_WIDGET (self) : NULL);
    }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "connections.export", n_rows > 0);
}

static gboolean
list_is_at_top (PsConnectionsView *self)
{
  GtkAdjustment *adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->column_view));

  return adjustment == NULL
         || gtk_adjustment_get_value (adjustment) <= gtk_adjustment_get_lower (adjustment) + 0.5;
}

/* The list keeps the row at its top in view when rows move.  One who looks at the top
 * wants to see the top: the peers with the most traffic, the search's first match. */
static void
scroll_to_top (PsConnectionsView *self)
{
  if (g_list_model_get_n_items (G_LIST_MODEL (self->selection)) > 0)
    scroll_to_row (self, 0);
}

void
_ps_connections_view_flush (PsConnectionsView *self)
{
  RefreshFlags flags;
  gboolean at_top;

  g_return_if_fail (PS_IS_CONNECTIONS_VIEW (self));

  at_top = list_is_at_top (self);

  if (self->pending & REFRESH_FILTER)
    {
      self->pending &= ~REFRESH_FILTER;
      if (filter_is_active (self))
        gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
    }
  if (self->pending & REFRESH_SORT)
    {
      self->pending &= ~REFRESH_SORT;
      gtk_sorter_changed (self->traffic_sorter, GTK_SORTER_CHANGE_DIFFERENT);
      if (at_top)
        scroll_to_top (self);
    }

  /* the above may have asked for the map again: it is done now */
  flags = self->pending;
  self->pending = 0;
  g_clear_handle_id (&self->refresh_id, g_source_remove);

  if (flags & REFRESH_SUMMARY)
    update_summary (self);
  if (flags & REFRESH_MAP)
    update_map (self);
  update_pages (self);
}

static gboolean
on_refresh_cb (gpointer user_data)
{
  PsConnectionsView *self = user_data;

  self->refresh_id = 0;
  _ps_connections_view_flush (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_refresh (PsConnectionsView *self,
                  RefreshFlags       flags)
{
  self->pending |= flags;
  if (self->refresh_id == 0)
    self->refresh_id = g_timeout_add (REFRESH_DELAY_MS, on_refresh_cb, self);
}

static void
on_peer_notify_cb (PsConnectionsView *self)
{
  schedule_refresh (self, REFRESH_ALL);
}

static void
unwatch (PsConnectionsView *self,
         PsPeer            *peer)
{
  g_signal_handlers_disconnect_by_func (peer, on_peer_notify_cb, self);
}

static void
on_peers_items_changed_cb (PsConnectionsView *self,
                           guint              position,
                           guint              removed,
                           guint              added,
                           GListModel        *model)
{
  for (guint i = 0; i < removed; i++)
    unwatch (self, g_ptr_array_index (self->watched, position + i));
  g_ptr_array_remove_range (self->watched, position, removed);

  for (guint i = 0; i < added; i++)
    {
      PsPeer *peer = g_list_model_get_item (model, position + i);

      g_signal_connect_object (peer, "notify", G_CALLBACK (on_peer_notify_cb), self,
                               G_CONNECT_SWAPPED);
      g_ptr_array_insert (self->watched, position + i, peer);
    }

  schedule_refresh (self, REFRESH_SUMMARY | REFRESH_MAP);
  update_pages (self);
}

static void
on_rows_changed_cb (PsConnectionsView *self)
{
  schedule_refresh (self, REFRESH_MAP);
  update_pages (self);
}

/* ---- map to rows ----------------------------------------------------------------------- */

static void
scroll_to_row (PsConnectionsView *self,
               guint              position)
{
#if GTK_CHECK_VERSION (4, 12, 0)
  gtk_column_view_scroll_to (self->column_view, position, NULL, GTK_LIST_SCROLL_NONE, NULL);
#else
  /* GTK 4.8 has no public scrolling API: its inner list view has an action */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->column_view));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_VIEW (child))
      gtk_widget_activate_action (child, "list.scroll-to-item", "u", position);
#endif
}

static void
on_point_activated_cb (PsConnectionsView *self,
                       const char        *id)
{
  PsPeer *peer = g_hash_table_lookup (self->points, id);
  GListModel *rows = G_LIST_MODEL (self->selection);

  if (peer == NULL)
    return;

  for (guint i = 0, n = g_list_model_get_n_items (rows); i < n; i++)
    {
      g_autoptr(PsPeer) row = g_list_model_get_item (rows, i);

      if (row == peer)
        {
          gtk_single_selection_set_selected (self->selection, i);
          scroll_to_row (self, i);
          return;
        }
    }
}

/* ---- export ---------------------------------------------------------------------------- */

/**
 * _ps_connections_view_build_export:
 * @self: a view
 * @format: CSV or JSON
 *
 * Returns: (transfer full): what "Export as CSV…" or "Export as JSON…" writes: the rows the
 *   view shows, in its order
 */
GBytes *
_ps_connections_view_build_export (PsConnectionsView   *self,
                                   PsConnectionsExport  format)
{
  GListModel *rows;

  g_return_val_if_fail (PS_IS_CONNECTIONS_VIEW (self), NULL);

  rows = G_LIST_MODEL (self->selection);
  if (format == PS_CONNECTIONS_EXPORT_JSON)
    {
      g_autoptr(JsonNode) node = ps_peers_to_json (rows);
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autofree char *text = NULL;
      char *document;

      json_generator_set_pretty (generator, TRUE);
      json_generator_set_root (generator, node);
      text = json_generator_to_data (generator, NULL);
      document = g_strconcat (text, "\n", NULL);
      return g_bytes_new_take (document, strlen (document));
    }
  else
    {
      char *csv = ps_peers_to_csv (rows);

      return g_bytes_new_take (csv, strlen (csv));
    }
}

typedef struct
{
  PsConnectionsView *self;
  GFile             *file;
  guint              n_rows;
} ExportJob;

static void
export_job_free (ExportJob *job)
{
  g_object_unref (job->self);
  g_object_unref (job->file);
  g_free (job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ExportJob, export_job_free)

static void
show_toast (PsConnectionsView *self,
            const char        *text)
{
  /* libadwaita 1.2 reads a toast's title as markup */
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (escaped));
}

static void
on_export_written_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(ExportJob) job = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (!g_file_replace_contents_finish (G_FILE (object), result, NULL, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
          || g_cancellable_is_cancelled (job->self->cancellable))
        return;
      g_warning ("Could not export to %s: %s", g_file_peek_path (job->file), error->message);
      /* Translators: %s says why, e.g. "Permission denied" */
      message = g_strdup_printf (_("Could not export the connections: %s"), error->message);
    }
  else
    {
      if (g_cancellable_is_cancelled (job->self->cancellable))
        return;
      message = g_strdup_printf (ngettext ("Exported %u connection", "Exported %u connections",
                                           job->n_rows), job->n_rows);
    }

  show_toast (job->self, message);
}

static void
write_export (PsConnectionsView *self,
              GFile             *file)
{
  g_autoptr(GBytes) bytes = _ps_connections_view_build_export (self, self->export_format);
  ExportJob *job = g_new0 (ExportJob, 1);

  job->self = g_object_ref (self);
  job->file = g_object_ref (file);
  job->n_rows = g_list_model_get_n_items (G_LIST_MODEL (self->selection));
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE,
                                       G_FILE_CREATE_REPLACE_DESTINATION, self->cancellable,
                                       on_export_written_cb, job);
}

static GtkFileFilter *
export_filter (PsConnectionsExport format)
{
  GtkFileFilter *filter = gtk_file_filter_new ();

  if (format == PS_CONNECTIONS_EXPORT_JSON)
    {
      gtk_file_filter_set_name (filter, _("JSON"));
      gtk_file_filter_add_mime_type (filter, "application/json");
      gtk_file_filter_add_suffix (filter, "json");
    }
  else
    {
      gtk_file_filter_set_name (filter, _("CSV"));
      gtk_file_filter_add_mime_type (filter, "text/csv");
      gtk_file_filter_add_suffix (filter, "csv");
    }
  return filter;
}

#if GTK_CHECK_VERSION (4, 10, 0)
static void
on_save_dialog_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(PsConnectionsView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;

  file = gtk_file_dialog_save_finish (GTK_FILE_DIALOG (object), result, &error);
  g_clear_object (&self->chooser);
  if (file != NULL && !g_cancellable_is_cancelled (self->cancellable))
    write_export (self, file);
}
#else
static void
on_chooser_response_cb (PsConnectionsView *self,
                        int                response,
                        GtkNativeDialog   *native)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
  gtk_native_dialog_destroy (native);
  g_clear_object (&self->chooser);

  if (file != NULL)
    write_export (self, file);
}
#endif

static void
start_export (PsConnectionsView   *self,
              PsConnectionsExport  format)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWindow *window = GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
  g_autoptr(GtkFileFilter) filter = export_filter (format);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *name = NULL;
  const char *title;

  if (self->chooser != NULL)
    return;

  self->export_format = format;
  name = g_date_time_format (now, format == PS_CONNECTIONS_EXPORT_JSON
                                  ? "connections-%Y-%m-%d.json" : "connections-%Y-%m-%d.csv");
  title = format == PS_CONNECTIONS_EXPORT_JSON ? _("Export Connections as JSON")
                                               : _("Export Connections as CSV");

#if GTK_CHECK_VERSION (4, 10, 0)
  {
    GtkFileDialog *dialog = gtk_file_dialog_new ();
    g_autoptr(GListStore) filters = g_list_store_new (GTK_TYPE_FILE_FILTER);

    g_list_store_append (filters, filter);
    gtk_file_dialog_set_title (dialog, title);
    gtk_file_dialog_set_initial_name (dialog, name);
    gtk_file_dialog_set_accept_label (dialog, _("_Export"));
    gtk_file_dialog_set_filters (dialog, G_LIST_MODEL (filters));
    gtk_file_dialog_set_default_filter (dialog, filter);
    self->chooser = G_OBJECT (dialog);
    gtk_file_dialog_save (dialog, window, self->cancellable, on_save_dialog_cb,
                          g_object_ref (self));
  }
#else
  {
    GtkFileChooserNative *native;

    native = gtk_file_chooser_native_new (title, window, GTK_FILE_CHOOSER_ACTION_SAVE,
                                          _("_Export"), _("_Cancel"));
    gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), name);
    gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
    g_signal_connect_object (native, "response", G_CALLBACK (on_chooser_response_cb), self,
                             G_CONNECT_SWAPPED);
    self->chooser = G_OBJECT (native);
    gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
  }
#endif
}

/* ---- actions --------------------------------------------------------------------------- */

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  const char *format = g_variant_get_string (parameter, NULL);

  start_export (PS_CONNECTIONS_VIEW (widget), g_str_equal (format, "json")
                                              ? PS_CONNECTIONS_EXPORT_JSON
                                              : PS_CONNECTIONS_EXPORT_CSV);
}

static void
sort_by_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  PsConnectionsView *self = PS_CONNECTIONS_VIEW (widget);
  const char *id = g_variant_get_string (parameter, NULL);

  /* no column: traffic, most first */
  if (g_str_equal (id, "traffic"))
    {
      gtk_column_view_sort_by_column (self->column_view, NULL, GTK_SORT_ASCENDING);
      return;
    }

  for (PsConnectionsColumn i = 0; i < PS_CONNECTIONS_N_COLUMNS; i++)
    if (g_str_equal (id, ps_connections_columns_get_id (i)))
      gtk_column_view_sort_by_column (self->column_view, self->columns[i],
                                      ps_connections_columns_descending_first (i)
                                      ? GTK_SORT_DESCENDING : GTK_SORT_ASCENDING);
}

static void
focus_search_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  ps_connections_view_focus_search (PS_CONNECTIONS_VIEW (widget));
}

/* ---- object ---------------------------------------------------------------------------- */

static void
unwatch_all (PsConnectionsView *self)
{
  for (guint i = 0; i < self->watched->len; i++)
    unwatch (self, g_ptr_array_index (self->watched, i));
  g_ptr_array_set_size (self->watched, 0);
}

static gboolean
on_clock_cb (gpointer user_data)
{
  PsConnectionsView *self = user_data;

  ps_connections_columns_tick (self->cells);
  return G_SOURCE_CONTINUE;
}

static void
ps_connections_view_map (GtkWidget *widget)
{
  PsConnectionsView *self = PS_CONNECTIONS_VIEW (widget);

  GTK_WIDGET_CLASS (ps_connections_view_parent_class)->map (widget);

  /* the times went on while the view was hidden */
  on_clock_cb (self);
  if (self->clock_id == 0)
    self->clock_id = g_timeout_add_seconds (CLOCK_INTERVAL_S, on_clock_cb, self);
}

static void
ps_connections_view_unmap (GtkWidget *widget)
{
  PsConnectionsView *self = PS_CONNECTIONS_VIEW (widget);

  g_clear_handle_id (&self->clock_id, g_source_remove);

  GTK_WIDGET_CLASS (ps_connections_view_parent_class)->unmap (widget);
}

static void
ps_connections_view_dispose (GObject *object)
{
  PsConnectionsView *self = (PsConnectionsView *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  g_clear_handle_id (&self->clock_id, g_source_remove);

#if !GTK_CHECK_VERSION (4, 10, 0)
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
#endif
  g_clear_object (&self->chooser);

  if (self->peers != NULL)
    g_signal_handlers_disconnect_by_func (self->peers, on_peers_items_changed_cb, self);
  if (self->watched != NULL)
    unwatch_all (self);

  /* the rows go (and their cells unbind) while self is whole */
  if (self->filtered != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->filtered, self);
      gtk_filter_list_model_set_model (self->filtered, NULL);
    }
  if (self->filter != NULL)
    gtk_custom_filter_set_filter_func (self->filter, NULL, NULL, NULL);
  memset (self->columns, 0, sizeof self->columns);
  g_clear_object (&self->selection);
  self->filter = NULL;
  self->filtered = NULL;
  self->traffic_sorter = NULL;
  g_clear_object (&self->peers);
  g_clear_pointer (&self->points, g_hash_table_unref);

  G_OBJECT_CLASS (ps_connections_view_parent_class)->dispose (object);
}

static void
ps_connections_view_finalize (GObject *object)
{
  PsConnectionsView *self = (PsConnectionsView *) object;

  g_clear_pointer (&self->watched, g_ptr_array_unref);
  g_clear_pointer (&self->cells, ps_connections_columns_unref);
  g_clear_pointer (&self->search_words, g_strfreev);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (ps_connections_view_parent_class)->finalize (object);
}

static void
ps_connections_view_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  PsConnectionsView *self = PS_CONNECTIONS_VIEW (object);

  switch (prop_id)
    {
    case PROP_PEERS:
      g_value_set_object (value, self->peers);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ps_connections_view_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  PsConnectionsView *self = PS_CONNECTIONS_VIEW (object);

  switch (prop_id)
    {
    case PROP_PEERS:
      ps_connections_view_set_peers (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ps_connections_view_class_init (PsConnectionsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ps_connections_view_dispose;
  object_class->finalize = ps_connections_view_finalize;
  object_class->get_property = ps_connections_view_get_property;
  object_class->set_property = ps_connections_view_set_property;

  widget_class->map = ps_connections_view_map;
  widget_class->unmap = ps_connections_view_unmap;

  /**
   * PsConnectionsView:peers:
   *
   * The peers (#PsPeer) to show, a live model.
   */
  properties[PROP_PEERS] =
    g_param_spec_object ("peers", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (PS_TYPE_WORLD_MAP);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/peerscope/Peerscope/ps-connections-view.ui");
  gtk_widget_class_bind_template_child (widget_class, PsConnectionsView, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, PsConnectionsView, stack);
  gtk_widget_class_bind_template_child (widget_class, PsConnectionsView, summary_icon);
  gtk_widget_class_bind_template_child (widget_class, PsConnectionsView, summary_label);
  gtk_widget_class_bind_template_child (widget_class, PsConnectionsView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, PsConnectionsView, class_dropdown);
  gtk_widget_class_bind_template_child (widget_class, PsConnectionsView, map);
  gtk_widget_class_bind_template_child (widget_class, PsConnectionsView, list_stack);
  gtk_widget_class_bind_template_child (widget_class, PsConnectionsView, column_view);

  gtk_widget_class_install_action (widget_class, "connections.export", "s", export_action);
  gtk_widget_class_install_action (widget_class, "connections.sort-by", "s", sort_by_action);
  gtk_widget_class_install_action (widget_class, "connections.focus-search", NULL,
                                   focus_search_action);

  gtk_widget_class_set_css_name (widget_class, "connectionsview");
}

static void
ps_connections_view_init (PsConnectionsView *self)
{
  g_autoptr(GtkStringList) class_names = gtk_string_list_new (NULL);
  GtkEventController *shortcuts;
  GtkMultiSorter *sorter;
  GtkSortListModel *sorted;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->watched = g_ptr_array_new_with_free_func (g_object_unref);
  self->cells = ps_connections_columns_new ();
  self->points = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->cancellable = g_cancellable_new ();

  /* peers → filter → sort (the clicked column, then traffic) → selection */
  self->filter = gtk_custom_filter_new (filter_peer, self, NULL);
  self->filtered = gtk_filter_list_model_new (NULL, GTK_FILTER (self->filter));
  self->traffic_sorter = ps_connections_columns_traffic_sorter ();
  sorter = gtk_multi_sorter_new ();
  gtk_multi_sorter_append (sorter, g_object_ref (gtk_column_view_get_sorter (self->column_view)));
  gtk_multi_sorter_append (sorter, self->traffic_sorter);
  sorted = gtk_sort_list_model_new (G_LIST_MODEL (self->filtered), GTK_SORTER (sorter));
  self->selection = gtk_single_selection_new (G_LIST_MODEL (sorted));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
  g_signal_connect_object (self->filtered, "items-changed", G_CALLBACK (on_rows_changed_cb),
                           self, G_CONNECT_SWAPPED);

  for (PsConnectionsColumn i = 0; i < PS_CONNECTIONS_N_COLUMNS; i++)
    {
      g_autoptr(GtkColumnViewColumn) column = ps_connections_columns_create (self->cells, i);

      gtk_column_view_append_column (self->column_view, column);
      self->columns[i] = column;
    }

  for (guint i = 0; i < G_N_ELEMENTS (class_filters); i++)
    gtk_string_list_append (class_names, g_dpgettext2 (GETTEXT_PACKAGE, "class filter",
                                                       class_filters[i].label));
  gtk_drop_down_set_model (self->class_dropdown, G_LIST_MODEL (class_names));
  g_signal_connect_object (self->class_dropdown, "notify::selected",
                           G_CALLBACK (on_class_selected_cb), self, G_CONNECT_SWAPPED);

  g_signal_connect_object (self->search_entry, "search-changed",
                           G_CALLBACK (on_search_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->search_entry, "stop-search",
                           G_CALLBACK (on_stop_search_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->map, "point-activated", G_CALLBACK (on_point_activated_cb),
                           self, G_CONNECT_SWAPPED);

  shortcuts = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_f,
                                                                                  GDK_CONTROL_MASK),
                                                          gtk_named_action_new ("connections.focus-search")));
  gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);

  schedule_refresh (self, REFRESH_SUMMARY | REFRESH_MAP);
  _ps_connections_view_flush (self);
}

PsConnectionsView *
ps_connections_view_new (void)
{
  return g_object_new (PS_TYPE_CONNECTIONS_VIEW, NULL);
}

/**
 * ps_connections_view_set_peers:
 * @self: a view
 * @peers: (nullable): a #GListModel of #PsPeer, such as ps_peer_table_get_device_peers()
 *
 * Shows @peers and follows them: new peers, changed counters, names and classes.
 */
void
ps_connections_view_set_peers (PsConnectionsView *self,
                               GListModel        *peers)
{
  g_return_if_fail (PS_IS_CONNECTIONS_VIEW (self));
  g_return_if_fail (peers == NULL || G_IS_LIST_MODEL (peers));
  g_return_if_fail (peers == NULL || g_list_model_get_item_type (peers) == PS_TYPE_PEER);

  if (self->peers == peers)
    return;

  if (self->peers != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->peers, on_peers_items_changed_cb, self);
      unwatch_all (self);
    }

  g_set_object (&self->peers, peers);
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  gtk_filter_list_model_set_model (self->filtered, peers);

  if (peers != NULL)
    {
      g_signal_connect_object (peers, "items-changed", G_CALLBACK (on_peers_items_changed_cb),
                               self, G_CONNECT_SWAPPED);
      on_peers_items_changed_cb (self, 0, 0, g_list_model_get_n_items (peers), peers);
    }

  schedule_refresh (self, REFRESH_SUMMARY | REFRESH_MAP);
  _ps_connections_view_flush (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PEERS]);
}

/**
 * ps_connections_view_get_peers:
 * @self: a view
 *
 * Returns: (transfer none) (nullable): the peers shown
 */
GListModel *
ps_connections_view_get_peers (PsConnectionsView *self)
{
  g_return_val_if_fail (PS_IS_CONNECTIONS_VIEW (self), NULL);

  return self->peers;
}

/**
 * ps_connections_view_focus_search:
 * @self: a view
 *
 * Moves the keyboard focus to the search entry, as Ctrl+F does.
 */
void
ps_connections_view_focus_search (PsConnectionsView *self)
{
  g_return_if_fail (PS_IS_CONNECTIONS_VIEW (self));

  if (!gtk_widget_get_mapped (GTK_WIDGET (self->search_entry)))
    return;

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
  gtk_editable_select_region (GTK_EDITABLE (self->search_entry), 0, -1);
}

/* ---- for the tests --------------------------------------------------------------------- */

GtkSelectionModel *
_ps_connections_view_get_rows (PsConnectionsView *self)
{
  g_return_val_if_fail (PS_IS_CONNECTIONS_VIEW (self), NULL);

  return GTK_SELECTION_MODEL (self->selection);
}

const char *
_ps_connections_view_get_summary (PsConnectionsView *self)
{
  g_return_val_if_fail (PS_IS_CONNECTIONS_VIEW (self), NULL);

  return gtk_label_get_text (self->summary_label);
}

const char *
_ps_connections_view_get_state (PsConnectionsView *self)
{
  g_return_val_if_fail (PS_IS_CONNECTIONS_VIEW (self), NULL);

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "empty") == 0)
    return "empty";
  return gtk_stack_get_visible_child_name (self->list_stack);
}

GtkColumnViewColumn *
_ps_connections_view_get_column (PsConnectionsView *self,
                                 const char        *id)
{
  g_return_val_if_fail (PS_IS_CONNECTIONS_VIEW (self), NULL);

  for (PsConnectionsColumn i = 0; i < PS_CONNECTIONS_N_COLUMNS; i++)
    if (g_strcmp0 (id, ps_connections_columns_get_id (i)) == 0)
      return self->columns[i];

  return NULL;
}

GObject *
_ps_connections_view_get_export_dialog (PsConnectionsView *self)
{
  g_return_val_if_fail (PS_IS_CONNECTIONS_VIEW (self), NULL);

  return self->chooser;
}

guint
_ps_connections_view_get_n_map_points (PsConnectionsView *self)
{
  g_return_val_if_fail (PS_IS_CONNECTIONS_VIEW (self), 0);

  return g_hash_table_size (self->points);
}
