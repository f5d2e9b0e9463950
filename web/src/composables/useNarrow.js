// True while the viewport is phone-sized (≤ 768 px); reactive.
import { onBeforeUnmount, ref } from 'vue'

export const NARROW_QUERY = '(max-width: 768px)'

export function useNarrow() {
    const query = window.matchMedia(NARROW_QUERY)
    const narrow = ref(query.matches)
    const update = (event) => {
        narrow.value = event.matches
    }
    query.addEventListener('change', update)
    onBeforeUnmount(() => query.removeEventListener('change', update))
    return narrow
}
