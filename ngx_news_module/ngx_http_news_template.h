
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


ngx_http_news_template_t *ngx_http_news_template_load(ngx_conf_t *cf,
    ngx_str_t *path);
ngx_http_news_template_t *ngx_http_news_template_compile(ngx_conf_t *cf,
    ngx_str_t *source, ngx_str_t *text);
ngx_int_t ngx_http_news_template_render(ngx_http_news_template_t *tpl,
    ngx_http_news_page_t *page, ngx_pool_t *pool, ngx_str_t *out);


#endif /* _NGX_HTTP_NEWS_TEMPLATE_H_INCLUDED_ */
