
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include <hiredis/hiredis.h>

#include "ngx_http_news_list_store.h"
#include "ngx_http_news_store.h"


#define ngx_http_news_list_store_nelts(a)  (sizeof(a) / sizeof(a[0]))


/* the fields read of each article */
typedef struct {
    ngx_str_t                  *names;
    ngx_uint_t                  n;
} ngx_http_news_list_store_fields_t;


static ngx_int_t ngx_http_news_list_store_items(redisReply *reply,
    ngx_str_t *fields, ngx_uint_t nfields, ngx_pool_t *pool,
    ngx_http_news_list_item_t **items, ngx_uint_t *nitems,
    ngx_str_t *reason);
static ngx_int_t ngx_http_news_list_store_day(ngx_str_t *prefix,
    time_t t, ngx_pool_t *pool, ngx_str_t *key);
static ngx_int_t ngx_http_news_list_store_keys(redisReply *reply,
    ngx_pool_t *pool, ngx_http_news_list_item_t **items, ngx_uint_t *nitems,
    ngx_str_t *reason);
static ngx_int_t ngx_http_news_list_store_number(redisReply *r);


/*
 * The list script reads one page of a list and the fields of each of
 * its articles, in one round trip and without writing anything.
 *
 *   KEYS     the list: one sorted set, or the most read days to add up;
 *            then the days of the most read box, if any
 *   ARGV[1]  "r": a list by date, ZREVRANGEBYSCORE from ARGV[3] (now:
 *            scheduled articles wait in the lists with a future score)
 *            down to ARGV[4]; "u": most read, one day or the sum of
 *            several (ZUNION, which stores nothing), most views first
 *   ARGV[2]  how many of KEYS are the list's
 *   ARGV[5]  the offset, ARGV[6] how many (0: the total alone)
 *   ARGV[7]  the size of the most read box (0: none)
 *   ARGV[8]  now, Unix seconds
 *   ARGV[9]  and on: the fields to read, "status" and "published_ts"
 *            first
 *
 * An article whose hash is gone (none of the fields), a draft, or a
 * scheduled one is left out, whatever a list says: the write script
 * keeps the lists right, this is for a list edited by hand.
 *
 * It returns {total, {key, score, {values}, ...}} and, with a box, its
 * articles as a third element.
 */

#define NGX_HTTP_NEWS_LIST_STORE_ARGS                                         \
    "local n, max, min = tonumber(ARGV[2]), ARGV[3], ARGV[4]\n"               \
    "local offset, count = tonumber(ARGV[5]), tonumber(ARGV[6])\n"            \
    "local box, now = tonumber(ARGV[7]), tonumber(ARGV[8])\n"                 \
    "local fields = {unpack(ARGV, 9)}\n"

#define NGX_HTTP_NEWS_LIST_STORE_RANGE                                        \
    "local function most(first, last, from, c)\n"                             \
    "    if first == last then\n"                                             \
    "        local total = redis.call('ZCARD', KEYS[first])\n"                \
    "        if c == 0 then\n"                                                \
    "            return {}, total\n"                                          \
    "        end\n"                                                           \
    "        return redis.call('ZREVRANGE', KEYS[first], from, from + c - "   \
    "1,\n"                                                                    \
    "                          'WITHSCORES'), total\n"                        \
    "    end\n"                                                               \
    "    local args = {unpack(KEYS, first, last)}\n"                          \
    "    args[#args + 1] = 'WITHSCORES'\n"                                    \
    "    local all = redis.call('ZUNION', last - first + 1, unpack(args))\n"  \
    "    local ids = {}\n"                                                    \
    "    local i = #all - 1 - 2 * from\n"                                     \
    "    while i >= 1 and #ids < 2 * c do\n"                                  \
    "        ids[#ids + 1] = all[i]\n"                                        \
    "        ids[#ids + 1] = all[i + 1]\n"                                    \
    "        i = i - 2\n"                                                     \
    "    end\n"                                                               \
    "    return ids, #all / 2\n"                                              \
    "end\n"                                                                   \
    "local total, ids\n"                                                      \
    "if ARGV[1] == 'r' then\n"                                                \
    "    total = redis.call('ZCOUNT', KEYS[1], min, max)\n"                   \
    "    ids = {}\n"                                                          \
    "    if count > 0 then\n"                                                 \
    "        ids = redis.call('ZREVRANGEBYSCORE', KEYS[1], max, min,\n"       \
    "                         'WITHSCORES', 'LIMIT', offset, count)\n"        \
    "    end\n"                                                               \
    "else\n"                                                                  \
    "    ids, total = most(1, n, offset, count)\n"                            \
    "end\n"                                                                   \
    "local result = {total, read(ids)}\n"                                     \
    "if box > 0 and #KEYS > n then\n"                                         \
    "    result[3] = read((most(n + 1, #KEYS, 0, box)))\n"                    \
    "end\n"                                                                   \
    "return result\n"


