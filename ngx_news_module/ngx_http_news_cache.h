
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 *
 * This worker's articles, kept from one view to the next with the page
 * last rendered of each, so that a view of an article that has not
 * changed costs Redis only the count and nginx only the count's digits.
 * An article is kept by its revision ("rev"): one without is never kept.
 * The memory is bounded (news_cache_size), the least recently viewed
 * going first; an entry still used by a request outlives its eviction
 * until that request is done.
 */


#ifndef _NGX_HTTP_NEWS_CACHE_H_INCLUDED_
#define _NGX_HTTP_NEWS_CACHE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_news_render.h"


typedef struct ngx_http_news_cache_entry_s  ngx_http_news_cache_entry_t;


/* what a rendered page depends on besides the article */
typedef struct {
    ngx_uint_t                    generation;   /* of the configuration */
    void                         *conf;         /* the location's */
    ngx_str_t                     url;
    ngx_str_t                     beacon_url;
} ngx_http_news_cache_variant_t;


struct ngx_http_news_cache_entry_s {
    ngx_str_node_t                node;         /* by the article's key */
    ngx_queue_t                   queue;        /* least recent last */
    ngx_pool_t                   *pool;         /* the article's own */
    ngx_http_news_article_t      *article;
    ngx_uint_t                    refs;         /* requests using it */
    int64_t                       views;        /* the last count seen */
    unsigned                      cached:1;     /* still findable */

    ngx_http_news_cache_variant_t variant;      /* of the page kept */
    ngx_http_news_rendered_t      page;
    u_char                       *page_memory;
    size_t                        size;         /* all it holds */
};


void ngx_http_news_cache_size(size_t max);
void ngx_http_news_cache_empty(void);
ngx_http_news_cache_entry_t *ngx_http_news_cache_get(ngx_str_t *key);
ngx_http_news_cache_entry_t *ngx_http_news_cache_put(ngx_str_t *key,
    ngx_http_news_article_t *article, ngx_pool_t *pool);
void ngx_http_news_cache_remove(ngx_str_t *key);
void ngx_http_news_cache_hold(ngx_http_news_cache_entry_t *e);
void ngx_http_news_cache_release(ngx_http_news_cache_entry_t *e);
ngx_http_news_rendered_t *ngx_http_news_cache_page(
    ngx_http_news_cache_entry_t *e, ngx_http_news_cache_variant_t *v);
ngx_http_news_rendered_t *ngx_http_news_cache_set_page(
    ngx_http_news_cache_entry_t *e, ngx_http_news_cache_variant_t *v,
    ngx_http_news_rendered_t *page);


#endif /* _NGX_HTTP_NEWS_CACHE_H_INCLUDED_ */
