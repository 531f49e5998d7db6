
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
 * Covers text and both quote styles of attribute values.  The C0
 * controls but tab, LF and CR, and DEL, have an empty one: HTML must not
 * hold them (a parse error; in XML feeds, fatal), and Redis values are
 * binary, NUL included.
 */

static ngx_str_t  ngx_http_news_html_escapes[256] = {
    ['&'] = ngx_string("&amp;"),
    ['<'] = ngx_string("&lt;"),
    ['>'] = ngx_string("&gt;"),
    ['"'] = ngx_string("&quot;"),
    ['\''] = ngx_string("&#39;")
};


/* 1: the byte has an escape in HTML, even an empty one */

static u_char  ngx_http_news_html_special[256] = {
    [0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1,
    [0x06] = 1, [0x07] = 1, [0x08] = 1, [0x0b] = 1, [0x0c] = 1, [0x0e] = 1,
    [0x0f] = 1, [0x10] = 1, [0x11] = 1, [0x12] = 1, [0x13] = 1, [0x14] = 1,
    [0x15] = 1, [0x16] = 1, [0x17] = 1, [0x18] = 1, [0x19] = 1, [0x1a] = 1,
    [0x1b] = 1, [0x1c] = 1, [0x1d] = 1, [0x1e] = 1, [0x1f] = 1, [0x7f] = 1,
    ['&'] = 1, ['<'] = 1, ['>'] = 1, ['"'] = 1, ['\''] = 1
};


/*
 * In a JSON string: the short escapes JSON has, and \uXXXX for the other
 * controls and for the bytes that mean something to HTML, so that a
 * value is also safe inside a <script> element or an attribute.
 */

static ngx_str_t  ngx_http_news_json_escapes[128] = {
    ['\b'] = ngx_string("\\b"),
    ['\t'] = ngx_string("\\t"),
    ['\n'] = ngx_string("\\n"),
    ['\f'] = ngx_string("\\f"),
    ['\r'] = ngx_string("\\r"),
    ['\\'] = ngx_string("\\\\"),
    ['"'] = ngx_string("\\u0022"),
    ['&'] = ngx_string("\\u0026"),
    ['\''] = ngx_string("\\u0027"),
    ['<'] = ngx_string("\\u003c"),
    ['>'] = ngx_string("\\u003e"),
    [0x7f] = ngx_string("\\u007f")
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
    __m128i  v, m, c;

    while (last - p >= 16) {
        v = _mm_loadu_si128((__m128i *) p);

        m = _mm_or_si128(
                _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('&')),
                             _mm_cmpeq_epi8(v, _mm_set1_epi8('<'))),
                _mm_or_si128(
                    _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('>')),
                                 _mm_cmpeq_epi8(v, _mm_set1_epi8('"'))),
                    _mm_cmpeq_epi8(v, _mm_set1_epi8('\''))));

        /* bytes up to 0x1f (unsigned) but tab, LF and CR; and DEL */

        c = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);
        c = _mm_andnot_si128(
                _mm_or_si128(
                    _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\t')),
                                 _mm_cmpeq_epi8(v, _mm_set1_epi8('\n'))),
                    _mm_cmpeq_epi8(v, _mm_set1_epi8('\r'))),
                c);
        c = _mm_or_si128(c, _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f)));

        mask = _mm_movemask_epi8(_mm_or_si128(m, c));

        if (mask) {
            return p + __builtin_ctz(mask);
        }

        p += 16;
    }
