/* test-enforcer.c: policies into a real kernel, in a network namespace of
 * the test's own
 *
 * Needs root (CAP_NET_ADMIN): it moves itself into a new network namespace
 * and applies, re-applies and removes policies there, next to a table that
 * is not Peerscope's and must never change.  Dropping forwarded traffic
 * needs two namespaces and a gateway: tests/lab/test-lab-privacy.sh does
 * that.  Without root the whole program skips (exit 77); CI runs as root.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define _GNU_SOURCE

#include <gio/gio.h>
#include <nftables/libnftables.h>
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ps-enforcer.h"
#include "ps-policy-compiler.h"

#define CAMERA     "10.99.1.11"
#define CAMERA6    "fd00:99::11"
#define SUPERNODE  "198.51.100.11"

/* Runs an nft command (test input, constant); returns its JSON output, or
 * NULL when nft failed (and error_text says why). */
static char *
nft (const char  *command,
     char       **error_text)
{
  struct nft_ctx *ctx = nft_ctx_new (NFT_CTX_DEFAULT);
  char *output = NULL;

  g_assert_nonnull (ctx);
  nft_ctx_output_set_flags (ctx, NFT_CTX_OUTPUT_JSON | NFT_CTX_OUTPUT_HANDLE);
  nft_ctx_buffer_output (ctx);
  nft_ctx_buffer_error (ctx);
  if (nft_run_cmd_from_buffer (ctx, command) == 0)
    output = g_strdup (nft_ctx_get_output_buffer (ctx));
  else if (error_text != NULL)
    *error_text = g_strdup (nft_ctx_get_error_buffer (ctx));
  nft_ctx_free (ctx);

  return output;
}

static char *
list_table (const char *family,
            const char *name)
{
  g_autofree char *command = g_strdup_printf ("list table %s %s", family, name);

  return nft (command, NULL);
}

static PsPolicy *
make_policy (PsIntent    intent,
             const char *server)
{
  g_autoptr(PsPolicy) policy = ps_policy_new ();
  g_autoptr(GError) error = NULL;
  const char *addresses[] = { CAMERA, CAMERA6, NULL };
  const char *servers[] = { server, NULL };
  const char *allow[] = { "192.0.2.10", "2001:db8::10", NULL };

  g_assert_true (ps_policy_set_device (policy, "cam1", "02:00:00:00:01:01", addresses, intent,
                                       intent == PS_INTENT_ALLOW_LIST ? allow : NULL, &error));
  g_assert_no_error (error);
  g_assert_true (ps_policy_set_p2p_servers (policy, servers, &error));
  g_assert_no_error (error);

  return g_steal_pointer (&policy);
}

static void
assert_live_digest (PsPolicy *policy)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *live = ps_enforcer_dup_live_digest (&error);
  g_autofree char *digest = policy != NULL ? ps_policy_digest (policy) : NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (live, ==, digest);
}

static void
test_enforcer_supported (void)
{
  g_assert_true (ps_enforcer_is_supported ());
}

static void
test_enforcer_apply_noop_remove (void)
{
  g_autoptr(PsPolicy) block = make_policy (PS_INTENT_BLOCK_VENDOR_P2P, SUPERNODE);
  g_autoptr(PsPolicy) block_again = make_policy (PS_INTENT_BLOCK_VENDOR_P2P, SUPERNODE);
  g_autoptr(PsPolicy) local = make_policy (PS_INTENT_LOCAL_ONLY, SUPERNODE);
  g_autoptr(PsPolicy) allow = make_policy (PS_INTENT_ALLOW_LIST, "198.51.100.21");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) blocked = NULL;
  g_autofree char *other = NULL;
  g_autofree char *other_after = NULL;
  g_autofree char *first = NULL;
  g_autofree char *again = NULL;
  g_autofree char *other_rules = NULL;
  g_autofree char *live = NULL;
  gboolean changed = TRUE;

  /* someone else's table, with a rule and a set: never to be touched */
  other = nft ("add table ip other\n"
               "add set ip other keep { type ipv4_addr; elements = { 192.0.2.1 } }\n"
               "add chain ip other input { type filter hook input priority 0; policy accept; }\n"
               "add rule ip other input ip saddr @keep counter accept\n", NULL);
  g_assert_nonnull (other);
  g_clear_pointer (&other, g_free);
  other = list_table ("ip", "other");
  g_assert_nonnull (other);

  /* nothing there yet: no digest, nothing blocked, removing is fine */
  live = ps_enforcer_dup_live_digest (&error);
  g_assert_no_error (error);
  g_assert_null (live);
  blocked = ps_enforcer_read_blocked (&error);
  g_assert_no_error (error);
  g_assert_nonnull (blocked);
  g_assert_cmpuint (blocked->len, ==, 0);
  g_clear_pointer (&blocked, g_ptr_array_unref);
  g_assert_true (ps_enforcer_remove (&error));
  g_assert_no_error (error);

  /* apply */
  g_assert_true (ps_enforcer_apply (block, &changed, &error));
  g_assert_no_error (error);
  g_assert_true (changed);
  assert_live_digest (block);
  first = list_table ("inet", "peerscope");
  g_assert_nonnull (first);

  /* the same policy again (another object, same content): nothing changes,
   * not even the rules' handles */
  g_assert_true (ps_enforcer_apply (block_again, &changed, &error));
  g_assert_no_error (error);
  g_assert_false (changed);
  again = list_table ("inet", "peerscope");
  g_assert_cmpstr (first, ==, again);

  /* another intent, another digest */
  g_assert_true (ps_enforcer_apply (local, &changed, &error));
  g_assert_no_error (error);
  g_assert_true (changed);
  assert_live_digest (local);
  g_assert_true (ps_enforcer_apply (allow, &changed, &error));
  g_assert_no_error (error);
  g_assert_true (changed);
  assert_live_digest (allow);
  g_assert_true (ps_enforcer_apply (block, &changed, &error));
  g_assert_no_error (error);
  g_assert_true (changed);
  assert_live_digest (block);

  other_after = list_table ("ip", "other");
  g_assert_cmpstr (other, ==, other_after);

  /* remove: the table goes, twice is fine, the other table stays */
  g_assert_true (ps_enforcer_remove (&error));
  g_assert_no_error (error);
  g_assert_null (list_table ("inet", "peerscope"));
  assert_live_digest (NULL);
  g_assert_true (ps_enforcer_remove (&error));
  g_assert_no_error (error);
  g_clear_pointer (&other_after, g_free);
  other_after = list_table ("ip", "other");
  g_assert_cmpstr (other, ==, other_after);

  other_rules = nft ("delete table ip other", NULL);
  g_assert_nonnull (other_rules);
}

