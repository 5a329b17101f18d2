/* test-token-file.c: the account tokens of peerscope-rendezvous
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ps-token-file.h"

#define TOKEN_A "0123456789abcdef0123456789abcdef"
#define TOKEN_B "Zm9vYmFyYmF6cXV4LXRva2VuLWI_~.-"

static PsTokenFile *
load (const char *text)
{
  g_autoptr(GError) error = NULL;
  PsTokenFile *tokens;

  tokens = ps_token_file_new_from_data (text, strlen (text), &error);
  g_assert_no_error (error);
  g_assert_nonnull (tokens);

  return tokens;
}

static void
assert_refused (const char *text,
                gsize       length)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PsTokenFile) tokens = NULL;

  tokens = ps_token_file_new_from_data (text, length, &error);
  g_assert_null (tokens);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  /* the message never repeats a token */
  g_assert_null (strstr (error->message, TOKEN_A));
  g_assert_null (strstr (error->message, TOKEN_B));
}

#define REFUSED(text) assert_refused ((text), strlen (text))

static void
test_accounts (void)
{
  g_autoptr(PsTokenFile) tokens = NULL;

  tokens = load ("# homes\n"
                 "\n"
                 "home-a " TOKEN_A "\r\n"
                 "  home_b.2\t" TOKEN_B "   \n"
                 "   # indented comment\n");
  g_assert_cmpuint (ps_token_file_get_n_accounts (tokens), ==, 2);
  g_assert_cmpstr (ps_token_file_lookup (tokens, TOKEN_A), ==, "home-a");
  g_assert_cmpstr (ps_token_file_lookup (tokens, TOKEN_B), ==, "home_b.2");
  g_assert_true (ps_token_file_has_account (tokens, "home-a"));
  g_assert_false (ps_token_file_has_account (tokens, "home-c"));

  g_assert_null (ps_token_file_lookup (tokens, NULL));
  g_assert_null (ps_token_file_lookup (tokens, ""));
  g_assert_null (ps_token_file_lookup (tokens, "home-a"));
  g_assert_null (ps_token_file_lookup (tokens, TOKEN_A "0"));
  g_assert_null (ps_token_file_lookup (tokens, "0123456789abcdef0123456789abcdeF"));
  g_assert_null (ps_token_file_lookup (tokens, "0123456789abcdef0123456789abcde"));
}

static void
test_single (void)
{
  g_autoptr(PsTokenFile) tokens = NULL;

  tokens = load ("\n" TOKEN_A "\n");
  g_assert_cmpuint (ps_token_file_get_n_accounts (tokens), ==, 1);
  g_assert_cmpstr (ps_token_file_lookup (tokens, TOKEN_A), ==, PS_TOKEN_FILE_DEFAULT_ACCOUNT);

  g_clear_object (&tokens);
  tokens = load (TOKEN_B);      /* no final newline */
  g_assert_cmpstr (ps_token_file_lookup (tokens, TOKEN_B), ==, PS_TOKEN_FILE_DEFAULT_ACCOUNT);
}

static void
test_refused (void)
{
  static const char nul[] = "home " TOKEN_A "\0\n";
  g_autoptr(GString) big = g_string_new (NULL);

  REFUSED ("");
  REFUSED ("# only a comment\n\n");
  REFUSED ("home " TOKEN_A " extra\n");
  REFUSED ("home short\n");
  REFUSED ("shorttoken\n");
  REFUSED ("home " TOKEN_A "\xc3\xa9\n");
  REFUSED ("home/x " TOKEN_A "\n");
  REFUSED ("hömé " TOKEN_A "\n");
  REFUSED ("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa " TOKEN_A "\n");
  REFUSED ("home " TOKEN_A "\nhome " TOKEN_B "\n");     /* account twice */
  REFUSED ("a " TOKEN_A "\nb " TOKEN_A "\n");           /* token twice */
  REFUSED (TOKEN_A "\n" TOKEN_B "\n");                  /* two single tokens */
  REFUSED (TOKEN_A "\nhome " TOKEN_B "\n");             /* a single token and more */
  REFUSED ("home " TOKEN_B "\n" TOKEN_A "\n");
  assert_refused (nul, sizeof nul - 1);

  g_string_append (big, "home " TOKEN_A "\n");
  while (big->len <= PS_TOKEN_FILE_MAX_SIZE)
    g_string_append (big, "# padding padding padding padding padding padding\n");
  REFUSED (big->str);
}

static void
test_path (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PsTokenFile) tokens = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ps-token-file-XXXXXX", &error);
  g_autofree char *path = NULL;

  g_assert_no_error (error);
  path = g_build_filename (dir, "tokens", NULL);

  tokens = ps_token_file_new_from_path (path, &error);
  g_assert_null (tokens);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (path, "home " TOKEN_A "\n", -1, &error));
  tokens = ps_token_file_new_from_path (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ps_token_file_lookup (tokens, TOKEN_A), ==, "home");

  g_clear_object (&tokens);
  g_assert_true (g_file_set_contents (path, "home\n", -1, &error));
  tokens = ps_token_file_new_from_path (path, &error);
  g_assert_null (tokens);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, "line 1"));

  g_unlink (path);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/token-file/accounts", test_accounts);
  g_test_add_func ("/token-file/single", test_single);
  g_test_add_func ("/token-file/refused", test_refused);
  g_test_add_func ("/token-file/path", test_path);

  return g_test_run ();
}
