
/*
 * Copyright (C) ngx_news_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_news_article.h"


static ngx_int_t ngx_http_news_article_views(ngx_http_news_article_t *a,
    redisReply *views, ngx_str_t *reason);


/* indexed by ngx_http_news_field_e */

ngx_str_t  ngx_http_news_article_fields[] = {
    ngx_string("title"),
    ngx_string("author"),
    ngx_string("published_at"),
    ngx_string("updated_at"),
    ngx_string("summary"),
    ngx_string("body"),
    ngx_string("image"),
    ngx_string("image_alt"),
    ngx_string("image_credit"),
    ngx_string("category"),
    ngx_string("tags"),
    ngx_string("status"),
    ngx_null_string
};


/*
 * One atomic step per page view.  KEYS[1] is the article's hash, ARGV[1]
 * is "1" when this view counts.  HGETALL first, so a missing article is
 * never written to (HINCRBY would create it); a draft is neither shown
 * nor counted.  The reply is {views, {field, value, ...}}, views being
 * the post-increment count when counted, else the stored value.
 */

ngx_str_t  ngx_http_news_article_script = ngx_string(
    "local fields = redis.call('HGETALL', KEYS[1])\n"
    "if #fields == 0 then\n"
    "    return false\n"
    "end\n"
    "local views = false\n"
    "for i = 1, #fields, 2 do\n"
    "    local name = fields[i]\n"
    "    if name == 'status' and fields[i + 1] == 'draft' then\n"
    "        return 0\n"
    "    elseif name == 'views' then\n"
    "        views = fields[i + 1]\n"
    "    end\n"
    "end\n"
    "if ARGV[1] == '1' then\n"
    "    views = redis.call('HINCRBY', KEYS[1], 'views', 1)\n"
    "end\n"
    "return {views, fields}\n"
);


ngx_int_t
ngx_http_news_article_field(ngx_str_t *name)
{
    ngx_int_t  i;

    for (i = 0; i < NGX_HTTP_NEWS_NFIELDS; i++) {
        if (ngx_http_news_article_fields[i].len == name->len
            && ngx_strncmp(ngx_http_news_article_fields[i].data, name->data,
                           name->len)
               == 0)
        {
            return i;
        }
    }

    return NGX_ERROR;
}


ngx_int_t
ngx_http_news_article_from_reply(ngx_http_news_article_t *a,
    redisReply *reply, ngx_str_t *reason)
{
    size_t       i;
    ngx_int_t    id;
    ngx_str_t    name;
    redisReply  *fields, *k, *v;

    ngx_memzero(a, sizeof(ngx_http_news_article_t));

    if (reply->type == REDIS_REPLY_NIL) {
        ngx_str_set(reason, "no such article");
        return NGX_DECLINED;
    }

    if (reply->type == REDIS_REPLY_INTEGER) {
        ngx_str_set(reason, "article is a draft");
        return NGX_DECLINED;
    }

    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2
        || reply->element[1]->type != REDIS_REPLY_ARRAY
        || reply->element[1]->elements % 2)
    {
        ngx_str_set(reason, "unexpected reply from the article script");
        return NGX_ERROR;
    }

    if (ngx_http_news_article_views(a, reply->element[0], reason) != NGX_OK) {
        return NGX_ERROR;
    }

    fields = reply->element[1];

    for (i = 0; i < fields->elements; i += 2) {
        k = fields->element[i];
        v = fields->element[i + 1];

        if (k->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING) {
            ngx_str_set(reason, "unexpected field in the article reply");
            return NGX_ERROR;
        }

        name.len = k->len;
        name.data = (u_char *) k->str;

        id = ngx_http_news_article_field(&name);

        if (id != NGX_ERROR) {
            a->field[id].len = v->len;
            a->field[id].data = (u_char *) v->str;
        }
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_news_article_views(ngx_http_news_article_t *a, redisReply *views,
    ngx_str_t *reason)
{
    u_char     *p, *last;
    int64_t     n;
    ngx_uint_t  negative;

    switch (views->type) {

    case REDIS_REPLY_NIL:
        a->views = 0;
        return NGX_OK;

    case REDIS_REPLY_INTEGER:
        a->views = views->integer;
        return NGX_OK;

    case REDIS_REPLY_STRING:
        break;

    default:
        goto invalid;
    }

    /* the stored value, as Redis' HINCRBY would accept it */

    p = (u_char *) views->str;
    last = p + views->len;

    negative = (p < last && *p == '-');
    p += negative;

    if (p == last || (*p == '0' && last - p > 1)) {
        goto invalid;
    }

    for (n = 0; p < last; p++) {
        if (*p < '0' || *p > '9'
            || n > (INT64_MAX - (*p - '0')) / 10)
        {
            goto invalid;
        }

        n = n * 10 + (*p - '0');
    }

    a->views = negative ? -n : n;

    return NGX_OK;

invalid:

    ngx_str_set(reason, "the views field is not an integer");

    return NGX_ERROR;
}
