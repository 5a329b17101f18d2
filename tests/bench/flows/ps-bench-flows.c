/* ps-bench-flows.c: the C half of tests/bench/flows/bench (read that first)
 *
 *   ps-bench-flows generate --format ipfix|v9 --datagrams N --records R --out FILE
 *   ps-bench-flows send     --file FILE --port P --rate DATAGRAMS_PER_S --count N
 *   ps-bench-flows receive  [--port P] [--idle-ms MS]
 *   ps-bench-flows decode   --file FILE [--seconds S]
 *
 * FILE holds { length:2 big-endian, datagram } ...: the first datagram is
 * the template, the others data.  send replays the data datagrams in a loop
 * to 127.0.0.1, paced, with the template first and again every 256
 * datagrams, rewriting sequence numbers so that nothing looks lost.
 * receive runs a PsFlowCollector on 127.0.0.1 and prints its counts as JSON
 * once no record came for --idle-ms.  decode runs the decoder alone.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>
#include <glib-unix.h>
#include <stdio.h>
#include <string.h>

#include "ps-flow-collector.h"
#include "ps-netflow-decoder.h"

#define TEMPLATE_ID    256
#define TEMPLATE_EVERY 256

static char *opt_format = NULL;
static char *opt_file = NULL;
static char *opt_out = NULL;
static int opt_datagrams = 1000;
static int opt_records = 30;
static int opt_port = 0;
static double opt_rate = 10000;
static gint64 opt_count = 10000;
static int opt_idle_ms = 500;
static double opt_seconds = 3;

static GOptionEntry entries[] = {
  { "format", 0, 0, G_OPTION_ARG_STRING, &opt_format, "ipfix or v9", "FORMAT" },
  { "file", 0, 0, G_OPTION_ARG_FILENAME, &opt_file, "Datagrams to replay", "FILE" },
  { "out", 0, 0, G_OPTION_ARG_FILENAME, &opt_out, "Where generate writes", "FILE" },
  { "datagrams", 0, 0, G_OPTION_ARG_INT, &opt_datagrams, "Distinct data datagrams", "N" },
  { "records", 0, 0, G_OPTION_ARG_INT, &opt_records, "Records per datagram", "N" },
  { "port", 0, 0, G_OPTION_ARG_INT, &opt_port, "UDP port on 127.0.0.1", "P" },
  { "rate", 0, 0, G_OPTION_ARG_DOUBLE, &opt_rate, "Data datagrams per second", "R" },
  { "count", 0, 0, G_OPTION_ARG_INT64, &opt_count, "Data datagrams to send", "N" },
  { "idle-ms", 0, 0, G_OPTION_ARG_INT, &opt_idle_ms, "Stop after this long without data", "MS" },
  { "seconds", 0, 0, G_OPTION_ARG_DOUBLE, &opt_seconds, "How long to decode", "S" },
  { NULL }
};

static void
put16 (GByteArray *b,
       guint16     v)
{
  guint8 bytes[2] = { v >> 8, v & 0xff };

  g_byte_array_append (b, bytes, 2);
}

static void
put32 (GByteArray *b,
       guint32     v)
{
  put16 (b, v >> 16);
  put16 (b, v & 0xffff);
}

static void
put64 (GByteArray *b,
       guint64     v)
{
  put32 (b, v >> 32);
  put32 (b, v & 0xffffffffu);
}

static void
put8 (GByteArray *b,
      guint8      v)
{
  g_byte_array_append (b, &v, 1);
}

/* 46 (IPFIX) or 38 (v9) bytes: addresses, ports, protocol, flags,
 * 8-byte counters, and times (flowStart/EndMilliseconds, or v9 sysUptime) */
static const guint16 fields_ipfix[][2] = {
  { 8, 4 }, { 12, 4 }, { 7, 2 }, { 11, 2 }, { 4, 1 }, { 6, 1 }, { 1, 8 }, { 2, 8 },
  { 152, 8 }, { 153, 8 },
};
static const guint16 fields_v9[][2] = {
  { 8, 4 }, { 12, 4 }, { 7, 2 }, { 11, 2 }, { 4, 1 }, { 6, 1 }, { 1, 8 }, { 2, 8 },
  { 22, 4 }, { 21, 4 },
};

