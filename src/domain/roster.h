/*
 * roster.h - the people of a grid (一网多员) and of the party tree (党员).
 *
 * The roster lists who holds which post in a community, grid or micro-grid:
 * grid chief, full- and part-time grid workers, household-link chiefs
 * (联户长) with the households each links, building and unit chiefs, the
 * duty posts 宣传员 / 安全员 / 调解员 / 巡逻员 and the police,
 * law-enforcement, sanitation and urban-management people who join the
 * grid ("六员入网"). A post may carry a published service number; those
 * make the grid's care card (关爱卡).
 *
 * Party members belong to a party organisation with a duty; a member's
 * household may be a 党员中心户.
 *
 * Writes take who holds registry.write; the node, person, building and
 * households they name must be in its scope. Each change is written to
 * the history of the node (roster) or the party organisation (members) in
 * the same transaction.
 */
#ifndef DOMAIN_ROSTER_H
#define DOMAIN_ROSTER_H

#include "domain/account.h"

/* r->node_code, person_id, post, work_phone, building_id, unit_no and
 * households as given; since is set here. GG_ECONFLICT when the person
 * already holds that post there. */
int roster_add(const struct account_ctx *ctx, const struct account_who *who,
               struct store_roster *r, int64_t *id, struct gg_err *err)
    __attribute__((warn_unused_result));
int roster_remove(const struct account_ctx *ctx,
                  const struct account_who *who, int64_t id,
                  struct gg_err *err) __attribute__((warn_unused_result));
/* The posts in the order a care card shows them (chiefs first); -1 for
 * an unknown post. */
int roster_post_rank(const char *post);

/* Adds or changes a member (m->party_org_id, person_id, duty, joined_on,
 * center_household). */
int party_member_set(const struct account_ctx *ctx,
                     const struct account_who *who,
                     struct store_party_member *m, struct gg_err *err)
    __attribute__((warn_unused_result));
int party_member_remove(const struct account_ctx *ctx,
                        const struct account_who *who, int64_t org_id,
                        int64_t person_id, struct gg_err *err)
    __attribute__((warn_unused_result));

#endif
