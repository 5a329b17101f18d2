/* ps-cli-qr.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ps-cli-qr.h"

#ifdef HAVE_QRENCODE
#include <qrencode.h>

#define QUIET_ZONE 2

/* A module of the symbol with its quiet zone, dark or not */
static gboolean
dark (const QRcode *code,
      int           x,
      int           y)
{
  x -= QUIET_ZONE;
  y -= QUIET_ZONE;
  if (x < 0 || y < 0 || x >= code->width || y >= code->width)
    return FALSE;

  return (code->data[y * code->width + x] & 1) != 0;
}

char *
ps_cli_qr_text (const char *data)
{
  QRcode *code;
  GString *text;
  int size;

  g_return_val_if_fail (data != NULL, NULL);

  code = QRcode_encodeString (data, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  if (code == NULL)
    return NULL;

  /* light modules are printed dark: terminals are mostly light on dark,
   * and scanners want dark modules on a light ground */
  size = code->width + 2 * QUIET_ZONE;
  text = g_string_new (NULL);
  for (int y = 0; y < size; y += 2)
    {
      for (int x = 0; x < size; x++)
        {
          gboolean top = !dark (code, x, y);
          gboolean bottom = y + 1 < size ? !dark (code, x, y + 1) : FALSE;

          if (top && bottom)
            g_string_append (text, "█");
          else if (top)
            g_string_append (text, "▀");
          else if (bottom)
            g_string_append (text, "▄");
          else
            g_string_append_c (text, ' ');
        }
      g_string_append_c (text, '\n');
    }
  QRcode_free (code);

  return g_string_free (text, FALSE);
}

#else

char *
ps_cli_qr_text (const char *data)
{
  return NULL;
}

#endif
