/* ps-cli-policy.c: peerscope-cli policy
 *
 * What each camera may reach: set a device's intent in the policy store,
 * show it, apply it to this machine's firewall (as root, on the cameras'
 * gateway), export it for a gateway Peerscope does not run on, remove it,
 * and read what it blocked.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "peerscope-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ps-cli.h"
#include "ps-enforcer.h"
#include "ps-policy-compiler.h"
#include "ps-policy-store.h"
#include "ps-saved-cameras.h"

#define SHORT_DIGEST 12

typedef struct
{
  const char *name;
  int       (*run) (int argc, char **argv);
  const char *summary;
} Subcommand;

/* --store FILE, or the system's store for root and the user's otherwise */
static char *
store_path (const char *option)
{
  if (option != NULL)
    return g_strdup (option);

  return ps_policy_store_default_path (geteuid () == 0);
}

/* The stored policy.  No file yet is an empty policy to set and show, but
 * an error to apply or export: a mistyped --store must not replace the
 * rules in force with none. */
static PsPolicy *
load_policy (const char  *path,
             gboolean     may_be_missing,
             GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  PsPolicy *policy = ps_policy_store_load (path, &local_error);

  if (policy != NULL)
    return policy;
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      if (may_be_missing)
        return ps_policy_new ();
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("No policy is stored in %s yet; set one with “peerscope-cli policy set”"), path);
      return NULL;
    }

  g_propagate_error (error, g_steal_pointer (&local_error));
  return NULL;
}

static GOptionContext *
option_context (const char         *parameter,
                const GOptionEntry *entries)
{
  GOptionContext *context = g_option_context_new (parameter);

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  return context;
}

static gboolean
looks_like_mac (const char *text)
{
  if (strlen (text) != 17)
    return FALSE;
  for (guint i = 0; i < 17; i++)
    if (i % 3 == 2 ? text[i] != ':' : !g_ascii_isxdigit (text[i]))
      return FALSE;

  return TRUE;
}

/* Adds the strings of MORE that STRV does not hold yet. */
static GStrv
strv_union (const char * const *strv,
            const char * const *more)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    if (g_hash_table_add (seen, (gpointer) strv[i]))
      g_strv_builder_add (builder, strv[i]);
  for (guint i = 0; more != NULL && more[i] != NULL; i++)
    if (g_hash_table_add (seen, (gpointer) more[i]))
      g_strv_builder_add (builder, more[i]);

  return g_strv_builder_end (builder);
}

/* The canonical text of an IP literal: what the kernel prints back. */
static char *
canonical_address (const char *text)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (text);

  return address != NULL ? g_inet_address_to_string (address) : NULL;
}

/* DEVICE is an address, a MAC address or a device id; --mac and --address
 * add to it, or else the stored rule or a camera saved in Peerscope says
 * where the device is. */
