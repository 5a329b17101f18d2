/* fuzz-foscam-reply.c: a camera's answers to its Foscam-style CGI
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stdint.h>

#include "ps-foscam-client.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  int is_enable = 5;

  if (ps_foscam_parse_reply ((const char *) data, size, &is_enable, &error))
    g_assert (is_enable >= -1 && is_enable <= 1 && error == NULL);
  else
    g_assert (error != NULL);

  return 0;
}
