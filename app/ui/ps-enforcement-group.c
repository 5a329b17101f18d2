/* ps-enforcement-group.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Whatever the policy is now, a worker thread compiles it as it would go to a firewall
 * (allow-list names resolved), for the preview and its digest, and on this computer, as
 * root, reads the digest of the live rules: the two agree when the policy is enforced here.
 * Apply and the exports go the same way.  Each check and apply carries a serial number; an
 * answer that comes after a newer one started is dropped.
 *
 * Not root, the gateway helper (peerscope-gatewayd, through PsGatewayPolicyClient) takes
 * the place of this computer's firewall: once the worker has compiled the policy, the main
 * thread asks the helper for its live digest (GetState) or hands it the compiled policy
 * (Apply), asynchronously.
 */

#define G_LOG_DOMAIN "ps-enforcement-group"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>
#ifdef G_OS_UNIX
#include <unistd.h>
#endif

#include "ps-enforcement-group-private.h"
#include "ps-enforcer.h"
#include "ps-gateway-policy-client.h"
#include "ps-policy-compiler.h"

typedef enum {
  ENFORCEMENT_CHECKING,
  ENFORCEMENT_ENFORCED,
  ENFORCEMENT_NOT_ENFORCED,
  ENFORCEMENT_OUTDATED,
  ENFORCEMENT_NEEDS_HELPER,
  ENFORCEMENT_UNSUPPORTED,
  ENFORCEMENT_NOT_AUTHORISED,    /* the gateway helper said no */
  ENFORCEMENT_NO_HELPER,         /* there is no gateway helper to ask */
  ENFORCEMENT_ERROR,
} Enforcement;

struct _PsEnforcementGroup
{
  AdwPreferencesGroup   parent_instance;

  AdwActionRow         *status_row;
  GtkImage             *status_icon;
  GtkSpinner           *status_spinner;
  GtkWidget            *apply_button;
  GtkWidget            *export_button;
  GtkLabel             *preview_label;

  PsPolicy             *policy;
  PsEnforcementBackend  backend;
  GCancellable         *cancellable;     /* everything on its way when the group goes */
  guint                 serial;          /* of the latest check or apply */
  guint                 n_running;       /* checks, applies and exports on their way */
  gboolean              applying;
  Enforcement           enforcement;
  char                 *digest;          /* of the policy as it goes to a firewall */

  GObject              *chooser;         /* the export file chooser while it is open */
  PsEnforcementExport   export_format;
};

G_DEFINE_FINAL_TYPE (PsEnforcementGroup, ps_enforcement_group, ADW_TYPE_PREFERENCES_GROUP)

enum {
  BEFORE_APPLY,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void update_busy (PsEnforcementGroup *self);

static gboolean
running_as_root (void)
{
#ifdef G_OS_UNIX
  return geteuid () == 0;
#else
  return FALSE;
#endif
}

/* the gateway helper enforces the policy, not this computer's firewall */
static gboolean
uses_helper (const PsEnforcementBackend *backend)
{
  return !backend->privileged && backend->helper_get_state != NULL;
}

/* What the gateway helper's answer says about it (the client's errors, or the bus's). */
static Enforcement
helper_error_enforcement (const GError *error)
{
  g_autofree char *remote = g_dbus_error_get_remote_error (error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED)
      || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED)
      || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_AUTH_FAILED))
    return ENFORCEMENT_NOT_AUTHORISED;
  /* the client says NOT_SUPPORTED for a bus that knows no helper */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED)
      || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN)
      || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER)
      || g_strcmp0 (remote, "org.freedesktop.DBus.Error.ServiceUnknown") == 0
      || g_strcmp0 (remote, "org.freedesktop.DBus.Error.NameHasNoOwner") == 0)
    return ENFORCEMENT_NO_HELPER;

  return ENFORCEMENT_ERROR;
}

/* ---- the gateway helper (main thread) -------------------------------------------------- */

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

