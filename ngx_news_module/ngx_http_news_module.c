
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 *
 * Directives, configuration and variables of the news module.  The
 * request flow lives in ngx_http_news_handler.c.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_news_module.h"
#include "ngx_http_news_publish.h"
#include "ngx_http_news_publish_store.h"
#include "ngx_http_news_escape.h"
#include "ngx_http_news_default_template.h"
#include "ngx_http_news_list_store.h"
#include "ngx_http_news_list_render.h"
#include "ngx_http_news_list_template.h"
#include "ngx_http_news_list_cache.h"


#define ngx_http_news_isalpha(c)                                            \
    (((c) | 0x20) >= 'a' && ((c) | 0x20) <= 'z')
#define ngx_http_news_isdigit(c)  ((c) >= '0' && (c) <= '9')
#define ngx_http_news_isalnum(c)                                            \
    (ngx_http_news_isalpha(c) || ngx_http_news_isdigit(c))


static ngx_int_t ngx_http_news_init(ngx_conf_t *cf);
static void *ngx_http_news_create_main_conf(ngx_conf_t *cf);
static char *ngx_http_news_init_main_conf(ngx_conf_t *cf, void *conf);
static void *ngx_http_news_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_news_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child);
static char *ngx_http_news_article(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_news_views_unique(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static ngx_http_complex_value_t *ngx_http_news_compile(ngx_conf_t *cf,
    ngx_str_t *value);
static char *ngx_http_news_redis_cluster(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_news_redis_cluster_check(ngx_conf_t *cf,
    ngx_http_news_loc_conf_t *conf);
static char *ngx_http_news_redis_sentinel(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_news_redis_used(ngx_http_news_loc_conf_t *nlcf,
    ngx_uint_t kind);
static char *ngx_http_news_redis_addresses(ngx_conf_t *cf,
    ngx_http_news_loc_conf_t *nlcf, ngx_uint_t first);
static char *ngx_http_news_redis_pass(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_news_redis_password_file(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static char *ngx_http_news_cache_control(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_news_template(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_news_list(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_news_list_template(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_news_list_merge(ngx_conf_t *cf,
    ngx_http_news_loc_conf_t *prev, ngx_http_news_loc_conf_t *conf);
static char *ngx_http_news_positive_msec(ngx_conf_t *cf, void *post,
    void *data);
static char *ngx_http_news_path(ngx_conf_t *cf, void *post, void *data);
static char *ngx_http_news_safe_link(ngx_conf_t *cf, void *post, void *data);
static char *ngx_http_news_lang(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_news_twitter_site(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static ngx_int_t ngx_http_news_init_module(ngx_cycle_t *cycle);
static ngx_int_t ngx_http_news_init_process(ngx_cycle_t *cycle);
static void ngx_http_news_exit_process(ngx_cycle_t *cycle);


static ngx_conf_post_handler_pt  ngx_http_news_redis_timeout_post =
    ngx_http_news_positive_msec;

static ngx_conf_post_handler_pt  ngx_http_news_article_url_post =
    ngx_http_news_path;

static ngx_conf_post_handler_pt  ngx_http_news_safe_link_post =
    ngx_http_news_safe_link;


static ngx_conf_post_handler_pt  ngx_http_news_list_url_post =
    ngx_http_news_path;


/* a list page of more would be a sitemap: that has its own limit */
static ngx_conf_num_bounds_t  ngx_http_news_list_size_bounds = {
    ngx_conf_check_num_bounds, 1, 1000
};


static ngx_conf_num_bounds_t  ngx_http_news_list_box_bounds = {
    ngx_conf_check_num_bounds, 0, 100
};


/* the sitemaps protocol allows no more URLs in a file */
static ngx_conf_num_bounds_t  ngx_http_news_sitemap_size_bounds = {
    ngx_conf_check_num_bounds, 1, NGX_HTTP_NEWS_SITEMAP_MAX
};


static ngx_conf_enum_t  ngx_http_news_formats[] = {
    { ngx_string("html"), NGX_HTTP_NEWS_FORMAT_HTML },
    { ngx_string("json"), NGX_HTTP_NEWS_FORMAT_JSON },
    { ngx_string("rss"), NGX_HTTP_NEWS_FORMAT_RSS },
    { ngx_string("atom"), NGX_HTTP_NEWS_FORMAT_ATOM },
    { ngx_string("news_sitemap"), NGX_HTTP_NEWS_FORMAT_NEWS_SITEMAP },
    { ngx_string("sitemap"), NGX_HTTP_NEWS_FORMAT_SITEMAP },
    { ngx_null_string, 0 }
};


static ngx_conf_enum_t  ngx_http_news_body_formats[] = {
    { ngx_string("text"), NGX_HTTP_NEWS_BODY_FORMAT_TEXT },
    { ngx_string("markdown"), NGX_HTTP_NEWS_BODY_FORMAT_MARKDOWN },
    { ngx_string("html"), NGX_HTTP_NEWS_BODY_FORMAT_HTML },
    { ngx_null_string, 0 }
};


static ngx_command_t  ngx_http_news_commands[] = {

    { ngx_string("news_article"),
      NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_news_article,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("news_beacon"),
      NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_news_article,
      NGX_HTTP_LOC_CONF_OFFSET,
      1,
      NULL },

    { ngx_string("news_publish"),
      NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_news_publish,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("news_list"),
      NGX_HTTP_LOC_CONF|NGX_CONF_TAKE12,
      ngx_http_news_list,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("news_list_size"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_news_loc_conf_t, list_size),
      &ngx_http_news_list_size_bounds },

    { ngx_string("news_list_page"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_set_complex_value_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_news_loc_conf_t, list_page),
      NULL },

    { ngx_string("news_list_most_read"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_news_loc_conf_t, list_box),
      &ngx_http_news_list_box_bounds },

    { ngx_string("news_list_template"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_news_list_template,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("news_list_cache_control"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_news_cache_control,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_news_loc_conf_t, list_cache_control),
      NULL },

    { ngx_string("news_list_cache"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_news_loc_conf_t, list_cache),
      NULL },

    { ngx_string("news_section_url"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_news_loc_conf_t, section_url),
      &ngx_http_news_list_url_post },

    { ngx_string("news_tag_url"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_news_loc_conf_t, tag_url),
      &ngx_http_news_list_url_post },

    { ngx_string("news_author_url"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_news_loc_conf_t, author_url),
      &ngx_http_news_list_url_post },

    { ngx_string("news_key_prefix"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_news_loc_conf_t, key_prefix),
      &ngx_http_news_publish_prefix_post },

    { ngx_string("news_cache_size"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_news_main_conf_t, cache_size),
      NULL },

    { ngx_string("news_stale_buffer"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_news_main_conf_t, stale_size),
      NULL },

    { ngx_string("news_stale"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_news_loc_conf_t, stale),
      NULL },

    { ngx_string("news_redis_pass"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_news_redis_pass,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("news_redis_cluster"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_http_news_redis_cluster,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("news_redis_sentinel"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_http_news_redis_sentinel,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("news_redis_sentinel_user"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_news_loc_conf_t, redis_sentinel_user),
      NULL },

    { ngx_string("news_redis_sentinel_password"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_news_loc_conf_t, redis_sentinel_password),
      NULL },

    { ngx_string("news_redis_user"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_news_loc_conf_t, redis_user),
      NULL },

    { ngx_string("news_redis_password"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_news_loc_conf_t, redis_password),
      NULL },

    { ngx_string("news_redis_password_file"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_news_redis_password_file,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("news_redis_ssl"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_news_loc_conf_t, redis_tls.enable),
      NULL },

    { ngx_string("news_redis_ssl_name"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_news_loc_conf_t, redis_tls.name),
      NULL },

    { ngx_string("news_redis_ssl_verify"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_news_loc_conf_t, redis_tls.verify),
      NULL },

    { ngx_string("news_redis_ssl_verify_depth"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_news_loc_conf_t, redis_tls.verify_depth),
      NULL },

    { ngx_string("news_redis_ssl_trusted_certificate"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_news_loc_conf_t, redis_tls.trusted_certificate),
      NULL },

    { ngx_string("news_redis_ssl_certificate"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_news_loc_conf_t, redis_tls.certificate),
      NULL },

    { ngx_string("news_redis_ssl_certificate_key"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_news_loc_conf_t, redis_tls.certificate_key),
      NULL },

    { ngx_string("news_redis_db"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_news_loc_conf_t, redis_db),
      NULL },

    { ngx_string("news_redis_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_news_loc_conf_t, redis_timeout),
      &ngx_http_news_redis_timeout_post },

    { ngx_string("news_views"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_news_loc_conf_t, views),
      NULL },

    { ngx_string("news_views_skip"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_http_set_predicate_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_news_loc_conf_t, views_skip),
      NULL },

    { ngx_string("news_views_unique"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_news_views_unique,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_news_loc_conf_t, views_unique),
      NULL },

    { ngx_string("news_views_visitor"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_set_complex_value_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_news_loc_conf_t, views_visitor),
      NULL },

    { ngx_string("news_beacon_url"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_set_complex_value_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_news_loc_conf_t, beacon_url),
      NULL },

    { ngx_string("news_site_name"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_news_loc_conf_t, site_name),
      NULL },

    { ngx_string("news_base_url"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_set_complex_value_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_news_loc_conf_t, base_url),
      NULL },

    { ngx_string("news_article_url"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_news_loc_conf_t, article_url),
      &ngx_http_news_article_url_post },

    { ngx_string("news_template"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_news_template,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("news_date_format"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_news_loc_conf_t, date_format),
      NULL },

    { ngx_string("news_format"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_enum_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_news_loc_conf_t, format),
      &ngx_http_news_formats },

    { ngx_string("news_body_format"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_enum_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_news_loc_conf_t, body_format),
      &ngx_http_news_body_formats },

    { ngx_string("news_feed_content"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_news_loc_conf_t, feed_content),
      NULL },

    { ngx_string("news_sitemap_size"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_news_loc_conf_t, sitemap_size),
      &ngx_http_news_sitemap_size_bounds },

    { ngx_string("news_cache_control"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_news_cache_control,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_news_loc_conf_t, cache_control),
      NULL },

    { ngx_string("news_publisher_name"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_news_loc_conf_t, publisher.name),
      NULL },

    { ngx_string("news_publisher_logo"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_news_loc_conf_t, publisher.logo),
      &ngx_http_news_safe_link_post },

    { ngx_string("news_publisher_url"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_news_loc_conf_t, publisher.url),
      &ngx_http_news_safe_link_post },

    { ngx_string("news_lang"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE12,
      ngx_http_news_lang,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("news_twitter_site"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_news_twitter_site,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_news_module_ctx = {
    ngx_http_news_add_variables,           /* preconfiguration */
    ngx_http_news_init,                    /* postconfiguration */

    ngx_http_news_create_main_conf,        /* create main configuration */
    ngx_http_news_init_main_conf,          /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_http_news_create_loc_conf,         /* create location configuration */
    ngx_http_news_merge_loc_conf           /* merge location configuration */
};


ngx_module_t  ngx_http_news_module = {
    NGX_MODULE_V1,
    &ngx_http_news_module_ctx,             /* module context */
    ngx_http_news_commands,                /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    ngx_http_news_init_module,             /* init module */
    ngx_http_news_init_process,            /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    ngx_http_news_exit_process,            /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static ngx_str_t  ngx_http_news_default_visitor = ngx_string(
    "$remote_addr$http_user_agent");


/* with metrics, every response of a news location is counted once */

static ngx_int_t
ngx_http_news_init(ngx_conf_t *cf)
{
    ngx_http_handler_pt        *h;
    ngx_http_core_main_conf_t  *cmcf;

    if (!ngx_http_news_metrics_enabled(cf)) {
        return NGX_OK;
    }

    ngx_http_news_metrics_skip_labels(cf, ngx_http_news_skip_reasons);

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);

    h = ngx_array_push(&cmcf->phases[NGX_HTTP_LOG_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_http_news_log_handler;

    return NGX_OK;
}


static void *
ngx_http_news_create_main_conf(ngx_conf_t *cf)
{
    ngx_http_news_main_conf_t  *nmcf;

    nmcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_news_main_conf_t));
    if (nmcf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     nmcf->default_template = NULL;
     *     nmcf->default_visitor = NULL;
     */

    if (ngx_array_init(&nmcf->targets, cf->pool, 4,
                       sizeof(ngx_http_news_redis_target_t *))
        != NGX_OK)
    {
        return NULL;
    }

    ngx_http_news_store_init(&nmcf->script, 0);
    ngx_http_news_store_init(&nmcf->script_apart, 1);

    if (ngx_array_init(&nmcf->scripts, cf->pool, 4,
                       sizeof(ngx_http_news_redis_script_t *))
        != NGX_OK
        || ngx_http_news_redis_script_use(&nmcf->scripts, &nmcf->script)
           != NGX_OK)
    {
        return NULL;
    }

    nmcf->cache_size = NGX_CONF_UNSET_SIZE;
    nmcf->stale_size = NGX_CONF_UNSET_SIZE;
    nmcf->generation = ++ngx_http_news_generation;

    if (ngx_http_news_visitor_secret(cf->log, nmcf->secret) != NGX_OK) {
        return NULL;
    }

    return nmcf;
}


static char *
ngx_http_news_init_main_conf(ngx_conf_t *cf, void *conf)
{
    ngx_http_news_main_conf_t *nmcf = conf;

    /* per worker: about 400 articles of 20 KB with their pages */

    ngx_conf_init_size_value(nmcf->cache_size, 16 * 1024 * 1024);

    /* some 10 000 articles' views, whatever the outage's length */

    ngx_conf_init_size_value(nmcf->stale_size, 1024 * 1024);

    /*
     * Every connection loads the list script too, after the others, when
     * a location lists (the directives are all read by now).
     */

    if (nmcf->lists
        && ngx_http_news_redis_script_use(&nmcf->scripts,
                                          ngx_http_news_list_store_script())
           != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static void *
ngx_http_news_create_loc_conf(ngx_conf_t *cf)
{
    ngx_http_news_loc_conf_t  *nlcf;

    nlcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_news_loc_conf_t));
    if (nlcf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     nlcf->redis_addresses = NULL;
     *     nlcf->redis_kind = NGX_HTTP_NEWS_REDIS_SINGLE;
     *     nlcf->redis_master = { 0, NULL };
     *     nlcf->redis_sentinel_user = { 0, NULL };
     *     nlcf->redis_sentinel_password = { 0, NULL };
     *     nlcf->redis_user = { 0, NULL };
     *     nlcf->redis_password = { 0, NULL };
     *     nlcf->article = NULL;
     *     nlcf->publish = NULL;
     *     nlcf->key_prefix = { 0, NULL };
     *     nlcf->site_name = { 0, NULL };
     *     nlcf->cache_control = { 0, NULL };
     *     nlcf->base_url = NULL;
     *     nlcf->article_url = { 0, NULL };
     *     nlcf->date_format = { 0, NULL };
     *     nlcf->views_window = { 0, NULL };
     *     nlcf->views_visitor = NULL;
     *     nlcf->beacon = 0;
     *     nlcf->beacon_url = NULL;
     *     nlcf->redis = NULL;
     *     nlcf->publisher = { all { 0, NULL } };
     */

    nlcf->redis_db = NGX_CONF_UNSET;
    ngx_http_news_redis_tls_conf_init(&nlcf->redis_tls);
    nlcf->redis_timeout = NGX_CONF_UNSET_MSEC;
    nlcf->views = NGX_CONF_UNSET;
    nlcf->stale = NGX_CONF_UNSET;
    nlcf->views_skip = NGX_CONF_UNSET_PTR;
    nlcf->views_unique = NGX_CONF_UNSET;
    nlcf->format = NGX_CONF_UNSET_UINT;
    nlcf->body_format = NGX_CONF_UNSET_UINT;
    nlcf->template = NGX_CONF_UNSET_PTR;
    nlcf->feed_content = NGX_CONF_UNSET;
    nlcf->sitemap_size = NGX_CONF_UNSET;
    nlcf->list_size = NGX_CONF_UNSET_UINT;
    nlcf->list_box = NGX_CONF_UNSET_UINT;
    nlcf->list_page = NGX_CONF_UNSET_PTR;
    nlcf->list_template = NGX_CONF_UNSET_PTR;
    nlcf->list_cache = NGX_CONF_UNSET_MSEC;

    return nlcf;
}


static char *
ngx_http_news_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_http_news_loc_conf_t *prev = parent;
    ngx_http_news_loc_conf_t *conf = child;

    ngx_str_t                   source, *address;
    ngx_http_core_loc_conf_t   *clcf;
    ngx_http_news_main_conf_t  *nmcf;
    ngx_http_news_redis_conf_t  redis;

    if (conf->redis_addresses == NULL) {
        conf->redis_addresses = prev->redis_addresses;
        conf->redis_kind = prev->redis_kind;
        conf->redis_master = prev->redis_master;
    }

    if (conf->redis_addresses == NULL) {
        conf->redis_addresses = ngx_array_create(cf->pool, 1,
                                                 sizeof(ngx_str_t));
        if (conf->redis_addresses == NULL) {
            return NGX_CONF_ERROR;
        }

        address = ngx_array_push(conf->redis_addresses);
        if (address == NULL) {
            return NGX_CONF_ERROR;
        }

        ngx_str_set(address, "127.0.0.1:6379");
    }

    ngx_conf_merge_str_value(conf->redis_user, prev->redis_user, "");
    ngx_conf_merge_str_value(conf->redis_password, prev->redis_password,
                             "");
    ngx_conf_merge_value(conf->redis_db, prev->redis_db, 0);
    ngx_conf_merge_str_value(conf->redis_sentinel_user,
                             prev->redis_sentinel_user, "");
    ngx_conf_merge_str_value(conf->redis_sentinel_password,
                             prev->redis_sentinel_password, "");
    ngx_http_news_redis_tls_conf_merge(&conf->redis_tls, &prev->redis_tls);
    ngx_conf_merge_msec_value(conf->redis_timeout, prev->redis_timeout,
                              1000);

    ngx_conf_merge_value(conf->views, prev->views, 1);
    ngx_conf_merge_value(conf->stale, prev->stale, 0);
    ngx_conf_merge_ptr_value(conf->views_skip, prev->views_skip, NULL);
    ngx_conf_merge_value(conf->views_unique, prev->views_unique, 0);

    if (conf->views_unique) {

        /* the count script's ARGV[1], made once */

        conf->views_window.data = ngx_pnalloc(cf->pool, NGX_TIME_T_LEN);
        if (conf->views_window.data == NULL) {
            return NGX_CONF_ERROR;
        }

        conf->views_window.len = ngx_sprintf(conf->views_window.data, "%T",
                                             conf->views_unique)
                                 - conf->views_window.data;
    }

    if (conf->views_visitor == NULL) {
        conf->views_visitor = prev->views_visitor;
    }

    if (conf->beacon_url == NULL) {
        conf->beacon_url = prev->beacon_url;
    }
    ngx_conf_merge_str_value(conf->site_name, prev->site_name, "");
    ngx_conf_merge_str_value(conf->cache_control, prev->cache_control,
                             "no-store");

    if (conf->base_url == NULL) {
        conf->base_url = prev->base_url;
    }

    ngx_conf_merge_str_value(conf->article_url, prev->article_url, "");

    ngx_conf_merge_str_value(conf->date_format, prev->date_format,
                             "%a, %d %b %Y");
    ngx_conf_merge_uint_value(conf->format, prev->format,
                              NGX_HTTP_NEWS_FORMAT_HTML);
    ngx_conf_merge_uint_value(conf->body_format, prev->body_format,
                              NGX_HTTP_NEWS_BODY_FORMAT_TEXT);
    ngx_conf_merge_ptr_value(conf->template, prev->template, NULL);
    ngx_conf_merge_value(conf->feed_content, prev->feed_content, 0);
    ngx_conf_merge_value(conf->sitemap_size, prev->sitemap_size,
                         NGX_HTTP_NEWS_SITEMAP_MAX);
    ngx_conf_merge_str_value(conf->key_prefix, prev->key_prefix, "news:");

    /* an empty publisher name is news_site_name's, when the page is made */

    ngx_conf_merge_str_value(conf->publisher.name, prev->publisher.name, "");
    ngx_conf_merge_str_value(conf->publisher.logo, prev->publisher.logo, "");
    ngx_conf_merge_str_value(conf->publisher.url, prev->publisher.url, "");
    ngx_conf_merge_str_value(conf->publisher.twitter_site,
                             prev->publisher.twitter_site, "");

    if (conf->publisher.lang.data == NULL) {
        if (prev->publisher.lang.data != NULL) {
            conf->publisher.lang = prev->publisher.lang;
            conf->publisher.locale = prev->publisher.locale;

        } else {
            ngx_str_set(&conf->publisher.lang, "en");
            ngx_str_set(&conf->publisher.locale, "en_US");
        }
    }

    if (ngx_http_news_list_merge(cf, prev, conf) != NGX_CONF_OK) {
        return NGX_CONF_ERROR;
    }

    if (conf->article == NULL && conf->publish == NULL && conf->list == 0) {

        /*
         * An "if" block inside a news location gets a configuration of
         * its own, yet its requests run the location's content handler.
         */

        conf->article = prev->article;
        conf->beacon = prev->beacon;
        conf->publish = prev->publish;
        conf->list = prev->list;
        conf->list_name = prev->list_name;
        conf->redis = prev->redis;

        /*
         * A limit_except block is a location of its own, whose requests
         * run its content handler: it needs the API's, as proxy_pass
         * gives its own to such a block.
         */

        clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

        if (clcf->lmt_excpt && clcf->handler == NULL
            && conf->publish != NULL)
        {
            clcf->handler = ngx_http_news_publish_handler;
        }

        return NGX_CONF_OK;
    }

    if (conf->article != NULL && conf->publish != NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"news_publish\" cannot be used in a location "
                           "with \"news_article\" or \"news_beacon\"");
        return NGX_CONF_ERROR;
    }

    if (conf->list && (conf->article != NULL || conf->publish != NULL)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"news_list\" cannot be used in a location "
                           "with \"news_article\", \"news_beacon\" or "
                           "\"news_publish\"");
        return NGX_CONF_ERROR;
    }

    if (!conf->list && conf->format > NGX_HTTP_NEWS_FORMAT_JSON) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"news_format\" of feeds and sitemaps is for "
                           "\"news_list\" locations only");
        return NGX_CONF_ERROR;
    }

    /* only a location that serves or publishes articles needs Redis */

    nmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_news_module);

    if (conf->redis_user.len && conf->redis_password.len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"news_redis_user\" \"%V\" has no password: "
                           "set \"news_redis_password\" or "
                           "\"news_redis_password_file\"",
                           &conf->redis_user);
        return NGX_CONF_ERROR;
    }

    if (conf->redis_sentinel_user.len
        && conf->redis_sentinel_password.len == 0)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"news_redis_sentinel_user\" \"%V\" has no "
                           "password: set \"news_redis_sentinel_password\"",
                           &conf->redis_sentinel_user);
        return NGX_CONF_ERROR;
    }

    if (conf->stale && conf->article != NULL && nmcf->stale_zone == NULL) {

        if (nmcf->cache_size == 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"news_stale\" serves the articles a worker "
                               "keeps: it needs \"news_cache_size\" above 0");
            return NGX_CONF_ERROR;
        }

        nmcf->stale_zone = ngx_http_news_stale_zone(cf, nmcf->stale_size,
                                                    &ngx_http_news_module);
        if (nmcf->stale_zone == NULL) {
            return NGX_CONF_ERROR;
        }

        if (ngx_http_news_redis_script_use(&nmcf->scripts,
                                           ngx_http_news_stale_script())
            != NGX_OK)
        {
            return NGX_CONF_ERROR;
        }
    }

    if (conf->redis_kind == NGX_HTTP_NEWS_REDIS_CLUSTER) {
        if (ngx_http_news_redis_cluster_check(cf, conf) != NGX_CONF_OK) {
            return NGX_CONF_ERROR;
        }

        /* every connection loads both: locations share targets */

        if (ngx_http_news_redis_script_use(&nmcf->scripts,
                                           &nmcf->script_apart)
            != NGX_OK)
        {
            return NGX_CONF_ERROR;
        }

        /* a write in a Cluster is two steps, each a script of its own */

        if (conf->publish != NULL
            && ngx_http_news_publish_store_use_steps(&nmcf->scripts)
               != NGX_OK)
        {
            return NGX_CONF_ERROR;
        }

        /* a list page reads its keys there, each article's fields apart */

        if (conf->list
            && ngx_http_news_redis_script_use(&nmcf->scripts,
                                   ngx_http_news_list_store_cluster_script())
               != NGX_OK)
        {
            return NGX_CONF_ERROR;
        }
    }

    redis.kind = conf->redis_kind;
    redis.addresses = conf->redis_addresses;
    redis.user = conf->redis_user;
    redis.password = conf->redis_password;
    redis.db = (ngx_uint_t) conf->redis_db;
    redis.tls = conf->redis_tls;
    redis.master = conf->redis_master;
    redis.sentinel_user = conf->redis_sentinel_user;
    redis.sentinel_password = conf->redis_sentinel_password;

    conf->redis = ngx_http_news_redis_add(cf, &nmcf->targets, &redis,
                                          &nmcf->scripts);
    if (conf->redis == NULL) {
        return NGX_CONF_ERROR;
    }

    /* a connection waits for Redis as long as its most patient location */

    conf->redis->server.timeout = ngx_max(conf->redis->server.timeout,
                                          conf->redis_timeout);

    if (conf->publish != NULL) {
        /* the API answers in JSON: no page, no template */
        return NGX_CONF_OK;
    }

    if (conf->list) {

        /* the default list page, compiled once, as the article's */

        if (conf->list_template == NULL) {

            if (nmcf->default_list_template == NULL) {
                ngx_str_set(&source, "built-in list template");

                nmcf->default_list_template =
                    ngx_http_news_list_template_compile(cf, &source,
                                           &ngx_http_news_list_template_text);
                if (nmcf->default_list_template == NULL) {
                    return NGX_CONF_ERROR;
                }
            }

            conf->list_template = nmcf->default_list_template;
        }

        return NGX_CONF_OK;
    }

    if (conf->template == NULL) {

        if (nmcf->default_template == NULL) {
            ngx_str_set(&source, "built-in template");

            nmcf->default_template = ngx_http_news_page_template_compile(cf,
                                       &source,
                                       &ngx_http_news_default_template);
            if (nmcf->default_template == NULL) {
                return NGX_CONF_ERROR;
            }
        }

        conf->template = nmcf->default_template;
    }

    /* the defaults are compiled once, like the default template */

    if (conf->views_visitor == NULL && conf->views_unique) {

        if (nmcf->default_visitor == NULL) {
            nmcf->default_visitor = ngx_http_news_compile(cf,
                                            &ngx_http_news_default_visitor);
            if (nmcf->default_visitor == NULL) {
                return NGX_CONF_ERROR;
            }
        }

        conf->views_visitor = nmcf->default_visitor;
    }

    return NGX_CONF_OK;
}


static ngx_http_complex_value_t *
ngx_http_news_compile(ngx_conf_t *cf, ngx_str_t *value)
{
    ngx_http_complex_value_t          *cv;
    ngx_http_compile_complex_value_t   ccv;

    cv = ngx_palloc(cf->pool, sizeof(ngx_http_complex_value_t));
    if (cv == NULL) {
        return NULL;
    }

    ngx_memzero(&ccv, sizeof(ngx_http_compile_complex_value_t));

    ccv.cf = cf;
    ccv.value = value;
    ccv.complex_value = cv;

    if (ngx_http_compile_complex_value(&ccv) != NGX_OK) {
        return NULL;
    }

    return cv;
}


static char *
ngx_http_news_article(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_news_loc_conf_t *nlcf = conf;

    ngx_str_t                 *value;
    ngx_http_core_loc_conf_t  *clcf;

    if (nlcf->article != NULL) {
        if (nlcf->beacon == cmd->offset) {
            return "is duplicate";
        }

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"news_article\" and \"news_beacon\" cannot be "
                           "used in the same location");
        return NGX_CONF_ERROR;
    }

    value = cf->args->elts;

    if (value[1].len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "empty article key");
        return NGX_CONF_ERROR;
    }

    /* "news_beacon" counts views of the article without showing it */

    nlcf->beacon = cmd->offset;

    nlcf->article = ngx_http_news_compile(cf, &value[1]);
    if (nlcf->article == NULL) {
        return NGX_CONF_ERROR;
    }

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_news_handler;

    return NGX_CONF_OK;
}


static char *
ngx_http_news_views_unique(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_news_loc_conf_t *nlcf = conf;

    time_t      window;
    ngx_str_t  *value;

    if (nlcf->views_unique != NGX_CONF_UNSET) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "off") == 0) {
        nlcf->views_unique = 0;
        return NGX_CONF_OK;
    }

    window = ngx_parse_time(&value[1], 1);

    if (window == (time_t) NGX_ERROR || window == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid window \"%V\", it must be \"off\" or "
                           "a time of at least one second", &value[1]);
        return NGX_CONF_ERROR;
    }

    /* the visitor's hash changes every UTC day: no mark matches longer */

    if (window > 86400) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "window \"%V\" is longer than a day, the "
                           "longest a visitor is recognised", &value[1]);
        return NGX_CONF_ERROR;
    }

    nlcf->views_unique = window;

    return NGX_CONF_OK;
}


static char *
ngx_http_news_redis_pass(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_news_loc_conf_t *nlcf = conf;

    if (nlcf->redis_addresses != NULL) {
        return ngx_http_news_redis_used(nlcf, NGX_HTTP_NEWS_REDIS_SINGLE);
    }

    if (ngx_http_news_redis_addresses(cf, nlcf, 1) != NGX_CONF_OK) {
        return NGX_CONF_ERROR;
    }

    nlcf->redis_kind = NGX_HTTP_NEWS_REDIS_SINGLE;

    return NGX_CONF_OK;
}


/* news_redis_cluster host:port ...: the seeds, any nodes of the Cluster */

static char *
ngx_http_news_redis_cluster(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_news_loc_conf_t *nlcf = conf;

    ngx_str_t   *value;
    ngx_uint_t   i;

    if (nlcf->redis_addresses != NULL) {
        return ngx_http_news_redis_used(nlcf, NGX_HTTP_NEWS_REDIS_CLUSTER);
    }

    value = cf->args->elts;

    for (i = 1; i < cf->args->nelts; i++) {
        if (ngx_strncmp(value[i].data, "unix:", 5) == 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "a Redis Cluster node is reached over TCP, "
                               "not \"%V\"", &value[i]);
            return NGX_CONF_ERROR;
        }
    }

    if (ngx_http_news_redis_addresses(cf, nlcf, 1) != NGX_CONF_OK) {
        return NGX_CONF_ERROR;
    }

    nlcf->redis_kind = NGX_HTTP_NEWS_REDIS_CLUSTER;

    return NGX_CONF_OK;
}


/*
 * news_redis_sentinel <master> host:port ...: the primary of the master
 * of that name, as the sentinels at these addresses say
 */

static char *
ngx_http_news_redis_sentinel(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_news_loc_conf_t *nlcf = conf;

    ngx_str_t  *value;

    if (nlcf->redis_addresses != NULL) {
        return ngx_http_news_redis_used(nlcf, NGX_HTTP_NEWS_REDIS_SENTINEL);
    }

    value = cf->args->elts;

    /* the name first: an address there means it was left out */

    if (ngx_strlchr(value[1].data, value[1].data + value[1].len, ':')
        != NULL)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"news_redis_sentinel\" takes the master's "
                           "name first, then the sentinels' addresses: "
                           "\"%V\" is not a master name", &value[1]);
        return NGX_CONF_ERROR;
    }

    if (cf->args->nelts < 3) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"news_redis_sentinel\" \"%V\" has no "
                           "sentinel address", &value[1]);
        return NGX_CONF_ERROR;
    }

    if (ngx_http_news_redis_addresses(cf, nlcf, 2) != NGX_CONF_OK) {
        return NGX_CONF_ERROR;
    }

    nlcf->redis_master = value[1];
    nlcf->redis_kind = NGX_HTTP_NEWS_REDIS_SENTINEL;

    return NGX_CONF_OK;
}


/*
 * The directive's arguments from the first'th on, each an address whose
 * syntax is checked now, so that an error points at its line.
 */

static char *
ngx_http_news_redis_addresses(ngx_conf_t *cf, ngx_http_news_loc_conf_t *nlcf,
    ngx_uint_t first)
{
    ngx_str_t   *value, *address;
    ngx_uint_t   i;

    value = cf->args->elts;

    nlcf->redis_addresses = ngx_array_create(cf->pool,
                                             cf->args->nelts - first,
                                             sizeof(ngx_str_t));
    if (nlcf->redis_addresses == NULL) {
        return NGX_CONF_ERROR;
    }

    for (i = first; i < cf->args->nelts; i++) {
        if (ngx_http_news_redis_check_address(cf, &value[i]) != NGX_OK) {
            return NGX_CONF_ERROR;
        }

        address = ngx_array_push(nlcf->redis_addresses);
        if (address == NULL) {
            return NGX_CONF_ERROR;
        }

        *address = value[i];
    }

    return NGX_CONF_OK;
}


/* one of news_redis_pass, news_redis_cluster, news_redis_sentinel */

static char *
ngx_http_news_redis_used(ngx_http_news_loc_conf_t *nlcf, ngx_uint_t kind)
{
    if (nlcf->redis_kind == kind) {
        return "is duplicate";
    }

    switch (nlcf->redis_kind) {

    case NGX_HTTP_NEWS_REDIS_CLUSTER:
        return "cannot be used with \"news_redis_cluster\"";

    case NGX_HTTP_NEWS_REDIS_SENTINEL:
        return "cannot be used with \"news_redis_sentinel\"";

    default:
        return "cannot be used with \"news_redis_pass\"";
    }
}


/*
 * In a Redis Cluster one script may only touch keys of one hash slot.
 * A page's view does (the article and the visitor's mark, made to share
 * the article's slot; most read goes as a command of its own); what
 * cannot be made so is refused here, with the reason.
 */

static char *
ngx_http_news_redis_cluster_check(ngx_conf_t *cf,
    ngx_http_news_loc_conf_t *conf)
{
    u_char     *open, *close, *last;
    ngx_str_t  *value;

    if (conf->redis_db) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"news_redis_db\" cannot be used with "
                           "\"news_redis_cluster\": a Redis Cluster has "
                           "database 0 only");
        return NGX_CONF_ERROR;
    }

    /* a hash tag in the key's fixed text puts every article in one slot */

    if (conf->article != NULL) {
        value = &conf->article->value;
        last = value->data + value->len;

        open = ngx_strlchr(value->data, last, '{');
        close = open ? ngx_strlchr(open + 1, last, '}') : NULL;

        if (close != NULL && close > open + 1
            && ngx_strlchr(open, close, '$') == NULL)
        {
            ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                               "\"news_article\" \"%V\" has a fixed hash "
                               "tag: in a Redis Cluster every article is "
                               "in one hash slot, on one node",
                               value);
        }
    }

    return NGX_CONF_OK;
}


