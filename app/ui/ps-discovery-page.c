/* ps-discovery-page.c
 *
 * The list is the page's device registry, kept for the page's life: each
 * scan is a round of probes, and while the page is shown a new round
 * follows every ROUND_INTERVAL_MS, the Hello/Bye listener on in between.
 * A device that misses PS_DEVICE_REGISTRY_OFFLINE_ROUNDS rounds (or is
 * silent for PS_DEVICE_REGISTRY_OFFLINE_AGE while discovery listens all
 * along) is dimmed; after PS_DEVICE_REGISTRY_RETENTION it is forgotten,
 * unless the user added it.
 *
 * The cameras of the user's P2P account join the list as the rendezvous
 * server names them (protocol peerscope-p2p, by device id), seen again at
 * every round while they are online there.
 *
 * With a store, the list is remembered: it is read back before the first
 * round (the devices offline until they answer), and written after every
 * round, on a worker thread, in one durable transaction.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-discovery-page"

#include "config.h"

#include <glib/gi18n.h>

#include "ps-add-camera-dialog.h"
#include "ps-device-registry.h"
#include "ps-discovered-row.h"
#include "ps-discovery-page-private.h"
#include "ps-discovery.h"
#include "ps-onvif-enricher.h"
#include "ps-p2p-account.h"
#include "ps-p2p-directory.h"

#define ROUND_MS          4000
#define ROUND_INTERVAL_MS 20000

struct _PsDiscoveryPage
{
  AdwBin            parent_instance;

  char            **targets;
  char            **known_hosts;
  PsDeviceRegistry *registry;
  PsDiscovery      *discovery;
  GCancellable     *cancellable;
  PsStore          *store;
  gboolean          loading;
  gboolean          loaded;
  gboolean          scan_pending;   /* a scan waits for the store */
  guint             round_id;       /* the end of the round under way */
  guint             next_round_id;
  gint64            listening_since;
  guint             round_ms;
  guint             interval_ms;

  PsP2pAccount     *account;
  PsP2pDirectory   *directory;
  PsP2pConfig      *p2p_config;     /* the directory's, while it lists */

  GtkStack         *stack;
  GtkListBox       *list;
  GtkWidget        *scanning_box;
  GtkSpinner       *spinner;
  GtkWidget        *again_button;
};

G_DEFINE_FINAL_TYPE (PsDiscoveryPage, ps_discovery_page, ADW_TYPE_BIN)

enum {
  ADD_DEVICE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void start_round (PsDiscoveryPage *self);

/* The window answers "add-device" with the add dialog, prefilled with the
 * device's name and address; the dialog gets the device too (for its
 * streams) unless the handler already gave it. */
static void
on_row_add_cb (PsDiscoveryPage *self,
               PsDevice        *device)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  g_autoptr(GPtrArray) before = g_ptr_array_new_with_free_func (g_object_unref);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    g_ptr_array_add (before, g_list_model_get_item (toplevels, i));

  g_signal_emit (self, signals[ADD_DEVICE], 0, device);

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (PS_IS_ADD_CAMERA_DIALOG (window) && !g_ptr_array_find (before, window, NULL) &&
          root != NULL && gtk_window_get_transient_for (window) == GTK_WINDOW (root) &&
          ps_add_camera_dialog_get_device (PS_ADD_CAMERA_DIALOG (window)) == NULL)
        ps_add_camera_dialog_set_device (PS_ADD_CAMERA_DIALOG (window), device);
    }
}

/* A device the user added, by one of its addresses. */
static gboolean
is_known (PsDiscoveryPage *self,
          PsDevice        *device)
{
  const char * const *addresses = ps_device_get_addresses (device);

  for (guint i = 0; addresses[i] != NULL && self->known_hosts != NULL; i++)
    if (g_strv_contains ((const char * const *) self->known_hosts, addresses[i]))
      return TRUE;

  return FALSE;
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  GtkWidget *row = ps_discovered_row_new (PS_DEVICE (item));

  g_signal_connect_object (row, "add", G_CALLBACK (on_row_add_cb), user_data,
                           G_CONNECT_SWAPPED);
  return row;
}

static void
on_enriched_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* cameras that want a password first say so here; that is fine */
  if (!ps_onvif_enrich_finish (result, &error))
    g_debug ("%s", error->message);
}

