// Declarations for users' IntelliSense, shipped in the extension:
// dist/types/resnet-lab.d.ts (the resnet-lab module, importing
// '@tensorflow/tfjs') and dist/types/tfjs.d.ts (tfjs-core + tfjs-layers
// flattened into one file). The extension's TypeScript server plugin
// resolves both module names to them in any workspace (src/tsPlugin).
import { generateDtsBundle } from 'dts-bundle-generator';
import * as fs from 'node:fs';
import * as path from 'node:path';

export function buildTypes({ out = path.join('dist', 'types'), quiet = false } = {}) {
  const started = Date.now();
  const output = { noBanner: true, sortNodes: false };
  const [resnetLab, tfjs] = generateDtsBundle(
    [
      { filePath: 'src/core/lib/index.ts', output },
      {
        filePath: 'scripts/types/tfjs.ts',
        libraries: { inlinedLibraries: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers'] },
        output,
      },
    ],
    { preferredConfigPath: 'tsconfig.types.json' },
  );
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'resnet-lab.d.ts'), resnetLab);
  fs.writeFileSync(path.join(out, 'tfjs.d.ts'), tfjs);
  if (!quiet)
    console.log(`types: ${out}/resnet-lab.d.ts, tfjs.d.ts in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