/*
 * The password read from a file when the configuration is read (nginx -t
 * too), so that it need not be written in nginx.conf: the file's first
 * line, without its line end.
 */

static char *
ngx_http_news_redis_password_file(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_news_loc_conf_t *nlcf = conf;

    u_char      *p, *last;
    ssize_t      n;
    ngx_str_t   *value, name;
    ngx_file_t   file;
    u_char       buf[NGX_HTTP_NEWS_PASSWORD_MAX + 2];

    if (nlcf->redis_password.data != NULL) {
        return "is duplicate, or \"news_redis_password\" is set too";
    }

    value = cf->args->elts;
    name = value[1];

    if (ngx_conf_full_name(cf->cycle, &name, 1) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    ngx_memzero(&file, sizeof(ngx_file_t));
    file.name = name;
    file.log = cf->log;

    file.fd = ngx_open_file(name.data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);

    if (file.fd == NGX_INVALID_FILE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           ngx_open_file_n " \"%V\" failed", &name);
        return NGX_CONF_ERROR;
    }

    n = ngx_read_file(&file, buf, sizeof(buf), 0);

    if (ngx_close_file(file.fd) == NGX_FILE_ERROR) {
        ngx_conf_log_error(NGX_LOG_ALERT, cf, ngx_errno,
                           ngx_close_file_n " \"%V\" failed", &name);
    }

    if (n == NGX_ERROR) {
        return NGX_CONF_ERROR;
    }

    last = ngx_strlchr(buf, buf + n, LF);
    if (last == NULL) {
        last = buf + n;
    }

    if (last > buf && last[-1] == CR) {
        last--;
    }

    if (last == buf || last - buf > NGX_HTTP_NEWS_PASSWORD_MAX) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\" must hold a password of 1 to %d bytes "
                           "on its first line", &name,
                           NGX_HTTP_NEWS_PASSWORD_MAX);
        return NGX_CONF_ERROR;
    }

    p = ngx_pnalloc(cf->pool, last - buf);
    if (p == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_memcpy(p, buf, last - buf);

    nlcf->redis_password.len = last - buf;
    nlcf->redis_password.data = p;

    ngx_explicit_memzero(buf, sizeof(buf));

    return NGX_CONF_OK;
}


