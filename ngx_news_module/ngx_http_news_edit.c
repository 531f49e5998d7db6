
/*
 * Copyright (C) ngx_news_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include <jansson.h>

#include "ngx_http_news_edit.h"
#include "ngx_http_news_json.h"
#include "ngx_http_news_escape.h"


#define NGX_HTTP_NEWS_EDIT_LIST_MAX     100     /* tags, authors, custom */
#define NGX_HTTP_NEWS_EDIT_NAME_MAX     64      /* of a custom field */
#define NGX_HTTP_NEWS_EDIT_SIZE_MAX     100000  /* image_width, _height */

/* 9999-12-31T23:59:59Z: the last second ISO 8601's four digits reach */
#define NGX_HTTP_NEWS_EDIT_TIME_MAX     253402300799LL

/* an answer is dumped once into this much, most times */
#define NGX_HTTP_NEWS_EDIT_JSON_SIZE    4096


typedef enum {
    NGX_HTTP_NEWS_EDIT_TEXT = 0,        /* a string */
    NGX_HTTP_NEWS_EDIT_TITLE,           /* a string that is not blank */
    NGX_HTTP_NEWS_EDIT_URL,             /* a string that runs no script */
    NGX_HTTP_NEWS_EDIT_DATE,            /* ISO 8601 UTC or Unix seconds */
    NGX_HTTP_NEWS_EDIT_STATUS,          /* "published" or "draft" */
    NGX_HTTP_NEWS_EDIT_TAGS,            /* an array of strings */
    NGX_HTTP_NEWS_EDIT_AUTHORS,         /* an array of {name, url} */
    NGX_HTTP_NEWS_EDIT_SIZE,            /* a positive integer */
    NGX_HTTP_NEWS_EDIT_CUSTOM,          /* an object of strings */
    NGX_HTTP_NEWS_EDIT_SLUG,            /* read-only, the URL's */
    NGX_HTTP_NEWS_EDIT_READ_ONLY        /* kept by the module: ignored */
} ngx_http_news_edit_type_e;


typedef struct {
    ngx_str_t                     name;
    ngx_http_news_edit_type_e     type;
} ngx_http_news_edit_spec_t;


/* one edit being read */
typedef struct {
    json_t                       *fields;   /* the script's: name, value */
    ngx_uint_t                    replace;  /* PUT: null is left out */
    ngx_str_t                    *slug;
    ngx_pool_t                   *pool;
    ngx_http_news_edit_error_t   *err;
} ngx_http_news_edit_ctx_t;


static ngx_int_t ngx_http_news_edit_field(ngx_http_news_edit_ctx_t *ctx,
    ngx_http_news_edit_spec_t *spec, json_t *value);
static ngx_int_t ngx_http_news_edit_value(ngx_http_news_edit_ctx_t *ctx,
    ngx_http_news_edit_spec_t *spec, json_t *value, ngx_str_t *out);
static ngx_int_t ngx_http_news_edit_date(json_t *value, ngx_pool_t *pool,
    ngx_str_t *out);
static ngx_int_t ngx_http_news_edit_iso(u_char *p, size_t len);
static ngx_int_t ngx_http_news_edit_tags(ngx_http_news_edit_ctx_t *ctx,
    json_t *value, ngx_str_t *out);
static ngx_int_t ngx_http_news_edit_authors(ngx_http_news_edit_ctx_t *ctx,
    json_t *value, ngx_str_t *out);
static ngx_int_t ngx_http_news_edit_author(ngx_http_news_edit_ctx_t *ctx,
    json_t *author, size_t i);
static ngx_int_t ngx_http_news_edit_custom(ngx_http_news_edit_ctx_t *ctx,
    json_t *value);
static ngx_int_t ngx_http_news_edit_add(ngx_http_news_edit_ctx_t *ctx,
    ngx_str_t *name, ngx_str_t *value);
static ngx_int_t ngx_http_news_edit_refuse(ngx_http_news_edit_ctx_t *ctx,
    char *error, const char *format, ...);
static ngx_int_t ngx_http_news_edit_syntax(json_error_t *jerr,
    ngx_pool_t *pool, ngx_http_news_edit_error_t *err);
static ngx_http_news_edit_spec_t *ngx_http_news_edit_spec(u_char *name,
    size_t len);
static ngx_uint_t ngx_http_news_edit_blank(const char *s, size_t len);
static json_t *ngx_http_news_edit_show(ngx_http_news_edit_spec_t *spec,
    ngx_str_t *value);
