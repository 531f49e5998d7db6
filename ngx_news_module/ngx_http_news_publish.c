
/*
 * Copyright (C) ngx_news_module authors
 *
 * The request flow of the publishing API: the slug and the conditions
 * are checked, a PUT's or PATCH's body is read (without blocking) and
 * checked, then one command goes to Redis on this worker's connection
 * (HGETALL for a read, the write script for a write), and its reply
 * becomes the response.  In a Redis Cluster a write is three commands,
 * one after the other (ngx_http_news_publish_next()).  Every response is JSON; nothing is written to
 * Redis for a request that is refused.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_news_module.h"
#include "ngx_http_news_publish.h"
#include "ngx_http_news_publish_store.h"
#include "ngx_http_news_edit.h"


#define NGX_HTTP_NEWS_PUBLISH_METHODS                                         \
    (NGX_HTTP_GET|NGX_HTTP_HEAD|NGX_HTTP_PUT|NGX_HTTP_PATCH|NGX_HTTP_DELETE)

#define NGX_HTTP_NEWS_PUBLISH_PREFIX_MAX  256


typedef struct {
    ngx_http_request_t             *request;
    ngx_str_t                       slug;
    ngx_http_news_publish_query_t   query;
    ngx_http_news_redis_pending_t  *pending;    /* while Redis has it */
    ngx_event_t                     deadline;
    ngx_uint_t                      step;       /* a Cluster's 2 or 3 */
    ngx_http_news_publish_reply_t   out;        /* step 1's, for 2 and 3 */
} ngx_http_news_publish_ctx_t;


static ngx_http_news_publish_ctx_t *ngx_http_news_publish_create_ctx(
    ngx_http_request_t *r);
static ngx_http_news_publish_ctx_t *ngx_http_news_publish_get_ctx(
    ngx_http_request_t *r);
static void ngx_http_news_publish_ctx_cleanup(void *data);
static ngx_int_t ngx_http_news_publish_conditions(ngx_http_request_t *r,
    ngx_http_news_publish_ctx_t *ctx, char **header);
static ngx_int_t ngx_http_news_publish_tags(ngx_http_request_t *r,
    ngx_table_elt_t *h, ngx_uint_t weak, ngx_str_t *out);
static void ngx_http_news_publish_body_handler(ngx_http_request_t *r);
static ngx_int_t ngx_http_news_publish_read_body(ngx_http_request_t *r,
    ngx_str_t *body);
static ngx_int_t ngx_http_news_publish_ask(ngx_http_request_t *r,
    ngx_http_news_publish_ctx_t *ctx);
static ngx_int_t ngx_http_news_publish_unasked(ngx_http_request_t *r,
    ngx_http_news_publish_ctx_t *ctx, ngx_int_t rc);
static void ngx_http_news_publish_reply_handler(void *data,
    ngx_http_news_redis_result_e result, ngx_http_news_redis_reply_t *reply,
    ngx_str_t *reason);
static ngx_int_t ngx_http_news_publish_respond(ngx_http_request_t *r,
    ngx_http_news_publish_ctx_t *ctx, ngx_http_news_redis_reply_t *reply);
static ngx_int_t ngx_http_news_publish_written(ngx_http_request_t *r,
    ngx_http_news_publish_ctx_t *ctx);
static ngx_int_t ngx_http_news_publish_next(ngx_http_request_t *r,
    ngx_http_news_publish_ctx_t *ctx, ngx_uint_t step);
static ngx_int_t ngx_http_news_publish_stepped(ngx_http_request_t *r,
    ngx_http_news_publish_ctx_t *ctx, ngx_http_news_redis_result_e result,
    ngx_http_news_redis_reply_t *reply, ngx_str_t *reason);
static ngx_int_t ngx_http_news_publish_unlisted(ngx_http_request_t *r,
    ngx_http_news_publish_ctx_t *ctx, ngx_str_t *reason);
static ngx_int_t ngx_http_news_publish_send_article(ngx_http_request_t *r,
    ngx_http_news_publish_ctx_t *ctx, ngx_uint_t status,
    ngx_http_news_article_t *a);
static ngx_int_t ngx_http_news_publish_refuse(ngx_http_request_t *r,
    ngx_uint_t status, char *error, char *field);
static ngx_int_t ngx_http_news_publish_send_error(ngx_http_request_t *r,
    ngx_uint_t status, ngx_http_news_edit_error_t *err);
static ngx_int_t ngx_http_news_publish_fail(ngx_http_request_t *r,
    ngx_http_news_publish_ctx_t *ctx, ngx_uint_t status, ngx_str_t *reason);
