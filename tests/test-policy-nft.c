/* test-policy-nft.c: compiled policies in a real kernel
 *
 * Needs root (CAP_NET_ADMIN), ip and nft; skips without them.  The test
 * moves itself into a network namespace of its own (the gateway) and makes
 * two more, the camera's LAN and the internet, each held by a child
 * process that dies with the test: nothing outlives it, even a crash, and
 * nothing here touches the machine's own interfaces or ruleset.
 *
 *   cam 10.77.1.11, fd00:77:1::11 ── gw ── wan 198.51.100.10, 2001:db8:77::10 (P2P server)
 *       MAC 02:00:00:77:00:11                  198.51.100.20, 2001:db8:77::20 (cloud)
 *                                              203.0.113.10 (viewer)
 *
 * It loads compiled policies with `nft -j -f`, lists them back, sends UDP
 * from the camera (and to it) and counts what arrives, reads the
 * "blocked" sets, loads the `nft -f` export, and checks that unrelated
 * tables are never touched.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define _GNU_SOURCE

#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "ps-policy-compiler.h"

#define CAM_MAC    "02:00:00:77:00:11"
#define CAM4       "10.77.1.11"
#define CAM6       "fd00:77:1::11"
#define SERVER4    "198.51.100.10"
#define CLOUD4     "198.51.100.20"
#define VIEWER4    "203.0.113.10"
#define SERVER6    "2001:db8:77::10"
#define CLOUD6     "2001:db8:77::20"

#define OTHER_TABLES \
  "table inet other {\n" \
  "  chain forward {\n" \
  "    type filter hook forward priority 0; policy accept;\n" \
  "    ip daddr 192.0.2.99 drop\n" \
  "  }\n" \
  "}\n" \
  "table ip other2 {\n" \
  "  set s {\n" \
  "    type ipv4_addr\n" \
  "    elements = { 192.0.2.1 }\n" \
  "  }\n" \
  "}\n"

typedef struct
{
  pid_t pid;           /* the process that holds it */
  int   fd;
} Namespace;

static int gw_ns = -1;
static Namespace cam;
static Namespace wan;
static char *tmp_dir;
static char *other_tables;   /* their listing before anything ran */

/* Namespaces and commands */

static void
enter (int ns)
{
  g_assert_cmpint (setns (ns, CLONE_NEWNET), ==, 0);
}

static void
child_setup (gpointer user_data)
{
  int ns = GPOINTER_TO_INT (user_data);

  if (ns >= 0 && setns (ns, CLONE_NEWNET) != 0)
    _exit (127);
}

/* ARGV in namespace NS (-1: the gateway's); its stdout, or NULL when it
 * failed and MAY_FAIL */
static char *
run_in (int                 ns,
        const char * const *argv,
        gboolean            may_fail)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, child_setup,
                     GINT_TO_POINTER (ns), &out, &err, &status, &error))
    g_error ("%s: %s", argv[0], error->message);
  if (!g_spawn_check_wait_status (status, &error))
    {
      g_autofree char *command = g_strjoinv (" ", (char **) argv);

      if (may_fail)
        {
          g_test_message ("%s: %s", command, err);
          return NULL;
        }
      g_error ("%s: %s\n%s", command, error->message, err);
    }

  return g_steal_pointer (&out);
}

#define RUN(ns, ...) \
  g_free (run_in ((ns), (const char * const []) { __VA_ARGS__, NULL }, FALSE))
#define OUTPUT(ns, ...) \
  run_in ((ns), (const char * const []) { __VA_ARGS__, NULL }, FALSE)

