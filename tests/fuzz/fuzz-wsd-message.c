/* fuzz-wsd-message.c: WS-Discovery datagrams from anyone on the LAN
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stdint.h>

#include "ps-wsd-message.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  GPtrArray *sightings;
  PsWsdKind kind;
  char *relates_to = NULL;

  sightings = ps_wsd_parse ((const char *) data, size, &kind, &relates_to, NULL);
  if (sightings != NULL)
    {
      for (guint i = 0; i < sightings->len; i++)
        {
          PsSighting *sighting = g_ptr_array_index (sightings, i);

          /* every field the parser fills must be clean UTF-8 */
          g_assert (sighting->name == NULL || g_utf8_validate (sighting->name, -1, NULL));
          g_assert (sighting->location == NULL ||
                    g_utf8_validate (sighting->location, -1, NULL));
          g_assert (sighting->xaddrs == NULL ||
                    g_strv_length (sighting->xaddrs) <= PS_WSD_MAX_XADDRS);
          g_assert (sighting->scopes == NULL ||
                    g_strv_length (sighting->scopes) <= PS_WSD_MAX_SCOPES);
        }
      g_assert (sightings->len <= PS_WSD_MAX_MATCHES);
      g_ptr_array_unref (sightings);
    }
  g_free (relates_to);

  return 0;
}
