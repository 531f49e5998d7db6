
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 *
 * (f) Feeds and sitemaps: a list model made from the input, rendered in
 * every format (RSS, Atom, Google News sitemap, sitemap file, sitemap
 * index) by ngx_http_news_feed_render(), with no request and no Redis.
 *
 * The input is chunks separated by the byte 0x1e.  The first sets the
 * list and the configuration, as "name\0value\0..." records: title,
 * site_name, url, base_url, lang, prev_url, next_url (the list's
 * strings), now, last_modified, total (decimal numbers), content ("1":
 * news_feed_content on), body_format (0 text, 1 Markdown, 2 HTML) and
 * sitemap_size.  Each further chunk is an article's fields, made with
 * ngx_http_news_article_create/add/done; its field "url", if it has
 * one, is the item's URL (an empty one: none), else one is made up.
 *
 * Checks: no memory error or leak; the document fills its buffer
 * exactly; it has no byte XML 1.0 forbids and libxml2 reads it as
 * well-formed UTF-8; it has exactly the items it should (drafts and
 * items without a URL left out; a news sitemap only the last two days';
 * a sitemap file at most sitemap_size; the index one file per
 * sitemap_size of total, at least one); and each item's title, URL,
 * summary, content, bylines and dates read back as the input, with what XML
 * cannot carry taken out by a decoder written here, and the dates as
 * gmtime_r() and strftime(3) write them.  FUZZ_FEED_DUMP=1 prints
 * each document to stderr.
 */


#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include <jansson.h>

#include "fuzz_common.h"

#include "ngx_http_news_feed.h"
#include "ngx_http_news_body.h"


#define FUZZ_SEP          0x1e
#define FUZZ_TIME_MAX     ((time_t) 253402300799LL)
#define FUZZ_NOW          ((time_t) 1762334400)    /* 2025-11-05T09:20Z */

#define FUZZ_NS_ATOM      "http://www.w3.org/2005/Atom"
#define FUZZ_NS_SITEMAP   "http://www.sitemaps.org/schemas/sitemap/0.9"
#define FUZZ_NS_NEWS      "http://www.google.com/schemas/sitemap-news/0.9"
#define FUZZ_NS_CONTENT   "http://purl.org/rss/1.0/modules/content/"


static void fuzz_list(ngx_pool_t *pool, u_char *data, size_t size,
    ngx_http_news_list_t *list, ngx_http_news_feed_conf_t *conf);
static void fuzz_list_field(ngx_http_news_list_t *list,
    ngx_http_news_feed_conf_t *conf, ngx_str_t *name, ngx_str_t *value,
    ngx_pool_t *pool);
static ngx_str_t *fuzz_pair(ngx_http_news_article_t *a, const char *name);
static void fuzz_render(ngx_http_news_list_t *list,
    ngx_http_news_feed_conf_t *conf, ngx_http_news_feed_e format,
    ngx_pool_t *pool);
static void fuzz_check_chars(ngx_str_t *out, const char *what);
static ngx_uint_t fuzz_shown(ngx_http_news_list_t *list,
    ngx_http_news_feed_conf_t *conf, ngx_http_news_feed_e format,
    ngx_http_news_list_item_t **shown);
static void fuzz_check_item(ngx_http_news_list_t *list,
    ngx_http_news_feed_conf_t *conf, ngx_http_news_feed_e format,
    xmlNodePtr node, ngx_http_news_list_item_t *item, time_t feed_updated,
    ngx_pool_t *pool);
static void fuzz_check_authors(ngx_http_news_article_t *a, xmlNodePtr node,
    ngx_uint_t atom, const char *what);
static void fuzz_check_index(ngx_http_news_list_t *list,
    ngx_http_news_feed_conf_t *conf, xmlNodeSetPtr nodes);
static xmlNodePtr fuzz_child(xmlNodePtr node, const char *ns,
    const char *name);
static void fuzz_check_text(xmlNodePtr node, const char *ns,
    const char *name, ngx_str_t *want, const char *what);
static void fuzz_check_date(xmlNodePtr node, const char *ns,
    const char *name, time_t t, ngx_uint_t rfc822, const char *what);
static void fuzz_clean(ngx_str_t *in, ngx_str_t *out);
static ngx_uint_t fuzz_time_ok(time_t t);
static void fuzz_xml_quiet(void *ctx, const char *msg, ...);


