/**
 * The harness server: bundles `entry.ts` with esbuild (`obsidian` → the stub), and serves on 127.0.0.1 the page, the
 * plugin's `styles.css`, the example vault with its settings (as `/config.json`), and `/model/*`, a proxy to the
 * local Messages-API server. Going through one origin means the page's `fetch` needs no CORS from the test server.
 */
import { readdir, readFile } from 'node:fs/promises';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { builtinModules } from 'node:module';
import type { AddressInfo, Socket } from 'node:net';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import esbuild, { type Plugin } from 'esbuild';
import { migrateSettings } from '../../../src/kernel/migrate-settings';
import type { Settings } from '../../../src/kernel/settings';

const HERE = dirname(fileURLToPath(import.meta.url));
/** The plugin build's own regex engines (a plain `.mjs` build script without types, so loaded through `require`). */
const { pluginEngines } = createRequire(import.meta.url)('../../../scripts/esbuild-plugin-engines.mjs') as {
    pluginEngines: Plugin;
};
/** The plugin build's stand-ins for code that cannot run inside Obsidian (decision 0016). */
const { openTelemetryNoop } = createRequire(import.meta.url)('../../../scripts/esbuild-opentelemetry-noop.mjs') as {
    openTelemetryNoop: Plugin;
};
const { mcpClientWithoutOAuth } = createRequire(import.meta.url)(
    '../../../scripts/esbuild-mcp-client-without-oauth.mjs',
) as { mcpClientWithoutOAuth: Plugin };
const { sdkCredentialsPassedIn } = createRequire(import.meta.url)(
    '../../../scripts/esbuild-sdk-credentials-passed-in.mjs',
) as { sdkCredentialsPassedIn: Plugin };
const { sdkTracingOff } = createRequire(import.meta.url)('../../../scripts/esbuild-sdk-tracing-off.mjs') as {
    sdkTracingOff: Plugin;
};
/** The repository root. */
export const REPO_ROOT = join(HERE, '..', '..', '..');
const EXAMPLE_VAULT = join(REPO_ROOT, 'example-vault');
const CONFIG_DIR = '.obsidian';

/** A running harness. */
export interface HarnessServer {
    /** The page's address. */
    url: string;
    /** Stops the server. */
    close(): Promise<void>;
}

/** What the page is given. */
export interface HarnessOptions {
    /** The Messages-API server's base URL (`http://127.0.0.1:port`). */
    modelBaseURL: string;
    /** The key it expects. */
    apiKey: string;
    /** Extra files on top of the example vault (path → text). */
    extraFiles?: Record<string, string>;
    /** Changes to the example vault's settings. */
    settings?: (settings: Settings) => Settings;
    /**
     * An MCP server's base URL (`http://127.0.0.1:port`), proxied at `/mcp-peer/*` so the page reaches it on its own
     * origin; an HTTP server configured with a URL relative to the page (`/mcp-peer/mcp`) lands there.
     */
    mcpBaseURL?: string;
}

const bundles = new Map<string, Promise<string>>();

/** Node's builtin modules, bare or `node:`-prefixed (the plugin's own build keeps them external). */
const NODE_BUILTIN = new RegExp(`^(node:.*|${builtinModules.map((m) => m.replace(/[/.]/g, '\\$&')).join('|')})$`);

/** The harness bundle of `entry` (the chat page's `entry.ts` by default), built once per process. */
export function harnessBundle(entry = 'entry.ts'): Promise<string> {
    const known = bundles.get(entry);
    if (known !== undefined) return known;
    const bundled = esbuild
        .build({
            entryPoints: [join(HERE, entry)],
            bundle: true,
            write: false,
            format: 'esm',
            platform: 'browser',
            target: 'es2022',
            alias: { obsidian: join(REPO_ROOT, 'tests', 'support', 'obsidian-stub.ts') },
            plugins: [
                // The plugin's own regex engines and build-time stand-ins, as in main.js (decisions 0016, 0023).
                pluginEngines,
                openTelemetryNoop,
                mcpClientWithoutOAuth,
                sdkCredentialsPassedIn,
                sdkTracingOff,
                {
                    // The Node `fetch` (model-fetch-node.ts), the desktop-only readers and the stdio MCP transport
                    // (Node builtins such as `child_process`) are loaded only on Obsidian desktop: a page never runs them.
                    name: 'empty-node-modules',
                    setup(build) {
                        build.onResolve({ filter: NODE_BUILTIN }, (args) => ({ path: args.path, namespace: 'empty' }));
                        build.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({
                            contents: 'module.exports = {};',
                        }));
                    },
                },
            ],
            logLevel: 'silent',
        })
        .then((result) => result.outputFiles[0]?.text ?? '');
    bundles.set(entry, bundled);
    return bundled;
}

