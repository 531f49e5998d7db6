
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include <hiredis/hiredis.h>

#include "ngx_http_news_store.h"


static ngx_int_t ngx_http_news_store_script_reply(redisReply *reply,
    ngx_http_news_store_view_t *view, redisReply **fields,
    ngx_str_t *reason);
static size_t ngx_http_news_store_pool_size(redisReply *fields);
static ngx_uint_t ngx_http_news_store_scheduled(
    ngx_http_news_article_t *a);


/*
 * The view script guards, counts and compares the revision in one
 * atomic step.  KEYS[1] is the article, KEYS[2] the visitor's mark for
 * it (news_views_unique), with its window in seconds as ARGV[1]; then,
 * from a worker that keeps the article, the revision it keeps and "1" to
 * count the view, with today as YYYYMMDD (UTC), or "0" not to.  Without
 * those it counts.
 *
 * A missing article is never written to (HINCRBY would create it), a
 * draft is not counted, nor is an article whose published_ts (written by
 * the publishing API) is still in the future by Redis' clock; a repeat
 * view within the window is not counted either, and the mark is made
 * only for an article that exists.
 *
 * The revision the worker keeps still being the stored one says that
 * the article exists and is as kept: published, not a draft (every
 * writer changes rev with every edit, and the revision was served, so
 * its time had come).  Such a view is one HGET and HINCRBY, and returns
 * the new count alone.  Otherwise it returns false for a missing
 * article, {0} for a draft, {4} for a scheduled one, or {outcome} (1
 * counted, 2 a repeat, 3 not asked to count) and, when a revision was
 * given, the count and the whole hash.
 *
 * A counted view of a key "<p>article:..." also adds one to the article
 * in "<p>most_read:<YYYYMMDD>", which expires 8 days after its first
 * member came.  The day is the one the worker sends with a kept article
 * (no TIME, no date arithmetic in Lua on the hot path); for the other
 * views the script takes it from Redis' clock.
 *
 * Without a known revision the fields come from a native HGETALL in the
 * same MULTI/EXEC: Lua copies every value it is handed, twice, which is
 * most of Redis' time for a large article.  With one, that copy is made
 * only on the first view after an edit.
 */

#define NGX_HTTP_NEWS_STORE_SCRIPT                                            \
    "local n = KEYS[2] and 2 or 1\n"                                          \
    "local known, count, day = ARGV[n], ARGV[n + 1] ~= '0', ARGV[n + 2]\n"    \
    "local function most_read()\n"                                            \
    "    local p = string.match(KEYS[1], '^(.-)article:')\n"                  \
    "    if not p or apart then\n"                                            \
    "        return\n"                                                        \
    "    end\n"                                                               \
    "    if not day then\n"                                                   \
    "        local z = math.floor(redis.call('TIME')[1] / 86400) + 719468\n"  \
    "        local era = math.floor(z / 146097)\n"                            \
    "        local doe = z - era * 146097\n"                                  \
    "        local yoe = math.floor((doe - math.floor(doe / 1460)\n"          \
    "                                + math.floor(doe / 36524)\n"             \
    "                                - math.floor(doe / 146096)) / 365)\n"    \
    "        local doy = doe - 365 * yoe - math.floor(yoe / 4)\n"             \
    "                    + math.floor(yoe / 100)\n"                           \
    "        local mp = math.floor((5 * doy + 2) / 153)\n"                    \
    "        local m = mp < 10 and mp + 3 or mp - 9\n"                        \
    "        day = string.format('%04d%02d%02d',\n"                           \
    "                            yoe + era * 400 + (m < 3 and 1 or 0), m,\n"  \
    "                            doy - math.floor((153 * mp + 2) / 5) + 1)\n" \
    "    end\n"                                                               \
    "    p = p .. 'most_read:' .. day\n"                                      \
    "    if tonumber(redis.call('ZINCRBY', p, 1, KEYS[1])) == 1 then\n"       \
    "        redis.call('EXPIRE', p, 691200)\n"                               \
    "    end\n"                                                               \
    "end\n"                                                                   \
    "if known and redis.call('HGET', KEYS[1], 'rev') == known then\n"         \
    "    if not count then\n"                                                 \
    "        return {3, redis.call('HGET', KEYS[1], 'views')}\n"              \
    "    end\n"                                                               \
    "    if KEYS[2] and not redis.call('SET', KEYS[2], '1', 'NX', 'EX',\n"    \
    "                                   ARGV[1]) then\n"                      \
    "        return {2, redis.call('HGET', KEYS[1], 'views')}\n"              \
    "    end\n"                                                               \
    "    local views = redis.call('HINCRBY', KEYS[1], 'views', 1)\n"          \
    "    most_read()\n"                                                       \
    "    return views\n"                                                      \
    "end\n"                                                                   \
    "local h = redis.call('HMGET', KEYS[1], 'status', 'rev', "               \
    "'published_ts')\n"                                                       \
    "if h[1] == 'draft' then\n"                                               \
    "    return {0}\n"                                                        \
    "end\n"                                                                   \
    "if not h[1] and not h[2] and not h[3]\n"                                 \
    "   and redis.call('EXISTS', KEYS[1]) == 0 then\n"                        \
    "    return false\n"                                                      \
    "end\n"                                                                   \
    "if h[3] and (tonumber(h[3]) or 0) > "                                   \
    "tonumber(redis.call('TIME')[1]) then\n"                                  \
    "    return {4}\n"                                                        \
    "end\n"                                                                   \
    "local outcome, views = 3, false\n"                                       \
    "if count then\n"                                                         \
    "    if KEYS[2] and not redis.call('SET', KEYS[2], '1', 'NX', 'EX',\n"    \
    "                                   ARGV[1]) then\n"                      \
    "        outcome = 2\n"                                                   \
    "    else\n"                                                              \
    "        outcome = 1\n"                                                   \
    "        views = redis.call('HINCRBY', KEYS[1], 'views', 1)\n"            \
    "        most_read()\n"                                                   \
    "    end\n"                                                               \
    "end\n"                                                                   \
    "if not known then\n"                                                     \
    "    return {outcome}\n"                                                  \
    "end\n"                                                                   \
    "if not views then\n"                                                     \
    "    views = redis.call('HGET', KEYS[1], 'views')\n"                      \
    "end\n"                                                                   \
    "return {outcome, views, redis.call('HGETALL', KEYS[1])}\n"


