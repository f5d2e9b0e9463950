// Dates and times from the server (ISO-8601 UTC) shown in the user's time
// zone and language; an empty value shows as a dash.
import { computed } from 'vue'
import { currentLanguage } from '../i18n.js'

const DATE_TIME = {
    year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', hour12: false,
}
const DATE = { year: 'numeric', month: '2-digit', day: '2-digit' }

export function useFormat() {
    const dateTimeFormat = computed(
        () => new Intl.DateTimeFormat(currentLanguage.value, DATE_TIME))
    const dateFormat = computed(
        () => new Intl.DateTimeFormat(currentLanguage.value, DATE))

    const format = (fmt) => (iso) => {
        if (!iso)
            return '—'
        const date = new Date(iso)
        return Number.isNaN(date.getTime()) ? String(iso) : fmt.value.format(date)
    }
    return {
        formatDateTime: format(dateTimeFormat),
        formatDate: format(dateFormat),
    }
}

// True when the ISO time lies in the future.
export function isFuture(iso) {
    return Boolean(iso) && new Date(iso).getTime() > Date.now()
}
