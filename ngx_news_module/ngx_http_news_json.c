
/*
 * Copyright (C) ngx_news_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include <jansson.h>

#include "ngx_http_news_json.h"


#define NGX_HTTP_NEWS_ISO_DATE  "%Y-%m-%dT%H:%M:%SZ"


static ngx_int_t ngx_http_news_json_field(ngx_http_news_page_t *page,
    json_t *obj, ngx_str_t *name, ngx_str_t *value, ngx_pool_t *pool);
static ngx_int_t ngx_http_news_json_set(ngx_http_news_page_t *page,
    json_t *obj, char *key, ngx_str_t *value);
static json_t *ngx_http_news_json_string(ngx_http_news_page_t *page,
    ngx_str_t *s);
static json_t *ngx_http_news_json_tags(ngx_http_news_page_t *page,
    ngx_str_t *tags, ngx_pool_t *pool);
static json_t *ngx_http_news_json_date(ngx_http_news_page_t *page,
    ngx_str_t *field, ngx_pool_t *pool);
static ngx_int_t ngx_http_news_json_sanitize(ngx_str_t *s, ngx_str_t *out);
static ngx_int_t ngx_http_news_json_dump(json_t *json, ngx_pool_t *pool,
    ngx_str_t *out);
static ngx_int_t ngx_http_news_json_script_safe(ngx_str_t *json,
    ngx_pool_t *pool, ngx_str_t *out);


/*
 * Every hash field; "views" as a number, "tags" as an array, the dates
 * in ISO 8601; and the canonical "url".
 */

ngx_int_t
ngx_http_news_json_article(ngx_http_news_page_t *page, ngx_pool_t *pool,
    ngx_str_t *out)
{
    size_t        i;
    json_t       *obj, *v;
    ngx_int_t     rc;
    ngx_str_t     name, value;
    redisReply   *pairs;

    obj = json_object();
    if (obj == NULL) {
        return NGX_ERROR;
    }

    rc = NGX_OK;
    pairs = page->article->pairs;

    for (i = 0; pairs != NULL && i < pairs->elements; i += 2) {
        name.data = (u_char *) pairs->element[i]->str;
        name.len = pairs->element[i]->len;
        value.data = (u_char *) pairs->element[i + 1]->str;
        value.len = pairs->element[i + 1]->len;

        rc = ngx_http_news_json_field(page, obj, &name, &value, pool);
        if (rc != NGX_OK) {
            goto done;
        }
    }

    v = json_integer(page->article->views);

    if (v == NULL || json_object_set_new(obj, "views", v) != 0
        || ngx_http_news_json_set(page, obj, "url", &page->url) != NGX_OK)
    {
        rc = NGX_ERROR;
        goto done;
    }

    rc = ngx_http_news_json_dump(obj, pool, out);

done:

    json_decref(obj);

    return rc;
}


static ngx_int_t
ngx_http_news_json_field(ngx_http_news_page_t *page, json_t *obj,
    ngx_str_t *name, ngx_str_t *value, ngx_pool_t *pool)
{
    json_t     *v;
    ngx_str_t   key;

    if (ngx_http_news_json_sanitize(name, &key) != NGX_OK) {
        return NGX_ERROR;
    }

    if (key.len == 0 || (key.len == 5 && ngx_strncmp(key.data, "views", 5)
                                         == 0))
    {
        /* "views" is the counter, set last as a number */
        return NGX_OK;
    }

    if (key.len == 4 && ngx_strncmp(key.data, "tags", 4) == 0) {
        v = ngx_http_news_json_tags(page, value, pool);

    } else if ((key.len == 12
                && ngx_strncmp(key.data, "published_at", 12) == 0)
               || (key.len == 10
                   && ngx_strncmp(key.data, "updated_at", 10) == 0))
    {
        v = ngx_http_news_json_date(page, value, pool);

    } else {
        v = ngx_http_news_json_string(page, value);
    }

    if (v == NULL) {
        return NGX_ERROR;
    }

    return json_object_setn_new(obj, (const char *) key.data, key.len, v) == 0
           ? NGX_OK : NGX_ERROR;
}


