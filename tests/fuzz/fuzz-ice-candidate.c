/* fuzz-ice-candidate.c: ICE candidate lines relayed by a rendezvous server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stdint.h>

#include "ps-ice-candidate.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(PsIceCandidate) candidate = NULL;

  candidate = ps_ice_candidate_parse ((const char *) data, size, NULL);
  if (candidate != NULL && (candidate->address == NULL || candidate->type == NULL))
    __builtin_trap ();

  return 0;
}
