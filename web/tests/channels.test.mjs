// @acme's channels in a real browser: the owner connects a webhook to a
// receiver on loopback and its test button says it passed, with the
// receiver's own answer; a receiver that answers 500 fails the test with
// its own words; the demo's partner webhook (nothing listens there) fails
// with the connection's error. An editor sends through the feed channel and
// the post appears as @acme. No credential is ever on the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { startByline, launchBrowser, signIn, resultsDir } from './harness.mjs';

let server;
let chrome;
const receivers = [];

/** A webhook receiver on 127.0.0.1 answering `status` with `text`. */
async function receiver(status, text) {
  const got = [];
  const http = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(text);
    });
  });
  await new Promise((r) => http.listen(0, '127.0.0.1', r));
  receivers.push(http);
  return { url: `http://127.0.0.1:${http.address().port}/hook`, got };
}

before(async () => {
  server = await startByline();
  chrome = await launchBrowser();
});

after(async () => {
  for (const r of receivers) r.close();
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

function card(page, name) {
  return page.locator('article.channel', { hasText: name });
}

async function connectWebhook(page, name, url) {
  const form = page.locator('form[action$="/channels"]');
  await form.getByLabel('Kind').selectOption('webhook');
  await form.getByLabel('Name', { exact: true }).fill(name);
  await form.getByLabel('Webhook address').fill(url);
  await Promise.all([
    page.waitForURL(/\/profiles\/acme\/channels$/),
    form.getByRole('button', { name: 'Connect' }).click(),
  ]);
}

test('the test button says how each channel answered, in its own words', async () => {
  const marco = await session('marco@acme.example');
  await marco.page.goto(`${server.url}/profiles/acme`);
  await marco.page.getByRole('link', { name: 'Channels' }).click();
  await marco.page.waitForURL(/\/profiles\/acme\/channels$/);
  assert.equal(await marco.page.locator('article.channel').count(), 3, 'the demo has three channels');

  // A receiver that takes it: passed, with what it said.
  const good = await receiver(200, 'hook ready');
  await connectWebhook(marco.page, 'Analytics hook', good.url);
  const analytics = card(marco.page, 'Analytics hook');
  await analytics.getByRole('button', { name: 'Test the connection' }).click();
  const ok = analytics.locator('.channel-status');
  await ok.waitFor({ state: 'visible' });
  await marco.page.waitForFunction((el) => el.dataset.ok !== undefined, await ok.elementHandle());
  assert.equal(await ok.getAttribute('data-ok'), 'true');
  assert.match(await ok.textContent(), /Passed\. HTTP 200: hook ready/);
  assert.equal(good.got.length, 1);
  assert.match(good.got[0].headers['byline-signature'], /^sha256=[0-9a-f]{64}$/);
  assert.equal(JSON.parse(good.got[0].body).event, 'test');

  // A receiver that answers 500: failed, with its words.
  const bad = await receiver(500, 'receiver says no: disk full');
  await connectWebhook(marco.page, 'Broken hook', bad.url);
  const broken = card(marco.page, 'Broken hook');
  await broken.getByRole('button', { name: 'Test the connection' }).click();
  const failed = broken.locator('.channel-status');
  await marco.page.waitForFunction((el) => el.dataset.ok !== undefined, await failed.elementHandle());
  assert.equal(await failed.getAttribute('data-ok'), 'false');
  assert.match(await failed.textContent(), /Failed\. HTTP 500: receiver says no: disk full/);

  // The demo's partner webhook: nobody listens on its port.
  const partner = card(marco.page, 'Partner webhook');
  await partner.getByRole('button', { name: 'Test the connection' }).click();
  const refused = partner.locator('.channel-status');
  await marco.page.waitForFunction((el) => el.dataset.ok !== undefined, await refused.elementHandle());
  assert.match(await refused.textContent(), /Failed\. unreachable: .*Connection refused/i);
  await marco.page.screenshot({ path: join(resultsDir, 'channels-tested.png'), fullPage: true });

  // After a reload the outcome is remembered on each card.
  await marco.page.reload();
  assert.match(await card(marco.page, 'Broken hook').textContent(), /Last test .*failed/);

  // No signing secret or password is ever on the page.
  const html = await marco.page.content();
  assert.ok(!html.includes('whsec_'), 'no signing secret on the page');
  await marco.context.close();
});

test('an editor sends through the feed channel and the post is said as @acme', async () => {
  const lena = await session('lena@acme.example');
  await lena.page.goto(`${server.url}/profiles/acme/channels`);
  const feed = card(lena.page, 'Acme news');
  assert.equal(await feed.getByRole('button', { name: 'Test the connection' }).count(), 0, 'owners test, editors send');
  await feed.getByText('Send through Acme news as @acme').click();
  await feed.getByLabel('Text').fill('Lyon office: the lifts are back in service.');
  await Promise.all([
    lena.page.waitForURL(/\/profiles\/acme\/channels#delivery-\d+$/),
    feed.getByRole('button', { name: 'Send' }).click(),
  ]);
  // The runner delivers within a few seconds; the log says so.
  let delivered = false;
  for (let i = 0; i < 40 && !delivered; i++) {
    await lena.page.waitForTimeout(250);
    await lena.page.reload();
    delivered = /Lyon office: the lifts are back in service\.\s*delivered/.test(
      await card(lena.page, 'Acme news').locator('ul.deliveries').textContent());
  }
  assert.ok(delivered, 'the delivery log shows it delivered');
  await lena.page.goto(`${server.url}/profiles/acme`);
  assert.match(await lena.page.content(), /Lyon office: the lifts are back in service\./);
  const rss = await lena.page.request.get(`${server.url}/profiles/acme/feed.rss`);
  assert.equal(rss.status(), 200);
  assert.match(await rss.text(), /Lyon office: the lifts are back in service\./);
  await lena.context.close();
});
