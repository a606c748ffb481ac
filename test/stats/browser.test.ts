import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import parseTorrent from 'parse-torrent';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Manifest, ManifestRelease } from '../../libs/common/src/manifest.js';
import { HTML_NAME, SCRIPT_NAME, startStatsFor } from '../helpers/stats-fixture.js';
import { commandPath } from '../helpers/command-path.js';
import { serveStats, type FakeStats } from '../helpers/fake-tracker-feed.js';
import { MULTI_NAME, makeSiteFixture } from '../helpers/stats-site-fixture.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const chromiumPath = commandPath('chromium');
const ci = process.env['CI'] === 'true';
const axeSource = fs.readFileSync(path.join(root, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
/** What the test saw, for a human to look at after a failure (the README's pictures are made by the last test). */
const shotsDir = path.join(root, 'test-artifacts');
const WIDTHS = [1280, 390] as const;
// Browser globals, used only inside page.evaluate callbacks (the project compiles without the DOM lib).
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any, window: any, navigator: any, getComputedStyle: any, DOMParser: any;

async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath!,
    headless: true,
    timeout: 30_000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** axe-core in the page; returns the serious and critical violations as readable lines. */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: { id: string; impact: string; nodes: { target: unknown }[] }[] }> };
      }
    ).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target)) }));
  });
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id}: ${v.targets.join(' ')}`);
}

/** The page is no wider than the window: nothing scrolls sideways. */
async function assertNoOverflow(page: Page, what: string): Promise<void> {
  const { scroll, inner, widest } = await page.evaluate((): { scroll: number; inner: number; widest: string } => {
    let widest = '';
    let w = 0;
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (r.right > w) {
        w = r.right;
        widest = `${el.tagName}.${el.className}`;
      }
    }
    return { scroll: document.documentElement.scrollWidth, inner: window.innerWidth, widest: `${widest} ends at ${Math.round(w)}` };
  });
  assert.ok(scroll <= inner, `${what}: page is ${scroll} px wide in a ${inner} px window (${widest})`);
}

/** Screen size of the visible chart's labels, and how many the axes carry. */
async function chartLabels(page: Page): Promise<{ px: number; y: number; x: number }> {
  return page.evaluate((): { px: number; y: number; x: number } => {
    const svg = [...document.querySelectorAll('#downloads-chart svg')].find((s: any) => s.getBoundingClientRect().width > 0);
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    const labels = [...svg.querySelectorAll('text.label:not(.axis-title)')].map((t: any) => String(t.textContent ?? ''));
    const px = parseFloat(getComputedStyle(svg.querySelector('text.label')!).fontSize) * scale;
    return {
      px,
      y: labels.filter((l: string) => /^[\d,]+$/.test(l)).length,
      x: labels.filter((l: string) => /^[A-Z][a-z]{2} \d+(, \d{4})?$/.test(l)).length,
    };
  });
}

function luminance(rgb: string): number {
  const [r, g, b] = (rgb.match(/\d+/g) ?? ['0', '0', '0']).map(Number) as [number, number, number];
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}

test('browser: home and release pages at 1280 and 390 px, light and dark, accessible, no overflow; feed, badge, copy', {
  skip: chromiumPath === null && !ci ? 'chromium is not installed (apt-get install chromium); set CI=true to make this a failure' : false,
  timeout: 180_000,
}, async () => {
  assert.ok(chromiumPath, 'chromium must be installed in CI');
  const today = new Date(Date.now() - 60_000).toISOString();
  const f = await makeSiteFixture('http://127.0.0.1:1/announce', today);
  const [app, htmlNamed, removed] = f.releases;
  const fake = await serveStats({
    status: 200,
    gzip: 'silent',
    body: `${app!.infoHash.toUpperCase()}:3:2:1234\n${htmlNamed!.infoHash}:1:0:56\n${removed!.infoHash}:0:0:7\n${f.multiHash}:2:1:31\n`,
  });
  const stats = await startStatsFor(f, fake.url, ['--title', 'Example Project downloads']);
  const base = `http://127.0.0.1:${stats.port}`;
  let browser: Browser | undefined;
  try {
    await stats.pollNow();
    browser = await launch();
    fs.mkdirSync(shotsDir, { recursive: true });
    const dialogs: string[] = [];
    const notFound: string[] = [];

    for (const width of WIDTHS) {
      for (const scheme of ['light', 'dark'] as const) {
        const what = `${width} px ${scheme}`;
        // bypassCSP only so that axe-core can be injected; the site itself runs under its CSP
        const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme: scheme, bypassCSP: true });
        const page = await context.newPage();
        page.setDefaultTimeout(10_000);
        page.on('dialog', (d) => {
          dialogs.push(d.message());
          void d.dismiss();
        });
        page.on('response', (r) => {
          if (r.status() >= 400) notFound.push(`${r.status()} ${r.url()}`);
        });

        assert.equal((await page.goto(`${base}/`))?.status(), 200);
        const row = page.locator(`tr[data-infohash="${app!.infoHash}"]`);
        assert.equal(await row.locator('a.name').innerText(), 'app-1.0.bin');
        assert.match(await row.locator('td.downloads').innerText(), /1,234/);
        assert.ok(await row.locator('a.button.primary').isVisible(), `${what}: primary download visible`);
        assert.ok(
          (await row.locator('a.torrent').isVisible()) && (await row.locator('a.magnet').isVisible()),
          `${what}: .torrent and magnet`,
        );
        assert.ok(await page.locator('#how-to-download').isVisible());
        assert.ok(await page.locator('#site-total').getByText('1,328').isVisible());
        assert.ok(await page.locator('a.name').getByText(HTML_NAME, { exact: true }).isVisible());
        assert.ok(await page.locator('a.name').getByText(SCRIPT_NAME, { exact: true }).isVisible());
        assert.equal(await page.locator('img').count(), 0);
        await assertNoOverflow(page, `home ${what}`);
        const home = await chartLabels(page);
        assert.ok(home.px >= 10, `${what}: chart labels ${home.px.toFixed(1)} px`);
        assert.ok(home.y >= 2 && home.x >= 3, `${what}: axes labelled ${JSON.stringify(home)}`);
        const bg = await page.evaluate((): string => getComputedStyle(document.body).backgroundColor);
        assert.ok(scheme === 'dark' ? luminance(bg) < 0.2 : luminance(bg) > 0.9, `${what}: background ${bg}`);
        assert.deepEqual(await seriousViolations(page), [], `axe on home ${what}`);
        if (scheme === 'light') await page.screenshot({ path: path.join(shotsDir, `site-home-${width}.png`), fullPage: width === 390 });

        assert.equal((await page.goto(`${base}/release/${app!.infoHash}`))?.status(), 200);
        assert.equal(await page.locator('h1').innerText(), 'app-1.0.bin');
        assert.equal(await page.locator('#sha256').innerText(), f.sums.get('app-1.0.bin'));
        assert.equal(await page.locator('#infohash').innerText(), app!.infoHash);
        await assertNoOverflow(page, `release ${what}`);
        const rel = await chartLabels(page);
        assert.ok(rel.px >= 10 && rel.y >= 2 && rel.x >= 3, `${what}: release chart ${JSON.stringify(rel)}`);
        assert.deepEqual(await seriousViolations(page), [], `axe on the release page ${what}`);
        if (scheme === 'dark') await page.screenshot({ path: path.join(shotsDir, `site-release-${width}-dark.png`), fullPage: false });

        assert.equal((await page.goto(`${base}/release/${f.multiHash}`))?.status(), 200);
        assert.equal(await page.locator('#file-list tbody tr').count(), 3);
        assert.equal(await page.locator('#downloads-chart svg.chart-wide rect.bar').count(), 1, 'published today: one day');
        await assertNoOverflow(page, `multi-file release ${what}`);
        if (scheme === 'dark') assert.deepEqual(await seriousViolations(page), [], `axe on the multi-file release page ${what}`);
        await context.close();
      }
    }
    assert.deepEqual(dialogs, []);
    assert.deepEqual(notFound, [], 'no 404 per page view (favicon, stylesheet, script)');

    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1100, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);

    // Copy buttons appear with JavaScript and copy the exact text.
    await page.goto(`${base}/release/${app!.infoHash}`);
    await page.getByRole('button', { name: 'Copy info hash' }).click();
    // the label changes once the clipboard write resolves: waited for (up to the page's 10 s), not read at once
    await page.getByRole('button', { name: 'Copy info hash' }).getByText('Copied').waitFor({ state: 'visible' });
    assert.equal(await page.evaluate((): Promise<string> => navigator.clipboard.readText()), app!.infoHash);

    // The .torrent link downloads the release torrent (same info_hash, current trackers).
    await page.goto(`${base}/`);
    const link = page.locator(`tr[data-infohash="${app!.infoHash}"] a.torrent`);
    assert.equal(await link.getAttribute('href'), `/torrents/${app!.torrent}`);
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    assert.equal(download.suggestedFilename(), app!.torrent);
    assert.equal((await parseTorrent(fs.readFileSync(await download.path()))).infoHash, app!.infoHash);

    // The feed parses as XML in the browser (strict), with an enclosure per release.
    const feedText = await (await page.request.get(`${base}/feed.xml`)).text();
    type FeedCheck = { error: string | null; root: string; entries: { title: string; enclosure: string | null; magnet: boolean }[] };
    const feed = await page.evaluate((xml: string): FeedCheck => {
      const doc = new DOMParser().parseFromString(xml, 'application/xml');
      const ns = 'http://www.w3.org/2005/Atom';
      return {
        error: doc.getElementsByTagName('parsererror').length > 0 ? doc.documentElement.textContent : null,
        root: doc.documentElement.namespaceURI,
        entries: [...doc.getElementsByTagNameNS(ns, 'entry')].map((e: any) => ({
          title: e.getElementsByTagNameNS(ns, 'title')[0]?.textContent,
          enclosure: [...e.getElementsByTagNameNS(ns, 'link')]
            .find((l: any) => l.getAttribute('rel') === 'enclosure')
            ?.getAttribute('type'),
          magnet: [...e.getElementsByTagNameNS(ns, 'link')].some((l: any) => l.getAttribute('href')?.startsWith('magnet:?xt=urn:btih:')),
        })),
      };
    }, feedText);
    assert.equal(feed.error, null);
    assert.equal(feed.root, 'http://www.w3.org/2005/Atom');
    assert.equal(feed.entries.length, 4);
    assert.equal(feed.entries[0]!.title, MULTI_NAME);
    assert.ok(feed.entries.some((e) => e.title === HTML_NAME));
    for (const e of feed.entries) assert.deepEqual([e.enclosure, e.magnet], ['application/x-bittorrent', true], e.title ?? '');

    // The badge, embedded as an image the way a CMS page would.
    await page.setContent(`<img id="b" alt="downloads" src="${base}/badge/${app!.infoHash}.svg">`);
    await page.waitForFunction(() => document.getElementById('b').complete);
    const size = await page.evaluate((): number[] => {
      const i = document.getElementById('b');
      return [i.naturalWidth, i.naturalHeight];
    });
    assert.ok(size[0]! > 60 && size[1] === 20, `badge rendered ${size.join('x')}`);
    await context.close();

    // Without JavaScript the search still works (a plain GET form) and every link is there.
    const noJs = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 800 } });
    const p2 = await noJs.newPage();
    await p2.goto(`${base}/`);
    await p2.getByLabel('Search releases').fill('app-1');
    await p2.getByRole('button', { name: 'Search' }).click();
    await p2.waitForURL(/\?q=app-1$/);
    assert.equal(await p2.locator('tbody tr.release').count(), 1);
    assert.equal(await p2.locator('button.copy').count(), 0);
    await noJs.close();
    assert.deepEqual(dialogs, []);
  } finally {
    await browser?.close();
    await stats.close();
    await fake.close();
    f.cleanup();
  }
});