static gboolean
resolve_device (PsPolicy            *policy,
                const char          *spec,
                const char          *mac_option,
                const char * const  *address_options,
                char               **id_out,
                char               **mac_out,
                GStrv               *addresses_out,
                GError             **error)
{
  g_autofree char *id = NULL;
  g_autofree char *mac = NULL;
  g_autofree char *address = NULL;
  g_auto(GStrv) addresses = NULL;
  const char *stored_mac = NULL;
  const char * const *stored_addresses = NULL;
  const char * const *stored_allow = NULL;
  PsIntent stored_intent;
  gboolean have_options = mac_option != NULL || (address_options != NULL && address_options[0] != NULL);

  if ((address = canonical_address (spec)) != NULL)
    id = g_strdup (address);
  else if (looks_like_mac (spec))
    {
      id = g_ascii_strdown (spec, -1);
      mac = g_strdup (id);
    }
  else
    id = g_strdup (spec);

  if (mac_option != NULL)
    {
      if (!looks_like_mac (mac_option))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("“%s” is not a MAC address (aa:bb:cc:dd:ee:ff)"), mac_option);
          return FALSE;
        }
      g_free (mac);
      mac = g_ascii_strdown (mac_option, -1);
    }

  {
    g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
    g_auto(GStrv) given = NULL;

    if (address != NULL)
      g_strv_builder_add (builder, address);
    /* canonical where they parse; the policy refuses the others */
    for (guint i = 0; address_options != NULL && address_options[i] != NULL; i++)
      {
        g_autofree char *canonical = canonical_address (address_options[i]);

        g_strv_builder_add (builder, canonical != NULL ? canonical : address_options[i]);
      }
    given = g_strv_builder_end (builder);
    addresses = strv_union ((const char * const *) given, NULL);
  }

  /* nothing said where the device is: what the store knew, or the saved camera */
  if (!have_options &&
      ps_policy_get_device (policy, id, &stored_mac, &stored_addresses, &stored_intent,
                            &stored_allow))
    {
      g_auto(GStrv) merged = strv_union ((const char * const *) addresses, stored_addresses);

      g_strfreev (addresses);
      addresses = g_steal_pointer (&merged);
      if (mac == NULL && stored_mac != NULL)
        mac = g_strdup (stored_mac);
    }
  else if (!have_options && address == NULL && mac == NULL)
    {
      g_autoptr(GSettings) settings = ps_saved_cameras_settings ();
      g_autoptr(PsStore) store = ps_store_open (NULL, NULL);
      g_autoptr(GPtrArray) saved = ps_saved_cameras_load_known (store, settings);
      PsDevice *device = saved != NULL ? ps_saved_cameras_find (saved, spec) : NULL;
      g_autofree char *host = device != NULL ? ps_device_dup_host (device) : NULL;
      g_autofree char *host_address = host != NULL ? canonical_address (host) : NULL;

      if (host_address == NULL && (device == NULL || ps_device_get_mac (device) == NULL))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("“%s” is neither an address, a MAC address nor a saved camera; "
                         "say where it is with --address or --mac"), spec);
          return FALSE;
        }
      if (host_address != NULL)
        {
          const char *single[] = { host_address, NULL };

          g_strfreev (addresses);
          addresses = g_strdupv ((GStrv) single);
        }
      if (ps_device_get_mac (device) != NULL)
        mac = g_ascii_strdown (ps_device_get_mac (device), -1);
      g_free (id);
      id = g_strdup (ps_device_get_id (device));
    }

  *id_out = g_steal_pointer (&id);
  *mac_out = g_steal_pointer (&mac);
  *addresses_out = g_steal_pointer (&addresses);

  return TRUE;
}

/* Adds the P2P server addresses the monitor saw to the policy's. */
static gboolean
add_p2p_servers (PsPolicy            *policy,
                 const char * const  *servers,
                 GError             **error)
{
  g_auto(GStrv) canonical = NULL;
  g_auto(GStrv) all = NULL;
  guint n = servers != NULL ? g_strv_length ((GStrv) servers) : 0;

  if (n == 0)
    return TRUE;

  canonical = g_new0 (char *, n + 1);
  for (guint i = 0; i < n; i++)
    {
      canonical[i] = canonical_address (servers[i]);
      if (canonical[i] == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("--p2p-server takes an IP address, not “%s”"), servers[i]);
          return FALSE;
        }
    }

  all = strv_union (ps_policy_get_p2p_servers (policy), (const char * const *) canonical);
  return ps_policy_set_p2p_servers (policy, (const char * const *) all, error);
}

static gint
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char **) a, *(const char **) b);
}

/* nftables matches addresses, not names: the policy as it goes to the
 * kernel has the addresses the allow-list names resolve to now.  A name
 * that does not resolve stays blocked, and says so on stderr. */