/*
 * In a Redis Cluster the day's most read set is in another hash slot:
 * the caller adds the view to it apart (ngx_http_news_store_most_read()).
 */

static ngx_str_t  ngx_http_news_store_script[] = {
    ngx_string("local apart = false\n" NGX_HTTP_NEWS_STORE_SCRIPT),
    ngx_string("local apart = true\n" NGX_HTTP_NEWS_STORE_SCRIPT)
};


/* the script's outcomes, by the number it returns */

static ngx_http_news_view_e  ngx_http_news_store_outcomes[] = {
    NGX_HTTP_NEWS_VIEW_DRAFT,
    NGX_HTTP_NEWS_VIEW_COUNTED,
    NGX_HTTP_NEWS_VIEW_REPEAT,
    NGX_HTTP_NEWS_VIEW_SHOWN,
    NGX_HTTP_NEWS_VIEW_SCHEDULED
};


void
ngx_http_news_store_init(ngx_http_news_redis_script_t *script,
    ngx_uint_t most_read_apart)
{
    script->text = ngx_http_news_store_script[most_read_apart ? 1 : 0];
    ngx_http_news_redis_script_init(script);
}


/* the query's commands may write, so Redis may refuse them */

ngx_uint_t
ngx_http_news_store_writes(ngx_http_news_store_query_t *q)
{
    return q->count || q->rev.len;
}


/*
 * A view with a known revision is the script alone.  Without one, a
 * counted view is the script and HGETALL in one transaction, any other
 * view HGETALL alone (atomic by itself), and a beacon, which shows
 * nothing, the script alone.
 */

