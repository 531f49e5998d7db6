
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 *
 * Sending a response, for every location of the module (pages, beacons,
 * metrics): a header, and a body that is already in memory.
 */


#ifndef _NGX_HTTP_NEWS_RESPONSE_H_INCLUDED_
#define _NGX_HTTP_NEWS_RESPONSE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>


ngx_int_t ngx_http_news_add_header(ngx_http_request_t *r, char *name,
    ngx_str_t *value);
ngx_int_t ngx_http_news_send(ngx_http_request_t *r, ngx_uint_t status,
    char *content_type, ngx_chain_t *body, off_t len);


#endif /* _NGX_HTTP_NEWS_RESPONSE_H_INCLUDED_ */