static PsPolicy *
policy_for_kernel (PsPolicy  *policy,
                   GError   **error)
{
  g_auto(GStrv) names = ps_policy_dup_allow_names (policy);
  g_auto(GStrv) devices = NULL;
  g_autoptr(GHashTable) resolved = NULL;
  g_autoptr(GResolver) resolver = NULL;
  g_autoptr(PsPolicy) copy = NULL;

  if (names == NULL || names[0] == NULL)
    return g_object_ref (policy);

  resolver = g_resolver_get_default ();
  resolved = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) g_ptr_array_unref);
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autoptr(GError) local_error = NULL;
      GList *list = g_resolver_lookup_by_name (resolver, names[i], NULL, &local_error);
      GPtrArray *addresses = g_ptr_array_new_with_free_func (g_free);

      if (list == NULL)
        g_printerr (_("peerscope-cli: %s does not resolve (%s); it stays blocked\n"), names[i],
                    local_error->message);
      for (GList *l = list; l != NULL; l = l->next)
        g_ptr_array_add (addresses, g_inet_address_to_string (l->data));
      g_resolver_free_addresses (list);
      g_ptr_array_sort (addresses, compare_strings);
      g_hash_table_insert (resolved, names[i], addresses);
    }

  copy = ps_policy_copy (policy);
  devices = ps_policy_dup_devices (copy);
  for (guint i = 0; devices[i] != NULL; i++)
    {
      const char *mac = NULL;
      const char * const *addresses = NULL;
      const char * const *allow = NULL;
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) extended = NULL;
      g_autofree char *device_mac = NULL;
      g_auto(GStrv) device_addresses = NULL;
      PsIntent intent;

      ps_policy_get_device (copy, devices[i], &mac, &addresses, &intent, &allow);
      for (guint j = 0; allow != NULL && allow[j] != NULL; j++)
        {
          GPtrArray *found = g_hash_table_lookup (resolved, allow[j]);

          g_strv_builder_add (builder, allow[j]);
          for (guint k = 0; found != NULL && k < found->len; k++)
            g_strv_builder_add (builder, g_ptr_array_index (found, k));
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

static JsonNode *
policy_to_node (PsPolicy *policy)
{
  g_autofree char *text = ps_policy_to_json (policy);

  return json_from_string (text, NULL);
}

/* peerscope-cli policy set DEVICE INTENT … */
static int
policy_set (int    argc,
            char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PsPolicy) policy = NULL;
  g_autofree char *store = NULL;
  g_autofree char *store_option = NULL;
  g_autofree char *mac_option = NULL;
  g_autofree char *id = NULL;
  g_autofree char *mac = NULL;
  g_auto(GStrv) addresses = NULL;
  g_auto(GStrv) address_options = NULL;
  g_auto(GStrv) allow = NULL;
  g_auto(GStrv) servers = NULL;
  g_auto(GStrv) args = NULL;
  PsIntent intent;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "allow", 0, 0, G_OPTION_ARG_STRING_ARRAY, &allow,
      N_("For allow-list: a peer the device may reach, as an address, a network or a DNS name (repeatable)"),
      N_("PEER") },
    { "mac", 0, 0, G_OPTION_ARG_STRING, &mac_option, N_("The device’s MAC address"), N_("MAC") },
    { "address", 0, 0, G_OPTION_ARG_STRING_ARRAY, &address_options,
      N_("An address of the device (repeatable)"), N_("ADDR") },
    { "p2p-server", 0, 0, G_OPTION_ARG_STRING_ARRAY, &servers,
      N_("Treat this address as a vendor P2P server, e.g. one “peers” classed p2p-supernode (repeatable)"),
      N_("ADDR") },
    { "store", 0, 0, G_OPTION_ARG_FILENAME, &store_option, N_("Keep the policy in FILE"), N_("FILE") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON document"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &args, NULL, N_("DEVICE INTENT") },
    { NULL }
  };

  context = option_context (_("DEVICE open|block-vendor-p2p|local-only|allow-list — set what a device may reach"),
                            entries);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return ps_cli_fail ("%s", error->message);
  if (args == NULL || g_strv_length (args) != 2)
    return ps_cli_fail (_("policy set takes a device and an intent"));
  if (!ps_intent_from_string (args[1], &intent))
    return ps_cli_fail (_("“%s” is not an intent: open, block-vendor-p2p, local-only or allow-list"),
                        args[1]);
  if (allow != NULL && allow[0] != NULL && intent != PS_INTENT_ALLOW_LIST)
    return ps_cli_fail (_("--allow is for the allow-list intent"));

  store = store_path (store_option);
  policy = load_policy (store, TRUE, &error);
  if (policy == NULL)
    return ps_cli_fail ("%s", error->message);

  if (!resolve_device (policy, args[0], mac_option, (const char * const *) address_options,
                       &id, &mac, &addresses, &error) ||
      !ps_policy_set_device (policy, id, mac, (const char * const *) addresses, intent,
                             (const char * const *) allow, &error) ||
      !add_p2p_servers (policy, (const char * const *) servers, &error) ||
      !ps_policy_store_save (policy, store, &error))
    return ps_cli_fail ("%s", error->message);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "device");
      json_builder_add_string_value (builder, id);
      json_builder_set_member_name (builder, "intent");
      json_builder_add_string_value (builder, ps_intent_to_string (intent));
      json_builder_set_member_name (builder, "store");
      json_builder_add_string_value (builder, store);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      ps_cli_print_json (root);
    }
  else
    printf (_("%s: %s, kept in %s. Run “peerscope-cli policy apply” on the gateway to enforce it.\n"),
            id, ps_intent_to_string (intent), store);

  return 0;
}

