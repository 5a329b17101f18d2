/* ps-kalay.c: ThroughTek Kalay (TUTK IOTC) LAN search, a pure codec
 *
 * Plain IOTC datagram (multi-byte integers little-endian):
 *
 *   0  04 02          magic
 *   2  version        (we send 0x19)
 *   3  02             stage
 *   4  len:2          bytes after this 16-byte header
 *   6  00 00
 *   8  cmd[3]         01 06 21 LAN search, 02 06 12 its answer
 *   11 00 x5
 *   16 uid[20]        the device UID; all NUL in a search for any device
 *   36 ...            zero here; SDK version at 52, session id at 56 and
 *                     search stage (1) at 64 in a search
 *
 * On the wire each datagram goes through TUTK's "TransCode": per 16-byte
 * block, rotate the four little-endian words right by 1, 5, 9, 13 bits, XOR
 * with the first 16 bytes of "Charlie is the designer of P2P!!", shuffle
 * the bytes with a fixed involution, rotate right by 3, 7, 11, 15; a shorter
 * tail is XORed and shuffled with the permutation of its length (2, 4, 8)
 * or left in place.
 *
 * References read, not copied: the layout, the commands, port 32761 and the
 * scrambler follow AlexxIT/go2rtc pkg/tutk/session0.go (ConnectByUID, the
 * "broadcast" stage), pkg/tutk/conn.go and pkg/tutk/crypto.go. UNVERIFIED:
 * no public capture of a LAN search and its answer was found, so neither
 * the scrambler output nor the answer layout (the UID at offset 16) is
 * checked against a real device; the unit tests only prove that our
 * encoder and decoder agree. go2rtc uses this message to look for one UID;
 * whether devices answer a search with an empty UID is also unverified.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-kalay"

#include <gio/gio.h>
#include <string.h>

#include "ps-byte-reader.h"
#include "ps-kalay.h"

#define HEADER_LEN      16
#define SEARCH_LEN      68
#define ANSWER_LEN      68
#define UID_OFFSET      16
#define IOTC_VERSION    0x19
#define IOTC_STAGE      0x02

static const guint8 charlie[16] = "Charlie is the d";  /* "...esigner of P2P!!" unused */
static const guint8 cmd_search[3] = { 0x01, 0x06, 0x21 };
static const guint8 cmd_answer[3] = { 0x02, 0x06, 0x12 };
static const guint8 sdk_version[4] = { 0x06, 0x00, 0x03, 0x03 };

/* Each shuffle is its own inverse: out[i] = in[perm[i]]. */
static const guint8 perm16[16] = { 11, 9, 8, 15, 13, 10, 12, 14, 2, 1, 5, 0, 6, 4, 7, 3 };
static const guint8 perm8[8] = { 7, 4, 3, 2, 1, 6, 5, 0 };
static const guint8 perm4[4] = { 2, 3, 0, 1 };
static const guint8 perm2[2] = { 1, 0 };

static void
shuffle (const guint8 *in,
         guint8       *out,
         gsize         n)
{
  const guint8 *perm = NULL;

  g_assert (n <= 16);

  switch (n)
    {
    case 2:  perm = perm2; break;
    case 4:  perm = perm4; break;
    case 8:  perm = perm8; break;
    case 16: perm = perm16; break;
    default: break;
    }

  for (gsize i = 0; i < n; i++)
    out[i] = in[perm != NULL ? perm[i] : i];
}

static inline guint32
rotr (guint32 x,
      guint   n)
{
  return x >> n | x << (32 - n);
}

static inline guint32
get_le (const guint8 *p)
{
  return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
}

static inline void
put_le (guint8  *p,
        guint32  x)
{
  p[0] = (guint8) x;
  p[1] = (guint8) (x >> 8);
  p[2] = (guint8) (x >> 16);
  p[3] = (guint8) (x >> 24);
}

