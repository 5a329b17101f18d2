/* ps-peer-classifier.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-peer-classifier"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ps-peer-classifier.h"

#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define PROTO_ANY    0
#define MAX_RULES    1024

typedef struct
{
  guint8      ip_protocol;   /* PROTO_ANY, TCP or UDP */
  guint16     port;
  PsPeerKind kind;
  const char *why;           /* translatable, NULL for user rules */
} PortRule;

typedef struct
{
  char        *suffix;       /* ".vendor.example" */
  gboolean     subdomains_only; /* "*.vendor.example" leaves out vendor.example */
  PsPeerKind  kind;
  gboolean     user;
} NameRule;

struct _PsPeerClassifier
{
  GObject  parent_instance;

  GArray  *port_rules;       /* PortRule, user-added */
  GArray  *name_rules;       /* NameRule */
};

G_DEFINE_FINAL_TYPE (PsPeerClassifier, ps_peer_classifier, G_TYPE_OBJECT)

/* The ports of the vendor P2P networks and of the infrastructure every
 * camera uses.  Checked before the user's rules. */
static const PortRule builtin_port_rules[] = {
  { IPPROTO_UDP_, 32100, PS_PEER_KIND_P2P_SUPERNODE, N_("UDP 32100 is the server port of CS2 Network “PPPP” P2P") },
  { IPPROTO_UDP_, 10001, PS_PEER_KIND_P2P_SUPERNODE, N_("UDP 10001 is the server port of ThroughTek Kalay P2P") },
  { PROTO_ANY, 9999, PS_PEER_KIND_P2P_SUPERNODE, N_("Port 9999 is the server port of Reolink P2P") },
  { PROTO_ANY, 3478, PS_PEER_KIND_STUN_TURN, N_("Port 3478 is STUN/TURN") },
  { PROTO_ANY, 3479, PS_PEER_KIND_STUN_TURN, N_("Port 3479 is STUN/TURN") },
  { PROTO_ANY, 5349, PS_PEER_KIND_STUN_TURN, N_("Port 5349 is STUN/TURN over TLS") },
  { PROTO_ANY, 19302, PS_PEER_KIND_STUN_TURN, N_("Port 19302 is a public STUN service") },
  { IPPROTO_UDP_, 123, PS_PEER_KIND_NTP, N_("UDP 123 is NTP time synchronisation") },
  { PROTO_ANY, 53, PS_PEER_KIND_DNS, N_("Port 53 is DNS") },
  { IPPROTO_TCP_, 853, PS_PEER_KIND_DNS, N_("TCP 853 is DNS over TLS") },
};

/* Ports that only make sense on the LAN: multicast and broadcast searches. */
static const guint16 lan_discovery_ports[] = {
  1900,   /* SSDP */
  3702,   /* WS-Discovery */
  5353,   /* mDNS */
  32108,  /* CS2 PPPP LAN search */
  32761,  /* Kalay LAN search */
  5355,   /* LLMNR */
  137, 138,
};

/* Ports on a camera that its viewers connect to. */
static const guint16 viewer_service_ports[] = { 554, 8554, 80, 443, 88, 8000, 8080, 8443, 34567, 37777 };

/* Domains of camera vendors' cloud services, and of their P2P servers. */
static const char * const builtin_cloud_domains[] = {
  "foscam.com", "myfoscam.org", "foscamcloud.com",
  "hik-connect.com", "hikvision.com", "ezvizlife.com", "ezviz7.com",
  "dahuatech.com", "easy4ip.com", "imoulife.com", "lechange.cn",
  "reolink.com", "wyzecam.com", "wyze.com", "xiaoyi.com", "yitechnology.com",
  "tuya.com", "tuyaus.com", "tuyaeu.com", "tuyacn.com",
  "ubianet.com", "danale.com", "cloudlinks.cn", "yoosee.co", "gwell.cc",
  "vstarcam.com", "eye4.cn", "camhi.com", "hichip.com", "xmeye.net",
  "meari.com.cn", "cloudedge360.com", "tplinkcloud.com", "tplinknbu.com",
  "amcrestcloud.com", "annke.com", "zmodo.com", "meshare.com",
  "vendor.example",          /* the lab's vendor cloud */
};

static const char * const builtin_p2p_domains[] = {
  "cs2-network.net", "p2p.foscam.com", "tutk.com", "kalay.net", "iotcplatform.com",
  "p2p.vendor.example",      /* the lab's supernodes */
};

static void
ps_peer_classifier_add_name_rule (PsPeerClassifier *self,
                                  const char       *pattern,
                                  PsPeerKind       kind,
                                  gboolean          user)
{
  NameRule rule = { 0 };

  if (g_str_has_prefix (pattern, "*."))
    {
      rule.suffix = g_ascii_strdown (pattern + 1, -1);
      rule.subdomains_only = TRUE;
    }
  else
    {
      /* a domain matches itself and everything under it */
      g_autofree char *dotted = g_strconcat (".", pattern, NULL);

      rule.suffix = g_ascii_strdown (dotted, -1);
    }

  rule.kind = kind;
  rule.user = user;
  g_array_append_val (self->name_rules, rule);
}

