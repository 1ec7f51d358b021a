/*
 * Engine threads, each with its own epoll set. Node's libuv watches the same sockets in its own epoll
 * set; a socket may be in several, and the engine only ever asks for EPOLLOUT on its own duplicate of
 * the descriptor, so libuv's watcher is never touched.
 *
 * Ownership: everything about a running transfer (its epoll registration, its place in the ready list,
 * its descriptors) belongs to its engine thread. Other threads only hand transfers in (the incoming
 * queue) and ask for cancels (the cancel queue), both under the engine's mutex, and a cancel waits on
 * the engine's condition variable until the engine has closed the transfer's descriptors.
 *
 * Memory: a transfer is reference counted. The caller holds one reference, the engine one from start
 * until the end of the epoll batch in which the transfer ended (a later event of the same batch may
 * still point at it), and on_end one for the report.
 *
 * Signals: sendfile to a socket the peer has closed raises SIGPIPE unless it is ignored, as Node does
 * from start-up; the engine then sees EPIPE like any other write error.
 *
 * Fairness: a turn sends at most TURN_BYTES; a transfer whose socket still has room after that waits
 * in the ready list while the others have their turn (edge-triggered epoll would not report it again).
 */
#include "engine.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/sendfile.h>
#include <unistd.h>

/* Bytes one transfer may send before the engine turns to the others (fairness between downloads), and
 * the longest a cancel can wait for the engine. */
#define TURN_BYTES (1024 * 1024)
/* Linux sends at most this much per sendfile call. */
#define SENDFILE_MAX 0x7ffff000
#define MAX_EVENTS 64

enum state { ACTIVE, ENDED, CANCELLED };

/* An intrusive circular list: a lone node points at itself. */
typedef struct node {
  struct node *prev, *next;
} node;

static void node_init(node *l) { l->prev = l->next = l; }
static int node_alone(const node *l) { return l->next == l; }
static void node_remove(node *l) {
  l->prev->next = l->next;
  l->next->prev = l->prev;
  node_init(l);
}
static void node_append(node *head, node *l) {
  l->prev = head->prev;
  l->next = head;
  head->prev->next = l;
  head->prev = l;
}
/* Moves every element of `from` to the empty list `to`. */
static void node_move_all(node *from, node *to) {
  if (node_alone(from)) return;
  to->next = from->next;
  to->prev = from->prev;
  to->next->prev = to;
  to->prev->next = to;
  node_init(from);
}
#define CONTAINER(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

typedef struct engine engine;

struct transfer {
  int64_t id;
  int socket_fd;
  int file_fd;
  off_t offset;
  off_t end;
  int64_t first;
  int error;
  /* Written by the engine thread under engine->mutex; read under it by cancellers. */
  enum state state;
  int cancel_requested;
  int refs; /* atomic */
  engine *engine;
  /* Under engine->mutex: a transfer may sit in both queues at once (cancelled before it was taken in). */
  transfer *incoming_next;
  transfer *cancel_next;
  /* Engine thread only. */
  node running;  /* every transfer the engine has taken in and not finished */
  node ready;    /* in a ready list: its last turn ended on the budget, not on a full socket */
  transfer *retired_next;
};

struct engine {
  engine_pool *pool;
  pthread_t thread;
  int epoll_fd;
  int wake_fd;
  pthread_mutex_t mutex;
  pthread_cond_t ended;
  transfer *incoming;
  transfer *cancels;
  int stopping;
  /* Engine thread only. */
  node running;
  node ready;
  transfer *retired;
};

struct engine_pool {
  engine *engines;
  int count;
  unsigned next; /* atomic */
  engine_on_end on_end;
  void *context;
};

static void transfer_ref(transfer *t) { __atomic_add_fetch(&t->refs, 1, __ATOMIC_RELAXED); }

void transfer_release(transfer *t) {
  if (__atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL) == 0) free(t);
}

int64_t transfer_id(const transfer *t) { return t->id; }
int transfer_error(const transfer *t) { return t->error; }
int64_t transfer_sent(const transfer *t) { return (int64_t)t->offset - t->first; }

static void wake(engine *e) {
  uint64_t one = 1;
  /* The counter only has to be non-zero; a full counter (EAGAIN) is as good as a write. */
  while (write(e->wake_fd, &one, sizeof one) < 0 && errno == EINTR) {
  }
}

