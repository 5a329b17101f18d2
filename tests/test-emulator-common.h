/* test-emulator-common.h: what the emulator's test cases share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

#define USER         "admin"
#define PASSWORD     "secret"
#define TIMEOUT_S    30

typedef struct
{
  GMainLoop *loop;
  GBytes    *body;
  GError    *error;
  char      *line;
  gboolean   timed_out;
} Wait;

/* Runs the default main context until the callback quits WAIT's loop;
 * fails the test after TIMEOUT_S */
void  wait_run          (Wait         *wait);
/* For g_subprocess_launcher_set_child_setup(): the emulator dies with us */
void  die_with_parent   (gpointer      user_data);
/* Async callbacks that fill a Wait: its line, or its body */
void  on_ready_line_cb  (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data);
void  on_sent_cb        (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data);
char *dup_member        (JsonObject   *object,
                         const char   *name);

/* test-emulator-phone-home.c: its cases, and what they leave to stop
 * after the run */
void  phone_home_add_tests (void);
void  phone_home_cleanup   (void);

G_END_DECLS
