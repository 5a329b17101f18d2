/* ps-token-file.c: the account tokens peerscope-rendezvous accepts
 *
 * An account is a home: the cameras and viewers that share one secret
 * token see and reach only each other.  The file holds either
 *
 *   # comments and empty lines are skipped
 *   ACCOUNT TOKEN
 *   ACCOUNT TOKEN
 *   …
 *
 * or a single TOKEN on a line of its own, for a server with one home (the
 * account is then called "default").  ACCOUNT is 1 to 64 characters of
 * [A-Za-z0-9._-]; TOKEN is 16 to 512 printable ASCII characters without
 * spaces (e.g. `openssl rand -hex 32`), best kept to [A-Za-z0-9._~-] so that
 * it needs no escaping in a URL.  Accounts and tokens are unique.
 *
 * Only SHA-256 digests of the tokens are kept; a presented token is hashed
 * and compared in full against every account's digest, so that the time a
 * check takes says nothing about how much of a token was right.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-token-file"

#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "ps-token-file.h"

#define DIGEST_SIZE 32

typedef struct
{
  char   *account;
  guint8  digest[DIGEST_SIZE];
} Entry;

struct _PsTokenFile
{
  GObject  parent_instance;

  GArray  *entries;     /* Entry */
};

G_DEFINE_FINAL_TYPE (PsTokenFile, ps_token_file, G_TYPE_OBJECT)

static void
entry_clear (gpointer data)
{
  Entry *entry = data;

  g_clear_pointer (&entry->account, g_free);
  memset (entry->digest, 0, sizeof entry->digest);
}

static void
ps_token_file_finalize (GObject *object)
{
  PsTokenFile *self = (PsTokenFile *) object;

  g_clear_pointer (&self->entries, g_array_unref);

  G_OBJECT_CLASS (ps_token_file_parent_class)->finalize (object);
}

static void
ps_token_file_class_init (PsTokenFileClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ps_token_file_finalize;
}

static void
ps_token_file_init (PsTokenFile *self)
{
  self->entries = g_array_new (FALSE, TRUE, sizeof (Entry));
  g_array_set_clear_func (self->entries, entry_clear);
}

static void
digest_token (const char *token,
              gsize       length,
              guint8      digest[DIGEST_SIZE])
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize digest_size = DIGEST_SIZE;

  g_checksum_update (checksum, (const guchar *) token, (gssize) length);
  g_checksum_get_digest (checksum, digest, &digest_size);
  g_assert (digest_size == DIGEST_SIZE);
}

static gboolean
token_is_valid_len (const char *token,
                    gsize       length)
{
  if (length < PS_TOKEN_MIN_LENGTH || length > PS_TOKEN_MAX_LENGTH)
    return FALSE;

  for (gsize i = 0; i < length; i++)
    if ((guchar) token[i] <= 0x20 || (guchar) token[i] >= 0x7f)
      return FALSE;

  return TRUE;
}

gboolean
ps_token_is_valid (const char *token)
{
  return token != NULL && token_is_valid_len (token, strnlen (token, PS_TOKEN_MAX_LENGTH + 1));
}

static gboolean
account_is_valid (const char *account,
                  gsize       length)
{
  if (length == 0 || length > PS_ACCOUNT_MAX_LENGTH)
    return FALSE;

  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isalnum (account[i]) && strchr ("._-", account[i]) == NULL)
      return FALSE;

  return TRUE;
}

static gboolean
line_error (GError     **error,
            guint        line,
            const char  *message)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "Token file, line %u: %s", line,
               message);
  return FALSE;
}

/* Splits [start, end) at blanks into at most three fields. */
static guint
split_fields (const char  *start,
              const char  *end,
              const char **fields,
              gsize       *lengths)
{
  guint n = 0;
  const char *p = start;

  while (p < end && n < 3)
    {
      const char *field;

      while (p < end && (*p == ' ' || *p == '\t'))
        p++;
      if (p == end)
        break;

      field = p;
      while (p < end && *p != ' ' && *p != '\t')
        p++;
      fields[n] = field;
      lengths[n] = (gsize) (p - field);
      n++;
    }

  return n;
}

static gboolean
add_entry (PsTokenFile  *self,
           const char   *account,
           gsize         account_length,
           const char   *token,
           gsize         token_length,
           guint         line,
           GError      **error)
{
  Entry entry = { NULL, { 0 } };

  if (!account_is_valid (account, account_length))
    return line_error (error, line,
                       "the account name is not 1 to 64 characters of A-Z a-z 0-9 . _ -");
  if (!token_is_valid_len (token, token_length))
    return line_error (error, line,
                       "the token is not 16 to 512 printable characters without spaces");
  if (self->entries->len >= PS_TOKEN_FILE_MAX_ACCOUNTS)
    return line_error (error, line, "too many accounts");

  digest_token (token, token_length, entry.digest);
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *other = &g_array_index (self->entries, Entry, i);

      if (strlen (other->account) == account_length
          && memcmp (other->account, account, account_length) == 0)
        return line_error (error, line, "the account is listed twice");
      if (memcmp (other->digest, entry.digest, DIGEST_SIZE) == 0)
        return line_error (error, line, "the token is already another account's");
    }

  entry.account = g_strndup (account, account_length);
  g_array_append_val (self->entries, entry);

  return TRUE;
}

