/* ps-connections-columns.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-connections-columns"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ps-connections-columns.h"

struct _PsConnectionsColumns
{
  gatomicrefcount  ref_count;
  GHashTable      *clock_cells;    /* bound cells that show a relative time */
};

/* ---- words ----------------------------------------------------------------------------- */

const char *
ps_connections_columns_kind_label (PsPeerKind kind)
{
  switch (kind)
    {
    case PS_PEER_KIND_P2P_SUPERNODE:
      return C_("peer class", "P2P server");
    case PS_PEER_KIND_VENDOR_CLOUD:
      return C_("peer class", "Vendor cloud");
    case PS_PEER_KIND_STUN_TURN:
      return C_("peer class", "STUN/TURN");
    case PS_PEER_KIND_NTP:
      return C_("peer class", "Time (NTP)");
    case PS_PEER_KIND_DNS:
      return C_("peer class", "DNS");
    case PS_PEER_KIND_LAN_DISCOVERY:
      return C_("peer class", "LAN discovery");
    case PS_PEER_KIND_VIEWER:
      return C_("peer class", "Viewer");
    case PS_PEER_KIND_LAN:
      return C_("peer class", "Local network");
    case PS_PEER_KIND_UNKNOWN:
    default:
      return C_("peer class", "Unknown");
    }
}

/* the order of the Class column: the most worrying first */
static int
kind_rank (PsPeerKind kind)
{
  static const int ranks[] = {
    [PS_PEER_KIND_P2P_SUPERNODE] = 0,
    [PS_PEER_KIND_VENDOR_CLOUD] = 1,
    [PS_PEER_KIND_STUN_TURN] = 2,
    [PS_PEER_KIND_UNKNOWN] = 3,
    [PS_PEER_KIND_NTP] = 4,
    [PS_PEER_KIND_DNS] = 5,
    [PS_PEER_KIND_LAN_DISCOVERY] = 6,
    [PS_PEER_KIND_VIEWER] = 7,
    [PS_PEER_KIND_LAN] = 8,
  };

  return (guint) kind < G_N_ELEMENTS (ranks) ? ranks[kind] : 3;
}

/**
 * ps_connections_columns_flag:
 * @country_code: (nullable): an ISO 3166-1 alpha-2 code
 *
 * Returns: (transfer full) (nullable): the flag emoji (two regional indicator symbols), or
 *   %NULL when @country_code is not two letters
 */
char *
ps_connections_columns_flag (const char *country_code)
{
  char flag[16];
  int len;

  if (country_code == NULL || !g_ascii_isalpha (country_code[0])
      || !g_ascii_isalpha (country_code[1]) || country_code[2] != '\0')
    return NULL;

  len = g_unichar_to_utf8 (0x1F1E6 + (g_ascii_toupper (country_code[0]) - 'A'), flag);
  len += g_unichar_to_utf8 (0x1F1E6 + (g_ascii_toupper (country_code[1]) - 'A'), flag + len);
  return g_strndup (flag, len);
}

/**
 * ps_connections_columns_relative_time:
 * @unix_ms: a time in ms since the epoch, 0 when unknown
 * @now_ms: the time now
 *
 * Returns: (transfer full): "Just now", "2 min ago", "3 hours ago", "4 days ago" or a date
 */
