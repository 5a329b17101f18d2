/* ps-world-map.c: an offline world map of the peers a camera talks to
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The land (ps-world-map-data.c) is drawn in the Natural Earth projection between 58° S and
 * 84° N. It is a cairo render node kept until the size or the style changes; the points are
 * GSK nodes drawn on top.
 *
 * Colours come from CSS: the node "worldmap" draws the water as its background, its color is
 * the land, and the named colours ps_map_* below give the points. An application stylesheet
 * can override any of them.
 */

#define G_LOG_DOMAIN "ps-world-map"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "ps-world-map-private.h"

#define GROUP_DISTANCE     0.1     /* degrees: closer points are one group */
#define MIN_RADIUS         3.5
#define MAX_RADIUS         11.0
#define GROUP_MIN_RADIUS   8.5
#define HALO_WIDTH         1.5
#define MAX_TOOLTIP_LINES  8
#define MIN_WIDTH          240
#define MIN_HEIGHT         120
#define NATURAL_WIDTH      720

static const char map_css[] =
  "@define-color ps_map_water_color mix(@view_bg_color, @accent_bg_color, 0.06);\n"
  "@define-color ps_map_point_color @accent_bg_color;\n"
  "@define-color ps_map_point_text_color @accent_fg_color;\n"
  "@define-color ps_map_highlight_color @warning_bg_color;\n"
  "@define-color ps_map_highlight_text_color @warning_fg_color;\n"
  "@define-color ps_map_focus_color alpha(@accent_color, 0.5);\n"
  "worldmap {\n"
  "  background-color: @ps_map_water_color;\n"
  "  color: mix(@ps_map_water_color, @view_fg_color, 0.14);\n"
  "  border-radius: 12px;\n"
  "}\n";

typedef struct
{
  char    *id;
  char    *label;
  char    *country;
  double   latitude;
  double   longitude;
  guint64  weight;
  gboolean highlight;
} Peer;

typedef struct
{
  double       latitude;
  double       longitude;
  guint64      weight;
  gboolean     highlight;
  GArray      *members;       /* guint indices into peers, heaviest first */
  double       base_radius;
  guint        order;         /* input order of its first member */

  /* valid while geometry_valid */
  double       x;
  double       y;
  double       radius;
  PangoLayout *count_layout;  /* only for groups of more than one */
} Group;

struct _PsWorldMap
{
  GtkWidget      parent_instance;

  GArray        *peers;       /* Peer */
  GPtrArray     *groups;      /* Group, in drawing order: highlighted and small ones last */
  GArray        *key_order;   /* guint indices into groups, west to east */
  int            focus;       /* index into key_order, or -1 */
  int            hover;       /* index into groups, or -1 */
  int            pressed;     /* index into groups, or -1 */

  gboolean       colors_valid;
  GdkRGBA        land_color;
  GdkRGBA        water_color;
  GdkRGBA        point_color;
  GdkRGBA        point_text_color;
  GdkRGBA        highlight_color;
  GdkRGBA        highlight_text_color;
  GdkRGBA        focus_color;

  gboolean       geometry_valid;
  int            geometry_width;
  int            geometry_height;
  double         origin_x;    /* projected (0, 0) in widget coordinates */
  double         origin_y;
  double         scale;       /* pixels per earth radius */

  GskRenderNode *land_node;   /* cached for this size and colour */
  int            land_width;
  int            land_height;
  GdkRGBA        land_node_color;
};

G_DEFINE_FINAL_TYPE (PsWorldMap, ps_world_map, GTK_TYPE_WIDGET)