/* A network namespace held by a child that dies with us */
static Namespace
new_namespace (void)
{
  g_autofree char *path = NULL;
  Namespace ns;
  int ready[2];
  char byte;

  g_assert_cmpint (pipe (ready), ==, 0);
  ns.pid = fork ();
  g_assert_cmpint (ns.pid, >=, 0);
  if (ns.pid == 0)
    {
      prctl (PR_SET_PDEATHSIG, SIGKILL);
      if (unshare (CLONE_NEWNET) != 0 || write (ready[1], "x", 1) != 1)
        _exit (1);
      for (;;)
        pause ();
    }
  close (ready[1]);
  g_assert_cmpint (read (ready[0], &byte, 1), ==, 1);
  close (ready[0]);

  path = g_strdup_printf ("/proc/%d/ns/net", ns.pid);
  ns.fd = open (path, O_RDONLY | O_CLOEXEC);
  g_assert_cmpint (ns.fd, >=, 0);
  return ns;
}

/* /proc/sys/net is the namespace of whoever opens it */
static void
write_sysctl (int         ns,
              const char *path,
              const char *value)
{
  int fd;

  enter (ns);
  fd = open (path, O_WRONLY | O_CLOEXEC);
  enter (gw_ns);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, value, strlen (value)), ==, (gssize) strlen (value));
  close (fd);
}

/* a veth from the gateway (GW_NAME) to NS (eth0) */
static void
link_to (Namespace  *ns,
         const char *gw_name)
{
  g_autofree char *pid = g_strdup_printf ("%d", ns->pid);

  RUN (-1, "ip", "link", "add", gw_name, "type", "veth", "peer", "name", "eth0", "netns", pid);
  RUN (-1, "ip", "link", "set", gw_name, "up");
  RUN (ns->fd, "ip", "link", "set", "lo", "up");
}