char *
ps_connections_columns_relative_time (gint64 unix_ms,
                                      gint64 now_ms)
{
  gint64 seconds;
  guint n;

  if (unix_ms <= 0)
    return g_strdup ("—");

  seconds = (now_ms - unix_ms) / 1000;
  if (seconds < 60)
    return g_strdup (_("Just now"));

  if (seconds < 60 * 60)
    {
      n = seconds / 60;
      /* Translators: a time in the past, in minutes */
      return g_strdup_printf (ngettext ("%u min ago", "%u min ago", n), n);
    }

  if (seconds < 24 * 60 * 60)
    {
      n = seconds / (60 * 60);
      return g_strdup_printf (ngettext ("%u hour ago", "%u hours ago", n), n);
    }

  if (seconds < 30 * 24 * 60 * 60)
    {
      n = seconds / (24 * 60 * 60);
      return g_strdup_printf (ngettext ("%u day ago", "%u days ago", n), n);
    }

  {
    g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (unix_ms / 1000);

    if (time == NULL)
      return g_strdup ("—");
    /* Translators: a date, in the format of g_date_time_format() */
    /* xgettext:no-c-format */
    return g_date_time_format (time, _("%b %-e, %Y"));
  }
}

static char *
format_date_time (gint64 unix_ms)
{
  g_autoptr(GDateTime) time = NULL;

  if (unix_ms <= 0)
    return NULL;

  time = g_date_time_new_from_unix_local (unix_ms / 1000);
  if (time == NULL)
    return NULL;
  /* Translators: a date and time, in the format of g_date_time_format() */
  /* xgettext:no-c-format */
  return g_date_time_format (time, _("%b %-e, %Y, %H:%M:%S"));
}

char *
ps_connections_columns_endpoint (PsPeer *peer)
{
  const char *address = ps_peer_get_address_string (peer);
  const char *protocol = ps_peer_get_protocol_name (peer);

  if (ps_peer_get_port (peer) == 0)
    return g_strdup_printf ("%s/%s", address, protocol);
  /* a peer that comes to the camera: the port is the camera's */
  if (ps_peer_get_inbound (peer))
    return g_strdup_printf ("%s → :%u/%s", address, ps_peer_get_port (peer), protocol);
  if (ps_peer_get_address (peer)->family == 6)
    return g_strdup_printf ("[%s]:%u/%s", address, ps_peer_get_port (peer), protocol);
  return g_strdup_printf ("%s:%u/%s", address, ps_peer_get_port (peer), protocol);
}

const char *
ps_connections_columns_country (PsPeer *peer)
{
  const char *name = ps_peer_get_country_name (peer);

  if (name != NULL && *name != '\0')
    return name;
  name = ps_peer_get_country (peer);
  if (name != NULL && *name != '\0')
    return name;
  return NULL;
}

guint64
ps_connections_columns_traffic (PsPeer *peer)
{
  return ps_peer_get_bytes_out (peer) + ps_peer_get_bytes_in (peer);
}

/* ---- cells ----------------------------------------------------------------------------- */

typedef struct
{
  const char *id;
  const char *title;
  const char *notify[3];             /* the properties the cell shows */
  GtkWidget *(*create) (void);
  void       (*update) (GtkWidget *cell,
                        PsPeer    *peer);
  gboolean    expand;
  gboolean    clock;                 /* shows a relative time */
  gboolean    descending_first;      /* "Sort By" starts with the largest */
} ColumnSpec;

static GtkWidget *
new_label (float       xalign,
           const char *css_class)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), xalign);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  return label;
}

static GtkWidget *
create_two_lines (void)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *subtitle = new_label (0, "dim-label");

  gtk_widget_add_css_class (subtitle, "caption");
  gtk_box_append (GTK_BOX (box), new_label (0, NULL));
  gtk_box_append (GTK_BOX (box), subtitle);
  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
  return box;
}

static void
set_two_lines (GtkWidget  *box,
               const char *title,
               const char *subtitle)
{
  GtkWidget *first = gtk_widget_get_first_child (box);
  GtkWidget *second = gtk_widget_get_next_sibling (first);

  gtk_label_set_text (GTK_LABEL (first), title != NULL ? title : "");
  gtk_label_set_text (GTK_LABEL (second), subtitle != NULL ? subtitle : "");
  /* one line alone is centred like the other cells */
  gtk_widget_set_visible (second, subtitle != NULL && *subtitle != '\0');
}

