import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { HTML_NAME, SCRIPT_NAME, commandPath, makeFixture, serveStats, startStatsFor } from './helpers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const chromiumPath = commandPath('chromium');
const ci = process.env['CI'] === 'true';

test('browser: the page shows releases, counts and the chart; the .torrent link works; HTML names stay text', {
  skip: chromiumPath === null && !ci ? 'chromium is not installed (apt-get install chromium); set CI=true to make this a failure' : false,
  timeout: 90_000,
}, async () => {
  assert.ok(chromiumPath, 'chromium must be installed in CI');
  const f = await makeFixture('http://127.0.0.1:1/announce');
  const [app, htmlNamed, removed] = f.releases;
  const fake = await serveStats({
    status: 200, gzip: 'silent',
    body: `${app!.infoHash.toUpperCase()}:3:2:1234\n${htmlNamed!.infoHash}:1:0:56\n${removed!.infoHash}:0:0:7\n`,
  });
  const stats = await startStatsFor(f, fake.url, ['--title', 'Example Project downloads']);
  let browser: Browser | undefined;
  try {
    await stats.pollNow();
    browser = await chromium.launch({
      executablePath: chromiumPath!, headless: true, timeout: 30_000,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run',
        '--disable-component-update', '--disable-sync'],
    });
    const context = await browser.newContext({ acceptDownloads: true, javaScriptEnabled: true, viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const res = await page.goto(`http://127.0.0.1:${stats.port}/`);
    assert.equal(res?.status(), 200);

    const row = page.locator(`tr[data-infohash="${app!.infoHash}"]`);
    assert.equal(await row.locator('a.name').innerText(), 'app-1.0.bin');
    assert.equal(await row.locator('td.downloads').innerText(), '1,234');
    assert.equal(await row.locator('td.seeders').innerText(), '3');
    assert.ok(await page.locator('#site-total').getByText('1,297').isVisible());

    const chart = page.locator('#downloads-chart svg[role="img"]');
    assert.ok(await chart.isVisible(), 'chart visible');
    const box = await chart.boundingBox();
    assert.ok(box && box.width > 200 && box.height > 50, `chart has a size: ${JSON.stringify(box)}`);
    assert.ok((await chart.locator('rect.bar').count()) === 30);

    // Hostile names render as literal text and run nothing.
    assert.ok(await page.getByText(HTML_NAME, { exact: true }).isVisible());
    assert.ok(await page.getByText(SCRIPT_NAME, { exact: true }).isVisible());
    assert.equal(await page.locator('img').count(), 0);
    assert.deepEqual(dialogs, []);

    const artifacts = path.join(root, 'test-artifacts');
    fs.mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: path.join(artifacts, 'stats-page.png'), fullPage: true });

    // Follow the .torrent link: the browser downloads it, served as application/x-bittorrent.
    const link = row.locator('a.torrent');
    const href = await link.getAttribute('href');
    assert.equal(href, `/torrents/${app!.torrent}`);
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    assert.equal(download.suggestedFilename(), app!.torrent);
    const saved = await download.path();
    assert.deepEqual(fs.readFileSync(saved), fs.readFileSync(path.join(f.torrentsDir, app!.torrent)));
    const torrentRes = await page.request.get(`http://127.0.0.1:${stats.port}${href}`);
    assert.equal(torrentRes.headers()['content-type'], 'application/x-bittorrent');

    // The release page, reached by its link, has its own chart.
    await page.goto(`http://127.0.0.1:${stats.port}/`);
    await page.locator(`tr[data-infohash="${htmlNamed!.infoHash}"] a.name`).click();
    assert.equal(await page.locator('h1').innerText(), HTML_NAME);
    assert.ok(await page.locator('#downloads-chart svg').isVisible());
    assert.deepEqual(dialogs, []);
  } finally {
    await browser?.close();
    await stats.close();
    await fake.close();
    f.cleanup();
  }
});
