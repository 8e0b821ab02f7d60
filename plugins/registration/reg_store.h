/*
 * registration's tables (reg_store.c), in the host database through
 * api->db_run. SQL that PostgreSQL runs too (ON CONFLICT, no INSERT OR
 * IGNORE); every value is bound.
 *
 *   registration_order / _position   the pretix cache (all statuses)
 *   registration_meta                sync state (modified_since)
 *   registration_binding             ticket position -> Discord user; the
 *                                    position is the key and a user holds
 *                                    one: a ticket is never bound twice
 *   registration_grant               the role/nickname outbox
 *   registration_attempt             every try, for throttling and stats
 *   registration_queue               registrations waiting for pretix
 *   registration_outbox              DMs owed (lib/dm_outbox.c)
 *   registration_speaker             speakers confirmed by an organizer or
 *                                    claimed; their pretalx name and the
 *                                    mention opt-in (reg_mention.c)
 */
#ifndef REG_STORE_H
#define REG_STORE_H

#include <stdint.h>

#include "registration.h"

/* The same steps for SQLite and for PostgreSQL (api->db_engine()). */
extern const char *const reg_store_migrations[];
extern const char *const reg_store_migrations_pg[];
extern const size_t reg_store_nmigrations;

/* Every function here runs inside a unit of work's body (tx). */

/* Replaces the cached order and its positions. HW_OK or an error. */
int reg_store_put_order(reg *r, hw_tx *tx, const reg_order *o, int64_t now);
/* The cached order: HW_OK (free with reg_order_free), HW_ERR_NOT_FOUND,
 * or an error. */
int reg_store_get_order(reg *r, hw_tx *tx, const char *code, reg_order *out);

int reg_store_meta_get(reg *r, hw_tx *tx, const char *key, char *out, size_t len);
int reg_store_meta_set(reg *r, hw_tx *tx, const char *key, const char *value);

/* Failed attempts of user since `since`: count and the oldest time. */
int reg_store_failures(reg *r, hw_tx *tx, const char *user_id, int64_t since, int64_t *count,
		       int64_t *oldest);
int reg_store_attempt(reg *r, hw_tx *tx, const char *user_id, int64_t now, const char *outcome);

typedef struct reg_binding {
	int64_t position_id, item, variation, bound_ms;
	char user_id[32];
	char order_code[REG_CODE_MAX];
	char name[REG_NAME_MAX];
} reg_binding;

/* HW_OK, HW_ERR_NOT_FOUND or an error. */
int reg_store_binding_by_user(reg *r, hw_tx *tx, const char *user_id, reg_binding *out);
int reg_store_binding_by_position(reg *r, hw_tx *tx, int64_t position_id, reg_binding *out);

#endif
