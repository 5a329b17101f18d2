/* ps-pppp.c: CS2 Network "PPPP" LAN search, a pure codec
 *
 * Wire format (all integers big-endian):
 *
 *   F1 <type> <len:2> <len bytes of payload>
 *
 *   MSG_LAN_SEARCH      F1 30 00 00   (MSG_LAN_SEARCH_EXT: F1 32 00 00)
 *   MSG_PUNCH_PKT       F1 41 00 14   prefix[8] serial:4 check[8]
 *   MSG_P2P_RDY         F1 42 00 14   same payload
 *
 * Prefix and check code are NUL-terminated within their 8-byte fields (the
 * vendor library copies at most 7 characters), so at most 7 characters of
 * A-Z and 0-9 each. The serial prints as decimal, zero-padded to 6 digits.
 *
 * Obfuscation ("P2P_Proprietary_Encrypt"): a 4-byte seed is derived from the
 * key (sum, negated sum, sum of each byte / 3, xor of all bytes, each mod
 * 256); byte i is XORed with TABLE[(seed[p & 3] + p) & 0xff], where p is the
 * previous *ciphertext* byte (0 for the first byte). Encryption and
 * decryption differ only in which byte feeds back.
 *
 * Checked against public references, not copied from them:
 *  - layout, port 32108, 0x30/0x32/0x41 and the zero-padded serial:
 *    pmarrapese/iot p2p/lansearch/lansearch.py
 *  - the 256-byte table, the feedback rule and a real "camera"-keyed
 *    PUNCH_PKT (DGOA-933765-NDBND), encrypted and plain:
 *    DavidVentura/cam-reverse encode.ts and tests/encode.test.js; its seed
 *    69 97 CC 19 is what the derivation above gives for "camera" (see
 *    tests/test-pppp.c).
 *
 * Never send anything to UDP 32100 (the vendor's P2P server port).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-pppp"

#include <gio/gio.h>
#include <string.h>

#include "ps-byte-reader.h"
#include "ps-pppp.h"

#define HEADER_LEN      4
#define PUNCH_BODY_LEN  20
#define FIELD_LEN       8
#define UID_MAX         64

const char * const ps_pppp_known_keys[] = { "camera", "SHIX", "SSD@cs2-network.", NULL };

static const guint8 table[256] = {
  0x7C, 0x9C, 0xE8, 0x4A, 0x13, 0xDE, 0xDC, 0xB2, 0x2F, 0x21, 0x23, 0xE4, 0x30, 0x7B, 0x3D, 0x8C,
  0xBC, 0x0B, 0x27, 0x0C, 0x3C, 0xF7, 0x9A, 0xE7, 0x08, 0x71, 0x96, 0x00, 0x97, 0x85, 0xEF, 0xC1,
  0x1F, 0xC4, 0xDB, 0xA1, 0xC2, 0xEB, 0xD9, 0x01, 0xFA, 0xBA, 0x3B, 0x05, 0xB8, 0x15, 0x87, 0x83,
  0x28, 0x72, 0xD1, 0x8B, 0x5A, 0xD6, 0xDA, 0x93, 0x58, 0xFE, 0xAA, 0xCC, 0x6E, 0x1B, 0xF0, 0xA3,
  0x88, 0xAB, 0x43, 0xC0, 0x0D, 0xB5, 0x45, 0x38, 0x4F, 0x50, 0x22, 0x66, 0x20, 0x7F, 0x07, 0x5B,
  0x14, 0x98, 0x1D, 0x9B, 0xA7, 0x2A, 0xB9, 0xA8, 0xCB, 0xF1, 0xFC, 0x49, 0x47, 0x06, 0x3E, 0xB1,
  0x0E, 0x04, 0x3A, 0x94, 0x5E, 0xEE, 0x54, 0x11, 0x34, 0xDD, 0x4D, 0xF9, 0xEC, 0xC7, 0xC9, 0xE3,
  0x78, 0x1A, 0x6F, 0x70, 0x6B, 0xA4, 0xBD, 0xA9, 0x5D, 0xD5, 0xF8, 0xE5, 0xBB, 0x26, 0xAF, 0x42,
  0x37, 0xD8, 0xE1, 0x02, 0x0A, 0xAE, 0x5F, 0x1C, 0xC5, 0x73, 0x09, 0x4E, 0x69, 0x24, 0x90, 0x6D,
  0x12, 0xB3, 0x19, 0xAD, 0x74, 0x8A, 0x29, 0x40, 0xF5, 0x2D, 0xBE, 0xA5, 0x59, 0xE0, 0xF4, 0x79,
  0xD2, 0x4B, 0xCE, 0x89, 0x82, 0x48, 0x84, 0x25, 0xC6, 0x91, 0x2B, 0xA2, 0xFB, 0x8F, 0xE9, 0xA6,
  0xB0, 0x9E, 0x3F, 0x65, 0xF6, 0x03, 0x31, 0x2E, 0xAC, 0x0F, 0x95, 0x2C, 0x5C, 0xED, 0x39, 0xB7,
  0x33, 0x6C, 0x56, 0x7E, 0xB4, 0xA0, 0xFD, 0x7A, 0x81, 0x53, 0x51, 0x86, 0x8D, 0x9F, 0x77, 0xFF,
  0x6A, 0x80, 0xDF, 0xE2, 0xBF, 0x10, 0xD7, 0x75, 0x64, 0x57, 0x76, 0xF3, 0x55, 0xCD, 0xD0, 0xC8,
  0x18, 0xE6, 0x36, 0x41, 0x62, 0xCF, 0x99, 0xF2, 0x32, 0x4C, 0x67, 0x60, 0x61, 0x92, 0xCA, 0xD3,
  0xEA, 0x63, 0x7D, 0x16, 0xB6, 0x8E, 0xD4, 0x68, 0x35, 0xC3, 0x52, 0x9D, 0x46, 0x44, 0x1E, 0x17,
};

void
ps_pppp_derive_seed (const char *psk,
                     guint8      seed[4])
{
  guint sum = 0, third = 0, xor = 0;

  g_return_if_fail (psk != NULL);

  for (const guchar *p = (const guchar *) psk; *p != '\0'; p++)
    {
      sum += *p;
      third += *p / 3;
      xor ^= *p;
    }
  seed[0] = (guint8) sum;
  seed[1] = (guint8) (0u - sum);
  seed[2] = (guint8) third;
  seed[3] = (guint8) xor;
}

static inline guint8
keystream (const guint8 seed[4],
           guint8       prev)
{
  return table[(guint8) (seed[prev & 3] + prev)];
}

void
ps_pppp_encrypt (const char   *psk,
                 const guint8 *data,
                 guint8       *out,
                 gsize         len)
{
  guint8 seed[4];
  guint8 prev = 0;

  g_return_if_fail (psk != NULL);
  g_return_if_fail (len == 0 || (data != NULL && out != NULL));

  ps_pppp_derive_seed (psk, seed);
  for (gsize i = 0; i < len; i++)
    {
      out[i] = data[i] ^ keystream (seed, prev);
      prev = out[i];
    }
}

void
ps_pppp_decrypt (const char   *psk,
                 const guint8 *data,
                 guint8       *out,
                 gsize         len)
{
  guint8 seed[4];
  guint8 prev = 0;

  g_return_if_fail (psk != NULL);
  g_return_if_fail (len == 0 || (data != NULL && out != NULL));

  ps_pppp_derive_seed (psk, seed);
  for (gsize i = 0; i < len; i++)
    {
      guint8 in = data[i];

      out[i] = in ^ keystream (seed, prev);
      prev = in;
    }
}

static gboolean
has_key (const char *psk)
{
  return psk != NULL && psk[0] != '\0';
}

static GBytes *
finish (guint8     *buf,
        gsize       len,
        const char *psk)
{
  if (has_key (psk))
    ps_pppp_encrypt (psk, buf, buf, len);

  return g_bytes_new_take (buf, len);
}

GBytes *
ps_pppp_build_lan_search (guint8      msg_type,
                          const char *psk)
{
  guint8 *buf;

  g_return_val_if_fail (msg_type == PS_PPPP_MSG_LAN_SEARCH ||
                        msg_type == PS_PPPP_MSG_LAN_SEARCH_EXT, NULL);

  buf = g_new0 (guint8, HEADER_LEN);
  buf[0] = PS_PPPP_MAGIC;
  buf[1] = msg_type;

  return finish (buf, HEADER_LEN, psk);
}

static gboolean
is_code_char (char c)
{
  return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* 1..7 characters of [A-Z0-9], then NUL up to the end of the field. */
