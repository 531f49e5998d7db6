
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 *
 * Page templates: a logic-less Mustache subset compiled once, at
 * configuration time, into literal chunks and value references, so a
 * request never parses template text.  The engine knows names and ids,
 * not what they mean: the caller gives it the names a template may use
 * and, when rendering, a function that gives each id's value.  Any other
 * name is taken for a field of the hash (a newsroom's own): its id is
 * NGX_HTTP_NEWS_TEMPLATE_FIELD or above, and
 * ngx_http_news_template_field() gives the name back.
 */


#ifndef _NGX_HTTP_NEWS_TEMPLATE_H_INCLUDED_
#define _NGX_HTTP_NEWS_TEMPLATE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_news_render.h"


/* above every id a caller gives */
#define NGX_HTTP_NEWS_TEMPLATE_FIELD  0x10000


typedef struct ngx_http_news_template_s  ngx_http_news_template_t;


typedef struct {
    ngx_str_t                 name;
    ngx_uint_t                id;
    unsigned                  list:2;   /* a section repeats per item */
    unsigned                  slot:1;   /* id is a slot: left for later */
} ngx_http_news_template_name_t;


/*
 * list: 1, items are values ({{.}}); NGX_HTTP_NEWS_TEMPLATE_RECORDS,
 * items are records (a list's articles), whose names inside the section
 * are their own.
 */
#define NGX_HTTP_NEWS_TEMPLATE_RECORDS  2


/*
 * The value of id: one item, or, for a list name in a section, the
 * list's items.  NGX_ERROR fails the rendering.
 */
typedef ngx_int_t (*ngx_http_news_template_value_pt)(void *data,
    ngx_uint_t id, ngx_uint_t list, ngx_str_t **items, ngx_uint_t *nitems);


/*
 * The records of a records name: each is the data the value function
 * gets for the names inside the section, once per record.
 */
typedef ngx_int_t (*ngx_http_news_template_records_pt)(void *data,
    ngx_uint_t id, void ***records, ngx_uint_t *nrecords);


ngx_http_news_template_t *ngx_http_news_template_load(ngx_conf_t *cf,
    ngx_str_t *path, ngx_http_news_template_name_t *names);
ngx_http_news_template_t *ngx_http_news_template_compile(ngx_conf_t *cf,
    ngx_str_t *source, ngx_str_t *text,
    ngx_http_news_template_name_t *names);
ngx_int_t ngx_http_news_template_render(ngx_http_news_template_t *tpl,
    ngx_http_news_template_value_pt value, void *data, ngx_pool_t *pool,
    ngx_http_news_rendered_t *out);
ngx_int_t ngx_http_news_template_render_records(
    ngx_http_news_template_t *tpl, ngx_http_news_template_value_pt value,
    ngx_http_news_template_records_pt records, void *data, ngx_pool_t *pool,
    ngx_http_news_rendered_t *out);
ngx_str_t *ngx_http_news_template_field(ngx_http_news_template_t *tpl,
    ngx_uint_t id);


#endif /* _NGX_HTTP_NEWS_TEMPLATE_H_INCLUDED_ */
