
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 *
 * The article page: every name its templates may use and what each
 * shows (fields, dates, links, the body, JSON-LD, the count), and the
 * page made ready to send with this view's count in its places.
 */


#ifndef _NGX_HTTP_NEWS_PAGE_H_INCLUDED_
#define _NGX_HTTP_NEWS_PAGE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_news_render.h"
#include "ngx_http_news_template.h"


ngx_http_news_template_t *ngx_http_news_page_template_load(ngx_conf_t *cf,
    ngx_str_t *path);
ngx_http_news_template_t *ngx_http_news_page_template_compile(
    ngx_conf_t *cf, ngx_str_t *source, ngx_str_t *text);
ngx_int_t ngx_http_news_page_render(ngx_http_news_template_t *tpl,
    ngx_http_news_page_t *page, ngx_pool_t *pool,
    ngx_http_news_rendered_t *out);
ngx_int_t ngx_http_news_page_output(ngx_http_news_rendered_t *rendered,
    int64_t views, ngx_pool_t *pool, ngx_chain_t **out, off_t *len);


#endif /* _NGX_HTTP_NEWS_PAGE_H_INCLUDED_ */
