// browser.mjs - what every browser test shares: Debian's Chromium through
// playwright-core (never a downloaded browser), a fresh profile, the server's
// address, screenshots, and a watch on the page's console.
//
//   const b = await launch({ expected401: ['/api/v1/me'] })
//   await b.page.goto(`${BASE}/login`); await b.screenshot('login.png')
//   b.assertNoConsoleErrors(); await b.close()
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

// playwright-core is a dev dependency of web/, resolved from there so the
// tests need no package.json of their own.
const require = createRequire(new URL('../../web/package.json', import.meta.url))
const { chromium } = require('playwright-core')

export const BASE = (process.env.GRIDGOV_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '')
export const ARTIFACTS = resolve(process.env.GRIDGOV_ARTIFACTS || 'build/artifacts')
export const DEMO_PASSWORD = 'Gridgov@Demo2026'
export const DESKTOP = { width: 1280, height: 800 }
export const PHONE = { width: 375, height: 812 }
const CHROMIUM = '/usr/bin/chromium'
const CHROMIUM_ARGS = [
    '--headless', '--no-sandbox', '--disable-gpu',
    '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic',
]
const TIMEOUT_MS = 15000

// Chromium logs every non-2xx fetch as a console error; a test lists the
// API paths whose 401 is part of the contract (e.g. GET /me before login),
// and b.expectFailure(status, pathRegExp) allows a refusal the test itself
// provokes (a 409 for a duplicate, a 400 for an overlapping boundary).
export async function launch({ expected401 = [] } = {}) {
    const expected = new Set(expected401)
    const expectedFailures = []
    const consoleErrors = []
    mkdirSync(ARTIFACTS, { recursive: true })
    const userDataDir = mkdtempSync(join(tmpdir(), 'gridgov-chromium-'))
    const context = await chromium.launchPersistentContext(userDataDir, {
        executablePath: CHROMIUM,
        args: CHROMIUM_ARGS,
        headless: true,
        viewport: DESKTOP,
        locale: 'zh-CN',
    })
    context.setDefaultTimeout(TIMEOUT_MS)
    const page = context.pages()[0] || await context.newPage()
    const isExpected401 = (msg) => {
        const { url } = msg.location()
        return /status of 401/.test(msg.text()) && Boolean(url) &&
            expected.has(new URL(url).pathname)
    }
    const isExpectedFailure = (msg) => {
        const { url } = msg.location()
        const status = /status of (\d+)/.exec(msg.text())
        return Boolean(url && status) && expectedFailures.some((f) =>
            f.status === Number(status[1]) && f.path.test(new URL(url).pathname))
    }
    page.on('console', (msg) => {
        if (msg.type() === 'error' && !isExpected401(msg) && !isExpectedFailure(msg))
            consoleErrors.push(`console: ${msg.text()} (${msg.location().url})`)
    })
    page.on('pageerror', (err) => consoleErrors.push(`pageerror: ${err.message}`))

    return {
        context,
        page,
        // From now on, a failed request with this status to a path matching
        // `path` (a RegExp on the URL's pathname) is not a console error.
        expectFailure(status, path) {
            expectedFailures.push({ status, path })
        },
        // Fails the current test if the page logged an error since the last call.
        assertNoConsoleErrors() {
            const found = consoleErrors.splice(0)
            assert.deepEqual(found, [], `the page logged errors:\n${found.join('\n')}`)
        },
        async screenshot(name) {
            const file = join(ARTIFACTS, name)
            await page.screenshot({ path: file, fullPage: true, animations: 'disabled' })
            console.log(`# screenshot ${file}`)
        },
        // '' when the page fits the window's width, else what sticks out.
        // scrollWidth is rounded up: a fractional layout (say 374.6 px) can
        // report one pixel too many with nothing sticking out, so only an
        // element that ends past the window counts.
        horizontalOverflow() {
            return page.evaluate(() => {
                const width = window.innerWidth
                if (document.documentElement.scrollWidth <= width)
                    return ''
                const out = []
                for (const e of document.querySelectorAll('body *')) {
                    const right = e.getBoundingClientRect().right
                    if (right > width + 0.5 && out.length < 5)
                        out.push(`${e.tagName.toLowerCase()}.${e.className} ends at ${right}`)
                }
                if (!out.length)
                    return ''
                return [`${document.documentElement.scrollWidth}px > ${width}px`, ...out].join('; ')
            })
        },
        async close() {
            await context.close()
            rmSync(userDataDir, { recursive: true, force: true })
        },
    }
}
