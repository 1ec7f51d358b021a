/*
 * N-API glue for the sendfile engine (engine.h). JavaScript sees:
 *
 *   init(onEnd, threads)   starts the engine threads; onEnd(id, error, sent) is called on the JS thread
 *                          for each transfer that ended by itself (error 0, an errno value, or -1 when
 *                          the file was shorter than asked)
 *   start(id, socketFd, fileFd, offset, length) -> handle
 *   cancel(handle) -> boolean  true: stopped now, the engine has closed its descriptors and onEnd will
 *                          not be called; false: it had already ended and onEnd is called or on its way
 *
 * One engine pool per Node environment (main thread or worker), stopped when the environment ends.
 */
#include <errno.h>
#include <node_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

typedef struct {
  engine_pool *pool;
  napi_threadsafe_function on_end;
} addon;

#define CHECK(env, call)                                                                         \
  do {                                                                                           \
    if ((call) != napi_ok) {                                                                     \
      const napi_extended_error_info *info = NULL;                                               \
      napi_get_last_error_info((env), &info);                                                    \
      napi_throw_error((env), NULL, info && info->error_message ? info->error_message : #call); \
      return NULL;                                                                               \
    }                                                                                            \
  } while (0)

static napi_value throw_errno(napi_env env, const char *what, int error) {
  char message[256];
  snprintf(message, sizeof message, "%s: %s", what, strerror(error));
  napi_throw_error(env, NULL, message);
  return NULL;
}

/* Engine thread: hands the ended transfer to the JS thread (call_on_end). */
static void on_end_from_engine(transfer *t, void *context) {
  addon *a = context;
  if (napi_call_threadsafe_function(a->on_end, t, napi_tsfn_nonblocking) != napi_ok) transfer_release(t);
}

/* JS thread. `env` is NULL when the environment is going away: only the reference is given back. */
static void call_on_end(napi_env env, napi_value js_on_end, void *context, void *data) {
  transfer *t = data;
  if (env && js_on_end) {
    napi_value argv[3], undefined;
    napi_create_int64(env, transfer_id(t), &argv[0]);
    napi_create_int32(env, transfer_error(t), &argv[1]);
    napi_create_int64(env, transfer_sent(t), &argv[2]);
    napi_get_undefined(env, &undefined);
    napi_call_function(env, undefined, js_on_end, 3, argv, NULL);
  }
  transfer_release(t);
}

static void stop_addon(void *data) {
  addon *a = data;
  if (a->pool) engine_pool_destroy(a->pool);
  a->pool = NULL;
  if (a->on_end) napi_release_threadsafe_function(a->on_end, napi_tsfn_abort);
  a->on_end = NULL;
}

static addon *get_addon(napi_env env) {
  addon *a = NULL;
  napi_get_instance_data(env, (void **)&a);
  return a;
}

static napi_value init(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], name;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  addon *a = get_addon(env);
  if (a->pool) {
    napi_throw_error(env, NULL, "the sendfile engine is already running");
    return NULL;
  }
  int32_t threads = 0;
  CHECK(env, napi_get_value_int32(env, argv[1], &threads));
  if (threads < 1 || threads > 64) {
    napi_throw_range_error(env, NULL, "threads must be 1…64");
    return NULL;
  }
  CHECK(env, napi_create_string_utf8(env, "octofleet-sendfile", NAPI_AUTO_LENGTH, &name));
  CHECK(env, napi_create_threadsafe_function(env, argv[0], NULL, name, 0, 1, NULL, NULL, a, call_on_end,
                                             &a->on_end));
  /* The sockets of running transfers keep the event loop alive; an idle engine must not. */
  CHECK(env, napi_unref_threadsafe_function(env, a->on_end));
  /* Cleanup hooks run last-registered first: the engine stops before Node tears the tsfn down. */
  CHECK(env, napi_add_env_cleanup_hook(env, stop_addon, a));
  a->pool = engine_pool_create(threads, on_end_from_engine, a);
  if (!a->pool) {
    int error = errno;
    napi_release_threadsafe_function(a->on_end, napi_tsfn_abort);
    a->on_end = NULL;
    return throw_errno(env, "starting the sendfile engine", error);
  }
  return NULL;
}

static void release_handle(napi_env env, void *data, void *hint) { transfer_release(data); }

static napi_value start(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5], handle;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  addon *a = get_addon(env);
  if (!a->pool) {
    napi_throw_error(env, NULL, "the sendfile engine is not running (init first)");
    return NULL;
  }
  int64_t id, offset, length;
  int32_t socket_fd, file_fd;
  CHECK(env, napi_get_value_int64(env, argv[0], &id));
  CHECK(env, napi_get_value_int32(env, argv[1], &socket_fd));
  CHECK(env, napi_get_value_int32(env, argv[2], &file_fd));
  CHECK(env, napi_get_value_int64(env, argv[3], &offset));
  CHECK(env, napi_get_value_int64(env, argv[4], &length));
  transfer *t = engine_start(a->pool, id, socket_fd, file_fd, offset, length);
  if (!t) return throw_errno(env, "starting a sendfile transfer", errno);
  if (napi_create_external(env, t, release_handle, NULL, &handle) != napi_ok) {
    engine_cancel(t);
    transfer_release(t);
    napi_throw_error(env, NULL, "creating a transfer handle");
    return NULL;
  }
  return handle;
}

static napi_value cancel(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result;
  void *t = NULL;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  CHECK(env, napi_get_value_external(env, argv[0], &t));
  CHECK(env, napi_get_boolean(env, engine_cancel(t), &result));
  return result;
}

static void free_addon(napi_env env, void *data, void *hint) {
  /* stop_addon has run as a cleanup hook by now (if init ran at all). */
  free(data);
}

NAPI_MODULE_INIT() {
  addon *a = calloc(1, sizeof *a);
  if (!a) return NULL;
  if (napi_set_instance_data(env, a, free_addon, NULL) != napi_ok) {
    free(a);
    return NULL;
  }
  napi_property_descriptor functions[] = {
      {"init", NULL, init, NULL, NULL, NULL, napi_default, NULL},
      {"start", NULL, start, NULL, NULL, NULL, napi_default, NULL},
      {"cancel", NULL, cancel, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, 3, functions) != napi_ok) return NULL;
  return exports;
}
