
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 *
 * (h) Redis Sentinel: what sentinels tell a worker.  The input is RESP,
 * as a sentinel would send it; hiredis' reader (as the module uses it)
 * turns it into replies, and each reply, and each element of an array
 * (nested ones too), is read as the module reads them: as the answer to
 * SENTINEL get-master-addr-by-name (ngx_http_news_redis_sentinel_
 * address()), and as a subscription's message, a switch (+switch-master,
 * ngx_http_news_redis_sentinel_switch()) or a failover about to promote
 * a replica (+failover-state-send-slaveof-noone, ngx_http_news_redis_
 * sentinel_failing_over()).  Checks: no memory error; NGX_OK, NGX_DECLINED
 * or NGX_ERROR only; an address read has a host within the reply and a
 * port 1..65535 that is what the reply says; a switch's master and host
 * are words of its text and its text is made again from them; nil is
 * NGX_DECLINED for an address, any message on another channel
 * NGX_DECLINED for a switch; a failover's master is the word after
 * " @ " in its text.
 */


#include "fuzz_common.h"

#include <hiredis/hiredis.h>

#include "ngx_http_news_redis_sentinel.h"


/* see fuzz_reply.c: arrays bounded, as libFuzzer's malloc limit would */
#define FUZZ_MAX_ARRAY  (1 << 20)
/* nested arrays read at most this deep */
#define FUZZ_MAX_DEPTH  8


static void *fuzz_create_array_bounded(const redisReadTask *task,
    int elements);
static void fuzz_reply(redisReply *reply, ngx_uint_t depth);
static void fuzz_address(redisReply *reply);
static void fuzz_switch(redisReply *reply);
static void fuzz_failing_over(redisReply *reply);
static ngx_uint_t fuzz_within(ngx_str_t *s, redisReply *r);
static ngx_uint_t fuzz_message(redisReply *reply, const char *channel);


static redisReplyObjectFunctions   fuzz_reply_fns;
static void *(*fuzz_create_array)(const redisReadTask *task, int elements);


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    redisReader  *reader;

    fuzz_init();

    reader = redisReaderCreate();
    if (reader == NULL) {
        fuzz_fail("redisReaderCreate() failed");
    }

    fuzz_reply_fns = *reader->fn;
    fuzz_create_array = fuzz_reply_fns.createArray;
    fuzz_reply_fns.createArray = fuzz_create_array_bounded;

    redisReaderFree(reader);

    return 0;
}


static void *
fuzz_create_array_bounded(const redisReadTask *task, int elements)
{
    if (elements > FUZZ_MAX_ARRAY) {
        return NULL;
    }

    return fuzz_create_array(task, elements);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    void         *reply;
    redisReader  *reader;

    reader = redisReaderCreate();
    if (reader == NULL) {
        fuzz_fail("redisReaderCreate() failed");
    }

    reader->fn = &fuzz_reply_fns;

    if (redisReaderFeed(reader, (const char *) data, size) == REDIS_OK) {

        /* every complete reply, as pipelined replies and messages come */

        for ( ;; ) {
            reply = NULL;

            if (redisReaderGetReply(reader, &reply) != REDIS_OK
                || reply == NULL)
            {
                break;
            }

            fuzz_reply(reply, 0);

            freeReplyObject(reply);
        }
    }

    redisReaderFree(reader);

    return 0;
}


static void
fuzz_reply(redisReply *reply, ngx_uint_t depth)
{
    size_t  i;

    fuzz_address(reply);
    fuzz_switch(reply);
    fuzz_failing_over(reply);

    if (reply->type != REDIS_REPLY_ARRAY || depth == FUZZ_MAX_DEPTH) {
        return;
    }

    for (i = 0; i < reply->elements; i++) {
        fuzz_reply(reply->element[i], depth + 1);
    }
}


static void
fuzz_address(redisReply *reply)
{
    ngx_int_t                      rc, port;
    redisReply                    *p;
    ngx_http_news_redis_primary_t  primary;

    rc = ngx_http_news_redis_sentinel_address(reply, &primary);

    if (reply->type == REDIS_REPLY_NIL && rc != NGX_DECLINED) {
        fuzz_fail("address: nil read as %d", (int) rc);
    }

    if (rc == NGX_DECLINED || rc == NGX_ERROR) {
        return;
    }

    if (rc != NGX_OK) {
        fuzz_fail("address: returned %d", (int) rc);
    }

    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2) {
        fuzz_fail("address: read from a reply that is not [host, port]");
    }

    if (primary.host.len == 0
        || !fuzz_within(&primary.host, reply->element[0]))
    {
        fuzz_fail("address: the host is not the reply's");
    }

    p = reply->element[1];
    port = ngx_atoi((u_char *) p->str, p->len);

    if (primary.port == 0 || port != (ngx_int_t) primary.port) {
        fuzz_fail("address: port %d from \"%.*s\"", (int) primary.port,
                  (int) ngx_min(p->len, 32), p->str);
    }
}