ngx_int_t
ngx_http_news_json_ld(ngx_http_news_page_t *page, ngx_pool_t *pool,
    ngx_str_t *out)
{
    json_t                   *ld, *v;
    ngx_int_t                 rc;
    ngx_str_t                 json, type, published, updated;
    ngx_http_news_article_t  *a;

    a = page->article;

    ld = json_object();
    if (ld == NULL) {
        return NGX_ERROR;
    }

    rc = NGX_ERROR;

    if (json_object_set_new(ld, "@context",
                            json_string("https://schema.org")) != 0
        || json_object_set_new(ld, "@type", json_string("NewsArticle")) != 0
        || ngx_http_news_json_set(page, ld, "headline",
                                  &a->field[NGX_HTTP_NEWS_TITLE]) != NGX_OK
        || ngx_http_news_json_set(page, ld, "description",
                                  &a->field[NGX_HTTP_NEWS_SUMMARY]) != NGX_OK
        || ngx_http_news_json_set(page, ld, "articleSection",
                                  &a->field[NGX_HTTP_NEWS_CATEGORY]) != NGX_OK
        || ngx_http_news_json_set(page, ld, "creditText",
                                  &a->field[NGX_HTTP_NEWS_IMAGE_CREDIT])
           != NGX_OK
        || ngx_http_news_json_set(page, ld, "url", &page->url) != NGX_OK
        || ngx_http_news_json_set(page, ld, "mainEntityOfPage", &page->url)
           != NGX_OK)
    {
        goto done;
    }

    if (a->field[NGX_HTTP_NEWS_IMAGE].len) {
        v = json_array();

        if (v == NULL || json_object_set_new(ld, "image", v) != 0
            || json_array_append_new(v, ngx_http_news_json_string(page,
                                        &a->field[NGX_HTTP_NEWS_IMAGE]))
               != 0)
        {
            goto done;
        }
    }

    /* an article never updated was last modified when published */

    if (ngx_http_news_article_date(&a->field[NGX_HTTP_NEWS_PUBLISHED_AT],
                                   NGX_HTTP_NEWS_ISO_DATE, pool, &published)
        != NGX_OK
        || ngx_http_news_article_date(&a->field[NGX_HTTP_NEWS_UPDATED_AT],
                                      NGX_HTTP_NEWS_ISO_DATE, pool, &updated)
           != NGX_OK
        || ngx_http_news_json_set(page, ld, "datePublished", &published)
           != NGX_OK
        || ngx_http_news_json_set(page, ld, "dateModified",
                                  updated.len ? &updated : &published)
           != NGX_OK)
    {
        goto done;
    }

    if (a->field[NGX_HTTP_NEWS_AUTHOR].len) {
        ngx_str_set(&type, "Person");
        v = json_object();

        if (v == NULL || json_object_set_new(ld, "author", v) != 0
            || ngx_http_news_json_set(page, v, "@type", &type) != NGX_OK
            || ngx_http_news_json_set(page, v, "name",
                                      &a->field[NGX_HTTP_NEWS_AUTHOR])
               != NGX_OK)
        {
            goto done;
        }
    }

    if (page->site_name.len) {
        ngx_str_set(&type, "Organization");
        v = json_object();

        if (v == NULL || json_object_set_new(ld, "publisher", v) != 0
            || ngx_http_news_json_set(page, v, "@type", &type) != NGX_OK
            || ngx_http_news_json_set(page, v, "name", &page->site_name)
               != NGX_OK)
        {
            goto done;
        }
    }

    if (a->field[NGX_HTTP_NEWS_TAGS].len) {
        v = ngx_http_news_json_tags(page, &a->field[NGX_HTTP_NEWS_TAGS],
                                    pool);

        if (v == NULL || json_object_set_new(ld, "keywords", v) != 0) {
            goto done;
        }
    }

    /* the JSON goes into a <script> element: it must not end it early */

    if (ngx_http_news_json_dump(ld, pool, &json) != NGX_OK
        || ngx_http_news_json_script_safe(&json, pool, out) != NGX_OK)
    {
        goto done;
    }

    rc = NGX_OK;

done:

    json_decref(ld);

    return rc;
}


/* sets a string member, leaving out empty values */

static ngx_int_t
ngx_http_news_json_set(ngx_http_news_page_t *page, json_t *obj, char *key,
    ngx_str_t *value)
{
    json_t  *v;

    if (value->len == 0) {
        return NGX_OK;
    }

    v = ngx_http_news_json_string(page, value);
    if (v == NULL) {
        return NGX_ERROR;
    }

    return json_object_set_new(obj, key, v) == 0 ? NGX_OK : NGX_ERROR;
}


static json_t *
ngx_http_news_json_string(ngx_http_news_page_t *page, ngx_str_t *s)
{
    json_t     *v;
    ngx_str_t   fixed;

    v = json_stringn((const char *) s->data, s->len);

    if (v != NULL) {
        return v;
    }

    /* jansson takes valid UTF-8 only: never invalid JSON, never a crash */

    if (ngx_http_news_json_sanitize(s, &fixed) != NGX_OK) {
        return NULL;
    }

    ngx_log_error(NGX_LOG_INFO, page->log, 0,
                  "news: invalid UTF-8 in a field replaced with U+FFFD");

    v = json_stringn((const char *) fixed.data, fixed.len);

    ngx_free(fixed.data);

    return v;
}


