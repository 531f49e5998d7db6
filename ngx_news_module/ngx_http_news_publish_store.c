
/*
 * Copyright (C) ngx_news_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include <hiredis/hiredis.h>

#include "ngx_http_news_publish_store.h"
#include "ngx_http_news_store.h"


static ngx_int_t ngx_http_news_publish_store_cluster_query(
    ngx_http_news_publish_query_t *q, ngx_str_t *prefix, ngx_str_t *slug,
    ngx_pool_t *pool);
static ngx_int_t ngx_http_news_publish_store_write(
    ngx_http_news_publish_query_t *q, redisReply *reply, ngx_pool_t *pool,
    ngx_http_news_publish_reply_t *out, ngx_str_t *reason);
static ngx_int_t ngx_http_news_publish_store_step(redisReply *reply,
    ngx_pool_t *pool, ngx_http_news_publish_reply_t *out, ngx_str_t *reason);
static ngx_array_t *ngx_http_news_publish_store_names(redisReply *r,
    ngx_pool_t *pool);
static ngx_int_t ngx_http_news_publish_store_article(redisReply *fields,
    ngx_pool_t *pool, ngx_http_news_publish_reply_t *out, ngx_str_t *reason);


/*
 * The write script: one atomic step for a PUT, PATCH or DELETE.
 *
 *   KEYS[1]  the article, <prefix>article:<slug>
 *   KEYS[2]  the revision counter, <prefix>rev
 *   KEYS[3]  the lists the article is in, <prefix>indexed:<slug> (a set)
 *   ARGV[1]  "put", "patch" or "delete"
 *   ARGV[2]  the prefix
 *   ARGV[3]  If-Match: "" (none), else the revisions it names, each
 *            after a "\n", "*" for any
 *   ARGV[4]  If-None-Match, the same way
 *   ARGV[5]  the fields: a JSON array of names, each followed by its
 *            value or null (remove it)
 *
 * The conditions are tested against the stored revision before anything
 * is written.  Every write then takes the article out of every list it
 * was in (as the set says, so that an edit by hand in between leaves no
 * entry behind) and writes:
 *
 *   - the fields: a PUT replaces the hash but keeps "views", and
 *     "published_at" unless it gives one; a PATCH changes those given;
 *   - "updated_at": now, unless the edit gives one;
 *   - "published_at": now, for a published article that has none;
 *   - "published_ts": published_at as Unix seconds, read as the pages
 *     read it (none when it cannot be read);
 *   - "rev": from the counter, so never reused for any key, even after a
 *     DELETE and a new PUT.
 *
 * A published article with a readable date goes into <prefix>latest,
 * <prefix>section:<category>, <prefix>tag:<tag> and
 * <prefix>author:<name> (names lowercased, each run of characters other
 * than a-z, 0-9 and non-ASCII bytes made one "-"), scored by
 * published_ts: a scheduled article is in them with a score in the
 * future, which readers leave out by asking up to now.  A draft is in
 * none, and neither a draft nor a deleted article stays in the most read
 * sets of the last 8 days.  "Now" is Redis' clock, as for the views.
 *
 * It returns {1 created or 2 updated, rev, the hash}, {3, rev} when
 * If-Match did not match, {6, rev} when If-None-Match did, {4} for a
 * PATCH or DELETE of a missing article and {5} for a deletion.
 */

#define NGX_HTTP_NEWS_PUBLISH_STORE_CHECKS                                    \
    "local key, op, prefix = KEYS[1], ARGV[1], ARGV[2]\n"                     \
    "local cur = redis.call('HMGET', key, 'rev', 'views', 'published_at')\n"  \
    "local exists = redis.call('EXISTS', key) == 1\n"                         \
    "local function match(list)\n"                                            \
    "    for tag in string.gmatch(list, '[^\\n]+') do\n"                      \
    "        if (tag == '*' and exists) or tag == cur[1] then\n"              \
    "            return true\n"                                               \
    "        end\n"                                                           \
    "    end\n"                                                               \
    "    return false\n"                                                      \
    "end\n"                                                                   \
    "if ARGV[3] ~= '' and not match(ARGV[3]) then\n"                          \
    "    return {3, cur[1]}\n"                                                \
    "end\n"                                                                   \
    "if ARGV[4] ~= '' and match(ARGV[4]) then\n"                              \
    "    return {6, cur[1]}\n"                                                \
    "end\n"

