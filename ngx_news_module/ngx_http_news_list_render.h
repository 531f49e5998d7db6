
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 *
 * List pages as HTML and JSON: every name a list template may use and
 * its value (the list's, and inside {{#articles}} and {{#most_read}}
 * each article's), and the list as JSON for apps.
 */


#ifndef _NGX_HTTP_NEWS_LIST_RENDER_H_INCLUDED_
#define _NGX_HTTP_NEWS_LIST_RENDER_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_news_list.h"
#include "ngx_http_news_template.h"


/* what a list page is rendered with, besides the list */
typedef struct {
    ngx_http_news_list_t     *list;
    char                     *date_format;  /* strftime(3), UTC */
    ngx_str_t                 section_url;  /* absolute prefixes of the */
    ngx_str_t                 tag_url;      /* list pages, or empty */
    ngx_str_t                 author_url;
    ngx_log_t                *log;
} ngx_http_news_list_page_t;


ngx_http_news_template_t *ngx_http_news_list_template_load(ngx_conf_t *cf,
    ngx_str_t *path);
ngx_http_news_template_t *ngx_http_news_list_template_compile(
    ngx_conf_t *cf, ngx_str_t *source, ngx_str_t *text);
ngx_int_t ngx_http_news_list_render_html(ngx_http_news_template_t *tpl,
    ngx_http_news_list_page_t *page, ngx_pool_t *pool, ngx_str_t *out);
ngx_int_t ngx_http_news_list_render_json(ngx_http_news_list_page_t *page,
    ngx_pool_t *pool, ngx_str_t *out);


#endif /* _NGX_HTTP_NEWS_LIST_RENDER_H_INCLUDED_ */
