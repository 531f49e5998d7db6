
/*
 * Copyright (C) ngx_news_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_news_escape.h"


/*
 * The escape of each byte that has one; every other byte is copied.
 * Covers text and both quote styles of attribute values.
 */

static ngx_str_t  ngx_http_news_html_escapes[256] = {
    ['&'] = ngx_string("&amp;"),
    ['<'] = ngx_string("&lt;"),
    ['>'] = ngx_string("&gt;"),
    ['"'] = ngx_string("&quot;"),
    ['\''] = ngx_string("&#39;")
};


size_t
ngx_http_news_escape_html_len(u_char *src, size_t size)
{
    size_t   len;
    u_char  *last;

    len = size;

    for (last = src + size; src < last; src++) {
        if (ngx_http_news_html_escapes[*src].len) {
            len += ngx_http_news_html_escapes[*src].len - 1;
        }
    }

    return len;
}


u_char *
ngx_http_news_escape_html(u_char *dst, u_char *src, size_t size)
{
    u_char     *last, *run;
    ngx_str_t  *e;

    last = src + size;

    /* copy runs of safe bytes at once; most text has no special byte */

    while (src < last) {
        run = src;

        while (src < last && ngx_http_news_html_escapes[*src].len == 0) {
            src++;
        }

        dst = ngx_cpymem(dst, run, src - run);

        if (src < last) {
            e = &ngx_http_news_html_escapes[*src++];
            dst = ngx_cpymem(dst, e->data, e->len);
        }
    }

    return dst;
}
