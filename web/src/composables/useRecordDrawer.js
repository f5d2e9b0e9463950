// The record a drawer shows (RecordDrawer): load(id) runs whenever `id`
// (a getter, null while the drawer is shut) turns to a record, and the
// drawer's sections (its history) start closed for each one. Returns
// useAsync's state (data is the record) with `id`, `sections`, and
// refresh() to load the record again (after an edit).
//   const shown = useRecordDrawer(() => props.personId, (id) => api.person(id))
//   const person = shown.data
import { computed, ref, toValue, watch } from 'vue'
import { useAsync } from './useAsync.js'

export function useRecordDrawer(id, load) {
    const record = useAsync(() => load(toValue(id)), { immediate: false })
    const sections = ref([])

    watch(id, (now) => {
        sections.value = []
        if (now)
            record.run()
    }, { immediate: true })

    return {
        ...record,
        id: computed(() => toValue(id)),
        sections,
        refresh: () => record.run(),
    }
}