static void
name_rule_clear (gpointer data)
{
  NameRule *rule = data;

  g_free (rule->suffix);
}

static void
ps_peer_classifier_finalize (GObject *object)
{
  PsPeerClassifier *self = PS_PEER_CLASSIFIER (object);

  g_array_unref (self->port_rules);
  g_array_unref (self->name_rules);

  G_OBJECT_CLASS (ps_peer_classifier_parent_class)->finalize (object);
}

static void
ps_peer_classifier_class_init (PsPeerClassifierClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ps_peer_classifier_finalize;
}

static void
ps_peer_classifier_init (PsPeerClassifier *self)
{
  self->port_rules = g_array_new (FALSE, TRUE, sizeof (PortRule));
  self->name_rules = g_array_new (FALSE, TRUE, sizeof (NameRule));
  g_array_set_clear_func (self->name_rules, name_rule_clear);

  for (guint i = 0; i < G_N_ELEMENTS (builtin_p2p_domains); i++)
    ps_peer_classifier_add_name_rule (self, builtin_p2p_domains[i], PS_PEER_KIND_P2P_SUPERNODE, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (builtin_cloud_domains); i++)
    ps_peer_classifier_add_name_rule (self, builtin_cloud_domains[i], PS_PEER_KIND_VENDOR_CLOUD, FALSE);
}

PsPeerClassifier *
ps_peer_classifier_new (void)
{
  return g_object_new (PS_TYPE_PEER_CLASSIFIER, NULL);
}

static gboolean
is_domain_name (const char *text)
{
  gsize length = strlen (text);

  if (length == 0 || length > 253 || text[0] == '.' || text[length - 1] == '.')
    return FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.')
        return FALSE;
      if (*p == '.' && p[1] == '.')
        return FALSE;
    }

  return strchr (text, '.') != NULL;
}

gboolean
ps_peer_classifier_add_rule (PsPeerClassifier  *self,
                             const char        *rule,
                             GError           **error)
{
  PortRule port_rule = { PROTO_ANY, 0, PS_PEER_KIND_P2P_SUPERNODE, NULL };
  const char *port_text = rule;
  guint64 port = 0;

  g_return_val_if_fail (PS_IS_PEER_CLASSIFIER (self), FALSE);
  g_return_val_if_fail (rule != NULL, FALSE);

  if (self->port_rules->len + self->name_rules->len >= MAX_RULES)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                   _("Too many classification rules (at most %u)"), MAX_RULES);
      return FALSE;
    }

  if (g_str_has_prefix (rule, "p2p:") && is_domain_name (rule + 4))
    {
      ps_peer_classifier_add_name_rule (self, rule + 4, PS_PEER_KIND_P2P_SUPERNODE, TRUE);
      return TRUE;
    }

  if (g_str_has_prefix (rule, "*.") ? is_domain_name (rule + 2) : is_domain_name (rule))
    {
      ps_peer_classifier_add_name_rule (self, rule, PS_PEER_KIND_VENDOR_CLOUD, TRUE);
      return TRUE;
    }

  if (g_str_has_prefix (rule, "udp/"))
    port_rule.ip_protocol = IPPROTO_UDP_, port_text = rule + 4;
  else if (g_str_has_prefix (rule, "tcp/"))
    port_rule.ip_protocol = IPPROTO_TCP_, port_text = rule + 4;

  if (!g_ascii_string_to_unsigned (port_text, 10, 1, G_MAXUINT16, &port, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is neither a port (udp/PORT, tcp/PORT, PORT) nor a domain name"), rule);
      return FALSE;
    }

  port_rule.port = (guint16) port;
  g_array_append_val (self->port_rules, port_rule);
  return TRUE;
}

static const char *
protocol_name (guint8 ip_protocol)
{
  return ip_protocol == IPPROTO_UDP_ ? "UDP" : ip_protocol == IPPROTO_TCP_ ? "TCP" : "IP";
}

static const NameRule *
ps_peer_classifier_match_name (PsPeerClassifier *self,
                               const char       *hostname)
{
  g_autofree char *name = NULL;
  gsize length;

  if (hostname == NULL || *hostname == '\0')
    return NULL;

  /* "host.example." and "HOST.Example" are the same name */
  name = g_ascii_strdown (hostname, -1);
  length = strlen (name);
  if (length > 0 && name[length - 1] == '.')
    name[--length] = '\0';

  /* user rules first, so that a user can reclassify a built-in domain;
   * P2P domains were added before cloud ones, so they win among built-ins */
  for (int pass = 0; pass < 2; pass++)
    {
      for (guint i = 0; i < self->name_rules->len; i++)
        {
          const NameRule *rule = &g_array_index (self->name_rules, NameRule, i);

          if (rule->user != (pass == 0))
            continue;
          if (g_str_has_suffix (name, rule->suffix)
              || (!rule->subdomains_only && strcmp (name, rule->suffix + 1) == 0))
            return rule;
        }
    }

  return NULL;
}