static void
print_strv (const char         *label,
            const char * const *strv)
{
  g_autofree char *joined = NULL;

  if (strv == NULL || strv[0] == NULL)
    return;
  joined = g_strjoinv (", ", (GStrv) strv);
  printf ("    %s %s\n", label, joined);
}

/* peerscope-cli policy show */
static int
policy_show (int    argc,
             char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) live_error = NULL;
  g_autoptr(PsPolicy) policy = NULL;
  g_autoptr(PsPolicy) kernel_policy = NULL;
  g_autofree char *store = NULL;
  g_autofree char *store_option = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *live = NULL;
  g_autofree char *ports = NULL;
  g_auto(GStrv) devices = NULL;
  gboolean json = FALSE;
  gboolean enforced;
  const GOptionEntry entries[] = {
    { "store", 0, 0, G_OPTION_ARG_FILENAME, &store_option, N_("Read the policy from FILE"), N_("FILE") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON document"), NULL },
    { NULL }
  };

  context = option_context (_("— show the stored policy and whether it is enforced here"), entries);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return ps_cli_fail ("%s", error->message);
  if (argc > 1)
    return ps_cli_fail (_("policy %s takes no arguments"), argv[0]);

  store = store_path (store_option);
  policy = load_policy (store, TRUE, &error);
  if (policy == NULL)
    return ps_cli_fail ("%s", error->message);
  kernel_policy = policy_for_kernel (policy, &error);
  if (kernel_policy == NULL)
    return ps_cli_fail ("%s", error->message);

  digest = ps_policy_digest (kernel_policy);
  if (ps_enforcer_is_supported ())
    live = ps_enforcer_dup_live_digest (&live_error);
  enforced = live != NULL && g_str_equal (live, digest);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "store");
      json_builder_add_string_value (builder, store);
      json_builder_set_member_name (builder, "policy");
      json_builder_add_value (builder, policy_to_node (policy));
      json_builder_set_member_name (builder, "digest");
      json_builder_add_string_value (builder, digest);
      json_builder_set_member_name (builder, "live_digest");
      if (live != NULL)
        json_builder_add_string_value (builder, live);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "enforced");
      json_builder_add_boolean_value (builder, enforced);
      json_builder_set_member_name (builder, "enforcement_supported");
      json_builder_add_boolean_value (builder, ps_enforcer_is_supported ());
      if (live_error != NULL)
        {
          json_builder_set_member_name (builder, "live_error");
          json_builder_add_string_value (builder, live_error->message);
        }
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      ps_cli_print_json (root);
      return 0;
    }

  printf (_("Policy in %s\n"), store);
  printf (_("  Devices without a rule: %s\n"),
          ps_intent_to_string (ps_policy_get_default_intent (policy)));
  devices = ps_policy_dup_devices (policy);
  for (guint i = 0; devices[i] != NULL; i++)
    {
      const char *mac = NULL;
      const char * const *addresses = NULL;
      const char * const *allow = NULL;
      PsIntent intent;

      ps_policy_get_device (policy, devices[i], &mac, &addresses, &intent, &allow);
      printf ("  %-24s %s\n", devices[i], ps_intent_to_string (intent));
      if (mac != NULL)
        printf ("    %s %s\n", _("MAC"), mac);
      print_strv (_("addresses"), addresses);
      print_strv (_("allowed"), allow);
    }
  ports = g_strjoinv (", ", (GStrv) ps_policy_get_p2p_ports (policy));
  printf (_("  Vendor P2P servers: %u; ports: %s\n"),
          g_strv_length ((GStrv) ps_policy_get_p2p_servers (policy)), ports);

  if (enforced)
    printf (_("Enforced on this machine (policy %.12s).\n"), digest);
  else if (live != NULL)
    printf (_("Not enforced: this machine enforces another policy (%.12s, stored %.12s).\n"),
            live, digest);
  else if (!ps_enforcer_is_supported ())
    printf (_("This build cannot enforce policies: export the rules for your gateway.\n"));
  else if (live_error != NULL)
    printf (_("Cannot tell whether it is enforced here: %s\n"), live_error->message);
  else
    printf (_("Not enforced on this machine.\n"));

  return 0;
}