/* Every new ONVIF device: ask it what it is, anonymously. */
static void
on_device_seen_cb (PsDiscoveryPage *self,
                   PsDevice        *device)
{
  if (ps_device_get_xaddrs (device)[0] == NULL || ps_device_get_streams (device)->len > 0 ||
      g_object_get_data (G_OBJECT (device), "ps-enriching") != NULL)
    return;

  g_object_set_data (G_OBJECT (device), "ps-enriching", GINT_TO_POINTER (1));
  ps_onvif_enrich_async (device, NULL, NULL, self->cancellable, on_enriched_cb, NULL);
}

/* The account's cameras online on the rendezvous server, seen now */
static void
add_p2p_sightings (PsDiscoveryPage *self)
{
  GPtrArray *cameras = ps_p2p_directory_get_cameras (self->directory);

  for (guint i = 0; cameras != NULL && i < cameras->len; i++)
    {
      const PsP2pDirectoryCamera *camera = g_ptr_array_index (cameras, i);
      PsSighting *sighting = ps_sighting_new (PS_PROTOCOL_PEERSCOPE_P2P);

      sighting->p2p_uid = g_strdup (camera->device_id);
      sighting->name = g_strdup (camera->name);
      ps_device_registry_add (self->registry, sighting, g_get_real_time ());
      ps_sighting_free (sighting);
    }
}

static void
on_p2p_config_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(PsDiscoveryPage) self = user_data;
  g_autoptr(PsP2pConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  config = ps_p2p_account_load_finish (PS_P2P_ACCOUNT (object), result, &error);
  if (config == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_message ("The P2P account's cameras are not listed: %s", error->message);
      return;
    }
  if (self->discovery == NULL ||
      (self->p2p_config != NULL && ps_p2p_account_config_equal (config, self->p2p_config)))
    return;

  g_clear_pointer (&self->p2p_config, ps_p2p_config_free);
  self->p2p_config = g_steal_pointer (&config);
  ps_p2p_directory_start (self->directory, self->p2p_config);
}

/* While discovery runs: the account's list too, when there is an account */
static void
start_p2p_listing (PsDiscoveryPage *self)
{
  if (!ps_p2p_account_is_set_up (self->account))
    {
      ps_p2p_directory_stop (self->directory);
      g_clear_pointer (&self->p2p_config, ps_p2p_config_free);
      return;
    }
  ps_p2p_account_load_async (self->account, self->cancellable, on_p2p_config_cb,
                             g_object_ref (self));
}

static void
on_account_changed_cb (PsDiscoveryPage *self)
{
  if (self->discovery != NULL)
    start_p2p_listing (self);
}

static void
update_state (PsDiscoveryPage *self)
{
  gboolean scanning = ps_discovery_page_is_scanning (self);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->registry));

  gtk_spinner_set_spinning (self->spinner, scanning);
  gtk_widget_set_visible (self->scanning_box, scanning);
  gtk_widget_set_visible (GTK_WIDGET (self->list), n > 0);
  gtk_stack_set_visible_child_name (self->stack, scanning || n > 0 ? "list" : "empty");
}

static void
stop_discovery (PsDiscoveryPage *self)
{
  g_clear_handle_id (&self->round_id, g_source_remove);
  g_clear_handle_id (&self->next_round_id, g_source_remove);
  if (self->discovery != NULL)
    ps_discovery_stop (self->discovery);
  g_clear_object (&self->discovery);
  if (self->directory != NULL)
    ps_p2p_directory_stop (self->directory);
  g_clear_pointer (&self->p2p_config, ps_p2p_config_free);
}

