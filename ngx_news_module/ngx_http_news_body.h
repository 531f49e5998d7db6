
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 *
 * The article body to HTML: plain text paragraphs, Markdown (md4c, no
 * raw HTML, no script URLs), or editors' HTML passed through.
 */


#ifndef _NGX_HTTP_NEWS_BODY_H_INCLUDED_
#define _NGX_HTTP_NEWS_BODY_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>


#define NGX_HTTP_NEWS_BODY_FORMAT_TEXT      0
#define NGX_HTTP_NEWS_BODY_FORMAT_MARKDOWN  1
#define NGX_HTTP_NEWS_BODY_FORMAT_HTML      2


ngx_int_t ngx_http_news_body_html(ngx_str_t *body, ngx_uint_t format,
    ngx_pool_t *pool, ngx_str_t *out);
ngx_uint_t ngx_http_news_body_reading_minutes(ngx_str_t *body);


#endif /* _NGX_HTTP_NEWS_BODY_H_INCLUDED_ */
