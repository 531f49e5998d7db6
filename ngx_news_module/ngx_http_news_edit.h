
/*
 * Copyright (C) ngx_news_module authors
 *
 * An editor's edit: the JSON object a PUT or PATCH of the publishing API
 * sends, checked field by field and turned into what the write script
 * takes; and the article as the API shows it.  Functions of their input
 * alone (no request, no Redis), so that a fuzzer can drive them.
 */


#ifndef _NGX_HTTP_NEWS_EDIT_H_INCLUDED_
#define _NGX_HTTP_NEWS_EDIT_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_news_article.h"


#define NGX_HTTP_NEWS_SLUG_MAX  200


/* why an edit is refused: {"error": error, "field": field} */
typedef struct {
    ngx_str_t                 error;
    ngx_str_t                 field;    /* "title", "tags[2]" ...; or empty */
} ngx_http_news_edit_error_t;


ngx_int_t ngx_http_news_edit_slug(ngx_str_t *slug);
ngx_int_t ngx_http_news_edit_parse(ngx_str_t *body, ngx_uint_t replace,
    ngx_str_t *slug, ngx_pool_t *pool, ngx_str_t *fields,
    ngx_http_news_edit_error_t *err);
ngx_int_t ngx_http_news_edit_article(ngx_http_news_article_t *a,
    ngx_str_t *slug, ngx_pool_t *pool, ngx_str_t *out);
ngx_int_t ngx_http_news_edit_error(ngx_http_news_edit_error_t *err,
    ngx_pool_t *pool, ngx_str_t *out);


#endif /* _NGX_HTTP_NEWS_EDIT_H_INCLUDED_ */
