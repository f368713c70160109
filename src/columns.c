/*
 * columns.c - finding the customer, date and amount columns of an order log
 * from its header names (English and Chinese), or from the user's flags.
 *
 * No paper. The name lists come from the files clv meets in practice:
 * lifetimes and BTYD examples, the UCI Online Retail export (CustomerID,
 * InvoiceDate, Quantity x UnitPrice), CLVTools (Id, Date, Price) and the
 * order exports of Chinese shop platforms (客户ID, 下单时间, 实付金额 ...).
 */
#include <string.h>

#include "ingest.h"

char *clv__colname_norm(const char *p, size_t n, char *out, size_t size) {
  size_t k = 0;
  for (size_t i = 0; i < n && k + 1 < size; i++) {
    unsigned char ch = (unsigned char)p[i];
    if (ch >= 'A' && ch <= 'Z')
      out[k++] = (char)(ch - 'A' + 'a');
    else if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch >= 0x80)
      out[k++] = (char)ch;
    /* Other ASCII (blanks, '_', '.', '-', '#') is dropped. */
  }
  out[k] = '\0';
  return out;
}

/* Names per role, normalised, in priority order: when a header has several
 * matching columns, the earlier name in the list wins (customer_id over a
 * bare id, for instance). */
static const char *const role_names[CLV__ROLE__COUNT][16] = {
    [CLV__ROLE_CUSTOMER] = {"customerid", "customer", "cust", "userid",
                            "memberid", "buyerid", "客户id", "客户编号",
                            "会员id", "会员编号", "用户id", "买家id", "id",
                            NULL},
    [CLV__ROLE_DATE] = {"date", "invoicedate", "orderdate", "ordertime",
                        "createdat", "timestamp", "日期", "下单时间",
                        "订单日期", "支付时间", "交易时间", NULL},
    [CLV__ROLE_AMOUNT] = {"amount", "revenue", "sales", "total", "pricetotal",
                          "dollarvalue", "金额", "实付金额", "订单金额",
                          "销售额", "支付金额", "实收金额", NULL},
    [CLV__ROLE_QUANTITY] = {"quantity", "qty", "数量", NULL},
    [CLV__ROLE_PRICE] = {"unitprice", "price", "单价", NULL},
};

int clv__colname_known(const char *norm) {
  for (int r = 0; r < CLV__ROLE__COUNT; r++)
    for (int k = 0; role_names[r][k]; k++)
      if (strcmp(norm, role_names[r][k]) == 0)
        return 1;
  return 0;
}

int clv__colname_detect(clv__role role, const clv__field *names, size_t n) {
  char norm[128];
  for (int k = 0; role_names[role][k]; k++)
    for (size_t j = 0; j < n; j++)
      if (strcmp(clv__colname_norm(names[j].p, names[j].len, norm, sizeof norm),
                 role_names[role][k]) == 0)
        return (int)j;
  if (role == CLV__ROLE_CUSTOMER) {
    /* BTYD's "masterid", "sampleid" and the like: the first *id column. */
    for (size_t j = 0; j < n; j++) {
      size_t len = strlen(
          clv__colname_norm(names[j].p, names[j].len, norm, sizeof norm));
      if (len >= 2 && strcmp(norm + len - 2, "id") == 0)
        return (int)j;
    }
  }
  return -1;
}

int clv__colname_resolve(const char *spec, const clv__field *names, size_t n) {
  char want[128], norm[128];
  size_t len = strlen(spec);
  if (len > 0 && strspn(spec, "0123456789") == len && len < 9) {
    long k = 0;
    for (size_t i = 0; i < len; i++)
      k = k * 10 + (spec[i] - '0');
    return k >= 1 && (size_t)k <= n ? (int)(k - 1) : -1;
  }
  if (names == NULL)
    return -1;
  /* An exact match first, then one after normalisation. */
  for (size_t j = 0; j < n; j++)
    if (names[j].len == len && memcmp(names[j].p, spec, len) == 0)
      return (int)j;
  clv__colname_norm(spec, len, want, sizeof want);
  if (want[0] == '\0')
    return -1;
  for (size_t j = 0; j < n; j++)
    if (strcmp(clv__colname_norm(names[j].p, names[j].len, norm, sizeof norm),
               want) == 0)
      return (int)j;
  return -1;
}

const char *clv__field_text(const clv__field *f, char *buf, size_t size) {
  size_t n = f->len < size - 4 ? f->len : size - 4;
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)f->p[i];
    buf[i] = (ch >= 0x20 && ch != 0x7F) ? (char)ch : '?';
  }
  if (n < f->len)
    memcpy(buf + n, "...", 4);
  else
    buf[n] = '\0';
  return buf;
}
