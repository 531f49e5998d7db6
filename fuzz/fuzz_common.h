
/*
 * Copyright (C) ngx_news_module authors
 *
 * What the libFuzzer targets share: just enough of nginx (time, a log
 * that writes nowhere, pools), the articles they render, and the checks
 * that do not depend on the code under test.
 */


#ifndef _FUZZ_COMMON_H_INCLUDED_
#define _FUZZ_COMMON_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_news_article.h"


extern ngx_log_t  *fuzz_log;
extern ngx_cycle_t *fuzz_cycle;


void fuzz_init(void);
ngx_pool_t *fuzz_pool(void);
void fuzz_fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* an article with every field set, and one with almost none */
void fuzz_article_full(ngx_http_news_article_t *a);
void fuzz_article_sparse(ngx_http_news_article_t *a);
void fuzz_page(ngx_http_news_page_t *page, ngx_http_news_article_t *a,
    ngx_uint_t body_format);

/* a buffer filled by a measure-then-write pass was filled exactly */
void fuzz_check_exact(ngx_str_t *out, const char *what);

/* whether a browser would run a URL with a scheme other than ours */
ngx_uint_t fuzz_url_has_bad_scheme(u_char *url, size_t len);

/* every href and src attribute in HTML has a harmless URL */
void fuzz_check_html_urls(ngx_str_t *html, const char *what);

/* the haystack has no needle, ASCII case ignored */
void fuzz_check_absent(ngx_str_t *s, const char *needle, const char *what);


#endif /* _FUZZ_COMMON_H_INCLUDED_ */
