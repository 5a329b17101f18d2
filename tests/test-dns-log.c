/* test-dns-log.c: dnsmasq query log lines, valid and hostile, and the
 * source that follows a log file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "ps-dns-log.h"
#include "ps-dns-log-source.h"

#define PREFIX "Nov 28 04:39:31 dnsmasq[27583]: "

static void
assert_answer (const char     *line,
               const char     *client,
               guint16         client_port,
               const char     *name,
               const char     *address,
               guint32         serial,
               PsDnsLogAnswer  answer)
{
  PsDnsLogEntry entry;
  char buffer[PS_IP_ADDRESS_STRLEN];

  if (!ps_dns_log_parse_line (line, strlen (line), &entry))
    g_error ("not taken as an answer: %s", line);

  if (client == NULL)
    g_assert_cmpint (entry.client.family, ==, 0);
  else
    g_assert_cmpstr (ps_ip_address_format (&entry.client, buffer), ==, client);
  g_assert_cmpuint (entry.client_port, ==, client_port);
  g_assert_cmpstr (entry.name, ==, name);
  g_assert_cmpstr (ps_ip_address_format (&entry.address, buffer), ==, address);
  g_assert_cmpuint (entry.serial, ==, serial);
  g_assert_cmpint (entry.answer, ==, answer);
}

static void
assert_refused_len (const char   *line,
                    gsize         length,
                    PsDnsLogLine  kind)
{
  static const PsDnsLogEntry zero;
  PsDnsLogEntry entry;

  memset (&entry, 0xaa, sizeof entry);
  if (ps_dns_log_classify_line (line, length, &entry) != kind)
    g_error ("not refused as %d: %.*s", kind, (int) MIN (length, 200), line);
  g_assert_cmpmem (&entry, sizeof entry, &zero, sizeof zero);
  g_assert_false (ps_dns_log_parse_line (line, length, &entry));
}

static void
assert_other (const char *line)
{
  assert_refused_len (line, strlen (line), PS_DNS_LOG_LINE_OTHER);
}

static void
assert_invalid (const char *line)
{
  assert_refused_len (line, strlen (line), PS_DNS_LOG_LINE_INVALID);
}

static void
test_parse_extra (void)
{
  /* as in the brief, and as dnsmasq 2.90 wrote them (--log-queries=extra) */
  assert_answer (PREFIX "3 10.99.1.11/58769 reply p2p3.p2p.vendor.example is 198.51.100.37",
                 "10.99.1.11", 58769, "p2p3.p2p.vendor.example", "198.51.100.37", 3,
                 PS_DNS_LOG_ANSWER_REPLY);
  assert_answer (PREFIX "5 10.99.1.11/41284 cached cloud.vendor.example is 192.0.2.10",
                 "10.99.1.11", 41284, "cloud.vendor.example", "192.0.2.10", 5,
                 PS_DNS_LOG_ANSWER_CACHED);
  assert_answer (PREFIX "8 10.99.1.11/34673 config ntp.vendor.example is 192.0.2.123",
                 "10.99.1.11", 34673, "ntp.vendor.example", "192.0.2.123", 8,
                 PS_DNS_LOG_ANSWER_CONFIG);
  assert_answer (PREFIX "9 10.99.1.11/34673 reply cdn.vendor.example is 2001:db8:1::5",
                 "10.99.1.11", 34673, "cdn.vendor.example", "2001:db8:1::5", 9,
                 PS_DNS_LOG_ANSWER_REPLY);
  assert_answer (PREFIX "4294967295 10.99.1.11/0 cached-stale cloud.vendor.example is 192.0.2.10",
                 "10.99.1.11", 0, "cloud.vendor.example", "192.0.2.10", G_MAXUINT32,
                 PS_DNS_LOG_ANSWER_CACHED_STALE);

  /* an IPv6 client, with the scope dnsmasq adds to a link-local one */
  assert_answer (PREFIX "12 2001:db8::20/51000 reply cdn.vendor.example is 192.0.2.5",
                 "2001:db8::20", 51000, "cdn.vendor.example", "192.0.2.5", 12,
                 PS_DNS_LOG_ANSWER_REPLY);
  assert_answer (PREFIX "13 fe80::1%br-lan/5353 reply cdn.vendor.example is fe80::2",
                 "fe80::1", 5353, "cdn.vendor.example", "fe80::2", 13,
                 PS_DNS_LOG_ANSWER_REPLY);

  /* a v4-mapped answer is an IPv4 address */
  assert_answer (PREFIX "14 10.99.1.11/1 reply a.example is ::ffff:192.0.2.10",
                 "10.99.1.11", 1, "a.example", "192.0.2.10", 14, PS_DNS_LOG_ANSWER_REPLY);

  /* a DNSSEC-validating dnsmasq says so at the end */
  assert_answer (PREFIX "15 10.99.1.11/2 reply a.example is 192.0.2.10 (DNSSEC signed)",
                 "10.99.1.11", 2, "a.example", "192.0.2.10", 15, PS_DNS_LOG_ANSWER_REPLY);

  /* log-queries=proto (2.91) */
  assert_answer (PREFIX "TCP 16 10.99.1.11/3 reply a.example is 192.0.2.10",
                 "10.99.1.11", 3, "a.example", "192.0.2.10", 16, PS_DNS_LOG_ANSWER_REPLY);
  assert_answer (PREFIX "UDP 17 10.99.1.11/4 cached a.example is 192.0.2.10",
                 "10.99.1.11", 4, "a.example", "192.0.2.10", 17, PS_DNS_LOG_ANSWER_CACHED);

  /* extra, but no source address for this line (F_NOEXTRA) */
  assert_answer (PREFIX "18 reply a.example is 192.0.2.10",
                 NULL, 0, "a.example", "192.0.2.10", 18, PS_DNS_LOG_ANSWER_REPLY);

  /* upper case lowered, a trailing dot dropped */
  assert_answer (PREFIX "19 10.99.1.11/5 reply WWW.Vendor.EXAMPLE is 192.0.2.5",
                 "10.99.1.11", 5, "www.vendor.example", "192.0.2.5", 19, PS_DNS_LOG_ANSWER_REPLY);
  assert_answer (PREFIX "20 10.99.1.11/5 reply _srv._tcp.vendor-1.example. is 192.0.2.5",
                 "10.99.1.11", 5, "_srv._tcp.vendor-1.example", "192.0.2.5", 20,
                 PS_DNS_LOG_ANSWER_REPLY);
}

