import { createHash } from 'node:crypto';

/**
 * The site's static files, kept in code so the site needs no asset folder. Each has a content ETag and is
 * linked under a versioned URL (`?v=<hash>`), so browsers may keep it for a day.
 */

const CSS = `:root{color-scheme:light dark;--fg:#1b1b1b;--bg:#fff;--muted:#595959;--line:#d6d6d6;--link:#1a55a0;--accent:#1a55a0;
--accent-fg:#fff;--warn-bg:#fff3cd;--warn-line:#b38600;--bar:#2f6fb3;--code-bg:#f3f3f3;--tag:#6b6b6b}
@media (prefers-color-scheme:dark){:root{--fg:#e8e8e8;--bg:#141517;--muted:#b0b0b0;--line:#3a3d42;--link:#8cbcff;--accent:#2463b0;
--accent-fg:#fff;--warn-bg:#3a300c;--warn-line:#c9a227;--bar:#6aa6ec;--code-bg:#23262b;--tag:#a8a8a8}}
*{box-sizing:border-box}
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:72rem;padding:1rem;color:var(--fg);background:var(--bg)}
h1{margin:.2rem 0;font-size:1.7rem;line-height:1.2}h2{font-size:1.25rem;margin:1.5rem 0 .5rem}
a{color:var(--link)}a:focus-visible,button:focus-visible,input:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
table{border-collapse:collapse;width:100%;margin:1rem 0}caption{text-align:left;color:var(--muted);padding:.25rem 0}
th,td{padding:.45rem .5rem;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th a{color:inherit}th[aria-sort] a::after{content:" ▾"}th[aria-sort=ascending] a::after{content:" ▴"}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}td.date{white-space:nowrap}
.name{overflow-wrap:anywhere;font-weight:600}.hash,code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em;overflow-wrap:anywhere}
code{background:var(--code-bg);padding:.05em .3em;border-radius:3px}
.muted{color:var(--muted)}.removed td{color:var(--muted)}
.tag{font-size:.8em;border:1px solid var(--tag);border-radius:3px;padding:0 .3em;white-space:nowrap}
.warning{background:var(--warn-bg);border:1px solid var(--warn-line);padding:.5rem .75rem;border-radius:4px}
.total{font-size:1.25rem;margin:.3rem 0}
.help{border-left:4px solid var(--accent);padding:.35rem .75rem;margin:1rem 0;background:var(--code-bg)}
.button{display:inline-block;padding:.4rem .85rem;border-radius:6px;text-decoration:none;font-weight:600;white-space:nowrap;
border:1px solid var(--accent);color:var(--link);margin:.1rem .35rem .1rem 0}
.button.primary{background:var(--accent);color:var(--accent-fg)}
.get a{margin-right:.5rem}.get .alt{white-space:nowrap}.get .alt a{display:inline-block;padding:.3rem 0}
.vh{position:absolute!important;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
form.search{display:flex;gap:.4rem;flex-wrap:wrap;align-items:center;margin:1rem 0}form.search label{font-weight:600}
form.search input[type=search]{flex:1 1 14rem;min-width:0;font:inherit;padding:.4rem .5rem;border:1px solid var(--line);border-radius:6px;background:var(--bg);color:var(--fg)}
button{font:inherit;padding:.4rem .85rem;border-radius:6px;border:1px solid var(--accent);background:var(--bg);color:var(--link);cursor:pointer}
nav.pages{display:flex;gap:1rem;align-items:center;flex-wrap:wrap;margin:1rem 0}
figure{margin:1rem 0}figcaption{color:var(--muted);font-size:.9rem}
svg.chart{max-width:100%;height:auto;display:block}svg.chart-narrow{display:none}
svg .bar{fill:var(--bar)}svg .axis{stroke:var(--muted)}svg .grid{stroke:var(--line)}svg .label{font-size:12px;fill:var(--muted)}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.35rem 1rem;margin:1rem 0}dl.facts dt{font-weight:600}dl.facts dd{margin:0;min-width:0}
.copy{margin-left:.4rem;padding:.1rem .5rem;font-size:.85rem}.sums{margin-left:.5rem}h2 .sums{font-size:1rem;font-weight:normal}
footer{margin-top:2rem;border-top:1px solid var(--line);padding-top:.5rem;color:var(--muted);font-size:.9rem}footer a{color:var(--link)}
@media (max-width:700px){
body{padding:.75rem}h1{font-size:1.4rem}
table.releases thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
table.releases tr{display:block;border-bottom:1px solid var(--line);padding:.5rem 0}
table.releases td{display:inline-block;border:0;padding:.1rem .6rem .1rem 0;text-align:left}
table.releases td:first-child,table.releases td.get{display:block}
table.releases td[data-label]::before{content:attr(data-label) " ";color:var(--muted)}
table.releases td.seeders,table.releases td.leechers{display:none}
svg.chart-wide{display:none}svg.chart-narrow{display:block}
dl.facts{grid-template-columns:1fr}dl.facts dd{margin-bottom:.4rem}
form.search label{flex-basis:100%}
}
`;

/** Adds copy buttons to `[data-copy]` elements (the text stays selectable without JavaScript). */
const JS = `(function(){
  function copyText(text){
    if(navigator.clipboard&&window.isSecureContext)return navigator.clipboard.writeText(text);
    return new Promise(function(ok,fail){var t=document.createElement('textarea');t.value=text;t.setAttribute('readonly','');
      t.style.position='fixed';t.style.opacity='0';document.body.appendChild(t);t.select();
      try{document.execCommand('copy')?ok():fail();}catch(e){fail(e);}document.body.removeChild(t);});
  }
  document.querySelectorAll('[data-copy]').forEach(function(el){
    var b=document.createElement('button');b.type='button';b.className='copy';b.textContent='Copy';
    b.setAttribute('aria-label','Copy '+(el.getAttribute('data-copy')||'text'));
    var live=document.createElement('span');live.className='vh';live.setAttribute('role','status');
    b.addEventListener('click',function(){copyText(el.textContent.trim()).then(function(){b.textContent='Copied';live.textContent='Copied';
      setTimeout(function(){b.textContent='Copy';live.textContent='';},2000);},function(){b.textContent='Select and copy';});});
    el.insertAdjacentElement('afterend',b);b.insertAdjacentElement('afterend',live);
  });
})();
`;

const FAVICON =
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#1a55a0"/>` +
  `<path d="M16 6v14m-6-6 6 6 6-6M8 25h16" stroke="#fff" stroke-width="3.2" fill="none" stroke-linecap="round" stroke-linejoin="round"/></svg>\n`;

export interface Asset {
  readonly path: string;
  readonly type: string;
  readonly body: string;
  readonly etag: string;
  /** The path with its content version, for links. */
  readonly href: string;
}

function asset(p: string, type: string, body: string): Asset {
  const v = createHash('sha256').update(body).digest('hex').slice(0, 12);
  return Object.freeze({ path: p, type, body, etag: `"${v}"`, href: `${p}?v=${v}` });
}

export const SITE_CSS = asset('/site.css', 'text/css; charset=utf-8', CSS);
export const SITE_JS = asset('/site.js', 'text/javascript; charset=utf-8', JS);
export const FAVICON_SVG = asset('/favicon.svg', 'image/svg+xml', FAVICON);
export const ASSETS: readonly Asset[] = [SITE_CSS, SITE_JS, FAVICON_SVG];