static void
helper_apply (PsPolicy            *policy,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  ps_gateway_policy_client_apply_async (gateway_client (), policy, cancellable, callback,
                                        user_data);
}

static gboolean
helper_apply_finish (GAsyncResult  *result,
                     gboolean      *changed,
                     GError       **error)
{
  return ps_gateway_policy_client_apply_finish (gateway_client (), result, changed, NULL,
                                                error);
}

static void
show_toast (PsEnforcementGroup *self,
            const char         *text)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  g_autofree char *escaped = NULL;

  if (overlay == NULL)
    {
      g_debug ("%s", text);
      return;
    }

  /* libadwaita 1.2 reads a toast's title as markup */
  escaped = g_markup_escape_text (text, -1);
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (escaped));
}

/* ---- the worker ------------------------------------------------------------------------ */

static GStrv
resolve_name (const char    *name,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(GResolver) resolver = g_resolver_get_default ();
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  GList *list;

  list = g_resolver_lookup_by_name (resolver, name, cancellable, error);
  if (list == NULL)
    return NULL;
  for (GList *l = list; l != NULL; l = l->next)
    {
      g_autofree char *text = g_inet_address_to_string (l->data);

      g_strv_builder_add (builder, text);
    }
  g_resolver_free_addresses (list);

  return g_strv_builder_end (builder);
}

/* The policy as it goes to a firewall: nftables matches addresses, not names, so the
 * allow-list names come with the addresses they resolve to now (the way "peerscope-cli
 * policy apply" does it).  A name that does not resolve stays blocked. */
static PsPolicy *
policy_for_kernel (PsPolicy                    *policy,
                   const PsEnforcementBackend  *backend,
                   GCancellable                *cancellable,
                   GError                     **error)
{
  g_auto(GStrv) names = ps_policy_dup_allow_names (policy);
  g_autoptr(GHashTable) resolved = NULL;
  g_autoptr(PsPolicy) copy = NULL;
  g_auto(GStrv) devices = NULL;

  if (names == NULL || names[0] == NULL)
    return g_object_ref (policy);

  resolved = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) g_strfreev);
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autoptr(GError) local_error = NULL;
      GStrv addresses = backend->resolve (names[i], cancellable, &local_error);

      if (addresses == NULL)
        {
          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            return NULL;
          g_debug ("%s does not resolve (%s); it stays blocked", names[i],
                   local_error != NULL ? local_error->message : "no address");
          continue;
        }
      g_hash_table_insert (resolved, names[i], addresses);
    }

  copy = ps_policy_copy (policy);
  devices = ps_policy_dup_devices (copy);
  for (guint i = 0; devices[i] != NULL; i++)
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) extended = NULL;
      g_auto(GStrv) device_addresses = NULL;
      g_autofree char *device_mac = NULL;
      const char * const *addresses = NULL;
      const char * const *allow = NULL;
      const char *mac = NULL;
      PsIntent intent;

      ps_policy_get_device (copy, devices[i], &mac, &addresses, &intent, &allow);
      for (guint j = 0; allow != NULL && allow[j] != NULL; j++)
        {
          GStrv found = g_hash_table_lookup (resolved, allow[j]);

          g_strv_builder_add (builder, allow[j]);
          if (found != NULL)
            g_strv_builder_addv (builder, (const char **) found);
        }
      extended = g_strv_builder_end (builder);
      /* the setter replaces the rule these point into */
      device_mac = g_strdup (mac);
      device_addresses = g_strdupv ((GStrv) addresses);
      if (!ps_policy_set_device (copy, devices[i], device_mac,
                                 (const char * const *) device_addresses, intent,
                                 (const char * const *) extended, error))
        return NULL;
    }

  return g_steal_pointer (&copy);
}

typedef enum {
  JOB_CHECK,
  JOB_APPLY,
  JOB_EXPORT,
} JobKind;

