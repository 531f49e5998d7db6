
/*
 * Copyright (C) ngx_news_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include <jansson.h>

#include "ngx_http_news_article.h"


static ngx_int_t ngx_http_news_article_views(ngx_http_news_article_t *a,
    redisReply *views, ngx_str_t *reason);
static time_t ngx_http_news_article_time(ngx_str_t *v);
static ngx_int_t ngx_http_news_article_tag(ngx_array_t *out, u_char *data,
    size_t len);


/* indexed by ngx_http_news_field_e */

ngx_str_t  ngx_http_news_article_fields[] = {
    ngx_string("title"),
    ngx_string("author"),
    ngx_string("published_at"),
    ngx_string("updated_at"),
    ngx_string("summary"),
    ngx_string("body"),
    ngx_string("image"),
    ngx_string("image_alt"),
    ngx_string("image_credit"),
    ngx_string("category"),
    ngx_string("tags"),
    ngx_string("status"),
    ngx_null_string
};


/*
 * A counted view is one transaction: this script, then a native HGETALL
 * of the same hash (MULTI/EXEC, one round trip, one atomic step).  The
 * script only guards and counts: a missing article is never written to
 * (HINCRBY would create it), a draft is not counted, and with
 * news_views_unique (KEYS[2], the visitor's mark for this article, and
 * ARGV[1], the window in seconds) a repeat view is not counted either;
 * the mark is only made for an article that exists, and expires by
 * itself.  It returns what ngx_http_news_view_e says; the page is read
 * from HGETALL, which sees the incremented count.  Reading the fields in
 * Lua would cost Redis most of its time per view: Lua copies every value
 * it is handed into a string of its own, and back into the reply.
 */

ngx_str_t  ngx_http_news_article_script = ngx_string(
    "local status = redis.call('HGET', KEYS[1], 'status')\n"
    "if status == 'draft' then\n"
    "    return 0\n"
    "end\n"
    "if status == false and redis.call('EXISTS', KEYS[1]) == 0 then\n"
    "    return false\n"
    "end\n"
    "if KEYS[2] and not redis.call('SET', KEYS[2], '1', 'NX', 'EX',\n"
    "                               ARGV[1]) then\n"
    "    return 2\n"
    "end\n"
    "redis.call('HINCRBY', KEYS[1], 'views', 1)\n"
    "return 1\n"
);


/* the count script's reply */

ngx_int_t
ngx_http_news_article_view(redisReply *reply, ngx_http_news_view_e *view)
{
    if (reply->type == REDIS_REPLY_NIL) {
        *view = NGX_HTTP_NEWS_VIEW_MISSING;
        return NGX_OK;
    }

    if (reply->type != REDIS_REPLY_INTEGER
        || reply->integer < NGX_HTTP_NEWS_VIEW_DRAFT
        || reply->integer > NGX_HTTP_NEWS_VIEW_REPEAT)
    {
        return NGX_ERROR;
    }

    *view = (ngx_http_news_view_e) reply->integer;

    return NGX_OK;
}


ngx_int_t
ngx_http_news_article_field(ngx_str_t *name)
{
    ngx_int_t  i;

    for (i = 0; i < NGX_HTTP_NEWS_NFIELDS; i++) {
        if (ngx_http_news_article_fields[i].len == name->len
            && ngx_strncmp(ngx_http_news_article_fields[i].data, name->data,
                           name->len)
               == 0)
        {
            return i;
        }
    }

    return NGX_ERROR;
}


/*
 * The reply to a counted view is EXEC's {script's, HGETALL's}; to any
 * other view HGETALL's.  Error replies have been dealt with.
 */