enum {
  POINT_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char * const point_actions[] = {
  "world-map.focus-next",
  "world-map.focus-previous",
  "world-map.focus-first",
  "world-map.focus-last",
  "world-map.activate-focused",
};

static double
margin_for_width (double width)
{
  return CLAMP (width / 64.0, 4.0, 16.0);
}

static void
peer_clear (gpointer data)
{
  Peer *peer = data;

  g_free (peer->id);
  g_free (peer->label);
  g_free (peer->country);
}

static void
group_free (gpointer data)
{
  Group *group = data;

  g_array_unref (group->members);
  g_clear_object (&group->count_layout);
  g_free (group);
}

static Peer *
group_peer (PsWorldMap  *self,
            const Group *group,
            guint        i)
{
  return &g_array_index (self->peers, Peer, g_array_index (group->members, guint, i));
}

static Group *
focused_group (PsWorldMap *self)
{
  if (self->focus < 0 || (guint) self->focus >= self->key_order->len)
    return NULL;
  return g_ptr_array_index (self->groups, g_array_index (self->key_order, guint, self->focus));
}

static char *
group_description (PsWorldMap  *self,
                   const Group *group)
{
  GString *text;
  guint n = group->members->len;
  guint shown = MIN (n, MAX_TOOLTIP_LINES);

  if (n == 1)
    {
      Peer *peer = group_peer (self, group, 0);

      return g_strdup (peer->label != NULL ? peer->label : peer->id);
    }

  text = g_string_new (NULL);
  /* Translators: tooltip of a point on the world map for several peers; their lines follow */
  g_string_append_printf (text, ngettext ("%u peer here", "%u peers here", n), n);
  for (guint i = 0; i < shown; i++)
    {
      Peer *peer = group_peer (self, group, i);

      g_string_append_c (text, '\n');
      g_string_append (text, peer->label != NULL ? peer->label : peer->id);
    }
  if (n > shown)
    {
      g_string_append_c (text, '\n');
      /* Translators: the last line of a tooltip listing peers, when there are too many */
      g_string_append_printf (text, ngettext ("and %u more", "and %u more", n - shown),
                              n - shown);
    }

  return g_string_free (text, FALSE);
}

static void
update_accessible (PsWorldMap *self)
{
  g_autoptr(GHashTable) countries = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *label = NULL;
  g_autofree char *description = NULL;
  guint n_peers = self->peers->len;
  Group *group;

  for (guint i = 0; i < n_peers; i++)
    {
      Peer *peer = &g_array_index (self->peers, Peer, i);

      if (peer->country != NULL)
        g_hash_table_add (countries, peer->country);
    }

  if (n_peers == 0)
    label = g_strdup (_("World map without peers"));
  else if (g_hash_table_size (countries) == 0)
    label = g_strdup_printf (ngettext ("Map of %u peer", "Map of %u peers", n_peers), n_peers);
  else
    {
      guint n_countries = g_hash_table_size (countries);
      g_autofree char *in_countries = NULL;

      /* Translators: completes "Map of 12 peers in %s" */
      in_countries = g_strdup_printf (ngettext ("%u country", "%u countries", n_countries),
                                      n_countries);
      /* Translators: the accessible name of the world map; %s is "9 countries" */
      label = g_strdup_printf (ngettext ("Map of %u peer in %s", "Map of %u peers in %s",
                                         n_peers),
                               n_peers, in_countries);
    }

  group = focused_group (self);
  if (group != NULL)
    description = group_description (self, group);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);
}

static void
lookup_color (PsWorldMap *self,
              const char *name,
              const char *fallback,
              GdkRGBA    *color)
{
  GtkStyleContext *context = gtk_widget_get_style_context (GTK_WIDGET (self));

  if (!gtk_style_context_lookup_color (context, name, color))
    gdk_rgba_parse (color, fallback);
}

static void
ensure_colors (PsWorldMap *self)
{
  if (self->colors_valid)
    return;

  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (self)),
                               &self->land_color);
  lookup_color (self, "ps_map_water_color", "#f6f8fc", &self->water_color);
  lookup_color (self, "ps_map_point_color", "#3584e4", &self->point_color);
  lookup_color (self, "ps_map_point_text_color", "#ffffff", &self->point_text_color);
  lookup_color (self, "ps_map_highlight_color", "#e5a50a", &self->highlight_color);
  lookup_color (self, "ps_map_highlight_text_color", "rgba(0,0,0,0.8)",
                &self->highlight_text_color);
  lookup_color (self, "ps_map_focus_color", "rgba(53,132,228,0.5)", &self->focus_color);
  self->colors_valid = TRUE;
}

