
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 *
 * The request flow of a list page (news_list): the list and the page
 * asked for, one script call on this worker's Redis connection, and
 * when its reply comes, the list model, a 304 when the client has this
 * page already, or the page rendered in its format.  Lists never count
 * a view.  In a Redis Cluster the script gives the page's keys alone
 * and each article's fields are read on its own node.  Like the
 * article's flow, it knows no reply: the list store makes the model.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <ngx_md5.h>

#include "ngx_http_news_module.h"
#include "ngx_http_news_list_store.h"
#include "ngx_http_news_list_render.h"
#include "ngx_http_news_list_cache.h"
#include "ngx_http_news_url.h"
#include "ngx_http_news_escape.h"


/* far beyond any list: keeps offset arithmetic clear of overflow */
#define NGX_HTTP_NEWS_LIST_PAGE_MAX  1000000


typedef struct ngx_http_news_list_ctx_s  ngx_http_news_list_ctx_t;


/* in a Redis Cluster, the reading of one article's fields on its node */
typedef struct {
    ngx_http_news_list_ctx_t       *ctx;
    ngx_http_news_list_item_t      *item;
    ngx_http_news_redis_pending_t  *pending;
    ngx_http_news_redis_command_t   command;
} ngx_http_news_list_fetch_t;


struct ngx_http_news_list_ctx_s {
    ngx_http_request_t             *request;
    ngx_http_news_list_query_t      query;
    ngx_http_news_list_t            list;
    ngx_str_t                       asked;      /* the name as asked */
    ngx_uint_t                      index;      /* the sitemap index */
    ngx_str_t                       base;       /* news_base_url, or ... */
    ngx_str_t                       key;        /* the kept page's */
    ngx_http_news_redis_pending_t  *pending;
    ngx_event_t                     deadline;
    ngx_http_news_list_fetch_t     *fetches;    /* Cluster: items, box */
    ngx_uint_t                      nfetches;
    ngx_uint_t                      waiting;    /* fetches not answered */
};


static ngx_int_t ngx_http_news_list_page_number(ngx_http_request_t *r,
    ngx_http_news_loc_conf_t *nlcf, ngx_uint_t *page, ngx_uint_t *given);
static void ngx_http_news_list_reply_handler(void *data,
    ngx_http_news_redis_result_e result, ngx_http_news_redis_reply_t *reply,
    ngx_str_t *reason);
static ngx_int_t ngx_http_news_list_respond(ngx_http_news_list_ctx_t *ctx,
    ngx_http_news_redis_reply_t *reply);
static ngx_int_t ngx_http_news_list_fetch(ngx_http_news_list_ctx_t *ctx);
static void ngx_http_news_list_fetch_handler(void *data,
    ngx_http_news_redis_result_e result, ngx_http_news_redis_reply_t *reply,
    ngx_str_t *reason);
static ngx_uint_t ngx_http_news_list_keep(ngx_http_news_list_item_t *items,
    ngx_uint_t n);
static void ngx_http_news_list_cancel(ngx_http_news_list_ctx_t *ctx);
static ngx_int_t ngx_http_news_list_failed(ngx_http_news_list_ctx_t *ctx,
    ngx_http_news_redis_result_e result, ngx_str_t *reason);
static ngx_int_t ngx_http_news_list_show(ngx_http_news_list_ctx_t *ctx);
static ngx_int_t ngx_http_news_list_model(ngx_http_news_list_ctx_t *ctx,
    ngx_str_t *base);
static ngx_int_t ngx_http_news_list_page_url(ngx_http_request_t *r,
    ngx_str_t *base, ngx_uint_t page, ngx_str_t *url);
static ngx_int_t ngx_http_news_list_etag(ngx_http_news_list_ctx_t *ctx,
    ngx_str_t *etag);
static ngx_uint_t ngx_http_news_list_not_modified(ngx_http_request_t *r,
    ngx_str_t *etag, time_t last_modified);
static ngx_int_t ngx_http_news_list_cache_key(ngx_http_news_list_ctx_t *ctx,
    ngx_http_news_loc_conf_t *nlcf);
static ngx_int_t ngx_http_news_list_preconditions(ngx_http_request_t *r,
    ngx_http_news_loc_conf_t *nlcf, ngx_str_t *etag, time_t last_modified);
static ngx_int_t ngx_http_news_list_send_body(ngx_http_request_t *r,
    ngx_http_news_list_kept_t *page, ngx_uint_t copy);
static ngx_int_t ngx_http_news_list_fail(ngx_http_news_list_ctx_t *ctx,
    ngx_int_t status, const char *why, ngx_str_t *reason);
static void ngx_http_news_list_deadline_handler(ngx_event_t *ev);
static void ngx_http_news_list_cleanup(void *data);


