
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 *
 * The metrics module: news_metrics_zone keeps the counters in shared
 * memory, news_metrics shows them in the Prometheus text format.  The
 * rest of the news module updates them through ngx_http_news_metrics.h.
 *
 * A reload that keeps the zone's name and size keeps its memory, so the
 * counters go on; the gauge of open Redis connections is kept per
 * process and summed over the processes alive, so it is right again
 * when old workers have exited, however they ended.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_news_metrics.h"
#include "ngx_http_news_response.h"


/* the longest sample line: name, labels, a value and a newline */
#define NGX_HTTP_NEWS_METRICS_LINE       128


typedef struct {
    ngx_http_news_metrics_shctx_t   *sh;
    ngx_slab_pool_t                 *shpool;
} ngx_http_news_metrics_zone_t;


typedef struct {
    ngx_shm_zone_t                  *zone;

    /* why views were not counted, by number; the first is none */
    ngx_str_t                       *skip_labels;

    /* the first news_metrics, for the message when there is no zone */
    u_char                          *file;
    ngx_uint_t                       line;
} ngx_http_news_metrics_main_conf_t;


typedef struct {
    ngx_uint_t                       value;
    ngx_str_t                        label;
} ngx_http_news_metrics_label_t;


static ngx_int_t ngx_http_news_metrics_handler(ngx_http_request_t *r);
static u_char *ngx_http_news_metrics_render(u_char *p, u_char *last,
    ngx_http_news_metrics_shctx_t *sh, ngx_str_t *skip_labels);
static ngx_atomic_int_t ngx_http_news_metrics_connections(
    ngx_http_news_metrics_shctx_t *sh);
static ngx_http_news_metrics_process_t *ngx_http_news_metrics_claim(
    ngx_http_news_metrics_shctx_t *sh);
static ngx_http_news_metrics_process_t *ngx_http_news_metrics_own(
    ngx_http_news_metrics_shctx_t *sh, ngx_atomic_t *gauge);
static ngx_uint_t ngx_http_news_metrics_alive(ngx_atomic_uint_t pid);
static ngx_int_t ngx_http_news_metrics_init_zone(ngx_shm_zone_t *shm_zone,
    void *data);
static void *ngx_http_news_metrics_create_main_conf(ngx_conf_t *cf);
static char *ngx_http_news_metrics_init_main_conf(ngx_conf_t *cf,
    void *conf);
