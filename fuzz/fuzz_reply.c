
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 *
 * (b) Redis replies to views: the input is RESP, as Redis would send
 * it.  hiredis' reader (as the module uses it) turns it into replies;
 * each is read by ngx_http_news_store_view(), the one place a reply
 * becomes an article, as the reply to every query the handler makes
 * (ngx_http_news_store_commands()): a counted view of an article this
 * worker does not keep (the script and HGETALL in MULTI, EXEC's reply),
 * a view not counted (HGETALL), a view of a kept revision (the script
 * alone), and a beacon (the script, no fields).  An article it gives
 * is shown as the handler shows it (fuzz_show()) with the count it
 * gives.  Checks: no memory error or leak (the view's pool is destroyed
 * when set, as the handler does); a reason for every NGX_DECLINED and
 * NGX_ERROR, with no pool or article left for the caller; the outcome
 * of each result one the handler knows; an article whenever the handler
 * has no other to show; the model's promises; and every check of
 * fuzz_show().  Each reply is also read as the list script's
 * (ngx_http_news_list_store_reply(), each set of fields): a reason for
 * every NGX_ERROR, and items each with its key and article.
 */


#include "fuzz_common.h"

#include <hiredis/hiredis.h>

#include "ngx_http_news_store.h"
#include "ngx_http_news_list_store.h"


/*
 * hiredis 0.14 callocs an array of the announced length before reading
 * its elements: "*2000000000" would be a 16 GB calloc() that fails (the
 * reader reports "Out of memory") where libFuzzer would stop at its
 * malloc limit.  Longer arrays fail here the same way.
 */
#define FUZZ_MAX_ARRAY  (1 << 20)


typedef struct {
    const char                    *name;
    ngx_http_news_store_query_t    query;
} fuzz_query_t;


static void *fuzz_create_array_bounded(const redisReadTask *task,
    int elements);
static void fuzz_queries(void);
static void fuzz_view(fuzz_query_t *fq, redisReply *reply);
static void fuzz_list(ngx_http_news_list_fields_e fields,
    redisReply *reply);
static void fuzz_cluster_list(redisReply *reply);
static void fuzz_list_items(ngx_http_news_list_item_t *items,
    ngx_uint_t n);


static redisReplyObjectFunctions      fuzz_reply_fns;
static void *(*fuzz_create_array)(const redisReadTask *task, int elements);

static ngx_http_news_redis_script_t   fuzz_script;

static fuzz_query_t  fuzz_query[] = {
    { "counted view", { .count = 1, .fields = 1 } },
    { "view not counted", { .count = 0, .fields = 1 } },
    { "counted view of a kept revision", { .count = 1, .fields = 1 } },
    { "view of a kept revision", { .count = 0, .fields = 1 } },
    { "beacon", { .count = 1, .fields = 0 } }
};


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    redisReader  *reader;

    fuzz_init();
    (void) fuzz_default_template();

    fuzz_queries();

    /* hiredis' own reply functions, with arrays bounded */

    reader = redisReaderCreate();
    if (reader == NULL) {
        fuzz_fail("redisReaderCreate() failed");
    }

    fuzz_reply_fns = *reader->fn;
    fuzz_create_array = fuzz_reply_fns.createArray;
    fuzz_reply_fns.createArray = fuzz_create_array_bounded;

    redisReaderFree(reader);

    return 0;
}


static void *
fuzz_create_array_bounded(const redisReadTask *task, int elements)
{
    if (elements > FUZZ_MAX_ARRAY) {
        return NULL;
    }

    return fuzz_create_array(task, elements);
}


/*
 * The queries as the handler makes them, and the commands each is: what
 * ngx_http_news_store_view() reads a reply by.
 */

