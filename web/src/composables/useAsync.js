// State for one asynchronous load: data, loading, error and run() to
// (re)start it. A newer run() wins over an older one still in flight.
import { ref, shallowRef } from 'vue'

export function useAsync(load, { immediate = true } = {}) {
    const data = shallowRef(null)
    const loading = ref(false)
    const error = shallowRef(null)
    let generation = 0

    async function run(...args) {
        const mine = ++generation
        loading.value = true
        error.value = null
        try {
            const result = await load(...args)
            if (mine === generation)
                data.value = result
        } catch (err) {
            if (mine === generation)
                error.value = err
        } finally {
            if (mine === generation)
                loading.value = false
        }
    }

    if (immediate)
        run()
    return { data, loading, error, run }
}