async function readVault(root: string): Promise<Record<string, string>> {
    const files: Record<string, string> = {};
    const walk = async (dir: string): Promise<void> => {
        for (const entry of await readdir(dir, { withFileTypes: true })) {
            const full = join(dir, entry.name);
            if (entry.isDirectory()) {
                if (entry.name !== CONFIG_DIR) await walk(full);
            } else if (entry.name.endsWith('.md')) {
                files[relative(root, full).split(sep).join('/')] = await readFile(full, 'utf8');
            }
        }
    };
    await walk(root);
    return files;
}

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Vault Agent harness</title>
<link rel="stylesheet" href="/theme.css"><link rel="stylesheet" href="/styles.css"></head>
<body class="theme-light"><div class="workspace"><div class="main-area"></div><div id="sidebar" class="sidebar"></div></div>
<script type="module" src="/bundle.js"></script></body></html>`;

/** The queue page (`/queue`): the same frame, with `queue-entry.ts` mounted instead of the chat. */
const QUEUE_PAGE = PAGE.replace('/bundle.js', '/queue-bundle.js');
/** The inline-edit page (`/inline?note=…`): a CodeMirror 6 editor with the plugin's extension (`inline-entry.ts`). */
const INLINE_PAGE = PAGE.replace('/bundle.js', '/inline-bundle.js');
/** The review inbox page (`/inbox`): the inbox view, its notices and status-bar item over a real proposal store. */
const INBOX_PAGE = PAGE.replace('/bundle.js', '/inbox-bundle.js');
/** The tag-readings page (`/readings`): the exclusion screen with the plugin's IndexedDB memory (`readings-entry.ts`). */
const READINGS_PAGE = PAGE.replace('/bundle.js', '/readings-bundle.js');

/** Starts the harness server on 127.0.0.1 with a random port. */
export async function startHarness(options: HarnessOptions): Promise<HarnessServer> {
    const files = { ...(await readVault(EXAMPLE_VAULT)), ...options.extraFiles };
    const stored: unknown = JSON.parse(
        await readFile(join(EXAMPLE_VAULT, CONFIG_DIR, 'plugins', 'vault-agent', 'data.json'), 'utf8'),
    );
    // The example vault's settings as the plugin reads them: the model is the maintained default, never swapped here.
    const migrated = migrateSettings(stored);
    if (!migrated.ok) throw new Error(`The example vault's settings cannot be used: ${migrated.error}`);
    const base: Settings = migrated.settings;
    const settings = options.settings ? options.settings(base) : base;
    const config = JSON.stringify({ files, settings, apiKey: options.apiKey, configDir: CONFIG_DIR });
    const model = new URL(options.modelBaseURL);
    const mcp = options.mcpBaseURL === undefined ? null : new URL(options.mcpBaseURL);
    const sockets = new Set<Socket>();

    const server = createServer((req, res) => {
        const path = (req.url ?? '/').split('?')[0] ?? '/';
        if (path.startsWith('/model/')) return proxy(req, res, model, path.slice('/model'.length));
        if (mcp !== null && path.startsWith('/mcp-peer/')) return proxy(req, res, mcp, path.slice('/mcp-peer'.length));
        void serve(path, res, config).catch((error: unknown) => {
            res.writeHead(500, { 'content-type': 'text/plain' });
            res.end(String(error));
        });
    });
    server.on('connection', (socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
        url: `http://127.0.0.1:${port}/`,
        close: () =>
            new Promise<void>((resolve) => {
                for (const socket of sockets) socket.destroy();
                server.close(() => resolve());
            }),
    };
}

async function serve(path: string, res: ServerResponse, config: string): Promise<void> {
    const send = (type: string, body: string): void => {
        res.writeHead(200, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store' });
        res.end(body);
    };
    if (path === '/') return send('text/html', PAGE);
    if (path === '/bundle.js') return send('text/javascript', await harnessBundle());
    if (path === '/queue') return send('text/html', QUEUE_PAGE);
    if (path === '/queue-bundle.js') return send('text/javascript', await harnessBundle('queue-entry.ts'));
    if (path === '/inline') return send('text/html', INLINE_PAGE);
    if (path === '/inline-bundle.js') return send('text/javascript', await harnessBundle('inline-entry.ts'));
    if (path === '/inbox') return send('text/html', INBOX_PAGE);
    if (path === '/inbox-bundle.js') return send('text/javascript', await harnessBundle('inbox-entry.ts'));
    if (path === '/readings') return send('text/html', READINGS_PAGE);
    if (path === '/readings-bundle.js') return send('text/javascript', await harnessBundle('readings-entry.ts'));
    if (path === '/config.json') return send('application/json', config);
    if (path === '/styles.css') return send('text/css', await readFile(join(REPO_ROOT, 'styles.css'), 'utf8'));
    if (path === '/theme.css') return send('text/css', await readFile(join(HERE, 'theme.css'), 'utf8'));
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
}

/** Forwards a request to the model server (or the MCP peer); a page that aborts (Stop) aborts the upstream request too. */
function proxy(req: IncomingMessage, res: ServerResponse, target: URL, path: string): void {
    const upstream = request(
        {
            host: target.hostname,
            port: target.port,
            method: req.method,
            path,
            headers: { ...req.headers, host: target.host },
        },
        (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
        },
    );
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
}
