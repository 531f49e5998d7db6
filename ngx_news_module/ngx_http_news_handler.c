
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 *
 * The request flow: validate, ask Redis for the view on this worker's
 * connection (with the revision of the article this worker keeps, if
 * any), and when the reply comes, render the page, or take the one kept,
 * and finish.  The request never waits on anything but events.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_news_module.h"
#include "ngx_http_news_url.h"
#include "ngx_http_news_escape.h"


/* what can become of a request that does not get its page */
typedef enum {
    NGX_HTTP_NEWS_NOT_FOUND = 0,
    NGX_HTTP_NEWS_BAD_REPLY,
    NGX_HTTP_NEWS_UNAVAILABLE,
    NGX_HTTP_NEWS_TIMEDOUT,
    NGX_HTTP_NEWS_INTERNAL
} ngx_http_news_failure_e;


typedef struct {
    ngx_int_t                   status;
    ngx_uint_t                  level;
    char                       *error;     /* a JSON location's answer */
} ngx_http_news_failure_t;


static ngx_http_news_ctx_t *ngx_http_news_create_ctx(ngx_http_request_t *r);
static void ngx_http_news_ctx_cleanup(void *data);
static ngx_int_t ngx_http_news_valid_key(ngx_str_t *key);
static ngx_http_news_skip_e ngx_http_news_skip_reason(ngx_http_request_t *r,
    ngx_http_news_loc_conf_t *nlcf);
static ngx_int_t ngx_http_news_mark_ttl(ngx_http_request_t *r,
    ngx_http_news_loc_conf_t *nlcf, ngx_str_t *ttl);
static ngx_uint_t ngx_http_news_is_prefetch(ngx_http_request_t *r);
static ngx_int_t ngx_http_news_ask(ngx_http_request_t *r,
    ngx_http_news_ctx_t *ctx, ngx_http_news_loc_conf_t *nlcf);
static void ngx_http_news_reply_handler(void *data,
    ngx_http_news_redis_result_e result, ngx_http_news_redis_reply_t *reply,
    ngx_str_t *reason);
static ngx_int_t ngx_http_news_stale(ngx_http_request_t *r,
    ngx_http_news_ctx_t *ctx, ngx_http_news_redis_result_e result,
    ngx_str_t *reason);
static ngx_int_t ngx_http_news_refused(ngx_http_request_t *r,
    ngx_http_news_ctx_t *ctx, ngx_str_t *reason);
static ngx_int_t ngx_http_news_respond(ngx_http_request_t *r,
    ngx_http_news_ctx_t *ctx, ngx_http_news_redis_reply_t *reply);
static ngx_http_news_article_t *ngx_http_news_fresh(ngx_http_request_t *r,
    ngx_http_news_ctx_t *ctx, ngx_http_news_store_view_t *view);
static void ngx_http_news_most_read_apart(ngx_http_request_t *r,
    ngx_http_news_ctx_t *ctx, ngx_http_news_loc_conf_t *nlcf);
static void ngx_http_news_most_read_handler(void *data,
    ngx_http_news_redis_result_e result, ngx_http_news_redis_reply_t *reply,
    ngx_str_t *reason);
static void ngx_http_news_view_outcome(ngx_http_news_ctx_t *ctx,
    ngx_http_news_view_e view);
static ngx_int_t ngx_http_news_send_page(ngx_http_request_t *r,
    ngx_http_news_ctx_t *ctx, ngx_http_news_article_t *article,
    int64_t views);
static ngx_int_t ngx_http_news_render(ngx_http_request_t *r,
    ngx_http_news_ctx_t *ctx, ngx_http_news_page_t *page,
    ngx_http_news_rendered_t **rendered);
static ngx_int_t ngx_http_news_list_prefixes(ngx_http_request_t *r,
    ngx_http_news_loc_conf_t *nlcf, ngx_http_news_page_t *page);
static ngx_int_t ngx_http_news_send_beacon(ngx_http_request_t *r);
static ngx_int_t ngx_http_news_fail(ngx_http_news_ctx_t *ctx,
    ngx_http_news_failure_e failure, ngx_str_t *reason);
static ngx_int_t ngx_http_news_error(ngx_http_request_t *r,
    ngx_int_t status, char *error);
static ngx_uint_t ngx_http_news_error_page(ngx_http_request_t *r,
    ngx_int_t status);
static int64_t ngx_http_news_usec(void);
static void ngx_http_news_deadline_handler(ngx_event_t *ev);
static void ngx_http_news_cleanup(void *data);
static void ngx_http_news_destroy_pool(void *data);


/*
 * Status and log level by failure: a reader's mistake or a missing
 * article is info, anything an operator must see is an error.  The
 * words of a JSON location's error are the publishing API's where the
 * failure is the same; a draft is "no such article" too.
 */

static ngx_http_news_failure_t  ngx_http_news_failures[] = {
    { NGX_HTTP_NOT_FOUND, NGX_LOG_INFO, "no such article" },
    { NGX_HTTP_BAD_GATEWAY, NGX_LOG_ERR,
      "Redis answered with an error; see the error log" },
    { NGX_HTTP_SERVICE_UNAVAILABLE, NGX_LOG_ERR,
      "Redis is unavailable; try again" },
    { NGX_HTTP_GATEWAY_TIME_OUT, NGX_LOG_ERR,
      "Redis did not answer in time" },
    { NGX_HTTP_INTERNAL_SERVER_ERROR, NGX_LOG_ERR,
      "internal error; see the error log" }
};