typedef struct
{
  JobKind               kind;
  PsPolicy             *policy;      /* a copy: the worker's own */
  PsEnforcementBackend  backend;
  PsEnforcementExport   format;
  guint                 serial;

  /* the answers */
  char                 *digest;
  PsPolicy             *kernel;      /* what goes to the gateway helper (an apply) */
  char                 *text;        /* the nft script, or the export */
  GError               *text_error;
  char                 *live;        /* the digest of the live rules */
  GError               *live_error;
  gboolean              changed;
  GError               *apply_error;
} Job;

static void
job_free (Job *job)
{
  g_clear_object (&job->policy);
  g_free (job->digest);
  g_clear_object (&job->kernel);
  g_free (job->text);
  g_clear_error (&job->text_error);
  g_free (job->live);
  g_clear_error (&job->live_error);
  g_clear_error (&job->apply_error);
  g_free (job);
}

static void
job_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(PsPolicy) kernel = NULL;
  GError *error = NULL;

  kernel = policy_for_kernel (job->policy, &job->backend, cancellable, &error);
  if (kernel == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  job->digest = ps_policy_digest (kernel);
  if (job->kind == JOB_EXPORT && job->format == PS_ENFORCEMENT_EXPORT_OPENWRT)
    job->text = ps_policy_export_openwrt (kernel, &job->text_error);
  else
    job->text = ps_policy_export_nft (kernel, &job->text_error);

  if (job->kind == JOB_APPLY && uses_helper (&job->backend))
    job->kernel = g_object_ref (kernel);   /* the main thread hands it over */
  else if (job->kind == JOB_APPLY)
    {
      if (!job->backend.apply (kernel, &job->changed, &job->apply_error)
          && job->apply_error == NULL)
        g_set_error_literal (&job->apply_error, G_IO_ERROR, G_IO_ERROR_FAILED,
                             _("The firewall refused the rules"));
    }

  if (job->kind != JOB_EXPORT && job->backend.privileged && job->backend.supported)
    job->live = job->backend.dup_live_digest (&job->live_error);

  g_task_return_boolean (task, TRUE);
}

static void
start_job (PsEnforcementGroup  *self,
           Job                 *job,
           GAsyncReadyCallback  callback)
{
  g_autoptr(GTask) task = NULL;

  job->policy = ps_policy_copy (self->policy);
  job->backend = self->backend;

  task = g_task_new (self, self->cancellable, callback, NULL);
  g_task_set_source_tag (task, start_job);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, job_thread);
}

/* ---- what the row says ----------------------------------------------------------------- */

