
/*
 * Copyright (C) ngx_news_module authors
 *
 * Page templates: a logic-less Mustache subset compiled once, at
 * configuration time, into literal chunks and value references, so a
 * request never parses template text.
 */


#ifndef _NGX_HTTP_NEWS_TEMPLATE_H_INCLUDED_
#define _NGX_HTTP_NEWS_TEMPLATE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_news_article.h"


typedef struct ngx_http_news_template_s  ngx_http_news_template_t;


/* what a page is rendered from: the article and its request's context */
typedef struct {
    ngx_http_news_article_t  *article;
    ngx_str_t                 site_name;
    ngx_str_t                 url;            /* canonical, URI-escaped */
} ngx_http_news_page_t;


ngx_http_news_template_t *ngx_http_news_template_compile(ngx_conf_t *cf,
    ngx_str_t *source, ngx_str_t *text);
ngx_int_t ngx_http_news_template_render(ngx_http_news_template_t *tpl,
    ngx_http_news_page_t *page, ngx_pool_t *pool, ngx_str_t *out);

size_t ngx_http_news_escape_html_len(u_char *src, size_t size);
u_char *ngx_http_news_escape_html(u_char *dst, u_char *src, size_t size);


#endif /* _NGX_HTTP_NEWS_TEMPLATE_H_INCLUDED_ */
