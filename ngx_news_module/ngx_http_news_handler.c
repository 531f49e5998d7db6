
/*
 * Copyright (C) ngx_news_module authors
 *
 * The request flow: validate, queue the view's Redis commands on this
 * worker's connection, and when their reply comes, render the page and
 * finish.
 * The request never waits on anything but events.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_news_module.h"
#include "ngx_http_news_escape.h"


static ngx_http_news_ctx_t *ngx_http_news_create_ctx(ngx_http_request_t *r);
static void ngx_http_news_ctx_cleanup(void *data);
static ngx_int_t ngx_http_news_valid_key(ngx_str_t *key);
static ngx_http_news_skip_e ngx_http_news_skip_reason(ngx_http_request_t *r,
    ngx_http_news_loc_conf_t *nlcf);
static ngx_uint_t ngx_http_news_is_prefetch(ngx_http_request_t *r);
static ngx_int_t ngx_http_news_send_view(ngx_http_request_t *r,
    ngx_http_news_ctx_t *ctx, ngx_http_news_loc_conf_t *nlcf);
static void ngx_http_news_reply_handler(void *data,
    ngx_http_news_redis_result_e result, redisReply *reply,
    ngx_str_t *reason);
static ngx_int_t ngx_http_news_respond(ngx_http_request_t *r,
    ngx_http_news_ctx_t *ctx, ngx_http_news_redis_result_e result,
    redisReply *reply, ngx_str_t *reason);
static ngx_int_t ngx_http_news_respond_beacon(ngx_http_request_t *r,
    ngx_http_news_ctx_t *ctx, redisReply *reply);
static void ngx_http_news_view_outcome(ngx_http_news_ctx_t *ctx,
    ngx_http_news_view_e view);
static ngx_int_t ngx_http_news_send_page(ngx_http_request_t *r,
    ngx_http_news_ctx_t *ctx, ngx_http_news_article_t *article);
static ngx_int_t ngx_http_news_send_beacon(ngx_http_request_t *r);
static ngx_int_t ngx_http_news_failed(ngx_http_news_ctx_t *ctx,
    ngx_int_t status);
static int64_t ngx_http_news_usec(void);
static ngx_int_t ngx_http_news_canonical_url(ngx_http_request_t *r,
    ngx_http_news_loc_conf_t *nlcf, ngx_str_t *url);
static ngx_int_t ngx_http_news_unavailable(ngx_http_request_t *r);
static void ngx_http_news_deadline_handler(ngx_event_t *ev);
static void ngx_http_news_cleanup(void *data);


ngx_int_t
ngx_http_news_handler(ngx_http_request_t *r)
{
    ngx_int_t                   rc;
    ngx_str_t                   allow;
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

        return NGX_HTTP_NOT_ALLOWED;
    }

    rc = ngx_http_discard_request_body(r);

    if (rc != NGX_OK) {
        return rc;
    }

    if (ngx_http_complex_value(r, nlcf->article, &ctx->key) != NGX_OK) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "news: 500: cannot evaluate the article key");
        return ngx_http_news_failed(ctx, NGX_HTTP_INTERNAL_SERVER_ERROR);
    }

    if (ngx_http_news_valid_key(&ctx->key) != NGX_OK) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "news: invalid article key of %uz bytes",
                      ctx->key.len);
        return NGX_HTTP_BAD_REQUEST;
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

    rc = ngx_http_news_send_view(r, ctx, nlcf);

    if (rc == NGX_DECLINED) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "news: 503 for article \"%V\": Redis is unavailable, "
                      "reconnecting", &ctx->key);
        return ngx_http_news_failed(ctx, ngx_http_news_unavailable(r));
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

    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                  "news: 500 for article \"%V\": cannot queue the command",
                  &ctx->key);

    return ngx_http_news_failed(ctx, NGX_HTTP_INTERNAL_SERVER_ERROR);
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


static void
ngx_http_news_ctx_cleanup(void *data)
{
    /*
     * Nothing to release (the request's own cleanup has cancelled its
     * Redis command); this handler marks the cleanup that holds the
     * context.
     */
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
 * A counted view: the guarded count and HGETALL in one transaction;
 * any other view: HGETALL alone, which is atomic by itself.  A beacon
 * needs the count only.  With news_views_unique the count script also
 * gets the visitor's mark for this article and the window.
 */