static ngx_str_t  ngx_http_news_list_store_text = ngx_string(
    NGX_HTTP_NEWS_LIST_STORE_ARGS
    "local function read(ids)\n"
    "    local out = {}\n"
    "    for i = 1, #ids, 2 do\n"
    "        local h = redis.call('HMGET', ids[i], unpack(fields))\n"
    "        local found = false\n"
    "        for j = 1, #fields do\n"
    "            if h[j] then\n"
    "                found = true\n"
    "                break\n"
    "            end\n"
    "        end\n"
    "        if found and h[1] ~= 'draft'\n"
    "           and not (h[2] and (tonumber(h[2]) or 0) > now) then\n"
    "            out[#out + 1] = ids[i]\n"
    "            out[#out + 1] = ids[i + 1]\n"
    "            out[#out + 1] = h\n"
    "        end\n"
    "    end\n"
    "    return out\n"
    "end\n"
    NGX_HTTP_NEWS_LIST_STORE_RANGE
);


/*
 * In a Redis Cluster the articles are in slots of their own: the same
 * script, in the lists' slot, returns the keys and scores alone
 * ({key, score, ...}), and each article's fields are read apart
 * (ngx_http_news_list_store_fields_command()).
 */

static ngx_str_t  ngx_http_news_list_store_cluster_text = ngx_string(
    NGX_HTTP_NEWS_LIST_STORE_ARGS
    "local function read(ids)\n"
    "    return ids\n"
    "end\n"
    NGX_HTTP_NEWS_LIST_STORE_RANGE
);


static ngx_http_news_redis_script_t  ngx_http_news_list_store_lua = {
    ngx_null_string, { 0 }
};


static ngx_http_news_redis_script_t  ngx_http_news_list_store_cluster_lua = {
    ngx_null_string, { 0 }
};


/*
 * "status" and "published_ts" first: the script reads them there; the
 * body last: only a feed with the full text reads it.
 */

static ngx_str_t  ngx_http_news_list_store_summary[] = {
    ngx_string("status"),
    ngx_string("published_ts"),
    ngx_string("title"),
    ngx_string("summary"),
    ngx_string("image"),
    ngx_string("image_alt"),
    ngx_string("author"),
    ngx_string("authors"),
    ngx_string("category"),
    ngx_string("tags"),
    ngx_string("published_at"),
    ngx_string("updated_at"),
    ngx_string("views"),
    ngx_string("rev"),
    ngx_string("seo_title"),
    ngx_string("body")
};


static ngx_str_t  ngx_http_news_list_store_dates[] = {
    ngx_string("status"),
    ngx_string("published_ts"),
    ngx_string("published_at"),
    ngx_string("updated_at"),
    ngx_string("rev")
};


/* by ngx_http_news_list_fields_e */

