// Injected into the CommonJS bundles by scripts/build.mjs: import.meta.url for the bundled ES modules
// that read it at load (ps-list, the macOS reader, computes its directory from it).
export const import_meta_url = require('node:url').pathToFileURL(__filename).href;