/* peerscope-cli policy apply */
static int
policy_apply (int    argc,
              char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PsPolicy) policy = NULL;
  g_autoptr(PsPolicy) kernel_policy = NULL;
  g_autofree char *store = NULL;
  g_autofree char *store_option = NULL;
  g_autofree char *digest = NULL;
  g_auto(GStrv) servers = NULL;
  gboolean json = FALSE;
  gboolean changed = FALSE;
  const GOptionEntry entries[] = {
    { "p2p-server", 0, 0, G_OPTION_ARG_STRING_ARRAY, &servers,
      N_("Treat this address as a vendor P2P server, e.g. one “peers” classed p2p-supernode (repeatable)"),
      N_("ADDR") },
    { "store", 0, 0, G_OPTION_ARG_FILENAME, &store_option, N_("Read the policy from FILE"), N_("FILE") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON document"), NULL },
    { NULL }
  };

  context = option_context (_("— enforce the stored policy on this machine (root)"), entries);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return ps_cli_fail ("%s", error->message);
  if (argc > 1)
    return ps_cli_fail (_("policy %s takes no arguments"), argv[0]);

  store = store_path (store_option);
  policy = load_policy (store, FALSE, &error);
  if (policy == NULL)
    return ps_cli_fail ("%s", error->message);
  /* servers seen now are part of the policy from now on */
  if (servers != NULL && servers[0] != NULL &&
      (!add_p2p_servers (policy, (const char * const *) servers, &error) ||
       !ps_policy_store_save (policy, store, &error)))
    return ps_cli_fail ("%s", error->message);

  kernel_policy = policy_for_kernel (policy, &error);
  if (kernel_policy == NULL || !ps_enforcer_apply (kernel_policy, &changed, &error))
    return ps_cli_fail (_("cannot apply the policy: %s"), error->message);

  digest = ps_policy_digest (kernel_policy);
  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "changed");
      json_builder_add_boolean_value (builder, changed);
      json_builder_set_member_name (builder, "digest");
      json_builder_add_string_value (builder, digest);
      json_builder_set_member_name (builder, "store");
      json_builder_add_string_value (builder, store);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      ps_cli_print_json (root);
    }
  else if (changed)
    printf (_("Applied policy %.12s: the rules changed.\n"), digest);
  else
    printf (_("Policy %.12s is already enforced: nothing changed.\n"), digest);

  return 0;
}

