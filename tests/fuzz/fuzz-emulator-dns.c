/* fuzz-emulator-dns.c: DNS replies to the camera emulator's lookups
 *
 * The first two bytes of a reply are its id; the fuzzer's input is read as
 * the answer to a query for p2p.vendor.example, for A and for AAAA.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stdint.h>

#include "ps-emulator-dns.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const guint16 types[] = { PS_EMULATOR_DNS_TYPE_A, PS_EMULATOR_DNS_TYPE_AAAA };
  guint16 id = size >= 2 ? (guint16) (data[0] << 8 | data[1]) : 0;

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_autoptr(PsEmulatorDnsReply) reply = NULL;
      g_autoptr(GError) error = NULL;

      reply = ps_emulator_dns_parse_reply (data, size, id, "p2p.vendor.example", types[i], &error);
      g_assert ((reply == NULL) == (error != NULL));
      if (reply != NULL)
        g_assert (reply->addresses->len <= PS_EMULATOR_DNS_MAX_RECORDS);
    }

  return 0;
}
