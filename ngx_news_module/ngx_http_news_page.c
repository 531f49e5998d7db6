
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_news_page.h"
#include "ngx_http_news_body.h"
#include "ngx_http_news_json.h"


#define NGX_HTTP_NEWS_ISO_DATE  "%Y-%m-%dT%H:%M:%SZ"


/* the article's fields first, with the same numbers as in the article */

typedef enum {
    NGX_HTTP_NEWS_PUBLISHED = NGX_HTTP_NEWS_NFIELDS,
    NGX_HTTP_NEWS_PUBLISHED_ISO,
    NGX_HTTP_NEWS_UPDATED_ISO,
    NGX_HTTP_NEWS_URL,
    NGX_HTTP_NEWS_URL_ENCODED,
    NGX_HTTP_NEWS_BODY_HTML,
    NGX_HTTP_NEWS_SITE_NAME,
    NGX_HTTP_NEWS_JSONLD,
    NGX_HTTP_NEWS_SHARE_X,
    NGX_HTTP_NEWS_SHARE_FACEBOOK,
    NGX_HTTP_NEWS_SHARE_WHATSAPP,
    NGX_HTTP_NEWS_SHARE_LINKEDIN,
    NGX_HTTP_NEWS_READING_MINUTES,
    NGX_HTTP_NEWS_BEACON_URL,
    NGX_HTTP_NEWS_TITLE_ENCODED,        /* for share links; not a name */
    NGX_HTTP_NEWS_NVALUES
} ngx_http_news_value_e;


/* a page being rendered: values are computed once, when first used */
typedef struct {
    ngx_http_news_page_t     *page;
    ngx_http_news_template_t *tpl;
    ngx_pool_t               *pool;
    ngx_str_t                 value[NGX_HTTP_NEWS_NVALUES];
    u_char                    done[NGX_HTTP_NEWS_NVALUES];
} ngx_http_news_values_t;


static ngx_http_news_template_name_t *ngx_http_news_page_names(
    ngx_conf_t *cf);
static ngx_int_t ngx_http_news_page_get(void *data, ngx_uint_t id,
    ngx_uint_t list, ngx_str_t **items, ngx_uint_t *nitems);
static ngx_int_t ngx_http_news_page_value(ngx_http_news_values_t *pv,
    ngx_uint_t id, ngx_str_t **v);
static ngx_str_t *ngx_http_news_page_field(ngx_http_news_values_t *pv,
    ngx_uint_t id);
static ngx_int_t ngx_http_news_page_compute(ngx_http_news_values_t *pv,
    ngx_uint_t id, ngx_str_t *v);
static ngx_int_t ngx_http_news_page_uri(ngx_http_news_values_t *pv,
    ngx_str_t *src, ngx_str_t *v);
static ngx_int_t ngx_http_news_page_share(ngx_http_news_values_t *pv,
    const char *format, ngx_uint_t first, ngx_uint_t second, ngx_str_t *v);


/* computed names first: "views" is the counter, not the raw field */

static ngx_http_news_template_name_t  ngx_http_news_page_computed[] = {
    { ngx_string("views"), NGX_HTTP_NEWS_SLOT_VIEWS, 0, 1 },
    { ngx_string("views_label"), NGX_HTTP_NEWS_SLOT_VIEWS_LABEL, 0, 1 },
    { ngx_string("published"), NGX_HTTP_NEWS_PUBLISHED, 0, 0 },
    { ngx_string("published_iso"), NGX_HTTP_NEWS_PUBLISHED_ISO, 0, 0 },
    { ngx_string("updated_iso"), NGX_HTTP_NEWS_UPDATED_ISO, 0, 0 },
    { ngx_string("url"), NGX_HTTP_NEWS_URL, 0, 0 },
    { ngx_string("url_encoded"), NGX_HTTP_NEWS_URL_ENCODED, 0, 0 },
    { ngx_string("body_html"), NGX_HTTP_NEWS_BODY_HTML, 0, 0 },
    { ngx_string("site_name"), NGX_HTTP_NEWS_SITE_NAME, 0, 0 },
    { ngx_string("jsonld"), NGX_HTTP_NEWS_JSONLD, 0, 0 },
    { ngx_string("share_x"), NGX_HTTP_NEWS_SHARE_X, 0, 0 },
    { ngx_string("share_facebook"), NGX_HTTP_NEWS_SHARE_FACEBOOK, 0, 0 },
    { ngx_string("share_whatsapp"), NGX_HTTP_NEWS_SHARE_WHATSAPP, 0, 0 },
    { ngx_string("share_linkedin"), NGX_HTTP_NEWS_SHARE_LINKEDIN, 0, 0 },
    { ngx_string("reading_minutes"), NGX_HTTP_NEWS_READING_MINUTES, 0, 0 },
    { ngx_string("beacon_url"), NGX_HTTP_NEWS_BEACON_URL, 0, 0 },
    { ngx_null_string, 0, 0, 0 }
};