/* peerscope-cli policy export --format nft|openwrt */
static int
policy_export (int    argc,
               char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PsPolicy) policy = NULL;
  g_autoptr(PsPolicy) kernel_policy = NULL;
  g_autofree char *store = NULL;
  g_autofree char *store_option = NULL;
  g_autofree char *format = NULL;
  g_autofree char *text = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format,
      N_("nft (an nft -f script, the default) or openwrt (/etc/config/firewall)"), N_("FORMAT") },
    { "store", 0, 0, G_OPTION_ARG_FILENAME, &store_option, N_("Read the policy from FILE"), N_("FILE") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON document"), NULL },
    { NULL }
  };

  context = option_context (_("— rules for a gateway Peerscope does not run on"), entries);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return ps_cli_fail ("%s", error->message);
  if (argc > 1)
    return ps_cli_fail (_("policy %s takes no arguments"), argv[0]);
  if (format == NULL)
    format = g_strdup ("nft");
  if (!g_str_equal (format, "nft") && !g_str_equal (format, "openwrt"))
    return ps_cli_fail (_("--format is nft or openwrt, not “%s”"), format);

  store = store_path (store_option);
  policy = load_policy (store, FALSE, &error);
  if (policy == NULL)
    return ps_cli_fail ("%s", error->message);
  kernel_policy = policy_for_kernel (policy, &error);
  if (kernel_policy == NULL)
    return ps_cli_fail ("%s", error->message);

  if (g_str_equal (format, "nft"))
    text = ps_policy_export_nft (kernel_policy, &error);
  else
    text = ps_policy_export_openwrt (kernel_policy, &error);
  if (text == NULL)
    return ps_cli_fail ("%s", error->message);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *digest = ps_policy_digest (kernel_policy);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "format");
      json_builder_add_string_value (builder, format);
      json_builder_set_member_name (builder, "digest");
      json_builder_add_string_value (builder, digest);
      json_builder_set_member_name (builder, "text");
      json_builder_add_string_value (builder, text);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      ps_cli_print_json (root);
    }
  else
    fputs (text, stdout);

  return 0;
}

/* peerscope-cli policy remove */
static int
policy_remove (int    argc,
               char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON document"), NULL },
    { NULL }
  };

  context = option_context (_("— drop Peerscope’s firewall table on this machine (root)"), entries);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return ps_cli_fail ("%s", error->message);
  if (argc > 1)
    return ps_cli_fail (_("policy %s takes no arguments"), argv[0]);

  if (!ps_enforcer_remove (&error))
    return ps_cli_fail (_("cannot remove the policy: %s"), error->message);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "removed");
      json_builder_add_boolean_value (builder, TRUE);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      ps_cli_print_json (root);
    }
  else
    printf (_("No Peerscope rules are enforced on this machine any more.\n"));

  return 0;
}

static gint
compare_attempts (gconstpointer a,
                  gconstpointer b)
{
  const PsBlockedAttempt *x = *(PsBlockedAttempt **) a;
  const PsBlockedAttempt *y = *(PsBlockedAttempt **) b;
  int by_device = g_strcmp0 (x->device_address, y->device_address);

  if (by_device != 0)
    return by_device;
  return x->packets < y->packets ? 1 : x->packets > y->packets ? -1 :
         g_strcmp0 (x->peer_address, y->peer_address);
}

