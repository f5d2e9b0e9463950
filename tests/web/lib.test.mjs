// The front end's pure parts, without a browser: the locale files (every
// key in both languages, with the same placeholders, and every key the
// code names present), the checks mirrored from the server (GB 11643 ID
// numbers, phone numbers, GB 32100 credit codes), the code tables and the
// small helpers of the registry screens.
//
//   node --test tests/web/lib.test.mjs
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import {
    checkCreditCode, checkIdNo, checkPhone, creditCheckChar, idCheckChar,
    normaliseIdNo,
} from '../../web/src/lib/checks.js'
import * as CODES from '../../web/src/lib/codes.js'
import { outerRing, polygonOf, splitFeatures } from '../../web/src/lib/geo.js'
import { ageOf, personBody, tagsOf } from '../../web/src/lib/persons.js'

const SRC = new URL('../../web/src/', import.meta.url).pathname
const zh = JSON.parse(readFileSync(join(SRC, 'locales/zh-CN.json'), 'utf8'))
const en = JSON.parse(readFileSync(join(SRC, 'locales/en.json'), 'utf8'))

// { 'a.b.c': 'text' } from nested messages.
function flatten(messages, prefix = '', out = {}) {
    for (const [key, value] of Object.entries(messages)) {
        const path = prefix ? `${prefix}.${key}` : key
        if (value && typeof value === 'object')
            flatten(value, path, out)
        else
            out[path] = value
    }
    return out
}

const placeholders = (text) => [...String(text).matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()

test('both languages have the same keys and placeholders', () => {
    const a = flatten(zh)
    const b = flatten(en)
    assert.deepEqual(Object.keys(a).filter((k) => !(k in b)), [], 'keys missing in en.json')
    assert.deepEqual(Object.keys(b).filter((k) => !(k in a)), [], 'keys missing in zh-CN.json')
    const differ = Object.keys(a).filter((k) =>
        JSON.stringify(placeholders(a[k])) !== JSON.stringify(placeholders(b[k])))
    assert.deepEqual(differ, [], 'placeholders differ')
    const empty = Object.keys(a).filter((k) => !String(a[k]).trim() || !String(b[k]).trim())
    assert.deepEqual(empty, [], 'empty texts')
})

function* sources(dir) {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name)
        if (entry.isDirectory())
            yield* sources(path)
        else if (/\.(vue|js)$/.test(entry.name))
            yield path
    }
}