static ngx_int_t ngx_http_news_publish_send_json(ngx_http_request_t *r,
    ngx_uint_t status, ngx_str_t *json);
static ngx_int_t ngx_http_news_publish_etag(ngx_http_request_t *r,
    ngx_str_t *rev);
static void ngx_http_news_publish_deadline_handler(ngx_event_t *ev);
static void ngx_http_news_publish_cleanup(void *data);
static char *ngx_http_news_publish_prefix(ngx_conf_t *cf, void *post,
    void *data);


ngx_conf_post_t  ngx_http_news_publish_prefix_post = {
    ngx_http_news_publish_prefix
};


/* the answer by what Redis could not do, as for pages */

static ngx_uint_t  ngx_http_news_publish_failures[] = {
    NGX_HTTP_INTERNAL_SERVER_ERROR,     /* NGX_HTTP_NEWS_REDIS_REPLY */
    NGX_HTTP_BAD_GATEWAY,               /* NGX_HTTP_NEWS_REDIS_ERROR */
    NGX_HTTP_SERVICE_UNAVAILABLE,       /* NGX_HTTP_NEWS_REDIS_UNAVAILABLE */
    NGX_HTTP_GATEWAY_TIME_OUT,          /* NGX_HTTP_NEWS_REDIS_TIMEDOUT */
    NGX_HTTP_SERVICE_UNAVAILABLE,       /* NGX_HTTP_NEWS_REDIS_REFUSED */
    NGX_HTTP_GATEWAY_TIME_OUT           /* NGX_HTTP_NEWS_REDIS_LOST: as a
                                           timeout, a write may be made */
};


