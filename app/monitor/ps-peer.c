/* ps-peer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-peer"

#include "config.h"

#include "ps-compat.h"
#include "ps-peer-private.h"

struct _PsPeer
{
  GObject      parent_instance;

  char        *device;
  PsIpAddress  device_address;
  PsIpAddress  address;
  char        *address_string;
  guint16      port;
  guint16      other_port;
  gboolean     inbound;
  guint8       ip_protocol;
  char         protocol_name[8];

  guint64      packets_out;
  guint64      bytes_out;
  guint64      packets_in;
  guint64      bytes_in;
  guint64      flows;
  guint64      blocked_attempts;
  gint64       first_seen;
  gint64       last_seen;

  char        *hostname;
  char        *dns_name;
  PsPeerDnsLookup dns_lookup;
  char        *country;
  char        *country_name;
  char        *org;
  guint32      asn;
  gboolean     has_location;
  double       latitude;
  double       longitude;
  PsPeerKind  kind;
  char        *class_reason;
};

G_DEFINE_FINAL_TYPE (PsPeer, ps_peer, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_DEVICE,
  PROP_ADDRESS,
  PROP_PORT,
  PROP_PROTOCOL,
  PROP_BYTES_OUT,
  PROP_BYTES_IN,
  PROP_LAST_SEEN,
  PROP_BLOCKED_ATTEMPTS,
  PROP_HOSTNAME,
  PROP_DNS_NAME,
  PROP_COUNTRY,
  PROP_ORG,
  PROP_PEER_CLASS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ps_peer_finalize (GObject *object)
{
  PsPeer *self = PS_PEER (object);

  g_free (self->device);
  g_free (self->address_string);
  g_free (self->hostname);
  g_free (self->dns_name);
  g_free (self->country);
  g_free (self->country_name);
  g_free (self->org);
  g_free (self->class_reason);

  G_OBJECT_CLASS (ps_peer_parent_class)->finalize (object);
}

static void
ps_peer_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  PsPeer *self = PS_PEER (object);

  switch (prop_id)
    {
    case PROP_DEVICE:
      g_value_set_string (value, self->device);
      break;
    case PROP_ADDRESS:
      g_value_set_string (value, self->address_string);
      break;
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;
    case PROP_PROTOCOL:
      g_value_set_string (value, self->protocol_name);
      break;
    case PROP_BYTES_OUT:
      g_value_set_uint64 (value, self->bytes_out);
      break;
    case PROP_BYTES_IN:
      g_value_set_uint64 (value, self->bytes_in);
      break;
    case PROP_LAST_SEEN:
      g_value_set_int64 (value, self->last_seen);
      break;
    case PROP_BLOCKED_ATTEMPTS:
      g_value_set_uint64 (value, self->blocked_attempts);
      break;
    case PROP_HOSTNAME:
      g_value_set_string (value, self->hostname);
      break;
    case PROP_DNS_NAME:
      g_value_set_string (value, self->dns_name);
      break;
    case PROP_COUNTRY:
      g_value_set_string (value, self->country);
      break;
    case PROP_ORG:
      g_value_set_string (value, self->org);
      break;
    case PROP_PEER_CLASS:
      g_value_set_string (value, ps_peer_kind_to_string (self->kind));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}


static void
ps_peer_class_init (PsPeerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ps_peer_finalize;
  object_class->get_property = ps_peer_get_property;

#define RO (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS)
  properties[PROP_DEVICE] = g_param_spec_string ("device", NULL, NULL, NULL, RO);
  properties[PROP_ADDRESS] = g_param_spec_string ("address", NULL, NULL, NULL, RO);
  properties[PROP_PORT] = g_param_spec_uint ("port", NULL, NULL, 0, G_MAXUINT16, 0, RO);
  properties[PROP_PROTOCOL] = g_param_spec_string ("protocol", NULL, NULL, NULL, RO);
  properties[PROP_BYTES_OUT] = g_param_spec_uint64 ("bytes-out", NULL, NULL, 0, G_MAXUINT64, 0, RO);
  properties[PROP_BYTES_IN] = g_param_spec_uint64 ("bytes-in", NULL, NULL, 0, G_MAXUINT64, 0, RO);
  properties[PROP_LAST_SEEN] = g_param_spec_int64 ("last-seen", NULL, NULL, 0, G_MAXINT64, 0, RO);
  properties[PROP_BLOCKED_ATTEMPTS] = g_param_spec_uint64 ("blocked-attempts", NULL, NULL, 0, G_MAXUINT64, 0, RO);
  properties[PROP_HOSTNAME] = g_param_spec_string ("hostname", NULL, NULL, NULL, RO);
  properties[PROP_DNS_NAME] = g_param_spec_string ("dns-name", NULL, NULL, NULL, RO);
  properties[PROP_COUNTRY] = g_param_spec_string ("country", NULL, NULL, NULL, RO);
  properties[PROP_ORG] = g_param_spec_string ("org", NULL, NULL, NULL, RO);
  properties[PROP_PEER_CLASS] = g_param_spec_string ("class", NULL, NULL, NULL, RO);
#undef RO

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ps_peer_init (PsPeer *self)
{
  self->kind = PS_PEER_KIND_UNKNOWN;
}

PsPeer *
_ps_peer_new (const char        *device,
              const PsIpAddress *device_address,
              const PsIpAddress *address,
              guint16            port,
              guint8             ip_protocol,
              guint16            other_port,
              gboolean           inbound)
{
  PsPeer *self = g_object_new (PS_TYPE_PEER, NULL);

  self->device = g_strdup (device);
  self->device_address = *device_address;
  self->address = *address;
  self->address_string = ps_ip_address_to_string (address);
  self->port = port;
  self->other_port = other_port;
  self->inbound = !!inbound;
  self->ip_protocol = ip_protocol;

  switch (ip_protocol)
    {
    case 6:
      g_strlcpy (self->protocol_name, "tcp", sizeof self->protocol_name);
      break;
    case 17:
      g_strlcpy (self->protocol_name, "udp", sizeof self->protocol_name);
      break;
    case 1:
      g_strlcpy (self->protocol_name, "icmp", sizeof self->protocol_name);
      break;
    case 58:
      g_strlcpy (self->protocol_name, "icmpv6", sizeof self->protocol_name);
      break;
    case 132:
      g_strlcpy (self->protocol_name, "sctp", sizeof self->protocol_name);
      break;
    default:
      g_snprintf (self->protocol_name, sizeof self->protocol_name, "%u", ip_protocol);
    }

  return self;
}

#define GETTER(type, name, field) \
  type \
  ps_peer_get_##name (PsPeer *self) \
  { \
    g_return_val_if_fail (PS_IS_PEER (self), 0); \
    return self->field; \
  }

GETTER (const char *, device, device)
GETTER (const char *, address_string, address_string)
GETTER (guint16, port, port)
GETTER (gboolean, inbound, inbound)
GETTER (guint8, ip_protocol, ip_protocol)
GETTER (const char *, protocol_name, protocol_name)
GETTER (guint64, packets_out, packets_out)
GETTER (guint64, bytes_out, bytes_out)
GETTER (guint64, packets_in, packets_in)
GETTER (guint64, bytes_in, bytes_in)
GETTER (guint64, flows, flows)
GETTER (guint64, blocked_attempts, blocked_attempts)
GETTER (gint64, first_seen, first_seen)
GETTER (gint64, last_seen, last_seen)
GETTER (const char *, hostname, hostname)
GETTER (const char *, dns_name, dns_name)
GETTER (PsPeerDnsLookup, dns_lookup, dns_lookup)
GETTER (const char *, country, country)
GETTER (const char *, country_name, country_name)
GETTER (guint32, asn, asn)
GETTER (const char *, org, org)
GETTER (PsPeerKind, kind, kind)
GETTER (const char *, class_reason, class_reason)

#undef GETTER

guint16
_ps_peer_get_device_port (PsPeer *self)
{
  return self->inbound ? self->port : self->other_port;
}

guint16
_ps_peer_get_peer_port (PsPeer *self)
{
  return self->inbound ? self->other_port : self->port;
}

const PsIpAddress *
ps_peer_get_device_address (PsPeer *self)
{
  g_return_val_if_fail (PS_IS_PEER (self), NULL);

  return &self->device_address;
}

const PsIpAddress *
ps_peer_get_address (PsPeer *self)
{
  g_return_val_if_fail (PS_IS_PEER (self), NULL);

  return &self->address;
}

gboolean
ps_peer_get_location (PsPeer *self,
                      double *latitude,
                      double *longitude)
{
  g_return_val_if_fail (PS_IS_PEER (self), FALSE);

  if (!self->has_location)
    return FALSE;

  if (latitude != NULL)
    *latitude = self->latitude;
  if (longitude != NULL)
    *longitude = self->longitude;
  return TRUE;
}

void
_ps_peer_add_traffic (PsPeer  *self,
                      guint64  packets_out,
                      guint64  bytes_out,
                      guint64  packets_in,
                      guint64  bytes_in,
                      guint    new_flows,
                      gint64   first_ms,
                      gint64   last_ms)
{
  self->packets_out += packets_out;
  self->bytes_out += bytes_out;
  self->packets_in += packets_in;
  self->bytes_in += bytes_in;
  self->flows += new_flows;

  if (first_ms > 0 && (self->first_seen == 0 || first_ms < self->first_seen))
    self->first_seen = first_ms;
  if (last_ms > self->last_seen)
    self->last_seen = last_ms;
  if (self->first_seen == 0 || self->first_seen > self->last_seen)
    self->first_seen = self->last_seen;
}

void
_ps_peer_add_blocked (PsPeer  *self,
                      guint64  attempts)
{
  self->blocked_attempts += attempts;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BLOCKED_ATTEMPTS]);
}

void
_ps_peer_set_blocked (PsPeer  *self,
                      guint64  attempts)
{
  if (self->blocked_attempts == attempts)
    return;

  self->blocked_attempts = attempts;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BLOCKED_ATTEMPTS]);
}

void
_ps_peer_notify_traffic (PsPeer *self)
{
  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES_OUT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES_IN]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_SEEN]);
  g_object_thaw_notify (G_OBJECT (self));
}

void
_ps_peer_set_hostname (PsPeer     *self,
                       const char *hostname)
{
  if (ps_set_str (&self->hostname, hostname))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOSTNAME]);
}

void
_ps_peer_set_dns (PsPeer          *self,
                  const char      *dns_name,
                  PsPeerDnsLookup  lookup)
{
  gboolean changed = ps_set_str (&self->dns_name, dns_name) || self->dns_lookup != lookup;

  self->dns_lookup = lookup;
  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DNS_NAME]);
}

void
_ps_peer_set_geo (PsPeer     *self,
                  const char *country,
                  const char *country_name,
                  guint32     asn,
                  const char *org,
                  gboolean    has_location,
                  double      latitude,
                  double      longitude)
{
  g_object_freeze_notify (G_OBJECT (self));

  if (ps_set_str (&self->country, country))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COUNTRY]);
  ps_set_str (&self->country_name, country_name);
  self->asn = asn;
  if (ps_set_str (&self->org, org))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ORG]);
  self->has_location = has_location;
  self->latitude = latitude;
  self->longitude = longitude;

  g_object_thaw_notify (G_OBJECT (self));
}

void
_ps_peer_set_class (PsPeer     *self,
                    PsPeerKind  kind,
                    const char *reason)
{
  gboolean changed = self->kind != kind;

  self->kind = kind;
  ps_set_str (&self->class_reason, reason);
  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PEER_CLASS]);
}

void
ps_peer_snapshot (PsPeer         *self,
                  PsPeerSnapshot *snapshot)
{
  g_return_if_fail (PS_IS_PEER (self));
  g_return_if_fail (snapshot != NULL);

  snapshot->device = g_strdup (self->device);
  snapshot->device_address = self->device_address;
  snapshot->address = self->address;
  snapshot->port = self->port;
  snapshot->other_port = self->other_port;
  snapshot->ip_protocol = self->ip_protocol;
  snapshot->inbound = self->inbound;
  snapshot->packets_out = self->packets_out;
  snapshot->bytes_out = self->bytes_out;
  snapshot->packets_in = self->packets_in;
  snapshot->bytes_in = self->bytes_in;
  snapshot->flows = self->flows;
  snapshot->blocked_attempts = self->blocked_attempts;
  snapshot->first_seen = self->first_seen;
  snapshot->last_seen = self->last_seen;
  snapshot->hostname = g_strdup (self->hostname);
}

void
ps_peer_snapshot_clear (PsPeerSnapshot *snapshot)
{
  g_clear_pointer (&snapshot->device, g_free);
  g_clear_pointer (&snapshot->hostname, g_free);
}