static char *
ngx_http_news_cache_control(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_str_t  *value, *field;

    /* news_cache_control and news_list_cache_control */

    field = (ngx_str_t *) ((char *) conf + cmd->offset);

    if (field->data != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "off") == 0) {
        /* an empty, non-NULL value: set, and sends no header */
        field->data = (u_char *) "";
        field->len = 0;
        return NGX_CONF_OK;
    }

    *field = value[1];

    return NGX_CONF_OK;
}


static char *
ngx_http_news_template(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_news_loc_conf_t *nlcf = conf;

    ngx_str_t  *value;

    if (nlcf->template != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    value = cf->args->elts;

    /* compiled here, so a broken template fails nginx -t at this line */

    nlcf->template = ngx_http_news_page_template_load(cf, &value[1]);

    if (nlcf->template == NULL) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/* the list settings, and an "if" block's inherited list */

static char *
ngx_http_news_list_merge(ngx_conf_t *cf, ngx_http_news_loc_conf_t *prev,
    ngx_http_news_loc_conf_t *conf)
{
    ngx_conf_merge_uint_value(conf->list_size, prev->list_size, 20);
    ngx_conf_merge_uint_value(conf->list_box, prev->list_box, 5);
    ngx_conf_merge_ptr_value(conf->list_page, prev->list_page, NULL);
    ngx_conf_merge_ptr_value(conf->list_template, prev->list_template,
                             NULL);
    ngx_conf_merge_str_value(conf->list_cache_control,
                             prev->list_cache_control, "max-age=60");
    ngx_conf_merge_msec_value(conf->list_cache, prev->list_cache, 0);
    ngx_conf_merge_str_value(conf->section_url, prev->section_url, "");
    ngx_conf_merge_str_value(conf->tag_url, prev->tag_url, "");
    ngx_conf_merge_str_value(conf->author_url, prev->author_url, "");

    return NGX_CONF_OK;
}


/*
 * news_list latest | section NAME | tag NAME | author NAME
 *         | most_read day | most_read week
 */

static char *
ngx_http_news_list(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_news_loc_conf_t *nlcf = conf;

    ngx_str_t                  *value;
    ngx_uint_t                  kind, named;
    ngx_http_core_loc_conf_t   *clcf;
    ngx_http_news_main_conf_t  *nmcf;

    if (nlcf->list) {
        return "is duplicate";
    }

    value = cf->args->elts;
    named = 0;

    if (ngx_strcmp(value[1].data, "latest") == 0) {
        kind = NGX_HTTP_NEWS_LIST_LATEST;

    } else if (ngx_strcmp(value[1].data, "section") == 0) {
        kind = NGX_HTTP_NEWS_LIST_SECTION;
        named = 1;

    } else if (ngx_strcmp(value[1].data, "tag") == 0) {
        kind = NGX_HTTP_NEWS_LIST_TAG;
        named = 1;

    } else if (ngx_strcmp(value[1].data, "author") == 0) {
        kind = NGX_HTTP_NEWS_LIST_AUTHOR;
        named = 1;

    } else if (ngx_strcmp(value[1].data, "most_read") == 0) {

        if (cf->args->nelts != 3
            || (ngx_strcmp(value[2].data, "day") != 0
                && ngx_strcmp(value[2].data, "week") != 0))
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"news_list most_read\" takes \"day\" "
                               "or \"week\"");
            return NGX_CONF_ERROR;
        }

        kind = (value[2].data[0] == 'd') ? NGX_HTTP_NEWS_LIST_MOST_READ_DAY
                                         : NGX_HTTP_NEWS_LIST_MOST_READ_WEEK;

    } else {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid list \"%V\", it must be \"latest\", "
                           "\"section\", \"tag\", \"author\" or "
                           "\"most_read\"", &value[1]);
        return NGX_CONF_ERROR;
    }

    if (kind == NGX_HTTP_NEWS_LIST_LATEST && cf->args->nelts != 2) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"news_list latest\" takes no name");
        return NGX_CONF_ERROR;
    }

    if (named) {
        if (cf->args->nelts != 3 || value[2].len == 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"news_list %V\" needs a name, such as "
                               "a variable of the location's regex",
                               &value[1]);
            return NGX_CONF_ERROR;
        }

        nlcf->list_name = ngx_http_news_compile(cf, &value[2]);
        if (nlcf->list_name == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    nlcf->list = kind + 1;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_news_list_handler;

    nmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_news_module);
    nmcf->lists = 1;

    return NGX_CONF_OK;
}