ngx_http_news_template_t *
ngx_http_news_page_template_load(ngx_conf_t *cf, ngx_str_t *path)
{
    ngx_http_news_template_name_t  *names;

    names = ngx_http_news_page_names(cf);
    if (names == NULL) {
        return NULL;
    }

    return ngx_http_news_template_load(cf, path, names);
}


ngx_http_news_template_t *
ngx_http_news_page_template_compile(ngx_conf_t *cf, ngx_str_t *source,
    ngx_str_t *text)
{
    ngx_http_news_template_name_t  *names;

    names = ngx_http_news_page_names(cf);
    if (names == NULL) {
        return NULL;
    }

    return ngx_http_news_template_compile(cf, source, text, names);
}


/* the computed names, then the article's fields: the configuration's */

static ngx_http_news_template_name_t *
ngx_http_news_page_names(ngx_conf_t *cf)
{
    size_t                          n;
    ngx_uint_t                      i;
    ngx_http_news_template_name_t  *names;

    n = sizeof(ngx_http_news_page_computed)
        / sizeof(ngx_http_news_template_name_t) - 1;

    names = ngx_pcalloc(cf->pool, (n + NGX_HTTP_NEWS_NFIELDS + 1)
                                  * sizeof(ngx_http_news_template_name_t));
    if (names == NULL) {
        return NULL;
    }

    ngx_memcpy(names, ngx_http_news_page_computed,
               n * sizeof(ngx_http_news_template_name_t));

    for (i = 0; i < NGX_HTTP_NEWS_NFIELDS; i++) {
        names[n + i].name = ngx_http_news_article_fields[i];
        names[n + i].id = i;
        names[n + i].list = (i == NGX_HTTP_NEWS_TAGS);
    }

    return names;
}


ngx_int_t
ngx_http_news_page_render(ngx_http_news_template_t *tpl,
    ngx_http_news_page_t *page, ngx_pool_t *pool,
    ngx_http_news_rendered_t *out)
{
    ngx_http_news_values_t  pv;

    ngx_memzero(&pv, sizeof(ngx_http_news_values_t));
    pv.page = page;
    pv.tpl = tpl;
    pv.pool = pool;

    return ngx_http_news_template_render(tpl, ngx_http_news_page_get, &pv,
                                         pool, out);
}


/*
 * The rendered page as buffers to send: its text as it is (no copy: the
 * caller keeps it alive until sent), and this view's count where its
 * slots are.
 */