static void
ensure_geometry (PsWorldMap *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  double half_width, top, bottom, margin, point_scale;

  if (self->geometry_valid && self->geometry_width == width && self->geometry_height == height)
    return;

  _ps_world_map_projected_extent (&half_width, &top, &bottom);
  margin = margin_for_width (width);
  self->scale = MAX (0.0, MIN ((width - 2 * margin) / (2 * half_width),
                               (height - 2 * margin) / (top - bottom)));
  self->origin_x = width / 2.0;
  self->origin_y = height / 2.0 + (top + bottom) / 2.0 * self->scale;
  /* points shrink on small maps, down to 60% */
  point_scale = CLAMP (2 * half_width * self->scale / NATURAL_WIDTH, 0.6, 1.25);

  for (guint i = 0; i < self->groups->len; i++)
    {
      Group *group = g_ptr_array_index (self->groups, i);
      double x, y;

      _ps_world_map_natural_earth (group->latitude, group->longitude, &x, &y);
      group->x = self->origin_x + x * self->scale;
      group->y = self->origin_y - y * self->scale;
      group->radius = group->base_radius * point_scale;

      if (group->members->len > 1)
        {
          g_autofree char *count = g_strdup_printf ("%u", group->members->len);
          PangoAttrList *attrs = pango_attr_list_new ();
          int text_width, text_height;

          if (group->count_layout == NULL)
            group->count_layout = gtk_widget_create_pango_layout (widget, NULL);
          pango_layout_set_text (group->count_layout, count, -1);
          pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
          pango_attr_list_insert (attrs, pango_attr_scale_new (PANGO_SCALE_SMALL));
          pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum=1"));
          pango_layout_set_attributes (group->count_layout, attrs);
          pango_attr_list_unref (attrs);

          pango_layout_get_pixel_size (group->count_layout, &text_width, &text_height);
          group->radius = MAX (group->radius, text_width / 2.0 + 3.0);
        }
    }

  self->geometry_valid = TRUE;
  self->geometry_width = width;
  self->geometry_height = height;
}

static int
group_at (PsWorldMap *self,
          double      x,
          double      y)
{
  ensure_geometry (self);

  /* the last drawn is on top */
  for (guint i = self->groups->len; i > 0; i--)
    {
      Group *group = g_ptr_array_index (self->groups, i - 1);
      double reach = MAX (group->radius + HALO_WIDTH, 6.0);

      if ((x - group->x) * (x - group->x) + (y - group->y) * (y - group->y) <= reach * reach)
        return (int) i - 1;
    }

  return -1;
}

static void
activate_group (PsWorldMap *self,
                Group      *group)
{
  /* a handler may well replace the points */
  g_autofree char *id = g_strdup (group_peer (self, group, 0)->id);

  g_signal_emit (self, signals[POINT_ACTIVATED], 0, id);
}

static void
set_focus (PsWorldMap *self,
           int         focus)
{
  if (self->focus == focus)
    return;

  self->focus = focus;
  update_accessible (self);
  gtk_widget_trigger_tooltip_query (GTK_WIDGET (self));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
set_hover (PsWorldMap *self,
           int         hover)
{
  if (self->hover == hover)
    return;

  self->hover = hover;
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), hover >= 0 ? "pointer" : NULL);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* ---- drawing --------------------------------------------------------------------------- */

static GskRenderNode *
create_land_node (PsWorldMap *self,
                  int         width,
                  int         height)
{
  const PsWorldOutline *outline = _ps_world_outline_get ();
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  double half_width, top, bottom;
  const gint16 *xy = outline->coords;
  cairo_t *cr;

  _ps_world_map_projected_extent (&half_width, &top, &bottom);

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  cairo_rectangle (cr, 0, self->origin_y - top * self->scale,
                   width, (top - bottom) * self->scale);
  cairo_clip (cr);

  for (guint i = 0; i < outline->n_rings; i++)
    {
      for (guint j = 0; j < outline->ring_len[i]; j++, xy += 2)
        {
          double x, y;

          _ps_world_map_natural_earth (xy[1] * 90.0 / 32767.0, xy[0] * 180.0 / 32767.0, &x, &y);
          x = self->origin_x + x * self->scale;
          y = self->origin_y - y * self->scale;
          if (j == 0)
            cairo_move_to (cr, x, y);
          else
            cairo_line_to (cr, x, y);
        }
      cairo_close_path (cr);
    }

  /* The land as one opaque layer; the borders between countries are cut out of it as faint
   * lines of water, so that no colour has to be guessed for them. */
  cairo_push_group (cr);
  gdk_cairo_set_source_rgba (cr, &(GdkRGBA) { self->land_color.red, self->land_color.green,
                                              self->land_color.blue, 1.0 });
  cairo_set_fill_rule (cr, CAIRO_FILL_RULE_WINDING);
  cairo_fill_preserve (cr);
  cairo_set_operator (cr, CAIRO_OPERATOR_DEST_OUT);
  cairo_set_source_rgba (cr, 0, 0, 0, 0.6);
  cairo_set_line_width (cr, 0.8);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_stroke (cr);
  cairo_pop_group_to_source (cr);
  cairo_paint_with_alpha (cr, self->land_color.alpha);
  cairo_destroy (cr);

  return gtk_snapshot_free_to_node (snapshot);
}

