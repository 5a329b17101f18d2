/* ps-frame-stamp.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A frame stamp is a strip of black and white blocks in the top-left corner
 * of a video frame. It encodes a 64-bit wall-clock time in microseconds
 * (g_get_real_time()) followed by a 16-bit CRC, two rows of 40 blocks whose
 * size is proportional to the frame width (width/42, after a one-block quiet
 * margin), so the stamp survives scaling, rounded corners and H.264 at
 * default quality. Readers sample the middle of each block. */

#define PS_FRAME_STAMP_COLUMNS 40
#define PS_FRAME_STAMP_ROWS     2
#define PS_FRAME_STAMP_BITS    (PS_FRAME_STAMP_COLUMNS * PS_FRAME_STAMP_ROWS)

gboolean ps_frame_stamp_fits  (guint          width,
                               guint          height);
guint    ps_frame_stamp_height (guint         width);
void     ps_frame_stamp_write (guint8        *plane,
                               gsize          stride,
                               guint          width,
                               guint          height,
                               gint64         stamp_us);
gboolean ps_frame_stamp_read  (const guint8  *plane,
                               gsize          stride,
                               guint          pixel_stride,
                               guint          width,
                               guint          height,
                               gint64        *stamp_us);
guint16  ps_frame_stamp_crc16 (const guint8  *data,
                               gsize          len);

G_END_DECLS