#define NGX_HTTP_NEWS_PUBLISH_STORE_EXISTS                                    \
    "if op ~= 'put' and not exists then\n"                                    \
    "    return {4}\n"                                                        \
    "end\n"

#define NGX_HTTP_NEWS_PUBLISH_STORE_NOW                                       \
    "local now = tonumber(redis.call('TIME')[1])\n"                           \
    "local function ymd(t)\n"                                                 \
    "    local z = math.floor(t / 86400) + 719468\n"                          \
    "    local era = math.floor(z / 146097)\n"                                \
    "    local doe = z - era * 146097\n"                                      \
    "    local yoe = math.floor((doe - math.floor(doe / 1460)\n"              \
    "        + math.floor(doe / 36524) - math.floor(doe / 146096)) / 365)\n"  \
    "    local doy = doe - 365 * yoe - math.floor(yoe / 4)\n"                 \
    "                + math.floor(yoe / 100)\n"                               \
    "    local mp = math.floor((5 * doy + 2) / 153)\n"                        \
    "    local m = mp < 10 and mp + 3 or mp - 9\n"                            \
    "    return yoe + era * 400 + (m < 3 and 1 or 0), m,\n"                   \
    "           doy - math.floor((153 * mp + 2) / 5) + 1\n"                   \
    "end\n"                                                                   \
    "local function iso(t)\n"                                                 \
    "    local y, m, d = ymd(t)\n"                                            \
    "    local s = t % 86400\n"                                               \
    "    return string.format('%04d-%02d-%02dT%02d:%02d:%02dZ', y, m, d,\n"   \
    "                         math.floor(s / 3600), math.floor(s / 60) % "    \
    "60,\n"                                                                   \
    "                         s % 60)\n"                                      \
    "end\n"                                                                   \
    "local function stamp(v)\n"                                               \
    "    if string.match(v, '^%d+$') then\n"                                  \
    "        return #v <= 12 and tonumber(v) or nil\n"                        \
    "    end\n"                                                               \
    "    local y, m, d, hh, mm, ss = string.match(v,\n"                       \
    "        '^(%d%d%d%d)%-(%d%d)%-(%d%d)[T ](%d%d):(%d%d):(%d%d)Z$')\n"      \
    "    if not y then\n"                                                     \
    "        return nil\n"                                                    \
    "    end\n"                                                               \
    "    y, m, d = tonumber(y), tonumber(m), tonumber(d)\n"                   \
    "    hh, mm, ss = tonumber(hh), tonumber(mm), tonumber(ss)\n"             \
    "    if y < 1970 or m < 1 or m > 12 or d < 1 or d > 31 or hh > 23\n"      \
    "       or mm > 59 or ss > 60 then\n"                                     \
    "        return nil\n"                                                    \
    "    end\n"                                                               \
    "    if m <= 2 then\n"                                                    \
    "        y = y - 1\n"                                                     \
    "    end\n"                                                               \
    "    local era = math.floor(y / 400)\n"                                   \
    "    local yoe = y - era * 400\n"                                         \
    "    local doy = math.floor((153 * (m + (m > 2 and -3 or 9)) + 2) / 5)\n" \
    "                + d - 1\n"                                               \
    "    local doe = yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / "     \
    "100)\n"                                                                  \
    "                + doy\n"                                                 \
    "    return (era * 146097 + doe - 719468) * 86400\n"                      \
    "           + hh * 3600 + mm * 60 + ss\n"                                 \
    "end\n"

