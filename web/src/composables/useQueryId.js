// The record a screen opens by its id in the query (?person=ID), so that
// a link or a reload opens it again: `id` (null when there is none),
// open(record) to open one, close() to drop it. Opening adds a history
// entry (Back closes the record) unless `replace` (switching in place).
//   const shown = useQueryId('person')
//   <PersonDrawer :person-id="shown.id.value" @close="shown.close" />
import { computed } from 'vue'
import { useRoute, useRouter } from 'vue-router'

export function useQueryId(key, { replace = false } = {}) {
    const route = useRoute()
    const router = useRouter()

    const id = computed(() => {
        const n = Number(route.query[key])
        return Number.isInteger(n) && n > 0 ? n : null
    })

    function open(record) {
        const to = { query: { ...route.query, [key]: record.id } }
        if (replace)
            router.replace(to)
        else
            router.push(to)
    }

    function close() {
        const query = { ...route.query }
        delete query[key]
        router.replace({ query })
    }

    return { id, open, close }
}
