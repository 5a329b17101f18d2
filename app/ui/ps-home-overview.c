/* ps-home-overview.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The counts come from ps-home-summary.c, at most once per PEERS_DELAY_MS while the peer
 * table changes, and every REFRESH_S anyway (yesterday moves on).  Whether a firewall holds
 * the policy is asked the way the enforcement group asks it, but cheaply: the digest of the
 * live rules (as root, on a worker thread) or the gateway helper's (over D-Bus), compared
 * with the policy's own.  A policy with allow-list names is compiled with the addresses
 * they resolve to, which only the Privacy view looks up: for such a policy, any live rules
 * of Peerscope count as enforced.  The policy's change log is read on a worker thread.
 */

#define G_LOG_DOMAIN "ps-home-overview"

#include "config.h"

#include <glib/gi18n.h>
#ifdef G_OS_UNIX
#include <unistd.h>
#endif

#include "ps-enforcer.h"
#include "ps-gateway-policy-client.h"
#include "ps-home-overview-private.h"
#include "ps-peer-watch.h"
#include "ps-policy-compiler.h"
#include "ps-policy-store.h"

#define PEERS_DELAY_MS  1000
#define LOG_DELAY_MS    1500     /* the app saves the policy on a worker thread first */
#define REFRESH_S       600
#define DAY_MS          (24 * 60 * 60 * (gint64) 1000)

struct _PsHomeOverview
{
  AdwBin                parent_instance;

  AdwActionRow         *phoning_row;
  GtkImage             *phoning_icon;
  GtkWidget            *phoning_arrow;
  AdwActionRow         *blocked_row;
  GtkImage             *blocked_icon;
  GtkWidget            *blocked_arrow;
  AdwActionRow         *news_row;
  GtkWidget            *news_arrow;

  GStrv                 cameras;
  GListModel           *peers;
  PsPeerWatch          *watch;
  PsPolicy             *policy;
  char                 *store_path;
  PsEnforcementBackend  backend;
  GCancellable         *cancellable;

  PsHomeSummary         summary;        /* its ids point into cameras */
  PsHomeEnforcement     enforcement;
  int                   rule_changes;   /* -1: not known */
  char                 *targets[3];     /* the camera each line opens */
  gint64                now_ms;         /* 0: the clock */
  guint                 check_serial;
  guint                 log_serial;
  guint                 n_running;
  gboolean              check_pending;  /* asked while hidden */
  guint                 log_id;
  guint                 refresh_id;
};

G_DEFINE_FINAL_TYPE (PsHomeOverview, ps_home_overview, ADW_TYPE_BIN)

enum {
  OPEN_CAMERA,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gint64
now_ms (PsHomeOverview *self)
{
  return self->now_ms != 0 ? self->now_ms : g_get_real_time () / 1000;
}

/* ---- the lines ------------------------------------------------------------------------- */

static void
set_icon_style (GtkImage   *icon,
                const char *style)
{
  gtk_widget_remove_css_class (GTK_WIDGET (icon), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (icon), "warning");
  gtk_widget_remove_css_class (GTK_WIDGET (icon), "dim-label");
  gtk_widget_add_css_class (GTK_WIDGET (icon), style);
}

static void
set_line (PsHomeOverview     *self,
          PsHomeOverviewLine  line,
          AdwActionRow       *row,
          GtkWidget          *arrow,
          char               *title,
          char               *subtitle,
          const char         *target)
{
  g_autofree char *owned_title = title;
  g_autofree char *owned_subtitle = subtitle;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), owned_title);
  adw_action_row_set_subtitle (row, owned_subtitle);
  g_free (self->targets[line]);
  self->targets[line] = g_strdup (target);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), target != NULL);
  gtk_widget_set_visible (arrow, target != NULL);
}

static void
show_blocked (PsHomeOverview *self)
{
  const PsHomeSummary *summary = &self->summary;
  char *title, *subtitle;

  ps_home_summary_format_blocked (summary, self->enforcement, &title, &subtitle);
  set_line (self, PS_HOME_OVERVIEW_BLOCKED, self->blocked_row, self->blocked_arrow, title,
            subtitle, summary->blocked_camera);

  if (summary->open_phoning > 0
      || (summary->blocked > 0 && self->enforcement != PS_HOME_ENFORCEMENT_ENFORCED
          && self->enforcement != PS_HOME_ENFORCEMENT_CHECKING))
    set_icon_style (self->blocked_icon, "warning");
  else if (summary->blocked > 0 && self->enforcement == PS_HOME_ENFORCEMENT_ENFORCED)
    set_icon_style (self->blocked_icon, "success");
  else
    set_icon_style (self->blocked_icon, "dim-label");
}

