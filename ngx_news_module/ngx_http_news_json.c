
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include <jansson.h>

#include "ngx_http_news_json.h"
#include "ngx_http_news_body.h"
#include "ngx_http_news_escape.h"


#define NGX_HTTP_NEWS_ISO_DATE  "%Y-%m-%dT%H:%M:%SZ"

/* characters: what Google shows of a headline, and of a description */
#define NGX_HTTP_NEWS_LD_HEADLINE_MAX     110
#define NGX_HTTP_NEWS_LD_DESCRIPTION_MAX  300

/* JSON-LD is about 1 KB: dumped at once into this much, most times */
#define NGX_HTTP_NEWS_LD_SIZE   4096


typedef struct {
    char                     *key;
    ngx_str_t                *value;
} ngx_http_news_json_member_t;


static ngx_int_t ngx_http_news_json_field(ngx_http_news_page_t *page,
    json_t *obj, ngx_str_t *name, ngx_str_t *value, ngx_pool_t *pool);
static ngx_int_t ngx_http_news_json_set(ngx_http_news_page_t *page,
    json_t *obj, char *key, ngx_str_t *value, ngx_pool_t *pool);
static json_t *ngx_http_news_json_thing(ngx_http_news_page_t *page,
    char *type, ngx_str_t *name, ngx_pool_t *pool);
static json_t *ngx_http_news_json_authors(ngx_http_news_page_t *page,
    ngx_pool_t *pool);
static json_t *ngx_http_news_json_publisher(ngx_http_news_page_t *page,
    ngx_pool_t *pool);
static ngx_int_t ngx_http_news_json_link(ngx_http_news_page_t *page,
    json_t *obj, char *key, ngx_str_t *ref, ngx_pool_t *pool);
static json_t *ngx_http_news_json_string(ngx_http_news_page_t *page,
    ngx_str_t *s, ngx_pool_t *pool);
static json_t *ngx_http_news_json_tags(ngx_http_news_page_t *page,
    ngx_pool_t *pool);
static json_t *ngx_http_news_json_date(ngx_http_news_page_t *page,
    time_t t, ngx_str_t *field, ngx_pool_t *pool);
static ngx_int_t ngx_http_news_json_utf8(ngx_http_news_page_t *page,
    ngx_str_t *s, ngx_pool_t *pool, ngx_str_t *out);
static ngx_int_t ngx_http_news_json_script_safe(ngx_str_t *json,
    ngx_pool_t *pool, ngx_str_t *out);


/* jansson's version, for the start notice */

const char *
ngx_http_news_json_library(void)
{
#if (JANSSON_VERSION_HEX >= 0x020d00)
    /* the shared library loaded, which may be newer than its headers */
    return jansson_version_str();
#else
    return JANSSON_VERSION;
#endif
}


/*
 * Every hash field; "views" as a number, "tags" as an array, the dates
 * in ISO 8601; the canonical "url" (the article page's, with
 * news_article_url) and "body_html", the body as the page shows it.
 * These two win over hash fields of their names, as in templates.  The
 * count is this view's, so it is left as the rendered JSON's one slot,
 * its last member.
 */

