
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 *
 * Per-worker Redis connections: nginx owns the socket and its events,
 * hiredis only encodes commands and decodes replies.  This layer moves
 * commands and replies; it knows nothing of articles or pages.  It tells
 * its callers whether Redis answered, refused or failed, so that they
 * never read a reply to find out.
 */


#ifndef _NGX_HTTP_NEWS_REDIS_H_INCLUDED_
#define _NGX_HTTP_NEWS_REDIS_H_INCLUDED_


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
 * A reply, as hiredis reads it.  Only the layer that turns replies into
 * data (ngx_http_news_store.c) looks inside; everyone else passes it on.
 */
typedef struct redisReply  ngx_http_news_redis_reply_t;


/*
 * Called exactly once per ngx_http_news_redis_send() not cancelled:
 * with NGX_HTTP_NEWS_REDIS_REPLY and the reply (freed right after the
 * handler returns), the command's own or, for several commands, EXEC's;
 * or with any other result, a NULL reply and a reason for the log.
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


/* a Redis target: address, credentials and this worker's connection */
typedef struct {
    ngx_str_t                        name;
    ngx_addr_t                      *addr;
    ngx_str_t                        user;       /* ACL user, or empty */
    ngx_str_t                        password;
    ngx_uint_t                       db;
    ngx_http_news_redis_tls_conf_t   tls_conf;
    ngx_http_news_redis_tls_t       *tls;        /* NULL: plain TCP */
    ngx_msec_t                       timeout;    /* the longest of its
                                                    locations' */
    ngx_array_t                     *scripts;    /* loaded at setup */
    ngx_http_news_redis_conn_t      *conn;
} ngx_http_news_redis_target_t;


const char *ngx_http_news_redis_library(void);
void ngx_http_news_redis_script_init(ngx_http_news_redis_script_t *script);
ngx_int_t ngx_http_news_redis_script_use(ngx_array_t *scripts,
    ngx_http_news_redis_script_t *script);
ngx_http_news_redis_target_t *ngx_http_news_redis_add(ngx_conf_t *cf,
    ngx_array_t *targets, ngx_str_t *address, ngx_str_t *user,
    ngx_str_t *password, ngx_uint_t db, ngx_http_news_redis_tls_conf_t *tls,
    ngx_array_t *scripts);

ngx_int_t ngx_http_news_redis_init_process(ngx_array_t *targets,
    ngx_log_t *log);
void ngx_http_news_redis_exit_process(ngx_array_t *targets);

ngx_int_t ngx_http_news_redis_send(ngx_http_news_redis_target_t *target,
    ngx_http_news_redis_command_t *commands, ngx_uint_t n,
    ngx_http_news_redis_handler_pt handler, void *data,
    ngx_http_news_redis_pending_t **pendingp);
void ngx_http_news_redis_cancel(ngx_http_news_redis_pending_t *pending);


#endif /* _NGX_HTTP_NEWS_REDIS_H_INCLUDED_ */
