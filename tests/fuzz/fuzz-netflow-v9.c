/* fuzz-netflow-v9.c: NetFlow v9 datagrams: templates, options templates, data flowsets
 *
 * A series of datagrams from a hostile exporter to one decoder, the version
 * forced to 9 (see fuzz-netflow.h for the input format).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "fuzz-netflow.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  fuzz_netflow_run (data, size, 9);
  return 0;
}
