/*
 * clv/status.h - the one status list of libclv.
 *
 * Every library function that can fail returns an int status: CLV_OK (0) on
 * success, otherwise one of the codes below. The enum and the messages come
 * from the same X-macro list, so they cannot drift apart (libuv's error map).
 */
#ifndef CLV_STATUS_H
#define CLV_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

/* X(NAME, message). Append new codes at the end: the numbers are stable. */
#define CLV_STATUS_MAP(X)                                                      \
  X(OK, "success")                                                             \
  X(ENOMEM, "out of memory")                                                   \
  X(EINVAL, "invalid argument")                                                \
  X(EIO, "input/output error")                                                 \
  X(EPARSE, "malformed input data")                                            \
  X(ENOCOLUMN, "required column not found")                                    \
  X(EEMPTY, "no usable data")                                                  \
  X(EDOMAIN, "value outside its domain")                                       \
  X(ENUMERIC, "numerical failure (non-finite value)")                          \
  X(ENOCONV, "optimiser did not converge")                                     \
  X(EFORMAT, "unsupported or unrecognised format")                            \
  X(EMODEL, "unknown model family")                                            \
  X(EOVERFLOW, "value too large to represent")                                 \
  X(EUNSUPPORTED, "operation not supported by this model")

typedef enum clv_status {
#define CLV__STATUS_ENUM(name, msg) CLV_##name,
  CLV_STATUS_MAP(CLV__STATUS_ENUM)
#undef CLV__STATUS_ENUM
  CLV__STATUS_COUNT
} clv_status;

/* A static English message for a status; never NULL ("unknown status" for a
 * number outside the list). */
const char *clv_strerror(int status);

/* The same message in Chinese (UTF-8, static; "未知状态" outside the
 * list). */
const char *clv_strerror_zh(int status);

/* The code's symbolic name without the prefix, for example "EPARSE". */
const char *clv_status_name(int status);

/*
 * Where and why input data was rejected. Functions that read data take an
 * optional `clv_error *`; on a data error they fill it (file, 1-based line and
 * column, and a message saying what was expected and what was found) and
 * return CLV_EPARSE or CLV_ENOCOLUMN. line/column are 0 when not applicable.
 */
typedef struct clv_error {
  int status;
  char file[256];
  long line;
  long column;
  char message[512];
} clv_error;

/* Resets an error record to "no error". Accepts NULL. */
void clv_error_clear(clv_error *err);

/* Formats "file:line:column: message" (parts that are unknown are left out)
 * into buf, truncating to size. Returns buf. */
char *clv_error_format(const clv_error *err, char *buf, unsigned long size);

#ifdef __cplusplus
}
#endif
#endif