static ngx_http_news_list_store_fields_t  ngx_http_news_list_store_fields[] = {
    { ngx_http_news_list_store_summary,
      ngx_http_news_list_store_nelts(ngx_http_news_list_store_summary) - 1 },
    { ngx_http_news_list_store_dates,
      ngx_http_news_list_store_nelts(ngx_http_news_list_store_dates) },
    { ngx_http_news_list_store_summary,
      ngx_http_news_list_store_nelts(ngx_http_news_list_store_summary) }
};


static ngx_str_t  ngx_http_news_list_store_kinds[] = {
    ngx_string("latest"),
    ngx_string("section:"),
    ngx_string("tag:"),
    ngx_string("author:")
};


ngx_http_news_redis_script_t *
ngx_http_news_list_store_script(void)
{
    ngx_http_news_redis_script_t  *s;

    s = &ngx_http_news_list_store_lua;

    if (s->text.len == 0) {
        s->text = ngx_http_news_list_store_text;
        ngx_http_news_redis_script_init(s);
    }

    return s;
}


ngx_http_news_redis_script_t *
ngx_http_news_list_store_cluster_script(void)
{
    ngx_http_news_redis_script_t  *s;

    s = &ngx_http_news_list_store_cluster_lua;

    if (s->text.len == 0) {
        s->text = ngx_http_news_list_store_cluster_text;
        ngx_http_news_redis_script_init(s);
    }

    return s;
}


/*
 * The keys and arguments of the list script, in the pool.  In a Cluster
 * q->prefix is the lists' own, "<news_key_prefix>{lists}:".
 */