ngx_int_t
ngx_http_news_page_output(ngx_http_news_rendered_t *rendered, int64_t views,
    ngx_pool_t *pool, ngx_chain_t **out, off_t *len)
{
    u_char       *p, *text;
    size_t        from, n;
    ngx_buf_t    *b, *bufs;
    ngx_uint_t    i, nbufs;
    ngx_chain_t  *cl;

    /* the slots' text: "<count>" or "<count> View(s)" */

    text = ngx_pnalloc(pool, rendered->ncuts
                             * (NGX_INT64_LEN + sizeof(" Views")));
    nbufs = 2 * rendered->ncuts + 1;
    bufs = ngx_pcalloc(pool, nbufs * sizeof(ngx_buf_t));
    cl = ngx_palloc(pool, nbufs * sizeof(ngx_chain_t));

    if ((text == NULL && rendered->ncuts) || bufs == NULL || cl == NULL) {
        return NGX_ERROR;
    }

    *out = cl;
    *len = 0;

    p = text;
    from = 0;
    n = 0;

    for (i = 0; i <= rendered->ncuts; i++) {

        b = &bufs[n];

        b->pos = rendered->text.data + from;
        b->last = rendered->text.data
                  + (i < rendered->ncuts ? rendered->cuts[i].offset
                                         : rendered->text.len);
        b->memory = 1;
        from = b->last - rendered->text.data;

        if (b->last > b->pos) {
            cl[n].buf = b;
            cl[n].next = &cl[n + 1];
            *len += b->last - b->pos;
            n++;
        }

        if (i == rendered->ncuts) {
            break;
        }

        b = &bufs[n];
        b->pos = p;

        if (rendered->cuts[i].slot == NGX_HTTP_NEWS_SLOT_VIEWS) {
            p = ngx_sprintf(p, "%L", views);

        } else {
            p = ngx_sprintf(p, "%L %s", views, views == 1 ? "View" : "Views");
        }

        b->last = p;
        b->memory = 1;

        cl[n].buf = b;
        cl[n].next = &cl[n + 1];
        *len += b->last - b->pos;
        n++;
    }

    if (n == 0) {
        *out = NULL;
        return NGX_OK;
    }

    cl[n - 1].next = NULL;
    bufs[n - 1].last_in_chain = 1;

    return NGX_OK;
}


static ngx_int_t
ngx_http_news_page_get(void *data, ngx_uint_t id, ngx_uint_t list,
    ngx_str_t **items, ngx_uint_t *nitems)
{
    ngx_http_news_values_t *pv = data;

    ngx_http_news_article_t  *a;

    a = pv->page->article;

    if (id >= NGX_HTTP_NEWS_TEMPLATE_FIELD) {
        *items = ngx_http_news_page_field(pv, id);
        *nitems = 1;
        return NGX_OK;
    }

    if (list) {
        /* only the tags are a list */
        *items = a->tags;
        *nitems = a->ntags;
        return NGX_OK;
    }

    *nitems = 1;

    return ngx_http_news_page_value(pv, id, items);
}


static ngx_int_t
ngx_http_news_page_value(ngx_http_news_values_t *pv, ngx_uint_t id,
    ngx_str_t **v)
{
    if (id < NGX_HTTP_NEWS_NFIELDS) {
        *v = &pv->page->article->field[id];
        return NGX_OK;
    }

    *v = &pv->value[id];

    if (pv->done[id]) {
        return NGX_OK;
    }

    if (ngx_http_news_page_compute(pv, id, *v) != NGX_OK) {
        return NGX_ERROR;
    }

    pv->done[id] = 1;

    return NGX_OK;
}


/*
 * A field the template names that the page does not know: the hash's
 * own, in its pairs; NULL (empty) when the hash has none of that name.
 * Names the page knows win: they are never looked up here.
 */

static ngx_str_t *
ngx_http_news_page_field(ngx_http_news_values_t *pv, ngx_uint_t id)
{
    ngx_str_t                *name;
    ngx_uint_t                i;
    ngx_http_news_pair_t     *pair;
    ngx_http_news_article_t  *a;

    name = ngx_http_news_template_field(pv->tpl, id);
    if (name == NULL) {
        return NULL;
    }

    a = pv->page->article;

    /* the last of a name, as for the known fields */

    for (i = a->npairs; i > 0; i--) {
        pair = &a->pairs[i - 1];

        if (pair->name.len == name->len
            && ngx_memcmp(pair->name.data, name->data, name->len) == 0)
        {
            return &pair->value;
        }
    }

    return NULL;
}


