import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { labelIndices, niceTicks, renderDailyChart, renderResponsiveChart, shortDay } from './chart-svg.js';

describe('renderDailyChart', () => {
  const points = [
    { date: '2024-01-01', downloads: 0 },
    { date: '2024-01-02', downloads: 5 },
    { date: '2024-01-03', downloads: 10 },
  ];

  test('one bar per day, tallest bar for the biggest day, accessible title and description', () => {
    const svg = renderDailyChart(points, { id: 'c', title: 'Downloads <per> day', width: 300, height: 100 }).value;
    assert.match(svg, /^<svg [^>]*role="img"[^>]*aria-labelledby="c-title c-desc"/);
    assert.match(svg, /<title id="c-title">Downloads &lt;per&gt; day<\/title>/);
    assert.match(svg, /<desc id="c-desc">15 downloads from 2024-01-01 to 2024-01-03; busiest day 10\.<\/desc>/);
    const heights = [...svg.matchAll(/<rect class="bar" [^>]*height="([\d.]+)"/g)].map((m) => Number(m[1]));
    assert.equal(heights.length, 3);
    assert.equal(heights[0], 0);
    assert.ok(Math.abs(heights[2]! - 2 * heights[1]!) < 0.2, `bars proportional: ${heights.join(',')}`);
    assert.match(svg, /<title>2024-01-03: 10<\/title>/);
  });

  test('same data, same string', () => {
    const a = renderDailyChart(points, { id: 'c', title: 't' }).value;
    assert.equal(renderDailyChart(points, { id: 'c', title: 't' }).value, a);
  });

  test('all zero and empty series render without NaN', () => {
    for (const p of [[], [{ date: '2024-01-01', downloads: 0 }]]) {
      const svg = renderDailyChart(p, { id: 'z', title: 't' }).value;
      assert.doesNotMatch(svg, /NaN|Infinity/);
      assert.match(svg, /<\/svg>$/);
    }
  });

  test('round y ticks and several dated x labels', () => {
    assert.deepEqual(niceTicks(10), [0, 5, 10]);
    assert.deepEqual(niceTicks(7), [0, 2, 4, 6, 8]);
    assert.deepEqual(niceTicks(1234), [0, 500, 1000, 1500]);
    assert.deepEqual(niceTicks(0), [0, 1]);
    assert.deepEqual(niceTicks(1), [0, 1]);
    assert.deepEqual(labelIndices(30, 6), [0, 6, 12, 17, 23, 29]);
    assert.deepEqual(labelIndices(1, 6), [0]);
    assert.deepEqual(labelIndices(2, 3), [0, 1]);
    assert.equal(shortDay('2024-05-03'), 'May 3');
    assert.equal(shortDay('2024-05-03', true), 'May 3, 2024');
    const years = renderDailyChart(
      [
        { date: '2023-12-30', downloads: 1 },
        { date: '2024-01-02', downloads: 1 },
      ],
      { id: 'y', title: 't' },
    ).value;
    assert.match(years, />Dec 30, 2023<[\s\S]*>Jan 2, 2024</);
    const days = Array.from({ length: 30 }, (_, i) => ({ date: `2024-06-${String(i + 1).padStart(2, '0')}`, downloads: i * 40 }));
    const svg = renderDailyChart(days, { id: 'c', title: 't' }).value;
    const labels = [...svg.matchAll(/<text class="label"[^>]*>([^<]*)</g)].map((m) => m[1]);
    assert.ok(labels.includes('Jun 1') && labels.includes('Jun 30'), labels.join('|'));
    assert.ok(labels.filter((l) => /^Jun /.test(l!)).length >= 5, labels.join('|'));
    assert.ok(labels.includes('1,500') && labels.includes('0'), labels.join('|'));
    assert.match(svg, />downloads<\/text>[\s\S]*>day \(UTC\)<\/text>/);
  });

  test('responsive chart: a wide and a narrow copy with their own ids', () => {
    const two = renderResponsiveChart(points, { id: 'c', title: 't' }).value;
    assert.match(two, /class="chart chart-wide"[^>]*aria-labelledby="c-title c-desc"/);
    assert.match(two, /class="chart chart-narrow"[^>]*viewBox="0 0 360 220"[^>]*aria-labelledby="c-narrow-title c-narrow-desc"/);
  });
});