static void
fuzz_queries(void)
{
    ngx_uint_t                      i, script, hgetall;
    ngx_http_news_store_query_t    *q;
    ngx_http_news_redis_command_t  *c;

    ngx_http_news_store_init(&fuzz_script, 0);

    for (i = 0; i < sizeof(fuzz_query) / sizeof(fuzz_query[0]); i++) {
        q = &fuzz_query[i].query;

        ngx_str_set(&q->key, "article:harbour-ferry");

        if (i == 2 || i == 3) {
            ngx_str_set(&q->rev, "17");
        }

        if (q->count) {
            ngx_str_set(&q->mark, "news:seen:0123456789abcdef");
            ngx_str_set(&q->window, "3600");
        }

        ngx_http_news_store_commands(q, &fuzz_script);

        /*
         * a script first, if any (a kept revision's counted view also
         * sends the day, for most read); then HGETALL, if the fields
         * are read
         */

        script = (q->count || !q->fields || q->rev.len);
        hgetall = (q->fields && q->rev.len == 0);
        c = q->command;

        if (q->ncommands != script + hgetall
            || (script && (c[0].script != &fuzz_script
                           || c[0].nkeys != 1 + (q->mark.len != 0)
                           || c[0].argc != c[0].nkeys
                                           + (q->mark.len != 0)
                                           + 2 * (q->rev.len != 0)
                                           + (q->rev.len && q->count))))
        {
            fuzz_fail("%s: not the script's command", fuzz_query[i].name);
        }

        if (hgetall
            && (c[script].script != NULL || c[script].argc != 2
                || c[script].argv[0].len != 7
                || ngx_strncmp(c[script].argv[0].data, "HGETALL", 7) != 0
                || c[script].argv[1].data != q->key.data))
        {
            fuzz_fail("%s: not HGETALL", fuzz_query[i].name);
        }
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    void         *reply;
    ngx_uint_t    i;
    redisReader  *reader;

    reader = redisReaderCreate();
    if (reader == NULL) {
        fuzz_fail("redisReaderCreate() failed");
    }

    reader->fn = &fuzz_reply_fns;

    if (redisReaderFeed(reader, (const char *) data, size) == REDIS_OK) {

        /* every complete reply, as pipelined replies come in */

        for ( ;; ) {
            reply = NULL;

            if (redisReaderGetReply(reader, &reply) != REDIS_OK
                || reply == NULL)
            {
                break;
            }

            for (i = 0; i < sizeof(fuzz_query) / sizeof(fuzz_query[0]); i++) {
                fuzz_view(&fuzz_query[i], reply);
            }

            fuzz_list(NGX_HTTP_NEWS_LIST_FIELDS_SUMMARY, reply);
            fuzz_list(NGX_HTTP_NEWS_LIST_FIELDS_DATES, reply);
            fuzz_list(NGX_HTTP_NEWS_LIST_FIELDS_CONTENT, reply);
            fuzz_cluster_list(reply);

            freeReplyObject(reply);
        }
    }

    redisReaderFree(reader);

    return 0;
}


static void
fuzz_view(fuzz_query_t *fq, redisReply *reply)
{
    ngx_int_t                     rc;
    ngx_str_t                     reason;
    ngx_http_news_store_query_t  *q;
    ngx_http_news_store_view_t    view;

    q = &fq->query;

    ngx_str_null(&reason);

    rc = ngx_http_news_store_view(q, reply, &view, &reason);

    switch (rc) {

    case NGX_OK:
        if (view.view != NGX_HTTP_NEWS_VIEW_COUNTED
            && view.view != NGX_HTTP_NEWS_VIEW_REPEAT
            && view.view != NGX_HTTP_NEWS_VIEW_SHOWN)
        {
            fuzz_fail("%s: shown with outcome %d", fq->name, (int) view.view);
        }

        if ((view.article == NULL) != (view.pool == NULL)) {
            fuzz_fail("%s: an article without its pool, or a pool alone",
                      fq->name);
        }

        /* without a kept revision the handler has nothing else to show */

        if (q->fields && q->rev.len == 0 && view.article == NULL) {
            fuzz_fail("%s: shown without an article", fq->name);
        }

        if (view.article == NULL) {
            return;
        }

        fuzz_check_article(view.article);

        if (view.article->draft) {
            fuzz_fail("%s: a draft to show", fq->name);
        }

        /* a beacon shows nothing */

        if (q->fields) {
            fuzz_show(view.article, view.views, FUZZ_ALL_FORMATS);
        }

        ngx_destroy_pool(view.pool);
        return;

    case NGX_DECLINED:
        if (view.view != NGX_HTTP_NEWS_VIEW_MISSING
            && view.view != NGX_HTTP_NEWS_VIEW_DRAFT
            && view.view != NGX_HTTP_NEWS_VIEW_SCHEDULED)
        {
            fuzz_fail("%s: declined with outcome %d", fq->name,
                      (int) view.view);
        }

        break;

    case NGX_ERROR:
        break;

    default:
        fuzz_fail("%s: ngx_http_news_store_view() returned %ld", fq->name,
                  (long) rc);
    }

    if (reason.len == 0) {
        fuzz_fail("%s: reply %s without a reason", fq->name,
                  rc == NGX_DECLINED ? "declined" : "rejected");
    }

    /* the handler frees nothing of a view that failed */

    if (view.pool != NULL || view.article != NULL) {
        fuzz_fail("%s: %s with an article left", fq->name,
                  rc == NGX_DECLINED ? "declined" : "rejected");
    }
}


static void
fuzz_list(ngx_http_news_list_fields_e fields, redisReply *reply)
{
    ngx_int_t                    rc;
    ngx_str_t                    reason;
    ngx_pool_t                  *pool;
    ngx_http_news_list_t         list;
    ngx_http_news_list_query_t   q;

    ngx_memzero(&q, sizeof(ngx_http_news_list_query_t));
    ngx_memzero(&list, sizeof(ngx_http_news_list_t));
    q.fields = fields;

    ngx_str_null(&reason);
    pool = fuzz_pool();

    rc = ngx_http_news_list_store_reply(&q, reply, pool, &list, &reason);

    if (rc == NGX_OK) {
        fuzz_list_items(list.items, list.nitems);
        fuzz_list_items(list.box, list.nbox);

    } else if (rc != NGX_ERROR || reason.len == 0) {
        fuzz_fail("list reply: rc %d, reason \"%.*s\"", (int) rc,
                  (int) reason.len, reason.data);
    }

    ngx_destroy_pool(pool);
}


/*
 * A Cluster's list: the script's reply (keys and scores alone), and the
 * same reply as one article's HMGET, for each set of fields.
 */

static void
fuzz_cluster_list(redisReply *reply)
{
    ngx_int_t                    rc;
    ngx_str_t                    reason;
    ngx_uint_t                   i, f;
    ngx_pool_t                  *pool;
    ngx_http_news_list_t         list;
    ngx_http_news_list_item_t    item;
    ngx_http_news_list_query_t   q;

    ngx_memzero(&q, sizeof(ngx_http_news_list_query_t));
    ngx_memzero(&list, sizeof(ngx_http_news_list_t));
    q.cluster = 1;
    q.now = 1762248600;

    ngx_str_null(&reason);
    pool = fuzz_pool();

    rc = ngx_http_news_list_store_reply(&q, reply, pool, &list, &reason);

    if (rc == NGX_OK) {
        for (i = 0; i < list.nitems + list.nbox; i++) {
            item = (i < list.nitems) ? list.items[i]
                                     : list.box[i - list.nitems];

            if (item.article != NULL || item.key.data == NULL) {
                fuzz_fail("cluster list reply: item %lu malformed",
                          (unsigned long) i);
            }
        }

    } else if (rc != NGX_ERROR || reason.len == 0) {
        fuzz_fail("cluster list reply: rc %d, reason \"%.*s\"", (int) rc,
                  (int) reason.len, reason.data);
    }

    for (f = NGX_HTTP_NEWS_LIST_FIELDS_SUMMARY;
         f <= NGX_HTTP_NEWS_LIST_FIELDS_CONTENT;
         f++)
    {
        q.fields = f;
        ngx_memzero(&item, sizeof(ngx_http_news_list_item_t));
        ngx_str_null(&reason);

        rc = ngx_http_news_list_store_fields_reply(&q, reply, pool, &item,
                                                   &reason);

        if ((rc == NGX_OK && item.article == NULL)
            || (rc == NGX_ERROR && reason.len == 0)
            || (rc != NGX_OK && rc != NGX_ERROR && rc != NGX_DECLINED))
        {
            fuzz_fail("cluster list fields: rc %d", (int) rc);
        }
    }

    ngx_destroy_pool(pool);
}


static void
fuzz_list_items(ngx_http_news_list_item_t *items, ngx_uint_t n)
{
    ngx_uint_t  i;

    if (n && items == NULL) {
        fuzz_fail("list reply: %lu items and no array", (unsigned long) n);
    }

    for (i = 0; i < n; i++) {
        if (items[i].article == NULL || items[i].article->draft > 1) {
            fuzz_fail("list reply: item %lu without its article",
                      (unsigned long) i);
        }

        if (items[i].key.len && items[i].key.data == NULL) {
            fuzz_fail("list reply: item %lu key without data",
                      (unsigned long) i);
        }
    }
}
