
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 *
 * One connection to one Redis server, in one worker: nginx owns the
 * socket and its events, hiredis only encodes commands and decodes
 * replies.  Commands are pipelined and their replies matched, in order,
 * to a FIFO of pending records.  What to connect to, and which
 * connection a command takes, is for the layers above (redis.c for a
 * single Redis, redis_cluster.c, redis_sentinel.c): they may watch a
 * connection through hooks, never through its insides.
 */


#ifndef _NGX_HTTP_NEWS_REDIS_CONN_H_INCLUDED_
#define _NGX_HTTP_NEWS_REDIS_CONN_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>
#include <ngx_event_connect.h>

#include "ngx_http_news_redis_tls.h"


typedef enum {
    NGX_HTTP_NEWS_REDIS_REPLY = 0,      /* Redis answered */
    NGX_HTTP_NEWS_REDIS_ERROR,          /* Redis answered with an error */
    NGX_HTTP_NEWS_REDIS_UNAVAILABLE,    /* not run: refused, not connected,
                                           setup rejected, or an error
                                           reply that says so */
    NGX_HTTP_NEWS_REDIS_TIMEDOUT,       /* the connection stalled */
    NGX_HTTP_NEWS_REDIS_REFUSED,        /* a write refused: Redis is full,
                                           a replica, or cannot persist;
                                           reads still work */
    NGX_HTTP_NEWS_REDIS_LOST            /* the connection failed after the
                                           command was sent: Redis may
                                           have run it */
} ngx_http_news_redis_result_e;


/*
 * A reply, as hiredis reads it.  Only the layers that turn replies into
 * data (the stores, and the connection layers' own replies) look inside;
 * everyone else passes it on.
 */
typedef struct redisReply  ngx_http_news_redis_reply_t;


/*
 * Called exactly once per command sent and not cancelled: with
 * NGX_HTTP_NEWS_REDIS_REPLY and the reply (freed right after the handler
 * returns), the command's own or, for several commands, EXEC's; or with
 * any other result, a NULL reply and a reason for the log.
 */
typedef void (*ngx_http_news_redis_handler_pt)(void *data,
    ngx_http_news_redis_result_e result, ngx_http_news_redis_reply_t *reply,
    ngx_str_t *reason);


typedef struct ngx_http_news_redis_conn_s     ngx_http_news_redis_conn_t;
typedef struct ngx_http_news_redis_pending_s  ngx_http_news_redis_pending_t;


typedef struct {
    ngx_str_t                        text;
    u_char                           sha1[40];
} ngx_http_news_redis_script_t;


/*
 * One command: argv[0..argc-1] as they are, or, with a script, EVALSHA
 * of it (EVAL after a NOSCRIPT) with nkeys keys and then arguments.
 */
typedef struct {
    ngx_http_news_redis_script_t    *script;
    ngx_uint_t                       nkeys;
    ngx_uint_t                       argc;
    ngx_str_t                       *argv;
} ngx_http_news_redis_command_t;


/* what every connection of one Redis target is set up with */
typedef struct {
    ngx_str_t                        user;       /* ACL user, or empty */
    ngx_str_t                        password;
    ngx_uint_t                       db;
    ngx_http_news_redis_tls_t       *tls;        /* NULL: plain TCP */
    ngx_msec_t                       timeout;    /* the longest of its
                                                    locations' */
    ngx_array_t                     *scripts;    /* loaded at setup */
    unsigned                         primary:1;  /* ROLE must say master */
} ngx_http_news_redis_server_t;


/* a command (or the commands of one transaction) on its way */
struct ngx_http_news_redis_pending_s {
    ngx_queue_t                      queue;
    ngx_http_news_redis_handler_pt   handler;    /* NULL once cancelled */
    void                            *data;
    ngx_msec_t                       sent;       /* queued for writing */
    ngx_uint_t                       replies;    /* still to come */
    ngx_http_news_redis_reply_t     *refused;    /* a queued command's */

    /* copies, kept for a retry (EVAL after NOSCRIPT, a redirection) */
    ngx_http_news_redis_command_t   *commands;
    ngx_uint_t                       ncommands;
    ngx_uint_t                       redirects;  /* followed so far */
    unsigned                         retried:1;
    unsigned                         asking:1;   /* ASKING goes first */
    unsigned                         asked:1;    /* it went, last time */
    unsigned                         setup:1;    /* AUTH, SELECT, SCRIPT */
};


/*
 * How a layer above watches a connection, each hook optional:
 * redirect: an error reply to a request's command (or a refused write
 *     among EXEC's replies), before its handler sees it; NGX_OK when the
 *     hook sent the command elsewhere, or holds it (it then owns the
 *     pending record), NGX_DECLINED to answer it as it is;
 * push: a reply that answers no command (a subscription's message);
 * down: an attempt failed or a working connection was lost.
 */
typedef struct {
    ngx_int_t                      (*redirect)(void *data,
                                       ngx_http_news_redis_conn_t *conn,
                                       ngx_http_news_redis_pending_t *pending,
                                       ngx_http_news_redis_reply_t *error);
    void                           (*push)(void *data,
                                       ngx_http_news_redis_conn_t *conn,
                                       ngx_http_news_redis_reply_t *reply);
    void                           (*down)(void *data,
                                       ngx_http_news_redis_conn_t *conn);
    void                            *data;
} ngx_http_news_redis_hooks_t;


/* sends a command held back (never sent) on: NGX_OK, or not taken */
typedef ngx_int_t (*ngx_http_news_redis_resend_pt)(void *data,
    ngx_http_news_redis_pending_t *pending);


ngx_http_news_redis_conn_t *ngx_http_news_redis_conn_open(
    ngx_http_news_redis_server_t *server, struct sockaddr *sockaddr,
    socklen_t socklen, ngx_str_t *name, ngx_http_news_redis_hooks_t *hooks,
    ngx_log_t *log);
void ngx_http_news_redis_conn_move(ngx_http_news_redis_conn_t *conn,
    struct sockaddr *sockaddr, socklen_t socklen, ngx_str_t *name);
void ngx_http_news_redis_conn_destroy(ngx_http_news_redis_conn_t *conn);
void ngx_http_news_redis_conn_rest(ngx_http_news_redis_conn_t *conn);
void ngx_http_news_redis_conn_wake(ngx_http_news_redis_conn_t *conn);
ngx_uint_t ngx_http_news_redis_conn_usable(ngx_http_news_redis_conn_t *conn);
ngx_str_t *ngx_http_news_redis_conn_name(ngx_http_news_redis_conn_t *conn);

ngx_http_news_redis_pending_t *ngx_http_news_redis_pending_create(
    ngx_http_news_redis_command_t *commands, ngx_uint_t n,
    ngx_http_news_redis_handler_pt handler, void *data, ngx_log_t *log);
void ngx_http_news_redis_pending_free(ngx_http_news_redis_pending_t *pending);
ngx_int_t ngx_http_news_redis_conn_send(ngx_http_news_redis_conn_t *conn,
    ngx_http_news_redis_pending_t *pending);
void ngx_http_news_redis_cancel(ngx_http_news_redis_pending_t *pending);
void ngx_http_news_redis_release(ngx_queue_t *queue,
    ngx_http_news_redis_resend_pt resend, void *data,
    ngx_http_news_redis_result_e result, ngx_str_t *reason);

ngx_uint_t ngx_http_news_redis_reply_is_error(
    ngx_http_news_redis_reply_t *reply, const char *prefix);


#endif /* _NGX_HTTP_NEWS_REDIS_CONN_H_INCLUDED_ */
