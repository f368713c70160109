/*
 * products_io.c - the writers of the product tables (see clv/products.h):
 * CSV files with English column names, a readable account, and one JSON
 * object of aggregates for the report (top lines only, no per-customer
 * lists).
 */
#include <math.h>
#include <string.h>

#include "products.h"
#include "textout.h"

static const char *const FILES[CLV_PT__COUNT] = {
    "products.csv",       "categories.csv",     "product_tiers.csv",
    "top_products.csv",   "first_products.csv", "pairs.csv",
    "recommendations.csv"};

const char *clv_products_file_name(clv_products_table t) {
  return (unsigned)t < CLV_PT__COUNT ? FILES[t] : NULL;
}

static void put_text(FILE *f, const char *s) {
  clv__put_csv_field(f, s, strlen(s));
}

static const char *key_text(const clv_products *r, clv_attr a, uint32_t k) {
  return k == CLV_NO_KEY ? "" : clv_orders_key_text(r->base->orders, a, k);
}

static const char *product_name(const clv_products *r, uint32_t k) {
  return k == CLV_NO_KEY ? "" : clv_orders_product_name(r->base->orders, k);
}

/* The money columns of a line, after its leading fields. */
static void put_line(FILE *f, const clv_product_line *l) {
  const double v[] = {l->revenue,        l->refunds,        l->net,
                      l->cost,           l->margin,         l->units,
                      (double)l->orders, (double)l->buyers, l->anonymous};
  for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
    fputc(',', f);
    clv__fput_num(f, v[i]);
  }
  fputc('\n', f);
}

static const char LINE_COLS[] = "revenue,refunds,net_revenue,cost,margin,"
                                "units,orders,buyers,anonymous_revenue\n";

static void write_products(const clv_products *r, FILE *f) {
  fprintf(f, "product_id,product_name,%s", LINE_COLS);
  for (size_t i = 0; i < r->n_products; i++) {
    const clv_product_line *l = &r->products[i];
    put_text(f, key_text(r, CLV_ATTR_PRODUCT, l->key));
    fputc(',', f);
    put_text(f, product_name(r, l->key));
    put_line(f, &r->products[i]);
  }
  fputs("total,", f);
  put_line(f, &r->total);
}

static void write_categories(const clv_products *r, FILE *f) {
  fprintf(f, "category,%s", LINE_COLS);
  for (size_t i = 0; i < r->n_categories; i++) {
    put_text(f, key_text(r, CLV_ATTR_CATEGORY, r->categories[i].key));
    put_line(f, &r->categories[i]);
  }
  fputs("total", f);
  put_line(f, &r->total);
}

/* Long format: one row per product and tier with rows; the total rows give
 * per tier the customers in it (buyers column) and its net revenue. */
static void write_tiers(const clv_products *r, int zh, FILE *f) {
  fputs("product_id,product_name,tier,buyers,net_revenue,share_of_product\n",
        f);
  for (size_t i = 0; i < r->n_products; i++) {
    const clv_product_line *l = &r->products[i];
    for (int t = 0; t < CLV_PTIER__COUNT; t++) {
      double net = r->tier_net[i * CLV_PTIER__COUNT + (size_t)t];
      uint64_t buyers = r->tier_buyers[i * CLV_PTIER__COUNT + (size_t)t];
      if (net == 0 && buyers == 0)
        continue;
      put_text(f, key_text(r, CLV_ATTR_PRODUCT, l->key));
      fputc(',', f);
      put_text(f, product_name(r, l->key));
      fputc(',', f);
      put_text(f, clv_products_tier_label(t, zh));
      fprintf(f, ",%llu,", (unsigned long long)buyers);
      clv__fput_num(f, net);
      fputc(',', f);
      clv__fput_num(f, l->net != 0 ? net / l->net : NAN);
      fputc('\n', f);
    }
  }
  for (int t = 0; t < CLV_PTIER__COUNT; t++) {
    fputs("total,,", f);
    put_text(f, clv_products_tier_label(t, zh));
    fprintf(f, ",%llu,", (unsigned long long)r->tier_customers[t]);
    clv__fput_num(f, r->tier_total_net[t]);
    fputc(',', f);
    clv__fput_num(f, r->total.net != 0 ? r->tier_total_net[t] / r->total.net
                                       : NAN);
    fputc('\n', f);
  }
}