static GByteArray *
header (gboolean ipfix,
        guint32  export_secs)
{
  GByteArray *b = g_byte_array_new ();

  if (ipfix)
    {
      put16 (b, 10);
      put16 (b, 0);                    /* length, patched */
      put32 (b, export_secs);
      put32 (b, 0);                    /* sequence, patched by send */
      put32 (b, 1);                    /* observation domain */
    }
  else
    {
      put16 (b, 9);
      put16 (b, 0);                    /* count, patched */
      put32 (b, 3600000);              /* sysUptime */
      put32 (b, export_secs);
      put32 (b, 0);                    /* sequence, patched by send */
      put32 (b, 1);                    /* source id */
    }
  return b;
}

static void
finish (GByteArray *b,
        gboolean    ipfix,
        guint16     count)
{
  if (ipfix)
    {
      b->data[2] = b->len >> 8;
      b->data[3] = b->len & 0xff;
    }
  else
    {
      b->data[2] = count >> 8;
      b->data[3] = count & 0xff;
    }
}

static void
write_datagram (FILE       *out,
                GByteArray *b)
{
  guint8 len[2] = { b->len >> 8, b->len & 0xff };

  fwrite (len, 1, 2, out);
  fwrite (b->data, 1, b->len, out);
}

static int
generate (void)
{
  gboolean ipfix = g_strcmp0 (opt_format, "v9") != 0;
  const guint16 (*fields)[2] = ipfix ? fields_ipfix : fields_v9;
  guint32 export_secs = (guint32) (g_get_real_time () / G_USEC_PER_SEC);
  g_autoptr(GByteArray) t = header (ipfix, export_secs);
  FILE *out;
  gsize set;

  if (opt_out == NULL || (out = fopen (opt_out, "wb")) == NULL)
    {
      g_printerr ("generate: --out FILE is needed and must be writable\n");
      return 1;
    }

  set = t->len;
  put16 (t, ipfix ? 2 : 0);
  put16 (t, 0);
  put16 (t, TEMPLATE_ID);
  put16 (t, G_N_ELEMENTS (fields_ipfix));
  for (guint i = 0; i < G_N_ELEMENTS (fields_ipfix); i++)
    {
      put16 (t, fields[i][0]);
      put16 (t, fields[i][1]);
    }
  t->data[set + 2] = (t->len - set) >> 8;
  t->data[set + 3] = (t->len - set) & 0xff;
  finish (t, ipfix, 1);
  write_datagram (out, t);

  for (int d = 0; d < opt_datagrams; d++)
    {
      g_autoptr(GByteArray) b = header (ipfix, export_secs);

      set = b->len;
      put16 (b, TEMPLATE_ID);
      put16 (b, 0);
      for (int r = 0; r < opt_records; r++)
        {
          guint32 n = (guint32) (d * opt_records + r);
          guint8 src[4] = { 10, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff };
          guint8 dst[4] = { 198, 51, 100, n % 200 + 1 };

          g_byte_array_append (b, src, 4);
          g_byte_array_append (b, dst, 4);
          put16 (b, 1024 + n % 60000);
          put16 (b, n % 3 == 0 ? 443 : n % 3 == 1 ? 8883 : 53);
          put8 (b, n % 3 == 2 ? 17 : 6);
          put8 (b, n % 7 == 0 ? 0x11 : 0x18);
          put64 (b, 1000 + n % 100000);
          put64 (b, 1 + n % 100);
          if (ipfix)
            {
              put64 (b, (guint64) export_secs * 1000 - 30000 + n % 1000);
              put64 (b, (guint64) export_secs * 1000 - 1000);
            }
          else
            {
              put32 (b, 3600000 - 30000 + n % 1000);
              put32 (b, 3600000 - 1000);
            }
        }
      b->data[set + 2] = (b->len - set) >> 8;
      b->data[set + 3] = (b->len - set) & 0xff;
      finish (b, ipfix, (guint16) opt_records);
      write_datagram (out, b);
    }

  fclose (out);
  return 0;
}