static void
test_parse_plain (void)
{
  /* log-queries without extra: no serial, no client */
  assert_answer (PREFIX "reply p2p3.p2p.vendor.example is 198.51.100.37",
                 NULL, 0, "p2p3.p2p.vendor.example", "198.51.100.37", 0, PS_DNS_LOG_ANSWER_REPLY);
  assert_answer (PREFIX "cached cdn.vendor.example is 2001:db8:1::5",
                 NULL, 0, "cdn.vendor.example", "2001:db8:1::5", 0, PS_DNS_LOG_ANSWER_CACHED);
  assert_answer (PREFIX "config ntp.vendor.example is 192.0.2.123",
                 NULL, 0, "ntp.vendor.example", "192.0.2.123", 0, PS_DNS_LOG_ANSWER_CONFIG);
  assert_answer (PREFIX "cached-stale cdn.vendor.example is 192.0.2.5",
                 NULL, 0, "cdn.vendor.example", "192.0.2.5", 0, PS_DNS_LOG_ANSWER_CACHED_STALE);
}

static void
test_parse_prefixes (void)
{
  static const char *prefixes[] = {
    "",                                                   /* journalctl -o cat */
    "dnsmasq[27583]: ",                                   /* stderr, no fork */
    "dnsmasq: ",
    "Nov  8 04:39:31 dnsmasq[27583]: ",                   /* the file, a one-digit day */
    "Nov 28 04:39:31 OpenWrt dnsmasq[27583]: ",           /* syslog */
    "Thu Nov 28 04:39:31 2024 daemon.info dnsmasq[27583]: ",  /* OpenWrt logread */
    "2024-11-28T04:39:31.123456+01:00 router.lan dnsmasq[27583]: ",  /* rsyslog */
    "<30>Nov 28 04:39:31 dnsmasq[27583]: ",               /* RFC 3164 on the wire */
    "<30>1 2024-11-28T04:39:31.003Z router dnsmasq 27583 - - ",      /* RFC 5424 */
    "<30>1 2024-11-28T04:39:31.003Z router dnsmasq - ID47 - \xef\xbb\xbf",
  };

  for (guint i = 0; i < G_N_ELEMENTS (prefixes); i++)
    {
      g_autofree char *extra = g_strconcat (prefixes[i], "3 10.99.1.11/58769 reply a.example is 192.0.2.1", NULL);
      g_autofree char *plain = g_strconcat (prefixes[i], "reply a.example is 192.0.2.1", NULL);
      g_autofree char *newline = g_strconcat (prefixes[i], "reply a.example is 192.0.2.1\r\n", NULL);

      assert_answer (extra, "10.99.1.11", 58769, "a.example", "192.0.2.1", 3, PS_DNS_LOG_ANSWER_REPLY);
      assert_answer (plain, NULL, 0, "a.example", "192.0.2.1", 0, PS_DNS_LOG_ANSWER_REPLY);
      assert_answer (newline, NULL, 0, "a.example", "192.0.2.1", 0, PS_DNS_LOG_ANSWER_REPLY);
    }

  /* dnsmasq's DHCP and TFTP lines, and other programs */
  assert_other ("Nov 28 04:39:31 dnsmasq-dhcp[27583]: reply a.example is 192.0.2.1");
  assert_other ("Nov 28 04:39:31 odhcpd[1]: reply a.example is 192.0.2.1");
  assert_other ("Nov 28 04:39:31 xdnsmasq[1]: reply a.example is 192.0.2.1");
  assert_other ("Nov 28 04:39:31 dnsmasq[x]: reply a.example is 192.0.2.1");
  assert_other ("Nov 28 04:39:31 dnsmasq[]: reply a.example is 192.0.2.1");
  assert_other ("Nov 28 04:39:31 dnsmasq[1] reply a.example is 192.0.2.1");
  assert_other ("<30>1 2024-11-28T04:39:31Z dnsmasq 1 - - reply a.example is 192.0.2.1");
  assert_other ("<30>1 2024-11-28T04:39:31Z router dnsmasq 1 - [x] reply a.example is 192.0.2.1");
  assert_other ("Nov 28 04:39:31 router dnsmasq 1 - - reply a.example is 192.0.2.1");

  /* another program's message cannot hide one of dnsmasq's */
  assert_other ("Nov 28 04:39:31 router sshd[9]: Invalid user x dnsmasq[1]: reply a.example is 192.0.2.1");
  assert_other ("Nov 28 04:39:31 router sshd[9]: x dnsmasq: reply a.example is 192.0.2.1");
  assert_other ("<30>1 2024-11-28T04:39:31Z router sshd 9 - - x dnsmasq 1 - - reply a.example is 192.0.2.1");
  assert_other ("<30>1 2024-11-28T04:39:31Z router sshd 9 - - dnsmasq 1 - - reply a.example is 192.0.2.1");

  /* a bare message may end in a colon */
  assert_answer ("reply a.example is 2001:db8::", NULL, 0, "a.example", "2001:db8::", 0,
                 PS_DNS_LOG_ANSWER_REPLY);
}