static void write_top(const clv_products *r, FILE *f) {
  fputs("product_id,product_name,top_buyers,buyers,top_share,all_share,"
        "lift\n",
        f);
  for (size_t i = 0; i < r->n_lift; i++) {
    const clv_product_lift *l = &r->lift[i];
    put_text(f, key_text(r, CLV_ATTR_PRODUCT, l->product));
    fputc(',', f);
    put_text(f, product_name(r, l->product));
    fprintf(f, ",%llu,%llu,", (unsigned long long)l->top_buyers,
            (unsigned long long)l->buyers);
    clv__fput_num(f, l->top_share);
    fputc(',', f);
    clv__fput_num(f, l->all_share);
    fputc(',', f);
    clv__fput_num(f, l->lift);
    fputc('\n', f);
  }
  /* The group sizes the shares divide by. */
  fprintf(f, "total,,%llu,%llu,1,1,1\n", (unsigned long long)r->top_count,
          (unsigned long long)r->scored);
}

static void write_first(const clv_products *r, FILE *f) {
  fputs("product_id,product_name,customers,mean_clv,mean_p_alive\n", f);
  for (size_t i = 0; i < r->n_first; i++) {
    const clv_first_product *p = &r->first[i];
    put_text(f, key_text(r, CLV_ATTR_PRODUCT, p->product));
    fputc(',', f);
    put_text(f, product_name(r, p->product));
    fprintf(f, ",%llu,", (unsigned long long)p->customers);
    clv__fput_num(f, p->mean_value);
    fputc(',', f);
    clv__fput_num(f, p->mean_p_alive);
    fputc('\n', f);
  }
}

static void write_pairs(const clv_products *r, FILE *f) {
  fputs("product_a,name_a,product_b,name_b,count,count_a,count_b,support,"
        "confidence_ab,confidence_ba,lift\n",
        f);
  for (size_t i = 0; i < r->n_pairs; i++) {
    const clv_product_pair *p = &r->pairs[i];
    put_text(f, key_text(r, CLV_ATTR_PRODUCT, p->a));
    fputc(',', f);
    put_text(f, product_name(r, p->a));
    fputc(',', f);
    put_text(f, key_text(r, CLV_ATTR_PRODUCT, p->b));
    fputc(',', f);
    put_text(f, product_name(r, p->b));
    fprintf(f, ",%llu,%llu,%llu,", (unsigned long long)p->count,
            (unsigned long long)p->count_a, (unsigned long long)p->count_b);
    const double v[] = {p->support, p->conf_ab, p->conf_ba, p->lift};
    for (size_t k = 0; k < 4; k++) {
      if (k)
        fputc(',', f);
      clv__fput_num(f, v[k]);
    }
    fputc('\n', f);
  }
}

static void write_recs(const clv_products *r, int zh, FILE *f) {
  fputs("customer_id,reason,value,p_alive,suggested_product,product_name,"
        "score,rank,because_product,lift\n",
        f);
  for (size_t i = 0; i < r->n_recs; i++) {
    const clv_product_rec *q = &r->recs[i];
    size_t len = 0;
    const char *id = clv_orders_customer_id(r->base->orders, q->customer, &len);
    char reason[160], lift[32];
    clv__fmt_sig(q->lift, 3, lift, sizeof lift);
    snprintf(reason, sizeof reason,
             zh ? "已购 %s (提升度 %s)" : "bought %s (lift %s)",
             key_text(r, CLV_ATTR_PRODUCT, q->because), lift);
    clv__put_csv_field(f, id, len);
    fputc(',', f);
    put_text(f, reason);
    fputc(',', f);
    clv__fput_num(f, q->value);
    fputc(',', f);
    clv__fput_num(f, q->p_alive);
    fputc(',', f);
    put_text(f, key_text(r, CLV_ATTR_PRODUCT, q->product));
    fputc(',', f);
    put_text(f, product_name(r, q->product));
    fputc(',', f);
    clv__fput_num(f, q->score);
    fprintf(f, ",%u,", q->rank);
    put_text(f, key_text(r, CLV_ATTR_PRODUCT, q->because));
    fputc(',', f);
    clv__fput_num(f, q->lift);
    fputc('\n', f);
  }
}