static ngx_int_t
ngx_http_news_send_view(ngx_http_request_t *r, ngx_http_news_ctx_t *ctx,
    ngx_http_news_loc_conf_t *nlcf)
{
    ngx_str_t                       hgetall[2], count[3];
    ngx_uint_t                      n;
    ngx_http_news_main_conf_t      *nmcf;
    ngx_http_news_redis_command_t   commands[2];

    nmcf = ngx_http_get_module_main_conf(r, ngx_http_news_module);

    n = 0;

    if (ctx->skip == NGX_HTTP_NEWS_SKIP_NONE) {
        count[0] = ctx->key;

        commands[n].script = &nmcf->script;
        commands[n].nkeys = 1;
        commands[n].argc = 1;
        commands[n].argv = count;

        if (nlcf->views_unique) {
            if (ngx_http_news_visitor_key(r, nmcf->secret, nlcf->views_visitor,
                                          &ctx->key, &count[1])
                != NGX_OK)
            {
                return NGX_ERROR;
            }

            count[2] = nlcf->views_window;

            commands[n].nkeys = 2;
            commands[n].argc = 3;
        }

        n++;
    }

    if (!nlcf->beacon) {
        ngx_str_set(&hgetall[0], "HGETALL");
        hgetall[1] = ctx->key;

        commands[n].script = NULL;
        commands[n].nkeys = 0;
        commands[n].argc = 2;
        commands[n].argv = hgetall;
        n++;
    }

    return ngx_http_news_redis_send(nlcf->redis, commands, n,
                                    nlcf->redis_timeout,
                                    ngx_http_news_reply_handler, ctx,
                                    &ctx->cmd);
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
    redisReply *reply, ngx_str_t *reason)
{
    ngx_http_news_ctx_t *ctx = data;

    ngx_int_t            rc;
    ngx_connection_t    *c;
    ngx_http_request_t  *r;

    r = ctx->request;
    c = r->connection;

    ctx->cmd = NULL;
    ctx->redis_time = ngx_http_news_usec() - ctx->sent;

    if (ctx->deadline.timer_set) {
        ngx_del_timer(&ctx->deadline);
    }

    rc = ngx_http_news_respond(r, ctx, result, reply, reason);

    ngx_http_finalize_request(r, rc);
    ngx_http_run_posted_requests(c);
}


static ngx_int_t
ngx_http_news_respond(ngx_http_request_t *r, ngx_http_news_ctx_t *ctx,
    ngx_http_news_redis_result_e result, redisReply *reply,
    ngx_str_t *reason)
{
    ngx_int_t                  rc;
    ngx_str_t                  why;
    redisReply                *error;
    ngx_http_news_article_t    article;
    ngx_http_news_loc_conf_t  *nlcf;

    switch (result) {

    case NGX_HTTP_NEWS_REDIS_UNAVAILABLE:
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "news: 503 for article \"%V\": %V", &ctx->key, reason);
        return ngx_http_news_failed(ctx, ngx_http_news_unavailable(r));

    case NGX_HTTP_NEWS_REDIS_TIMEDOUT:
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "news: 504 for article \"%V\": %V", &ctx->key, reason);
        return ngx_http_news_failed(ctx, NGX_HTTP_GATEWAY_TIME_OUT);

    case NGX_HTTP_NEWS_REDIS_REPLY:
        break;
    }

    error = ngx_http_news_redis_error(reply);

    if (error != NULL) {

        if (ngx_http_news_redis_is_unavailable(error)) {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "news: 503 for article \"%V\": Redis replied "
                          "\"%*s\"", &ctx->key, error->len, error->str);
            return ngx_http_news_failed(ctx, ngx_http_news_unavailable(r));
        }

        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "news: 502 for article \"%V\": Redis replied \"%*s\"",
                      &ctx->key, error->len, error->str);
        return ngx_http_news_failed(ctx, NGX_HTTP_BAD_GATEWAY);
    }

    nlcf = ngx_http_get_module_loc_conf(r, ngx_http_news_module);

    if (nlcf->beacon) {
        return ngx_http_news_respond_beacon(r, ctx, reply);
    }

    rc = ngx_http_news_article_from_reply(&article, reply,
                                          ctx->skip == NGX_HTTP_NEWS_SKIP_NONE,
                                          &why);

    ngx_http_news_view_outcome(ctx, article.view);

    if (rc == NGX_DECLINED) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "news: 404 for article \"%V\": %V", &ctx->key, &why);
        return NGX_HTTP_NOT_FOUND;
    }

    if (rc != NGX_OK) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "news: 502 for article \"%V\": %V", &ctx->key, &why);
        return ngx_http_news_failed(ctx, NGX_HTTP_BAD_GATEWAY);
    }

    rc = ngx_http_news_send_page(r, ctx, &article);

    if (rc == NGX_HTTP_INTERNAL_SERVER_ERROR) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "news: 500 for article \"%V\": cannot render the page",
                      &ctx->key);
        return ngx_http_news_failed(ctx, rc);
    }

    return rc;
}


