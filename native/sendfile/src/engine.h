/*
 * The sendfile engine: threads of its own that copy file ranges to TCP sockets with sendfile(2), so
 * the bytes of an artifact go from the page cache to the socket without passing through JavaScript.
 *
 * Nothing here knows about Node: the N-API glue (addon.c) starts transfers, cancels them and is told
 * when one ends through the `on_end` callback, which runs on an engine thread.
 */
#ifndef OCTOFLEET_SENDFILE_ENGINE_H
#define OCTOFLEET_SENDFILE_ENGINE_H

#include <stdint.h>
#include <sys/types.h>

/* A transfer's error when the file held fewer bytes than were asked for (it shrank while served). */
#define ENGINE_SHORT_FILE (-1)

typedef struct engine_pool engine_pool;
typedef struct transfer transfer;

/* Called on an engine thread once a transfer has ended by itself (not when cancelled): `error` is 0,
 * an errno value or ENGINE_SHORT_FILE. The engine has closed its descriptors by then. The callback owns
 * one reference to `t` and gives it back with transfer_release. */
typedef void (*engine_on_end)(transfer *t, void *context);

/* Starts `threads` engine threads. NULL (with errno set) if they could not be started. */
engine_pool *engine_pool_create(int threads, engine_on_end on_end, void *context);

/* Cancels every transfer (without on_end), stops the threads and frees the pool. */
void engine_pool_destroy(engine_pool *pool);

/*
 * Starts copying `length` bytes of `file_fd` from `offset` to `socket_fd`. Both descriptors are
 * duplicated: the engine closes its own copies when the transfer ends, so the caller may close its
 * descriptors at any time, and a socket closed by Node cannot be reused under the engine. The socket
 * must be non-blocking and have nothing of the caller's left to write. Returns the transfer with one
 * reference for the caller, or NULL with errno set.
 */
transfer *engine_start(engine_pool *pool, int64_t id, int socket_fd, int file_fd, int64_t offset,
                       int64_t length);

/*
 * Stops a transfer and waits for the engine thread to let go of it: when this returns, the engine has
 * closed its descriptors and will not touch them again. Returns 1 if this call stopped it, 0 if it had
 * already ended (its on_end has run or is about to). Waits for at most one sendfile turn.
 */
int engine_cancel(transfer *t);

int64_t transfer_id(const transfer *t);
int transfer_error(const transfer *t);
/* Bytes handed to the socket so far (final once the transfer has ended). */
int64_t transfer_sent(const transfer *t);

void transfer_release(transfer *t);

#endif
