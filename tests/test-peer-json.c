/* test-peer-json.c: peers as JSON (the CLI's contract) and as RFC 4180 CSV
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>
#include <string.h>

#include "ps-peer-json.h"
#include "ps-peer-private.h"
#include "ps-peer-table.h"

#define DEVICE "10.99.1.11"

static PsFlowRecord
make_record (guint8      ip_protocol,
             const char *src,
             guint16     src_port,
             const char *dst,
             guint16     dst_port,
             guint64     bytes,
             guint64     reply_bytes)
{
  PsFlowRecord record;

  ps_flow_record_init (&record, PS_FLOW_ORIGIN_CONNTRACK);
  record.ip_protocol = ip_protocol;
  g_assert_true (ps_ip_address_parse (&record.src, src));
  g_assert_true (ps_ip_address_parse (&record.dst, dst));
  record.src_port = src_port;
  record.dst_port = dst_port;
  record.packets = 1;
  record.bytes = bytes;
  record.reply_packets = reply_bytes > 0;
  record.reply_bytes = reply_bytes;
  record.new_flow = TRUE;
  record.first_ms = 1700000000123;
  record.last_ms = 1700000060000;
  return record;
}

static void
add_name (PsPeerTable *table,
          const char  *address,
          const char  *name)
{
  PsIpAddress ip;

  g_assert_true (ps_ip_address_parse (&ip, address));
  ps_peer_enricher_add_name (ps_peer_table_get_enricher (table), &ip, name);
}

/* Three peers: a supernode with awkward names, an IPv6 host and a host we know nothing of. */
static PsPeerTable *
new_table (void)
{
  g_autoptr(PsPeerEnricher) enricher = ps_peer_enricher_new (NULL, NULL);
  PsPeerTable *table;
  PsFlowRecord records[3];
  PsPeer *peer;

  ps_peer_enricher_set_resolve_names (enricher, FALSE);
  table = ps_peer_table_new (enricher);

  add_name (table, "198.51.100.11", "p2p,1.\"vendor\".example\r\nX-Evil: 1");
  add_name (table, "2001:db8:1::5", "=HYPERLINK(\"http://x.example\")");

  records[0] = make_record (17, DEVICE, 40001, "198.51.100.11", 32100, 300, 120);
  records[1] = make_record (6, DEVICE, 40002, "2001:db8:1::5", 443, 1000, 5000);
  records[2] = make_record (17, DEVICE, 40003, "198.51.100.200", 9999, 42, 0);
  /* an IPv6 device would have an IPv6 source; the table pairs families only by address */
  g_assert_true (ps_ip_address_parse (&records[1].src, "fd00::11"));
  ps_peer_table_add_records (table, records, G_N_ELEMENTS (records));

  peer = ps_peer_table_lookup (table, DEVICE, "198.51.100.11", 32100, 17);
  g_assert_nonnull (peer);
  _ps_peer_set_geo (peer, "CN", "China", 64500, "Example Cloud, Shenzhen", TRUE, 35.0, 105.5);
  _ps_peer_add_blocked (peer, 7);

  return table;
}

/* A small RFC 4180 reader: rows of fields. */
static GPtrArray *
parse_csv (const char *text)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  GPtrArray *row = g_ptr_array_new_with_free_func (g_free);
  GString *field = g_string_new (NULL);
  const char *p = text;

  while (*p != '\0')
    {
      if (*p == '"')
        {
          /* quoted: runs to the closing quote; "" is a quote */
          for (p++;; p++)
            {
              g_assert_true (*p != '\0');
              if (*p == '"' && p[1] == '"')
                {
                  g_string_append_c (field, '"');
                  p++;
                }
              else if (*p == '"')
                {
                  p++;
                  break;
                }
              else
                g_string_append_c (field, *p);
            }
          g_assert_true (*p == ',' || *p == '\r');
        }
      else
        {
          for (; *p != ',' && *p != '\r' && *p != '\0'; p++)
            {
              /* outside quotes no quote and no bare LF */
              g_assert_true (*p != '"' && *p != '\n');
              g_string_append_c (field, *p);
            }
        }

      g_ptr_array_add (row, g_string_free (g_steal_pointer (&field), FALSE));
      field = g_string_new (NULL);

      if (*p == ',')
        p++;
      else
        {
          /* every line ends with CRLF */
          g_assert_cmpint (p[0], ==, '\r');
          g_assert_cmpint (p[1], ==, '\n');
          p += 2;
          g_ptr_array_add (rows, g_steal_pointer (&row));
          row = g_ptr_array_new_with_free_func (g_free);
        }
    }

  g_assert_cmpuint (row->len, ==, 0);
  g_ptr_array_unref (row);
  g_string_free (field, TRUE);
  return rows;
}