static void
test_parse_not_answers (void)
{
  /* what dnsmasq 2.90 logs besides answers */
  assert_other (PREFIX "3 10.99.1.11/58769 query[A] p2p3.p2p.vendor.example from 10.99.1.11");
  assert_other (PREFIX "3 10.99.1.11/58769 forwarded p2p3.p2p.vendor.example to 192.0.2.53");
  assert_other (PREFIX "9 10.99.1.11/34673 reply www.vendor.example is <CNAME>");
  assert_other (PREFIX "4 10.99.1.11/41284 reply nonexist.vendor.example is NXDOMAIN");
  assert_other (PREFIX "4 10.99.1.11/41284 cached nonexist.vendor.example is NXDOMAIN");
  assert_other (PREFIX "4 10.99.1.11/41284 reply a.example is NODATA");
  assert_other (PREFIX "4 10.99.1.11/41284 reply a.example is NODATA-IPv4");
  assert_other (PREFIX "4 10.99.1.11/41284 cached a.example is NODATA-IPv6");
  assert_other (PREFIX "4 10.99.1.11/41284 reply a.example is SERVFAIL");
  assert_other (PREFIX "7 127.0.0.1/38920 reply error is REFUSED");
  assert_other (PREFIX "7 127.0.0.1/38920 reply a.example is SERVFAIL (EDE: network error)");
  assert_other (PREFIX "8 127.0.0.1/38623 reply dual.vendor.example is <A>");
  assert_other (PREFIX "8 127.0.0.1/38623 reply dual.vendor.example is <HTTPS>");
  /* PTR: the address comes first */
  assert_other (PREFIX "9 127.0.0.1/41532 reply 198.51.100.37 is p2p3.p2p.vendor.example");
  assert_other (PREFIX "9 127.0.0.1/41532 reply 2001:db8::1 is p2p3.p2p.vendor.example");
  /* hosts files and DHCP leases are the LAN's own */
  assert_other (PREFIX "9 127.0.0.1/41532 /etc/hosts router.lan is 192.168.1.1");
  assert_other (PREFIX "9 127.0.0.1/41532 DHCP camera.lan is 192.168.1.20");
  assert_other (PREFIX "started, version 2.90 cachesize 150");
  assert_other (PREFIX "using nameserver 127.0.0.2#15354");
  assert_other (PREFIX "cleared cache");
  assert_other (PREFIX "reply <name unprintable> is 192.0.2.1");
  assert_other (PREFIX "reply . is 192.0.2.1");
}

