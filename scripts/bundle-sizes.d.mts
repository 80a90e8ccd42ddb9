/** Types of `bundle-sizes.mjs`, for the tests that read the plugin build's metafile. */

/** The package (`yaml`, `@scope/name`) or source room (`src/agent`) a metafile input belongs to. */
export function ownerOf(input: string): string;

/** Bytes of minified code in the plugin bundle per owner (largest first), and the bundle's total code bytes. */
export function pluginBundleSizes(options?: { detail?: string }): Promise<{ total: number; rows: [string, number][] }>;