static gboolean
read_field (const guint8  field[FIELD_LEN],
            char          text[FIELD_LEN],
            const char   *what,
            GError      **error)
{
  gsize n = 0;

  while (n < FIELD_LEN && field[n] != 0)
    {
      if (!is_code_char ((char) field[n]))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "PPPP %s has a byte 0x%02x outside A-Z, 0-9", what, field[n]);
          return FALSE;
        }
      n++;
    }
  if (n == 0 || n == FIELD_LEN)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "PPPP %s is %s", what, n == 0 ? "empty" : "not NUL-terminated");
      return FALSE;
    }
  for (gsize i = n; i < FIELD_LEN; i++)
    if (field[i] != 0)
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                     "PPPP %s has bytes after its NUL padding", what);
        return FALSE;
      }

  memcpy (text, field, n);
  text[n] = '\0';

  return TRUE;
}

/* Reads the F1 header; the payload must be exactly the rest. */
static gboolean
read_header (PsByteReader  *r,
             guint8        *msg_type,
             guint16       *payload_len,
             GError       **error)
{
  guint8 magic;

  if (!ps_byte_reader_get_u8 (r, &magic) ||
      !ps_byte_reader_get_u8 (r, msg_type) ||
      !ps_byte_reader_get_u16_be (r, payload_len))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "PPPP datagram of %" G_GSIZE_FORMAT " bytes is shorter than its header",
                   r->len);
      return FALSE;
    }
  if (magic != PS_PPPP_MAGIC)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "not a PPPP datagram (magic 0x%02x)", magic);
      return FALSE;
    }
  if (*payload_len != ps_byte_reader_remaining (r))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "PPPP length field %u does not match the %" G_GSIZE_FORMAT
                   " bytes that follow", *payload_len, ps_byte_reader_remaining (r));
      return FALSE;
    }

  return TRUE;
}

