/* ps-discovered-row.c
 *
 * One device discovery found. A device that went silent (it said Bye, or
 * missed scan rounds) stays in the list, dimmed, saying when it was last
 * seen; a paired one says "Added" instead of offering Add.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-discovered-row"

#include "config.h"

#include <glib/gi18n.h>

#include "ps-discovered-row.h"
#include "ps-p2p-identity.h"

struct _PsDiscoveredRow
{
  AdwActionRow  parent_instance;

  PsDevice     *device;
  GtkWidget    *badges;
  GtkWidget    *add_button;
  GtkWidget    *added_label;
  gboolean      added;         /* set_added () */
};

G_DEFINE_FINAL_TYPE (PsDiscoveredRow, ps_discovered_row, ADW_TYPE_ACTION_ROW)

enum {
  ADD,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const struct {
  PsProtocol  protocol;
  const char *label;
} protocol_badges[] = {
  { PS_PROTOCOL_ONVIF, "ONVIF" },
  { PS_PROTOCOL_RTSP, "RTSP" },
  { PS_PROTOCOL_MDNS, "mDNS" },
  { PS_PROTOCOL_SSDP, "UPnP" },
};

static void
add_badge (PsDiscoveredRow *self,
           const char      *text,
           const char      *css_class,
           const char      *tooltip)
{
  GtkWidget *badge = gtk_label_new (text);

  gtk_widget_add_css_class (badge, "badge");
  if (css_class != NULL)
    gtk_widget_add_css_class (badge, css_class);
  gtk_widget_set_valign (badge, GTK_ALIGN_CENTER);
  if (tooltip != NULL)
    {
      gtk_widget_set_tooltip_text (badge, tooltip);
      gtk_accessible_update_property (GTK_ACCESSIBLE (badge),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, tooltip, -1);
    }
  gtk_box_append (GTK_BOX (self->badges), badge);
}

char *
ps_discovered_row_format_not_seen (gint64 last_seen_us,
                                   gint64 now_us)
{
  g_autoptr(GDateTime) then = g_date_time_new_from_unix_local (last_seen_us / G_USEC_PER_SEC);
  g_autoptr(GDateTime) now = g_date_time_new_from_unix_local (now_us / G_USEC_PER_SEC);
  g_autofree char *when = NULL;
  const char *format;

  if (then == NULL || now == NULL)
    return g_strdup (_("Not seen lately"));

  if (g_date_time_get_year (then) == g_date_time_get_year (now) &&
      g_date_time_get_day_of_year (then) == g_date_time_get_day_of_year (now))
    /* Translators: a time of day today, in strftime(3) format */
    format = _("%H:%M");
  else if (g_date_time_get_year (then) == g_date_time_get_year (now))
    /* Translators: a day of this year, in strftime(3) format */
    format = _("%-d %B");
  else
    /* Translators: a day of another year, in strftime(3) format */
    format = _("%-d %B %Y");

  when = g_date_time_format (then, format);
  if (when == NULL)
    return g_strdup (_("Not seen lately"));

  /* Translators: %s is a time today ("14:05") or a day ("3 May") */
  return g_strdup_printf (_("Not seen since %s"), when);
}

static void
update (PsDiscoveredRow *self)
{
  const char * const *addresses = ps_device_get_addresses (self->device);
  const char *model = ps_device_get_model (self->device);
  const char *uid = ps_device_get_p2p_uid (self->device);
  const char *peerscope_id = ps_device_get_peerscope_id (self->device);
  gboolean online = ps_device_get_online (self->device);
  gboolean added = self->added || ps_device_get_paired (self->device);
  g_autofree char *subtitle = NULL;
  GtkWidget *child;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), ps_device_get_name (self->device));
  if (model != NULL && addresses[0] != NULL)
    /* Translators: "model · address" */
    subtitle = g_strdup_printf (_("%s · %s"), model, addresses[0]);
  else if (addresses[0] == NULL && model == NULL && peerscope_id != NULL)
    {
      g_autofree char *grouped = ps_p2p_device_id_format (peerscope_id);

      /* Translators: %s is a P2P device id, in groups of four hex digits */
      subtitle = g_strdup_printf (_("Device ID %s"), grouped);
    }
  else
    subtitle = g_strdup (addresses[0] != NULL ? addresses[0] : model);
  if (!online)
    {
      g_autofree char *not_seen = NULL;
      g_autofree char *where = g_steal_pointer (&subtitle);

      not_seen = ps_discovered_row_format_not_seen (ps_device_get_last_seen (self->device),
                                                    g_get_real_time ());
      /* Translators: "Not seen since 14:05 · model · address" */
      subtitle = where != NULL ? g_strdup_printf (_("%s · %s"), not_seen, where)
                               : g_steal_pointer (&not_seen);
    }
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), subtitle);

  /* silent devices stay listed, dimmed: they may be off or unplugged */
  if (online)
    gtk_widget_remove_css_class (GTK_WIDGET (self), "dim-label");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self), "dim-label");
  gtk_widget_set_visible (self->add_button, !added);
  gtk_widget_set_visible (self->added_label, added);

  while ((child = gtk_widget_get_first_child (self->badges)) != NULL)
    gtk_box_remove (GTK_BOX (self->badges), child);

  /* the first thing a worried user wants to know */
  if (uid != NULL)
    {
      g_autofree char *tooltip = NULL;
      const char *network = ps_device_get_p2p_network (self->device);

      /* Translators: %s is "cs2" or "kalay", then the device's P2P id */
      tooltip = g_strdup_printf (_("Answers its vendor’s P2P search (%s network, id %s): it "
                                   "can reach servers on the internet through your router"),
                                 network != NULL ? network : "?", uid);
      add_badge (self, _("Vendor P2P"), "warning", tooltip);
    }

  if (peerscope_id != NULL)
    add_badge (self, _("Your P2P"), "success",
               _("On your own P2P account: it can be watched from anywhere, with no vendor "
                 "server in between"));
  for (guint i = 0; i < G_N_ELEMENTS (protocol_badges); i++)
    if (ps_device_has_protocol (self->device, protocol_badges[i].protocol))
      add_badge (self, protocol_badges[i].label, NULL, NULL);

  gtk_widget_set_sensitive (self->add_button, ps_device_get_xaddrs (self->device)[0] != NULL ||
                                              addresses[0] != NULL || peerscope_id != NULL);
  {
    /* Translators: accessible name of the Add button of one camera */
    g_autofree char *label = g_strdup_printf (_("Add %s"), ps_device_get_name (self->device));

    gtk_accessible_update_property (GTK_ACCESSIBLE (self->add_button),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  }
}