static char *ngx_http_news_metrics_zone(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_news_metrics(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static ngx_int_t ngx_http_news_metrics_init_module(ngx_cycle_t *cycle);
static void ngx_http_news_metrics_exit_process(ngx_cycle_t *cycle);


static ngx_command_t  ngx_http_news_metrics_commands[] = {

    { ngx_string("news_metrics_zone"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE2,
      ngx_http_news_metrics_zone,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("news_metrics"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_news_metrics,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_news_metrics_module_ctx = {
    NULL,                                  /* preconfiguration */
    NULL,                                  /* postconfiguration */

    ngx_http_news_metrics_create_main_conf, /* create main configuration */
    ngx_http_news_metrics_init_main_conf,  /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    NULL,                                  /* create location configuration */
    NULL                                   /* merge location configuration */
};


ngx_module_t  ngx_http_news_metrics_module = {
    NGX_MODULE_V1,
    &ngx_http_news_metrics_module_ctx,     /* module context */
    ngx_http_news_metrics_commands,        /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    ngx_http_news_metrics_init_module,     /* init module */
    NULL,                                  /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    ngx_http_news_metrics_exit_process,    /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


ngx_http_news_metrics_shctx_t  *ngx_http_news_metrics_sh;


/* this process's entry in the zone's table of processes, once it has one */
static ngx_http_news_metrics_process_t  *ngx_http_news_metrics_process;


/* shown even while zero, so that rate() has a start */
static ngx_uint_t  ngx_http_news_metrics_statuses[] = {
    200, 400, 404, 405, 499, 500, 502, 503, 504, 0
};


static ngx_http_news_metrics_label_t  ngx_http_news_metrics_errors[] = {
    { NGX_HTTP_NEWS_METRICS_CONNECT, ngx_string("connect") },
    { NGX_HTTP_NEWS_METRICS_TIMEOUT, ngx_string("timeout") },
    { NGX_HTTP_NEWS_METRICS_ERROR_REPLY, ngx_string("error_reply") },
    { NGX_HTTP_NEWS_METRICS_NOSCRIPT, ngx_string("noscript") },
    { 0, ngx_null_string }
};


/*
 * Upper bounds in tenths of a millisecond, nginx's time having a
 * resolution of one millisecond; the last bucket is +Inf.
 */

static ngx_http_news_metrics_label_t  ngx_http_news_metrics_buckets[] = {
    { 10, ngx_string("0.001") },
    { 25, ngx_string("0.0025") },
    { 50, ngx_string("0.005") },
    { 100, ngx_string("0.01") },
    { 250, ngx_string("0.025") },
    { 500, ngx_string("0.05") },
    { 1000, ngx_string("0.1") },
    { 2500, ngx_string("0.25") },
    { 5000, ngx_string("0.5") },
    { 10000, ngx_string("1") },
    { 25000, ngx_string("2.5") },
    { NGX_MAX_UINT32_VALUE, ngx_string("+Inf") },
    { 0, ngx_null_string }
};


static ngx_int_t
ngx_http_news_metrics_handler(ngx_http_request_t *r)
{
    size_t                              len;
    u_char                             *last;
    ngx_int_t                           rc;
    ngx_buf_t                          *b;
    ngx_str_t                           value;
    ngx_uint_t                          i;
    ngx_chain_t                         out;
    ngx_http_news_metrics_zone_t       *zone;
    ngx_http_news_metrics_shctx_t      *sh;
    ngx_http_news_metrics_main_conf_t  *mmcf;

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        ngx_str_set(&value, "GET, HEAD");

        if (ngx_http_news_add_header(r, "Allow", &value) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return NGX_HTTP_NOT_ALLOWED;
    }

    rc = ngx_http_discard_request_body(r);

    if (rc != NGX_OK) {
        return rc;
    }

    /* the configuration check made sure that there is a zone */

    mmcf = ngx_http_get_module_main_conf(r, ngx_http_news_metrics_module);
    zone = mmcf->zone->data;
    sh = zone->sh;

    /* a line for each sample that may be shown, and the HELP and TYPE */

    len = 40 * NGX_HTTP_NEWS_METRICS_LINE;

    for (i = 0; i < NGX_HTTP_NEWS_METRICS_STATUSES; i++) {
        if (sh->pages[i]) {
            len += NGX_HTTP_NEWS_METRICS_LINE;
        }
    }

    len += (sizeof(ngx_http_news_metrics_statuses)
            / sizeof(ngx_http_news_metrics_statuses[0])
            + NGX_HTTP_NEWS_METRICS_SKIPS
            + NGX_HTTP_NEWS_METRICS_KINDS
            + NGX_HTTP_NEWS_METRICS_BUCKETS)
           * NGX_HTTP_NEWS_METRICS_LINE;

    b = ngx_create_temp_buf(r->pool, len);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    last = ngx_http_news_metrics_render(b->pos, b->end, sh,
                                        mmcf->skip_labels);

    if (last == b->end) {
        /* a status that was zero when counted has been seen meanwhile */
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "news metrics do not fit in %uz bytes", len);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b->last = last;
    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    r->headers_out.status = NGX_HTTP_OK;
    r->headers_out.content_length_n = b->last - b->pos;

    ngx_str_set(&r->headers_out.content_type,
                "text/plain; version=0.0.4; charset=utf-8");
    r->headers_out.content_type_len = sizeof("text/plain") - 1;

    ngx_str_set(&value, "no-store");

    if (ngx_http_news_add_header(r, "Cache-Control", &value) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}


/*
 * The Prometheus text format, version 0.0.4.  Each value is read once;
 * the histogram's buckets are summed here, so that its +Inf bucket and
 * its count are always the same number.  Returns "last" when the buffer
 * was too short.
 */

static u_char *
ngx_http_news_metrics_render(u_char *p, u_char *last,
    ngx_http_news_metrics_shctx_t *sh, ngx_str_t *skip_labels)
{
    ngx_str_t                      *reason;
    ngx_uint_t                      i, s, shown;
    ngx_atomic_uint_t               n, sum;
    ngx_http_news_metrics_label_t  *l;

    /* the version of the module that answers, from VERSION (config) */

    p = ngx_slprintf(p, last,
            "# HELP news_build_info The news module's version.\n"
            "# TYPE news_build_info gauge\n"
            "news_build_info{version=\"%s\"} 1\n", NGX_HTTP_NEWS_VERSION);

    p = ngx_slprintf(p, last,
            "# HELP news_pages_total Responses of news locations, "
            "by status code.\n"
            "# TYPE news_pages_total counter\n");

    for (s = 0; s < NGX_HTTP_NEWS_METRICS_STATUSES; s++) {
        n = sh->pages[s];

        if (n == 0) {
            shown = 0;

            for (i = 0; ngx_http_news_metrics_statuses[i]; i++) {
                if (ngx_http_news_metrics_statuses[i] == s) {
                    shown = 1;
                    break;
                }
            }

            if (!shown) {
                continue;
            }
        }

        p = ngx_slprintf(p, last, "news_pages_total{status=\"%ui\"} %uA\n",
                         s, n);
    }

    p = ngx_slprintf(p, last,
            "# HELP news_views_counted_total Views counted in Redis.\n"
            "# TYPE news_views_counted_total counter\n"
            "news_views_counted_total %uA\n", sh->views_counted);

    p = ngx_slprintf(p, last,
            "# HELP news_views_skipped_total Requests of news locations "
            "not counted as a view, by reason.\n"
            "# TYPE news_views_skipped_total counter\n");

    /* the labels given, after the first's, which is no reason */

    for (i = 1;
         skip_labels != NULL && i < NGX_HTTP_NEWS_METRICS_SKIPS
         && skip_labels[i].len;
         i++)
    {
        reason = &skip_labels[i];

        p = ngx_slprintf(p, last,
                         "news_views_skipped_total{reason=\"%V\"} %uA\n",
                         reason, sh->views_skipped[i]);
    }

    p = ngx_slprintf(p, last,
            "# HELP news_redis_commands_total Commands written to Redis.\n"
            "# TYPE news_redis_commands_total counter\n"
            "news_redis_commands_total %uA\n", sh->redis_commands);

    p = ngx_slprintf(p, last,
            "# HELP news_redis_errors_total Redis failures, by kind.\n"
            "# TYPE news_redis_errors_total counter\n");

    for (l = ngx_http_news_metrics_errors; l->label.len; l++) {
        p = ngx_slprintf(p, last,
                         "news_redis_errors_total{kind=\"%V\"} %uA\n",
                         &l->label, sh->redis_errors[l->value]);
    }

    p = ngx_slprintf(p, last,
            "# HELP news_redis_reconnects_total Redis connection attempts "
            "after a failure or a loss.\n"
            "# TYPE news_redis_reconnects_total counter\n"
            "news_redis_reconnects_total %uA\n", sh->redis_reconnects);

    p = ngx_slprintf(p, last,
            "# HELP news_views_buffered Views of pages served while Redis "
            "could not be used (news_stale), not yet added to Redis.\n"
            "# TYPE news_views_buffered gauge\n"
            "news_views_buffered %A\n",
            (ngx_atomic_int_t) sh->views_buffered);

    p = ngx_slprintf(p, last,
            "# HELP news_redis_connections Redis connections open in all "
            "worker processes.\n"
            "# TYPE news_redis_connections gauge\n"
            "news_redis_connections %A\n",
            ngx_http_news_metrics_connections(sh));

    p = ngx_slprintf(p, last,
            "# HELP news_redis_latency_seconds Time from queueing a "
            "request's commands for Redis to their reply.\n"
            "# TYPE news_redis_latency_seconds histogram\n");

    n = 0;

    for (i = 0; ngx_http_news_metrics_buckets[i].label.len; i++) {
        n += sh->latency[i];

        p = ngx_slprintf(p, last,
                         "news_redis_latency_seconds_bucket{le=\"%V\"} %uA\n",
                         &ngx_http_news_metrics_buckets[i].label, n);
    }

    sum = sh->latency_sum;

    p = ngx_slprintf(p, last,
                     "news_redis_latency_seconds_sum %uA.%03uA\n"
                     "news_redis_latency_seconds_count %uA\n",
                     sum / 1000, sum % 1000, n);

    return p;
}


/*
 * The labels of news_views_skipped_total, indexed by the reason numbers
 * that ngx_http_news_metrics_view_skipped() is given; ended by an empty
 * label.  The first is no reason and is not shown.
 */

void
ngx_http_news_metrics_skip_labels(ngx_conf_t *cf, ngx_str_t *labels)
{
    ngx_http_news_metrics_main_conf_t  *mmcf;

    mmcf = ngx_http_conf_get_module_main_conf(cf,
                                              ngx_http_news_metrics_module);
    mmcf->skip_labels = labels;
}


ngx_uint_t
ngx_http_news_metrics_enabled(ngx_conf_t *cf)
{
    ngx_http_news_metrics_main_conf_t  *mmcf;

    mmcf = ngx_http_conf_get_module_main_conf(cf,
                                              ngx_http_news_metrics_module);

    return mmcf->zone != NULL;
}


void
ngx_http_news_metrics_latency(ngx_msec_t ms)
{
    ngx_uint_t                      i;
    ngx_http_news_metrics_shctx_t  *sh;

    sh = ngx_http_news_metrics_sh;

    if (sh == NULL) {
        return;
    }

    for (i = 0; i < NGX_HTTP_NEWS_METRICS_BUCKETS - 1; i++) {
        if (ms * 10 <= ngx_http_news_metrics_buckets[i].value) {
            break;
        }
    }

    (void) ngx_atomic_fetch_add(&sh->latency[i], 1);
    (void) ngx_atomic_fetch_add(&sh->latency_sum, ms);
}


/*
 * A Redis connection is open: counted in this process's entry.  What is
 * returned is handed back to ngx_http_news_metrics_connection_close(),
 * so that a connection is taken off the gauge it was added to.
 */

ngx_atomic_t *
ngx_http_news_metrics_connection_open(void)
{
    ngx_atomic_t                     *gauge;
    ngx_http_news_metrics_shctx_t    *sh;
    ngx_http_news_metrics_process_t  *proc;

    sh = ngx_http_news_metrics_sh;

    if (sh == NULL) {
        return NULL;
    }

    proc = ngx_http_news_metrics_claim(sh);

    gauge = (proc != NULL) ? &proc->connections : &sh->unslotted;

    (void) ngx_atomic_fetch_add(gauge, 1);

    return gauge;
}


void
ngx_http_news_metrics_connection_close(ngx_atomic_t *gauge)
{
    ngx_http_news_metrics_shctx_t  *sh;

    sh = ngx_http_news_metrics_sh;

    if (sh == NULL || gauge == NULL) {
        return;
    }

    /*
     * Only on the gauge of the zone in use, in an entry still this
     * process's: a zone replaced by a reload (master_process off) may be
     * unmapped, and an entry given up at exit may have a new owner.
     */

    if (gauge == &sh->unslotted
        || ngx_http_news_metrics_own(sh, gauge) != NULL)
    {
        (void) ngx_atomic_fetch_add(gauge, (ngx_atomic_int_t) -1);
    }
}


static ngx_atomic_int_t
ngx_http_news_metrics_connections(ngx_http_news_metrics_shctx_t *sh)
{
    ngx_uint_t          i;
    ngx_atomic_int_t    n;
    ngx_atomic_uint_t   pid;

    n = (ngx_atomic_int_t) sh->unslotted;

    for (i = 0; i < NGX_HTTP_NEWS_METRICS_PROCESSES; i++) {
        pid = sh->processes[i].pid;

        if (pid != 0 && ngx_http_news_metrics_alive(pid)) {
            n += (ngx_atomic_int_t) sh->processes[i].connections;
        }
    }

    return n;
}


/*
 * This process's entry: the one it has, or a free one, or one whose
 * process has died (its connections went with it).  Only the owner
 * changes an entry's count.
 */

static ngx_http_news_metrics_process_t *
ngx_http_news_metrics_claim(ngx_http_news_metrics_shctx_t *sh)
{
    ngx_uint_t                        i;
    ngx_atomic_uint_t                 pid, self;
    ngx_http_news_metrics_process_t  *proc;

    proc = ngx_http_news_metrics_own(sh,
               (ngx_http_news_metrics_process != NULL)
               ? &ngx_http_news_metrics_process->connections : NULL);

    if (proc != NULL) {
        return proc;
    }

    self = (ngx_atomic_uint_t) ngx_pid;

    for (i = 0; i < NGX_HTTP_NEWS_METRICS_PROCESSES; i++) {
        proc = &sh->processes[i];
        pid = proc->pid;

        /* an entry left by a process that had this pid before us */

        if (pid != self && pid != 0 && ngx_http_news_metrics_alive(pid)) {
            continue;
        }

        if (pid == self || ngx_atomic_cmp_set(&proc->pid, pid, self)) {
            proc->connections = 0;
            ngx_http_news_metrics_process = proc;
            return proc;
        }
    }

    return NULL;
}


/* the entry of a gauge, if it is in this zone's table and this process's */

static ngx_http_news_metrics_process_t *
ngx_http_news_metrics_own(ngx_http_news_metrics_shctx_t *sh,
    ngx_atomic_t *gauge)
{
    ngx_uint_t                        i;
    ngx_http_news_metrics_process_t  *proc;

    if (gauge == NULL) {
        return NULL;
    }

    for (i = 0; i < NGX_HTTP_NEWS_METRICS_PROCESSES; i++) {
        proc = &sh->processes[i];

        if (gauge == &proc->connections) {
            return (proc->pid == (ngx_atomic_uint_t) ngx_pid) ? proc : NULL;
        }
    }

    return NULL;
}


static ngx_uint_t
ngx_http_news_metrics_alive(ngx_atomic_uint_t pid)
{
    /* another user's process (EPERM) is alive too */

    return kill((ngx_pid_t) pid, 0) == 0 || ngx_errno == NGX_EPERM;
}


static ngx_int_t
ngx_http_news_metrics_init_zone(ngx_shm_zone_t *shm_zone, void *data)
{
    ngx_http_news_metrics_zone_t *ozone = data;

    size_t                         len;
    ngx_http_news_metrics_zone_t  *zone;

    zone = shm_zone->data;

    if (ozone != NULL) {
        /* a reload with the same name and size: the counters go on */
        zone->sh = ozone->sh;
        zone->shpool = ozone->shpool;
        return NGX_OK;
    }

    zone->shpool = (ngx_slab_pool_t *) shm_zone->shm.addr;

    if (shm_zone->shm.exists) {
        zone->sh = zone->shpool->data;
        return NGX_OK;
    }

    zone->sh = ngx_slab_calloc(zone->shpool,
                               sizeof(ngx_http_news_metrics_shctx_t));
    if (zone->sh == NULL) {
        ngx_log_error(NGX_LOG_EMERG, shm_zone->shm.log, 0,
                      "news_metrics_zone \"%V\" is too small for the "
                      "counters", &shm_zone->shm.name);
        return NGX_ERROR;
    }

    zone->shpool->data = zone->sh;

    len = sizeof(" in news_metrics_zone \"\"") + shm_zone->shm.name.len;

    zone->shpool->log_ctx = ngx_slab_alloc(zone->shpool, len);
    if (zone->shpool->log_ctx == NULL) {
        return NGX_ERROR;
    }

    ngx_sprintf(zone->shpool->log_ctx, " in news_metrics_zone \"%V\"%Z",
                &shm_zone->shm.name);

    return NGX_OK;
}


static void *
ngx_http_news_metrics_create_main_conf(ngx_conf_t *cf)
{
    ngx_http_news_metrics_main_conf_t  *mmcf;

    mmcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_news_metrics_main_conf_t));
    if (mmcf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     mmcf->zone = NULL;
     *     mmcf->file = NULL;
     *     mmcf->line = 0;
     */

    return mmcf;
}


static char *
ngx_http_news_metrics_init_main_conf(ngx_conf_t *cf, void *conf)
{
    ngx_http_news_metrics_main_conf_t *mmcf = conf;

    /* the zone may be declared after the location that shows it */

    if (mmcf->file != NULL && mmcf->zone == NULL) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "no \"news_metrics_zone\" is defined for the "
                      "\"news_metrics\" directive in %s:%ui",
                      mmcf->file, mmcf->line);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_news_metrics_zone(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_news_metrics_main_conf_t *mmcf = conf;

    ssize_t                        size;
    ngx_str_t                     *value;
    ngx_shm_zone_t                *shm_zone;
    ngx_http_news_metrics_zone_t  *zone;

    if (mmcf->zone != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (value[1].len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid zone name \"%V\"", &value[1]);
        return NGX_CONF_ERROR;
    }

    size = ngx_parse_size(&value[2]);

    if (size == NGX_ERROR) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid zone size \"%V\"", &value[2]);
        return NGX_CONF_ERROR;
    }

    /* the smallest zone nginx's slab allocator works with */

    if (size < (ssize_t) (8 * ngx_pagesize)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "zone \"%V\" is too small, the minimum is %uzk",
                           &value[1], 8 * ngx_pagesize / 1024);
        return NGX_CONF_ERROR;
    }

    zone = ngx_pcalloc(cf->pool, sizeof(ngx_http_news_metrics_zone_t));
    if (zone == NULL) {
        return NGX_CONF_ERROR;
    }

    shm_zone = ngx_shared_memory_add(cf, &value[1], size,
                                     &ngx_http_news_metrics_module);
    if (shm_zone == NULL) {
        return NGX_CONF_ERROR;
    }

    shm_zone->init = ngx_http_news_metrics_init_zone;
    shm_zone->data = zone;

    mmcf->zone = shm_zone;

    return NGX_CONF_OK;
}


static char *
ngx_http_news_metrics(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_core_loc_conf_t           *clcf;
    ngx_http_news_metrics_main_conf_t  *mmcf;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

    if (clcf->handler == ngx_http_news_metrics_handler) {
        return "is duplicate";
    }

    clcf->handler = ngx_http_news_metrics_handler;

    mmcf = ngx_http_conf_get_module_main_conf(cf,
                                              ngx_http_news_metrics_module);

    if (mmcf->file == NULL) {
        mmcf->file = cf->conf_file->file.name.data;
        mmcf->line = cf->conf_file->line;
    }

    return NGX_CONF_OK;
}


/*
 * Called once a configuration is committed, in the master before it
 * starts workers (and in the only process without a master): the
 * counters of a configuration that failed to load are never used.
 */

static ngx_int_t
ngx_http_news_metrics_init_module(ngx_cycle_t *cycle)
{
    ngx_http_news_metrics_zone_t       *zone;
    ngx_http_news_metrics_main_conf_t  *mmcf;

    ngx_http_news_metrics_sh = NULL;

    mmcf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_http_news_metrics_module);

    if (mmcf == NULL || mmcf->zone == NULL) {
        return NGX_OK;
    }

    zone = mmcf->zone->data;
    ngx_http_news_metrics_sh = zone->sh;

    return NGX_OK;
}


static void
ngx_http_news_metrics_exit_process(ngx_cycle_t *cycle)
{
    ngx_http_news_metrics_shctx_t    *sh;
    ngx_http_news_metrics_process_t  *proc;

    sh = ngx_http_news_metrics_sh;

    if (sh == NULL || ngx_http_news_metrics_process == NULL) {
        return;
    }

    /* the news module closed this process's connections just before */

    proc = ngx_http_news_metrics_own(sh,
                                 &ngx_http_news_metrics_process->connections);

    if (proc != NULL) {
        proc->connections = 0;
        (void) ngx_atomic_cmp_set(&proc->pid, (ngx_atomic_uint_t) ngx_pid, 0);
    }

    ngx_http_news_metrics_process = NULL;
}