PsTokenFile *
ps_token_file_new_from_data (const char  *data,
                             gsize        length,
                             GError     **error)
{
  g_autoptr(PsTokenFile) self = NULL;
  const char *p = data;
  const char *end = data + length;
  gboolean single = FALSE;
  guint line = 0;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (length > PS_TOKEN_FILE_MAX_SIZE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "The token file is larger than %u bytes", PS_TOKEN_FILE_MAX_SIZE);
      return NULL;
    }
  if (length > 0 && memchr (data, '\0', length) != NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "The token file is not text");
      return NULL;
    }

  self = g_object_new (PS_TYPE_TOKEN_FILE, NULL);

  while (p < end)
    {
      const char *newline = memchr (p, '\n', (gsize) (end - p));
      const char *line_end = newline != NULL ? newline : end;
      const char *fields[3];
      gsize lengths[3];
      guint n;

      line++;
      if (line_end > p && line_end[-1] == '\r')
        line_end--;

      n = split_fields (p, line_end, fields, lengths);
      p = newline != NULL ? newline + 1 : end;

      if (n == 0 || fields[0][0] == '#')
        continue;
      if (n == 3)
        {
          line_error (error, line, "expected “ACCOUNT TOKEN” or a single token");
          return NULL;
        }
      if (single || (n == 1 && self->entries->len > 0))
        {
          line_error (error, line, "a file with a single token holds nothing else");
          return NULL;
        }
      if (n == 1)
        {
          single = TRUE;
          if (!add_entry (self, PS_TOKEN_FILE_DEFAULT_ACCOUNT,
                          strlen (PS_TOKEN_FILE_DEFAULT_ACCOUNT), fields[0], lengths[0], line,
                          error))
            return NULL;
        }
      else if (!add_entry (self, fields[0], lengths[0], fields[1], lengths[1], line, error))
        return NULL;
    }

  if (self->entries->len == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "The token file holds no token");
      return NULL;
    }

  return g_steal_pointer (&self);
}

PsTokenFile *
ps_token_file_new_from_path (const char  *path,
                             GError     **error)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GBytes) bytes = NULL;
  PsTokenFile *self;

  g_return_val_if_fail (path != NULL, NULL);

  /* read at most one byte more than allowed: a huge file is not slurped */
  file = g_file_new_for_path (path);
  stream = g_file_read (file, NULL, error);
  if (stream == NULL)
    return NULL;
  bytes = g_input_stream_read_bytes (G_INPUT_STREAM (stream), PS_TOKEN_FILE_MAX_SIZE + 1, NULL,
                                     error);
  if (bytes == NULL)
    return NULL;

  self = ps_token_file_new_from_data (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                      error);
  g_prefix_error (error, "%s: ", path);
  return self;
}

/* The account whose token this is, or NULL. */
const char *
ps_token_file_lookup (PsTokenFile *self,
                      const char  *token)
{
  guint8 digest[DIGEST_SIZE];
  const char *account = NULL;
  gsize length;

  g_return_val_if_fail (PS_IS_TOKEN_FILE (self), NULL);

  if (token == NULL)
    return NULL;

  length = strnlen (token, PS_TOKEN_MAX_LENGTH + 1);
  if (length > PS_TOKEN_MAX_LENGTH)
    return NULL;

  digest_token (token, length, digest);
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = &g_array_index (self->entries, Entry, i);
      guint8 difference = 0;

      for (guint j = 0; j < DIGEST_SIZE; j++)
        difference |= entry->digest[j] ^ digest[j];
      if (difference == 0)
        account = entry->account;
    }

  /* a token shorter than allowed can still not match a stored digest */
  return length >= PS_TOKEN_MIN_LENGTH ? account : NULL;
}

gboolean
ps_token_file_has_account (PsTokenFile *self,
                           const char  *account)
{
  g_return_val_if_fail (PS_IS_TOKEN_FILE (self), FALSE);

  for (guint i = 0; account != NULL && i < self->entries->len; i++)
    if (g_strcmp0 (g_array_index (self->entries, Entry, i).account, account) == 0)
      return TRUE;

  return FALSE;
}

guint
ps_token_file_get_n_accounts (PsTokenFile *self)
{
  g_return_val_if_fail (PS_IS_TOKEN_FILE (self), 0);

  return self->entries->len;
}
