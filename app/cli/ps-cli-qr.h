/* ps-cli-qr.h: a QR code drawn with text, for a terminal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* DATA as a QR code in Unicode half blocks (two modules per character
 * row, dark on a light quiet zone), or NULL when Peerscope was built
 * without libqrencode or DATA does not fit */
char *ps_cli_qr_text (const char *data);

G_END_DECLS