#define NGX_HTTP_NEWS_PUBLISH_STORE_FIELDS                                    \
    "local f = cjson.decode(ARGV[5])\n"                                       \
    "local set, del, given = {}, {}, {}\n"                                    \
    "for i = 1, #f, 2 do\n"                                                   \
    "    given[f[i]] = true\n"                                                \
    "    if f[i + 1] == cjson.null then\n"                                    \
    "        del[#del + 1] = f[i]\n"                                          \
    "    else\n"                                                              \
    "        set[#set + 1] = f[i]\n"                                          \
    "        set[#set + 1] = f[i + 1]\n"                                      \
    "    end\n"                                                               \
    "end\n"                                                                   \
    "if op == 'put' then\n"                                                   \
    "    redis.call('DEL', key)\n"                                            \
    "    if cur[2] then\n"                                                    \
    "        set[#set + 1] = 'views'\n"                                       \
    "        set[#set + 1] = cur[2]\n"                                        \
    "    end\n"                                                               \
    "    if cur[3] and not given.published_at then\n"                         \
    "        set[#set + 1] = 'published_at'\n"                                \
    "        set[#set + 1] = cur[3]\n"                                        \
    "    end\n"                                                               \
    "end\n"                                                                   \
    "if #del > 0 then\n"                                                      \
    "    redis.call('HDEL', key, unpack(del))\n"                              \
    "end\n"                                                                   \
    "if not given.updated_at then\n"                                          \
    "    set[#set + 1] = 'updated_at'\n"                                      \
    "    set[#set + 1] = iso(now)\n"                                          \
    "end\n"                                                                   \
    "if #set > 0 then\n"                                                      \
    "    redis.call('HSET', key, unpack(set))\n"                              \
    "end\n"                                                                   \
    "local h = redis.call('HMGET', key, 'status', 'published_at', "           \
    "'category',\n"                                                           \
    "                     'tags', 'author', 'authors')\n"                     \
    "local draft = h[1] == 'draft'\n"                                         \
    "local more = {}\n"                                                       \
    "if not h[2] and not draft then\n"                                        \
    "    h[2] = iso(now)\n"                                                   \
    "    more = {'published_at', h[2]}\n"                                     \
    "end\n"                                                                   \
    "local ts = h[2] and stamp(h[2])\n"                                       \
    "if ts then\n"                                                            \
    "    more[#more + 1] = 'published_ts'\n"                                  \
    "    more[#more + 1] = string.format('%d', ts)\n"                         \
    "else\n"                                                                  \
    "    redis.call('HDEL', key, 'published_ts')\n"                           \
    "end\n"                                                                   \
    "local rev = tostring(redis.call('INCR', KEYS[2]))\n"                     \
    "more[#more + 1] = 'rev'\n"                                               \
    "more[#more + 1] = rev\n"                                                 \
    "redis.call('HSET', key, unpack(more))\n"

#define NGX_HTTP_NEWS_PUBLISH_STORE_LISTS                                     \
    "local list = {}\n"                                                       \
    "local function add(kind, v)\n"                                           \
    "    if type(v) == 'string' then\n"                                       \
    "        v = string.gsub(string.lower(v), '[^%w\\128-\\255]+', '-')\n"    \
    "        v = string.gsub(v, '^%-*(.-)%-*$', '%1')\n"                      \
    "        if v ~= '' then\n"                                               \
    "            list[#list + 1] = prefix .. kind .. v\n"                     \
    "        end\n"                                                           \
    "    end\n"                                                               \
    "end\n"                                                                   \
    "if ts and not draft then\n"                                              \
    "    list[1] = prefix .. 'latest'\n"                                      \
    "    add('section:', h[3])\n"                                             \
    "    if h[4] then\n"                                                      \
    "        local ok, t = pcall(cjson.decode, h[4])\n"                       \
    "        if ok and type(t) == 'table' then\n"                             \
    "            for _, v in ipairs(t) do\n"                                  \
    "                add('tag:', v)\n"                                        \
    "            end\n"                                                       \
    "        else\n"                                                          \
    "            for v in string.gmatch(h[4], '[^,]+') do\n"                  \
    "                add('tag:', v)\n"                                        \
    "            end\n"                                                       \
    "        end\n"                                                           \
    "    end\n"                                                               \
    "    local n = #list\n"                                                   \
    "    if h[6] then\n"                                                      \
    "        local ok, t = pcall(cjson.decode, h[6])\n"                       \
    "        if ok and type(t) == 'table' then\n"                             \
    "            for _, a in ipairs(t) do\n"                                  \
    "                if type(a) == 'table' then\n"                            \
    "                    add('author:', a.name)\n"                            \
    "                end\n"                                                   \
    "            end\n"                                                       \
    "        end\n"                                                           \
    "    end\n"                                                               \
    "    if #list == n then\n"                                                \
    "        add('author:', h[5])\n"                                          \
    "    end\n"