static void
show_news (PsHomeOverview *self)
{
  char *title, *subtitle;

  ps_home_summary_format_news (&self->summary, self->rule_changes, &title, &subtitle);
  set_line (self, PS_HOME_OVERVIEW_NEWS, self->news_row, self->news_arrow, title, subtitle,
            self->summary.news_camera);
}

static void check_enforcement (PsHomeOverview *self);

static void
update (PsHomeOverview *self)
{
  const PsHomeSummary *summary = &self->summary;
  guint blocked_before = summary->blocked;
  char *title, *subtitle;

  ps_home_summary_compute (&self->summary, (const char * const *) self->cameras, self->peers,
                           self->policy, now_ms (self) - DAY_MS);
  gtk_widget_set_visible (GTK_WIDGET (self), summary->cameras > 0);

  ps_home_summary_format_phoning (summary, &title, &subtitle);
  set_line (self, PS_HOME_OVERVIEW_PHONING, self->phoning_row, self->phoning_arrow, title,
            subtitle, summary->phoning_camera);
  set_icon_style (self->phoning_icon, summary->phoning_home > 0 ? "warning"
                                      : summary->has_peers ? "success" : "dim-label");

  show_blocked (self);
  show_news (self);

  /* the first blocked camera: the firewall matters now */
  if (blocked_before == 0 && summary->blocked > 0)
    check_enforcement (self);
}

static void
on_peers_changed_cb (gpointer user_data)
{
  update (user_data);
}

static void read_log (PsHomeOverview *self);

/* yesterday moves on */
static gboolean
on_refresh_cb (gpointer user_data)
{
  PsHomeOverview *self = user_data;

  update (self);
  if (self->store_path != NULL)
    read_log (self);

  return G_SOURCE_CONTINUE;
}

static void
on_row_activated_cb (PsHomeOverview *self,
                     AdwActionRow   *row)
{
  static const char * const views[] = { "connections", "privacy", "connections" };
  PsHomeOverviewLine line;

  if (row == self->phoning_row)
    line = PS_HOME_OVERVIEW_PHONING;
  else if (row == self->blocked_row)
    line = PS_HOME_OVERVIEW_BLOCKED;
  else
    line = PS_HOME_OVERVIEW_NEWS;

  if (self->targets[line] != NULL)
    g_signal_emit (self, signals[OPEN_CAMERA], 0, self->targets[line], views[line]);
}

/* ---- is the policy enforced? ----------------------------------------------------------- */

static gboolean
running_as_root (void)
{
#ifdef G_OS_UNIX
  return geteuid () == 0;
#else
  return FALSE;
#endif
}

static PsGatewayPolicyClient *
gateway_client (void)
{
  /* one for the process, on the system bus; only the main thread uses it */
  static PsGatewayPolicyClient *client;

  if (client == NULL)
    client = ps_gateway_policy_client_new (NULL);

  return client;
}

static void
helper_get_state (GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  ps_gateway_policy_client_get_state_async (gateway_client (), cancellable, callback, user_data);
}

static gboolean
helper_get_state_finish (GAsyncResult  *result,
                         char         **live_digest,
                         GError       **error)
{
  return ps_gateway_policy_client_get_state_finish (gateway_client (), result, live_digest,
                                                    NULL, NULL, error);
}

typedef struct
{
  guint     serial;
  char     *digest;       /* the policy's; NULL when names make it unknowable here */
  char *  (*dup_live_digest) (GError **error);
} Check;

static void
check_free (Check *check)
{
  g_free (check->digest);
  g_free (check);
}

static void
show_enforcement (PsHomeOverview *self,
                  Check          *check,
                  const char     *live,
                  const GError   *error)
{
  if (check->serial != self->check_serial)
    return;

  if (error != NULL)
    {
      g_debug ("Cannot tell whether the policy is enforced: %s", error->message);
      self->enforcement = PS_HOME_ENFORCEMENT_UNKNOWN;
    }
  else if (live == NULL)
    self->enforcement = PS_HOME_ENFORCEMENT_NOT_ENFORCED;
  else if (check->digest == NULL || g_strcmp0 (live, check->digest) == 0)
    self->enforcement = PS_HOME_ENFORCEMENT_ENFORCED;
  else
    self->enforcement = PS_HOME_ENFORCEMENT_OUTDATED;

  show_blocked (self);
}

