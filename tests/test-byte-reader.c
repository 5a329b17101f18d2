/* test-byte-reader.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ps-byte-reader.h"

static void
test_reads (void)
{
  static const guint8 data[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07 };
  PsByteReader r = PS_BYTE_READER_INIT (data, sizeof data);
  guint8 u8 = 0;
  guint16 u16 = 0;
  guint32 u32 = 0;
  const guint8 *p = NULL;

  g_assert_true (ps_byte_reader_get_u8 (&r, &u8));
  g_assert_cmpuint (u8, ==, 0x01);
  g_assert_true (ps_byte_reader_get_u16_be (&r, &u16));
  g_assert_cmpuint (u16, ==, 0x0203);
  g_assert_true (ps_byte_reader_get_u32_le (&r, &u32));
  g_assert_cmpuint (u32, ==, 0x07060504);
  g_assert_cmpuint (ps_byte_reader_remaining (&r), ==, 0);

  r.pos = 3;
  g_assert_true (ps_byte_reader_get_u32_be (&r, &u32));
  g_assert_cmpuint (u32, ==, 0x04050607);

  r.pos = 5;
  g_assert_true (ps_byte_reader_get_u16_le (&r, &u16));
  g_assert_cmpuint (u16, ==, 0x0706);

  r.pos = 2;
  g_assert_true (ps_byte_reader_get_bytes (&r, 5, &p));
  g_assert_true (p == data + 2);
}

/* Every read that would pass the end fails and moves nothing. */
static void
test_bounds (void)
{
  static const guint8 data[] = { 0xaa, 0xbb, 0xcc };
  PsByteReader r = PS_BYTE_READER_INIT (data, sizeof data);
  PsByteReader empty = PS_BYTE_READER_INIT (NULL, 0);
  guint8 u8;
  guint16 u16;
  guint32 u32;
  const guint8 *p;

  g_assert_false (ps_byte_reader_get_u32_be (&r, &u32));
  g_assert_false (ps_byte_reader_get_u32_le (&r, &u32));
  g_assert_false (ps_byte_reader_get_bytes (&r, 4, &p));
  g_assert_false (ps_byte_reader_skip (&r, 4));
  g_assert_cmpuint (r.pos, ==, 0);

  g_assert_true (ps_byte_reader_skip (&r, 2));
  g_assert_false (ps_byte_reader_get_u16_be (&r, &u16));
  g_assert_false (ps_byte_reader_get_u16_le (&r, &u16));
  g_assert_true (ps_byte_reader_get_u8 (&r, &u8));
  g_assert_false (ps_byte_reader_get_u8 (&r, &u8));
  g_assert_false (ps_byte_reader_skip (&r, G_MAXSIZE));

  g_assert_false (ps_byte_reader_get_u8 (&empty, &u8));
  g_assert_true (ps_byte_reader_skip (&empty, 0));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/byte-reader/reads", test_reads);
  g_test_add_func ("/byte-reader/bounds", test_bounds);

  return g_test_run ();
}
