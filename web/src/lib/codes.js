// The code tables of the registry: national standards (GB/T) and the
// server's own enumerations (docs/internals/registry-api.md), as ordered id
// lists. Names for people live in the locale files under "codes.<table>"
// (useCodes() reads them); an id this build does not know shows as is.

// GB/T 2261.1 sex: 0 not known, 1 male, 2 female, 9 not stated.
export const SEX = ['1', '2', '0', '9']

// GB/T 3304 ethnic groups: the 56 groups, 97 other, 98 foreign-born.
export const ETHNIC = [
    ...Array.from({ length: 56 }, (_, i) => String(i + 1).padStart(2, '0')),
    '97', '98',
]

// GB/T 4762 political status, 01-13.
export const POLITICAL = Array.from({ length: 13 },
    (_, i) => String(i + 1).padStart(2, '0'))

// GB/T 4761 family relationship: the codes in common use. The server takes
// any two digits 01-99, so a record may carry a code not listed here.
export const RELATION = [
    '01', '02', '10', '11', '12', '20', '30', '40', '41', '42', '43', '44',
    '50', '51', '52', '53', '54', '55', '56', '60', '61', '62', '63', '64',
    '70', '71', '72', '73', '74', '75', '76', '77', '78', '80', '99',
]

// 常住 / 户籍 / 流动 / 境外.
export const RESIDENCE = ['permanent', 'registered', 'floating', 'overseas']

export const BUILDING_KINDS = [
    'residential', 'commercial', 'mixed', 'public', 'industrial', 'other',
]

export const ORG_KINDS = [
    'enterprise', 'unit', 'merchant', 'property', 'social', 'cobuild',
]

// Party organisations, top down: 党委, 党总支, 党支部, 党小组.
export const PARTY_KINDS = ['committee', 'general_branch', 'branch', 'group']

// Which kinds a party organisation of each kind may sit under (a group
// under a branch, a branch under a general branch or a committee).
export const PARTY_PARENT_KINDS = {
    committee: ['committee'],
    general_branch: ['committee'],
    branch: ['committee', 'general_branch'],
    group: ['branch'],
}

export const PARTY_DUTIES = ['secretary', 'deputy', 'committee', 'member']

// Posts of a grid's roster (一网多员), chiefs first as on the care card.
export const ROSTER_POSTS = [
    'grid_chief', 'grid_worker_full', 'grid_worker_part', 'household_chief',
    'building_chief', 'unit_chief', 'publicity', 'safety', 'mediation',
    'patrol', 'police', 'law_enforcement', 'sanitation', 'urban_management',
]

// Posts that name a building (and unit), and the one that names households.
export const BUILDING_POSTS = ['building_chief', 'unit_chief']
export const HOUSEHOLD_POST = 'household_chief'

// What can be imported, and which lists can be exported as a 台账.
export const IMPORT_KINDS = ['persons', 'buildings', 'households', 'organisations']
export const EXPORT_LISTS = IMPORT_KINDS

// The special-population tags of the default configuration (person_tags);
// screens add the tags the server's counts report, so a tag configured
// elsewhere still shows up.
export const PERSON_TAGS = [
    '高龄', '独居', '空巢', '低保', '特困', '残疾', '失业', '退役军人',
    '未成年人', '留守儿童', '党员', '慢性病', '孕产妇', '重点人员',
]

// Node levels top down, and how many digits each level adds to its
// parent's code (2 province, 4 city, 6 county, 9 street, 12 community,
// 15 grid, 18 micro-grid).
export const LEVELS = [
    'province', 'city', 'district', 'street', 'community', 'grid', 'microgrid',
]
const CODE_LENGTHS = [2, 4, 6, 9, 12, 15, 18]

// The level of a node code by its length, or '' for a malformed code.
export function levelOfCode(code) {
    const i = CODE_LENGTHS.indexOf(String(code || '').length)
    return i < 0 ? '' : LEVELS[i]
}

// How many digits a child adds to a code of this length; 0 below the
// micro-grid.
export function childPartLength(code) {
    const i = CODE_LENGTHS.indexOf(String(code || '').length)
    return i < 0 || i === CODE_LENGTHS.length - 1
        ? 0
        : CODE_LENGTHS[i + 1] - CODE_LENGTHS[i]
}

// The first free child code under `parent`, given the codes of the
// children it has (001, 002 … for three digits), or '' when none is left.
export function nextChildCode(parent, childCodes) {
    const width = childPartLength(parent)
    if (!width)
        return ''
    const taken = new Set(childCodes)
    const limit = 10 ** width
    for (let n = 1; n < limit; n++) {
        const code = parent + String(n).padStart(width, '0')
        if (!taken.has(code))
            return code
    }
    return ''
}

// The codes from the role node holding `code` down to `code` itself (the
// path the node store keeps), given the codes of the user's role nodes;
// [code] when none holds it. A code's ancestors are its prefixes.
export function nodePath(code, rootCodes) {
    const root = rootCodes
        .filter((r) => code.startsWith(r))
        .sort((a, b) => a.length - b.length)[0]
    if (!root)
        return [code]
    return CODE_LENGTHS
        .filter((n) => n >= root.length && n <= code.length)
        .map((n) => code.slice(0, n))
}