void
ps_kalay_scramble (const guint8 *data,
                   guint8       *out,
                   gsize         len)
{
  guint8 a[16], b[16];
  gsize pos = 0;

  g_return_if_fail (len == 0 || (data != NULL && out != NULL));

  for (; len - pos >= 16; pos += 16)
    {
      for (guint w = 0; w < 4; w++)
        put_le (a + 4 * w, rotr (get_le (data + pos + 4 * w), 4 * w + 1));
      for (guint i = 0; i < 16; i++)
        a[i] ^= charlie[i];
      shuffle (a, b, 16);
      for (guint w = 0; w < 4; w++)
        put_le (out + pos + 4 * w, rotr (get_le (b + 4 * w), 4 * w + 3));
    }

  for (gsize i = 0; i < len - pos; i++)
    a[i] = data[pos + i] ^ charlie[i];
  shuffle (a, out + pos, len - pos);
}

void
ps_kalay_unscramble (const guint8 *data,
                     guint8       *out,
                     gsize         len)
{
  guint8 a[16], b[16];
  gsize pos = 0;

  g_return_if_fail (len == 0 || (data != NULL && out != NULL));

  for (; len - pos >= 16; pos += 16)
    {
      for (guint w = 0; w < 4; w++)
        put_le (a + 4 * w, rotr (get_le (data + pos + 4 * w), 32 - (4 * w + 3)));
      shuffle (a, b, 16);
      for (guint i = 0; i < 16; i++)
        b[i] ^= charlie[i];
      for (guint w = 0; w < 4; w++)
        put_le (out + pos + 4 * w, rotr (get_le (b + 4 * w), 32 - (4 * w + 1)));
    }

  shuffle (data + pos, a, len - pos);
  for (gsize i = 0; i < len - pos; i++)
    out[pos + i] = a[i] ^ charlie[i];
}

gboolean
ps_kalay_uid_is_valid (const char *uid)
{
  if (uid == NULL)
    return FALSE;

  for (guint i = 0; i < PS_KALAY_UID_LEN; i++)
    if (!((uid[i] >= 'A' && uid[i] <= 'Z') || (uid[i] >= '0' && uid[i] <= '9')))
      return FALSE;

  return uid[PS_KALAY_UID_LEN] == '\0';
}

static GBytes *
build (const guint8  cmd[3],
       gsize         len,
       const char   *uid)
{
  g_autofree guint8 *plain = g_new0 (guint8, len);
  guint8 *wire = g_new0 (guint8, len);

  plain[0] = 0x04;
  plain[1] = 0x02;
  plain[2] = IOTC_VERSION;
  plain[3] = IOTC_STAGE;
  plain[4] = (guint8) (len - HEADER_LEN);
  plain[5] = (guint8) ((len - HEADER_LEN) >> 8);
  memcpy (plain + 8, cmd, 3);
  if (uid != NULL)
    memcpy (plain + UID_OFFSET, uid, PS_KALAY_UID_LEN);
  if (cmd == cmd_search)
    {
      guint64 session = (guint64) g_get_real_time ();

      memcpy (plain + 52, sdk_version, sizeof sdk_version);
      for (guint i = 0; i < 8; i++)
        plain[56 + i] = (guint8) (session >> (8 * i));
      plain[64] = 1;
    }

  ps_kalay_scramble (plain, wire, len);

  return g_bytes_new_take (wire, len);
}

GBytes *
ps_kalay_build_lan_search (const char *uid)
{
  if (uid != NULL && !ps_kalay_uid_is_valid (uid))
    return NULL;

  return build (cmd_search, SEARCH_LEN, uid);
}

GBytes *
ps_kalay_build_answer (const char *uid)
{
  if (!ps_kalay_uid_is_valid (uid))
    return NULL;

  return build (cmd_answer, ANSWER_LEN, uid);
}

