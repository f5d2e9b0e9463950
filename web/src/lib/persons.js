// Small helpers the person screens share.

// Age in whole years on `today` from a 'YYYY-MM-DD' birth date, or null.
export function ageOf(birthDate, today = new Date()) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthDate || '')
    if (!m)
        return null
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
    let age = today.getFullYear() - y
    if (today.getMonth() + 1 < mo || (today.getMonth() + 1 === mo && today.getDate() < d))
        age -= 1
    return age < 0 ? null : age
}

// A person's tags as a list: PersonRow has them comma-separated (or
// null), Person as an array.
export function tagsOf(person) {
    const tags = person && person.tags
    if (Array.isArray(tags))
        return tags
    return tags ? String(tags).split(',').filter(Boolean) : []
}

// The fields a PUT /persons/{id} needs to keep a record as it is (a PUT
// replaces; ID and phone numbers left out are kept), with `changes` on
// top; a change to null or '' leaves the field out, which clears it.
const KEPT = [
    'node_code', 'household_id', 'relation', 'name', 'sex', 'birth_date',
    'ethnic', 'political', 'residence', 'moved_in', 'moved_out',
]
export function personBody(person, changes = {}) {
    const out = {}
    for (const k of KEPT) {
        const v = k in changes ? changes[k] : person[k]
        if (v !== null && v !== undefined && v !== '')
            out[k] = v
    }
    out.tags = tagsOf(person)
    return out
}
