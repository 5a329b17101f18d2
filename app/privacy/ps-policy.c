/* ps-policy.c
 *
 * Every value is validated and put in one canonical form on the way in
 * (lowercase MACs and names, addresses as GLib prints them, networks with
 * their host bits cleared, lists sorted without duplicates), so that the
 * canonical JSON, the digest and the compiled table depend on what the
 * policy means, not on how it was typed.  A setter that fails leaves the
 * policy as it was.  JSON lives in ps-policy-json.c, single values in
 * ps-policy-values.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-policy"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ps-policy-private.h"

typedef struct
{
  char     *id;
  char     *mac;        /* NULL or aa:bb:cc:dd:ee:ff */
  GStrv     addresses;  /* host addresses, canonical, sorted, unique */
  PsIntent  intent;
  GStrv     allow;      /* networks and names, canonical, sorted, unique */
} DeviceRule;

struct _PsPolicy
{
  GObject     parent_instance;

  PsIntent    default_intent;
  GHashTable *devices;         /* id -> DeviceRule */
  GStrv       lan_networks;
  GStrv       p2p_servers;
  GStrv       p2p_ports;
  GStrv       viewers;
};

G_DEFINE_FINAL_TYPE (PsPolicy, ps_policy, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_DEFAULT_INTENT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char * const default_lan_networks[] = {
  "10.0.0.0/8",          /* RFC 1918 */
  "172.16.0.0/12",
  "192.168.0.0/16",
  "100.64.0.0/10",       /* RFC 6598 */
  "169.254.0.0/16",      /* link-local */
  "127.0.0.0/8",         /* loopback */
  "224.0.0.0/4",         /* multicast */
  "fc00::/7",            /* ULA */
  "fe80::/10",           /* link-local */
  "::1",                 /* loopback */
  "ff00::/8",            /* multicast */
  NULL
};

/* CS2 "PPPP", ThroughTek Kalay, Reolink (as in ps-peer-classifier.c) */
static const char * const default_p2p_ports[] = {
  "udp/32100",
  "udp/10001",
  "9999",
  NULL
};

static const char * const intent_names[] = {
  [PS_INTENT_OPEN] = "open",
  [PS_INTENT_BLOCK_VENDOR_P2P] = "block-vendor-p2p",
  [PS_INTENT_LOCAL_ONLY] = "local-only",
  [PS_INTENT_ALLOW_LIST] = "allow-list",
};

G_DEFINE_QUARK (ps-policy-error-quark, ps_policy_error)

const char *
ps_intent_to_string (PsIntent intent)
{
  g_return_val_if_fail ((guint) intent <= PS_INTENT_LAST, NULL);

  return intent_names[intent];
}

gboolean
ps_intent_from_string (const char *text,
                       PsIntent   *intent)
{
  if (text == NULL)
    return FALSE;

  for (guint i = 0; i <= PS_INTENT_LAST; i++)
    {
      if (strcmp (text, intent_names[i]) == 0)
        {
          if (intent != NULL)
            *intent = (PsIntent) i;
          return TRUE;
        }
    }

  return FALSE;
}

/* Lists */

typedef enum {
  LIST_DEVICE_ADDRESSES,
  LIST_LAN_NETWORKS,
  LIST_P2P_SERVERS,
  LIST_P2P_PORTS,
  LIST_VIEWERS,
  LIST_ALLOW,
} ListKind;

static guint
list_max (ListKind kind)
{
  switch (kind)
    {
    case LIST_DEVICE_ADDRESSES:
      return PS_POLICY_MAX_ADDRESSES;
    case LIST_LAN_NETWORKS:
    case LIST_VIEWERS:
      return PS_POLICY_MAX_NETWORKS;
    case LIST_P2P_SERVERS:
      return PS_POLICY_MAX_P2P_SERVERS;
    case LIST_P2P_PORTS:
      return PS_POLICY_MAX_PORTS;
    case LIST_ALLOW:
    default:
      return PS_POLICY_MAX_ALLOW;
    }
}

static gboolean
too_many (ListKind   kind,
          GError   **error)
{
  guint max = list_max (kind);

  switch (kind)
    {
    case LIST_DEVICE_ADDRESSES:
      g_set_error (error, PS_POLICY_ERROR, PS_POLICY_ERROR_TOO_LARGE,
                   _("A device has more than %u addresses"), max);
      break;
    case LIST_LAN_NETWORKS:
      g_set_error (error, PS_POLICY_ERROR, PS_POLICY_ERROR_TOO_LARGE,
                   _("More than %u LAN networks"), max);
      break;
    case LIST_VIEWERS:
      g_set_error (error, PS_POLICY_ERROR, PS_POLICY_ERROR_TOO_LARGE,
                   _("More than %u viewer addresses"), max);
      break;
    case LIST_P2P_SERVERS:
      g_set_error (error, PS_POLICY_ERROR, PS_POLICY_ERROR_TOO_LARGE,
                   _("More than %u P2P server addresses"), max);
      break;
    case LIST_P2P_PORTS:
      g_set_error (error, PS_POLICY_ERROR, PS_POLICY_ERROR_TOO_LARGE,
                   _("More than %u P2P server ports"), max);
      break;
    case LIST_ALLOW:
    default:
      g_set_error (error, PS_POLICY_ERROR, PS_POLICY_ERROR_TOO_LARGE,
                   _("An allow list has more than %u entries"), max);
      break;
    }

  return FALSE;
}

static char *
canonical_entry (ListKind     kind,
                 const char  *text,
                 GError     **error)
{
  g_autofree char *shown = NULL;
  PsNetwork network;
  PsPortProtocol protocol;
  guint16 port;
  char *name;

  switch (kind)
    {
    case LIST_DEVICE_ADDRESSES:
      /* one host, which a device can be */
      if (_ps_network_parse (text, FALSE, &network))
        {
          g_autoptr(GInetAddress) inet = NULL;

          inet = g_inet_address_new_from_bytes (network.bytes, network.family == 4
                                                ? G_SOCKET_FAMILY_IPV4 : G_SOCKET_FAMILY_IPV6);
          if (!g_inet_address_get_is_any (inet) && !g_inet_address_get_is_multicast (inet) &&
              !g_inet_address_get_is_loopback (inet))
            return _ps_network_to_string (&network);
        }
      shown = _ps_policy_printable (text);
      g_set_error (error, PS_POLICY_ERROR, PS_POLICY_ERROR_INVALID,
                   _("“%s” is not the IP address of a device"), shown);
      return NULL;

    case LIST_LAN_NETWORKS:
    case LIST_P2P_SERVERS:
    case LIST_VIEWERS:
      if (_ps_network_parse (text, TRUE, &network))
        return _ps_network_to_string (&network);
      shown = _ps_policy_printable (text);
      g_set_error (error, PS_POLICY_ERROR, PS_POLICY_ERROR_INVALID,
                   _("“%s” is not an IP address or network"), shown);
      return NULL;

    case LIST_P2P_PORTS:
      if (_ps_port_parse (text, &protocol, &port))
        return _ps_port_to_string (protocol, port);
      shown = _ps_policy_printable (text);
      g_set_error (error, PS_POLICY_ERROR, PS_POLICY_ERROR_INVALID,
                   _("“%s” is not a port (udp/PORT, tcp/PORT or PORT)"), shown);
      return NULL;

    case LIST_ALLOW:
    default:
      if (_ps_network_parse (text, TRUE, &network))
        return _ps_network_to_string (&network);
      if (text != NULL && (name = _ps_name_canonical (text)) != NULL)
        return name;
      shown = _ps_policy_printable (text);
      g_set_error (error, PS_POLICY_ERROR, PS_POLICY_ERROR_INVALID,
                   _("“%s” is not an IP address, a network or a DNS name"), shown);
      return NULL;
    }
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Sorts and removes duplicates; consumes ARRAY and returns a GStrv */
static GStrv
sorted_unique (GPtrArray *array)
{
  guint kept = 0;

  /* the duplicates are freed here, the rest moved: none for set_size */
  g_ptr_array_set_free_func (array, NULL);
  g_ptr_array_sort (array, compare_strings);
  for (guint i = 0; i < array->len; i++)
    {
      if (kept > 0 && strcmp (array->pdata[kept - 1], array->pdata[i]) == 0)
        {
          g_free (array->pdata[i]);
          continue;
        }
      array->pdata[kept++] = array->pdata[i];
    }
  g_ptr_array_set_size (array, kept);
  g_ptr_array_add (array, NULL);

  return (GStrv) g_ptr_array_free (array, FALSE);
}

static GStrv
canonical_list (ListKind             kind,
                const char * const  *items,
                GError             **error)
{
  g_autoptr(GPtrArray) array = NULL;
  guint max = list_max (kind);
  guint n = 0;

  if (items != NULL)
    while (items[n] != NULL)
      if (++n > max)
        {
          too_many (kind, error);
          return NULL;
        }

  array = g_ptr_array_new_full (n + 1, g_free);
  for (guint i = 0; i < n; i++)
    {
      char *entry = canonical_entry (kind, items[i], error);

      if (entry == NULL)
        return NULL;
      g_ptr_array_add (array, entry);
    }

  return sorted_unique (g_steal_pointer (&array));
}

/* Devices */

static void
device_rule_free (DeviceRule *rule)
{
  g_free (rule->id);
  g_free (rule->mac);
  g_strfreev (rule->addresses);
  g_strfreev (rule->allow);
  g_free (rule);
}

static DeviceRule *
device_rule_copy (const DeviceRule *rule)
{
  DeviceRule *copy = g_new0 (DeviceRule, 1);

  copy->id = g_strdup (rule->id);
  copy->mac = g_strdup (rule->mac);
  copy->addresses = g_strdupv (rule->addresses);
  copy->intent = rule->intent;
  copy->allow = g_strdupv (rule->allow);

  return copy;
}

static void
ps_policy_finalize (GObject *object)
{
  PsPolicy *self = (PsPolicy *) object;

  g_clear_pointer (&self->devices, g_hash_table_unref);
  g_clear_pointer (&self->lan_networks, g_strfreev);
  g_clear_pointer (&self->p2p_servers, g_strfreev);
  g_clear_pointer (&self->p2p_ports, g_strfreev);
  g_clear_pointer (&self->viewers, g_strfreev);

  G_OBJECT_CLASS (ps_policy_parent_class)->finalize (object);
}

static void
ps_policy_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  PsPolicy *self = PS_POLICY (object);

  switch (prop_id)
    {
    case PROP_DEFAULT_INTENT:
      g_value_set_int (value, (int) self->default_intent);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ps_policy_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  PsPolicy *self = PS_POLICY (object);

  switch (prop_id)
    {
    case PROP_DEFAULT_INTENT:
      ps_policy_set_default_intent (self, (PsIntent) g_value_get_int (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ps_policy_class_init (PsPolicyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ps_policy_finalize;
  object_class->get_property = ps_policy_get_property;
  object_class->set_property = ps_policy_set_property;

  /* a PsIntent */
  properties[PROP_DEFAULT_INTENT] =
    g_param_spec_int ("default-intent", NULL, NULL,
                      PS_INTENT_OPEN, PS_INTENT_LAST, PS_INTENT_OPEN,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ps_policy_init (PsPolicy *self)
{
  self->default_intent = PS_INTENT_OPEN;
  self->devices = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                         (GDestroyNotify) device_rule_free);
  self->lan_networks = canonical_list (LIST_LAN_NETWORKS, default_lan_networks, NULL);
  self->p2p_ports = canonical_list (LIST_P2P_PORTS, default_p2p_ports, NULL);
  self->p2p_servers = g_new0 (char *, 1);
  self->viewers = g_new0 (char *, 1);
  g_assert (self->lan_networks != NULL && self->p2p_ports != NULL);
}

PsPolicy *
ps_policy_new (void)
{
  return g_object_new (PS_TYPE_POLICY, NULL);
}

PsPolicy *
ps_policy_copy (PsPolicy *self)
{
  PsPolicy *copy;
  GHashTableIter iter;
  DeviceRule *rule;

  g_return_val_if_fail (PS_IS_POLICY (self), NULL);

  copy = ps_policy_new ();
  copy->default_intent = self->default_intent;
  g_hash_table_iter_init (&iter, self->devices);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &rule))
    {
      DeviceRule *dup = device_rule_copy (rule);

      g_hash_table_insert (copy->devices, dup->id, dup);
    }
  g_strfreev (copy->lan_networks);
  copy->lan_networks = g_strdupv (self->lan_networks);
  g_strfreev (copy->p2p_servers);
  copy->p2p_servers = g_strdupv (self->p2p_servers);
  g_strfreev (copy->p2p_ports);
  copy->p2p_ports = g_strdupv (self->p2p_ports);
  g_strfreev (copy->viewers);
  copy->viewers = g_strdupv (self->viewers);

  return copy;
}

PsIntent
ps_policy_get_default_intent (PsPolicy *self)
{
  g_return_val_if_fail (PS_IS_POLICY (self), PS_INTENT_OPEN);

  return self->default_intent;
}

void
ps_policy_set_default_intent (PsPolicy *self,
                              PsIntent  intent)
{
  g_return_if_fail (PS_IS_POLICY (self));
  g_return_if_fail ((guint) intent <= PS_INTENT_LAST);

  if (self->default_intent == intent)
    return;

  self->default_intent = intent;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEFAULT_INTENT]);
}

gboolean
ps_policy_set_device (PsPolicy            *self,
                      const char          *device,
                      const char          *mac,
                      const char * const  *addresses,
                      PsIntent             intent,
                      const char * const  *allow,
                      GError             **error)
{
  g_autofree char *shown = NULL;
  g_autofree char *mac_canonical = NULL;
  g_auto(GStrv) addresses_canonical = NULL;
  g_auto(GStrv) allow_canonical = NULL;
  DeviceRule *rule;

  g_return_val_if_fail (PS_IS_POLICY (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_ps_device_id_is_valid (device))
    {
      shown = _ps_policy_printable (device);
      g_set_error (error, PS_POLICY_ERROR, PS_POLICY_ERROR_INVALID,
                   _("“%s” is not a valid device id"), shown);
      return FALSE;
    }
  if ((guint) intent > PS_INTENT_LAST)
    {
      g_set_error (error, PS_POLICY_ERROR, PS_POLICY_ERROR_INVALID,
                   _("Unknown policy intent %d"), (int) intent);
      return FALSE;
    }
  if (mac != NULL && mac[0] != '\0' && (mac_canonical = _ps_mac_canonical (mac)) == NULL)
    {
      shown = _ps_policy_printable (mac);
      g_set_error (error, PS_POLICY_ERROR, PS_POLICY_ERROR_INVALID,
                   _("“%s” is not the MAC address of a device"), shown);
      return FALSE;
    }
  if ((addresses_canonical = canonical_list (LIST_DEVICE_ADDRESSES, addresses, error)) == NULL ||
      (allow_canonical = canonical_list (LIST_ALLOW, allow, error)) == NULL)
    return FALSE;
  if (mac_canonical == NULL && addresses_canonical[0] == NULL)
    {
      g_set_error (error, PS_POLICY_ERROR, PS_POLICY_ERROR_INVALID,
                   _("Device “%s” needs a MAC address or an IP address"), device);
      return FALSE;
    }
  if (!g_hash_table_contains (self->devices, device) &&
      g_hash_table_size (self->devices) >= PS_POLICY_MAX_DEVICES)
    {
      g_set_error (error, PS_POLICY_ERROR, PS_POLICY_ERROR_TOO_LARGE,
                   _("A policy has rules for at most %u devices"), PS_POLICY_MAX_DEVICES);
      return FALSE;
    }

  rule = g_new0 (DeviceRule, 1);
  rule->id = g_strdup (device);
  rule->mac = g_steal_pointer (&mac_canonical);
  rule->addresses = g_steal_pointer (&addresses_canonical);
  rule->intent = intent;
  rule->allow = g_steal_pointer (&allow_canonical);
  g_hash_table_replace (self->devices, rule->id, rule);

  return TRUE;
}

gboolean
ps_policy_remove_device (PsPolicy   *self,
                         const char *device)
{
  g_return_val_if_fail (PS_IS_POLICY (self), FALSE);
  g_return_val_if_fail (device != NULL, FALSE);

  return g_hash_table_remove (self->devices, device);
}

GStrv
ps_policy_dup_devices (PsPolicy *self)
{
  g_autoptr(GPtrArray) ids = NULL;
  GHashTableIter iter;
  const char *id;

  g_return_val_if_fail (PS_IS_POLICY (self), NULL);

  ids = g_ptr_array_new_full (g_hash_table_size (self->devices) + 1, g_free);
  g_hash_table_iter_init (&iter, self->devices);
  while (g_hash_table_iter_next (&iter, (gpointer *) &id, NULL))
    g_ptr_array_add (ids, g_strdup (id));

  return sorted_unique (g_steal_pointer (&ids));
}

gboolean
ps_policy_get_device (PsPolicy            *self,
                      const char          *device,
                      const char         **mac,
                      const char * const **addresses,
                      PsIntent            *intent,
                      const char * const **allow)
{
  DeviceRule *rule;

  g_return_val_if_fail (PS_IS_POLICY (self), FALSE);
  g_return_val_if_fail (device != NULL, FALSE);

  rule = g_hash_table_lookup (self->devices, device);
  if (rule == NULL)
    return FALSE;

  if (mac != NULL)
    *mac = rule->mac;
  if (addresses != NULL)
    *addresses = (const char * const *) rule->addresses;
  if (intent != NULL)
    *intent = rule->intent;
  if (allow != NULL)
    *allow = (const char * const *) rule->allow;

  return TRUE;
}

static gboolean
set_list (GStrv               *list,
          ListKind             kind,
          const char * const  *items,
          GError             **error)
{
  GStrv canonical = canonical_list (kind, items, error);

  if (canonical == NULL)
    return FALSE;

  g_strfreev (*list);
  *list = canonical;
  return TRUE;
}

gboolean
ps_policy_set_lan_networks (PsPolicy            *self,
                            const char * const  *networks,
                            GError             **error)
{
  g_return_val_if_fail (PS_IS_POLICY (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return set_list (&self->lan_networks, LIST_LAN_NETWORKS, networks, error);
}

const char * const *
ps_policy_get_lan_networks (PsPolicy *self)
{
  g_return_val_if_fail (PS_IS_POLICY (self), NULL);

  return (const char * const *) self->lan_networks;
}

gboolean
ps_policy_set_p2p_servers (PsPolicy            *self,
                           const char * const  *addresses,
                           GError             **error)
{
  g_return_val_if_fail (PS_IS_POLICY (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return set_list (&self->p2p_servers, LIST_P2P_SERVERS, addresses, error);
}

const char * const *
ps_policy_get_p2p_servers (PsPolicy *self)
{
  g_return_val_if_fail (PS_IS_POLICY (self), NULL);

  return (const char * const *) self->p2p_servers;
}

gboolean
ps_policy_set_p2p_ports (PsPolicy            *self,
                         const char * const  *ports,
                         GError             **error)
{
  g_return_val_if_fail (PS_IS_POLICY (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return set_list (&self->p2p_ports, LIST_P2P_PORTS, ports, error);
}

const char * const *
ps_policy_get_p2p_ports (PsPolicy *self)
{
  g_return_val_if_fail (PS_IS_POLICY (self), NULL);

  return (const char * const *) self->p2p_ports;
}

gboolean
ps_policy_set_viewers (PsPolicy            *self,
                       const char * const  *addresses,
                       GError             **error)
{
  g_return_val_if_fail (PS_IS_POLICY (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return set_list (&self->viewers, LIST_VIEWERS, addresses, error);
}

const char * const *
ps_policy_get_viewers (PsPolicy *self)
{
  g_return_val_if_fail (PS_IS_POLICY (self), NULL);

  return (const char * const *) self->viewers;
}

GStrv
ps_policy_dup_allow_names (PsPolicy *self)
{
  g_autoptr(GPtrArray) names = NULL;
  GHashTableIter iter;
  DeviceRule *rule;

  g_return_val_if_fail (PS_IS_POLICY (self), NULL);

  names = g_ptr_array_new_with_free_func (g_free);
  g_hash_table_iter_init (&iter, self->devices);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &rule))
    {
      for (guint i = 0; rule->allow[i] != NULL; i++)
        {
          PsNetwork network;

          if (!_ps_network_parse (rule->allow[i], TRUE, &network))
            g_ptr_array_add (names, g_strdup (rule->allow[i]));
        }
    }

  return sorted_unique (g_steal_pointer (&names));
}
