#!/usr/bin/env node
// Builds one esbuild bundle per entry point into dist/<entry>/index.js: users run exactly these.
//
// Why esbuild, minified, ES module (README, Benchmark): a post step pays V8's load of its bundle on every
// job. @actions/core v3's index statically imports its OIDC client, and with it @actions/http-client and
// undici (about 415 KB of the 488 KB esbuild bundle); its platform helpers import @actions/exec. strays
// never calls getIDToken or getDetails. Those packages are declared free of side effects below, so the
// bundler drops them when nothing in them is used (esbuild "sideEffects", as in package.json): 65 KB
// instead of 1.2 MB (ncc) or 584 KB (ncc --minify). Should strays ever call one of them, its code is
// bundled as usual: the declaration only removes what is unused.
// CommonJS rather than an ES module: Node starts a CommonJS entry with less work (no ES module loader, no
// facade per built-in module): 7 % less CPU for an empty file, 4-7 % less for this bundle (README, Benchmark).
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

export const ENTRIES = {
  pre: 'src/action/pre.ts',
  main: 'src/action/main.ts',
  post: 'src/action/post.ts',
  cli: 'src/cli/index.ts',
};

/**
 * import.meta for the bundled ES modules that read it (ps-list), computed when first read. Strict mode first:
 * esbuild's own "use strict" comes after the banner, where it is no longer a directive.
 */
const IMPORT_META = `"use strict";\nconst __importMeta = { get url() { return require('node:url').pathToFileURL(__filename).href; } };`;

/** Packages reached only through @actions/core's OIDC client and platform helpers, which strays never calls. */
const UNUSED_UNLESS_CALLED = /^(@actions\/http-client|@actions\/exec|@actions\/io|undici|tunnel)(\/|$)/;
/**
 * @actions/core's own modules that an entry may not use: the job summary, whose module reads `fs.promises`
 * when it loads (Node then loads fs/promises, its watchers and readline: ~1.2 ms) though only the post step
 * writes a summary; the platform and path helpers, which strays never calls.
 */
const CORE_PARTS = /^\.\/(summary|platform|path-utils)\.js$/;
const inCore = (importer) => /[\\/]node_modules[\\/]@actions[\\/]core[\\/]/.test(importer);

const sideEffectFree = {
  name: 'side-effect-free',
  setup(build) {
    build.onResolve({ filter: new RegExp(`${UNUSED_UNLESS_CALLED.source}|${CORE_PARTS.source}`) }, async (args) => {
      if (args.pluginData === 'resolving') return undefined;
      if (CORE_PARTS.test(args.path) && !inCore(args.importer)) return undefined;
      const resolved = await build.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: 'resolving',
      });
      return { ...resolved, sideEffects: false };
    });
  },
};

/**
 * Built-in modules whose load a clean job never needs, loaded on the first call instead: child_process
 * costs ~2.5 ms of start-up (not in Node's start-up snapshot), and only the privileged helper, the
 * portable reader and `strays run` spawn anything. Each exported function becomes a wrapper that
 * requires the module when called; a named import of anything else (a class, a constant) fails the build,
 * and the default object reads it from the module when read.
 */
const LOADED_ON_FIRST_CALL = ['child_process'];

const builtinsOnFirstCall = {
  name: 'builtins-on-first-call',
  setup(build) {
    const modules = LOADED_ON_FIRST_CALL.join('|');
    build.onResolve({ filter: new RegExp(`^(node:)?(${modules})$`) }, (args) =>
      // The wrapper's own require is the real module.
      args.namespace === 'on-first-call'
        ? { path: args.path, external: true }
        : { path: args.path.replace(/^node:/, ''), namespace: 'on-first-call' },
    );
    build.onLoad({ filter: /.*/, namespace: 'on-first-call' }, (args) => {
      const real = createRequire(import.meta.url)(args.path);
      const names = Object.keys(real).filter((k) => /^[A-Za-z_]\w*$/.test(k));
      const functions = names.filter((k) => typeof real[k] === 'function' && /^[a-z]/.test(k));
      // execFile has its own promisified form (resolving to { stdout, stderr }): promisify must find it on the wrapper.
      const wrappers = functions.map(
        (k) =>
          `export function ${k}(...a) { return load().${k}(...a); }` +
          (real[k][promisify.custom] ? `\n${k}[promisify.custom] = (...a) => promisify(load().${k})(...a);` : ''),
      );
      return {
        contents: [
          `import { promisify } from 'node:util';`,
          `let m;`,
          `const load = () => (m ??= require('node:${args.path}'));`,
          ...wrappers,
          // The default object (`import cp from 'node:child_process'`, as ps-list does): the same wrappers, and
          // everything else (ChildProcess …) read from the module when read, never undefined.
          `export default { ${functions.join(', ')}, ${names
            .filter((k) => !functions.includes(k))
            .map((k) => `get ${k}() { return load().${k}; }`)
            .join(', ')} };`,
        ].join('\n'),
        loader: 'js',
      };
    });
  },
};