/* a beacon's reply is the count script's alone */

static ngx_int_t
ngx_http_news_respond_beacon(ngx_http_request_t *r, ngx_http_news_ctx_t *ctx,
    redisReply *reply)
{
    ngx_http_news_view_e  view;

    if (ngx_http_news_article_view(reply, &view) != NGX_OK) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "news: 502 for article \"%V\": unexpected reply from "
                      "Redis", &ctx->key);
        return ngx_http_news_failed(ctx, NGX_HTTP_BAD_GATEWAY);
    }

    ngx_http_news_view_outcome(ctx, view);

    if (view == NGX_HTTP_NEWS_VIEW_MISSING || view == NGX_HTTP_NEWS_VIEW_DRAFT)
    {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "news: 404 for article \"%V\": %s", &ctx->key,
                      view == NGX_HTTP_NEWS_VIEW_DRAFT
                      ? "article is a draft" : "no such article");
        return NGX_HTTP_NOT_FOUND;
    }

    return ngx_http_news_send_beacon(r);
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
        ctx->skip = NGX_HTTP_NEWS_SKIP_DRAFT;
        break;

    default: /* NGX_HTTP_NEWS_VIEW_REPEAT */
        ctx->skip = NGX_HTTP_NEWS_SKIP_DEDUPE;
        break;
    }
}