static const char  *fuzz_formats[] = {
    "RSS", "Atom", "news sitemap", "sitemap", "sitemap index"
};

static const char  *fuzz_items[] = {
    "/rss/channel/item",
    "/a:feed/a:entry",
    "/s:urlset/s:url",
    "/s:urlset/s:url",
    "/s:sitemapindex/s:sitemap"
};


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    u_char                     *p;
    ngx_uint_t                  i, format;
    ngx_pool_t                 *pool;
    ngx_http_news_list_t        list;
    ngx_http_news_feed_conf_t   conf;

    fuzz_init();

    xmlInitParser();
    xmlSetGenericErrorFunc(NULL, fuzz_xml_quiet);

    /*
     * The limits no fuzzed input reaches: 1001 articles of the last two
     * days make a news sitemap of 1000, an index of the largest list
     * has the protocol's 50 000 files.
     */

    pool = fuzz_pool();

    fuzz_list(pool, (u_char *) "", 0, &list, &conf);

    list.items = ngx_pcalloc(pool, 1001 * sizeof(ngx_http_news_list_item_t));
    if (list.items == NULL) {
        fuzz_fail("ngx_pcalloc() failed");
    }

    for (i = 0; i < 1001; i++) {
        list.items[i].article = fuzz_article_sparse(pool);
        list.items[i].article->published = FUZZ_NOW - (time_t) i * 60;

        p = ngx_pnalloc(pool, 64);
        if (p == NULL) {
            fuzz_fail("ngx_pnalloc() failed");
        }

        list.items[i].url.data = p;
        list.items[i].url.len = ngx_sprintf(p, "https://e.org/news/a-%ui", i)
                                - p;
    }

    list.nitems = 1001;
    list.total = (ngx_uint_t) -1;
    conf.sitemap_size = 1;

    for (format = NGX_HTTP_NEWS_FEED_RSS;
         format <= NGX_HTTP_NEWS_FEED_SITEMAP_INDEX;
         format++)
    {
        fuzz_render(&list, &conf, format, pool);
    }

    ngx_destroy_pool(pool);

    return 0;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    u_char                     *p, *last, *end;
    ngx_str_t                   reason, *url;
    ngx_uint_t                  n, format;
    ngx_pool_t                 *pool;
    ngx_http_news_list_t        list;
    ngx_http_news_article_t    *a;
    ngx_http_news_list_item_t  *item;
    ngx_http_news_feed_conf_t   conf;

    pool = fuzz_pool();

    p = (u_char *) data;
    last = p + size;

    end = memchr(p, FUZZ_SEP, size);
    if (end == NULL) {
        end = last;
    }

    fuzz_list(pool, p, end - p, &list, &conf);

    /* at most one item per separator */

    for (n = 0, p = end; p < last; p++) {
        n += (*p == FUZZ_SEP);
    }

    list.items = ngx_pcalloc(pool, (n + 1)
                                   * sizeof(ngx_http_news_list_item_t));
    if (list.items == NULL) {
        fuzz_fail("ngx_pcalloc() failed");
    }

    for (p = end; p < last; p = end) {
        p++;

        end = memchr(p, FUZZ_SEP, last - p);
        if (end == NULL) {
            end = last;
        }

        if (fuzz_article(pool, p, end - p, &a, &reason) != NGX_OK) {
            continue;
        }

        item = &list.items[list.nitems];
        item->article = a;
        item->score = a->published;

        url = fuzz_pair(a, "url");

        if (url != NULL) {
            item->url = *url;

        } else {
            item->url.data = ngx_pnalloc(pool, 64);
            if (item->url.data == NULL) {
                fuzz_fail("ngx_pnalloc() failed");
            }

            item->url.len = ngx_sprintf(item->url.data,
                                        "https://news.example.org/news/a-%ui",
                                        list.nitems)
                            - item->url.data;
        }

        ngx_str_set(&item->key, "news:article:a");

        list.nitems++;
    }

    if (list.total == (ngx_uint_t) -1) {
        list.total = list.nitems;
    }

    /* an index of 50 000 files is checked once, at start: not each run */

    if (list.total / conf.sitemap_size > 200) {
        list.total = conf.sitemap_size * 200;
    }

    for (format = NGX_HTTP_NEWS_FEED_RSS;
         format <= NGX_HTTP_NEWS_FEED_SITEMAP_INDEX;
         format++)
    {
        fuzz_render(&list, &conf, format, pool);
    }

    ngx_destroy_pool(pool);

    return 0;
}


