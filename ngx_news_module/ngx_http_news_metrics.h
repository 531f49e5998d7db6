
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 *
 * Prometheus metrics: counters in one shared memory zone
 * (news_metrics_zone), kept across the worker processes and across
 * reloads, and the location that shows them (news_metrics).
 *
 * The functions below are what the rest of the module calls on its hot
 * paths: one atomic add each, no lock, and nothing at all when no zone
 * is configured.  They know counters, not articles or connections.
 */


#ifndef _NGX_HTTP_NEWS_METRICS_H_INCLUDED_
#define _NGX_HTTP_NEWS_METRICS_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>


#define NGX_HTTP_NEWS_METRICS_STATUSES   1000    /* codes 0..999 */
#define NGX_HTTP_NEWS_METRICS_SKIPS      16      /* reasons, at the most */
#define NGX_HTTP_NEWS_METRICS_BUCKETS    12      /* the last is +Inf */
#define NGX_HTTP_NEWS_METRICS_PROCESSES  256


typedef enum {
    NGX_HTTP_NEWS_METRICS_CONNECT = 0,  /* a connection attempt failed */
    NGX_HTTP_NEWS_METRICS_TIMEOUT,      /* a connection stalled */
    NGX_HTTP_NEWS_METRICS_ERROR_REPLY,  /* an error reply for a request */
    NGX_HTTP_NEWS_METRICS_NOSCRIPT,     /* retried with EVAL */
    NGX_HTTP_NEWS_METRICS_KINDS
} ngx_http_news_metrics_error_e;


/*
 * The open Redis connections of one process.  The gauge is the sum over
 * the processes that are alive, so a worker that dies without closing
 * its connections (a crash) drops out of it.
 */
typedef struct {
    ngx_atomic_t                     pid;           /* 0: free */
    ngx_atomic_t                     connections;
} ngx_http_news_metrics_process_t;


/* in the shared zone; every field only ever changes atomically */
typedef struct {
    ngx_atomic_t                     pages[NGX_HTTP_NEWS_METRICS_STATUSES];
    ngx_atomic_t                     views_counted;
    ngx_atomic_t                     views_skipped[NGX_HTTP_NEWS_METRICS_SKIPS];
    ngx_atomic_t                     redis_commands;
    ngx_atomic_t                     redis_errors[NGX_HTTP_NEWS_METRICS_KINDS];
    ngx_atomic_t                     redis_reconnects;
    ngx_atomic_t                     views_buffered;    /* news_stale */

    /* one count per bucket, not cumulative; in milliseconds */
    ngx_atomic_t                     latency[NGX_HTTP_NEWS_METRICS_BUCKETS];
    ngx_atomic_t                     latency_sum;

    ngx_atomic_t                     unslotted;     /* table full */
    ngx_http_news_metrics_process_t  processes[NGX_HTTP_NEWS_METRICS_PROCESSES];
} ngx_http_news_metrics_shctx_t;


ngx_uint_t ngx_http_news_metrics_enabled(ngx_conf_t *cf);
void ngx_http_news_metrics_skip_labels(ngx_conf_t *cf, ngx_str_t *labels);
void ngx_http_news_metrics_latency(ngx_msec_t ms);
ngx_atomic_t *ngx_http_news_metrics_connection_open(void);
void ngx_http_news_metrics_connection_close(ngx_atomic_t *gauge);


/* the zone of the running configuration; NULL without news_metrics_zone */
extern ngx_http_news_metrics_shctx_t  *ngx_http_news_metrics_sh;

extern ngx_module_t  ngx_http_news_metrics_module;


static ngx_inline void
ngx_http_news_metrics_page(ngx_uint_t status)
{
    if (ngx_http_news_metrics_sh != NULL
        && status < NGX_HTTP_NEWS_METRICS_STATUSES)
    {
        (void) ngx_atomic_fetch_add(&ngx_http_news_metrics_sh->pages[status],
                                    1);
    }
}


static ngx_inline void
ngx_http_news_metrics_view_counted(void)
{
    if (ngx_http_news_metrics_sh != NULL) {
        (void) ngx_atomic_fetch_add(&ngx_http_news_metrics_sh->views_counted,
                                    1);
    }
}


static ngx_inline void
ngx_http_news_metrics_view_skipped(ngx_uint_t reason)
{
    if (ngx_http_news_metrics_sh != NULL
        && reason < NGX_HTTP_NEWS_METRICS_SKIPS)
    {
        (void) ngx_atomic_fetch_add(
                          &ngx_http_news_metrics_sh->views_skipped[reason], 1);
    }
}


static ngx_inline void
ngx_http_news_metrics_redis_commands(ngx_uint_t n)
{
    if (ngx_http_news_metrics_sh != NULL && n) {
        (void) ngx_atomic_fetch_add(&ngx_http_news_metrics_sh->redis_commands,
                                    n);
    }
}


static ngx_inline void
ngx_http_news_metrics_redis_error(ngx_http_news_metrics_error_e kind)
{
    if (ngx_http_news_metrics_sh != NULL) {
        (void) ngx_atomic_fetch_add(
                              &ngx_http_news_metrics_sh->redis_errors[kind], 1);
    }
}


static ngx_inline void
ngx_http_news_metrics_redis_reconnect(void)
{
    if (ngx_http_news_metrics_sh != NULL) {
        (void) ngx_atomic_fetch_add(
                             &ngx_http_news_metrics_sh->redis_reconnects, 1);
    }
}


static ngx_inline void
ngx_http_news_metrics_views_buffered(int64_t delta)
{
    if (ngx_http_news_metrics_sh != NULL) {
        (void) ngx_atomic_fetch_add(&ngx_http_news_metrics_sh->views_buffered,
                                    (ngx_atomic_int_t) delta);
    }
}


#endif /* _NGX_HTTP_NEWS_METRICS_H_INCLUDED_ */