static void
set_enforcement (PsEnforcementGroup *self,
                 Enforcement         enforcement,
                 const char         *message)
{
  g_autofree char *subtitle = NULL;
  const char *title = NULL;
  const char *icon = "dialog-warning-symbolic";
  const char *style = "warning";
  gboolean helper = uses_helper (&self->backend);
  gboolean can_apply = FALSE;

  self->enforcement = enforcement;

  switch (enforcement)
    {
    case ENFORCEMENT_CHECKING:
      title = _("Checking where the rules are enforced…");
      style = NULL;
      break;
    case ENFORCEMENT_ENFORCED:
      if (helper)
        {
          title = _("Enforced on the gateway helper’s computer");
          /* Translators: %.12s is the start of the policy's digest, e.g. "3f2a9c01be77" */
          subtitle = g_strdup_printf (_("The gateway helper’s firewall applies these rules now "
                                        "(policy %.12s)"),
                                      self->digest != NULL ? self->digest : "");
          icon = "emblem-ok-symbolic";
          style = "success";
          break;
        }
      title = _("Enforced on this computer");
      /* Translators: %.12s is the start of the policy's digest, e.g. "3f2a9c01be77" */
      subtitle = g_strdup_printf (_("This computer’s firewall applies these rules now "
                                    "(policy %.12s)"), self->digest != NULL ? self->digest : "");
      icon = "emblem-ok-symbolic";
      style = "success";
      break;
    case ENFORCEMENT_NOT_ENFORCED:
      title = _("Not enforced yet");
      if (helper)
        subtitle = g_strdup (_("Apply the rules through the gateway helper, or export them for "
                               "your router"));
      else
        subtitle = g_strdup (_("Apply the rules to this computer’s firewall, or export them for "
                               "your router"));
      can_apply = TRUE;
      break;
    case ENFORCEMENT_OUTDATED:
      title = _("Not enforced yet");
      if (helper)
        subtitle = g_strdup (_("The gateway helper’s firewall still has earlier rules: apply "
                               "these to replace them"));
      else
        subtitle = g_strdup (_("This computer’s firewall still has earlier rules: apply these to "
                               "replace them"));
      can_apply = TRUE;
      break;
    case ENFORCEMENT_NEEDS_HELPER:
      title = _("Not enforced yet");
      subtitle = g_strdup (_("Enforcing needs Peerscope’s gateway helper on the computer that "
                             "routes your cameras’ traffic. Or export the rules and load them on "
                             "your router."));
      break;
    case ENFORCEMENT_UNSUPPORTED:
      title = _("Not enforced yet");
      subtitle = g_strdup (_("This build of Peerscope cannot change a firewall: export the rules "
                             "and load them on your router"));
      break;
    case ENFORCEMENT_NOT_AUTHORISED:
      title = _("Not authorised");
      subtitle = g_strdup (_("The gateway helper did not allow the change: apply the rules to "
                             "try again, or export them for your router"));
      can_apply = TRUE;
      break;
    case ENFORCEMENT_NO_HELPER:
      title = _("The gateway helper is not installed");
      subtitle = g_strdup (_("Enforcing needs Peerscope’s gateway helper on the computer that "
                             "routes your cameras’ traffic. Or export the rules and load them on "
                             "your router."));
      break;
    case ENFORCEMENT_ERROR:
    default:
      title = _("Cannot tell whether the rules are enforced");
      subtitle = g_strdup (message);
      can_apply = TRUE;
      break;
    }

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->status_row), title);
  adw_action_row_set_subtitle (self->status_row, subtitle != NULL ? subtitle : "");
  gtk_image_set_from_icon_name (self->status_icon, icon);
  gtk_widget_remove_css_class (GTK_WIDGET (self->status_icon), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->status_icon), "warning");
  if (style != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_icon), style);
  gtk_widget_set_visible (self->apply_button,
                          can_apply && (helper
                                        || (self->backend.privileged && self->backend.supported)));

  update_busy (self);
}

/* the spinner while a check or an apply runs, and whether Apply may start */
static void
update_busy (PsEnforcementGroup *self)
{
  gboolean checking = self->enforcement == ENFORCEMENT_CHECKING;

  gtk_widget_set_visible (GTK_WIDGET (self->status_spinner), checking || self->applying);
  gtk_spinner_set_spinning (self->status_spinner, checking || self->applying);
  gtk_widget_set_visible (GTK_WIDGET (self->status_icon), !checking && !self->applying);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "enforcement.apply",
                                 !self->applying && self->policy != NULL
                                 && (uses_helper (&self->backend)
                                     || (self->backend.privileged && self->backend.supported)));
}

static void
show_job (PsEnforcementGroup *self,
          Job                *job)
{
  Enforcement enforcement;

  if (job->text != NULL)
    gtk_label_set_text (self->preview_label, job->text);
  else
    gtk_label_set_text (self->preview_label, job->text_error->message);

  g_free (self->digest);
  self->digest = g_strdup (job->digest);

  if (uses_helper (&job->backend))
    {
      if (job->live_error != NULL)
        enforcement = helper_error_enforcement (job->live_error);
      else if (job->live != NULL && g_strcmp0 (job->live, job->digest) == 0)
        enforcement = ENFORCEMENT_ENFORCED;
      else if (job->live != NULL)
        enforcement = ENFORCEMENT_OUTDATED;
      else
        enforcement = ENFORCEMENT_NOT_ENFORCED;
    }
  else if (!self->backend.supported)
    enforcement = ENFORCEMENT_UNSUPPORTED;
  else if (!self->backend.privileged)
    enforcement = ENFORCEMENT_NEEDS_HELPER;
  else if (job->live_error != NULL)
    enforcement = ENFORCEMENT_ERROR;
  else if (job->live != NULL && g_strcmp0 (job->live, job->digest) == 0)
    enforcement = ENFORCEMENT_ENFORCED;
  else if (job->live != NULL)
    enforcement = ENFORCEMENT_OUTDATED;
  else
    enforcement = ENFORCEMENT_NOT_ENFORCED;

  set_enforcement (self, enforcement, job->live_error != NULL ? job->live_error->message : NULL);
}

