// Starts a real `byline serve --demo` on 127.0.0.1 and a headless Chromium
// for the browser tests. Nothing leaves the machine.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const resultsDir = join(here, '..', 'test-results');

/** The byline binary: BYLINE_BIN, or the debug build in the target dir. */
function bylineBinary() {
  if (process.env.BYLINE_BIN) return process.env.BYLINE_BIN;
  const target = process.env.CARGO_TARGET_DIR || join(here, '..', '..', 'target');
  return join(target, 'debug', 'byline');
}

/** Starts `byline serve --demo` on a free port with a fresh data directory. */
export async function startByline() {
  const dataDir = mkdtempSync(join(tmpdir(), 'byline-browser-'));
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BYLINE_')));
  env.BYLINE_LOG = 'warn';
  const child = spawn(bylineBinary(), ['serve', '--demo', '--listen', '127.0.0.1:0', '--data-dir', dataDir], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('byline did not start within 60 s')), 60_000);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`byline exited early with ${code}`)));
    lines.on('line', (line) => {
      const m = line.match(/^Byline is listening on (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
  return {
    url,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Headless Debian chromium with the flags this closed network needs.
 *  Playwright gives every launch a fresh, empty user-data-dir of its own. */
export async function launchBrowser() {
  mkdirSync(resultsDir, { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic',
    ],
  });
  return {
    browser,
    async close() {
      await browser.close();
    },
  };
}

/** Signs in through the form as a demo user. */
export async function signIn(page, base, email, password = 'byline-demo') {
  await page.goto(`${base}/`);
  await page.getByLabel('Work email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
