// Browser test of accounts and security: second factor, forced password
// change, account management and the audit log, against a running server.
//
//   GRIDGOV_URL=http://127.0.0.1:41234 node --test tests/web/account.test.mjs
//
// Needs `npm ci` in web/ (for playwright-core) and Debian's Chromium at
// /usr/bin/chromium; never downloads a browser. The server must have the demo
// loaded: secadmin (sec_admin) and auditor (audit_admin), both without a
// second factor yet, password Gridgov@Demo2026. Administrators must enrol a
// second factor at their first login, so the test reads the secret off the
// page and computes RFC 6238 codes itself. The journey runs in order and
// leaves a new account and two enrolled factors behind: use a fresh server.
// Screenshots go to $GRIDGOV_ARTIFACTS (default build/artifacts).
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { BASE, DEMO_PASSWORD, DESKTOP, PHONE, launch } from './browser.mjs'
import { createHmac } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'

const SEC_ADMIN = 'secadmin'
const AUDITOR = 'auditor'
const GRID_NODE = '370902001007001'
// Unique per run so that a rerun against the same server does not collide.
const NEW_USER = `gw_${Date.now().toString(36)}`
const NEW_NAME = '测试网格员'
const NEW_PASSWORD = 'Tai-Shan#Grid2026'


let b
let context
let page
let initialPassword = ''

// RFC 4648 base32 (no padding needed) → bytes.
function base32Decode(text) {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
    let bits = 0
    let value = 0
    const out = []
    for (const c of text.replace(/[\s=]/g, '').toUpperCase()) {
        const index = alphabet.indexOf(c)
        assert.ok(index >= 0, `not base32: ${c}`)
        value = (value << 5) | index
        bits += 5
        if (bits >= 8) {
            out.push((value >>> (bits - 8)) & 0xff)
            bits -= 8
        }
    }
    return Buffer.from(out)
}

// RFC 6238: HMAC-SHA1, 30 s steps, 6 digits.
function totpCode(secret, timeMs = Date.now()) {
    const counter = Buffer.alloc(8)
    counter.writeBigUInt64BE(BigInt(Math.floor(timeMs / 30000)))
    const mac = createHmac('sha1', base32Decode(secret)).update(counter).digest()
    const offset = mac[mac.length - 1] & 0x0f
    const number = (mac.readUInt32BE(offset) & 0x7fffffff) % 1000000
    return String(number).padStart(6, '0')
}

// A code that stays valid for a few seconds more (no step change mid-way).
async function freshTotpCode(secret) {
    const left = 30000 - (Date.now() % 30000)
    if (left < 3000)
        await sleep(left + 200)
    return totpCode(secret)
}

// Signs in from scratch (no cookies left from an earlier, failed test).
async function login(username, password) {
    await context.clearCookies()
    await page.setViewportSize(DESKTOP)
    await page.goto(`${BASE}/login`)
    await page.getByLabel('用户名').fill(username)
    await page.getByLabel('密码', { exact: true }).fill(password)
    await page.getByRole('button', { name: '登录' }).click()
}

async function logout() {
    await page.getByTestId('display-name').click()
    await page.getByRole('menuitem', { name: '退出登录' }).click()
    await page.waitForURL(/\/login$/)
}

