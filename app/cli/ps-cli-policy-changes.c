/* ps-cli-policy-changes.c: peerscope-cli policy changes
 *
 * Which devices' intents changed, from what to what and when, out of the
 * policy store's change log: "what changed since yesterday" for scripts.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "peerscope-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <unistd.h>

#include "ps-cli.h"
#include "ps-policy-store.h"

#define MAX_SINCE_HOURS (24 * 366)

static void
add_intent (JsonBuilder *builder,
            const char  *name,
            gboolean     present,
            PsIntent     intent)
{
  json_builder_set_member_name (builder, name);
  if (present)
    json_builder_add_string_value (builder, ps_intent_to_string (intent));
  else
    json_builder_add_null_value (builder);
}

static JsonNode *
changes_to_json (GPtrArray *changes)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_array (builder);
  for (guint i = 0; i < changes->len; i++)
    {
      const PsPolicyChange *change = g_ptr_array_index (changes, i);
      g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc (change->changed_at_us /
                                                                 G_USEC_PER_SEC);
      g_autofree char *iso = when != NULL ? g_date_time_format_iso8601 (when) : NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "time");
      json_builder_add_string_value (builder, iso != NULL ? iso : "");
      json_builder_set_member_name (builder, "device");
      if (change->device != NULL)
        json_builder_add_string_value (builder, change->device);
      else
        json_builder_add_null_value (builder);
      add_intent (builder, "from", change->had_old, change->old_intent);
      add_intent (builder, "to", change->has_new, change->new_intent);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  return json_builder_get_root (builder);
}

static void
print_change (const PsPolicyChange *change)
{
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (change->changed_at_us /
                                                               G_USEC_PER_SEC);
  g_autofree char *time_text = when != NULL ? g_date_time_format (when, "%F %T") : g_strdup ("?");
  /* Translators: the intent every device without a rule of its own gets */
  const char *device = change->device != NULL ? change->device : _("(default)");

  if (!change->had_old)
    /* Translators: TIME DEVICE: new rule, INTENT */
    printf (_("%s  %s: new rule, %s\n"), time_text, device,
            ps_intent_to_string (change->new_intent));
  else if (!change->has_new)
    /* Translators: TIME DEVICE: rule removed (was INTENT) */
    printf (_("%s  %s: rule removed (was %s)\n"), time_text, device,
            ps_intent_to_string (change->old_intent));
  else
    printf ("%s  %s: %s → %s\n", time_text, device, ps_intent_to_string (change->old_intent),
            ps_intent_to_string (change->new_intent));
}

/* peerscope-cli policy changes [--since HOURS] */
int
ps_cli_policy_changes (int    argc,
                       char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  g_autofree char *store = NULL;
  int since_hours = 24;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "since", 0, 0, G_OPTION_ARG_INT, &since_hours,
      N_("Changes of the last HOURS hours (default: 24)"), N_("HOURS") },
    { "store", 0, 0, G_OPTION_ARG_FILENAME, &store, N_("Read the policy from FILE"), N_("FILE") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON document"), NULL },
    { NULL }
  };

  context = g_option_context_new (_("— which devices’ rules changed, and when"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return ps_cli_fail ("%s", error->message);
  if (argc > 1)
    return ps_cli_fail (_("policy %s takes no arguments"), argv[0]);
  if (since_hours < 1 || since_hours > MAX_SINCE_HOURS)
    return ps_cli_fail (_("--since is a number of hours from 1 to %d"), MAX_SINCE_HOURS);

  if (store == NULL)
    store = ps_policy_store_default_path (geteuid () == 0);
  changes = ps_policy_store_dup_changes (store,
                                         g_get_real_time () - (gint64) since_hours * 3600 *
                                         G_USEC_PER_SEC,
                                         &error);
  if (changes == NULL)
    return ps_cli_fail ("%s", error->message);

  if (json)
    {
      g_autoptr(JsonNode) root = changes_to_json (changes);

      ps_cli_print_json (root);
      return 0;
    }

  for (guint i = 0; i < changes->len; i++)
    print_change (g_ptr_array_index (changes, i));
  if (changes->len == 0)
    printf ("%s\n", _("No rule changed."));

  return 0;
}
