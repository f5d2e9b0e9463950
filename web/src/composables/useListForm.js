// The form dialog of a list screen (useCursorList): which record it edits
// (null: a new one), and what a save does to the list. A new record goes
// on top, then created(record) runs (e.g. to open it); a changed one takes
// its row's place, then changed(record) runs (e.g. to reload its drawer).
//   const { form, openForm, onSaved } = useListForm(list, { created: openPerson })
//   <PersonFormDialog v-model="form.open" :person="form.record" @saved="onSaved" />
import { ref } from 'vue'

export function useListForm(list, { created, changed } = {}) {
    const form = ref({ open: false, record: null })

    function openForm(record = null) {
        form.value = { open: true, record }
    }

    function onSaved(record, isNew) {
        if (isNew) {
            list.prepend(record)
            created?.(record)
        } else {
            list.replace(record)
            changed?.(record)
        }
    }

    return { form, openForm, onSaved }
}
