
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 *
 * Redis Sentinel: the primary of a named master learnt from the
 * sentinels (SENTINEL get-master-addr-by-name), followed when they
 * announce a new one (+switch-master), requests held from when a
 * failover is about to promote a replica until then, and the sentinels
 * asked again when the connection to the primary is lost or it refuses
 * writes.  The parsing of what Sentinel sends is plain functions, so
 * that a fuzzer can drive them.
 */


#ifndef _NGX_HTTP_NEWS_REDIS_SENTINEL_H_INCLUDED_
#define _NGX_HTTP_NEWS_REDIS_SENTINEL_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_news_redis_conn.h"


typedef struct ngx_http_news_redis_sentinel_s  ngx_http_news_redis_sentinel_t;


/* a primary as Sentinel names it; master: a switch's only */
typedef struct {
    ngx_str_t                        master;
    ngx_str_t                        host;
    in_port_t                        port;
} ngx_http_news_redis_primary_t;


ngx_http_news_redis_sentinel_t *ngx_http_news_redis_sentinel_create(
    ngx_conf_t *cf, ngx_str_t *master, ngx_str_t *user, ngx_str_t *password);
ngx_int_t ngx_http_news_redis_sentinel_watch(
    ngx_http_news_redis_sentinel_t *sentinel, ngx_addr_t *addrs,
    ngx_uint_t naddrs);

ngx_int_t ngx_http_news_redis_sentinel_init(
    ngx_http_news_redis_sentinel_t *sentinel,
    ngx_http_news_redis_server_t *server, ngx_log_t *log);
ngx_uint_t ngx_http_news_redis_sentinel_opened(
    ngx_http_news_redis_sentinel_t *sentinel);
void ngx_http_news_redis_sentinel_exit(
    ngx_http_news_redis_sentinel_t *sentinel);
ngx_int_t ngx_http_news_redis_sentinel_send(
    ngx_http_news_redis_sentinel_t *sentinel,
    ngx_http_news_redis_pending_t *pending);

ngx_int_t ngx_http_news_redis_sentinel_address(
    ngx_http_news_redis_reply_t *reply,
    ngx_http_news_redis_primary_t *primary);
ngx_int_t ngx_http_news_redis_sentinel_switch(
    ngx_http_news_redis_reply_t *reply,
    ngx_http_news_redis_primary_t *primary);
ngx_int_t ngx_http_news_redis_sentinel_failing_over(
    ngx_http_news_redis_reply_t *reply, ngx_str_t *master);


#endif /* _NGX_HTTP_NEWS_REDIS_SENTINEL_H_INCLUDED_ */
