/*
 * Discord zlib-stream transport decompression: one zlib context shared by
 * every message of a connection (a new zstream per connection, resumes
 * included). Received websocket messages are buffered until one ends with
 * the Z_SYNC_FLUSH suffix 00 00 ff ff; then the buffered input is inflated
 * into one payload. Pure: no lws, no logging.
 */
#ifndef HALLWAY_ZSTREAM_H
#define HALLWAY_ZSTREAM_H

#include <stddef.h>

struct zstream;

enum zstream_err {
	ZSTREAM_OK = 0,
	ZSTREAM_ENOMEM = -1,   /* allocation failed */
	ZSTREAM_EINPUT = -2,   /* buffered compressed input passed max_in */
	ZSTREAM_EOUTPUT = -3,  /* an inflated payload passed max_out */
	ZSTREAM_ECORRUPT = -4, /* zlib reported a data or stream error */
	ZSTREAM_EFAILED = -5,  /* the stream already failed; make a new one */
};

/* Returns a new stream (free with zstream_free), or NULL. max_in caps the
 * compressed bytes buffered for one payload, max_out the inflated size. */
struct zstream *zstream_new(size_t max_in, size_t max_out);
void zstream_free(struct zstream *z);

/*
 * Appends len bytes of a received websocket message. msg_end says that they
 * end a websocket message (its final fragment); only then is the suffix
 * checked. On ZSTREAM_OK, *out is NULL when more input is needed, or points
 * to the inflated payload (NUL-terminated, *out_len bytes without the NUL),
 * owned by z and valid until the next call. After an error every later call
 * fails with ZSTREAM_EFAILED.
 */
int zstream_push(struct zstream *z, const void *data, size_t len, int msg_end,
		 const char **out, size_t *out_len);

/* Frees the input and output buffers if either has grown past keep bytes
 * (after a rare big payload; they grow again on demand). The payload of
 * the last zstream_push is gone after this. Returns 1 if it freed any. */
int zstream_trim(struct zstream *z, size_t keep);

const char *zstream_strerror(int err);

#endif
