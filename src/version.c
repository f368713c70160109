/* version.c - the library's version and its one deallocator for buffers
 * handed to callers. */
#include "clv.h"

#include <stdlib.h>

const char *clv_version(void) {
  return CLV_VERSION_STRING;
}

void clv_free(void *p) {
  free(p);
}
