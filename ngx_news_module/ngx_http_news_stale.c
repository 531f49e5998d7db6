
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_news_stale.h"
#include "ngx_http_news_metrics.h"


#define NGX_HTTP_NEWS_STALE_TICK     1000   /* ms between flush attempts */
#define NGX_HTTP_NEWS_STALE_RESEND   3      /* s before anyone resends */


/* one article's views, under "<target>\n<key>" */
typedef struct {
    ngx_str_node_t                  sn;
    ngx_queue_t                     queue;      /* oldest first */
    int64_t                         views;      /* not in the batch */
    int64_t                         batched;    /* in the batch in flight */
    size_t                          target_len;
    u_char                          data[1];
} ngx_http_news_stale_node_t;


typedef struct {
    ngx_rbtree_t                    rbtree;
    ngx_rbtree_node_t               sentinel;
    ngx_queue_t                     queue;
    ngx_atomic_t                    buffered;   /* views, batched or not */
    uint64_t                        last_batch;
    uint64_t                        batch;      /* in flight; 0: none */
    time_t                          sent;       /* 0: to be sent again */
    u_char                          epoch[NGX_TIME_T_LEN + NGX_INT_T_LEN];
} ngx_http_news_stale_sh_t;


typedef struct {
    ngx_http_news_stale_sh_t       *sh;
    ngx_slab_pool_t                *shpool;
} ngx_http_news_stale_ctx_t;


/* a batch as this worker sends it: copies, so no lock is held */
typedef struct {
    uint64_t                        id;
    ngx_str_t                       target;
    ngx_http_news_redis_pending_t  *pending;
    ngx_http_news_redis_command_t   command;
    ngx_str_t                       argv[1 + 2 * NGX_HTTP_NEWS_STALE_BATCH];
    ngx_uint_t                      articles;
    int64_t                         views;
} ngx_http_news_stale_batch_t;


static ngx_int_t ngx_http_news_stale_init_zone(ngx_shm_zone_t *shm_zone,
    void *data);
static size_t ngx_http_news_stale_target(ngx_http_news_redis_target_t *t,
    u_char *buf, size_t size);
static void ngx_http_news_stale_tick(ngx_event_t *ev);
static ngx_http_news_stale_batch_t *ngx_http_news_stale_take(
    ngx_http_news_stale_ctx_t *ctx, ngx_log_t *log);
static ngx_http_news_stale_batch_t *ngx_http_news_stale_copy(
    ngx_http_news_stale_ctx_t *ctx, ngx_uint_t cluster, ngx_log_t *log);
static ngx_uint_t ngx_http_news_stale_cluster(
    ngx_http_news_stale_node_t *node);
static ngx_http_news_redis_target_t *ngx_http_news_stale_find(
    ngx_str_t *target);
static void ngx_http_news_stale_handler(void *data,
    ngx_http_news_redis_result_e result, ngx_http_news_redis_reply_t *reply,
    ngx_str_t *reason);
static void ngx_http_news_stale_done(ngx_http_news_stale_ctx_t *ctx,
    uint64_t id);


/*
 * KEYS[1], the batch's marker, is set first, for a day: a batch whose
 * reply was lost and that is sent again finds it and adds nothing.  An
 * article deleted meanwhile is not made again, and one views field that
 * is not an integer does not stop the others.
 */

static ngx_str_t  ngx_http_news_stale_text = ngx_string(
    "if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', 86400) then\n"
    "    return 0\n"
    "end\n"
    "for i = 2, #KEYS do\n"
    "    if redis.call('TYPE', KEYS[i]).ok == 'hash' then\n"
    "        redis.pcall('HINCRBY', KEYS[i], 'views', ARGV[i - 1])\n"
    "    end\n"
    "end\n"
    "return 1\n");


static ngx_http_news_redis_script_t   ngx_http_news_stale_flush;

/* this worker's */
static ngx_shm_zone_t                *ngx_http_news_stale_shm;
static ngx_array_t                   *ngx_http_news_stale_targets;
static ngx_http_news_stale_batch_t   *ngx_http_news_stale_sending;
static ngx_event_t                    ngx_http_news_stale_timer;


ngx_shm_zone_t *
ngx_http_news_stale_zone(ngx_conf_t *cf, size_t size, void *tag)
{
    ngx_str_t                   name;
    ngx_shm_zone_t             *zone;
    ngx_http_news_stale_ctx_t  *ctx;

    ctx = ngx_pcalloc(cf->pool, sizeof(ngx_http_news_stale_ctx_t));
    if (ctx == NULL) {
        return NULL;
    }

    ngx_str_set(&name, "news_stale");

    zone = ngx_shared_memory_add(cf, &name, size, tag);
    if (zone == NULL) {
        return NULL;
    }

    zone->init = ngx_http_news_stale_init_zone;
    zone->data = ctx;

    return zone;
}