static ngx_str_t  ngx_http_news_list_titles[] = {
    ngx_string("Latest news"),
    ngx_null_string,                    /* the section's own name */
    ngx_null_string,                    /* the tag */
    ngx_null_string,                    /* the author */
    ngx_string("Most read today"),
    ngx_string("Most read this week")
};


ngx_int_t
ngx_http_news_list_handler(ngx_http_request_t *r)
{
    ngx_int_t                    rc;
    ngx_str_t                    allow, reason;
    ngx_uint_t                   page, given;
    ngx_http_cleanup_t          *cln;
    ngx_http_news_list_ctx_t    *ctx;
    ngx_http_news_loc_conf_t    *nlcf;
    ngx_http_news_list_kept_t    kept;
    ngx_http_news_list_query_t  *q;

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        ngx_str_set(&allow, "GET, HEAD");

        if (ngx_http_news_add_header(r, "Allow", &allow) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return NGX_HTTP_NOT_ALLOWED;
    }

    rc = ngx_http_discard_request_body(r);

    if (rc != NGX_OK) {
        return rc;
    }

    nlcf = ngx_http_get_module_loc_conf(r, ngx_http_news_module);

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_news_list_ctx_t));
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->request = r;
    q = &ctx->query;

    q->kind = nlcf->list - 1;
    q->prefix = nlcf->key_prefix;

    /* in a Cluster the lists and most read are "<prefix>{lists}:..." */

    if (nlcf->redis->cluster != NULL) {
        q->cluster = 1;

        q->prefix.data = ngx_pnalloc(r->pool, nlcf->key_prefix.len
                                              + sizeof("{lists}:") - 1);
        if (q->prefix.data == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        q->prefix.len = ngx_sprintf(q->prefix.data, "%V{lists}:",
                                    &nlcf->key_prefix)
                        - q->prefix.data;
    }
    q->now = ngx_time();

    if (nlcf->list_name != NULL) {
        if (ngx_http_complex_value(r, nlcf->list_name, &ctx->asked)
            != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        if (ngx_http_news_article_list_name(&ctx->asked, r->pool, &q->name)
            != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        if (q->name.len == 0 || ctx->asked.len > NGX_HTTP_NEWS_KEY_MAX) {
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "news: 404 for list: no such %s \"%V\"",
                          q->kind == NGX_HTTP_NEWS_LIST_SECTION ? "section"
                          : q->kind == NGX_HTTP_NEWS_LIST_TAG ? "tag"
                          : "author", &ctx->asked);
            return NGX_HTTP_NOT_FOUND;
        }
    }

    if (ngx_http_news_list_page_number(r, nlcf, &page, &given) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (page == 0) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "news: 404 for list: not a page number");
        return NGX_HTTP_NOT_FOUND;
    }

    ctx->list.page = page;
    ctx->list.size = nlcf->list_size;

    q->fields = NGX_HTTP_NEWS_LIST_FIELDS_SUMMARY;
    q->offset = (page - 1) * nlcf->list_size;
    q->count = nlcf->list_size;

    switch (nlcf->format) {

    case NGX_HTTP_NEWS_FORMAT_HTML:
        if (q->kind != NGX_HTTP_NEWS_LIST_MOST_READ_DAY
            && q->kind != NGX_HTTP_NEWS_LIST_MOST_READ_WEEK)
        {
            q->box = nlcf->list_box;
        }

        break;

    case NGX_HTTP_NEWS_FORMAT_RSS:
    case NGX_HTTP_NEWS_FORMAT_ATOM:
        if (nlcf->feed_content) {
            q->fields = NGX_HTTP_NEWS_LIST_FIELDS_CONTENT;
        }

        break;

    case NGX_HTTP_NEWS_FORMAT_NEWS_SITEMAP:

        /* Google News: the last two days, at most 1000, one file */

        q->since = q->now - NGX_HTTP_NEWS_NEWS_SITEMAP_AGE;
        q->offset = 0;
        q->count = NGX_HTTP_NEWS_NEWS_SITEMAP_MAX;
        ctx->list.size = NGX_HTTP_NEWS_NEWS_SITEMAP_MAX;

        if (page != 1) {
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "news: 404 for list: a news sitemap has one page");
            return NGX_HTTP_NOT_FOUND;
        }

        break;

    case NGX_HTTP_NEWS_FORMAT_SITEMAP:

        /*
         * the index (the total, and the newest article, whose change is
         * the files' lastmod: newest first, a new article moves every
         * file), or one file of it: dates alone
         */

        q->fields = NGX_HTTP_NEWS_LIST_FIELDS_DATES;
        ctx->list.size = nlcf->sitemap_size;
        ctx->index = !given;
        q->offset = (page - 1) * nlcf->sitemap_size;
        q->count = ctx->index ? 1 : (ngx_uint_t) nlcf->sitemap_size;
        break;

    default: /* NGX_HTTP_NEWS_FORMAT_JSON */
        break;
    }

    if (ngx_http_news_url_base(r, &ctx->base) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (nlcf->list_cache) {
        if (ngx_http_news_list_cache_key(ctx, nlcf) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        /* kept a moment ago by this worker: no Redis, no rendering */

        if (ngx_http_news_list_cache_get(&ctx->key, &kept) == NGX_OK) {
            rc = ngx_http_news_list_preconditions(r, nlcf, &kept.etag,
                                                  kept.last_modified);
            if (rc != NGX_DECLINED) {
                return rc;
            }

            return ngx_http_news_list_send_body(r, &kept, 1);
        }
    }

    if (ngx_http_news_list_store_command(q, r->pool) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    cln = ngx_http_cleanup_add(r, 0);
    if (cln == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    cln->handler = ngx_http_news_list_cleanup;
    cln->data = ctx;

    rc = ngx_http_news_redis_send(nlcf->redis, &q->command, 1,
                                  ngx_http_news_list_reply_handler, ctx,
                                  &ctx->pending);

    if (rc == NGX_DECLINED) {
        ngx_str_set(&reason, "Redis is unavailable, reconnecting");
        return ngx_http_news_list_fail(ctx, NGX_HTTP_SERVICE_UNAVAILABLE,
                                       NULL, &reason);
    }

    if (rc != NGX_OK) {
        ngx_str_set(&reason, "cannot queue the command");
        return ngx_http_news_list_fail(ctx, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                       NULL, &reason);
    }

    ctx->deadline.handler = ngx_http_news_list_deadline_handler;
    ctx->deadline.data = ctx;
    ctx->deadline.log = r->connection->log;

    ngx_add_timer(&ctx->deadline, nlcf->redis_timeout);

    r->read_event_handler = ngx_http_test_reading;
    r->main->count++;

    return NGX_DONE;
}


/*
 * The page asked for: 1 when none is given; 0 for anything but a number
 * from 1 up (page=0, page=abc, page=-1, page=1x), which is a 404 as a
 * page out of range is.
 */

static ngx_int_t
ngx_http_news_list_page_number(ngx_http_request_t *r,
    ngx_http_news_loc_conf_t *nlcf, ngx_uint_t *page, ngx_uint_t *given)
{
    ngx_int_t  n;
    ngx_str_t  value;

    *page = 1;
    *given = 0;

    if (nlcf->list_page != NULL) {
        if (ngx_http_complex_value(r, nlcf->list_page, &value) != NGX_OK) {
            return NGX_ERROR;
        }

    } else if (ngx_http_arg(r, (u_char *) "page", 4, &value) != NGX_OK) {
        return NGX_OK;
    }

    if (value.len == 0) {
        return NGX_OK;
    }

    *given = 1;

    n = ngx_atoi(value.data, value.len);

    if (n == NGX_ERROR || n < 1 || n > NGX_HTTP_NEWS_LIST_PAGE_MAX) {
        *page = 0;
        return NGX_OK;
    }

    *page = n;

    return NGX_OK;
}


static void
ngx_http_news_list_reply_handler(void *data,
    ngx_http_news_redis_result_e result, ngx_http_news_redis_reply_t *reply,
    ngx_str_t *reason)
{
    ngx_http_news_list_ctx_t *ctx = data;

    ngx_int_t            rc;
    ngx_connection_t    *c;
    ngx_http_request_t  *r;

    r = ctx->request;
    c = r->connection;

    ctx->pending = NULL;

    if (ctx->deadline.timer_set) {
        ngx_del_timer(&ctx->deadline);
    }

    if (result == NGX_HTTP_NEWS_REDIS_REPLY) {
        rc = ngx_http_news_list_respond(ctx, reply);

        if (rc == NGX_DONE) {
            /* a Cluster's articles are being read on their nodes */
            return;
        }

    } else {
        rc = ngx_http_news_list_failed(ctx, result, reason);
    }

    ngx_http_finalize_request(r, rc);
    ngx_http_run_posted_requests(c);
}


/* the status by what Redis could not do */

static ngx_int_t
ngx_http_news_list_failed(ngx_http_news_list_ctx_t *ctx,
    ngx_http_news_redis_result_e result, ngx_str_t *reason)
{
    switch (result) {

    case NGX_HTTP_NEWS_REDIS_ERROR:
        return ngx_http_news_list_fail(ctx, NGX_HTTP_BAD_GATEWAY, NULL,
                                       reason);

    case NGX_HTTP_NEWS_REDIS_UNAVAILABLE:
        return ngx_http_news_list_fail(ctx, NGX_HTTP_SERVICE_UNAVAILABLE,
                                       NULL, reason);

    default:
        return ngx_http_news_list_fail(ctx, NGX_HTTP_GATEWAY_TIME_OUT, NULL,
                                       reason);
    }
}


static ngx_int_t
ngx_http_news_list_respond(ngx_http_news_list_ctx_t *ctx,
    ngx_http_news_redis_reply_t *reply)
{
    ngx_str_t  reason;

    if (ngx_http_news_list_store_reply(&ctx->query, reply, ctx->request->pool,
                                       &ctx->list, &reason)
        != NGX_OK)
    {
        return ngx_http_news_list_fail(ctx, NGX_HTTP_BAD_GATEWAY, NULL,
                                       &reason);
    }

    if (ctx->query.cluster) {
        return ngx_http_news_list_fetch(ctx);
    }

    return ngx_http_news_list_show(ctx);
}


/*
 * In a Cluster, each article's fields are read on its own node: one
 * HMGET each, all sent at once, within news_redis_timeout.  NGX_DONE
 * while they are on their way; else the answer.  Any of them failing
 * fails the page (503, 504 or 502): a list without an article it holds
 * would be a page that lies.
 */

static ngx_int_t
ngx_http_news_list_fetch(ngx_http_news_list_ctx_t *ctx)
{
    ngx_int_t                    rc;
    ngx_str_t                    reason;
    ngx_uint_t                   i, n;
    ngx_http_request_t          *r;
    ngx_http_news_loc_conf_t    *nlcf;
    ngx_http_news_list_fetch_t  *f;

    r = ctx->request;
    nlcf = ngx_http_get_module_loc_conf(r, ngx_http_news_module);

    n = ctx->list.nitems + ctx->list.nbox;

    if (n == 0) {
        return ngx_http_news_list_show(ctx);
    }

    ctx->fetches = ngx_pcalloc(r->pool,
                               n * sizeof(ngx_http_news_list_fetch_t));
    if (ctx->fetches == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->nfetches = n;

    for (i = 0; i < n; i++) {
        f = &ctx->fetches[i];

        f->ctx = ctx;
        f->item = (i < ctx->list.nitems)
                  ? &ctx->list.items[i]
                  : &ctx->list.box[i - ctx->list.nitems];

        if (ngx_http_news_list_store_fields_command(&ctx->query,
                                                    &f->item->key, r->pool,
                                                    &f->command)
            != NGX_OK)
        {
            ngx_http_news_list_cancel(ctx);
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        rc = ngx_http_news_redis_send(nlcf->redis, &f->command, 1,
                                      ngx_http_news_list_fetch_handler, f,
                                      &f->pending);

        if (rc != NGX_OK) {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "news: cannot read the article \"%V\" of a list",
                          &f->item->key);

            ngx_http_news_list_cancel(ctx);

            if (rc == NGX_DECLINED) {
                ngx_str_set(&reason, "Redis is unavailable, reconnecting");
                return ngx_http_news_list_fail(ctx,
                                               NGX_HTTP_SERVICE_UNAVAILABLE,
                                               NULL, &reason);
            }

            ngx_str_set(&reason, "cannot queue the command");
            return ngx_http_news_list_fail(ctx,
                                           NGX_HTTP_INTERNAL_SERVER_ERROR,
                                           NULL, &reason);
        }

        ctx->waiting++;
    }

    ngx_add_timer(&ctx->deadline, nlcf->redis_timeout);

    return NGX_DONE;
}


static void
ngx_http_news_list_fetch_handler(void *data,
    ngx_http_news_redis_result_e result, ngx_http_news_redis_reply_t *reply,
    ngx_str_t *reason)
{
    ngx_http_news_list_fetch_t *f = data;

    ngx_int_t                  rc;
    ngx_str_t                  why;
    ngx_connection_t          *c;
    ngx_http_request_t        *r;
    ngx_http_news_list_ctx_t  *ctx;

    ctx = f->ctx;
    r = ctx->request;
    c = r->connection;

    f->pending = NULL;
    ctx->waiting--;

    if (result == NGX_HTTP_NEWS_REDIS_REPLY) {
        rc = ngx_http_news_list_store_fields_reply(&ctx->query, reply,
                                                   r->pool, f->item, &why);

        if (rc == NGX_DECLINED) {
            /* left out, as the list script leaves it out */
            f->item->article = NULL;

        } else if (rc != NGX_OK) {
            result = NGX_HTTP_NEWS_REDIS_ERROR;
            reason = &why;
        }
    }

    if (result != NGX_HTTP_NEWS_REDIS_REPLY) {
        ngx_log_error(NGX_LOG_ERR, c->log, 0,
                      "news: cannot read the article \"%V\" of a list",
                      &f->item->key);

        ngx_http_news_list_cancel(ctx);

        if (ctx->deadline.timer_set) {
            ngx_del_timer(&ctx->deadline);
        }

        rc = ngx_http_news_list_failed(ctx, result, reason);

    } else if (ctx->waiting) {
        return;

    } else {
        if (ctx->deadline.timer_set) {
            ngx_del_timer(&ctx->deadline);
        }

        ctx->list.nitems = ngx_http_news_list_keep(ctx->list.items,
                                                   ctx->list.nitems);
        ctx->list.nbox = ngx_http_news_list_keep(ctx->list.box,
                                                 ctx->list.nbox);

        rc = ngx_http_news_list_show(ctx);
    }

    ngx_http_finalize_request(r, rc);
    ngx_http_run_posted_requests(c);
}


/* the items with an article, in their order; how many */

static ngx_uint_t
ngx_http_news_list_keep(ngx_http_news_list_item_t *items, ngx_uint_t n)
{
    ngx_uint_t  i, kept;

    kept = 0;

    for (i = 0; i < n; i++) {
        if (items[i].article != NULL) {
            items[kept++] = items[i];
        }
    }

    return kept;
}


/* every article's reading still on its way: its reply will touch nothing */

static void
ngx_http_news_list_cancel(ngx_http_news_list_ctx_t *ctx)
{
    ngx_uint_t  i;

    for (i = 0; i < ctx->nfetches; i++) {
        if (ctx->fetches[i].pending != NULL) {
            ngx_http_news_redis_cancel(ctx->fetches[i].pending);
            ctx->fetches[i].pending = NULL;
        }
    }

    ctx->waiting = 0;
}


/* the list model made, a 304 or the page in its format */

static ngx_int_t
ngx_http_news_list_show(ngx_http_news_list_ctx_t *ctx)
{
    char                       *type;
    ngx_int_t                   rc;
    ngx_str_t                   reason, base, etag, body, ftype;
    ngx_http_request_t         *r;
    ngx_http_news_feed_e        feed;
    ngx_http_news_loc_conf_t   *nlcf;
    ngx_http_news_list_page_t   page;
    ngx_http_news_list_kept_t   kept;
    ngx_http_news_feed_conf_t   fconf;

    r = ctx->request;
    nlcf = ngx_http_get_module_loc_conf(r, ngx_http_news_module);

    /*
     * A page with nothing is a 404; but a feed, a sitemap and the index
     * of an empty site are valid, empty documents (their first page).
     */

    if (ctx->list.nitems == 0
        && !(nlcf->format > NGX_HTTP_NEWS_FORMAT_JSON
             && (ctx->index || ctx->list.page == 1)))
    {
        return ngx_http_news_list_fail(ctx, NGX_HTTP_NOT_FOUND,
                                       ctx->list.total ? "page out of range"
                                                       : "empty list",
                                       NULL);
    }

    base = ctx->base;

    if (ngx_http_news_list_model(ctx, &base) != NGX_OK
        || ngx_http_news_list_etag(ctx, &etag) != NGX_OK)
    {
        goto failed;
    }

    /* the client has this very page: nothing is rendered */

    rc = ngx_http_news_list_preconditions(r, nlcf, &etag,
                                          ctx->list.last_modified);
    if (rc != NGX_DECLINED) {
        return rc;
    }

    page.list = &ctx->list;
    page.date_format = (char *) nlcf->date_format.data;
    page.log = r->connection->log;

#define ngx_http_news_list_prefix(field)                                      \
    if (nlcf->field.len) {                                                    \
        page.field.data = ngx_pnalloc(r->pool, base.len + nlcf->field.len);   \
        if (page.field.data == NULL) {                                        \
            goto failed;                                                      \
        }                                                                     \
        page.field.len = ngx_sprintf(page.field.data, "%V%V", &base,          \
                                     &nlcf->field)                            \
                         - page.field.data;                                   \
    } else {                                                                  \
        ngx_str_null(&page.field);                                            \
    }

    ngx_http_news_list_prefix(section_url);
    ngx_http_news_list_prefix(tag_url);
    ngx_http_news_list_prefix(author_url);

#undef ngx_http_news_list_prefix

    switch (nlcf->format) {

    case NGX_HTTP_NEWS_FORMAT_JSON:
        type = "application/json; charset=utf-8";

        if (ngx_http_news_list_render_json(&page, r->pool, &body) != NGX_OK) {
            goto failed;
        }

        break;

    case NGX_HTTP_NEWS_FORMAT_HTML:
        type = "text/html; charset=utf-8";

        if (ngx_http_news_list_render_html(nlcf->list_template, &page,
                                           r->pool, &body)
            != NGX_OK)
        {
            goto failed;
        }

        break;

    default:

        /* the formats' order is the feed renderers' */

        feed = nlcf->format - NGX_HTTP_NEWS_FORMAT_RSS;

        if (ctx->index) {
            feed = NGX_HTTP_NEWS_FEED_SITEMAP_INDEX;
        }

        fconf.content = nlcf->feed_content;
        fconf.body_format = nlcf->body_format;
        fconf.sitemap_size = nlcf->sitemap_size;

        if (ngx_http_news_feed_render(&ctx->list, feed, &fconf, r->pool,
                                      &body)
            != NGX_OK)
        {
            goto failed;
        }

        ngx_http_news_feed_content_type(feed, &ftype);
        type = (char *) ftype.data;     /* static, NUL-terminated */
        break;
    }

    kept.body = body;
    kept.etag = etag;
    kept.last_modified = ctx->list.last_modified;
    kept.type = type;

    if (nlcf->list_cache) {
        ngx_http_news_list_cache_put(&ctx->key, nlcf->list_cache, &kept,
                                     r->connection->log);
    }

    return ngx_http_news_list_send_body(r, &kept, 0);

failed:

    ngx_str_set(&reason, "cannot render the list");

    return ngx_http_news_list_fail(ctx, NGX_HTTP_INTERNAL_SERVER_ERROR, NULL,
                                   &reason);
}


/* the list's page as every format shows it: titles, URLs, dates */

static ngx_int_t
ngx_http_news_list_model(ngx_http_news_list_ctx_t *ctx, ngx_str_t *base)
{
    ngx_uint_t                  i;
    ngx_http_request_t         *r;
    ngx_http_news_list_t       *list;
    ngx_http_news_article_t    *a;
    ngx_http_news_loc_conf_t   *nlcf;
    ngx_http_news_list_item_t  *item;

    r = ctx->request;
    list = &ctx->list;
    nlcf = ngx_http_get_module_loc_conf(r, ngx_http_news_module);

    list->kind = ctx->query.kind;
    list->name = ctx->asked;
    list->base_url = *base;
    list->site_name = nlcf->site_name;
    list->lang = nlcf->publisher.lang;     /* news_lang, "en" by default */
    list->now = ctx->query.now;
    list->last_modified = -1;

    for (i = 0; i < list->nitems + list->nbox; i++) {
        item = (i < list->nitems) ? &list->items[i]
                                  : &list->box[i - list->nitems];
        a = item->article;

        /* an image URL that could run script is left out, as on pages */

        if (!ngx_http_news_safe_url(a->field[NGX_HTTP_NEWS_IMAGE].data,
                                    a->field[NGX_HTTP_NEWS_IMAGE].len))
        {
            ngx_str_null(&a->field[NGX_HTTP_NEWS_IMAGE]);
        }

        if (ngx_http_news_url_listed(r, base, &item->key, &item->url)
            != NGX_OK)
        {
            return NGX_ERROR;
        }

        /* the newest change among the listed articles */

        if (i < list->nitems) {
            list->last_modified = ngx_max(list->last_modified,
                                          ngx_max(a->updated, a->published));
        }
    }

    list->title = ngx_http_news_list_titles[list->kind];

    if (list->title.len == 0) {
        list->title = ctx->asked;

        /* a section as its articles spell it ("City Hall", not "city hall") */

        if (list->kind == NGX_HTTP_NEWS_LIST_SECTION && list->nitems
            && list->items[0].article->field[NGX_HTTP_NEWS_CATEGORY].len)
        {
            list->title =
                list->items[0].article->field[NGX_HTTP_NEWS_CATEGORY];
        }
    }

    if (ngx_http_news_list_page_url(r, base, list->page, &list->url)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    ngx_str_null(&list->prev_url);
    ngx_str_null(&list->next_url);

    if (list->page > 1
        && ngx_http_news_list_page_url(r, base, list->page - 1,
                                       &list->prev_url)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (list->page * list->size < list->total
        && ngx_http_news_list_page_url(r, base, list->page + 1,
                                       &list->next_url)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


/*
 * This list's page: the base and the request's path, with "?page=N"
 * from the second page on.
 */

static ngx_int_t
ngx_http_news_list_page_url(ngx_http_request_t *r, ngx_str_t *base,
    ngx_uint_t page, ngx_str_t *url)
{
    u_char  *p;

    p = ngx_pnalloc(r->pool, base->len + r->uri.len
                             + 2 * ngx_escape_uri(NULL, r->uri.data,
                                                  r->uri.len, NGX_ESCAPE_URI)
                             + sizeof("?page=") - 1 + NGX_INT_T_LEN);
    if (p == NULL) {
        return NGX_ERROR;
    }

    url->data = p;
    p = ngx_cpymem(p, base->data, base->len);
    p = (u_char *) ngx_escape_uri(p, r->uri.data, r->uri.len,
                                  NGX_ESCAPE_URI);

    if (page > 1) {
        p = ngx_sprintf(p, "?page=%ui", page);
    }

    url->len = p - url->data;

    return NGX_OK;
}


/*
 * A strong ETag made before rendering, from everything the page is made
 * of: this configuration (its templates), the format, the page's URL
 * and the list's size, and for each article its key, revision, count
 * and score.  Every writer changes "rev" with every edit, so the
 * revision stands for the fields; an article without one (written by
 * hand) brings its fields themselves.
 */

static ngx_int_t
ngx_http_news_list_etag(ngx_http_news_list_ctx_t *ctx, ngx_str_t *etag)
{
    u_char                      *p, hash[16];
    ngx_md5_t                    md5;
    ngx_uint_t                   i, k;
    ngx_http_request_t          *r;
    ngx_http_news_list_t        *list;
    ngx_http_news_article_t     *a;
    ngx_http_news_loc_conf_t    *nlcf;
    ngx_http_news_main_conf_t   *nmcf;
    ngx_http_news_list_item_t   *item;
    u_char                       buf[4 * NGX_INT64_LEN + 8];

    r = ctx->request;
    list = &ctx->list;
    nlcf = ngx_http_get_module_loc_conf(r, ngx_http_news_module);
    nmcf = ngx_http_get_module_main_conf(r, ngx_http_news_module);

    ngx_md5_init(&md5);

    p = ngx_sprintf(buf, "%ui %ui %ui %ui %ui", nmcf->generation,
                    nlcf->format, list->total, list->nitems, list->nbox);
    ngx_md5_update(&md5, buf, p - buf);
    ngx_md5_update(&md5, list->url.data, list->url.len);

    for (i = 0; i < list->nitems + list->nbox; i++) {
        item = (i < list->nitems) ? &list->items[i]
                                  : &list->box[i - list->nitems];
        a = item->article;

        ngx_md5_update(&md5, item->key.data, item->key.len);

        p = ngx_sprintf(buf, "\n%L %L ", a->views, item->score);
        ngx_md5_update(&md5, buf, p - buf);

        if (a->field[NGX_HTTP_NEWS_REV].len) {
            ngx_md5_update(&md5, a->field[NGX_HTTP_NEWS_REV].data,
                           a->field[NGX_HTTP_NEWS_REV].len);
            continue;
        }

        for (k = 0; k < a->npairs; k++) {
            p = ngx_sprintf(buf, "%uz %uz ", a->pairs[k].name.len,
                            a->pairs[k].value.len);
            ngx_md5_update(&md5, buf, p - buf);
            ngx_md5_update(&md5, a->pairs[k].name.data,
                           a->pairs[k].name.len);
            ngx_md5_update(&md5, a->pairs[k].value.data,
                           a->pairs[k].value.len);
        }
    }

    ngx_md5_final(hash, &md5);

    etag->data = ngx_pnalloc(r->pool, 2 + 2 * sizeof(hash));
    if (etag->data == NULL) {
        return NGX_ERROR;
    }

    p = etag->data;
    *p++ = '"';
    p = ngx_hex_dump(p, hash, sizeof(hash));
    *p++ = '"';
    etag->len = p - etag->data;

    return NGX_OK;
}


/*
 * If-None-Match names this ETag (compared weakly, as RFC 9110 says for
 * it) or is "*"; without it, If-Modified-Since is not before the page's
 * Last-Modified.
 */

static ngx_uint_t
ngx_http_news_list_not_modified(ngx_http_request_t *r, ngx_str_t *etag,
    time_t last_modified)
{
    u_char     *p, *last, *start;
    time_t      since;
    ngx_str_t  *inm;

    if (r->headers_in.if_none_match != NULL) {
        inm = &r->headers_in.if_none_match->value;

        p = inm->data;
        last = inm->data + inm->len;

        while (p < last) {
            while (p < last && (*p == ' ' || *p == '\t' || *p == ',')) {
                p++;
            }

            if (p == last) {
                break;
            }

            if (*p == '*') {
                return 1;
            }

            if (last - p > 2 && p[0] == 'W' && p[1] == '/') {
                p += 2;
            }

            start = p;

            if (p < last && *p == '"') {
                p++;

                while (p < last && *p != '"') {
                    p++;
                }

                if (p < last) {
                    p++;
                }
            }

            while (p < last && *p != ',') {
                p++;
            }

            while (p > start && (p[-1] == ' ' || p[-1] == '\t')) {
                p--;
            }

            if ((size_t) (p - start) == etag->len
                && ngx_strncmp(start, etag->data, etag->len) == 0)
            {
                return 1;
            }

            while (p < last && *p != ',') {
                p++;
            }
        }

        return 0;
    }

    if (r->headers_in.if_modified_since != NULL && last_modified > 0) {
        since = ngx_parse_http_time(r->headers_in.if_modified_since->value.data,
                                    r->headers_in.if_modified_since->value.len);

        return (since != NGX_ERROR && since >= last_modified);
    }

    return 0;
}


/*
 * Cache-Control, ETag and Last-Modified, of the 200 and of the 304
 * alike; the 304 itself when the client has this page (the answer to
 * its conditions is this handler's, not nginx's not_modified filter's),
 * else NGX_DECLINED.
 */

static ngx_int_t
ngx_http_news_list_preconditions(ngx_http_request_t *r,
    ngx_http_news_loc_conf_t *nlcf, ngx_str_t *etag, time_t last_modified)
{
    ngx_str_t  *cc;

    cc = &nlcf->list_cache_control;

    if ((cc->len
         && ngx_http_news_add_header(r, "Cache-Control", cc) != NGX_OK)
        || ngx_http_news_add_header(r, "ETag", etag) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (last_modified > 0) {
        r->headers_out.last_modified_time = last_modified;
    }

    r->disable_not_modified = 1;

    if (!ngx_http_news_list_not_modified(r, etag, last_modified)) {
        return NGX_DECLINED;
    }

    r->headers_out.status = NGX_HTTP_NOT_MODIFIED;
    r->headers_out.content_length_n = -1;
    r->header_only = 1;

    return ngx_http_send_header(r);
}


/* the page; a kept one is copied, as its slot may be reused meanwhile */

static ngx_int_t
ngx_http_news_list_send_body(ngx_http_request_t *r,
    ngx_http_news_list_kept_t *page, ngx_uint_t copy)
{
    u_char       *p;
    ngx_buf_t    *b;
    ngx_chain_t  *out;

    p = page->body.data;

    if (copy) {
        p = ngx_pnalloc(r->pool, page->body.len);
        if (p == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_memcpy(p, page->body.data, page->body.len);
    }

    b = ngx_calloc_buf(r->pool);
    out = ngx_alloc_chain_link(r->pool);

    if (b == NULL || out == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b->pos = p;
    b->last = p + page->body.len;
    b->memory = 1;

    out->buf = b;
    out->next = NULL;

    return ngx_http_news_send(r, NGX_HTTP_OK, page->type, out,
                              page->body.len);
}


/*
 * A kept page is this configuration's, this location's, and this page
 * of this list as this base URL shows it.
 */

static ngx_int_t
ngx_http_news_list_cache_key(ngx_http_news_list_ctx_t *ctx,
    ngx_http_news_loc_conf_t *nlcf)
{
    u_char                     *p;
    size_t                      len;
    ngx_http_news_main_conf_t  *nmcf;

    nmcf = ngx_http_get_module_main_conf(ctx->request, ngx_http_news_module);

    len = 4 * NGX_INT_T_LEN + NGX_PTR_SIZE * 2 + 8 + ctx->base.len
          + ctx->query.name.len;

    p = ngx_pnalloc(ctx->request->pool, len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    ctx->key.data = p;
    ctx->key.len = ngx_sprintf(p, "%ui %p %ui %ui %V %V", nmcf->generation,
                               nlcf, ctx->list.page, ctx->index, &ctx->base,
                               &ctx->query.name)
                   - p;

    return NGX_OK;
}


static ngx_int_t
ngx_http_news_list_fail(ngx_http_news_list_ctx_t *ctx, ngx_int_t status,
    const char *why, ngx_str_t *reason)
{
    ngx_str_t            retry;
    ngx_uint_t           level;
    ngx_http_request_t  *r;

    r = ctx->request;
    level = (status == NGX_HTTP_NOT_FOUND) ? NGX_LOG_INFO : NGX_LOG_ERR;

    if (why != NULL) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "news: %i for list: %s", status, why);

    } else {
        ngx_log_error(level, r->connection->log, 0, "news: %i for list: %V",
                      status, reason);
    }

    if (status == NGX_HTTP_SERVICE_UNAVAILABLE) {
        ngx_str_set(&retry, "1");

        if (ngx_http_news_add_header(r, "Retry-After", &retry) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    return status;
}


static void
ngx_http_news_list_deadline_handler(ngx_event_t *ev)
{
    ngx_http_news_list_ctx_t *ctx = ev->data;

    ngx_str_t            reason;
    ngx_connection_t    *c;
    ngx_http_request_t  *r;

    r = ctx->request;
    c = r->connection;

    /* the reply may still come; it will find no request to touch */

    if (ctx->pending != NULL) {
        ngx_http_news_redis_cancel(ctx->pending);
        ctx->pending = NULL;
    }

    ngx_http_news_list_cancel(ctx);

    ngx_str_set(&reason, "no reply from Redis in time");

    ngx_http_finalize_request(r, ngx_http_news_list_fail(ctx,
                                               NGX_HTTP_GATEWAY_TIME_OUT,
                                               NULL, &reason));
    ngx_http_run_posted_requests(c);
}


static void
ngx_http_news_list_cleanup(void *data)
{
    ngx_http_news_list_ctx_t *ctx = data;

    if (ctx->pending != NULL) {
        ngx_http_news_redis_cancel(ctx->pending);
        ctx->pending = NULL;
    }

    ngx_http_news_list_cancel(ctx);

    if (ctx->deadline.timer_set) {
        ngx_del_timer(&ctx->deadline);
    }
}