static json_t *ngx_http_news_edit_show_tags(ngx_str_t *value);
static json_t *ngx_http_news_edit_show_number(ngx_str_t *value);
static ngx_int_t ngx_http_news_edit_utf8(ngx_str_t *s, ngx_pool_t *pool,
    ngx_str_t *out);


/*
 * The fields of docs/data-model.md an editor may write, and the names
 * the module keeps itself: those are accepted and ignored, so that what
 * a GET shows can be sent back as it is.
 */

static ngx_http_news_edit_spec_t  ngx_http_news_edit_specs[] = {
    { ngx_string("title"), NGX_HTTP_NEWS_EDIT_TITLE },
    { ngx_string("author"), NGX_HTTP_NEWS_EDIT_TEXT },
    { ngx_string("published_at"), NGX_HTTP_NEWS_EDIT_DATE },
    { ngx_string("updated_at"), NGX_HTTP_NEWS_EDIT_DATE },
    { ngx_string("summary"), NGX_HTTP_NEWS_EDIT_TEXT },
    { ngx_string("body"), NGX_HTTP_NEWS_EDIT_TEXT },
    { ngx_string("image"), NGX_HTTP_NEWS_EDIT_URL },
    { ngx_string("image_alt"), NGX_HTTP_NEWS_EDIT_TEXT },
    { ngx_string("image_credit"), NGX_HTTP_NEWS_EDIT_TEXT },
    { ngx_string("category"), NGX_HTTP_NEWS_EDIT_TEXT },
    { ngx_string("tags"), NGX_HTTP_NEWS_EDIT_TAGS },
    { ngx_string("status"), NGX_HTTP_NEWS_EDIT_STATUS },
    { ngx_string("seo_title"), NGX_HTTP_NEWS_EDIT_TEXT },
    { ngx_string("authors"), NGX_HTTP_NEWS_EDIT_AUTHORS },
    { ngx_string("image_width"), NGX_HTTP_NEWS_EDIT_SIZE },
    { ngx_string("image_height"), NGX_HTTP_NEWS_EDIT_SIZE },
    { ngx_string("image_srcset"), NGX_HTTP_NEWS_EDIT_TEXT },
    { ngx_string("custom"), NGX_HTTP_NEWS_EDIT_CUSTOM },
    { ngx_string("slug"), NGX_HTTP_NEWS_EDIT_SLUG },
    { ngx_string("views"), NGX_HTTP_NEWS_EDIT_READ_ONLY },
    { ngx_string("rev"), NGX_HTTP_NEWS_EDIT_READ_ONLY },
    { ngx_string("published_ts"), NGX_HTTP_NEWS_EDIT_READ_ONLY },
    { ngx_null_string, 0 }
};


/* [a-z0-9-], 1 to 200 bytes: safe in a key, a URL and a log line */

ngx_int_t
ngx_http_news_edit_slug(ngx_str_t *slug)
{
    size_t  i;

    if (slug->len == 0 || slug->len > NGX_HTTP_NEWS_SLUG_MAX) {
        return NGX_DECLINED;
    }

    for (i = 0; i < slug->len; i++) {
        if (!((slug->data[i] >= 'a' && slug->data[i] <= 'z')
              || (slug->data[i] >= '0' && slug->data[i] <= '9')
              || slug->data[i] == '-'))
        {
            return NGX_DECLINED;
        }
    }

    return NGX_OK;
}


/*
 * The body of a PUT (replace) or PATCH as the write script's fields: a
 * JSON array of names, each followed by its value as the hash keeps it
 * (a string) or null to remove the field.  NGX_DECLINED with err set
 * when the edit is refused; NGX_ERROR when memory ran out.
 */