char *
ngx_http_news_publish(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_news_loc_conf_t *nlcf = conf;

    ngx_str_t                         *value;
    ngx_http_core_loc_conf_t          *clcf;
    ngx_http_news_main_conf_t         *nmcf;
    ngx_http_compile_complex_value_t   ccv;

    if (nlcf->publish != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

    nlcf->publish = ngx_palloc(cf->pool, sizeof(ngx_http_complex_value_t));
    if (nlcf->publish == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_memzero(&ccv, sizeof(ngx_http_compile_complex_value_t));

    ccv.cf = cf;
    ccv.value = &value[1];
    ccv.complex_value = nlcf->publish;

    if (ngx_http_compile_complex_value(&ccv) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_news_publish_handler;

    /* every connection loads the write script when it is set up */

    nmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_news_module);
    if (ngx_http_news_redis_script_use(&nmcf->scripts,
                                       ngx_http_news_publish_store_script())
        != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/*
 * No spaces or control characters (it goes into log lines and tools'
 * arguments), and no "article:": the view script finds the prefix of an
 * article's most read sets before the first "article:" of its key.
 */

static char *
ngx_http_news_publish_prefix(ngx_conf_t *cf, void *post, void *data)
{
    ngx_str_t  *prefix = data;

    size_t  i;

    if (prefix->len > NGX_HTTP_NEWS_PUBLISH_PREFIX_MAX) {
        return "is longer than 256 bytes";
    }

    for (i = 0; i < prefix->len; i++) {
        if (prefix->data[i] <= ' ' || prefix->data[i] == 0x7f) {
            return "must not contain spaces or control characters";
        }
    }

    if (ngx_strnstr(prefix->data, "article:", prefix->len) != NULL) {
        return "must not contain \"article:\"";
    }

    return NGX_CONF_OK;
}


ngx_int_t
ngx_http_news_publish_handler(ngx_http_request_t *r)
{
    char                         *header;
    ngx_int_t                     rc;
    ngx_str_t                     allow;
    ngx_http_cleanup_t           *cln;
    ngx_http_news_loc_conf_t     *nlcf;
    ngx_http_news_publish_ctx_t  *ctx;

    if (!(r->method & NGX_HTTP_NEWS_PUBLISH_METHODS)) {
        ngx_str_set(&allow, "GET, HEAD, PUT, PATCH, DELETE");

        rc = ngx_http_discard_request_body(r);

        if (rc != NGX_OK) {
            return rc;
        }

        if (ngx_http_news_add_header(r, "Allow", &allow) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return ngx_http_news_publish_refuse(r, NGX_HTTP_NOT_ALLOWED,
                                            "method not allowed", NULL);
    }

    ctx = ngx_http_news_publish_create_ctx(r);
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    nlcf = ngx_http_get_module_loc_conf(r, ngx_http_news_module);

    switch (r->method) {

    case NGX_HTTP_PUT:
        ctx->query.op = NGX_HTTP_NEWS_PUBLISH_PUT;
        break;

    case NGX_HTTP_PATCH:
        ctx->query.op = NGX_HTTP_NEWS_PUBLISH_PATCH;
        break;

    case NGX_HTTP_DELETE:
        ctx->query.op = NGX_HTTP_NEWS_PUBLISH_DELETE;
        break;

    default: /* GET, HEAD */
        ctx->query.op = NGX_HTTP_NEWS_PUBLISH_GET;
        break;
    }

    if (ngx_http_complex_value(r, nlcf->publish, &ctx->slug) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_http_news_edit_slug(&ctx->slug) != NGX_OK) {
        rc = ngx_http_discard_request_body(r);

        if (rc != NGX_OK) {
            return rc;
        }

        return ngx_http_news_publish_refuse(r, NGX_HTTP_BAD_REQUEST,
                                            "the slug is [a-z0-9-], 1 to "
                                            "200 bytes", "slug");
    }

    rc = ngx_http_news_publish_conditions(r, ctx, &header);

    if (rc == NGX_DECLINED) {
        rc = ngx_http_discard_request_body(r);

        if (rc != NGX_OK) {
            return rc;
        }

        return ngx_http_news_publish_refuse(r, NGX_HTTP_BAD_REQUEST,
                                            "a condition is * or a list of "
                                            "quoted revisions", header);
    }

    if (rc != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_http_news_publish_store_query(&ctx->query, &nlcf->key_prefix,
                                          &ctx->slug,
                                          nlcf->redis->cluster != NULL,
                                          r->pool)
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    cln = ngx_http_cleanup_add(r, 0);
    if (cln == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    cln->handler = ngx_http_news_publish_cleanup;
    cln->data = ctx;

    if (r->method & (NGX_HTTP_PUT|NGX_HTTP_PATCH)) {

        /* client_max_body_size answers 413 here, as nginx does */

        rc = ngx_http_read_client_request_body(r,
                                          ngx_http_news_publish_body_handler);

        if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
            return rc;
        }

        return NGX_DONE;
    }

    rc = ngx_http_discard_request_body(r);

    if (rc != NGX_OK) {
        return rc;
    }

    rc = ngx_http_news_publish_ask(r, ctx);

    if (rc != NGX_OK) {
        return ngx_http_news_publish_unasked(r, ctx, rc);
    }

    r->main->count++;

    return NGX_DONE;
}


/*
 * Kept in a pool cleanup: the body handler gets only the request, and
 * this module's context slot holds the pages' context, which the log
 * phase and the $news_* variables read.
 */

static ngx_http_news_publish_ctx_t *
ngx_http_news_publish_create_ctx(ngx_http_request_t *r)
{
    ngx_pool_cleanup_t           *cln;
    ngx_http_news_publish_ctx_t  *ctx;

    cln = ngx_pool_cleanup_add(r->pool, sizeof(ngx_http_news_publish_ctx_t));
    if (cln == NULL) {
        return NULL;
    }

    ctx = cln->data;
    ngx_memzero(ctx, sizeof(ngx_http_news_publish_ctx_t));

    cln->handler = ngx_http_news_publish_ctx_cleanup;

    ctx->request = r;

    return ctx;
}


static ngx_http_news_publish_ctx_t *
ngx_http_news_publish_get_ctx(ngx_http_request_t *r)
{
    ngx_pool_cleanup_t           *cln;
    ngx_http_news_publish_ctx_t  *ctx;

    for (cln = r->pool->cleanup; cln; cln = cln->next) {
        if (cln->handler == ngx_http_news_publish_ctx_cleanup) {
            ctx = cln->data;

            if (ctx->request == r) {
                return ctx;
            }
        }
    }

    return NULL;
}


static void
ngx_http_news_publish_ctx_cleanup(void *data)
{
    /* only marks the cleanup that holds the context */
}


/*
 * If-Match and If-None-Match as the write script takes them.  A GET's
 * are nginx's own: its not_modified filter compares them with the ETag.
 */

static ngx_int_t
ngx_http_news_publish_conditions(ngx_http_request_t *r,
    ngx_http_news_publish_ctx_t *ctx, char **header)
{
    ngx_int_t  rc;

    ngx_str_null(&ctx->query.if_match);
    ngx_str_null(&ctx->query.if_none_match);

    if (ctx->query.op == NGX_HTTP_NEWS_PUBLISH_GET) {
        return NGX_OK;
    }

    /* a revision matches If-Match only strongly, If-None-Match weakly */

    if (r->headers_in.if_match != NULL) {
        *header = "If-Match";

        rc = ngx_http_news_publish_tags(r, r->headers_in.if_match, 0,
                                        &ctx->query.if_match);
        if (rc != NGX_OK) {
            return rc;
        }
    }

    if (r->headers_in.if_none_match != NULL) {
        *header = "If-None-Match";

        rc = ngx_http_news_publish_tags(r, r->headers_in.if_none_match, 1,
                                        &ctx->query.if_none_match);
        if (rc != NGX_OK) {
            return rc;
        }
    }

    return NGX_OK;
}


/*
 * "*", or a list of entity tags ("7", W/"7") as the revisions they name,
 * each after a "\n"; a weak tag names none when weak is 0.  A header
 * that names none gives "\n": a condition that no revision meets.
 */

static ngx_int_t
ngx_http_news_publish_tags(ngx_http_request_t *r, ngx_table_elt_t *h,
    ngx_uint_t weak, ngx_str_t *out)
{
    u_char      *p, *last, *start, *dst;
    ngx_uint_t   skip;

    p = h->value.data;
    last = p + h->value.len;

    while (p < last && (*p == ' ' || *p == '\t')) {
        p++;
    }

    while (last > p && (last[-1] == ' ' || last[-1] == '\t')) {
        last--;
    }

    if (last - p == 1 && *p == '*') {
        ngx_str_set(out, "\n*");
        return NGX_OK;
    }

    dst = ngx_pnalloc(r->pool, last - p + 1);
    if (dst == NULL) {
        return NGX_ERROR;
    }

    out->data = dst;
    *dst++ = '\n';

    while (p < last) {

        if (*p == ',' || *p == ' ' || *p == '\t') {
            p++;
            continue;
        }

        skip = 0;

        if (last - p > 2 && p[0] == 'W' && p[1] == '/') {
            skip = !weak;
            p += 2;
        }

        if (*p++ != '"') {
            return NGX_DECLINED;
        }

        start = p;

        /* etagc: %x21 / %x23-7E / obs-text */

        while (p < last && *p != '"') {
            if (*p < 0x21 || *p == 0x7f) {
                return NGX_DECLINED;
            }

            p++;
        }

        if (p == last) {
            return NGX_DECLINED;
        }

        if (!skip) {
            if (dst > out->data + 1) {
                *dst++ = '\n';
            }

            dst = ngx_cpymem(dst, start, p - start);
        }

        p++;

        if (p < last && *p != ',' && *p != ' ' && *p != '\t') {
            return NGX_DECLINED;
        }
    }

    out->len = dst - out->data;

    return NGX_OK;
}


static void
ngx_http_news_publish_body_handler(ngx_http_request_t *r)
{
    ngx_int_t                     rc;
    ngx_str_t                     body;
    ngx_http_news_edit_error_t    err;
    ngx_http_news_publish_ctx_t  *ctx;

    ctx = ngx_http_news_publish_get_ctx(r);

    if (ctx == NULL || ngx_http_news_publish_read_body(r, &body) != NGX_OK) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    rc = ngx_http_news_edit_parse(&body,
                                  ctx->query.op == NGX_HTTP_NEWS_PUBLISH_PUT,
                                  &ctx->slug, r->pool, &ctx->query.fields,
                                  &err);

    if (rc == NGX_DECLINED) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "news: 400 for article \"%V\": %V%s%V",
                      &ctx->query.key, &err.error,
                      err.field.len ? ": " : "", &err.field);

        ngx_http_finalize_request(r,
                    ngx_http_news_publish_send_error(r, NGX_HTTP_BAD_REQUEST,
                                                     &err));
        return;
    }

    if (rc != NGX_OK) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    /* the store copies the fields: the body need not stay */

    rc = ngx_http_news_publish_ask(r, ctx);

    if (rc != NGX_OK) {
        ngx_http_finalize_request(r,
                                  ngx_http_news_publish_unasked(r, ctx, rc));
    }
}


/*
 * The body in one piece.  One larger than client_body_buffer_size waits
 * in a temporary file and is read back from it here (as any module that
 * reads a body does: a disk read, not a network wait).
 */

static ngx_int_t
ngx_http_news_publish_read_body(ngx_http_request_t *r, ngx_str_t *body)
{
    u_char       *p;
    size_t        len, size;
    ssize_t       n;
    ngx_buf_t    *b;
    ngx_chain_t  *cl;

    ngx_str_null(body);

    if (r->request_body == NULL || r->request_body->bufs == NULL) {
        return NGX_OK;
    }

    len = 0;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        b = cl->buf;
        len += b->in_file ? (size_t) (b->file_last - b->file_pos)
                          : (size_t) (b->last - b->pos);
    }

    if (len == 0) {
        return NGX_OK;
    }

    p = ngx_pnalloc(r->pool, len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    body->data = p;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        b = cl->buf;

        if (b->in_file) {
            size = (size_t) (b->file_last - b->file_pos);

            n = ngx_read_file(b->file, p, size, b->file_pos);

            if (n != (ssize_t) size) {
                ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                              "news: cannot read the request body back "
                              "from \"%V\"", &b->file->name);
                return NGX_ERROR;
            }

            p += size;

        } else {
            p = ngx_cpymem(p, b->pos, b->last - b->pos);
        }
    }

    body->len = p - body->data;

    return NGX_OK;
}


/*
 * The command goes out on this worker's connection and the request
 * waits, within news_redis_timeout: NGX_OK.  NGX_DECLINED while the
 * connection is in its reconnect backoff, NGX_ERROR when the command
 * could not be queued: nothing was sent.
 */

static ngx_int_t
ngx_http_news_publish_ask(ngx_http_request_t *r,
    ngx_http_news_publish_ctx_t *ctx)
{
    ngx_int_t                  rc;
    ngx_http_news_loc_conf_t  *nlcf;

    nlcf = ngx_http_get_module_loc_conf(r, ngx_http_news_module);

    ngx_http_news_publish_store_command(&ctx->query);

    rc = ngx_http_news_redis_send(nlcf->redis, &ctx->query.command, 1,
                                  ngx_http_news_publish_reply_handler, ctx,
                                  &ctx->pending);

    if (rc != NGX_OK) {
        return (rc == NGX_DECLINED) ? NGX_DECLINED : NGX_ERROR;
    }

    ctx->deadline.handler = ngx_http_news_publish_deadline_handler;
    ctx->deadline.data = ctx;
    ctx->deadline.log = r->connection->log;

    ngx_add_timer(&ctx->deadline, nlcf->redis_timeout);

    /* notice a client that leaves while Redis has its command */

    r->read_event_handler = ngx_http_test_reading;

    return NGX_OK;
}


/* the answer to a request whose command was not sent */

static ngx_int_t
ngx_http_news_publish_unasked(ngx_http_request_t *r,
    ngx_http_news_publish_ctx_t *ctx, ngx_int_t rc)
{
    ngx_str_t  reason;

    if (rc == NGX_DECLINED) {
        ngx_str_set(&reason, "Redis is unavailable, reconnecting");
        return ngx_http_news_publish_fail(r, ctx,
                                          NGX_HTTP_SERVICE_UNAVAILABLE,
                                          &reason);
    }

    ngx_str_set(&reason, "cannot queue the command");

    return ngx_http_news_publish_fail(r, ctx, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                      &reason);
}


static void
ngx_http_news_publish_reply_handler(void *data,
    ngx_http_news_redis_result_e result, ngx_http_news_redis_reply_t *reply,
    ngx_str_t *reason)
{
    ngx_http_news_publish_ctx_t *ctx = data;

    ngx_int_t            rc;
    ngx_connection_t    *c;
    ngx_http_request_t  *r;

    r = ctx->request;
    c = r->connection;

    ctx->pending = NULL;

    if (ctx->deadline.timer_set) {
        ngx_del_timer(&ctx->deadline);
    }

    if (ctx->step) {
        rc = ngx_http_news_publish_stepped(r, ctx, result, reply, reason);

    } else if (result == NGX_HTTP_NEWS_REDIS_REPLY) {
        rc = ngx_http_news_publish_respond(r, ctx, reply);

    } else {
        rc = ngx_http_news_publish_fail(r, ctx,
                                        ngx_http_news_publish_failures[result],
                                        reason);
    }

    if (rc == NGX_DONE) {
        /* the next step of a write in a Cluster is on its way */
        return;
    }

    ngx_http_finalize_request(r, rc);
    ngx_http_run_posted_requests(c);
}


static ngx_int_t
ngx_http_news_publish_respond(ngx_http_request_t *r,
    ngx_http_news_publish_ctx_t *ctx, ngx_http_news_redis_reply_t *reply)
{
    u_char                         *p;
    ngx_str_t                       reason;
    ngx_http_news_edit_error_t      err;
    ngx_http_news_publish_reply_t  *out;

    out = &ctx->out;

    if (ngx_http_news_publish_store_reply(&ctx->query, reply, r->pool, out,
                                          &reason)
        != NGX_OK)
    {
        return ngx_http_news_publish_fail(r, ctx, NGX_HTTP_BAD_GATEWAY,
                                          &reason);
    }

    switch (out->result) {

    case NGX_HTTP_NEWS_PUBLISH_FOUND:
        return ngx_http_news_publish_send_article(r, ctx, NGX_HTTP_OK,
                                                  out->article);

    case NGX_HTTP_NEWS_PUBLISH_CREATED:
    case NGX_HTTP_NEWS_PUBLISH_UPDATED:
    case NGX_HTTP_NEWS_PUBLISH_DELETED:

        if (ctx->query.cluster) {
            return ngx_http_news_publish_next(r, ctx, 2);
        }

        return ngx_http_news_publish_written(r, ctx);

    case NGX_HTTP_NEWS_PUBLISH_MISSING:

        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "news: 404 for article \"%V\": no such article",
                      &ctx->query.key);

        return ngx_http_news_publish_refuse(r, NGX_HTTP_NOT_FOUND,
                                            "no such article", NULL);

    case NGX_HTTP_NEWS_PUBLISH_EXISTS:

        ngx_str_set(&err.error, "the article exists");
        ngx_str_set(&err.field, "If-None-Match");
        break;

    default: /* NGX_HTTP_NEWS_PUBLISH_CHANGED */

        ngx_str_set(&err.field, "If-Match");

        if (out->rev.len == 0) {
            ngx_str_set(&err.error, "no such article, or it has no "
                                    "revision");
            break;
        }

        p = ngx_pnalloc(r->pool, sizeof("the article was changed: its "
                                        "revision is now ") - 1
                                 + out->rev.len);
        if (p == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        err.error.data = p;
        err.error.len = ngx_sprintf(p, "the article was changed: its "
                                    "revision is now %V", &out->rev)
                        - p;
        break;
    }

    /* the revision stored now, to read the article again */

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "news: 412 for article \"%V\": %V", &ctx->query.key,
                  &err.error);

    if (ngx_http_news_publish_etag(r, &out->rev) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_news_publish_send_error(r, NGX_HTTP_PRECONDITION_FAILED,
                                            &err);
}


/* the answer to a write that was made, lists and all */

static ngx_int_t
ngx_http_news_publish_written(ngx_http_request_t *r,
    ngx_http_news_publish_ctx_t *ctx)
{
    ngx_http_news_publish_reply_t  *out;

    out = &ctx->out;

    if (out->result == NGX_HTTP_NEWS_PUBLISH_DELETED) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "news: article \"%V\" deleted", &ctx->query.key);

        r->disable_not_modified = 1;

        return ngx_http_news_send(r, NGX_HTTP_NO_CONTENT, NULL, NULL, 0);
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "news: article \"%V\" %s, rev %V", &ctx->query.key,
                  out->result == NGX_HTTP_NEWS_PUBLISH_CREATED
                  ? "created" : "written", &out->rev);

    return ngx_http_news_publish_send_article(r, ctx,
                                  out->result == NGX_HTTP_NEWS_PUBLISH_CREATED
                                  ? NGX_HTTP_CREATED : NGX_HTTP_OK,
                                  out->article);
}