#endif

    while (p < last && !ngx_http_news_html_special[*p]) {
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
        /* the byte is replaced by its escape, which may be empty */
        len += ngx_http_news_html_escapes[*p].len;
        len--;
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


/* whether HTML escaping drops the byte */

ngx_uint_t
ngx_http_news_escape_dropped(u_char c)
{
    return ngx_http_news_html_special[c]
           && ngx_http_news_html_escapes[c].len == 0;
}


/*
 * HTML that is already HTML (Markdown's, editors' own) is not escaped,
 * but it must not hold the controls either: the first one in src, or
 * NULL.
 */

u_char *
ngx_http_news_escape_find_control(u_char *src, size_t size)
{
    u_char  *p, *last;

    last = src + size;

    for (p = src; p < last; p++) {
        if (ngx_http_news_escape_dropped(*p)) {
            return p;
        }
    }

    return NULL;
}


/* src without those controls; dst may be src, for a copy in place */

u_char *
ngx_http_news_escape_strip_controls(u_char *dst, u_char *src, size_t size)
{
    u_char  *p, *last;

    last = src + size;

    for (p = src; p < last; p++) {
        if (!ngx_http_news_escape_dropped(*p)) {
            *dst++ = *p;
        }
    }

    return dst;
}


/*
 * The length of the valid UTF-8 sequence (RFC 3629: no overlong forms,
 * surrogates or values above U+10FFFF) that starts at p, 0 if none does.
 */

size_t
ngx_http_news_utf8_len(u_char *p, u_char *last)
{
    u_char  c, lo, hi;
    size_t  n, i;

    c = *p;
    lo = 0x80;
    hi = 0xbf;

    if (c < 0x80) {
        return 1;

    } else if (c >= 0xc2 && c <= 0xdf) {
        n = 1;

    } else if (c >= 0xe0 && c <= 0xef) {
        n = 2;
        lo = (c == 0xe0) ? 0xa0 : 0x80;
        hi = (c == 0xed) ? 0x9f : 0xbf;

    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 3;
        lo = (c == 0xf0) ? 0x90 : 0x80;
        hi = (c == 0xf4) ? 0x8f : 0xbf;

    } else {
        return 0;
    }

    if ((size_t) (last - p) <= n) {
        return 0;
    }

    for (i = 1; i <= n; i++) {
        if (p[i] < (i == 1 ? lo : 0x80) || p[i] > (i == 1 ? hi : 0xbf)) {
            return 0;
        }
    }

    return n + 1;
}


/*
 * A value as the inside of a JSON string, quotes not included: escaped
 * as in the table above, U+2028 and U+2029 (line ends to JavaScript
 * before ES2019) as \u2028 and \u2029, and each byte that does not start
 * a valid UTF-8 sequence as U+FFFD.  With dst NULL, the length is added
 * to *len instead, for the measuring pass.
 */

static u_char *
ngx_http_news_escape_json_walk(u_char *dst, u_char *src, size_t size,
    size_t *len)
{
    u_char     *p, *last, hex[6];
    size_t      n;
    ngx_str_t  *e, s;

    last = src + size;

    for (p = src; p < last; p += n) {

        if (*p >= 0x20 && *p < 0x7f
            && ngx_http_news_json_escapes[*p].len == 0)
        {
            /* most of it: a run of plain ASCII */

            for (n = 1;
                 p + n < last && p[n] >= 0x20 && p[n] < 0x7f
                 && ngx_http_news_json_escapes[p[n]].len == 0;
                 n++)
            {
                /* void */
            }

            s.data = p;
            s.len = n;
            e = &s;

        } else if (*p < 0x80) {
            n = 1;
            e = &ngx_http_news_json_escapes[*p];

            if (e->len == 0) {
                /* the other C0 controls */
                (void) ngx_cpymem(hex, "\\u00", 4);
                (void) ngx_hex_dump(&hex[4], p, 1);

                s.data = hex;
                s.len = 6;
                e = &s;
            }

        } else {
            n = ngx_http_news_utf8_len(p, last);

            if (n == 0) {
                n = 1;
                ngx_str_set(&s, "\xef\xbf\xbd");

            } else if (n == 3 && p[0] == 0xe2 && p[1] == 0x80
                       && (p[2] == 0xa8 || p[2] == 0xa9))
            {
                s.data = (u_char *) (p[2] == 0xa8 ? "\\u2028" : "\\u2029");
                s.len = 6;

            } else {
                s.data = p;
                s.len = n;
            }

            e = &s;
        }

        if (dst != NULL) {
            dst = ngx_cpymem(dst, e->data, e->len);

        } else {
            *len += e->len;
        }
    }

    return dst;
}


size_t
ngx_http_news_escape_json_len(u_char *src, size_t size)
{
    size_t  len;

    len = 0;
    (void) ngx_http_news_escape_json_walk(NULL, src, size, &len);

    return len;
}


u_char *
ngx_http_news_escape_json(u_char *dst, u_char *src, size_t size)
{
    return ngx_http_news_escape_json_walk(dst, src, size, NULL);
}


/*
 * Whether a URL may go into an href or src: relative, or with a scheme
 * from the list.  Browsers drop leading spaces and control characters
 * and any tab or newline before reading a scheme, so " java\tscript:"
 * is read as "javascript:" here too; and HTML escaping drops the other
 * controls, so "java\0script:" is too.
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

        if (*p == '\t' || *p == '\r' || *p == '\n'
            || ngx_http_news_escape_dropped(*p))
        {
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
    u_char     *p, *last, *end, *space;
    size_t      n, w, at;
    ngx_str_t   src;

    /* out may be text itself */

    src = *text;

    p = src.data;
    last = p + src.len;
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
        *out = src;
        return NGX_OK;
    }

    /* at the last space, unless that would leave less than half */

    if (space != NULL && at >= max / 2) {
        end = space;
    }

    while (end > src.data
           && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n'
               || end[-1] == '\r' || end[-1] == ',' || end[-1] == ';'
               || end[-1] == ':'))
    {
        end--;
    }

    n = end - src.data;

    out->data = ngx_pnalloc(pool, n + sizeof("\xe2\x80\xa6") - 1);
    if (out->data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(out->data, src.data, n);
    p = ngx_cpymem(p, "\xe2\x80\xa6", sizeof("\xe2\x80\xa6") - 1);

    out->len = p - out->data;

    return NGX_OK;
}


