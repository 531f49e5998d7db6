
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_news_feed.h"
#include "ngx_http_news_escape.h"
#include "ngx_http_news_body.h"


/*
 * The last second both date formats can write with a year of four
 * digits, as they must: 9999-12-31T23:59:59Z.  A date past it, or before
 * 1970, is left out as an unreadable one is.
 */
#define NGX_HTTP_NEWS_FEED_TIME_MAX  ((time_t) 253402300799LL)

#define NGX_HTTP_NEWS_FEED_RFC822    0
#define NGX_HTTP_NEWS_FEED_RFC3339   1


/* an item as a feed shows it */
typedef struct {
    ngx_http_news_list_item_t   *item;
    ngx_str_t                    content;   /* the body as HTML, or empty */
    time_t                       updated;   /* else published, else -1 */
} ngx_http_news_feed_entry_t;


/*
 * A document is written twice by the same code: first with pos NULL, to
 * measure it, then into a buffer of exactly that size.
 */
typedef struct {
    u_char                      *pos;
    size_t                       len;
    ngx_http_news_list_t        *list;
    ngx_http_news_feed_conf_t   *conf;
    ngx_http_news_feed_entry_t  *entries;
    ngx_uint_t                   nentries;
    time_t                       updated;   /* the newest change */
    ngx_str_t                    home;      /* the site: base_url + "/" */
    ngx_str_t                    title;     /* site name and list title */
} ngx_http_news_feed_ctx_t;


static ngx_int_t ngx_http_news_feed_entries(ngx_http_news_feed_ctx_t *ctx,
    ngx_http_news_feed_e format, ngx_pool_t *pool);
static ngx_int_t ngx_http_news_feed_names(ngx_http_news_list_t *list,
    ngx_http_news_feed_ctx_t *ctx, ngx_pool_t *pool);
static void ngx_http_news_feed_write(ngx_http_news_feed_ctx_t *ctx,
    ngx_http_news_feed_e format);
static void ngx_http_news_feed_rss(ngx_http_news_feed_ctx_t *ctx);
static void ngx_http_news_feed_atom(ngx_http_news_feed_ctx_t *ctx);
static void ngx_http_news_feed_news_sitemap(ngx_http_news_feed_ctx_t *ctx);
static void ngx_http_news_feed_sitemap(ngx_http_news_feed_ctx_t *ctx);
static void ngx_http_news_feed_sitemap_index(ngx_http_news_feed_ctx_t *ctx);
static void ngx_http_news_feed_categories(ngx_http_news_feed_ctx_t *ctx,
    ngx_http_news_article_t *a, ngx_uint_t atom);
static void ngx_http_news_feed_raw(ngx_http_news_feed_ctx_t *ctx, u_char *s,
    size_t len);
static void ngx_http_news_feed_escaped(ngx_http_news_feed_ctx_t *ctx,
    ngx_str_t *s, ngx_uint_t attr);
static void ngx_http_news_feed_element(ngx_http_news_feed_ctx_t *ctx,
    ngx_uint_t indent, char *name, ngx_str_t *value);
static void ngx_http_news_feed_date(ngx_http_news_feed_ctx_t *ctx,
    ngx_uint_t indent, char *name, time_t t, ngx_uint_t format);
static ngx_inline ngx_uint_t ngx_http_news_feed_time_ok(time_t t);


#define ngx_http_news_feed_lit(ctx, s)                                       \
    ngx_http_news_feed_raw(ctx, (u_char *) s, sizeof(s) - 1)


static ngx_str_t  ngx_http_news_feed_types[] = {
    ngx_string("application/rss+xml; charset=utf-8"),
    ngx_string("application/atom+xml; charset=utf-8"),
    ngx_string("application/xml; charset=utf-8"),
    ngx_string("application/xml; charset=utf-8"),
    ngx_string("application/xml; charset=utf-8")
};


static char  *ngx_http_news_feed_week[] = {
    "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};

static char  *ngx_http_news_feed_months[] = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun",
    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};


