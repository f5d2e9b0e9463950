// What the user may do in the registry, from ME.capabilities: the server
// checks every request again, so this only hides buttons that would fail.
import { computed } from 'vue'
import { useAuthStore } from '../stores/auth.js'

export function useRights() {
    const auth = useAuthStore()
    return {
        canWrite: computed(() => auth.hasCapability('registry.write')),
        canReveal: computed(() => auth.hasCapability('pii.reveal')),
    }
}
