// The social network in a real browser against the demo organisation:
// posting, replying, a mention arriving live, joining a closed community
// after approval, and a secret community staying invisible.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startByline, launchBrowser, signIn, resultsDir } from './harness.mjs';

// A valid 1x1 PNG.
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108020000009077' +
  '53de0000000c4944415478 9c63f8cfc00000030101 00c9fe92ef0000000049454e44ae426082'.replace(/ /g, ''), 'hex');

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

async function session(email, viewport) {
  const context = await chrome.browser.newContext(viewport ? { viewport } : {});
  const page = await context.newPage();
  await signIn(page, server.url, email);
  await page.waitForURL(`${server.url}/`);
  return { context, page };
}

test('a colleague posts from home and replies in the thread', async () => {
  const { context, page } = await session('jane@acme.example');
  await page.getByLabel('New post').fill('Printer on floor 2 is **fixed** #printer');
  await page.setInputFiles('#compose-images', { name: 'printer.png', mimeType: 'image/png', buffer: PNG });
  await page.getByRole('button', { name: 'Post', exact: true }).click();
  await page.waitForURL(`${server.url}/`);
  const first = page.locator('article.post').first();
  assert.match(await first.textContent(), /Printer on floor 2 is fixed/);
  assert.equal(await first.locator('strong', { hasText: 'fixed' }).count(), 1, 'Markdown rendered');
  const img = first.locator('.post-images img');
  assert.equal(await img.count(), 1, 'the image is attached');
  assert.ok(await img.evaluate((el) => el.complete && el.naturalWidth === 1), 'and the browser can load it');

  await first.getByRole('link', { name: 'Reply' }).click();
  await page.getByLabel('Reply', { exact: true }).fill('Thanks @omar for the quick fix');
  await page.getByRole('button', { name: 'Reply', exact: true }).click();
  const posts = page.locator('.thread article.post');
  assert.equal(await posts.count(), 2);
  assert.match(await posts.nth(1).textContent(), /Thanks @omar for the quick fix/);
  assert.equal(await posts.nth(1).getByRole('link', { name: '@omar' }).count(), 1, 'the mention is a link');
  await page.screenshot({ path: join(resultsDir, 'thread.png'), fullPage: true });
  await context.close();
});

test('a mention reaches the open page of the person mentioned without a reload', async () => {
  const ada = await session('ada@acme.example');
  const badge = ada.page.locator('#notification-count');
  const before = Number((await badge.isVisible()) ? await badge.textContent() : '0');
  const jane = await session('jane@acme.example');
  await jane.page.getByLabel('New post').fill('Quick question for @ada about the budget');
  await jane.page.getByRole('button', { name: 'Post', exact: true }).click();
  // Ada follows Jane: the post and the notification arrive live.
  await ada.page.locator('article.post', { hasText: 'Quick question for @ada about the budget' }).waitFor({ timeout: 10_000 });
  await ada.page.waitForFunction((n) => {
    const b = document.getElementById('notification-count');
    return b && !b.hidden && Number(b.textContent) > n;
  }, before, { timeout: 10_000 });
  await ada.page.screenshot({ path: join(resultsDir, 'live-mention.png') });
  await ada.context.close();
  await jane.context.close();
});

test('joining a closed community takes a moderator\'s approval', async () => {
  const rosa = await session('rosa@acme.example');
  await rosa.page.goto(`${server.url}/communities/wellbeing-circle`);
  assert.match(await rosa.page.locator('main').textContent(), /Only members can read/);
  await rosa.page.getByRole('button', { name: 'Ask to join' }).click();
  assert.match(await rosa.page.locator('main').textContent(), /you: requested/);

  const wendy = await session('wendy@acme.example');
  await wendy.page.goto(`${server.url}/communities/wellbeing-circle`);
  await wendy.page.getByRole('button', { name: 'Approve Rosa Martinez' }).click();
  await wendy.context.close();

  await rosa.page.reload();
  assert.ok(await rosa.page.getByRole('heading', { name: 'Posts' }).isVisible());
  assert.ok((await rosa.page.locator('article.post').count()) > 0, 'members read the posts');
  await rosa.context.close();
});

