/*
 * columns.c - finding the columns of an order log (customer, date, amount,
 * and the optional order, product, category, channel, store and cost
 * columns) from its header names (English and Chinese), or from the user's
 * flags; and deciding whether the first row is a header.
 *
 * No paper. The name lists come from the files clv meets in practice:
 * lifetimes and BTYD examples, the UCI Online Retail export (CustomerID,
 * InvoiceDate, Quantity x UnitPrice), CLVTools (Id, Date, Price) and the
 * order exports of Chinese shop platforms (客户ID, 下单时间, 实付金额 ...).
 */
#include <stdio.h>
#include <string.h>

#include "ingest.h"
#include "parse.h"

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
    /* The optional columns of an order table (clv/orders.h). */
    [CLV__ROLE_ORDER] = {"orderid", "invoiceno", "invoice", "invoiceid",
                         "orderno", "ordernumber", "order", "transactionid",
                         "订单号", "订单编号", "订单id", "交易单号", NULL},
    [CLV__ROLE_PRODUCT] = {"productid", "stockcode", "sku", "skuid",
                           "productcode", "itemid", "product", "item",
                           "商品编码", "商品id", "商品编号", "货号", "sku编码",
                           NULL},
    [CLV__ROLE_PRODUCT_NAME] = {"productname", "description", "itemname",
                                "商品名称", "品名", "商品名", NULL},
    [CLV__ROLE_CATEGORY] = {"category", "productcategory", "categoryname",
                            "品类", "类目", "商品分类", "分类", "商品类目",
                            NULL},
    [CLV__ROLE_CHANNEL] = {"channel", "saleschannel", "orderchannel", "渠道",
                           "销售渠道", "下单渠道", NULL},
    [CLV__ROLE_ACQ_CHANNEL] = {"acquisitionchannel", "acquisitionsource",
                               "source", "utmsource", "来源渠道", "获客渠道",
                               "来源", NULL},
    [CLV__ROLE_STORE] = {"store", "storeid", "storename", "shop", "shopid",
                         "shopname", "门店", "店铺", "门店id", "店铺名称",
                         "门店名称", NULL},
    [CLV__ROLE_UNIT_COST] = {"unitcost", "costprice", "成本价", "进价",
                             "单位成本", NULL},
    [CLV__ROLE_COST] = {"cost", "totalcost", "cogs", "成本", "总成本",
                        "成本金额", NULL},
    [CLV__ROLE_MARGIN] = {"margin", "grossmargin", "marginrate",
                          "grossmarginrate", "毛利率", NULL},
};

/* 1 when norm is a name of one of the optional roles. */
static int optional_name(const char *norm) {
  for (int r = CLV__ROLE_ORDER; r < CLV__ROLE__COUNT; r++)
    for (int k = 0; role_names[r][k]; k++)
      if (strcmp(norm, role_names[r][k]) == 0)
        return 1;
  return 0;
}