static void
append_circle (GtkSnapshot   *snapshot,
               double         x,
               double         y,
               double         radius,
               const GdkRGBA *color)
{
  graphene_rect_t bounds = GRAPHENE_RECT_INIT (x - radius, y - radius, 2 * radius, 2 * radius);
  GskRoundedRect circle;

  gsk_rounded_rect_init_from_rect (&circle, &bounds, radius);
  gtk_snapshot_push_rounded_clip (snapshot, &circle);
  gtk_snapshot_append_color (snapshot, color, &bounds);
  gtk_snapshot_pop (snapshot);
}

static void
append_ring (GtkSnapshot   *snapshot,
             double         x,
             double         y,
             double         radius,
             double         width,
             const GdkRGBA *color)
{
  graphene_rect_t bounds = GRAPHENE_RECT_INIT (x - radius, y - radius, 2 * radius, 2 * radius);
  const float widths[4] = { width, width, width, width };
  const GdkRGBA colors[4] = { *color, *color, *color, *color };
  GskRoundedRect circle;

  gsk_rounded_rect_init_from_rect (&circle, &bounds, radius);
  gtk_snapshot_append_border (snapshot, &circle, widths, colors);
}

static void
snapshot_group (PsWorldMap  *self,
                GtkSnapshot *snapshot,
                Group       *group,
                gboolean     hovered)
{
  const GdkRGBA *fill = group->highlight ? &self->highlight_color : &self->point_color;
  const GdkRGBA *text = group->highlight ? &self->highlight_text_color : &self->point_text_color;
  double radius = group->radius + (hovered ? 1.5 : 0.0);

  /* a halo in the colour of the water keeps overlapping points apart */
  append_circle (snapshot, group->x, group->y, radius + HALO_WIDTH, &self->water_color);
  append_circle (snapshot, group->x, group->y, radius, fill);

  if (group->count_layout != NULL)
    {
      int text_width, text_height;

      pango_layout_get_pixel_size (group->count_layout, &text_width, &text_height);
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot,
                              &GRAPHENE_POINT_INIT (round (group->x - text_width / 2.0),
                                                    round (group->y - text_height / 2.0)));
      gtk_snapshot_append_layout (snapshot, group->count_layout, text);
      gtk_snapshot_restore (snapshot);
    }
}

static void
ps_world_map_snapshot (GtkWidget   *widget,
                       GtkSnapshot *snapshot)
{
  PsWorldMap *self = PS_WORLD_MAP (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  Group *focused;

  if (width <= 0 || height <= 0)
    return;

  ensure_colors (self);
  ensure_geometry (self);

  /* the style changes on hover and focus too, rarely the colour of the land */
  if (self->land_node == NULL || self->land_width != width || self->land_height != height ||
      !gdk_rgba_equal (&self->land_node_color, &self->land_color))
    {
      g_clear_pointer (&self->land_node, gsk_render_node_unref);
      self->land_node = create_land_node (self, width, height);
      self->land_width = width;
      self->land_height = height;
      self->land_node_color = self->land_color;
    }
  if (self->land_node != NULL)
    gtk_snapshot_append_node (snapshot, self->land_node);

  for (guint i = 0; i < self->groups->len; i++)
    snapshot_group (self, snapshot, g_ptr_array_index (self->groups, i), (int) i == self->hover);

  focused = focused_group (self);
  if (focused != NULL && gtk_widget_has_visible_focus (widget))
    append_ring (snapshot, focused->x, focused->y, focused->radius + HALO_WIDTH + 3.0, 2.0,
                 &self->focus_color);
}

static void
ps_world_map_css_changed (GtkWidget         *widget,
                          GtkCssStyleChange *change)
{
  PsWorldMap *self = PS_WORLD_MAP (widget);

  GTK_WIDGET_CLASS (ps_world_map_parent_class)->css_changed (widget, change);

  /* colours, and the font of the counts */
  self->colors_valid = FALSE;
  self->geometry_valid = FALSE;
  for (guint i = 0; i < self->groups->len; i++)
    g_clear_object (&((Group *) g_ptr_array_index (self->groups, i))->count_layout);
  gtk_widget_queue_draw (widget);
}

/* ---- size ------------------------------------------------------------------------------ */

static GtkSizeRequestMode
ps_world_map_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
ps_world_map_measure (GtkWidget      *widget,
                      GtkOrientation  orientation,
                      int             for_size,
                      int            *minimum,
                      int            *natural,
                      int            *minimum_baseline,
                      int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = MIN_WIDTH;
      *natural = NATURAL_WIDTH;
    }
  else
    {
      double width = for_size > 0 ? for_size : NATURAL_WIDTH;
      double half_width, top, bottom, margin = margin_for_width (width);

      _ps_world_map_projected_extent (&half_width, &top, &bottom);
      *minimum = MIN_HEIGHT;
      *natural = MAX (MIN_HEIGHT, (int) ceil ((width - 2 * margin) / (2 * half_width) *
                                              (top - bottom) + 2 * margin));
    }
}