ngx_int_t
ngx_http_news_feed_render(ngx_http_news_list_t *list,
    ngx_http_news_feed_e format, ngx_http_news_feed_conf_t *conf,
    ngx_pool_t *pool, ngx_str_t *out)
{
    u_char                    *start;
    ngx_http_news_feed_ctx_t   ctx;

    ngx_memzero(&ctx, sizeof(ngx_http_news_feed_ctx_t));

    ctx.list = list;
    ctx.conf = conf;

    if (ngx_http_news_feed_entries(&ctx, format, pool) != NGX_OK) {
        return NGX_ERROR;
    }

    if (ngx_http_news_feed_names(list, &ctx, pool) != NGX_OK) {
        return NGX_ERROR;
    }

    ngx_http_news_feed_write(&ctx, format);

    start = ngx_pnalloc(pool, ctx.len);
    if (start == NULL) {
        return NGX_ERROR;
    }

    ctx.pos = start;

    ngx_http_news_feed_write(&ctx, format);

    out->data = start;
    out->len = ctx.pos - start;

    /* both passes wrote the same, or the buffer was overrun */

    if (out->len != ctx.len) {
        return NGX_ERROR;
    }

    return NGX_OK;
}


void
ngx_http_news_feed_content_type(ngx_http_news_feed_e format,
    ngx_str_t *type)
{
    *type = ngx_http_news_feed_types[format];
}


/*
 * The items the format shows, with what it needs of each made once,
 * before the two passes: the body as HTML.  Items
 * without an article or a URL, and drafts, are never shown (the list
 * should have none); a news sitemap shows the last two days' only, even
 * if the list brought older ones.
 */