/* the address is what the row is about: never cut */
static GtkWidget *
create_peer (void)
{
  GtkWidget *box = create_two_lines ();

  gtk_label_set_ellipsize (GTK_LABEL (gtk_widget_get_first_child (box)), PANGO_ELLIPSIZE_NONE);
  return box;
}

/* the network is the column that gives way, but shows a word or two */
static GtkWidget *
create_network (void)
{
  GtkWidget *box = create_two_lines ();

  gtk_label_set_width_chars (GTK_LABEL (gtk_widget_get_first_child (box)), 12);
  return box;
}

static GtkWidget *
create_text (void)
{
  return new_label (0, NULL);
}

static GtkWidget *
create_country (void)
{
  GtkWidget *label = new_label (0, NULL);

  /* "🇬🇧 United Kingdom" fits; "Democratic Republic of the Congo" does not */
  gtk_label_set_width_chars (GTK_LABEL (label), 13);
  return label;
}

static GtkWidget *
create_number (void)
{
  GtkWidget *label = new_label (1, "numeric");

  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_NONE);
  return label;
}

static GtkWidget *
create_badge (void)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_widget_set_halign (label, GTK_ALIGN_START);
  gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
  return label;
}

static void
update_peer (GtkWidget *cell,
             PsPeer    *peer)
{
  g_autofree char *endpoint = ps_connections_columns_endpoint (peer);
  g_autofree char *tooltip = NULL;
  g_autofree char *second = NULL;
  const char *hostname = ps_peer_get_hostname (peer);
  const char *dns_name = ps_peer_get_dns_name (peer);
  const char *name = dns_name != NULL ? dns_name : hostname;

  /* a server the camera reached with no lookup has its address built in */
  if (ps_peer_get_dns_lookup (peer) == PS_PEER_DNS_LOOKUP_NO)
    /* Translators: under a peer's address: it was contacted without a DNS lookup */
    second = name != NULL ? g_strdup_printf (_("%s · no DNS lookup"), name)
                          : g_strdup (_("No DNS lookup"));
  else
    second = g_strdup (name);

  set_two_lines (cell, endpoint, second);
  if (ps_peer_get_inbound (peer))
    /* Translators: the tooltip of a peer that connects to a service of the camera */
    tooltip = g_strdup_printf (_("%s connects to the camera’s port %u"),
                               ps_peer_get_address_string (peer), ps_peer_get_port (peer));
  else if (ps_peer_get_dns_lookup (peer) == PS_PEER_DNS_LOOKUP_NO)
    tooltip = g_strdup_printf ("%s\n%s", endpoint,
                               _("The camera reached this address without looking up a name: "
                                 "the address is built into it"));
  else if (name != NULL)
    tooltip = g_strdup_printf ("%s\n%s", endpoint, name);
  gtk_widget_set_tooltip_text (cell, tooltip);
}

static void
update_country (GtkWidget *cell,
                PsPeer    *peer)
{
  g_autofree char *flag = ps_connections_columns_flag (ps_peer_get_country (peer));
  g_autofree char *text = NULL;
  const char *name = ps_connections_columns_country (peer);

  if (name == NULL)
    {
      gboolean local = ps_ip_address_is_local (ps_peer_get_address (peer));

      /* a host on this network is in no country worth naming */
      gtk_label_set_text (GTK_LABEL (cell), local ? "—" : C_("country", "Unknown"));
      gtk_widget_set_tooltip_text (cell, local ? _("A host on the local network") : NULL);
      gtk_widget_add_css_class (cell, "dim-label");
      return;
    }

  text = flag != NULL ? g_strdup_printf ("%s %s", flag, name) : g_strdup (name);
  gtk_label_set_text (GTK_LABEL (cell), text);
  gtk_widget_set_tooltip_text (cell, name);
  gtk_widget_remove_css_class (cell, "dim-label");
}

