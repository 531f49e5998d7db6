
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 *
 * Lists in Redis: the list keys (names normalized as the write script
 * makes them), the list script that reads a page of a list and the
 * fields of each of its articles in one round trip (in a Redis Cluster,
 * the page in the lists' slot, then each article's fields from its
 * own), and the one place where its replies become the list model.
 */


#ifndef _NGX_HTTP_NEWS_LIST_STORE_H_INCLUDED_
#define _NGX_HTTP_NEWS_LIST_STORE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_news_redis.h"
#include "ngx_http_news_list.h"


/* the most read of a week: today and the 6 days before */
#define NGX_HTTP_NEWS_LIST_WEEK  7


/* which fields of each article the reply brings */
typedef enum {
    NGX_HTTP_NEWS_LIST_FIELDS_SUMMARY = 0,  /* what a page or feed shows */
    NGX_HTTP_NEWS_LIST_FIELDS_DATES,        /* a sitemap: dates alone */
    NGX_HTTP_NEWS_LIST_FIELDS_CONTENT       /* a feed with the bodies */
} ngx_http_news_list_fields_e;


typedef struct {
    ngx_http_news_list_kind_e        kind;
    ngx_str_t                        prefix;     /* news_key_prefix */
    ngx_str_t                        name;       /* normalized; or empty */
    time_t                           now;
    time_t                           since;      /* oldest score; 0: any */
    ngx_uint_t                       offset;
    ngx_uint_t                       count;      /* 0: the total alone */
    ngx_uint_t                       box;        /* today's most read box:
                                                    its size, or 0 */
    ngx_http_news_list_fields_e      fields;
    unsigned                         cluster:1;  /* the fields apart */

    /* made by ngx_http_news_list_store_command() */
    ngx_http_news_redis_command_t    command;
    ngx_uint_t                       nkeys;      /* of the list itself */
} ngx_http_news_list_query_t;


ngx_http_news_redis_script_t *ngx_http_news_list_store_script(void);
ngx_http_news_redis_script_t *ngx_http_news_list_store_cluster_script(void);
ngx_int_t ngx_http_news_list_store_command(ngx_http_news_list_query_t *q,
    ngx_pool_t *pool);
ngx_int_t ngx_http_news_list_store_reply(ngx_http_news_list_query_t *q,
    ngx_http_news_redis_reply_t *reply, ngx_pool_t *pool,
    ngx_http_news_list_t *list, ngx_str_t *reason);
ngx_int_t ngx_http_news_list_store_fields_command(
    ngx_http_news_list_query_t *q, ngx_str_t *key, ngx_pool_t *pool,
    ngx_http_news_redis_command_t *command);
ngx_int_t ngx_http_news_list_store_fields_reply(ngx_http_news_list_query_t *q,
    ngx_http_news_redis_reply_t *reply, ngx_pool_t *pool,
    ngx_http_news_list_item_t *item, ngx_str_t *reason);


#endif /* _NGX_HTTP_NEWS_LIST_STORE_H_INCLUDED_ */
