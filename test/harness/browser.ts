// Debian's Chromium driven by playwright-core (never `npx playwright install`:
// there is no download here). A persistent context in a temp profile keeps the
// browser's state out of $HOME and is thrown away on close().
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.HARNESS_CHROMIUM ?? '/usr/bin/chromium';

export interface Browser {
  context: BrowserContext;
  /** The context's first tab; use it rather than opening a new one. */
  page: Page;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}. Run: sudo apt-get install -y chromium (or set HARNESS_CHROMIUM)`,
    );
  }
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'resnet-lab-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true, // Playwright adds --headless itself
    viewport: { width: 1400, height: 900 },
    args: [
      '--no-sandbox', // running as root in a container
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      // No internet: stop Chromium's own update/sync/background fetches.
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  // Playwright kills its browser when we exit (e.g. Ctrl-C); the profile is ours to remove.
  const removeProfile = (): void => fs.rmSync(profile, { recursive: true, force: true, maxRetries: 3 });
  process.once('exit', removeProfile);
  let closed = false;
  return {
    context,
    page,
    async close() {
      if (closed) return;
      closed = true;
      await context.close().catch(() => undefined);
      process.off('exit', removeProfile);
      removeProfile();
    },
  };
}
