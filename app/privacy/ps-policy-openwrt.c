/* ps-policy-openwrt.c: a policy as OpenWrt firewall rules (UCI)
 *
 * For routers Peerscope does not run on.  firewall4 (OpenWrt 22.03 and
 * later) owns the nftables ruleset there and rebuilds it on every reload,
 * so instead of a table of our own the export is `config rule` sections
 * for /etc/config/firewall, from the zone lan to the zone wan, one device
 * each, matched by MAC where known (else by address).  The exemptions (the
 * LAN networks, viewers, allowed networks) are negated destinations: fw4
 * turns them into `ip daddr != { … }`, so nothing is ever accepted that
 * fw4 would otherwise refuse.  Sections are named peerscope_devN_*, so an
 * earlier export can be found and deleted.
 *
 * Differences from the nftables table, said in the file's header: fw4
 * accepts established connections before any rule, so a running flow goes
 * on until conntrack forgets it; fw4 already refuses new connections from
 * wan unless ports are forwarded, so there are no inbound rules; nothing is
 * counted per peer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-policy-compiler"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ps-policy-compiler.h"
#include "ps-policy-private.h"

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
append_list (GString            *text,
             const char         *option,
             const char         *negation,
             const char * const *values)
{
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    g_string_append_printf (text, "\tlist %s '%s%s'\n", option, negation, values[i]);
}

/* Both families of LIST, normalised as in the nftables sets */
static GStrv
networks (const char * const *list,
          GPtrArray          *names)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint8 family = 4; family <= 6; family += 2)
    {
      g_autoptr(GPtrArray) kept = _ps_networks_of_family (list, family, family == 4 ? names : NULL);

      for (guint i = 0; i < kept->len; i++)
        g_strv_builder_add (builder, kept->pdata[i]);
    }

  return g_strv_builder_end (builder);
}

typedef struct
{
  GString            *text;
  guint               index;
  const char         *id;
  const char         *mac;
  const char * const *addresses;
} Device;

static void
begin_rule (const Device *device,
            const char   *section,
            const char   *title,
            const char   *protocol)
{
  g_string_append_printf (device->text,
                          "\nconfig rule 'peerscope_dev%u_%s'\n"
                          "\toption name 'Peerscope: %s: %s'\n"
                          "\toption src 'lan'\n"
                          "\toption dest 'wan'\n"
                          "\toption proto '%s'\n",
                          device->index, section, device->id, title, protocol);
  if (device->mac != NULL)
    g_string_append_printf (device->text, "\tlist src_mac '%s'\n", device->mac);
  else
    append_list (device->text, "src_ip", "", device->addresses);
}

static void
end_rule (const Device *device)
{
  g_string_append (device->text, "\toption target 'DROP'\n");
}

