// Getting started: package.json's walkthrough and snippets point at things
// that exist. Every command a step links to or completes on is contributed and
// registered, every step's page is a file that ships (.vscodeignore), and
// each snippet, expanded with its defaults (and every choice), type-checks
// against the shipped declarations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { shippedDeclarations } from '../../src/tsPlugin/shipped';
import { tempDir } from '../support/tempDir';

const root = path.resolve(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  contributes: { commands: { command: string }[]; walkthroughs: unknown[]; snippets: unknown[] };
};
const contributed = new Set(pkg.contributes.commands.map((c) => c.command));
const registered = fs.readFileSync(path.join(root, 'src', 'extension', 'commands.ts'), 'utf8');
// The keys the walkthrough's onContext events wait for are made there (stepDoneKey).
const progress = fs.readFileSync(path.join(root, 'src', 'extension', 'walkthroughProgress.ts'), 'utf8');

/** Whether .vscodeignore lets a file into the .vsix (its "!" lines; "*" within one folder). */
function ships(file: string): boolean {
  return fs
    .readFileSync(path.join(root, '.vscodeignore'), 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('!'))
    .map(
      (l) =>
        new RegExp(
          `^${l
            .slice(1)
            .trim()
            .replace(/[.+^$()|[\]\\]/g, '\\$&')
            .replace(/\*\*/g, '\0')
            .replace(/\*/g, '[^/]*')
            .replace(/\0/g, '.*')}$`,
        ),
    )
    .some((re) => re.test(file));
}

type Step = {
  id: string;
  title: string;
  description: string;
  media: { markdown?: string };
  completionEvents?: string[];
};

test('the walkthrough has the three steps, each with a command link to a contributed, registered command and a shipped page', () => {
  const [walkthrough] = pkg.contributes.walkthroughs as { id: string; steps: Step[] }[];
  assert.deepEqual(
    walkthrough.steps.map((s) => s.id),
    ['experiment', 'train', 'degradation'],
  );
  const ours = (s: Step) =>
    [...s.description.matchAll(/\(command:([\w.]+)\)/g)].map((m) => m[1]).filter((c) => c.startsWith('resnetLab.'));
  assert.deepEqual(walkthrough.steps.map(ours), [
    ['resnetLab.newExperiment'],
    ['resnetLab.train'],
    ['resnetLab.degradation'],
  ]);
  for (const step of walkthrough.steps) {
    const events = step.completionEvents ?? [];
    // Each step also completes on the context key the extension sets when the step's action succeeded.
    assert.deepEqual(
      events.filter((e) => e.startsWith('onContext:')),
      [`onContext:resnetLab.walkthrough.${step.id}Done`],
      `${step.id} completes on its context key`,
    );
    assert.match(progress, /`resnetLab\.walkthrough\.\$\{step\}Done`/, 'walkthroughProgress.ts makes the key');
    assert.match(registered, new RegExp(`markStepDone\\('${step.id}'`), `${step.id} is ticked in commands.ts`);
    const commands = [
      ...ours(step),
      ...events.filter((e) => e.startsWith('onCommand:')).map((e) => e.replace(/^onCommand:/, '')),
    ];
    for (const c of commands) {
      assert.ok(contributed.has(c), `${step.id}: ${c} is in contributes.commands`);
      assert.ok(
        new RegExp(`registerCommand\\(\\s*'${c.replace(/\./g, '\\.')}'`).test(registered),
        `${step.id}: ${c} is registered in src/extension/commands.ts`,
      );
    }
    const page = step.media.markdown!;
    assert.ok(page, `${step.id} has a markdown page`);
    assert.match(fs.readFileSync(path.join(root, page), 'utf8'), /^# \S/, `${page} exists and starts with a heading`);
    assert.ok(ships(page), `${page} is in the .vsix`);
  }
});

const tmp = tempDir('snippets');

/** A snippet body with its placeholders at their defaults, choice `pick` of each choice. */
function expand(body: string[], pick: number): string {
  return body
    .join('\n')
    .replace(
      /\$\{\d+\|([^|]*)\|\}/g,
      (_, choices: string) => choices.split(',')[Math.min(pick, choices.split(',').length - 1)],
    )
    .replace(/\$\{\d+:([^}]*)\}/g, '$1')
    .replace(/\$\d+/g, '');
}

test('the TypeScript snippets ship and, expanded, are experiments that type-check against the shipped declarations', () => {
  const [entry] = pkg.contributes.snippets as { language: string; path: string }[];
  assert.equal(entry.language, 'typescript');
  const file = path.normalize(entry.path);
  assert.ok(ships(file), `${file} is in the .vsix`);
  const snippets = JSON.parse(fs.readFileSync(path.join(root, file), 'utf8')) as Record<
    string,
    { prefix: string[]; body: string[] }
  >;
  assert.ok(
    Object.values(snippets).some((s) => s.prefix.includes('experiment')),
    'typing "experiment" offers one',
  );
  const files: string[] = [];
  Object.values(snippets).forEach((s, i) => {
    const choices = Math.max(
      1,
      ...[...s.body.join('\n').matchAll(/\$\{\d+\|([^|]*)\|\}/g)].map((m) => m[1].split(',').length),
    );
    for (let pick = 0; pick < choices; pick++) {
      let text = expand(s.body, pick);
      // A snippet for inside a file relies on its imports; give it all of them.
      if (!/from 'resnet-lab'/.test(text))
        text =
          "import { experiment, plainCifar, preactResnetCifar, resnetCifar, synthetic } from 'resnet-lab';\n" + text;
      const name = `snippet-${i}-${pick}.ts`;
      fs.writeFileSync(path.join(tmp, name), text);
      files.push(name);
    }
  });
  const paths = Object.fromEntries(Object.entries(shippedDeclarations(root)).map(([n, f]) => [n, [f]]));
  fs.writeFileSync(
    path.join(tmp, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        module: 'commonjs',
        moduleResolution: 'node',
        target: 'ES2022',
        noUnusedLocals: false,
        baseUrl: '.',
        paths,
        types: [],
      },
      files,
    }),
  );
  const r = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', '.', '--pretty', 'false'], {
    cwd: tmp,
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.ok(files.length >= 4, `${files.length} expansions checked`);
  const all = files.map((f) => fs.readFileSync(path.join(tmp, f), 'utf8')).join('\n');
  for (const net of ['resnetCifar', 'plainCifar', 'preactResnetCifar'])
    assert.match(all, new RegExp(`model: ${net}\\(`));
});