void
ngx_http_news_store_commands(ngx_http_news_store_query_t *q,
    ngx_http_news_redis_script_t *script)
{
    ngx_tm_t                        tm;
    ngx_uint_t                      argc;
    ngx_http_news_redis_command_t  *c;

    q->ncommands = 0;

    if (q->count || !q->fields || q->rev.len) {
        c = &q->command[q->ncommands++];

        argc = 0;
        q->argv[argc++] = q->key;

        if (q->mark.len) {
            q->argv[argc++] = q->mark;
        }

        c->script = script;
        c->nkeys = argc;

        if (q->mark.len) {
            q->argv[argc++] = q->window;
        }

        if (q->rev.len) {
            q->argv[argc++] = q->rev;

            if (q->count) {
                ngx_str_set(&q->argv[argc], "1");
                argc++;

                /* the most read set's day, made here once per view */

                ngx_gmtime(ngx_time(), &tm);

                (void) ngx_sprintf(q->day, "%04d%02d%02d", tm.ngx_tm_year,
                                   tm.ngx_tm_mon, tm.ngx_tm_mday);

                q->argv[argc].data = q->day;
                q->argv[argc].len = sizeof(q->day);

            } else {
                ngx_str_set(&q->argv[argc], "0");
            }

            argc++;
        }

        c->argc = argc;
        c->argv = q->argv;
    }

    if (q->fields && q->rev.len == 0) {
        c = &q->command[q->ncommands++];

        ngx_str_set(&q->argv[5], "HGETALL");
        q->argv[6] = q->key;

        c->script = NULL;
        c->nkeys = 0;
        c->argc = 2;
        c->argv = &q->argv[5];
    }
}


/*
 * A counted view in the day's most read set, in a Redis Cluster, where
 * the set cannot share the view's step: "<p>{lists}:most_read:<YYYYMMDD>"
 * (in the lists' slot, where a list page reads it with them) for a key
 * "<p>article:...", which expires 8 days after its first member came.
 * NGX_DECLINED for a key of another form: it has no most read.
 */

ngx_int_t
ngx_http_news_store_most_read(ngx_str_t *key, ngx_http_news_most_read_t *m)
{
    u_char    *p, *article;
    ngx_tm_t   tm;

    /* keys have no NUL (the handler checks) */

    article = (u_char *) ngx_strnstr(key->data, "article:", key->len);

    if (article == NULL
        || (size_t) (article - key->data)
           + sizeof("{lists}:most_read:YYYYMMDD")
           > sizeof(m->set))
    {
        return NGX_DECLINED;
    }

    ngx_gmtime(ngx_time(), &tm);

    p = ngx_cpymem(m->set, key->data, article - key->data);
    p = ngx_sprintf(p, "{lists}:most_read:%04d%02d%02d", tm.ngx_tm_year,
                    tm.ngx_tm_mon, tm.ngx_tm_mday);

    ngx_str_set(&m->argv[0], "ZINCRBY");
    m->argv[1].data = m->set;
    m->argv[1].len = p - m->set;
    ngx_str_set(&m->argv[2], "1");
    m->argv[3] = *key;

    ngx_str_set(&m->argv[4], "EXPIRE");
    m->argv[5] = m->argv[1];
    ngx_str_set(&m->argv[6], "691200");
    ngx_str_set(&m->argv[7], "NX");

    m->command[0].script = NULL;
    m->command[0].nkeys = 0;
    m->command[0].argc = 4;
    m->command[0].argv = &m->argv[0];

    m->command[1].script = NULL;
    m->command[1].nkeys = 0;
    m->command[1].argc = 4;
    m->command[1].argv = &m->argv[4];

    return NGX_OK;
}


/*
 * The reply to the commands of the query: NGX_OK with the view (and the
 * article, when its fields came), NGX_DECLINED for a missing article or
 * a draft, NGX_ERROR for a reply that cannot be read; the last two with
 * a reason.  Error replies never get here: the Redis layer tells them.
 */

