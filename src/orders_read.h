/*
 * orders_read.h - internals of orders_read.c (reading an order log into an
 * order table) shared with the fuzz target and the unit tests.
 */
#ifndef CLV_ORDERS_READ_H
#define CLV_ORDERS_READ_H

#include <stddef.h>

#include "clv/orders.h"

/*
 * Reads an order log from memory (data, len bytes; not copied, it must
 * outlive the call only) exactly as clv_orders_read() reads a file; error
 * messages call it "<memory>". Same statuses and ownership as
 * clv_orders_read(): the caller frees *out with clv_orders_free().
 */
int clv__orders_read_mem(const char *data, size_t len, const clv_orders_opts *o,
                         clv_orders **out, clv_orders_report *report,
                         clv_error *err);

#endif
