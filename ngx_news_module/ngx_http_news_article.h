
/*
 * Copyright (C) ngx_news_module authors
 *
 * An article is one Redis hash.  This file holds the script that counts
 * a view, turns the reply to a view into article fields (values point
 * into the reply, not copies) and reads the fields that have a format:
 * dates and tags.
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


/* what the count script did with a view */
typedef enum {
    NGX_HTTP_NEWS_VIEW_MISSING = -1,    /* no such article */
    NGX_HTTP_NEWS_VIEW_DRAFT = 0,
    NGX_HTTP_NEWS_VIEW_COUNTED = 1,
    NGX_HTTP_NEWS_VIEW_REPEAT = 2,      /* the visitor's, within the window */
    NGX_HTTP_NEWS_VIEW_SHOWN            /* not to be counted: not asked */
} ngx_http_news_view_e;


typedef struct {
    ngx_str_t                 field[NGX_HTTP_NEWS_NFIELDS];
    int64_t                   views;        /* 0 when the field is absent */
    ngx_http_news_view_e      view;
    redisReply               *pairs;        /* every field, for JSON */
} ngx_http_news_article_t;


/* what a page is rendered from: the article and its request's context */
typedef struct {
    ngx_http_news_article_t  *article;
    ngx_str_t                 site_name;
    ngx_str_t                 url;          /* canonical, URI-escaped */
    ngx_str_t                 beacon_url;   /* news_beacon_url, or empty */
    char                     *date_format;  /* strftime(3), UTC */
    ngx_uint_t                body_format;
    ngx_log_t                *log;
} ngx_http_news_page_t;


extern ngx_str_t  ngx_http_news_article_fields[];
extern ngx_str_t  ngx_http_news_article_script;


ngx_int_t ngx_http_news_article_field(ngx_str_t *name);
ngx_int_t ngx_http_news_article_view(redisReply *reply,
    ngx_http_news_view_e *view);
ngx_int_t ngx_http_news_article_from_reply(ngx_http_news_article_t *a,
    redisReply *reply, ngx_uint_t counted, ngx_str_t *reason);
ngx_int_t ngx_http_news_article_date(ngx_str_t *field, char *format,
    ngx_pool_t *pool, ngx_str_t *out);
ngx_int_t ngx_http_news_article_tags(ngx_str_t *tags, ngx_pool_t *pool,
    ngx_array_t *out);


#endif /* _NGX_HTTP_NEWS_ARTICLE_H_INCLUDED_ */