static ngx_int_t
ngx_http_news_send_page(ngx_http_request_t *r, ngx_http_news_ctx_t *ctx,
    ngx_http_news_article_t *article)
{
    ngx_int_t                  rc;
    ngx_buf_t                 *b;
    ngx_str_t                  page;
    ngx_chain_t                out;
    ngx_http_news_page_t       p;
    ngx_http_news_loc_conf_t  *nlcf;

    nlcf = ngx_http_get_module_loc_conf(r, ngx_http_news_module);

    /* an image URL that could run script is left out of pages */

    if (!ngx_http_news_safe_url(article->field[NGX_HTTP_NEWS_IMAGE].data,
                                article->field[NGX_HTTP_NEWS_IMAGE].len))
    {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "news: article \"%V\": image URL with an unsafe "
                      "scheme left out", &ctx->key);
        ngx_str_null(&article->field[NGX_HTTP_NEWS_IMAGE]);
    }

    p.article = article;
    p.site_name = nlcf->site_name;
    p.date_format = (char *) nlcf->date_format.data;
    p.body_format = nlcf->body_format;
    p.log = r->connection->log;

    if (nlcf->beacon_url == NULL) {
        ngx_str_null(&p.beacon_url);

    } else if (ngx_http_complex_value(r, nlcf->beacon_url, &p.beacon_url)
               != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_http_news_canonical_url(r, nlcf, &p.url) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (nlcf->format == NGX_HTTP_NEWS_FORMAT_JSON) {
        rc = ngx_http_news_json_article(&p, r->pool, &page);
        ngx_str_set(&r->headers_out.content_type,
                    "application/json; charset=utf-8");
        r->headers_out.content_type_len = sizeof("application/json") - 1;

    } else {
        rc = ngx_http_news_template_render(nlcf->template, &p, r->pool,
                                           &page);
        ngx_str_set(&r->headers_out.content_type,
                    "text/html; charset=utf-8");
        r->headers_out.content_type_len = sizeof("text/html") - 1;
    }

    if (rc != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->views.data = ngx_pnalloc(r->pool, NGX_INT64_LEN);
    if (ctx->views.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->views.len = ngx_sprintf(ctx->views.data, "%L", article->views)
                     - ctx->views.data;

    r->headers_out.status = NGX_HTTP_OK;
    r->headers_out.content_length_n = page.len;

    if (nlcf->cache_control.len
        && ngx_http_news_add_header(r, "Cache-Control", &nlcf->cache_control)
           != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b->pos = page.data;
    b->last = page.data + page.len;
    b->memory = 1;
    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}


/* 204: nothing to show, nothing a cache may keep */

static ngx_int_t
ngx_http_news_send_beacon(ngx_http_request_t *r)
{
    ngx_int_t  rc;
    ngx_str_t  no_store;

    ngx_str_set(&no_store, "no-store");

    if (ngx_http_news_add_header(r, "Cache-Control", &no_store) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    r->headers_out.status = NGX_HTTP_NO_CONTENT;
    r->headers_out.content_length_n = 0;
    r->header_only = 1;

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK) {
        return rc;
    }

    return ngx_http_send_special(r, NGX_HTTP_LAST);
}


/* a 5xx: the view was not counted for a reason of its own */

static ngx_int_t
ngx_http_news_failed(ngx_http_news_ctx_t *ctx, ngx_int_t status)
{
    if (ctx->skip == NGX_HTTP_NEWS_SKIP_NONE && !ctx->counted) {
        ctx->skip = NGX_HTTP_NEWS_SKIP_ERROR;
    }

    return status;
}


/* a monotonic clock in microseconds, for $news_redis_time */

static int64_t
ngx_http_news_usec(void)
{
    struct timespec  ts;

    (void) clock_gettime(CLOCK_MONOTONIC, &ts);

    return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}


static ngx_int_t
ngx_http_news_canonical_url(ngx_http_request_t *r,
    ngx_http_news_loc_conf_t *nlcf, ngx_str_t *url)
{
    u_char     *p;
    size_t      escape;
    ngx_str_t   base;

    if (ngx_http_complex_value(r, nlcf->base_url, &base) != NGX_OK) {
        return NGX_ERROR;
    }

    /* the path without its arguments, escaped again for use in a URL */

    escape = 2 * ngx_escape_uri(NULL, r->uri.data, r->uri.len,
                                NGX_ESCAPE_URI);

    url->data = ngx_pnalloc(r->pool, base.len + r->uri.len + escape);
    if (url->data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(url->data, base.data, base.len);
    p = (u_char *) ngx_escape_uri(p, r->uri.data, r->uri.len,
                                  NGX_ESCAPE_URI);

    url->len = p - url->data;

    return NGX_OK;
}


ngx_int_t
ngx_http_news_add_header(ngx_http_request_t *r, char *name,
    ngx_str_t *value)
{
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    h->key.data = (u_char *) name;
    h->key.len = ngx_strlen(name);
    h->value = *value;
#if (nginx_version >= 1023000)
    h->next = NULL;
#endif

    return NGX_OK;
}


static ngx_int_t
ngx_http_news_unavailable(ngx_http_request_t *r)
{
    ngx_str_t  retry;

    /* the reconnect backoff is capped at a second */

    ngx_str_set(&retry, "1");

    if (ngx_http_news_add_header(r, "Retry-After", &retry) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return NGX_HTTP_SERVICE_UNAVAILABLE;
}


static void
ngx_http_news_deadline_handler(ngx_event_t *ev)
{
    ngx_http_news_ctx_t *ctx = ev->data;

    ngx_connection_t          *c;
    ngx_http_request_t        *r;
    ngx_http_news_loc_conf_t  *nlcf;

    r = ctx->request;
    c = r->connection;
    nlcf = ngx_http_get_module_loc_conf(r, ngx_http_news_module);

    /* the reply may still come; it will find no request to touch */

    ngx_http_news_redis_cancel(ctx->cmd);
    ctx->cmd = NULL;
    ctx->redis_time = ngx_http_news_usec() - ctx->sent;

    ngx_log_error(NGX_LOG_ERR, c->log, 0,
                  "news: 504 for article \"%V\": no reply from Redis "
                  "within %Mms", &ctx->key, nlcf->redis_timeout);

    ngx_http_finalize_request(r, ngx_http_news_failed(ctx,
                                                NGX_HTTP_GATEWAY_TIME_OUT));
    ngx_http_run_posted_requests(c);
}


static void
ngx_http_news_cleanup(void *data)
{
    ngx_http_news_ctx_t *ctx = data;

    if (ctx->cmd != NULL) {
        ngx_http_news_redis_cancel(ctx->cmd);
        ctx->cmd = NULL;
    }

    if (ctx->deadline.timer_set) {
        ngx_del_timer(&ctx->deadline);
    }
}