static void
update_network (GtkWidget *cell,
                PsPeer    *peer)
{
  const char *org = ps_peer_get_org (peer);
  char asn[16] = "";

  if (ps_peer_get_asn (peer) != 0)
    g_snprintf (asn, sizeof asn, "AS%u", ps_peer_get_asn (peer));

  if (org != NULL && *org != '\0')
    set_two_lines (cell, org, asn);
  else if (asn[0] != '\0')
    set_two_lines (cell, asn, NULL);
  else if (ps_ip_address_is_local (ps_peer_get_address (peer)))
    set_two_lines (cell, C_("network", "Local network"), NULL);
  else
    set_two_lines (cell, C_("network", "Unknown"), NULL);

  gtk_widget_set_tooltip_text (cell, org != NULL && *org != '\0' ? org : NULL);
}

static void
update_class (GtkWidget *cell,
              PsPeer    *peer)
{
  PsPeerKind kind = ps_peer_get_kind (peer);
  const char *reason = ps_peer_get_class_reason (peer);
  const char *classes[] = { "badge", "peer-class", ps_peer_kind_to_string (kind), NULL };

  gtk_label_set_text (GTK_LABEL (cell), ps_connections_columns_kind_label (kind));
  gtk_widget_set_css_classes (cell, classes);
  gtk_widget_set_tooltip_text (cell, reason);
  if (reason != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (cell),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, reason, -1);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (cell), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
}

static void
set_size (GtkWidget *cell,
          guint64    bytes)
{
  g_autofree char *size = g_format_size (bytes);

  gtk_label_set_text (GTK_LABEL (cell), size);
  if (bytes == 0)
    gtk_widget_add_css_class (cell, "dim-label");
  else
    gtk_widget_remove_css_class (cell, "dim-label");
}

static void
update_sent (GtkWidget *cell,
             PsPeer    *peer)
{
  set_size (cell, ps_peer_get_bytes_out (peer));
}

static void
update_received (GtkWidget *cell,
                 PsPeer    *peer)
{
  set_size (cell, ps_peer_get_bytes_in (peer));
}

static void
set_time (GtkWidget *cell,
          gint64     unix_ms)
{
  g_autofree char *relative = ps_connections_columns_relative_time (unix_ms,
                                                                    g_get_real_time () / 1000);
  g_autofree char *absolute = format_date_time (unix_ms);

  gtk_label_set_text (GTK_LABEL (cell), relative);
  gtk_widget_set_tooltip_text (cell, absolute);
}

static void
update_first_seen (GtkWidget *cell,
                   PsPeer    *peer)
{
  set_time (cell, ps_peer_get_first_seen (peer));
}

static void
update_last_seen (GtkWidget *cell,
                  PsPeer    *peer)
{
  set_time (cell, ps_peer_get_last_seen (peer));
}

static void
update_blocked (GtkWidget *cell,
                PsPeer    *peer)
{
  guint64 attempts = ps_peer_get_blocked_attempts (peer);
  char text[24];

  g_snprintf (text, sizeof text, "%" G_GUINT64_FORMAT, attempts);
  gtk_label_set_text (GTK_LABEL (cell), text);
  if (attempts > 0)
    {
      gtk_widget_remove_css_class (cell, "dim-label");
      gtk_widget_add_css_class (cell, "error");
    }
  else
    {
      gtk_widget_remove_css_class (cell, "error");
      gtk_widget_add_css_class (cell, "dim-label");
    }
}