ngx_int_t
ngx_http_news_edit_parse(ngx_str_t *body, ngx_uint_t replace,
    ngx_str_t *slug, ngx_pool_t *pool, ngx_str_t *fields,
    ngx_http_news_edit_error_t *err)
{
    json_t                     *root, *value;
    ngx_int_t                   rc;
    ngx_uint_t                  title;
    const char                 *key;
    json_error_t                jerr;
    ngx_http_news_edit_ctx_t    ctx;
    ngx_http_news_edit_spec_t  *spec;

    ngx_str_null(&err->field);

    if (body->len == 0) {
        ngx_str_set(&err->error, "the body is empty: a JSON object is "
                                 "expected");
        return NGX_DECLINED;
    }

    /* jansson refuses invalid UTF-8, \u0000 and nesting over 2048 deep */

    root = json_loadb((const char *) body->data, body->len,
                      JSON_REJECT_DUPLICATES, &jerr);

    if (root == NULL) {
        return ngx_http_news_edit_syntax(&jerr, pool, err);
    }

    ctx.fields = NULL;
    ctx.replace = replace;
    ctx.slug = slug;
    ctx.pool = pool;
    ctx.err = err;

    if (!json_is_object(root)) {
        rc = ngx_http_news_edit_refuse(&ctx, "the body must be a JSON "
                                       "object", NULL);
        goto done;
    }

    ctx.fields = json_array();
    if (ctx.fields == NULL) {
        rc = NGX_ERROR;
        goto done;
    }

    title = 0;

    json_object_foreach(root, key, value) {

        spec = ngx_http_news_edit_spec((u_char *) key, ngx_strlen(key));

        if (spec == NULL) {
            rc = ngx_http_news_edit_refuse(&ctx, "unknown field (custom "
                                           "fields go into \"custom\")",
                                           "%s", key);
            goto done;
        }

        rc = ngx_http_news_edit_field(&ctx, spec, value);
        if (rc != NGX_OK) {
            goto done;
        }

        if (spec->type == NGX_HTTP_NEWS_EDIT_TITLE && !json_is_null(value)) {
            title = 1;
        }
    }

    if (replace && !title) {
        rc = ngx_http_news_edit_refuse(&ctx, "the title is required",
                                       "title");
        goto done;
    }

    rc = ngx_http_news_json_dump(ctx.fields, NGX_HTTP_NEWS_EDIT_JSON_SIZE,
                                 pool, fields);

done:

    json_decref(ctx.fields);
    json_decref(root);

    return rc;
}


static ngx_int_t
ngx_http_news_edit_field(ngx_http_news_edit_ctx_t *ctx,
    ngx_http_news_edit_spec_t *spec, json_t *value)
{
    ngx_str_t  v;
    ngx_int_t  rc;

    switch (spec->type) {

    case NGX_HTTP_NEWS_EDIT_READ_ONLY:
        return NGX_OK;

    case NGX_HTTP_NEWS_EDIT_SLUG:

        if (json_is_string(value)
            && json_string_length(value) == ctx->slug->len
            && ngx_strncmp(json_string_value(value), ctx->slug->data,
                           ctx->slug->len)
               == 0)
        {
            return NGX_OK;
        }

        return ngx_http_news_edit_refuse(ctx, "the slug is the one in the "
                                         "URL and cannot be changed",
                                         "slug");

    case NGX_HTTP_NEWS_EDIT_CUSTOM:
        return ngx_http_news_edit_custom(ctx, value);

    default:
        break;
    }

    if (json_is_null(value)) {

        if (ctx->replace) {
            /* a PUT writes the whole article: null is no field */
            return NGX_OK;
        }

        if (spec->type == NGX_HTTP_NEWS_EDIT_TITLE) {
            return ngx_http_news_edit_refuse(ctx, "the title cannot be "
                                             "removed", "title");
        }

        return ngx_http_news_edit_add(ctx, &spec->name, NULL);
    }

    rc = ngx_http_news_edit_value(ctx, spec, value, &v);
    if (rc != NGX_OK) {
        return rc;
    }

    return ngx_http_news_edit_add(ctx, &spec->name, &v);
}


/* a field's value as the hash keeps it */