static void
on_helper_state_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PsEnforcementGroup *self = g_task_get_source_object (task);
  Job *job = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  self->n_running--;
  if (!job->backend.helper_get_state_finish (result, &job->live, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_debug ("Cannot ask the gateway helper: %s", error->message);
      job->live_error = g_steal_pointer (&error);
    }

  /* a newer check is on its way */
  if (job->serial != self->serial)
    return;

  show_job (self, job);
}

static void
on_check_done_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  PsEnforcementGroup *self = PS_ENFORCEMENT_GROUP (object);
  g_autoptr(GError) error = NULL;
  Job *job = g_task_get_task_data (G_TASK (result));

  self->n_running--;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      if (job->serial == self->serial)
        {
          gtk_label_set_text (self->preview_label, error->message);
          set_enforcement (self, ENFORCEMENT_ERROR, error->message);
        }
      return;
    }

  /* a newer check is on its way */
  if (job->serial != self->serial)
    return;

  if (uses_helper (&job->backend))
    {
      /* what the gateway helper enforces */
      self->n_running++;
      job->backend.helper_get_state (self->cancellable, on_helper_state_cb,
                                     g_object_ref (result));
      return;
    }

  show_job (self, job);
}

static void
check_enforcement (PsEnforcementGroup *self)
{
  Job *job;

  if (self->policy == NULL)
    {
      gtk_label_set_text (self->preview_label, "");
      set_enforcement (self, ENFORCEMENT_CHECKING, NULL);
      return;
    }

  /* hidden: the check waits until the group shows */
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;

  job = g_new0 (Job, 1);
  job->kind = JOB_CHECK;
  job->serial = ++self->serial;
  self->n_running++;
  /* the row keeps what it knew until the answer comes */
  if (self->enforcement == ENFORCEMENT_CHECKING)
    set_enforcement (self, ENFORCEMENT_CHECKING, NULL);
  start_job (self, job, on_check_done_cb);
}

/* ---- apply ----------------------------------------------------------------------------- */

static void
apply_done (PsEnforcementGroup *self,
            Job                *job)
{
  gboolean helper = uses_helper (&job->backend);

  self->applying = FALSE;
  if (job->apply_error != NULL)
    {
      g_autofree char *message = NULL;

      g_warning ("Cannot apply the policy: %s", job->apply_error->message);
      /* Translators: %s says why */
      message = g_strdup_printf (_("Cannot apply the rules: %s"), job->apply_error->message);
      show_toast (self, message);
    }
  else if (!job->changed)
    show_toast (self, _("These rules were in force already"));
  else if (helper)
    show_toast (self, _("The rules are in force on the gateway helper’s computer"));
  else
    show_toast (self, _("The rules are in force on this computer"));

  /* what the firewall has now */
  if (job->serial == self->serial && job->apply_error == NULL)
    show_job (self, job);
  else if (job->serial == self->serial && helper
           && helper_error_enforcement (job->apply_error) != ENFORCEMENT_ERROR)
    /* asking again would not say more */
    set_enforcement (self, helper_error_enforcement (job->apply_error), NULL);
  else
    check_enforcement (self);
}

static void
on_helper_applied_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PsEnforcementGroup *self = g_task_get_source_object (task);
  Job *job = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  self->n_running--;
  if (!job->backend.helper_apply_finish (result, &job->changed, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          self->applying = FALSE;
          return;
        }
      job->apply_error = g_steal_pointer (&error);
    }
  else
    job->live = g_strdup (job->digest);

  apply_done (self, job);
}

