/* Shared between fuzz_gateway.c and gateway_stubs.c. */
#ifndef HALLWAY_FUZZ_GATEWAY_H
#define HALLWAY_FUZZ_GATEWAY_H

#include <stdint.h>

#include "gateway_int.h"
#include "hallway.h"

/* The target's monotonic clock (advances 1 ms per payload). */
int64_t fuzz_gateway_clock_us(void);
/* A close was requested: the next payload starts a fresh socket. */
void fuzz_gateway_reconnect(struct gateway *g);

#endif