static void
check_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Check *check = task_data;
  GError *error = NULL;
  char *live = check->dup_live_digest (&error);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, live, g_free);
}

static void
on_live_digest_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  PsHomeOverview *self = PS_HOME_OVERVIEW (object);
  g_autoptr(GError) error = NULL;
  g_autofree char *live = NULL;

  self->n_running--;
  live = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  show_enforcement (self, g_task_get_task_data (G_TASK (result)), live, error);
}

typedef struct
{
  PsHomeOverview *self;
  Check          *check;
} HelperCall;

static void
on_helper_state_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  HelperCall *call = user_data;
  g_autoptr(PsHomeOverview) self = call->self;
  g_autoptr(GError) error = NULL;
  g_autofree char *live = NULL;

  self->n_running--;
  if (self->backend.helper_get_state_finish (result, &live, &error)
      || !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    show_enforcement (self, call->check, live, error);

  check_free (call->check);
  g_free (call);
}

static void
check_enforcement (PsHomeOverview *self)
{
  g_auto(GStrv) names = NULL;
  Check *check;

  self->check_pending = FALSE;
  if (self->policy == NULL || self->summary.blocked == 0)
    return;
  /* nothing is asked while nobody looks */
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      self->check_pending = TRUE;
      return;
    }

  check = g_new0 (Check, 1);
  check->serial = ++self->check_serial;
  names = ps_policy_dup_allow_names (self->policy);
  if (names == NULL || names[0] == NULL)
    check->digest = ps_policy_digest (self->policy);
  check->dup_live_digest = self->backend.dup_live_digest;

  if (self->enforcement != PS_HOME_ENFORCEMENT_ENFORCED)
    {
      self->enforcement = PS_HOME_ENFORCEMENT_CHECKING;
      show_blocked (self);
    }

  self->n_running++;
  if (self->backend.privileged && self->backend.supported)
    {
      g_autoptr(GTask) task = g_task_new (self, self->cancellable, on_live_digest_cb, NULL);

      g_task_set_source_tag (task, check_enforcement);
      g_task_set_task_data (task, check, (GDestroyNotify) check_free);
      g_task_run_in_thread (task, check_thread);
    }
  else if (!self->backend.privileged && self->backend.helper_get_state != NULL)
    {
      HelperCall *call = g_new0 (HelperCall, 1);

      call->self = g_object_ref (self);
      call->check = check;
      self->backend.helper_get_state (self->cancellable, on_helper_state_cb, call);
    }
  else
    {
      /* nothing on this computer can enforce it */
      self->n_running--;
      show_enforcement (self, check, NULL, NULL);
      check_free (check);
    }
}

/* ---- the policy's change log ----------------------------------------------------------- */

typedef struct
{
  char   *path;
  gint64  since_us;
} LogRead;

static void
log_read_free (LogRead *read)
{
  g_free (read->path);
  g_free (read);
}

static void
log_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  LogRead *read = task_data;
  g_autoptr(GPtrArray) changes = NULL;
  GError *error = NULL;

  changes = ps_policy_store_dup_changes (read->path, read->since_us, &error);
  if (changes == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, (gssize) MIN (changes->len, G_MAXINT));
}

static void
on_log_read_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  PsHomeOverview *self = PS_HOME_OVERVIEW (object);
  g_autoptr(GError) error = NULL;
  gssize n;

  self->n_running--;
  n = g_task_propagate_int (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      || GPOINTER_TO_UINT (user_data) != self->log_serial)
    return;

  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    g_debug ("Cannot read the policy's change log: %s", error->message);
  self->rule_changes = error != NULL ? (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)
                                        ? 0 : -1)
                                     : (int) n;
  show_news (self);
}

