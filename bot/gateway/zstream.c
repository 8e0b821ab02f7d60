/*
 * zlib-stream inflater (see zstream.h). The input buffer and the output
 * buffer both grow geometrically up to their caps, which the caller sets,
 * so a peer cannot make us allocate without bound.
 *
 * The stream is inflated raw: the two-byte zlib header is checked and
 * skipped here. Discord never ends the stream, so zlib's Adler-32 of
 * everything inflated (a tenth of the instructions of a chatter event)
 * would never be compared with anything.
 */
#include "zstream.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

struct zstream {
	z_stream zs;
	int zs_ready; /* inflateInit succeeded */
	int failed;
	int header_done; /* the zlib header was checked and skipped */
	unsigned char *in;
	size_t in_len, in_cap, max_in;
	char *out;
	size_t out_cap, max_out;
};

static const unsigned char zstream_suffix[4] = {0x00, 0x00, 0xff, 0xff};

struct zstream *zstream_new(size_t max_in, size_t max_out)
{
	struct zstream *z = calloc(1, sizeof(*z));

	if (!z)
		return NULL;
	z->max_in = max_in;
	z->max_out = max_out;
	if (inflateInit2(&z->zs, -MAX_WBITS) != Z_OK) {
		free(z);
		return NULL;
	}
	z->zs_ready = 1;
	return z;
}

void zstream_free(struct zstream *z)
{
	if (!z)
		return;
	if (z->zs_ready)
		inflateEnd(&z->zs);
	free(z->in);
	free(z->out);
	free(z);
}

int zstream_trim(struct zstream *z, size_t keep)
{
	int freed = 0;

	if (!z)
		return 0;
	if (z->in_cap > keep && !z->in_len) {
		free(z->in);
		z->in = NULL;
		z->in_cap = 0;
		freed = 1;
	}
	if (z->out_cap > keep) {
		free(z->out);
		z->out = NULL;
		z->out_cap = 0;
		freed = 1;
	}
	return freed;
}

const char *zstream_strerror(int err)
{
	switch (err) {
	case ZSTREAM_OK:
		return "ok";
	case ZSTREAM_ENOMEM:
		return "out of memory";
	case ZSTREAM_EINPUT:
		return "compressed message too large";
	case ZSTREAM_EOUTPUT:
		return "inflated payload too large";
	case ZSTREAM_ECORRUPT:
		return "corrupt zlib stream";
	case ZSTREAM_EFAILED:
		return "zlib stream already failed";
	}
	return "unknown zstream error";
}

/* Grows *buf to hold at least need bytes, doubling, never past max. */
static int grow(void **buf, size_t *cap, size_t need, size_t max)
{
	size_t ncap = *cap ? *cap : 4096;
	void *nbuf;

	if (need <= *cap)
		return 0;
	if (need > max)
		return -1;
	while (ncap < need)
		ncap = ncap > max / 2 ? max : ncap * 2;
	nbuf = realloc(*buf, ncap);
	if (!nbuf)
		return -2;
	*buf = nbuf;
	*cap = ncap;
	return 0;
}

/* Inflates the buffered input into z->out; returns the length or an error. */
static int inflate_buffered(struct zstream *z, size_t *out_len)
{
	size_t produced = 0, skip = 0;
	int rc;

	if (!z->header_done) {
		/* RFC 1950: deflate (CM 8) with a window of at most 32 KiB, no
		 * preset dictionary, and the check bits right. */
		if (z->in_len < 2 || (z->in[0] & 0x0f) != 8 || (z->in[0] >> 4) > 7 ||
		    (z->in[1] & 0x20) || ((unsigned)z->in[0] << 8 | z->in[1]) % 31)
			return ZSTREAM_ECORRUPT;
		z->header_done = 1;
		skip = 2;
	}
	z->zs.next_in = z->in + skip;
	z->zs.avail_in = (uInt)(z->in_len - skip);
	for (;;) {
		/* Keep one byte spare for the terminating NUL. */
		if (produced + 1 >= z->out_cap) {
			size_t need = z->out_cap ? z->out_cap * 2 : 16384;

			if (need > z->max_out + 1)
				need = z->max_out + 1;
			if (produced + 1 >= need)
				return ZSTREAM_EOUTPUT;
			rc = grow((void **)&z->out, &z->out_cap, need, z->max_out + 1);
			if (rc)
				return rc == -1 ? ZSTREAM_EOUTPUT : ZSTREAM_ENOMEM;
		}
		z->zs.next_out = (Bytef *)z->out + produced;
		z->zs.avail_out = (uInt)(z->out_cap - 1 - produced);
		rc = inflate(&z->zs, Z_SYNC_FLUSH);
		produced = z->out_cap - 1 - z->zs.avail_out;
		if (rc == Z_NEED_DICT || rc == Z_DATA_ERROR || rc == Z_STREAM_ERROR ||
		    rc == Z_MEM_ERROR)
			return rc == Z_MEM_ERROR ? ZSTREAM_ENOMEM : ZSTREAM_ECORRUPT;
		if (rc == Z_STREAM_END) {
			/* Discord never ends the stream; past the Adler-32 trailer
			 * (four bytes, not checked: see the top), bytes are garbage. */
			if (z->zs.avail_in != 0 && z->zs.avail_in != 4)
				return ZSTREAM_ECORRUPT;
			break;
		}
		/* Z_OK or Z_BUF_ERROR: done once the input is used up and
		 * inflate did not fill the output (it has nothing left). */
		if (z->zs.avail_in == 0 && z->zs.avail_out > 0)
			break;
		if (rc == Z_BUF_ERROR && z->zs.avail_out > 0)
			return ZSTREAM_ECORRUPT;
	}
	z->out[produced] = '\0';
	*out_len = produced;
	return ZSTREAM_OK;
}

int zstream_push(struct zstream *z, const void *data, size_t len, int msg_end,
		 const char **out, size_t *out_len)
{
	int rc;

	*out = NULL;
	*out_len = 0;
	if (z->failed)
		return ZSTREAM_EFAILED;
	if (len > z->max_in - z->in_len || z->in_len > z->max_in) {
		rc = ZSTREAM_EINPUT;
		goto fail;
	}
	rc = grow((void **)&z->in, &z->in_cap, z->in_len + len, z->max_in);
	if (rc) {
		rc = rc == -1 ? ZSTREAM_EINPUT : ZSTREAM_ENOMEM;
		goto fail;
	}
	if (len)
		memcpy(z->in + z->in_len, data, len);
	z->in_len += len;
	if (!msg_end || z->in_len < 4 ||
	    memcmp(z->in + z->in_len - 4, zstream_suffix, 4) != 0)
		return ZSTREAM_OK;

	rc = inflate_buffered(z, out_len);
	z->in_len = 0;
	if (rc)
		goto fail;
	*out = z->out;
	return ZSTREAM_OK;
fail:
	z->failed = 1;
	*out_len = 0;
	return rc;
}
