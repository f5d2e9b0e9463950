// Internationalisation: vue-i18n messages, the Element Plus locale that goes
// with each language, and the language choice persisted in localStorage.
// Only Simplified Chinese (the default and the fallback) is in the first
// download; another language's texts load when it is first chosen, so
// main.js waits for loadStoredLanguage() before mounting.
import { computed, shallowReactive } from 'vue'
import { createI18n } from 'vue-i18n'
import elZhCn from 'element-plus/es/locale/lang/zh-cn'
import zhCN from './locales/zh-CN.json'

const STORAGE_KEY = 'gg_lang'
const DEFAULT_LANGUAGE = 'zh-CN'

// One row per supported language: id (BCP 47, also sent as Accept-Language),
// key of its autonym in the locale files, loader of its texts and of its
// Element Plus locale.
export const LANGUAGES = [
    {
        id: 'zh-CN',
        labelKey: 'language.zh',
        load: async () => [zhCN, elZhCn],
    },
    {
        id: 'en',
        labelKey: 'language.en',
        load: () => Promise.all([
            import('./locales/en.json'),
            import('element-plus/es/locale/lang/en'),
        ]).then((modules) => modules.map((m) => m.default)),
    },
]

function findLanguage(id) {
    return LANGUAGES.find((lang) => lang.id === id)
}

function storedLanguage() {
    try {
        const id = localStorage.getItem(STORAGE_KEY)
        return findLanguage(id) ? id : DEFAULT_LANGUAGE
    } catch {
        return DEFAULT_LANGUAGE
    }
}

export const i18n = createI18n({
    legacy: false,
    locale: DEFAULT_LANGUAGE,
    fallbackLocale: DEFAULT_LANGUAGE,
    messages: { [DEFAULT_LANGUAGE]: zhCN },
})

// Element Plus locales loaded so far, by language id.
const elementLocales = shallowReactive({ [DEFAULT_LANGUAGE]: elZhCn })

// Current language id, e.g. "zh-CN"; reactive.
export const currentLanguage = computed(() => i18n.global.locale.value)

// Element Plus locale object for <el-config-provider>; reactive.
export const elementLocale = computed(
    () => elementLocales[currentLanguage.value] || elZhCn,
)

async function load(id) {
    if (elementLocales[id])
        return
    const [messages, element] = await findLanguage(id).load()
    i18n.global.setLocaleMessage(id, messages)
    elementLocales[id] = element
}

function apply(id) {
    i18n.global.locale.value = id
    document.documentElement.lang = id
}

// Switches to language `id`, loading its texts first; remembers the choice.
// Resolves false (and keeps the current language) when they cannot load.
export async function setLanguage(id) {
    if (!findLanguage(id))
        return false
    try {
        await load(id)
    } catch {
        return false
    }
    apply(id)
    try {
        localStorage.setItem(STORAGE_KEY, id)
    } catch {
        // Private mode or storage disabled: the choice lasts for this page.
    }
    return true
}

// The language chosen on an earlier visit, ready to use; never rejects
// (the default language stays when another cannot load).
export async function loadStoredLanguage() {
    const id = storedLanguage()
    try {
        await load(id)
        apply(id)
    } catch {
        apply(DEFAULT_LANGUAGE)
    }
}

document.documentElement.lang = DEFAULT_LANGUAGE