static void
read_log (PsHomeOverview *self)
{
  g_autoptr(GTask) task = NULL;
  LogRead *read;

  /* a JSON file keeps no log */
  if (self->store_path == NULL || g_str_has_suffix (self->store_path, ".json"))
    {
      self->log_serial++;
      self->rule_changes = -1;
      show_news (self);
      return;
    }

  read = g_new0 (LogRead, 1);
  read->path = g_strdup (self->store_path);
  read->since_us = (now_ms (self) - DAY_MS) * 1000;
  self->n_running++;
  task = g_task_new (self, self->cancellable, on_log_read_cb,
                     GUINT_TO_POINTER (++self->log_serial));
  g_task_set_source_tag (task, read_log);
  g_task_set_task_data (task, read, (GDestroyNotify) log_read_free);
  g_task_run_in_thread (task, log_thread);
}

static gboolean
on_log_delay_cb (gpointer user_data)
{
  PsHomeOverview *self = user_data;

  self->log_id = 0;
  read_log (self);

  return G_SOURCE_REMOVE;
}

/* ---- object ---------------------------------------------------------------------------- */

static void
ps_home_overview_map (GtkWidget *widget)
{
  PsHomeOverview *self = PS_HOME_OVERVIEW (widget);

  GTK_WIDGET_CLASS (ps_home_overview_parent_class)->map (widget);

  /* someone may have applied the rules meanwhile (the Privacy view, peerscope-cli) */
  check_enforcement (self);
}

static void
ps_home_overview_dispose (GObject *object)
{
  PsHomeOverview *self = (PsHomeOverview *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->log_id, g_source_remove);
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  g_clear_pointer (&self->watch, ps_peer_watch_free);
  g_clear_object (&self->peers);
  g_clear_object (&self->policy);
  gtk_widget_dispose_template (GTK_WIDGET (self), PS_TYPE_HOME_OVERVIEW);

  G_OBJECT_CLASS (ps_home_overview_parent_class)->dispose (object);
}

static void
ps_home_overview_finalize (GObject *object)
{
  PsHomeOverview *self = (PsHomeOverview *) object;

  g_clear_object (&self->cancellable);
  g_strfreev (self->cameras);
  g_free (self->store_path);
  for (guint i = 0; i < G_N_ELEMENTS (self->targets); i++)
    g_free (self->targets[i]);

  G_OBJECT_CLASS (ps_home_overview_parent_class)->finalize (object);
}