// On the forced enrolment page: read the secret, send a code, and land on
// `path` (home, or the page first asked for).
async function enrolTotp(path = '/') {
    await page.waitForURL(/\/setup\/totp(\?|$)/)
    await page.getByRole('heading', { name: '启用两步验证' }).waitFor()
    const secret = (await page.getByTestId('totp-secret').innerText()).trim()
    assert.match(secret, /^[A-Z2-7]{4}( [A-Z2-7]{1,4})+$/, 'secret grouped in fours')
    const uri = (await page.getByTestId('totp-uri').innerText()).trim()
    assert.match(uri, /^otpauth:\/\/totp\//)
    await page.getByLabel('动态验证码').fill(await freshTotpCode(secret))
    const answer = page.waitForResponse((r) =>
        r.url().endsWith('/api/v1/me/totp/confirm'))
    await page.getByRole('button', { name: '确认启用' }).click()
    assert.equal((await answer).status(), 204)
    await page.waitForURL(`${BASE}${path}`)
}

before(async () => {
    b = await launch({ expected401: ['/api/v1/me'] })
    ;({ context, page } = b)
})

after(async () => {
    await b?.close()
})

const screenshot = (name) => b.screenshot(name)
const assertNoConsoleErrors = () => b.assertNoConsoleErrors()
const horizontalOverflow = () => b.horizontalOverflow()

test('the security administrator must enrol a second factor first', async () => {
    await login(SEC_ADMIN, DEMO_PASSWORD)
    await page.waitForURL(/\/setup\/totp$/)
    // Every other page leads back to the enrolment while it is pending.
    await page.goto(`${BASE}/admin/accounts`)
    await page.waitForURL(/\/setup\/totp\?redirect=/)
    await page.getByTestId('totp-secret').waitFor()
    await screenshot('totp-enrol.png')
    // Done, it goes on to the page asked for.
    await enrolTotp('/admin/accounts')
    assertNoConsoleErrors()
})

test('the security administrator creates an account', async () => {
    await page.getByRole('menuitem', { name: '账号管理' }).click()
    await page.waitForURL(/\/admin\/accounts$/)
    await page.getByTestId('accounts-table').waitFor()

    await page.getByRole('button', { name: '新建账号' }).click()
    const dialog = page.getByRole('dialog', { name: '新建账号' })
    await dialog.waitFor()
    await dialog.getByLabel('用户名').fill(NEW_USER)
    await dialog.getByLabel('姓名').fill(NEW_NAME)
    await dialog.getByLabel('所属区域').fill(GRID_NODE)
    await dialog.getByLabel('第 1 个角色', { exact: true }).click()
    await page.getByRole('option', { name: '网格员', exact: true }).click()
    // New role rows start at the home node.
    assert.equal(
        await dialog.getByLabel('第 1 个角色的区划代码').inputValue(), GRID_NODE)

    const answer = page.waitForResponse((r) =>
        r.url().endsWith('/api/v1/accounts') && r.request().method() === 'POST')
    await dialog.getByRole('button', { name: '创建' }).click()
    assert.equal((await answer).status(), 201)
    await dialog.waitFor({ state: 'hidden' })

    const shown = page.getByRole('dialog', { name: '账号已创建' })
    await shown.waitFor()
    initialPassword = (await shown.getByTestId('secret-once').innerText()).trim()
    assert.ok(initialPassword.length >= 8, 'an initial password is shown')
    assert.match(await shown.innerText(), /只显示这一次/)
    await screenshot('account-created.png')
    await shown.getByRole('button', { name: '我已妥善保存，关闭' }).click()
    await shown.waitFor({ state: 'hidden' })
    await page.getByTestId('accounts-table').getByText(NEW_USER).waitFor()
    await logout()
    assertNoConsoleErrors()
})

test('the new account must change its password, then reaches home', async () => {
    assert.ok(initialPassword, 'the account was created')
    await login(NEW_USER, initialPassword)
    await page.waitForURL(/\/setup\/password$/)
    await page.getByRole('heading', { name: '设置新密码' }).waitFor()
    await page.getByLabel('当前密码').fill(initialPassword)
    await page.getByLabel('新密码', { exact: true }).fill(NEW_PASSWORD)
    await page.getByLabel('确认新密码').fill(NEW_PASSWORD)
    const answer = page.waitForResponse((r) =>
        r.url().endsWith('/api/v1/me/password'))
    await page.getByRole('button', { name: '设置新密码并继续' }).click()
    assert.equal((await answer).status(), 204)
    await page.waitForURL(`${BASE}/`)
    const welcome = page.getByTestId('welcome')
    await welcome.waitFor()
    assert.match(await welcome.innerText(), new RegExp(NEW_NAME))
    await screenshot('password-changed-home.png')

    // My account, on a phone: the sessions list shows this one as current.
    await page.setViewportSize(PHONE)
    await page.getByRole('button', { name: '用户菜单' }).click()
    await page.getByRole('menuitem', { name: '我的账号' }).click()
    await page.waitForURL(/\/account$/)
    await page.getByTestId('sessions-table').getByText('当前').waitFor()
    const overflow = await horizontalOverflow()
    assert.equal(overflow, '', `wider than the screen: ${overflow}`)
    await screenshot('account-phone.png')
    await page.setViewportSize(DESKTOP)
    await logout()
    assertNoConsoleErrors()
})

test('the auditor sees the account creation and a sound chain', async () => {
    await login(AUDITOR, DEMO_PASSWORD)
    await enrolTotp('/')
    await page.getByTestId('welcome').waitFor()
    await page.getByRole('menuitem', { name: '审计日志' }).click()
    await page.waitForURL(/\/audit$/)
    const table = page.getByTestId('audit-table')
    await table.waitFor()
    const row = table.locator('.el-table__row')
        .filter({ hasText: 'account.create' }).first()
    await row.waitFor()
    // The row opens to its detail.
    await row.locator('.el-table__expand-icon').click()
    await table.getByText('哈希').first().waitFor()

    const verify = page.waitForResponse((r) =>
        r.url().endsWith('/api/v1/audit/verify'))
    await page.getByTestId('audit-verify').click()
    assert.equal((await verify).status(), 200)
    const result = page.getByTestId('audit-verify-result')
    await result.waitFor()
    assert.match(await result.innerText(), /完整性校验通过/)
    await screenshot('audit-verified.png')
    assertNoConsoleErrors()
})