static ngx_int_t
ngx_http_news_edit_value(ngx_http_news_edit_ctx_t *ctx,
    ngx_http_news_edit_spec_t *spec, json_t *value, ngx_str_t *out)
{
    u_char      *p;
    ngx_int_t    rc;
    json_int_t   n;

    switch (spec->type) {

    case NGX_HTTP_NEWS_EDIT_TAGS:
        return ngx_http_news_edit_tags(ctx, value, out);

    case NGX_HTTP_NEWS_EDIT_AUTHORS:
        return ngx_http_news_edit_authors(ctx, value, out);

    case NGX_HTTP_NEWS_EDIT_DATE:
        rc = ngx_http_news_edit_date(value, ctx->pool, out);

        if (rc == NGX_DECLINED) {
            return ngx_http_news_edit_refuse(ctx, "a date is ISO 8601 UTC "
                                             "(\"2025-11-04T09:30:00Z\") or "
                                             "Unix seconds (1762248600)",
                                             "%V", &spec->name);
        }

        return rc;

    case NGX_HTTP_NEWS_EDIT_SIZE:
        n = json_is_integer(value) ? json_integer_value(value) : 0;

        if (n < 1 || n > NGX_HTTP_NEWS_EDIT_SIZE_MAX) {
            return ngx_http_news_edit_refuse(ctx, "must be an integer from "
                                             "1 to 100000", "%V",
                                             &spec->name);
        }

        p = ngx_pnalloc(ctx->pool, NGX_INT64_LEN);
        if (p == NULL) {
            return NGX_ERROR;
        }

        out->data = p;
        out->len = ngx_sprintf(p, "%L", (int64_t) n) - p;

        return NGX_OK;

    default:
        break;
    }

    /* the rest are strings */

    if (!json_is_string(value)) {
        return ngx_http_news_edit_refuse(ctx, "must be a string", "%V",
                                         &spec->name);
    }

    out->data = (u_char *) json_string_value(value);
    out->len = json_string_length(value);

    switch (spec->type) {

    case NGX_HTTP_NEWS_EDIT_TITLE:

        if (ngx_http_news_edit_blank((char *) out->data, out->len)) {
            return ngx_http_news_edit_refuse(ctx, "the title must not be "
                                             "empty", "title");
        }

        break;

    case NGX_HTTP_NEWS_EDIT_URL:

        if (!ngx_http_news_safe_url(out->data, out->len)) {
            return ngx_http_news_edit_refuse(ctx, "must be an http or https "
                                             "URL, or a relative one", "%V",
                                             &spec->name);
        }

        break;

    case NGX_HTTP_NEWS_EDIT_STATUS:

        if (!(out->len == sizeof("published") - 1
              && ngx_strncmp(out->data, "published", out->len) == 0)
            && !(out->len == sizeof("draft") - 1
                 && ngx_strncmp(out->data, "draft", out->len) == 0))
        {
            return ngx_http_news_edit_refuse(ctx, "the status is "
                                             "\"published\" or \"draft\"",
                                             "status");
        }

        break;

    default: /* NGX_HTTP_NEWS_EDIT_TEXT */
        break;
    }

    /* the value dies with the document: the caller copies it at once */

    return NGX_OK;
}


/*
 * Kept as given (Unix seconds as their digits): pages read both forms.
 * NGX_DECLINED for anything else, or a time before 1970 or after 9999.
 */

static ngx_int_t
ngx_http_news_edit_date(json_t *value, ngx_pool_t *pool, ngx_str_t *out)
{
    u_char      *p;
    size_t       i, len;
    json_int_t   t;

    if (json_is_integer(value)) {
        t = json_integer_value(value);

        if (t < 0 || t > NGX_HTTP_NEWS_EDIT_TIME_MAX) {
            return NGX_DECLINED;
        }

        p = ngx_pnalloc(pool, NGX_INT64_LEN);
        if (p == NULL) {
            return NGX_ERROR;
        }

        out->data = p;
        out->len = ngx_sprintf(p, "%L", (int64_t) t) - p;

        return NGX_OK;
    }

    if (!json_is_string(value)) {
        return NGX_DECLINED;
    }

    p = (u_char *) json_string_value(value);
    len = json_string_length(value);

    out->data = p;
    out->len = len;

    for (i = 0; i < len; i++) {
        if (p[i] < '0' || p[i] > '9') {
            break;
        }
    }

    if (i == len) {
        /* digits: Unix seconds, at most 12 of them (the year 9999) */

        if (len == 0 || len > 12
            || ngx_atotm(p, len) > (time_t) NGX_HTTP_NEWS_EDIT_TIME_MAX)
        {
            return NGX_DECLINED;
        }

        return NGX_OK;
    }

    return ngx_http_news_edit_iso(p, len);
}


/* exactly "YYYY-MM-DDTHH:MM:SSZ", a day that exists, 1970 or later */

static ngx_int_t
ngx_http_news_edit_iso(u_char *p, size_t len)
{
    size_t      i;
    ngx_int_t   y, m, d, days;

    static u_char  format[] = "dddd-dd-ddTdd:dd:ddZ";
    static int     month_days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
                                    30, 31 };

    if (len != sizeof(format) - 1) {
        return NGX_DECLINED;
    }

    for (i = 0; i < len; i++) {
        if (format[i] == 'd') {
            if (p[i] < '0' || p[i] > '9') {
                return NGX_DECLINED;
            }

        } else if (p[i] != format[i]) {
            return NGX_DECLINED;
        }
    }

    y = ngx_atoi(p, 4);
    m = ngx_atoi(p + 5, 2);
    d = ngx_atoi(p + 8, 2);

    if (y < 1970 || m < 1 || m > 12 || d < 1
        || ngx_atoi(p + 11, 2) > 23 || ngx_atoi(p + 14, 2) > 59
        || ngx_atoi(p + 17, 2) > 59)
    {
        return NGX_DECLINED;
    }

    days = month_days[m - 1];

    if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) {
        days = 29;
    }

    return (d <= days) ? NGX_OK : NGX_DECLINED;
}


