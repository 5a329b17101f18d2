/* ps-frame-stamp.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-frame-stamp"

#include <string.h>

#include "ps-frame-stamp.h"

#define LUMA_BLACK 16
#define LUMA_WHITE 235
#define MIN_BLOCK  4

/* Geometry is proportional to the width, in units of w/42: one unit of
 * quiet margin above and to the left (rounded window corners and overscan
 * eat the very corner), then 40 columns by 2 rows of one-unit blocks.
 * Grid line i lies at i*w/42. */
#define UNITS (PS_FRAME_STAMP_COLUMNS + 2)

static inline guint
block_edge (guint index,
            guint width)
{
  return (guint) (((guint64) (index + 1) * width) / UNITS);
}

guint
ps_frame_stamp_height (guint width)
{
  return block_edge (PS_FRAME_STAMP_ROWS, width);
}

gboolean
ps_frame_stamp_fits (guint width,
                     guint height)
{
  return width / UNITS >= MIN_BLOCK &&
         ps_frame_stamp_height (width) <= height;
}

guint16
ps_frame_stamp_crc16 (const guint8 *data,
                      gsize         len)
{
  guint16 crc = 0xffff;

  /* CRC-16/CCITT-FALSE */
  for (gsize i = 0; i < len; i++)
    {
      crc ^= (guint16) data[i] << 8;
      for (guint b = 0; b < 8; b++)
        crc = (crc & 0x8000) ? (guint16) ((crc << 1) ^ 0x1021) : (guint16) (crc << 1);
    }

  return crc;
}

static void
stamp_to_bits (gint64   stamp_us,
               gboolean bits[PS_FRAME_STAMP_BITS])
{
  guint8 bytes[8];
  guint16 crc;

  for (guint i = 0; i < 8; i++)
    bytes[i] = (guint8) ((guint64) stamp_us >> (56 - 8 * i));
  crc = ps_frame_stamp_crc16 (bytes, sizeof bytes);

  for (guint i = 0; i < 64; i++)
    bits[i] = (bytes[i / 8] >> (7 - i % 8)) & 1;
  for (guint i = 0; i < 16; i++)
    bits[64 + i] = (crc >> (15 - i)) & 1;
}

void
ps_frame_stamp_write (guint8 *plane,
                      gsize   stride,
                      guint   width,
                      guint   height,
                      gint64  stamp_us)
{
  gboolean bits[PS_FRAME_STAMP_BITS];

  g_return_if_fail (plane != NULL);

  if (!ps_frame_stamp_fits (width, height))
    return;

  stamp_to_bits (stamp_us, bits);

  for (guint row = 0; row < PS_FRAME_STAMP_ROWS; row++)
    {
      guint y0 = block_edge (row, width);
      guint y1 = block_edge (row + 1, width);

      for (guint y = y0; y < y1; y++)
        {
          guint8 *line = plane + (gsize) y * stride;

          for (guint col = 0; col < PS_FRAME_STAMP_COLUMNS; col++)
            {
              guint x0 = block_edge (col, width);
              guint x1 = block_edge (col + 1, width);
              guint8 value = bits[row * PS_FRAME_STAMP_COLUMNS + col] ? LUMA_WHITE : LUMA_BLACK;

              memset (line + x0, value, x1 - x0);
            }
        }
    }
}

/* Mean of the middle half of a block, in each direction. */
static guint
sample_block (const guint8 *plane,
              gsize         stride,
              guint         pixel_stride,
              guint         x0,
              guint         x1,
              guint         y0,
              guint         y1)
{
  guint qx = (x1 - x0) / 4;
  guint qy = (y1 - y0) / 4;
  guint64 sum = 0;
  guint n = 0;

  for (guint y = y0 + qy; y < y1 - qy; y++)
    for (guint x = x0 + qx; x < x1 - qx; x++)
      {
        sum += plane[(gsize) y * stride + (gsize) x * pixel_stride];
        n++;
      }

  return n > 0 ? (guint) (sum / n) : 0;
}

gboolean
ps_frame_stamp_read (const guint8 *plane,
                     gsize         stride,
                     guint         pixel_stride,
                     guint         width,
                     guint         height,
                     gint64       *stamp_us)
{
  guint8 bytes[8] = { 0 };
  guint16 crc = 0;
  guint64 value = 0;

  g_return_val_if_fail (plane != NULL, FALSE);
  g_return_val_if_fail (pixel_stride > 0, FALSE);

  if (!ps_frame_stamp_fits (width, height) || stride < (gsize) width * pixel_stride)
    return FALSE;

  for (guint i = 0; i < PS_FRAME_STAMP_BITS; i++)
    {
      guint row = i / PS_FRAME_STAMP_COLUMNS;
      guint col = i % PS_FRAME_STAMP_COLUMNS;
      guint level = sample_block (plane, stride, pixel_stride,
                                  block_edge (col, width), block_edge (col + 1, width),
                                  block_edge (row, width), block_edge (row + 1, width));
      gboolean bit = level >= (LUMA_BLACK + LUMA_WHITE) / 2;

      if (i < 64)
        value = (value << 1) | (bit ? 1 : 0);
      else
        crc = (guint16) ((crc << 1) | (bit ? 1 : 0));
    }

  for (guint i = 0; i < 8; i++)
    bytes[i] = (guint8) (value >> (56 - 8 * i));

  if (ps_frame_stamp_crc16 (bytes, sizeof bytes) != crc)
    return FALSE;

  if (stamp_us != NULL)
    *stamp_us = (gint64) value;

  return TRUE;
}
