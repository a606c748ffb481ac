import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { renderDailyChart } from './chart-svg.js';

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
});
