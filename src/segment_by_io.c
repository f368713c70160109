/*
 * segment_by_io.c - writers of the "predict separately" split of clv
 * segment --by: CSV (segments_by.csv), the JSON member of segments.json and
 * aligned text. The split itself is computed in segment_by.c.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "segment.h"
#include "textout.h"

/* Which spend model valued the segment's purchases. */
static const char *spend_source(const clv_seg_split *r,
                                const clv_seg_by_group *g) {
  if (r->spend_np == 0)
    return "none";
  return g->fallback || g->spend_pooled ? "pooled" : "segment";
}

static void put_csv_row(FILE *f, const clv_seg_split *r,
                        const clv_seg_by_group *g, int total) {
  clv__put_csv_field(f, r->column, strlen(r->column));
  fputc(',', f);
  clv__put_csv_field(f, g->label, strlen(g->label));
  const double v[] = {g->customers, g->repeat_buyers, g->historic, g->pooled,
                      g->separate,  g->diff,          g->diff_pct};
  for (size_t k = 0; k < sizeof v / sizeof v[0]; k++) {
    fputc(',', f);
    clv__fput_num(f, v[k]);
  }
  if (total)
    fprintf(f, ",%zu,", r->n - r->fallbacks);
  else
    fprintf(f, ",%d,%s", !g->fallback, spend_source(r, g));
  for (int i = 0; i < r->tx_np; i++) {
    fputc(',', f);
    if (i < g->tx_np)
      clv__fput_num(f, g->tx[i]);
    fputc(',', f);
    if (i < g->tx_np)
      clv__fput_num(f, g->tx_se[i]);
  }
  for (int i = 0; i < r->spend_np; i++) {
    fputc(',', f);
    if (i < g->spend_np)
      clv__fput_num(f, g->spend[i]);
  }
  fputc(',', f);
  clv__put_csv_field(f, g->reason, strlen(g->reason));
  fputc('\n', f);
}

int clv_seg_split_write_csv(const clv_seg_split *r, FILE *f) {
  fputs("column,segment,customers,repeat_buyers,historic,pooled_value,"
        "separate_value,diff,diff_pct,fitted,spend_model",
        f);
  for (int i = 0; i < r->tx_np; i++)
    fprintf(f, ",%s,%s_se", r->tx_name[i], r->tx_name[i]);
  for (int i = 0; i < r->spend_np; i++)
    fprintf(f, ",gg_%s", r->spend_name[i]);
  fputs(",note\n", f);
  for (size_t k = 0; k < r->n; k++)
    put_csv_row(f, r, &r->g[k], 0);
  put_csv_row(f, r, &r->total, 1);
  return ferror(f) ? CLV_EIO : CLV_OK;
}

static void put_json_params(FILE *f, const char *key, int np,
                            const char names[][16], const double *p,
                            const double *se) {
  fprintf(f, ",\"%s\":{", key);
  for (int i = 0; i < np; i++) {
    if (i)
      fputc(',', f);
    clv__put_json_string(f, names[i], strlen(names[i]));
    fputs(":{\"value\":", f);
    clv__fput_json_num(f, p[i]);
    fputs(",\"se\":", f);
    clv__fput_json_num(f, se[i]);
    fputc('}', f);
  }
  fputc('}', f);
}

static void put_json_group(FILE *f, const clv_seg_split *r,
                           const clv_seg_by_group *g, int total) {
  fputs("{\"segment\":", f);
  clv__put_json_string(f, g->label, strlen(g->label));
  const char *key[] = {"customers", "repeat_buyers", "historic", "pooled",
                       "separate",  "diff",          "diff_pct"};
  const double v[] = {g->customers, g->repeat_buyers, g->historic, g->pooled,
                      g->separate,  g->diff,          g->diff_pct};
  for (size_t k = 0; k < sizeof v / sizeof v[0]; k++) {
    fprintf(f, ",\"%s\":", key[k]);
    clv__fput_json_num(f, v[k]);
  }
  if (!total) {
    fprintf(f, ",\"fitted\":%s,\"spend_model\":\"%s\",\"note\":",
            g->fallback ? "false" : "true", spend_source(r, g));
    clv__put_json_string(f, g->reason, strlen(g->reason));
    if (g->tx_np)
      put_json_params(f, "purchase_params", g->tx_np, r->tx_name, g->tx,
                      g->tx_se);
    if (g->spend_np)
      put_json_params(f, "spend_params", g->spend_np, r->spend_name, g->spend,
                      g->spend_se);
  }
  fputc('}', f);
}

