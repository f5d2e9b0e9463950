// Vite build for the gridgov front end. The output in dist/ is served by the
// C server as static files: hashed assets under dist/assets/, and a .gz copy
// beside every text file worth compressing so the server can send it as is.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { constants, gzipSync } from 'node:zlib'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

function* walk(dir) {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name)
        if (entry.isDirectory())
            yield* walk(path)
        else if (entry.isFile())
            yield path
    }
}

// Writes FILE.gz next to each matching output file larger than `threshold`
// bytes. Runs after Vite has written everything, public/ files included.
function precompress({ include = /\.(js|css|html|svg)$/, threshold = 1024 } = {}) {
    let outDir
    return {
        name: 'gridgov-precompress',
        apply: 'build',
        configResolved(config) {
            outDir = resolve(config.root, config.build.outDir)
        },
        closeBundle() {
            for (const file of walk(outDir)) {
                if (!include.test(file))
                    continue
                const data = readFileSync(file)
                if (data.length <= threshold)
                    continue
                writeFileSync(`${file}.gz`, gzipSync(data, {
                    level: constants.Z_BEST_COMPRESSION,
                }))
            }
        },
    }
}

export default defineConfig({
    base: '/',
    plugins: [vue(), precompress()],
    define: {
        // vue-i18n: Composition API only, no devtools hooks in production.
        __VUE_I18N_FULL_INSTALL__: true,
        __VUE_I18N_LEGACY_API__: false,
        __INTLIFY_PROD_DEVTOOLS__: false,
    },
    build: {
        outDir: 'dist',
        assetsDir: 'assets',
        emptyOutDir: true,
        target: 'es2020',
        chunkSizeWarningLimit: 600,
    },
    server: {
        // `npm run dev` talks to a running gridgov server.
        proxy: {
            '/api': process.env.GRIDGOV_URL || 'http://127.0.0.1:8080',
        },
    },
})