static GPtrArray *
load (const char *path)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *datagrams = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  gsize len = 0, pos = 0;

  if (path == NULL || !g_file_get_contents (path, &contents, &len, &error))
    g_error ("cannot read --file: %s", error != NULL ? error->message : "none given");

  while (pos + 2 <= len)
    {
      gsize n = (guint8) contents[pos] << 8 | (guint8) contents[pos + 1];

      pos += 2;
      if (n > len - pos)
        g_error ("%s is cut short", path);
      g_ptr_array_add (datagrams, g_bytes_new (contents + pos, n));
      pos += n;
    }
  if (datagrams->len < 2)
    g_error ("%s holds no data datagrams", path);

  return datagrams;
}

static void
store32 (guint8  *p,
         guint32  v)
{
  p[0] = v >> 24;
  p[1] = v >> 16;
  p[2] = v >> 8;
  p[3] = v;
}

typedef struct
{
  GSocket        *socket;
  GSocketAddress *to;
  guint8          buffer[PS_NETFLOW_MAX_DATAGRAM];
  guint32         sequence;            /* IPFIX: data records so far */
  gint64          sent;                /* datagrams so far (v9's sequence) */
  gint64          failed;
} Sender;

static void
send_one (Sender  *s,
          GBytes  *bytes,
          guint32  n_records)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  gboolean ipfix;

  memcpy (s->buffer, data, len);
  ipfix = s->buffer[1] == 10;
  store32 (s->buffer + (ipfix ? 8 : 12), ipfix ? s->sequence : (guint32) s->sent);
  if (g_socket_send_to (s->socket, s->to, (const char *) s->buffer, len, NULL, NULL) < 0)
    s->failed++;
  s->sent++;
  s->sequence += n_records;
}

static int
send_datagrams (void)
{
  g_autoptr(GPtrArray) datagrams = load (opt_file);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                                            G_SOCKET_PROTOCOL_UDP, &error);
  g_autoptr(GSocketAddress) to = g_inet_socket_address_new_from_string ("127.0.0.1",
                                                                         opt_port);
  g_autofree Sender *s = g_new0 (Sender, 1);
  gint64 start, records = 0;
  gdouble elapsed;

  g_assert_no_error (error);
  s->socket = socket;
  s->to = to;

  start = g_get_monotonic_time ();
  for (gint64 i = 0; i < opt_count; )
    {
      gint64 due = start + (gint64) (i * G_USEC_PER_SEC / opt_rate);
      gint64 now = g_get_monotonic_time ();

      if (now < due - 200)
        {
          g_usleep (due - now - 100);
          continue;
        }

      if (i % TEMPLATE_EVERY == 0)
        send_one (s, g_ptr_array_index (datagrams, 0), 0);
      send_one (s, g_ptr_array_index (datagrams, 1 + i % (datagrams->len - 1)),
                (guint32) opt_records);
      records += opt_records;
      i++;
    }
  elapsed = (g_get_monotonic_time () - start) / (gdouble) G_USEC_PER_SEC;

  g_print ("{\"datagrams\": %" G_GINT64_FORMAT ", \"records\": %" G_GINT64_FORMAT
           ", \"failed\": %" G_GINT64_FORMAT ", \"seconds\": %.6f}\n",
           s->sent, records, s->failed, elapsed);
  return 0;
}

typedef struct
{
  GMainLoop *loop;
  guint64    records;
  gint64     first_us;
  gint64     last_us;
} Receiver;

static void
on_records_cb (PsFlowSource       *source,
               const PsFlowRecord *records,
               guint               n_records,
               gpointer            user_data)
{
  Receiver *r = user_data;

  r->last_us = g_get_monotonic_time ();
  if (r->records == 0)
    r->first_us = r->last_us;
  r->records += n_records;
}