ngx_int_t
ngx_http_news_list_store_command(ngx_http_news_list_query_t *q,
    ngx_pool_t *pool)
{
    u_char      *p;
    ngx_str_t   *argv, *fields;
    ngx_uint_t   i, n, nfields, nbox, argc;

    fields = ngx_http_news_list_store_fields[q->fields].names;
    nfields = ngx_http_news_list_store_fields[q->fields].n;

    switch (q->kind) {

    case NGX_HTTP_NEWS_LIST_MOST_READ_DAY:
        n = 1;
        break;

    case NGX_HTTP_NEWS_LIST_MOST_READ_WEEK:
        n = NGX_HTTP_NEWS_LIST_WEEK;
        break;

    default:
        n = 1;
        break;
    }

    nbox = q->box ? 1 : 0;

    argv = ngx_palloc(pool, (n + nbox + 8 + nfields) * sizeof(ngx_str_t));
    if (argv == NULL) {
        return NGX_ERROR;
    }

    argc = 0;

    if (q->kind == NGX_HTTP_NEWS_LIST_MOST_READ_DAY
        || q->kind == NGX_HTTP_NEWS_LIST_MOST_READ_WEEK)
    {
        for (i = 0; i < n; i++) {
            if (ngx_http_news_list_store_day(&q->prefix, q->now - i * 86400,
                                             pool, &argv[argc++])
                != NGX_OK)
            {
                return NGX_ERROR;
            }
        }

    } else {
        p = ngx_pnalloc(pool, q->prefix.len + sizeof("section:") - 1
                              + q->name.len);
        if (p == NULL) {
            return NGX_ERROR;
        }

        argv[argc].data = p;
        p = ngx_cpymem(p, q->prefix.data, q->prefix.len);
        p = ngx_cpymem(p, ngx_http_news_list_store_kinds[q->kind].data,
                       ngx_http_news_list_store_kinds[q->kind].len);
        p = ngx_cpymem(p, q->name.data, q->name.len);
        argv[argc].len = p - argv[argc].data;
        argc++;
    }

    if (nbox
        && ngx_http_news_list_store_day(&q->prefix, q->now, pool,
                                        &argv[argc++])
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    q->nkeys = n;

    /* the numbers, each printed into one buffer */

    p = ngx_pnalloc(pool, 6 * NGX_INT64_LEN);
    if (p == NULL) {
        return NGX_ERROR;
    }

    if (q->kind == NGX_HTTP_NEWS_LIST_MOST_READ_DAY
        || q->kind == NGX_HTTP_NEWS_LIST_MOST_READ_WEEK)
    {
        ngx_str_set(&argv[argc], "u");

    } else {
        ngx_str_set(&argv[argc], "r");
    }

    argc++;

#define ngx_http_news_list_store_num(fmt, v)                                  \
    argv[argc].data = p;                                                      \
    p = ngx_sprintf(p, fmt, v);                                               \
    argv[argc].len = p - argv[argc].data;                                     \
    argc++

    ngx_http_news_list_store_num("%ui", n);
    ngx_http_news_list_store_num("%T", q->now);

    if (q->since) {
        ngx_http_news_list_store_num("%T", q->since);

    } else {
        ngx_str_set(&argv[argc], "-inf");
        argc++;
    }

    ngx_http_news_list_store_num("%ui", q->offset);
    ngx_http_news_list_store_num("%ui", q->count);
    ngx_http_news_list_store_num("%ui", q->box);
    ngx_http_news_list_store_num("%T", q->now);

#undef ngx_http_news_list_store_num

    for (i = 0; i < nfields; i++) {
        argv[argc++] = fields[i];
    }

    q->command.script = q->cluster ? ngx_http_news_list_store_cluster_script()
                                   : ngx_http_news_list_store_script();
    q->command.nkeys = n + nbox;
    q->command.argc = argc;
    q->command.argv = argv;

    return NGX_OK;
}


static ngx_int_t
ngx_http_news_list_store_day(ngx_str_t *prefix, time_t t, ngx_pool_t *pool,
    ngx_str_t *key)
{
    u_char    *p;
    ngx_tm_t   tm;

    p = ngx_pnalloc(pool, prefix->len + sizeof("most_read:YYYYMMDD") - 1);
    if (p == NULL) {
        return NGX_ERROR;
    }

    ngx_gmtime(t, &tm);

    key->data = p;
    p = ngx_cpymem(p, prefix->data, prefix->len);
    p = ngx_sprintf(p, "most_read:%04d%02d%02d", tm.ngx_tm_year,
                    tm.ngx_tm_mon, tm.ngx_tm_mday);
    key->len = p - key->data;

    return NGX_OK;
}


/*
 * The script's reply as the list's total, items and box, each article in
 * the pool: NGX_OK, or NGX_ERROR with a reason for a reply that cannot
 * be read.  Error replies never get here: the Redis layer tells them.
 */

ngx_int_t
ngx_http_news_list_store_reply(ngx_http_news_list_query_t *q,
    ngx_http_news_redis_reply_t *reply, ngx_pool_t *pool,
    ngx_http_news_list_t *list, ngx_str_t *reason)
{
    ngx_str_t   *fields;
    ngx_uint_t   nfields;

    fields = ngx_http_news_list_store_fields[q->fields].names;
    nfields = ngx_http_news_list_store_fields[q->fields].n;

    list->items = NULL;
    list->nitems = 0;
    list->box = NULL;
    list->nbox = 0;

    if (reply->type != REDIS_REPLY_ARRAY
        || reply->elements < 2 || reply->elements > 3
        || reply->element[0]->type != REDIS_REPLY_INTEGER
        || reply->element[0]->integer < 0)
    {
        ngx_str_set(reason, "unexpected reply from Redis");
        return NGX_ERROR;
    }

    list->total = (ngx_uint_t) reply->element[0]->integer;

    if (q->cluster) {
        if (ngx_http_news_list_store_keys(reply->element[1], pool,
                                          &list->items, &list->nitems,
                                          reason)
            != NGX_OK)
        {
            return NGX_ERROR;
        }

        if (reply->elements == 3) {
            return ngx_http_news_list_store_keys(reply->element[2], pool,
                                                 &list->box, &list->nbox,
                                                 reason);
        }

        return NGX_OK;
    }

    if (ngx_http_news_list_store_items(reply->element[1], fields, nfields,
                                       pool, &list->items, &list->nitems,
                                       reason)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (reply->elements == 3) {
        return ngx_http_news_list_store_items(reply->element[2], fields,
                                              nfields, pool, &list->box,
                                              &list->nbox, reason);
    }

    return NGX_OK;
}


/* {key, score, ...} of the Cluster's script: items without articles yet */

static ngx_int_t
ngx_http_news_list_store_keys(redisReply *reply, ngx_pool_t *pool,
    ngx_http_news_list_item_t **items, ngx_uint_t *nitems, ngx_str_t *reason)
{
    size_t                      i;
    redisReply                 *key, *score;
    ngx_http_news_list_item_t  *item;

    *nitems = 0;

    if (reply->type != REDIS_REPLY_ARRAY || reply->elements % 2) {
        ngx_str_set(reason, "unexpected reply from Redis");
        return NGX_ERROR;
    }

    if (reply->elements == 0) {
        return NGX_OK;
    }

    *items = ngx_pcalloc(pool, reply->elements / 2
                               * sizeof(ngx_http_news_list_item_t));
    if (*items == NULL) {
        ngx_str_set(reason, "out of memory");
        return NGX_ERROR;
    }

    for (i = 0; i < reply->elements; i += 2) {
        key = reply->element[i];
        score = reply->element[i + 1];

        if (key->type != REDIS_REPLY_STRING
            || score->type != REDIS_REPLY_STRING)
        {
            ngx_str_set(reason, "unexpected reply from Redis");
            return NGX_ERROR;
        }

        item = &(*items)[(*nitems)++];

        item->key.data = ngx_pnalloc(pool, key->len);
        if (item->key.data == NULL) {
            ngx_str_set(reason, "out of memory");
            return NGX_ERROR;
        }

        item->key.len = key->len;
        ngx_memcpy(item->key.data, key->str, key->len);

        item->score = (int64_t) strtod(score->str, NULL);
    }

    return NGX_OK;
}


/*
 * In a Cluster, the command that reads one article's fields (HMGET, to
 * the article's own node), in the pool.
 */

ngx_int_t
ngx_http_news_list_store_fields_command(ngx_http_news_list_query_t *q,
    ngx_str_t *key, ngx_pool_t *pool, ngx_http_news_redis_command_t *command)
{
    ngx_str_t   *argv, *fields;
    ngx_uint_t   nfields;

    fields = ngx_http_news_list_store_fields[q->fields].names;
    nfields = ngx_http_news_list_store_fields[q->fields].n;

    argv = ngx_palloc(pool, (2 + nfields) * sizeof(ngx_str_t));
    if (argv == NULL) {
        return NGX_ERROR;
    }

    ngx_str_set(&argv[0], "HMGET");
    argv[1] = *key;
    ngx_memcpy(&argv[2], fields, nfields * sizeof(ngx_str_t));

    command->script = NULL;
    command->nkeys = 0;
    command->argc = 2 + nfields;
    command->argv = argv;

    return NGX_OK;
}


/*
 * Its reply as the item's article: NGX_OK; NGX_DECLINED for an article
 * the list script would leave out (none of the fields, a draft, a
 * published_ts after now) or one that cannot be read; NGX_ERROR with a
 * reason for a reply that is not HMGET's.
 */

ngx_int_t
ngx_http_news_list_store_fields_reply(ngx_http_news_list_query_t *q,
    ngx_http_news_redis_reply_t *reply, ngx_pool_t *pool,
    ngx_http_news_list_item_t *item, ngx_str_t *reason)
{
    size_t       i;
    ngx_int_t    ts;
    ngx_str_t   *fields;
    ngx_uint_t   nfields, found;
    redisReply  *status, *published;

    fields = ngx_http_news_list_store_fields[q->fields].names;
    nfields = ngx_http_news_list_store_fields[q->fields].n;

    item->article = NULL;

    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != nfields) {
        ngx_str_set(reason, "unexpected reply from Redis");
        return NGX_ERROR;
    }

    found = 0;

    for (i = 0; i < nfields; i++) {
        if (reply->element[i]->type != REDIS_REPLY_NIL) {
            found = 1;
            break;
        }
    }

    /* as the list script: "status" first, then "published_ts" */

    status = reply->element[0];
    published = reply->element[1];

    if (!found
        || (status->type == REDIS_REPLY_STRING && status->len == 5
            && ngx_strncmp(status->str, "draft", 5) == 0))
    {
        return NGX_DECLINED;
    }

    if (published->type == REDIS_REPLY_STRING) {
        ts = ngx_http_news_list_store_number(published);

        if (ts > 0 && ts > q->now) {
            return NGX_DECLINED;
        }
    }

    return ngx_http_news_store_fields(fields, nfields, reply, pool,
                                      &item->article, reason);
}


/*
 * A number as Lua's tonumber() reads the few forms a published_ts may
 * take ("1762248600", "1762248600.0"); 0 (shown, as Lua's "or 0") for
 * anything else.
 */

static ngx_int_t
ngx_http_news_list_store_number(redisReply *r)
{
    char    *end;
    double   d;
    u_char   buf[32];

    if (r->len == 0 || r->len >= sizeof(buf)) {
        return 0;
    }

    ngx_memcpy(buf, r->str, r->len);
    buf[r->len] = '\0';

    d = strtod((char *) buf, &end);

    if (*end != '\0' || d != d) {
        return 0;
    }

    if (d > 1e15) {
        return NGX_MAX_INT_T_VALUE;
    }

    if (d < 0) {
        return 0;
    }

    return (ngx_int_t) d;
}


/* {key, score, {values}, ...}: each an item with its article */

static ngx_int_t
ngx_http_news_list_store_items(redisReply *reply, ngx_str_t *fields,
    ngx_uint_t nfields, ngx_pool_t *pool, ngx_http_news_list_item_t **items,
    ngx_uint_t *nitems, ngx_str_t *reason)
{
    size_t                      i;
    ngx_int_t                   rc;
    redisReply                 *key, *score, *values;
    ngx_http_news_list_item_t  *item;

    if (reply->type != REDIS_REPLY_ARRAY || reply->elements % 3) {
        goto unexpected;
    }

    *nitems = 0;

    if (reply->elements == 0) {
        return NGX_OK;
    }

    *items = ngx_pcalloc(pool, reply->elements / 3
                               * sizeof(ngx_http_news_list_item_t));
    if (*items == NULL) {
        goto failed;
    }

    for (i = 0; i < reply->elements; i += 3) {
        key = reply->element[i];
        score = reply->element[i + 1];
        values = reply->element[i + 2];

        if (key->type != REDIS_REPLY_STRING
            || score->type != REDIS_REPLY_STRING)
        {
            goto unexpected;
        }

        item = &(*items)[*nitems];

        /*
         * The article, by the store's one conversion; one that cannot
         * be read (its views not a number) is left out: one bad hash
         * does not take the whole list down.
         */

        rc = ngx_http_news_store_fields(fields, nfields, values, pool,
                                        &item->article, reason);

        if (rc == NGX_DECLINED) {
            continue;
        }

        if (rc != NGX_OK) {
            return NGX_ERROR;
        }

        item->key.data = ngx_pnalloc(pool, key->len);
        if (item->key.data == NULL) {
            goto failed;
        }

        item->key.len = key->len;
        ngx_memcpy(item->key.data, key->str, key->len);

        /* scores are integers (dates, counts) that Redis keeps as doubles */

        item->score = (int64_t) strtod(score->str, NULL);

        (*nitems)++;
    }

    return NGX_OK;

unexpected:

    ngx_str_set(reason, "unexpected reply from Redis");

    return NGX_ERROR;

failed:

    ngx_str_set(reason, "out of memory");

    return NGX_ERROR;
}
