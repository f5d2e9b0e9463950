// Display names for server-side ids (roles, node levels). An id this build
// does not know yet is shown as is rather than as a missing i18n key.
import { useI18n } from 'vue-i18n'

export function useLabels() {
    const { t, te } = useI18n()
    const label = (prefix) => (id) =>
        te(`${prefix}.${id}`) ? t(`${prefix}.${id}`) : id
    return {
        roleName: label('roles'),
        levelName: label('levels'),
    }
}
