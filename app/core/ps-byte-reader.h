/* ps-byte-reader.h: a reader of untrusted bytes that cannot run past the end
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  const guint8 *data;
  gsize         len;
  gsize         pos;
} PsByteReader;

#define PS_BYTE_READER_INIT(d, l) { (const guint8 *) (d), (l), 0 }

static inline gsize
ps_byte_reader_remaining (const PsByteReader *r)
{
  return r->len - r->pos;
}

static inline gboolean
ps_byte_reader_skip (PsByteReader *r,
                     gsize         n)
{
  if (ps_byte_reader_remaining (r) < n)
    return FALSE;
  r->pos += n;
  return TRUE;
}

static inline gboolean
ps_byte_reader_get_u8 (PsByteReader *r,
                       guint8       *out)
{
  if (ps_byte_reader_remaining (r) < 1)
    return FALSE;
  *out = r->data[r->pos++];
  return TRUE;
}

static inline gboolean
ps_byte_reader_get_u16_be (PsByteReader *r,
                           guint16      *out)
{
  if (ps_byte_reader_remaining (r) < 2)
    return FALSE;
  *out = (guint16) (r->data[r->pos] << 8 | r->data[r->pos + 1]);
  r->pos += 2;
  return TRUE;
}

static inline gboolean
ps_byte_reader_get_u32_be (PsByteReader *r,
                           guint32      *out)
{
  if (ps_byte_reader_remaining (r) < 4)
    return FALSE;
  *out = (guint32) r->data[r->pos] << 24 | (guint32) r->data[r->pos + 1] << 16 |
         (guint32) r->data[r->pos + 2] << 8 | (guint32) r->data[r->pos + 3];
  r->pos += 4;
  return TRUE;
}

static inline gboolean
ps_byte_reader_get_u16_le (PsByteReader *r,
                           guint16      *out)
{
  if (ps_byte_reader_remaining (r) < 2)
    return FALSE;
  *out = (guint16) (r->data[r->pos] | r->data[r->pos + 1] << 8);
  r->pos += 2;
  return TRUE;
}

static inline gboolean
ps_byte_reader_get_u32_le (PsByteReader *r,
                           guint32      *out)
{
  if (ps_byte_reader_remaining (r) < 4)
    return FALSE;
  *out = (guint32) r->data[r->pos] | (guint32) r->data[r->pos + 1] << 8 |
         (guint32) r->data[r->pos + 2] << 16 | (guint32) r->data[r->pos + 3] << 24;
  r->pos += 4;
  return TRUE;
}

/* Points out at n bytes inside the buffer (no copy). */
static inline gboolean
ps_byte_reader_get_bytes (PsByteReader  *r,
                          gsize          n,
                          const guint8 **out)
{
  if (ps_byte_reader_remaining (r) < n)
    return FALSE;
  *out = r->data + r->pos;
  r->pos += n;
  return TRUE;
}

G_END_DECLS
