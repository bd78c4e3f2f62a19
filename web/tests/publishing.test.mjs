// Publishing at @acme in a real browser. A marketer (Lena, editor) drafts a
// campaign post for two channels (the feed and a webhook whose receiver
// listens on loopback); a reviewer (Marco, owner) approves it; Lena
// schedules it for the next minute in Paris time; the job runner delivers
// it once to the receiver and into the feed as @acme; the short link in the
// delivered text is followed and the campaign report counts the click and
// shows the ROI. The printable report is printed to PDF and rendered to an
// image. On the calendar, dragging a scheduled item to another day moves
// it there at the same time of day.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startByline, launchBrowser, signIn, resultsDir } from './harness.mjs';

let server;
let chrome;
let hook;
const got = [];

before(async () => {
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('thanks');
    });
  });
  await new Promise((r) => hook.listen(0, '127.0.0.1', r));
  server = await startByline();
  chrome = await launchBrowser();
});

after(async () => {
  hook?.close();
  await chrome?.close();
  await server?.stop();
});

async function session(email) {
  const context = await chrome.browser.newContext({ viewport: { width: 1280, height: 1400 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signIn(page, server.url, email);
  await page.waitForURL(`${server.url}/`);
  return { context, page, errors };
}

/** Wall-clock parts of `date` in `zone`, as `YYYY-MM-DDTHH:MM`. */
function local(date, zone) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
    timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(date).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

/** The report's figure as a number ("1,234.50" → 1234.5). */
async function figure(page, id) {
  return Number((await page.locator(`#${id}`).textContent()).replace(/[^0-9.-]/g, ''));
}

test('drafted, approved, published at its minute, clicked and counted', async () => {
  const marco = await session('marco@acme.example');
  const lena = await session('lena@acme.example');

  // The owner connects the partner's real receiver.
  await marco.page.goto(`${server.url}/profiles/acme/channels`);
  const connect = marco.page.locator('form[action$="/channels"]');
  await connect.getByLabel('Kind').selectOption('webhook');
  await connect.getByLabel('Name', { exact: true }).fill('Partner shop');
  await connect.getByLabel('Webhook address').fill(`http://127.0.0.1:${hook.address().port}/hook`);
  await Promise.all([
    marco.page.waitForURL(/\/profiles\/acme\/channels$/),
    connect.getByRole('button', { name: 'Connect' }).click(),
  ]);

  // The campaign report before: what the demo's readers clicked so far.
  await lena.page.goto(`${server.url}/profiles/acme/campaigns`);
  await lena.page.getByRole('link', { name: 'Winter collection' }).click();
  await lena.page.waitForURL(/\/profiles\/acme\/campaigns\/\d+$/);
  const reportUrl = lena.page.url();
  const clicksBefore = await figure(lena.page, 'total-clicks');

  // Lena drafts for two channels, under the campaign, with a link.
  await lena.page.goto(`${server.url}/profiles/acme/publications`);
  const form = lena.page.locator('#new-publication');
  await form.getByLabel('Title').fill('Scarf week');
  await form.getByLabel('Campaign').selectOption({ label: 'Winter collection' });
  await form.getByLabel(/publish through Acme news/).check();
  await form.getByLabel('Text for Acme news').fill('Scarf week starts now: https://acme.example/winter/scarves');
  await form.getByLabel(/publish through Partner shop/).check();
  await form.getByLabel('Text for Partner shop').fill('Partners: scarf week stock at https://acme.example/winter/scarves');
  await Promise.all([
    lena.page.waitForURL(/\/profiles\/acme\/publications\/\d+$/),
    form.getByRole('button', { name: 'Save as a draft' }).click(),
  ]);
  const publicationUrl = lena.page.url();
  assert.equal(await lena.page.locator('#publication-status').getAttribute('data-status'), 'draft');
  // The writer may not approve their own work: no button for her.
  await lena.page.locator('#submit button').click();
  await lena.page.waitForURL(publicationUrl);
  assert.equal(await lena.page.locator('#publication-status').getAttribute('data-status'), 'in_review');
  assert.equal(await lena.page.locator('#approve').count(), 0, 'the writer is not offered approval');

  // Marco is notified and approves.
  await marco.page.goto(publicationUrl);
  await marco.page.getByRole('button', { name: /Approve version 1/ }).click();
  await marco.page.waitForURL(publicationUrl);
  assert.equal(await marco.page.locator('#publication-status').getAttribute('data-status'), 'approved');

  // Lena schedules it for the next whole minute, written in Paris time
  // (two minutes ahead when this minute is nearly over).
  const now = new Date();
  const ahead = now.getSeconds() > 45 ? 2 : 1;
  const due = new Date(Math.floor(now.getTime() / 60_000 + ahead) * 60_000);
  await lena.page.reload();
  await lena.page.getByLabel(/Publish at \(Europe\/Paris\)/).fill(local(due, 'Europe/Paris'));
  await lena.page.locator('#schedule').getByRole('button', { name: 'Schedule' }).click();
  await lena.page.waitForURL(publicationUrl);
  assert.equal(await lena.page.locator('#publication-status').getAttribute('data-status'), 'scheduled');
  assert.equal(got.filter((g) => JSON.parse(g.body).event !== 'test').length, 0, 'nothing sent before its minute');

  // The runner releases it at its minute: the receiver hears it once.
  const deadline = due.getTime() + 60_000;
  while (Date.now() < deadline && got.length === 0) await lena.page.waitForTimeout(250);
  assert.equal(got.length, 1, 'the receiver heard it');
  assert.ok(Date.now() >= due.getTime(), 'not before its minute');
  const sent = JSON.parse(got[0].body);
  assert.equal(sent.profile, '@acme');
  const text = JSON.stringify(sent.data);
  assert.match(text, /Partners: scarf week stock at/);
  const short = text.match(/https?:\/\/[^"\s\\]+\/r\/([A-Za-z0-9]{8})/);
  assert.ok(short, `the delivered text carries a short link: ${text}`);
  assert.ok(!text.includes('acme.example/winter/scarves'), 'the original address is behind the short link');

  // Settled: published, and the feed shows it as @acme.
  let status = '';
  for (let i = 0; i < 80 && status !== 'published'; i++) {
    await lena.page.waitForTimeout(250);
    await lena.page.reload();
    status = await lena.page.locator('#publication-status').getAttribute('data-status');
  }
  assert.equal(status, 'published');
  await lena.page.screenshot({ path: join(resultsDir, 'publishing-published.png'), fullPage: true });
  await lena.page.goto(`${server.url}/profiles/acme`);
  const post = lena.page.locator('article', { hasText: 'Scarf week starts now' }).first();
  await post.waitFor();
  assert.match(await post.textContent(), /@acme/);

  // A reader follows the short link: redirected to the tagged address.
  const follow = await lena.page.request.get(`${server.url}/r/${short[1]}`, { maxRedirects: 0 });
  assert.equal(follow.status(), 302);
  const target = new URL(follow.headers().location);
  assert.equal(target.host, 'acme.example');
  assert.equal(target.searchParams.get('utm_campaign'), 'winter-collection');
  assert.equal(target.searchParams.get('utm_medium'), 'webhook');

  // The report counts the click and shows what the campaign returned.
  await lena.page.goto(reportUrl);
  assert.equal(await figure(lena.page, 'total-clicks'), clicksBefore + 1);
  assert.match(await lena.page.locator('#report-channels').textContent(), /Partner shop/);
  assert.match(await lena.page.locator('#total-roi').textContent(), /-?\d+(\.\d)? %/);
  await lena.page.locator('#chart-channels').waitFor();
  await lena.page.screenshot({ path: join(resultsDir, 'publishing-report.png'), fullPage: true });

  // Nothing more reached the receiver while we looked: once only.
  await lena.page.waitForTimeout(1_000);
  assert.equal(got.length, 1, 'delivered exactly once');
  assert.deepEqual(lena.errors, []);
  assert.deepEqual(marco.errors, []);
  await marco.context.close();
  await lena.context.close();
});

test('the printable report prints to a PDF that renders as the report, without its forms', async () => {
  const lena = await session('lena@acme.example');
  await lena.page.goto(`${server.url}/profiles/acme/campaigns`);
  await lena.page.getByRole('link', { name: 'Winter collection' }).click();
  await lena.page.waitForURL(/\/profiles\/acme\/campaigns\/\d+$/);
  await lena.page.locator('#chart-days').waitFor();
  assert.equal(await lena.page.locator('#print-report').isVisible(), true, 'a print button with JavaScript');
  // Chart.js draws once the page settles; print what the reader sees.
  await lena.page.waitForTimeout(500);
  await lena.page.emulateMedia({ media: 'print' });
  // The charts refit to the paper's width as a print dialog would let them.
  await lena.page.waitForTimeout(300);
  const pdf = await lena.page.pdf({ format: 'A4', printBackground: true });
  const dir = mkdtempSync(join(tmpdir(), 'byline-report-'));
  try {
    writeFileSync(join(dir, 'report.pdf'), pdf);
    writeFileSync(join(resultsDir, 'campaign-report.pdf'), pdf);
    const words = execFileSync('pdftotext', ['-layout', join(dir, 'report.pdf'), '-']).toString();
    assert.match(words, /Winter collection/);
    assert.match(words, /Return on investment/);
    assert.match(words, /Per channel/);
    assert.ok(!/Add spend|Import results|Sign out/.test(words), 'forms and navigation are not printed');
    // Rendered to an image: page one is mostly white paper with real ink on it.
    execFileSync('pdftoppm', ['-r', '40', '-f', '1', '-l', '1', '-gray', join(dir, 'report.pdf'), join(dir, 'page')]);
    const file = readdirSync(dir).find((f) => f.startsWith('page'));
    assert.ok(file, 'pdftoppm rendered page one');
    const image = readFileSync(join(dir, file));
    const { width, height, pixels } = readPgm(image);
    assert.ok(width > 250 && height > 350, `an A4 page at 40 dpi: ${width}×${height}`);
    const ink = pixels.filter((v) => v < 128).length / pixels.length;
    const paper = pixels.filter((v) => v > 230).length / pixels.length;
    assert.ok(ink > 0.01 && ink < 0.5, `text and charts are on the page (${(ink * 100).toFixed(1)}% ink)`);
    assert.ok(paper > 0.5, `the page is paper-white, not the screen's grey (${(paper * 100).toFixed(1)}%)`);
    writeFileSync(join(resultsDir, 'campaign-report-page1.pgm'), image);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  await lena.context.close();
});

/** A binary PGM (P5, 8-bit) as its size and grey values. */
function readPgm(buf) {
  const fields = [];
  let at = 0;
  while (fields.length < 4) {
    while (/\s/.test(String.fromCharCode(buf[at]))) at++;
    if (buf[at] === 0x23) { while (buf[at] !== 0x0a) at++; continue; }
    let word = '';
    while (!/\s/.test(String.fromCharCode(buf[at]))) word += String.fromCharCode(buf[at++]);
    fields.push(word);
  }
  assert.equal(fields[0], 'P5', 'pdftoppm -gray writes binary PGM');
  const [width, height] = [Number(fields[1]), Number(fields[2])];
  const pixels = Array.from(buf.subarray(at + 1, at + 1 + width * height));
  return { width, height, pixels };
}

test('dragging a scheduled publication on the calendar moves it to that day', async () => {
  const lena = await session('lena@acme.example');
  await lena.page.goto(`${server.url}/profiles/acme/calendar`);
  const item = lena.page.locator('table.calendar a.cal-item[draggable="true"]').first();
  await item.waitFor();
  const [id, from, time] = await Promise.all(['data-id', 'data-date', 'data-time'].map((a) => item.getAttribute(a)));
  const today = await lena.page.locator('table.calendar td.today').getAttribute('data-date');
  // A later day in the grid that is not the item's own.
  const days = await lena.page.locator('table.calendar td[data-date]').evaluateAll((cells) => cells.map((c) => c.dataset.date));
  const to = days.filter((d) => d > today && d !== from).at(-1);
  assert.ok(to, 'the grid has a later day to move to');
  const reloaded = lena.page.waitForEvent('load');
  // Pointer steps, as a hand drags (Playwright's one-call dragTo skips
  // the HTML drag events on a link in this Chromium).
  const target = lena.page.locator(`table.calendar td[data-date="${to}"]`);
  await target.scrollIntoViewIfNeeded();
  await item.hover();
  await lena.page.mouse.down();
  const box = await target.boundingBox();
  await lena.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 8 });
  await lena.page.mouse.up();
  const refused = lena.page.locator('#calendar-alert:not([hidden])');
  await Promise.race([reloaded, refused.waitFor()]);
  assert.equal(await refused.count(), 0, `the move was refused: ${await refused.allTextContents()}`);
  const moved = lena.page.locator(`table.calendar td[data-date="${to}"] a.cal-item[data-id="${id}"]`);
  await moved.waitFor();
  assert.equal(await moved.getAttribute('data-time'), time, 'the same time of day');
  assert.equal(await lena.page.locator(`table.calendar td[data-date="${from}"] a.cal-item[data-id="${id}"]`).count(), 0);
  await lena.page.screenshot({ path: join(resultsDir, 'calendar-moved.png'), fullPage: true });
  // Without the script, the item links to its publication, whose form schedules it.
  assert.match(await moved.getAttribute('href'), new RegExp(`/profiles/acme/publications/${id}$`));
  assert.deepEqual(lena.errors, []);
  await lena.context.close();
});
