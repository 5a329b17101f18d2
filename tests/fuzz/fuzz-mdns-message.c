/* fuzz-mdns-message.c: mDNS / DNS-SD responses and queries from a hostile network
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stdint.h>

#include "ps-mdns-message.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const char *from[] = { NULL, "192.168.1.20", "fe80::1" };
  GPtrArray *result;

  ps_mdns_is_response (data, size);

  for (guint i = 0; i < G_N_ELEMENTS (from); i++)
    {
      GError *error = NULL;

      result = ps_mdns_parse_response (data, size, from[i], &error);
      g_assert ((result == NULL) != (error == NULL));
      for (guint j = 0; result != NULL && j < result->len; j++)
        {
          PsSighting *s = g_ptr_array_index (result, j);

          g_assert (s->protocol == PS_PROTOCOL_MDNS);
          g_assert (s->name != NULL && g_utf8_validate (s->name, -1, NULL));
          g_assert (s->xaddrs == NULL || from[i] != NULL);
        }
      g_clear_pointer (&result, g_ptr_array_unref);
      g_clear_error (&error);
    }

  result = ps_mdns_parse_query (data, size, NULL, NULL);
  g_clear_pointer (&result, g_ptr_array_unref);

  return 0;
}
