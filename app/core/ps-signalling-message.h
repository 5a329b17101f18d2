/* ps-signalling-message.h: one message of GStreamer's WebRTC signalling protocol
 *
 * The JSON protocol of gst-plugins-rs's webrtcsink, webrtcsrc and
 * gst-webrtc-signalling-server (net/webrtc/protocol), spoken by
 * peerscope-rendezvous and by Peerscope's own P2P clients.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define PS_SIGNALLING_ERROR (ps_signalling_error_quark ())

typedef enum
{
  PS_SIGNALLING_ERROR_TOO_LARGE,     /* more than PS_SIGNALLING_MAX_MESSAGE_SIZE bytes */
  PS_SIGNALLING_ERROR_MALFORMED,     /* not one JSON object */
  PS_SIGNALLING_ERROR_UNKNOWN_TYPE,  /* no "type", or one not sent in that direction */
  PS_SIGNALLING_ERROR_INVALID,       /* a member missing, of the wrong type or out of range */
} PsSignallingError;

/* Limits, all in bytes unless said otherwise */
#define PS_SIGNALLING_MAX_MESSAGE_SIZE   (64 * 1024)
#define PS_SIGNALLING_MAX_DEPTH          10      /* nesting, the message's own object included */
#define PS_SIGNALLING_MAX_ID_LENGTH      64      /* peer and session ids */
#define PS_SIGNALLING_MAX_META_SIZE      4096    /* a peer's "meta", written compactly */
#define PS_SIGNALLING_MAX_CANDIDATE_SIZE 1024
#define PS_SIGNALLING_MAX_DETAILS_SIZE   1024    /* "error" details, an ended session's error */
#define PS_SIGNALLING_MAX_PEERS          1024    /* entries of a "list" answer */
#define PS_SIGNALLING_MAX_M_LINE_INDEX   1023

typedef enum
{
  PS_SIGNALLING_TO_SERVER,
  PS_SIGNALLING_TO_CLIENT,
} PsSignallingDirection;

typedef enum
{
  /* both ways */
  PS_SIGNALLING_MESSAGE_START_SESSION = 1,  /* "startSession" */
  PS_SIGNALLING_MESSAGE_END_SESSION,        /* "endSession" */
  PS_SIGNALLING_MESSAGE_END_SESSION_V1_1,   /* "endSessionV1_1", protocol 1.1 */
  PS_SIGNALLING_MESSAGE_PEER,               /* "peer" */
  PS_SIGNALLING_MESSAGE_LIST,               /* "list": the request, or the producers */
  PS_SIGNALLING_MESSAGE_LIST_CONSUMERS,     /* "listConsumers": the request, or the consumers */
  /* to the server */
  PS_SIGNALLING_MESSAGE_SET_PEER_STATUS,    /* "setPeerStatus" */
  PS_SIGNALLING_MESSAGE_SET_PROTOCOL_VERSION, /* "setProtocolVersion" */
  /* to a client */
  PS_SIGNALLING_MESSAGE_WELCOME,            /* "welcome" */
  PS_SIGNALLING_MESSAGE_PEER_STATUS_CHANGED, /* "peerStatusChanged" */
  PS_SIGNALLING_MESSAGE_SESSION_STARTED,    /* "sessionStarted" */
  PS_SIGNALLING_MESSAGE_ERROR,              /* "error" */
} PsSignallingMessageType;

typedef enum
{
  PS_SIGNALLING_ROLE_PRODUCER = 1 << 0,
  PS_SIGNALLING_ROLE_LISTENER = 1 << 1,
  PS_SIGNALLING_ROLE_CONSUMER = 1 << 2,     /* a passive consumer */
} PsSignallingRoles;

typedef enum
{
  PS_SIGNALLING_VERSION_1_0,                /* "v1_0", assumed until a peer says otherwise */
  PS_SIGNALLING_VERSION_1_1,                /* "v1_1": endSessionV1_1 */
} PsSignallingVersion;

typedef enum
{
  PS_SIGNALLING_SDP_NONE,                   /* a "peer" message with an ICE candidate */
  PS_SIGNALLING_SDP_OFFER,
  PS_SIGNALLING_SDP_ANSWER,
} PsSignallingSdpType;

/* An entry of a "list" or "listConsumers" answer */
typedef struct
{
  char     *id;
  JsonNode *meta;                           /* a JSON object, or NULL */
} PsSignallingPeerInfo;

/* The members a message type uses are set; the others are zero. Strings are
 * valid UTF-8; ids are 1 to PS_SIGNALLING_MAX_ID_LENGTH characters of
 * [A-Za-z0-9._:-]. */
typedef struct
{
  PsSignallingMessageType  type;
  char                    *peer_id;         /* welcome, peerStatusChanged, startSession,
                                             * sessionStarted; setPeerStatus (optional) */
  char                    *session_id;      /* startSession to a client, sessionStarted,
                                             * endSession, endSessionV1_1, peer */
  PsSignallingRoles        roles;           /* setPeerStatus, peerStatusChanged */
  JsonNode                *meta;            /* setPeerStatus, peerStatusChanged: object or NULL */
  char                    *offer;           /* startSession: an SDP offer, or NULL */
  PsSignallingSdpType      sdp_type;        /* peer: an SDP ... */
  char                    *sdp;
  char                    *candidate;       /* ... or an ICE candidate ("" ends them) */
  guint                    sdp_m_line_index;
  char                    *details;         /* error; endSessionV1_1's error, or NULL */
  PsSignallingVersion      version;         /* setProtocolVersion */
  GPtrArray               *peers;           /* list, listConsumers to a client:
                                             * PsSignallingPeerInfo */
} PsSignallingMessage;

GQuark               ps_signalling_error_quark            (void);

PsSignallingMessage *ps_signalling_message_new            (PsSignallingMessageType   type);
PsSignallingMessage *ps_signalling_message_new_error      (const char               *format,
                                                           ...) G_GNUC_PRINTF (1, 2);
void                 ps_signalling_message_free           (PsSignallingMessage      *self);
void                 ps_signalling_message_add_peer       (PsSignallingMessage      *self,
                                                           const char               *id,
                                                           JsonNode                 *meta);

PsSignallingMessage *ps_signalling_message_parse          (const char               *data,
                                                           gsize                     length,
                                                           PsSignallingDirection     direction,
                                                           GError                  **error);
char                *ps_signalling_message_to_json        (const PsSignallingMessage *self,
                                                           PsSignallingDirection     direction);

const char          *ps_signalling_message_type_to_string (PsSignallingMessageType   type);
gboolean             ps_signalling_id_is_valid            (const char               *id);
gboolean             ps_signalling_meta_is_valid          (JsonNode                 *meta);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsSignallingMessage, ps_signalling_message_free)

G_END_DECLS
