// A paged list (useCursorList) of the records under the current node (the
// node switcher's), loaded again whenever the node changes. `filters` is
// what the list asks for: the node and what more() adds (the screen's
// filters; an export takes the same). A list the server does not serve
// yet says so (useApiError's missing).
//   const searched = ref('')
//   const { filters, list } = useNodeList(api.buildings, () => ({ q: searched.value }))
import { computed, watch } from 'vue'
import { useApiError } from './useApiError.js'
import { useCursorList } from './useCursorList.js'
import { useNodeStore } from '../stores/node.js'

export function useNodeList(loadPage, more = () => ({})) {
    const nodes = useNodeStore()
    const { missing } = useApiError()

    const node = computed(() => (nodes.current ? nodes.current.code : ''))
    const filters = computed(() => ({ node: node.value, ...more() }))
    const list = useCursorList((after) => loadPage(filters.value, after).catch((err) => {
        throw missing(err)
    }), { immediate: false })

    watch(node, (code) => code && list.reload(), { immediate: true })

    return { node, filters, list }
}