ngx_int_t
ngx_http_news_article_from_reply(ngx_http_news_article_t *a,
    redisReply *reply, ngx_uint_t counted, ngx_str_t *reason)
{
    size_t       i;
    ngx_int_t    id;
    ngx_str_t    name;
    redisReply  *fields, *k, *v, *views;

    ngx_memzero(a, sizeof(ngx_http_news_article_t));

    fields = reply;
    a->view = NGX_HTTP_NEWS_VIEW_SHOWN;

    if (counted) {
        if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2
            || ngx_http_news_article_view(reply->element[0], &a->view)
               != NGX_OK)
        {
            goto unexpected;
        }

        fields = reply->element[1];
    }

    if (fields->type != REDIS_REPLY_ARRAY || fields->elements % 2) {
        goto unexpected;
    }

    if (fields->elements == 0) {
        a->view = NGX_HTTP_NEWS_VIEW_MISSING;
        ngx_str_set(reason, "no such article");
        return NGX_DECLINED;
    }

    a->pairs = fields;
    views = NULL;

    for (i = 0; i < fields->elements; i += 2) {
        k = fields->element[i];
        v = fields->element[i + 1];

        if (k->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING) {
            goto unexpected;
        }

        name.len = k->len;
        name.data = (u_char *) k->str;

        id = ngx_http_news_article_field(&name);

        if (id != NGX_ERROR) {
            a->field[id].len = v->len;
            a->field[id].data = (u_char *) v->str;

        } else if (k->len == sizeof("views") - 1
                   && ngx_strncmp(k->str, "views", sizeof("views") - 1) == 0)
        {
            views = v;
        }
    }

    if (a->field[NGX_HTTP_NEWS_STATUS].len == sizeof("draft") - 1
        && ngx_strncmp(a->field[NGX_HTTP_NEWS_STATUS].data, "draft",
                       sizeof("draft") - 1)
           == 0)
    {
        a->view = NGX_HTTP_NEWS_VIEW_DRAFT;
        ngx_str_set(reason, "article is a draft");
        return NGX_DECLINED;
    }

    if (views != NULL
        && ngx_http_news_article_views(a, views, reason) != NGX_OK)
    {
        return NGX_ERROR;
    }

    return NGX_OK;

unexpected:

    ngx_str_set(reason, "unexpected reply from Redis");

    return NGX_ERROR;
}


static ngx_int_t
ngx_http_news_article_views(ngx_http_news_article_t *a, redisReply *views,
    ngx_str_t *reason)
{
    u_char      *p, *last;
    uint64_t     n, max;
    ngx_uint_t   negative;

    /*
     * The stored value, read as Redis' HINCRBY reads it: a signed 64-bit
     * decimal, no leading zeros, no "-0".
     */

    p = (u_char *) views->str;
    last = p + views->len;

    negative = (p < last && *p == '-');
    p += negative;

    if (p == last || (*p == '0' && (last - p > 1 || negative))) {
        goto invalid;
    }

    max = negative ? (uint64_t) INT64_MAX + 1 : (uint64_t) INT64_MAX;

    for (n = 0; p < last; p++) {
        if (*p < '0' || *p > '9' || n > (max - (*p - '0')) / 10) {
            goto invalid;
        }

        n = n * 10 + (*p - '0');
    }

    a->views = negative ? (int64_t) (0 - n) : (int64_t) n;

    return NGX_OK;

invalid:

    ngx_str_set(reason, "the views field is not an integer");

    return NGX_ERROR;
}


/*
 * A date field as text in a strftime(3) format, in UTC; empty when the
 * field is absent or unreadable, so templates can leave it out.
 */

ngx_int_t
ngx_http_news_article_date(ngx_str_t *field, char *format, ngx_pool_t *pool,
    ngx_str_t *out)
{
    time_t     t;
    struct tm  tm;

    ngx_str_null(out);

    t = ngx_http_news_article_time(field);

    if (t == (time_t) -1 || gmtime_r(&t, &tm) == NULL) {
        return NGX_OK;
    }

    out->data = ngx_pnalloc(pool, 256);
    if (out->data == NULL) {
        return NGX_ERROR;
    }

    /* formats come from the configuration; workers keep the "C" locale */

    out->len = strftime((char *) out->data, 256, format, &tm);

    return NGX_OK;
}