static void
fuzz_list(ngx_pool_t *pool, u_char *data, size_t size,
    ngx_http_news_list_t *list, ngx_http_news_feed_conf_t *conf)
{
    u_char     *p, *last, *end;
    ngx_str_t   name, value;

    ngx_memzero(list, sizeof(ngx_http_news_list_t));
    ngx_memzero(conf, sizeof(ngx_http_news_feed_conf_t));

    list->kind = NGX_HTTP_NEWS_LIST_LATEST;
    ngx_str_set(&list->title, "Latest news");
    ngx_str_set(&list->url, "https://news.example.org/feed.xml");
    ngx_str_set(&list->base_url, "https://news.example.org");
    ngx_str_set(&list->site_name, "The Riverside Courier");
    ngx_str_set(&list->lang, "en");
    list->page = 1;
    list->size = 20;
    list->total = (ngx_uint_t) -1;      /* the items', unless given */
    list->last_modified = (time_t) -1;
    list->now = FUZZ_NOW;

    conf->sitemap_size = NGX_HTTP_NEWS_SITEMAP_MAX;

    p = data;
    last = data + size;

    while (p < last) {
        end = memchr(p, '\0', last - p);
        name.data = p;
        name.len = (end ? end : last) - p;
        p = end ? end + 1 : last;

        end = (p < last) ? memchr(p, '\0', last - p) : NULL;
        value.data = p;
        value.len = (end ? end : last) - p;
        p = end ? end + 1 : last;

        fuzz_list_field(list, conf, &name, &value, pool);
    }
}


static void
fuzz_list_field(ngx_http_news_list_t *list, ngx_http_news_feed_conf_t *conf,
    ngx_str_t *name, ngx_str_t *value, ngx_pool_t *pool)
{
    char        buf[32];
    long long   n;
    ngx_str_t  *s;

    s = NULL;

#define fuzz_is(word)                                                        \
    (name->len == sizeof(word) - 1                                           \
     && ngx_memcmp(name->data, word, sizeof(word) - 1) == 0)

    if (fuzz_is("title")) {
        s = &list->title;
    } else if (fuzz_is("site_name")) {
        s = &list->site_name;
    } else if (fuzz_is("url")) {
        s = &list->url;
    } else if (fuzz_is("base_url")) {
        s = &list->base_url;
    } else if (fuzz_is("lang")) {
        s = &list->lang;
    } else if (fuzz_is("prev_url")) {
        s = &list->prev_url;
    } else if (fuzz_is("next_url")) {
        s = &list->next_url;
    }

    if (s != NULL) {

        /* a copy of its own, so that ASan sees a read past it */

        s->data = ngx_pnalloc(pool, value->len);
        if (s->data == NULL && value->len) {
            fuzz_fail("ngx_pnalloc() failed");
        }

        ngx_memcpy(s->data, value->data, value->len);
        s->len = value->len;
        return;
    }

    n = 0;

    if (value->len && value->len < sizeof(buf)) {
        ngx_memcpy(buf, value->data, value->len);
        buf[value->len] = '\0';
        n = strtoll(buf, NULL, 10);
    }

    if (fuzz_is("now")) {
        list->now = (time_t) n;
    } else if (fuzz_is("last_modified")) {
        list->last_modified = (time_t) n;
    } else if (fuzz_is("total")) {
        list->total = (n < 0) ? 0 : (ngx_uint_t) n;
    } else if (fuzz_is("content")) {
        conf->content = (n == 1);
    } else if (fuzz_is("body_format")) {
        conf->body_format = (n < 0) ? 0 : (ngx_uint_t) n % 3;
    } else if (fuzz_is("sitemap_size")) {
        /* as news_sitemap_size allows */
        conf->sitemap_size = (n < 1) ? 1 : (n > NGX_HTTP_NEWS_SITEMAP_MAX)
                                           ? NGX_HTTP_NEWS_SITEMAP_MAX
                                           : (ngx_uint_t) n;
    }

#undef fuzz_is
}