static ngx_int_t
ngx_http_news_page_compute(ngx_http_news_values_t *pv, ngx_uint_t id,
    ngx_str_t *v)
{
    ngx_http_news_page_t     *page;
    ngx_http_news_article_t  *a;

    page = pv->page;
    a = page->article;

    switch (id) {

    case NGX_HTTP_NEWS_PUBLISHED:
        return ngx_http_news_article_date(a->published, page->date_format,
                                          pv->pool, v);

    case NGX_HTTP_NEWS_PUBLISHED_ISO:
        return ngx_http_news_article_date(a->published,
                                          NGX_HTTP_NEWS_ISO_DATE, pv->pool,
                                          v);

    case NGX_HTTP_NEWS_UPDATED_ISO:
        return ngx_http_news_article_date(a->updated, NGX_HTTP_NEWS_ISO_DATE,
                                          pv->pool, v);

    case NGX_HTTP_NEWS_URL:
        *v = page->url;
        return NGX_OK;

    case NGX_HTTP_NEWS_URL_ENCODED:
        return ngx_http_news_page_uri(pv, &page->url, v);

    case NGX_HTTP_NEWS_TITLE_ENCODED:
        return ngx_http_news_page_uri(pv, &a->field[NGX_HTTP_NEWS_TITLE], v);

    case NGX_HTTP_NEWS_BODY_HTML:
        return ngx_http_news_body_html(&a->field[NGX_HTTP_NEWS_BODY],
                                       page->body_format, pv->pool, v);

    case NGX_HTTP_NEWS_SITE_NAME:
        *v = page->site_name;
        return NGX_OK;

    case NGX_HTTP_NEWS_BEACON_URL:
        *v = page->beacon_url;
        return NGX_OK;

    case NGX_HTTP_NEWS_JSONLD:
        return ngx_http_news_json_ld(page, pv->pool, v);

    /* plain links, so sharing loads no third-party script */

    case NGX_HTTP_NEWS_SHARE_X:
        return ngx_http_news_page_share(pv,
                   "https://twitter.com/intent/tweet?url=%V&text=%V",
                   NGX_HTTP_NEWS_URL_ENCODED, NGX_HTTP_NEWS_TITLE_ENCODED, v);

    case NGX_HTTP_NEWS_SHARE_FACEBOOK:
        return ngx_http_news_page_share(pv,
                   "https://www.facebook.com/sharer/sharer.php?u=%V",
                   NGX_HTTP_NEWS_URL_ENCODED, NGX_HTTP_NEWS_URL_ENCODED, v);

    case NGX_HTTP_NEWS_SHARE_WHATSAPP:
        return ngx_http_news_page_share(pv,
                   "https://wa.me/?text=%V%%20%V",
                   NGX_HTTP_NEWS_TITLE_ENCODED, NGX_HTTP_NEWS_URL_ENCODED, v);

    case NGX_HTTP_NEWS_SHARE_LINKEDIN:
        return ngx_http_news_page_share(pv,
                   "https://www.linkedin.com/sharing/share-offsite/?url=%V",
                   NGX_HTTP_NEWS_URL_ENCODED, NGX_HTTP_NEWS_URL_ENCODED, v);

    case NGX_HTTP_NEWS_READING_MINUTES:
        v->data = ngx_pnalloc(pv->pool, NGX_INT_T_LEN);
        if (v->data == NULL) {
            return NGX_ERROR;
        }

        v->len = ngx_sprintf(v->data, "%ui",
                     ngx_http_news_body_reading_minutes(
                         &a->field[NGX_HTTP_NEWS_BODY]))
                 - v->data;
        return NGX_OK;
    }

    return NGX_ERROR;
}


static ngx_int_t
ngx_http_news_page_uri(ngx_http_news_values_t *pv, ngx_str_t *src,
    ngx_str_t *v)
{
    v->len = src->len + 2 * ngx_escape_uri(NULL, src->data, src->len,
                                           NGX_ESCAPE_URI_COMPONENT);

    v->data = ngx_pnalloc(pv->pool, v->len);
    if (v->data == NULL) {
        return NGX_ERROR;
    }

    ngx_escape_uri(v->data, src->data, src->len, NGX_ESCAPE_URI_COMPONENT);

    return NGX_OK;
}


/* a format with one %V ignores the second value */

static ngx_int_t
ngx_http_news_page_share(ngx_http_news_values_t *pv, const char *format,
    ngx_uint_t first, ngx_uint_t second, ngx_str_t *v)
{
    ngx_str_t  *a, *b;

    if (ngx_http_news_page_value(pv, first, &a) != NGX_OK
        || ngx_http_news_page_value(pv, second, &b) != NGX_OK)
    {
        return NGX_ERROR;
    }

    v->data = ngx_pnalloc(pv->pool, ngx_strlen(format) + a->len + b->len);
    if (v->data == NULL) {
        return NGX_ERROR;
    }

    v->len = ngx_sprintf(v->data, format, a, b) - v->data;

    return NGX_OK;
}