test('a secret community is invisible to an outsider', async () => {
  // Its short name carries a random suffix; a member finds it in the directory.
  const ada = await session('ada@acme.example');
  await ada.page.goto(`${server.url}/communities`);
  const href = await ada.page.getByRole('link', { name: /Leadership/ }).first().getAttribute('href');
  assert.match(href, /^\/communities\/leadership-[a-z0-9]{8}$/);
  await ada.context.close();
  const rosa = await session('rosa@acme.example', { width: 390, height: 844 });
  await rosa.page.goto(`${server.url}/communities`);
  const directory = await rosa.page.locator('main').textContent();
  assert.match(directory, /The Lounge/);
  assert.doesNotMatch(directory, /Leadership/);
  const response = await rosa.page.goto(`${server.url}${href}`);
  assert.equal(response.status(), 404);
  await rosa.page.goto(`${server.url}/tags/wifi`);
  assert.doesNotMatch(await rosa.page.locator('main').textContent(), /Leadership team/);
  await rosa.page.goto(`${server.url}/communities`);
  await rosa.page.screenshot({ path: join(resultsDir, 'communities-phone.png'), fullPage: true });
  await rosa.context.close();
});

test('a direct message appears in the open conversation without a reload', async () => {
  const ivan = await session('ivan@acme.example');
  await ivan.page.goto(`${server.url}/messages`);
  await ivan.page.getByRole('link', { name: 'Sam Okafor' }).click();
  const sam = await session('sam@acme.example');
  await sam.page.goto(`${server.url}/messages`);
  await sam.page.getByRole('link', { name: 'Ivan Petrov' }).click();
  await sam.page.getByLabel('Reply').fill('One more thing: my laptop battery is swollen');
  await sam.page.getByRole('button', { name: 'Send' }).click();
  await ivan.page.locator('ol.messages li', { hasText: 'my laptop battery is swollen' }).waitFor({ timeout: 10_000 });
  await ivan.page.screenshot({ path: join(resultsDir, 'conversation.png'), fullPage: true });
  await ivan.context.close();
  await sam.context.close();
});

test('an editor of @acme posts a picture as @acme', async () => {
  const lena = await session('lena@acme.example');
  await lena.page.getByLabel('Act as').selectOption('acme');
  await lena.page.getByRole('button', { name: 'Switch' }).click();
  assert.match(await lena.page.getByRole('status').first().textContent(), /acting as Acme/);
  await lena.page.getByLabel('New post').fill('Winter catalogue cover, first look #marketing');
  await lena.page.setInputFiles('#compose-images', { name: 'cover.png', mimeType: 'image/png', buffer: PNG });
  await lena.page.getByRole('button', { name: 'Post', exact: true }).click();
  await lena.page.waitForURL(`${server.url}/`);
  await lena.page.getByLabel('Act as').selectOption('');
  await lena.page.getByRole('button', { name: 'Switch' }).click();
  await lena.context.close();

  const rosa = await session('rosa@acme.example');
  await rosa.page.goto(`${server.url}/profiles/acme`);
  const post = rosa.page.locator('article.post', { hasText: 'Winter catalogue cover, first look' });
  assert.match(await post.textContent(), /Acme/);
  assert.match(await post.locator('.byline').textContent(), /Lena Fischer/, 'signed: the writer is shown');
  const img = post.locator('.post-images img');
  assert.equal(await img.count(), 1, 'the picture is on the profile\'s post');
  assert.ok(await img.evaluate((el) => el.complete && el.naturalWidth === 1), 'and loads for a colleague');
  await rosa.page.screenshot({ path: join(resultsDir, 'acme-picture.png'), fullPage: true });
  await rosa.context.close();
});

