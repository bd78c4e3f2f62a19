// The help desk's roster in a real browser: the owner sees this week's
// shifts, an editor off shift is refused with the reason, the owner puts
// her on shift through the form, and then she may speak as the profile.
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

async function session(email) {
  const context = await chrome.browser.newContext();
  const page = await context.newPage();
  await signIn(page, server.url, email);
  await page.waitForURL(`${server.url}/`);
  return { context, page };
}

/** `YYYY-MM-DDTHH:MM` in UTC, `minutes` from now: what a datetime-local field holds. */
function utcLocal(minutes) {
  return new Date(Date.now() + minutes * 60_000).toISOString().slice(0, 16);
}

async function postAsHelpdesk(page, text) {
  await page.goto(`${server.url}/`);
  await page.getByLabel('Act as').selectOption('it-helpdesk');
  await page.getByRole('button', { name: 'Switch' }).click();
  await page.getByLabel('New post').fill(text);
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/posts')),
    page.getByRole('button', { name: 'Post', exact: true }).click(),
  ]);
  return response.status();
}

test('only members on shift speak as the help desk, and the owner rosters them', async () => {
  const ivan = await session('ivan@acme.example');
  await ivan.page.goto(`${server.url}/profiles/it-helpdesk`);
  await ivan.page.getByRole('link', { name: 'Roster and who is on duty' }).click();
  await ivan.page.waitForURL(/\/profiles\/it-helpdesk\/roster/);
  const shifts = ivan.page.locator('table tbody tr');
  assert.equal(await shifts.count(), 3, 'Jane, Omar and Ivan have shifts');
  assert.match(await shifts.filter({ hasText: 'Jane Doe' }).textContent(), /every week on Mon, Tue, Wed, Thu, Fri/);
  assert.match(await ivan.page.locator('main').textContent(), /Only members on shift \(and owners\) may speak/);
  assert.ok(await ivan.page.locator('.week .stretch').count() >= 10, 'the week grid shows the weekday shifts');
  await ivan.page.screenshot({ path: join(resultsDir, 'roster.png'), fullPage: true });

  // Take Jane off the roster entirely, so that she is off shift whatever the hour.
  await shifts.filter({ hasText: 'Jane Doe' }).getByRole('button', { name: 'Remove' }).click();
  await ivan.page.waitForURL(/\/roster$/);
  assert.equal(await ivan.page.locator('table tbody tr', { hasText: 'Jane Doe' }).count(), 0);

  const jane = await session('jane@acme.example');
  assert.equal(await postAsHelpdesk(jane.page, 'Is the VPN down? We are looking.'), 403);
  assert.match(await jane.page.locator('main').textContent(), /not on shift/);

  // A shift that ends before it starts is refused on the page, with the reason.
  await ivan.page.getByLabel('Member').selectOption('jane');
  await ivan.page.getByLabel('Time zone').fill('UTC');
  await ivan.page.getByLabel('Starts').fill(utcLocal(60));
  await ivan.page.getByLabel('Ends').fill(utcLocal(-60));
  await ivan.page.getByRole('button', { name: 'Add shift' }).click();
  assert.match(await ivan.page.getByRole('alert').textContent(), /must end after it starts/);

  // Now a real one, covering this hour.
  await ivan.page.getByLabel('Member').selectOption('jane');
  await ivan.page.getByLabel('Time zone').fill('UTC');
  await ivan.page.getByLabel('Starts').fill(utcLocal(-60));
  await ivan.page.getByLabel('Ends').fill(utcLocal(60));
  await ivan.page.getByLabel('Note').fill('covering the VPN outage');
  await ivan.page.getByRole('button', { name: 'Add shift' }).click();
  await ivan.page.waitForURL(/\/roster\?week=/);
  assert.match(await ivan.page.locator('.on-duty').textContent(), /Jane Doe/);

  assert.equal(await postAsHelpdesk(jane.page, 'The VPN is back. Thanks for your patience.'), 303);
  await jane.page.goto(`${server.url}/profiles/it-helpdesk`);
  assert.equal(await jane.page.locator('article.post', { hasText: 'The VPN is back' }).count(), 1);
  await jane.context.close();
  await ivan.context.close();
});