/* by Redis result: what Redis could not do */

static ngx_http_news_failure_e  ngx_http_news_redis_failures[] = {
    NGX_HTTP_NEWS_INTERNAL,             /* NGX_HTTP_NEWS_REDIS_REPLY */
    NGX_HTTP_NEWS_BAD_REPLY,            /* NGX_HTTP_NEWS_REDIS_ERROR */
    NGX_HTTP_NEWS_UNAVAILABLE,          /* NGX_HTTP_NEWS_REDIS_UNAVAILABLE */
    NGX_HTTP_NEWS_TIMEDOUT,             /* NGX_HTTP_NEWS_REDIS_TIMEDOUT */
    NGX_HTTP_NEWS_UNAVAILABLE,          /* NGX_HTTP_NEWS_REDIS_REFUSED */
    NGX_HTTP_NEWS_UNAVAILABLE           /* NGX_HTTP_NEWS_REDIS_LOST */
};


/* a configuration's pages are told apart from an earlier one's */

ngx_uint_t  ngx_http_news_generation;


ngx_int_t
ngx_http_news_handler(ngx_http_request_t *r)
{
    ngx_int_t                   rc;
    ngx_str_t                   allow, reason;
    ngx_uint_t                  methods;
    ngx_http_cleanup_t         *cln;
    ngx_http_news_ctx_t        *ctx;
    ngx_http_news_loc_conf_t   *nlcf;

    ctx = ngx_http_news_create_ctx(r);
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    nlcf = ngx_http_get_module_loc_conf(r, ngx_http_news_module);

    /* neither 405 nor 400 is a view, counted or not; sendBeacon() POSTs */

    methods = NGX_HTTP_GET|NGX_HTTP_HEAD|(nlcf->beacon ? NGX_HTTP_POST : 0);

    if (!(r->method & methods)) {
        if (nlcf->beacon) {
            ngx_str_set(&allow, "GET, HEAD, POST");

        } else {
            ngx_str_set(&allow, "GET, HEAD");
        }

        if (ngx_http_news_add_header(r, "Allow", &allow) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return ngx_http_news_error(r, NGX_HTTP_NOT_ALLOWED,
                                   "method not allowed");
    }

    rc = ngx_http_discard_request_body(r);

    if (rc != NGX_OK) {
        return rc;
    }

    if (ngx_http_complex_value(r, nlcf->article, &ctx->key) != NGX_OK) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "news: 500: cannot evaluate the article key");
        ctx->skip = NGX_HTTP_NEWS_SKIP_ERROR;
        return ngx_http_news_error(r, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                   "internal error; see the error log");
    }

    if (ngx_http_news_valid_key(&ctx->key) != NGX_OK) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "news: invalid article key of %uz bytes",
                      ctx->key.len);
        return ngx_http_news_error(r, NGX_HTTP_BAD_REQUEST,
                                   "invalid article key");
    }

    /*
     * In a Redis Cluster the keys kept beside an article (the visitor's
     * mark, news_stale's marker) are "{<key>}:...", in the key's slot, for
     * a key without a hash tag, unless the key has a "}", which would end
     * their tag early.
     */

    if (nlcf->redis->cluster != NULL
        && !ngx_http_news_redis_cluster_tagged(ctx->key.data, ctx->key.len)
        && ngx_strlchr(ctx->key.data, ctx->key.data + ctx->key.len, '}'))
    {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "news: article key \"%V\" has a \"}\" but no hash "
                      "tag: no key can be kept beside it in a Redis "
                      "Cluster", &ctx->key);
        return ngx_http_news_error(r, NGX_HTTP_BAD_REQUEST,
                                   "invalid article key");
    }

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "news article key: \"%V\"", &ctx->key);

    cln = ngx_http_cleanup_add(r, 0);
    if (cln == NULL) {
        goto failed;
    }

    cln->handler = ngx_http_news_cleanup;
    cln->data = ctx;

    ctx->skip = ngx_http_news_skip_reason(r, nlcf);

    if (nlcf->beacon && ctx->skip != NGX_HTTP_NEWS_SKIP_NONE) {
        /* a beacon not to count has nothing to ask Redis */
        return ngx_http_news_send_beacon(r);
    }

    rc = ngx_http_news_ask(r, ctx, nlcf);

    if (rc == NGX_DECLINED) {
        ngx_str_set(&reason, "Redis is unavailable, reconnecting");

        rc = ngx_http_news_stale(r, ctx, NGX_HTTP_NEWS_REDIS_UNAVAILABLE,
                                 &reason);
        if (rc != NGX_DECLINED) {
            return rc;
        }

        return ngx_http_news_fail(ctx, NGX_HTTP_NEWS_UNAVAILABLE, &reason);
    }

    if (rc != NGX_OK) {
        goto failed;
    }

    ctx->sent = ngx_http_news_usec();

    ctx->deadline.handler = ngx_http_news_deadline_handler;
    ctx->deadline.data = ctx;
    ctx->deadline.log = r->connection->log;

    ngx_add_timer(&ctx->deadline, nlcf->redis_timeout);

    /* notice a client that leaves while Redis has its command */

    r->read_event_handler = ngx_http_test_reading;

    r->main->count++;

    return NGX_DONE;

failed:

    ngx_str_set(&reason, "cannot queue the command");

    return ngx_http_news_fail(ctx, NGX_HTTP_NEWS_INTERNAL, &reason);
}