int clv__seg_split_put_json(const clv_seg_split *r, FILE *f) {
  fputs("{\"column\":", f);
  clv__put_json_string(f, r->column, strlen(r->column));
  fprintf(f, ",\"pick\":\"%s\",\"family\":",
          r->pick == CLV_PICK_MOST ? "most" : "first");
  clv__put_json_string(f, r->family, strlen(r->family));
  fprintf(f, ",\"fallbacks\":%zu,\"segments\":[", r->fallbacks);
  for (size_t k = 0; k < r->n; k++) {
    if (k)
      fputc(',', f);
    put_json_group(f, r, &r->g[k], 0);
  }
  fputs("],\"total\":", f);
  put_json_group(f, r, &r->total, 1);
  fputc('}', f);
  return ferror(f) ? CLV_EIO : CLV_OK;
}

int clv_seg_split_write_json(const clv_seg_split *r, FILE *f) {
  if (clv__seg_split_put_json(r, f) != CLV_OK)
    return CLV_EIO;
  fputc('\n', f);
  return ferror(f) ? CLV_EIO : CLV_OK;
}

/* Display width of a UTF-8 label: CJK characters take two columns. */
static int text_width(const char *s) {
  int w = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if ((*p & 0xC0) == 0x80)
      continue;
    w += *p >= 0xE0 ? 2 : 1;
  }
  return w;
}

static void put_text_row(FILE *f, const clv_seg_split *r,
                         const clv_seg_by_group *g, int total) {
  int pad = 20 - text_width(g->label);
  fprintf(f, "  %s%*s %9.0f %13.2f %13.2f %13.2f %12.2f %7.1f%%", g->label,
          pad > 0 ? pad : 0, "", g->customers, g->historic, g->pooled,
          g->separate, g->diff, g->diff_pct);
  if (total) {
    fputc('\n', f);
    return;
  }
  fprintf(f, "  %-6s",
          g->fallback ? (r->zh ? "合并" : "pooled") : (r->zh ? "单独" : "own"));
  for (int i = 0; i < g->tx_np; i++)
    fprintf(f, " %s=%.4g", r->tx_name[i], g->tx[i]);
  for (int i = 0; i < g->spend_np; i++)
    fprintf(f, " %s=%.4g", r->spend_name[i], g->spend[i]);
  fputc('\n', f);
}

int clv_seg_split_write_text(const clv_seg_split *r, FILE *f) {
  int zh = r->zh;
  fprintf(f,
          zh ? "按 %s 分别预测 (每组单独拟合 %s)\n"
             : "Predicted separately by %s (%s fitted per segment)\n",
          r->column, r->family);
  /* Column heads padded by display width, so that Chinese heads line up
   * with the numbers below them. */
  const char *head[] = {zh ? "分组" : "segment",
                        zh ? "客户" : "customers",
                        zh ? "历史" : "historic",
                        zh ? "合并预测" : "pooled",
                        zh ? "分别预测" : "separate",
                        zh ? "差额" : "diff",
                        "diff%",
                        zh ? "模型" : "fit"};
  const int width[] = {20, 9, 13, 13, 13, 12, 8, 0};
  fputs("  ", f);
  for (size_t k = 0; k < sizeof head / sizeof head[0]; k++) {
    int pad = width[k] - text_width(head[k]);
    if (k == 0)
      fprintf(f, "%s%*s", head[k], pad > 0 ? pad : 0, "");
    else
      fprintf(f, "%s%*s%s", k == 7 ? "  " : " ", pad > 0 ? pad : 0, "",
              head[k]);
  }
  fputc('\n', f);
  for (size_t k = 0; k < r->n; k++)
    put_text_row(f, r, &r->g[k], 0);
  put_text_row(f, r, &r->total, 1);
  for (size_t k = 0; k < r->n; k++)
    if (r->g[k].fallback)
      fprintf(f,
              zh ? "  %s: 沿用合并模型的预测 (%s)\n"
                 : "  %s: pooled predictions kept (%s)\n",
              r->g[k].label, r->g[k].reason);
  return ferror(f) ? CLV_EIO : CLV_OK;
}