static void
on_apply_done_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  PsEnforcementGroup *self = PS_ENFORCEMENT_GROUP (object);
  g_autoptr(GError) error = NULL;
  Job *job = g_task_get_task_data (G_TASK (result));

  self->n_running--;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          self->applying = FALSE;
          return;
        }
      job->apply_error = g_steal_pointer (&error);
    }

  if (job->apply_error == NULL && job->kernel != NULL)
    {
      /* the compiled policy, names resolved, to the gateway helper; it may ask polkit */
      self->n_running++;
      job->backend.helper_apply (job->kernel, self->cancellable, on_helper_applied_cb,
                                 g_object_ref (result));
      return;
    }

  apply_done (self, job);
}

static void
apply_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  PsEnforcementGroup *self = PS_ENFORCEMENT_GROUP (widget);
  Job *job;

  if (self->policy == NULL || self->applying
      || (!self->backend.privileged && !uses_helper (&self->backend)))
    return;

  /* the owner may bring the policy up to date first */
  g_signal_emit (self, signals[BEFORE_APPLY], 0);

  job = g_new0 (Job, 1);
  job->kind = JOB_APPLY;
  job->serial = ++self->serial;
  self->n_running++;
  self->applying = TRUE;
  update_busy (self);
  start_job (self, job, on_apply_done_cb);
}

/* ---- export ---------------------------------------------------------------------------- */

typedef struct
{
  PsEnforcementGroup *self;
  GFile              *file;
} ExportWrite;

static void
export_write_free (ExportWrite *write)
{
  g_object_unref (write->self);
  g_object_unref (write->file);
  g_free (write);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ExportWrite, export_write_free)

static void
on_export_written_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(ExportWrite) write = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *name = NULL;

  if (!g_file_replace_contents_finish (G_FILE (object), result, NULL, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_warning ("Could not export to %s: %s", g_file_peek_path (write->file), error->message);
      /* Translators: %s says why, e.g. "Permission denied" */
      message = g_strdup_printf (_("Could not export the rules: %s"), error->message);
    }
  else
    {
      name = g_file_get_basename (write->file);
      /* Translators: %s is a file name */
      message = g_strdup_printf (_("Saved “%s”: its first lines say how to install it"), name);
    }

  show_toast (write->self, message);
}

static void
on_export_built_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  PsEnforcementGroup *self = PS_ENFORCEMENT_GROUP (object);
  g_autoptr(GFile) file = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  Job *job = g_task_get_task_data (G_TASK (result));
  ExportWrite *write;
  gsize length;

  self->n_running--;
  if (!g_task_propagate_boolean (G_TASK (result), &error) || job->text == NULL)
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      message = g_strdup_printf (_("Could not export the rules: %s"),
                                 error != NULL ? error->message : job->text_error->message);
      show_toast (self, message);
      return;
    }

  length = strlen (job->text);
  bytes = g_bytes_new_take (g_steal_pointer (&job->text), length);
  write = g_new0 (ExportWrite, 1);
  write->self = g_object_ref (self);
  write->file = g_object_ref (file);
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE,
                                       G_FILE_CREATE_REPLACE_DESTINATION, self->cancellable,
                                       on_export_written_cb, write);
}

static void
write_export (PsEnforcementGroup *self,
              GFile              *file)
{
  Job *job = g_new0 (Job, 1);
  g_autoptr(GTask) task = NULL;

  if (self->policy == NULL)
    return;

  job->kind = JOB_EXPORT;
  job->format = self->export_format;
  job->policy = ps_policy_copy (self->policy);
  job->backend = self->backend;
  self->n_running++;

  task = g_task_new (self, self->cancellable, on_export_built_cb, g_object_ref (file));
  g_task_set_source_tag (task, write_export);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, job_thread);
}