static void
set_up_network (void)
{
  g_assert_cmpint (unshare (CLONE_NEWNET), ==, 0);
  gw_ns = open ("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  g_assert_cmpint (gw_ns, >=, 0);
  cam = new_namespace ();
  wan = new_namespace ();

  /* no duplicate address detection: addresses work at once */
  write_sysctl (gw_ns, "/proc/sys/net/ipv6/conf/default/accept_dad", "0");
  write_sysctl (cam.fd, "/proc/sys/net/ipv6/conf/default/accept_dad", "0");
  write_sysctl (wan.fd, "/proc/sys/net/ipv6/conf/default/accept_dad", "0");
  write_sysctl (gw_ns, "/proc/sys/net/ipv4/ip_forward", "1");
  write_sysctl (gw_ns, "/proc/sys/net/ipv6/conf/default/forwarding", "1");
  write_sysctl (gw_ns, "/proc/sys/net/ipv6/conf/all/forwarding", "1");
  RUN (-1, "ip", "link", "set", "lo", "up");

  link_to (&cam, "vcam");
  RUN (-1, "ip", "addr", "add", "10.77.1.1/24", "dev", "vcam");
  RUN (-1, "ip", "addr", "add", "fd00:77:1::1/64", "dev", "vcam", "nodad");
  RUN (cam.fd, "ip", "link", "set", "eth0", "address", CAM_MAC);
  RUN (cam.fd, "ip", "addr", "add", CAM4 "/24", "dev", "eth0");
  RUN (cam.fd, "ip", "addr", "add", CAM6 "/64", "dev", "eth0", "nodad");
  RUN (cam.fd, "ip", "link", "set", "eth0", "up");
  RUN (cam.fd, "ip", "route", "add", "default", "via", "10.77.1.1");
  RUN (cam.fd, "ip", "-6", "route", "add", "default", "via", "fd00:77:1::1");

  link_to (&wan, "vwan");
  RUN (-1, "ip", "addr", "add", "198.51.100.1/24", "dev", "vwan");
  RUN (-1, "ip", "addr", "add", "2001:db8:77::1/64", "dev", "vwan", "nodad");
  RUN (-1, "ip", "route", "add", VIEWER4 "/32", "via", SERVER4);
  RUN (wan.fd, "ip", "addr", "add", SERVER4 "/24", "dev", "eth0");
  RUN (wan.fd, "ip", "addr", "add", CLOUD4 "/24", "dev", "eth0");
  RUN (wan.fd, "ip", "addr", "add", VIEWER4 "/32", "dev", "eth0");
  RUN (wan.fd, "ip", "addr", "add", SERVER6 "/64", "dev", "eth0", "nodad");
  RUN (wan.fd, "ip", "addr", "add", CLOUD6 "/64", "dev", "eth0", "nodad");
  RUN (wan.fd, "ip", "link", "set", "eth0", "up");
  RUN (wan.fd, "ip", "route", "add", "default", "via", "198.51.100.1");
  RUN (wan.fd, "ip", "-6", "route", "add", "default", "via", "2001:db8:77::1");
}

/* Traffic */

static GSocket *
socket_in (int            ns,
           GSocketFamily  family)
{
  g_autoptr(GError) error = NULL;
  GSocket *socket;

  /* a socket belongs to the namespace it was made in */
  enter (ns);
  socket = g_socket_new (family, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, &error);
  enter (gw_ns);
  g_assert_no_error (error);
  return socket;
}

/* Whether UDP from namespace FROM reaches ADDRESS:PORT in namespace TO */
static gboolean
reaches (int         from,
         int         to,
         const char *address,
         guint16     port)
{
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (address);
  g_autoptr(GSocketAddress) target = g_inet_socket_address_new (inet, port);
  GSocketFamily family = g_inet_address_get_family (inet);
  g_autoptr(GSocket) receiver = socket_in (to, family);
  g_autoptr(GSocket) sender = socket_in (from, family);
  g_autoptr(GError) error = NULL;
  char buffer[16];

  g_assert_true (g_socket_bind (receiver, target, TRUE, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpint (g_socket_send_to (sender, target, "ping", 4, NULL, &error), ==, 4);

  g_socket_set_blocking (receiver, FALSE);
  if (!g_socket_condition_timed_wait (receiver, G_IO_IN, 400 * G_TIME_SPAN_MILLISECOND, NULL,
                                      NULL))
    return FALSE;
  return g_socket_receive (receiver, buffer, sizeof buffer, NULL, NULL) == 4;
}

#define OUT(address, port) reaches (cam.fd, wan.fd, (address), (port))
#define IN(address, port)  reaches (wan.fd, cam.fd, (address), (port))

/* nftables */

static void
nft_load_json (JsonNode *ruleset)
{
  g_autofree char *path = g_build_filename (tmp_dir, "ruleset.json", NULL);
  g_autofree char *json = json_to_string (ruleset, FALSE);

  g_assert_true (g_file_set_contents (path, json, -1, NULL));
  RUN (-1, "nft", "-j", "-f", path);
}

static void
nft_load_script (const char *script)
{
  g_autofree char *path = g_build_filename (tmp_dir, "ruleset.nft", NULL);

  g_assert_true (g_file_set_contents (path, script, -1, NULL));
  RUN (-1, "nft", "-f", path);
}

static void
apply (PsPolicy *policy)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) ruleset = ps_policy_compile (policy, &error);

  g_assert_no_error (error);
  nft_load_json (ruleset);
}

static JsonNode *
nft_list (const char *what,
          const char *name)
{
  g_autofree char *out = OUTPUT (-1, "nft", "-j", "list", what, "inet", "peerscope", name);
  g_autoptr(GError) error = NULL;
  JsonNode *root = json_from_string (out, &error);

  g_assert_no_error (error);
  return root;
}

static gboolean
table_exists (void)
{
  g_autofree char *out = OUTPUT (-1, "nft", "list", "tables");

  return strstr (out, "table inet peerscope\n") != NULL;
}

static char *
live_digest (void)
{
  g_autoptr(JsonNode) listing = NULL;
  g_autofree char *out = OUTPUT (-1, "nft", "-j", "list", "table", "inet", "peerscope");

  listing = json_from_string (out, NULL);
  g_assert_nonnull (listing);
  return ps_policy_find_digest (listing);
}

static void
assert_others_untouched (void)
{
  g_autofree char *now = OUTPUT (-1, "nft", "list", "tables");
  g_autofree char *other = OUTPUT (-1, "nft", "list", "table", "inet", "other");
  g_autofree char *other2 = OUTPUT (-1, "nft", "list", "table", "ip", "other2");
  g_autofree char *both = g_strconcat (other, other2, NULL);

  g_assert_cmpstr (both, ==, other_tables);
  g_assert_nonnull (strstr (now, "table inet other\n"));
  g_assert_nonnull (strstr (now, "table ip other2\n"));
}

/* The elements of a blocked set: "DEVICE PEER PROTO PORT" -> packets */
static GHashTable *
blocked (const char *set)
{
  g_autoptr(JsonNode) root = nft_list ("set", set);
  GHashTable *seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  JsonArray *items = json_object_get_array_member (json_node_get_object (root), "nftables");

  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *item = json_array_get_object_element (items, i);
      JsonArray *elements;

      if (!json_object_has_member (item, "set"))
        continue;
      item = json_object_get_object_member (item, "set");
      if (!json_object_has_member (item, "elem"))
        continue;
      elements = json_object_get_array_member (item, "elem");
      for (guint j = 0; j < json_array_get_length (elements); j++)
        {
          JsonObject *elem = json_object_get_object_member (
            json_array_get_object_element (elements, j), "elem");
          JsonArray *concat = json_object_get_array_member (
            json_object_get_object_member (elem, "val"), "concat");
          JsonObject *counter = json_object_get_object_member (elem, "counter");
          char *key;

          key = g_strdup_printf ("%s %s %s %" G_GINT64_FORMAT,
                                 json_array_get_string_element (concat, 0),
                                 json_array_get_string_element (concat, 1),
                                 json_array_get_string_element (concat, 2),
                                 json_array_get_int_element (concat, 3));
          g_hash_table_insert (seen, key,
                               GSIZE_TO_POINTER (json_object_get_int_member (counter, "packets")));
        }
    }

  return seen;
}

