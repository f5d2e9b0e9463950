// The form of a record dialog (RecordDialog): whether it is open, its
// model and rules, its errors (useFormErrors), the el-form, and the save.
// Opening the dialog clears the errors, lets fill() set the fields, then
// clears the form's own checks. save() runs the form's checks, then ask()
// if given (false stops), then send(); on success it hands the answer to
// saved() and closes the dialog. A failure lands on its field or on the
// whole form; a 409 marks the form stale while `conflict` holds (an
// update with a version).
//   const open = defineModel({ type: Boolean, default: false })
//   const form = reactive({ name: '', address: '' })
//   const rules = computed(() => ({ name: [...] }))
//   const f = useRecordForm(open, {
//       model: form,
//       rules,
//       fill: () => Object.assign(form, ...),
//       send: () => (editing.value ? api.update…(…) : api.create…(…)),
//       saved: (answer) => emit('saved', answer, !editing.value),
//       conflict: editing, // ref or getter; false by default
//       alias: { person: 'person_id' }, // as for useFormErrors' report()
//       fields: ['name', 'address', 'building_id'], // with errors of their
//                                     // own (useFormErrors); the model's keys
//                                     // by default
//   })
//   <RecordDialog :record="f" …> … :error="f.errors.name" …
import { nextTick, ref, toValue, watch } from 'vue'
import { useFormErrors } from './useFormErrors.js'

export function useRecordForm(open, {
    model, rules, fields, fill, send, saved, ask, conflict = false, alias = {},
}) {
    const errors = useFormErrors(fields || Object.keys(model))
    const formRef = ref(null) // the el-form, set by RecordDialog
    const saving = ref(false)

    watch(open, (isOpen) => {
        if (!isOpen)
            return
        errors.clear()
        fill?.()
        nextTick(() => formRef.value?.clearValidate())
    })

    async function save() {
        if (saving.value)
            return
        errors.clear()
        try {
            await formRef.value.validate()
        } catch {
            return
        }
        if (ask && !(await ask()))
            return
        saving.value = true
        try {
            const answer = await send()
            saved?.(answer)
            open.value = false
        } catch (err) {
            errors.report(err, { alias, conflict: toValue(conflict) })
        } finally {
            saving.value = false
        }
    }

    return { ...errors, open, model, rules, formRef, saving, save }
}