static const ColumnSpec column_specs[PS_CONNECTIONS_N_COLUMNS] = {
  [PS_CONNECTIONS_COLUMN_PEER] = { "peer", N_("Peer"), { "hostname", "dns-name" },
                    create_peer, update_peer, FALSE, FALSE, FALSE },
  [PS_CONNECTIONS_COLUMN_COUNTRY] = { "country", N_("Country"), { "country" },
                       create_country, update_country, FALSE, FALSE, FALSE },
  [PS_CONNECTIONS_COLUMN_NETWORK] = { "network", N_("Network"), { "org", "country" },
                       create_network, update_network, TRUE, FALSE, FALSE },
  [PS_CONNECTIONS_COLUMN_CLASS] = { "class", N_("Class"), { "class", "hostname" },
                     create_badge, update_class, FALSE, FALSE, FALSE },
  [PS_CONNECTIONS_COLUMN_SENT] = { "sent", N_("Sent"), { "bytes-out" },
                    create_number, update_sent, FALSE, FALSE, TRUE },
  [PS_CONNECTIONS_COLUMN_RECEIVED] = { "received", N_("Received"), { "bytes-in" },
                        create_number, update_received, FALSE, FALSE, TRUE },
  [PS_CONNECTIONS_COLUMN_FIRST_SEEN] = { "first-seen", N_("First Seen"), { "last-seen" },
                          create_text, update_first_seen, FALSE, TRUE, TRUE },
  [PS_CONNECTIONS_COLUMN_LAST_SEEN] = { "last-seen", N_("Last Seen"), { "last-seen" },
                         create_text, update_last_seen, FALSE, TRUE, TRUE },
  [PS_CONNECTIONS_COLUMN_BLOCKED] = { "blocked", N_("Blocked"), { "blocked-attempts" },
                       create_number, update_blocked, FALSE, FALSE, TRUE },
};

static void
on_cell_notify_cb (PsPeer     *peer,
                   GParamSpec *pspec,
                   GtkWidget  *cell)
{
  const ColumnSpec *spec = g_object_get_data (G_OBJECT (cell), "ps-column");

  spec->update (cell, peer);
}

static void
on_setup_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             const ColumnSpec         *spec)
{
  GtkWidget *cell = spec->create ();

  g_object_set_data (G_OBJECT (cell), "ps-column", (gpointer) spec);
  gtk_list_item_set_child (item, cell);
}

static void
on_bind_cb (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            const ColumnSpec         *spec)
{
  PsConnectionsColumns *self = g_object_get_data (G_OBJECT (factory), "ps-connections-columns");
  PsPeer *peer = gtk_list_item_get_item (item);
  GtkWidget *cell = gtk_list_item_get_child (item);
  GArray *handlers = g_array_new (FALSE, FALSE, sizeof (gulong));

  spec->update (cell, peer);

  for (guint i = 0; i < G_N_ELEMENTS (spec->notify) && spec->notify[i] != NULL; i++)
    {
      g_autofree char *signal = g_strconcat ("notify::", spec->notify[i], NULL);
      gulong id = g_signal_connect_object (peer, signal, G_CALLBACK (on_cell_notify_cb), cell, 0);

      g_array_append_val (handlers, id);
    }
  g_object_set_data_full (G_OBJECT (cell), "ps-handlers", handlers, (GDestroyNotify) g_array_unref);
  g_object_set_data_full (G_OBJECT (cell), "ps-peer", g_object_ref (peer), g_object_unref);

  if (spec->clock)
    g_hash_table_add (self->clock_cells, cell);
}

/* on unbind, and on teardown in case a row goes without an unbind */
static void
on_unbind_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              const ColumnSpec         *spec)
{
  PsConnectionsColumns *self = g_object_get_data (G_OBJECT (factory), "ps-connections-columns");
  GtkWidget *cell = gtk_list_item_get_child (item);
  PsPeer *peer;
  GArray *handlers;

  if (cell == NULL)
    return;

  peer = g_object_get_data (G_OBJECT (cell), "ps-peer");
  handlers = g_object_get_data (G_OBJECT (cell), "ps-handlers");

  g_hash_table_remove (self->clock_cells, cell);

  for (guint i = 0; peer != NULL && handlers != NULL && i < handlers->len; i++)
    g_signal_handler_disconnect (peer, g_array_index (handlers, gulong, i));
  g_object_set_data (G_OBJECT (cell), "ps-handlers", NULL);
  g_object_set_data (G_OBJECT (cell), "ps-peer", NULL);
}

