// Asks before doing something that cannot be undone (retire, remove,
// delete): resolves true when the user confirms.
import { useI18n } from 'vue-i18n'
import { ElMessageBox } from 'element-plus'

export function useConfirm() {
    const { t } = useI18n()
    return async function confirm(message, title, button, type = 'warning') {
        try {
            await ElMessageBox.confirm(message, title, {
                type,
                confirmButtonText: button,
                cancelButtonText: t('common.cancel'),
            })
            return true
        } catch {
            return false
        }
    }
}