static ngx_int_t
ngx_http_news_feed_entries(ngx_http_news_feed_ctx_t *ctx,
    ngx_http_news_feed_e format, ngx_pool_t *pool)
{
    time_t                       t, since;
    ngx_uint_t                   i, max;
    ngx_http_news_list_t        *list;
    ngx_http_news_article_t     *a;
    ngx_http_news_list_item_t   *item;
    ngx_http_news_feed_entry_t  *e;

    list = ctx->list;

    /* 0: the list knows of no change */

    ctx->updated = (list->last_modified > 0
                    && ngx_http_news_feed_time_ok(list->last_modified))
                   ? list->last_modified : (time_t) -1;

    if (format == NGX_HTTP_NEWS_FEED_SITEMAP_INDEX || list->nitems == 0) {
        goto done;
    }

    ctx->entries = ngx_pcalloc(pool, list->nitems
                                     * sizeof(ngx_http_news_feed_entry_t));
    if (ctx->entries == NULL) {
        return NGX_ERROR;
    }

    switch (format) {

    case NGX_HTTP_NEWS_FEED_NEWS_SITEMAP:
        max = NGX_HTTP_NEWS_NEWS_SITEMAP_MAX;
        break;

    case NGX_HTTP_NEWS_FEED_SITEMAP:
        max = ctx->conf->sitemap_size;

        if (max == 0 || max > NGX_HTTP_NEWS_SITEMAP_MAX) {
            max = NGX_HTTP_NEWS_SITEMAP_MAX;
        }

        break;

    default:
        max = list->nitems;
    }

    since = (list->now > NGX_HTTP_NEWS_NEWS_SITEMAP_AGE)
            ? list->now - NGX_HTTP_NEWS_NEWS_SITEMAP_AGE : 0;

    for (i = 0; i < list->nitems && ctx->nentries < max; i++) {
        item = &list->items[i];
        a = item->article;

        if (a == NULL || a->draft || item->url.len == 0) {
            continue;
        }

        if (format == NGX_HTTP_NEWS_FEED_NEWS_SITEMAP
            && (!ngx_http_news_feed_time_ok(a->published)
                || a->published < since || a->published > list->now))
        {
            continue;
        }

        e = &ctx->entries[ctx->nentries++];
        e->item = item;

        t = ngx_http_news_feed_time_ok(a->updated) ? a->updated
                                                   : a->published;
        e->updated = ngx_http_news_feed_time_ok(t) ? t : (time_t) -1;

        if (e->updated > ctx->updated) {
            ctx->updated = e->updated;
        }

        if (format != NGX_HTTP_NEWS_FEED_RSS
            && format != NGX_HTTP_NEWS_FEED_ATOM)
        {
            continue;
        }

        if (ctx->conf->content && a->field[NGX_HTTP_NEWS_BODY].len
            && ngx_http_news_body_html(&a->field[NGX_HTTP_NEWS_BODY],
                                       ctx->conf->body_format, pool,
                                       &e->content)
               != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

done:

    /* a feed must say when it changed: at worst, now */

    if (ctx->updated == (time_t) -1) {
        ctx->updated = ngx_http_news_feed_time_ok(list->now) ? list->now : 0;
    }

    return NGX_OK;
}


/*
 * The site's home page, which a feed links to, and a feed's title: the
 * site's name and the list's ("Example News - Latest news"), either
 * alone when the other is empty.
 */

static ngx_int_t
ngx_http_news_feed_names(ngx_http_news_list_t *list,
    ngx_http_news_feed_ctx_t *ctx, ngx_pool_t *pool)
{
    u_char  *p;

    ctx->home = list->base_url;

    if (ctx->home.len == 0 || ctx->home.data[ctx->home.len - 1] != '/') {
        p = ngx_pnalloc(pool, ctx->home.len + 1);
        if (p == NULL) {
            return NGX_ERROR;
        }

        ctx->home.data = p;
        p = ngx_cpymem(p, list->base_url.data, list->base_url.len);
        *p++ = '/';
        ctx->home.len = p - ctx->home.data;
    }

    if (list->site_name.len == 0 || list->title.len == 0) {
        ctx->title = list->site_name.len ? list->site_name : list->title;
        return NGX_OK;
    }

    p = ngx_pnalloc(pool, list->site_name.len + sizeof(" - ") - 1
                          + list->title.len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    ctx->title.data = p;
    p = ngx_cpymem(p, list->site_name.data, list->site_name.len);
    p = ngx_cpymem(p, " - ", sizeof(" - ") - 1);
    p = ngx_cpymem(p, list->title.data, list->title.len);
    ctx->title.len = p - ctx->title.data;

    return NGX_OK;
}


static void
ngx_http_news_feed_write(ngx_http_news_feed_ctx_t *ctx,
    ngx_http_news_feed_e format)
{
    ngx_http_news_feed_lit(ctx, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");

    switch (format) {

    case NGX_HTTP_NEWS_FEED_RSS:
        ngx_http_news_feed_rss(ctx);
        break;

    case NGX_HTTP_NEWS_FEED_ATOM:
        ngx_http_news_feed_atom(ctx);
        break;

    case NGX_HTTP_NEWS_FEED_NEWS_SITEMAP:
        ngx_http_news_feed_news_sitemap(ctx);
        break;

    case NGX_HTTP_NEWS_FEED_SITEMAP:
        ngx_http_news_feed_sitemap(ctx);
        break;

    default: /* NGX_HTTP_NEWS_FEED_SITEMAP_INDEX */
        ngx_http_news_feed_sitemap_index(ctx);
    }
}


/*
 * RSS 2.0.  The guid is the article's URL (isPermaLink): it stays the
 * same for as long as the article has its slug.  The authors go as
 * dc:creator, since RSS's own author must be an e-mail address.  The
 * full text is escaped HTML in content:encoded, not CDATA, which a "]]>"
 * in the body would end.
 */

static void
ngx_http_news_feed_rss(ngx_http_news_feed_ctx_t *ctx)
{
    ngx_uint_t                   i, k;
    ngx_http_news_list_t        *list;
    ngx_http_news_article_t     *a;
    ngx_http_news_feed_entry_t  *e;

    list = ctx->list;

    ngx_http_news_feed_lit(ctx,
        "<rss version=\"2.0\""
        " xmlns:atom=\"http://www.w3.org/2005/Atom\""
        " xmlns:dc=\"http://purl.org/dc/elements/1.1/\""
        " xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">\n"
        "<channel>\n");

    ngx_http_news_feed_element(ctx, 2, "title", &ctx->title);
    ngx_http_news_feed_element(ctx, 2, "link", &ctx->home);
    ngx_http_news_feed_element(ctx, 2, "description", &ctx->title);

    if (list->lang.len) {
        ngx_http_news_feed_element(ctx, 2, "language", &list->lang);
    }

    ngx_http_news_feed_date(ctx, 2, "lastBuildDate", ctx->updated,
                            NGX_HTTP_NEWS_FEED_RFC822);

    ngx_http_news_feed_lit(ctx, "  <atom:link rel=\"self\" href=\"");
    ngx_http_news_feed_escaped(ctx, &list->url, 1);
    ngx_http_news_feed_lit(ctx, "\" type=\"application/rss+xml\"/>\n");

    if (list->prev_url.len) {
        ngx_http_news_feed_lit(ctx, "  <atom:link rel=\"previous\" href=\"");
        ngx_http_news_feed_escaped(ctx, &list->prev_url, 1);
        ngx_http_news_feed_lit(ctx, "\" type=\"application/rss+xml\"/>\n");
    }

    if (list->next_url.len) {
        ngx_http_news_feed_lit(ctx, "  <atom:link rel=\"next\" href=\"");
        ngx_http_news_feed_escaped(ctx, &list->next_url, 1);
        ngx_http_news_feed_lit(ctx, "\" type=\"application/rss+xml\"/>\n");
    }

    for (i = 0; i < ctx->nentries; i++) {
        e = &ctx->entries[i];
        a = e->item->article;

        ngx_http_news_feed_lit(ctx, "  <item>\n");

        ngx_http_news_feed_element(ctx, 4, "title",
                                   &a->field[NGX_HTTP_NEWS_TITLE]);
        ngx_http_news_feed_element(ctx, 4, "link", &e->item->url);

        ngx_http_news_feed_lit(ctx, "    <guid isPermaLink=\"true\">");
        ngx_http_news_feed_escaped(ctx, &e->item->url, 0);
        ngx_http_news_feed_lit(ctx, "</guid>\n");

        ngx_http_news_feed_date(ctx, 4, "pubDate", a->published,
                                NGX_HTTP_NEWS_FEED_RFC822);

        /* the article's bylines: "authors", else "author" */

        for (k = 0; k < a->nauthors; k++) {
            ngx_http_news_feed_element(ctx, 4, "dc:creator",
                                       &a->authors[k].name);
        }

        ngx_http_news_feed_categories(ctx, a, 0);

        if (a->field[NGX_HTTP_NEWS_SUMMARY].len) {
            ngx_http_news_feed_element(ctx, 4, "description",
                                       &a->field[NGX_HTTP_NEWS_SUMMARY]);
        }

        if (e->content.len) {
            ngx_http_news_feed_element(ctx, 4, "content:encoded",
                                       &e->content);
        }

        ngx_http_news_feed_lit(ctx, "  </item>\n");
    }

    ngx_http_news_feed_lit(ctx, "</channel>\n</rss>\n");
}


/*
 * Atom 1.0 (RFC 4287).  The feed's id is this list's URL; an entry's is
 * its article's URL, which stays the same for as long as the article
 * has its slug.  An entry's updated is its own, else its publication,
 * else the feed's, since Atom requires one.  The site is the feed's
 * author, so that an entry without a byline still has one.  Paging
 * links as RFC 5005 names them.
 */

static void
ngx_http_news_feed_atom(ngx_http_news_feed_ctx_t *ctx)
{
    ngx_uint_t                   i, k;
    ngx_http_news_list_t        *list;
    ngx_http_news_article_t     *a;
    ngx_http_news_feed_entry_t  *e;

    list = ctx->list;

    ngx_http_news_feed_lit(ctx, "<feed xmlns=\"http://www.w3.org/2005/Atom\"");

    if (list->lang.len) {
        ngx_http_news_feed_lit(ctx, " xml:lang=\"");
        ngx_http_news_feed_escaped(ctx, &list->lang, 1);
        ngx_http_news_feed_lit(ctx, "\"");
    }

    ngx_http_news_feed_lit(ctx, ">\n");

    ngx_http_news_feed_element(ctx, 2, "id", &list->url);
    ngx_http_news_feed_element(ctx, 2, "title", &ctx->title);
    ngx_http_news_feed_date(ctx, 2, "updated", ctx->updated,
                            NGX_HTTP_NEWS_FEED_RFC3339);

    ngx_http_news_feed_lit(ctx, "  <link rel=\"self\" href=\"");
    ngx_http_news_feed_escaped(ctx, &list->url, 1);
    ngx_http_news_feed_lit(ctx, "\" type=\"application/atom+xml\"/>\n"
                                "  <link rel=\"alternate\" href=\"");
    ngx_http_news_feed_escaped(ctx, &ctx->home, 1);
    ngx_http_news_feed_lit(ctx, "\" type=\"text/html\"/>\n");

    if (list->prev_url.len) {
        ngx_http_news_feed_lit(ctx, "  <link rel=\"previous\" href=\"");
        ngx_http_news_feed_escaped(ctx, &list->prev_url, 1);
        ngx_http_news_feed_lit(ctx, "\" type=\"application/atom+xml\"/>\n");
    }

    if (list->next_url.len) {
        ngx_http_news_feed_lit(ctx, "  <link rel=\"next\" href=\"");
        ngx_http_news_feed_escaped(ctx, &list->next_url, 1);
        ngx_http_news_feed_lit(ctx, "\" type=\"application/atom+xml\"/>\n");
    }

    ngx_http_news_feed_lit(ctx, "  <author>\n");
    ngx_http_news_feed_element(ctx, 4, "name", list->site_name.len
                                               ? &list->site_name
                                               : &ctx->home);
    ngx_http_news_feed_lit(ctx, "  </author>\n");

    for (i = 0; i < ctx->nentries; i++) {
        e = &ctx->entries[i];
        a = e->item->article;

        ngx_http_news_feed_lit(ctx, "  <entry>\n");

        ngx_http_news_feed_element(ctx, 4, "id", &e->item->url);

        ngx_http_news_feed_lit(ctx, "    <title type=\"text\">");
        ngx_http_news_feed_escaped(ctx, &a->field[NGX_HTTP_NEWS_TITLE], 0);
        ngx_http_news_feed_lit(ctx, "</title>\n"
                                    "    <link rel=\"alternate\" href=\"");
        ngx_http_news_feed_escaped(ctx, &e->item->url, 1);
        ngx_http_news_feed_lit(ctx, "\" type=\"text/html\"/>\n");

        ngx_http_news_feed_date(ctx, 4, "published", a->published,
                                NGX_HTTP_NEWS_FEED_RFC3339);
        ngx_http_news_feed_date(ctx, 4, "updated",
                                e->updated != (time_t) -1 ? e->updated
                                                          : ctx->updated,
                                NGX_HTTP_NEWS_FEED_RFC3339);

        for (k = 0; k < a->nauthors; k++) {
            ngx_http_news_feed_lit(ctx, "    <author>\n");
            ngx_http_news_feed_element(ctx, 6, "name", &a->authors[k].name);
            ngx_http_news_feed_lit(ctx, "    </author>\n");
        }

        ngx_http_news_feed_categories(ctx, a, 1);

        if (a->field[NGX_HTTP_NEWS_SUMMARY].len) {
            ngx_http_news_feed_lit(ctx, "    <summary type=\"text\">");
            ngx_http_news_feed_escaped(ctx,
                                       &a->field[NGX_HTTP_NEWS_SUMMARY], 0);
            ngx_http_news_feed_lit(ctx, "</summary>\n");
        }

        if (e->content.len) {
            ngx_http_news_feed_lit(ctx, "    <content type=\"html\">");
            ngx_http_news_feed_escaped(ctx, &e->content, 0);
            ngx_http_news_feed_lit(ctx, "</content>\n");
        }

        ngx_http_news_feed_lit(ctx, "  </entry>\n");
    }

    ngx_http_news_feed_lit(ctx, "</feed>\n");
}


/*
 * A Google News sitemap: the articles of the last two days, at most
 * 1000, each with the publication's name and language, its date (W3C
 * datetime, which RFC 3339's form is) and its title.  Google requires
 * the language: "en" when the list has none.
 */

static void
ngx_http_news_feed_news_sitemap(ngx_http_news_feed_ctx_t *ctx)
{
    ngx_str_t                    lang;
    ngx_uint_t                   i;
    ngx_http_news_list_t        *list;
    ngx_http_news_article_t     *a;
    ngx_http_news_feed_entry_t  *e;

    list = ctx->list;

    lang = list->lang;

    if (lang.len == 0) {
        ngx_str_set(&lang, "en");
    }

    ngx_http_news_feed_lit(ctx,
        "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\""
        " xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\">\n");

    for (i = 0; i < ctx->nentries; i++) {
        e = &ctx->entries[i];
        a = e->item->article;

        ngx_http_news_feed_lit(ctx, "  <url>\n");
        ngx_http_news_feed_element(ctx, 4, "loc", &e->item->url);
        ngx_http_news_feed_lit(ctx, "    <news:news>\n"
                                    "      <news:publication>\n");
        ngx_http_news_feed_element(ctx, 8, "news:name", &list->site_name);
        ngx_http_news_feed_element(ctx, 8, "news:language", &lang);
        ngx_http_news_feed_lit(ctx, "      </news:publication>\n");
        ngx_http_news_feed_date(ctx, 6, "news:publication_date",
                                a->published, NGX_HTTP_NEWS_FEED_RFC3339);
        ngx_http_news_feed_element(ctx, 6, "news:title",
                                   &a->field[NGX_HTTP_NEWS_TITLE]);
        ngx_http_news_feed_lit(ctx, "    </news:news>\n"
                                    "  </url>\n");
    }

    ngx_http_news_feed_lit(ctx, "</urlset>\n");
}


/* one file of the sitemap: lastmod is the update, else the publication */

static void
ngx_http_news_feed_sitemap(ngx_http_news_feed_ctx_t *ctx)
{
    ngx_uint_t                   i;
    ngx_http_news_feed_entry_t  *e;

    ngx_http_news_feed_lit(ctx,
        "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");

    for (i = 0; i < ctx->nentries; i++) {
        e = &ctx->entries[i];

        ngx_http_news_feed_lit(ctx, "  <url>\n");
        ngx_http_news_feed_element(ctx, 4, "loc", &e->item->url);
        ngx_http_news_feed_date(ctx, 4, "lastmod", e->updated,
                                NGX_HTTP_NEWS_FEED_RFC3339);
        ngx_http_news_feed_lit(ctx, "  </url>\n");
    }

    ngx_http_news_feed_lit(ctx, "</urlset>\n");
}


/*
 * The index: one file for each news_sitemap_size articles of the whole
 * list, at this URL with "?page=N" (whatever query it had, dropped).
 * An empty list still has its one, empty file: the index may not be
 * empty.  The protocol allows 50 000 files in an index.
 */

static void
ngx_http_news_feed_sitemap_index(ngx_http_news_feed_ctx_t *ctx)
{
    u_char                 *q, page[NGX_INT_T_LEN];
    ngx_str_t               url;
    ngx_uint_t              i, n, size;
    ngx_http_news_list_t   *list;

    list = ctx->list;

    size = ctx->conf->sitemap_size;

    if (size == 0 || size > NGX_HTTP_NEWS_SITEMAP_MAX) {
        size = NGX_HTTP_NEWS_SITEMAP_MAX;
    }

    n = list->total / size + (list->total % size != 0);
    n = ngx_max(n, 1);
    n = ngx_min(n, NGX_HTTP_NEWS_SITEMAP_MAX);

    url = list->url;
    q = ngx_strlchr(url.data, url.data + url.len, '?');

    if (q != NULL) {
        url.len = q - url.data;
    }

    ngx_http_news_feed_lit(ctx,
        "<sitemapindex"
        " xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");

    for (i = 1; i <= n; i++) {
        ngx_http_news_feed_lit(ctx, "  <sitemap>\n    <loc>");
        ngx_http_news_feed_escaped(ctx, &url, 0);
        ngx_http_news_feed_lit(ctx, "?page=");
        ngx_http_news_feed_raw(ctx, page, ngx_sprintf(page, "%ui", i) - page);
        ngx_http_news_feed_lit(ctx, "</loc>\n");

        if (list->last_modified > 0) {
            ngx_http_news_feed_date(ctx, 4, "lastmod", list->last_modified,
                                    NGX_HTTP_NEWS_FEED_RFC3339);
        }

        ngx_http_news_feed_lit(ctx, "  </sitemap>\n");
    }

    ngx_http_news_feed_lit(ctx, "</sitemapindex>\n");
}


/* the section, then each tag */

static void
ngx_http_news_feed_categories(ngx_http_news_feed_ctx_t *ctx,
    ngx_http_news_article_t *a, ngx_uint_t atom)
{
    ngx_str_t   *s;
    ngx_uint_t   i;

    for (i = 0; i <= a->ntags; i++) {
        s = (i == 0) ? &a->field[NGX_HTTP_NEWS_CATEGORY] : &a->tags[i - 1];

        if (s->len == 0) {
            continue;
        }

        if (atom) {
            ngx_http_news_feed_lit(ctx, "    <category term=\"");
            ngx_http_news_feed_escaped(ctx, s, 1);
            ngx_http_news_feed_lit(ctx, "\"/>\n");

        } else {
            ngx_http_news_feed_element(ctx, 4, "category", s);
        }
    }
}


static void
ngx_http_news_feed_raw(ngx_http_news_feed_ctx_t *ctx, u_char *s, size_t len)
{
    if (ctx->pos != NULL) {
        ctx->pos = ngx_cpymem(ctx->pos, s, len);
        return;
    }

    ctx->len += len;
}


static void
ngx_http_news_feed_escaped(ngx_http_news_feed_ctx_t *ctx, ngx_str_t *s,
    ngx_uint_t attr)
{
    if (ctx->pos != NULL) {
        ctx->pos = ngx_http_news_escape_xml(ctx->pos, s->data, s->len, attr);
        return;
    }

    ctx->len += ngx_http_news_escape_xml_len(s->data, s->len, attr);
}


/* "<name>value</name>\n", indented; the name is ours, the value escaped */

static void
ngx_http_news_feed_element(ngx_http_news_feed_ctx_t *ctx, ngx_uint_t indent,
    char *name, ngx_str_t *value)
{
    size_t  len;

    len = ngx_strlen(name);

    ngx_http_news_feed_raw(ctx, (u_char *) "        ", indent);
    ngx_http_news_feed_lit(ctx, "<");
    ngx_http_news_feed_raw(ctx, (u_char *) name, len);
    ngx_http_news_feed_lit(ctx, ">");
    ngx_http_news_feed_escaped(ctx, value, 0);
    ngx_http_news_feed_lit(ctx, "</");
    ngx_http_news_feed_raw(ctx, (u_char *) name, len);
    ngx_http_news_feed_lit(ctx, ">\n");
}


/*
 * RFC 822 as RSS has it, with a four-digit year and "+0000" ("Tue, 04
 * Nov 2025 09:30:00 +0000"), or RFC 3339 in UTC ("2025-11-04T09:30:00Z"),
 * which is also a W3C datetime for sitemaps.  No element for no date.
 * Written by hand, not by strftime(3), which follows the locale.
 */

static void
ngx_http_news_feed_date(ngx_http_news_feed_ctx_t *ctx, ngx_uint_t indent,
    char *name, time_t t, ngx_uint_t format)
{
    u_char     *p, buf[sizeof("Tue, 04 Nov 2025 09:30:00 +0000")];
    ngx_tm_t    tm;
    ngx_str_t   date;

    if (!ngx_http_news_feed_time_ok(t)) {
        return;
    }

    ngx_gmtime(t, &tm);

    if (format == NGX_HTTP_NEWS_FEED_RFC822) {
        p = ngx_sprintf(buf, "%s, %02d %s %4d %02d:%02d:%02d +0000",
                        ngx_http_news_feed_week[tm.ngx_tm_wday],
                        tm.ngx_tm_mday,
                        ngx_http_news_feed_months[tm.ngx_tm_mon - 1],
                        tm.ngx_tm_year, tm.ngx_tm_hour, tm.ngx_tm_min,
                        tm.ngx_tm_sec);

    } else {
        p = ngx_sprintf(buf, "%4d-%02d-%02dT%02d:%02d:%02dZ",
                        tm.ngx_tm_year, tm.ngx_tm_mon, tm.ngx_tm_mday,
                        tm.ngx_tm_hour, tm.ngx_tm_min, tm.ngx_tm_sec);
    }

    date.data = buf;
    date.len = p - buf;

    ngx_http_news_feed_element(ctx, indent, name, &date);
}


static ngx_inline ngx_uint_t
ngx_http_news_feed_time_ok(time_t t)
{
    return t >= 0 && t <= NGX_HTTP_NEWS_FEED_TIME_MAX;
}
