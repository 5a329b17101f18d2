/* fuzz-frame-stamp.c: frame stamps read from decoded (remote) video
 *
 * The first four bytes choose a width and height; the rest is the plane.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stdint.h>

#include "ps-frame-stamp.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  guint width, height, pixel_stride;
  gint64 stamp;

  if (size < 5)
    return 0;

  width = 1 + (data[0] | (data[1] & 0x7) << 8);
  pixel_stride = 1 + (data[1] >> 6);
  height = 1 + data[2];
  data += 4;
  size -= 4;

  if ((gsize) width * pixel_stride * height > size)
    return 0;

  ps_frame_stamp_read (data, (gsize) width * pixel_stride, pixel_stride, width, height, &stamp);

  return 0;
}