/**
 * The README's screenshots: a realistic catalog with a month of history, polled day by day on a moving clock.
 * Registered only with UPDATE_SCREENSHOTS=1 (`UPDATE_SCREENSHOTS=1 node --test dist/test/stats/browser.test.js`),
 * so a normal run neither rewrites docs/ nor reports a skipped test.
 */
if (process.env['UPDATE_SCREENSHOTS'] === '1')
  test('browser: README screenshots of a realistic catalog', { timeout: 120_000 }, async () => {
    const f = await makeSiteFixture('http://127.0.0.1:1/announce', new Date().toISOString());
    const names = [
      'acme-cli-2.4.0-linux-x86_64.tar.gz',
      'acme-cli-2.4.0-windows-x64.zip',
      'acme-cli-2.4.0-macos-arm64.dmg',
      'acme-cli-2.3.1-linux-x86_64.tar.gz',
      'acme-cli-2.3.1-windows-x64.zip',
      'acme-server-1.8.0.iso',
      'acme-docs-2.4.pdf',
    ];
    const day = 86_400_000;
    const start = Date.now() - 29 * day;
    const releases: ManifestRelease[] = names.map((name, i) => ({
      name,
      path: name,
      size: [48_213_114, 51_870_221, 55_102_448, 47_998_310, 51_002_117, 734_003_200, 3_412_775][i]!,
      infoHash: createHash('sha1').update(name).digest('hex'),
      magnet: '',
      pieceLength: 262_144,
      publishedAt: new Date(start + (i < 3 ? 20 : i < 5 ? 2 : 9) * day).toISOString(),
      sha256: createHash('sha256').update(name).digest('hex'),
      torrent: `${name}.torrent`,
      removedAt: null,
    }));
    const multi = (JSON.parse(fs.readFileSync(f.manifestPath, 'utf8')) as Manifest).releases.find((r) => r.name === MULTI_NAME)!;
    releases.push({ ...multi, name: 'acme-sdk-2.4.0', publishedAt: new Date(start + 20 * day).toISOString() });
    fs.writeFileSync(f.manifestPath, JSON.stringify({ version: 1, releases } satisfies Manifest));
    for (const t of fs.readdirSync(f.torrentsDir)) if (t !== multi.torrent) fs.rmSync(path.join(f.torrentsDir, t));
    const counts = new Map(releases.map((r) => [r.infoHash, 0]));
    const state: FakeStats = { status: 200, gzip: 'none', body: '' };
    const fake = await serveStats(state);
    let clock = start;
    const stats = await startStatsFor(f, fake.url, ['--title', 'Acme downloads'], { now: () => clock });
    let browser: Browser | undefined;
    try {
      for (let d = 0; d < 30; d++) {
        clock = start + d * day;
        releases.forEach((r, i) => {
          if (Date.parse(r.publishedAt) > clock) return;
          const age = (clock - Date.parse(r.publishedAt)) / day;
          counts.set(
            r.infoHash,
            counts.get(r.infoHash)! + Math.round((i === 5 ? 9 : 40 / (i + 1)) * (1 + 3 / (1 + age)) + ((d * 7 + i * 3) % 11)),
          );
        });
        const out = releases.filter((r) => Date.parse(r.publishedAt) <= clock).map((r) => [r.infoHash, counts.get(r.infoHash)!] as const);
        state.body = out.map(([h, n]) => `${h}:${(n % 13) + 2}:${n % 4}:${n}`).join('\n');
        await stats.pollNow();
      }
      clock = Date.now();
      for (
        let i = 0;
        i < 100 && (await (await fetch(`http://127.0.0.1:${stats.port}/release/${multi.infoHash}`)).text()).includes('sums-pending');
        i++
      ) {
        await new Promise((r) => setTimeout(r, 100));
      }
      browser = await launch();
      fs.mkdirSync(path.join(root, 'docs'), { recursive: true });
      for (const [width, scheme, url, file, full] of [
        [1280, 'light', '/', 'site-home-1280.png', false],
        [390, 'light', '/', 'site-home-390.png', true],
        [390, 'dark', `/release/${releases[0]!.infoHash}`, 'site-release-390-dark.png', false],
        [1280, 'dark', `/release/${multi.infoHash}`, 'site-release-1280-dark.png', false],
      ] as const) {
        const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme: scheme });
        const page = await context.newPage();
        await page.goto(`http://127.0.0.1:${stats.port}${url}`);
        await page.screenshot({ path: path.join(root, 'docs', file), fullPage: full });
        await context.close();
      }
    } finally {
      await browser?.close();
      await stats.close();
      await fake.close();
      f.cleanup();
    }
  });
