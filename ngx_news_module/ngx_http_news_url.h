
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 *
 * Where the site's pages are, as absolute URLs: the base every link,
 * canonical and feed starts with, and an article's own URL.
 */


#ifndef _NGX_HTTP_NEWS_URL_H_INCLUDED_
#define _NGX_HTTP_NEWS_URL_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>


ngx_int_t ngx_http_news_url_base(ngx_http_request_t *r, ngx_str_t *base);
ngx_int_t ngx_http_news_url_article(ngx_http_request_t *r, ngx_str_t *key,
    ngx_str_t *url);
ngx_int_t ngx_http_news_url_listed(ngx_http_request_t *r, ngx_str_t *base,
    ngx_str_t *key, ngx_str_t *url);
ngx_int_t ngx_http_news_url_resolve(ngx_str_t *page, ngx_str_t *ref,
    ngx_pool_t *pool, ngx_str_t *url);


#endif /* _NGX_HTTP_NEWS_URL_H_INCLUDED_ */