ngx_int_t
ngx_http_news_store_view(ngx_http_news_store_query_t *q,
    ngx_http_news_redis_reply_t *reply, ngx_http_news_store_view_t *view,
    ngx_str_t *reason)
{
    ngx_int_t    rc;
    redisReply  *script, *fields;

    view->view = NGX_HTTP_NEWS_VIEW_SHOWN;
    view->views = 0;
    view->article = NULL;
    view->pool = NULL;

    script = NULL;
    fields = NULL;

    if (q->ncommands == 2) {

        /* EXEC's */

        if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2) {
            goto unexpected;
        }

        script = reply->element[0];
        fields = reply->element[1];

    } else if (q->command[0].script == NULL) {
        fields = reply;

    } else {
        script = reply;
    }

    if (script != NULL) {

        /* a kept article's counted view: the new count alone */

        if (script->type == REDIS_REPLY_INTEGER && q->rev.len && q->count) {
            view->view = NGX_HTTP_NEWS_VIEW_COUNTED;
            view->views = script->integer;
            return NGX_OK;
        }

        /* the hash comes with the script only to a page's known revision */

        rc = ngx_http_news_store_script_reply(script, view,
                                              (q->rev.len && q->fields)
                                              ? &fields : NULL,
                                              reason);
        if (rc != NGX_OK) {
            return rc;
        }
    }

    if (fields == NULL) {
        return NGX_OK;
    }

    if (fields->type == REDIS_REPLY_ARRAY && fields->elements == 0) {
        view->view = NGX_HTTP_NEWS_VIEW_MISSING;
        ngx_str_set(reason, "no such article");
        return NGX_DECLINED;
    }

    /*
     * The article may be kept after the request: a pool of its own, with
     * the cycle's log, which outlives the request's connection, and of
     * the size its fields need, since many are kept.
     */

    view->pool = ngx_create_pool(ngx_http_news_store_pool_size(fields),
                                 ngx_cycle->log);
    if (view->pool == NULL) {
        ngx_str_set(reason, "out of memory");
        return NGX_ERROR;
    }

    view->article = ngx_http_news_store_article(fields, view->pool, reason);

    if (view->article == NULL || view->article->draft) {
        ngx_destroy_pool(view->pool);
        view->pool = NULL;

        if (view->article == NULL) {
            return NGX_ERROR;
        }

        view->article = NULL;
        view->view = NGX_HTTP_NEWS_VIEW_DRAFT;
        ngx_str_set(reason, "article is a draft");
        return NGX_DECLINED;
    }

    if (script == NULL && ngx_http_news_store_scheduled(view->article)) {

        /* HGETALL alone: no script looked at the time */

        ngx_destroy_pool(view->pool);
        view->pool = NULL;
        view->article = NULL;
        view->view = NGX_HTTP_NEWS_VIEW_SCHEDULED;
        ngx_str_set(reason, "article is scheduled");
        return NGX_DECLINED;
    }

    if (script == NULL || q->rev.len == 0) {
        /* HGETALL came after the count: it holds the new one */
        view->views = view->article->views;
    }

    return NGX_OK;

unexpected:

    ngx_str_set(reason, "unexpected reply from Redis");

    return NGX_ERROR;
}


/* the script's reply; *fields gets the hash when it came with it */

static ngx_int_t
ngx_http_news_store_script_reply(redisReply *reply,
    ngx_http_news_store_view_t *view, redisReply **fields, ngx_str_t *reason)
{
    redisReply  *outcome, *views;

    if (reply->type == REDIS_REPLY_NIL) {
        view->view = NGX_HTTP_NEWS_VIEW_MISSING;
        ngx_str_set(reason, "no such article");
        return NGX_DECLINED;
    }

    if (reply->type != REDIS_REPLY_ARRAY
        || reply->elements < 1 || reply->elements > 3)
    {
        goto unexpected;
    }

    outcome = reply->element[0];

    if (outcome->type != REDIS_REPLY_INTEGER
        || outcome->integer < 0
        || outcome->integer >= (long long)
                               (sizeof(ngx_http_news_store_outcomes)
                                / sizeof(ngx_http_news_view_e)))
    {
        goto unexpected;
    }

    view->view = ngx_http_news_store_outcomes[outcome->integer];

    if (view->view == NGX_HTTP_NEWS_VIEW_DRAFT) {
        ngx_str_set(reason, "article is a draft");
        return NGX_DECLINED;
    }

    if (view->view == NGX_HTTP_NEWS_VIEW_SCHEDULED) {
        ngx_str_set(reason, "article is scheduled");
        return NGX_DECLINED;
    }

    if (reply->elements == 1) {
        return NGX_OK;
    }

    views = reply->element[1];

    switch (views->type) {

    case REDIS_REPLY_INTEGER:
        view->views = views->integer;
        break;

    case REDIS_REPLY_NIL:
        view->views = 0;
        break;

    case REDIS_REPLY_STRING:
        if (ngx_http_news_parse_views((u_char *) views->str, views->len,
                                      &view->views)
            != NGX_OK)
        {
            ngx_str_set(reason, "the views field is not an integer");
            return NGX_ERROR;
        }

        break;

    default:
        goto unexpected;
    }

    if (reply->elements == 3) {
        if (fields == NULL) {
            goto unexpected;
        }

        *fields = reply->element[2];
    }

    return NGX_OK;

unexpected:

    ngx_str_set(reason, "unexpected reply from Redis");

    return NGX_ERROR;
}


/*
 * One block for everything but the values too large for a pool's block
 * (nginx allocates those apart), with room for the tags and the rest.
 */

