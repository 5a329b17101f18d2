/* ps-discovery-net.c: socket details discovery needs and GSocket hides
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1   /* struct in6_pktinfo */
#endif

#define G_LOG_DOMAIN "ps-discovery"

#include <gio/gio.h>
#include <string.h>
#ifdef G_OS_UNIX
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#endif

#include "ps-discovery-net-private.h"

#ifdef G_OS_UNIX
G_STATIC_ASSERT (PS_DISCOVERY_NET_TEXT_LEN >= IF_NAMESIZE);
G_STATIC_ASSERT (PS_DISCOVERY_NET_TEXT_LEN >= INET6_ADDRSTRLEN);
#endif

gssize
_ps_discovery_net_receive (GSocket         *socket,
                           guint8          *buffer,
                           gsize            size,
                           GSocketAddress **from,
                           char            *interface,
                           char            *local,
                           GError         **error)
{
#if defined(G_OS_UNIX) && defined(IP_PKTINFO) && defined(IPV6_PKTINFO)
  struct sockaddr_storage peer;
  struct iovec iov = { buffer, size };
  union {
    struct cmsghdr align;
    char           space[CMSG_SPACE (sizeof (struct in_pktinfo)) +
                         CMSG_SPACE (sizeof (struct in6_pktinfo))];
  } control;
  struct msghdr msg = { 0 };
  gssize len;

  interface[0] = '\0';
  local[0] = '\0';

  msg.msg_name = &peer;
  msg.msg_namelen = sizeof peer;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.space;
  msg.msg_controllen = sizeof control.space;

  len = recvmsg (g_socket_get_fd (socket), &msg, MSG_DONTWAIT);
  if (len < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s", g_strerror (saved));
      return -1;
    }

  for (struct cmsghdr *c = CMSG_FIRSTHDR (&msg); c != NULL; c = CMSG_NXTHDR (&msg, c))
    {
      unsigned ifindex = 0;

      if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO &&
          c->cmsg_len >= CMSG_LEN (sizeof (struct in_pktinfo)))
        {
          struct in_pktinfo info;

          memcpy (&info, CMSG_DATA (c), sizeof info);
          ifindex = (unsigned) info.ipi_ifindex;
          if (inet_ntop (AF_INET, &info.ipi_addr, local, PS_DISCOVERY_NET_TEXT_LEN) == NULL)
            local[0] = '\0';
        }
      else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO &&
               c->cmsg_len >= CMSG_LEN (sizeof (struct in6_pktinfo)))
        {
          struct in6_pktinfo info;

          memcpy (&info, CMSG_DATA (c), sizeof info);
          ifindex = info.ipi6_ifindex;
          if (inet_ntop (AF_INET6, &info.ipi6_addr, local, PS_DISCOVERY_NET_TEXT_LEN) == NULL)
            local[0] = '\0';
        }
      else
        continue;

      if (ifindex == 0 || if_indextoname (ifindex, interface) == NULL)
        interface[0] = '\0';
    }

  *from = g_socket_address_new_from_native (&peer, msg.msg_namelen);
  return len;
#else
  interface[0] = '\0';
  local[0] = '\0';
  return g_socket_receive_from (socket, from, (char *) buffer, size, NULL, error);
#endif
}

void
_ps_discovery_net_enable_pktinfo (GSocket *socket)
{
#if defined(G_OS_UNIX) && defined(IP_PKTINFO) && defined(IPV6_RECVPKTINFO)
  gboolean ok;

  if (g_socket_get_family (socket) == G_SOCKET_FAMILY_IPV6)
    ok = g_socket_set_option (socket, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1, NULL);
  else
    ok = g_socket_set_option (socket, IPPROTO_IP, IP_PKTINFO, 1, NULL);
  if (!ok)
    g_debug ("packet info is not available");
#endif
}

void
_ps_discovery_net_set_v6only (GSocket *socket)
{
#if defined(G_OS_UNIX) && defined(IPV6_V6ONLY)
  if (!g_socket_set_option (socket, IPPROTO_IPV6, IPV6_V6ONLY, 1, NULL))
    g_debug ("IPV6_V6ONLY is not available");
#endif
}

gboolean
_ps_discovery_net_set_multicast_interface (GSocket     *socket,
                                           const char  *interface,
                                           GError     **error)
{
#ifdef G_OS_UNIX
  struct ip_mreqn mreq = { 0 };

  mreq.imr_ifindex = (int) if_nametoindex (interface);
  if (mreq.imr_ifindex == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "No interface “%s”", interface);
      return FALSE;
    }

  if (setsockopt (g_socket_get_fd (socket), IPPROTO_IP, IP_MULTICAST_IF,
                  &mreq, sizeof mreq) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot probe on “%s”", interface);
      return FALSE;
    }

  return TRUE;
#else
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                       "Choosing an interface is not supported here");
  return FALSE;
#endif
}

void
_ps_discovery_net_find_interfaces6 (const char *interface,
                                    GArray     *indexes,
                                    guint       max)
{
  g_array_set_size (indexes, 0);

#ifdef G_OS_UNIX
  if (interface != NULL)
    {
      guint ifindex = if_nametoindex (interface);

      if (ifindex != 0)
        g_array_append_val (indexes, ifindex);
      return;
    }

  {
    struct ifaddrs *list = NULL;

    if (getifaddrs (&list) != 0)
      {
        g_debug ("no interface list: %s", g_strerror (errno));
        return;
      }

    for (struct ifaddrs *a = list; a != NULL; a = a->ifa_next)
      {
        guint ifindex;
        gboolean known = FALSE;

        if (a->ifa_addr == NULL || a->ifa_addr->sa_family != AF_INET6 ||
            (a->ifa_flags & (IFF_UP | IFF_MULTICAST)) != (IFF_UP | IFF_MULTICAST) ||
            (a->ifa_flags & IFF_LOOPBACK) != 0 ||
            (ifindex = if_nametoindex (a->ifa_name)) == 0)
          continue;

        for (guint i = 0; i < indexes->len; i++)
          known |= g_array_index (indexes, guint, i) == ifindex;
        if (!known && indexes->len < max)
          g_array_append_val (indexes, ifindex);
      }

    freeifaddrs (list);
  }
#endif
}