static ngx_str_t *
fuzz_pair(ngx_http_news_article_t *a, const char *name)
{
    size_t       len;
    ngx_str_t   *v;
    ngx_uint_t   i;

    len = strlen(name);
    v = NULL;

    for (i = 0; i < a->npairs; i++) {
        if (a->pairs[i].name.len == len
            && ngx_memcmp(a->pairs[i].name.data, name, len) == 0)
        {
            v = &a->pairs[i].value;
        }
    }

    return v;
}


static void
fuzz_render(ngx_http_news_list_t *list, ngx_http_news_feed_conf_t *conf,
    ngx_http_news_feed_e format, ngx_pool_t *pool)
{
    time_t                       updated;
    xmlDocPtr                    doc;
    ngx_str_t                    out, want, type;
    ngx_uint_t                   i, n;
    xmlNodePtr                   channel;
    const char                  *what;
    xmlNodeSetPtr                nodes;
    xmlXPathObjectPtr            xp;
    xmlXPathContextPtr           xc;
    ngx_http_news_list_item_t  **shown;

    what = fuzz_formats[format];

    if (ngx_http_news_feed_render(list, format, conf, pool, &out) != NGX_OK) {
        fuzz_fail("%s: ngx_http_news_feed_render() failed", what);
    }

    /* FUZZ_FEED_DUMP=1 shows the documents when reproducing */

    if (getenv("FUZZ_FEED_DUMP") != NULL) {
        fprintf(stderr, "--- %s\n%.*s", what, (int) out.len, out.data);
    }

    fuzz_check_exact(&out, what);
    fuzz_check_chars(&out, what);

    ngx_http_news_feed_content_type(format, &type);

    if (ngx_strncmp(type.data, "application/", sizeof("application/") - 1)
        != 0 || type.data[type.len] != '\0')
    {
        fuzz_fail("%s: content type \"%.*s\"", what, (int) type.len,
                  type.data);
    }

    doc = xmlReadMemory((const char *) out.data, (int) out.len, "feed.xml",
                        NULL, XML_PARSE_NONET);
    if (doc == NULL) {
        fuzz_fail("%s is not well-formed XML: %.*s", what, (int) out.len,
                  out.data);
    }

    xc = xmlXPathNewContext(doc);
    if (xc == NULL) {
        fuzz_fail("xmlXPathNewContext() failed");
    }

    xmlXPathRegisterNs(xc, BAD_CAST "a", BAD_CAST FUZZ_NS_ATOM);
    xmlXPathRegisterNs(xc, BAD_CAST "s", BAD_CAST FUZZ_NS_SITEMAP);

    xp = xmlXPathEvalExpression(BAD_CAST fuzz_items[format], xc);
    if (xp == NULL) {
        fuzz_fail("xmlXPathEvalExpression() failed");
    }

    nodes = xp->nodesetval;
    n = (nodes != NULL) ? (ngx_uint_t) nodes->nodeNr : 0;

    if (format == NGX_HTTP_NEWS_FEED_SITEMAP_INDEX) {
        fuzz_check_index(list, conf, nodes);
        goto done;
    }

    shown = ngx_palloc(pool, (list->nitems + 1)
                             * sizeof(ngx_http_news_list_item_t *));
    if (shown == NULL) {
        fuzz_fail("ngx_palloc() failed");
    }

    if (n != fuzz_shown(list, conf, format, shown)) {
        fuzz_fail("%s: %lu items, not %lu", what, (unsigned long) n,
                  (unsigned long) fuzz_shown(list, conf, format, shown));
    }

    /* the feed's own date: the newest change, else now */

    updated = (list->last_modified > 0 && fuzz_time_ok(list->last_modified))
              ? list->last_modified : -1;

    for (i = 0; i < n; i++) {
        if (fuzz_time_ok(shown[i]->article->updated)) {
            updated = ngx_max(updated, shown[i]->article->updated);

        } else if (fuzz_time_ok(shown[i]->article->published)) {
            updated = ngx_max(updated, shown[i]->article->published);
        }
    }

    if (updated == -1) {
        updated = fuzz_time_ok(list->now) ? list->now : 0;
    }

    if (format == NGX_HTTP_NEWS_FEED_RSS) {
        channel = fuzz_child(xmlDocGetRootElement(doc), NULL, "channel");

        if (list->site_name.len && list->title.len) {
            want.data = ngx_pnalloc(pool, list->site_name.len + 3
                                          + list->title.len);
            if (want.data == NULL) {
                fuzz_fail("ngx_pnalloc() failed");
            }

            want.len = ngx_sprintf(want.data, "%V - %V", &list->site_name,
                                   &list->title)
                       - want.data;

        } else {
            want = list->site_name.len ? list->site_name : list->title;
        }

        fuzz_check_text(channel, NULL, "title", &want, what);
        fuzz_check_date(channel, NULL, "lastBuildDate", updated, 1, what);
    }

    if (format == NGX_HTTP_NEWS_FEED_ATOM) {
        fuzz_check_text(xmlDocGetRootElement(doc), FUZZ_NS_ATOM, "id",
                        &list->url, what);
        fuzz_check_date(xmlDocGetRootElement(doc), FUZZ_NS_ATOM, "updated",
                        updated, 0, what);
    }

    for (i = 0; i < n; i++) {
        fuzz_check_item(list, conf, format, nodes->nodeTab[i], shown[i],
                        updated, pool);
    }

done:

    xmlXPathFreeObject(xp);
    xmlXPathFreeContext(xc);
    xmlFreeDoc(doc);
}


