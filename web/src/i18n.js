// Internationalisation: vue-i18n messages, the Element Plus locale that goes
// with each language, and the language choice persisted in localStorage.
import { computed } from 'vue'
import { createI18n } from 'vue-i18n'
import elZhCn from 'element-plus/es/locale/lang/zh-cn'
import elEn from 'element-plus/es/locale/lang/en'
import zhCN from './locales/zh-CN.json'
import en from './locales/en.json'

const STORAGE_KEY = 'gg_lang'
const DEFAULT_LANGUAGE = 'zh-CN'

// One row per supported language: id (BCP 47, also sent as Accept-Language),
// key of its autonym in the locale files, Element Plus locale.
export const LANGUAGES = [
    { id: 'zh-CN', labelKey: 'language.zh', element: elZhCn },
    { id: 'en', labelKey: 'language.en', element: elEn },
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
    locale: storedLanguage(),
    fallbackLocale: DEFAULT_LANGUAGE,
    messages: { 'zh-CN': zhCN, en },
})

// Current language id, e.g. "zh-CN"; reactive.
export const currentLanguage = computed(() => i18n.global.locale.value)

// Element Plus locale object for <el-config-provider>; reactive.
export const elementLocale = computed(
    () => findLanguage(currentLanguage.value).element,
)

export function setLanguage(id) {
    if (!findLanguage(id))
        return
    i18n.global.locale.value = id
    document.documentElement.lang = id
    try {
        localStorage.setItem(STORAGE_KEY, id)
    } catch {
        // Private mode or storage disabled: the choice lasts for this page.
    }
}

document.documentElement.lang = currentLanguage.value
