
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 *
 * The article in Redis: the commands that count and read a view, and
 * the one place where their reply becomes the article model.  Nothing
 * above this file sees a reply.
 */


#ifndef _NGX_HTTP_NEWS_STORE_H_INCLUDED_
#define _NGX_HTTP_NEWS_STORE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_news_redis.h"
#include "ngx_http_news_article.h"


/* what Redis made of a view */
typedef enum {
    NGX_HTTP_NEWS_VIEW_MISSING = 0,     /* no such article */
    NGX_HTTP_NEWS_VIEW_DRAFT,
    NGX_HTTP_NEWS_VIEW_COUNTED,
    NGX_HTTP_NEWS_VIEW_REPEAT,          /* the visitor's, within the window */
    NGX_HTTP_NEWS_VIEW_SHOWN,           /* not to be counted: not asked */
    NGX_HTTP_NEWS_VIEW_SCHEDULED        /* published_ts is in the future */
} ngx_http_news_view_e;


/*
 * A view to ask Redis for.  With a known revision (an article kept from
 * an earlier view) the fields travel only if the stored revision is
 * another; without, the view reads the whole hash.
 */
typedef struct {
    ngx_str_t                        key;
    ngx_str_t                        mark;      /* the visitor's, or empty */
    ngx_str_t                        window;    /* the mark's, in seconds */
    ngx_str_t                        rev;       /* known, or empty */
    unsigned                         count:1;
    unsigned                         fields:1;  /* the article is wanted */

    /* made by ngx_http_news_store_commands() */
    ngx_http_news_redis_command_t    command[2];
    ngx_uint_t                       ncommands;
    ngx_str_t                        argv[7];
    u_char                           day[8];    /* YYYYMMDD, most read */
} ngx_http_news_store_query_t;


typedef struct {
    ngx_http_news_view_e             view;
    int64_t                          views;     /* after this view */

    /*
     * The article as stored now, NULL if it is the known revision; in a
     * pool of its own, which the caller owns.
     */
    ngx_http_news_article_t         *article;
    ngx_pool_t                      *pool;
} ngx_http_news_store_view_t;


/* a counted view added to most read apart (ZINCRBY and EXPIRE NX) */
typedef struct {
    ngx_http_news_redis_command_t    command[2];
    ngx_str_t                        argv[8];
    u_char                           set[512 + 32]; /* a key's prefix */
} ngx_http_news_most_read_t;


void ngx_http_news_store_init(ngx_http_news_redis_script_t *script,
    ngx_uint_t most_read_apart);
ngx_uint_t ngx_http_news_store_writes(ngx_http_news_store_query_t *q);
void ngx_http_news_store_commands(ngx_http_news_store_query_t *q,
    ngx_http_news_redis_script_t *script);
ngx_int_t ngx_http_news_store_most_read(ngx_str_t *key,
    ngx_http_news_most_read_t *m);
ngx_int_t ngx_http_news_store_view(ngx_http_news_store_query_t *q,
    ngx_http_news_redis_reply_t *reply, ngx_http_news_store_view_t *view,
    ngx_str_t *reason);
ngx_http_news_article_t *ngx_http_news_store_article(
    ngx_http_news_redis_reply_t *fields, ngx_pool_t *pool,
    ngx_str_t *reason);
ngx_int_t ngx_http_news_store_fields(ngx_str_t *names, ngx_uint_t nnames,
    ngx_http_news_redis_reply_t *values, ngx_pool_t *pool,
    ngx_http_news_article_t **article, ngx_str_t *reason);


#endif /* _NGX_HTTP_NEWS_STORE_H_INCLUDED_ */
