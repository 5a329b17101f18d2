/* ps-preferences-window.h: where traffic comes from, GeoIP databases, P2P
 * rules, history and alerts
 *
 * Every change is written to GSettings at once; the application restarts
 * the flow sources when "flow-sources" changes.  With a monitor, the window
 * also shows how each running source is doing, lists the GeoIP databases in
 * use and applies new databases and rules to it straight away.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ps-peer-monitor.h"

G_BEGIN_DECLS

#define PS_TYPE_PREFERENCES_WINDOW (ps_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (PsPreferencesWindow, ps_preferences_window, PS, PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

/* monitor: the running monitor, or NULL */
PsPreferencesWindow *ps_preferences_window_new          (GtkWindow            *parent,
                                                         GSettings            *settings,
                                                         PsPeerMonitor        *monitor);
/* Checks that path is a MaxMind DB, then adds it to "geoip-databases" (and
 * to the monitor).  On failure, also shows why in a toast. */
gboolean             ps_preferences_window_add_database (PsPreferencesWindow  *self,
                                                         const char           *path,
                                                         GError              **error);

G_END_DECLS
