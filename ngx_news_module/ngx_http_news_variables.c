
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 *
 * Variables of a news request, for log_format and the like: what the
 * view showed, whether it counted and why not, how long Redis took.
 * Outside news locations each is not found ("-" in a log line); after
 * an error_page redirect they still tell of the news request.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_news_module.h"


static ngx_int_t ngx_http_news_str_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_news_view_counted_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_news_skip_reason_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_news_redis_time_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static void ngx_http_news_variable_str(ngx_http_variable_value_t *v,
    ngx_str_t *s);


static ngx_http_variable_t  ngx_http_news_vars[] = {

    { ngx_string("news_views"), NULL, ngx_http_news_str_variable,
      offsetof(ngx_http_news_ctx_t, views), NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("news_view_counted"), NULL,
      ngx_http_news_view_counted_variable, 0, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("news_skip_reason"), NULL,
      ngx_http_news_skip_reason_variable, 0, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("news_redis_time"), NULL, ngx_http_news_redis_time_variable,
      0, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("news_key"), NULL, ngx_http_news_str_variable,
      offsetof(ngx_http_news_ctx_t, key), NGX_HTTP_VAR_NOCACHEABLE, 0 },

      ngx_http_null_variable
};


/* indexed by ngx_http_news_skip_e */

ngx_str_t  ngx_http_news_skip_reasons[] = {
    ngx_null_string,
    ngx_string("off"),
    ngx_string("head"),
    ngx_string("skip"),
    ngx_string("prefetch"),
    ngx_string("dedupe"),
    ngx_string("draft"),
    ngx_string("not_found"),
    ngx_string("error"),
    ngx_string("refused"),
    ngx_string("buffered"),
    ngx_null_string
};


ngx_int_t
ngx_http_news_add_variables(ngx_conf_t *cf)
{
    ngx_http_variable_t  *var, *v;

    for (v = ngx_http_news_vars; v->name.len; v++) {
        var = ngx_http_add_variable(cf, &v->name, v->flags);
        if (var == NULL) {
            return NGX_ERROR;
        }

        var->get_handler = v->get_handler;
        var->data = v->data;
    }

    return NGX_OK;
}


/* a string of the context: data is its offset */

static ngx_int_t
ngx_http_news_str_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_str_t            *s;
    ngx_http_news_ctx_t  *ctx;

    ctx = ngx_http_news_get_ctx(r);

    if (ctx == NULL) {
        v->not_found = 1;
        return NGX_OK;
    }

    s = (ngx_str_t *) ((u_char *) ctx + data);

    if (s->len == 0) {
        v->not_found = 1;
        return NGX_OK;
    }

    ngx_http_news_variable_str(v, s);

    return NGX_OK;
}


static ngx_int_t
ngx_http_news_view_counted_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_str_t             counted;
    ngx_http_news_ctx_t  *ctx;

    ctx = ngx_http_news_get_ctx(r);

    if (ctx == NULL) {
        v->not_found = 1;
        return NGX_OK;
    }

    if (ctx->counted) {
        ngx_str_set(&counted, "1");

    } else {
        ngx_str_set(&counted, "0");
    }

    ngx_http_news_variable_str(v, &counted);

    return NGX_OK;
}


static ngx_int_t
ngx_http_news_skip_reason_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_http_news_ctx_t  *ctx;

    ctx = ngx_http_news_get_ctx(r);

    if (ctx == NULL || ctx->counted || ctx->skip == NGX_HTTP_NEWS_SKIP_NONE) {
        v->not_found = 1;
        return NGX_OK;
    }

    ngx_http_news_variable_str(v, &ngx_http_news_skip_reasons[ctx->skip]);

    return NGX_OK;
}


/* milliseconds with three decimals: measured in microseconds */

static ngx_int_t
ngx_http_news_redis_time_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    u_char               *p;
    ngx_http_news_ctx_t  *ctx;

    ctx = ngx_http_news_get_ctx(r);

    if (ctx == NULL || ctx->redis_time < 0) {
        v->not_found = 1;
        return NGX_OK;
    }

    p = ngx_pnalloc(r->pool, NGX_INT64_LEN + 4);
    if (p == NULL) {
        return NGX_ERROR;
    }

    v->len = ngx_sprintf(p, "%L.%03L", ctx->redis_time / 1000,
                         ctx->redis_time % 1000)
             - p;
    v->data = p;
    v->valid = 1;
    v->no_cacheable = 0;
    v->not_found = 0;

    return NGX_OK;
}


static void
ngx_http_news_variable_str(ngx_http_variable_value_t *v, ngx_str_t *s)
{
    v->len = s->len;
    v->data = s->data;
    v->valid = 1;
    v->no_cacheable = 0;
    v->not_found = 0;
}