/* Unix seconds, or ISO 8601 UTC as "2025-11-04T09:30:00Z" */

static time_t
ngx_http_news_article_time(ngx_str_t *v)
{
    u_char      *p;
    ngx_int_t    y, m, d, hh, mm, ss, era, yoe, doy, doe;
    ngx_uint_t   i;

    p = v->data;

    if (v->len == 0) {
        return (time_t) -1;
    }

    if (v->len <= 12) {
        for (i = 0; i < v->len; i++) {
            if (p[i] < '0' || p[i] > '9') {
                break;
            }
        }

        if (i == v->len) {
            return (time_t) ngx_atotm(p, v->len);
        }
    }

    if (v->len != sizeof("2025-11-04T09:30:00Z") - 1
        || p[4] != '-' || p[7] != '-' || (p[10] != 'T' && p[10] != ' ')
        || p[13] != ':' || p[16] != ':' || p[19] != 'Z')
    {
        return (time_t) -1;
    }

    y = ngx_atoi(p, 4);
    m = ngx_atoi(p + 5, 2);
    d = ngx_atoi(p + 8, 2);
    hh = ngx_atoi(p + 11, 2);
    mm = ngx_atoi(p + 14, 2);
    ss = ngx_atoi(p + 17, 2);

    if (y < 1970 || m < 1 || m > 12 || d < 1 || d > 31
        || hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 60)
    {
        return (time_t) -1;
    }

    /* days since the epoch of a proleptic Gregorian date */

    y -= (m <= 2);
    era = y / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return (time_t) (era * 146097 + doe - 719468) * 86400
           + hh * 3600 + mm * 60 + ss;
}


/*
 * Tags: a JSON array of strings, or a comma-separated list; each tag
 * trimmed, empty ones dropped.  The array holds ngx_str_t in the pool.
 */

ngx_int_t
ngx_http_news_article_tags(ngx_str_t *tags, ngx_pool_t *pool,
    ngx_array_t *out)
{
    u_char        *p, *last, *comma;
    size_t         i;
    json_t        *json, *tag;
    ngx_int_t      rc;
    json_error_t   err;

    if (ngx_array_init(out, pool, 8, sizeof(ngx_str_t)) != NGX_OK) {
        return NGX_ERROR;
    }

    p = tags->data;
    last = p + tags->len;

    while (p < last && (*p == ' ' || *p == '\t')) {
        p++;
    }

    if (p < last && *p == '[') {
        json = json_loadb((const char *) p, last - p, 0, &err);

        if (json != NULL && json_is_array(json)) {
            rc = NGX_OK;

            json_array_foreach(json, i, tag) {
                if (json_is_string(tag)
                    && ngx_http_news_article_tag(out,
                                           (u_char *) json_string_value(tag),
                                           json_string_length(tag))
                       != NGX_OK)
                {
                    rc = NGX_ERROR;
                    break;
                }
            }

            json_decref(json);
            return rc;
        }

        /* not JSON after all: read it as a list */

        json_decref(json);
    }

    while (p < last) {
        comma = ngx_strlchr(p, last, ',');
        if (comma == NULL) {
            comma = last;
        }

        if (ngx_http_news_article_tag(out, p, comma - p) != NGX_OK) {
            return NGX_ERROR;
        }

        p = comma + 1;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_news_article_tag(ngx_array_t *out, u_char *data, size_t len)
{
    ngx_str_t  *tag;

    while (len && (data[0] == ' ' || data[0] == '\t')) {
        data++;
        len--;
    }

    while (len && (data[len - 1] == ' ' || data[len - 1] == '\t')) {
        len--;
    }

    if (len == 0) {
        return NGX_OK;
    }

    tag = ngx_array_push(out);
    if (tag == NULL) {
        return NGX_ERROR;
    }

    /* a JSON string dies with its document: keep a copy */

    tag->data = ngx_pnalloc(out->pool, len);
    if (tag->data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(tag->data, data, len);
    tag->len = len;

    return NGX_OK;
}
