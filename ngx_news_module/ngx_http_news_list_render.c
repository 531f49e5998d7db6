
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_news_list_render.h"
#include "ngx_http_news_json.h"


#define NGX_HTTP_NEWS_LIST_ISO_DATE  "%Y-%m-%dT%H:%M:%SZ"


/* an article's fields first, with the same numbers as in the article */

typedef enum {
    NGX_HTTP_NEWS_LIST_URL = NGX_HTTP_NEWS_NFIELDS,
    NGX_HTTP_NEWS_LIST_SLUG,
    NGX_HTTP_NEWS_LIST_PUBLISHED,
    NGX_HTTP_NEWS_LIST_PUBLISHED_ISO,
    NGX_HTTP_NEWS_LIST_UPDATED_ISO,
    NGX_HTTP_NEWS_LIST_VIEWS,
    NGX_HTTP_NEWS_LIST_VIEWS_LABEL,
    NGX_HTTP_NEWS_LIST_POSITION,
    NGX_HTTP_NEWS_LIST_CATEGORY_URL,
    NGX_HTTP_NEWS_LIST_AUTHOR_URL,
    NGX_HTTP_NEWS_LIST_SEO_TITLE,

    /* the list's own names */
    NGX_HTTP_NEWS_LIST_LIST_TITLE,
    NGX_HTTP_NEWS_LIST_SITE_NAME,
    NGX_HTTP_NEWS_LIST_PAGE,
    NGX_HTTP_NEWS_LIST_PAGES,
    NGX_HTTP_NEWS_LIST_TOTAL,
    NGX_HTTP_NEWS_LIST_PREV_URL,
    NGX_HTTP_NEWS_LIST_NEXT_URL,
    NGX_HTTP_NEWS_LIST_BASE_URL,
    NGX_HTTP_NEWS_LIST_HOME_URL,
    NGX_HTTP_NEWS_LIST_KIND,
    NGX_HTTP_NEWS_LIST_NAME,
    NGX_HTTP_NEWS_LIST_LANG,
    NGX_HTTP_NEWS_LIST_HAS_MOST_READ,
    NGX_HTTP_NEWS_LIST_ARTICLES,
    NGX_HTTP_NEWS_LIST_MOST_READ
} ngx_http_news_list_value_e;


typedef struct ngx_http_news_list_values_s  ngx_http_news_list_values_t;


/* what the value function gets: the page, or one of its articles */
typedef struct {
    ngx_http_news_list_values_t  *values;
    ngx_http_news_list_item_t    *item;         /* NULL: the page */
    ngx_uint_t                    position;     /* in the whole list */
} ngx_http_news_list_record_t;


struct ngx_http_news_list_values_s {
    ngx_http_news_list_page_t    *page;
    ngx_pool_t                   *pool;
    ngx_http_news_list_record_t   top;
    void                        **records[2];   /* articles, most read */
};


static ngx_int_t ngx_http_news_list_get(void *data, ngx_uint_t id,
    ngx_uint_t list, ngx_str_t **items, ngx_uint_t *nitems);
static ngx_int_t ngx_http_news_list_records(void *data, ngx_uint_t id,
    void ***records, ngx_uint_t *nrecords);
static ngx_int_t ngx_http_news_list_item_value(
    ngx_http_news_list_record_t *rec, ngx_uint_t id, ngx_str_t *v);
static ngx_int_t ngx_http_news_list_value(ngx_http_news_list_values_t *lv,
    ngx_uint_t id, ngx_str_t *v);
static ngx_int_t ngx_http_news_list_number(ngx_pool_t *pool, int64_t n,
    const char *suffix, ngx_str_t *v);
static ngx_str_t *ngx_http_news_list_pair(ngx_http_news_article_t *a,
    char *name);
static json_t *ngx_http_news_list_json_item(ngx_http_news_list_page_t *page,
    ngx_http_news_list_item_t *item, ngx_pool_t *pool);
static json_t *ngx_http_news_list_json_string(ngx_http_news_list_page_t *page,
    ngx_str_t *s, ngx_pool_t *pool);


static ngx_str_t  ngx_http_news_list_kinds[] = {
    ngx_string("latest"),
    ngx_string("section"),
    ngx_string("tag"),
    ngx_string("author"),
    ngx_string("most_read"),
    ngx_string("most_read")
};


