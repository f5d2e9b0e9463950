// Errors of one form: a message per field (shown by <el-form-item
// :error>) and one for the whole form (an alert), filled from the server's
// {error:{field,message}} or from our own checks, plus `stale` for a 409
// on an update (someone changed the record since it was read).
//   const f = useFormErrors(['name', 'id_no'])
//   f.errors.name, f.general.value, f.stale.value
//   f.clear(); f.report(err, { alias: { 'geometry.coordinates': 'geometry' } })
import { nextTick, reactive, ref } from 'vue'

export function useFormErrors(fields) {
    const errors = reactive(Object.fromEntries(fields.map((f) => [f, ''])))
    const general = ref('')
    const stale = ref(false)

    function clear() {
        for (const key of Object.keys(errors))
            errors[key] = ''
        general.value = ''
        stale.value = false
    }

    // The form field an error is about: its own name, the part before a dot
    // or bracket ("roles[1].node" → "roles"), or an alias; '' when none.
    function fieldOf(name, alias = {}) {
        if (!name)
            return ''
        if (alias[name])
            return alias[name]
        if (name in errors)
            return name
        const base = name.split(/[.[]/)[0]
        return base in errors ? base : alias[base] || ''
    }

    // Shows a failed request's error on its field, or for the whole form.
    // A 409 that is about no field marks the form stale when `conflict` is
    // set (updates). Errors the client already handled are left alone.
    async function report(err, { alias = {}, conflict = false } = {}) {
        if (err.handled)
            return
        await nextTick() // after the form's own validation cleared it
        const field = fieldOf(err.field, alias)
        if (err.status === 409 && conflict && (!field || err.field === 'version')) {
            stale.value = true
            return
        }
        if (field)
            errors[field] = err.message
        else
            general.value = err.message
    }

    return { errors, general, stale, clear, report }
}