/* ---- input ----------------------------------------------------------------------------- */

static void
on_motion_cb (PsWorldMap *self,
              double      x,
              double      y)
{
  set_hover (self, group_at (self, x, y));
}

static void
on_leave_cb (PsWorldMap *self)
{
  set_hover (self, -1);
}

static void
on_pressed_cb (PsWorldMap *self,
               int         n_press,
               double      x,
               double      y)
{
  self->pressed = n_press == 1 ? group_at (self, x, y) : -1;
}

static void
on_released_cb (PsWorldMap *self,
                int         n_press,
                double      x,
                double      y)
{
  int pressed = self->pressed;
  Group *group;

  self->pressed = -1;
  if (pressed < 0 || group_at (self, x, y) != pressed)
    return;

  group = g_ptr_array_index (self->groups, pressed);
  for (guint i = 0; i < self->key_order->len; i++)
    if (g_array_index (self->key_order, guint, i) == (guint) pressed)
      set_focus (self, (int) i);
  if (gtk_widget_get_focus_on_click (GTK_WIDGET (self)))
    gtk_widget_grab_focus (GTK_WIDGET (self));

  activate_group (self, group);
}

static void
on_focus_enter_cb (PsWorldMap *self)
{
  if (self->focus < 0 && self->key_order->len > 0)
    set_focus (self, 0);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_focus_leave_cb (PsWorldMap *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
move_focus (PsWorldMap *self,
            int         focus)
{
  int last = (int) self->key_order->len - 1;

  if (last < 0)
    return;
  if (focus < 0 || focus > last)
    {
      gtk_widget_error_bell (GTK_WIDGET (self));
      focus = CLAMP (focus, 0, last);
    }
  set_focus (self, focus);
}

static void
focus_next_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  PsWorldMap *self = PS_WORLD_MAP (widget);

  move_focus (self, self->focus + 1);
}

static void
focus_previous_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  PsWorldMap *self = PS_WORLD_MAP (widget);

  /* from nothing, "previous" starts at the east end */
  move_focus (self, self->focus < 0 ? (int) self->key_order->len - 1 : self->focus - 1);
}

static void
focus_first_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  move_focus (PS_WORLD_MAP (widget), 0);
}

static void
focus_last_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  PsWorldMap *self = PS_WORLD_MAP (widget);

  move_focus (self, (int) self->key_order->len - 1);
}

static void
activate_focused_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  PsWorldMap *self = PS_WORLD_MAP (widget);
  Group *group = focused_group (self);

  if (group != NULL)
    activate_group (self, group);
  else
    gtk_widget_error_bell (widget);
}

static gboolean
ps_world_map_query_tooltip (GtkWidget  *widget,
                            int         x,
                            int         y,
                            gboolean    keyboard_mode,
                            GtkTooltip *tooltip)
{
  PsWorldMap *self = PS_WORLD_MAP (widget);
  g_autofree char *text = NULL;
  Group *group = NULL;
  int index;

  if (keyboard_mode)
    group = focused_group (self);
  else if ((index = group_at (self, x, y)) >= 0)
    group = g_ptr_array_index (self->groups, index);

  if (group == NULL)
    return FALSE;

  text = group_description (self, group);
  gtk_tooltip_set_text (tooltip, text);
  gtk_tooltip_set_tip_area (tooltip, &(GdkRectangle) {
                              (int) floor (group->x - group->radius),
                              (int) floor (group->y - group->radius),
                              (int) ceil (2 * group->radius) + 1,
                              (int) ceil (2 * group->radius) + 1 });
  return TRUE;
}

/* ---- points ---------------------------------------------------------------------------- */

static int
compare_members (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  GArray *peers = user_data;
  guint ia = *(const guint *) a, ib = *(const guint *) b;
  guint64 wa = g_array_index (peers, Peer, ia).weight;
  guint64 wb = g_array_index (peers, Peer, ib).weight;

  if (wa != wb)
    return wa > wb ? -1 : 1;
  return ia < ib ? -1 : ia > ib;
}

/* small points over big ones, warnings over the rest */
static int
compare_drawing_order (gconstpointer a,
                       gconstpointer b)
{
  const Group *ga = *(Group * const *) a;
  const Group *gb = *(Group * const *) b;

  if (ga->highlight != gb->highlight)
    return ga->highlight ? 1 : -1;
  if (ga->base_radius != gb->base_radius)
    return ga->base_radius > gb->base_radius ? -1 : 1;
  return ga->order < gb->order ? -1 : ga->order > gb->order;
}

