/* fuzz-netflow.h: the harness the NetFlow v5, v9 and IPFIX targets share
 *
 * The decoder is stateful (templates, held data, sequence numbers), so one
 * input is a series of datagrams fed to one fresh decoder:
 *
 *   { flags_and_length:2 (big-endian), datagram[length] } ...
 *
 * length is the low 13 bits; bit 15 sends from a second exporter (IPv6),
 * bit 14 moves the clock on 10 s (past the time data waits for its
 * template), bit 13 moves it on 10 min (past the template timeout).  A
 * target can force the version (and IPFIX's length field) so that mutations
 * are not wasted on datagrams rejected at the first bytes.  The limits are
 * small so that the caps are reached too.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ps-netflow-decoder.h"

static inline void
fuzz_netflow_run (const uint8_t *data,
                  size_t         size,
                  guint16        force_version)
{
  static const guint8 a[4] = { 192, 0, 2, 1 };
  static const guint8 b[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
  PsNetflowDecoder *decoder = ps_netflow_decoder_new ();
  GArray *records = g_array_new (FALSE, FALSE, sizeof (PsFlowRecord));
  PsIpAddress exporter_a, exporter_b;
  PsNetflowLimits limits;
  PsNetflowStats stats;
  gint64 now_ms = 1000000;
  size_t pos = 0;

  ps_ip_address_set_v4 (&exporter_a, a);
  ps_ip_address_set_v6 (&exporter_b, b);

  ps_netflow_decoder_get_limits (decoder, &limits);
  limits.template_timeout_ms = 60000;
  limits.max_templates_per_exporter = 6;
  limits.max_templates = 8;
  limits.max_exporters = 2;
  limits.max_domains_per_exporter = 3;
  limits.max_pending_bytes_per_exporter = 2048;
  limits.max_pending_bytes = 3000;
  ps_netflow_decoder_set_limits (decoder, &limits);

  while (pos + 2 <= size)
    {
      guint16 head = (guint16) (data[pos] << 8 | data[pos + 1]);
      size_t len = head & 0x1fff;
      guint8 *datagram;

      pos += 2;
      if (len > size - pos)
        len = size - pos;

      /* an exact-size copy: a read past the end is an overflow under ASan */
      datagram = malloc (len > 0 ? len : 1);
      if (len > 0)
        memcpy (datagram, data + pos, len);
      pos += len;

      if (force_version != 0 && len >= 2)
        {
          datagram[0] = force_version >> 8;
          datagram[1] = force_version & 0xff;
          if (force_version == 10 && len >= 4)
            {
              datagram[2] = (guint8) (len >> 8);
              datagram[3] = (guint8) len;
            }
        }

      if (head & 0x4000)
        now_ms += 10000;
      if (head & 0x2000)
        now_ms += 600000;
      now_ms += 100;

      g_array_set_size (records, 0);
      ps_netflow_decoder_decode (decoder, (head & 0x8000) ? &exporter_b : &exporter_a,
                                 datagram, len, now_ms, records, NULL);
      free (datagram);

      for (guint i = 0; i < records->len; i++)
        {
          const PsFlowRecord *r = &g_array_index (records, PsFlowRecord, i);

          if (!ps_ip_address_is_set (&r->src) || !ps_ip_address_is_set (&r->dst) ||
              !r->new_flow || r->origin > PS_FLOW_ORIGIN_IPFIX)
            abort ();
        }
    }

  ps_netflow_decoder_get_stats (decoder, &stats);
  if (stats.templates > limits.max_templates || stats.exporters > limits.max_exporters ||
      stats.pending_bytes > limits.max_pending_bytes)
    abort ();

  ps_netflow_decoder_expire (decoder, now_ms + 3600000);
  ps_netflow_decoder_get_stats (decoder, &stats);
  if (stats.templates != 0 || stats.sets_pending != 0 || stats.pending_bytes != 0 ||
      stats.exporters != 0)
    abort ();

  g_array_unref (records);
  ps_netflow_decoder_free (decoder);
}