ngx_int_t
ngx_http_news_json_article(ngx_http_news_page_t *page, ngx_pool_t *pool,
    ngx_http_news_rendered_t *out)
{
    u_char                   *p;
    size_t                    size;
    json_t                   *obj;
    ngx_int_t                 rc;
    ngx_str_t                 json, html;
    ngx_uint_t                i;
    ngx_http_news_pair_t     *pair;
    ngx_http_news_article_t  *a;

    obj = json_object();
    if (obj == NULL) {
        return NGX_ERROR;
    }

    rc = NGX_ERROR;
    a = page->article;
    size = 1024 + page->url.len;

    for (i = 0; i < a->npairs; i++) {
        pair = &a->pairs[i];

        /* room for some escapes; more is dumped again */
        size += 2 * (pair->name.len + pair->value.len) + 8;

        if (ngx_http_news_json_field(page, obj, &pair->name, &pair->value,
                                     pool)
            != NGX_OK)
        {
            goto done;
        }
    }

    if (ngx_http_news_body_html(&a->field[NGX_HTTP_NEWS_BODY],
                                page->body_format, pool, &html)
        != NGX_OK)
    {
        goto done;
    }

    size += 2 * html.len;

    /* an empty body has no HTML: a hash's own "body_html" goes too */

    if (html.len == 0) {
        (void) json_object_del(obj, "body_html");
    }

    if (ngx_http_news_json_set(page, obj, "url", &page->url, pool)
        != NGX_OK
        || ngx_http_news_json_set(page, obj, "body_html", &html, pool)
           != NGX_OK
        || ngx_http_news_json_dump(obj, size, pool, &json) != NGX_OK)
    {
        goto done;
    }

    /* {...} becomes {...,"views":<slot>} */

    out->text.data = ngx_pnalloc(pool, json.len + sizeof(",\"views\":}"));
    out->cuts = ngx_palloc(pool, sizeof(ngx_http_news_cut_t));

    if (out->text.data == NULL || out->cuts == NULL) {
        goto done;
    }

    p = ngx_cpymem(out->text.data, json.data, json.len - 1);

    if (json.len > 2) {
        *p++ = ',';
    }

    p = ngx_cpymem(p, "\"views\":", sizeof("\"views\":") - 1);

    out->cuts[0].offset = p - out->text.data;
    out->cuts[0].slot = NGX_HTTP_NEWS_SLOT_VIEWS;
    out->ncuts = 1;

    *p++ = '}';
    out->text.len = p - out->text.data;

    rc = NGX_OK;

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

    if (ngx_http_news_json_utf8(page, name, pool, &key) != NGX_OK) {
        return NGX_ERROR;
    }

    if (key.len == 0 || (key.len == 5 && ngx_strncmp(key.data, "views", 5)
                                         == 0))
    {
        /* "views" is the counter, set last as a number */
        return NGX_OK;
    }

    if (key.len == 4 && ngx_strncmp(key.data, "tags", 4) == 0) {
        v = ngx_http_news_json_tags(page, pool);

    } else if (key.len == 12
               && ngx_strncmp(key.data, "published_at", 12) == 0)
    {
        v = ngx_http_news_json_date(page, page->article->published, value,
                                    pool);

    } else if (key.len == 10
               && ngx_strncmp(key.data, "updated_at", 10) == 0)
    {
        v = ngx_http_news_json_date(page, page->article->updated, value,
                                    pool);

    } else {
        v = ngx_http_news_json_string(page, value, pool);
    }

    if (v == NULL) {
        return NGX_ERROR;
    }

    /* the name is valid UTF-8 now */

    return json_object_setn_new_nocheck(obj, (const char *) key.data,
                                        key.len, v)
           == 0 ? NGX_OK : NGX_ERROR;
}


/* {"error": "..."}: the shape of the publishing API's errors */

ngx_int_t
ngx_http_news_json_error(char *error, ngx_pool_t *pool, ngx_str_t *out)
{
    json_t     *obj;
    ngx_int_t   rc;

    obj = json_object();
    if (obj == NULL) {
        return NGX_ERROR;
    }

    rc = NGX_ERROR;

    if (json_object_set_new_nocheck(obj, "error", json_string(error)) == 0) {
        rc = ngx_http_news_json_dump(obj, 64 + ngx_strlen(error), pool, out);
    }

    json_decref(obj);

    return rc;
}


