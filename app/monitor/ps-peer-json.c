/* ps-peer-json.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-peer-json"

#include "config.h"

#include <string.h>

#include "ps-peer-json.h"

static void
set_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL && *value != '\0')
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
set_int (JsonBuilder *builder,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

/**
 * ps_peer_format_time:
 * @unix_ms: a time in milliseconds since the Unix epoch
 *
 * Returns: (transfer full) (nullable): the time in UTC as ISO 8601 with microseconds, or
 *   %NULL when @unix_ms is 0 or negative (not known)
 */
char *
ps_peer_format_time (gint64 unix_ms)
{
  g_autoptr(GDateTime) seconds = NULL;
  g_autoptr(GDateTime) time = NULL;

  if (unix_ms <= 0)
    return NULL;

  seconds = g_date_time_new_from_unix_utc (unix_ms / 1000);
  if (seconds == NULL)
    return NULL;
  time = g_date_time_add (seconds, (unix_ms % 1000) * 1000);
  if (time == NULL)
    return NULL;

  return g_date_time_format (time, "%Y-%m-%dT%H:%M:%S.%fZ");
}

/**
 * ps_peer_to_json:
 * @peer: a peer
 *
 * Describes @peer with the fields of `peerscope-cli peers --json`: device, device_address,
 * peer {address, port, protocol}, direction ("out": the device opened the flows, "in": the
 * peer came to the device's port), hostname, dns_name (what the device asked its DNS server),
 * dns_lookup (whether it did so before the first contact; null when unknown), country,
 * country_name, asn, org, location
 * {latitude, longitude}, class, class_reason, packets and bytes each way, flows, first_seen,
 * last_seen (ISO 8601, and in Unix ms) and blocked_attempts.  Unknown values are null.
 *
 * Returns: (transfer full): a JSON object
 */
JsonNode *
ps_peer_to_json (PsPeer *peer)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autofree char *device_address = NULL;
  g_autofree char *first_seen = NULL;
  g_autofree char *last_seen = NULL;
  double latitude, longitude;

  g_return_val_if_fail (PS_IS_PEER (peer), NULL);

  builder = json_builder_new ();
  device_address = ps_ip_address_to_string (ps_peer_get_device_address (peer));
  first_seen = ps_peer_format_time (ps_peer_get_first_seen (peer));
  last_seen = ps_peer_format_time (ps_peer_get_last_seen (peer));

  json_builder_begin_object (builder);
  set_string (builder, "device", ps_peer_get_device (peer));
  set_string (builder, "device_address", device_address);
  json_builder_set_member_name (builder, "peer");
  json_builder_begin_object (builder);
  set_string (builder, "address", ps_peer_get_address_string (peer));
  set_int (builder, "port", ps_peer_get_port (peer));
  set_string (builder, "protocol", ps_peer_get_protocol_name (peer));
  json_builder_end_object (builder);
  set_string (builder, "direction", ps_peer_get_inbound (peer) ? "in" : "out");
  set_string (builder, "hostname", ps_peer_get_hostname (peer));
  set_string (builder, "dns_name", ps_peer_get_dns_name (peer));
  json_builder_set_member_name (builder, "dns_lookup");
  if (ps_peer_get_dns_lookup (peer) == PS_PEER_DNS_LOOKUP_UNKNOWN)
    json_builder_add_null_value (builder);
  else
    json_builder_add_boolean_value (builder, ps_peer_get_dns_lookup (peer) == PS_PEER_DNS_LOOKUP_YES);
  set_string (builder, "country", ps_peer_get_country (peer));
  set_string (builder, "country_name", ps_peer_get_country_name (peer));
  json_builder_set_member_name (builder, "asn");
  if (ps_peer_get_asn (peer) != 0)
    json_builder_add_int_value (builder, ps_peer_get_asn (peer));
  else
    json_builder_add_null_value (builder);
  set_string (builder, "org", ps_peer_get_org (peer));
  json_builder_set_member_name (builder, "location");
  if (ps_peer_get_location (peer, &latitude, &longitude))
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "latitude");
      json_builder_add_double_value (builder, latitude);
      json_builder_set_member_name (builder, "longitude");
      json_builder_add_double_value (builder, longitude);
      json_builder_end_object (builder);
    }
  else
    json_builder_add_null_value (builder);
  set_string (builder, "class", ps_peer_kind_to_string (ps_peer_get_kind (peer)));
  set_string (builder, "class_reason", ps_peer_get_class_reason (peer));
  set_int (builder, "packets_out", ps_peer_get_packets_out (peer));
  set_int (builder, "bytes_out", ps_peer_get_bytes_out (peer));
  set_int (builder, "packets_in", ps_peer_get_packets_in (peer));
  set_int (builder, "bytes_in", ps_peer_get_bytes_in (peer));
  set_int (builder, "flows", ps_peer_get_flows (peer));
  set_string (builder, "first_seen", first_seen);
  set_string (builder, "last_seen", last_seen);
  set_int (builder, "first_seen_ms", ps_peer_get_first_seen (peer));
  set_int (builder, "last_seen_ms", ps_peer_get_last_seen (peer));
  set_int (builder, "blocked_attempts", ps_peer_get_blocked_attempts (peer));
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/**
 * ps_peers_to_json:
 * @peers: a #GListModel of #PsPeer
 *
 * Returns: (transfer full): a JSON array of ps_peer_to_json(), in the order of @peers
 */
