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

/* Chinese messages, in the order of CLV_STATUS_MAP (checked below). */
static const char *const messages_zh[] = {
    "成功",
    "内存不足",
    "参数无效",
    "输入/输出错误",
    "输入数据格式有误",
    "未找到所需的列",
    "没有可用的数据",
    "数值超出其定义域",
    "数值计算失败（非有限值）",
    "优化器未收敛",
    "不支持或无法识别的格式",
    "未知的模型族",
    "数值过大，无法表示",
    "此模型不支持该操作",
};
_Static_assert(sizeof messages_zh / sizeof messages_zh[0] == CLV__STATUS_COUNT,
               "one Chinese message per status of CLV_STATUS_MAP");

const char *clv_strerror_zh(int status) {
  if (status < 0 || status >= CLV__STATUS_COUNT)
    return "未知状态";
  return messages_zh[status];
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
