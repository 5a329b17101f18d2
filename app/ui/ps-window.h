/* ps-window.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>
#include <json-glib/json-glib.h>

#include "ps-device.h"
#include "ps-peer-monitor.h"
#include "ps-policy.h"

G_BEGIN_DECLS

#define PS_TYPE_WINDOW (ps_window_get_type ())
G_DECLARE_FINAL_TYPE (PsWindow, ps_window, PS, WINDOW, AdwApplicationWindow)

PsWindow  *ps_window_new              (AdwApplication  *application);
void       ps_window_add_camera       (PsWindow        *self,
                                       PsDevice        *device,
                                       const char      *password,
                                       gboolean         remember);
void       ps_window_load_saved       (PsWindow        *self);
void       ps_window_show_error       (PsWindow        *self,
                                       const char      *message);
/* Find Cameras probes these addresses instead of the LAN (the demo). */
void       ps_window_set_scan_targets (PsWindow           *self,
                                       const char * const *targets);
gboolean   ps_window_open_camera      (PsWindow        *self,
                                       guint            index,
                                       const char      *view);
guint      ps_window_count_playing    (PsWindow        *self,
                                       guint           *n_cameras);
/* Renders the window as it is on screen into a PNG. */
gboolean   ps_window_save_png         (PsWindow        *self,
                                       const char      *path,
                                       GError         **error);
/* Each camera tile: name, state, first frame, and where its video is drawn. */
JsonNode  *ps_window_describe         (PsWindow        *self);
void       ps_window_set_monitor      (PsWindow        *self,
                                       PsPeerMonitor   *monitor);
/* The app's policy, for the cameras' Privacy views; ::policy-changed says
 * when one of them changed it. */
void       ps_window_set_policy       (PsWindow        *self,
                                       PsPolicy        *policy);
/* Where the policy is stored, for the home overview's "what changed since
 * yesterday"; NULL when it lives in memory only (the demo). */
void       ps_window_set_policy_store (PsWindow        *self,
                                       const char      *path);

G_END_DECLS
