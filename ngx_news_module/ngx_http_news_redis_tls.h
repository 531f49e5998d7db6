
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 *
 * TLS to Redis (news_redis_ssl*), with nginx's own OpenSSL layer as the
 * upstream modules use it: a context per Redis target made when the
 * configuration is read, a non-blocking handshake with the name sent
 * (SNI) and checked, and the last session reused on reconnects.  The
 * connection layer (redis.c) drives the handshake; this file knows
 * what to set up and what to check.
 */


#ifndef _NGX_HTTP_NEWS_REDIS_TLS_H_INCLUDED_
#define _NGX_HTTP_NEWS_REDIS_TLS_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>


/* the directives' values, as a location has them */
typedef struct {
    ngx_flag_t                    enable;
    ngx_flag_t                    verify;
    ngx_uint_t                    verify_depth;
    ngx_str_t                     name;
    ngx_str_t                     trusted_certificate;
    ngx_str_t                     certificate;
    ngx_str_t                     certificate_key;
} ngx_http_news_redis_tls_conf_t;


typedef struct ngx_http_news_redis_tls_s  ngx_http_news_redis_tls_t;


void ngx_http_news_redis_tls_conf_init(ngx_http_news_redis_tls_conf_t *conf);
void ngx_http_news_redis_tls_conf_merge(ngx_http_news_redis_tls_conf_t *conf,
    ngx_http_news_redis_tls_conf_t *prev);
ngx_uint_t ngx_http_news_redis_tls_conf_equal(
    ngx_http_news_redis_tls_conf_t *a, ngx_http_news_redis_tls_conf_t *b);
ngx_http_news_redis_tls_t *ngx_http_news_redis_tls_create(ngx_conf_t *cf,
    ngx_http_news_redis_tls_conf_t *conf, ngx_str_t *host);

ngx_int_t ngx_http_news_redis_tls_start(ngx_http_news_redis_tls_t *tls,
    ngx_connection_t *c, ngx_connection_handler_pt handshaked);
ngx_int_t ngx_http_news_redis_tls_check(ngx_http_news_redis_tls_t *tls,
    ngx_connection_t *c, u_char *buf, size_t size, ngx_str_t *reason);
void ngx_http_news_redis_tls_close(ngx_connection_t *c);
void ngx_http_news_redis_tls_exit(ngx_http_news_redis_tls_t *tls);


#endif /* _NGX_HTTP_NEWS_REDIS_TLS_H_INCLUDED_ */
