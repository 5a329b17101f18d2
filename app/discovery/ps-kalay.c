/* ps-kalay.c: ThroughTek Kalay (TUTK IOTC) LAN search, a pure codec
 *
 * Plain IOTC datagram (multi-byte integers little-endian):
 *
 *   0  04 02          magic
 *   2  version        0x19 from SDK 3.x clients; 0x1a, 0x1d seen from 4.x
 *   3  02             stage (02 here: the whole datagram is scrambled)
 *   4  len:2          bytes after this 16-byte header
 *   6  00 00          sequence
 *   8  01 06 21 00    LAN search: message 0x0601, direction 0x0021 (client)
 *      02 06 12 00    its answer: message 0x0602, direction 0x0012 (device)
 *   12 00 x4
 *   16 uid[20]        the device UID ([A-Z0-9]{20})
 *
 * The search, 88 bytes as the TUTK SDK sends it (go2rtc sends the first 68):
 *
 *   36 00 x16
 *   52 sdk:4          client SDK version, 07 00 03 03 = 3.3.0.7
 *   56 session:8      client session id
 *   64 stage          1 for the search, 2 for the direct connect after it
 *   65 00 ...
 *
 * The answer is 200 bytes from most devices (184 reported from one):
 *
 *   36 ...            not known; zero in ours
 *   184 sdk:4         the device's SDK version (len - 16)
 *   188 session:8     the searcher's session id, echoed
 *   196 00 x4
 *
 * On the wire each datagram goes through TUTK's "TransCode": per 16-byte
 * block, rotate the four little-endian words right by 1, 5, 9, 13 bits, XOR
 * with the first 16 bytes of "Charlie is the designer of P2P!!", shuffle
 * the bytes with a fixed involution, rotate right by 3, 7, 11, 15; a shorter
 * tail is XORed and shuffled with the permutation of its length (2, 4, 8)
 * or left in place.
 *
 * Public references, read for facts only (no code taken):
 *  - AlexxIT/go2rtc pkg/tutk/crypto.go (TransCode and its shuffles),
 *    pkg/tutk/session0.go (ConnectByUID: the search; an answer has
 *    02 06 12 00 at offset 8, is "200" bytes, with the SDK version at
 *    len - 16) and pkg/tutk/dtls/conn_dtls.go (msgDisco: 0x0601/0x0602, the
 *    88-byte search of SDK 4.x with the same offsets).
 *  - AlexxIT/go2rtc pull request #2181 (commit 492e7a783fd2,
 *    pkg/xiaomi/legacy/client.go, loockRawPayload): wire bytes captured from
 *    the Mi Home app, among them an 88-byte LAN search; it unscrambles with
 *    this code to exactly the layout above (tests/test-pppp.c checks it,
 *    and a 52-byte datagram whose 4-byte tail proves the tail shuffle). The
 *    PR thread reports 184-byte answers from a loock.cateye.v01.
 *  - caydenm/cuboai custom_components/cuboai/api/crypto.py: the scramble of
 *    16 zero bytes as the native libIOTCAPIs computes it (checked in the
 *    tests), and api/tutk.py: the UID at offset 16 of a 200-byte answer.
 *  - niruse/cuboai custom_components/cuboai/tutk/cuboai_pure.py: the SDK 4.x
 *    search plaintext and the answer echoing the session id at 188.
 *
 * UNVERIFIED: no public capture of an answer was found, so the answer
 * layout rests on the client code above (which reads only the UID, the SDK
 * version and the session echo). Every public client sends the search with
 * the UID it wants; whether devices answer a search whose UID field is
 * empty (what we broadcast to find devices we do not know) is not known.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-kalay"

#include <gio/gio.h>
#include <string.h>

#include "ps-byte-reader.h"
#include "ps-kalay.h"

#define HEADER_LEN          16
#define UID_OFFSET          16
#define SEARCH_LEN          88
#define SEARCH_SDK_OFFSET   52
#define SEARCH_SESSION      56
#define SEARCH_STAGE        64
#define ANSWER_LEN          200
#define ANSWER_SDK_OFFSET   (ANSWER_LEN - 16)
#define ANSWER_SESSION      (ANSWER_LEN - 12)
#define IOTC_VERSION        0x19
#define IOTC_STAGE          0x02
#define STAGE_SEARCH        1

static const guint8 charlie[16] = "Charlie is the d";  /* "...esigner of P2P!!" unused */
static const guint8 cmd_search[4] = { 0x01, 0x06, 0x21, 0x00 };
static const guint8 cmd_answer[4] = { 0x02, 0x06, 0x12, 0x00 };
/* 3.3.0.7, as in the captured search; the emulator answers with the same */
static const guint8 sdk_version[4] = { 0x07, 0x00, 0x03, 0x03 };

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