/* the flush script, for connections to load when they are set up */

ngx_http_news_redis_script_t *
ngx_http_news_stale_script(void)
{
    if (ngx_http_news_stale_flush.text.len == 0) {
        ngx_http_news_stale_flush.text = ngx_http_news_stale_text;
        ngx_http_news_redis_script_init(&ngx_http_news_stale_flush);
    }

    return &ngx_http_news_stale_flush;
}


static ngx_int_t
ngx_http_news_stale_init_zone(ngx_shm_zone_t *shm_zone, void *data)
{
    ngx_http_news_stale_ctx_t *octx = data;

    ngx_http_news_stale_sh_t   *sh;
    ngx_http_news_stale_ctx_t  *ctx;

    ctx = shm_zone->data;

    if (octx != NULL) {
        /* a reload: the views buffered so far are kept */
        ctx->sh = octx->sh;
        ctx->shpool = octx->shpool;
        return NGX_OK;
    }

    ctx->shpool = (ngx_slab_pool_t *) shm_zone->shm.addr;

    if (shm_zone->shm.exists) {
        ctx->sh = ctx->shpool->data;
        return NGX_OK;
    }

    sh = ngx_slab_calloc(ctx->shpool, sizeof(ngx_http_news_stale_sh_t));
    if (sh == NULL) {
        return NGX_ERROR;
    }

    ngx_rbtree_init(&sh->rbtree, &sh->sentinel, ngx_str_rbtree_insert_value);
    ngx_queue_init(&sh->queue);

    /* batch numbers of another start of nginx never meet these */

    (void) ngx_sprintf(sh->epoch, "%T%xi%Z", ngx_time(), ngx_random());

    ctx->sh = sh;
    ctx->shpool->data = sh;

    ctx->shpool->log_ctx = (u_char *) " in news_stale_buffer";

    return NGX_OK;
}


/*
 * One more view of key to add to target once it is back: NGX_OK with
 * the views of that article buffered now, or NGX_DECLINED when the
 * buffer is full.
 */

ngx_int_t
ngx_http_news_stale_add(ngx_shm_zone_t *zone,
    ngx_http_news_redis_target_t *target, ngx_str_t *key, int64_t *pending)
{
    size_t                       len;
    uint32_t                     hash;
    ngx_str_t                    name;
    ngx_http_news_stale_ctx_t   *ctx;
    ngx_http_news_stale_node_t  *node;
    u_char                       buf[NGX_MAX_PATH + 1024];

    ctx = zone->data;

    len = ngx_http_news_stale_target(target, buf, sizeof(buf));

    if (len == 0 || len + 1 + key->len > sizeof(buf)) {
        return NGX_DECLINED;
    }

    buf[len] = '\n';
    ngx_memcpy(buf + len + 1, key->data, key->len);

    name.data = buf;
    name.len = len + 1 + key->len;
    hash = ngx_crc32_short(name.data, name.len);

    ngx_shmtx_lock(&ctx->shpool->mutex);

    node = (ngx_http_news_stale_node_t *)
               ngx_str_rbtree_lookup(&ctx->sh->rbtree, &name, hash);

    if (node == NULL) {
        node = ngx_slab_alloc_locked(ctx->shpool,
                                     sizeof(ngx_http_news_stale_node_t)
                                     + name.len);
        if (node == NULL) {
            ngx_shmtx_unlock(&ctx->shpool->mutex);
            return NGX_DECLINED;
        }

        ngx_memcpy(node->data, name.data, name.len);

        node->sn.node.key = hash;
        node->sn.str.data = node->data;
        node->sn.str.len = name.len;
        node->target_len = len;
        node->views = 0;
        node->batched = 0;

        ngx_rbtree_insert(&ctx->sh->rbtree, &node->sn.node);
        ngx_queue_insert_tail(&ctx->sh->queue, &node->queue);
    }

    node->views++;
    *pending = node->views + node->batched;

    (void) ngx_atomic_fetch_add(&ctx->sh->buffered, 1);

    ngx_shmtx_unlock(&ctx->shpool->mutex);

    ngx_http_news_metrics_views_buffered(1);

    return NGX_OK;
}


/* a target as the buffer knows it, across reloads: address and db */

