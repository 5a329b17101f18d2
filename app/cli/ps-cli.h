/* ps-cli.h: shared helpers of the peerscope-cli commands
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Each command returns the process exit status. */
int      ps_cli_view          (int           argc,
                               char        **argv);
int      ps_cli_discover      (int           argc,
                               char        **argv);
int      ps_cli_peers         (int           argc,
                               char        **argv);
int      ps_cli_camera_p2p    (int           argc,
                               char        **argv);
int      ps_cli_bridge        (int           argc,
                               char        **argv);
int      ps_cli_policy        (int           argc,
                               char        **argv);
/* policy changes: the store's change log */
int      ps_cli_policy_changes (int          argc,
                                char       **argv);

/* Prints "peerscope-cli: MESSAGE" on stderr; returns 1. */
int      ps_cli_fail          (const char   *format,
                               ...) G_GNUC_PRINTF (1, 2);
void     ps_cli_print_json    (JsonNode     *node);
char    *ps_cli_read_secret   (const char   *path,
                               GError      **error);

G_END_DECLS
