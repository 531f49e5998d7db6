
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 *
 * JSON with jansson: the article as JSON (news_format json), its
 * errors, and the JSON-LD NewsArticle of the page's head.
 */


#ifndef _NGX_HTTP_NEWS_JSON_H_INCLUDED_
#define _NGX_HTTP_NEWS_JSON_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include <jansson.h>

#include "ngx_http_news_render.h"


const char *ngx_http_news_json_library(void);
ngx_int_t ngx_http_news_json_article(ngx_http_news_page_t *page,
    ngx_pool_t *pool, ngx_http_news_rendered_t *out);
ngx_int_t ngx_http_news_json_error(char *error, ngx_pool_t *pool,
    ngx_str_t *out);
ngx_int_t ngx_http_news_json_ld(ngx_http_news_page_t *page,
    ngx_pool_t *pool, ngx_str_t *out);
size_t ngx_http_news_json_fix_utf8(u_char *dst, u_char *src, size_t len);
ngx_int_t ngx_http_news_json_dump(json_t *json, size_t size, ngx_pool_t *pool,
    ngx_str_t *out);


#endif /* _NGX_HTTP_NEWS_JSON_H_INCLUDED_ */
