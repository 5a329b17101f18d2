/* ps-test-emulator.h: run peerscope-camera-emulator from a test
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  GSubprocess *process;
  char        *rtsp;
  char        *rtsp_sub;
  char        *onvif;
  char        *snapshot;
  guint16      pppp_port;    /* 0 unless started with --pppp-uid */
  guint16      kalay_port;   /* 0 unless started with --kalay-uid */
  guint16      wsd_port;     /* 0 when WS-Discovery is off */
  char        *wsd_endpoint;
} PsTestEmulator;

/* Starts the emulator with the given extra arguments (NULL-terminated) and
 * waits for its ready line; fails the test if it does not come. */
PsTestEmulator *ps_test_emulator_start (const char     *first_arg,
                                        ...) G_GNUC_NULL_TERMINATED;
void            ps_test_emulator_stop  (PsTestEmulator *emulator);
guint16         ps_test_free_port      (void);
/* A UDP socket bound to 127.0.0.1 on a free port. */
GSocket        *ps_test_udp_socket     (void);
/* Runs the default main context until check() is TRUE or timeout_ms passes. */
gboolean        ps_test_wait_until     (gboolean      (*check) (gpointer data),
                                        gpointer        data,
                                        guint           timeout_ms);

/* GStreamer 1.22's rtspsrc can post "gst_event_set_seqnum: assertion
 * 'seqnum != GST_SEQNUM_INVALID' failed" from its own thread when a
 * connection attempt is torn down; fixed upstream. It is not fatal for our
 * tests; every other warning and critical still is. GLib resets this at
 * each test case: ps_test_wait_until() sets it again. */
void            ps_test_tolerate_gst_bugs (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsTestEmulator, ps_test_emulator_stop)

G_END_DECLS