/*
 * The context is kept in a pool cleanup too, as the realip module keeps
 * its own: an internal redirect (error_page) resets module contexts, and
 * the log phase still needs to know what became of the view.
 */

static ngx_http_news_ctx_t *
ngx_http_news_create_ctx(ngx_http_request_t *r)
{
    ngx_pool_cleanup_t   *cln;
    ngx_http_news_ctx_t  *ctx;

    cln = ngx_pool_cleanup_add(r->pool, sizeof(ngx_http_news_ctx_t));
    if (cln == NULL) {
        return NULL;
    }

    ctx = cln->data;
    ngx_memzero(ctx, sizeof(ngx_http_news_ctx_t));

    cln->handler = ngx_http_news_ctx_cleanup;

    ctx->request = r;
    ctx->redis_time = -1;
    ngx_http_set_ctx(r, ctx, ngx_http_news_module);

    return ctx;
}


ngx_http_news_ctx_t *
ngx_http_news_get_ctx(ngx_http_request_t *r)
{
    ngx_pool_cleanup_t   *cln;
    ngx_http_news_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_news_module);

    if (ctx == NULL && (r->internal || r->filter_finalize)) {

        /* subrequests share the pool: the context must be this request's */

        for (cln = r->pool->cleanup; cln; cln = cln->next) {
            if (cln->handler == ngx_http_news_ctx_cleanup) {
                ctx = cln->data;

                if (ctx->request == r) {
                    return ctx;
                }

                ctx = NULL;
            }
        }
    }

    return ctx;
}


/*
 * The request's pool goes when everything has been sent, subrequests'
 * output too: only then is the article kept, and its page that the
 * response points into, no longer in use.  (The request's own cleanup
 * has cancelled its Redis command before.)  This handler also marks the
 * cleanup that holds the context.
 */

static void
ngx_http_news_ctx_cleanup(void *data)
{
    ngx_http_news_ctx_t *ctx = data;

    if (ctx->entry != NULL) {
        ngx_http_news_cache_release(ctx->entry);
        ctx->entry = NULL;
    }
}


/*
 * Responses of news locations, and why a view was not counted, whatever
 * produced them: nginx (400 and 405 of the handler, a 413 of the core,
 * a client that left) or the module, and after an error_page redirect.
 */