/*
 * XML 1.0's Char, byte by byte: no C0 control but TAB, LF and CR
 * (libxml2 would say so too; this says which byte).
 */

static void
fuzz_check_chars(ngx_str_t *out, const char *what)
{
    size_t  i;

    for (i = 0; i < out->len; i++) {
        if (out->data[i] < 0x20 && out->data[i] != '\t'
            && out->data[i] != '\n' && out->data[i] != '\r')
        {
            fuzz_fail("%s: control byte 0x%02x at %zu", what,
                      out->data[i], i);
        }

        if (i + 2 < out->len && out->data[i] == 0xef
            && out->data[i + 1] == 0xbf && out->data[i + 2] >= 0xbe)
        {
            fuzz_fail("%s: U+FFFE or U+FFFF at %zu", what, i);
        }
    }
}


/* the items a format should show, in the list's order */

static ngx_uint_t
fuzz_shown(ngx_http_news_list_t *list, ngx_http_news_feed_conf_t *conf,
    ngx_http_news_feed_e format, ngx_http_news_list_item_t **shown)
{
    time_t                      t;
    ngx_uint_t                  i, n, max;
    ngx_http_news_list_item_t  *item;

    max = (format == NGX_HTTP_NEWS_FEED_NEWS_SITEMAP) ? 1000
          : (format == NGX_HTTP_NEWS_FEED_SITEMAP) ? conf->sitemap_size
          : (ngx_uint_t) -1;

    for (i = 0, n = 0; i < list->nitems && n < max; i++) {
        item = &list->items[i];

        if (item->article == NULL || item->article->draft
            || item->url.len == 0)
        {
            continue;
        }

        t = item->article->published;

        if (format == NGX_HTTP_NEWS_FEED_NEWS_SITEMAP
            && (!fuzz_time_ok(t) || t > list->now
                || (list->now > 2 * 86400 && t < list->now - 2 * 86400)))
        {
            continue;
        }

        shown[n++] = item;
    }

    return n;
}