int clv_products_write_csv(const clv_products *r, clv_products_table t, int zh,
                           FILE *f) {
  if (!r || !f || (unsigned)t >= CLV_PT__COUNT)
    return CLV_EINVAL;
  switch (t) {
  case CLV_PT_PRODUCTS:
    write_products(r, f);
    break;
  case CLV_PT_CATEGORIES:
    write_categories(r, f);
    break;
  case CLV_PT_TIERS:
    write_tiers(r, zh, f);
    break;
  case CLV_PT_TOP:
    write_top(r, f);
    break;
  case CLV_PT_FIRST:
    write_first(r, f);
    break;
  case CLV_PT_PAIRS:
    write_pairs(r, f);
    break;
  default:
    write_recs(r, zh, f);
    break;
  }
  return ferror(f) ? CLV_EIO : CLV_OK;
}

/* Text: a name cut to `w` bytes without splitting a UTF-8 character. */
static void put_cut(FILE *f, const char *s, int w) {
  size_t n = strlen(s);
  if (n > (size_t)w) {
    n = (size_t)w;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
      n--;
  }
  fprintf(f, "%-*.*s", w, (int)n, s);
}

static const char *unit_name(const clv_products *r, int zh) {
  static const char *const en[] = {"orders", "customer-days", "customers"};
  static const char *const cn[] = {"订单", "客户-日", "客户"};
  return zh ? cn[r->pair_unit] : en[r->pair_unit];
}