static void
test_parse_hostile (void)
{
  g_autofree char *long_line = NULL;
  g_autofree char *long_name = NULL;
  g_autofree char *line = NULL;
  g_autofree char *label = NULL;
  const char *answer = PREFIX "3 10.99.1.11/58769 reply a.example is 192.0.2.1";
  gsize answer_len = strlen (answer);

  /* 4096 bytes pass (padded in the prefix); 4097 do not */
  long_line = g_malloc (PS_DNS_LOG_MAX_LINE + 2);
  memset (long_line, 'x', PS_DNS_LOG_MAX_LINE + 1);
  memcpy (long_line + PS_DNS_LOG_MAX_LINE - answer_len, answer, answer_len);
  long_line[PS_DNS_LOG_MAX_LINE - answer_len - 1] = ' ';
  long_line[PS_DNS_LOG_MAX_LINE] = '\n';
  long_line[PS_DNS_LOG_MAX_LINE + 1] = '\0';
  assert_answer (long_line, "10.99.1.11", 58769, "a.example", "192.0.2.1", 3,
                 PS_DNS_LOG_ANSWER_REPLY);
  memmove (long_line + 1, long_line, PS_DNS_LOG_MAX_LINE);
  long_line[PS_DNS_LOG_MAX_LINE + 1] = '\0';
  assert_invalid (long_line);
  assert_refused_len (long_line, PS_DNS_LOG_MAX_LINE + 1, PS_DNS_LOG_LINE_INVALID);

  /* NUL, control characters, escapes, bad UTF-8 */
  {
    static const char nul[] = PREFIX "3 10.99.1.11/58769 reply a\0b.example is 192.0.2.1";

    assert_refused_len (nul, sizeof nul - 1, PS_DNS_LOG_LINE_INVALID);
  }
  assert_refused_len (answer, answer_len + 1, PS_DNS_LOG_LINE_INVALID);   /* its NUL */
  assert_invalid (PREFIX "3 10.99.1.11/58769 reply a\x01.example is 192.0.2.1");
  assert_invalid (PREFIX "3 10.99.1.11/58769 reply a\x1b[31m.example is 192.0.2.1");
  assert_invalid (PREFIX "3 10.99.1.11/58769 reply a.example\x7f is 192.0.2.1");
  assert_invalid (PREFIX "3 10.99.1.11/58769 reply a.example is 192.0.2.1\n\n");
  assert_invalid (PREFIX "3 10.99.1.11/58769 reply a.example is 192.0.2.1\r\r\n");
  assert_invalid (PREFIX "3 10.99.1.11/58769 reply a\xff.example is 192.0.2.1");
  assert_invalid (PREFIX "3 10.99.1.11/58769 reply a\xc3.example is 192.0.2.1");
  assert_other (PREFIX "3 10.99.1.11/58769 reply caf\xc3\xa9.example is 192.0.2.1");
  assert_other (PREFIX "3 10.99.1.11/58769 reply a\\032b.example is 192.0.2.1");
  assert_other (PREFIX "3 10.99.1.11/58769 reply a\tb.example is 192.0.2.1");
  assert_other (PREFIX "3 10.99.1.11/58769 reply a b.example is 192.0.2.1");
  assert_other (PREFIX "3 10.99.1.11/58769 reply a/b.example is 192.0.2.1");
  assert_other (PREFIX "3 10.99.1.11/58769 reply a..example is 192.0.2.1");
  assert_other (PREFIX "3 10.99.1.11/58769 reply .a.example is 192.0.2.1");
  assert_other (PREFIX "3 10.99.1.11/58769 reply a.example.. is 192.0.2.1");

  /* addresses that do not parse */
  assert_other (PREFIX "3 10.99.1.11/58769 reply a.example is 999.1.1.1");
  assert_other (PREFIX "3 10.99.1.11/58769 reply a.example is ::gggg");
  assert_other (PREFIX "3 10.99.1.11/58769 reply a.example is 192.0.2");
  assert_other (PREFIX "3 10.99.1.11/58769 reply a.example is 192.0.2.1.5");
  assert_other (PREFIX "3 10.99.1.11/58769 reply a.example is 0x7f.0.0.1");
  assert_other (PREFIX "3 10.99.1.11/58769 reply a.example is 1:2:3:4:5:6:7:8:9");
  assert_other (PREFIX "3 10.99.1.11/58769 reply a.example is fe80::1%eth0");
  assert_other (PREFIX "3 10.99.1.11/58769 reply a.example is "
                "1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa:bbbb");

  /* missing, doubled and trailing fields */
  assert_other (PREFIX "3 10.99.1.11/58769 reply a.example 192.0.2.1");
  assert_other (PREFIX "3 10.99.1.11/58769 reply a.example is");
  assert_other (PREFIX "3 10.99.1.11/58769 reply a.example is ");
  assert_other (PREFIX "3 10.99.1.11/58769 reply a.example");
  assert_other (PREFIX "3 10.99.1.11/58769 reply");
  assert_other (PREFIX "3 10.99.1.11/58769");
  assert_other (PREFIX "3");
  assert_other (PREFIX);
  assert_other (PREFIX "3 10.99.1.11/58769 a.example is 192.0.2.1");
  assert_other (PREFIX "3 10.99.1.11/58769 reply  a.example is 192.0.2.1");
  assert_other (PREFIX "3  10.99.1.11/58769 reply a.example is 192.0.2.1");
  assert_other (PREFIX " 3 10.99.1.11/58769 reply a.example is 192.0.2.1");
  assert_other (PREFIX "3 10.99.1.11/58769 reply a.example is 192.0.2.1 ");
  assert_other (PREFIX "3 10.99.1.11/58769 reply a.example is 192.0.2.1 is 192.0.2.2");
  assert_other (PREFIX "3 10.99.1.11/58769 reply a.example is 192.0.2.1 (DNSSEC signed) x");
  assert_other (PREFIX "3 10.99.1.11/58769 reply a.example is 192.0.2.1 (DNSSEC signed");
  assert_other (PREFIX "3 10.99.1.11/58769 reply a.example is 192.0.2.1#53");
  assert_other (PREFIX "3 10.99.1.11/58769 Reply a.example is 192.0.2.1");
  assert_other (PREFIX "3 10.99.1.11/58769 reply a.example IS 192.0.2.1");
  assert_other (PREFIX "TCP reply a.example is 192.0.2.1");
  assert_other (PREFIX "TCP 10.99.1.11/58769 reply a.example is 192.0.2.1");

  /* huge serials and bad clients */
  assert_other (PREFIX "4294967296 10.99.1.11/58769 reply a.example is 192.0.2.1");
  assert_other (PREFIX "99999999999999999999999 10.99.1.11/58769 reply a.example is 192.0.2.1");
  assert_other (PREFIX "-3 10.99.1.11/58769 reply a.example is 192.0.2.1");
  assert_other (PREFIX "+3 10.99.1.11/58769 reply a.example is 192.0.2.1");
  assert_other (PREFIX "3 10.99.1.11/99999999 reply a.example is 192.0.2.1");
  assert_other (PREFIX "3 10.99.1.11/65536 reply a.example is 192.0.2.1");
  assert_other (PREFIX "3 10.99.1.11/ reply a.example is 192.0.2.1");
  assert_other (PREFIX "3 10.99.1.11/-1 reply a.example is 192.0.2.1");
  assert_other (PREFIX "3 /58769 reply a.example is 192.0.2.1");
  assert_other (PREFIX "3 10.99.1/58769 reply a.example is 192.0.2.1");
  assert_other (PREFIX "3 router/58769 reply a.example is 192.0.2.1");
  assert_other (PREFIX "3 fe80::1%/58769 reply a.example is 192.0.2.1");
  assert_other (PREFIX "3 fe80::1%a;b/58769 reply a.example is 192.0.2.1");
  assert_other (PREFIX "3 fe80::1%0123456789abcdef/58769 reply a.example is 192.0.2.1");
  assert_other (PREFIX "3 10.99.1.11%eth0%eth1/58769 reply a.example is 192.0.2.1");

  /* names: 253 is the most, labels 63 */
  label = g_strnfill (63, 'a');
  long_name = g_strjoin (".", label, label, label, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL);
  g_assert_cmpuint (strlen (long_name), ==, 253);
  line = g_strdup_printf (PREFIX "3 10.99.1.11/58769 reply %s is 192.0.2.1", long_name);
  assert_answer (line, "10.99.1.11", 58769, long_name, "192.0.2.1", 3, PS_DNS_LOG_ANSWER_REPLY);
  g_free (line);
  line = g_strdup_printf (PREFIX "3 10.99.1.11/58769 reply %s. is 192.0.2.1", long_name);
  assert_answer (line, "10.99.1.11", 58769, long_name, "192.0.2.1", 3, PS_DNS_LOG_ANSWER_REPLY);
  g_free (line);
  line = g_strdup_printf (PREFIX "3 10.99.1.11/58769 reply a%s is 192.0.2.1", long_name);
  assert_other (line);
  g_free (line);
  line = g_strdup_printf (PREFIX "3 10.99.1.11/58769 reply a%s.example is 192.0.2.1", label);
  assert_other (line);
  g_free (line);
  g_free (long_name);
  long_name = g_strnfill (300, 'a');
  for (guint i = 50; i < 300; i += 50)
    long_name[i] = '.';
  line = g_strdup_printf (PREFIX "3 10.99.1.11/58769 reply %s is 192.0.2.1", long_name);
  assert_other (line);

  /* nothing at all */
  assert_other ("");
  assert_other ("\n");
  assert_other ("\r\n");
  assert_refused_len (NULL, 0, PS_DNS_LOG_LINE_OTHER);
}