static const char *
field (GPtrArray  *rows,
       guint       row,
       const char *name)
{
  GPtrArray *header = g_ptr_array_index (rows, 0);

  g_assert_cmpuint (row, <, rows->len);
  for (guint i = 0; i < header->len; i++)
    if (g_str_equal (g_ptr_array_index (header, i), name))
      {
        GPtrArray *line = g_ptr_array_index (rows, row);

        g_assert_cmpuint (line->len, ==, header->len);
        return g_ptr_array_index (line, i);
      }

  g_error ("no column %s", name);
  return NULL;
}

static guint
find_row (GPtrArray  *rows,
          const char *address)
{
  for (guint i = 1; i < rows->len; i++)
    if (g_str_equal (field (rows, i, "address"), address))
      return i;

  g_error ("no row for %s", address);
  return 0;
}

static void
test_csv (void)
{
  g_autoptr(PsPeerTable) table = new_table ();
  GListModel *peers = ps_peer_table_get_peers (table);
  g_autofree char *csv = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  GPtrArray *header;
  guint row;

  g_assert_cmpuint (g_list_model_get_n_items (peers), ==, 3);
  csv = ps_peers_to_csv (peers);
  g_test_message ("%s", csv);
  g_assert_true (g_str_has_prefix (csv, "device,device_address,address,port,protocol,hostname,"));
  g_assert_true (g_utf8_validate (csv, -1, NULL));

  rows = parse_csv (csv);
  g_assert_cmpuint (rows->len, ==, 4);
  header = g_ptr_array_index (rows, 0);
  g_assert_cmpuint (header->len, ==, 24);

  /* commas, quotes and a CRLF inside a host name survive, quoted */
  row = find_row (rows, "198.51.100.11");
  g_assert_cmpstr (field (rows, row, "hostname"), ==, "p2p,1.\"vendor\".example\r\nX-Evil: 1");
  g_assert_nonnull (strstr (csv, ",\"p2p,1.\"\"vendor\"\".example\r\nX-Evil: 1\","));
  g_assert_cmpstr (field (rows, row, "org"), ==, "Example Cloud, Shenzhen");
  g_assert_cmpstr (field (rows, row, "device"), ==, DEVICE);
  g_assert_cmpstr (field (rows, row, "device_address"), ==, DEVICE);
  g_assert_cmpstr (field (rows, row, "port"), ==, "32100");
  g_assert_cmpstr (field (rows, row, "protocol"), ==, "udp");
  g_assert_cmpstr (field (rows, row, "country"), ==, "CN");
  g_assert_cmpstr (field (rows, row, "country_name"), ==, "China");
  g_assert_cmpstr (field (rows, row, "asn"), ==, "64500");
  g_assert_cmpstr (field (rows, row, "latitude"), ==, "35");
  g_assert_cmpstr (field (rows, row, "longitude"), ==, "105.5");
  g_assert_cmpstr (field (rows, row, "class"), ==, "p2p-supernode");
  g_assert_cmpstr (field (rows, row, "bytes_out"), ==, "300");
  g_assert_cmpstr (field (rows, row, "bytes_in"), ==, "120");
  g_assert_cmpstr (field (rows, row, "first_seen"), ==, "2023-11-14T22:13:20.123000Z");
  g_assert_cmpstr (field (rows, row, "last_seen_ms"), ==, "1700000060000");
  g_assert_cmpstr (field (rows, row, "blocked_attempts"), ==, "7");

  /* IPv6 needs no quotes; a formula gets an apostrophe so a spreadsheet shows it as text */
  row = find_row (rows, "2001:db8:1::5");
  g_assert_cmpstr (field (rows, row, "device_address"), ==, "fd00::11");
  g_assert_nonnull (strstr (csv, "\r\nfd00::11,fd00::11,2001:db8:1::5,443,tcp,"));
  g_assert_cmpstr (field (rows, row, "hostname"), ==, "'=HYPERLINK(\"http://x.example\")");
  g_assert_cmpstr (field (rows, row, "bytes_in"), ==, "5000");

  /* what we do not know is empty */
  row = find_row (rows, "198.51.100.200");
  g_assert_cmpstr (field (rows, row, "hostname"), ==, "");
  g_assert_cmpstr (field (rows, row, "country"), ==, "");
  g_assert_cmpstr (field (rows, row, "asn"), ==, "");
  g_assert_cmpstr (field (rows, row, "latitude"), ==, "");
  g_assert_cmpstr (field (rows, row, "longitude"), ==, "");
  g_assert_cmpstr (field (rows, row, "blocked_attempts"), ==, "0");
}