static size_t
ngx_http_news_stale_target(ngx_http_news_redis_target_t *t, u_char *buf,
    size_t size)
{
    if (t->name.len + NGX_INT_T_LEN + 1 > size) {
        return 0;
    }

    return ngx_sprintf(buf, "%V/%ui", &t->name, t->server.db) - buf;
}


ngx_int_t
ngx_http_news_stale_init_process(ngx_shm_zone_t *zone, ngx_array_t *targets,
    ngx_log_t *log)
{
    ngx_http_news_stale_shm = zone;
    ngx_http_news_stale_targets = targets;

    ngx_http_news_stale_timer.handler = ngx_http_news_stale_tick;
    ngx_http_news_stale_timer.log = log;
    ngx_http_news_stale_timer.cancelable = 1;
    ngx_http_news_stale_timer.data = zone;

    ngx_add_timer(&ngx_http_news_stale_timer, NGX_HTTP_NEWS_STALE_TICK);

    return NGX_OK;
}


void
ngx_http_news_stale_exit_process(void)
{
    if (ngx_http_news_stale_timer.timer_set) {
        ngx_del_timer(&ngx_http_news_stale_timer);
    }

    /* a batch in flight was failed when its connection closed */

    ngx_http_news_stale_shm = NULL;
}


/*
 * Every worker tries, once a second, to send the oldest articles'
 * views; only one batch is in flight in the whole zone at a time, so
 * the marker of a batch sent again is always that batch's.
 */

static void
ngx_http_news_stale_tick(ngx_event_t *ev)
{
    ngx_int_t                       rc;
    ngx_http_news_stale_ctx_t      *ctx;
    ngx_http_news_stale_batch_t    *b;
    ngx_http_news_redis_target_t   *target;

    if (ngx_exiting || ngx_terminate || ngx_quit
        || ngx_http_news_stale_shm == NULL)
    {
        return;
    }

    ngx_add_timer(ev, NGX_HTTP_NEWS_STALE_TICK);

    ctx = ngx_http_news_stale_shm->data;

    if (ngx_http_news_stale_sending != NULL || ctx->sh->buffered == 0) {
        return;
    }

    b = ngx_http_news_stale_take(ctx, ev->log);
    if (b == NULL) {
        return;
    }

    target = ngx_http_news_stale_find(&b->target);

    if (target == NULL) {
        ngx_log_error(NGX_LOG_WARN, ev->log, 0,
                      "news_stale: %L views of %ui articles for Redis "
                      "\"%V\" dropped: no location uses it any more",
                      b->views, b->articles, &b->target);

        ngx_http_news_stale_done(ctx, b->id);
        ngx_free(b);
        return;
    }

    ngx_http_news_stale_sending = b;

    rc = ngx_http_news_redis_send(target, &b->command, 1,
                                  ngx_http_news_stale_handler, b,
                                  &b->pending);

    if (rc == NGX_ERROR) {

        /*
         * It can never be sent (the Redis layer logged why): kept, it
         * would hold back every batch after it.
         */

        ngx_log_error(NGX_LOG_ERR, ev->log, 0,
                      "news_stale: %L views of %ui articles for Redis "
                      "\"%V\" dropped: they cannot be sent",
                      b->views, b->articles, &b->target);

        ngx_http_news_stale_sending = NULL;
        ngx_http_news_stale_done(ctx, b->id);
        ngx_free(b);
        return;
    }

    if (rc != NGX_OK) {
        /* still unavailable: again at the next tick */
        ngx_http_news_stale_handler(b, NGX_HTTP_NEWS_REDIS_UNAVAILABLE, NULL,
                                    NULL);
    }
}


/* the batch in flight, if nobody sends it now, or a new one */