static char *
ngx_http_news_list_template(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_news_loc_conf_t *nlcf = conf;

    ngx_str_t  *value;

    if (nlcf->list_template != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    value = cf->args->elts;

    /* compiled here, so a broken template fails nginx -t at this line */

    nlcf->list_template = ngx_http_news_list_template_load(cf, &value[1]);

    if (nlcf->list_template == NULL) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_news_positive_msec(ngx_conf_t *cf, void *post, void *data)
{
    ngx_msec_t  *msp = data;

    if (*msp == 0) {
        return "must be greater than zero";
    }

    return NGX_CONF_OK;
}


/* a path of this site, put after the base URL as it is */

static char *
ngx_http_news_path(ngx_conf_t *cf, void *post, void *data)
{
    ngx_str_t  *path = data;

    size_t  i;

    if (path->len == 0 || path->data[0] != '/') {
        return "must be a path starting with \"/\"";
    }

    for (i = 0; i < path->len; i++) {
        if (path->data[i] <= ' ' || path->data[i] >= 0x7f
            || path->data[i] == '?' || path->data[i] == '#')
        {
            return "must be a path without spaces, \"?\" or \"#\"";
        }
    }

    return NGX_CONF_OK;
}


/* a link the page may carry: http(s) or relative, never "javascript:" */

static char *
ngx_http_news_safe_link(ngx_conf_t *cf, void *post, void *data)
{
    ngx_str_t  *url = data;

    size_t  i;

    for (i = 0; i < url->len; i++) {
        if (url->data[i] <= ' ' || url->data[i] == 0x7f) {
            return "must be a URL without spaces";
        }
    }

    if (url->len == 0 || !ngx_http_news_safe_url(url->data, url->len)) {
        return "must be an http or https URL, or a path";
    }

    return NGX_CONF_OK;
}


/*
 * The usual territory of a language, for og:locale, which wants one
 * ("en_US"), when news_lang names none: the languages most news sites
 * are written in.  Others get the language alone, or the second
 * argument of news_lang.
 */

static ngx_str_t  ngx_http_news_locales[] = {
    ngx_string("ar_AR"), ngx_string("cs_CZ"), ngx_string("da_DK"),
    ngx_string("de_DE"), ngx_string("el_GR"), ngx_string("en_US"),
    ngx_string("es_ES"), ngx_string("fi_FI"), ngx_string("fr_FR"),
    ngx_string("he_IL"), ngx_string("hi_IN"), ngx_string("hu_HU"),
    ngx_string("id_ID"), ngx_string("it_IT"), ngx_string("ja_JP"),
    ngx_string("ko_KR"), ngx_string("nb_NO"), ngx_string("nl_NL"),
    ngx_string("pl_PL"), ngx_string("pt_PT"), ngx_string("ro_RO"),
    ngx_string("ru_RU"), ngx_string("sv_SE"), ngx_string("th_TH"),
    ngx_string("tr_TR"), ngx_string("uk_UA"), ngx_string("vi_VN"),
    ngx_string("zh_CN"),
    ngx_null_string
};


/*
 * news_lang tag [og_locale]: a BCP 47 language tag for <html lang> and
 * JSON-LD, and the og:locale made from it: "pt-BR" gives "pt_BR", "de"
 * the table's "de_DE", "zh-Hant-TW" "zh_TW".
 */

static char *
ngx_http_news_lang(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_news_loc_conf_t *nlcf = conf;

    u_char     *p, *last, *start, *locale, c;
    size_t      n, lang;
    ngx_str_t  *value, *l;

    if (nlcf->publisher.lang.data != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

    /* subtags of 1 to 8 letters or digits, the first 2 or 3 letters */

    p = value[1].data;
    last = p + value[1].len;

    for (lang = 0; lang < value[1].len && p[lang] != '-'; lang++) {
        if (!((p[lang] >= 'a' && p[lang] <= 'z')
              || (p[lang] >= 'A' && p[lang] <= 'Z')))
        {
            goto invalid;
        }
    }

    if (lang < 2 || lang > 3 || value[1].len > 35) {
        goto invalid;
    }

    for (n = 0; p < last; p++) {
        if (*p == '-') {
            if (n == 0) {
                goto invalid;
            }

            n = 0;
            continue;
        }

        if (!ngx_http_news_isalnum(*p) || ++n > 8) {
            goto invalid;
        }
    }

    if (n == 0) {
        goto invalid;
    }

    nlcf->publisher.lang = value[1];

    if (cf->args->nelts == 3) {
        for (n = 0; n < value[2].len; n++) {
            c = value[2].data[n];

            if (!ngx_http_news_isalnum(c) && c != '_') {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "invalid og:locale \"%V\", it must be "
                                   "like \"en_GB\"", &value[2]);
                return NGX_CONF_ERROR;
            }
        }

        nlcf->publisher.locale = value[2];
        return NGX_CONF_OK;
    }

    /* the language in lower case, a region after it in upper case */

    locale = ngx_pnalloc(cf->pool, lang + 4);
    if (locale == NULL) {
        return NGX_CONF_ERROR;
    }

    p = value[1].data;

    for (n = 0; n < lang; n++) {
        locale[n] = ngx_tolower(p[n]);
    }

    nlcf->publisher.locale.data = locale;
    nlcf->publisher.locale.len = lang;

    for (start = p + lang; start < last; start = p) {
        start++;
        p = ngx_strlchr(start, last, '-');
        if (p == NULL) {
            p = last;
        }

        /* a region: 2 letters or 3 digits (a script has 4 letters) */

        if ((p - start == 2 && ngx_http_news_isalpha(start[0])
             && ngx_http_news_isalpha(start[1]))
            || (p - start == 3 && ngx_http_news_isdigit(start[0])
                && ngx_http_news_isdigit(start[1])
                && ngx_http_news_isdigit(start[2])))
        {
            locale[lang] = '_';
            for (n = 0; n < (size_t) (p - start); n++) {
                locale[lang + 1 + n] = ngx_toupper(start[n]);
            }

            nlcf->publisher.locale.len = lang + 1 + n;
            return NGX_CONF_OK;
        }
    }

    for (l = ngx_http_news_locales; l->len; l++) {
        if (ngx_strncmp(l->data, locale, lang) == 0 && l->data[lang] == '_') {
            nlcf->publisher.locale = *l;
            break;
        }
    }

    return NGX_CONF_OK;

invalid:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid language tag \"%V\", it must be like "
                       "\"en\" or \"pt-BR\"", &value[1]);
    return NGX_CONF_ERROR;
}


/* "@handle" or "handle": an X (Twitter) user name, kept with its "@" */

static char *
ngx_http_news_twitter_site(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_news_loc_conf_t *nlcf = conf;

    u_char     *p;
    size_t      i, n;
    ngx_str_t  *value;

    if (nlcf->publisher.twitter_site.data != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

    p = value[1].data;
    n = value[1].len;

    if (n && p[0] == '@') {
        p++;
        n--;
    }

    for (i = 0; i < n; i++) {
        if (!ngx_http_news_isalnum(p[i]) && p[i] != '_') {
            break;
        }
    }

    if (n == 0 || n > 15 || i < n) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid X (Twitter) handle \"%V\", it must be "
                           "\"@\" and 1 to 15 letters, digits or \"_\"",
                           &value[1]);
        return NGX_CONF_ERROR;
    }

    nlcf->publisher.twitter_site.data = ngx_pnalloc(cf->pool, n + 1);
    if (nlcf->publisher.twitter_site.data == NULL) {
        return NGX_CONF_ERROR;
    }

    nlcf->publisher.twitter_site.data[0] = '@';
    ngx_memcpy(nlcf->publisher.twitter_site.data + 1, p, n);
    nlcf->publisher.twitter_site.len = n + 1;

    return NGX_CONF_OK;
}