/* peerscope-cli policy blocked */
static int
policy_blocked (int    argc,
                char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) attempts = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON document"), NULL },
    { NULL }
  };

  context = option_context (_("— what the enforced policy blocked, per device and peer (root)"), entries);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return ps_cli_fail ("%s", error->message);
  if (argc > 1)
    return ps_cli_fail (_("policy %s takes no arguments"), argv[0]);

  attempts = ps_enforcer_read_blocked (&error);
  if (attempts == NULL)
    return ps_cli_fail (_("cannot read the blocked attempts: %s"), error->message);
  g_ptr_array_sort (attempts, compare_attempts);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_array (builder);
      for (guint i = 0; i < attempts->len; i++)
        {
          PsBlockedAttempt *attempt = g_ptr_array_index (attempts, i);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "device");
          json_builder_add_string_value (builder, attempt->device_address);
          json_builder_set_member_name (builder, "peer");
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "address");
          json_builder_add_string_value (builder, attempt->peer_address);
          json_builder_set_member_name (builder, "port");
          json_builder_add_int_value (builder, attempt->port);
          json_builder_set_member_name (builder, "protocol");
          json_builder_add_string_value (builder, attempt->protocol);
          json_builder_end_object (builder);
          json_builder_set_member_name (builder, "packets");
          json_builder_add_int_value (builder, (gint64) attempt->packets);
          json_builder_set_member_name (builder, "bytes");
          json_builder_add_int_value (builder, (gint64) attempt->bytes);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      root = json_builder_get_root (builder);
      ps_cli_print_json (root);
      return 0;
    }

  for (guint i = 0; i < attempts->len; i++)
    {
      PsBlockedAttempt *attempt = g_ptr_array_index (attempts, i);
      g_autofree char *endpoint = NULL;
      g_autofree char *packets = g_strdup_printf ("%" G_GUINT64_FORMAT, attempt->packets);

      if (i == 0 || g_strcmp0 (attempt->device_address,
                               ((PsBlockedAttempt *) g_ptr_array_index (attempts, i - 1))->device_address) != 0)
        printf ("%s%s\n", i > 0 ? "\n" : "", attempt->device_address);
      endpoint = g_strdup_printf (strchr (attempt->peer_address, ':') != NULL ? "[%s]:%u/%s" : "%s:%u/%s",
                                  attempt->peer_address, attempt->port, attempt->protocol);
      printf (_("  %-32s %s packets blocked\n"), endpoint, packets);
    }
  if (attempts->len == 0)
    printf ("%s\n", _("Nothing blocked."));

  return 0;
}

static const Subcommand subcommands[] = {
  { "set", policy_set, N_("Set what a device may reach (in the policy store)") },
  { "show", policy_show, N_("Show the stored policy and whether it is enforced here") },
  { "apply", policy_apply, N_("Enforce the stored policy on this machine (root)") },
  { "export", policy_export, N_("Print rules for another gateway (nft or OpenWrt)") },
  { "remove", policy_remove, N_("Drop Peerscope’s rules from this machine (root)") },
  { "blocked", policy_blocked, N_("List what the enforced policy blocked (root)") },
  { "changes", ps_cli_policy_changes, N_("List which devices’ rules changed, and when") },
};

static void
usage (FILE *out)
{
  fprintf (out, "%s\n\n", _("Usage: peerscope-cli policy SUBCOMMAND [OPTION…]"));
  for (guint i = 0; i < G_N_ELEMENTS (subcommands); i++)
    fprintf (out, "  %-8s %s\n", subcommands[i].name, _(subcommands[i].summary));
}

int
ps_cli_policy (int    argc,
               char **argv)
{
  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    {
      usage (argc < 2 ? stderr : stdout);
      return argc < 2 ? 2 : 0;
    }

  for (guint i = 0; i < G_N_ELEMENTS (subcommands); i++)
    if (g_str_equal (argv[1], subcommands[i].name))
      return subcommands[i].run (argc - 1, argv + 1);

  ps_cli_fail (_("unknown policy subcommand “%s”; try policy --help"), argv[1]);
  return 2;
}