static void
test_name_is_valid (void)
{
  g_assert_true (ps_dns_log_name_is_valid ("a", 1));
  g_assert_true (ps_dns_log_name_is_valid ("A-b_c.D9", 8));
  g_assert_true (ps_dns_log_name_is_valid ("1.2.3.4", 7));
  g_assert_false (ps_dns_log_name_is_valid ("", 0));
  g_assert_false (ps_dns_log_name_is_valid (".", 1));
  g_assert_false (ps_dns_log_name_is_valid ("a.", 2));
  g_assert_false (ps_dns_log_name_is_valid (".a", 2));
  g_assert_false (ps_dns_log_name_is_valid ("a..b", 4));
  g_assert_false (ps_dns_log_name_is_valid ("a b", 3));
  g_assert_false (ps_dns_log_name_is_valid ("a*b", 3));
  g_assert_false (ps_dns_log_name_is_valid ("a\0b", 3));
}

typedef struct
{
  guint     count;
  GString  *lines;
} Lines;

static gboolean
on_line_cb (const char *line,
            gsize       length,
            gpointer    user_data)
{
  Lines *lines = user_data;

  lines->count++;
  if (line == NULL)
    g_string_append (lines->lines, "<dropped>|");
  else
    g_string_append_printf (lines->lines, "%.*s|", (int) length, line);

  return TRUE;
}

static gboolean
on_line_stop_cb (const char *line,
                 gsize       length,
                 gpointer    user_data)
{
  Lines *lines = user_data;

  on_line_cb (line, length, user_data);
  return lines->count < 2;
}

