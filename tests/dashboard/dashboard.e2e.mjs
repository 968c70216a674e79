// The Dashboard in a real browser (30-partner-apps.md §10 "Browser end-to-end", items 1, 2, 3, 6, 7, 8,
// part of 9 and the axe-core check of 10): Debian's headless Chromium driven by playwright-core, page
// JavaScript disabled as the Dashboard promises to work without it; Go Live is done by keyboard
// alone. Started by run.sh, which provides a running server with one tenant and one staff member
// through these variables:
//   POLYSIM_URL, POLYSIM_DATA_DIR, POLYSIM_TENANT, POLYSIM_STAFF_EMAIL, POLYSIM_STAFF_PASSWORD,
//   POLYSIM_CHROMIUM, POLYSIM_SCREENSHOTS
// The steps run in order and share state; the first failure stops the run (exit 1) after a
// screenshot of the page it failed on.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (run this through tests/dashboard/run.sh)`);
  return v;
};
const base = env('POLYSIM_URL');
const dataDir = env('POLYSIM_DATA_DIR');
const tenant = env('POLYSIM_TENANT');
const staffEmail = env('POLYSIM_STAFF_EMAIL');
const staffPassword = env('POLYSIM_STAFF_PASSWORD');
const chromiumPath = env('POLYSIM_CHROMIUM');
const shots = env('POLYSIM_SCREENSHOTS');
const axeSource = await fs.readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const kStepTimeout = 30_000;
const kRefused = 'This form could not be verified. Reload the page and try again.';
const appName = 'Paper Desk';

// ---- tiny runner -----------------------------------------------------------------------------
let passed = 0;
let failed = 0;
let skipped = 0;
let currentPage = null;

async function step(name, fn) {
  if (failed) {
    skipped += 1;
    console.log(`skip  ${name}`);
    return;
  }
  const started = Date.now();
  let timer;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`step timed out after ${kStepTimeout} ms`)), kStepTimeout);
      }),
    ]);
    passed += 1;
    console.log(`ok    ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    failed += 1;
    console.log(`FAIL  ${name} (${Date.now() - started} ms)\n${e?.stack ?? e}`);
    if (currentPage) {
      const file = path.join(shots, 'failure.png');
      await currentPage.screenshot({ path: file, fullPage: true }).catch(() => {});
      console.log(`      page: ${currentPage.url()} (screenshot ${file})`);
      const text = await currentPage.locator('body').innerText().catch(() => '');
      console.log(`      text: ${text.slice(0, 1500).replace(/\n+/g, ' | ')}`);
    }
  } finally {
    clearTimeout(timer);
  }
}

// ---- App API over HTTP ---------------------------------------------------------------------------
async function api(appId, method, target, body, token) {
  const headers = { 'x-app-id': appId };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  const r = await fetch(base + target, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await r.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: r.status, headers: r.headers, text, json };
}

// The code of the nth app sign-in mail to `to`, from the file email sink.
async function mailedCode(to, nth = 1) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const text = await fs.readFile(path.join(dataDir, 'outbox.jsonl'), 'utf8').catch(() => '');
    const mails = text.split('\n').filter(Boolean).map((l) => JSON.parse(l))
      .filter((m) => m.to === to && m.kind === 'app_sign_in');
    if (mails.length >= nth) return mails[nth - 1].code;
    if (Date.now() > deadline) throw new Error(`no sign-in mail for ${to} within 10 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// Signs a user in with an emailed code; returns the /auth/verify answer.
async function signIn(appId, email) {
  const started = await api(appId, 'POST', '/auth/start', { provider: 'email', email });
  assert.equal(started.status, 200, started.text);
  assert.deepEqual(started.json, { type: 'magic_link', success: true });
  return api(appId, 'POST', '/auth/verify', { email, code: await mailedCode(email) });
}

async function signedInToken(appId, email) {
  const r = await signIn(appId, email);
  assert.equal(r.status, 200, r.text);
  return r.json.accessToken;
}

// ---- page helpers ------------------------------------------------------------------------------
// Clicks something that navigates and returns the main document's final response.
async function navigateBy(page, locator) {
  const [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), locator.click()]);
  return response;
}

async function go(page, target) {
  const r = await page.goto(base + target, { waitUntil: 'load' });
  assert.ok(r, `no response for ${target}`);
  return r;
}