/* Policies */

static PsPolicy *
policy_for (PsIntent    intent,
            const char *mac)
{
  static const char * const addresses[] = { CAM4, CAM6, NULL };
  static const char * const servers[] = { SERVER4, SERVER6, NULL };
  static const char * const viewers[] = { VIEWER4, NULL };
  static const char * const allow[] = { CLOUD4, CLOUD6 "/128", "cloud.example", NULL };
  static const char * const other[] = { "10.77.1.99", NULL };
  PsPolicy *policy = ps_policy_new ();

  g_assert_true (ps_policy_set_device (policy, "cam", mac, addresses, intent, allow, NULL));
  /* another camera on the LAN, to be matched, not this one */
  g_assert_true (ps_policy_set_device (policy, "other-cam", NULL, other, PS_INTENT_LOCAL_ONLY,
                                       NULL, NULL));
  g_assert_true (ps_policy_set_p2p_servers (policy, servers, NULL));
  g_assert_true (ps_policy_set_viewers (policy, viewers, NULL));
  return policy;
}

static void
test_open_network (void)
{
  /* before any policy: everything gets through */
  g_assert_false (table_exists ());
  g_assert_true (OUT (SERVER4, 32100));
  g_assert_true (OUT (CLOUD4, 443));
  g_assert_true (OUT (SERVER6, 32100));
  g_assert_true (IN (CAM4, 7000));
  assert_others_untouched ();
}

