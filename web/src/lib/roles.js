// Role ids as the server knows them (src/domain/roles.def), in the order
// the role pickers list them, and the rules the server applies to them.
// Display names live in the locale files under "roles".

export const ROLE_IDS = [
    'grid_worker', 'grid_chief', 'household_chief',
    'community_worker', 'community_secretary',
    'street_center', 'district_admin', 'department_staff',
    'resident', 'volunteer',
    'sys_admin', 'sec_admin', 'audit_admin',
]

// The three administrator duties (三权分立): an account holds at most one of
// them, and then no other role.
export const ADMIN_ROLES = ['sys_admin', 'sec_admin', 'audit_admin']

// Roles of the public rather than staff; every other role is staff, whose
// passwords must mix character classes.
export const PUBLIC_ROLES = ['resident', 'volunteer']

export function isStaff(roleIds) {
    return roleIds.some((r) => !PUBLIC_ROLES.includes(r))
}

// Checks a role list ([{role, node_code}]) the way the server will. Returns
// '' when fine, else the i18n key of the first problem.
export function checkRoles(roles) {
    for (const r of roles) {
        if (!r.role)
            return 'rolesEditor.roleRequired'
        if (!/^\d+$/.test(r.node_code || ''))
            return 'rolesEditor.nodeRequired'
    }
    const keys = roles.map((r) => `${r.role}@${r.node_code}`)
    if (new Set(keys).size !== keys.length)
        return 'rolesEditor.duplicate'
    const admins = roles.filter((r) => ADMIN_ROLES.includes(r.role))
    if (admins.length > 1 || (admins.length === 1 && roles.length > 1))
        return 'rolesEditor.adminAlone'
    return ''
}
