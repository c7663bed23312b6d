/*
 * Captures what the process writes to file descriptor 2 while a library loads.
 *
 * TensorFlow's libraries log from their static initializers (oneDNN's "custom operations are
 * on", on CPUs with AVX512_VNNI, BF16 or AMX) through absl before any log threshold applies, so
 * neither TF_CPP_MIN_LOG_LEVEL nor absl::SetMinLogLevel can silence them: the only place to
 * catch those lines is the descriptor itself. begin() points descriptor 2 at an anonymous
 * temporary file; end() points it back and returns what was written, for the caller to filter
 * and pass on. The addon links nothing of TensorFlow, so it loads before it.
 */
#include <node_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

static int saved_fd = -1;
static FILE *capture_file = NULL;

static napi_value throw_error(napi_env env, const char *message) {
  napi_throw_error(env, NULL, message);
  return NULL;
}

static napi_value begin(napi_env env, napi_callback_info info) {
  (void)info;
  if (saved_fd >= 0) return throw_error(env, "stderr capture: already capturing");
  capture_file = tmpfile();
  if (capture_file == NULL) return throw_error(env, "stderr capture: tmpfile() failed");
  fflush(stderr);
  saved_fd = dup(2);
  if (saved_fd < 0 || dup2(fileno(capture_file), 2) < 0) {
    if (saved_fd >= 0) close(saved_fd);
    saved_fd = -1;
    fclose(capture_file);
    capture_file = NULL;
    return throw_error(env, "stderr capture: dup2() failed");
  }
  return NULL;
}

static napi_value end(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result;
  if (saved_fd < 0) return throw_error(env, "stderr capture: not capturing");
  fflush(stderr);
  dup2(saved_fd, 2);
  close(saved_fd);
  saved_fd = -1;
  /* The writes went to the descriptor, not through the FILE: its own position knows nothing. */
  int fd = fileno(capture_file);
  off_t size = lseek(fd, 0, SEEK_END);
  if (size < 0) size = 0;
  char *text = malloc((size_t)size + 1);
  size_t got = 0;
  if (text != NULL && lseek(fd, 0, SEEK_SET) == 0) {
    while (got < (size_t)size) {
      ssize_t n = read(fd, text + got, (size_t)size - got);
      if (n <= 0) break;
      got += (size_t)n;
    }
  }
  fclose(capture_file);
  capture_file = NULL;
  if (text == NULL) return throw_error(env, "stderr capture: out of memory");
  napi_status status = napi_create_string_utf8(env, text, got, &result);
  free(text);
  if (status != napi_ok) return throw_error(env, "stderr capture: the captured text is not a string");
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
    {"begin", NULL, begin, NULL, NULL, NULL, napi_default, NULL},
    {"end", NULL, end, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof(properties) / sizeof(properties[0]), properties);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
