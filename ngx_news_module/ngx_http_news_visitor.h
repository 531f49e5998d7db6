
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 *
 * Repeat views (news_views_unique): who the visitor is, as a hash that
 * cannot be turned back into an address, and the Redis key that marks
 * the visitor's view of an article for the window.
 */


#ifndef _NGX_HTTP_NEWS_VISITOR_H_INCLUDED_
#define _NGX_HTTP_NEWS_VISITOR_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>


#define NGX_HTTP_NEWS_SECRET_LEN  16


ngx_int_t ngx_http_news_visitor_secret(ngx_log_t *log, u_char *secret);
ngx_int_t ngx_http_news_visitor_key(ngx_http_request_t *r, u_char *secret,
    ngx_http_complex_value_t *visitor, ngx_str_t *article, ngx_uint_t tag,
    ngx_str_t *key);


#endif /* _NGX_HTTP_NEWS_VISITOR_H_INCLUDED_ */