test('every key the code names is in the locale files', () => {
    const known = flatten(zh)
    const missing = []
    for (const file of sources(SRC)) {
        const text = readFileSync(file, 'utf8')
        // t('a.b'), te('a.b'), titleKey: 'a.b', and the checks' keys.
        const pattern = /\b(?:t|te|message)\(\s*'([a-zA-Z][\w.]*)'|titleKey: '([\w.]+)'|'(checks\.\w+)'/g
        for (const m of text.matchAll(pattern)) {
            const key = m[1] || m[2] || m[3]
            if (key.includes('.') && !key.endsWith('.') && !(key in known))
                missing.push(`${file.slice(SRC.length)}: ${key}`)
        }
    }
    assert.deepEqual(missing, [])
})

test('every code of the code tables has a name in both languages', () => {
    const tables = {
        sex: CODES.SEX,
        ethnic: CODES.ETHNIC,
        political: CODES.POLITICAL,
        relation: CODES.RELATION,
        residence: CODES.RESIDENCE,
        buildingKind: CODES.BUILDING_KINDS,
        orgKind: CODES.ORG_KINDS,
        partyKind: CODES.PARTY_KINDS,
        duty: CODES.PARTY_DUTIES,
        post: CODES.ROSTER_POSTS,
        importKind: CODES.IMPORT_KINDS,
    }
    for (const [table, ids] of Object.entries(tables)) {
        for (const id of ids) {
            assert.ok(zh.codes[table][id], `codes.${table}.${id} (zh-CN)`)
            assert.ok(en.codes[table][id], `codes.${table}.${id} (en)`)
        }
    }
    // GB/T 3304: 56 groups, then 97 and 98; GB/T 4762: 01-13.
    assert.equal(CODES.ETHNIC.length, 58)
    assert.equal(zh.codes.ethnic['15'], '土家族')
    assert.deepEqual(CODES.POLITICAL.slice(-1), ['13'])
    for (const level of CODES.LEVELS)
        assert.ok(zh.levels[level] && en.levels[level], `levels.${level}`)
})

test('ID numbers: shape, region, birth date and the GB 11643 check digit', () => {
    const good = '11010519491231002X' // the standard's own example
    assert.equal(idCheckChar(good.slice(0, 17)), 'X')
    assert.deepEqual(checkIdNo(good), { error: '', birthDate: '1949-12-31', sex: '2' })
    assert.equal(checkIdNo('11010519491231002x').error, '')
    assert.equal(normaliseIdNo(' 11010519491231002x '), good)
    assert.equal(checkIdNo('110105194912310021').error, 'checks.idCheck')
    assert.equal(checkIdNo('1101051949123100').error, 'checks.idShape')
    assert.equal(checkIdNo('01010519491231002X').error, 'checks.idRegion')
    const feb30 = '11010519490230001'
    assert.equal(checkIdNo(feb30 + idCheckChar(feb30)).error, 'checks.idBirth')
    const future = `110105${new Date().getFullYear() + 1}0101001`
    assert.equal(checkIdNo(future + idCheckChar(future)).error, 'checks.idBirth')
    const male = '37090219800101123'
    assert.equal(checkIdNo(male + idCheckChar(male)).sex, '1')
})

test('phone numbers: mobiles and landlines as the server takes them', () => {
    for (const ok of ['13800138000', '19912345678', '0538-6212345', '05386212345', '010-12345678'])
        assert.equal(checkPhone(ok), '', ok)
    for (const bad of ['12800138000', '1380013800', '138001380001', '0538--621234', '05-386212345', 'abc'])
        assert.equal(checkPhone(bad), 'checks.phone', bad)
})

test('credit codes: alphabet, region and the GB 32100 check character', () => {
    const first17 = '91370902MA3C00001'
    const code = first17 + creditCheckChar(first17)
    assert.equal(checkCreditCode(code), '')
    assert.equal(checkCreditCode(code.toLowerCase()), '')
    const wrong = first17 + (creditCheckChar(first17) === '0' ? '1' : '0')
    assert.equal(checkCreditCode(wrong), 'checks.creditCheck')
    assert.equal(checkCreditCode('91370902MA3C0000I1'), 'checks.creditShape') // I is not used
    assert.equal(checkCreditCode('9137A902MA3C000011'), 'checks.creditShape') // region
    assert.equal(checkCreditCode('913709'), 'checks.creditShape')
})

test('node codes: levels, paths and the next free child', () => {
    assert.equal(CODES.levelOfCode('370902001007'), 'community')
    assert.equal(CODES.levelOfCode('370902001007001'), 'grid')
    assert.equal(CODES.levelOfCode('3709020'), '')
    assert.equal(CODES.childPartLength('370902'), 3)
    assert.equal(CODES.childPartLength('3709'), 2)
    assert.deepEqual(CODES.nodePath('370902001007001', ['370902001']),
        ['370902001', '370902001007', '370902001007001'])
    assert.deepEqual(CODES.nodePath('350702004', ['370902001']), ['350702004'])
    assert.equal(CODES.nextChildCode('370902001007', ['370902001007001', '370902001007002']),
        '370902001007003')
    assert.equal(CODES.nextChildCode('370902001007001001', []), '')
})

test('geometry: a ring drawn on the map becomes a closed polygon and back', () => {
    const vertices = [[117.1, 36.1], [117.2, 36.1], [117.2, 36.2]]
    const polygon = polygonOf(vertices)
    assert.equal(polygon.type, 'Polygon')
    assert.deepEqual(polygon.coordinates[0][0], polygon.coordinates[0][3])
    assert.deepEqual(outerRing(polygon), vertices)
    assert.deepEqual(outerRing({ type: 'MultiPolygon', coordinates: [polygon.coordinates] }), vertices)
    assert.equal(polygonOf(vertices.slice(0, 2)), null)
    const { areas, points } = splitFeatures({
        type: 'FeatureCollection',
        features: [
            { type: 'Feature', geometry: polygon, properties: {} },
            { type: 'Feature', geometry: { type: 'Point', coordinates: [117.1, 36.1] }, properties: {} },
        ],
    })
    assert.equal(areas.length, 1)
    assert.equal(points.length, 1)
})

test('persons: age, tags and the body that keeps a record as it is', () => {
    assert.equal(ageOf('2000-06-15', new Date(2026, 5, 14)), 25)
    assert.equal(ageOf('2000-06-15', new Date(2026, 5, 15)), 26)
    assert.equal(ageOf(null), null)
    assert.deepEqual(tagsOf({ tags: '高龄,党员' }), ['高龄', '党员'])
    assert.deepEqual(tagsOf({ tags: ['低保'] }), ['低保'])
    assert.deepEqual(tagsOf({ tags: null }), [])
    const person = {
        id: 7, version: 3, node_code: '370902001007001', household_id: 12, relation: '02',
        name: '王建国', sex: '1', birth_date: '1950-01-01', ethnic: '01', political: '13',
        residence: 'permanent', id_no_masked: '3709**********1234', moved_in: null,
        moved_out: null, tags: ['高龄'],
    }
    const body = personBody(person, { household_id: null, relation: null })
    assert.equal('household_id' in body, false)
    assert.equal('relation' in body, false)
    assert.equal('id_no' in body, false) // kept by the server
    assert.equal('version' in body, false)
    assert.equal(body.name, '王建国')
    assert.deepEqual(body.tags, ['高龄'])
})