static gboolean
on_tick_cb (gpointer user_data)
{
  Receiver *r = user_data;

  if (r->records > 0 && g_get_monotonic_time () - r->last_us > opt_idle_ms * 1000)
    g_main_loop_quit (r->loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_signal_cb (gpointer user_data)
{
  Receiver *r = user_data;

  g_main_loop_quit (r->loop);
  return G_SOURCE_CONTINUE;
}

static int
receive (void)
{
  g_autoptr(PsFlowCollector) collector = NULL;
  g_autoptr(GError) error = NULL;
  Receiver r = { g_main_loop_new (NULL, FALSE), 0, 0, 0 };
  PsFlowCollectorStats stats;

  collector = ps_flow_collector_new ("127.0.0.1", (guint16) opt_port);
  g_signal_connect (collector, "records", G_CALLBACK (on_records_cb), &r);
  if (!ps_flow_source_start (PS_FLOW_SOURCE (collector), &error))
    {
      g_printerr ("receive: %s\n", error->message);
      return 1;
    }
  g_print ("READY %u\n", ps_flow_collector_get_bound_port (collector));
  fflush (stdout);

  g_timeout_add (50, on_tick_cb, &r);
  g_unix_signal_add (SIGTERM, on_signal_cb, &r);
  g_unix_signal_add (SIGINT, on_signal_cb, &r);
  g_main_loop_run (r.loop);

  ps_flow_collector_get_stats (collector, &stats);
  g_print ("{\"records\": %" G_GUINT64_FORMAT ", \"datagrams\": %" G_GUINT64_FORMAT
           ", \"bad\": %" G_GUINT64_FORMAT ", \"batches\": %" G_GUINT64_FORMAT
           ", \"gaps\": %" G_GUINT64_FORMAT ", \"seconds\": %.6f}\n",
           r.records, stats.datagrams, stats.bad_datagrams, stats.batches,
           stats.decoder.sequence_gaps, (r.last_us - r.first_us) / (gdouble) G_USEC_PER_SEC);
  g_main_loop_unref (r.loop);
  return 0;
}

static int
decode (void)
{
  g_autoptr(GPtrArray) datagrams = load (opt_file);
  g_autoptr(PsNetflowDecoder) decoder = ps_netflow_decoder_new ();
  g_autoptr(GArray) out = g_array_sized_new (FALSE, FALSE, sizeof (PsFlowRecord), 4096);
  const guint8 localhost[4] = { 127, 0, 0, 1 };
  PsIpAddress exporter;
  guint64 records = 0, checksum = 0;
  gint64 start, deadline, now;
  guint i = 0;

  ps_ip_address_set_v4 (&exporter, localhost);

  start = g_get_monotonic_time ();
  deadline = start + (gint64) (opt_seconds * G_USEC_PER_SEC);
  do
    {
      /* like the collector: one batch of up to 64 datagrams */
      g_array_set_size (out, 0);
      for (guint k = 0; k < 64; k++, i++)
        {
          GBytes *bytes = g_ptr_array_index (datagrams, i % datagrams->len);
          gsize len;
          const guint8 *data = g_bytes_get_data (bytes, &len);

          ps_netflow_decoder_decode (decoder, &exporter, data, len, start / 1000, out, NULL);
        }
      records += out->len;
      for (guint k = 0; k < out->len; k++)
        checksum += g_array_index (out, PsFlowRecord, k).bytes;
      now = g_get_monotonic_time ();
    }
  while (now < deadline);

  g_print ("{\"records\": %" G_GUINT64_FORMAT ", \"seconds\": %.6f, \"records_per_s\": %.0f, "
           "\"ns_per_record\": %.1f, \"checksum\": %" G_GUINT64_FORMAT "}\n",
           records, (now - start) / 1e6, records / ((now - start) / 1e6),
           (now - start) * 1000.0 / records, checksum);
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("generate|send|receive|decode");
  g_autoptr(GError) error = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 2)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "one command, please");
      return 2;
    }

  if (g_str_equal (argv[1], "generate"))
    return generate ();
  if (g_str_equal (argv[1], "send"))
    return send_datagrams ();
  if (g_str_equal (argv[1], "receive"))
    return receive ();
  if (g_str_equal (argv[1], "decode"))
    return decode ();

  g_printerr ("unknown command %s\n", argv[1]);
  return 2;
}