static ngx_str_t  ngx_http_news_publish_store_text = ngx_string(
    NGX_HTTP_NEWS_PUBLISH_STORE_CHECKS
    NGX_HTTP_NEWS_PUBLISH_STORE_EXISTS
    NGX_HTTP_NEWS_PUBLISH_STORE_NOW
    "local function unread()\n"
    "    for i = 0, 8 do\n"
    "        local y, m, d = ymd(now - i * 86400)\n"
    "        local z = string.format('%smost_read:%04d%02d%02d', prefix,\n"
    "                                y, m, d)\n"
    "        redis.call('ZREM', z, key)\n"
    "    end\n"
    "end\n"
    "for _, z in ipairs(redis.call('SMEMBERS', KEYS[3])) do\n"
    "    redis.call('ZREM', z, key)\n"
    "end\n"
    "redis.call('DEL', KEYS[3])\n"
    "if op == 'delete' then\n"
    "    redis.call('DEL', key)\n"
    "    unread()\n"
    "    return {5}\n"
    "end\n"
    NGX_HTTP_NEWS_PUBLISH_STORE_FIELDS
    NGX_HTTP_NEWS_PUBLISH_STORE_LISTS
    "    for _, z in ipairs(list) do\n"
    "        redis.call('ZADD', z, ts, key)\n"
    "    end\n"
    "    redis.call('SADD', KEYS[3], unpack(list))\n"
    "end\n"
    "if draft then\n"
    "    unread()\n"
    "end\n"
    "return {exists and 2 or 1, rev, redis.call('HGETALL', key)}\n"
);


/*
 * In a Redis Cluster, step 1 of a write: the same in the article's slot
 * (KEYS[2] and KEYS[3] are "{<key>}:rev" and "{<key>}:indexed"), the
 * lists left to step 2.  ARGV[2] is "<prefix>{lists}:", the lists'
 * prefix.  The set of lists keeps those the article was in until step 3
 * has seen step 2 take it out of them, so that a write whose step 2
 * failed is repaired by the next one; a DELETE of an article already
 * deleted but still in lists goes on for that reason.  For 1, 2 and 5
 * it returns {result, rev, the hash or {}, the lists to leave, the lists
 * to enter, their score or "", the most read sets to leave}.
 */

static ngx_str_t  ngx_http_news_publish_store_cluster_text = ngx_string(
    NGX_HTTP_NEWS_PUBLISH_STORE_CHECKS
    "local old = redis.call('SMEMBERS', KEYS[3])\n"
    "if op ~= 'put' and not exists and (op ~= 'delete' or #old == 0) then\n"
    "    return {4}\n"
    "end\n"
    NGX_HTTP_NEWS_PUBLISH_STORE_NOW
    "local function days()\n"
    "    local d = {}\n"
    "    for i = 0, 8 do\n"
    "        local y, m, dd = ymd(now - i * 86400)\n"
    "        d[#d + 1] = string.format('%smost_read:%04d%02d%02d', prefix,\n"
    "                                  y, m, dd)\n"
    "    end\n"
    "    return d\n"
    "end\n"
    "if op == 'delete' then\n"
    "    redis.call('DEL', key)\n"
    "    return {5, tostring(redis.call('INCR', KEYS[2])), {}, old, {}, '',\n"
    "            days()}\n"
    "end\n"
    NGX_HTTP_NEWS_PUBLISH_STORE_FIELDS
    NGX_HTTP_NEWS_PUBLISH_STORE_LISTS
    "    redis.call('SADD', KEYS[3], unpack(list))\n"
    "end\n"
    "local new, leave = {}, {}\n"
    "for _, z in ipairs(list) do\n"
    "    new[z] = true\n"
    "end\n"
    "for _, z in ipairs(old) do\n"
    "    if not new[z] then\n"
    "        leave[#leave + 1] = z\n"
    "    end\n"
    "end\n"
    "return {exists and 2 or 1, rev, redis.call('HGETALL', key), leave,\n"
    "        list, ts and string.format('%d', ts) or '',\n"
    "        draft and days() or {}}\n"
);


/*
 * Step 2, in the lists' slot: KEYS[1] "<prefix>{lists}:applied", a hash
 * of the revision whose lists each article has, then the lists to leave
 * (ARGV[4] of them), those to enter (ARGV[5], scored ARGV[3]) and the
 * most read sets to leave.  ARGV[1] the article, ARGV[2] its revision.
 * A step 2 that comes after a newer write's does nothing (returns 0),
 * so that two writes of one article cannot end with the older lists; one
 * of the same revision is applied (sent again, or a revision given again
 * by a counter that a failover set back).
 */

static ngx_str_t  ngx_http_news_publish_store_lists_text = ngx_string(
    "local key, rev = ARGV[1], tonumber(ARGV[2])\n"
    "local last = tonumber(redis.call('HGET', KEYS[1], key))\n"
    "if last and rev and last > rev then\n"
    "    return 0\n"
    "end\n"
    "redis.call('HSET', KEYS[1], key, ARGV[2])\n"
    "local leave, enter = tonumber(ARGV[4]), tonumber(ARGV[5])\n"
    "for i = 2, #KEYS do\n"
    "    if i > leave + 1 and i <= leave + enter + 1 then\n"
    "        redis.call('ZADD', KEYS[i], ARGV[3], key)\n"
    "    else\n"
    "        redis.call('ZREM', KEYS[i], key)\n"
    "    end\n"
    "end\n"
    "return 1\n"
);


