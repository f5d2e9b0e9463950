// A list the server hands out in pages: { items, next }, where `next` is the
// cursor for the following page (null at the end). reload() starts again
// from the first page; more() appends the next one. A newer reload() wins
// over an older request still in flight.
//   loadPage(after)  → Promise<{ items, next }>; after is null for page 1
import { ref, shallowRef } from 'vue'

export function useCursorList(loadPage, { immediate = true } = {}) {
    const items = shallowRef([])
    const next = ref(null)
    const loaded = ref(false) // the first page has arrived
    const loading = ref(false) // first page in flight
    const loadingMore = ref(false)
    const error = shallowRef(null) // first page failed
    const moreError = shallowRef(null)
    let generation = 0

    async function reload() {
        const mine = ++generation
        loading.value = true
        loadingMore.value = false
        error.value = null
        moreError.value = null
        try {
            const page = await loadPage(null)
            if (mine !== generation)
                return
            items.value = page.items || []
            next.value = page.next || null
            loaded.value = true
        } catch (err) {
            if (mine === generation)
                error.value = err
        } finally {
            if (mine === generation)
                loading.value = false
        }
    }

    async function more() {
        if (!next.value || loadingMore.value || loading.value)
            return
        const mine = generation
        loadingMore.value = true
        moreError.value = null
        try {
            const page = await loadPage(next.value)
            if (mine !== generation)
                return
            items.value = [...items.value, ...(page.items || [])]
            next.value = page.next || null
        } catch (err) {
            if (mine === generation)
                moreError.value = err
        } finally {
            if (mine === generation)
                loadingMore.value = false
        }
    }

    // Puts a fresh copy of one item in place (matched by `key`).
    function replace(item, key = 'id') {
        items.value = items.value.map((it) => (it[key] === item[key] ? item : it))
    }

    function prepend(item) {
        items.value = [item, ...items.value]
    }

    if (immediate)
        reload()
    return {
        items, next, loaded, loading, loadingMore, error, moreError,
        reload, more, replace, prepend,
    }
}