static json_t *
ngx_http_news_json_tags(ngx_http_news_page_t *page, ngx_str_t *tags,
    ngx_pool_t *pool)
{
    json_t       *arr;
    ngx_str_t    *tag;
    ngx_uint_t    i;
    ngx_array_t   list;

    if (ngx_http_news_article_tags(tags, pool, &list) != NGX_OK) {
        return NULL;
    }

    arr = json_array();
    if (arr == NULL) {
        return NULL;
    }

    tag = list.elts;

    for (i = 0; i < list.nelts; i++) {
        if (json_array_append_new(arr, ngx_http_news_json_string(page,
                                                                 &tag[i]))
            != 0)
        {
            json_decref(arr);
            return NULL;
        }
    }

    return arr;
}


/* ISO 8601 when the date can be read, else the value as stored */

static json_t *
ngx_http_news_json_date(ngx_http_news_page_t *page, ngx_str_t *field,
    ngx_pool_t *pool)
{
    ngx_str_t  iso;

    if (ngx_http_news_article_date(field, NGX_HTTP_NEWS_ISO_DATE, pool, &iso)
        != NGX_OK)
    {
        return NULL;
    }

    return ngx_http_news_json_string(page, iso.len ? &iso : field);
}


/*
 * A copy of s, on the heap, with every byte that does not start a valid
 * UTF-8 sequence (RFC 3629: no overlongs, surrogates or values above
 * U+10FFFF) replaced by U+FFFD.
 */

static ngx_int_t
ngx_http_news_json_sanitize(ngx_str_t *s, ngx_str_t *out)
{
    u_char   *p, *last, *dst, c;
    size_t    n, i;
    u_char    lo, hi;

    out->data = ngx_alloc(s->len * 3 + 1, ngx_cycle->log);
    if (out->data == NULL) {
        return NGX_ERROR;
    }

    p = s->data;
    last = p + s->len;
    dst = out->data;

    while (p < last) {
        c = *p;
        lo = 0x80;
        hi = 0xbf;

        if (c < 0x80) {
            n = 0;

        } else if (c >= 0xc2 && c <= 0xdf) {
            n = 1;

        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2;
            lo = (c == 0xe0) ? 0xa0 : 0x80;
            hi = (c == 0xed) ? 0x9f : 0xbf;

        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3;
            lo = (c == 0xf0) ? 0x90 : 0x80;
            hi = (c == 0xf4) ? 0x8f : 0xbf;

        } else {
            goto invalid;
        }

        if (n && (size_t) (last - p) <= n) {
            goto invalid;
        }

        for (i = 1; i <= n; i++) {
            if (p[i] < (i == 1 ? lo : 0x80) || p[i] > (i == 1 ? hi : 0xbf)) {
                goto invalid;
            }
        }

        dst = ngx_cpymem(dst, p, n + 1);
        p += n + 1;
        continue;

    invalid:

        *dst++ = 0xef;
        *dst++ = 0xbf;
        *dst++ = 0xbd;
        p++;
    }

    out->len = dst - out->data;

    return NGX_OK;
}


static ngx_int_t
ngx_http_news_json_dump(json_t *json, ngx_pool_t *pool, ngx_str_t *out)
{
    size_t  size;

    size = json_dumpb(json, NULL, 0, JSON_COMPACT);
    if (size == 0) {
        return NGX_ERROR;
    }

    out->data = ngx_pnalloc(pool, size);
    if (out->data == NULL) {
        return NGX_ERROR;
    }

    out->len = json_dumpb(json, (char *) out->data, size, JSON_COMPACT);

    return out->len == size ? NGX_OK : NGX_ERROR;
}


/*
 * "</" becomes "<\/" and "<!--" becomes "\u003c!--": both mean the same
 * in JSON, and neither can end or confuse the enclosing <script>.
 */

static ngx_int_t
ngx_http_news_json_script_safe(ngx_str_t *json, ngx_pool_t *pool,
    ngx_str_t *out)
{
    u_char  *p, *last, *dst;

    /* "<" grows to 6 bytes at the most */

    out->data = ngx_pnalloc(pool, json->len * 6);
    if (out->data == NULL) {
        return NGX_ERROR;
    }

    dst = out->data;
    last = json->data + json->len;

    for (p = json->data; p < last; p++) {
        if (*p == '<' && last - p > 1 && p[1] == '/') {
            dst = ngx_cpymem(dst, "<\\/", 3);
            p++;

        } else if (*p == '<' && last - p > 3
                   && ngx_strncmp(p, "<!--", 4) == 0)
        {
            dst = ngx_cpymem(dst, "\\u003c", 6);

        } else {
            *dst++ = *p;
        }
    }

    out->len = dst - out->data;

    return NGX_OK;
}
