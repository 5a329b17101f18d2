/* ps-emulator-cgi.h: a Foscam-style CGI (/cgi-bin/CGIProxy.fcgi) with the
 * P2P and UPnP switches
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "ps-emulator-log.h"
#include "ps-emulator-phone-home.h"

G_BEGIN_DECLS

#define PS_EMULATOR_CGI_PATH "/cgi-bin/CGIProxy.fcgi"

typedef struct _PsEmulatorCgi PsEmulatorCgi;

/* Serves PS_EMULATOR_CGI_PATH on server. user NULL: any usr/pwd will do.
 * phone_home (may be NULL) hears of setP2PEnable. The strings and
 * phone_home must outlive the CGI. */
PsEmulatorCgi *ps_emulator_cgi_new  (SoupServer          *server,
                                     const char          *user,
                                     const char          *password,
                                     PsEmulatorPhoneHome *phone_home,
                                     PsEmulatorLog       *log);
void           ps_emulator_cgi_free (PsEmulatorCgi       *self);

G_END_DECLS
