// Two things screens do with a failed request:
//   missing(err)  the same error, unless the server does not serve that
//                 part yet (405, or a 404 about no field on a list or a
//                 part of a page already found): then an error that says so
//   report(err)   a toast with the server's message, unless the client has
//                 already told the user (session expired, forced step)
import { useI18n } from 'vue-i18n'
import { ElMessage } from 'element-plus'

export function useApiError() {
    const { t } = useI18n()

    function missing(err) {
        if (!err || err.handled)
            return err
        if (err.status === 405 || (err.status === 404 && !err.field)) {
            const out = new Error(t('registry.unavailable'))
            out.status = err.status
            out.code = 'unavailable'
            out.field = ''
            out.handled = false
            return out
        }
        return err
    }

    function report(err) {
        if (err && !err.handled)
            ElMessage.error(err.message)
    }

    return { missing, report }
}
