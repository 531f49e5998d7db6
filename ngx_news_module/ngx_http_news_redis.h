
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 *
 * Redis targets: what a location talks to (one Redis, a Redis Cluster,
 * the primary that Redis Sentinel names), and this worker's connections
 * to it.  Callers send commands to a target; which connection carries
 * them is decided here and below (redis_conn.c moves commands and
 * replies; redis_cluster.c routes them by hash slot; redis_sentinel.c
 * follows the primary).  It knows nothing of articles or pages, and tells
 * its callers whether Redis answered, refused or failed, so that they
 * never read a reply to find out.
 */


#ifndef _NGX_HTTP_NEWS_REDIS_H_INCLUDED_
#define _NGX_HTTP_NEWS_REDIS_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_news_redis_conn.h"
#include "ngx_http_news_redis_cluster.h"
#include "ngx_http_news_redis_sentinel.h"


typedef enum {
    NGX_HTTP_NEWS_REDIS_SINGLE = 0,     /* news_redis_pass */
    NGX_HTTP_NEWS_REDIS_CLUSTER,        /* news_redis_cluster */
    NGX_HTTP_NEWS_REDIS_SENTINEL        /* news_redis_sentinel */
} ngx_http_news_redis_kind_e;


/* the directives' values that make a target */
typedef struct {
    ngx_http_news_redis_kind_e       kind;
    ngx_array_t                     *addresses;  /* of ngx_str_t */
    ngx_str_t                        user;
    ngx_str_t                        password;
    ngx_uint_t                       db;
    ngx_http_news_redis_tls_conf_t   tls;
    ngx_str_t                        master;     /* Sentinel's name */
    ngx_str_t                        sentinel_user;
    ngx_str_t                        sentinel_password;
} ngx_http_news_redis_conf_t;


/* a Redis target: what to reach, how, and this worker's connection */
typedef struct {
    ngx_str_t                        name;       /* the addresses */
    ngx_http_news_redis_conf_t       conf;
    ngx_http_news_redis_server_t     server;
    ngx_addr_t                      *addr;       /* news_redis_pass */
    ngx_http_news_redis_conn_t      *conn;
    ngx_http_news_redis_cluster_t   *cluster;    /* news_redis_cluster */
    ngx_http_news_redis_sentinel_t  *sentinel;   /* news_redis_sentinel */
} ngx_http_news_redis_target_t;


const char *ngx_http_news_redis_library(void);
void ngx_http_news_redis_script_init(ngx_http_news_redis_script_t *script);
ngx_int_t ngx_http_news_redis_script_use(ngx_array_t *scripts,
    ngx_http_news_redis_script_t *script);
ngx_int_t ngx_http_news_redis_check_address(ngx_conf_t *cf, ngx_str_t *address);
ngx_http_news_redis_target_t *ngx_http_news_redis_add(ngx_conf_t *cf,
    ngx_array_t *targets, ngx_http_news_redis_conf_t *conf,
    ngx_array_t *scripts);

ngx_int_t ngx_http_news_redis_init_process(ngx_array_t *targets,
    ngx_log_t *log);
void ngx_http_news_redis_exit_process(ngx_array_t *targets);

ngx_int_t ngx_http_news_redis_send(ngx_http_news_redis_target_t *target,
    ngx_http_news_redis_command_t *commands, ngx_uint_t n,
    ngx_http_news_redis_handler_pt handler, void *data,
    ngx_http_news_redis_pending_t **pendingp);


#endif /* _NGX_HTTP_NEWS_REDIS_H_INCLUDED_ */
