
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 *
 * (g) Redis Cluster: what a Cluster tells a worker, and keys' slots.
 * The input is RESP, as a node would send it; hiredis' reader (as the
 * module uses it) turns it into replies, and each is read as the module
 * reads them: as CLUSTER SLOTS' reply (ngx_http_news_redis_cluster_
 * ranges()) and, with every error it holds, as a redirection (MOVED,
 * ASK: ngx_http_news_redis_cluster_redirect()).  Checks: no memory
 * error; every range within the 16384 slots and in order, with a host
 * and a port; a redirection's slot, port and host within the error
 * text, and the text it was read from made again from its parts.  The
 * input as a key: its slot is the one a table-driven CRC16 (made here,
 * apart from the module's) gives for the key or its hash tag, and a
 * key made from it as the page makes a visitor's mark in a Cluster
 * ("{key}:seen:..." for a key without a tag, unless it has a "}",
 * which the handler refuses) is in the same slot.
 */


#include "fuzz_common.h"

#include <hiredis/hiredis.h>

#include "ngx_http_news_redis_cluster.h"


/* see fuzz_reply.c: arrays bounded, as libFuzzer's malloc limit would */
#define FUZZ_MAX_ARRAY  (1 << 20)


static void *fuzz_create_array_bounded(const redisReadTask *task,
    int elements);
static void fuzz_reply(redisReply *reply, ngx_uint_t depth);
static ngx_int_t fuzz_range(void *data, ngx_uint_t first, ngx_uint_t last,
    ngx_str_t *host, in_port_t port);
static void fuzz_redirect(redisReply *error);
static void fuzz_key(u_char *key, size_t len);
static ngx_uint_t fuzz_slot(u_char *key, size_t len);


static redisReplyObjectFunctions   fuzz_reply_fns;
static void *(*fuzz_create_array)(const redisReadTask *task, int elements);
static uint16_t                    fuzz_crc16[256];


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    uint16_t      crc;
    ngx_uint_t    i, bit;
    redisReader  *reader;

    fuzz_init();

    /* CRC16-CCITT (XMODEM), a byte at a time, from its polynomial */

    for (i = 0; i < 256; i++) {
        crc = (uint16_t) (i << 8);

        for (bit = 0; bit < 8; bit++) {
            crc = (crc & 0x8000) ? (uint16_t) ((crc << 1) ^ 0x1021)
                                 : (uint16_t) (crc << 1);
        }

        fuzz_crc16[i] = crc;
    }

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

    fuzz_key((u_char *) data, size);

    reader = redisReaderCreate();
    if (reader == NULL) {
        fuzz_fail("redisReaderCreate() failed");
    }

    reader->fn = &fuzz_reply_fns;

    if (redisReaderFeed(reader, (const char *) data, size) == REDIS_OK) {

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
    size_t      i;
    ngx_uint_t  last;

    last = 0;

    /* a reply that is not of CLUSTER SLOTS' shape is refused whole */

    (void) ngx_http_news_redis_cluster_ranges(reply, fuzz_range, &last);

    if (reply->type == REDIS_REPLY_ERROR) {
        fuzz_redirect(reply);
    }

    /* errors inside arrays: EXEC's replies hold them */

    if (reply->type == REDIS_REPLY_ARRAY && depth < 4) {
        for (i = 0; i < reply->elements; i++) {
            fuzz_reply(reply->element[i], depth + 1);
        }
    }
}


static ngx_int_t
fuzz_range(void *data, ngx_uint_t first, ngx_uint_t last, ngx_str_t *host,
    in_port_t port)
{
    if (first > last || last >= NGX_HTTP_NEWS_REDIS_SLOTS) {
        fuzz_fail("range %lu-%lu", (unsigned long) first,
                  (unsigned long) last);
    }

    if (host->len == 0 || host->data == NULL || port == 0) {
        fuzz_fail("range without a host or a port");
    }

    /* every byte of the host is read: ASan sees one that is not there */

    (void) ngx_hash_key(host->data, host->len);

    return NGX_OK;
}


static void
fuzz_redirect(redisReply *error)
{
    u_char                          *start, *end, *p;
    u_char                           again[128];
    const char                      *kind;
    ngx_http_news_redis_redirect_t   r;

    if (ngx_http_news_redis_cluster_redirect(error, &r) != NGX_OK) {
        return;
    }

    start = (u_char *) error->str;
    end = start + error->len;

    if (r.slot >= NGX_HTTP_NEWS_REDIS_SLOTS || r.port == 0
        || r.host.len == 0 || r.host.data < start
        || r.host.data + r.host.len > end)
    {
        fuzz_fail("a redirection out of its error");
    }

    kind = r.ask ? "ASK " : "MOVED ";

    if (ngx_strncmp(start, kind, ngx_strlen(kind)) != 0) {
        fuzz_fail("a redirection of another kind");
    }

    /* made again from its parts: the same text, but numbers' zeros */

    if (r.host.len > 64) {
        return;
    }

    p = ngx_sprintf(again, "%s %ui %V:%d", r.ask ? "ASK" : "MOVED", r.slot,
                    &r.host, (int) r.port);

    if ((size_t) (p - again) > error->len) {
        fuzz_fail("a redirection read from less than its text");
    }

    if ((size_t) (p - again) == error->len
        && ngx_strncmp(again, start, error->len) != 0)
    {
        fuzz_fail("a redirection read otherwise than written");
    }
}


static void
fuzz_key(u_char *key, size_t len)
{
    u_char      *mark;
    ngx_uint_t   slot;

    slot = ngx_http_news_redis_cluster_slot(key, len);

    if (slot != fuzz_slot(key, len)) {
        fuzz_fail("slot %lu, CRC16 says otherwise", (unsigned long) slot);
    }

    /* keys are 1 to 512 bytes (the handler answers others 400) */

    if (len == 0 || len > 4096) {
        return;
    }

    /* the visitor's mark, as the handler makes it in a Cluster */

    mark = malloc(len + sizeof("{}:seen:0123"));
    if (mark == NULL) {
        fuzz_fail("out of memory");
    }

    if (!ngx_http_news_redis_cluster_tagged(key, len)
        && ngx_strlchr(key, key + len, '}') != NULL)
    {
        /* refused by the handler (400): no mark can share its slot */
        free(mark);
        return;
    }

    if (ngx_http_news_redis_cluster_tagged(key, len)) {
        ngx_memcpy(mark, key, len);
        ngx_memcpy(mark + len, ":seen:0123", 10);
        len += 10;

    } else {
        mark[0] = '{';
        ngx_memcpy(mark + 1, key, len);
        ngx_memcpy(mark + 1 + len, "}:seen:0123", 11);
        len += 12;
    }

    if (ngx_http_news_redis_cluster_slot(mark, len) != slot) {
        free(mark);
        fuzz_fail("a visitor's mark in another slot than its article");
    }

    free(mark);
}


/* Redis Cluster's rule, written apart: the tag is from the first "{" */

static ngx_uint_t
fuzz_slot(u_char *key, size_t len)
{
    size_t    i, open, close;
    uint16_t  crc;

    for (open = 0; open < len && key[open] != '{'; open++) { /* void */ }

    if (open < len) {
        for (close = open + 1; close < len && key[close] != '}'; close++) {
            /* void */
        }

        if (close < len && close > open + 1) {
            key += open + 1;
            len = close - open - 1;
        }
    }

    crc = 0;

    for (i = 0; i < len; i++) {
        crc = (uint16_t) (crc << 8) ^ fuzz_crc16[((crc >> 8) ^ key[i]) & 0xff];
    }

    return crc & 16383;
}
