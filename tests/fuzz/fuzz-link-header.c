/* fuzz-link-header.c: a WHEP endpoint's Link header, with its ICE servers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stdint.h>

#include "ps-link-header.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GPtrArray) servers = NULL;

  servers = ps_link_header_parse_ice_servers ((const char *) data, size, NULL);
  for (guint i = 0; servers != NULL && i < servers->len; i++)
    {
      g_autofree char *uri = ps_ice_server_to_gst_uri (g_ptr_array_index (servers, i));
    }

  return 0;
}