static void
test_block_vendor_p2p (void)
{
  g_autoptr(PsPolicy) policy = policy_for (PS_INTENT_BLOCK_VENDOR_P2P, CAM_MAC);
  g_autoptr(GHashTable) seen = NULL;
  g_autoptr(GHashTable) seen6 = NULL;
  g_autofree char *digest = ps_policy_digest (policy);
  g_autofree char *live = NULL;
  g_autofree char *listing = NULL;

  apply (policy);
  live = live_digest ();
  g_assert_cmpstr (live, ==, digest);
  listing = OUTPUT (-1, "nft", "list", "table", "inet", "peerscope");
  g_assert_nonnull (strstr (listing, "type filter hook forward priority filter - 10; "
                                     "policy accept;"));
  g_assert_nonnull (strstr (listing, "ether saddr @dev0_mac counter packets 0 bytes 0 "
                                     "jump dev0_out comment \"cam\""));
  g_assert_nonnull (strstr (listing, "udp dport { 9999, 10001, 32100 } counter"));
  g_assert_nonnull (strstr (listing, "log prefix \"peerscope cam out\" group 4242"));

  /* matched by MAC: the P2P servers by address, the P2P ports anywhere
   * but the LAN and viewers; the rest passes */
  g_assert_false (OUT (SERVER4, 5000));
  g_assert_false (OUT (CLOUD4, 32100));
  g_assert_false (OUT (CLOUD4, 10001));
  g_assert_false (OUT (CLOUD4, 9999));
  g_assert_true (OUT (CLOUD4, 443));
  g_assert_true (OUT (VIEWER4, 32100));
  g_assert_false (OUT (SERVER6, 443));
  g_assert_false (OUT (CLOUD6, 32100));
  g_assert_true (OUT (CLOUD6, 443));
  /* nothing inbound is touched */
  g_assert_true (IN (CAM4, 7000));

  /* blocked attempts, per peer, counted */
  seen = blocked ("blocked");
  g_assert_cmpuint (GPOINTER_TO_SIZE (g_hash_table_lookup (seen, CAM4 " " CLOUD4 " udp 32100")),
                    ==, 3);
  g_assert_cmpuint (GPOINTER_TO_SIZE (g_hash_table_lookup (seen, CAM4 " " SERVER4 " udp 5000")),
                    ==, 3);
  g_assert_false (g_hash_table_contains (seen, CAM4 " " CLOUD4 " udp 443"));
  seen6 = blocked ("blocked6");
  g_assert_cmpuint (GPOINTER_TO_SIZE (g_hash_table_lookup (seen6, CAM6 " " CLOUD6 " udp 32100")),
                    ==, 3);

  /* the same policy again: same table, same digest */
  apply (policy);
  g_clear_pointer (&live, g_free);
  live = live_digest ();
  g_assert_cmpstr (live, ==, digest);
  g_assert_false (OUT (CLOUD4, 32100));
  assert_others_untouched ();
}

static void
test_local_only (void)
{
  g_autoptr(PsPolicy) policy = policy_for (PS_INTENT_LOCAL_ONLY, NULL);
  g_autoptr(GHashTable) seen = NULL;
  g_autofree char *listing = NULL;

  /* replaces the previous policy: its MAC set is gone */
  apply (policy);
  listing = OUTPUT (-1, "nft", "list", "table", "inet", "peerscope");
  g_assert_null (strstr (listing, "dev0_mac"));
  g_assert_nonnull (strstr (listing, "ip saddr @dev0_v4 counter"));

  g_assert_false (OUT (CLOUD4, 443));
  g_assert_false (OUT (SERVER4, 443));
  g_assert_false (OUT (CLOUD6, 443));
  g_assert_true (OUT (VIEWER4, 443));
  /* new connections from outside do not reach it either */
  g_assert_false (IN (CAM4, 7000));
  g_assert_false (IN (CAM6, 7000));

  seen = blocked ("blocked");
  g_assert_true (g_hash_table_contains (seen, CAM4 " " CLOUD4 " udp 443"));
  /* inbound: the device, the peer, the peer's port */
  g_assert_cmpuint (g_hash_table_size (seen), ==, 3);
  assert_others_untouched ();
}

static void
test_allow_list (void)
{
  g_autoptr(PsPolicy) policy = policy_for (PS_INTENT_ALLOW_LIST, CAM_MAC);

  apply (policy);
  g_assert_true (OUT (CLOUD4, 443));
  g_assert_true (OUT (CLOUD4, 32100));
  g_assert_true (OUT (CLOUD6, 443));
  g_assert_false (OUT (SERVER4, 443));
  g_assert_false (OUT (SERVER6, 443));
  g_assert_true (OUT (VIEWER4, 443));
  g_assert_false (IN (CAM4, 7000));
  assert_others_untouched ();
}