/* a JSON array of strings, none blank, kept as JSON (pages read it) */

static ngx_int_t
ngx_http_news_edit_tags(ngx_http_news_edit_ctx_t *ctx, json_t *value,
    ngx_str_t *out)
{
    size_t   i;
    json_t  *tag;

    if (!json_is_array(value)) {
        return ngx_http_news_edit_refuse(ctx, "the tags are an array of "
                                         "strings", "tags");
    }

    if (json_array_size(value) > NGX_HTTP_NEWS_EDIT_LIST_MAX) {
        return ngx_http_news_edit_refuse(ctx, "at most 100 tags", "tags");
    }

    json_array_foreach(value, i, tag) {
        if (!json_is_string(tag)) {
            return ngx_http_news_edit_refuse(ctx, "a tag is a string",
                                             "tags[%uz]", i);
        }

        if (ngx_http_news_edit_blank(json_string_value(tag),
                                     json_string_length(tag)))
        {
            return ngx_http_news_edit_refuse(ctx, "a tag must not be empty",
                                             "tags[%uz]", i);
        }
    }

    return ngx_http_news_json_dump(value, NGX_HTTP_NEWS_EDIT_JSON_SIZE,
                                   ctx->pool, out);
}


/* an array of {"name": "...", "url": "..."}, the name required */

static ngx_int_t
ngx_http_news_edit_authors(ngx_http_news_edit_ctx_t *ctx, json_t *value,
    ngx_str_t *out)
{
    size_t     i;
    json_t    *author;
    ngx_int_t  rc;

    if (!json_is_array(value)) {
        return ngx_http_news_edit_refuse(ctx, "the authors are an array of "
                                         "objects with a name and a url",
                                         "authors");
    }

    if (json_array_size(value) > NGX_HTTP_NEWS_EDIT_LIST_MAX) {
        return ngx_http_news_edit_refuse(ctx, "at most 100 authors",
                                         "authors");
    }

    json_array_foreach(value, i, author) {
        rc = ngx_http_news_edit_author(ctx, author, i);
        if (rc != NGX_OK) {
            return rc;
        }
    }

    return ngx_http_news_json_dump(value, NGX_HTTP_NEWS_EDIT_JSON_SIZE,
                                   ctx->pool, out);
}


static ngx_int_t
ngx_http_news_edit_author(ngx_http_news_edit_ctx_t *ctx, json_t *author,
    size_t i)
{
    json_t      *v;
    ngx_uint_t   named;
    const char  *key;

    if (!json_is_object(author)) {
        return ngx_http_news_edit_refuse(ctx, "an author is an object with "
                                         "a name and a url", "authors[%uz]",
                                         i);
    }

    named = 0;

    json_object_foreach(author, key, v) {

        if (ngx_strcmp(key, "name") == 0) {
            if (!json_is_string(v)
                || ngx_http_news_edit_blank(json_string_value(v),
                                            json_string_length(v)))
            {
                return ngx_http_news_edit_refuse(ctx, "the name is a string "
                                                 "that is not empty",
                                                 "authors[%uz].name", i);
            }

            named = 1;

        } else if (ngx_strcmp(key, "url") == 0) {
            if (!json_is_string(v)
                || !ngx_http_news_safe_url((u_char *) json_string_value(v),
                                           json_string_length(v)))
            {
                return ngx_http_news_edit_refuse(ctx, "must be an http or "
                                                 "https URL, or a relative "
                                                 "one", "authors[%uz].url",
                                                 i);
            }

        } else {
            return ngx_http_news_edit_refuse(ctx, "unknown field (an author "
                                             "has a name and a url)",
                                             "authors[%uz].%s", i, key);
        }
    }

    if (!named) {
        return ngx_http_news_edit_refuse(ctx, "an author needs a name",
                                         "authors[%uz].name", i);
    }

    return NGX_OK;
}


/*
 * "custom": {"name": "value", ...}: fields of the newsroom's own, stored
 * as hash fields of their names, which templates and news_format json
 * see like any other.  Names are [a-z0-9_], 1 to 64 bytes, and none the
 * module knows; values strings, or null to remove one.
 */

