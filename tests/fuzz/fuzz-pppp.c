/* fuzz-pppp.c: CS2 PPPP and Kalay LAN search answers from a hostile network
 *
 * The corpus (corpus/pppp) is shared. Its kalay-*-captured seeds are wire
 * bytes the Mi Home app sent, published in AlexxIT/go2rtc pull request
 * #2181 (pkg/xiaomi/legacy/client.go, loockRawPayload); the other kalay-*
 * seeds are our own datagrams (answers of 200 and 184 bytes, searches of
 * 88 and 68 bytes, with and without a UID).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stdint.h>

#include "ps-kalay.h"
#include "ps-pppp.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  PsSighting *sighting = NULL;
  char *psk = NULL;
  char *uid = NULL;
  guint8 session[PS_KALAY_SESSION_LEN];

  if (ps_pppp_try_all (data, size, &sighting, &psk))
    {
      g_assert (sighting->p2p_uid != NULL);
      g_clear_pointer (&sighting, ps_sighting_free);
      g_free (psk);
    }
  ps_pppp_parse_lan_search (data, size, NULL, NULL, NULL);
  ps_pppp_parse_lan_search (data, size, "SHIX", NULL, NULL);

  if (ps_kalay_parse (data, size, &sighting, NULL))
    {
      g_assert (ps_kalay_uid_is_valid (sighting->p2p_uid));
      g_clear_pointer (&sighting, ps_sighting_free);
    }
  if (ps_kalay_parse_lan_search (data, size, &uid, session, NULL))
    {
      g_assert (uid == NULL || ps_kalay_uid_is_valid (uid));
      g_free (uid);
    }

  return 0;
}