static void
on_saved_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!ps_store_save_discovered_finish (PS_STORE (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("The cameras found could not be remembered: %s", error->message);
}

static void
save (PsDiscoveryPage *self,
      gint64           now_us)
{
  g_autoptr(GPtrArray) devices = g_ptr_array_new_with_free_func (g_object_unref);
  GListModel *model = G_LIST_MODEL (self->registry);

  if (self->store == NULL || !self->loaded)
    return;

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    g_ptr_array_add (devices, g_list_model_get_item (model, i));
  ps_store_save_discovered_async (self->store, devices, now_us - PS_DEVICE_REGISTRY_RETENTION,
                                  NULL, on_saved_cb, NULL);
}

static gboolean
next_round_cb (gpointer user_data)
{
  PsDiscoveryPage *self = user_data;

  self->next_round_id = 0;
  start_round (self);

  return G_SOURCE_REMOVE;
}

static gboolean
round_done_cb (gpointer user_data)
{
  PsDiscoveryPage *self = user_data;
  gint64 now = g_get_real_time ();

  self->round_id = 0;
  ps_device_registry_end_round (self->registry, now);
  if (now - self->listening_since >= PS_DEVICE_REGISTRY_OFFLINE_AGE)
    ps_device_registry_expire (self->registry, now, PS_DEVICE_REGISTRY_OFFLINE_AGE);
  ps_device_registry_prune (self->registry, now, PS_DEVICE_REGISTRY_RETENTION);
  save (self, now);

  /* go on while the page is shown, quiet otherwise */
  if (self->interval_ms > 0 && gtk_widget_get_mapped (GTK_WIDGET (self)))
    self->next_round_id = g_timeout_add (self->interval_ms, next_round_cb, self);
  else
    stop_discovery (self);

  update_state (self);

  return G_SOURCE_REMOVE;
}

static void
start_round (PsDiscoveryPage *self)
{
  g_autoptr(GError) error = NULL;

  g_clear_handle_id (&self->next_round_id, g_source_remove);
  g_clear_handle_id (&self->round_id, g_source_remove);

  if (self->discovery == NULL)
    {
      self->discovery = ps_discovery_new (self->registry);
      for (guint i = 0; self->targets != NULL && self->targets[i] != NULL; i++)
        if (!ps_discovery_add_target (self->discovery, self->targets[i], &error))
          {
            g_warning ("%s", error->message);
            g_clear_error (&error);
          }
      g_signal_connect_object (self->discovery, "device-seen",
                               G_CALLBACK (on_device_seen_cb), self, G_CONNECT_SWAPPED);

      ps_device_registry_begin_round (self->registry, g_get_real_time ());
      if (!ps_discovery_start (self->discovery, &error))
        {
          g_warning ("Discovery could not start: %s", error->message);
          g_clear_object (&self->discovery);
          update_state (self);
          return;
        }
      self->listening_since = g_get_real_time ();
      start_p2p_listing (self);
    }
  else
    {
      ps_device_registry_begin_round (self->registry, g_get_real_time ());
      ps_discovery_probe (self->discovery);
    }
  add_p2p_sightings (self);

  self->round_id = g_timeout_add (self->round_ms, round_done_cb, self);
  update_state (self);
}

static void
on_loaded_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(PsDiscoveryPage) self = user_data;
  g_autoptr(GPtrArray) devices = NULL;
  g_autoptr(GError) error = NULL;

  devices = ps_store_load_discovered_finish (PS_STORE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->loading = FALSE;
  self->loaded = TRUE;
  if (devices == NULL)
    g_warning ("The cameras found before could not be read: %s", error->message);

  for (guint i = 0; devices != NULL && i < devices->len; i++)
    {
      PsDevice *device = g_ptr_array_index (devices, i);

      if (self->known_hosts != NULL)
        ps_device_set_paired (device, is_known (self, device));
      ps_device_registry_restore (self->registry, device);
    }

  if (self->scan_pending)
    {
      self->scan_pending = FALSE;
      start_round (self);
    }
  update_state (self);
}

static void
on_items_changed_cb (PsDiscoveryPage *self,
                     guint            position,
                     guint            removed,
                     guint            added)
{
  for (guint i = position; i < position + added && self->known_hosts != NULL; i++)
    {
      g_autoptr(PsDevice) device = g_list_model_get_item (G_LIST_MODEL (self->registry), i);

      if (is_known (self, device))
        ps_device_set_paired (device, TRUE);
    }

  update_state (self);
}

static void
ps_discovery_page_unmap (GtkWidget *widget)
{
  PsDiscoveryPage *self = PS_DISCOVERY_PAGE (widget);

  /* between rounds: nothing more until the next scan */
  if (self->round_id == 0)
    stop_discovery (self);

  GTK_WIDGET_CLASS (ps_discovery_page_parent_class)->unmap (widget);
}

static void
ps_discovery_page_dispose (GObject *object)
{
  PsDiscoveryPage *self = (PsDiscoveryPage *) object;

  stop_discovery (self);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_object (&self->directory);
  g_clear_object (&self->account);

  G_OBJECT_CLASS (ps_discovery_page_parent_class)->dispose (object);
}

static void
ps_discovery_page_finalize (GObject *object)
{
  PsDiscoveryPage *self = (PsDiscoveryPage *) object;

  g_strfreev (self->targets);
  g_strfreev (self->known_hosts);
  g_clear_object (&self->registry);

  G_OBJECT_CLASS (ps_discovery_page_parent_class)->finalize (object);
}

static void
ps_discovery_page_class_init (PsDiscoveryPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ps_discovery_page_dispose;
  object_class->finalize = ps_discovery_page_finalize;
  widget_class->unmap = ps_discovery_page_unmap;

  /* (device): the user wants to add this camera */
  signals[ADD_DEVICE] =
    g_signal_new ("add-device", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, PS_TYPE_DEVICE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/peerscope/Peerscope/ps-discovery-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PsDiscoveryPage, stack);
  gtk_widget_class_bind_template_child (widget_class, PsDiscoveryPage, list);
  gtk_widget_class_bind_template_child (widget_class, PsDiscoveryPage, scanning_box);
  gtk_widget_class_bind_template_child (widget_class, PsDiscoveryPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, PsDiscoveryPage, again_button);
}

static void
ps_discovery_page_init (PsDiscoveryPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->round_ms = ROUND_MS;
  self->interval_ms = ROUND_INTERVAL_MS;
  self->cancellable = g_cancellable_new ();
  self->registry = ps_device_registry_new ();
  g_signal_connect_object (self->registry, "items-changed",
                           G_CALLBACK (on_items_changed_cb), self, G_CONNECT_SWAPPED);
  gtk_list_box_bind_model (self->list, G_LIST_MODEL (self->registry), create_row, self, NULL);

  self->account = g_object_ref (ps_p2p_account_get_default ());
  self->directory = ps_p2p_directory_new ();
  g_signal_connect_object (self->directory, "changed", G_CALLBACK (add_p2p_sightings), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->account, "changed", G_CALLBACK (on_account_changed_cb), self,
                           G_CONNECT_SWAPPED);

  g_signal_connect_object (self->again_button, "clicked",
                           G_CALLBACK (ps_discovery_page_scan), self, G_CONNECT_SWAPPED);
  update_state (self);
}

void
ps_discovery_page_set_targets (PsDiscoveryPage    *self,
                               const char * const *targets)
{
  g_return_if_fail (PS_IS_DISCOVERY_PAGE (self));

  g_strfreev (self->targets);
  self->targets = g_strdupv ((char **) targets);
  /* other targets: other sockets */
  stop_discovery (self);
  update_state (self);
}

void
ps_discovery_page_set_known_hosts (PsDiscoveryPage    *self,
                                   const char * const *hosts)
{
  GListModel *model;

  g_return_if_fail (PS_IS_DISCOVERY_PAGE (self));

  g_strfreev (self->known_hosts);
  self->known_hosts = g_strdupv ((char **) hosts);

  /* the list of added cameras is the whole truth: a camera removed from
   * Peerscope is a device like any other again */
  model = G_LIST_MODEL (self->registry);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(PsDevice) device = g_list_model_get_item (model, i);

      ps_device_set_paired (device, is_known (self, device));
    }
}