/*
 * A write in a Cluster, once step 1 has written the article in its
 * slot: step 2 puts it in and out of lists in theirs, then, when it
 * left some, step 3 takes those out of the article's set of lists.
 * NGX_DONE while one is on its way, each within news_redis_timeout;
 * else the answer.
 */

static ngx_int_t
ngx_http_news_publish_next(ngx_http_request_t *r,
    ngx_http_news_publish_ctx_t *ctx, ngx_uint_t step)
{
    ngx_int_t                       rc;
    ngx_str_t                       reason;
    ngx_http_news_loc_conf_t       *nlcf;
    ngx_http_news_redis_command_t  *command;

    nlcf = ngx_http_get_module_loc_conf(r, ngx_http_news_module);

    if (step == 2) {
        rc = ngx_http_news_publish_store_lists(&ctx->query, &ctx->out,
                                               r->pool);
        command = &ctx->query.lists;

    } else {
        rc = ngx_http_news_publish_store_prune(&ctx->query, &ctx->out,
                                               r->pool);
        command = &ctx->query.prune;

        if (rc == NGX_DECLINED) {
            return ngx_http_news_publish_written(r, ctx);
        }
    }

    if (rc != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->step = step;

    rc = ngx_http_news_redis_send(nlcf->redis, command, 1,
                                  ngx_http_news_publish_reply_handler, ctx,
                                  &ctx->pending);

    if (rc != NGX_OK) {
        if (rc == NGX_DECLINED) {
            ngx_str_set(&reason, "Redis is unavailable, reconnecting");

        } else {
            ngx_str_set(&reason, "cannot queue the command");
        }

        return ngx_http_news_publish_stepped(r, ctx,
                                             NGX_HTTP_NEWS_REDIS_UNAVAILABLE,
                                             NULL, &reason);
    }

    ngx_add_timer(&ctx->deadline, nlcf->redis_timeout);

    return NGX_DONE;
}


/* the reply to step 2 or 3, or what came instead */

static ngx_int_t
ngx_http_news_publish_stepped(ngx_http_request_t *r,
    ngx_http_news_publish_ctx_t *ctx, ngx_http_news_redis_result_e result,
    ngx_http_news_redis_reply_t *reply, ngx_str_t *reason)
{
    ngx_str_t  unexpected;

    if (result == NGX_HTTP_NEWS_REDIS_REPLY
        && ngx_http_news_publish_store_stepped(reply) != NGX_OK)
    {
        ngx_str_set(&unexpected, "unexpected reply from Redis");
        reason = &unexpected;
        result = NGX_HTTP_NEWS_REDIS_ERROR;
    }

    if (ctx->step == 2) {
        if (result != NGX_HTTP_NEWS_REDIS_REPLY) {
            return ngx_http_news_publish_unlisted(r, ctx, reason);
        }

        return ngx_http_news_publish_next(r, ctx, 3);
    }

    /* the lists are right: the set keeps a few more, as after a failure */

    if (result != NGX_HTTP_NEWS_REDIS_REPLY) {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "news: article \"%V\" written, its lists too, but "
                      "its set of lists still names those it left: %V",
                      &ctx->query.key, reason);
    }

    return ngx_http_news_publish_written(r, ctx);
}


