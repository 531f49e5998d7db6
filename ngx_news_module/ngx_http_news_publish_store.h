
/*
 * Copyright (C) ngx_news_module authors
 *
 * The publishing API's side of Redis: the key names under
 * news_key_prefix, the write script (fields, revision, dates and every
 * list entry in one atomic step; in a Redis Cluster, three steps: the
 * article in its slot, the lists in theirs, then the article's set of
 * lists), the commands of a read or a write and the one place where
 * their replies become data.
 */


#ifndef _NGX_HTTP_NEWS_PUBLISH_STORE_H_INCLUDED_
#define _NGX_HTTP_NEWS_PUBLISH_STORE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_news_redis.h"
#include "ngx_http_news_article.h"


typedef enum {
    NGX_HTTP_NEWS_PUBLISH_GET = 0,
    NGX_HTTP_NEWS_PUBLISH_PUT,
    NGX_HTTP_NEWS_PUBLISH_PATCH,
    NGX_HTTP_NEWS_PUBLISH_DELETE
} ngx_http_news_publish_op_e;


/* what Redis made of a read or a write */
typedef enum {
    NGX_HTTP_NEWS_PUBLISH_FOUND = 0,    /* read */
    NGX_HTTP_NEWS_PUBLISH_CREATED,
    NGX_HTTP_NEWS_PUBLISH_UPDATED,      /* replaced or changed */
    NGX_HTTP_NEWS_PUBLISH_CHANGED,      /* If-Match: another revision */
    NGX_HTTP_NEWS_PUBLISH_MISSING,
    NGX_HTTP_NEWS_PUBLISH_DELETED,
    NGX_HTTP_NEWS_PUBLISH_EXISTS        /* If-None-Match matched */
} ngx_http_news_publish_result_e;


typedef struct {
    ngx_http_news_publish_op_e       op;
    ngx_str_t                        if_match;       /* "": no condition */
    ngx_str_t                        if_none_match;
    ngx_str_t                        fields;         /* PUT, PATCH */

    /* made by ngx_http_news_publish_store_query() */
    ngx_str_t                        key;            /* the article's */
    ngx_str_t                        counter;        /* of revisions */
    ngx_str_t                        indexed;        /* its lists */
    ngx_str_t                        prefix;     /* of the lists */
    ngx_str_t                        applied;    /* Cluster: step 2's */
    unsigned                         cluster:1;

    /* made by ngx_http_news_publish_store_command() */
    ngx_http_news_redis_command_t    command;
    ngx_str_t                        argv[8];

    /* in a Cluster, steps 2 and 3 of a write */
    ngx_http_news_redis_command_t    lists;
    ngx_http_news_redis_command_t    prune;
} ngx_http_news_publish_query_t;


typedef struct {
    ngx_http_news_publish_result_e   result;
    ngx_str_t                        rev;        /* stored now; or empty */
    ngx_http_news_article_t         *article;    /* FOUND, CREATED, UPDATED */

    /* in a Cluster, step 1's word to step 2 (arrays of ngx_str_t) */
    ngx_array_t                     *leave;      /* lists to leave */
    ngx_array_t                     *enter;      /* lists to enter */
    ngx_str_t                        score;      /* in them */
    ngx_array_t                     *unread;     /* most read to leave */
} ngx_http_news_publish_reply_t;


ngx_http_news_redis_script_t *ngx_http_news_publish_store_script(void);
ngx_int_t ngx_http_news_publish_store_use_steps(ngx_array_t *scripts);
ngx_int_t ngx_http_news_publish_store_query(ngx_http_news_publish_query_t *q,
    ngx_str_t *prefix, ngx_str_t *slug, ngx_uint_t cluster, ngx_pool_t *pool);
void ngx_http_news_publish_store_command(ngx_http_news_publish_query_t *q);
ngx_int_t ngx_http_news_publish_store_reply(ngx_http_news_publish_query_t *q,
    ngx_http_news_redis_reply_t *reply, ngx_pool_t *pool,
    ngx_http_news_publish_reply_t *out, ngx_str_t *reason);
ngx_int_t ngx_http_news_publish_store_lists(ngx_http_news_publish_query_t *q,
    ngx_http_news_publish_reply_t *out, ngx_pool_t *pool);
ngx_int_t ngx_http_news_publish_store_prune(ngx_http_news_publish_query_t *q,
    ngx_http_news_publish_reply_t *out, ngx_pool_t *pool);
ngx_int_t ngx_http_news_publish_store_stepped(
    ngx_http_news_redis_reply_t *reply);


#endif /* _NGX_HTTP_NEWS_PUBLISH_STORE_H_INCLUDED_ */