JsonNode *
ps_peers_to_json (GListModel *peers)
{
  g_autoptr(JsonArray) array = NULL;
  JsonNode *node;
  guint n;

  g_return_val_if_fail (G_IS_LIST_MODEL (peers), NULL);

  n = g_list_model_get_n_items (peers);
  array = json_array_sized_new (n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PsPeer) peer = g_list_model_get_item (peers, i);

      json_array_add_element (array, ps_peer_to_json (peer));
    }

  node = json_node_new (JSON_NODE_ARRAY);
  json_node_set_array (node, array);
  return node;
}

/* ---- CSV ------------------------------------------------------------------------------- */

static const char csv_header[] =
  "device,device_address,address,port,protocol,hostname,country,country_name,asn,org,"
  "latitude,longitude,class,class_reason,packets_out,bytes_out,packets_in,bytes_in,flows,"
  "first_seen,last_seen,first_seen_ms,last_seen_ms,blocked_attempts";

static void
csv_text (GString    *out,
          const char *text,
          gboolean    first)
{
  gboolean formula;

  if (!first)
    g_string_append_c (out, ',');
  if (text == NULL || *text == '\0')
    return;

  formula = text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@'
            || text[0] == '\t' || text[0] == '\r';

  if (strpbrk (text, ",\"\r\n") == NULL)
    {
      if (formula)
        g_string_append_c (out, '\'');
      g_string_append (out, text);
      return;
    }

  g_string_append_c (out, '"');
  if (formula)
    g_string_append_c (out, '\'');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static void
csv_uint (GString *out,
          guint64  value)
{
  g_string_append_printf (out, ",%" G_GUINT64_FORMAT, value);
}

static void
csv_int (GString *out,
         gint64   value)
{
  g_string_append_printf (out, ",%" G_GINT64_FORMAT, value);
}

static void
csv_double (GString *out,
            double   value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_c (out, ',');
  g_string_append (out, g_ascii_dtostr (buffer, sizeof buffer, value));
}

static void
csv_peer (GString *out,
          PsPeer  *peer)
{
  g_autofree char *device_address = ps_ip_address_to_string (ps_peer_get_device_address (peer));
  g_autofree char *first_seen = ps_peer_format_time (ps_peer_get_first_seen (peer));
  g_autofree char *last_seen = ps_peer_format_time (ps_peer_get_last_seen (peer));
  double latitude, longitude;

  csv_text (out, ps_peer_get_device (peer), TRUE);
  csv_text (out, device_address, FALSE);
  csv_text (out, ps_peer_get_address_string (peer), FALSE);
  csv_uint (out, ps_peer_get_port (peer));
  csv_text (out, ps_peer_get_protocol_name (peer), FALSE);
  csv_text (out, ps_peer_get_hostname (peer), FALSE);
  csv_text (out, ps_peer_get_country (peer), FALSE);
  csv_text (out, ps_peer_get_country_name (peer), FALSE);
  if (ps_peer_get_asn (peer) != 0)
    csv_uint (out, ps_peer_get_asn (peer));
  else
    g_string_append_c (out, ',');
  csv_text (out, ps_peer_get_org (peer), FALSE);
  if (ps_peer_get_location (peer, &latitude, &longitude))
    {
      csv_double (out, latitude);
      csv_double (out, longitude);
    }
  else
    g_string_append (out, ",,");
  csv_text (out, ps_peer_kind_to_string (ps_peer_get_kind (peer)), FALSE);
  csv_text (out, ps_peer_get_class_reason (peer), FALSE);
  csv_uint (out, ps_peer_get_packets_out (peer));
  csv_uint (out, ps_peer_get_bytes_out (peer));
  csv_uint (out, ps_peer_get_packets_in (peer));
  csv_uint (out, ps_peer_get_bytes_in (peer));
  csv_uint (out, ps_peer_get_flows (peer));
  csv_text (out, first_seen, FALSE);
  csv_text (out, last_seen, FALSE);
  csv_int (out, ps_peer_get_first_seen (peer));
  csv_int (out, ps_peer_get_last_seen (peer));
  csv_uint (out, ps_peer_get_blocked_attempts (peer));
  g_string_append (out, "\r\n");
}

/**
 * ps_peers_to_csv:
 * @peers: a #GListModel of #PsPeer
 *
 * Writes @peers as RFC 4180 CSV with a header line, one line per peer in the order of
 * @peers, with the fields of ps_peer_to_json() flattened: peer.address becomes address,
 * location becomes latitude and longitude.  Unknown values are empty.
 *
 * Returns: (transfer full): the CSV text, UTF-8 without a byte order mark
 */
char *
ps_peers_to_csv (GListModel *peers)
{
  GString *out;
  guint n;

  g_return_val_if_fail (G_IS_LIST_MODEL (peers), NULL);

  n = g_list_model_get_n_items (peers);
  out = g_string_sized_new (128 + 256 * (gsize) n);
  g_string_append (out, csv_header);
  g_string_append (out, "\r\n");
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PsPeer) peer = g_list_model_get_item (peers, i);

      csv_peer (out, peer);
    }

  return g_string_free (out, FALSE);
}