int clv_products_write_text(const clv_products *r, size_t n, int zh, FILE *f) {
  if (!r || !f)
    return CLV_EINVAL;
  const clv_product_line *t = &r->total;
  fprintf(f, "%s\n", zh ? "商品盈利 (按净收入)" : "Products by net revenue");
  fprintf(f, "  %-14s %-28s %12s %10s %12s %12s %7s %7s\n", "product", "name",
          "revenue", "refunds", "net", "margin", "orders", "buyers");
  for (size_t i = 0; i < r->n_products && i < n; i++) {
    const clv_product_line *l = &r->products[i];
    fputs("  ", f);
    put_cut(f,
            l->key == CLV_NO_KEY ? "(none)"
                                 : key_text(r, CLV_ATTR_PRODUCT, l->key),
            14);
    fputc(' ', f);
    put_cut(f, product_name(r, l->key), 28);
    fprintf(f, " %12.2f %10.2f %12.2f %12.2f %7llu %7llu\n", l->revenue,
            l->refunds, l->net, l->margin, (unsigned long long)l->orders,
            (unsigned long long)l->buyers);
  }
  fprintf(f, "  %-43s %12.2f %10.2f %12.2f %12.2f %7llu %7llu\n", "total",
          t->revenue, t->refunds, t->net, t->margin,
          (unsigned long long)t->orders, (unsigned long long)t->buyers);
  fprintf(f, "  %s %.2f; %zu %s\n",
          zh ? "无客户编号的净收入" : "net revenue without a customer id",
          t->anonymous, r->n_products, zh ? "个商品" : "products");
  if (!r->has_cost)
    fprintf(f, "  %s\n",
            zh ? "无成本列: 不计毛利" : "no cost column: margin not computed");
  if (r->n_categories) {
    fprintf(f, "\n%s\n", zh ? "品类" : "Categories by net revenue");
    for (size_t i = 0; i < r->n_categories && i < n; i++) {
      const clv_product_line *l = &r->categories[i];
      fputs("  ", f);
      put_cut(f,
              l->key == CLV_NO_KEY ? "(none)"
                                   : key_text(r, CLV_ATTR_CATEGORY, l->key),
              43);
      fprintf(f, " %12.2f %10.2f %12.2f %12.2f %7llu %7llu\n", l->revenue,
              l->refunds, l->net, l->margin, (unsigned long long)l->orders,
              (unsigned long long)l->buyers);
    }
  }
  fprintf(f, "\n%s (%llu / %llu %s)\n",
          zh ? "高价值客户偏好的商品" : "What high-value customers buy",
          (unsigned long long)r->top_count, (unsigned long long)r->scored,
          zh ? "位客户" : "customers");
  fprintf(f, "  %-14s %-28s %10s %10s %7s\n", "product", "name", "top_share",
          "all_share", "lift");
  for (size_t i = 0; i < r->n_lift && i < n; i++) {
    const clv_product_lift *l = &r->lift[i];
    fputs("  ", f);
    put_cut(f, key_text(r, CLV_ATTR_PRODUCT, l->product), 14);
    fputc(' ', f);
    put_cut(f, product_name(r, l->product), 28);
    fprintf(f, " %9.1f%% %9.1f%% %7.2f\n", 100 * l->top_share,
            100 * l->all_share, l->lift);
  }
  fprintf(f, "\n%s\n",
          zh ? "首购商品 (按带来客户的平均CLV)"
             : "First-purchase products by the mean CLV of "
               "the customers they brought in");
  fprintf(f, "  %-14s %-28s %9s %12s %8s\n", "product", "name", "customers",
          "mean_clv", "p_alive");
  for (size_t i = 0; i < r->n_first && i < n; i++) {
    const clv_first_product *p = &r->first[i];
    fputs("  ", f);
    put_cut(f, key_text(r, CLV_ATTR_PRODUCT, p->product), 14);
    fputc(' ', f);
    put_cut(f, product_name(r, p->product), 28);
    fprintf(f, " %9llu %12.2f %8.3f\n", (unsigned long long)p->customers,
            p->mean_value, p->mean_p_alive);
  }
  fprintf(f, "\n%s: %llu %s", zh ? "交叉销售组合" : "Cross-sell pairs",
          (unsigned long long)r->units, unit_name(r, zh));
  if (r->pair_unit == CLV_PAIRS_WINDOW)
    fprintf(f, zh ? ", %d 天内" : " within %d days", r->opts.window_days);
  if (r->units_skipped)
    fprintf(f,
            zh ? ", %llu 个超过 %zu 种商品未计"
               : ", %llu with more than "
                 "%zu products left out",
            (unsigned long long)r->units_skipped, r->opts.max_basket);
  fprintf(f,
          zh ? "; %zu / %llu 组达到支持度\n"
             : "; %zu of %llu pairs reach the support\n",
          r->n_pairs, (unsigned long long)r->pairs_seen);
  fprintf(f, "  %-14s %-14s %7s %9s %8s %8s %7s\n", "product_a", "product_b",
          "count", "support", "conf_ab", "conf_ba", "lift");
  for (size_t i = 0; i < r->n_pairs && i < n; i++) {
    const clv_product_pair *p = &r->pairs[i];
    fputs("  ", f);
    put_cut(f, key_text(r, CLV_ATTR_PRODUCT, p->a), 14);
    fputc(' ', f);
    put_cut(f, key_text(r, CLV_ATTR_PRODUCT, p->b), 14);
    fprintf(f, " %7llu %9.4f %8.3f %8.3f %7.2f\n", (unsigned long long)p->count,
            p->support, p->conf_ab, p->conf_ba, p->lift);
  }
  fprintf(f, "\n%s: %zu\n",
          zh ? "推荐 (客户 x 商品)" : "Recommendations (customer x product)",
          r->n_recs);
  return ferror(f) ? CLV_EIO : CLV_OK;
}

static void json_key(FILE *f, const char *k) {
  clv__put_json_string(f, k, strlen(k));
  fputc(':', f);
}

static void json_text(FILE *f, const char *k, const char *v) {
  json_key(f, k);
  clv__put_json_string(f, v, strlen(v));
}

static void json_num(FILE *f, const char *k, double v) {
  json_key(f, k);
  clv__fput_json_num(f, v);
}

static void json_line(FILE *f, const clv_product_line *l) {
  json_num(f, "revenue", l->revenue);
  fputc(',', f);
  json_num(f, "refunds", l->refunds);
  fputc(',', f);
  json_num(f, "net_revenue", l->net);
  fputc(',', f);
  json_num(f, "cost", l->cost);
  fputc(',', f);
  json_num(f, "margin", l->margin);
  fputc(',', f);
  json_num(f, "units", l->units);
  fputc(',', f);
  json_num(f, "orders", (double)l->orders);
  fputc(',', f);
  json_num(f, "buyers", (double)l->buyers);
  fputc(',', f);
  json_num(f, "anonymous_revenue", l->anonymous);
}

