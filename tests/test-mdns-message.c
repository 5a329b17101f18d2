/* test-mdns-message.c: mDNS / DNS-SD codec, valid and hostile
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>
#include <string.h>

#include "ps-mdns-message.h"

/* A tiny DNS writer ------------------------------------------------------- */

static void
put_u16 (GByteArray *m,
         guint16     v)
{
  guint8 b[2] = { (guint8) (v >> 8), (guint8) v };

  g_byte_array_append (m, b, 2);
}

static void
put_u32 (GByteArray *m,
         guint32     v)
{
  put_u16 (m, (guint16) (v >> 16));
  put_u16 (m, (guint16) v);
}

static void
put_label (GByteArray *m,
           const char *label,
           gsize       len)
{
  guint8 b = (guint8) len;

  g_byte_array_append (m, &b, 1);
  g_byte_array_append (m, (const guint8 *) label, (guint) len);
}

/* Dotted labels (no escapes), then a pointer to ptr, or the root when ptr
 * is 0. Returns the offset the name starts at. */
static guint16
put_name (GByteArray *m,
          const char *dotted,
          guint16     ptr)
{
  guint16 at = (guint16) m->len;

  if (dotted != NULL)
    {
      g_auto(GStrv) labels = g_strsplit (dotted, ".", -1);

      for (guint i = 0; labels[i] != NULL; i++)
        put_label (m, labels[i], strlen (labels[i]));
    }
  if (ptr != 0)
    put_u16 (m, (guint16) (0xc000 | ptr));
  else
    g_byte_array_append (m, (const guint8 *) "", 1);

  return at;
}

static GByteArray *
msg_new (guint16 flags,
         guint16 qd,
         guint16 an,
         guint16 ns,
         guint16 ar)
{
  GByteArray *m = g_byte_array_new ();

  put_u16 (m, 0x1234);
  put_u16 (m, flags);
  put_u16 (m, qd);
  put_u16 (m, an);
  put_u16 (m, ns);
  put_u16 (m, ar);

  return m;
}

/* type, class IN with cache-flush, ttl; returns where rdlength goes */
static guint
put_rr (GByteArray *m,
        guint16     type,
        guint32     ttl)
{
  guint at;

  put_u16 (m, type);
  put_u16 (m, 0x8001);
  put_u32 (m, ttl);
  at = m->len;
  put_u16 (m, 0);

  return at;
}

static void
end_rr (GByteArray *m,
        guint       at)
{
  guint16 len = (guint16) (m->len - at - 2);

  m->data[at] = (guint8) (len >> 8);
  m->data[at + 1] = (guint8) len;
}

static void
put_txt (GByteArray         *m,
         const char * const *strings)
{
  for (guint i = 0; strings[i] != NULL; i++)
    put_label (m, strings[i], strlen (strings[i]));
}

static void
put_a (GByteArray *m,
       guint16     host,
       guint8      a,
       guint8      b,
       guint8      c,
       guint8      d)
{
  guint8 addr[4] = { a, b, c, d };
  guint at;

  put_name (m, NULL, host);
  at = put_rr (m, PS_MDNS_TYPE_A, 120);
  g_byte_array_append (m, addr, 4);
  end_rr (m, at);
}

/* PTR service -> instance, SRV, TXT, A for one instance; returns the
 * offset of the host name. service_at is where the service name was
 * written (0: write it here). */
static guint16
put_instance (GByteArray         *m,
              const char         *service,
              guint16            *service_at,
              const char         *instance,
              guint32             ttl,
              const char         *host,
              guint16             port,
              const char * const *txt)
{
  guint16 instance_at, host_at;
  guint at;

  if (*service_at == 0)
    *service_at = put_name (m, service, 0);
  else
    put_name (m, NULL, *service_at);
  at = put_rr (m, PS_MDNS_TYPE_PTR, ttl);
  instance_at = (guint16) m->len;
  put_label (m, instance, strlen (instance));
  put_u16 (m, (guint16) (0xc000 | *service_at));
  end_rr (m, at);

  put_name (m, NULL, instance_at);
  at = put_rr (m, PS_MDNS_TYPE_SRV, 120);
  put_u16 (m, 0);
  put_u16 (m, 0);
  put_u16 (m, port);
  host_at = put_name (m, host, 0);
  end_rr (m, at);

  put_name (m, NULL, instance_at);
  at = put_rr (m, PS_MDNS_TYPE_TXT, 4500);
  if (txt != NULL)
    put_txt (m, txt);
  end_rr (m, at);

  return host_at;
}

