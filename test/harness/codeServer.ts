// Real-VS-Code test harness for offline machines: code-server (VS Code 1.100.3
// server + web workbench, extensions run in a plain-Node extension host) driven
// by Debian's Chromium. Entry points: runExtensionTests (mocha suite inside the
// extension host) and openWorkbench (end-to-end UI tests with Playwright).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { format } from 'node:util';
import type { Page } from 'playwright-core';
import { launchBrowser, type Browser } from './browser';
import { startCodeServer, type CodeServer, type Payload } from './server';
import { ensureCodeServer } from './install';

export { ensureCodeServer, CODE_SERVER_VERSION, REPO_ROOT } from './install';
export { startCodeServer, type CodeServer, type Payload, type ServerOptions } from './server';
export { launchBrowser, type Browser } from './browser';

export interface ExtensionTestOptions {
  /** Folder with the extension's package.json. */
  extensionPath: string;
  /** Compiled suite entry (e.g. dist/test/integration/index.js) exporting `run(): Promise<void>`. */
  testsPath: string;
  workspace: string;
  settings?: Record<string, unknown>;
  trust?: boolean;
  /** Whole run, startup included. Default 5 min (HARNESS_TIMEOUT_MS overrides). */
  timeoutMs?: number;
}

// Workbench chatter that says nothing about the suite: offline marketplace
// lookups, the missing proprietary vsda module, service-worker 404s (see the
// shared notes) and connection/startup info lines. Shown with HARNESS_VERBOSE=1.
const NOISE = new RegExp(
  [
    'open-vsx\\.org',
    'vsda',
    'service-?worker',
    'Failed to load resource',
    '^Resolv(ing|ed) connection token',
    '^Creating a socket',
    '^Updating additional builtin extensions',
    '^Creation of workbench contribution',
    '^ChatSessionStore',
    '^\\[Service Worker\\]',
  ].join('|'),
  'i',
);
const verbose = !!process.env.HARNESS_VERBOSE;
const T0 = Date.now(); // verbose log lines carry the time since load, to see where a run spends it

/** Receives the extension host's console (mocha's reporter included) as console-style argument lists. */
function forwardLog(type: string, args: unknown): void {
  const text = Array.isArray(args) ? format(...(args as unknown[])) : String(args); // mocha logs printf-style ('%d passing', 1)
  if (!verbose && NOISE.test(text)) return;
  const stream = type === 'error' || type === 'warn' ? process.stderr : process.stdout;
  stream.write(verbose ? `[+${((Date.now() - T0) / 1000).toFixed(1)}s] ${text}\n` : `${text}\n`);
}

function echoPageErrors(page: Page): void {
  // Workbench console is very chatty; only show it when asked to.
  if (verbose)
    page.on('console', (m) =>
      console.log(`[+${((Date.now() - T0) / 1000).toFixed(1)}s workbench:${m.type()}] ${m.text()}`),
    );
  page.on('pageerror', (e) => verbose && console.error(`[workbench:pageerror] ${e.message}`));
}

/**
 * Runs an extension's integration suite in a real VS Code extension host and
 * resolves with the suite's exit code (0 = all passed). Never hangs: after
 * `timeoutMs` it rejects. Server and browser are always stopped.
 */
export async function runExtensionTests(opts: ExtensionTestOptions): Promise<number> {
  const timeoutMs = opts.timeoutMs ?? (Number(process.env.HARNESS_TIMEOUT_MS) || 5 * 60_000);
  await ensureCodeServer(); // a first-run install (~90 s) does not count against the timeout
  const started = Date.now();
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    server = await startCodeServer({ workspace: opts.workspace, settings: opts.settings, trust: opts.trust });
    browser = await launchBrowser();
    const page = browser.page;
    let finish!: (code: number) => void;
    let fail!: (e: Error) => void;
    const done = new Promise<number>((res, rej) => ((finish = res), (fail = rej)));
    done.catch(() => undefined); // a failure during goto is reported by the race below, not as unhandled
    // Must exist before the workbench loads: it looks them up on window.
    await page.exposeFunction('codeAutomationLog', forwardLog);
    await page.exposeFunction('codeAutomationExit', (code: number) => finish(Number(code)));
    echoPageErrors(page);
    page.on('crash', () => fail(new Error('The workbench page crashed')));
    page.on('close', () => fail(new Error('The workbench page closed before the tests finished')));
    timer = setTimeout(
      () =>
        fail(
          new Error(
            `Extension tests did not finish within ${timeoutMs / 1000} s (no codeAutomationExit). ` +
              'Re-run with HARNESS_VERBOSE=1 to see the workbench console.',
          ),
        ),
      timeoutMs - (Date.now() - started),
    );
    const payload: Payload = [
      ['extensionDevelopmentPath', server.remoteUri(opts.extensionPath)],
      ['extensionTestsPath', server.remoteUri(opts.testsPath)],
    ];
    await Promise.race([page.goto(server.workbenchUrl(payload)), done]);
    const code = await done;
    console.log(`[harness] extension tests exited with ${code} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return code;
  } catch (e) {
    // stop() deletes the server's temp folder: keep its log for the post-mortem.
    if (server && fs.existsSync(server.logFile)) {
      const kept = path.join(os.tmpdir(), 'resnet-lab-code-server.log');
      fs.copyFileSync(server.logFile, kept);
      (e as Error).message += ` (server log: ${kept})`;
    }
    throw e;
  } finally {
    if (timer) clearTimeout(timer);
    await browser?.close();
    await server?.stop();
  }
}

export interface WorkbenchOptions {
  /** Loaded as a development extension; leave out to use only installed ones (installExtensions). */
  extensionPath?: string;
  workspace: string;
  settings?: Record<string, unknown>;
  trust?: boolean;
  /** .vsix files installed into the server's extensions folder first. */
  installExtensions?: string[];
  /** Unpacked extension folders copied into the extensions folder (test fixtures). */
  copyExtensions?: string[];
  env?: Record<string, string>;
}

export interface Workbench {
  page: Page;
  server: CodeServer;
  browser: Browser;
  close(): Promise<void>;
}

/**
 * Opens the workbench with the extension loaded as a development extension
 * (or installed from a .vsix), for end-to-end tests. Resolves once the status bar is visible; the
 * extension's commands register a few seconds later, so poll for them.
 */
export async function openWorkbench(opts: WorkbenchOptions): Promise<Workbench> {
  const server = await startCodeServer(opts);
  let browser: Browser | undefined;
  try {
    browser = await launchBrowser();
    const { page } = browser;
    echoPageErrors(page);
    await page.goto(
      server.workbenchUrl(
        opts.extensionPath ? [['extensionDevelopmentPath', server.remoteUri(opts.extensionPath)]] : undefined,
      ),
    );
    await page.waitForSelector('.monaco-workbench .part.statusbar', { timeout: 60_000 });
    const b = browser;
    return {
      page,
      server,
      browser: b,
      async close() {
        await b.close();
        await server.stop();
      },
    };
  } catch (e) {
    await browser?.close();
    await server.stop();
    throw e;
  }
}

/** Absolute path inside the repo, for callers that pass relative paths. */
export const repoPath = (...parts: string[]): string => path.resolve(__dirname, '..', '..', ...parts);
