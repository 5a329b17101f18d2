/* bench-ice.h: what the parts of bench-ice share
 *
 * bench-ice.c runs the cells and reports; bench-ice-run.c watches a
 * viewer's session the same way for both contenders and makes the
 * camera's source; bench-ice-lab.c puts the camera side in another
 * network namespace (the srflx cell, across the lab's NATs).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#define GST_USE_UNSTABLE_API

#include <gio/gio.h>
#include <gst/gst.h>
#include <gst/webrtc/webrtc.h>

#include "ps-p2p-identity.h"
#include "ps-p2p-publisher.h"
#include "ps-p2p-session.h"
#include "ps-percentiles.h"

#define TOKEN     "bench-ice-account-token-0123456789"

#define SOURCE_DESCRIPTION \
  "videotestsrc is-live=true ! video/x-raw,width=640,height=360,framerate=30/1 ! " \
  "x264enc tune=zerolatency speed-preset=ultrafast key-int-max=30"

typedef enum {
  CONTENDER_BASELINE,
  CONTENDER_PEERSCOPE,
  N_CONTENDERS
} Contender;

extern const char *contender_names[N_CONTENDERS];

typedef enum {
  MARK_CAMERA,
  MARK_OFFER,
  MARK_ICE,
  MARK_DTLS,
  MARK_PAD,
  MARK_FRAME,
  N_MARKS
} Mark;

extern const char *mark_names[N_MARKS];

/* One session.  Streaming threads write the marks; runs are kept until the
 * end so that a late callback never touches freed memory. */
typedef struct
{
  GMutex        lock;
  gint64        t0;
  gint64        marks[N_MARKS];
  char         *error;
  gboolean      timed_out;
  char         *pair;            /* "host/host", "relay/relay", ...: the viewer's selected pair */

  GstElement   *viewer;          /* the viewer's pipeline */
  GstElement   *viewer_webrtc;
  GstElement   *sender;          /* baseline only: the camera's pipeline */
  GstElement   *sender_webrtc;
  PsP2pSession *session;         /* peerscope only */
} Run;

typedef struct
{
  const char     *name;          /* "host", "relay", "srflx" */
  gboolean        lab;           /* srflx: the camera is in another namespace */
  char           *device_id;     /* lab: the helper's Peerscope camera */
  char           *turn_url;      /* relay: turn://u:p@127.0.0.1:PORT */
  PsP2pIdentity  *identity;
  PsP2pPublisher *publisher;
  PsPercentiles  *marks[N_CONTENDERS][N_MARKS];
  PsPercentiles  *steps[N_CONTENDERS][N_MARKS];   /* from the mark before (or the start) */
  guint           ok[N_CONTENDERS];
  guint           failed[N_CONTENDERS];
} Cell;

extern Run *current_run;   /* the camera's source marks it */
extern void (*source_made_hook) (void);   /* the lab's helper: tell the viewer */

/* bench-ice-run.c */
void        run_mark        (Run        *run,
                             Mark        which);
void        run_fail        (Run        *run,
                             const char *format,
                             ...) G_GNUC_PRINTF (2, 3);
gboolean    run_is_done     (Run        *run);
double      run_ms          (Run        *run,
                             Mark        which);
void        watch_viewer    (Run        *run);
/* Iterates the main context for MS milliseconds */
void        spin_ms         (guint       ms);
GstElement *make_source     (gpointer    user_data,
                             gpointer    key,
                             GError    **error);
/* The camera's pipeline for the baseline: the source, h264parse and
 * rtph264pay as PsP2pPublisher sets them, and a stock webrtcbin */
GstElement *baseline_sender_new (GstElement **webrtc);

/* bench-ice-lab.c */
/* In the camera's namespace: publish a Peerscope camera and serve the
 * baseline's camera side over stdin/stdout; returns the exit status */
int         lab_helper_main      (const char  *rendezvous_url,
                                  const char  *stun_url);
/* In the viewer's namespace: start the helper in NETNS */
gboolean    lab_camera_start     (Cell        *cell,
                                  const char  *netns,
                                  const char  *rendezvous_url,
                                  const char  *stun_url,
                                  GError     **error);
void        lab_camera_stop      (void);
void        lab_baseline_start   (Cell        *cell,
                                  Run         *run,
                                  const char  *stun_url);
/* Ends the baseline's session on both sides; waits until the camera side
 * holds no session of either contender (at most 3 s) */
void        lab_run_stop         (Run         *run);
