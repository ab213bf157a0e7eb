// npm run package: builds the production bundles into a staging folder that
// holds only what the extension needs, packs it with vsce (no node_modules:
// --no-dependencies) and checks the result against the budget
// (scripts/vsixContents.mjs). Staging keeps the development dist/ untouched.
// Usage: node scripts/package.mjs [--out FILE.vsix] [--quiet]
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkVsix, describeVsix } from './vsixContents.mjs';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Copied into the staging folder; .vscodeignore then picks the files. */
const SOURCES = ['package.json', 'README.md', '.vscodeignore', 'media', 'native'];
/** The TypeScript server plugin's package (src/tsPlugin/shipped.ts PLUGIN_NAME). */
const PLUGIN = 'resnet-lab-ts-plugin';

/** Builds and packs; returns the .vsix path and what vsce printed. */
export function packageVsix({ outFile, quiet = false } = {}) {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const vsix = path.resolve(ROOT, outFile ?? `${pkg.name}-${pkg.version}.vsix`);
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'resnet-lab-vsix-'));
  try {
    for (const s of SOURCES) {
      if (fs.existsSync(path.join(ROOT, s))) fs.cpSync(path.join(ROOT, s), path.join(stage, s), { recursive: true });
    }
    const io = quiet ? 'pipe' : 'inherit';
    // Also builds the TypeScript server plugin into stage/node_modules/resnet-lab-ts-plugin/.
    execFileSync(
      process.execPath,
      ['scripts/build.mjs', '--production', '--quiet', '--outdir', path.join(stage, 'dist')],
      { cwd: ROOT, stdio: io },
    );
    // The one package that ships in node_modules is the TypeScript server plugin
    // (tsserver loads it by name from there). vsce --no-dependencies never looks
    // inside node_modules, so vsce lists the staged manifest's dependencies with
    // npm instead, and that manifest names just what the .vsix carries: the
    // plugin. tfjs and the rest are bundled into dist/ and need no entry.
    const manifest = JSON.parse(fs.readFileSync(path.join(stage, 'package.json'), 'utf8'));
    manifest.dependencies = {
      [PLUGIN]: JSON.parse(fs.readFileSync(path.join(stage, 'node_modules', PLUGIN, 'package.json'), 'utf8')).version,
    };
    delete manifest.optionalDependencies;
    delete manifest.devDependencies;
    fs.writeFileSync(path.join(stage, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
    const vsce = path.join(path.dirname(require.resolve('@vscode/vsce/package.json')), 'vsce');
    const args = [
      'package',
      '--dependencies',
      '--no-yarn',
      '--allow-missing-repository',
      '--skip-license',
      '--no-rewrite-relative-links',
      '--out',
      vsix,
    ];
    // vsce warns on stdout/stderr; keep both to check for its bundling warning.
    const output = execFileSync(process.execPath, [vsce, ...args], {
      cwd: stage,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { vsix, output };
  } catch (e) {
    if (e.stdout || e.stderr) e.message += `\n${e.stdout ?? ''}${e.stderr ?? ''}`;
    throw e;
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--out');
  const { vsix, output } = packageVsix({
    outFile: at > 0 ? process.argv[at + 1] : undefined,
    quiet: process.argv.includes('--quiet'),
  });
  process.stdout.write(output);
  const r = checkVsix(vsix);
  console.log(describeVsix(r));
  if (/should bundle/i.test(output)) r.problems.push('vsce asks for bundling');
  if (r.problems.length) {
    console.error(`\nThe package breaks its budget:\n  ${r.problems.join('\n  ')}`);
    process.exit(1);
  }
}