/**
 * ps_connections_columns_tick:
 * @self: the columns
 *
 * Brings the relative times ("2 min ago") of the bound cells up to date.
 */
void
ps_connections_columns_tick (PsConnectionsColumns *self)
{
  GHashTableIter iter;
  gpointer cell;

  g_return_if_fail (self != NULL);

  g_hash_table_iter_init (&iter, self->clock_cells);
  while (g_hash_table_iter_next (&iter, &cell, NULL))
    {
      const ColumnSpec *spec = g_object_get_data (cell, "ps-column");
      PsPeer *peer = g_object_get_data (cell, "ps-peer");

      if (peer != NULL)
        spec->update (cell, peer);
    }
}

/* ---- sorting --------------------------------------------------------------------------- */

static int
compare_endpoints (gconstpointer a,
                   gconstpointer b,
                   gpointer      user_data)
{
  PsPeer *pa = (PsPeer *) a;
  PsPeer *pb = (PsPeer *) b;
  const PsIpAddress *aa = ps_peer_get_address (pa);
  const PsIpAddress *ab = ps_peer_get_address (pb);
  int cmp;

  if (aa->family != ab->family)
    return aa->family < ab->family ? GTK_ORDERING_SMALLER : GTK_ORDERING_LARGER;
  cmp = memcmp (aa->bytes, ab->bytes, aa->family == 6 ? 16 : 4);
  if (cmp == 0)
    cmp = (int) ps_peer_get_port (pa) - (int) ps_peer_get_port (pb);
  if (cmp == 0)
    cmp = (int) ps_peer_get_ip_protocol (pa) - (int) ps_peer_get_ip_protocol (pb);
  if (cmp == 0)
    cmp = g_strcmp0 (ps_peer_get_device (pa), ps_peer_get_device (pb));

  return gtk_ordering_from_cmpfunc (cmp);
}

/* the default order, and the order within equal rows of any column */
static int
compare_traffic (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  guint64 ta = ps_connections_columns_traffic ((PsPeer *) a);
  guint64 tb = ps_connections_columns_traffic ((PsPeer *) b);

  if (ta != tb)
    return ta > tb ? GTK_ORDERING_SMALLER : GTK_ORDERING_LARGER;
  return compare_endpoints (a, b, NULL);
}

static int
compare_classes (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  return gtk_ordering_from_cmpfunc (kind_rank (ps_peer_get_kind ((PsPeer *) a)) -
                                    kind_rank (ps_peer_get_kind ((PsPeer *) b)));
}

static char *
dup_country_key (PsPeer *peer)
{
  const char *name = ps_connections_columns_country (peer);

  return g_strdup (name != NULL ? name : "");
}

static char *
dup_org_key (PsPeer *peer)
{
  const char *org = ps_peer_get_org (peer);

  return g_strdup (org != NULL ? org : "");
}

static GtkSorter *
string_sorter (GCallback key)
{
  return GTK_SORTER (gtk_string_sorter_new (gtk_cclosure_expression_new (G_TYPE_STRING, NULL,
                                                                         0, NULL, key,
                                                                         NULL, NULL)));
}

static GtkSorter *
property_sorter (const char *property)
{
  return GTK_SORTER (gtk_numeric_sorter_new (gtk_property_expression_new (PS_TYPE_PEER, NULL,
                                                                          property)));
}

