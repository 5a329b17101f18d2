/* ps-gateway-protocol.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-gateway-protocol"

#include "config.h"

#include <string.h>

#include "ps-gateway-protocol.h"

#define RECORD_TYPE "(yyayayqqayqayayttttxxu)"

static const GDBusErrorEntry gateway_error_entries[] = {
  { PS_GATEWAY_ERROR_FAILED, "io.github.peerscope.Gateway1.Error.Failed" },
  { PS_GATEWAY_ERROR_NOT_AUTHORIZED, "io.github.peerscope.Gateway1.Error.NotAuthorized" },
  { PS_GATEWAY_ERROR_NOT_SUPPORTED, "io.github.peerscope.Gateway1.Error.NotSupported" },
  { PS_GATEWAY_ERROR_NOT_SUBSCRIBED, "io.github.peerscope.Gateway1.Error.NotSubscribed" },
  { PS_GATEWAY_ERROR_LIMITS_EXCEEDED, "io.github.peerscope.Gateway1.Error.LimitsExceeded" },
};

GQuark
ps_gateway_error_quark (void)
{
  static gsize quark = 0;

  /* errors cross the bus with their names and come back as PS_GATEWAY_ERROR */
  g_dbus_error_register_error_domain ("ps-gateway-error-quark", &quark, gateway_error_entries,
                                      G_N_ELEMENTS (gateway_error_entries));
  return (GQuark) quark;
}

static GVariant *
address_to_variant (const PsIpAddress *address)
{
  gsize length = address->family == 4 ? 4 : address->family == 6 ? 16 : 0;

  return g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, address->bytes, length, 1);
}

static GVariant *
mac_to_variant (const guint8 mac[6],
                gboolean     present)
{
  return g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, mac, present ? 6 : 0, 1);
}

GVariant *
ps_gateway_records_to_variant (const PsFlowRecord *records,
                               guint               n_records)
{
  GVariantBuilder builder;

  g_return_val_if_fail (records != NULL || n_records == 0, NULL);

  g_variant_builder_init (&builder, G_VARIANT_TYPE (PS_GATEWAY_RECORDS_TYPE));
  for (guint i = 0; i < n_records; i++)
    {
      const PsFlowRecord *r = &records[i];
      guint32 flags = 0;

      if (r->new_flow)
        flags |= PS_GATEWAY_RECORD_FLAG_NEW_FLOW;
      if (r->ended)
        flags |= PS_GATEWAY_RECORD_FLAG_ENDED;

      g_variant_builder_add (&builder, "(yy@ay@ayqq@ayq@ay@ayttttxxu)",
                             (guint8) r->origin, r->ip_protocol,
                             address_to_variant (&r->src), address_to_variant (&r->dst),
                             r->src_port, r->dst_port,
                             address_to_variant (&r->nat_src), r->nat_src_port,
                             mac_to_variant (r->src_mac, r->has_src_mac),
                             mac_to_variant (r->dst_mac, r->has_dst_mac),
                             r->packets, r->bytes, r->reply_packets, r->reply_bytes,
                             r->first_ms, r->last_ms, flags);
    }

  return g_variant_builder_end (&builder);
}

/* An empty array leaves address unset; 4 or 16 bytes set it; any other
 * length is malformed. */
static gboolean
address_from_variant (GVariant    *value,
                      PsIpAddress *address)
{
  const guint8 *bytes;
  gsize length = 0;

  memset (address, 0, sizeof *address);
  bytes = g_variant_get_fixed_array (value, &length, 1);

  if (length == 0)
    return TRUE;
  if (length == 4)
    ps_ip_address_set_v4 (address, bytes);
  else if (length == 16)
    ps_ip_address_set_v6 (address, bytes);
  else
    return FALSE;

  return TRUE;
}

static gboolean
mac_from_variant (GVariant *value,
                  guint8    mac[6],
                  gboolean *present)
{
  const guint8 *bytes;
  gsize length = 0;

  bytes = g_variant_get_fixed_array (value, &length, 1);
  *present = (length == 6);
  if (length == 6)
    memcpy (mac, bytes, 6);

  return length == 0 || length == 6;
}