const mainText = (page) => page.locator('main').innerText();
const badgeText = (page) => page.locator('h1 .badge').innerText();
const cookieNamed = async (context, name) => (await context.cookies(`${base}/dashboard/apps`)).find((c) => c.name === name);

async function shoot(page, name) {
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

// axe-core: no serious or critical violation. axe needs timers, which do not run while page
// JavaScript is off, so the page's current document (the Dashboard sends no script of its own) is
// served again at its URL to a page of a separate, script-enabled context and audited there.
const a11yReport = [];
let auditPage = null;
async function checkA11y(page, label) {
  if (!auditPage) auditPage = await (await browser.newContext({ viewport: contextOptions.viewport })).newPage();
  const url = page.url();
  const html = await page.content();
  await auditPage.route(url, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }));
  try {
    await auditPage.goto(url, { waitUntil: 'load' });
  } finally {
    await auditPage.unroute(url);
  }
  await auditPage.evaluate(axeSource);
  const violations = await auditPage.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length }));
  });
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  a11yReport.push(`${label}: ${violations.length ? violations.map((v) => `${v.id}(${v.impact})`).join(', ') : 'clean'}`);
  assert.deepEqual(bad, [], `axe found serious or critical violations on ${label}`);
}

// The apps table's row of an app: [name, id, mode, users, trades, created, went live].
async function appRow(page, name) {
  const row = page.locator('tbody tr').filter({ has: page.getByRole('link', { name, exact: true }) });
  assert.equal(await row.count(), 1, `one row for ${name}`);
  return (await row.locator('th, td').allInnerTexts()).map((s) => s.trim());
}

async function auditCount(page, action) {
  await go(page, `/dashboard/audit?action=${encodeURIComponent(action)}`);
  return page.locator('tbody td').filter({ hasText: new RegExp(`^${action.replace('.', '\\.')}$`) }).count();
}

// A second origin on loopback whose page holds a form aimed at the Dashboard.
function startForeignSite(targetUrl) {
  const html = `<!DOCTYPE html><html lang="en"><head><title>You won!</title></head><body><main>
<h1>Claim your prize</h1>
<form method="post" action="${targetUrl}"><input type="hidden" name="accept" value="yes">
<button type="submit">Claim</button></form></main></body></html>`;
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// ---- the scenario ----------------------------------------------------------------------------------
const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, timeout: 30_000 });
const contextOptions = { javaScriptEnabled: false, viewport: { width: 1280, height: 640 }, locale: 'en-US' };
const context = await browser.newContext(contextOptions);
context.setDefaultTimeout(10_000);
context.setDefaultNavigationTimeout(15_000);
const page = await context.newPage();
currentPage = page;
let foreign = null;
let appId = '';
let market = '';