/*
 * Step 3, in the article's slot: the lists step 2 took the article out
 * of leave its set (ARGV[2] on), unless another write came since (the
 * counter KEYS[2] is no longer ARGV[1]): then they stay, for the next
 * write to take it out of them again.
 */

static ngx_str_t  ngx_http_news_publish_store_prune_text = ngx_string(
    "if redis.call('GET', KEYS[2]) ~= ARGV[1] then\n"
    "    return 0\n"
    "end\n"
    "redis.call('SREM', KEYS[1], unpack(ARGV, 2))\n"
    "return 1\n"
);



static ngx_http_news_redis_script_t  ngx_http_news_publish_store_lua = {
    ngx_null_string, { 0 }
};


/* a Cluster's three steps */

static ngx_http_news_redis_script_t  ngx_http_news_publish_store_steps[] = {
    { ngx_null_string, { 0 } },
    { ngx_null_string, { 0 } },
    { ngx_null_string, { 0 } }
};


static ngx_str_t  ngx_http_news_publish_store_ops[] = {
    ngx_null_string,
    ngx_string("put"),
    ngx_string("patch"),
    ngx_string("delete")
};


/* by the number the script returns */

static ngx_http_news_publish_result_e  ngx_http_news_publish_store_results[] = {
    NGX_HTTP_NEWS_PUBLISH_FOUND,
    NGX_HTTP_NEWS_PUBLISH_CREATED,
    NGX_HTTP_NEWS_PUBLISH_UPDATED,
    NGX_HTTP_NEWS_PUBLISH_CHANGED,
    NGX_HTTP_NEWS_PUBLISH_MISSING,
    NGX_HTTP_NEWS_PUBLISH_DELETED,
    NGX_HTTP_NEWS_PUBLISH_EXISTS
};


/* the script, with its SHA1, for the Redis layer to load at setup */

ngx_http_news_redis_script_t *
ngx_http_news_publish_store_script(void)
{
    ngx_http_news_redis_script_t  *s;

    s = &ngx_http_news_publish_store_lua;

    if (s->text.len == 0) {
        s->text = ngx_http_news_publish_store_text;
        ngx_http_news_redis_script_init(s);
    }

    return s;
}


/*
 * The scripts of a write in a Cluster, for every connection to load at
 * setup (those of a single Redis load only the write script).
 */

