// TypeScript server plugin, contributed by the extension
// (package.json `contributes.typescriptServerPlugins`): makes `resnet-lab` and
// `@tensorflow/tfjs` imports resolve to the declaration files the extension
// ships (dist/types/), in any workspace, with no tsconfig.json to write.
// It only fills in imports that the project's own resolution leaves
// unresolved, so a tsconfig's `paths` or an installed @tensorflow/tfjs win.
//
// tsserver loads it from <extension>/node_modules/resnet-lab-ts-plugin/
// (VS Code passes the extension folder as a plugin probe location), so the
// declarations are two folders up. It runs inside tsserver: no vscode API,
// and the `typescript` module is the one tsserver hands over.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as ts from 'typescript/lib/tsserverlibrary';
import { PLUGIN_NAME, shippedDeclarations } from './shipped';

type Resolved = ts.ResolvedModuleWithFailedLookupLocations;

function init(modules: { typescript: typeof ts }): ts.server.PluginModule {
  const typescript = modules.typescript;
  return {
    create(info) {
      const shipped = shippedDeclarations(path.resolve(__dirname, '..', '..'));
      const fallback = (name: string): ts.ResolvedModuleFull | undefined => {
        const file = shipped[name];
        if (!file || !fs.existsSync(file)) return undefined;
        return { resolvedFileName: file, extension: typescript.Extension.Dts, isExternalLibraryImport: true };
      };
      const types = path.dirname(shipped['resnet-lab']);
      const isShipped = (file: string) => path.resolve(file).startsWith(types + path.sep);
      // How the project itself resolves a name, as a file in its folder would.
      const fromProject = (name: string, options: ts.CompilerOptions) =>
        typescript.resolveModuleName(
          name,
          path.join(info.project.getCurrentDirectory(), '__resnet_lab__.ts'),
          options,
          typescript.sys,
        ).resolvedModule;
      const fill = (name: string, containingFile: string, options: ts.CompilerOptions, r: Resolved): Resolved => {
        // resnet-lab.d.ts imports @tensorflow/tfjs: that must be the same tfjs the
        // model file gets, or tfjs' classes (with protected members) are two
        // unrelated types and a hand-written model is "not assignable to
        // ModelFactory". So the project's own tfjs if it has one, else the shipped
        // one, never whatever sits beside the extension (a development checkout).
        if (isShipped(containingFile) && shipped[name]) {
          const resolvedModule = fromProject(name, options) ?? fallback(name);
          return resolvedModule ? { ...r, resolvedModule } : r;
        }
        if (r.resolvedModule) return r;
        const resolvedModule = fallback(name);
        return resolvedModule ? { ...r, resolvedModule } : r;
      };
      // The project (tsserver's LanguageServiceHost) resolves imports through this
      // method on every program update; wrapping the instance's method is the
      // documented way for a plugin to add resolutions.
      const host = info.languageServiceHost;
      const literals = host.resolveModuleNameLiterals?.bind(host);
      if (literals) {
        host.resolveModuleNameLiterals = (lits, file, ref, options, sourceFile, reused) =>
          literals(lits, file, ref, options, sourceFile, reused).map((r, i) => fill(lits[i].text, file, options, r));
      }
      info.project.projectService.logger.info(
        `${PLUGIN_NAME}: resnet-lab and @tensorflow/tfjs fall back to ${path.dirname(shipped['resnet-lab'])}`,
      );
      return info.languageService;
    },
  };
}

// tsserver requires the package and calls its export as the factory.
export = init;