/* A plaintext copy of the datagram (data itself when there is no key). */
static const guint8 *
plaintext (const guint8  *data,
           gsize          len,
           const char    *psk,
           guint8       **owned,
           GError       **error)
{
  *owned = NULL;

  if (len > PS_PPPP_MAX_DATAGRAM)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "PPPP datagram of %" G_GSIZE_FORMAT " bytes is too large", len);
      return NULL;
    }
  if (len == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "empty PPPP datagram");
      return NULL;
    }
  if (!has_key (psk))
    return data;

  *owned = g_malloc (len);
  ps_pppp_decrypt (psk, data, *owned, len);

  return *owned;
}

gboolean
ps_pppp_parse (const guint8  *data,
               gsize          len,
               const char    *psk,
               PsSighting   **out,
               GError       **error)
{
  g_autofree guint8 *owned = NULL;
  const guint8 *plain, *prefix_field, *check_field;
  char prefix[FIELD_LEN], check[FIELD_LEN];
  PsByteReader r;
  guint8 msg_type;
  guint16 payload_len;
  guint32 serial;
  PsSighting *sighting;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (out != NULL && *out == NULL, FALSE);

  plain = plaintext (data, len, psk, &owned, error);
  if (plain == NULL)
    return FALSE;

  r = (PsByteReader) PS_BYTE_READER_INIT (plain, len);
  if (!read_header (&r, &msg_type, &payload_len, error))
    return FALSE;
  if (msg_type != PS_PPPP_MSG_PUNCH_PKT && msg_type != PS_PPPP_MSG_P2P_RDY)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "PPPP message 0x%02x is not a PUNCH_PKT or P2P_RDY", msg_type);
      return FALSE;
    }
  if (payload_len != PUNCH_BODY_LEN ||
      !ps_byte_reader_get_bytes (&r, FIELD_LEN, &prefix_field) ||
      !ps_byte_reader_get_u32_be (&r, &serial) ||
      !ps_byte_reader_get_bytes (&r, FIELD_LEN, &check_field))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "PPPP device id of %u bytes, expected %u", payload_len, PUNCH_BODY_LEN);
      return FALSE;
    }
  if (!read_field (prefix_field, prefix, "prefix", error) ||
      !read_field (check_field, check, "check code", error))
    return FALSE;

  sighting = ps_sighting_new (PS_PROTOCOL_CS2_PPPP);
  sighting->p2p_uid = g_strdup_printf ("%s-%06" G_GUINT32_FORMAT "-%s", prefix, serial, check);
  *out = sighting;

  return TRUE;
}

