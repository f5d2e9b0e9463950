// The password rule of docs/internals/accounts-api.md, checked in the
// browser so people see it while typing. The server has the last word (it
// also refuses common passwords, which we cannot know here).

export const MIN_LENGTH = 12

// Character classes present in `password`: lower, upper, digit, symbol.
export function classCount(password) {
    return [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/]
        .filter((re) => re.test(password)).length
}

// The rules that apply, each { key, ok } where key names its text under
// "password.rules" in the locale files.
//   staff     the account holds a staff role (mix of 3 classes required)
//   username  the account's user name (the password may not equal it)
//   current   the current password, when known (the new one must differ)
export function passwordRules(password, { staff, username, current }) {
    const rules = [{ key: 'length', ok: [...password].length >= MIN_LENGTH }]
    if (staff)
        rules.push({ key: 'classes', ok: classCount(password) >= 3 })
    rules.push({
        key: 'notUsername',
        ok: !username || password.toLowerCase() !== username.toLowerCase(),
    })
    rules.push({ key: 'notCurrent', ok: !current || password !== current })
    return rules
}
