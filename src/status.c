/*
 * status.c - clv_strerror() and the error record, generated from the one
 * status list in clv/status.h.
 */
#include "clv.h"

#include <stdio.h>
#include <string.h>

static const char *const messages[] = {
#define MSG(name, msg) msg,
    CLV_STATUS_MAP(MSG)
#undef MSG
};

static const char *const names[] = {
#define NAME(name, msg) #name,
    CLV_STATUS_MAP(NAME)
#undef NAME
};

const char *clv_strerror(int status) {
  if (status < 0 || status >= CLV__STATUS_COUNT)
    return "unknown status";
  return messages[status];
}

const char *clv_status_name(int status) {
  if (status < 0 || status >= CLV__STATUS_COUNT)
    return "UNKNOWN";
  return names[status];
}

void clv_error_clear(clv_error *err) {
  if (err == NULL)
    return;
  memset(err, 0, sizeof *err);
}

char *clv_error_format(const clv_error *err, char *buf, unsigned long size) {
  if (buf == NULL || size == 0)
    return buf;
  buf[0] = '\0';
  if (err == NULL)
    return buf;
  const char *msg = err->message[0] ? err->message : clv_strerror(err->status);
  if (err->file[0] && err->line > 0 && err->column > 0)
    snprintf(buf, size, "%s:%ld:%ld: %s", err->file, err->line, err->column,
             msg);
  else if (err->file[0] && err->line > 0)
    snprintf(buf, size, "%s:%ld: %s", err->file, err->line, msg);
  else if (err->file[0])
    snprintf(buf, size, "%s: %s", err->file, msg);
  else
    snprintf(buf, size, "%s", msg);
  return buf;
}
