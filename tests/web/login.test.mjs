// Browser test of the sign-in flow against a running gridgov server.
//
//   GRIDGOV_URL=http://127.0.0.1:41234 node --test tests/web/login.test.mjs
//
// Needs `npm ci` in web/ (for playwright-core) and Debian's Chromium at
// /usr/bin/chromium; never downloads a browser. The server must have the demo
// loaded (account dh_admin, role street_center at 370902001 岱庙街道).
// Screenshots go to $GRIDGOV_ARTIFACTS (default build/artifacts).
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { BASE, DEMO_PASSWORD, DESKTOP, PHONE, launch } from './browser.mjs'

const DEMO_USER = 'dh_admin'
const DEMO_NODE = '岱庙街道'
const PRODUCT_ZH = '网格化基层治理平台'


let b
let context
let page

async function fillLogin(username, password) {
    await page.getByLabel('用户名').fill(username)
    await page.getByLabel('密码', { exact: true }).fill(password)
}

before(async () => {
    b = await launch({ expected401: ['/api/v1/me', '/api/v1/session'] })
    ;({ context, page } = b)
})

after(async () => {
    await b?.close()
})

const screenshot = (name) => b.screenshot(name)
const assertNoConsoleErrors = () => b.assertNoConsoleErrors()
const horizontalOverflow = () => b.horizontalOverflow()

test('login page shows the product in Chinese', async () => {
    await page.goto(`${BASE}/login`)
    await page.getByRole('heading', { name: PRODUCT_ZH }).waitFor()
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN')
    assert.match(await page.title(), new RegExp(PRODUCT_ZH))
    await screenshot('login.png')
    assertNoConsoleErrors()
})

test('a wrong password shows the server error', async () => {
    await fillLogin(DEMO_USER, 'not-the-password')
    const answer = page.waitForResponse((r) =>
        r.url().endsWith('/api/v1/session') && r.request().method() === 'POST')
    await page.getByLabel('密码', { exact: true }).press('Enter')
    assert.equal((await answer).status(), 401)
    const alert = page.locator('.el-alert--error')
    await alert.waitFor()
    assert.notEqual((await alert.innerText()).trim(), '')
    assert.equal(new URL(page.url()).pathname, '/login')
    assertNoConsoleErrors()
})

test('the demo account signs in to the main layout', async () => {
    await fillLogin(DEMO_USER, DEMO_PASSWORD)
    await page.getByRole('button', { name: '登录' }).click()
    await page.waitForURL(`${BASE}/`)
    const name = page.getByTestId('display-name')
    await name.waitFor()
    assert.notEqual((await name.innerText()).trim(), '')
    const node = page.getByTestId('current-node')
    await node.waitFor()
    assert.equal((await node.innerText()).trim(), DEMO_NODE)
    // Home shows the server's schema version from GET /api/v1/health.
    await page.getByTestId('schema-version').waitFor()
    await screenshot('home.png')
    assertNoConsoleErrors()
})

test('the node switcher loads children of the role node', async () => {
    // Opening the switcher loads the level below the current node.
    const children = page.waitForResponse((r) =>
        r.url().includes('/api/v1/nodes?parent=370902001'))
    await page.getByTestId('current-node').click()
    await page.locator('.el-cascader-node')
        .filter({ hasText: DEMO_NODE }).first().waitFor()
    assert.equal((await children).status(), 200)
    await page.keyboard.press('Escape')
    assertNoConsoleErrors()
})

test('logout returns to the login page', async () => {
    await page.getByTestId('display-name').click()
    const answer = page.waitForResponse((r) =>
        r.url().endsWith('/api/v1/session') && r.request().method() === 'DELETE')
    await page.getByRole('menuitem', { name: '退出登录' }).click()
    assert.equal((await answer).status(), 204)
    await page.waitForURL(/\/login$/)
    await page.goto(`${BASE}/`)
    await page.waitForURL(/\/login/)
    assertNoConsoleErrors()
})

test('login page fits a 375 px phone', async () => {
    await page.setViewportSize(PHONE)
    await page.goto(`${BASE}/login`)
    await page.getByRole('heading', { name: PRODUCT_ZH }).waitFor()
    assert.equal(await horizontalOverflow(), '', 'the page scrolls sideways')
    await screenshot('login-phone.png')
    assertNoConsoleErrors()
})
