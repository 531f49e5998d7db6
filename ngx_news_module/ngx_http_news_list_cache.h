
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 *
 * This worker's list pages, kept for news_list_cache after they were
 * rendered: within that time a list page costs neither Redis nor a
 * rendering.  A page is kept by its location, page and name; a few
 * hundred of them at most, each of bounded size.
 */


#ifndef _NGX_HTTP_NEWS_LIST_CACHE_H_INCLUDED_
#define _NGX_HTTP_NEWS_LIST_CACHE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>


/* a page larger is not kept (a sitemap file of thousands of URLs) */
#define NGX_HTTP_NEWS_LIST_CACHE_MAX_BODY  (512 * 1024)


typedef struct {
    ngx_str_t                 body;
    ngx_str_t                 etag;
    time_t                    last_modified;    /* -1: none */
    char                     *type;             /* static */
} ngx_http_news_list_kept_t;


ngx_int_t ngx_http_news_list_cache_get(ngx_str_t *key,
    ngx_http_news_list_kept_t *page);
void ngx_http_news_list_cache_put(ngx_str_t *key, ngx_msec_t ttl,
    ngx_http_news_list_kept_t *page, ngx_log_t *log);
void ngx_http_news_list_cache_empty(void);


#endif /* _NGX_HTTP_NEWS_LIST_CACHE_H_INCLUDED_ */