static ngx_http_news_template_name_t  ngx_http_news_list_computed[] = {
    { ngx_string("url"), NGX_HTTP_NEWS_LIST_URL, 0, 0 },
    { ngx_string("slug"), NGX_HTTP_NEWS_LIST_SLUG, 0, 0 },
    { ngx_string("published"), NGX_HTTP_NEWS_LIST_PUBLISHED, 0, 0 },
    { ngx_string("published_iso"), NGX_HTTP_NEWS_LIST_PUBLISHED_ISO,
      0, 0 },
    { ngx_string("updated_iso"), NGX_HTTP_NEWS_LIST_UPDATED_ISO, 0, 0 },
    { ngx_string("views"), NGX_HTTP_NEWS_LIST_VIEWS, 0, 0 },
    { ngx_string("views_label"), NGX_HTTP_NEWS_LIST_VIEWS_LABEL, 0, 0 },
    { ngx_string("position"), NGX_HTTP_NEWS_LIST_POSITION, 0, 0 },
    { ngx_string("category_url"), NGX_HTTP_NEWS_LIST_CATEGORY_URL,
      0, 0 },
    { ngx_string("author_url"), NGX_HTTP_NEWS_LIST_AUTHOR_URL, 0, 0 },
    { ngx_string("seo_title"), NGX_HTTP_NEWS_LIST_SEO_TITLE, 0, 0 },
    { ngx_string("list_title"), NGX_HTTP_NEWS_LIST_LIST_TITLE, 0, 0 },
    { ngx_string("site_name"), NGX_HTTP_NEWS_LIST_SITE_NAME, 0, 0 },
    { ngx_string("page"), NGX_HTTP_NEWS_LIST_PAGE, 0, 0 },
    { ngx_string("pages"), NGX_HTTP_NEWS_LIST_PAGES, 0, 0 },
    { ngx_string("total"), NGX_HTTP_NEWS_LIST_TOTAL, 0, 0 },
    { ngx_string("prev_url"), NGX_HTTP_NEWS_LIST_PREV_URL, 0, 0 },
    { ngx_string("next_url"), NGX_HTTP_NEWS_LIST_NEXT_URL, 0, 0 },
    { ngx_string("base_url"), NGX_HTTP_NEWS_LIST_BASE_URL, 0, 0 },
    { ngx_string("home_url"), NGX_HTTP_NEWS_LIST_HOME_URL, 0, 0 },
    { ngx_string("kind"), NGX_HTTP_NEWS_LIST_KIND, 0, 0 },
    { ngx_string("name"), NGX_HTTP_NEWS_LIST_NAME, 0, 0 },
    { ngx_string("lang"), NGX_HTTP_NEWS_LIST_LANG, 0, 0 },
    { ngx_string("has_most_read"), NGX_HTTP_NEWS_LIST_HAS_MOST_READ,
      0, 0 },
    { ngx_string("articles"), NGX_HTTP_NEWS_LIST_ARTICLES,
      NGX_HTTP_NEWS_TEMPLATE_RECORDS, 0 },
    { ngx_string("most_read"), NGX_HTTP_NEWS_LIST_MOST_READ,
      NGX_HTTP_NEWS_TEMPLATE_RECORDS, 0 },
    { ngx_null_string, 0, 0, 0 }
};


static ngx_http_news_template_name_t *
ngx_http_news_list_names(ngx_conf_t *cf)
{
    size_t                          n;
    ngx_uint_t                      i;
    ngx_http_news_template_name_t  *names;

    n = sizeof(ngx_http_news_list_computed)
        / sizeof(ngx_http_news_template_name_t) - 1;

    names = ngx_pcalloc(cf->pool, (n + NGX_HTTP_NEWS_NFIELDS + 1)
                                  * sizeof(ngx_http_news_template_name_t));
    if (names == NULL) {
        return NULL;
    }

    ngx_memcpy(names, ngx_http_news_list_computed,
               n * sizeof(ngx_http_news_template_name_t));

    for (i = 0; i < NGX_HTTP_NEWS_NFIELDS; i++) {
        names[n + i].name = ngx_http_news_article_fields[i];
        names[n + i].id = i;
        names[n + i].list = (i == NGX_HTTP_NEWS_TAGS);
    }

    return names;
}