test('a member switches to a shared profile and posts; others see only what the policy shows', async () => {
  const lena = await session('lena@acme.example');
  await lena.page.getByLabel('Act as').selectOption('acme');
  await lena.page.getByRole('button', { name: 'Switch' }).click();
  assert.match(await lena.page.getByRole('status').first().textContent(), /acting as Acme/);
  await lena.page.getByLabel('New post').fill('Our spring catalogue is out today #marketing');
  await lena.page.getByRole('button', { name: 'Post', exact: true }).click();
  await lena.page.getByLabel('Act as').selectOption('');
  await lena.page.getByRole('button', { name: 'Switch' }).click();
  await lena.context.close();

  // Ivan owns the sealed @it-helpdesk, so its shift-only rule lets him speak
  // at any hour (roster.test.mjs covers the editors on and off shift).
  const ivan = await session('ivan@acme.example');
  await ivan.page.getByLabel('Act as').selectOption('it-helpdesk');
  await ivan.page.getByRole('button', { name: 'Switch' }).click();
  await ivan.page.getByLabel('New post').fill('Password resets are back to normal');
  await ivan.page.getByRole('button', { name: 'Post', exact: true }).click();
  await ivan.page.goto(`${server.url}/profiles/it-helpdesk`);
  const own = ivan.page.locator('article.post', { hasText: 'Password resets are back to normal' });
  assert.equal(await own.locator('.byline').count(), 0, 'sealed: not even the writer sees a byline');
  await ivan.context.close();

  const rosa = await session('rosa@acme.example');
  await rosa.page.goto(`${server.url}/profiles/acme`);
  const signed = rosa.page.locator('article.post', { hasText: 'Our spring catalogue is out today' });
  assert.match(await signed.textContent(), /Acme/);
  assert.match(await signed.locator('.byline').textContent(), /Lena Fischer/, 'signed: everyone sees the writer');
  await rosa.page.goto(`${server.url}/profiles/it-helpdesk`);
  const sealed = rosa.page.locator('article.post', { hasText: 'Password resets are back to normal' });
  assert.match(await sealed.textContent(), /IT Help Desk/);
  assert.doesNotMatch(await sealed.textContent(), /Ivan/, 'sealed: the outsider sees only the profile');
  await rosa.page.screenshot({ path: join(resultsDir, 'shared-profile.png'), fullPage: true });
  await rosa.context.close();
});

test('the HR investigator answers the Wednesday question', async () => {
  const helen = await session('helen@acme.example');
  await helen.page.getByRole('link', { name: 'Investigations' }).click();
  const now = new Date();
  const back = ((now.getUTCDay() - 3 + 7) % 7) || 7;
  const wed = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - back));
  await helen.page.getByLabel('Shared profile').fill('wellbeing');
  await helen.page.getByLabel('Reason').fill('Complaint about the post on Wednesday afternoon');
  await helen.page.getByLabel('Day').fill(wed.toISOString().slice(0, 10));
  await helen.page.getByLabel('From').fill('14:30');
  await helen.page.getByLabel('To').fill('15:30');
  await helen.page.getByLabel('Your UTC offset').fill('+00:00');
  await helen.page.getByRole('button', { name: 'Open investigation' }).click();
  await helen.page.waitForURL(/\/investigations\/\d+$/);
  const main = await helen.page.locator('main').textContent();
  assert.match(main, /Priya Shah/, 'Priya was acting as @wellbeing');
  assert.doesNotMatch(main, /Wendy Clarke/, 'Wendy had switched out by then');
  assert.match(main, /toughen up/);
  await helen.page.screenshot({ path: join(resultsDir, 'investigation.png'), fullPage: true });
  await helen.context.close();

  // The owner sees that an investigation happened, never its findings.
  const wendy = await session('wendy@acme.example');
  const res = await wendy.page.request.get(`${server.url}/api/v1/shared-profiles/wellbeing/investigations`);
  const body = await res.json();
  assert.equal(body.investigations[0].investigator, 'helen');
  assert.doesNotMatch(JSON.stringify(body), /priya/);
  await wendy.context.close();
});
