// @acme's vault in a real browser: a custodian reveals a password and
// copies a TOTP code; a member who is not a custodian sees the names but
// no trace of a value and is refused; a two-person reveal waits for the
// second custodian; deactivating a custodian puts what she saw on the
// owner's rotation list.
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
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  const page = await context.newPage();
  await signIn(page, server.url, email);
  await page.waitForURL(`${server.url}/`);
  return { context, page };
}

const PASSWORD = 'demo-Winter-campaign-2026!';
const TOKEN = 'demo-mc-7f3a9c2e41b84d6f';

function card(page, name) {
  return page.locator('article.secret', { hasText: name });
}

test('custodians use the vault; nobody else sees a value', async () => {
  const marco = await session('marco@acme.example');
  await marco.page.goto(`${server.url}/profiles/acme`);
  await marco.page.getByRole('link', { name: 'Vault' }).click();
  await marco.page.waitForURL(/\/profiles\/acme\/vault$/);
  // Three accounts, and the partner webhook's signing secret.
  assert.equal(await marco.page.locator('article.secret').count(), 4);
  assert.ok(!(await marco.page.content()).includes(PASSWORD), 'no value before a reveal');

  // Reveal: the value is on the page, which is not cached.
  const instagram = card(marco.page, 'Instagram login');
  const [revealed] = await Promise.all([
    marco.page.waitForResponse((r) => r.url().endsWith('/reveal')),
    instagram.getByRole('button', { name: 'Reveal', exact: true }).click(),
  ]);
  assert.equal(revealed.headers()['cache-control'], 'no-store');
  const shown = card(marco.page, 'Instagram login').locator('dl.revealed');
  assert.match(await shown.textContent(), /acme\.official/);
  assert.match(await shown.textContent(), new RegExp(PASSWORD));
  assert.ok(!(await marco.page.content()).includes('JBSWY3DPEHPK3PXP'), 'the TOTP seed is never shown');
  await marco.page.screenshot({ path: join(resultsDir, 'vault-revealed.png'), fullPage: true });

  // Copy a TOTP code: six digits on the clipboard, and said on the page.
  await card(marco.page, 'Instagram login').getByRole('button', { name: 'Copy TOTP code' }).click();
  const status = marco.page.locator('#vault-status');
  await status.waitFor({ state: 'visible' });
  const said = await status.textContent();
  const code = said.match(/(\d{6})/)?.[1];
  assert.ok(code, `a code is shown: ${said}`);
  assert.equal(await marco.page.evaluate(() => navigator.clipboard.readText()), code);

  // Sam becomes an editor of @acme, but no custodian.
  const ada = await session('ada@acme.example');
  const csrf = await ada.page.locator('input[name="csrf_token"]').first().getAttribute('value');
  const put = await ada.page.request.put(`${server.url}/api/v1/shared-profiles/acme/members/sam`, {
    headers: { 'X-CSRF-Token': csrf },
    data: { role: 'editor' },
  });
  assert.equal(put.status(), 204);
  const sam = await session('sam@acme.example');
  await sam.page.goto(`${server.url}/profiles/acme/vault`);
  assert.equal(await sam.page.locator('article.secret').count(), 4, 'members see the names');
  assert.equal(await sam.page.getByRole('button', { name: 'Reveal', exact: true }).count(), 0, 'but no reveal button');
  const samCsrf = await sam.page.locator('input[name="csrf_token"]').first().getAttribute('value');
  const id = await card(sam.page, 'Instagram login').getAttribute('data-secret');
  const refused = await sam.page.request.post(`${server.url}/api/v1/shared-profiles/acme/vault/${id}/reveal`, {
    headers: { 'X-CSRF-Token': samCsrf },
    data: {},
  });
  assert.equal(refused.status(), 403);
  const body = await refused.text();
  assert.ok(!body.includes(PASSWORD) && !body.includes('acme.official'), 'the refusal carries no value');
  assert.ok(!(await sam.page.content()).includes(PASSWORD));
  await sam.page.screenshot({ path: join(resultsDir, 'vault-member.png'), fullPage: true });

  // Two-person: Lena asks, Marco approves, then Lena sees the token once.
  const lena = await session('lena@acme.example');
  await lena.page.goto(`${server.url}/profiles/acme/vault`);
  const newsletter = card(lena.page, 'Newsletter API token');
  assert.equal(await newsletter.getByRole('button', { name: 'Reveal', exact: true }).count(), 0, 'no reveal before approval');
  await newsletter.getByLabel('Why do you need it?').fill('Rotating the newsletter integration');
  await newsletter.getByRole('button', { name: 'Request a reveal' }).click();
  assert.match(await lena.page.getByRole('status').first().textContent(), /another custodian must approve/);

  await marco.page.goto(`${server.url}/profiles/acme/vault`);
  await card(marco.page, 'Newsletter API token').getByRole('button', { name: "Approve @lena's reveal" }).click();
  await marco.page.waitForURL(/\/vault$/);

  await lena.page.goto(`${server.url}/profiles/acme/vault`);
  await card(lena.page, 'Newsletter API token').getByRole('button', { name: 'Reveal', exact: true }).click();
  assert.match(await card(lena.page, 'Newsletter API token').locator('dl.revealed').textContent(), new RegExp(TOKEN));
  // Lena also copies the Instagram password.
  await card(lena.page, 'Instagram login').getByRole('button', { name: 'Copy password' }).click();
  await lena.page.locator('#vault-status').waitFor({ state: 'visible' });
  assert.equal(await lena.page.evaluate(() => navigator.clipboard.readText()), PASSWORD);

  // Lena leaves: the owner's vault lists what she saw, to rotate.
  await ada.page.goto(`${server.url}/admin/users`);
  await ada.page.getByRole('button', { name: 'Deactivate Lena Fischer' }).click();
  await marco.page.goto(`${server.url}/profiles/acme/vault`);
  const list = marco.page.locator('section', { has: marco.page.getByRole('heading', { name: 'To rotate' }) });
  assert.match(await list.textContent(), /Newsletter API token: @lena, who saw it, left/);
  assert.match(await list.textContent(), /Instagram login: @lena, who saw it, left/);
  assert.doesNotMatch(await list.textContent(), /Press office mailbox/, 'she never saw the mailbox');
  await marco.page.screenshot({ path: join(resultsDir, 'vault-rotate.png'), fullPage: true });

  // Rotating the Instagram login takes it off the list.
  const ig = card(marco.page, 'Instagram login');
  await ig.getByText('Rotate: set a new value').click();
  await ig.getByLabel('Username').fill('acme.official');
  await ig.getByLabel('Password').fill('a-brand-new-password-2027');
  await ig.getByRole('button', { name: 'Save the new value' }).click();
  await marco.page.waitForURL(/\/vault$/);
  assert.doesNotMatch(await list.textContent(), /Instagram login/);

  for (const s of [marco, ada, sam, lena]) await s.context.close();
});