static size_t
ngx_http_news_store_pool_size(redisReply *fields)
{
    size_t  i, size, len;

    size = sizeof(ngx_pool_t) + 1024
           + fields->elements / 2 * (sizeof(ngx_str_t) * 2 + NGX_ALIGNMENT);

    for (i = 0; i + 1 < fields->elements; i += 2) {
        len = fields->element[i]->len + fields->element[i + 1]->len;

        if (len < NGX_MAX_ALLOC_FROM_POOL) {
            size += len;
        }
    }

    return ngx_min(size, NGX_DEFAULT_POOL_SIZE);
}


/*
 * HGETALL's reply, or a script's copy of it, as the article model: the
 * view's here, and the publishing API's (ngx_http_news_publish_store.c).
 */

ngx_http_news_article_t *
ngx_http_news_store_article(ngx_http_news_redis_reply_t *fields,
    ngx_pool_t *pool, ngx_str_t *reason)
{
    size_t                    i;
    redisReply               *k, *v;
    ngx_http_news_article_t  *a;

    if (fields->type != REDIS_REPLY_ARRAY || fields->elements % 2) {
        goto unexpected;
    }

    a = ngx_http_news_article_create(pool, fields->elements / 2);
    if (a == NULL) {
        goto failed;
    }

    for (i = 0; i < fields->elements; i += 2) {
        k = fields->element[i];
        v = fields->element[i + 1];

        if (k->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING) {
            goto unexpected;
        }

        if (ngx_http_news_article_add(a, pool, (u_char *) k->str, k->len,
                                      (u_char *) v->str, v->len)
            != NGX_OK)
        {
            goto failed;
        }
    }

    if (ngx_http_news_article_done(a, pool, reason) != NGX_OK) {
        return NULL;
    }

    return a;

unexpected:

    ngx_str_set(reason, "unexpected reply from Redis");

    return NULL;

failed:

    ngx_str_set(reason, "out of memory");

    return NULL;
}


/*
 * HMGET's reply (the values of names, nil for a field the hash lacks),
 * or a script's copy of it, as the article model: the list pages'
 * (ngx_http_news_list_store.c).  NGX_DECLINED for a hash that is not
 * an article (views not a number), NGX_ERROR for a reply that is not
 * HMGET's or no memory; both with the reason.
 */

ngx_int_t
ngx_http_news_store_fields(ngx_str_t *names, ngx_uint_t nnames,
    ngx_http_news_redis_reply_t *values, ngx_pool_t *pool,
    ngx_http_news_article_t **article, ngx_str_t *reason)
{
    size_t                    i;
    redisReply               *v;
    ngx_http_news_article_t  *a;

    if (values->type != REDIS_REPLY_ARRAY || values->elements != nnames) {
        ngx_str_set(reason, "unexpected reply from Redis");
        return NGX_ERROR;
    }

    a = ngx_http_news_article_create(pool, nnames);
    if (a == NULL) {
        goto failed;
    }

    for (i = 0; i < nnames; i++) {
        v = values->element[i];

        if (v->type == REDIS_REPLY_NIL) {
            continue;
        }

        if (v->type != REDIS_REPLY_STRING) {
            ngx_str_set(reason, "unexpected reply from Redis");
            return NGX_ERROR;
        }

        if (ngx_http_news_article_add(a, pool, names[i].data, names[i].len,
                                      (u_char *) v->str, v->len)
            != NGX_OK)
        {
            goto failed;
        }
    }

    if (ngx_http_news_article_done(a, pool, reason) != NGX_OK) {
        return NGX_DECLINED;
    }

    *article = a;

    return NGX_OK;

failed:

    ngx_str_set(reason, "out of memory");

    return NGX_ERROR;
}


/*
 * published_ts (Unix seconds, written by the publishing API) after now:
 * the same test as the view script's, by this worker's clock.
 */

static ngx_uint_t
ngx_http_news_store_scheduled(ngx_http_news_article_t *a)
{
    time_t       ts;
    ngx_str_t   *name, *value;
    ngx_uint_t   i;

    for (i = 0; i < a->npairs; i++) {
        name = &a->pairs[i].name;
        value = &a->pairs[i].value;

        if (name->len == sizeof("published_ts") - 1
            && ngx_strncmp(name->data, "published_ts",
                           sizeof("published_ts") - 1)
               == 0)
        {
            ts = ngx_atotm(value->data, value->len);

            return (ts != (time_t) NGX_ERROR && ts > ngx_time());
        }
    }

    return 0;
}