static gboolean
port_in (guint16        port,
         const guint16 *ports,
         gsize          n_ports)
{
  for (gsize i = 0; i < n_ports; i++)
    if (ports[i] == port)
      return TRUE;

  return FALSE;
}

static gboolean
port_rule_matches (const PortRule    *rule,
                   const PsPeerFacts *facts)
{
  return rule->port == facts->peer_port
         && (rule->ip_protocol == PROTO_ANY || rule->ip_protocol == facts->ip_protocol)
         && (facts->ip_protocol == IPPROTO_UDP_ || facts->ip_protocol == IPPROTO_TCP_);
}

PsPeerKind
ps_peer_classifier_classify (PsPeerClassifier  *self,
                             const PsPeerFacts *facts,
                             char             **reason)
{
  const NameRule *name_rule;
  gboolean local;

  g_return_val_if_fail (PS_IS_PEER_CLASSIFIER (self), PS_PEER_KIND_UNKNOWN);
  g_return_val_if_fail (facts != NULL, PS_PEER_KIND_UNKNOWN);

#define RETURN_CLASS(klass, ...) \
  G_STMT_START { \
    if (reason != NULL) \
      *reason = g_strdup_printf (__VA_ARGS__); \
    return (klass); \
  } G_STMT_END

  local = ps_ip_address_is_local (&facts->peer);

  if (facts->peer_is_viewer)
    RETURN_CLASS (PS_PEER_KIND_VIEWER, "%s", _("A Peerscope viewer"));

  if (ps_ip_address_is_multicast (&facts->peer)
      || (local && port_in (facts->peer_port, lan_discovery_ports, G_N_ELEMENTS (lan_discovery_ports)))
      || (local && port_in (facts->device_port, lan_discovery_ports, G_N_ELEMENTS (lan_discovery_ports))))
    RETURN_CLASS (PS_PEER_KIND_LAN_DISCOVERY, _("%s %u is a LAN search or announcement"),
                  protocol_name (facts->ip_protocol),
                  port_in (facts->peer_port, lan_discovery_ports, G_N_ELEMENTS (lan_discovery_ports))
                  ? facts->peer_port : facts->device_port);

  if (local)
    {
      /* the home router's DNS forwarder and time server are still DNS and NTP */
      for (gsize i = 0; i < G_N_ELEMENTS (builtin_port_rules); i++)
        if ((builtin_port_rules[i].kind == PS_PEER_KIND_DNS
             || builtin_port_rules[i].kind == PS_PEER_KIND_NTP)
            && port_rule_matches (&builtin_port_rules[i], facts))
          RETURN_CLASS (builtin_port_rules[i].kind, "%s", _(builtin_port_rules[i].why));

      if (port_in (facts->device_port, viewer_service_ports, G_N_ELEMENTS (viewer_service_ports))
          && !port_in (facts->peer_port, viewer_service_ports, G_N_ELEMENTS (viewer_service_ports)))
        RETURN_CLASS (PS_PEER_KIND_VIEWER, _("A LAN host that uses the camera’s %s service on port %u"),
                      protocol_name (facts->ip_protocol), facts->device_port);

      RETURN_CLASS (PS_PEER_KIND_LAN, "%s", _("An address of the local network"));
    }

  /* a name we know beats a port: a vendor cloud host on 443 is still the vendor */
  name_rule = ps_peer_classifier_match_name (self, facts->hostname);
  if (name_rule != NULL && name_rule->kind == PS_PEER_KIND_P2P_SUPERNODE)
    RETURN_CLASS (PS_PEER_KIND_P2P_SUPERNODE, _("%s is a known P2P server name"), facts->hostname);

  for (gsize i = 0; i < G_N_ELEMENTS (builtin_port_rules); i++)
    if (port_rule_matches (&builtin_port_rules[i], facts))
      RETURN_CLASS (builtin_port_rules[i].kind, "%s", _(builtin_port_rules[i].why));

  for (guint i = 0; i < self->port_rules->len; i++)
    {
      const PortRule *rule = &g_array_index (self->port_rules, PortRule, i);

      if (port_rule_matches (rule, facts))
        RETURN_CLASS (rule->kind, _("%s %u is on your list of P2P server ports"),
                      protocol_name (facts->ip_protocol), facts->peer_port);
    }

  if (name_rule != NULL)
    RETURN_CLASS (name_rule->kind, _("%s belongs to a camera vendor’s cloud"), facts->hostname);

  RETURN_CLASS (PS_PEER_KIND_UNKNOWN, "%s", _("No rule matches this peer"));

#undef RETURN_CLASS
}