static int
compare_key_order (gconstpointer a,
                   gconstpointer b,
                   gpointer      user_data)
{
  GPtrArray *groups = user_data;
  const Group *ga = g_ptr_array_index (groups, *(const guint *) a);
  const Group *gb = g_ptr_array_index (groups, *(const guint *) b);

  if (ga->longitude != gb->longitude)
    return ga->longitude < gb->longitude ? -1 : 1;
  if (ga->latitude != gb->latitude)
    return ga->latitude > gb->latitude ? -1 : 1;
  return ga->order < gb->order ? -1 : ga->order > gb->order;
}

static Group *
find_group (PsWorldMap *self,
            double      latitude,
            double      longitude)
{
  for (guint i = 0; i < self->groups->len; i++)
    {
      Group *group = g_ptr_array_index (self->groups, i);

      if (fabs (group->latitude - latitude) <= GROUP_DISTANCE &&
          fabs (group->longitude - longitude) <= GROUP_DISTANCE)
        return group;
    }

  return NULL;
}

/**
 * ps_world_map_set_points:
 * @self: a #PsWorldMap
 * @points: (array length=n_points): the peers
 * @n_points: how many
 *
 * Replaces the points on the map. Points less than 0.1° apart become one bigger point with a
 * count; activating it emits the id of its heaviest peer. Points without valid coordinates
 * are left out.
 */
void
ps_world_map_set_points (PsWorldMap            *self,
                         const PsWorldMapPoint *points,
                         guint                  n_points)
{
  g_autofree char *focused_id = NULL;
  guint64 min_weight = G_MAXUINT64, max_weight = 0;

  g_return_if_fail (PS_IS_WORLD_MAP (self));
  g_return_if_fail (points != NULL || n_points == 0);
  for (guint i = 0; i < n_points; i++)
    g_return_if_fail (points[i].id != NULL);

  focused_id = g_strdup (_ps_world_map_get_focused_id (self));

  g_ptr_array_set_size (self->groups, 0);
  g_array_set_size (self->key_order, 0);
  g_array_set_size (self->peers, 0);
  self->focus = self->hover = self->pressed = -1;
  self->geometry_valid = FALSE;

  for (guint i = 0; i < n_points; i++)
    {
      const PsWorldMapPoint *point = &points[i];
      guint index = self->peers->len;
      Peer peer = { 0 };
      Group *group;

      if (!isfinite (point->latitude) || !isfinite (point->longitude) ||
          fabs (point->latitude) > 90.0 || fabs (point->longitude) > 180.0)
        {
          g_debug ("%s is not on the map: %g, %g", point->id, point->latitude, point->longitude);
          continue;
        }

      peer.id = g_strdup (point->id);
      peer.label = g_strdup (point->label);
      peer.country = _ps_world_map_is_country_code (point->country_code) ?
                     g_ascii_strup (point->country_code, -1) : NULL;
      peer.latitude = point->latitude;
      peer.longitude = point->longitude;
      peer.weight = point->weight;
      peer.highlight = point->highlight;
      g_array_append_val (self->peers, peer);

      group = find_group (self, point->latitude, point->longitude);
      if (group == NULL)
        {
          group = g_new0 (Group, 1);
          group->latitude = point->latitude;
          group->longitude = point->longitude;
          group->members = g_array_new (FALSE, FALSE, sizeof (guint));
          group->order = index;
          g_ptr_array_add (self->groups, group);
        }
      g_array_append_val (group->members, index);
      group->weight = group->weight > G_MAXUINT64 - point->weight ?
                      G_MAXUINT64 : group->weight + point->weight;
      group->highlight |= point->highlight;
    }

  for (guint i = 0; i < self->groups->len; i++)
    {
      Group *group = g_ptr_array_index (self->groups, i);

      g_array_sort_with_data (group->members, compare_members, self->peers);
      min_weight = MIN (min_weight, group->weight);
      max_weight = MAX (max_weight, group->weight);
    }

  /* The area grows with the logarithm of the traffic, from the lightest group on the map,
   * drawn the smallest, to the heaviest, drawn the largest. */
  for (guint i = 0; i < self->groups->len; i++)
    {
      Group *group = g_ptr_array_index (self->groups, i);
      double f = 0.5;

      if (max_weight > min_weight)
        f = (log1p ((double) group->weight) - log1p ((double) min_weight)) /
            (log1p ((double) max_weight) - log1p ((double) min_weight));
      group->base_radius = sqrt (MIN_RADIUS * MIN_RADIUS +
                                 (MAX_RADIUS * MAX_RADIUS - MIN_RADIUS * MIN_RADIUS) * f);
      if (group->members->len > 1)
        group->base_radius = MAX (group->base_radius, GROUP_MIN_RADIUS);
    }

  g_ptr_array_sort (self->groups, compare_drawing_order);
  for (guint i = 0; i < self->groups->len; i++)
    g_array_append_val (self->key_order, i);
  g_array_sort_with_data (self->key_order, compare_key_order, self->groups);

  if (focused_id != NULL)
    {
      for (guint i = 0; i < self->key_order->len && self->focus < 0; i++)
        {
          Group *group = g_ptr_array_index (self->groups,
                                            g_array_index (self->key_order, guint, i));

          for (guint j = 0; j < group->members->len; j++)
            if (g_str_equal (group_peer (self, group, j)->id, focused_id))
              self->focus = (int) i;
        }
    }
  if (self->focus < 0 && self->key_order->len > 0 && gtk_widget_has_focus (GTK_WIDGET (self)))
    self->focus = 0;

  for (guint i = 0; i < G_N_ELEMENTS (point_actions); i++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), point_actions[i], self->groups->len > 0);

  gtk_widget_set_cursor (GTK_WIDGET (self), NULL);
  update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* ---- private API for the tests --------------------------------------------------------- */

