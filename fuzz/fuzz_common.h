
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 *
 * What the libFuzzer targets share: just enough of nginx (time, a log
 * that writes nowhere, pools), articles made as the module makes them,
 * the article shown as the handler shows it, and the checks that do not
 * depend on the code under test.
 */


#ifndef _FUZZ_COMMON_H_INCLUDED_
#define _FUZZ_COMMON_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_news_article.h"
#include "ngx_http_news_render.h"
#include "ngx_http_news_template.h"


/* fuzz_show()'s formats: 1 << NGX_HTTP_NEWS_BODY_FORMAT_* */
#define FUZZ_ALL_FORMATS  0x7


extern ngx_log_t    *fuzz_log;
extern ngx_cycle_t  *fuzz_cycle;


void fuzz_init(void);
ngx_pool_t *fuzz_pool(void);
void fuzz_conf(ngx_conf_t *cf, ngx_pool_t *pool, ngx_pool_t *temp_pool);
void fuzz_fail(const char *fmt, ...)
    __attribute__((noreturn, format(printf, 1, 2)));

/*
 * An article from records "name\0value\0name\0value...", made with
 * ngx_http_news_article_create/add/done as the store makes it from a
 * hash; a name without a value has an empty one.  Returns done's
 * result, with a reason for NGX_ERROR (checked).
 */
ngx_int_t fuzz_article(ngx_pool_t *pool, u_char *data, size_t size,
    ngx_http_news_article_t **a, ngx_str_t *reason);
ngx_http_news_article_t *fuzz_article_full(ngx_pool_t *pool);
ngx_http_news_article_t *fuzz_article_sparse(ngx_pool_t *pool);

/* what the model promises of an article that was done */
void fuzz_check_article(ngx_http_news_article_t *a);

/* a count as Redis reads it, made apart from the module's reader */
ngx_int_t fuzz_parse_views(u_char *p, size_t len, int64_t *views);

void fuzz_page(ngx_http_news_page_t *page, ngx_http_news_article_t *a,
    ngx_uint_t body_format);

/* the default page, compiled once as at configuration time */
ngx_http_news_template_t *fuzz_default_template(void);

/*
 * The article as the handler shows it (its unsafe image left out): the
 * default page in each of the formats, the JSON and the JSON-LD, each
 * filled with a few counts and the given one, with every check below.
 */
void fuzz_show(ngx_http_news_article_t *a, int64_t views,
    ngx_uint_t formats);

/* cuts in order, within the text, of a known slot */
void fuzz_check_rendered(ngx_http_news_rendered_t *r, const char *what);

/*
 * ngx_http_news_page_output() with a count: the chain is checked against
 * the text with the count's digits put in at the cuts, and returned as
 * one string in pool.
 */
void fuzz_fill(ngx_http_news_rendered_t *r, int64_t views, ngx_pool_t *pool,
    ngx_str_t *out, const char *what);

/* a buffer filled by a measure-then-write pass was filled exactly */
void fuzz_check_exact(ngx_str_t *out, const char *what);

/* valid JSON as jansson reads it; with views, "views" is that count */
void fuzz_check_json(ngx_str_t *json, int64_t *views, const char *what);

/* inner is {{name|json}} of value: safe, and reads back as the value */
void fuzz_check_json_string(ngx_str_t *inner, ngx_str_t *value,
    const char *what);

/* whether a browser would run a URL with a scheme other than ours */
ngx_uint_t fuzz_url_has_bad_scheme(u_char *url, size_t len);

/* every href and src attribute in HTML has a harmless URL */
void fuzz_check_html_urls(ngx_str_t *html, const char *what);

/* the haystack has no needle, ASCII case ignored */
void fuzz_check_absent(ngx_str_t *s, const char *needle, const char *what);


#endif /* _FUZZ_COMMON_H_INCLUDED_ */