/* Whatever sits in the blocked sets is read back per device and peer, with
 * its counters (the kernel fills them; here the test does). */
static void
test_enforcer_read_blocked (void)
{
  g_autoptr(PsPolicy) policy = make_policy (PS_INTENT_BLOCK_VENDOR_P2P, SUPERNODE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) blocked = NULL;
  g_autofree char *added = NULL;
  g_autofree char *added6 = NULL;
  g_autofree char *why = NULL;
  gboolean changed = FALSE;
  gboolean seen4 = FALSE, seen6 = FALSE;

  g_assert_true (ps_enforcer_apply (policy, &changed, &error));
  g_assert_no_error (error);

  added = nft ("add element inet peerscope blocked { " CAMERA " . " SUPERNODE
               " . udp . 32100 counter packets 7 bytes 336 }", &why);
  g_assert_cmpstr (why, ==, NULL);
  g_assert_nonnull (added);
  added6 = nft ("add element inet peerscope blocked6 { " CAMERA6 " . 2001:db8::53"
                " . tcp . 443 counter packets 2 bytes 120 }", &why);
  g_assert_cmpstr (why, ==, NULL);
  g_assert_nonnull (added6);

  blocked = ps_enforcer_read_blocked (&error);
  g_assert_no_error (error);
  g_assert_nonnull (blocked);
  for (guint i = 0; i < blocked->len; i++)
    {
      PsBlockedAttempt *attempt = g_ptr_array_index (blocked, i);

      if (g_str_equal (attempt->device_address, CAMERA))
        {
          g_assert_cmpstr (attempt->peer_address, ==, SUPERNODE);
          g_assert_cmpstr (attempt->protocol, ==, "udp");
          g_assert_cmpuint (attempt->port, ==, 32100);
          g_assert_cmpuint (attempt->packets, ==, 7);
          g_assert_cmpuint (attempt->bytes, ==, 336);
          seen4 = TRUE;
        }
      else if (g_str_equal (attempt->device_address, CAMERA6))
        {
          g_assert_cmpstr (attempt->peer_address, ==, "2001:db8::53");
          g_assert_cmpstr (attempt->protocol, ==, "tcp");
          g_assert_cmpuint (attempt->port, ==, 443);
          g_assert_cmpuint (attempt->packets, ==, 2);
          g_assert_cmpuint (attempt->bytes, ==, 120);
          seen6 = TRUE;
        }
    }
  g_assert_true (seen4);
  g_assert_true (seen6);
  g_assert_cmpuint (blocked->len, ==, 2);

  g_assert_true (ps_enforcer_remove (&error));
  g_assert_no_error (error);
}

/* A table of the same name that someone else made, without a digest, is
 * replaced by the policy (and then carries its digest). */
static void
test_enforcer_foreign_table (void)
{
  g_autoptr(PsPolicy) policy = make_policy (PS_INTENT_LOCAL_ONLY, SUPERNODE);
  g_autoptr(GError) error = NULL;
  g_autofree char *made = NULL;
  g_autofree char *live = NULL;
  gboolean changed = FALSE;

  made = nft ("add table inet peerscope\n"
              "add chain inet peerscope stray { type filter hook output priority 0; policy accept; }\n",
              NULL);
  g_assert_nonnull (made);
  live = ps_enforcer_dup_live_digest (&error);
  g_assert_no_error (error);
  g_assert_null (live);

  g_assert_true (ps_enforcer_apply (policy, &changed, &error));
  g_assert_no_error (error);
  g_assert_true (changed);
  assert_live_digest (policy);

  g_assert_true (ps_enforcer_remove (&error));
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (getuid () != 0)
    {
      g_print ("1..0 # SKIP the enforcer needs root (CI runs as root)\n");
      return 77;
    }

  /* a network of our own: nothing here touches the machine's ruleset */
  if (unshare (CLONE_NEWNET) != 0)
    {
      g_printerr ("Cannot make a network namespace: %s\n", g_strerror (errno));
      return 1;
    }

  g_test_add_func ("/enforcer/supported", test_enforcer_supported);
  g_test_add_func ("/enforcer/apply-noop-remove", test_enforcer_apply_noop_remove);
  g_test_add_func ("/enforcer/read-blocked", test_enforcer_read_blocked);
  g_test_add_func ("/enforcer/foreign-table", test_enforcer_foreign_table);

  return g_test_run ();
}