/* Lets go of a transfer's descriptors and epoll registration, then publishes its final state. */
static void finish(engine *e, transfer *t, enum state state, int error) {
  /* Out of the epoll set before the close: an epoll registration lives as long as the open file
   * description, which Node's own descriptor may still hold. */
  epoll_ctl(e->epoll_fd, EPOLL_CTL_DEL, t->socket_fd, NULL);
  close(t->socket_fd);
  close(t->file_fd);
  t->socket_fd = t->file_fd = -1;
  node_remove(&t->ready);
  node_remove(&t->running);
  t->retired_next = e->retired;
  e->retired = t;
  pthread_mutex_lock(&e->mutex);
  t->error = error;
  t->state = state;
  pthread_cond_broadcast(&e->ended);
  pthread_mutex_unlock(&e->mutex);
  if (state == ENDED) {
    transfer_ref(t);
    e->pool->on_end(t, e->pool->context);
  }
}

/* One turn: sendfile until the socket is full (EAGAIN), the range is sent, or the turn's budget is spent. */
static void run_turn(engine *e, transfer *t) {
  size_t budget = TURN_BYTES;
  while (t->offset < t->end) {
    if (budget == 0) {
      node_append(&e->ready, &t->ready);
      return;
    }
    off_t left = t->end - t->offset;
    size_t want = left < (off_t)budget ? (size_t)left : budget;
    if (want > SENDFILE_MAX) want = SENDFILE_MAX;
    ssize_t sent = sendfile(t->socket_fd, t->file_fd, &t->offset, want);
    if (sent > 0) {
      budget -= (size_t)sent;
    } else if (sent == 0) {
      finish(e, t, ENDED, ENGINE_SHORT_FILE);
      return;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      return; /* edge-triggered: the next EPOLLOUT brings it back */
    } else if (errno != EINTR) {
      finish(e, t, ENDED, errno);
      return;
    }
  }
  finish(e, t, ENDED, 0);
}

/* Takes in new transfers and carries out the cancels asked for since the last look. */
static void take_queues(engine *e) {
  pthread_mutex_lock(&e->mutex);
  transfer *incoming = e->incoming;
  transfer *cancels = e->cancels;
  e->incoming = e->cancels = NULL;
  pthread_mutex_unlock(&e->mutex);
  for (transfer *t = incoming, *next; t; t = next) {
    next = t->incoming_next;
    node_append(&e->running, &t->running);
    struct epoll_event event = {.events = EPOLLOUT | EPOLLET, .data.ptr = t};
    /* Added edge-triggered while already writable, the socket reports EPOLLOUT at once. */
    if (epoll_ctl(e->epoll_fd, EPOLL_CTL_ADD, t->socket_fd, &event) < 0) finish(e, t, ENDED, errno);
  }
  for (transfer *t = cancels, *next; t; t = next) {
    next = t->cancel_next;
    if (t->state == ACTIVE) finish(e, t, CANCELLED, ECANCELED);
  }
}

static void release_retired(engine *e) {
  for (transfer *t = e->retired, *next; t; t = next) {
    next = t->retired_next;
    transfer_release(t);
  }
  e->retired = NULL;
}

static void cancel_all(engine *e) {
  take_queues(e);
  while (!node_alone(&e->running)) finish(e, CONTAINER(e->running.next, transfer, running), CANCELLED, ECANCELED);
}

static void *engine_main(void *arg) {
  engine *e = arg;
  struct epoll_event events[MAX_EVENTS];
  node pass;
  for (;;) {
    take_queues(e);
    release_retired(e);
    pthread_mutex_lock(&e->mutex);
    int stopping = e->stopping;
    pthread_mutex_unlock(&e->mutex);
    if (stopping) break;
    /* The transfers ready now get one turn each after this epoll pass; those that run out of budget
     * again go to the back of the next pass, so every download moves at every pass. */
    node_init(&pass);
    node_move_all(&e->ready, &pass);
    int n = epoll_wait(e->epoll_fd, events, MAX_EVENTS, node_alone(&pass) ? -1 : 0);
    if (n < 0 && errno != EINTR) {
      /* Only a bug gets here (a bad epoll descriptor); keep the ready ones findable for cancel_all. */
      while (!node_alone(&pass)) {
        node *l = pass.next;
        node_remove(l);
        node_append(&e->ready, l);
      }
      break;
    }
    for (int i = 0; i < n; i++) {
      transfer *t = events[i].data.ptr;
      if (!t) {
        uint64_t count;
        while (read(e->wake_fd, &count, sizeof count) < 0 && errno == EINTR) {
        }
      } else if (t->state == ACTIVE && node_alone(&t->ready)) {
        /* (A transfer already in a ready list has its turn below: an edge changes nothing for it.) */
        run_turn(e, t);
      }
      /* Between turns, so that a cancel waits for one turn at most. */
      take_queues(e);
    }
    while (!node_alone(&pass)) {
      transfer *t = CONTAINER(pass.next, transfer, ready);
      node_remove(&t->ready);
      if (t->state == ACTIVE) run_turn(e, t);
      take_queues(e);
    }
  }
  return NULL;
}

