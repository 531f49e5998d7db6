
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 */


#ifndef _NGX_HTTP_NEWS_MODULE_H_INCLUDED_
#define _NGX_HTTP_NEWS_MODULE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_news_redis.h"
#include "ngx_http_news_store.h"
#include "ngx_http_news_cache.h"
#include "ngx_http_news_page.h"
#include "ngx_http_news_body.h"
#include "ngx_http_news_json.h"
#include "ngx_http_news_visitor.h"
#include "ngx_http_news_metrics.h"
#include "ngx_http_news_response.h"
#include "ngx_http_news_feed.h"
#include "ngx_http_news_stale.h"


#define NGX_HTTP_NEWS_KEY_MAX      512
#define NGX_HTTP_NEWS_PASSWORD_MAX 1024

#define NGX_HTTP_NEWS_FORMAT_HTML  0
#define NGX_HTTP_NEWS_FORMAT_JSON  1
/* lists only: the feed renderers' */
#define NGX_HTTP_NEWS_FORMAT_RSS           2
#define NGX_HTTP_NEWS_FORMAT_ATOM          3
#define NGX_HTTP_NEWS_FORMAT_NEWS_SITEMAP  4
#define NGX_HTTP_NEWS_FORMAT_SITEMAP       5


typedef struct {
    ngx_array_t                     targets;    /* of target pointers */
    ngx_http_news_redis_script_t    script;     /* the view's */
    ngx_http_news_redis_script_t    script_apart;  /* in a Cluster */
    ngx_array_t                     scripts;    /* every connection's */
    size_t                          cache_size;
    size_t                          stale_size;     /* news_stale_buffer */
    ngx_shm_zone_t                 *stale_zone;     /* NULL: no news_stale */
    ngx_uint_t                      generation; /* of this configuration */
    ngx_http_news_template_t       *default_template;
    ngx_http_news_template_t       *default_list_template;
    ngx_uint_t                      lists;      /* a news_list somewhere */
    ngx_http_complex_value_t       *default_visitor;
    u_char                          secret[NGX_HTTP_NEWS_SECRET_LEN];
} ngx_http_news_main_conf_t;


typedef struct {
    ngx_array_t                    *redis_addresses;  /* of ngx_str_t */
    ngx_uint_t                      redis_kind;
    ngx_str_t                       redis_master;     /* Sentinel's */
    ngx_str_t                       redis_sentinel_user;
    ngx_str_t                       redis_sentinel_password;
    ngx_str_t                       redis_user;
    ngx_str_t                       redis_password;
    ngx_int_t                       redis_db;
    ngx_http_news_redis_tls_conf_t  redis_tls;
    ngx_msec_t                      redis_timeout;

    ngx_http_complex_value_t       *article;    /* the key; the handler */
    ngx_http_complex_value_t       *publish;    /* the slug; the API */
    ngx_uint_t                      list;       /* news_list: its kind + 1 */
    ngx_http_complex_value_t       *list_name;  /* section, tag, author */
    ngx_http_complex_value_t       *list_page;  /* NULL: $arg_page */
    ngx_uint_t                      list_size;
    ngx_uint_t                      list_box;   /* most read beside it */
    ngx_str_t                       list_cache_control;
    ngx_msec_t                      list_cache;     /* 0: off */
    ngx_http_news_template_t       *list_template;
    ngx_str_t                       section_url;    /* list pages' paths */
    ngx_str_t                       tag_url;
    ngx_str_t                       author_url;
    ngx_str_t                       key_prefix;
    ngx_uint_t                      beacon;     /* news_beacon: no page */
    ngx_flag_t                      views;
    ngx_flag_t                      stale;
    ngx_array_t                    *views_skip;
    time_t                          views_unique;   /* 0: off */
    ngx_str_t                       views_window;   /* its seconds, text */
    ngx_http_complex_value_t       *views_visitor;
    ngx_http_complex_value_t       *beacon_url;
    ngx_str_t                       site_name;
    ngx_str_t                       cache_control;
    ngx_http_complex_value_t       *base_url;   /* NULL: the server's */
    ngx_str_t                       article_url;    /* its path, or empty */
    ngx_str_t                       date_format;
    ngx_uint_t                      format;
    ngx_uint_t                      body_format;
    ngx_http_news_template_t       *template;
    ngx_flag_t                      feed_content;   /* news_feed_content */
    ngx_int_t                       sitemap_size;   /* URLs in a file */
    ngx_http_news_publisher_t       publisher;  /* news_publisher_*, ... */

    ngx_http_news_redis_target_t   *redis;
} ngx_http_news_loc_conf_t;


/* why a request is not a counted view ($news_skip_reason) */
typedef enum {
    NGX_HTTP_NEWS_SKIP_NONE = 0,
    NGX_HTTP_NEWS_SKIP_OFF,             /* news_views off */
    NGX_HTTP_NEWS_SKIP_HEAD,
    NGX_HTTP_NEWS_SKIP_SKIP,            /* news_views_skip */
    NGX_HTTP_NEWS_SKIP_PREFETCH,
    NGX_HTTP_NEWS_SKIP_DEDUPE,          /* news_views_unique */
    NGX_HTTP_NEWS_SKIP_DRAFT,
    NGX_HTTP_NEWS_SKIP_NOT_FOUND,
    NGX_HTTP_NEWS_SKIP_ERROR,           /* Redis failed, or a 5xx */
    NGX_HTTP_NEWS_SKIP_REFUSED,         /* Redis refuses writes */
    NGX_HTTP_NEWS_SKIP_BUFFERED         /* news_stale: counted later */
} ngx_http_news_skip_e;


typedef struct {
    ngx_http_request_t             *request;
    ngx_str_t                       key;
    ngx_http_news_skip_e            skip;       /* NONE: a view to count */
    ngx_uint_t                      counted;    /* Redis counted it */
    ngx_http_news_store_query_t     query;
    ngx_http_news_redis_pending_t  *pending;    /* while Redis has it */
    ngx_http_news_cache_entry_t    *entry;      /* held until the end */
    ngx_event_t                     deadline;
    int64_t                         sent;       /* microseconds */
    int64_t                         redis_time;     /* -1: none */
    ngx_str_t                       views;      /* $news_views */
} ngx_http_news_ctx_t;


ngx_int_t ngx_http_news_handler(ngx_http_request_t *r);
ngx_int_t ngx_http_news_list_handler(ngx_http_request_t *r);
ngx_http_news_ctx_t *ngx_http_news_get_ctx(ngx_http_request_t *r);
ngx_int_t ngx_http_news_log_handler(ngx_http_request_t *r);
ngx_int_t ngx_http_news_add_variables(ngx_conf_t *cf);


extern ngx_str_t   ngx_http_news_skip_reasons[];
extern ngx_uint_t  ngx_http_news_generation;


extern ngx_module_t  ngx_http_news_module;


#endif /* _NGX_HTTP_NEWS_MODULE_H_INCLUDED_ */