void
ps_discovery_page_set_store (PsDiscoveryPage *self,
                             PsStore         *store)
{
  g_return_if_fail (PS_IS_DISCOVERY_PAGE (self));
  g_return_if_fail (store == NULL || PS_IS_STORE (store));

  g_set_object (&self->store, store);
  self->loaded = FALSE;
}

void
ps_discovery_page_scan (PsDiscoveryPage *self)
{
  g_return_if_fail (PS_IS_DISCOVERY_PAGE (self));

  /* the LAN's cameras are remembered; a directed scan (the demo's) is not */
  if (self->store == NULL && self->targets == NULL && !self->loaded)
    {
      g_autoptr(GError) error = NULL;

      self->store = ps_store_open (NULL, &error);
      if (self->store == NULL)
        {
          g_warning ("The cameras found will not be remembered: %s", error->message);
          self->loaded = TRUE;
        }
    }

  if (self->store != NULL && !self->loaded)
    {
      self->scan_pending = TRUE;
      if (!self->loading)
        {
          self->loading = TRUE;
          ps_store_load_discovered_async (self->store,
                                          g_get_real_time () - PS_DEVICE_REGISTRY_RETENTION,
                                          self->cancellable, on_loaded_cb, g_object_ref (self));
        }
      update_state (self);
      return;
    }

  start_round (self);
}

gboolean
ps_discovery_page_is_scanning (PsDiscoveryPage *self)
{
  g_return_val_if_fail (PS_IS_DISCOVERY_PAGE (self), FALSE);
  return self->round_id != 0 || self->scan_pending;
}

GListModel *
ps_discovery_page_get_devices (PsDiscoveryPage *self)
{
  g_return_val_if_fail (PS_IS_DISCOVERY_PAGE (self), NULL);
  return G_LIST_MODEL (self->registry);
}

void
_ps_discovery_page_set_timing (PsDiscoveryPage *self,
                               guint            round_ms,
                               guint            interval_ms)
{
  g_return_if_fail (PS_IS_DISCOVERY_PAGE (self));
  g_return_if_fail (round_ms > 0);

  self->round_ms = round_ms;
  self->interval_ms = interval_ms;
}