ngx_http_news_template_t *
ngx_http_news_list_template_load(ngx_conf_t *cf, ngx_str_t *path)
{
    ngx_http_news_template_name_t  *names;

    names = ngx_http_news_list_names(cf);
    if (names == NULL) {
        return NULL;
    }

    return ngx_http_news_template_load(cf, path, names);
}


ngx_http_news_template_t *
ngx_http_news_list_template_compile(ngx_conf_t *cf, ngx_str_t *source,
    ngx_str_t *text)
{
    ngx_http_news_template_name_t  *names;

    names = ngx_http_news_list_names(cf);
    if (names == NULL) {
        return NULL;
    }

    return ngx_http_news_template_compile(cf, source, text, names);
}


ngx_int_t
ngx_http_news_list_render_html(ngx_http_news_template_t *tpl,
    ngx_http_news_list_page_t *page, ngx_pool_t *pool, ngx_str_t *out)
{
    ngx_http_news_rendered_t     rendered;
    ngx_http_news_list_values_t  lv;

    ngx_memzero(&lv, sizeof(ngx_http_news_list_values_t));
    lv.page = page;
    lv.pool = pool;
    lv.top.values = &lv;

    if (ngx_http_news_template_render_records(tpl, ngx_http_news_list_get,
                                              ngx_http_news_list_records,
                                              &lv.top, pool, &rendered)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* a list has no slots: it is sent as it is */

    *out = rendered.text;

    return NGX_OK;
}


static ngx_int_t
ngx_http_news_list_records(void *data, ngx_uint_t id, void ***records,
    ngx_uint_t *nrecords)
{
    ngx_http_news_list_record_t *rec = data;

    ngx_uint_t                    i, k, n, first;
    ngx_http_news_list_t         *list;
    ngx_http_news_list_item_t    *items;
    ngx_http_news_list_record_t  *r;
    ngx_http_news_list_values_t  *lv;

    lv = rec->values;
    list = lv->page->list;

    k = (id == NGX_HTTP_NEWS_LIST_MOST_READ);

    if (k) {
        items = list->box;
        n = list->nbox;
        first = 1;

    } else {
        items = list->items;
        n = list->nitems;
        first = (list->page - 1) * list->size + 1;
    }

    *nrecords = n;

    /* made once: the page is walked twice, to measure and to write */

    if (lv->records[k] == NULL && n) {
        lv->records[k] = ngx_palloc(lv->pool, n * sizeof(void *));
        r = ngx_palloc(lv->pool, n * sizeof(ngx_http_news_list_record_t));

        if (lv->records[k] == NULL || r == NULL) {
            return NGX_ERROR;
        }

        for (i = 0; i < n; i++) {
            r[i].values = lv;
            r[i].item = &items[i];
            r[i].position = first + i;
            lv->records[k][i] = &r[i];
        }
    }

    *records = lv->records[k];

    return NGX_OK;
}


static ngx_int_t
ngx_http_news_list_get(void *data, ngx_uint_t id, ngx_uint_t list,
    ngx_str_t **items, ngx_uint_t *nitems)
{
    ngx_http_news_list_record_t *rec = data;

    ngx_str_t  *v;

    if (list) {
        /* only the tags are a list: an article's */

        if (rec->item == NULL) {
            *items = NULL;
            *nitems = 0;

        } else {
            *items = rec->item->article->tags;
            *nitems = rec->item->article->ntags;
        }

        return NGX_OK;
    }

    *nitems = 1;

    v = ngx_pcalloc(rec->values->pool, sizeof(ngx_str_t));
    if (v == NULL) {
        return NGX_ERROR;
    }

    *items = v;

    /* inside an article, its names; outside, or not its, the list's */

    if (rec->item != NULL && id < NGX_HTTP_NEWS_LIST_LIST_TITLE) {
        return ngx_http_news_list_item_value(rec, id, v);
    }

    return ngx_http_news_list_value(rec->values, id, v);
}


static ngx_int_t
ngx_http_news_list_item_value(ngx_http_news_list_record_t *rec,
    ngx_uint_t id, ngx_str_t *v)
{
    ngx_str_t                  *s;
    ngx_http_news_article_t    *a;
    ngx_http_news_list_item_t  *item;
    ngx_http_news_list_page_t  *page;

    item = rec->item;
    a = item->article;
    page = rec->values->page;

    if (id < NGX_HTTP_NEWS_NFIELDS) {
        *v = a->field[id];
        return NGX_OK;
    }

    switch (id) {

    case NGX_HTTP_NEWS_LIST_URL:
        *v = item->url;
        return NGX_OK;

    case NGX_HTTP_NEWS_LIST_SLUG:

        /* what follows the last ":" of the key */

        for (v->data = item->key.data + item->key.len;
             v->data > item->key.data && v->data[-1] != ':';
             v->data--)
        {
            /* void */
        }

        v->len = item->key.data + item->key.len - v->data;
        return NGX_OK;

    case NGX_HTTP_NEWS_LIST_PUBLISHED:
        return ngx_http_news_article_date(a->published, page->date_format,
                                          rec->values->pool, v);

    case NGX_HTTP_NEWS_LIST_PUBLISHED_ISO:
        return ngx_http_news_article_date(a->published,
                                          NGX_HTTP_NEWS_LIST_ISO_DATE,
                                          rec->values->pool, v);

    case NGX_HTTP_NEWS_LIST_UPDATED_ISO:
        return ngx_http_news_article_date(a->updated,
                                          NGX_HTTP_NEWS_LIST_ISO_DATE,
                                          rec->values->pool, v);

    case NGX_HTTP_NEWS_LIST_VIEWS:
        return ngx_http_news_list_number(rec->values->pool, a->views, NULL,
                                         v);

    case NGX_HTTP_NEWS_LIST_VIEWS_LABEL:
        return ngx_http_news_list_number(rec->values->pool, a->views,
                                         a->views == 1 ? " View" : " Views",
                                         v);

    case NGX_HTTP_NEWS_LIST_POSITION:
        return ngx_http_news_list_number(rec->values->pool,
                                         (int64_t) rec->position, NULL, v);

    case NGX_HTTP_NEWS_LIST_CATEGORY_URL:
        return ngx_http_news_article_list_url(&page->section_url,
                                       &a->field[NGX_HTTP_NEWS_CATEGORY],
                                       rec->values->pool, v);

    case NGX_HTTP_NEWS_LIST_AUTHOR_URL:
        return ngx_http_news_article_list_url(&page->author_url,
                                       &a->field[NGX_HTTP_NEWS_AUTHOR],
                                       rec->values->pool, v);

    case NGX_HTTP_NEWS_LIST_SEO_TITLE:
        s = ngx_http_news_list_pair(a, "seo_title");
        *v = (s && s->len) ? *s : a->field[NGX_HTTP_NEWS_TITLE];
        return NGX_OK;
    }

    return NGX_ERROR;
}


static ngx_int_t
ngx_http_news_list_value(ngx_http_news_list_values_t *lv, ngx_uint_t id,
    ngx_str_t *v)
{
    ngx_http_news_list_t  *list;

    list = lv->page->list;

    switch (id) {

    case NGX_HTTP_NEWS_TITLE:
    case NGX_HTTP_NEWS_LIST_LIST_TITLE:
        *v = list->title;
        return NGX_OK;

    case NGX_HTTP_NEWS_LIST_URL:
        *v = list->url;
        return NGX_OK;

    case NGX_HTTP_NEWS_LIST_SITE_NAME:
        *v = list->site_name;
        return NGX_OK;

    case NGX_HTTP_NEWS_LIST_PAGE:
        return ngx_http_news_list_number(lv->pool, (int64_t) list->page,
                                         NULL, v);

    case NGX_HTTP_NEWS_LIST_PAGES:
        return ngx_http_news_list_number(lv->pool,
                                         (int64_t) ((list->total
                                                     + list->size - 1)
                                                    / list->size),
                                         NULL, v);

    case NGX_HTTP_NEWS_LIST_TOTAL:
        return ngx_http_news_list_number(lv->pool, (int64_t) list->total,
                                         NULL, v);

    case NGX_HTTP_NEWS_LIST_PREV_URL:
        *v = list->prev_url;
        return NGX_OK;

    case NGX_HTTP_NEWS_LIST_NEXT_URL:
        *v = list->next_url;
        return NGX_OK;

    case NGX_HTTP_NEWS_LIST_BASE_URL:
        *v = list->base_url;
        return NGX_OK;

    case NGX_HTTP_NEWS_LIST_HOME_URL:
        v->data = ngx_pnalloc(lv->pool, list->base_url.len + 1);
        if (v->data == NULL) {
            return NGX_ERROR;
        }

        v->len = ngx_sprintf(v->data, "%V/", &list->base_url) - v->data;
        return NGX_OK;

    case NGX_HTTP_NEWS_LIST_KIND:
        *v = ngx_http_news_list_kinds[list->kind];
        return NGX_OK;

    case NGX_HTTP_NEWS_LIST_NAME:
        *v = list->name;
        return NGX_OK;

    case NGX_HTTP_NEWS_LIST_LANG:
        *v = list->lang;
        return NGX_OK;

    case NGX_HTTP_NEWS_LIST_HAS_MOST_READ:
        if (list->nbox) {
            ngx_str_set(v, "1");

        } else {
            ngx_str_null(v);
        }

        return NGX_OK;

    default:
        /* an article's name outside an article, or a section's */
        ngx_str_null(v);
        return NGX_OK;
    }
}


static ngx_int_t
ngx_http_news_list_number(ngx_pool_t *pool, int64_t n, const char *suffix,
    ngx_str_t *v)
{
    v->data = ngx_pnalloc(pool, NGX_INT64_LEN + sizeof(" Views"));
    if (v->data == NULL) {
        return NGX_ERROR;
    }

    v->len = ngx_sprintf(v->data, "%L%s", n, suffix ? suffix : "")
             - v->data;

    return NGX_OK;
}


static ngx_str_t *
ngx_http_news_list_pair(ngx_http_news_article_t *a, char *name)
{
    size_t      len;
    ngx_uint_t  i;

    len = ngx_strlen(name);

    for (i = 0; i < a->npairs; i++) {
        if (a->pairs[i].name.len == len
            && ngx_strncmp(a->pairs[i].name.data, name, len) == 0)
        {
            return &a->pairs[i].value;
        }
    }

    return NULL;
}


/* the list for apps: its page, its links, and each article's summary */

ngx_int_t
ngx_http_news_list_render_json(ngx_http_news_list_page_t *page,
    ngx_pool_t *pool, ngx_str_t *out)
{
    json_t                *obj, *arr, *item;
    ngx_int_t              rc;
    ngx_uint_t             i;
    ngx_http_news_list_t  *list;

    list = page->list;

    obj = json_object();
    arr = json_array();

    if (obj == NULL || arr == NULL) {
        goto failed;
    }

    if (json_object_set_new(obj, "title",
                            ngx_http_news_list_json_string(page, &list->title,
                                                           pool))
        || json_object_set_new(obj, "kind", json_stringn(
                                   (char *) ngx_http_news_list_kinds[
                                                           list->kind].data,
                                   ngx_http_news_list_kinds[list->kind].len))
        || json_object_set_new(obj, "url",
                               ngx_http_news_list_json_string(page,
                                                              &list->url,
                                                              pool))
        || json_object_set_new(obj, "page", json_integer(list->page))
        || json_object_set_new(obj, "size", json_integer(list->size))
        || json_object_set_new(obj, "total", json_integer(list->total))
        || json_object_set_new(obj, "prev", list->prev_url.len
                               ? ngx_http_news_list_json_string(page,
                                                        &list->prev_url, pool)
                               : json_null())
        || json_object_set_new(obj, "next", list->next_url.len
                               ? ngx_http_news_list_json_string(page,
                                                        &list->next_url, pool)
                               : json_null()))
    {
        goto failed;
    }

    if (list->name.len
        && json_object_set_new(obj, "name",
                               ngx_http_news_list_json_string(page,
                                                              &list->name,
                                                              pool)))
    {
        goto failed;
    }

    for (i = 0; i < list->nitems; i++) {
        item = ngx_http_news_list_json_item(page, &list->items[i], pool);

        if (json_array_append_new(arr, item) != 0) {
            goto failed;
        }
    }

    rc = json_object_set_new(obj, "articles", arr);
    arr = NULL;

    if (rc != 0) {
        goto failed;
    }

    rc = ngx_http_news_json_dump(obj, 1024 + 1024 * list->nitems, pool, out);

    json_decref(obj);

    return rc;

failed:

    if (arr != NULL) {
        json_decref(arr);
    }

    if (obj != NULL) {
        json_decref(obj);
    }

    return NGX_ERROR;
}


static json_t *
ngx_http_news_list_json_item(ngx_http_news_list_page_t *page,
    ngx_http_news_list_item_t *item, ngx_pool_t *pool)
{
    json_t                   *obj, *tags;
    ngx_str_t                 slug, iso, *f;
    ngx_uint_t                i;
    ngx_http_news_article_t  *a;

    static ngx_uint_t  fields[] = {
        NGX_HTTP_NEWS_TITLE, NGX_HTTP_NEWS_SUMMARY, NGX_HTTP_NEWS_IMAGE,
        NGX_HTTP_NEWS_IMAGE_ALT, NGX_HTTP_NEWS_AUTHOR, NGX_HTTP_NEWS_CATEGORY
    };

    a = item->article;

    obj = json_object();
    if (obj == NULL) {
        return NULL;
    }

    for (slug.data = item->key.data + item->key.len;
         slug.data > item->key.data && slug.data[-1] != ':';
         slug.data--)
    {
        /* void */
    }

    slug.len = item->key.data + item->key.len - slug.data;

    if (json_object_set_new(obj, "slug",
                            ngx_http_news_list_json_string(page, &slug, pool))
        || json_object_set_new(obj, "url",
                               ngx_http_news_list_json_string(page,
                                                              &item->url,
                                                              pool)))
    {
        goto failed;
    }

    for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        f = &a->field[fields[i]];

        if (f->len
            && json_object_set_new(obj,
                    (char *) ngx_http_news_article_fields[fields[i]].data,
                    ngx_http_news_list_json_string(page, f, pool)))
        {
            goto failed;
        }
    }

    tags = json_array();

    if (json_object_set_new(obj, "tags", tags)) {
        goto failed;
    }

    for (i = 0; i < a->ntags; i++) {
        if (json_array_append_new(tags,
                                  ngx_http_news_list_json_string(page,
                                                                 &a->tags[i],
                                                                 pool)))
        {
            goto failed;
        }
    }

    if (ngx_http_news_article_date(a->published, NGX_HTTP_NEWS_LIST_ISO_DATE,
                                   pool, &iso)
        != NGX_OK)
    {
        goto failed;
    }

    if (iso.len
        && json_object_set_new(obj, "published",
                               ngx_http_news_list_json_string(page, &iso,
                                                              pool)))
    {
        goto failed;
    }

    if (ngx_http_news_article_date(a->updated, NGX_HTTP_NEWS_LIST_ISO_DATE,
                                   pool, &iso)
        != NGX_OK)
    {
        goto failed;
    }

    if (iso.len
        && json_object_set_new(obj, "updated",
                               ngx_http_news_list_json_string(page, &iso,
                                                              pool)))
    {
        goto failed;
    }

    if (json_object_set_new(obj, "views", json_integer(a->views))) {
        goto failed;
    }

    return obj;

failed:

    json_decref(obj);

    return NULL;
}


/* jansson takes valid UTF-8 only: other bytes become U+FFFD */

static json_t *
ngx_http_news_list_json_string(ngx_http_news_list_page_t *page, ngx_str_t *s,
    ngx_pool_t *pool)
{
    size_t     bad;
    ngx_str_t  utf8;

    bad = ngx_http_news_json_fix_utf8(NULL, s->data, s->len);

    if (bad == 0) {
        utf8 = *s;

    } else {
        ngx_log_error(NGX_LOG_INFO, page->log, 0,
                      "news: invalid UTF-8 in a field replaced with U+FFFD");

        utf8.data = ngx_pnalloc(pool, s->len + 2 * bad);
        if (utf8.data == NULL) {
            return NULL;
        }

        utf8.len = ngx_http_news_json_fix_utf8(utf8.data, s->data, s->len);
    }

    return json_stringn_nocheck((const char *) utf8.data, utf8.len);
}