static void
on_add_clicked_cb (PsDiscoveredRow *self)
{
  g_signal_emit (self, signals[ADD], 0, self->device);
}

static void
ps_discovered_row_dispose (GObject *object)
{
  PsDiscoveredRow *self = (PsDiscoveredRow *) object;

  g_clear_object (&self->device);

  G_OBJECT_CLASS (ps_discovered_row_parent_class)->dispose (object);
}

static void
ps_discovered_row_class_init (PsDiscoveredRowClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ps_discovered_row_dispose;

  signals[ADD] =
    g_signal_new ("add", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, PS_TYPE_DEVICE);
}

static void
ps_discovered_row_init (PsDiscoveredRow *self)
{
  self->badges = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_valign (self->badges, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (self), self->badges);

  self->add_button = gtk_button_new_with_mnemonic (_("_Add"));
  gtk_widget_set_valign (self->add_button, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (self), self->add_button);
  g_signal_connect_object (self->add_button, "clicked",
                           G_CALLBACK (on_add_clicked_cb), self, G_CONNECT_SWAPPED);

  self->added_label = gtk_label_new (_("Added"));
  gtk_widget_add_css_class (self->added_label, "dim-label");
  gtk_widget_set_visible (self->added_label, FALSE);
  adw_action_row_add_suffix (ADW_ACTION_ROW (self), self->added_label);
}

void
ps_discovered_row_set_added (PsDiscoveredRow *self,
                             gboolean         added)
{
  g_return_if_fail (PS_IS_DISCOVERED_ROW (self));

  self->added = added;
  update (self);
}

GtkWidget *
ps_discovered_row_new (PsDevice *device)
{
  PsDiscoveredRow *self;

  g_return_val_if_fail (PS_IS_DEVICE (device), NULL);

  self = g_object_new (PS_TYPE_DISCOVERED_ROW, NULL);
  self->device = g_object_ref (device);
  g_signal_connect_object (device, "changed", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (device, "notify::online", G_CALLBACK (update), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (device, "notify::paired", G_CALLBACK (update), self,
                           G_CONNECT_SWAPPED);
  update (self);

  return GTK_WIDGET (self);
}

PsDevice *
ps_discovered_row_get_device (PsDiscoveredRow *self)
{
  g_return_val_if_fail (PS_IS_DISCOVERED_ROW (self), NULL);
  return self->device;
}
