
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 *
 * The article model: one Redis hash as plain C data.  Every value is a
 * copy that the article owns (it lives in the pool it was made in), the
 * fields with a format (dates, tags) are read once, when it is made, and
 * nothing here knows where the hash came from.  Renderers take this and
 * never a Redis reply.
 */


#ifndef _NGX_HTTP_NEWS_ARTICLE_H_INCLUDED_
#define _NGX_HTTP_NEWS_ARTICLE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>


/* the fields the module knows by name; indexes of field[] */
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
    NGX_HTTP_NEWS_REV,
    NGX_HTTP_NEWS_SEO_TITLE,
    NGX_HTTP_NEWS_AUTHORS,
    NGX_HTTP_NEWS_IMAGE_WIDTH,
    NGX_HTTP_NEWS_IMAGE_HEIGHT,
    NGX_HTTP_NEWS_IMAGE_SRCSET,
    NGX_HTTP_NEWS_NFIELDS
} ngx_http_news_field_e;


typedef struct {
    ngx_str_t                 name;
    ngx_str_t                 value;
} ngx_http_news_pair_t;


/* a byline's person: "url" may be empty */
typedef struct {
    ngx_str_t                 name;
    ngx_str_t                 url;
} ngx_http_news_person_t;


typedef struct {
    ngx_str_t                 field[NGX_HTTP_NEWS_NFIELDS];

    /* every field as stored, known or not, in the hash's order */
    ngx_http_news_pair_t     *pairs;
    ngx_uint_t                npairs;

    ngx_str_t                *tags;
    ngx_uint_t                ntags;

    /* "authors" read, else "author" as the one person; may be none */
    ngx_http_news_person_t   *authors;
    ngx_uint_t                nauthors;
    ngx_uint_t                authors_invalid;  /* "authors" unreadable */
    time_t                    published;    /* -1: absent or unreadable */
    time_t                    updated;

    int64_t                   views;        /* 0 when the field is absent */
    ngx_uint_t                draft;        /* status "draft" */
    size_t                    size;         /* memory it takes, when done */
} ngx_http_news_article_t;


extern ngx_str_t  ngx_http_news_article_fields[];


ngx_http_news_article_t *ngx_http_news_article_create(ngx_pool_t *pool,
    ngx_uint_t npairs);
ngx_int_t ngx_http_news_article_add(ngx_http_news_article_t *a,
    ngx_pool_t *pool, u_char *name, size_t name_len, u_char *value,
    size_t value_len);
ngx_int_t ngx_http_news_article_done(ngx_http_news_article_t *a,
    ngx_pool_t *pool, ngx_str_t *reason);

ngx_int_t ngx_http_news_article_field(ngx_str_t *name);
ngx_int_t ngx_http_news_parse_views(u_char *p, size_t len, int64_t *views);
ngx_int_t ngx_http_news_article_date(time_t t, char *format,
    ngx_pool_t *pool, ngx_str_t *out);
ngx_int_t ngx_http_news_article_list_name(ngx_str_t *name, ngx_pool_t *pool,
    ngx_str_t *out);
ngx_int_t ngx_http_news_article_list_url(ngx_str_t *prefix, ngx_str_t *name,
    ngx_pool_t *pool, ngx_str_t *url);


#endif /* _NGX_HTTP_NEWS_ARTICLE_H_INCLUDED_ */