/*
 * Step 2 failed: the article is written (or deleted) but its lists are
 * as they were.  503, with the new revision as the ETag; the same write
 * again repairs them, since step 1 keeps every list the article may be
 * in until step 3 says otherwise.
 */

static ngx_int_t
ngx_http_news_publish_unlisted(ngx_http_request_t *r,
    ngx_http_news_publish_ctx_t *ctx, ngx_str_t *reason)
{
    u_char                      *p;
    ngx_http_news_edit_error_t   err;

    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                  "news: 503 for article \"%V\": rev %V written but its "
                  "lists were not updated: %V", &ctx->query.key,
                  &ctx->out.rev, reason);

    ngx_str_null(&err.field);

    if (ctx->out.result == NGX_HTTP_NEWS_PUBLISH_DELETED) {
        ngx_str_set(&err.error, "the article was deleted but not taken out "
                                "of its lists; delete it again to repair "
                                "them");

        return ngx_http_news_publish_send_error(r,
                                                NGX_HTTP_SERVICE_UNAVAILABLE,
                                                &err);
    }

    p = ngx_pnalloc(r->pool, sizeof("the article was written (revision ) "
                                    "but its lists were not updated; write "
                                    "it again to repair them") - 1
                             + ctx->out.rev.len);
    if (p == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    err.error.data = p;
    err.error.len = ngx_sprintf(p, "the article was written (revision %V) "
                                "but its lists were not updated; write it "
                                "again to repair them", &ctx->out.rev)
                    - p;

    if (ngx_http_news_publish_etag(r, &ctx->out.rev) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_news_publish_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                            &err);
}