static void
test_csv_empty (void)
{
  g_autoptr(GListStore) store = g_list_store_new (PS_TYPE_PEER);
  g_autofree char *csv = ps_peers_to_csv (G_LIST_MODEL (store));

  /* the header alone */
  g_assert_true (g_str_has_suffix (csv, ",blocked_attempts\r\n"));
  g_assert_true (strchr (csv, '\n') == csv + strlen (csv) - 1);
}

static void
test_json (void)
{
  g_autoptr(PsPeerTable) table = new_table ();
  g_autoptr(JsonNode) array = ps_peers_to_json (ps_peer_table_get_peers (table));
  g_autoptr(JsonNode) single = NULL;
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;
  JsonObject *object = NULL;
  JsonObject *peer, *location;

  g_assert_true (JSON_NODE_HOLDS_ARRAY (array));
  g_assert_cmpuint (json_array_get_length (json_node_get_array (array)), ==, 3);

  for (guint i = 0; i < 3; i++)
    {
      JsonObject *candidate = json_array_get_object_element (json_node_get_array (array), i);

      if (g_strcmp0 (json_object_get_string_member (json_object_get_object_member (candidate, "peer"),
                                                    "address"), "198.51.100.11") == 0)
        object = candidate;
    }
  g_assert_nonnull (object);

  g_assert_cmpstr (json_object_get_string_member (object, "device"), ==, DEVICE);
  peer = json_object_get_object_member (object, "peer");
  g_assert_cmpint (json_object_get_int_member (peer, "port"), ==, 32100);
  g_assert_cmpstr (json_object_get_string_member (peer, "protocol"), ==, "udp");
  g_assert_cmpstr (json_object_get_string_member (object, "hostname"), ==,
                   "p2p,1.\"vendor\".example\r\nX-Evil: 1");
  g_assert_cmpint (json_object_get_int_member (object, "asn"), ==, 64500);
  g_assert_cmpstr (json_object_get_string_member (object, "class"), ==, "p2p-supernode");
  location = json_object_get_object_member (object, "location");
  g_assert_cmpfloat (json_object_get_double_member (location, "longitude"), ==, 105.5);
  g_assert_cmpint (json_object_get_int_member (object, "bytes_out"), ==, 300);
  g_assert_cmpint (json_object_get_int_member (object, "blocked_attempts"), ==, 7);
  g_assert_cmpstr (json_object_get_string_member (object, "first_seen"), ==,
                   "2023-11-14T22:13:20.123000Z");
  g_assert_cmpint (json_object_get_int_member (object, "last_seen_ms"), ==, 1700000060000);

  /* every contract field is there, unknown ones as null */
  single = ps_peer_to_json (ps_peer_table_lookup (table, DEVICE, "198.51.100.200", 9999, 17));
  object = json_node_get_object (single);
  for (guint i = 0; i < 12; i++)
    {
      const char *fields[] = { "device", "peer", "hostname", "country", "asn", "org", "class",
                               "packets_out", "bytes_out", "packets_in", "bytes_in",
                               "blocked_attempts" };

      g_assert_true (json_object_has_member (object, fields[i]));
    }
  g_assert_true (json_object_get_null_member (object, "hostname"));
  g_assert_true (json_object_get_null_member (object, "asn"));
  g_assert_true (json_object_get_null_member (object, "location"));

  /* and it all serialises as valid JSON */
  json_generator_set_root (generator, array);
  text = json_generator_to_data (generator, NULL);
  g_assert_nonnull (strstr (text, "\\r\\nX-Evil"));
}

static void
test_format_time (void)
{
  g_autofree char *epoch = ps_peer_format_time (1);
  g_autofree char *time = ps_peer_format_time (1700000000999);

  g_assert_null (ps_peer_format_time (0));
  g_assert_null (ps_peer_format_time (-5));
  g_assert_cmpstr (epoch, ==, "1970-01-01T00:00:00.001000Z");
  g_assert_cmpstr (time, ==, "2023-11-14T22:13:20.999000Z");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/peer-json/csv", test_csv);
  g_test_add_func ("/peer-json/csv-empty", test_csv_empty);
  g_test_add_func ("/peer-json/json", test_json);
  g_test_add_func ("/peer-json/format-time", test_format_time);

  return g_test_run ();
}