static ngx_http_news_stale_batch_t *
ngx_http_news_stale_take(ngx_http_news_stale_ctx_t *ctx, ngx_log_t *log)
{
    size_t                        target_len;
    ngx_uint_t                    n, max, cluster;
    ngx_queue_t                  *q;
    ngx_http_news_stale_sh_t     *sh;
    ngx_http_news_stale_node_t   *node, *first;
    ngx_http_news_stale_batch_t  *b;

    sh = ctx->sh;

    ngx_shmtx_lock(&ctx->shpool->mutex);

    if (sh->batch) {

        /* sent, and its reply still due: not again yet */

        if (sh->sent && ngx_time() - sh->sent < NGX_HTTP_NEWS_STALE_RESEND) {
            ngx_shmtx_unlock(&ctx->shpool->mutex);
            return NULL;
        }

    } else {

        /* the oldest article's target, and its articles, oldest first */

        first = NULL;
        target_len = 0;
        n = 0;
        max = NGX_HTTP_NEWS_STALE_BATCH;

        for (q = ngx_queue_head(&sh->queue);
             q != ngx_queue_sentinel(&sh->queue) && n < max;
             q = ngx_queue_next(q))
        {
            node = ngx_queue_data(q, ngx_http_news_stale_node_t, queue);

            if (node->views == 0) {
                continue;
            }

            if (first == NULL) {
                first = node;
                target_len = node->target_len;

                /* in a Cluster one step is one slot: one article */

                if (ngx_http_news_stale_cluster(node)) {
                    max = 1;
                }

            } else if (node->target_len != target_len
                       || ngx_memcmp(node->data, first->data, target_len)
                          != 0)
            {
                continue;
            }

            node->batched = node->views;
            node->views = 0;
            n++;
        }

        if (n == 0) {
            ngx_shmtx_unlock(&ctx->shpool->mutex);
            return NULL;
        }

        sh->batch = ++sh->last_batch;
    }

    sh->sent = ngx_time();

    cluster = 0;

    for (q = ngx_queue_head(&sh->queue);
         q != ngx_queue_sentinel(&sh->queue);
         q = ngx_queue_next(q))
    {
        node = ngx_queue_data(q, ngx_http_news_stale_node_t, queue);

        if (node->batched) {
            cluster = ngx_http_news_stale_cluster(node);
            break;
        }
    }

    b = ngx_http_news_stale_copy(ctx, cluster, log);

    if (b == NULL) {
        sh->sent = 0;
    }

    ngx_shmtx_unlock(&ctx->shpool->mutex);

    return b;
}


/* whether the node's views are for a Redis Cluster of this worker's */

static ngx_uint_t
ngx_http_news_stale_cluster(ngx_http_news_stale_node_t *node)
{
    ngx_str_t                      name;
    ngx_http_news_redis_target_t  *target;

    name.data = node->data;
    name.len = node->target_len;

    target = ngx_http_news_stale_find(&name);

    return target != NULL && target->cluster != NULL;
}


/*
 * The command of the batch in flight, made from the zone, lock held:
 * EVALSHA <flush> <1 + n> <marker> <key>... <views>...; the marker is
 * the first article's key, ":flushed:", the zone's epoch and the batch.
 * In a Cluster the batch is one article and its marker is beside it, in
 * its slot: "{<key>}:flushed:..." (or "<key>:flushed:..." for a key
 * with a hash tag), as ngx_http_news_redis_cluster_beside() makes keys.
 */

static ngx_http_news_stale_batch_t *
ngx_http_news_stale_copy(ngx_http_news_stale_ctx_t *ctx, ngx_uint_t cluster,
    ngx_log_t *log)
{
    u_char                       *p, *key;
    size_t                        size, len;
    ngx_uint_t                    n, i, tag;
    ngx_queue_t                  *q;
    ngx_http_news_stale_sh_t     *sh;
    ngx_http_news_stale_node_t   *node, *first;
    ngx_http_news_stale_batch_t  *b;

    sh = ctx->sh;
    first = NULL;
    size = sizeof(ngx_http_news_stale_batch_t);
    n = 0;

    for (q = ngx_queue_head(&sh->queue);
         q != ngx_queue_sentinel(&sh->queue);
         q = ngx_queue_next(q))
    {
        node = ngx_queue_data(q, ngx_http_news_stale_node_t, queue);

        if (node->batched == 0) {
            continue;
        }

        if (first == NULL) {
            first = node;
            size += node->sn.str.len + sizeof("{}:flushed:-")
                    + sizeof(sh->epoch) + NGX_INT64_LEN;
        }

        size += node->sn.str.len + NGX_INT64_LEN;
        n++;
    }

    if (first == NULL) {
        /* nothing left of it (cannot happen): the batch is done */
        sh->batch = 0;
        return NULL;
    }

    b = ngx_alloc(size, log);
    if (b == NULL) {
        return NULL;
    }

    p = (u_char *) b + sizeof(ngx_http_news_stale_batch_t);

    b->id = sh->batch;
    b->pending = NULL;
    b->articles = n;
    b->views = 0;

    b->target.data = p;
    b->target.len = first->target_len;
    p = ngx_cpymem(p, first->data, first->target_len);

    key = first->data + first->target_len + 1;
    len = first->sn.str.len - first->target_len - 1;
    tag = cluster && !ngx_http_news_redis_cluster_tagged(key, len);

    b->argv[0].data = p;

    if (tag) {
        *p++ = '{';
    }

    p = ngx_cpymem(p, key, len);

    if (tag) {
        *p++ = '}';
    }

    p = ngx_sprintf(p, ":flushed:%s-%uL", sh->epoch, b->id);
    b->argv[0].len = p - b->argv[0].data;

    i = 1;

    for (q = ngx_queue_head(&sh->queue);
         q != ngx_queue_sentinel(&sh->queue);
         q = ngx_queue_next(q))
    {
        node = ngx_queue_data(q, ngx_http_news_stale_node_t, queue);

        if (node->batched == 0) {
            continue;
        }

        len = node->sn.str.len - node->target_len - 1;

        b->argv[i].data = p;
        b->argv[i].len = len;
        p = ngx_cpymem(p, node->data + node->target_len + 1, len);

        b->argv[n + i].data = p;
        p = ngx_sprintf(p, "%L", node->batched);
        b->argv[n + i].len = p - b->argv[n + i].data;

        b->views += node->batched;
        i++;
    }

    b->command.script = &ngx_http_news_stale_flush;
    b->command.nkeys = 1 + n;
    b->command.argc = 1 + 2 * n;
    b->command.argv = b->argv;

    return b;
}


