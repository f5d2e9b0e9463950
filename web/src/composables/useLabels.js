// Display names for server-side ids (roles, node levels, capabilities, API
// key scopes, audit actions). An id this build does not know yet is shown
// as is rather than as a missing i18n key. Ids with dots ("audit.read")
// are stored with underscores, since vue-i18n reads dots as nesting.
import { useI18n } from 'vue-i18n'

export function useLabels() {
    const { t, te } = useI18n()
    const label = (prefix) => (id) => {
        const key = `${prefix}.${String(id).replace(/\./g, '_')}`
        return te(key) ? t(key) : id
    }
    return {
        roleName: label('roles'),
        levelName: label('levels'),
        capabilityName: label('capabilities'),
        scopeName: label('scopes'),
        actionName: label('auditActions'),
    }
}