guint
_ps_world_map_get_n_groups (PsWorldMap *self)
{
  g_return_val_if_fail (PS_IS_WORLD_MAP (self), 0);

  return self->groups->len;
}

/* the size of the group the peer @id is in, or 0 */
guint
_ps_world_map_get_group_size (PsWorldMap *self,
                              const char *id)
{
  g_return_val_if_fail (PS_IS_WORLD_MAP (self), 0);

  for (guint i = 0; i < self->groups->len; i++)
    {
      Group *group = g_ptr_array_index (self->groups, i);

      for (guint j = 0; j < group->members->len; j++)
        if (g_strcmp0 (group_peer (self, group, j)->id, id) == 0)
          return group->members->len;
    }

  return 0;
}

/* the id that activating the focused point would emit */
const char *
_ps_world_map_get_focused_id (PsWorldMap *self)
{
  Group *group;

  g_return_val_if_fail (PS_IS_WORLD_MAP (self), NULL);

  group = focused_group (self);
  return group != NULL ? group_peer (self, group, 0)->id : NULL;
}

/* the id that a click at (@x, @y) in widget coordinates would emit */
const char *
_ps_world_map_get_id_at (PsWorldMap *self,
                         double      x,
                         double      y)
{
  int index;

  g_return_val_if_fail (PS_IS_WORLD_MAP (self), NULL);

  index = group_at (self, x, y);
  return index >= 0 ? group_peer (self, g_ptr_array_index (self->groups, index), 0)->id : NULL;
}

/* where a place is drawn at the current size, in widget coordinates */
gboolean
_ps_world_map_project (PsWorldMap *self,
                       double      latitude,
                       double      longitude,
                       double     *x,
                       double     *y)
{
  double px, py;

  g_return_val_if_fail (PS_IS_WORLD_MAP (self), FALSE);

  ensure_geometry (self);
  if (self->scale <= 0)
    return FALSE;

  _ps_world_map_natural_earth (latitude, longitude, &px, &py);
  *x = self->origin_x + px * self->scale;
  *y = self->origin_y - py * self->scale;
  return TRUE;
}

/* ---- life cycle ------------------------------------------------------------------------ */

static void
ensure_css (GdkDisplay *display)
{
  g_autoptr(GtkCssProvider) provider = NULL;

  if (display == NULL || g_object_get_data (G_OBJECT (display), "ps-world-map-css") != NULL)
    return;

  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_data (provider, map_css, -1);
  /* below the application's own style.css, which can override it */
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION - 1);
  g_object_set_data_full (G_OBJECT (display), "ps-world-map-css",
                          g_steal_pointer (&provider), g_object_unref);
}

static void
ps_world_map_root (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (ps_world_map_parent_class)->root (widget);

  ensure_css (gtk_widget_get_display (widget));
}

static void
ps_world_map_dispose (GObject *object)
{
  PsWorldMap *self = (PsWorldMap *) object;

  g_clear_pointer (&self->land_node, gsk_render_node_unref);
  if (self->groups != NULL)
    g_ptr_array_set_size (self->groups, 0);

  G_OBJECT_CLASS (ps_world_map_parent_class)->dispose (object);
}

