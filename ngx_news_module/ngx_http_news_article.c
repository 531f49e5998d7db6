
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include <jansson.h>

#include "ngx_http_news_article.h"


/*
 * What "authors" may be when it is read: a longer value, or more
 * people, is a raw writer's mistake (the publishing API takes 100), not
 * a byline; it is not parsed, and "author" is shown instead.
 */
#define NGX_HTTP_NEWS_AUTHORS_SIZE  65536
#define NGX_HTTP_NEWS_AUTHORS_MAX   100


static time_t ngx_http_news_article_time(ngx_str_t *v);
static ngx_int_t ngx_http_news_article_tags(ngx_http_news_article_t *a,
    ngx_pool_t *pool);
static ngx_int_t ngx_http_news_article_tag(ngx_array_t *out, u_char *data,
    size_t len);
static ngx_int_t ngx_http_news_article_authors(ngx_http_news_article_t *a,
    ngx_pool_t *pool);
static ngx_int_t ngx_http_news_article_person(json_t *json,
    ngx_http_news_person_t *person, ngx_pool_t *pool);
static ngx_int_t ngx_http_news_article_copy(ngx_str_t *to, const char *data,
    size_t len, ngx_pool_t *pool);


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
    ngx_string("rev"),
    ngx_string("seo_title"),
    ngx_string("authors"),
    ngx_string("image_width"),
    ngx_string("image_height"),
    ngx_string("image_srcset"),
    ngx_null_string
};


/* an empty article with room for npairs fields */

ngx_http_news_article_t *
ngx_http_news_article_create(ngx_pool_t *pool, ngx_uint_t npairs)
{
    ngx_http_news_article_t  *a;

    a = ngx_pcalloc(pool, sizeof(ngx_http_news_article_t));
    if (a == NULL) {
        return NULL;
    }

    a->pairs = ngx_palloc(pool, npairs * sizeof(ngx_http_news_pair_t) + 1);
    if (a->pairs == NULL) {
        return NULL;
    }

    a->published = (time_t) -1;
    a->updated = (time_t) -1;

    return a;
}


/*
 * A field, copied: whatever it came from may be gone before the article.
 * The room for it was made by ngx_http_news_article_create().
 */