/*
 * The article with its revision as the ETag.  nginx's not_modified
 * filter compares a request's If-Match and If-None-Match with that ETag
 * on any 200: right for a GET (304, or 412), wrong after a write, whose
 * conditions the script has met against the revision before it (a PUT
 * with If-Match: "7" answers with ETag "8"): after a write it is off.
 */

static ngx_int_t
ngx_http_news_publish_send_article(ngx_http_request_t *r,
    ngx_http_news_publish_ctx_t *ctx, ngx_uint_t status,
    ngx_http_news_article_t *a)
{
    ngx_str_t  json;

    if (ctx->query.op != NGX_HTTP_NEWS_PUBLISH_GET) {
        r->disable_not_modified = 1;
    }

    if (ngx_http_news_edit_article(a, &ctx->slug, r->pool, &json) != NGX_OK
        || ngx_http_news_publish_etag(r, &a->field[NGX_HTTP_NEWS_REV])
           != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_news_publish_send_json(r, status, &json);
}


static ngx_int_t
ngx_http_news_publish_refuse(ngx_http_request_t *r, ngx_uint_t status,
    char *error, char *field)
{
    ngx_http_news_edit_error_t  err;

    err.error.data = (u_char *) error;
    err.error.len = ngx_strlen(error);

    if (field != NULL) {
        err.field.data = (u_char *) field;
        err.field.len = ngx_strlen(field);

    } else {
        ngx_str_null(&err.field);
    }

    return ngx_http_news_publish_send_error(r, status, &err);
}


static ngx_int_t
ngx_http_news_publish_send_error(ngx_http_request_t *r, ngx_uint_t status,
    ngx_http_news_edit_error_t *err)
{
    ngx_str_t  json;

    r->disable_not_modified = 1;

    if (ngx_http_news_edit_error(err, r->pool, &json) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_news_publish_send_json(r, status, &json);
}


/*
 * Redis failed the request: logged once, at error, with the key and the
 * reason; the editor gets the status and a JSON error without Redis'
 * words.
 */

static ngx_int_t
ngx_http_news_publish_fail(ngx_http_request_t *r,
    ngx_http_news_publish_ctx_t *ctx, ngx_uint_t status, ngx_str_t *reason)
{
    char       *error;
    ngx_str_t   retry;

    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                  "news: %ui for article \"%V\": %V", status,
                  &ctx->query.key, reason);

    switch (status) {

    case NGX_HTTP_SERVICE_UNAVAILABLE:

        /* the reconnect backoff is capped at a second */

        ngx_str_set(&retry, "1");

        if (ngx_http_news_add_header(r, "Retry-After", &retry) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        error = "Redis is unavailable; nothing was written, try again";
        break;

    case NGX_HTTP_GATEWAY_TIME_OUT:
        error = "Redis did not answer in time; a write may have been made";
        break;

    case NGX_HTTP_BAD_GATEWAY:
        error = "Redis answered with an error; see the error log";
        break;

    default:
        error = "internal error; see the error log";
        break;
    }

    return ngx_http_news_publish_refuse(r, status, error, NULL);
}


static ngx_int_t
ngx_http_news_publish_send_json(ngx_http_request_t *r, ngx_uint_t status,
    ngx_str_t *json)
{
    ngx_buf_t    *b;
    ngx_str_t     no_store;
    ngx_chain_t   out;

    ngx_str_set(&no_store, "no-store");

    if (ngx_http_news_add_header(r, "Cache-Control", &no_store) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b->pos = json->data;
    b->last = json->data + json->len;
    b->memory = 1;

    out.buf = b;
    out.next = NULL;

    return ngx_http_news_send(r, status, "application/json; charset=utf-8",
                              &out, json->len);
}


/* ETag: "<rev>", when rev can be one (a revision written by hand may not) */

static ngx_int_t
ngx_http_news_publish_etag(ngx_http_request_t *r, ngx_str_t *rev)
{
    u_char           *p;
    size_t            i;
    ngx_table_elt_t  *h;

    if (rev->len == 0) {
        return NGX_OK;
    }

    for (i = 0; i < rev->len; i++) {
        if (rev->data[i] < 0x21 || rev->data[i] == '"'
            || rev->data[i] == 0x7f)
        {
            return NGX_OK;
        }
    }

    p = ngx_pnalloc(r->pool, rev->len + 2);
    if (p == NULL) {
        return NGX_ERROR;
    }

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "ETag");
    h->value.data = p;
    *p++ = '"';
    p = ngx_cpymem(p, rev->data, rev->len);
    *p++ = '"';
    h->value.len = p - h->value.data;
#if (nginx_version >= 1023000)
    h->next = NULL;
#endif

    r->headers_out.etag = h;

    return NGX_OK;
}


static void
ngx_http_news_publish_deadline_handler(ngx_event_t *ev)
{
    ngx_http_news_publish_ctx_t *ctx = ev->data;

    ngx_int_t            rc;
    ngx_str_t            reason;
    ngx_connection_t    *c;
    ngx_http_request_t  *r;

    r = ctx->request;
    c = r->connection;

    /* the reply may still come; it will find no request to touch */

    ngx_http_news_redis_cancel(ctx->pending);
    ctx->pending = NULL;

    ngx_str_set(&reason, "no reply from Redis in time");

    if (ctx->step) {
        rc = ngx_http_news_publish_stepped(r, ctx,
                                           NGX_HTTP_NEWS_REDIS_TIMEDOUT,
                                           NULL, &reason);
        if (rc == NGX_DONE) {
            return;
        }

    } else {
        rc = ngx_http_news_publish_fail(r, ctx, NGX_HTTP_GATEWAY_TIME_OUT,
                                        &reason);
    }

    ngx_http_finalize_request(r, rc);
    ngx_http_run_posted_requests(c);
}


static void
ngx_http_news_publish_cleanup(void *data)
{
    ngx_http_news_publish_ctx_t *ctx = data;

    if (ctx->pending != NULL) {
        ngx_http_news_redis_cancel(ctx->pending);
        ctx->pending = NULL;
    }

    if (ctx->deadline.timer_set) {
        ngx_del_timer(&ctx->deadline);
    }
}