try {
  await step('page JavaScript is off', async () => {
    await page.setContent('<title>x</title><script>document.title = "ran"</script>');
    assert.equal(await page.title(), 'x');
  });

  await step('login: a wrong password shows the generic error and sets no session cookie', async () => {
    const r = await go(page, '/dashboard/login');
    assert.equal(r.status(), 200);
    assert.match(await page.title(), /^Sign in/);
    await shoot(page, 'login');
    await checkA11y(page, 'login');
    await page.getByLabel('Email').fill(staffEmail);
    await page.getByLabel('Password').fill('not the password 000');
    const refused = await navigateBy(page, page.getByRole('button', { name: 'Sign in' }));
    assert.equal(refused.status(), 401);
    assert.match(await page.locator('.error-summary').innerText(), /Email or password is incorrect\./);
    assert.equal(await cookieNamed(context, 'polysim_dash'), undefined);
  });

  await step('login: the right password opens Apps with an HttpOnly, SameSite=Lax session cookie', async () => {
    await page.getByLabel('Password').fill(staffPassword);
    const r = await navigateBy(page, page.getByRole('button', { name: 'Sign in' }));
    assert.equal(r.status(), 200);
    assert.equal(new URL(page.url()).pathname, '/dashboard/apps');
    assert.match(await page.title(), /^Apps/);
    const cookie = await cookieNamed(context, 'polysim_dash');
    assert.ok(cookie, 'polysim_dash is set');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Lax');
    assert.equal(cookie.path, '/dashboard');
    assert.equal(cookie.secure, false, 'Secure only with an https public_base_url');
    assert.match(await mainText(page), /No apps yet\./);
  });

  await step('create app: an empty name is refused inline and nothing is created', async () => {
    await navigateBy(page, page.getByRole('link', { name: 'Create app' }));
    assert.equal(new URL(page.url()).pathname, '/dashboard/apps/new');
    await page.getByLabel('Name').fill('   ');
    const r = await navigateBy(page, page.getByRole('button', { name: 'Create app' }));
    assert.equal(r.status(), 400);
    assert.equal(await page.locator('#name-error').innerText(), 'Enter a name.');
    assert.equal(await page.locator('#name').getAttribute('aria-describedby'), 'name-error');
    assert.match(await page.locator('.error-summary').innerText(), /Enter a name\./);
    await checkA11y(page, 'create app (with an error)');
    await go(page, '/dashboard/apps');
    assert.match(await mainText(page), /No apps yet\./);
  });

  await step('create app: a valid app opens in Testing with 0 / 20 and 0 / 100, listed and audited', async () => {
    await go(page, '/dashboard/apps/new');
    await page.getByLabel('Name').fill(appName);
    await page.getByLabel(/Allowed redirect origins/).fill('https://desk.example.com');
    const r = await navigateBy(page, page.getByRole('button', { name: 'Create app' }));
    assert.equal(r.status(), 200);
    const m = new URL(page.url()).pathname.match(/^\/dashboard\/apps\/(app_[0-9a-f]{24})$/);
    assert.ok(m, `detail URL: ${page.url()}`);
    appId = m[1];
    assert.equal(await page.locator('.notice').innerText(), 'App created.');
    assert.equal(await badgeText(page), 'Testing');
    const text = await mainText(page);
    assert.match(text, /0 \/ 20 users/);
    assert.match(text, /0 \/ 100 trades/);
    assert.equal(await page.locator('progress').count(), 2);
    await go(page, '/dashboard/apps');
    const row = await appRow(page, appName);
    assert.deepEqual(row.slice(1, 5), [appId, 'Testing', '0 / 20', '0 / 100']);
    assert.equal(await auditCount(page, 'app.create'), 1);
  });

  await step('usage: 3 users sign in through the App API, 2 orders are accepted and 1 rejected', async () => {
    const markets = await api(appId, 'GET', '/markets');
    assert.equal(markets.status, 200, markets.text);
    assert.ok(markets.json.data.length > 0, 'the simulated feed made markets');
    market = markets.json.data[0].id;
    const tokens = [];
    for (let i = 1; i <= 3; i += 1) tokens.push(await signedInToken(appId, `trader${i}@example.com`));
    const resting = { marketId: market, outcome: 'YES', side: 'buy', type: 'limit', price: '0.01', size: '5' };
    for (const token of tokens.slice(0, 2)) {
      const r = await api(appId, 'POST', '/execution/fill', resting, token);
      assert.equal(r.status, 201, r.text);
      assert.equal(r.json.status, 'open');
    }
    const naked = await api(appId, 'POST', '/execution/fill',
      { marketId: market, outcome: 'NO', side: 'sell', size: '5' }, tokens[2]);
    assert.equal(naked.status, 422, naked.text);
    assert.equal(naked.headers.get('x-error-code'), 'insufficient_position');
  });

  await step('usage: after a reload Apps shows 3 / 20 and 2 / 100', async () => {
    await go(page, '/dashboard/apps');
    const row = await appRow(page, appName);
    assert.deepEqual(row.slice(2, 5), ['Testing', '3 / 20', '2 / 100']);
    await shoot(page, 'apps');
    await checkA11y(page, 'apps');
    await navigateBy(page, page.getByRole('link', { name: appName, exact: true }));
    const text = await mainText(page);
    assert.match(text, /3 \/ 20 users/);
    assert.match(text, /2 \/ 100 trades/);
    for (let i = 1; i <= 3; i += 1) assert.match(text, new RegExp(`trader${i}@example\\.com`));
    await shoot(page, 'app-detail');
    await checkA11y(page, 'app detail');
  });

  await step('CSRF: a form on another origin posting to Go Live gets 403', async () => {
    foreign = await startForeignSite(`${base}/dashboard/apps/${appId}/go-live`);
    await page.goto(`http://127.0.0.1:${foreign.address().port}/`);
    const r = await navigateBy(page, page.getByRole('button', { name: 'Claim' }));
    assert.equal(r.status(), 403);
    assert.match(await page.locator('body').innerText(), new RegExp(kRefused.replace(/\./g, '\\.')));
  });

  await step('CSRF: a same-session form without _csrf gets 403', async () => {
    await go(page, `/dashboard/apps/${appId}/go-live`);
    await page.getByLabel(/I accept the partner agreement/).check();
    await page.locator('main form input[name="_csrf"]').evaluate((el) => el.remove());
    const r = await navigateBy(page, page.getByRole('button', { name: 'Sign and go live' }));
    assert.equal(r.status(), 403);
    assert.match(await page.locator('body').innerText(), /This form could not be verified\./);
  });

  await step("CSRF: a form carrying another session's token gets 403", async () => {
    const other = await browser.newContext(contextOptions);
    try {
      const p2 = await other.newPage();
      await p2.goto(`${base}/dashboard/login`);
      await p2.getByLabel('Email').fill(staffEmail);
      await p2.getByLabel('Password').fill(staffPassword);
      await navigateBy(p2, p2.getByRole('button', { name: 'Sign in' }));
      assert.equal(new URL(p2.url()).pathname, '/dashboard/apps');
      const otherToken = await p2.locator('input[name="_csrf"]').first().inputValue();
      await go(page, `/dashboard/apps/${appId}/go-live`);
      const mine = await page.locator('main form input[name="_csrf"]').inputValue();
      assert.notEqual(mine, otherToken);
      await page.getByLabel(/I accept the partner agreement/).check();
      await page.locator('main form input[name="_csrf"]').evaluate((el, t) => { el.value = t; }, otherToken);
      const r = await navigateBy(page, page.getByRole('button', { name: 'Sign and go live' }));
      assert.equal(r.status(), 403);
    } finally {
      await other.close();
    }
  });

  await step('CSRF: after the refusals the app is still Testing and no app.go_live was audited', async () => {
    await go(page, `/dashboard/apps/${appId}`);
    assert.equal(await badgeText(page), 'Testing');
    assert.equal(await auditCount(page, 'app.go_live'), 0);
  });

  await step('Go Live: the confirmation page, and Cancel changes nothing', async () => {
    await go(page, `/dashboard/apps/${appId}`);
    await navigateBy(page, page.getByRole('link', { name: 'Go Live', exact: true }));
    assert.equal(new URL(page.url()).pathname, `/dashboard/apps/${appId}/go-live`);
    const text = await mainText(page);
    assert.match(text, /Both testing limits \(20 users, 100 trades\) are lifted at once\./);
    assert.match(text, /This cannot be undone/);
    assert.ok(text.includes(`I accept the partner agreement on behalf of ${tenant}`), 'checkbox label names the tenant');
    await shoot(page, 'go-live');
    await checkA11y(page, 'go live confirmation');
    await navigateBy(page, page.getByRole('link', { name: 'Cancel' }));
    assert.equal(new URL(page.url()).pathname, `/dashboard/apps/${appId}`);
    assert.equal(await badgeText(page), 'Testing');
  });

  await step('Go Live: without the checkbox the browser will not submit and the server answers 400', async () => {
    await go(page, `/dashboard/apps/${appId}/go-live`);
    const checkbox = page.getByLabel(/I accept the partner agreement/);
    assert.equal(await checkbox.isChecked(), false);
    // The checkbox is `required`: the browser's own validation keeps the form from being sent.
    await page.getByRole('button', { name: 'Sign and go live' }).click();
    await page.waitForTimeout(300);
    assert.equal(new URL(page.url()).pathname, `/dashboard/apps/${appId}/go-live`);
    assert.equal(await checkbox.evaluate((el) => el.validity.valueMissing), true);
    // A browser without constraint validation sends it: the server refuses it as well.
    await page.locator('main form').evaluate((form) => { form.noValidate = true; });
    const r = await navigateBy(page, page.getByRole('button', { name: 'Sign and go live' }));
    assert.equal(r.status(), 400);
    assert.equal(await page.locator('#accept-error').innerText(),
      'Tick the box to confirm you accept the partner agreement.');
    assert.equal(await page.locator('#accept').getAttribute('aria-describedby'), 'accept-error');
    await checkA11y(page, 'go live confirmation (with an error)');
    await go(page, `/dashboard/apps/${appId}`);
    assert.equal(await badgeText(page), 'Testing');
  });

  await step('Go Live by keyboard alone: with the checkbox the app is Live, with time and staff, no button, no denominators', async () => {
    await go(page, `/dashboard/apps/${appId}/go-live`);
    const focused = () => page.evaluate(() => {
      const el = document.activeElement;
      return el ? `${el.tagName.toLowerCase()}#${el.id}:${el.textContent.trim()}` : '';
    });
    let tabs = 0;
    for (; tabs < 40 && (await focused()) !== 'input#accept:'; tabs += 1) await page.keyboard.press('Tab');
    assert.equal(await focused(), 'input#accept:', 'Tab reaches the checkbox');
    await page.keyboard.press('Space');
    assert.equal(await page.locator('#accept').isChecked(), true);
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'button#:Sign and go live');
    const [r] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
    assert.equal(r.status(), 200);
    assert.equal(new URL(page.url()).pathname, `/dashboard/apps/${appId}`);
    assert.equal(await page.locator('.notice').innerText(), `${appName} is live.`);
    assert.equal(await badgeText(page), 'Live');
    const text = await mainText(page);
    assert.match(text, new RegExp(`\\d{4}-\\d\\d-\\d\\d[ T]\\d\\d:\\d\\d(:\\d\\d)? UTC by ${staffEmail.replace(/[.]/g, '\\.')}`));
    assert.match(text, /partnerAgreementSigned\s+true/);
    assert.equal(await page.getByRole('link', { name: 'Go Live', exact: true }).count(), 0);
    assert.equal(await page.locator('progress').count(), 0);
    assert.doesNotMatch(text, / \/ 20| \/ 100/);
    assert.match(text, /3 users, 2 trades\./);
    assert.equal(await auditCount(page, 'app.go_live'), 1);
    await go(page, `/dashboard/apps/${appId}/go-live`);
    assert.match(await mainText(page), /This app is already live\./);
    assert.equal(await page.getByRole('button', { name: 'Sign and go live' }).count(), 0);
  });

  await step('caps lifted: a new user signs in (200) and a new order is accepted (201); Apps shows plain counts', async () => {
    const r = await signIn(appId, 'trader4@example.com');
    assert.equal(r.status, 200, r.text);
    const fill = await api(appId, 'POST', '/execution/fill',
      { marketId: market, outcome: 'YES', side: 'buy', type: 'limit', price: '0.01', size: '5' }, r.json.accessToken);
    assert.equal(fill.status, 201, fill.text);
    await go(page, '/dashboard/apps');
    const row = await appRow(page, appName);
    assert.deepEqual(row.slice(2, 5), ['Live', '4', '3']);
    assert.notEqual(row[6], '—', 'went-live time is shown');
  });

  await step('API keys: a new key is shown once, then listed without its secret', async () => {
    await go(page, '/dashboard/api-keys');
    await page.getByLabel('Name').fill('Risk desk reader');
    await page.getByLabel('users:write').uncheck();
    await page.getByLabel('accounts:write').uncheck();
    await page.getByLabel('90 days').check();
    const r = await navigateBy(page, page.getByRole('button', { name: 'Create key' }));
    assert.equal(r.status(), 200);
    assert.match(await mainText(page), /shown only once/);
    const key = await page.locator('#new-key').inputValue();
    assert.match(key, /^ps_/);
    await go(page, '/dashboard/api-keys');
    const text = await mainText(page);
    assert.equal(await page.locator('#new-key').count(), 0);
    assert.ok(!(await page.content()).includes(key), 'the key is gone after a reload');
    assert.match(text, /Risk desk reader/);
    await shoot(page, 'api-keys');
    await checkA11y(page, 'api keys');
  });

  await step('logout: Sign out ends the session and Apps redirects to login with next', async () => {
    await go(page, '/dashboard/apps');
    await navigateBy(page, page.getByRole('button', { name: 'Sign out' }));
    assert.equal(new URL(page.url()).pathname, '/dashboard/login');
    assert.equal(await cookieNamed(context, 'polysim_dash'), undefined);
    await go(page, '/dashboard/apps');
    const url = new URL(page.url());
    assert.equal(url.pathname, '/dashboard/login');
    assert.equal(url.searchParams.get('next'), '/dashboard/apps');
  });
} finally {
  if (foreign) foreign.close();
  await browser.close().catch(() => {});
}

if (a11yReport.length) console.log(`axe-core: ${a11yReport.join('; ')}`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed ? 1 : 0);