static GPtrArray *
parse_ok (GByteArray *m,
          const char *from)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *sightings = ps_mdns_parse_response (m->data, m->len, from, &error);

  g_assert_no_error (error);
  g_assert_nonnull (sightings);
  return sightings;
}

static void
assert_fails (const guint8 *data,
              gsize         len)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) sightings = ps_mdns_parse_response (data, len, "10.0.0.1", &error);

  g_assert_null (sightings);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
}

/* Messages ---------------------------------------------------------------- */

static GByteArray *
axis_message (void)
{
  const char *txt[] = { "macaddress=ACCC8E123456", "txtvers=1", "junk", "=nokey", NULL };
  GByteArray *m = msg_new (0x8400, 0, 1, 0, 3);
  guint16 service_at = 0, host_at;

  host_at = put_instance (m, "_axis-video._tcp.local", &service_at,
                          "AXIS M3045-V - ACCC8E123456", 4500, "axis-accc8e123456.local", 80,
                          txt);
  put_a (m, host_at, 192, 168, 1, 20);

  return m;
}

static void
test_query (void)
{
  g_autoptr(GBytes) query = ps_mdns_build_query (0xbeef, NULL, FALSE);
  g_autoptr(GBytes) qu = ps_mdns_build_query (7, NULL, TRUE);
  g_autoptr(GPtrArray) questions = NULL;
  g_autoptr(GError) error = NULL;
  const char *bad[] = { "a..local", NULL };
  gsize len;
  const guint8 *data = g_bytes_get_data (query, &len);
  guint16 id = 0;

  g_assert_false (ps_mdns_is_response (data, len));
  questions = ps_mdns_parse_query (data, len, &id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (id, ==, 0xbeef);
  g_assert_cmpuint (questions->len, ==, 5);
  for (guint i = 0; i < questions->len; i++)
    {
      PsMdnsQuestion *q = g_ptr_array_index (questions, i);

      g_assert_cmpstr (q->name, ==, ps_mdns_service_types[i]);
      g_assert_cmpuint (q->type, ==, PS_MDNS_TYPE_PTR);
      g_assert_cmpuint (q->klass, ==, PS_MDNS_CLASS_IN);
    }
  g_clear_pointer (&questions, g_ptr_array_unref);

  data = g_bytes_get_data (qu, &len);
  questions = ps_mdns_parse_query (data, len, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (((PsMdnsQuestion *) questions->pdata[0])->klass, ==,
                    PS_MDNS_CLASS_IN | PS_MDNS_CLASS_FLAG);

  g_assert_null (ps_mdns_build_query (1, bad, FALSE));

  /* a query is not a response, and the reverse */
  g_assert_null (ps_mdns_parse_response (data, len, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);
  {
    g_autoptr(GByteArray) m = axis_message ();

    g_assert_true (ps_mdns_is_response (m->data, m->len));
    g_assert_null (ps_mdns_parse_query (m->data, m->len, NULL, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  }
}

static void
test_axis (void)
{
  g_autoptr(GByteArray) m = axis_message ();
  g_autoptr(GPtrArray) sightings = parse_ok (m, "192.168.1.20");
  PsSighting *s;

  g_assert_cmpuint (sightings->len, ==, 1);
  s = g_ptr_array_index (sightings, 0);
  g_assert_cmpint (s->protocol, ==, PS_PROTOCOL_MDNS);
  g_assert_cmpstr (s->name, ==, "AXIS M3045-V - ACCC8E123456");
  g_assert_cmpstr (s->mac, ==, "ac:cc:8e:12:34:56");
  g_assert_cmpstr (s->manufacturer, ==, "AXIS");
  g_assert_cmpstr (s->address, ==, "192.168.1.20");
  g_assert_null (s->xaddrs);
  g_assert_false (s->bye);
}

static void
test_rtsp_and_onvif (void)
{
  const char *rtsp_txt[] = { "path=/live", "md=Cam 2000", "mf=Acme", "mac=02-00-00-00-00-2A",
                             NULL };
  const char *onvif_txt[] = { "PATH=/onvif/dev", NULL };
  g_autoptr(GByteArray) m = msg_new (0x8400, 0, 2, 0, 6);
  g_autoptr(GPtrArray) sightings = NULL;
  g_autoptr(GPtrArray) elsewhere = NULL;
  g_autoptr(GPtrArray) anonymous = NULL;
  guint16 rtsp_at = 0, onvif_at = 0, host_at;
  guint8 v6[16] = { 0xfe, 0x80, [15] = 1 };
  guint at;
  PsSighting *s;

  /* a dot and a backslash inside the instance label */
  host_at = put_instance (m, "_rtsp._tcp.local", &rtsp_at, "Front.Door \\ 1", 120,
                          "cam-2a.local", 554, rtsp_txt);
  put_instance (m, "_onvif._tcp.local", &onvif_at, "Front.Door \\ 1", 120,
                "cam-2a.local", 8080, onvif_txt);
  /* reorder: counts say 2 answers + 6 additional, which the parser treats alike */
  put_a (m, host_at, 192, 168, 1, 30);
  put_name (m, NULL, host_at);
  at = put_rr (m, PS_MDNS_TYPE_AAAA, 120);
  g_byte_array_append (m, v6, 16);
  end_rr (m, at);

  sightings = parse_ok (m, "192.168.1.30");
  g_assert_cmpuint (sightings->len, ==, 1);
  s = g_ptr_array_index (sightings, 0);
  g_assert_cmpstr (s->name, ==, "Front.Door \\ 1");
  g_assert_cmpstr (s->model, ==, "Cam 2000");
  g_assert_cmpstr (s->manufacturer, ==, "Acme");
  g_assert_cmpstr (s->mac, ==, "02:00:00:00:00:2a");
  g_assert_cmpstr (s->address, ==, "192.168.1.30");
  g_assert_nonnull (s->xaddrs);
  g_assert_cmpstr (s->xaddrs[0], ==, "http://192.168.1.30:8080/onvif/dev");
  g_assert_null (s->xaddrs[1]);

  /* the IPv6 address of the host answered: brackets */
  elsewhere = parse_ok (m, "fe80::1");
  s = g_ptr_array_index (elsewhere, 0);
  g_assert_cmpstr (s->xaddrs[0], ==, "http://[fe80::1]:8080/onvif/dev");
  g_clear_pointer (&elsewhere, g_ptr_array_unref);

  /* another host answered for it: no URL to follow */
  elsewhere = parse_ok (m, "192.168.1.99");
  s = g_ptr_array_index (elsewhere, 0);
  g_assert_null (s->xaddrs);
  anonymous = parse_ok (m, NULL);
  g_assert_null (((PsSighting *) anonymous->pdata[0])->xaddrs);
}

static void
test_onvif_without_address (void)
{
  const char *txt[] = { "path=has space", "mac=nonsense", NULL };
  g_autoptr(GByteArray) m = msg_new (0x8400, 1, 1, 0, 2);
  g_autoptr(GPtrArray) sightings = NULL;
  guint16 service_at;
  PsSighting *s;

  /* legacy unicast answers repeat the question; the PTR points at it */
  service_at = put_name (m, "_onvif._tcp.local", 0);
  put_u16 (m, PS_MDNS_TYPE_PTR);
  put_u16 (m, PS_MDNS_CLASS_IN);
  put_instance (m, NULL, &service_at, "IPC", 10, "ipc.local", 80, txt);

  sightings = parse_ok (m, "10.1.2.3");
  g_assert_cmpuint (sightings->len, ==, 1);
  s = g_ptr_array_index (sightings, 0);
  g_assert_cmpstr (s->name, ==, "IPC");
  g_assert_null (s->mac);
  g_assert_null (s->address);
  g_assert_cmpstr (s->xaddrs[0], ==, "http://10.1.2.3:80/onvif/device_service");
}

static void
test_goodbye_and_others (void)
{
  g_autoptr(GByteArray) bye = msg_new (0x8400, 0, 1, 0, 2);
  g_autoptr(GByteArray) other = msg_new (0x8400, 0, 1, 0, 2);
  g_autoptr(GPtrArray) sightings = NULL;
  guint16 at = 0;

  put_instance (bye, "_rtsp._tcp.local", &at, "Gone", 0, "gone.local", 554, NULL);
  sightings = parse_ok (bye, NULL);
  g_assert_cmpuint (sightings->len, ==, 1);
  g_assert_true (((PsSighting *) sightings->pdata[0])->bye);
  g_clear_pointer (&sightings, g_ptr_array_unref);

  at = 0;
  put_instance (other, "_printer._tcp.local", &at, "Printer", 120, "p.local", 515, NULL);
  sightings = parse_ok (other, NULL);
  g_assert_cmpuint (sightings->len, ==, 0);
}

static void
test_invalid_utf8_name (void)
{
  g_autoptr(GByteArray) m = msg_new (0x8400, 0, 1, 0, 2);
  g_autoptr(GPtrArray) sightings = NULL;
  guint16 at = 0;
  PsSighting *s;

  put_instance (m, "_rtsp._tcp.local", &at, "\xff\xfe" "Cam\x01\xc3\xa9", 120, "c.local", 554,
                NULL);
  sightings = parse_ok (m, NULL);
  s = g_ptr_array_index (sightings, 0);
  g_assert_true (g_utf8_validate (s->name, -1, NULL));
  g_assert_cmpstr (s->name, ==, "\xef\xbf\xbd\xef\xbf\xbd" "Cam\xef\xbf\xbd\xc3\xa9");
}

static void
test_txt_edge_cases (void)
{
  g_autoptr(GByteArray) m = msg_new (0x8400, 0, 1, 0, 2);
  g_autoptr(GByteArray) past = NULL;
  g_autoptr(GPtrArray) sightings = NULL;
  guint16 service_at, instance_at;
  guint at;

  /* a zero-length TXT (RFC 6763 wants one empty string; be lenient) and
   * one of empty strings */
  service_at = put_name (m, "_rtsp._tcp.local", 0);
  at = put_rr (m, PS_MDNS_TYPE_PTR, 120);
  instance_at = (guint16) m->len;
  put_name (m, "Cam", service_at);
  end_rr (m, at);
  put_name (m, NULL, instance_at);
  end_rr (m, put_rr (m, PS_MDNS_TYPE_TXT, 120));
  put_name (m, NULL, instance_at);
  at = put_rr (m, PS_MDNS_TYPE_TXT, 120);
  g_byte_array_append (m, (const guint8 *) "\0\0\0", 3);
  end_rr (m, at);
  sightings = parse_ok (m, NULL);
  g_assert_cmpuint (sightings->len, ==, 1);
  g_assert_cmpstr (((PsSighting *) sightings->pdata[0])->name, ==, "Cam");

  /* a TXT string that runs past its record */
  past = msg_new (0x8400, 0, 1, 0, 0);
  put_name (past, "x.local", 0);
  at = put_rr (past, PS_MDNS_TYPE_TXT, 120);
  g_byte_array_append (past, (const guint8 *) "\x09" "abc", 4);
  end_rr (past, at);
  put_u32 (past, 0);
  put_u32 (past, 0);
  assert_fails (past->data, past->len);
}

/* Hostile input ----------------------------------------------------------- */

static void
test_truncated_everywhere (void)
{
  g_autoptr(GByteArray) m = axis_message ();

  for (gsize len = 0; len < m->len; len++)
    {
      g_autofree guint8 *copy = g_memdup2 (m->data, len);

      assert_fails (copy, len);
    }
}

static void
assert_name_fails (const guint8 *name,
                   gsize         len)
{
  g_autoptr(GByteArray) m = msg_new (0x8400, 0, 1, 0, 0);

  g_byte_array_append (m, name, (guint) len);
  put_u16 (m, PS_MDNS_TYPE_A);
  put_u16 (m, 1);
  put_u32 (m, 120);
  put_u16 (m, 4);
  put_u32 (m, 0x0a000001);
  assert_fails (m->data, m->len);
}

static void
test_bad_names (void)
{
  /* offsets: the name starts at 12 */
  const guint8 self_ptr[] = { 0xc0, 12 };
  const guint8 forward[] = { 0xc0, 14, 0x01, 'a', 0x00 };
  const guint8 header[] = { 0xc0, 4 };
  const guint8 reserved[] = { 0x81, 'a', 0x00 };
  const guint8 truncated_ptr[] = { 0x01, 'a', 0xc0 };
  /* a loop of backward pointers that lands mid-label:
   * 12: "\x09" + "ab\x0e" ... ; 15 (inside the label) holds 14, so the
   * next length byte is at 30, a pointer back to 12 */
  guint8 mid_label[20] = { 0 };
  guint8 label64[66] = { 64 };
  guint8 long_name[330];
  gsize n = 0;

  assert_name_fails (self_ptr, sizeof self_ptr);
  assert_name_fails (forward, sizeof forward);
  assert_name_fails (header, sizeof header);
  assert_name_fails (reserved, sizeof reserved);
  assert_name_fails (truncated_ptr, sizeof truncated_ptr);

  mid_label[0] = 9;              /* 12: label of 9, next length byte at 22 */
  mid_label[3] = 14;             /* 15: read as a length only after a jump */
  mid_label[10] = 0xc0;          /* 22: pointer to 15 */
  mid_label[11] = 15;
  mid_label[18] = 0xc0;          /* 30 = 15 + 1 + 14: pointer back to 12 */
  mid_label[19] = 12;
  assert_name_fails (mid_label, sizeof mid_label);

  memset (label64 + 1, 'a', 64);
  assert_name_fails (label64, sizeof label64);

  while (n + 64 <= 320)
    {
      long_name[n] = 63;
      memset (long_name + n + 1, 'b', 63);
      n += 64;
    }
  long_name[n++] = 0;
  assert_name_fails (long_name, n);
}

static void
test_too_many_records (void)
{
  g_autoptr(GByteArray) claims = msg_new (0x8400, 0, 1000, 0, 0);
  g_autoptr(GByteArray) real = msg_new (0x8400, 0, 129, 0, 0);
  g_autoptr(GByteArray) max = msg_new (0x8400, 0, 128, 0, 0);
  g_autoptr(GPtrArray) sightings = NULL;

  for (guint i = 0; i < 1000; i++)
    put_a (claims, 0, 10, 0, 0, 1);
  assert_fails (claims->data, claims->len);

  for (guint i = 0; i < 129; i++)
    {
      put_name (real, "h.local", 0);
      end_rr (real, put_rr (real, 99, 120));
    }
  assert_fails (real->data, real->len);

  for (guint i = 0; i < 128; i++)
    {
      put_name (max, "h.local", 0);
      end_rr (max, put_rr (max, 99, 120));
    }
  sightings = parse_ok (max, NULL);
  g_assert_cmpuint (sightings->len, ==, 0);
}

static void
test_bad_records (void)
{
  g_autoptr(GByteArray) overflow = msg_new (0x8400, 0, 1, 0, 0);
  g_autoptr(GByteArray) short_a = msg_new (0x8400, 0, 1, 0, 0);
  g_autoptr(GByteArray) long_ptr = msg_new (0x8400, 0, 1, 0, 0);
  g_autoptr(GByteArray) opcode = axis_message ();
  g_autoptr(GByteArray) rcode = axis_message ();
  guint at;

  put_name (overflow, "h.local", 0);
  put_u16 (overflow, PS_MDNS_TYPE_TXT);
  put_u16 (overflow, 1);
  put_u32 (overflow, 120);
  put_u16 (overflow, 0xffff);
  g_byte_array_append (overflow, (const guint8 *) "\x03" "a=b", 4);
  assert_fails (overflow->data, overflow->len);

  put_name (short_a, "h.local", 0);
  at = put_rr (short_a, PS_MDNS_TYPE_A, 120);
  g_byte_array_append (short_a, (const guint8 *) "\x0a\x00\x00", 3);
  end_rr (short_a, at);
  assert_fails (short_a->data, short_a->len);

  /* a PTR name that runs past its rdlength */
  put_name (long_ptr, "_rtsp._tcp.local", 0);
  at = put_rr (long_ptr, PS_MDNS_TYPE_PTR, 120);
  put_name (long_ptr, "x", 12);
  long_ptr->data[at + 1] = 2;
  assert_fails (long_ptr->data, long_ptr->len);

  opcode->data[2] |= 0x28;
  assert_fails (opcode->data, opcode->len);
  rcode->data[3] |= 0x03;
  assert_fails (rcode->data, rcode->len);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/mdns/query", test_query);
  g_test_add_func ("/mdns/axis", test_axis);
  g_test_add_func ("/mdns/rtsp-and-onvif", test_rtsp_and_onvif);
  g_test_add_func ("/mdns/onvif-without-address", test_onvif_without_address);
  g_test_add_func ("/mdns/goodbye-and-others", test_goodbye_and_others);
  g_test_add_func ("/mdns/invalid-utf8-name", test_invalid_utf8_name);
  g_test_add_func ("/mdns/txt-edge-cases", test_txt_edge_cases);
  g_test_add_func ("/mdns/hostile/truncated", test_truncated_everywhere);
  g_test_add_func ("/mdns/hostile/names", test_bad_names);
  g_test_add_func ("/mdns/hostile/too-many-records", test_too_many_records);
  g_test_add_func ("/mdns/hostile/records", test_bad_records);

  return g_test_run ();
}