/*
 * XML 1.0 text: the escapes of HTML, and the bytes an XML parser would
 * not give back as they are.  A C0 control other than TAB, LF and CR
 * makes the document not well-formed at all, even as a reference, so it
 * is left out (0: left out, below).  A parser turns a CR in text and a
 * TAB, LF or CR in an attribute value into something else (LF, space),
 * so those are written as references.  Indexed by [attr][byte].
 */

static ngx_str_t  ngx_http_news_xml_escapes[2][128] = {
    {
        ['&'] = ngx_string("&amp;"),
        ['<'] = ngx_string("&lt;"),
        ['>'] = ngx_string("&gt;"),
        ['"'] = ngx_string("&quot;"),
        ['\''] = ngx_string("&apos;"),
        ['\r'] = ngx_string("&#13;")
    },
    {
        ['&'] = ngx_string("&amp;"),
        ['<'] = ngx_string("&lt;"),
        ['>'] = ngx_string("&gt;"),
        ['"'] = ngx_string("&quot;"),
        ['\''] = ngx_string("&apos;"),
        ['\t'] = ngx_string("&#9;"),
        ['\n'] = ngx_string("&#10;"),
        ['\r'] = ngx_string("&#13;")
    }
};


/*
 * One pass that both measures (dst NULL) and writes, so that the two
 * cannot disagree.  UTF-8 is read as RFC 3629 has it (no overlong forms,
 * surrogates or values above U+10FFFF): a byte that does not start a
 * valid sequence becomes U+FFFD, as the JSON output has it; U+FFFE and
 * U+FFFF, which XML 1.0 does not allow either, are left out.
 */

static size_t
ngx_http_news_escape_xml_run(u_char *dst, u_char *src, size_t size,
    ngx_uint_t attr)
{
    u_char     *p, *last, *start, c;
    size_t      len, n;
    ngx_str_t  *e, *escapes;

    escapes = ngx_http_news_xml_escapes[attr ? 1 : 0];

    p = src;
    last = src + size;
    len = 0;

    while (p < last) {
        c = *p;

        if (c < 0x80) {

            /* a run of bytes copied as they are */

            start = p;

            while (p < last && *p < 0x80 && *p >= 0x20
                   && escapes[*p].len == 0)
            {
                p++;
            }

            if (p > start) {
                if (dst != NULL) {
                    dst = ngx_cpymem(dst, start, p - start);
                }

                len += p - start;
                continue;
            }

            e = &escapes[c];
            p++;

            if (e->len) {
                if (dst != NULL) {
                    dst = ngx_cpymem(dst, e->data, e->len);
                }

                len += e->len;
                continue;
            }

            if (c == '\t' || c == '\n') {
                if (dst != NULL) {
                    *dst++ = c;
                }

                len++;
            }

            /* any other control byte is left out */

            continue;
        }

        n = ngx_http_news_utf8_len(p, last);

        if (n == 0) {
            goto invalid;
        }

        if (c == 0xef && p[1] == 0xbf && (p[2] == 0xbe || p[2] == 0xbf)) {
            /* U+FFFE, U+FFFF */
            p += 3;
            continue;
        }

        if (dst != NULL) {
            dst = ngx_cpymem(dst, p, n);
        }

        len += n;
        p += n;
        continue;

    invalid:

        if (dst != NULL) {
            *dst++ = 0xef;
            *dst++ = 0xbf;
            *dst++ = 0xbd;
        }

        len += 3;
        p++;
    }

    return len;
}


size_t
ngx_http_news_escape_xml_len(u_char *src, size_t size, ngx_uint_t attr)
{
    return ngx_http_news_escape_xml_run(NULL, src, size, attr);
}


u_char *
ngx_http_news_escape_xml(u_char *dst, u_char *src, size_t size,
    ngx_uint_t attr)
{
    return dst + ngx_http_news_escape_xml_run(dst, src, size, attr);
}