int clv_products_write_json(const clv_products *r, size_t n, FILE *f) {
  static const char *const units[] = {"order", "customer_day", "window"};
  if (!r || !f)
    return CLV_EINVAL;
  fputs("{\"total\":{", f);
  json_line(f, &r->total);
  fputs("},", f);
  json_num(f, "has_cost", r->has_cost);
  fputs(",\"products\":[", f);
  for (size_t i = 0; i < r->n_products && i < n; i++) {
    const clv_product_line *l = &r->products[i];
    fputs(i ? ",{" : "{", f);
    json_text(f, "product_id", key_text(r, CLV_ATTR_PRODUCT, l->key));
    fputc(',', f);
    json_text(f, "name", product_name(r, l->key));
    fputc(',', f);
    json_line(f, l);
    fputc('}', f);
  }
  fputs("],\"categories\":[", f);
  for (size_t i = 0; i < r->n_categories && i < n; i++) {
    fputs(i ? ",{" : "{", f);
    json_text(f, "category",
              key_text(r, CLV_ATTR_CATEGORY, r->categories[i].key));
    fputc(',', f);
    json_line(f, &r->categories[i]);
    fputc('}', f);
  }
  fputs("],\"tiers\":[", f);
  for (int t = 0; t < CLV_PTIER__COUNT; t++) {
    fputs(t ? ",{" : "{", f);
    json_text(f, "tier", clv_products_tier_label(t, 0));
    fputc(',', f);
    json_text(f, "tier_zh", clv_products_tier_label(t, 1));
    fputc(',', f);
    json_num(f, "customers", (double)r->tier_customers[t]);
    fputc(',', f);
    json_num(f, "net_revenue", r->tier_total_net[t]);
    fputc('}', f);
  }
  fputs("],", f);
  json_num(f, "top_customers", (double)r->top_count);
  fputc(',', f);
  json_num(f, "scored_customers", (double)r->scored);
  fputs(",\"top_products\":[", f);
  for (size_t i = 0; i < r->n_lift && i < n; i++) {
    const clv_product_lift *l = &r->lift[i];
    fputs(i ? ",{" : "{", f);
    json_text(f, "product_id", key_text(r, CLV_ATTR_PRODUCT, l->product));
    fputc(',', f);
    json_text(f, "name", product_name(r, l->product));
    fputc(',', f);
    json_num(f, "top_share", l->top_share);
    fputc(',', f);
    json_num(f, "all_share", l->all_share);
    fputc(',', f);
    json_num(f, "lift", l->lift);
    fputc('}', f);
  }
  fputs("],\"first_products\":[", f);
  for (size_t i = 0; i < r->n_first && i < n; i++) {
    const clv_first_product *p = &r->first[i];
    fputs(i ? ",{" : "{", f);
    json_text(f, "product_id", key_text(r, CLV_ATTR_PRODUCT, p->product));
    fputc(',', f);
    json_text(f, "name", product_name(r, p->product));
    fputc(',', f);
    json_num(f, "customers", (double)p->customers);
    fputc(',', f);
    json_num(f, "mean_clv", p->mean_value);
    fputc('}', f);
  }
  fputs("],", f);
  json_text(f, "pair_unit", units[r->pair_unit]);
  fputc(',', f);
  json_num(f, "units", (double)r->units);
  fputs(",\"pairs\":[", f);
  for (size_t i = 0; i < r->n_pairs && i < n; i++) {
    const clv_product_pair *p = &r->pairs[i];
    fputs(i ? ",{" : "{", f);
    json_text(f, "a", key_text(r, CLV_ATTR_PRODUCT, p->a));
    fputc(',', f);
    json_text(f, "name_a", product_name(r, p->a));
    fputc(',', f);
    json_text(f, "b", key_text(r, CLV_ATTR_PRODUCT, p->b));
    fputc(',', f);
    json_text(f, "name_b", product_name(r, p->b));
    fputc(',', f);
    json_num(f, "count", (double)p->count);
    fputc(',', f);
    json_num(f, "support", p->support);
    fputc(',', f);
    json_num(f, "confidence_ab", p->conf_ab);
    fputc(',', f);
    json_num(f, "confidence_ba", p->conf_ba);
    fputc(',', f);
    json_num(f, "lift", p->lift);
    fputc('}', f);
  }
  fputs("]}\n", f);
  return ferror(f) ? CLV_EIO : CLV_OK;
}
