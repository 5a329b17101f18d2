/* fuzz-onvif-reply.c: ONVIF media service replies from a hostile device
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stdint.h>

#include "ps-onvif-client.h"
#include "ps-onvif-reply.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  GPtrArray *profiles;
  char *uri;

  profiles = ps_onvif_reply_parse_profiles ((const char *) data, size, NULL);
  if (profiles != NULL)
    g_ptr_array_unref (profiles);

  uri = ps_onvif_reply_parse_stream_uri ((const char *) data, size, NULL);
  if (uri != NULL)
    {
      char *pinned = ps_onvif_pin_host (uri, "127.0.0.1");
      g_free (pinned);
      g_free (uri);
    }

  ps_onvif_device_info_free (ps_onvif_reply_parse_device_info ((const char *) data, size, NULL));
  ps_onvif_reply_parse_empty ((const char *) data, size, NULL);
  ps_onvif_reply_is_soap ((const char *) data, size);

  return 0;
}