static void
fuzz_check_item(ngx_http_news_list_t *list, ngx_http_news_feed_conf_t *conf,
    ngx_http_news_feed_e format, xmlNodePtr node,
    ngx_http_news_list_item_t *item, time_t feed_updated, ngx_pool_t *pool)
{
    time_t                    updated;
    xmlChar                  *href;
    ngx_str_t                 html, want, got;
    const char               *what;
    xmlNodePtr                link, news;
    ngx_http_news_article_t  *a;

    what = fuzz_formats[format];
    a = item->article;

    updated = fuzz_time_ok(a->updated) ? a->updated
              : fuzz_time_ok(a->published) ? a->published : -1;

    switch (format) {

    case NGX_HTTP_NEWS_FEED_RSS:
        fuzz_check_text(node, NULL, "title", &a->field[NGX_HTTP_NEWS_TITLE],
                        what);
        fuzz_check_text(node, NULL, "link", &item->url, what);
        fuzz_check_text(node, NULL, "guid", &item->url, what);
        fuzz_check_date(node, NULL, "pubDate", a->published, 1, what);
        fuzz_check_text(node, NULL, "description",
                        &a->field[NGX_HTTP_NEWS_SUMMARY], what);
        break;

    case NGX_HTTP_NEWS_FEED_ATOM:
        fuzz_check_text(node, FUZZ_NS_ATOM, "id", &item->url, what);
        fuzz_check_text(node, FUZZ_NS_ATOM, "title",
                        &a->field[NGX_HTTP_NEWS_TITLE], what);
        fuzz_check_text(node, FUZZ_NS_ATOM, "summary",
                        &a->field[NGX_HTTP_NEWS_SUMMARY], what);
        fuzz_check_date(node, FUZZ_NS_ATOM, "published", a->published, 0,
                        what);
        fuzz_check_date(node, FUZZ_NS_ATOM, "updated",
                        updated != -1 ? updated : feed_updated, 0, what);

        link = fuzz_child(node, FUZZ_NS_ATOM, "link");
        href = (link != NULL) ? xmlGetProp(link, BAD_CAST "href") : NULL;

        if (href == NULL) {
            fuzz_fail("%s: an entry without a link", what);
        }

        got.data = href;
        got.len = xmlStrlen(href);
        fuzz_clean(&item->url, &want);

        if (got.len != want.len || ngx_memcmp(got.data, want.data, got.len)) {
            fuzz_fail("%s: link \"%.*s\", not \"%.*s\"", what,
                      (int) got.len, got.data, (int) want.len, want.data);
        }

        free(want.data);
        xmlFree(href);
        break;

    case NGX_HTTP_NEWS_FEED_NEWS_SITEMAP:
        fuzz_check_text(node, FUZZ_NS_SITEMAP, "loc", &item->url, what);

        news = fuzz_child(node, FUZZ_NS_NEWS, "news");

        fuzz_check_text(news, FUZZ_NS_NEWS, "title",
                        &a->field[NGX_HTTP_NEWS_TITLE], what);
        fuzz_check_date(news, FUZZ_NS_NEWS, "publication_date",
                        a->published, 0, what);
        fuzz_check_text(fuzz_child(news, FUZZ_NS_NEWS, "publication"),
                        FUZZ_NS_NEWS, "name", &list->site_name, what);
        break;

    default: /* NGX_HTTP_NEWS_FEED_SITEMAP */
        fuzz_check_text(node, FUZZ_NS_SITEMAP, "loc", &item->url, what);
        fuzz_check_date(node, FUZZ_NS_SITEMAP, "lastmod", updated, 0, what);
        return;
    }

    if (format != NGX_HTTP_NEWS_FEED_RSS && format != NGX_HTTP_NEWS_FEED_ATOM)
    {
        return;
    }

    fuzz_check_authors(a, node, format == NGX_HTTP_NEWS_FEED_ATOM, what);

    /* the full text, when asked for: the body's HTML as text */

    ngx_str_null(&html);

    if (conf->content && a->field[NGX_HTTP_NEWS_BODY].len
        && ngx_http_news_body_html(&a->field[NGX_HTTP_NEWS_BODY],
                                   conf->body_format, pool, &html)
           != NGX_OK)
    {
        fuzz_fail("ngx_http_news_body_html() failed");
    }

    if (format == NGX_HTTP_NEWS_FEED_RSS) {
        fuzz_check_text(node, FUZZ_NS_CONTENT, "encoded", &html, what);

    } else {
        fuzz_check_text(node, FUZZ_NS_ATOM, "content", &html, what);
    }
}


/*
 * The bylines, in order, as docs/lists.md has them: the non-empty
 * "name"s of "authors" when it is a JSON array, else "author"; RSS's
 * dc:creator, Atom's author/name.
 */

