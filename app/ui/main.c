/* main.c: peerscope, the GNOME camera viewer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <gst/gst.h>
#include <locale.h>

#include "ps-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(PsApplication) app = NULL;
  gboolean unique = TRUE;
  int status;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  gst_init (&argc, &argv);

  /* A demo or a capture run is its own instance, never a second window of
   * the user's running Peerscope. */
  for (int i = 1; i < argc; i++)
    if (g_str_has_prefix (argv[i], "--demo") || g_str_has_prefix (argv[i], "--screenshot"))
      unique = FALSE;

  g_set_application_name (_("Peerscope"));
  app = ps_application_new (unique);
  status = g_application_run (G_APPLICATION (app), argc, argv);

  return status != 0 ? status : ps_application_exit_status (app);
}