static void
ps_world_map_finalize (GObject *object)
{
  PsWorldMap *self = (PsWorldMap *) object;

  g_clear_pointer (&self->groups, g_ptr_array_unref);
  g_clear_pointer (&self->key_order, g_array_unref);
  g_clear_pointer (&self->peers, g_array_unref);

  G_OBJECT_CLASS (ps_world_map_parent_class)->finalize (object);
}

static void
add_key_binding (GtkWidgetClass *widget_class,
                 guint           keyval,
                 guint           keypad_keyval,
                 const char     *action_name)
{
  gtk_widget_class_add_binding_action (widget_class, keyval, 0, action_name, NULL);
  gtk_widget_class_add_binding_action (widget_class, keypad_keyval, 0, action_name, NULL);
}

static void
ps_world_map_class_init (PsWorldMapClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ps_world_map_dispose;
  object_class->finalize = ps_world_map_finalize;

  widget_class->snapshot = ps_world_map_snapshot;
  widget_class->css_changed = ps_world_map_css_changed;
  widget_class->get_request_mode = ps_world_map_get_request_mode;
  widget_class->measure = ps_world_map_measure;
  widget_class->query_tooltip = ps_world_map_query_tooltip;
  widget_class->root = ps_world_map_root;

  /**
   * PsWorldMap::point-activated:
   * @self: the map
   * @id: the id of the point, or for a group of points, of its heaviest
   *
   * Emitted when a point is clicked, or activated with Enter or Space.
   */
  signals[POINT_ACTIVATED] =
    g_signal_new ("point-activated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);

  gtk_widget_class_install_action (widget_class, "world-map.focus-next", NULL,
                                   focus_next_action);
  gtk_widget_class_install_action (widget_class, "world-map.focus-previous", NULL,
                                   focus_previous_action);
  gtk_widget_class_install_action (widget_class, "world-map.focus-first", NULL,
                                   focus_first_action);
  gtk_widget_class_install_action (widget_class, "world-map.focus-last", NULL,
                                   focus_last_action);
  gtk_widget_class_install_action (widget_class, "world-map.activate-focused", NULL,
                                   activate_focused_action);

  /* west is left whatever the text direction */
  add_key_binding (widget_class, GDK_KEY_Right, GDK_KEY_KP_Right, "world-map.focus-next");
  add_key_binding (widget_class, GDK_KEY_Left, GDK_KEY_KP_Left, "world-map.focus-previous");
  add_key_binding (widget_class, GDK_KEY_Home, GDK_KEY_KP_Home, "world-map.focus-first");
  add_key_binding (widget_class, GDK_KEY_End, GDK_KEY_KP_End, "world-map.focus-last");
  add_key_binding (widget_class, GDK_KEY_Return, GDK_KEY_KP_Enter, "world-map.activate-focused");
  add_key_binding (widget_class, GDK_KEY_space, GDK_KEY_KP_Space, "world-map.activate-focused");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_ISO_Enter, 0,
                                       "world-map.activate-focused", NULL);

  gtk_widget_class_set_css_name (widget_class, "worldmap");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
ps_world_map_init (PsWorldMap *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GtkEventController *controller;
  GtkGesture *click;

  self->peers = g_array_new (FALSE, TRUE, sizeof (Peer));
  g_array_set_clear_func (self->peers, peer_clear);
  self->groups = g_ptr_array_new_with_free_func (group_free);
  self->key_order = g_array_new (FALSE, FALSE, sizeof (guint));
  self->focus = self->hover = self->pressed = -1;

  gtk_widget_set_focusable (widget, TRUE);
  gtk_widget_set_has_tooltip (widget, TRUE);
  gtk_widget_set_overflow (widget, GTK_OVERFLOW_HIDDEN);

  controller = gtk_event_controller_motion_new ();
  g_signal_connect_object (controller, "motion", G_CALLBACK (on_motion_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (controller, "leave", G_CALLBACK (on_leave_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_widget_add_controller (widget, controller);

  click = gtk_gesture_click_new ();
  g_signal_connect_object (click, "pressed", G_CALLBACK (on_pressed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (click, "released", G_CALLBACK (on_released_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (click));

  controller = gtk_event_controller_focus_new ();
  g_signal_connect_object (controller, "enter", G_CALLBACK (on_focus_enter_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (controller, "leave", G_CALLBACK (on_focus_leave_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_widget_add_controller (widget, controller);

  ps_world_map_set_points (self, NULL, 0);
}

GtkWidget *
ps_world_map_new (void)
{
  return g_object_new (PS_TYPE_WORLD_MAP, NULL);
}
