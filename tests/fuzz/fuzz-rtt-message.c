/* fuzz-rtt-message.c: round-trip probes from a P2P peer's data channel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stdint.h>
#include <string.h>

#include "ps-rtt-message.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  PsRttKind kind;
  guint32 sequence;

  if (ps_rtt_message_parse ((const char *) data, size, &kind, &sequence, NULL))
    {
      g_autofree char *again = ps_rtt_message_format (kind, sequence);

      /* what parses is exactly what the formatter writes */
      if (strlen (again) != size || memcmp (again, data, size) != 0)
        __builtin_trap ();
    }

  return 0;
}
