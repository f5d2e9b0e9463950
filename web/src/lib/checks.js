// Checks mirrored from the server (src/domain/idcard.c, pii.c,
// creditcode.c) so that forms can point at a mistake before sending. The
// server stays the authority: what passes here may still be refused there.
// Each check returns '' when fine, else the i18n key of the problem.

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const ID_CHECK_CHARS = '10X98765432'

// The GB 11643 check character of the first 17 digits.
export function idCheckChar(first17) {
    let sum = 0
    for (let i = 0; i < 17; i++)
        sum += Number(first17[i]) * ID_WEIGHTS[i]
    return ID_CHECK_CHARS[sum % 11]
}

function validDate(y, m, d) {
    if (y < 1800 || y > 9999 || m < 1 || m > 12 || d < 1)
        return false
    const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0
    const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    return d <= days[m - 1]
}

function todayText(today = new Date()) {
    const p = (n) => String(n).padStart(2, '0')
    return `${today.getFullYear()}-${p(today.getMonth() + 1)}-${p(today.getDate())}`
}

// A typed ID number as the server stores it: trimmed, a final x upper-cased.
export function normaliseIdNo(value) {
    const v = String(value || '').trim()
    return v.length === 18 && v[17] === 'x' ? `${v.slice(0, 17)}X` : v
}

// Checks an 18-character ID number (GB 11643): shape, region, birth date
// (1890 up to today) and the check character. Returns { error } with an
// i18n key, or { error: '', birthDate: 'YYYY-MM-DD', sex: '1'|'2' }.
export function checkIdNo(value, today = new Date()) {
    const id = normaliseIdNo(value)
    if (!/^\d{17}[\dX]$/.test(id))
        return { error: 'checks.idShape' }
    if (id[0] === '0')
        return { error: 'checks.idRegion' }
    const y = Number(id.slice(6, 10))
    const m = Number(id.slice(10, 12))
    const d = Number(id.slice(12, 14))
    const birthDate = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`
    if (!validDate(y, m, d) || y < 1890 || birthDate > todayText(today))
        return { error: 'checks.idBirth' }
    if (idCheckChar(id) !== id[17])
        return { error: 'checks.idCheck' }
    return { error: '', birthDate, sex: Number(id[16]) % 2 ? '1' : '2' }
}

// A mobile number (11 digits, 1 then 3-9) or a landline (0 and 10-12
// digits, one dash allowed after the 3- or 4-digit area code).
export function checkPhone(value) {
    const phone = String(value || '').trim()
    const dash = phone.indexOf('-')
    const digits = phone.replace('-', '')
    if (phone.length < 10 || phone.length > 13 || !/^\d+$/.test(digits))
        return 'checks.phone'
    if (/^1[3-9]\d{9}$/.test(digits) && dash < 0)
        return ''
    if (/^0\d{9,11}$/.test(digits) && (dash < 0 || dash === 3 || dash === 4))
        return ''
    return 'checks.phone'
}

const CREDIT_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY'
const CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

// The GB 32100 check character of the first 17 characters.
export function creditCheckChar(first17) {
    let sum = 0
    for (let i = 0; i < 17; i++)
        sum += CREDIT_ALPHABET.indexOf(first17[i]) * CREDIT_WEIGHTS[i]
    return CREDIT_ALPHABET[(31 - (sum % 31)) % 31]
}

// An 18-character unified social credit code (统一社会信用代码, GB 32100):
// its alphabet (no I O S V Z), a 6-digit region and the check character.
export function checkCreditCode(value) {
    const code = String(value || '').trim().toUpperCase()
    if (code.length !== 18 || [...code].some((c) => !CREDIT_ALPHABET.includes(c)))
        return 'checks.creditShape'
    if (!/^\d{6}$/.test(code.slice(2, 8)))
        return 'checks.creditShape'
    if (creditCheckChar(code) !== code[17])
        return 'checks.creditCheck'
    return ''
}

// Longitude and latitude in WGS-84; '' when fine.
export function checkLon(value) {
    return Number.isFinite(value) && value >= -180 && value <= 180 ? '' : 'checks.lon'
}

export function checkLat(value) {
    return Number.isFinite(value) && value >= -90 && value <= 90 ? '' : 'checks.lat'
}