char *
ps_policy_export_openwrt (PsPolicy  *policy,
                          GError   **error)
{
  g_autoptr(GString) header = NULL;
  g_autoptr(GString) text = NULL;
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GArray) udp_ports = NULL;
  g_autoptr(GArray) tcp_ports = NULL;
  g_autofree char *digest = NULL;
  g_auto(GStrv) lan = NULL;
  g_auto(GStrv) viewers = NULL;
  g_auto(GStrv) servers = NULL;
  g_auto(GStrv) ids = NULL;

  g_return_val_if_fail (PS_IS_POLICY (policy), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  names = g_ptr_array_new_with_free_func (g_free);
  lan = networks (ps_policy_get_lan_networks (policy), NULL);
  viewers = networks (ps_policy_get_viewers (policy), NULL);
  servers = networks (ps_policy_get_p2p_servers (policy), NULL);

  _ps_policy_dup_p2p_ports (policy, &udp_ports, &tcp_ports);

  text = g_string_new (NULL);
  ids = ps_policy_dup_devices (policy);
  for (guint i = 0; ids[i] != NULL; i++)
    {
      Device device = { text, i, ids[i], NULL, NULL };
      const char * const *allow;
      PsIntent intent;

      /* ids go between quotes: never trust that blindly */
      if (!ps_policy_get_device (policy, ids[i], &device.mac, &device.addresses, &intent, &allow) ||
          !_ps_device_id_is_valid (ids[i]))
        {
          g_set_error (error, PS_POLICY_ERROR, PS_POLICY_ERROR_INVALID,
                       _("The policy cannot be exported"));
          return NULL;
        }

      switch (intent)
        {
        case PS_INTENT_OPEN:
          break;

        case PS_INTENT_BLOCK_VENDOR_P2P:
          if (servers[0] != NULL)
            {
              begin_rule (&device, "p2p_servers", "vendor P2P servers", "all");
              append_list (text, "dest_ip", "", (const char * const *) servers);
              end_rule (&device);
            }
          for (guint p = 0; p < 2; p++)
            {
              GArray *list = p == 0 ? udp_ports : tcp_ports;
              const char *protocol = p == 0 ? "udp" : "tcp";
              g_autofree char *section = g_strdup_printf ("p2p_%s", protocol);

              if (list->len == 0)
                continue;
              begin_rule (&device, section, "vendor P2P ports", protocol);
              for (guint j = 0; j < list->len; j++)
                g_string_append_printf (text, "\tlist dest_port '%u'\n",
                                        g_array_index (list, guint16, j));
              append_list (text, "dest_ip", "!", (const char * const *) lan);
              append_list (text, "dest_ip", "!", (const char * const *) viewers);
              end_rule (&device);
            }
          break;

        case PS_INTENT_LOCAL_ONLY:
          begin_rule (&device, "local_only", "local only", "all");
          append_list (text, "dest_ip", "!", (const char * const *) lan);
          append_list (text, "dest_ip", "!", (const char * const *) viewers);
          end_rule (&device);
          break;

        case PS_INTENT_ALLOW_LIST:
          {
            g_auto(GStrv) allowed = networks (allow, names);

            begin_rule (&device, "allow_list", "allow list", "all");
            append_list (text, "dest_ip", "!", (const char * const *) lan);
            append_list (text, "dest_ip", "!", (const char * const *) viewers);
            append_list (text, "dest_ip", "!", (const char * const *) allowed);
            end_rule (&device);
          }
          break;

        default:
          g_assert_not_reached ();
        }
    }

  digest = ps_policy_digest (policy);
  header = g_string_new (NULL);
  g_string_append_printf (header,
    "# Peerscope policy %s\n"
    "#\n"
    "# What each camera may reach, as OpenWrt firewall rules (firewall4, OpenWrt\n"
    "# 22.03 or later), for traffic from the zone 'lan' to the zone 'wan'.\n"
    "# To install, on the router:\n"
    "#   for s in $(uci show firewall |\n"
    "#              sed -n 's/^firewall\\.\\(peerscope_[a-z0-9_]*\\)=rule$/\\1/p')\n"
    "#   do uci delete \"firewall.$s\"; done; uci commit firewall\n"
    "#   uci -m import firewall < THIS-FILE\n"
    "#   uci commit firewall\n"
    "#   /etc/init.d/firewall reload\n"
    "# (the first command removes the rules of an earlier export).  firewall4 lets\n"
    "# connections that already exist go on: restart the cameras (or run\n"
    "# `conntrack -F`) for the rules to cut them.  New connections from wan to\n"
    "# lan are already refused by firewall4 unless you forward ports.\n",
    digest);
  if (names->len > 0)
    {
      g_ptr_array_sort (names, compare_strings);
      g_string_append (header, "#\n# Not in these rules (the firewall matches addresses, "
                               "not names), so\n# blocked:");
      for (guint i = 0; i < names->len; i++)
        if (i == 0 || strcmp (names->pdata[i - 1], names->pdata[i]) != 0)
          g_string_append_printf (header, " %s", (const char *) names->pdata[i]);
      g_string_append (header, "\n# Export again once Peerscope has resolved them.\n");
    }
  g_string_append_len (header, text->str, (gssize) text->len);

  return g_string_free (g_steal_pointer (&header), FALSE);
}
