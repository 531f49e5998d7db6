
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_news_page.h"
#include "ngx_http_news_body.h"
#include "ngx_http_news_json.h"
#include "ngx_http_news_escape.h"


#define NGX_HTTP_NEWS_ISO_DATE  "%Y-%m-%dT%H:%M:%SZ"

/*
 * Characters: a <title> longer than 70 is cut by search engines (and
 * fails html-validate's long-title); a meta description of about 300
 * is all that a card or a result shows.
 */
#define NGX_HTTP_NEWS_TITLE_MAX        70
#define NGX_HTTP_NEWS_DESCRIPTION_MAX  300


/* the article's fields first, with the same numbers as in the article */

typedef enum {
    NGX_HTTP_NEWS_CATEGORY_URL = NGX_HTTP_NEWS_NFIELDS,
    NGX_HTTP_NEWS_AUTHOR_URL,
    NGX_HTTP_NEWS_TAG_LINKS,
    NGX_HTTP_NEWS_PUBLISHED,
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
    NGX_HTTP_NEWS_LANG,
    NGX_HTTP_NEWS_LOCALE,
    NGX_HTTP_NEWS_PAGE_TITLE,
    NGX_HTTP_NEWS_SOCIAL_TITLE,
    NGX_HTTP_NEWS_DESCRIPTION,
    NGX_HTTP_NEWS_IMAGE_URL,
    NGX_HTTP_NEWS_UPDATED,
    NGX_HTTP_NEWS_BYLINE,
    NGX_HTTP_NEWS_BYLINE_HTML,
    NGX_HTTP_NEWS_PUBLISHER_NAME,
    NGX_HTTP_NEWS_PUBLISHER_LOGO,
    NGX_HTTP_NEWS_PUBLISHER_URL,
    NGX_HTTP_NEWS_TWITTER_SITE,
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
static ngx_int_t ngx_http_news_page_title(ngx_http_news_values_t *pv,
    ngx_str_t *v);
static ngx_int_t ngx_http_news_page_updated(ngx_http_news_values_t *pv,
    ngx_str_t *v);
static ngx_int_t ngx_http_news_page_byline(ngx_http_news_values_t *pv,
    ngx_uint_t html, ngx_str_t *v);
static ngx_int_t ngx_http_news_page_tag_links(ngx_http_news_values_t *pv,
    ngx_str_t **items, ngx_uint_t *nitems);


/* computed names first: "views" is the counter, not the raw field */

static ngx_http_news_template_name_t  ngx_http_news_page_computed[] = {
    { ngx_string("views"), NGX_HTTP_NEWS_SLOT_VIEWS, 0, 1 },
    { ngx_string("views_label"), NGX_HTTP_NEWS_SLOT_VIEWS_LABEL, 0, 1 },
    { ngx_string("category_url"), NGX_HTTP_NEWS_CATEGORY_URL, 0, 0 },
    { ngx_string("author_url"), NGX_HTTP_NEWS_AUTHOR_URL, 0, 0 },
    { ngx_string("tag_links"), NGX_HTTP_NEWS_TAG_LINKS, 1, 0 },
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
    { ngx_string("lang"), NGX_HTTP_NEWS_LANG, 0, 0 },
    { ngx_string("locale"), NGX_HTTP_NEWS_LOCALE, 0, 0 },
    { ngx_string("page_title"), NGX_HTTP_NEWS_PAGE_TITLE, 0, 0 },
    { ngx_string("social_title"), NGX_HTTP_NEWS_SOCIAL_TITLE, 0, 0 },
    { ngx_string("description"), NGX_HTTP_NEWS_DESCRIPTION, 0, 0 },
    { ngx_string("image_url"), NGX_HTTP_NEWS_IMAGE_URL, 0, 0 },
    { ngx_string("updated"), NGX_HTTP_NEWS_UPDATED, 0, 0 },
    { ngx_string("byline"), NGX_HTTP_NEWS_BYLINE, 0, 0 },
    { ngx_string("byline_html"), NGX_HTTP_NEWS_BYLINE_HTML, 0, 0 },
    { ngx_string("publisher_name"), NGX_HTTP_NEWS_PUBLISHER_NAME, 0, 0 },
    { ngx_string("publisher_logo"), NGX_HTTP_NEWS_PUBLISHER_LOGO, 0, 0 },
    { ngx_string("publisher_url"), NGX_HTTP_NEWS_PUBLISHER_URL, 0, 0 },
    { ngx_string("twitter_site"), NGX_HTTP_NEWS_TWITTER_SITE, 0, 0 },
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

    /* once per page rendered: a kept page is not rendered again */

    if (page->article->authors_invalid) {
        ngx_log_error(NGX_LOG_WARN, page->log, 0,
                      "news: the authors field is not a JSON array of "
                      "{\"name\", \"url\"}, the author field is shown");
    }

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

    if (list && id == NGX_HTTP_NEWS_TAG_LINKS) {
        return ngx_http_news_page_tag_links(pv, items, nitems);
    }

    if (list) {
        /* the tags */
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

    case NGX_HTTP_NEWS_CATEGORY_URL:
        return ngx_http_news_article_list_url(&page->section_url,
                                              &a->field[NGX_HTTP_NEWS_CATEGORY],
                                              pv->pool, v);

    case NGX_HTTP_NEWS_AUTHOR_URL:
        return ngx_http_news_article_list_url(&page->author_url,
                                              &a->field[NGX_HTTP_NEWS_AUTHOR],
                                              pv->pool, v);

    case NGX_HTTP_NEWS_TAG_LINKS:
        /* a list: as a single value, nothing */
        ngx_str_null(v);
        return NGX_OK;

    case NGX_HTTP_NEWS_JSONLD:
        return ngx_http_news_json_ld(page, pv->pool, v);

    case NGX_HTTP_NEWS_LANG:
        *v = page->publisher->lang;
        return NGX_OK;

    case NGX_HTTP_NEWS_LOCALE:
        *v = page->publisher->locale;
        return NGX_OK;

    case NGX_HTTP_NEWS_PAGE_TITLE:
        return ngx_http_news_page_title(pv, v);

    case NGX_HTTP_NEWS_SOCIAL_TITLE:
        *v = a->field[NGX_HTTP_NEWS_SEO_TITLE].len
             ? a->field[NGX_HTTP_NEWS_SEO_TITLE]
             : a->field[NGX_HTTP_NEWS_TITLE];
        return NGX_OK;

    case NGX_HTTP_NEWS_DESCRIPTION:
        return ngx_http_news_escape_cut(&a->field[NGX_HTTP_NEWS_SUMMARY],
                                        NGX_HTTP_NEWS_DESCRIPTION_MAX, 0,
                                        pv->pool, v);

    case NGX_HTTP_NEWS_IMAGE_URL:
        return ngx_http_news_render_resolve(page,
                                            &a->field[NGX_HTTP_NEWS_IMAGE],
                                            pv->pool, v);

    case NGX_HTTP_NEWS_UPDATED:
        return ngx_http_news_page_updated(pv, v);

    case NGX_HTTP_NEWS_BYLINE:
        return ngx_http_news_page_byline(pv, 0, v);

    case NGX_HTTP_NEWS_BYLINE_HTML:
        return ngx_http_news_page_byline(pv, 1, v);

    case NGX_HTTP_NEWS_PUBLISHER_NAME:
        *v = *ngx_http_news_render_publisher(page);
        return NGX_OK;

    case NGX_HTTP_NEWS_PUBLISHER_LOGO:
        return ngx_http_news_render_resolve(page, &page->publisher->logo,
                                            pv->pool, v);

    case NGX_HTTP_NEWS_PUBLISHER_URL:
        return ngx_http_news_render_resolve(page, &page->publisher->url,
                                            pv->pool, v);

    case NGX_HTTP_NEWS_TWITTER_SITE:
        *v = page->publisher->twitter_site;
        return NGX_OK;

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


/*
 * <title>: seo_title, else the title, with " | site name" when all of it
 * stays within 70 characters as html-validate counts them (an "&" is
 * "&amp;"); a longer one alone, cut to 70.
 */

static ngx_int_t
ngx_http_news_page_title(ngx_http_news_values_t *pv, ngx_str_t *v)
{
    u_char     *p;
    ngx_str_t  *title, *site, full, cut;

    title = &pv->page->article->field[NGX_HTTP_NEWS_SEO_TITLE];

    if (title->len == 0) {
        title = &pv->page->article->field[NGX_HTTP_NEWS_TITLE];
    }

    site = &pv->page->site_name;

    /* a title of more than 70 characters of 4 bytes cannot fit */

    if (site->len && title->len + site->len < 4 * NGX_HTTP_NEWS_TITLE_MAX) {

        full.len = title->len + sizeof(" | ") - 1 + site->len;
        full.data = ngx_pnalloc(pv->pool, full.len);
        if (full.data == NULL) {
            return NGX_ERROR;
        }

        p = ngx_cpymem(full.data, title->data, title->len);
        p = ngx_cpymem(p, " | ", sizeof(" | ") - 1);
        ngx_memcpy(p, site->data, site->len);

        if (ngx_http_news_escape_cut(&full, NGX_HTTP_NEWS_TITLE_MAX, 1,
                                     pv->pool, &cut)
            != NGX_OK)
        {
            return NGX_ERROR;
        }

        if (cut.data == full.data) {
            *v = full;
            return NGX_OK;
        }
    }

    return ngx_http_news_escape_cut(title, NGX_HTTP_NEWS_TITLE_MAX, 1,
                                    pv->pool, v);
}


/* updated_at in news_date_format, if it differs from published_at */

static ngx_int_t
ngx_http_news_page_updated(ngx_http_news_values_t *pv, ngx_str_t *v)
{
    ngx_http_news_article_t  *a;

    a = pv->page->article;

    if (a->updated == a->published) {
        ngx_str_null(v);
        return NGX_OK;
    }

    return ngx_http_news_article_date(a->updated, pv->page->date_format,
                                      pv->pool, v);
}


/*
 * The authors' names, ", " between them (a template says "By" in its
 * language); as HTML, each escaped and linked to its page when it has
 * a URL that is safe in an href.
 */

static ngx_int_t
ngx_http_news_page_byline(ngx_http_news_values_t *pv, ngx_uint_t html,
    ngx_str_t *v)
{
    u_char                   *p;
    size_t                    len;
    ngx_str_t                *urls;
    ngx_uint_t                i, link;
    ngx_http_news_person_t   *person;
    ngx_http_news_article_t  *a;

    static u_char  open[] = "<a href=\"";
    static u_char  rel[] = "\" rel=\"author\">";
    static u_char  close[] = "</a>";

    a = pv->page->article;

    if (!html && a->nauthors == 1) {
        *v = a->authors[0].name;
        return NGX_OK;
    }

    len = 0;
    urls = NULL;

    if (html && a->nauthors) {
        urls = ngx_palloc(pv->pool, a->nauthors * sizeof(ngx_str_t));
        if (urls == NULL) {
            return NGX_ERROR;
        }
    }

    for (i = 0; i < a->nauthors; i++) {
        person = &a->authors[i];
        len += sizeof(", ") - 1;

        if (!html) {
            len += person->name.len;
            continue;
        }

        /* a person without a URL of their own: their list page, if any */

        urls[i] = person->url;

        if (urls[i].len == 0
            && ngx_http_news_article_list_url(&pv->page->author_url,
                                              &person->name, pv->pool,
                                              &urls[i])
               != NGX_OK)
        {
            return NGX_ERROR;
        }

        len += ngx_http_news_escape_html_len(person->name.data,
                                             person->name.len)
               + ngx_http_news_escape_html_len(urls[i].data, urls[i].len)
               + sizeof(open) + sizeof(rel) + sizeof(close);
    }

    v->data = ngx_pnalloc(pv->pool, len);
    if (v->data == NULL && len) {
        return NGX_ERROR;
    }

    p = v->data;

    for (i = 0; i < a->nauthors; i++) {
        person = &a->authors[i];

        if (i) {
            *p++ = ',';
            *p++ = ' ';
        }

        if (!html) {
            p = ngx_cpymem(p, person->name.data, person->name.len);
            continue;
        }

        link = urls[i].len
               && ngx_http_news_safe_url(urls[i].data, urls[i].len);

        if (link) {
            p = ngx_cpymem(p, open, sizeof(open) - 1);
            p = ngx_http_news_escape_html(p, urls[i].data, urls[i].len);
            p = ngx_cpymem(p, rel, sizeof(rel) - 1);
        }

        p = ngx_http_news_escape_html(p, person->name.data, person->name.len);

        if (link) {
            p = ngx_cpymem(p, close, sizeof(close) - 1);
        }
    }

    v->len = p - v->data;

    return NGX_OK;
}


/*
 * Each tag as HTML, for {{{.}}}: a link to its list page with
 * news_tag_url, else the tag alone; escaped here, as the template
 * cannot escape a part of an item.
 */

static ngx_int_t
ngx_http_news_page_tag_links(ngx_http_news_values_t *pv, ngx_str_t **items,
    ngx_uint_t *nitems)
{
    u_char                   *p;
    size_t                    len;
    ngx_str_t                *links, url;
    ngx_uint_t                i;
    ngx_http_news_article_t  *a;

    a = pv->page->article;

    *items = NULL;
    *nitems = a->ntags;

    if (a->ntags == 0) {
        return NGX_OK;
    }

    links = ngx_palloc(pv->pool, a->ntags * sizeof(ngx_str_t));
    if (links == NULL) {
        return NGX_ERROR;
    }

    for (i = 0; i < a->ntags; i++) {
        if (ngx_http_news_article_list_url(&pv->page->tag_url, &a->tags[i],
                                           pv->pool, &url)
            != NGX_OK)
        {
            return NGX_ERROR;
        }

        len = sizeof("<a class=\"tag\" href=\"\" rel=\"tag\"></a>") - 1
              + ngx_http_news_escape_html_len(url.data, url.len)
              + ngx_http_news_escape_html_len(a->tags[i].data,
                                              a->tags[i].len);

        p = ngx_pnalloc(pv->pool, len);
        if (p == NULL) {
            return NGX_ERROR;
        }

        links[i].data = p;

        if (url.len) {
            p = ngx_cpymem(p, "<a class=\"tag\" href=\"",
                           sizeof("<a class=\"tag\" href=\"") - 1);
            p = ngx_http_news_escape_html(p, url.data, url.len);
            p = ngx_cpymem(p, "\" rel=\"tag\">", sizeof("\" rel=\"tag\">") - 1);
            p = ngx_http_news_escape_html(p, a->tags[i].data, a->tags[i].len);
            p = ngx_cpymem(p, "</a>", sizeof("</a>") - 1);

        } else {
            p = ngx_cpymem(p, "<span class=\"tag\">",
                           sizeof("<span class=\"tag\">") - 1);
            p = ngx_http_news_escape_html(p, a->tags[i].data, a->tags[i].len);
            p = ngx_cpymem(p, "</span>", sizeof("</span>") - 1);
        }

        links[i].len = p - links[i].data;
    }

    *items = links;

    return NGX_OK;
}