/*
 * Called once a configuration is committed, in the master (or the only
 * process): at each start and reload, once, which module and libraries
 * serve it.  Not for nginx -t, which would log it too (Debian's
 * nginx.service runs nginx -t before each start).
 */

static ngx_int_t
ngx_http_news_init_module(ngx_cycle_t *cycle)
{
    if (ngx_test_config) {
        return NGX_OK;
    }

    /* md4c has no version to ask */

    ngx_log_error(NGX_LOG_NOTICE, cycle->log, 0,
                  "ngx_http_news_module %s (hiredis %s, jansson %s, md4c)",
                  NGX_HTTP_NEWS_VERSION, ngx_http_news_redis_library(),
                  ngx_http_news_json_library());

    return NGX_OK;
}


static ngx_int_t
ngx_http_news_init_process(ngx_cycle_t *cycle)
{
    ngx_http_news_main_conf_t  *nmcf;

    /* cache managers and loaders serve no requests: no connections */

    if (ngx_process != NGX_PROCESS_WORKER
        && ngx_process != NGX_PROCESS_SINGLE)
    {
        return NGX_OK;
    }

    nmcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_http_news_module);

    if (nmcf == NULL) {
        return NGX_OK;
    }

    if (ngx_http_news_redis_init_process(&nmcf->targets, cycle->log)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (nmcf->stale_zone != NULL) {
        return ngx_http_news_stale_init_process(nmcf->stale_zone,
                                                &nmcf->targets, cycle->log);
    }

    return NGX_OK;
}


static void
ngx_http_news_exit_process(ngx_cycle_t *cycle)
{
    ngx_http_news_main_conf_t  *nmcf;

    ngx_http_news_cache_empty();
    ngx_http_news_list_cache_empty();

    nmcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_http_news_module);

    if (nmcf == NULL) {
        return;
    }

    ngx_http_news_stale_exit_process();
    ngx_http_news_redis_exit_process(&nmcf->targets);
}
