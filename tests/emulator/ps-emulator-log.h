/* ps-emulator-log.h: JSON-lines connection and event log
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct _PsEmulatorLog PsEmulatorLog;

/* Every function accepts a NULL log and then does nothing, so callers need
 * not care whether --log was given. All of them are thread-safe. */
PsEmulatorLog *ps_emulator_log_open     (const char     *path,
                                         GError        **error);
void           ps_emulator_log_free     (PsEmulatorLog  *self);
void           ps_emulator_log_accept   (PsEmulatorLog  *self,
                                         const char     *proto,
                                         GSocketAddress *peer,
                                         GSocketAddress *local);
void           ps_emulator_log_keyframe (PsEmulatorLog  *self,
                                         const char     *stream,
                                         const char     *reason);
void           ps_emulator_log_onvif    (PsEmulatorLog  *self,
                                         const char     *action,
                                         gboolean        authorized);

/* For events with members of their own: begin returns a builder holding an
 * open object with "ts_us" and "event"; add members, then write ends the
 * object and appends the line (the builder is not consumed). */
JsonBuilder   *ps_emulator_log_begin    (const char     *event);
void           ps_emulator_log_write    (PsEmulatorLog  *self,
                                         JsonBuilder    *builder);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsEmulatorLog, ps_emulator_log_free)

G_END_DECLS
