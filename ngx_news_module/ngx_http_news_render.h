
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


#endif /* _NGX_HTTP_NEWS_RENDER_H_INCLUDED_ */