static void
ps_home_overview_class_init (PsHomeOverviewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ps_home_overview_dispose;
  object_class->finalize = ps_home_overview_finalize;

  widget_class->map = ps_home_overview_map;

  /**
   * PsHomeOverview::open-camera:
   * @self: the overview
   * @device: the camera's device id
   * @view: "connections" or "privacy"
   *
   * The user activated a line about this camera.
   */
  signals[OPEN_CAMERA] =
    g_signal_new ("open-camera", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/peerscope/Peerscope/ps-home-overview.ui");
  gtk_widget_class_bind_template_child (widget_class, PsHomeOverview, phoning_row);
  gtk_widget_class_bind_template_child (widget_class, PsHomeOverview, phoning_icon);
  gtk_widget_class_bind_template_child (widget_class, PsHomeOverview, phoning_arrow);
  gtk_widget_class_bind_template_child (widget_class, PsHomeOverview, blocked_row);
  gtk_widget_class_bind_template_child (widget_class, PsHomeOverview, blocked_icon);
  gtk_widget_class_bind_template_child (widget_class, PsHomeOverview, blocked_arrow);
  gtk_widget_class_bind_template_child (widget_class, PsHomeOverview, news_row);
  gtk_widget_class_bind_template_child (widget_class, PsHomeOverview, news_arrow);
}

static void
ps_home_overview_init (PsHomeOverview *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->rule_changes = -1;
  self->enforcement = PS_HOME_ENFORCEMENT_CHECKING;
  self->backend.privileged = running_as_root ();
  self->backend.supported = ps_enforcer_is_supported ();
  self->backend.dup_live_digest = ps_enforcer_dup_live_digest;
  self->backend.helper_get_state = helper_get_state;
  self->backend.helper_get_state_finish = helper_get_state_finish;

  g_signal_connect_object (self->phoning_row, "activated", G_CALLBACK (on_row_activated_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->blocked_row, "activated", G_CALLBACK (on_row_activated_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->news_row, "activated", G_CALLBACK (on_row_activated_cb),
                           self, G_CONNECT_SWAPPED);
  self->refresh_id = g_timeout_add_seconds (REFRESH_S, on_refresh_cb, self);

  update (self);
}

PsHomeOverview *
ps_home_overview_new (void)
{
  return g_object_new (PS_TYPE_HOME_OVERVIEW, NULL);
}

void
ps_home_overview_set_cameras (PsHomeOverview     *self,
                              const char * const *cameras)
{
  g_return_if_fail (PS_IS_HOME_OVERVIEW (self));

  /* the summary points into the old list until it is computed again */
  g_strfreev (self->cameras);
  self->cameras = g_strdupv ((GStrv) cameras);
  update (self);
}

void
ps_home_overview_set_peers (PsHomeOverview *self,
                            GListModel     *peers)
{
  g_return_if_fail (PS_IS_HOME_OVERVIEW (self));
  g_return_if_fail (peers == NULL || G_IS_LIST_MODEL (peers));

  if (self->peers == peers)
    return;

  g_clear_pointer (&self->watch, ps_peer_watch_free);
  g_set_object (&self->peers, peers);
  if (peers != NULL)
    self->watch = ps_peer_watch_new (peers, NULL, PEERS_DELAY_MS, on_peers_changed_cb, self);
  update (self);
}

void
ps_home_overview_set_policy (PsHomeOverview *self,
                             PsPolicy       *policy)
{
  g_return_if_fail (PS_IS_HOME_OVERVIEW (self));
  g_return_if_fail (policy == NULL || PS_IS_POLICY (policy));

  if (!g_set_object (&self->policy, policy))
    return;

  update (self);
  check_enforcement (self);
}

void
ps_home_overview_set_policy_store (PsHomeOverview *self,
                                   const char     *path)
{
  g_return_if_fail (PS_IS_HOME_OVERVIEW (self));

  g_free (self->store_path);
  self->store_path = g_strdup (path);
  g_clear_handle_id (&self->log_id, g_source_remove);
  read_log (self);
}

void
ps_home_overview_policy_changed (PsHomeOverview *self)
{
  g_return_if_fail (PS_IS_HOME_OVERVIEW (self));

  update (self);
  check_enforcement (self);
  if (self->store_path != NULL && self->log_id == 0)
    self->log_id = g_timeout_add (LOG_DELAY_MS, on_log_delay_cb, self);
}

/* ---- for the tests --------------------------------------------------------------------- */

void
_ps_home_overview_set_backend (PsHomeOverview             *self,
                               const PsEnforcementBackend *backend)
{
  g_return_if_fail (PS_IS_HOME_OVERVIEW (self));
  g_return_if_fail (backend != NULL && backend->dup_live_digest != NULL);
  g_return_if_fail ((backend->helper_get_state == NULL)
                    == (backend->helper_get_state_finish == NULL));

  self->backend = *backend;
  check_enforcement (self);
}

void
_ps_home_overview_set_now (PsHomeOverview *self,
                           gint64          now_ms)
{
  g_return_if_fail (PS_IS_HOME_OVERVIEW (self));

  self->now_ms = now_ms;
  update (self);
  if (self->store_path != NULL)
    read_log (self);
}

void
_ps_home_overview_flush (PsHomeOverview *self)
{
  g_return_if_fail (PS_IS_HOME_OVERVIEW (self));

  if (self->watch != NULL)
    ps_peer_watch_flush (self->watch);
}

gboolean
_ps_home_overview_is_busy (PsHomeOverview *self)
{
  g_return_val_if_fail (PS_IS_HOME_OVERVIEW (self), FALSE);

  return self->n_running > 0 || self->log_id != 0;
}

AdwActionRow *
_ps_home_overview_get_row (PsHomeOverview     *self,
                           PsHomeOverviewLine  line)
{
  g_return_val_if_fail (PS_IS_HOME_OVERVIEW (self), NULL);

  switch (line)
    {
    case PS_HOME_OVERVIEW_PHONING:
      return self->phoning_row;
    case PS_HOME_OVERVIEW_BLOCKED:
      return self->blocked_row;
    case PS_HOME_OVERVIEW_NEWS:
    default:
      return self->news_row;
    }
}

PsHomeEnforcement
_ps_home_overview_get_enforcement (PsHomeOverview *self)
{
  g_return_val_if_fail (PS_IS_HOME_OVERVIEW (self), PS_HOME_ENFORCEMENT_UNKNOWN);

  return self->enforcement;
}

const PsHomeSummary *
_ps_home_overview_get_summary (PsHomeOverview *self)
{
  g_return_val_if_fail (PS_IS_HOME_OVERVIEW (self), NULL);

  return &self->summary;
}