static int engine_init(engine *e, engine_pool *pool) {
  memset(e, 0, sizeof *e);
  e->pool = pool;
  node_init(&e->running);
  node_init(&e->ready);
  e->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  if (e->epoll_fd < 0) return -1;
  e->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (e->wake_fd < 0) {
    close(e->epoll_fd);
    return -1;
  }
  struct epoll_event event = {.events = EPOLLIN, .data.ptr = NULL};
  pthread_mutex_init(&e->mutex, NULL);
  pthread_cond_init(&e->ended, NULL);
  if (epoll_ctl(e->epoll_fd, EPOLL_CTL_ADD, e->wake_fd, &event) < 0 ||
      pthread_create(&e->thread, NULL, engine_main, e) != 0) {
    close(e->wake_fd);
    close(e->epoll_fd);
    return -1;
  }
  return 0;
}

engine_pool *engine_pool_create(int threads, engine_on_end on_end, void *context) {
  engine_pool *pool = calloc(1, sizeof *pool);
  if (!pool) return NULL;
  pool->engines = calloc((size_t)threads, sizeof *pool->engines);
  if (!pool->engines) {
    free(pool);
    return NULL;
  }
  pool->on_end = on_end;
  pool->context = context;
  for (int i = 0; i < threads; i++) {
    if (engine_init(&pool->engines[i], pool) < 0) {
      int saved = errno;
      pool->count = i;
      engine_pool_destroy(pool);
      errno = saved;
      return NULL;
    }
    pool->count = i + 1;
  }
  return pool;
}

void engine_pool_destroy(engine_pool *pool) {
  for (int i = 0; i < pool->count; i++) {
    engine *e = &pool->engines[i];
    pthread_mutex_lock(&e->mutex);
    e->stopping = 1;
    pthread_mutex_unlock(&e->mutex);
    wake(e);
    pthread_join(e->thread, NULL);
    cancel_all(e);
    release_retired(e);
    close(e->wake_fd);
    close(e->epoll_fd);
    pthread_mutex_destroy(&e->mutex);
    pthread_cond_destroy(&e->ended);
  }
  free(pool->engines);
  free(pool);
}

transfer *engine_start(engine_pool *pool, int64_t id, int socket_fd, int file_fd, int64_t offset,
                       int64_t length) {
  if (offset < 0 || length < 0) {
    errno = EINVAL;
    return NULL;
  }
  transfer *t = calloc(1, sizeof *t);
  if (!t) return NULL;
  t->socket_fd = fcntl(socket_fd, F_DUPFD_CLOEXEC, 0);
  t->file_fd = t->socket_fd < 0 ? -1 : fcntl(file_fd, F_DUPFD_CLOEXEC, 0);
  if (t->file_fd < 0) {
    int saved = errno;
    if (t->socket_fd >= 0) close(t->socket_fd);
    free(t);
    errno = saved;
    return NULL;
  }
  t->id = id;
  t->offset = (off_t)offset;
  t->first = offset;
  t->end = (off_t)(offset + length);
  t->state = ACTIVE;
  node_init(&t->running);
  node_init(&t->ready);
  t->refs = 2; /* the caller's and the engine's */
  unsigned n = __atomic_fetch_add(&pool->next, 1, __ATOMIC_RELAXED);
  engine *e = &pool->engines[n % (unsigned)pool->count];
  t->engine = e;
  pthread_mutex_lock(&e->mutex);
  t->incoming_next = e->incoming;
  e->incoming = t;
  pthread_mutex_unlock(&e->mutex);
  wake(e);
  return t;
}

int engine_cancel(transfer *t) {
  engine *e = t->engine;
  pthread_mutex_lock(&e->mutex);
  if (t->state == ACTIVE && !t->cancel_requested) {
    t->cancel_requested = 1;
    t->cancel_next = e->cancels;
    e->cancels = t;
    wake(e);
  }
  while (t->state == ACTIVE) pthread_cond_wait(&e->ended, &e->mutex);
  int stopped = t->state == CANCELLED;
  pthread_mutex_unlock(&e->mutex);
  return stopped;
}