static GtkSorter *
column_sorter (PsConnectionsColumn column)
{
  switch (column)
    {
    case PS_CONNECTIONS_COLUMN_PEER:
      return GTK_SORTER (gtk_custom_sorter_new (compare_endpoints, NULL, NULL));
    case PS_CONNECTIONS_COLUMN_COUNTRY:
      return string_sorter (G_CALLBACK (dup_country_key));
    case PS_CONNECTIONS_COLUMN_NETWORK:
      return string_sorter (G_CALLBACK (dup_org_key));
    case PS_CONNECTIONS_COLUMN_CLASS:
      return GTK_SORTER (gtk_custom_sorter_new (compare_classes, NULL, NULL));
    case PS_CONNECTIONS_COLUMN_SENT:
      return property_sorter ("bytes-out");
    case PS_CONNECTIONS_COLUMN_RECEIVED:
      return property_sorter ("bytes-in");
    case PS_CONNECTIONS_COLUMN_FIRST_SEEN:
      return GTK_SORTER (gtk_numeric_sorter_new (
        gtk_cclosure_expression_new (G_TYPE_INT64, NULL, 0, NULL,
                                     G_CALLBACK (ps_peer_get_first_seen), NULL, NULL)));
    case PS_CONNECTIONS_COLUMN_LAST_SEEN:
      return property_sorter ("last-seen");
    case PS_CONNECTIONS_COLUMN_BLOCKED:
      return property_sorter ("blocked-attempts");
    default:
      g_assert_not_reached ();
    }
}

/* ---- columns --------------------------------------------------------------------------- */

PsConnectionsColumns *
ps_connections_columns_new (void)
{
  PsConnectionsColumns *self = g_new0 (PsConnectionsColumns, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->clock_cells = g_hash_table_new (NULL, NULL);
  return self;
}

PsConnectionsColumns *
ps_connections_columns_ref (PsConnectionsColumns *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
ps_connections_columns_unref (PsConnectionsColumns *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_hash_table_unref (self->clock_cells);
  g_free (self);
}

/**
 * ps_connections_columns_create:
 * @self: the columns
 * @column: which
 *
 * Returns: (transfer full): a resizable column with its cells and its sorter
 */
GtkColumnViewColumn *
ps_connections_columns_create (PsConnectionsColumns *self,
                               PsConnectionsColumn   column)
{
  const ColumnSpec *spec;
  GtkListItemFactory *factory;
  g_autoptr(GtkSorter) sorter = NULL;
  GtkColumnViewColumn *view_column;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail ((guint) column < PS_CONNECTIONS_N_COLUMNS, NULL);

  spec = &column_specs[column];
  factory = gtk_signal_list_item_factory_new ();
  g_object_set_data_full (G_OBJECT (factory), "ps-connections-columns",
                          ps_connections_columns_ref (self),
                          (GDestroyNotify) ps_connections_columns_unref);
  g_signal_connect (factory, "setup", G_CALLBACK (on_setup_cb), (gpointer) spec);
  g_signal_connect (factory, "bind", G_CALLBACK (on_bind_cb), (gpointer) spec);
  g_signal_connect (factory, "unbind", G_CALLBACK (on_unbind_cb), (gpointer) spec);
  g_signal_connect (factory, "teardown", G_CALLBACK (on_unbind_cb), (gpointer) spec);

  sorter = column_sorter (column);
  view_column = gtk_column_view_column_new (_(spec->title), factory);
  gtk_column_view_column_set_sorter (view_column, sorter);
  gtk_column_view_column_set_expand (view_column, spec->expand);
  gtk_column_view_column_set_resizable (view_column, TRUE);

  return view_column;
}

const char *
ps_connections_columns_get_id (PsConnectionsColumn column)
{
  g_return_val_if_fail ((guint) column < PS_CONNECTIONS_N_COLUMNS, NULL);

  return column_specs[column].id;
}

gboolean
ps_connections_columns_descending_first (PsConnectionsColumn column)
{
  g_return_val_if_fail ((guint) column < PS_CONNECTIONS_N_COLUMNS, FALSE);

  return column_specs[column].descending_first;
}

GtkSorter *
ps_connections_columns_traffic_sorter (void)
{
  return GTK_SORTER (gtk_custom_sorter_new (compare_traffic, NULL, NULL));
}
