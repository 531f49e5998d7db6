
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 *
 * Redis Cluster routing: the slot map learnt with CLUSTER SLOTS, one
 * connection per node in each worker, a command sent to the node that
 * serves its keys' hash slot, and MOVED and ASK followed.  The slot of a
 * key and the parsing of what Redis sends are plain functions, so that
 * pages can derive keys that share a slot and a fuzzer can drive them.
 */


#ifndef _NGX_HTTP_NEWS_REDIS_CLUSTER_H_INCLUDED_
#define _NGX_HTTP_NEWS_REDIS_CLUSTER_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_news_redis_conn.h"


#define NGX_HTTP_NEWS_REDIS_SLOTS  16384


typedef struct ngx_http_news_redis_cluster_s  ngx_http_news_redis_cluster_t;


/* MOVED <slot> <host>:<port>, or ASK */
typedef struct {
    ngx_uint_t                       slot;
    ngx_str_t                        host;
    in_port_t                        port;
    unsigned                         ask:1;
} ngx_http_news_redis_redirect_t;


/* one range of CLUSTER SLOTS: first..last served by host:port */
typedef ngx_int_t (*ngx_http_news_redis_range_pt)(void *data,
    ngx_uint_t first, ngx_uint_t last, ngx_str_t *host, in_port_t port);


ngx_http_news_redis_cluster_t *ngx_http_news_redis_cluster_create(
    ngx_conf_t *cf);
ngx_int_t ngx_http_news_redis_cluster_seed(
    ngx_http_news_redis_cluster_t *cluster, ngx_str_t *name,
    ngx_addr_t *addrs, ngx_uint_t naddrs);

ngx_int_t ngx_http_news_redis_cluster_init(
    ngx_http_news_redis_cluster_t *cluster,
    ngx_http_news_redis_server_t *server, ngx_log_t *log);
ngx_uint_t ngx_http_news_redis_cluster_opened(
    ngx_http_news_redis_cluster_t *cluster);
void ngx_http_news_redis_cluster_exit(ngx_http_news_redis_cluster_t *cluster);
ngx_int_t ngx_http_news_redis_cluster_send(
    ngx_http_news_redis_cluster_t *cluster,
    ngx_http_news_redis_pending_t *pending);

ngx_uint_t ngx_http_news_redis_cluster_slot(u_char *key, size_t len);
ngx_uint_t ngx_http_news_redis_cluster_tagged(u_char *key, size_t len);
ngx_int_t ngx_http_news_redis_cluster_beside(ngx_str_t *key,
    ngx_str_t *suffix, ngx_pool_t *pool, ngx_str_t *out);
ngx_int_t ngx_http_news_redis_cluster_redirect(
    ngx_http_news_redis_reply_t *error,
    ngx_http_news_redis_redirect_t *redirect);
ngx_int_t ngx_http_news_redis_cluster_ranges(
    ngx_http_news_redis_reply_t *reply, ngx_http_news_redis_range_pt handler,
    void *data);


#endif /* _NGX_HTTP_NEWS_REDIS_CLUSTER_H_INCLUDED_ */