/* Unscrambles and checks the header; *uid_field points into *plain. */
static gboolean
read_message (const guint8   *data,
              gsize           len,
              const guint8    expected_cmd[3],
              guint8        **plain,
              const guint8  **uid_field,
              GError        **error)
{
  const guint8 *cmd;
  PsByteReader r;
  guint8 magic0, magic1, version, stage;
  guint16 payload_len, zero;

  *plain = NULL;

  if (len == 0 || len > PS_KALAY_MAX_DATAGRAM)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "Kalay datagram of %" G_GSIZE_FORMAT " bytes", len);
      return FALSE;
    }

  *plain = g_malloc (len);
  ps_kalay_unscramble (data, *plain, len);

  r = (PsByteReader) PS_BYTE_READER_INIT (*plain, len);
  if (!ps_byte_reader_get_u8 (&r, &magic0) ||
      !ps_byte_reader_get_u8 (&r, &magic1) ||
      !ps_byte_reader_get_u8 (&r, &version) ||
      !ps_byte_reader_get_u8 (&r, &stage) ||
      !ps_byte_reader_get_u16_le (&r, &payload_len) ||
      !ps_byte_reader_get_u16_le (&r, &zero) ||
      !ps_byte_reader_get_bytes (&r, 3, &cmd) ||
      !ps_byte_reader_skip (&r, HEADER_LEN - 11))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "Kalay datagram of %" G_GSIZE_FORMAT " bytes is shorter than its header",
                   len);
      return FALSE;
    }
  if (magic0 != 0x04 || magic1 != 0x02)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "not a Kalay datagram (magic %02x %02x)", magic0, magic1);
      return FALSE;
    }
  if (payload_len != ps_byte_reader_remaining (&r))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "Kalay length field %u does not match the %" G_GSIZE_FORMAT
                   " bytes that follow", payload_len, ps_byte_reader_remaining (&r));
      return FALSE;
    }
  if (memcmp (cmd, expected_cmd, 3) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "Kalay message %02x %02x %02x is not the one expected",
                   cmd[0], cmd[1], cmd[2]);
      return FALSE;
    }
  if (!ps_byte_reader_get_bytes (&r, PS_KALAY_UID_LEN, uid_field))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "Kalay message too short for a UID");
      return FALSE;
    }

  return TRUE;
}

static char *
uid_from_field (const guint8  field[PS_KALAY_UID_LEN],
                GError      **error)
{
  char uid[PS_KALAY_UID_LEN + 1];

  memcpy (uid, field, PS_KALAY_UID_LEN);
  uid[PS_KALAY_UID_LEN] = '\0';
  if (!ps_kalay_uid_is_valid (uid))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "Kalay UID is not 20 characters of A-Z, 0-9");
      return NULL;
    }

  return g_strdup (uid);
}

gboolean
ps_kalay_parse (const guint8  *data,
                gsize          len,
                PsSighting   **out,
                GError       **error)
{
  g_autofree guint8 *plain = NULL;
  const guint8 *field;
  char *uid;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (out != NULL && *out == NULL, FALSE);

  if (!read_message (data, len, cmd_answer, &plain, &field, error))
    return FALSE;
  if ((uid = uid_from_field (field, error)) == NULL)
    return FALSE;

  *out = ps_sighting_new (PS_PROTOCOL_KALAY);
  (*out)->p2p_uid = uid;

  return TRUE;
}

gboolean
ps_kalay_parse_lan_search (const guint8  *data,
                           gsize          len,
                           char         **uid_wanted,
                           GError       **error)
{
  static const guint8 any[PS_KALAY_UID_LEN] = { 0 };
  g_autofree guint8 *plain = NULL;
  const guint8 *field;
  char *uid = NULL;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  if (!read_message (data, len, cmd_search, &plain, &field, error))
    return FALSE;
  if (memcmp (field, any, sizeof any) != 0 && (uid = uid_from_field (field, error)) == NULL)
    return FALSE;

  if (uid_wanted != NULL)
    *uid_wanted = uid;
  else
    g_free (uid);

  return TRUE;
}
