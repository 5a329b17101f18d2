/* ps-discovery-page-private.h: for tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ps-discovery-page.h"

G_BEGIN_DECLS

/* How long a scan round listens, and the pause before the next one while
 * the page is shown (0: one round per scan). */
void _ps_discovery_page_set_timing (PsDiscoveryPage *self,
                                    guint            round_ms,
                                    guint            interval_ms);

G_END_DECLS