/**
 * esbuild gives every `import fs from 'node:fs'` its own interop copy of the module (`__toESM`: one
 * getter per property, ~100 for fs), 40 copies in the post bundle: ~3.5 ms of start-up. The copy is only
 * read, so a view serves as well: an object whose prototype is the module, plus `default` (the module
 * itself, as Node gives a CommonJS module to an ES importer), one per module for every importer, as one
 * namespace object serves every importer of an ES module. Anything that is not an object keeps the copy.
 * The build fails if esbuild's helper changes shape.
 */
function shareInteropViews(code) {
  const start = /var ([\w$]+)\s*=\s*\(([\w$]+),\s*([\w$]+),\s*([\w$]+)\)\s*=>\s*\(\4\s*=\s*\2\s*!=\s*null\s*\?/.exec(
    code,
  );
  const end = start ? code.indexOf('));', start.index) + 3 : -1;
  const helper = start && end > 2 ? code.slice(start.index, end) : '';
  if (!start || !helper.includes('__esModule'))
    throw new Error("build: esbuild's __toESM helper not found; update shareInteropViews (scripts/build.mjs).");
  const name = start[1];
  // One cache per mode: whether `default` is the module or its own `default` depends on it.
  const shared = `var ${name}$views=[new WeakMap,new WeakMap],${name}=(m,n)=>{if(m==null||typeof m!="object")return ${name}$copy(m,n);const c=${name}$views[n?1:0];let v=c.get(m);if(v===void 0){v=n||!m.__esModule?Object.create(m,{default:{value:m,enumerable:!0}}):Object.create(m);c.set(m,v)}return v};`;
  // A function: a replacement string would read `$&`, `$1` … in minified code.
  return code.replace(helper, () => `${helper.replace(`var ${name}`, () => `var ${name}$copy`)}${shared}`);
}

/** The licences of the packages whose code is in the bundle, one block each (name, licence, text), as ncc's --license wrote them. */
function licenses(metafile) {
  const packages = new Map();
  const inBundle = Object.values(metafile.outputs).flatMap((o) =>
    Object.entries(o.inputs)
      .filter(([, v]) => v.bytesInOutput > 0)
      .map(([k]) => k),
  );
  for (const input of inBundle) {
    const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) packages.set(m[1], path.join(input.slice(0, m.index + m[0].length - 1)));
  }
  const blocks = [];
  for (const [name, dir] of [...packages].sort(([a], [b]) => a.localeCompare(b))) {
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    const file = fs.readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
    const text = file ? fs.readFileSync(path.join(dir, file), 'utf8').trim() : '';
    blocks.push(`${name}\n${manifest.license ?? 'UNKNOWN'}\n${text}`);
  }
  return `${blocks.join('\n\n')}\n`;
}

/** Bundles `entry` into `<outDir>/index.js` with its package.json marker and licenses.txt. */
export async function buildEntry(entry, outDir) {
  fs.rmSync(outDir, { recursive: true, force: true });
  const result = await esbuild.build({
    entryPoints: [entry],
    outfile: `${outDir}/index.js`,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    // ps-list (the macOS reader) computes its directory from import.meta.url when it loads; CommonJS has
    // __filename. A getter: the URL is made only if ps-list is ever loaded, not in every bundle's start-up.
    define: { 'import.meta.url': '__importMeta.url' },
    banner: { js: IMPORT_META },
    legalComments: 'none', // the licences are in licenses.txt beside the bundle
    metafile: true,
    plugins: [sideEffectFree, builtinsOnFirstCall],
    logLevel: 'warning',
  });
  // The marker keeps the bundle CommonJS inside this "type": "module" package (action.yml runs it with node24).
  const bundle = `${outDir}/index.js`;
  fs.writeFileSync(bundle, shareInteropViews(fs.readFileSync(bundle, 'utf8')));
  fs.writeFileSync(`${outDir}/package.json`, '{\n  "type": "commonjs"\n}\n');
  fs.writeFileSync(`${outDir}/licenses.txt`, licenses(result.metafile));
  if (fs.readFileSync(`${outDir}/index.js`, 'utf8').startsWith('#!')) fs.chmodSync(`${outDir}/index.js`, 0o755);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const [name, entry] of Object.entries(ENTRIES)) {
    if (!fs.existsSync(entry)) {
      console.log(`build: skipping ${name} (${entry} does not exist yet)`);
      continue;
    }
    await buildEntry(entry, `dist/${name}`);
  }
}