ngx_int_t
ngx_http_news_json_ld(ngx_http_news_page_t *page, ngx_pool_t *pool,
    ngx_str_t *out)
{
    json_t                       *ld, *v;
    ngx_int_t                     rc;
    ngx_str_t                     json, published, updated, headline;
    ngx_str_t                     description, image;
    ngx_uint_t                    i;
    ngx_http_news_article_t      *a;
    ngx_http_news_json_member_t   members[9];

    a = page->article;

    if (ngx_http_news_article_date(a->published, NGX_HTTP_NEWS_ISO_DATE, pool,
                                   &published)
        != NGX_OK
        || ngx_http_news_article_date(a->updated, NGX_HTTP_NEWS_ISO_DATE,
                                      pool, &updated)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* a headline too long for Google: seo_title if it fits, else cut */

    headline = a->field[NGX_HTTP_NEWS_TITLE];

    if (ngx_http_news_escape_cut(&headline, NGX_HTTP_NEWS_LD_HEADLINE_MAX, 0,
                                 pool, &headline)
        != NGX_OK
        || ngx_http_news_escape_cut(&a->field[NGX_HTTP_NEWS_SUMMARY],
                                    NGX_HTTP_NEWS_LD_DESCRIPTION_MAX, 0, pool,
                                    &description)
           != NGX_OK
        || ngx_http_news_render_resolve(page, &a->field[NGX_HTTP_NEWS_IMAGE],
                                        pool, &image)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (headline.len != a->field[NGX_HTTP_NEWS_TITLE].len
        && a->field[NGX_HTTP_NEWS_SEO_TITLE].len
        && a->field[NGX_HTTP_NEWS_SEO_TITLE].len
           <= NGX_HTTP_NEWS_LD_HEADLINE_MAX)
    {
        headline = a->field[NGX_HTTP_NEWS_SEO_TITLE];
    }

    members[0].key = "headline";
    members[0].value = &headline;
    members[1].key = "description";
    members[1].value = &description;
    members[2].key = "articleSection";
    members[2].value = &a->field[NGX_HTTP_NEWS_CATEGORY];
    members[3].key = "creditText";
    members[3].value = &a->field[NGX_HTTP_NEWS_IMAGE_CREDIT];
    members[4].key = "datePublished";
    members[4].value = &published;

    /* an article never updated was last modified when published */

    members[5].key = "dateModified";
    members[5].value = updated.len ? &updated : &published;
    members[6].key = "url";
    members[6].value = &page->url;
    members[7].key = "mainEntityOfPage";
    members[7].value = &page->url;
    members[8].key = "inLanguage";
    members[8].value = &page->publisher->lang;

    ld = json_object();
    if (ld == NULL) {
        return NGX_ERROR;
    }

    rc = NGX_ERROR;

    if (json_object_set_new_nocheck(ld, "@context",
                                    json_string_nocheck("https://schema.org"))
        != 0
        || json_object_set_new_nocheck(ld, "@type",
                                       json_string_nocheck("NewsArticle"))
           != 0)
    {
        goto done;
    }

    for (i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
        if (ngx_http_news_json_set(page, ld, members[i].key,
                                   members[i].value, pool)
            != NGX_OK)
        {
            goto done;
        }
    }

    /* absolute: Google and the social cards take no relative URL */

    if (image.len) {
        v = json_array();

        if (v == NULL
            || json_object_set_new_nocheck(ld, "image", v) != 0
            || json_array_append_new(v, ngx_http_news_json_string(page,
                                                                  &image,
                                                                  pool))
               != 0)
        {
            goto done;
        }
    }

    if (a->nauthors) {
        v = ngx_http_news_json_authors(page, pool);

        if (json_object_set_new_nocheck(ld, "author", v) != 0) {
            goto done;
        }
    }

    if (ngx_http_news_render_publisher(page)->len) {
        v = ngx_http_news_json_publisher(page, pool);

        if (json_object_set_new_nocheck(ld, "publisher", v) != 0) {
            goto done;
        }
    }

    if (a->field[NGX_HTTP_NEWS_TAGS].len) {
        v = ngx_http_news_json_tags(page, pool);

        if (json_object_set_new_nocheck(ld, "keywords", v) != 0) {
            goto done;
        }
    }

    /* the JSON goes into a <script> element: it must not end it early */

    if (ngx_http_news_json_dump(ld, NGX_HTTP_NEWS_LD_SIZE, pool, &json)
        != NGX_OK
        || ngx_http_news_json_script_safe(&json, pool, out) != NGX_OK)
    {
        goto done;
    }

    rc = NGX_OK;

done:

    json_decref(ld);

    return rc;
}


/* [{"@type": "Person", "name": ..., "url": ...}, ...], absolute URLs */

static json_t *
ngx_http_news_json_authors(ngx_http_news_page_t *page, ngx_pool_t *pool)
{
    json_t                   *arr, *person;
    ngx_uint_t                i;
    ngx_http_news_person_t   *p;
    ngx_http_news_article_t  *a;

    arr = json_array();
    if (arr == NULL) {
        return NULL;
    }

    a = page->article;

    for (i = 0; i < a->nauthors; i++) {
        p = &a->authors[i];

        person = ngx_http_news_json_thing(page, "Person", &p->name, pool);

        if (json_array_append_new(arr, person) != 0
            || (p->url.len && ngx_http_news_safe_url(p->url.data, p->url.len)
                && ngx_http_news_json_link(page, person, "url", &p->url,
                                           pool)
                   != NGX_OK))
        {
            json_decref(arr);
            return NULL;
        }
    }

    return arr;
}


/* {"@type": "Organization", "name", "url", "logo": {"@type": ImageObject}} */

static json_t *
ngx_http_news_json_publisher(ngx_http_news_page_t *page, ngx_pool_t *pool)
{
    json_t                     *org, *logo;
    ngx_http_news_publisher_t  *pub;

    pub = page->publisher;

    org = ngx_http_news_json_thing(page, "Organization",
                                   ngx_http_news_render_publisher(page),
                                   pool);
    if (org == NULL) {
        return NULL;
    }

    if (ngx_http_news_json_link(page, org, "url", &pub->url, pool)
        != NGX_OK)
    {
        goto failed;
    }

    if (pub->logo.len) {
        logo = json_object();

        if (json_object_set_new_nocheck(org, "logo", logo) != 0
            || json_object_set_new_nocheck(logo, "@type",
                                           json_string_nocheck("ImageObject"))
               != 0
            || ngx_http_news_json_link(page, logo, "url", &pub->logo, pool)
               != NGX_OK)
        {
            goto failed;
        }
    }

    return org;

failed:

    json_decref(org);
    return NULL;
}


/* a URL member, made absolute against the page's; left out if empty */

static ngx_int_t
ngx_http_news_json_link(ngx_http_news_page_t *page, json_t *obj, char *key,
    ngx_str_t *ref, ngx_pool_t *pool)
{
    ngx_str_t  url;

    if (ngx_http_news_render_resolve(page, ref, pool, &url) != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_http_news_json_set(page, obj, key, &url, pool);
}


/* sets a string member, leaving out empty values */

static ngx_int_t
ngx_http_news_json_set(ngx_http_news_page_t *page, json_t *obj, char *key,
    ngx_str_t *value, ngx_pool_t *pool)
{
    json_t  *v;

    if (value->len == 0) {
        return NGX_OK;
    }

    v = ngx_http_news_json_string(page, value, pool);
    if (v == NULL) {
        return NGX_ERROR;
    }

    return json_object_set_new_nocheck(obj, key, v) == 0 ? NGX_OK : NGX_ERROR;
}


/* {"@type": type, "name": name}; NULL if it cannot be made */

static json_t *
ngx_http_news_json_thing(ngx_http_news_page_t *page, char *type,
    ngx_str_t *name, ngx_pool_t *pool)
{
    json_t  *thing;

    thing = json_object();

    if (thing == NULL
        || json_object_set_new_nocheck(thing, "@type",
                                       json_string_nocheck(type))
           != 0
        || json_object_set_new_nocheck(thing, "name",
                                       ngx_http_news_json_string(page, name,
                                                                 pool))
           != 0)
    {
        json_decref(thing);
        return NULL;
    }

    return thing;
}


static json_t *
ngx_http_news_json_string(ngx_http_news_page_t *page, ngx_str_t *s,
    ngx_pool_t *pool)
{
    ngx_str_t  utf8;

    if (ngx_http_news_json_utf8(page, s, pool, &utf8) != NGX_OK) {
        return NULL;
    }

    /* made valid above: jansson need not check it again */

    return json_stringn_nocheck((const char *) utf8.data, utf8.len);
}


static json_t *
ngx_http_news_json_tags(ngx_http_news_page_t *page, ngx_pool_t *pool)
{
    json_t                   *arr;
    ngx_uint_t                i;
    ngx_http_news_article_t  *a;

    arr = json_array();
    if (arr == NULL) {
        return NULL;
    }

    a = page->article;

    for (i = 0; i < a->ntags; i++) {
        if (json_array_append_new(arr, ngx_http_news_json_string(page,
                                                                 &a->tags[i],
                                                                 pool))
            != 0)
        {
            json_decref(arr);
            return NULL;
        }
    }

    return arr;
}


/* ISO 8601 when the date could be read, else the value as stored */

static json_t *
ngx_http_news_json_date(ngx_http_news_page_t *page, time_t t,
    ngx_str_t *field, ngx_pool_t *pool)
{
    ngx_str_t  iso;

    if (ngx_http_news_article_date(t, NGX_HTTP_NEWS_ISO_DATE, pool, &iso)
        != NGX_OK)
    {
        return NULL;
    }

    return ngx_http_news_json_string(page, iso.len ? &iso : field, pool);
}


/*
 * jansson takes valid UTF-8 only.  Valid text is used as it is; in any
 * other, every byte that does not start a valid sequence becomes U+FFFD:
 * never invalid JSON, never a failed page.
 */

static ngx_int_t
ngx_http_news_json_utf8(ngx_http_news_page_t *page, ngx_str_t *s,
    ngx_pool_t *pool, ngx_str_t *out)
{
    size_t  bad;

    bad = ngx_http_news_json_fix_utf8(NULL, s->data, s->len);

    if (bad == 0) {
        *out = *s;
        return NGX_OK;
    }

    ngx_log_error(NGX_LOG_INFO, page->log, 0,
                  "news: invalid UTF-8 in a field replaced with U+FFFD");

    out->data = ngx_pnalloc(pool, s->len + 2 * bad);
    if (out->data == NULL) {
        return NGX_ERROR;
    }

    out->len = ngx_http_news_json_fix_utf8(out->data, s->data, s->len);

    return NGX_OK;
}


/*
 * With dst NULL, counts the bytes that do not start a valid UTF-8
 * sequence; otherwise copies src with each of them replaced by U+FFFD
 * and returns the length written.  The publishing API's JSON uses it
 * too.
 */

size_t
ngx_http_news_json_fix_utf8(u_char *dst, u_char *src, size_t len)
{
    u_char  *p, *last, *start;
    size_t   n, bad;

    p = src;
    last = src + len;
    start = dst;
    bad = 0;

    while (p < last) {
        n = ngx_http_news_utf8_len(p, last);

        if (n) {
            if (dst != NULL) {
                dst = ngx_cpymem(dst, p, n);
            }

            p += n;
            continue;
        }

        if (dst != NULL) {
            *dst++ = 0xef;
            *dst++ = 0xbf;
            *dst++ = 0xbd;
        }

        bad++;
        p++;
    }

    return dst != NULL ? (size_t) (dst - start) : bad;
}


/*
 * Dumped once into a buffer of the size guessed, and only when that was
 * too small, again into one of the size jansson asked for: a dump costs
 * more than all the rest of building the JSON.
 */

ngx_int_t
ngx_http_news_json_dump(json_t *json, size_t size, ngx_pool_t *pool,
    ngx_str_t *out)
{
    size_t  len;

    out->data = ngx_pnalloc(pool, size);
    if (out->data == NULL) {
        return NGX_ERROR;
    }

    len = json_dumpb(json, (char *) out->data, size, JSON_COMPACT);
    if (len == 0) {
        return NGX_ERROR;
    }

    if (len > size) {
        out->data = ngx_pnalloc(pool, len);
        if (out->data == NULL) {
            return NGX_ERROR;
        }

        if (json_dumpb(json, (char *) out->data, len, JSON_COMPACT) != len) {
            return NGX_ERROR;
        }
    }

    out->len = len;

    return NGX_OK;
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
