// The web shell in a real browser: sign in as the demo admin, see home,
// navigate, use the keyboard, sign out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startByline, launchBrowser, signIn, resultsDir } from './harness.mjs';

let server;
let chrome;

before(async () => {
  server = await startByline();
  chrome = await launchBrowser();
});

after(async () => {
  await chrome?.close();
  await server?.stop();
});

test('the demo admin signs in and sees the home page', async () => {
  const page = await chrome.browser.newPage();
  await page.goto(`${server.url}/`);
  assert.match(page.url(), /\/sign-in$/, 'visitors land on sign-in');
  await signIn(page, server.url, 'ada@acme.example');
  await page.waitForURL(`${server.url}/`);
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Home');
  assert.match(await page.locator('main').textContent(), /Welcome, Ada Lovelace\./);
  assert.ok(await page.getByRole('navigation', { name: 'Main' }).isVisible());
  await page.screenshot({ path: join(resultsDir, 'home-desktop.png'), fullPage: true });
  await page.close();
});

test('a wrong password keeps the visitor on the form with the reason', async () => {
  const page = await chrome.browser.newPage();
  await signIn(page, server.url, 'ada@acme.example', 'not the password');
  assert.match(await page.getByRole('alert').textContent(), /do not match/);
  assert.equal(await page.getByLabel('Work email').inputValue(), 'ada@acme.example');
  await page.close();
});

test('the admin reaches the user list and profiles, and signs out', async () => {
  const context = await chrome.browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await signIn(page, server.url, 'ada@acme.example');
  await page.waitForURL(`${server.url}/`);
  await page.getByRole('link', { name: 'Admin' }).click();
  await page.waitForURL(`${server.url}/admin/users`);
  const rows = page.locator('tbody tr');
  assert.equal(await rows.count(), 12, 'a dozen demo staff');
  assert.ok(await page.getByRole('cell', { name: 'helen@acme.example' }).isVisible());
  await page.screenshot({ path: join(resultsDir, 'admin-phone.png'), fullPage: true });
  await page.getByRole('link', { name: '@helen' }).click();
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Helen Park');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(`${server.url}/sign-in`);
  await page.goto(`${server.url}/`);
  assert.match(page.url(), /\/sign-in$/, 'signed out for real');
  await context.close();
});

test('the keyboard reaches the skip link first and it is visible when focused', async () => {
  const page = await chrome.browser.newPage();
  await page.goto(`${server.url}/sign-in`);
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => document.activeElement?.textContent);
  assert.equal(focused, 'Skip to content');
  const box = await page.locator('.skip-link').boundingBox();
  assert.ok(box && box.x >= 0, 'the focused skip link is on screen');
  await page.close();
});

test('staff do not see the admin link and cannot open the admin page', async () => {
  const page = await chrome.browser.newPage();
  await signIn(page, server.url, 'jane@acme.example');
  await page.waitForURL(`${server.url}/`);
  assert.equal(await page.getByRole('link', { name: 'Admin' }).count(), 0);
  const response = await page.goto(`${server.url}/admin/users`);
  assert.equal(response.status(), 403);
  await page.close();
});