ngx_int_t
ngx_http_news_log_handler(ngx_http_request_t *r)
{
    ngx_uint_t                 status;
    ngx_http_news_ctx_t       *ctx;
    ngx_http_news_loc_conf_t  *nlcf;

    ctx = ngx_http_news_get_ctx(r);

    if (ctx == NULL) {
        nlcf = ngx_http_get_module_loc_conf(r, ngx_http_news_module);

        if (nlcf->article == NULL) {
            return NGX_OK;
        }
    }

    /* what the access log shows as $status */

    if (r->err_status) {
        status = r->err_status;

    } else {
        status = r->headers_out.status;
    }

    ngx_http_news_metrics_page(status);

    if (ctx != NULL && ctx->skip != NGX_HTTP_NEWS_SKIP_NONE) {
        ngx_http_news_metrics_view_skipped(ctx->skip);
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_news_valid_key(ngx_str_t *key)
{
    size_t  i;

    if (key->len == 0 || key->len > NGX_HTTP_NEWS_KEY_MAX) {
        return NGX_DECLINED;
    }

    /* harmless in RESP, but no log line or tool should meet them */

    for (i = 0; i < key->len; i++) {
        if (key->data[i] == '\r' || key->data[i] == '\n'
            || key->data[i] == '\0')
        {
            return NGX_DECLINED;
        }
    }

    return NGX_OK;
}


/* why this request is not a view to count, known before Redis answers */

static ngx_http_news_skip_e
ngx_http_news_skip_reason(ngx_http_request_t *r,
    ngx_http_news_loc_conf_t *nlcf)
{
    if (!nlcf->views) {
        return NGX_HTTP_NEWS_SKIP_OFF;
    }

    if (r->method == NGX_HTTP_HEAD) {
        return NGX_HTTP_NEWS_SKIP_HEAD;
    }

    if (nlcf->views_skip != NULL
        && ngx_http_test_predicates(r, nlcf->views_skip) == NGX_DECLINED)
    {
        return NGX_HTTP_NEWS_SKIP_SKIP;
    }

    if (ngx_http_news_is_prefetch(r)) {
        return NGX_HTTP_NEWS_SKIP_PREFETCH;
    }

    return NGX_HTTP_NEWS_SKIP_NONE;
}


/*
 * The view's commands: the count (unless the view is not one to count),
 * the visitor's mark with news_views_unique, and the article, which the
 * reply brings only when this worker does not keep its current revision.
 */

static ngx_int_t
ngx_http_news_ask(ngx_http_request_t *r, ngx_http_news_ctx_t *ctx,
    ngx_http_news_loc_conf_t *nlcf)
{
    ngx_uint_t                    tag;
    ngx_http_news_main_conf_t    *nmcf;
    ngx_http_news_store_query_t  *q;

    nmcf = ngx_http_get_module_main_conf(r, ngx_http_news_module);

    q = &ctx->query;
    q->key = ctx->key;
    q->count = (ctx->skip == NGX_HTTP_NEWS_SKIP_NONE);
    q->fields = !nlcf->beacon;

    if (q->count && nlcf->views_unique) {

        /* in a Redis Cluster the mark goes where the article is */

        tag = nlcf->redis->cluster != NULL
              && !ngx_http_news_redis_cluster_tagged(ctx->key.data,
                                                     ctx->key.len);

        if (ngx_http_news_visitor_key(r, nmcf->secret, nlcf->views_visitor,
                                      &ctx->key, tag, &q->mark)
            != NGX_OK)
        {
            return NGX_ERROR;
        }

        if (ngx_http_news_mark_ttl(r, nlcf, &q->window) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    if (q->fields) {
        ngx_http_news_cache_size(nmcf->cache_size);

        ctx->entry = ngx_http_news_cache_get(&ctx->key);

        if (ctx->entry != NULL) {
            ngx_http_news_cache_hold(ctx->entry);
            q->rev = ctx->entry->article->field[NGX_HTTP_NEWS_REV];
        }
    }

    ngx_http_news_store_commands(q, nlcf->redis->cluster != NULL
                                    ? &nmcf->script_apart : &nmcf->script);

    return ngx_http_news_redis_send(nlcf->redis, q->command, q->ncommands,
                                    ngx_http_news_reply_handler, ctx,
                                    &ctx->pending);
}


/*
 * A visitor's mark is of no use after 00:00 UTC, when the day salting its
 * hash changes: it expires then, if its window would last longer, so that
 * one visitor never costs Redis memory it cannot use.
 */

static ngx_int_t
ngx_http_news_mark_ttl(ngx_http_request_t *r, ngx_http_news_loc_conf_t *nlcf,
    ngx_str_t *ttl)
{
    time_t  left;

    left = 86400 - ngx_time() % 86400;

    if (nlcf->views_unique <= left) {
        *ttl = nlcf->views_window;
        return NGX_OK;
    }

    ttl->data = ngx_pnalloc(r->pool, NGX_TIME_T_LEN);
    if (ttl->data == NULL) {
        return NGX_ERROR;
    }

    ttl->len = ngx_sprintf(ttl->data, "%T", left) - ttl->data;

    return NGX_OK;
}


static ngx_uint_t
ngx_http_news_is_prefetch(ngx_http_request_t *r)
{
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    part = &r->headers_in.headers.part;
    h = part->elts;

    /* a browser's speculative fetch is served but is not a reader's view */

    for (i = 0; /* void */ ; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        if ((h[i].key.len == sizeof("Sec-Purpose") - 1
             && ngx_strncasecmp(h[i].key.data, (u_char *) "Sec-Purpose",
                                sizeof("Sec-Purpose") - 1) == 0)
            || (h[i].key.len == sizeof("Purpose") - 1
                && ngx_strncasecmp(h[i].key.data, (u_char *) "Purpose",
                                   sizeof("Purpose") - 1) == 0))
        {
            /* "prefetch", alone or with parameters ("prefetch;anonymous") */

            if (h[i].value.len >= sizeof("prefetch") - 1
                && ngx_strncasecmp(h[i].value.data, (u_char *) "prefetch",
                                   sizeof("prefetch") - 1) == 0
                && (h[i].value.len == sizeof("prefetch") - 1
                    || h[i].value.data[sizeof("prefetch") - 1] == ';'
                    || h[i].value.data[sizeof("prefetch") - 1] == ' '))
            {
                return 1;
            }
        }
    }

    return 0;
}


static void
ngx_http_news_reply_handler(void *data, ngx_http_news_redis_result_e result,
    ngx_http_news_redis_reply_t *reply, ngx_str_t *reason)
{
    ngx_http_news_ctx_t *ctx = data;

    ngx_int_t            rc;
    ngx_connection_t    *c;
    ngx_http_request_t  *r;

    r = ctx->request;
    c = r->connection;

    ctx->pending = NULL;
    ctx->redis_time = ngx_http_news_usec() - ctx->sent;

    if (ctx->deadline.timer_set) {
        ngx_del_timer(&ctx->deadline);
    }

    if (result == NGX_HTTP_NEWS_REDIS_REPLY) {
        rc = ngx_http_news_respond(r, ctx, reply);

    } else if (result == NGX_HTTP_NEWS_REDIS_REFUSED
               && ngx_http_news_store_writes(&ctx->query))
    {
        rc = ngx_http_news_refused(r, ctx, reason);

        if (rc == NGX_DONE) {
            return;
        }

    } else {
        rc = ngx_http_news_stale(r, ctx, result, reason);

        if (rc == NGX_DECLINED) {
            rc = ngx_http_news_fail(ctx,
                                    ngx_http_news_redis_failures[result],
                                    reason);
        }
    }

    ngx_http_finalize_request(r, rc);
    ngx_http_run_posted_requests(c);
}


/*
 * news_stale: Redis cannot be used now, and this worker keeps the
 * article, so its kept page is served with the last count seen.  A view
 * to count whose commands Redis has not run is kept in the buffer and
 * added when Redis is back, and the page counts it already; one whose
 * commands may have run (the connection was lost after they were sent,
 * or the reply is late) is not kept: Redis counted it, or nobody will.
 * NGX_DECLINED: no page can be made (nothing kept, or not a page).
 */

static ngx_int_t
ngx_http_news_stale(ngx_http_request_t *r, ngx_http_news_ctx_t *ctx,
    ngx_http_news_redis_result_e result, ngx_str_t *reason)
{
    int64_t                     views, pending;
    ngx_http_news_loc_conf_t   *nlcf;
    ngx_http_news_main_conf_t  *nmcf;

    static time_t               logged;

    nlcf = ngx_http_get_module_loc_conf(r, ngx_http_news_module);

    if (!nlcf->stale || nlcf->beacon || ctx->entry == NULL
        || result == NGX_HTTP_NEWS_REDIS_ERROR)
    {
        return NGX_DECLINED;
    }

    nmcf = ngx_http_get_module_main_conf(r, ngx_http_news_module);

    views = ctx->entry->views;

    if (ctx->skip == NGX_HTTP_NEWS_SKIP_NONE) {

        if (result == NGX_HTTP_NEWS_REDIS_UNAVAILABLE
            && ngx_http_news_stale_add(nmcf->stale_zone, nlcf->redis,
                                       &ctx->key, &pending)
               == NGX_OK)
        {
            views += pending;
            ctx->skip = NGX_HTTP_NEWS_SKIP_BUFFERED;

        } else {
            ctx->skip = NGX_HTTP_NEWS_SKIP_ERROR;
        }
    }

    if (ngx_time() - logged >= 60) {
        logged = ngx_time();
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "news: pages served from this worker's articles while "
                      "Redis cannot be used (news_stale, said once a "
                      "minute): %V", reason);
    }

    return ngx_http_news_send_page(r, ctx, ctx->entry->article, views);
}


/*
 * Redis refuses writes (full, a replica, or unable to persist) but still
 * reads: the page is shown from the fields, read again with HGETALL, and
 * the view is not counted (nothing of the script was written: it failed
 * at its first write).  A beacon has no page: 503.  Said once a minute
 * per worker, as every view would say the same.
 */

static ngx_int_t
ngx_http_news_refused(ngx_http_request_t *r, ngx_http_news_ctx_t *ctx,
    ngx_str_t *reason)
{
    ngx_int_t                    rc;
    ngx_str_t                    retry, no_store;
    ngx_http_news_loc_conf_t    *nlcf;
    ngx_http_news_main_conf_t   *nmcf;
    ngx_http_news_store_query_t *q;

    static time_t                logged;

    if (ngx_time() - logged >= 60) {
        logged = ngx_time();
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "news: Redis refuses writes, views are not counted "
                      "(said once a minute): %V", reason);
    }

    ctx->skip = NGX_HTTP_NEWS_SKIP_REFUSED;

    nlcf = ngx_http_get_module_loc_conf(r, ngx_http_news_module);

    if (nlcf->beacon) {
        ngx_str_set(&retry, "60");
        ngx_str_set(&no_store, "no-store");

        if (ngx_http_news_add_header(r, "Retry-After", &retry) != NGX_OK
            || ngx_http_news_add_header(r, "Cache-Control", &no_store)
               != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return NGX_HTTP_SERVICE_UNAVAILABLE;
    }

    nmcf = ngx_http_get_module_main_conf(r, ngx_http_news_module);

    /* the kept revision is not asked about: that takes the script */

    if (ctx->entry != NULL) {
        ngx_http_news_cache_release(ctx->entry);
        ctx->entry = NULL;
    }

    q = &ctx->query;
    ngx_memzero(q, sizeof(ngx_http_news_store_query_t));
    q->key = ctx->key;
    q->fields = 1;

    ngx_http_news_store_commands(q, &nmcf->script);

    rc = ngx_http_news_redis_send(nlcf->redis, q->command, q->ncommands,
                                  ngx_http_news_reply_handler, ctx,
                                  &ctx->pending);

    if (rc != NGX_OK) {
        return ngx_http_news_fail(ctx, NGX_HTTP_NEWS_UNAVAILABLE, reason);
    }

    ctx->sent = ngx_http_news_usec();
    ngx_add_timer(&ctx->deadline, nlcf->redis_timeout);

    return NGX_DONE;
}


static ngx_int_t
ngx_http_news_respond(ngx_http_request_t *r, ngx_http_news_ctx_t *ctx,
    ngx_http_news_redis_reply_t *reply)
{
    ngx_int_t                    rc;
    ngx_str_t                    reason;
    ngx_http_news_article_t     *article;
    ngx_http_news_loc_conf_t    *nlcf;
    ngx_http_news_store_view_t   view;

    rc = ngx_http_news_store_view(&ctx->query, reply, &view, &reason);

    ngx_http_news_view_outcome(ctx, view.view);

    if (rc == NGX_DECLINED) {
        if (ctx->entry != NULL) {
            /* a draft now, or deleted: nothing of it to keep */
            ngx_http_news_cache_remove(&ctx->key);
        }

        return ngx_http_news_fail(ctx, NGX_HTTP_NEWS_NOT_FOUND, &reason);
    }

    if (rc != NGX_OK) {
        return ngx_http_news_fail(ctx, NGX_HTTP_NEWS_BAD_REPLY, &reason);
    }

    nlcf = ngx_http_get_module_loc_conf(r, ngx_http_news_module);

    if (view.view == NGX_HTTP_NEWS_VIEW_COUNTED
        && nlcf->redis->cluster != NULL)
    {
        ngx_http_news_most_read_apart(r, ctx, nlcf);
    }

    if (nlcf->beacon) {
        return ngx_http_news_send_beacon(r);
    }

    if (view.article != NULL) {
        article = ngx_http_news_fresh(r, ctx, &view);
        if (article == NULL) {
            ngx_str_set(&reason, "cannot keep the article");
            return ngx_http_news_fail(ctx, NGX_HTTP_NEWS_INTERNAL, &reason);
        }

    } else {
        /* the revision this worker keeps is the current one */
        article = ctx->entry->article;
    }

    if (ctx->entry != NULL) {
        /* what news_stale shows if Redis is gone at the next view */
        ctx->entry->views = view.views;
    }

    rc = ngx_http_news_send_page(r, ctx, article, view.views);

    if (rc == NGX_HTTP_INTERNAL_SERVER_ERROR) {
        ngx_str_set(&reason, "cannot render the page");
        return ngx_http_news_fail(ctx, NGX_HTTP_NEWS_INTERNAL, &reason);
    }

    return rc;
}


/*
 * An article whose fields came with this view: kept in place of the
 * revision known before, if it has a revision, or else freed with the
 * request.
 */

static ngx_http_news_article_t *
ngx_http_news_fresh(ngx_http_request_t *r, ngx_http_news_ctx_t *ctx,
    ngx_http_news_store_view_t *view)
{
    ngx_pool_cleanup_t       *cln;
    ngx_http_news_article_t  *a;

    a = view->article;

    /* an image URL that could run script is left out of pages */

    if (!ngx_http_news_safe_url(a->field[NGX_HTTP_NEWS_IMAGE].data,
                                a->field[NGX_HTTP_NEWS_IMAGE].len))
    {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "news: article \"%V\": image URL with an unsafe "
                      "scheme left out", &ctx->key);
        ngx_str_null(&a->field[NGX_HTTP_NEWS_IMAGE]);
    }

    if (ctx->entry != NULL) {
        ngx_http_news_cache_release(ctx->entry);
    }

    ctx->entry = ngx_http_news_cache_put(&ctx->key, a, view->pool);

    if (ctx->entry != NULL) {
        ngx_http_news_cache_hold(ctx->entry);
        return a;
    }

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        ngx_destroy_pool(view->pool);
        return NULL;
    }

    cln->handler = ngx_http_news_destroy_pool;
    cln->data = view->pool;

    return a;
}


/*
 * In a Redis Cluster the day's most read set is in a slot of its own:
 * the counted view is added to it as a step of its own, to its node,
 * once the count is known.  It is not atomic with the count: a failure
 * there loses the view from most read, never from the count.
 */

static void
ngx_http_news_most_read_apart(ngx_http_request_t *r, ngx_http_news_ctx_t *ctx,
    ngx_http_news_loc_conf_t *nlcf)
{
    ngx_int_t                       rc;
    ngx_str_t                       reason;
    ngx_http_news_most_read_t       m;
    ngx_http_news_redis_pending_t  *pending;

    if (ngx_http_news_store_most_read(&ctx->key, &m) != NGX_OK) {
        return;
    }

    /* nobody waits for the answer: not the request, which goes on */

    rc = ngx_http_news_redis_send(nlcf->redis, m.command, 2,
                                  ngx_http_news_most_read_handler, NULL,
                                  &pending);

    if (rc != NGX_OK) {
        ngx_str_set(&reason, "Redis cannot be used");
        ngx_http_news_most_read_handler(NULL, NGX_HTTP_NEWS_REDIS_UNAVAILABLE,
                                        NULL, &reason);
    }
}


/* said once a minute per worker: a node down would be a line per view */

static void
ngx_http_news_most_read_handler(void *data,
    ngx_http_news_redis_result_e result, ngx_http_news_redis_reply_t *reply,
    ngx_str_t *reason)
{
    static time_t  logged;

    if (result != NGX_HTTP_NEWS_REDIS_REPLY && ngx_time() - logged >= 60) {
        logged = ngx_time();

        ngx_log_error(NGX_LOG_WARN, ngx_cycle->log, 0,
                      "news: views counted but not in most read (said once "
                      "a minute): %V", reason);
    }
}


/* what Redis made of the view: $news_view_counted, $news_skip_reason */

static void
ngx_http_news_view_outcome(ngx_http_news_ctx_t *ctx, ngx_http_news_view_e view)
{
    switch (view) {

    case NGX_HTTP_NEWS_VIEW_COUNTED:

        /* counted in Redis, whatever becomes of the page now */

        ctx->counted = 1;
        ngx_http_news_metrics_view_counted();
        return;

    case NGX_HTTP_NEWS_VIEW_SHOWN:
        return;

    default:
        break;
    }

    /* a reason known before Redis was asked stays */

    if (ctx->skip != NGX_HTTP_NEWS_SKIP_NONE) {
        return;
    }

    switch (view) {

    case NGX_HTTP_NEWS_VIEW_MISSING:
        ctx->skip = NGX_HTTP_NEWS_SKIP_NOT_FOUND;
        break;

    case NGX_HTTP_NEWS_VIEW_DRAFT:
    case NGX_HTTP_NEWS_VIEW_SCHEDULED:     /* not published yet, either */
        ctx->skip = NGX_HTTP_NEWS_SKIP_DRAFT;
        break;

    default: /* NGX_HTTP_NEWS_VIEW_REPEAT */
        ctx->skip = NGX_HTTP_NEWS_SKIP_DEDUPE;
        break;
    }
}


static ngx_int_t
ngx_http_news_send_page(ngx_http_request_t *r, ngx_http_news_ctx_t *ctx,
    ngx_http_news_article_t *article, int64_t views)
{
    off_t                      len;
    char                      *type;
    ngx_chain_t               *out;
    ngx_http_news_page_t       page;
    ngx_http_news_rendered_t  *rendered;
    ngx_http_news_loc_conf_t  *nlcf;

    nlcf = ngx_http_get_module_loc_conf(r, ngx_http_news_module);

    page.article = article;
    page.site_name = nlcf->site_name;
    page.date_format = (char *) nlcf->date_format.data;
    page.body_format = nlcf->body_format;
    page.log = r->connection->log;
    page.publisher = &nlcf->publisher;
    page.resolve = ngx_http_news_url_resolve;

    if (ngx_http_news_list_prefixes(r, nlcf, &page) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (nlcf->beacon_url == NULL) {
        ngx_str_null(&page.beacon_url);

    } else if (ngx_http_complex_value(r, nlcf->beacon_url, &page.beacon_url)
               != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_http_news_url_article(r, &ctx->key, &page.url) != NGX_OK
        || ngx_http_news_render(r, ctx, &page, &rendered) != NGX_OK
        || ngx_http_news_page_output(rendered, views, r->pool, &out, &len)
           != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->views.data = ngx_pnalloc(r->pool, NGX_INT64_LEN);
    if (ctx->views.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->views.len = ngx_sprintf(ctx->views.data, "%L", views)
                     - ctx->views.data;

    if (nlcf->cache_control.len
        && ngx_http_news_add_header(r, "Cache-Control", &nlcf->cache_control)
           != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (nlcf->format == NGX_HTTP_NEWS_FORMAT_JSON) {
        type = "application/json; charset=utf-8";

    } else {
        type = "text/html; charset=utf-8";
    }

    return ngx_http_news_send(r, NGX_HTTP_OK, type, out, len);
}


/*
 * The page kept for this article, if it was rendered for the same
 * location, URL and beacon URL; otherwise rendered now, and kept with
 * the article when the article is kept.
 */

static ngx_int_t
ngx_http_news_render(ngx_http_request_t *r, ngx_http_news_ctx_t *ctx,
    ngx_http_news_page_t *page, ngx_http_news_rendered_t **rendered)
{
    ngx_int_t                       rc;
    ngx_http_news_rendered_t       *kept, *fresh;
    ngx_http_news_loc_conf_t       *nlcf;
    ngx_http_news_main_conf_t      *nmcf;
    ngx_http_news_cache_variant_t   variant;

    nlcf = ngx_http_get_module_loc_conf(r, ngx_http_news_module);
    nmcf = ngx_http_get_module_main_conf(r, ngx_http_news_module);

    variant.generation = nmcf->generation;
    variant.conf = nlcf;
    variant.url = page->url;
    variant.beacon_url = page->beacon_url;

    if (ctx->entry != NULL) {
        kept = ngx_http_news_cache_page(ctx->entry, &variant);

        if (kept != NULL) {
            *rendered = kept;
            return NGX_OK;
        }
    }

    fresh = ngx_palloc(r->pool, sizeof(ngx_http_news_rendered_t));
    if (fresh == NULL) {
        return NGX_ERROR;
    }

    if (nlcf->format == NGX_HTTP_NEWS_FORMAT_JSON) {
        rc = ngx_http_news_json_article(page, r->pool, fresh);

    } else {
        rc = ngx_http_news_page_render(nlcf->template, page, r->pool, fresh);
    }

    if (rc != NGX_OK) {
        return NGX_ERROR;
    }

    *rendered = fresh;

    if (ctx->entry != NULL) {
        kept = ngx_http_news_cache_set_page(ctx->entry, &variant, fresh);
        if (kept != NULL) {
            *rendered = kept;
        }
    }

    return NGX_OK;
}


/*
 * Where the section, tag and author pages are (news_section_url and the
 * others), absolute, for the page's links to them; empty without.
 */

static ngx_int_t
ngx_http_news_list_prefixes(ngx_http_request_t *r,
    ngx_http_news_loc_conf_t *nlcf, ngx_http_news_page_t *page)
{
    ngx_str_t    base, *prefix[3], *out[3];
    ngx_uint_t   i;

    prefix[0] = &nlcf->section_url;
    prefix[1] = &nlcf->tag_url;
    prefix[2] = &nlcf->author_url;
    out[0] = &page->section_url;
    out[1] = &page->tag_url;
    out[2] = &page->author_url;

    ngx_str_null(&base);

    for (i = 0; i < 3; i++) {
        ngx_str_null(out[i]);

        if (prefix[i]->len == 0) {
            continue;
        }

        if (base.data == NULL && ngx_http_news_url_base(r, &base) != NGX_OK) {
            return NGX_ERROR;
        }

        out[i]->data = ngx_pnalloc(r->pool, base.len + prefix[i]->len);
        if (out[i]->data == NULL) {
            return NGX_ERROR;
        }

        out[i]->len = ngx_sprintf(out[i]->data, "%V%V", &base, prefix[i])
                      - out[i]->data;
    }

    return NGX_OK;
}


/* 204: nothing to show, nothing a cache may keep */

static ngx_int_t
ngx_http_news_send_beacon(ngx_http_request_t *r)
{
    ngx_str_t  no_store;

    ngx_str_set(&no_store, "no-store");

    if (ngx_http_news_add_header(r, "Cache-Control", &no_store) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_news_send(r, NGX_HTTP_NO_CONTENT, NULL, NULL, 0);
}


/*
 * The one place where a request that gets no page is logged, once, at
 * its failure's level, and given its status; a view not counted then is
 * not counted for an error (a 404 has its reason already).  A 5xx is
 * of a moment: no cache may keep it.
 */

static ngx_int_t
ngx_http_news_fail(ngx_http_news_ctx_t *ctx, ngx_http_news_failure_e failure,
    ngx_str_t *reason)
{
    ngx_str_t                 retry, no_store;
    ngx_http_request_t       *r;
    ngx_http_news_failure_t  *f;

    r = ctx->request;
    f = &ngx_http_news_failures[failure];

    ngx_log_error(f->level, r->connection->log, 0,
                  "news: %i for article \"%V\": %V", f->status, &ctx->key,
                  reason);

    if (failure == NGX_HTTP_NEWS_UNAVAILABLE) {

        /* the reconnect backoff is capped at a second */

        ngx_str_set(&retry, "1");

        if (ngx_http_news_add_header(r, "Retry-After", &retry) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    if (f->status >= NGX_HTTP_INTERNAL_SERVER_ERROR) {
        ngx_str_set(&no_store, "no-store");

        if (ngx_http_news_add_header(r, "Cache-Control", &no_store)
            != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    if (failure != NGX_HTTP_NEWS_NOT_FOUND
        && ctx->skip == NGX_HTTP_NEWS_SKIP_NONE && !ctx->counted)
    {
        ctx->skip = NGX_HTTP_NEWS_SKIP_ERROR;
    }

    return ngx_http_news_error(r, f->status, f->error);
}


/*
 * A JSON location answers an error in JSON, {"error": "..."}, as the
 * publishing API does, and not with nginx's HTML page; an HTML location
 * keeps nginx's.  Either way an error_page for the status wins, as it
 * does over nginx's own page: the status is returned, and nginx
 * redirects.
 */

static ngx_int_t
ngx_http_news_error(ngx_http_request_t *r, ngx_int_t status, char *error)
{
    ngx_buf_t                 *b;
    ngx_str_t                  json;
    ngx_chain_t               *out;
    ngx_http_news_loc_conf_t  *nlcf;

    nlcf = ngx_http_get_module_loc_conf(r, ngx_http_news_module);

    if (nlcf->format != NGX_HTTP_NEWS_FORMAT_JSON
        || r->header_sent
        || ngx_http_news_error_page(r, status))
    {
        return status;
    }

    /* what nginx does before its own error page, lest a body be a request */

    if (ngx_http_discard_request_body(r) != NGX_OK) {
        r->keepalive = 0;
    }

    if (ngx_http_news_json_error(error, r->pool, &json) != NGX_OK) {
        return status;
    }

    b = ngx_calloc_buf(r->pool);
    out = ngx_alloc_chain_link(r->pool);

    if (b == NULL || out == NULL) {
        return status;
    }

    b->pos = json.data;
    b->last = json.data + json.len;
    b->memory = 1;

    out->buf = b;
    out->next = NULL;

    return ngx_http_news_send(r, status, "application/json; charset=utf-8",
                              out, json.len);
}


/* whether nginx would send this status to an error_page: its own test */

static ngx_uint_t
ngx_http_news_error_page(ngx_http_request_t *r, ngx_int_t status)
{
    ngx_uint_t                 i;
    ngx_http_err_page_t       *err_page;
    ngx_http_core_loc_conf_t  *clcf;

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

    if (r->error_page || clcf->error_pages == NULL || r->uri_changes == 0) {
        return 0;
    }

    err_page = clcf->error_pages->elts;

    for (i = 0; i < clcf->error_pages->nelts; i++) {
        if (err_page[i].status == status) {
            return 1;
        }
    }

    return 0;
}


/* a monotonic clock in microseconds, for $news_redis_time */

static int64_t
ngx_http_news_usec(void)
{
    struct timespec  ts;

    (void) clock_gettime(CLOCK_MONOTONIC, &ts);

    return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}


static void
ngx_http_news_deadline_handler(ngx_event_t *ev)
{
    ngx_http_news_ctx_t *ctx = ev->data;

    u_char                    *p;
    ngx_int_t                  rc;
    ngx_str_t                  reason;
    ngx_connection_t          *c;
    ngx_http_request_t        *r;
    ngx_http_news_loc_conf_t  *nlcf;

    r = ctx->request;
    c = r->connection;
    nlcf = ngx_http_get_module_loc_conf(r, ngx_http_news_module);

    /* the reply may still come; it will find no request to touch */

    ngx_http_news_redis_cancel(ctx->pending);
    ctx->pending = NULL;
    ctx->redis_time = ngx_http_news_usec() - ctx->sent;

    p = ngx_pnalloc(r->pool, sizeof("no reply from Redis within ms")
                             + NGX_TIME_T_LEN);
    if (p == NULL) {
        ngx_str_set(&reason, "no reply from Redis in time");

    } else {
        reason.data = p;
        reason.len = ngx_sprintf(p, "no reply from Redis within %Mms",
                                 nlcf->redis_timeout)
                     - p;
    }

    rc = ngx_http_news_stale(r, ctx, NGX_HTTP_NEWS_REDIS_TIMEDOUT, &reason);

    if (rc == NGX_DECLINED) {
        rc = ngx_http_news_fail(ctx, NGX_HTTP_NEWS_TIMEDOUT, &reason);
    }

    ngx_http_finalize_request(r, rc);
    ngx_http_run_posted_requests(c);
}


static void
ngx_http_news_cleanup(void *data)
{
    ngx_http_news_ctx_t *ctx = data;

    if (ctx->pending != NULL) {
        ngx_http_news_redis_cancel(ctx->pending);
        ctx->pending = NULL;
    }

    if (ctx->deadline.timer_set) {
        ngx_del_timer(&ctx->deadline);
    }
}


static void
ngx_http_news_destroy_pool(void *data)
{
    ngx_destroy_pool(data);
}