#if GTK_CHECK_VERSION (4, 10, 0)
static void
on_save_dialog_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(PsEnforcementGroup) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;

  file = gtk_file_dialog_save_finish (GTK_FILE_DIALOG (object), result, &error);
  g_clear_object (&self->chooser);
  if (file != NULL && !g_cancellable_is_cancelled (self->cancellable))
    write_export (self, file);
}
#else
static void
on_chooser_response_cb (PsEnforcementGroup *self,
                        int                 response,
                        GtkNativeDialog    *native)
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
start_export (PsEnforcementGroup  *self,
              PsEnforcementExport  format)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWindow *window = GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  const char *title;
  const char *name;

  if (self->chooser != NULL || self->policy == NULL)
    return;

  self->export_format = format;
  if (format == PS_ENFORCEMENT_EXPORT_OPENWRT)
    {
      title = _("Export the Rules for OpenWrt");
      name = "peerscope-firewall.uci";
      gtk_file_filter_set_name (filter, _("OpenWrt firewall configuration"));
      gtk_file_filter_add_suffix (filter, "uci");
    }
  else
    {
      title = _("Export the Rules for nftables");
      name = "peerscope.nft";
      gtk_file_filter_set_name (filter, _("nftables script"));
      gtk_file_filter_add_suffix (filter, "nft");
    }

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

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  const char *format = g_variant_get_string (parameter, NULL);

  start_export (PS_ENFORCEMENT_GROUP (widget), g_str_equal (format, "openwrt")
                                          ? PS_ENFORCEMENT_EXPORT_OPENWRT
                                          : PS_ENFORCEMENT_EXPORT_NFT);
}

/* ---- object ---------------------------------------------------------------------------- */

static void
ps_enforcement_group_map (GtkWidget *widget)
{
  PsEnforcementGroup *self = PS_ENFORCEMENT_GROUP (widget);

  GTK_WIDGET_CLASS (ps_enforcement_group_parent_class)->map (widget);

  /* the policy may have changed while the group was hidden, and someone may have changed
   * the firewall (peerscope-cli policy apply) */
  if (!self->applying)
    check_enforcement (self);
}

static void
ps_enforcement_group_dispose (GObject *object)
{
  PsEnforcementGroup *self = (PsEnforcementGroup *) object;

  g_cancellable_cancel (self->cancellable);

#if !GTK_CHECK_VERSION (4, 10, 0)
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
#endif
  g_clear_object (&self->chooser);
  g_clear_object (&self->policy);

  G_OBJECT_CLASS (ps_enforcement_group_parent_class)->dispose (object);
}

static void
ps_enforcement_group_finalize (GObject *object)
{
  PsEnforcementGroup *self = (PsEnforcementGroup *) object;

  g_clear_object (&self->cancellable);
  g_free (self->digest);

  G_OBJECT_CLASS (ps_enforcement_group_parent_class)->finalize (object);
}

