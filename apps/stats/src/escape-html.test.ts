import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { escapeHtml, html, raw } from './escape-html.js';

describe('escapeHtml', () => {
  const rows: [string, string][] = [
    ['<script>alert(1)</script>.bin', '&lt;script&gt;alert(1)&lt;/script&gt;.bin'],
    ['a & b', 'a &amp; b'],
    ['"quoted" \'single\'', '&quot;quoted&quot; &#39;single&#39;'],
    ['" onmouseover="alert(1)', '&quot; onmouseover=&quot;alert(1)'],
    ['&amp;', '&amp;amp;'],
    ['plain-name_1.0.tar.gz', 'plain-name_1.0.tar.gz'],
    ['ünïcödé 日本', 'ünïcödé 日本'],
    ['', ''],
  ];
  for (const [input, want] of rows) {
    test(JSON.stringify(input), () => assert.equal(escapeHtml(input), want));
  }
});

describe('html template tag', () => {
  test('escapes interpolations, keeps SafeHtml, flattens arrays, drops null', () => {
    const name = '<img src=x onerror=alert(1)>';
    const out = html`<p title="${name}">${name}${raw('<b>ok</b>')}${[html`<i>${'&'}</i>`, 'x<']}${null}${undefined}${3}</p>`;
    assert.equal(
      out.value,
      '<p title="&lt;img src=x onerror=alert(1)&gt;">&lt;img src=x onerror=alert(1)&gt;<b>ok</b><i>&amp;</i>x&lt;3</p>',
    );
  });
});
