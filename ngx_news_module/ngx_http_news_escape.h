
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 *
 * Making values safe to write into pages: HTML escaping (which drops
 * the control bytes HTML must not hold), strings inside JSON, valid
 * UTF-8, URLs that cannot run script, and text cut to the size a page's
 * head may hold; XML escaping for feeds and sitemaps.
 */


#ifndef _NGX_HTTP_NEWS_ESCAPE_H_INCLUDED_
#define _NGX_HTTP_NEWS_ESCAPE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>


size_t ngx_http_news_escape_html_len(u_char *src, size_t size);
u_char *ngx_http_news_escape_html(u_char *dst, u_char *src, size_t size);
ngx_uint_t ngx_http_news_escape_dropped(u_char c);
u_char *ngx_http_news_escape_find_control(u_char *src, size_t size);
u_char *ngx_http_news_escape_strip_controls(u_char *dst, u_char *src,
    size_t size);
size_t ngx_http_news_escape_json_len(u_char *src, size_t size);
u_char *ngx_http_news_escape_json(u_char *dst, u_char *src, size_t size);
size_t ngx_http_news_utf8_len(u_char *p, u_char *last);
ngx_uint_t ngx_http_news_safe_url(u_char *url, size_t len);
ngx_int_t ngx_http_news_escape_cut(ngx_str_t *text, size_t max,
    ngx_uint_t html, ngx_pool_t *pool, ngx_str_t *out);

/* attr: for an attribute value (TAB and LF kept as references too) */
size_t ngx_http_news_escape_xml_len(u_char *src, size_t size,
    ngx_uint_t attr);
u_char *ngx_http_news_escape_xml(u_char *dst, u_char *src, size_t size,
    ngx_uint_t attr);


#endif /* _NGX_HTTP_NEWS_ESCAPE_H_INCLUDED_ */
