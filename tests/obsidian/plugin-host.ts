/**
 * The rest of the host a whole plugin needs, on top of the `obsidian` stub: `Platform`, a `Plugin` that records
 * views, ribbon icons and status-bar items, per-device local storage, `vault.adapter` over a map of files, and a
 * workspace with leaves and `openLinkText`. Built over a given stub module, so the bundle-load test can extend the
 * copy it loaded inside its vm and the wiring test the one vitest aliases. No Node APIs.
 */
import type * as Stub from '../support/obsidian-stub';

/** The `Platform` flags the plugin reads. */
export interface HostPlatform {
    /** Desktop app. */
    isDesktop: boolean;
    /** Mobile app. */
    isMobile: boolean;
}

/** What the host adds to `App`. */
export interface HostApp extends Stub.App {
    /** Per-device values (test helper: visible for assertions). */
    local: Map<string, unknown>;
    /** Files under the config folder, as `vault.adapter` sees them (test helper). */
    files: Map<string, string>;
    /** Links opened with `openLinkText` (test helper). */
    opened: string[];
    /** Obsidian's per-vault, per-device storage. */
    loadLocalStorage(key: string): unknown;
    /** Obsidian's per-vault, per-device storage. */
    saveLocalStorage(key: string, value: unknown): void;
}

/** A plugin as the host records it. */
export interface HostPluginShape extends Stub.Plugin {
    /** View factories by type. */
    views: Map<string, (leaf: Stub.WorkspaceLeaf) => unknown>;
    /** Ribbon icons added. */
    ribbon: { icon: string; title: string }[];
    /** Status-bar items added. */
    statusBar: HTMLElement[];
}

/** The stub module with the host's additions, as `require('obsidian')` should return it. */
export function hostModule(stub: typeof Stub, platform: HostPlatform): typeof Stub & { Platform: HostPlatform } {
    class HostPlugin extends stub.Plugin implements HostPluginShape {
        views = new Map<string, (leaf: Stub.WorkspaceLeaf) => unknown>();
        ribbon: { icon: string; title: string }[] = [];
        statusBar: HTMLElement[] = [];
        override registerView(type: string, factory: (leaf: Stub.WorkspaceLeaf) => unknown): void {
            this.views.set(type, factory);
            this.register(() => this.views.delete(type));
        }
        override addRibbonIcon(icon: string, title: string): HTMLElement {
            this.ribbon.push({ icon, title });
            return stub.createContainer();
        }
        override addStatusBarItem(): HTMLElement {
            const el = stub.createContainer();
            this.statusBar.push(el);
            return el;
        }
    }
    return { ...stub, Plugin: HostPlugin, Platform: platform };
}

/** A stub app with local storage, an adapter over `files`, and a leaf workspace; `basePath` only on desktop. */
export function hostApp(stub: typeof Stub, options: { basePath?: string } = {}): HostApp {
    const app = new stub.App() as HostApp;
    app.local = new Map();
    app.files = new Map();
    app.opened = [];
    Object.assign(app, {
        loadLocalStorage: (key: string) => app.local.get(key) ?? null,
        saveLocalStorage: (key: string, value: unknown) => {
            if (value === null) app.local.delete(key);
            else app.local.set(key, value);
        },
    });
    const children = (path: string): string[] => [...app.files.keys()].filter((file) => file.startsWith(`${path}/`));
    // The stub app's own adapter answers for each plugin's data.json (kept in `pluginData`).
    const settingsFiles = app.vault.adapter;
    const adapter = {
        exists: async (path: string) =>
            app.files.has(path) || children(path).length > 0 || (await settingsFiles.exists(path)),
        read: async (path: string) => {
            const text = app.files.get(path);
            if (text === undefined) throw new Error(`ENOENT: ${path}`);
            return text;
        },
        write: async (path: string, data: string) => void app.files.set(path, data),
        mkdir: async () => undefined,
        list: async (path: string) => ({
            files: children(path).filter((file) => !file.slice(path.length + 1).includes('/')),
            folders: [
                ...new Set(
                    children(path)
                        .map((file) => file.slice(path.length + 1).split('/'))
                        .filter((parts) => parts.length > 1)
                        .map((parts) => `${path}/${parts[0] ?? ''}`),
                ),
            ],
        }),
        ...(options.basePath !== undefined ? { getBasePath: () => options.basePath } : {}),
    };
    Object.assign(app.vault, { adapter });
    const workspace = new stub.LeafWorkspace();
    Object.assign(workspace, {
        getRightLeaf: () => {
            const leaf = new stub.WorkspaceLeaf();
            workspace.leaves.push(leaf);
            return leaf;
        },
        revealLeaf: async () => undefined,
        openLinkText: async (linktext: string) => void app.opened.push(linktext),
    });
    app.workspace = workspace;
    return app;
}