static ngx_int_t
ngx_http_news_edit_custom(ngx_http_news_edit_ctx_t *ctx, json_t *value)
{
    size_t       i, len;
    json_t      *v;
    ngx_str_t    name, s;
    const char  *key;

    if (json_is_null(value)) {
        return ngx_http_news_edit_refuse(ctx, "custom fields are removed "
                                         "one by one: {\"custom\": "
                                         "{\"name\": null}}", "custom");
    }

    if (!json_is_object(value)) {
        return ngx_http_news_edit_refuse(ctx, "custom fields are an object "
                                         "of strings", "custom");
    }

    if (json_object_size(value) > NGX_HTTP_NEWS_EDIT_LIST_MAX) {
        return ngx_http_news_edit_refuse(ctx, "at most 100 custom fields",
                                         "custom");
    }

    json_object_foreach(value, key, v) {

        len = ngx_strlen(key);

        for (i = 0; i < len; i++) {
            if (!((key[i] >= 'a' && key[i] <= 'z')
                  || (key[i] >= '0' && key[i] <= '9') || key[i] == '_'))
            {
                break;
            }
        }

        if (len == 0 || len > NGX_HTTP_NEWS_EDIT_NAME_MAX || i < len
            || ngx_http_news_edit_spec((u_char *) key, len) != NULL)
        {
            return ngx_http_news_edit_refuse(ctx, "a custom field's name is "
                                             "[a-z0-9_], 1 to 64 bytes, and "
                                             "not that of a known field",
                                             "custom.%s", key);
        }

        name.data = (u_char *) key;
        name.len = len;

        if (json_is_null(v)) {
            if (ctx->replace) {
                continue;
            }

            if (ngx_http_news_edit_add(ctx, &name, NULL) != NGX_OK) {
                return NGX_ERROR;
            }

            continue;
        }

        if (!json_is_string(v)) {
            return ngx_http_news_edit_refuse(ctx, "a custom field is a "
                                             "string", "custom.%s", key);
        }

        s.data = (u_char *) json_string_value(v);
        s.len = json_string_length(v);

        if (ngx_http_news_edit_add(ctx, &name, &s) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/* name and value (NULL: remove) at the end of the script's fields */

static ngx_int_t
ngx_http_news_edit_add(ngx_http_news_edit_ctx_t *ctx, ngx_str_t *name,
    ngx_str_t *value)
{
    json_t  *v;

    /* both came from jansson or from us: valid UTF-8 already */

    if (json_array_append_new(ctx->fields,
                              json_stringn_nocheck((char *) name->data,
                                                   name->len))
        != 0)
    {
        return NGX_ERROR;
    }

    if (value == NULL) {
        v = json_null();

    } else {
        v = json_stringn_nocheck((char *) value->data, value->len);
    }

    return json_array_append_new(ctx->fields, v) == 0 ? NGX_OK : NGX_ERROR;
}


/*
 * Refuses the edit: the error and, when format is not NULL, the field
 * it names, made of format (ngx_sprintf's) and the arguments.
 */

static ngx_int_t
ngx_http_news_edit_refuse(ngx_http_news_edit_ctx_t *ctx, char *error,
    const char *format, ...)
{
    u_char   *p;
    size_t    size;
    va_list   args;

    ctx->err->error.data = (u_char *) error;
    ctx->err->error.len = ngx_strlen(error);

    ngx_str_null(&ctx->err->field);

    if (format == NULL) {
        return NGX_DECLINED;
    }

    /* a name and an index; a name an editor sent is cut at about 256 */

    size = ngx_strlen(format) + 256 + NGX_SIZE_T_LEN;

    p = ngx_pnalloc(ctx->pool, size);
    if (p == NULL) {
        return NGX_ERROR;
    }

    va_start(args, format);
    ctx->err->field.len = ngx_vslprintf(p, p + size, format, args) - p;
    va_end(args);

    ctx->err->field.data = p;

    return NGX_DECLINED;
}


static ngx_int_t
ngx_http_news_edit_syntax(json_error_t *jerr, ngx_pool_t *pool,
    ngx_http_news_edit_error_t *err)
{
    u_char     *p;
    ngx_str_t   text;

    text.data = (u_char *) jerr->text;
    text.len = ngx_strlen(jerr->text);

    /* jansson quotes what it could not read, which may be any bytes */

    if (ngx_http_news_edit_utf8(&text, pool, &text) != NGX_OK) {
        return NGX_ERROR;
    }

    p = ngx_pnalloc(pool, sizeof("the body is not JSON:  (line , column )")
                          + text.len + 2 * NGX_INT_T_LEN);
    if (p == NULL) {
        return NGX_ERROR;
    }

    err->error.data = p;
    err->error.len = ngx_sprintf(p, "the body is not JSON: %V (line %d, "
                                 "column %d)", &text, jerr->line,
                                 jerr->column)
                     - p;

    ngx_str_null(&err->field);

    return NGX_DECLINED;
}


static ngx_http_news_edit_spec_t *
ngx_http_news_edit_spec(u_char *name, size_t len)
{
    ngx_http_news_edit_spec_t  *spec;

    for (spec = ngx_http_news_edit_specs; spec->name.len; spec++) {
        if (spec->name.len == len
            && ngx_strncmp(spec->name.data, name, len) == 0)
        {
            return spec;
        }
    }

    return NULL;
}


static ngx_uint_t
ngx_http_news_edit_blank(const char *s, size_t len)
{
    size_t  i;

    for (i = 0; i < len; i++) {
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n') {
            return 0;
        }
    }

    return 1;
}


/*
 * The article as the API shows it: "slug", then the fields the module
 * knows in the order of docs/data-model.md (a large hash keeps no order),
 * typed as an editor sends them ("tags" and "authors" arrays,
 * "image_width", "image_height", "views" and "published_ts" numbers) when
 * the stored value reads so, else as stored; then "custom", the others,
 * in the hash's order.  Invalid UTF-8 (a value written by hand) shows as
 * U+FFFD.
 */

ngx_int_t
ngx_http_news_edit_article(ngx_http_news_article_t *a, ngx_str_t *slug,
    ngx_pool_t *pool, ngx_str_t *out)
{
    json_t                     *obj, *custom, *v;
    ngx_int_t                   rc;
    ngx_str_t                   value, name, *pname;
    ngx_uint_t                  i;
    ngx_http_news_edit_spec_t  *spec;

    obj = json_object();
    custom = json_object();

    rc = NGX_ERROR;

    if (obj == NULL || custom == NULL
        || json_object_set_new_nocheck(obj, "slug",
                                       json_stringn_nocheck(
                                           (char *) slug->data, slug->len))
           != 0)
    {
        goto done;
    }

    for (spec = ngx_http_news_edit_specs; spec->name.len; spec++) {

        if (spec->type == NGX_HTTP_NEWS_EDIT_CUSTOM
            || spec->type == NGX_HTTP_NEWS_EDIT_SLUG)
        {
            continue;
        }

        for (i = 0; i < a->npairs; i++) {
            pname = &a->pairs[i].name;

            if (pname->len == spec->name.len
                && ngx_strncmp(pname->data, spec->name.data, pname->len)
                   == 0)
            {
                break;
            }
        }

        if (i == a->npairs) {
            continue;
        }

        if (ngx_http_news_edit_utf8(&a->pairs[i].value, pool, &value)
            != NGX_OK)
        {
            goto done;
        }

        v = ngx_http_news_edit_show(spec, &value);

        if (v == NULL
            || json_object_set_new_nocheck(obj, (char *) spec->name.data, v)
               != 0)
        {
            goto done;
        }
    }

    for (i = 0; i < a->npairs; i++) {

        spec = ngx_http_news_edit_spec(a->pairs[i].name.data,
                                       a->pairs[i].name.len);

        if (spec != NULL && spec->type != NGX_HTTP_NEWS_EDIT_CUSTOM
            && spec->type != NGX_HTTP_NEWS_EDIT_SLUG)
        {
            continue;
        }

        if (ngx_http_news_edit_utf8(&a->pairs[i].name, pool, &name) != NGX_OK
            || ngx_http_news_edit_utf8(&a->pairs[i].value, pool, &value)
               != NGX_OK)
        {
            goto done;
        }

        v = json_stringn_nocheck((char *) value.data, value.len);

        if (v == NULL
            || json_object_setn_new_nocheck(custom, (char *) name.data,
                                            name.len, v)
               != 0)
        {
            goto done;
        }
    }

    if (json_object_size(custom)) {
        if (json_object_set_nocheck(obj, "custom", custom) != 0) {
            goto done;
        }
    }

    rc = ngx_http_news_json_dump(obj, NGX_HTTP_NEWS_EDIT_JSON_SIZE, pool,
                                 out);

done:

    json_decref(custom);
    json_decref(obj);

    return rc;
}


/* {"error": "...", "field": "..."}, the field left out when there is none */

ngx_int_t
ngx_http_news_edit_error(ngx_http_news_edit_error_t *err, ngx_pool_t *pool,
    ngx_str_t *out)
{
    json_t     *obj;
    ngx_int_t   rc;
    ngx_str_t   error, field;

    /* a name cut short may end inside a character */

    if (ngx_http_news_edit_utf8(&err->error, pool, &error) != NGX_OK
        || ngx_http_news_edit_utf8(&err->field, pool, &field) != NGX_OK)
    {
        return NGX_ERROR;
    }

    obj = json_object();
    if (obj == NULL) {
        return NGX_ERROR;
    }

    rc = NGX_ERROR;

    if (json_object_set_new_nocheck(obj, "error",
                                    json_stringn_nocheck((char *) error.data,
                                                         error.len))
        != 0)
    {
        goto done;
    }

    if (field.len
        && json_object_set_new_nocheck(obj, "field",
                                       json_stringn_nocheck(
                                           (char *) field.data, field.len))
           != 0)
    {
        goto done;
    }

    rc = ngx_http_news_json_dump(obj, NGX_HTTP_NEWS_EDIT_JSON_SIZE, pool,
                                 out);

done:

    json_decref(obj);

    return rc;
}


static json_t *
ngx_http_news_edit_show(ngx_http_news_edit_spec_t *spec, ngx_str_t *value)
{
    json_t        *v;
    json_error_t   jerr;

    switch (spec->type) {

    case NGX_HTTP_NEWS_EDIT_TAGS:
        return ngx_http_news_edit_show_tags(value);

    case NGX_HTTP_NEWS_EDIT_AUTHORS:
        v = json_loadb((char *) value->data, value->len, 0, &jerr);

        if (v != NULL && json_is_array(v)) {
            return v;
        }

        json_decref(v);
        break;

    case NGX_HTTP_NEWS_EDIT_SIZE:
        return ngx_http_news_edit_show_number(value);

    case NGX_HTTP_NEWS_EDIT_READ_ONLY:

        if (spec->name.len != sizeof("rev") - 1) {
            /* views, published_ts */
            return ngx_http_news_edit_show_number(value);
        }

        break;

    default:
        break;
    }

    return json_stringn_nocheck((char *) value->data, value->len);
}


/* stored as a JSON array, or by hand as a comma-separated list */

static json_t *
ngx_http_news_edit_show_tags(ngx_str_t *value)
{
    u_char        *p, *last, *comma, *end;
    size_t         i;
    json_t        *arr, *list, *tag;
    json_error_t   jerr;

    arr = json_array();
    if (arr == NULL) {
        return NULL;
    }

    list = json_loadb((char *) value->data, value->len, 0, &jerr);

    if (list != NULL && json_is_array(list)) {
        json_array_foreach(list, i, tag) {
            if (json_is_string(tag) && json_array_append(arr, tag) != 0) {
                goto failed;
            }
        }

        json_decref(list);
        return arr;
    }

    json_decref(list);
    list = NULL;

    p = value->data;
    last = p + value->len;

    while (p < last) {
        comma = ngx_strlchr(p, last, ',');
        if (comma == NULL) {
            comma = last;
        }

        end = comma;

        while (p < end && (*p == ' ' || *p == '\t')) {
            p++;
        }

        while (end > p && (end[-1] == ' ' || end[-1] == '\t')) {
            end--;
        }

        if (end > p
            && json_array_append_new(arr, json_stringn_nocheck((char *) p,
                                                               end - p))
               != 0)
        {
            goto failed;
        }

        p = comma + 1;
    }

    return arr;

failed:

    json_decref(list);
    json_decref(arr);

    return NULL;
}


/* an integer when the value is one (no sign, up to 18 digits) */

static json_t *
ngx_http_news_edit_show_number(ngx_str_t *value)
{
    int64_t  n;
    size_t   i;

    if (value->len == 0 || value->len > 18
        || (value->data[0] == '0' && value->len > 1))
    {
        goto text;
    }

    n = 0;

    for (i = 0; i < value->len; i++) {
        if (value->data[i] < '0' || value->data[i] > '9') {
            goto text;
        }

        n = n * 10 + (value->data[i] - '0');
    }

    return json_integer((json_int_t) n);

text:

    return json_stringn_nocheck((char *) value->data, value->len);
}


static ngx_int_t
ngx_http_news_edit_utf8(ngx_str_t *s, ngx_pool_t *pool, ngx_str_t *out)
{
    size_t   bad;
    u_char  *p;

    bad = ngx_http_news_json_fix_utf8(NULL, s->data, s->len);

    if (bad == 0) {
        *out = *s;
        return NGX_OK;
    }

    /* each bad byte grows to the 3 of U+FFFD */

    p = ngx_pnalloc(pool, s->len + 2 * bad);
    if (p == NULL) {
        return NGX_ERROR;
    }

    out->len = ngx_http_news_json_fix_utf8(p, s->data, s->len);
    out->data = p;

    return NGX_OK;
}