static void
ps_enforcement_group_class_init (PsEnforcementGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ps_enforcement_group_dispose;
  object_class->finalize = ps_enforcement_group_finalize;

  widget_class->map = ps_enforcement_group_map;

  /**
   * PsEnforcementGroup::before-apply:
   * @self: the group
   *
   * The user asked to apply the policy: its owner may bring it up to date first.
   */
  signals[BEFORE_APPLY] =
    g_signal_new ("before-apply", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/peerscope/Peerscope/ps-enforcement-group.ui");
  gtk_widget_class_bind_template_child (widget_class, PsEnforcementGroup, status_row);
  gtk_widget_class_bind_template_child (widget_class, PsEnforcementGroup, status_icon);
  gtk_widget_class_bind_template_child (widget_class, PsEnforcementGroup, status_spinner);
  gtk_widget_class_bind_template_child (widget_class, PsEnforcementGroup, apply_button);
  gtk_widget_class_bind_template_child (widget_class, PsEnforcementGroup, export_button);
  gtk_widget_class_bind_template_child (widget_class, PsEnforcementGroup, preview_label);

  gtk_widget_class_install_action (widget_class, "enforcement.apply", NULL, apply_action);
  gtk_widget_class_install_action (widget_class, "enforcement.export", "s", export_action);
}

static void
ps_enforcement_group_init (PsEnforcementGroup *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->backend.privileged = running_as_root ();
  self->backend.supported = ps_enforcer_is_supported ();
  self->backend.dup_live_digest = ps_enforcer_dup_live_digest;
  self->backend.apply = ps_enforcer_apply;
  self->backend.resolve = resolve_name;
  self->backend.helper_get_state = helper_get_state;
  self->backend.helper_get_state_finish = helper_get_state_finish;
  self->backend.helper_apply = helper_apply;
  self->backend.helper_apply_finish = helper_apply_finish;

  set_enforcement (self, ENFORCEMENT_CHECKING, NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "enforcement.export", FALSE);
}

PsEnforcementGroup *
ps_enforcement_group_new (void)
{
  return g_object_new (PS_TYPE_ENFORCEMENT_GROUP, NULL);
}

void
ps_enforcement_group_set_policy (PsEnforcementGroup *self,
                                 PsPolicy           *policy)
{
  g_return_if_fail (PS_IS_ENFORCEMENT_GROUP (self));
  g_return_if_fail (policy == NULL || PS_IS_POLICY (policy));

  g_set_object (&self->policy, policy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "enforcement.export", policy != NULL);
  check_enforcement (self);
}

void
ps_enforcement_group_refresh (PsEnforcementGroup *self)
{
  g_return_if_fail (PS_IS_ENFORCEMENT_GROUP (self));

  check_enforcement (self);
}

/* ---- for the tests --------------------------------------------------------------------- */

void
_ps_enforcement_group_set_backend (PsEnforcementGroup         *self,
                                   const PsEnforcementBackend *backend)
{
  g_return_if_fail (PS_IS_ENFORCEMENT_GROUP (self));
  g_return_if_fail (backend != NULL);
  g_return_if_fail (backend->dup_live_digest != NULL && backend->apply != NULL
                    && backend->resolve != NULL);
  g_return_if_fail ((backend->helper_get_state == NULL)
                    == (backend->helper_get_state_finish == NULL));
  g_return_if_fail ((backend->helper_get_state == NULL) == (backend->helper_apply == NULL));
  g_return_if_fail ((backend->helper_apply == NULL) == (backend->helper_apply_finish == NULL));

  self->backend = *backend;
  check_enforcement (self);
}

const char *
_ps_enforcement_group_get_state (PsEnforcementGroup *self)
{
  static const char * const names[] = {
    "checking", "enforced", "not-enforced", "outdated", "needs-helper", "unsupported",
    "not-authorised", "no-helper", "error",
  };

  g_return_val_if_fail (PS_IS_ENFORCEMENT_GROUP (self), NULL);

  return names[self->enforcement];
}

const char *
_ps_enforcement_group_get_text (PsEnforcementGroup *self)
{
  g_return_val_if_fail (PS_IS_ENFORCEMENT_GROUP (self), NULL);

  return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (self->status_row));
}

gboolean
_ps_enforcement_group_is_busy (PsEnforcementGroup *self)
{
  g_return_val_if_fail (PS_IS_ENFORCEMENT_GROUP (self), FALSE);

  return self->n_running > 0;
}

const char *
_ps_enforcement_group_get_preview (PsEnforcementGroup *self)
{
  g_return_val_if_fail (PS_IS_ENFORCEMENT_GROUP (self), NULL);

  return gtk_label_get_text (self->preview_label);
}

GtkWidget *
_ps_enforcement_group_get_apply_button (PsEnforcementGroup *self)
{
  g_return_val_if_fail (PS_IS_ENFORCEMENT_GROUP (self), NULL);

  return self->apply_button;
}

GObject *
_ps_enforcement_group_get_export_dialog (PsEnforcementGroup *self)
{
  g_return_val_if_fail (PS_IS_ENFORCEMENT_GROUP (self), NULL);

  return self->chooser;
}