ngx_int_t
ngx_http_news_publish_store_use_steps(ngx_array_t *scripts)
{
    ngx_uint_t                     i;
    ngx_http_news_redis_script_t  *s;

    static ngx_str_t  *texts[] = {
        &ngx_http_news_publish_store_cluster_text,
        &ngx_http_news_publish_store_lists_text,
        &ngx_http_news_publish_store_prune_text
    };

    for (i = 0; i < 3; i++) {
        s = &ngx_http_news_publish_store_steps[i];

        if (s->text.len == 0) {
            s->text = *texts[i];
            ngx_http_news_redis_script_init(s);
        }

        if (ngx_http_news_redis_script_use(scripts, s) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/*
 * The keys of the article of slug under prefix, in the pool.  In a
 * Cluster its counter and set of lists are beside it, in its slot, and
 * the lists under "<prefix>{lists}:", all in one slot.
 */

ngx_int_t
ngx_http_news_publish_store_query(ngx_http_news_publish_query_t *q,
    ngx_str_t *prefix, ngx_str_t *slug, ngx_uint_t cluster, ngx_pool_t *pool)
{
    u_char  *p;

    if (cluster) {
        return ngx_http_news_publish_store_cluster_query(q, prefix, slug,
                                                         pool);
    }

    p = ngx_pnalloc(pool, 3 * prefix->len + 2 * slug->len
                          + sizeof("article:") - 1 + sizeof("rev") - 1
                          + sizeof("indexed:") - 1);
    if (p == NULL) {
        return NGX_ERROR;
    }

    q->prefix = *prefix;

    q->key.data = p;
    p = ngx_cpymem(p, prefix->data, prefix->len);
    p = ngx_cpymem(p, "article:", sizeof("article:") - 1);
    p = ngx_cpymem(p, slug->data, slug->len);
    q->key.len = p - q->key.data;

    q->counter.data = p;
    p = ngx_cpymem(p, prefix->data, prefix->len);
    p = ngx_cpymem(p, "rev", sizeof("rev") - 1);
    q->counter.len = p - q->counter.data;

    q->indexed.data = p;
    p = ngx_cpymem(p, prefix->data, prefix->len);
    p = ngx_cpymem(p, "indexed:", sizeof("indexed:") - 1);
    p = ngx_cpymem(p, slug->data, slug->len);
    q->indexed.len = p - q->indexed.data;

    return NGX_OK;
}


static ngx_int_t
ngx_http_news_publish_store_cluster_query(ngx_http_news_publish_query_t *q,
    ngx_str_t *prefix, ngx_str_t *slug, ngx_pool_t *pool)
{
    u_char     *p;
    ngx_str_t   suffix;

    q->cluster = 1;

    p = ngx_pnalloc(pool, 3 * prefix->len + slug->len + sizeof("article:") - 1
                          + 2 * (sizeof("{lists}:") - 1)
                          + sizeof("applied") - 1);
    if (p == NULL) {
        return NGX_ERROR;
    }

    q->key.data = p;
    p = ngx_cpymem(p, prefix->data, prefix->len);
    p = ngx_cpymem(p, "article:", sizeof("article:") - 1);
    p = ngx_cpymem(p, slug->data, slug->len);
    q->key.len = p - q->key.data;

    q->prefix.data = p;
    p = ngx_cpymem(p, prefix->data, prefix->len);
    p = ngx_cpymem(p, "{lists}:", sizeof("{lists}:") - 1);
    q->prefix.len = p - q->prefix.data;

    q->applied.data = p;
    p = ngx_cpymem(p, q->prefix.data, q->prefix.len);
    p = ngx_cpymem(p, "applied", sizeof("applied") - 1);
    q->applied.len = p - q->applied.data;

    ngx_str_set(&suffix, ":rev");

    if (ngx_http_news_redis_cluster_beside(&q->key, &suffix, pool,
                                           &q->counter)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    ngx_str_set(&suffix, ":indexed");

    return ngx_http_news_redis_cluster_beside(&q->key, &suffix, pool,
                                              &q->indexed);
}


/*
 * The command, once the conditions and the fields are known: HGETALL
 * for a read, the write script for the rest.  The Redis layer copies
 * the arguments.
 */

void
ngx_http_news_publish_store_command(ngx_http_news_publish_query_t *q)
{
    ngx_str_t  *argv;

    argv = q->argv;

    q->command.argv = argv;

    if (q->op == NGX_HTTP_NEWS_PUBLISH_GET) {
        ngx_str_set(&argv[0], "HGETALL");
        argv[1] = q->key;

        q->command.script = NULL;
        q->command.nkeys = 0;
        q->command.argc = 2;

        return;
    }

    argv[0] = q->key;
    argv[1] = q->counter;
    argv[2] = q->indexed;
    argv[3] = ngx_http_news_publish_store_ops[q->op];
    argv[4] = q->prefix;
    argv[5] = q->if_match;
    argv[6] = q->if_none_match;
    argv[7] = q->fields;

    q->command.script = q->cluster ? &ngx_http_news_publish_store_steps[0]
                                   : ngx_http_news_publish_store_script();
    q->command.nkeys = 3;
    q->command.argc = 8;
}


/*
 * The reply to the query's command: NGX_OK with the result (and the
 * article, in the pool, when the hash came); NGX_ERROR with a reason for
 * a reply that cannot be read.  Error replies never get here: the Redis
 * layer tells them.
 */

ngx_int_t
ngx_http_news_publish_store_reply(ngx_http_news_publish_query_t *q,
    ngx_http_news_redis_reply_t *reply, ngx_pool_t *pool,
    ngx_http_news_publish_reply_t *out, ngx_str_t *reason)
{
    out->article = NULL;
    ngx_str_null(&out->rev);

    out->leave = NULL;
    out->enter = NULL;
    out->unread = NULL;
    ngx_str_null(&out->score);

    if (q->op != NGX_HTTP_NEWS_PUBLISH_GET) {
        return ngx_http_news_publish_store_write(q, reply, pool, out, reason);
    }

    if (reply->type != REDIS_REPLY_ARRAY) {
        ngx_str_set(reason, "unexpected reply from Redis");
        return NGX_ERROR;
    }

    if (reply->elements == 0) {
        out->result = NGX_HTTP_NEWS_PUBLISH_MISSING;
        return NGX_OK;
    }

    out->result = NGX_HTTP_NEWS_PUBLISH_FOUND;

    return ngx_http_news_publish_store_article(reply, pool, out, reason);
}


static ngx_int_t
ngx_http_news_publish_store_write(ngx_http_news_publish_query_t *q,
    redisReply *reply, ngx_pool_t *pool, ngx_http_news_publish_reply_t *out,
    ngx_str_t *reason)
{
    redisReply  *r, *rev;

    if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 1) {
        goto unexpected;
    }

    r = reply->element[0];

    if (r->type != REDIS_REPLY_INTEGER
        || r->integer < NGX_HTTP_NEWS_PUBLISH_CREATED
        || r->integer > NGX_HTTP_NEWS_PUBLISH_EXISTS)
    {
        goto unexpected;
    }

    out->result = ngx_http_news_publish_store_results[r->integer];

    if (reply->elements > 1) {
        rev = reply->element[1];

        if (rev->type == REDIS_REPLY_STRING) {
            out->rev.data = ngx_pnalloc(pool, rev->len);
            if (out->rev.data == NULL) {
                goto failed;
            }

            ngx_memcpy(out->rev.data, rev->str, rev->len);
            out->rev.len = rev->len;

        } else if (rev->type != REDIS_REPLY_NIL) {
            goto unexpected;
        }
    }

    if (q->cluster) {
        return ngx_http_news_publish_store_step(reply, pool, out, reason);
    }

    switch (out->result) {

    case NGX_HTTP_NEWS_PUBLISH_CREATED:
    case NGX_HTTP_NEWS_PUBLISH_UPDATED:

        if (reply->elements != 3) {
            goto unexpected;
        }

        return ngx_http_news_publish_store_article(reply->element[2], pool,
                                                   out, reason);

    default:
        return NGX_OK;
    }

unexpected:

    ngx_str_set(reason, "unexpected reply from Redis");

    return NGX_ERROR;

failed:

    ngx_str_set(reason, "out of memory");

    return NGX_ERROR;
}


/* step 1's reply in a Cluster: the article, and what step 2 is to do */

static ngx_int_t
ngx_http_news_publish_store_step(redisReply *reply, ngx_pool_t *pool,
    ngx_http_news_publish_reply_t *out, ngx_str_t *reason)
{
    redisReply  *score;

    switch (out->result) {

    case NGX_HTTP_NEWS_PUBLISH_CREATED:
    case NGX_HTTP_NEWS_PUBLISH_UPDATED:
    case NGX_HTTP_NEWS_PUBLISH_DELETED:
        break;

    default:
        return NGX_OK;
    }

    if (reply->elements != 7 || out->rev.len == 0) {
        goto unexpected;
    }

    if (out->result != NGX_HTTP_NEWS_PUBLISH_DELETED
        && ngx_http_news_publish_store_article(reply->element[2], pool, out,
                                               reason)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    score = reply->element[5];

    if (score->type != REDIS_REPLY_STRING) {
        goto unexpected;
    }

    out->leave = ngx_http_news_publish_store_names(reply->element[3], pool);
    out->enter = ngx_http_news_publish_store_names(reply->element[4], pool);
    out->unread = ngx_http_news_publish_store_names(reply->element[6], pool);
    out->score.data = ngx_pnalloc(pool, score->len + 1);

    if (out->leave == NULL || out->enter == NULL || out->unread == NULL
        || out->score.data == NULL)
    {
        goto unexpected;
    }

    out->score.len = ngx_cpymem(out->score.data, score->str, score->len)
                     - out->score.data;

    if (out->enter->nelts && out->score.len == 0) {
        goto unexpected;
    }

    return NGX_OK;

unexpected:

    ngx_str_set(reason, "unexpected reply from Redis");

    return NGX_ERROR;
}


/* an array of key names as ngx_str_t in the pool; NULL if it is not one */

static ngx_array_t *
ngx_http_news_publish_store_names(redisReply *r, ngx_pool_t *pool)
{
    size_t        i;
    ngx_str_t    *name;
    ngx_array_t  *a;

    if (r->type != REDIS_REPLY_ARRAY) {
        return NULL;
    }

    a = ngx_array_create(pool, r->elements ? r->elements : 1,
                         sizeof(ngx_str_t));
    if (a == NULL) {
        return NULL;
    }

    for (i = 0; i < r->elements; i++) {
        if (r->element[i]->type != REDIS_REPLY_STRING) {
            return NULL;
        }

        name = ngx_array_push(a);
        if (name == NULL) {
            return NULL;
        }

        name->len = r->element[i]->len;
        name->data = ngx_pnalloc(pool, name->len + 1);
        if (name->data == NULL) {
            return NULL;
        }

        ngx_memcpy(name->data, r->element[i]->str, name->len);
    }

    return a;
}


/*
 * Step 2's command, to the lists' slot: the lists to leave, those to
 * enter and the most read sets to leave, declared as keys.
 */

ngx_int_t
ngx_http_news_publish_store_lists(ngx_http_news_publish_query_t *q,
    ngx_http_news_publish_reply_t *out, ngx_pool_t *pool)
{
    ngx_str_t   *argv;
    ngx_uint_t   n, nleave, nenter;

    nleave = out->leave->nelts;
    nenter = out->enter->nelts;
    n = 1 + nleave + nenter + out->unread->nelts;

    argv = ngx_pnalloc(pool, (n + 5) * sizeof(ngx_str_t));
    if (argv == NULL) {
        return NGX_ERROR;
    }

    argv[0] = q->applied;

    ngx_memcpy(&argv[1], out->leave->elts, nleave * sizeof(ngx_str_t));
    ngx_memcpy(&argv[1 + nleave], out->enter->elts,
               nenter * sizeof(ngx_str_t));
    ngx_memcpy(&argv[1 + nleave + nenter], out->unread->elts,
               out->unread->nelts * sizeof(ngx_str_t));

    argv[n] = q->key;
    argv[n + 1] = out->rev;
    argv[n + 2] = out->score;

    argv[n + 3].data = ngx_pnalloc(pool, 2 * NGX_INT_T_LEN);
    if (argv[n + 3].data == NULL) {
        return NGX_ERROR;
    }

    argv[n + 3].len = ngx_sprintf(argv[n + 3].data, "%ui", nleave)
                      - argv[n + 3].data;
    argv[n + 4].data = argv[n + 3].data + argv[n + 3].len;
    argv[n + 4].len = ngx_sprintf(argv[n + 4].data, "%ui", nenter)
                      - argv[n + 4].data;

    q->lists.script = &ngx_http_news_publish_store_steps[1];
    q->lists.nkeys = n;
    q->lists.argc = n + 5;
    q->lists.argv = argv;

    return NGX_OK;
}


/*
 * Step 3's command, to the article's slot, once step 2 has taken the
 * article out of lists: NGX_DECLINED when it left none.
 */

ngx_int_t
ngx_http_news_publish_store_prune(ngx_http_news_publish_query_t *q,
    ngx_http_news_publish_reply_t *out, ngx_pool_t *pool)
{
    ngx_str_t   *argv;
    ngx_uint_t   n;

    n = out->leave->nelts;

    if (n == 0) {
        return NGX_DECLINED;
    }

    argv = ngx_pnalloc(pool, (n + 3) * sizeof(ngx_str_t));
    if (argv == NULL) {
        return NGX_ERROR;
    }

    argv[0] = q->indexed;
    argv[1] = q->counter;
    argv[2] = out->rev;

    ngx_memcpy(&argv[3], out->leave->elts, n * sizeof(ngx_str_t));

    q->prune.script = &ngx_http_news_publish_store_steps[2];
    q->prune.nkeys = 2;
    q->prune.argc = n + 3;
    q->prune.argv = argv;

    return NGX_OK;
}


/* step 2's or 3's reply: 1 done, 0 left to a newer write; NGX_ERROR else */

ngx_int_t
ngx_http_news_publish_store_stepped(ngx_http_news_redis_reply_t *reply)
{
    return (reply->type == REDIS_REPLY_INTEGER
            && (reply->integer == 0 || reply->integer == 1))
           ? NGX_OK : NGX_ERROR;
}


/* the hash as the article model, made where the pages make theirs */

static ngx_int_t
ngx_http_news_publish_store_article(redisReply *fields, ngx_pool_t *pool,
    ngx_http_news_publish_reply_t *out, ngx_str_t *reason)
{
    out->article = ngx_http_news_store_article(fields, pool, reason);

    if (out->article == NULL) {
        return NGX_ERROR;
    }

    out->rev = out->article->field[NGX_HTTP_NEWS_REV];

    return NGX_OK;
}