static void
test_line_buffer (void)
{
  g_autoptr(GString) big = g_string_new (NULL);
  PsDnsLogLineBuffer buffer;
  Lines lines = { 0, g_string_new (NULL) };

  ps_dns_log_line_buffer_reset (&buffer);
  ps_dns_log_line_buffer_feed (&buffer, "one\ntw", 6, on_line_cb, &lines);
  ps_dns_log_line_buffer_feed (&buffer, "o", 1, on_line_cb, &lines);
  ps_dns_log_line_buffer_feed (&buffer, "\n\nthree\nfo", 10, on_line_cb, &lines);
  g_assert_cmpstr (lines.lines->str, ==, "one|two||three|");
  ps_dns_log_line_buffer_feed (&buffer, "ur\n", 3, on_line_cb, &lines);
  g_assert_cmpstr (lines.lines->str, ==, "one|two||three|four|");

  /* exactly the cap, in two pieces, then one byte more */
  g_string_truncate (lines.lines, 0);
  for (guint i = 0; i < PS_DNS_LOG_MAX_LINE; i++)
    g_string_append_c (big, 'x');
  ps_dns_log_line_buffer_feed (&buffer, big->str, 100, on_line_cb, &lines);
  ps_dns_log_line_buffer_feed (&buffer, big->str + 100, big->len - 100, on_line_cb, &lines);
  ps_dns_log_line_buffer_feed (&buffer, "\n", 1, on_line_cb, &lines);
  g_assert_cmpuint (lines.lines->len, ==, PS_DNS_LOG_MAX_LINE + 1);
  g_string_truncate (lines.lines, 0);
  ps_dns_log_line_buffer_feed (&buffer, big->str, 100, on_line_cb, &lines);
  ps_dns_log_line_buffer_feed (&buffer, big->str, big->len, on_line_cb, &lines);
  ps_dns_log_line_buffer_feed (&buffer, big->str, big->len, on_line_cb, &lines);
  ps_dns_log_line_buffer_feed (&buffer, "y\nnext\n", 7, on_line_cb, &lines);
  g_assert_cmpstr (lines.lines->str, ==, "<dropped>|next|");

  /* one line too long in a single feed, whole */
  g_string_truncate (lines.lines, 0);
  g_string_append (big, "x\nafter\n");
  ps_dns_log_line_buffer_feed (&buffer, big->str, big->len, on_line_cb, &lines);
  g_assert_cmpstr (lines.lines->str, ==, "<dropped>|after|");

  /* starting in the middle of a line */
  g_string_truncate (lines.lines, 0);
  ps_dns_log_line_buffer_skip_line (&buffer);
  ps_dns_log_line_buffer_feed (&buffer, "tail of a line\nwhole\n", 21, on_line_cb, &lines);
  g_assert_cmpstr (lines.lines->str, ==, "whole|");
  ps_dns_log_line_buffer_skip_line (&buffer);
  ps_dns_log_line_buffer_feed (&buffer, "\nwhole\n", 7, on_line_cb, &lines);
  g_assert_cmpstr (lines.lines->str, ==, "whole|whole|");

  /* func stops the feed */
  g_string_truncate (lines.lines, 0);
  lines.count = 0;
  ps_dns_log_line_buffer_reset (&buffer);
  ps_dns_log_line_buffer_feed (&buffer, "a\nb\nc\nd", 7, on_line_stop_cb, &lines);
  g_assert_cmpstr (lines.lines->str, ==, "a|b|");

  g_string_free (lines.lines, TRUE);
}

/* The source, on a file in a temporary folder */

typedef struct
{
  GMainLoop      *loop;
  GPtrArray      *lookups;              /* "client name address" */
  guint           want;
  gboolean        timed_out;
  gboolean        stop_in_handler;
  gint64          min_ms;
} Follow;

static void
on_lookup_cb (PsDnsLogSource *source,
              const char     *client,
              const char     *name,
              const char     *address,
              gint64          time_ms,
              Follow         *follow)
{
  g_assert_nonnull (name);
  g_assert_nonnull (address);
  g_assert_cmpint (time_ms, >=, follow->min_ms);
  g_assert_cmpint (time_ms, <=, g_get_real_time () / 1000);

  g_ptr_array_add (follow->lookups,
                   g_strdup_printf ("%s %s %s", client != NULL ? client : "-", name, address));

  if (follow->stop_in_handler)
    ps_dns_log_source_stop (source);
  if (follow->lookups->len >= follow->want)
    g_main_loop_quit (follow->loop);
}

static gboolean
on_timeout_cb (gpointer user_data)
{
  Follow *follow = user_data;

  follow->timed_out = TRUE;
  g_main_loop_quit (follow->loop);
  return G_SOURCE_REMOVE;
}

/* Runs the loop until there are want lookups, or for at most timeout_ms. */
static void
follow_run (Follow *follow,
            guint   want,
            guint   timeout_ms)
{
  guint id;

  follow->want = want;
  follow->timed_out = FALSE;
  if (follow->lookups->len >= want)
    return;
  id = g_timeout_add (timeout_ms, on_timeout_cb, follow);
  g_main_loop_run (follow->loop);
  if (!follow->timed_out)
    g_source_remove (id);
}

