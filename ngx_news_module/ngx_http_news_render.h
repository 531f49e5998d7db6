
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 *
 * What renderers share: the context a page is rendered in besides its
 * article, and a rendered page with the places left for the values that
 * change with every view (the count), so that the rest of it can be
 * kept and sent again.
 */


#ifndef _NGX_HTTP_NEWS_RENDER_H_INCLUDED_
#define _NGX_HTTP_NEWS_RENDER_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_news_article.h"


/* values filled in per view, after rendering */
typedef enum {
    NGX_HTTP_NEWS_SLOT_VIEWS = 1,       /* "42" */
    NGX_HTTP_NEWS_SLOT_VIEWS_LABEL      /* "42 Views" */
} ngx_http_news_slot_e;


/*
 * A reference (an image's src) made absolute against the page's URL:
 * the caller's, so that renderers need not know how URLs are made.
 */
typedef ngx_int_t (*ngx_http_news_resolve_pt)(ngx_str_t *page,
    ngx_str_t *ref, ngx_pool_t *pool, ngx_str_t *url);


/* the site as social cards and search engines are told of it */
typedef struct {
    ngx_str_t                 name;         /* news_publisher_name */
    ngx_str_t                 logo;         /* URLs, as configured */
    ngx_str_t                 url;
    ngx_str_t                 lang;         /* news_lang: "en", "pt-BR" */
    ngx_str_t                 locale;       /* og:locale: "en_US" */
    ngx_str_t                 twitter_site; /* "@handle", or empty */
} ngx_http_news_publisher_t;


/* the request's side of a page: where and how it is shown */
typedef struct {
    ngx_http_news_article_t  *article;
    ngx_str_t                 site_name;
    ngx_str_t                 url;          /* canonical, URI-escaped */
    ngx_str_t                 beacon_url;   /* news_beacon_url, or empty */
    ngx_str_t                 section_url;  /* list pages' prefixes, */
    ngx_str_t                 tag_url;      /* absolute; or empty */
    ngx_str_t                 author_url;
    char                     *date_format;  /* strftime(3), UTC */
    ngx_uint_t                body_format;
    ngx_log_t                *log;
    ngx_http_news_publisher_t *publisher;   /* never NULL */
    ngx_http_news_resolve_pt  resolve;      /* NULL: URLs as stored */
} ngx_http_news_page_t;


/* a slot's value goes at offset of the text */
typedef struct {
    size_t                    offset;
    ngx_http_news_slot_e      slot;
} ngx_http_news_cut_t;


typedef struct {
    ngx_str_t                 text;
    ngx_http_news_cut_t      *cuts;         /* by offset */
    ngx_uint_t                ncuts;
} ngx_http_news_rendered_t;


/* what social cards and JSON-LD need: an absolute URL */

static ngx_inline ngx_int_t
ngx_http_news_render_resolve(ngx_http_news_page_t *page, ngx_str_t *ref,
    ngx_pool_t *pool, ngx_str_t *url)
{
    if (page->resolve == NULL || ref->len == 0) {
        *url = *ref;
        return NGX_OK;
    }

    return page->resolve(&page->url, ref, pool, url);
}


/* news_publisher_name, else news_site_name */

static ngx_inline ngx_str_t *
ngx_http_news_render_publisher(ngx_http_news_page_t *page)
{
    return page->publisher->name.len ? &page->publisher->name
                                     : &page->site_name;
}


#endif /* _NGX_HTTP_NEWS_RENDER_H_INCLUDED_ */