static void
fuzz_check_authors(ngx_http_news_article_t *a, xmlNodePtr node,
    ngx_uint_t atom, const char *what)
{
    xmlChar     *text;
    ngx_str_t    clean;
    ngx_uint_t   n;
    xmlNodePtr   c, e;

    /*
     * The model's bylines ("authors" as article.c reads it, else
     * "author"; fuzz_article checks that reading), in order, each
     * escaped as XML and read back as its text.
     */

    c = node->children;

    for (n = 0; n < a->nauthors; n++) {

        for ( /* void */ ; c != NULL; c = c->next) {
            if (c->type == XML_ELEMENT_NODE && c->ns != NULL
                && xmlStrcmp(c->name, BAD_CAST (atom ? "author" : "creator"))
                   == 0)
            {
                break;
            }
        }

        if (c == NULL) {
            fuzz_fail("%s: byline %lu missing", what, (unsigned long) n);
        }

        e = atom ? fuzz_child(c, FUZZ_NS_ATOM, "name") : c;
        text = (e != NULL) ? xmlNodeGetContent(e) : NULL;

        if (text == NULL) {
            fuzz_fail("%s: byline %lu empty", what, (unsigned long) n);
        }

        fuzz_clean(&a->authors[n].name, &clean);

        if ((size_t) xmlStrlen(text) != clean.len
            || ngx_memcmp(text, clean.data, clean.len) != 0)
        {
            fuzz_fail("%s: byline %lu reads \"%s\", not \"%.*s\"", what,
                      (unsigned long) n, (char *) text, (int) clean.len,
                      clean.data);
        }

        free(clean.data);
        xmlFree(text);

        c = c->next;
    }

    /* and no more */

    for ( /* void */ ; c != NULL; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && c->ns != NULL
            && xmlStrcmp(c->name, BAD_CAST (atom ? "author" : "creator")) == 0)
        {
            fuzz_fail("%s: more than %lu bylines", what, (unsigned long) n);
        }
    }
}


/* the files: one per sitemap_size of total, at least one, at most 50000 */

static void
fuzz_check_index(ngx_http_news_list_t *list, ngx_http_news_feed_conf_t *conf,
    xmlNodeSetPtr nodes)
{
    char        page[32];
    u_char     *q;
    size_t      len;
    ngx_str_t   url, want, got;
    xmlNodePtr  loc;
    ngx_uint_t  i, n, files;
    xmlChar    *text;

    files = list->total / conf->sitemap_size
            + (list->total % conf->sitemap_size != 0);
    files = ngx_min(ngx_max(files, 1), 50000);

    n = (nodes != NULL) ? (ngx_uint_t) nodes->nodeNr : 0;

    if (n != files) {
        fuzz_fail("sitemap index: %lu files for %lu URLs by %lu, not %lu",
                  (unsigned long) n, (unsigned long) list->total,
                  (unsigned long) conf->sitemap_size, (unsigned long) files);
    }

    url = list->url;
    q = memchr(url.data, '?', url.len);

    if (q != NULL) {
        url.len = q - url.data;
    }

    fuzz_clean(&url, &want);

    for (i = 0; i < n; i++) {
        loc = fuzz_child(nodes->nodeTab[i], FUZZ_NS_SITEMAP, "loc");
        text = (loc != NULL) ? xmlNodeGetContent(loc) : NULL;

        if (text == NULL) {
            fuzz_fail("sitemap index: file %lu has no loc",
                      (unsigned long) i + 1);
        }

        got.data = text;
        got.len = xmlStrlen(text);
        len = snprintf(page, sizeof(page), "?page=%lu", (unsigned long) i + 1);

        if (got.len != want.len + len
            || ngx_memcmp(got.data, want.data, want.len) != 0
            || ngx_memcmp(got.data + want.len, page, len) != 0)
        {
            fuzz_fail("sitemap index: file %lu is \"%.*s\"",
                      (unsigned long) i + 1, (int) got.len, got.data);
        }

        xmlFree(text);

        if (i < 3) {
            fuzz_check_date(nodes->nodeTab[i], FUZZ_NS_SITEMAP, "lastmod",
                            list->last_modified > 0 ? list->last_modified
                                                    : -1,
                            0, "sitemap index");
        }
    }

    free(want.data);
}


static xmlNodePtr
fuzz_child(xmlNodePtr node, const char *ns, const char *name)
{
    xmlNodePtr  c;

    if (node == NULL) {
        fuzz_fail("no parent for <%s>", name);
    }

    for (c = node->children; c != NULL; c = c->next) {
        if (c->type == XML_ELEMENT_NODE
            && xmlStrcmp(c->name, BAD_CAST name) == 0
            && (ns == NULL ? c->ns == NULL
                           : c->ns != NULL
                             && xmlStrcmp(c->ns->href, BAD_CAST ns) == 0))
        {
            return c;
        }
    }

    return NULL;
}


/* the element's text is want, made XML-safe here; none for an empty want */