static void
follow_expect (Follow     *follow,
               const char *expected[])
{
  guint n = g_strv_length ((char **) expected);

  follow_run (follow, n, 5000);
  g_assert_false (follow->timed_out);

  /* and no more than that at the next tick */
  follow_run (follow, n + 1, 600);
  g_assert_true (follow->timed_out);

  g_assert_cmpuint (follow->lookups->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpstr (g_ptr_array_index (follow->lookups, i), ==, expected[i]);
  g_ptr_array_set_size (follow->lookups, 0);
}

static void
append (FILE       *file,
        const char *text)
{
  g_assert_cmpuint (fwrite (text, 1, strlen (text), file), ==, strlen (text));
  g_assert_cmpint (fflush (file), ==, 0);
}

static void
append_path (const char *path,
             const char *text)
{
  FILE *file = g_fopen (path, "ab");

  g_assert_nonnull (file);
  append (file, text);
  fclose (file);
}

static void
follow_init (Follow *follow)
{
  follow->loop = g_main_loop_new (NULL, FALSE);
  follow->lookups = g_ptr_array_new_with_free_func (g_free);
  follow->min_ms = g_get_real_time () / 1000;
}

static void
follow_clear (Follow *follow)
{
  g_main_loop_unref (follow->loop);
  g_ptr_array_unref (follow->lookups);
}

static void
test_source_follow (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PsDnsLogSource) source = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ps-dns-log-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "dnsmasq.log", NULL);
  g_autofree char *rotated = g_build_filename (dir, "dnsmasq.log.1", NULL);
  g_autofree char *overlong = g_strnfill (3000, 'x');
  guint64 lines, answers, rejected;
  Follow follow = { 0 };
  FILE *old;

  g_assert_no_error (error);
  follow_init (&follow);

  append_path (path,
               PREFIX "1 10.99.1.11/58769 query[A] p2p3.p2p.vendor.example from 10.99.1.11\n"
               PREFIX "1 10.99.1.11/58769 forwarded p2p3.p2p.vendor.example to 192.0.2.53\n"
               PREFIX "1 10.99.1.11/58769 reply p2p3.p2p.vendor.example is 198.51.100.37\n");

  source = ps_dns_log_source_new (path);
  g_assert_cmpstr (ps_dns_log_source_get_path (source), ==, path);
  g_signal_connect (source, "lookup", G_CALLBACK (on_lookup_cb), &follow);
  g_assert_true (ps_dns_log_source_start (source, TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (ps_dns_log_source_is_running (source));

  follow_expect (&follow, (const char *[]) {
    "10.99.1.11 p2p3.p2p.vendor.example 198.51.100.37", NULL });

  /* several writes between two ticks; the plain form too */
  append_path (path, PREFIX "2 10.99.1.12/41284 cached Cloud.Vendor.Example is 192.0.2.10\n");
  append_path (path, PREFIX "3 10.99.1.12/41284 reply www.vendor.example is <CNAME>\n"
                     PREFIX "3 10.99.1.12/41284 reply cdn.vendor.example is 2001:db8:1::5\n");
  append_path (path, PREFIX "config ntp.vendor.example is 192.0.2.123\n");
  follow_expect (&follow, (const char *[]) {
    "10.99.1.12 cloud.vendor.example 192.0.2.10",
    "10.99.1.12 cdn.vendor.example 2001:db8:1::5",
    "- ntp.vendor.example 192.0.2.123", NULL });

  /* a line split across two writes, a tick apart: nothing until it ends */
  append_path (path, PREFIX "4 10.99.1.13/5000 reply split.vend");
  follow_run (&follow, 1, 1100);
  g_assert_true (follow.timed_out);
  g_assert_cmpuint (follow.lookups->len, ==, 0);
  append_path (path, "or.example is 192.0.2.77\n");
  follow_expect (&follow, (const char *[]) { "10.99.1.13 split.vendor.example 192.0.2.77", NULL });

  /* a line longer than the cap, over three writes: dropped, and only it */
  append_path (path, overlong);
  follow_run (&follow, 1, 600);
  append_path (path, overlong);
  follow_run (&follow, 1, 600);
  append_path (path, " reply long.example is 192.0.2.1\n"
                     PREFIX "5 10.99.1.13/5001 reply after-long.example is 192.0.2.78\n");
  follow_expect (&follow, (const char *[]) { "10.99.1.13 after-long.example 192.0.2.78", NULL });

  ps_dns_log_source_get_stats (source, &lines, &answers, &rejected);
  g_assert_cmpuint (lines, ==, 10);
  g_assert_cmpuint (answers, ==, 6);
  g_assert_cmpuint (rejected, ==, 1);

  /* truncated (copytruncate) and written again, shorter than before */
  {
    FILE *file = g_fopen (path, "wb");

    append (file, PREFIX "6 10.99.1.14/6000 reply truncated.example is 192.0.2.79\n");
    fclose (file);
  }
  follow_expect (&follow, (const char *[]) { "10.99.1.14 truncated.example 192.0.2.79", NULL });

  /* rotated by rename: what dnsmasq still writes to the old file comes first,
   * then the new file from its start */
  old = g_fopen (path, "ab");
  g_assert_nonnull (old);
  g_assert_cmpint (g_rename (path, rotated), ==, 0);
  append (old, PREFIX "7 10.99.1.14/6001 reply old-file.example is 192.0.2.80\n");
  follow_run (&follow, 1, 5000);
  g_assert_false (follow.timed_out);
  append (old, PREFIX "8 10.99.1.14/6002 reply old-file-2.example is 192.0.2.81\n");
  fclose (old);
  append_path (path, PREFIX "9 10.99.1.14/6003 reply new-file.example is 192.0.2.82\n"
                     PREFIX "10 10.99.1.14/6004 reply new-file-2.example is 192.0.2.83\n"
                     PREFIX "11 10.99.1.14/6005 reply new-file-3.example is 192.0.2.84\n");
  follow_expect (&follow, (const char *[]) {
    "10.99.1.14 old-file.example 192.0.2.80",
    "10.99.1.14 old-file-2.example 192.0.2.81",
    "10.99.1.14 new-file.example 192.0.2.82",
    "10.99.1.14 new-file-2.example 192.0.2.83",
    "10.99.1.14 new-file-3.example 192.0.2.84", NULL });

  /* hostile lines in the stream change nothing */
  append_path (path, PREFIX "12 10.99.1.14/6006 reply a\033[2J.example is 192.0.2.85\n"
                     PREFIX "12 10.99.1.14/99999999 reply b.example is 192.0.2.85\n"
                     PREFIX "12 10.99.1.14/6006 reply c.example is 999.1.1.1\n");
  {
    static const char nul[] = PREFIX "12 10.99.1.14/6006 reply d\0.example is 192.0.2.85\n";
    FILE *file = g_fopen (path, "ab");

    g_assert_cmpuint (fwrite (nul, 1, sizeof nul - 1, file), ==, sizeof nul - 1);
    fclose (file);
  }
  append_path (path, PREFIX "13 10.99.1.14/6007 reply good.example is 192.0.2.86\n");
  follow_expect (&follow, (const char *[]) { "10.99.1.14 good.example 192.0.2.86", NULL });

  ps_dns_log_source_get_stats (source, &lines, &answers, &rejected);
  g_assert_cmpuint (lines, ==, 21);
  g_assert_cmpuint (answers, ==, 13);
  g_assert_cmpuint (rejected, ==, 3);

  /* stopped: no more */
  ps_dns_log_source_stop (source);
  g_assert_false (ps_dns_log_source_is_running (source));
  append_path (path, PREFIX "14 10.99.1.14/6008 reply stopped.example is 192.0.2.87\n");
  follow_run (&follow, 1, 1100);
  g_assert_true (follow.timed_out);
  g_assert_cmpuint (follow.lookups->len, ==, 0);

  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_unlink (rotated), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
  follow_clear (&follow);
}

static void
test_source_new_lines_only (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PsDnsLogSource) source = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ps-dns-log-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "dnsmasq.log", NULL);
  Follow follow = { 0 };

  g_assert_no_error (error);
  follow_init (&follow);

  /* what is there, up to a line dnsmasq is still writing */
  append_path (path, PREFIX "1 10.99.1.11/1 reply before.example is 192.0.2.1\n"
                     PREFIX "2 10.99.1.11/2 reply half.example is 1");

  source = ps_dns_log_source_new (path);
  g_signal_connect (source, "lookup", G_CALLBACK (on_lookup_cb), &follow);
  g_assert_true (ps_dns_log_source_start (source, FALSE, &error));
  g_assert_no_error (error);

  append_path (path, "92.0.2.2\n" PREFIX "3 10.99.1.11/3 reply after.example is 192.0.2.3\n");
  follow_expect (&follow, (const char *[]) { "10.99.1.11 after.example 192.0.2.3", NULL });

  /* again, stopping in the handler: the second answer of the tick is not reported */
  ps_dns_log_source_stop (source);
  append_path (path, PREFIX "4 10.99.1.11/4 reply skipped.example is 192.0.2.4\n");
  g_assert_true (ps_dns_log_source_start (source, FALSE, &error));
  g_assert_no_error (error);
  append_path (path, PREFIX "5 10.99.1.11/5 reply first.example is 192.0.2.5\n"
                     PREFIX "6 10.99.1.11/6 reply second.example is 192.0.2.6\n");
  follow.stop_in_handler = TRUE;
  follow_expect (&follow, (const char *[]) { "10.99.1.11 first.example 192.0.2.5", NULL });
  g_assert_false (ps_dns_log_source_is_running (source));

  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
  follow_clear (&follow);
}

