
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 *
 * A list page as every format shows it (HTML, JSON, RSS, Atom,
 * sitemaps): plain data made from one Redis reply, its URLs absolute,
 * so that renderers need neither the request nor Redis.
 */


#ifndef _NGX_HTTP_NEWS_LIST_H_INCLUDED_
#define _NGX_HTTP_NEWS_LIST_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_news_article.h"


typedef enum {
    NGX_HTTP_NEWS_LIST_LATEST = 0,
    NGX_HTTP_NEWS_LIST_SECTION,
    NGX_HTTP_NEWS_LIST_TAG,
    NGX_HTTP_NEWS_LIST_AUTHOR,
    NGX_HTTP_NEWS_LIST_MOST_READ_DAY,
    NGX_HTTP_NEWS_LIST_MOST_READ_WEEK
} ngx_http_news_list_kind_e;


typedef struct {
    ngx_str_t                   key;        /* <prefix>article:<slug> */
    ngx_str_t                   url;        /* the article's, absolute */
    ngx_http_news_article_t    *article;    /* the fields a list shows */
    int64_t                     score;      /* views (most read), or the
                                               published time */
} ngx_http_news_list_item_t;


typedef struct {
    ngx_http_news_list_kind_e   kind;
    ngx_str_t                   name;       /* section, tag or author as
                                               asked; empty for latest */
    ngx_str_t                   title;      /* "Latest news", the section */
    ngx_str_t                   url;        /* this page, absolute */
    ngx_str_t                   prev_url;   /* empty: none */
    ngx_str_t                   next_url;   /* empty: none */
    ngx_str_t                   base_url;
    ngx_str_t                   site_name;
    ngx_str_t                   lang;       /* "en" */
    ngx_uint_t                  page;       /* 1-based */
    ngx_uint_t                  size;       /* news_list_size */
    ngx_uint_t                  total;      /* articles in the whole list */
    time_t                      last_modified;  /* the newest change */
    time_t                      now;

    ngx_http_news_list_item_t  *items;
    ngx_uint_t                  nitems;

    /* the most read of today beside the list (HTML pages), or none */
    ngx_http_news_list_item_t  *box;
    ngx_uint_t                  nbox;
} ngx_http_news_list_t;


#endif /* _NGX_HTTP_NEWS_LIST_H_INCLUDED_ */