/* A plain datagram of len bytes with its header and UID filled in */
static guint8 *
new_plain (const guint8  cmd[4],
           gsize         len,
           const char   *uid)
{
  guint8 *plain = g_new0 (guint8, len);

  plain[0] = 0x04;
  plain[1] = 0x02;
  plain[2] = IOTC_VERSION;
  plain[3] = IOTC_STAGE;
  plain[4] = (guint8) (len - HEADER_LEN);
  plain[5] = (guint8) ((len - HEADER_LEN) >> 8);
  memcpy (plain + 8, cmd, 4);
  if (uid != NULL)
    memcpy (plain + UID_OFFSET, uid, PS_KALAY_UID_LEN);

  return plain;
}

static GBytes *
take_scrambled (guint8 *plain,
                gsize   len)
{
  guint8 *wire = g_malloc (len);

  ps_kalay_scramble (plain, wire, len);
  g_free (plain);

  return g_bytes_new_take (wire, len);
}

GBytes *
ps_kalay_build_lan_search (const char *uid)
{
  guint8 *plain;

  if (uid != NULL && !ps_kalay_uid_is_valid (uid))
    return NULL;

  plain = new_plain (cmd_search, SEARCH_LEN, uid);
  memcpy (plain + SEARCH_SDK_OFFSET, sdk_version, sizeof sdk_version);
  for (guint i = 0; i < PS_KALAY_SESSION_LEN; i += 4)
    {
      guint32 r = g_random_int ();

      memcpy (plain + SEARCH_SESSION + i, &r, sizeof r);
    }
  plain[SEARCH_STAGE] = STAGE_SEARCH;

  return take_scrambled (plain, SEARCH_LEN);
}

GBytes *
ps_kalay_build_answer (const char   *uid,
                       const guint8 *session)
{
  guint8 *plain;

  if (!ps_kalay_uid_is_valid (uid))
    return NULL;

  plain = new_plain (cmd_answer, ANSWER_LEN, uid);
  memcpy (plain + ANSWER_SDK_OFFSET, sdk_version, sizeof sdk_version);
  if (session != NULL)
    memcpy (plain + ANSWER_SESSION, session, PS_KALAY_SESSION_LEN);

  return take_scrambled (plain, ANSWER_LEN);
}

/* Unscrambles and checks the header; *uid_field points into *plain. */
static gboolean
read_message (const guint8   *data,
              gsize           len,
              const guint8    expected_cmd[4],
              guint8        **plain,
              const guint8  **uid_field,
              GError        **error)
{
  const guint8 *cmd;
  PsByteReader r;
  guint8 magic0, magic1, version, stage;
  guint16 payload_len, sequence;

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
      !ps_byte_reader_get_u16_le (&r, &sequence) ||
      !ps_byte_reader_get_bytes (&r, 4, &cmd) ||
      !ps_byte_reader_skip (&r, HEADER_LEN - 12))
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
  if (memcmp (cmd, expected_cmd, 4) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "Kalay message %02x %02x %02x %02x is not the one expected",
                   cmd[0], cmd[1], cmd[2], cmd[3]);
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
                           guint8        *session,
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

  if (session != NULL)
    {
      if (len >= SEARCH_SESSION + PS_KALAY_SESSION_LEN)
        memcpy (session, plain + SEARCH_SESSION, PS_KALAY_SESSION_LEN);
      else
        memset (session, 0, PS_KALAY_SESSION_LEN);
    }
  if (uid_wanted != NULL)
    *uid_wanted = uid;
  else
    g_free (uid);

  return TRUE;
}