gboolean
ps_pppp_try_all (const guint8  *data,
                 gsize          len,
                 PsSighting   **out,
                 char         **psk_used)
{
  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (out != NULL && *out == NULL, FALSE);

  if (psk_used != NULL)
    *psk_used = NULL;

  if (ps_pppp_parse (data, len, NULL, out, NULL))
    return TRUE;

  for (guint i = 0; ps_pppp_known_keys[i] != NULL; i++)
    if (ps_pppp_parse (data, len, ps_pppp_known_keys[i], out, NULL))
      {
        if (psk_used != NULL)
          *psk_used = g_strdup (ps_pppp_known_keys[i]);
        return TRUE;
      }

  return FALSE;
}

gboolean
ps_pppp_parse_lan_search (const guint8  *data,
                          gsize          len,
                          const char    *psk,
                          guint8        *msg_type,
                          GError       **error)
{
  g_autofree guint8 *owned = NULL;
  const guint8 *plain;
  PsByteReader r;
  guint16 payload_len;
  guint8 type;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  plain = plaintext (data, len, psk, &owned, error);
  if (plain == NULL)
    return FALSE;

  r = (PsByteReader) PS_BYTE_READER_INIT (plain, len);
  if (!read_header (&r, &type, &payload_len, error))
    return FALSE;
  if ((type != PS_PPPP_MSG_LAN_SEARCH && type != PS_PPPP_MSG_LAN_SEARCH_EXT) ||
      payload_len != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "PPPP message 0x%02x of %u bytes is not a LAN search", type, payload_len);
      return FALSE;
    }

  if (msg_type != NULL)
    *msg_type = type;

  return TRUE;
}

/* Splits PREFIX-SERIAL-CHECK; FALSE unless each part is valid. */
static gboolean
split_uid (const char *uid,
           char        prefix[FIELD_LEN],
           guint32    *serial,
           char        check[FIELD_LEN])
{
  g_auto(GStrv) parts = NULL;
  guint64 value;

  if (strlen (uid) > UID_MAX)
    return FALSE;
  parts = g_strsplit (uid, "-", -1);
  if (g_strv_length (parts) != 3)
    return FALSE;

  for (guint i = 0; i < 3; i += 2)
    {
      gsize n = strlen (parts[i]);

      if (n == 0 || n >= FIELD_LEN)
        return FALSE;
      for (gsize j = 0; j < n; j++)
        if (!is_code_char (parts[i][j]))
          return FALSE;
    }
  if (parts[1][0] == '\0' || strlen (parts[1]) > 10 ||
      !g_ascii_string_to_unsigned (parts[1], 10, 0, G_MAXUINT32, &value, NULL))
    return FALSE;

  memset (prefix, 0, FIELD_LEN);
  memset (check, 0, FIELD_LEN);
  memcpy (prefix, parts[0], strlen (parts[0]));
  memcpy (check, parts[2], strlen (parts[2]));
  *serial = (guint32) value;

  return TRUE;
}

GBytes *
ps_pppp_build_punch (const char *uid,
                     guint8      msg_type,
                     const char *psk)
{
  char prefix[FIELD_LEN], check[FIELD_LEN];
  guint32 serial;
  guint8 *buf;

  g_return_val_if_fail (uid != NULL, NULL);
  g_return_val_if_fail (msg_type == PS_PPPP_MSG_PUNCH_PKT ||
                        msg_type == PS_PPPP_MSG_P2P_RDY, NULL);

  if (!split_uid (uid, prefix, &serial, check))
    return NULL;

  buf = g_new0 (guint8, HEADER_LEN + PUNCH_BODY_LEN);
  buf[0] = PS_PPPP_MAGIC;
  buf[1] = msg_type;
  buf[2] = 0;
  buf[3] = PUNCH_BODY_LEN;
  memcpy (buf + 4, prefix, FIELD_LEN);
  buf[12] = (guint8) (serial >> 24);
  buf[13] = (guint8) (serial >> 16);
  buf[14] = (guint8) (serial >> 8);
  buf[15] = (guint8) serial;
  memcpy (buf + 16, check, FIELD_LEN);

  return finish (buf, HEADER_LEN + PUNCH_BODY_LEN, psk);
}
