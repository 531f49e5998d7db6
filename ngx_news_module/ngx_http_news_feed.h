
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 *
 * A list as XML: RSS 2.0, Atom 1.0, a Google News sitemap, a sitemap
 * file and the sitemap index.  Pure renderers of the list model: no
 * request, no Redis, so a fuzzer can drive them.
 */


#ifndef _NGX_HTTP_NEWS_FEED_H_INCLUDED_
#define _NGX_HTTP_NEWS_FEED_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_news_list.h"


/* the sitemaps protocol's limit of URLs in one file (news_sitemap_size) */
#define NGX_HTTP_NEWS_SITEMAP_MAX       50000

/* Google News: the articles of the last two days, at most 1000 */
#define NGX_HTTP_NEWS_NEWS_SITEMAP_MAX  1000
#define NGX_HTTP_NEWS_NEWS_SITEMAP_AGE  (2 * 86400)


typedef enum {
    NGX_HTTP_NEWS_FEED_RSS = 0,
    NGX_HTTP_NEWS_FEED_ATOM,
    NGX_HTTP_NEWS_FEED_NEWS_SITEMAP,
    NGX_HTTP_NEWS_FEED_SITEMAP,         /* one file: the list's items */
    NGX_HTTP_NEWS_FEED_SITEMAP_INDEX    /* the files, from list->total */
} ngx_http_news_feed_e;


typedef struct {
    ngx_flag_t                content;      /* news_feed_content */
    ngx_uint_t                body_format;  /* news_body_format */
    ngx_uint_t                sitemap_size; /* news_sitemap_size */
} ngx_http_news_feed_conf_t;


ngx_int_t ngx_http_news_feed_render(ngx_http_news_list_t *list,
    ngx_http_news_feed_e format, ngx_http_news_feed_conf_t *conf,
    ngx_pool_t *pool, ngx_str_t *out);
/* type->data is a static, NUL-terminated string */
void ngx_http_news_feed_content_type(ngx_http_news_feed_e format,
    ngx_str_t *type);


#endif /* _NGX_HTTP_NEWS_FEED_H_INCLUDED_ */
