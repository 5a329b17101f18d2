/* ps-peer-json.h: peers as JSON (the `peerscope-cli peers --json` contract) and as CSV
 *
 * Both the CLI and the app's "Export" use these, so a file saved from the app has the same
 * fields as the CLI's report.  CSV follows RFC 4180: a header line, CRLF line ends, and a
 * field with a comma, a double quote, CR or LF is quoted with its quotes doubled.  A text
 * field that a spreadsheet would run as a formula (it starts with =, +, -, @, tab or CR) gets
 * a leading apostrophe: host names come from reverse DNS, which anyone can write.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "ps-peer.h"

G_BEGIN_DECLS

JsonNode *ps_peer_to_json     (PsPeer     *peer);
/* an array of ps_peer_to_json(), in the model's order */
JsonNode *ps_peers_to_json    (GListModel *peers);
/* "2023-11-14T22:13:20.000000Z", or NULL for 0 (unknown) */
char     *ps_peer_format_time (gint64      unix_ms);
char     *ps_peers_to_csv     (GListModel *peers);

G_END_DECLS
