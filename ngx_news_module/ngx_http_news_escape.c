
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_news_escape.h"

#if (__SSE2__)
#include <emmintrin.h>
#endif


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


/* the URL schemes an article's links and images may use; none is fine */

static ngx_str_t  ngx_http_news_safe_schemes[] = {
    ngx_string("http"),
    ngx_string("https"),
    ngx_string("mailto"),
    ngx_null_string
};


/*
 * The first byte from p on that has an escape, or last.  Text is mostly
 * bytes without one: with SSE2 (every x86-64) 16 bytes are tested at a
 * time, so long bodies are scanned at memchr() speed.
 */

static ngx_inline u_char *
ngx_http_news_escape_next(u_char *p, u_char *last)
{
#if (__SSE2__)
    int      mask;
    __m128i  v, m;

    while (last - p >= 16) {
        v = _mm_loadu_si128((__m128i *) p);

        m = _mm_or_si128(
                _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('&')),
                             _mm_cmpeq_epi8(v, _mm_set1_epi8('<'))),
                _mm_or_si128(
                    _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('>')),
                                 _mm_cmpeq_epi8(v, _mm_set1_epi8('"'))),
                    _mm_cmpeq_epi8(v, _mm_set1_epi8('\''))));

        mask = _mm_movemask_epi8(m);

        if (mask) {
            return p + __builtin_ctz(mask);
        }

        p += 16;
    }
#endif

    while (p < last && ngx_http_news_html_escapes[*p].len == 0) {
        p++;
    }

    return p;
}


size_t
ngx_http_news_escape_html_len(u_char *src, size_t size)
{
    size_t   len;
    u_char  *p, *last;

    len = size;
    last = src + size;

    for (p = ngx_http_news_escape_next(src, last);
         p < last;
         p = ngx_http_news_escape_next(p + 1, last))
    {
        len += ngx_http_news_html_escapes[*p].len - 1;
    }

    return len;
}


u_char *
ngx_http_news_escape_html(u_char *dst, u_char *src, size_t size)
{
    u_char     *p, *last;
    ngx_str_t  *e;

    last = src + size;

    /* runs of bytes without an escape are copied at once */

    for ( ;; ) {
        p = ngx_http_news_escape_next(src, last);

        dst = ngx_cpymem(dst, src, p - src);

        if (p == last) {
            return dst;
        }

        e = &ngx_http_news_html_escapes[*p];
        dst = ngx_cpymem(dst, e->data, e->len);

        src = p + 1;
    }
}


/*
 * Whether a URL may go into an href or src: relative, or with a scheme
 * from the list.  Browsers drop leading spaces and control characters
 * and any tab or newline before reading a scheme, so " java\tscript:"
 * is read as "javascript:" here too.
 */

ngx_uint_t
ngx_http_news_safe_url(u_char *url, size_t len)
{
    u_char      *p, *last, scheme[16];
    size_t       n;
    ngx_str_t   *s;

    p = url;
    last = url + len;

    while (p < last && *p <= 0x20) {
        p++;
    }

    for (n = 0; p < last && *p != ':'; p++) {

        if (*p == '\t' || *p == '\r' || *p == '\n') {
            continue;
        }

        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
              || (n > 0 && ((*p >= '0' && *p <= '9')
                            || *p == '+' || *p == '-' || *p == '.'))))
        {
            /* a path, a query or a fragment before any ":": relative */
            return 1;
        }

        if (n == sizeof(scheme)) {
            return 0;
        }

        scheme[n++] = ngx_tolower(*p);
    }

    if (p == last) {
        return 1;
    }

    for (s = ngx_http_news_safe_schemes; s->len; s++) {
        if (n == s->len && ngx_strncmp(scheme, s->data, n) == 0) {
            return 1;
        }
    }

    return 0;
}


/*
 * Text cut to at most max characters (UTF-8), at the last space before
 * the limit, with "..." (U+2026) after it: for a <title> or a meta
 * description, which readers cut anyway, and which a 10 MB summary must
 * not fill.  With html, a character counts as long as its escape
 * ("&" as "&amp;"), as html-validate counts a <title>.  Text that fits
 * is used as it is, without a copy; no more than max characters are
 * ever read.
 */

ngx_int_t
ngx_http_news_escape_cut(ngx_str_t *text, size_t max, ngx_uint_t html,
    ngx_pool_t *pool, ngx_str_t *out)
{
    u_char  *p, *last, *end, *space;
    size_t   n, w, at;

    p = text->data;
    last = p + text->len;
    end = NULL;
    space = NULL;
    at = 0;

    /*
     * end: where the text must stop to leave room for the "...";
     * space: the last space up to there, at characters in
     */

    for (n = 0; p < last; p++) {
        if ((*p & 0xc0) == 0x80) {
            continue;
        }

        w = (html && ngx_http_news_html_escapes[*p].len)
            ? ngx_http_news_html_escapes[*p].len : 1;

        if (end == NULL) {
            if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
                space = p;
                at = n;
            }

            if (n + w > max - 1) {
                end = p;
            }
        }

        n += w;

        if (n > max) {
            break;
        }
    }

    if (p == last) {
        *out = *text;
        return NGX_OK;
    }

    /* at the last space, unless that would leave less than half */

    if (space != NULL && at >= max / 2) {
        end = space;
    }

    while (end > text->data
           && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n'
               || end[-1] == '\r' || end[-1] == ',' || end[-1] == ';'
               || end[-1] == ':'))
    {
        end--;
    }

    out->len = end - text->data;

    out->data = ngx_pnalloc(pool, out->len + sizeof("\xe2\x80\xa6") - 1);
    if (out->data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(out->data, text->data, out->len);
    p = ngx_cpymem(p, "\xe2\x80\xa6", sizeof("\xe2\x80\xa6") - 1);

    out->len = p - out->data;

    return NGX_OK;
}
