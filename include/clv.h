/*
 * clv.h - the public API of libclv, the customer-lifetime-value engine.
 *
 * Everything a caller may use is declared in this header and the section
 * headers it includes; if it is not here, it is not API. Conventions:
 * - Functions that can fail return an int status (CLV_OK == 0, see
 *   clv/status.h); objects are handed out through an `**out` argument.
 * - Types are opaque; destructors accept NULL.
 * - The library never prints, exits or aborts. GSL's abort-on-error handler
 *   is switched off by clv_init() (called implicitly by every entry point
 *   that uses GSL).
 */
#ifndef CLV_H
#define CLV_H

#define CLV_VERSION_MAJOR 0
#define CLV_VERSION_MINOR 1
#define CLV_VERSION_PATCH 0
#define CLV_VERSION_STRING "0.1.0"

#include "clv/status.h"
#include "clv/time.h"
#include "clv/summary.h"
#include "clv/ingest.h"
#include "clv/model.h"
#include "clv/simulate.h"
#include "clv/run.h"
#include "clv/retention.h"
#include "clv/validate.h"
#include "clv/orders.h"
#include "clv/base.h"
#include "clv/segment.h"
#include "clv/cohort.h"
#include "clv/products.h"
#include "clv/remind.h"
#include "clv/whatif.h"
#include "clv/cac.h"
#include "clv/report.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The library's version string, for example "0.1.0". */
const char *clv_version(void);

/* Frees a buffer that libclv allocated and handed to the caller. */
void clv_free(void *p);

#ifdef __cplusplus
}
#endif
#endif