ngx_int_t
ngx_http_news_article_add(ngx_http_news_article_t *a, ngx_pool_t *pool,
    u_char *name, size_t name_len, u_char *value, size_t value_len)
{
    u_char                *p;
    ngx_int_t              id;
    ngx_http_news_pair_t  *pair;

    p = ngx_pnalloc(pool, name_len + value_len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    pair = &a->pairs[a->npairs++];

    pair->name.data = p;
    pair->name.len = name_len;
    p = ngx_cpymem(p, name, name_len);

    pair->value.data = p;
    pair->value.len = value_len;
    ngx_memcpy(p, value, value_len);

    /*
     * What the pool's blocks do not hold (see ngx_http_news_article_done):
     * the values too large for them, or, with NGX_DEBUG_PALLOC, all.
     */

#if (NGX_DEBUG_PALLOC)
    a->size += name_len + value_len;
#else
    if (name_len + value_len > pool->max) {
        a->size += name_len + value_len;
    }
#endif

    id = ngx_http_news_article_field(&pair->name);

    if (id != NGX_ERROR) {
        a->field[id] = pair->value;
    }

    return NGX_OK;
}


/*
 * All fields are in: reads those with a format.  An unreadable date is
 * left unset (pages leave it out), but a counter that is not an integer
 * is an error, as Redis' HINCRBY would find it (a draft's is not read).
 */

ngx_int_t
ngx_http_news_article_done(ngx_http_news_article_t *a, ngx_pool_t *pool,
    ngx_str_t *reason)
{
    ngx_uint_t   i;
    ngx_pool_t  *p;

    a->draft = (a->field[NGX_HTTP_NEWS_STATUS].len == sizeof("draft") - 1
                && ngx_strncmp(a->field[NGX_HTTP_NEWS_STATUS].data, "draft",
                               sizeof("draft") - 1)
                   == 0);

    if (a->draft) {
        /* never shown: nothing more to read */
        goto done;
    }

    for (i = 0; i < a->npairs; i++) {
        if (a->pairs[i].name.len == sizeof("views") - 1
            && ngx_strncmp(a->pairs[i].name.data, "views",
                           sizeof("views") - 1)
               == 0
            && ngx_http_news_parse_views(a->pairs[i].value.data,
                                         a->pairs[i].value.len, &a->views)
               != NGX_OK)
        {
            ngx_str_set(reason, "the views field is not an integer");
            return NGX_ERROR;
        }
    }

    a->published = ngx_http_news_article_time(
                                      &a->field[NGX_HTTP_NEWS_PUBLISHED_AT]);
    a->updated = ngx_http_news_article_time(
                                        &a->field[NGX_HTTP_NEWS_UPDATED_AT]);

    if (ngx_http_news_article_tags(a, pool) != NGX_OK) {
        ngx_str_set(reason, "cannot read the tags");
        return NGX_ERROR;
    }

    if (ngx_http_news_article_authors(a, pool) != NGX_OK) {
        ngx_str_set(reason, "cannot read the authors");
        return NGX_ERROR;
    }

done:

    /*
     * The memory the article takes, as a cache must count it: the pool's
     * blocks, whole, and the values too large for them, which were
     * counted as they were added.
     */

    for (p = pool; p != NULL; p = p->d.next) {
        a->size += p->d.end - (u_char *) p;
    }

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


ngx_int_t
ngx_http_news_parse_views(u_char *p, size_t len, int64_t *views)
{
    u_char      *last;
    uint64_t     n, max;
    ngx_uint_t   negative;

    /*
     * The stored value, read as Redis' HINCRBY reads it: a signed 64-bit
     * decimal, no leading zeros, no "-0".
     */

    last = p + len;

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

    *views = negative ? (int64_t) (0 - n) : (int64_t) n;

    return NGX_OK;

invalid:

    return NGX_ERROR;
}


/*
 * A date as text in a strftime(3) format, in UTC; empty when there is
 * none, so templates can leave it out.
 */

ngx_int_t
ngx_http_news_article_date(time_t t, char *format, ngx_pool_t *pool,
    ngx_str_t *out)
{
    struct tm  tm;

    ngx_str_null(out);

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
 * trimmed, empty ones dropped.
 */

static ngx_int_t
ngx_http_news_article_tags(ngx_http_news_article_t *a, ngx_pool_t *pool)
{
    u_char        *p, *last, *comma;
    size_t         i;
    json_t        *json, *tag;
    ngx_int_t      rc;
    ngx_array_t    list, *out;
    json_error_t   err;

    out = &list;

    if (ngx_array_init(out, pool, 4, sizeof(ngx_str_t)) != NGX_OK) {
        return NGX_ERROR;
    }

    p = a->field[NGX_HTTP_NEWS_TAGS].data;
    last = p + a->field[NGX_HTTP_NEWS_TAGS].len;

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
            goto done;
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

    rc = NGX_OK;

done:

    a->tags = list.elts;
    a->ntags = list.nelts;

    return rc;
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


/*
 * The byline's people: "authors", a JSON array of {"name", "url"}, when
 * it is there and readable; otherwise "author" as one person without a
 * link.  An unreadable "authors" is noted for the page to log; NGX_ERROR
 * is only for memory.
 */

static ngx_int_t
ngx_http_news_article_authors(ngx_http_news_article_t *a, ngx_pool_t *pool)
{
    size_t                   i, n;
    json_t                  *json, *person;
    ngx_int_t                rc;
    ngx_str_t               *v;
    json_error_t             err;
    ngx_http_news_person_t  *authors;

    v = &a->field[NGX_HTTP_NEWS_AUTHORS];

    if (v->len == 0) {
        goto author;
    }

    json = NULL;

    if (v->len > NGX_HTTP_NEWS_AUTHORS_SIZE) {
        goto invalid;
    }

    json = json_loadb((const char *) v->data, v->len, 0, &err);

    if (json == NULL || !json_is_array(json)
        || json_array_size(json) > NGX_HTTP_NEWS_AUTHORS_MAX)
    {
        goto invalid;
    }

    n = json_array_size(json);

    if (n == 0) {
        json_decref(json);
        goto author;
    }

    authors = ngx_pcalloc(pool, n * sizeof(ngx_http_news_person_t));
    if (authors == NULL) {
        json_decref(json);
        return NGX_ERROR;
    }

    json_array_foreach(json, i, person) {
        rc = ngx_http_news_article_person(person, &authors[i], pool);

        if (rc == NGX_DECLINED) {
            goto invalid;
        }

        if (rc != NGX_OK) {
            json_decref(json);
            return NGX_ERROR;
        }
    }

    json_decref(json);

    a->authors = authors;
    a->nauthors = n;

    return NGX_OK;

invalid:

    json_decref(json);
    a->authors_invalid = 1;

author:

    if (a->field[NGX_HTTP_NEWS_AUTHOR].len == 0) {
        return NGX_OK;
    }

    a->authors = ngx_pcalloc(pool, sizeof(ngx_http_news_person_t));
    if (a->authors == NULL) {
        return NGX_ERROR;
    }

    a->authors[0].name = a->field[NGX_HTTP_NEWS_AUTHOR];
    a->nauthors = 1;

    return NGX_OK;
}


/* {"name": "...", "url": "..."}: NGX_DECLINED if it is not one */

static ngx_int_t
ngx_http_news_article_person(json_t *json, ngx_http_news_person_t *person,
    ngx_pool_t *pool)
{
    json_t  *name, *url;

    if (!json_is_object(json)) {
        return NGX_DECLINED;
    }

    name = json_object_get(json, "name");
    url = json_object_get(json, "url");

    /* as the publishing API takes them: a name not blank, a string url */

    if (!json_is_string(name)
        || strspn(json_string_value(name), " \t\r\n")
           >= json_string_length(name)
        || (url != NULL && !json_is_string(url)))
    {
        return NGX_DECLINED;
    }

    if (ngx_http_news_article_copy(&person->name, json_string_value(name),
                                   json_string_length(name), pool)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (url == NULL) {
        return NGX_OK;
    }

    return ngx_http_news_article_copy(&person->url, json_string_value(url),
                                      json_string_length(url), pool);
}


/* a JSON string dies with its document: the article keeps a copy */

static ngx_int_t
ngx_http_news_article_copy(ngx_str_t *to, const char *data, size_t len,
    ngx_pool_t *pool)
{
    to->data = ngx_pnalloc(pool, len);
    if (to->data == NULL && len) {
        return NGX_ERROR;
    }

    ngx_memcpy(to->data, data, len);
    to->len = len;

    return NGX_OK;
}


/*
 * A section, tag or author as the write script names its list (the
 * lists' keys, the list pages' URLs): ASCII letters lowercased, each run
 * of other characters than a-z, 0-9 and bytes over 127 made one "-",
 * "-" at either end dropped.  The write script
 * (ngx_http_news_publish_store.c) does it in Lua with string.lower() and
 * "[^%w\128-\255]+"; this is the same rule.
 */

ngx_int_t
ngx_http_news_article_list_name(ngx_str_t *name, ngx_pool_t *pool,
    ngx_str_t *out)
{
    u_char      c, *p;
    size_t      i;
    ngx_uint_t  dash;

    p = ngx_pnalloc(pool, name->len + 1);
    if (p == NULL) {
        return NGX_ERROR;
    }

    out->data = p;
    dash = 0;

    for (i = 0; i < name->len; i++) {
        c = ngx_tolower(name->data[i]);

        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80) {
            if (dash && p > out->data) {
                *p++ = '-';
            }

            dash = 0;
            *p++ = c;
            continue;
        }

        dash = 1;
    }

    out->len = p - out->data;

    return NGX_OK;
}


/*
 * The list page of a section, tag or author: the prefix (absolute) and
 * the name as its list's key has it; empty without a prefix or a name.
 */

ngx_int_t
ngx_http_news_article_list_url(ngx_str_t *prefix, ngx_str_t *name,
    ngx_pool_t *pool, ngx_str_t *url)
{
    u_char     *p;
    ngx_str_t   norm;

    ngx_str_null(url);

    if (prefix->len == 0 || name->len == 0) {
        return NGX_OK;
    }

    if (ngx_http_news_article_list_name(name, pool, &norm) != NGX_OK) {
        return NGX_ERROR;
    }

    if (norm.len == 0) {
        return NGX_OK;
    }

    p = ngx_pnalloc(pool, prefix->len + norm.len
                          + 2 * ngx_escape_uri(NULL, norm.data, norm.len,
                                               NGX_ESCAPE_URI_COMPONENT));
    if (p == NULL) {
        return NGX_ERROR;
    }

    url->data = p;
    p = ngx_cpymem(p, prefix->data, prefix->len);
    p = (u_char *) ngx_escape_uri(p, norm.data, norm.len,
                                  NGX_ESCAPE_URI_COMPONENT);
    url->len = p - url->data;

    return NGX_OK;
}