gboolean
ps_gateway_record_from_variant (GVariant     *value,
                                PsFlowRecord *record)
{
  g_autoptr(GVariant) src = NULL;
  g_autoptr(GVariant) dst = NULL;
  g_autoptr(GVariant) nat_src = NULL;
  g_autoptr(GVariant) src_mac = NULL;
  g_autoptr(GVariant) dst_mac = NULL;
  guint8 origin, ip_protocol;
  guint16 src_port, dst_port, nat_src_port;
  guint64 packets, bytes, reply_packets, reply_bytes;
  gint64 first_ms, last_ms;
  guint32 flags;
  gboolean has_src_mac, has_dst_mac;

  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (record != NULL, FALSE);

  ps_flow_record_init (record, PS_FLOW_ORIGIN_CONNTRACK);
  if (!g_variant_is_of_type (value, G_VARIANT_TYPE (RECORD_TYPE)))
    return FALSE;

  g_variant_get (value, "(yy@ay@ayqq@ayq@ay@ayttttxxu)",
                 &origin, &ip_protocol, &src, &dst, &src_port, &dst_port,
                 &nat_src, &nat_src_port, &src_mac, &dst_mac,
                 &packets, &bytes, &reply_packets, &reply_bytes,
                 &first_ms, &last_ms, &flags);

  if (origin > PS_FLOW_ORIGIN_SESSION)
    return FALSE;
  record->origin = origin;
  record->ip_protocol = ip_protocol;

  /* both ends, of one family; a NAT address of that family or none */
  if (!address_from_variant (src, &record->src)
      || !address_from_variant (dst, &record->dst)
      || !address_from_variant (nat_src, &record->nat_src)
      || !ps_ip_address_is_set (&record->src)
      || record->src.family != record->dst.family
      || (ps_ip_address_is_set (&record->nat_src)
          && record->nat_src.family != record->src.family))
    return FALSE;

  record->src_port = src_port;
  record->dst_port = dst_port;
  record->nat_src_port = ps_ip_address_is_set (&record->nat_src) ? nat_src_port : 0;

  if (!mac_from_variant (src_mac, record->src_mac, &has_src_mac)
      || !mac_from_variant (dst_mac, record->dst_mac, &has_dst_mac))
    return FALSE;
  record->has_src_mac = has_src_mac;
  record->has_dst_mac = has_dst_mac;

  record->packets = packets;
  record->bytes = bytes;
  record->reply_packets = reply_packets;
  record->reply_bytes = reply_bytes;

  /* times are Unix milliseconds; an impossible start is an unknown one */
  if (first_ms < 0 || last_ms < 0)
    return FALSE;
  record->first_ms = first_ms;
  record->last_ms = last_ms;
  if (record->last_ms != 0 && record->first_ms > record->last_ms)
    record->first_ms = 0;

  /* unknown flags are reserved for later revisions */
  record->new_flow = (flags & PS_GATEWAY_RECORD_FLAG_NEW_FLOW) != 0;
  record->ended = (flags & PS_GATEWAY_RECORD_FLAG_ENDED) != 0;

  return TRUE;
}

GArray *
ps_gateway_records_parse (GVariant  *parameters,
                          guint     *n_rejected,
                          GError   **error)
{
  g_autoptr(GVariant) array = NULL;
  g_autoptr(GArray) records = NULL;
  GVariantIter iter;
  GVariant *child;
  gsize n_children;
  guint rejected = 0;

  g_return_val_if_fail (parameters != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (n_rejected != NULL)
    *n_rejected = 0;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(" PS_GATEWAY_RECORDS_TYPE ")")))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "Records of type %s, expected (%s)",
                   g_variant_get_type_string (parameters), PS_GATEWAY_RECORDS_TYPE);
      return NULL;
    }

  array = g_variant_get_child_value (parameters, 0);
  n_children = g_variant_n_children (array);
  if (n_children > PS_GATEWAY_MAX_RECORDS_PER_SIGNAL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%" G_GSIZE_FORMAT " records in one batch, at most %u expected",
                   n_children, PS_GATEWAY_MAX_RECORDS_PER_SIGNAL);
      return NULL;
    }

  records = g_array_sized_new (FALSE, FALSE, sizeof (PsFlowRecord), (guint) n_children);
  g_variant_iter_init (&iter, array);
  while ((child = g_variant_iter_next_value (&iter)) != NULL)
    {
      PsFlowRecord record;

      if (ps_gateway_record_from_variant (child, &record))
        g_array_append_val (records, record);
      else
        rejected++;
      g_variant_unref (child);
    }

  if (n_rejected != NULL)
    *n_rejected = rejected;

  return g_steal_pointer (&records);
}
