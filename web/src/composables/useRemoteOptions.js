// The options of a remote el-select: search(text) asks load(text) for a
// page ({ items }) and shows its items; load() may answer null instead of
// a request, and the options are then the initial one alone. A newer
// search wins over an older one still in flight; a failure empties the
// options and says why in `failed` (unless the client already told).
//   const { options, loading, failed, search } =
//       useRemoteOptions((text) => api.buildings({ q: text.trim() }), () => props.initial)
import { ref } from 'vue'

export function useRemoteOptions(load, initial = () => null) {
    const initialOptions = () => (initial() ? [initial()] : [])
    const options = ref(initialOptions())
    const loading = ref(false)
    const failed = ref('')
    let generation = 0

    async function search(text) {
        const mine = ++generation
        failed.value = ''
        const request = load(text)
        if (!request) {
            options.value = initialOptions()
            return
        }
        loading.value = true
        try {
            const page = await request
            if (mine === generation)
                options.value = page.items || []
        } catch (err) {
            if (mine === generation) {
                options.value = []
                failed.value = err.handled ? '' : err.message
            }
        } finally {
            if (mine === generation)
                loading.value = false
        }
    }

    return { options, loading, failed, search }
}
