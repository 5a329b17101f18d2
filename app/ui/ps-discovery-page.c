/* ps-discovery-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-discovery-page"

#include "config.h"

#include <glib/gi18n.h>

#include "ps-device-registry.h"
#include "ps-discovered-row.h"
#include "ps-discovery-page.h"
#include "ps-discovery.h"
#include "ps-onvif-enricher.h"

#define SCAN_MS 4000

struct _PsDiscoveryPage
{
  AdwBin            parent_instance;

  char            **targets;
  char            **known_hosts;
  PsDeviceRegistry *registry;
  PsDiscovery      *discovery;
  GCancellable     *cancellable;
  guint             scan_id;

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

static void
on_row_add_cb (PsDiscoveryPage *self,
               PsDevice        *device)
{
  g_signal_emit (self, signals[ADD_DEVICE], 0, device);
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  PsDiscoveryPage *self = user_data;
  GtkWidget *row = ps_discovered_row_new (PS_DEVICE (item));
  const char * const *addresses = ps_device_get_addresses (PS_DEVICE (item));

  for (guint i = 0; addresses[i] != NULL && self->known_hosts != NULL; i++)
    if (g_strv_contains ((const char * const *) self->known_hosts, addresses[i]))
      ps_discovered_row_set_added (PS_DISCOVERED_ROW (row), TRUE);

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

static void
update_state (PsDiscoveryPage *self)
{
  gboolean scanning = self->discovery != NULL;
  guint n = self->registry != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->registry)) : 0;

  gtk_spinner_set_spinning (self->spinner, scanning);
  gtk_widget_set_visible (self->scanning_box, scanning);
  gtk_widget_set_visible (GTK_WIDGET (self->list), n > 0);
  gtk_stack_set_visible_child_name (self->stack, scanning || n > 0 ? "list" : "empty");
}

static void
stop_scan (PsDiscoveryPage *self)
{
  g_clear_handle_id (&self->scan_id, g_source_remove);
  if (self->discovery != NULL)
    ps_discovery_stop (self->discovery);
  g_clear_object (&self->discovery);
}

static gboolean
scan_done_cb (gpointer user_data)
{
  PsDiscoveryPage *self = user_data;

  self->scan_id = 0;
  stop_scan (self);
  update_state (self);

  return G_SOURCE_REMOVE;
}

static void
on_items_changed_cb (PsDiscoveryPage *self)
{
  update_state (self);
}

static void
ps_discovery_page_dispose (GObject *object)
{
  PsDiscoveryPage *self = (PsDiscoveryPage *) object;

  stop_scan (self);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->registry);

  G_OBJECT_CLASS (ps_discovery_page_parent_class)->dispose (object);
}

static void
ps_discovery_page_finalize (GObject *object)
{
  PsDiscoveryPage *self = (PsDiscoveryPage *) object;

  g_strfreev (self->targets);
  g_strfreev (self->known_hosts);

  G_OBJECT_CLASS (ps_discovery_page_parent_class)->finalize (object);
}

static void
ps_discovery_page_class_init (PsDiscoveryPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ps_discovery_page_dispose;
  object_class->finalize = ps_discovery_page_finalize;

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
}

void
ps_discovery_page_set_known_hosts (PsDiscoveryPage    *self,
                                   const char * const *hosts)
{
  g_return_if_fail (PS_IS_DISCOVERY_PAGE (self));

  g_strfreev (self->known_hosts);
  self->known_hosts = g_strdupv ((char **) hosts);
}

void
ps_discovery_page_scan (PsDiscoveryPage *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (PS_IS_DISCOVERY_PAGE (self));

  stop_scan (self);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  /* a fresh list each scan: what answers now */
  g_clear_object (&self->registry);
  self->registry = ps_device_registry_new ();
  g_signal_connect_object (self->registry, "items-changed",
                           G_CALLBACK (on_items_changed_cb), self, G_CONNECT_SWAPPED);
  gtk_list_box_bind_model (self->list, G_LIST_MODEL (self->registry), create_row, self, NULL);

  self->discovery = ps_discovery_new (self->registry);
  for (guint i = 0; self->targets != NULL && self->targets[i] != NULL; i++)
    if (!ps_discovery_add_target (self->discovery, self->targets[i], &error))
      {
        g_warning ("%s", error->message);
        g_clear_error (&error);
      }
  g_signal_connect_object (self->discovery, "device-seen",
                           G_CALLBACK (on_device_seen_cb), self, G_CONNECT_SWAPPED);

  if (!ps_discovery_start (self->discovery, &error))
    {
      g_warning ("Discovery could not start: %s", error->message);
      g_clear_object (&self->discovery);
    }
  else
    self->scan_id = g_timeout_add (SCAN_MS, scan_done_cb, self);

  update_state (self);
}

gboolean
ps_discovery_page_is_scanning (PsDiscoveryPage *self)
{
  g_return_val_if_fail (PS_IS_DISCOVERY_PAGE (self), FALSE);
  return self->discovery != NULL;
}

GListModel *
ps_discovery_page_get_devices (PsDiscoveryPage *self)
{
  g_return_val_if_fail (PS_IS_DISCOVERY_PAGE (self), NULL);
  return self->registry != NULL ? G_LIST_MODEL (self->registry) : NULL;
}