static void
test_export_script (void)
{
  g_autoptr(PsPolicy) policy = policy_for (PS_INTENT_LOCAL_ONLY, CAM_MAC);
  g_autoptr(GError) error = NULL;
  g_autofree char *script = ps_policy_export_nft (policy, &error);
  g_autofree char *digest = ps_policy_digest (policy);
  g_autofree char *from_json = NULL;
  g_autofree char *from_script = NULL;
  g_autofree char *live = NULL;
  g_autofree char *comment = g_strdup_printf ("\tcomment \"peerscope policy %s\"\n", digest);
  char *found;

  g_assert_no_error (error);
  apply (policy);
  from_json = OUTPUT (-1, "nft", "list", "table", "inet", "peerscope");

  /* over the JSON-loaded table, and again over itself */
  nft_load_script (script);
  nft_load_script (script);
  from_script = OUTPUT (-1, "nft", "list", "table", "inet", "peerscope");
  live = live_digest ();
  g_assert_cmpstr (live, ==, digest);

  /* the same rules; the script also sets the table's comment */
  found = strstr (from_script, comment);
  g_assert_nonnull (found);
  memmove (found, found + strlen (comment), strlen (found + strlen (comment)) + 1);
  g_assert_cmpstr (from_script, ==, from_json);

  g_assert_false (OUT (CLOUD4, 443));
  g_assert_true (OUT (VIEWER4, 443));
  assert_others_untouched ();
}

static void
test_removal (void)
{
  g_autoptr(JsonNode) removal = ps_policy_compile_removal ();

  g_assert_true (table_exists ());
  nft_load_json (removal);
  g_assert_false (table_exists ());
  g_assert_true (OUT (CLOUD4, 32100));
  g_assert_true (OUT (SERVER6, 443));
  g_assert_true (IN (CAM4, 7000));
  assert_others_untouched ();

  /* applying after a removal starts from nothing */
  {
    g_autoptr(PsPolicy) policy = policy_for (PS_INTENT_BLOCK_VENDOR_P2P, CAM_MAC);

    apply (policy);
    g_assert_false (OUT (CLOUD4, 32100));
    nft_load_json (removal);
    g_assert_false (table_exists ());
  }
}

static gboolean
have (const char *program)
{
  g_autofree char *path = g_find_program_in_path (program);

  return path != NULL;
}

int
main (int    argc,
      char **argv)
{
  int result;

  g_test_init (&argc, &argv, NULL);

  if (getuid () != 0)
    {
      g_print ("1..0 # SKIP nftables needs root (CI runs as root)\n");
      return 77;
    }
  if (!have ("nft") || !have ("ip"))
    {
      g_print ("1..0 # SKIP nft or ip is missing\n");
      return 77;
    }

  /* a network of our own: nothing here touches the machine's */
  set_up_network ();
  tmp_dir = g_dir_make_tmp ("peerscope-nft-XXXXXX", NULL);
  g_assert_nonnull (tmp_dir);
  nft_load_script (OTHER_TABLES);
  {
    g_autofree char *other = OUTPUT (-1, "nft", "list", "table", "inet", "other");
    g_autofree char *other2 = OUTPUT (-1, "nft", "list", "table", "ip", "other2");

    other_tables = g_strconcat (other, other2, NULL);
  }

  /* in this order: each starts from what the one before left */
  g_test_add_func ("/policy/nft/open-network", test_open_network);
  g_test_add_func ("/policy/nft/block-vendor-p2p", test_block_vendor_p2p);
  g_test_add_func ("/policy/nft/local-only", test_local_only);
  g_test_add_func ("/policy/nft/allow-list", test_allow_list);
  g_test_add_func ("/policy/nft/export-script", test_export_script);
  g_test_add_func ("/policy/nft/removal", test_removal);

  result = g_test_run ();

  {
    g_autofree char *json = g_build_filename (tmp_dir, "ruleset.json", NULL);
    g_autofree char *nft = g_build_filename (tmp_dir, "ruleset.nft", NULL);

    g_remove (json);
    g_remove (nft);
    g_rmdir (tmp_dir);
  }
  g_free (tmp_dir);
  g_free (other_tables);

  return result;
}