static void
fuzz_check_text(xmlNodePtr node, const char *ns, const char *name,
    ngx_str_t *want, const char *what)
{
    xmlChar     *text;
    ngx_str_t    clean;
    xmlNodePtr   c;

    c = fuzz_child(node, ns, name);

    if (want->len == 0) {
        if (c != NULL) {
            text = xmlNodeGetContent(c);

            /* a title, a link: there even when empty */

            if (text != NULL && text[0] != '\0') {
                fuzz_fail("%s: <%s> \"%s\" of nothing", what, name,
                          (char *) text);
            }

            xmlFree(text);
        }

        return;
    }

    if (c == NULL) {
        fuzz_fail("%s: no <%s>", what, name);
    }

    text = xmlNodeGetContent(c);
    if (text == NULL) {
        fuzz_fail("xmlNodeGetContent() failed");
    }

    fuzz_clean(want, &clean);

    if ((size_t) xmlStrlen(text) != clean.len
        || ngx_memcmp(text, clean.data, clean.len) != 0)
    {
        fuzz_fail("%s: <%s> reads \"%s\", not \"%.*s\"", what, name,
                  (char *) text, (int) clean.len, clean.data);
    }

    free(clean.data);
    xmlFree(text);
}


static void
fuzz_check_date(xmlNodePtr node, const char *ns, const char *name, time_t t,
    ngx_uint_t rfc822, const char *what)
{
    char        buf[64];
    struct tm   tm;
    ngx_str_t   want;
    xmlNodePtr  c;

    if (!fuzz_time_ok(t)) {
        if (fuzz_child(node, ns, name) != NULL) {
            fuzz_fail("%s: <%s> of no date", what, name);
        }

        return;
    }

    c = fuzz_child(node, ns, name);

    if (c == NULL) {
        fuzz_fail("%s: no <%s> for %lld", what, name, (long long) t);
    }

    if (gmtime_r(&t, &tm) == NULL) {
        fuzz_fail("gmtime_r() failed");
    }

    /* the "C" locale: fuzz_init() sets none */

    want.data = (u_char *) buf;
    want.len = strftime(buf, sizeof(buf),
                        rfc822 ? "%a, %d %b %Y %H:%M:%S +0000"
                               : "%Y-%m-%dT%H:%M:%SZ",
                        &tm);

    fuzz_check_text(node, ns, name, &want, what);
}


/*
 * The text as an XML parser should give it back: code points decoded
 * here (RFC 3629: shortest form, no surrogates, at most U+10FFFF), a
 * byte that starts none replaced by U+FFFD, and those that are not
 * XML 1.0's Char left out.  malloc()ed.
 */

static void
fuzz_clean(ngx_str_t *in, ngx_str_t *out)
{
    u_char    *p, *last, *o;
    uint32_t   cp, min;
    size_t     n, i;

    out->data = malloc(in->len * 3 + 1);
    if (out->data == NULL) {
        fuzz_fail("malloc() failed");
    }

    o = out->data;
    p = in->data;
    last = p + in->len;

    while (p < last) {
        if (*p < 0x80) {
            n = 0; cp = *p; min = 0;
        } else if ((*p & 0xe0) == 0xc0) {
            n = 1; cp = *p & 0x1f; min = 0x80;
        } else if ((*p & 0xf0) == 0xe0) {
            n = 2; cp = *p & 0x0f; min = 0x800;
        } else if ((*p & 0xf8) == 0xf0) {
            n = 3; cp = *p & 0x07; min = 0x10000;
        } else {
            goto bad;
        }

        if ((size_t) (last - p) < n + 1) {
            goto bad;
        }

        for (i = 1; i <= n; i++) {
            if ((p[i] & 0xc0) != 0x80) {
                goto bad;
            }

            cp = (cp << 6) | (p[i] & 0x3f);
        }

        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
            goto bad;
        }

        p += n + 1;

        if (!(cp == 0x9 || cp == 0xa || cp == 0xd
              || (cp >= 0x20 && cp <= 0xd7ff)
              || (cp >= 0xe000 && cp <= 0xfffd)
              || cp >= 0x10000))
        {
            continue;
        }

        ngx_memcpy(o, p - n - 1, n + 1);
        o += n + 1;
        continue;

    bad:

        *o++ = 0xef;
        *o++ = 0xbf;
        *o++ = 0xbd;
        p++;
    }

    out->len = o - out->data;
}


static ngx_uint_t
fuzz_time_ok(time_t t)
{
    return t >= 0 && t <= FUZZ_TIME_MAX;
}


static void
fuzz_xml_quiet(void *ctx, const char *msg, ...)
{
}
