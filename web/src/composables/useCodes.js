// Names and select options for the registry's code tables (lib/codes.js).
// Names live in the locale files under "codes.<table>.<id>"; an id this
// build does not know is shown as is.
import { useI18n } from 'vue-i18n'
import * as CODES from '../lib/codes.js'

// table name in the locale files → ordered ids
const TABLES = {
    sex: CODES.SEX,
    ethnic: CODES.ETHNIC,
    political: CODES.POLITICAL,
    relation: CODES.RELATION,
    residence: CODES.RESIDENCE,
    buildingKind: CODES.BUILDING_KINDS,
    orgKind: CODES.ORG_KINDS,
    partyKind: CODES.PARTY_KINDS,
    duty: CODES.PARTY_DUTIES,
    post: CODES.ROSTER_POSTS,
    importKind: CODES.IMPORT_KINDS,
}

export function useCodes() {
    const { t, te } = useI18n()

    // codeName('sex', '1') → '男'; '' or null → ''.
    function codeName(table, id) {
        if (id === null || id === undefined || id === '')
            return ''
        const key = `codes.${table}.${id}`
        return te(key) ? t(key) : String(id)
    }

    // [{ value, label }] in the table's order, for <el-select>.
    function codeOptions(table) {
        return TABLES[table].map((id) => ({ value: id, label: codeName(table, id) }))
    }

    return { codeName, codeOptions }
}
