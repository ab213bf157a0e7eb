// What `npm run sandbox` starts code-server with: the examples as the
// workspace; edits stay unsaved until you save (code-server's default saves
// after a second, and the live preview is of unsaved text); and the native
// backend setup-native built (the server's XDG_CACHE_HOME is a throw-away
// folder that would hide it, so the sandbox trained on WASM).
import * as path from 'node:path';
import { nativeRoot } from '../../src/core/native/detectNative';
import { REPO_ROOT } from './codeServer';

export function sandboxOptions(env: NodeJS.ProcessEnv = process.env): {
  workspace: string;
  port?: number;
  settings: Record<string, unknown>;
  env: Record<string, string>;
} {
  return {
    workspace: path.join(REPO_ROOT, 'examples'),
    port: env.PORT ? Number(env.PORT) : undefined,
    settings: { 'files.autoSave': 'off' },
    env: { RESNET_LAB_NATIVE_DIR: env.RESNET_LAB_NATIVE_DIR ?? nativeRoot() },
  };
}