static ngx_http_news_redis_target_t *
ngx_http_news_stale_find(ngx_str_t *target)
{
    size_t                          len;
    ngx_uint_t                      i;
    ngx_http_news_redis_target_t  **t;
    u_char                          buf[NGX_MAX_PATH + 1024];

    t = ngx_http_news_stale_targets->elts;

    for (i = 0; i < ngx_http_news_stale_targets->nelts; i++) {
        len = ngx_http_news_stale_target(t[i], buf, sizeof(buf));

        if (len == target->len && ngx_memcmp(buf, target->data, len) == 0) {
            return t[i];
        }
    }

    return NULL;
}


/*
 * Any reply is the batch added (now, or before, if it found its
 * marker); anything else leaves it to be sent again, as it is.
 */

static void
ngx_http_news_stale_handler(void *data, ngx_http_news_redis_result_e result,
    ngx_http_news_redis_reply_t *reply, ngx_str_t *reason)
{
    ngx_http_news_stale_batch_t *b = data;

    ngx_http_news_stale_ctx_t  *ctx;

    if (ngx_http_news_stale_sending == b) {
        ngx_http_news_stale_sending = NULL;
    }

    if (ngx_http_news_stale_shm != NULL) {
        ctx = ngx_http_news_stale_shm->data;

        if (result == NGX_HTTP_NEWS_REDIS_REPLY) {
            ngx_log_error(NGX_LOG_NOTICE, ngx_cycle->log, 0,
                          "news_stale: %L views of %ui articles added to "
                          "Redis \"%V\"", b->views, b->articles, &b->target);

            ngx_http_news_stale_done(ctx, b->id);

        } else {
            ngx_shmtx_lock(&ctx->shpool->mutex);

            if (ctx->sh->batch == b->id) {
                ctx->sh->sent = 0;
            }

            ngx_shmtx_unlock(&ctx->shpool->mutex);
        }
    }

    ngx_free(b);
}


/* the batch is in Redis: its views leave the buffer */

static void
ngx_http_news_stale_done(ngx_http_news_stale_ctx_t *ctx, uint64_t id)
{
    int64_t                      views;
    ngx_queue_t                 *q, *next;
    ngx_http_news_stale_sh_t    *sh;
    ngx_http_news_stale_node_t  *node;

    sh = ctx->sh;
    views = 0;

    ngx_shmtx_lock(&ctx->shpool->mutex);

    if (sh->batch != id) {
        /* another worker's sending of it was answered first */
        ngx_shmtx_unlock(&ctx->shpool->mutex);
        return;
    }

    for (q = ngx_queue_head(&sh->queue);
         q != ngx_queue_sentinel(&sh->queue);
         q = next)
    {
        next = ngx_queue_next(q);
        node = ngx_queue_data(q, ngx_http_news_stale_node_t, queue);

        if (node->batched == 0) {
            continue;
        }

        views += node->batched;
        node->batched = 0;

        if (node->views == 0) {
            ngx_queue_remove(q);
            ngx_rbtree_delete(&sh->rbtree, &node->sn.node);
            ngx_slab_free_locked(ctx->shpool, node);
        }
    }

    (void) ngx_atomic_fetch_add(&sh->buffered, (ngx_atomic_int_t) -views);

    sh->batch = 0;
    sh->sent = 0;

    ngx_shmtx_unlock(&ctx->shpool->mutex);

    ngx_http_news_metrics_views_buffered(-views);
}
