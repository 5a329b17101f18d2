/* fuzz-ssdp-message.c: SSDP datagrams and UPnP descriptions from anyone on
 * the LAN
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stdint.h>
#include <string.h>

#include "ps-ssdp-message.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static gboolean
clean (const char *text)
{
  return text == NULL || g_utf8_validate (text, -1, NULL);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  PsSsdpMessage *message;
  PsSsdpDescription *description;

  message = ps_ssdp_parse ((const char *) data, size, "192.168.1.64", NULL);
  if (message != NULL)
    {
      PsSighting *sighting = ps_ssdp_to_sighting (message, NULL);

      /* LOCATION is never on another host */
      g_assert (message->location == NULL ||
                ps_ssdp_location_is_on (message->location, "192.168.1.64"));
      g_assert (clean (message->usn) && clean (message->st) && clean (message->server));
      g_assert (message->usn == NULL || strlen (message->usn) <= PS_SSDP_MAX_VALUE);
      ps_sighting_free (sighting);
      ps_ssdp_message_free (message);
    }

  description = ps_ssdp_parse_description ((const char *) data, size,
                                           "http://192.168.1.64:49152/d.xml", NULL);
  if (description != NULL)
    {
      PsSsdpMessage empty = { PS_SSDP_KIND_RESPONSE, NULL, NULL, NULL, NULL };
      PsSighting *sighting = ps_ssdp_to_sighting (&empty, description);

      g_assert (clean (description->friendly_name) && clean (description->manufacturer) &&
                clean (description->model_name) && clean (description->udn));
      g_assert (description->friendly_name == NULL ||
                strlen (description->friendly_name) <= PS_SSDP_MAX_FIELD);
      g_assert (description->presentation_url == NULL ||
                ps_ssdp_location_is_on (description->presentation_url, "192.168.1.64"));
      (void) ps_ssdp_description_is_camera (description);
      ps_sighting_free (sighting);
      ps_ssdp_description_free (description);
    }

  return 0;
}
