/*
 * Message components (issue 16): the host side of the buttons, select
 * menus and modals a reply model draws on Discord. A component's
 * custom_id names what it runs: a short command line inline
 * ("hw:c:next page=2"), anything longer (and every modal) by a key into
 * the host's hw_meta table ("hw:k:<16 hex>"), so a press after a restart
 * still works. A press runs the command as the user who pressed, with
 * permissions checked again, through the router.
 */
#ifndef HALLWAY_COMPONENTS_H
#define HALLWAY_COMPONENTS_H

#include <stddef.h>

#include <jansson.h>

struct hallway;

/* Answers INTERACTION_CREATE of type 3 (MESSAGE_COMPONENT) and 5
 * (MODAL_SUBMIT) from the bus. Returns 0 or -1. */
int components_start(struct hallway *hw);
/* One such interaction (what the bus subscription calls). */
void components_interaction(struct hallway *hw, json_t *d);

/* The ud of components_custom_id: the host, and who the drawn message
 * answers (a user id; NULL for a post nobody asked for). A "Show more"
 * (kind "p") carries that user: their press edits the message in place,
 * anyone else's is answered for them alone. */
struct components_ids {
	struct hallway *hw;
	const char *asker;
};

/* Two daemons: what the last active daemon kept (key -> stored text, as
 * takeover_load reads hw.kept; a reference is taken, NULL drops it). A
 * press on a component it drew is resolved from there when this
 * machine's hw_meta does not have it. */
void components_adopt(struct hallway *hw, json_t *kept);

/* The reply_model_id_fn of the Discord drawing (ud: struct components_ids *). */
int components_custom_id(void *ud, const char *kind, const json_t *payload, char *id,
			 size_t idlen);


#endif