int clv__colname_known(const char *norm) {
  for (int r = 0; r < CLV__ROLE_ORDER; r++)
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
      if (len >= 2 && strcmp(norm + len - 2, "id") == 0 && !optional_name(norm))
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

/* ---- header and core columns (the summariser and the order reader) ---- */

void clv__colname_copy(char *dst, size_t size, const clv__field *names,
                       int col) {
  if (col < 0) {
    dst[0] = '\0';
  } else if (names) {
    size_t n = names[col].len < size - 1 ? names[col].len : size - 1;
    memcpy(dst, names[col].p, n);
    dst[n] = '\0';
  } else {
    snprintf(dst, size, "column %d", col + 1);
  }
}

void clv__colname_list(char *buf, size_t size, const clv__field *f, size_t n,
                       int header) {
  size_t k = 0;
  if (!header) {
    snprintf(buf, size, "%zu fields and no header line", n);
    return;
  }
  buf[0] = '\0';
  for (size_t j = 0; j < n && k + 8 < size; j++) {
    char t[40];
    int w = snprintf(buf + k, size - k, "%s\"%s\"", j ? ", " : "",
                     clv__field_text(&f[j], t, sizeof t));
    if (w < 0 || (size_t)w >= size - k)
      break;
    k += (size_t)w;
  }
}

static int is_position(const char *spec) {
  return spec && spec[0] && strspn(spec, "0123456789") == strlen(spec);
}

/* 1 when the field parses as a date or (for amounts) an amount. */
static int parses_as_date(const clv__field *f, clv_date_order order) {
  int32_t day;
  clv_date_order hint = CLV_DATE_AUTO;
  return clv_date_parse(f->p, f->len, order, &hint, &day, NULL) == CLV_OK;
}

int clv__detect_header(const clv_ingest_opts *o, const char *const *more,
                       size_t n_more, const clv__field *f, size_t n) {
  char norm[128], want[128];
  const char *specs[5] = {o->customer_col, o->date_col, o->amount_col,
                          o->quantity_col, o->price_col};
  if (o->header >= 0)
    return o->header;
  for (size_t j = 0; j < n; j++) {
    clv__colname_norm(f[j].p, f[j].len, norm, sizeof norm);
    if (clv__colname_known(norm))
      return 1;
    for (size_t k = 0; k < 5 + n_more; k++) {
      const char *s = k < 5 ? specs[k] : more[k - 5];
      if (s && !is_position(s) &&
          strcmp(clv__colname_norm(s, strlen(s), want, sizeof want), norm) == 0)
        return 1;
    }
  }
  /* No known name: a header when the date column holds no date. */
  if (is_position(o->date_col)) {
    int col = clv__colname_resolve(o->date_col, NULL, n);
    return col < 0 || !parses_as_date(&f[col], o->date_order);
  }
  for (size_t j = 0; j < n; j++)
    if (parses_as_date(&f[j], o->date_order))
      return 0;
  return 1;
}

int clv__pick_columns(const clv_ingest_opts *o, const clv__field *f, size_t n,
                      int header, clv__plan *p, clv_ingest_report *rep,
                      char *why, size_t why_size) {
  const clv__field *names = header ? f : NULL;
  int rc = CLV_OK;
  char cols[300];
  memset(p, 0, sizeof *p);
  p->amount = p->qty = p->price = -1;
  p->order = o->date_order;
  clv__colname_list(cols, sizeof cols, f, n, header);
#define RESOLVE(spec, role, dst, label)                                        \
  do {                                                                         \
    if (spec) {                                                                \
      dst = clv__colname_resolve(spec, names, n);                              \
      if (dst < 0) {                                                           \
        snprintf(why, why_size, "expected %s column \"%s\", found %s", label,  \
                 spec, cols);                                                  \
        return CLV_ENOCOLUMN;                                                  \
      }                                                                        \
    } else {                                                                   \
      dst = header ? clv__colname_detect(role, f, n) : -1;                     \
    }                                                                          \
  } while (0)
  RESOLVE(o->date_col, CLV__ROLE_DATE, p->date, "a date");
  RESOLVE(o->customer_col, CLV__ROLE_CUSTOMER, p->cust, "a customer");
  if (!header && p->date < 0)
    for (size_t j = 0; j < n && p->date < 0; j++)
      if ((int)j != p->cust && parses_as_date(&f[j], o->date_order))
        p->date = (int)j;
  if (!header && p->cust < 0)
    for (size_t j = 0; j < n && p->cust < 0; j++)
      if ((int)j != p->date)
        p->cust = (int)j;
  if (p->date < 0 || p->cust < 0) {
    snprintf(why, why_size,
             "expected a %s column (a header such as %s, or %s), found %s",
             p->cust < 0 ? "customer" : "date",
             p->cust < 0 ? "customer_id" : "date",
             p->cust < 0 ? "--customer NAME|N" : "--date NAME|N", cols);
    return CLV_ENOCOLUMN;
  }
  if (!o->no_amount) {
    RESOLVE(o->amount_col, CLV__ROLE_AMOUNT, p->amount, "an amount");
    if (o->amount_col == NULL &&
        (p->amount < 0 || o->quantity_col || o->price_col)) {
      int q, pr;
      RESOLVE(o->quantity_col, CLV__ROLE_QUANTITY, q, "a quantity");
      RESOLVE(o->price_col, CLV__ROLE_PRICE, pr, "a price");
      if (q >= 0 && pr >= 0) {
        p->amount = -1;
        p->qty = q;
        p->price = pr;
      } else if (o->quantity_col || o->price_col) {
        snprintf(why, why_size,
                 "expected both a quantity and a unit price column, found %s",
                 cols);
        return CLV_ENOCOLUMN;
      } else if (pr >= 0 && p->amount < 0) {
        p->amount = pr; /* CLVTools' "Price" is the order's amount */
      }
    }
    if (!header && p->amount < 0 && p->qty < 0) {
      double v;
      for (size_t j = n; j-- > 0 && p->amount < 0;)
        if ((int)j != p->cust && (int)j != p->date &&
            clv__parse_amount(f[j].p, f[j].len, &v))
          p->amount = (int)j;
    }
  }
  p->with_amount = p->amount >= 0 || p->qty >= 0;
  int cols_used[5] = {p->cust, p->date, p->amount, p->qty, p->price};
  for (int k = 0; k < 5; k++)
    if (cols_used[k] >= 0 && (size_t)cols_used[k] + 1 > p->need)
      p->need = (size_t)cols_used[k] + 1;
  clv__colname_copy(rep->customer_col, sizeof rep->customer_col, names,
                    p->cust);
  clv__colname_copy(rep->date_col, sizeof rep->date_col, names, p->date);
  if (p->qty >= 0) {
    char a[128], b[128];
    clv__colname_copy(a, sizeof a, names, p->qty);
    clv__colname_copy(b, sizeof b, names, p->price);
    snprintf(rep->amount_col, sizeof rep->amount_col, "%s x %s", a, b);
  } else {
    clv__colname_copy(rep->amount_col, sizeof rep->amount_col, names,
                      p->amount);
  }
#undef RESOLVE
  return rc;
}

void clv__field_error(const clv__csv *c, const clv__field *f,
                      const char *expected, clv_error *e) {
  char text[64];
  if (f->len == 0)
    clv__csv_error(c, e, clv__csv_line(c), (long)f->column,
                   "expected %s, found an empty field", expected);
  else
    clv__csv_error(c, e, clv__csv_line(c), (long)f->column,
                   "expected %s, found \"%s\"", expected,
                   clv__field_text(f, text, sizeof text));
}

int clv__fill_error(clv_error *err, int status, const char *name, long line,
                    const char *msg) {
  if (err) {
    clv_error_clear(err);
    err->status = status;
    snprintf(err->file, sizeof err->file, "%s", name ? name : "");
    err->line = line;
    err->column = line ? 1 : 0;
    snprintf(err->message, sizeof err->message, "%s", msg);
  }
  return status;
}
