
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 *
 * news_stale: views of pages served while Redis could not be used, kept
 * in shared memory by Redis target and article, and added to Redis when
 * it is back, in batches that each Redis applies at most once however
 * often a batch is sent again.
 */


#ifndef _NGX_HTTP_NEWS_STALE_H_INCLUDED_
#define _NGX_HTTP_NEWS_STALE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_news_redis.h"


#define NGX_HTTP_NEWS_STALE_BATCH  100      /* articles per batch */


ngx_shm_zone_t *ngx_http_news_stale_zone(ngx_conf_t *cf, size_t size,
    void *tag);
ngx_http_news_redis_script_t *ngx_http_news_stale_script(void);
ngx_int_t ngx_http_news_stale_add(ngx_shm_zone_t *zone,
    ngx_http_news_redis_target_t *target, ngx_str_t *key, int64_t *pending);
ngx_int_t ngx_http_news_stale_init_process(ngx_shm_zone_t *zone,
    ngx_array_t *targets, ngx_log_t *log);
void ngx_http_news_stale_exit_process(void);


#endif /* _NGX_HTTP_NEWS_STALE_H_INCLUDED_ */