static void
test_source_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ps-dns-log-XXXXXX", &error);
  g_autofree char *missing = g_build_filename (dir, "missing.log", NULL);
  g_autoptr(PsDnsLogSource) source = ps_dns_log_source_new (missing);
  g_autoptr(PsDnsLogSource) folder = ps_dns_log_source_new (dir);

  g_assert_no_error (error);

  g_assert_false (ps_dns_log_source_start (source, TRUE, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "missing.log"));
  g_assert_false (ps_dns_log_source_is_running (source));
  g_clear_error (&error);

  g_assert_false (ps_dns_log_source_start (folder, TRUE, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE);
  g_clear_error (&error);

  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/dns-log/parse/extra", test_parse_extra);
  g_test_add_func ("/dns-log/parse/plain", test_parse_plain);
  g_test_add_func ("/dns-log/parse/prefixes", test_parse_prefixes);
  g_test_add_func ("/dns-log/parse/not-answers", test_parse_not_answers);
  g_test_add_func ("/dns-log/parse/hostile", test_parse_hostile);
  g_test_add_func ("/dns-log/name-is-valid", test_name_is_valid);
  g_test_add_func ("/dns-log/line-buffer", test_line_buffer);
  g_test_add_func ("/dns-log/source/follow", test_source_follow);
  g_test_add_func ("/dns-log/source/new-lines-only", test_source_new_lines_only);
  g_test_add_func ("/dns-log/source/errors", test_source_errors);

  return g_test_run ();
}