static void
fuzz_switch(redisReply *reply)
{
    u_char                         *text;
    size_t                          len;
    ngx_int_t                       rc;
    redisReply                     *t;
    ngx_http_news_redis_primary_t   primary;

    rc = ngx_http_news_redis_sentinel_switch(reply, &primary);

    if (rc == NGX_DECLINED) {
        return;
    }

    if (rc != NGX_OK && rc != NGX_ERROR) {
        fuzz_fail("switch: returned %d", (int) rc);
    }

    if (!fuzz_message(reply, "+switch-master")) {
        fuzz_fail("switch: read from another message (%d)", (int) rc);
    }

    if (rc == NGX_ERROR) {
        return;
    }

    t = reply->element[2];

    if (primary.master.len == 0 || primary.host.len == 0
        || primary.port == 0
        || !fuzz_within(&primary.master, t)
        || !fuzz_within(&primary.host, t)
        || ngx_strlchr(primary.master.data,
                       primary.master.data + primary.master.len, ' ')
        || ngx_strlchr(primary.host.data,
                       primary.host.data + primary.host.len, ' '))
    {
        fuzz_fail("switch: parts that are not words of its text");
    }

    /* the text begins with the master and ends with "<host> <port>" */

    text = (u_char *) t->str;
    len = t->len;

    if (primary.master.data != text
        || primary.host.data + primary.host.len + 1 > text + len
        || primary.host.data[primary.host.len] != ' '
        || ngx_atoi(primary.host.data + primary.host.len + 1,
                    text + len - primary.host.data - primary.host.len - 1)
           != (ngx_int_t) primary.port)
    {
        fuzz_fail("switch: \"%.*s\" is not \"%.*s ... %.*s %d\"",
                  (int) ngx_min(len, 128), text,
                  (int) primary.master.len, primary.master.data,
                  (int) primary.host.len, primary.host.data,
                  (int) primary.port);
    }
}


static void
fuzz_failing_over(redisReply *reply)
{
    u_char      *at;
    ngx_int_t    rc;
    ngx_str_t    master;
    redisReply  *t;

    rc = ngx_http_news_redis_sentinel_failing_over(reply, &master);

    if (rc == NGX_DECLINED) {
        return;
    }

    if (rc != NGX_OK && rc != NGX_ERROR) {
        fuzz_fail("failover: returned %d", (int) rc);
    }

    if (!fuzz_message(reply, "+failover-state-send-slaveof-noone")) {
        fuzz_fail("failover: read from another message (%d)", (int) rc);
    }

    if (rc == NGX_ERROR) {
        return;
    }

    t = reply->element[2];

    if (master.len == 0 || !fuzz_within(&master, t)
        || ngx_strlchr(master.data, master.data + master.len, ' '))
    {
        fuzz_fail("failover: a master that is not a word of its text");
    }

    if (master.data - (u_char *) t->str < 3) {
        fuzz_fail("failover: no \" @ \" before the master");
    }

    at = master.data - 3;

    if (ngx_strncmp(at, " @ ", 3) != 0
        || (master.data + master.len < (u_char *) t->str + t->len
            && master.data[master.len] != ' '))
    {
        fuzz_fail("failover: the master is not the word after \" @ \"");
    }
}


/* s lies within the string of r */

static ngx_uint_t
fuzz_within(ngx_str_t *s, redisReply *r)
{
    return (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS
            || r->type == REDIS_REPLY_ERROR)
           && s->data >= (u_char *) r->str
           && s->data + s->len <= (u_char *) r->str + r->len;
}


/* [message, <channel>, <anything>] */

static ngx_uint_t
fuzz_message(redisReply *reply, const char *channel)
{
    size_t  len;

    len = ngx_strlen(channel);

    return reply->type == REDIS_REPLY_ARRAY && reply->elements == 3
           && reply->element[0]->type == REDIS_REPLY_STRING
           && reply->element[0]->len == 7
           && ngx_strncmp(reply->element[0]->str, "message", 7) == 0
           && reply->element[1]->type == REDIS_REPLY_STRING
           && reply->element[1]->len == len
           && ngx_strncmp(reply->element[1]->str, channel, len) == 0;
}
