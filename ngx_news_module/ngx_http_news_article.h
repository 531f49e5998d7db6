
/*
 * Copyright (C) ngx_news_module authors
 *
 * An article is one Redis hash.  This file turns the view-count script's
 * reply into article fields; values point into the reply, not copies.
 */


#ifndef _NGX_HTTP_NEWS_ARTICLE_H_INCLUDED_
#define _NGX_HTTP_NEWS_ARTICLE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include <hiredis/hiredis.h>


typedef enum {
    NGX_HTTP_NEWS_TITLE = 0,
    NGX_HTTP_NEWS_AUTHOR,
    NGX_HTTP_NEWS_PUBLISHED_AT,
    NGX_HTTP_NEWS_UPDATED_AT,
    NGX_HTTP_NEWS_SUMMARY,
    NGX_HTTP_NEWS_BODY,
    NGX_HTTP_NEWS_IMAGE,
    NGX_HTTP_NEWS_IMAGE_ALT,
    NGX_HTTP_NEWS_IMAGE_CREDIT,
    NGX_HTTP_NEWS_CATEGORY,
    NGX_HTTP_NEWS_TAGS,
    NGX_HTTP_NEWS_STATUS,
    NGX_HTTP_NEWS_NFIELDS
} ngx_http_news_field_e;


typedef struct {
    ngx_str_t                 field[NGX_HTTP_NEWS_NFIELDS];
    int64_t                   views;
} ngx_http_news_article_t;


extern ngx_str_t  ngx_http_news_article_fields[];
extern ngx_str_t  ngx_http_news_article_script;


ngx_int_t ngx_http_news_article_field(ngx_str_t *name);
ngx_int_t ngx_http_news_article_from_reply(ngx_http_news_article_t *a,
    redisReply *reply, ngx_str_t *reason);


#endif /* _NGX_HTTP_NEWS_ARTICLE_H_INCLUDED_ */
