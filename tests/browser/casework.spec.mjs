// The casework path in headless Chromium, walked as staff and partners would:
// a team leader assigns a household on the week's list, the connector opens a
// case and records the conversation, a plan, consent and a referral; the
// partner the consent covers sees the household (and only what consent
// allows); a second partner sees nothing.
//
// JavaScript is off for the whole run: every page must work without it. Each
// page is checked for the basics of accessibility (one h1, a label for every
// control, unique ids), run through axe-core at 1280 px and at 320 px (any
// violation fails the test), and saved as full-page PNGs at both widths,
// numbered in order, for a person to look at.
//
// Usually run by `cargo test -p upstream-cli --test browser`, which makes a
// small demo town, starts the server and passes all of this in. By hand,
// against a running `upstream demo`:
//
//   npm ci --prefix tests/browser
//   UPSTREAM_BASE_URL=http://127.0.0.1:8080 UPSTREAM_DEMO_OUTPUT=demo.log \
//     node --test-reporter=spec tests/browser/casework.spec.mjs
//
// Settings (environment, or the same names as --flags: --base-url URL ...):
//   UPSTREAM_BASE_URL     the server, e.g. http://127.0.0.1:8080 (required)
//   UPSTREAM_DEMO_OUTPUT  a file holding what `upstream demo` printed: the demo
//                         accounts and their passwords are read from it
//   UPSTREAM_USERS        or: JSON, {"team-leader": "password", ...}
//   UPSTREAM_SCREENSHOTS  where the PNGs go [tests/browser/screenshots]
//   CHROMIUM              the browser [/usr/bin/chromium]; Playwright's own
//                         browsers are never downloaded
//   UPSTREAM_STEP_TIMEOUT milliseconds to wait for any one thing [5000]

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));

function setting(name, fallback) {
  const flag = '--' + name.replace(/^UPSTREAM_/, '').toLowerCase().replaceAll('_', '-');
  const i = process.argv.indexOf(flag);
  if (i >= 0 && i + 1 < process.argv.length) return process.argv[i + 1];
  const v = process.env[name];
  return v === undefined || v === '' ? fallback : v;
}

const BASE = (setting('UPSTREAM_BASE_URL') ?? '').replace(/\/+$/, '');
const SHOTS = path.resolve(setting('UPSTREAM_SCREENSHOTS', path.join(here, 'screenshots')));
const BROWSER = setting('CHROMIUM', '/usr/bin/chromium');
const TIMEOUT = Number(setting('UPSTREAM_STEP_TIMEOUT', '5000'));

// The demo's accounts (crates/cli/src/accounts.rs, `seed_demo_users`).
const TEAM_LEADER = { username: 'team-leader', name: 'Priya Shah' };
const CONNECTOR = { username: 'connector', name: 'Casey Morgan' };
const ADVICE = { username: 'partner-advice', organisation: 'Citizens Advice' };
const ADMIN = { username: 'admin' };
const ANALYST = { username: 'analyst' };
const FOODBANK = { username: 'partner-foodbank', organisation: 'Food Bank Trust' };

/** Passwords by username, from the demo's printout or UPSTREAM_USERS. */
function passwords() {
  const out = {};
  const file = setting('UPSTREAM_DEMO_OUTPUT');
  if (file) {
    // "  connector          abcde-fghjk-mnpqr-stuvw   Connector ..."
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      const m = line.match(/^\s+(\S+)\s+([a-z2-9]{5}(?:-[a-z2-9]{5}){3})(?:\s|$)/);
      if (m) out[m[1]] = m[2];
    }
  }
  const json = setting('UPSTREAM_USERS');
  if (json) Object.assign(out, JSON.parse(json));
  return out;
}

const PASSWORDS = passwords();

// Marks typed into forms, looked for later on other people's pages.
const RUN = Date.now().toString(36);
const WHAT_MATTERS = `Keeping the flat for the children (${RUN})`;
const REASON = `Rent arrears since the job ended; wants help with a payment plan (${RUN})`;
const ACTION = `Book an appointment with a money adviser (${RUN})`;
const CONVERSATION_NOTE = `Worried about the letters from the council (${RUN})`;
const NOTE = `Rang the landlord about the arrears (${RUN})`;
const REMINDER = `Ring the landlord about the payment plan (${RUN})`;
const SAFE = `Text only: do not write to this address (${RUN})`;
// Someone no system holds, referred in by a partner.
const NEWCOMER = 'Rowan Tetley-Abara';
// A campaign's text and name.
const TEMPLATE = `rent-help-${RUN}`;
const CAMPAIGN = `Help with rent (${RUN})`;
const KNOCK = `Knock and talk (${RUN})`;
const NEWCOMER_REASON = `Sofa-surfing since leaving care; no address of their own (${RUN})`;

let browser;
let shotNumber = 0;
// What the steps pass on to each other.
const found = { householdId: null, caseId: null };
let failedStep = null;

function today(offsetDays = 0) {
  const d = new Date();
  d.setDate(d.getDate() + offsetDays);
  return { day: String(d.getDate()), month: String(d.getMonth() + 1), year: String(d.getFullYear()) };
}

/** A new browser context (its own cookies) with JavaScript off, and a page in it. */
async function newPage() {
  const context = await browser.newContext({
    javaScriptEnabled: false,
    baseURL: BASE,
    viewport: { width: 1280, height: 900 },
    locale: 'en-GB',
    timezoneId: 'Europe/London',
  });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.setDefaultNavigationTimeout(Math.max(TIMEOUT, 15000));
  // The status of the last page loaded in the main frame (after redirects).
  page.lastStatus = null;
  page.on('response', (r) => {
    if (r.request().isNavigationRequest() && r.frame() === page.mainFrame()) page.lastStatus = r.status();
  });
  return page;
}

/** Where the page is and what it says it is, for failure messages. */
async function whereAmI(page) {
  let h1 = '';
  try {
    h1 = (await page.locator('h1').allInnerTexts()).join(' | ');
  } catch {
    /* the page may be gone */
  }
  return `at ${page.url()} (status ${page.lastStatus ?? '?'}, h1 "${h1.trim()}")`;
}

/** Wait for `locator` to be visible, or fail saying what was wanted and where we were. */
async function see(page, locator, what) {
  const shown = locator.filter({ visible: true }).first();
  try {
    await shown.waitFor({ state: 'visible', timeout: TIMEOUT });
  } catch (e) {
    throw new Error(`expected ${what}, but it is not there ${await whereAmI(page)}`, { cause: e });
  }
  return shown;
}

/** Fail if the page shows `text` anywhere. */
async function doNotSee(page, text, why) {
  const body = await page.locator('body').innerText();
  assert.ok(!body.includes(text), `"${text}" is shown ${await whereAmI(page)}: ${why}`);
}

/** Go to `url` and check the status. */
async function visit(page, url, status = 200) {
  const r = await page.goto(url);
  assert.equal(r?.status(), status, `GET ${url}: expected ${status}, got ${r?.status()} ${await whereAmI(page)}`);
  return r;
}

/** Click a button that submits a form, and wait for the page it leads to.
 * A form sent back with errors answers 422 (Unprocessable Content): pass
 * `refused = true` when that is what the step expects. */
async function submit(page, button, what, refused = false) {
  const shown = await see(page, button, `the button for ${what}`);
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), shown.click()]);
  const ok = refused
    ? page.lastStatus === 422
    : page.lastStatus !== null && page.lastStatus < 400;
  assert.ok(ok, `${what}: the server answered ${page.lastStatus} ${await whereAmI(page)}`);
}

/** Fail, listing them, if the page shows a GOV.UK error summary. */
async function noErrors(page, what) {
  const summary = page.locator('.govuk-error-summary');
  if (await summary.count()) {
    const text = (await summary.innerText()).replace(/\s+/g, ' ');
    assert.fail(`${what}: the page shows errors: ${text} ${await whereAmI(page)}`);
  }
}

/**
 * The basics of accessibility on the page as it is, and that JavaScript
 * really is off. Returns a list of problems (empty when all is well).
 */
async function accessibilityProblems(page) {
  return page.evaluate(() => {
    const problems = [];
    const text = (el) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();
    const h1s = document.querySelectorAll('h1');
    if (h1s.length !== 1) problems.push(`${h1s.length} h1 headings (want exactly one)`);
    if (!document.documentElement.lang) problems.push('no lang on <html>');
    if (!document.title.trim()) problems.push('no <title>');
    const ids = new Map();
    for (const el of document.querySelectorAll('[id]')) ids.set(el.id, (ids.get(el.id) ?? 0) + 1);
    for (const [id, n] of ids) if (n > 1) problems.push(`id "${id}" used ${n} times`);
    const controls = document.querySelectorAll(
      'input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=reset]):not([type=image]), select, textarea',
    );
    for (const c of controls) {
      const name = c.name || c.id || c.outerHTML.slice(0, 60);
      const labelled =
        [...(c.labels ?? [])].some((l) => text(l)) ||
        (c.getAttribute('aria-label') ?? '').trim() ||
        (c.getAttribute('aria-labelledby') ?? '')
          .split(/\s+/)
          .some((id) => id && text(document.getElementById(id)));
      if (!labelled) problems.push(`${c.tagName.toLowerCase()} "${name}" has no label`);
      if (c.type === 'radio' || c.type === 'checkbox') {
        const group = (c.form ?? document).querySelectorAll(`input[name="${CSS.escape(c.name)}"]`);
        if (group.length > 1 && !text(c.closest('fieldset')?.querySelector('legend')))
          problems.push(`${c.type}es "${c.name}" are not in a fieldset with a legend`);
      }
    }
    for (const b of document.querySelectorAll('button, a[href]'))
      if (!text(b) && !(b.getAttribute('aria-label') ?? '').trim())
        problems.push(`${b.tagName.toLowerCase()} with no text: ${b.outerHTML.slice(0, 80)}`);
    for (const a of document.querySelectorAll('.govuk-error-summary a[href^="#"]'))
      if (!document.getElementById(a.getAttribute('href').slice(1)))
        problems.push(`error summary link ${a.getAttribute('href')} goes nowhere`);
    // base.html's inline script marks the body when JavaScript runs.
    if (document.body.classList.contains('govuk-frontend-supported'))
      problems.push('JavaScript ran, but the test turned it off');
    return [...new Set(problems)];
  });
}

// axe-core, the accessibility engine GOV.UK's own audits use, read from npm.
const AXE = fs.readFileSync(path.join(here, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

/** A page with JavaScript on, kept for running axe-core on copies of pages. */
let axePage;
/** The HTML the next visit to COPY_PATH is answered with. */
let copyHtml = '';
/** A path on the site under test that the browser answers itself, with `copyHtml`. */
const COPY_PATH = '/__accessibility-check-copy';

/**
 * axe-core's WCAG 2.2 A and AA rules (and its best practices) on the page as
 * it stands: every violation, one line each, naming the rule and elements.
 * axe needs JavaScript (its own timers) and the pages under test have it off,
 * so it runs on a copy: the page's HTML, its scripts taken out so the copy is
 * what a browser without JavaScript shows, served by the browser itself at a
 * path of the same site (so the copy's stylesheets and images load from the
 * server) in a context with JavaScript on.
 */
async function axeViolations(page) {
  copyHtml = (await page.content()).replace(/<script\b[\s\S]*?<\/script>/gi, '');
  if (!axePage) {
    const context = await browser.newContext({ baseURL: BASE, bypassCSP: true, locale: 'en-GB' });
    await context.route(`${BASE}${COPY_PATH}`, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: copyHtml }),
    );
    axePage = await context.newPage();
    axePage.setDefaultTimeout(Math.max(TIMEOUT, 15000));
  }
  await axePage.setViewportSize(page.viewportSize());
  await axePage.goto(COPY_PATH, { waitUntil: 'load' });
  const title = await axePage.title();
  assert.equal(title, await page.title(), `the copy for axe-core is not the page ${await whereAmI(page)}`);
  await axePage.addScriptTag({ content: AXE });
  const violations = await axePage.evaluate(() =>
    window.axe
      .run(document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
        resultTypes: ['violations'],
      })
      .then((r) =>
        r.violations.map((v) => ({
          id: v.id,
          help: v.help,
          targets: v.nodes.map((n) => n.target.join(' ')).slice(0, 5),
        })),
      ),
  );
  return violations.map((v) => `${v.id}: ${v.help} (${v.targets.join('; ')})`);
}

/** The phone width pages are looked at, as well as a desktop's. */
const PHONE = { width: 320, height: 800 };

/**
 * Check the page's accessibility basics and run axe-core on it, at desktop
 * and at phone width, saving a full-page PNG of each for a person to look at.
 */
async function look(page, name) {
  shotNumber += 1;
  const stem = `${String(shotNumber).padStart(2, '0')}-${name}`;
  const file = path.join(SHOTS, `${stem}.png`);
  await page.screenshot({ path: file, fullPage: true });
  const problems = await accessibilityProblems(page);
  assert.deepEqual(problems, [], `accessibility ${await whereAmI(page)} (see ${path.basename(file)})`);
  const desktop = page.viewportSize();
  const wide = await axeViolations(page);
  assert.deepEqual(wide, [], `axe-core at ${desktop.width} px ${await whereAmI(page)} (see ${path.basename(file)})`);
  await page.setViewportSize(PHONE);
  try {
    const phoneFile = path.join(SHOTS, `${stem}-phone.png`);
    await page.screenshot({ path: phoneFile, fullPage: true });
    const narrow = await axeViolations(page);
    assert.deepEqual(narrow, [], `axe-core at ${PHONE.width} px ${await whereAmI(page)} (see ${path.basename(phoneFile)})`);
  } finally {
    await page.setViewportSize(desktop);
  }
  return file;
}

/** Open the GOV.UK details component whose summary reads `name` (forms on the case page start closed). */
async function reveal(page, name) {
  const summary = page.locator('details > summary').filter({ hasText: name }).first();
  await see(page, summary, `a "${name}" section to open`);
  const open = await summary.evaluate((el) => el.parentElement.open);
  if (!open) await summary.click();
}

async function signIn(page, account) {
  const password = PASSWORDS[account.username];
  assert.ok(password, `no password for ${account.username}: pass UPSTREAM_DEMO_OUTPUT or UPSTREAM_USERS`);
  await visit(page, '/sign-in');
  await page.getByLabel('Username').fill(account.username);
  await page.getByLabel('Password').fill(password);
  await submit(page, page.getByRole('button', { name: 'Sign in' }), `signing in as ${account.username}`);
  await noErrors(page, `signing in as ${account.username}`);
  assert.ok(!new URL(page.url()).pathname.startsWith('/sign-in'), `still on the sign-in page ${await whereAmI(page)}`);
}

async function signOut(page) {
  await submit(page, page.getByRole('button', { name: 'Sign out' }), 'signing out');
  await see(page, page.getByText('You have signed out'), 'the "You have signed out" banner');
  await page.context().close();
}

/**
 * One step of the path. A step needs the ones before it, so after a failure
 * the rest are skipped (and say so) rather than failing for the same reason.
 * A failing step leaves a screenshot of the page it was on.
 */
function walk(parent, name, body) {
  return parent.test(name, (t) => step(t, name, body));
}

async function step(t, name, body) {
  if (failedStep) {
    t.skip(`the step "${failedStep}" failed`);
    return;
  }
  const pages = [];
  try {
    await body(async () => {
      const p = await newPage();
      pages.push(p);
      return p;
    });
  } catch (e) {
    failedStep = name;
    for (const p of pages) {
      if (p.isClosed()) continue;
      const file = path.join(SHOTS, `FAILED-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`);
      await p.screenshot({ path: file, fullPage: true }).catch(() => {});
      t.diagnostic(`the page when it failed: ${file}`);
    }
    throw e;
  } finally {
    for (const p of pages) await p.context().close().catch(() => {});
  }
}

test('the casework path, JavaScript off', async (t) => {
  assert.ok(BASE, 'set UPSTREAM_BASE_URL (or --base-url) to the server, e.g. http://127.0.0.1:8080');
  assert.ok(fs.existsSync(BROWSER), `no Chromium at ${BROWSER}: apt-get install chromium, or set CHROMIUM`);
  fs.mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: BROWSER, headless: true });
  t.after(() => browser.close());

  await walk(t, 'sign-in refuses a wrong password, in an error summary', async (open) => {
    const page = await open();
    await visit(page, '/');
    assert.match(new URL(page.url()).pathname, /^\/sign-in/, 'signed out, / leads to the sign-in page');
    await look(page, 'sign-in');
    await page.getByLabel('Username').fill(CONNECTOR.username);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await see(page, page.locator('.govuk-error-summary'), 'an error summary');
    await look(page, 'sign-in-refused');
  });

  await walk(t, 'a connector searches and sees a household in full', async (open) => {
    const page = await open();
    await signIn(page, CONNECTOR);
    await look(page, 'connector-start');
    await visit(page, '/search');
    let link = null;
    for (const q of ['Smith', 'Jones', 'Khan', 'Road', 'Street']) {
      await page.getByLabel('Name, date of birth, address or postcode').fill(q);
      await submit(page, page.getByRole('button', { name: 'Search' }), `searching for ${q}`);
      const links = page.locator('main a[href^="/households/"]');
      if (await links.count()) {
        link = links.first();
        break;
      }
    }
    assert.ok(link, `no search found a household ${await whereAmI(page)}`);
    await look(page, 'search-results');
    await submit(page, link, 'opening a household from the search');
    await see(page, page.getByRole('heading', { name: 'People' }), 'the household page');
    await see(page, page.getByRole('heading', { name: 'Source records' }), 'source records (a connector sees them)');
    await look(page, 'household-as-connector');
    await signOut(page);
  });

  await walk(t, 'the team leader assigns the first household on the list to Casey Morgan', async (open) => {
    const page = await open();
    await signIn(page, TEAM_LEADER);
    await visit(page, '/worklist');
    await see(page, page.getByText('Prevention team').first(), 'the Prevention team\'s list on /worklist');
    const rows = page.locator('main table tbody tr').filter({ has: page.locator('a[href^="/households/"]') });
    const row = await see(page, rows, 'a row on the list with a link to its household');
    const href = await row.locator('a[href^="/households/"]').first().getAttribute('href');
    found.householdId = Number(href.match(/\/households\/(\d+)/)?.[1]);
    assert.ok(found.householdId, `no household id in the row's link "${href}"`);
    await look(page, 'worklist-team-leader');

    const assign = await see(page, row.getByLabel(/Assign to/), 'an "Assign to" list in the first row');
    await assign.selectOption({ label: CONNECTOR.name });
    await submit(page, row.getByRole('button', { name: /^Assign\b/ }), 'assigning the household');
    await noErrors(page, 'assigning the household');
    const again = page
      .locator('main table tbody tr')
      .filter({ has: page.locator(`a[href="/households/${found.householdId}"]`) });
    await see(page, again.filter({ hasText: `Assigned to ${CONNECTOR.name}` }), `"Assigned to ${CONNECTOR.name}" in the household's row`);
    await look(page, 'worklist-assigned');

    // The team leader sees the whole household, risk included (a partner will not).
    await visit(page, `/households/${found.householdId}`);
    await see(page, page.getByText('Chance of crisis'), 'the household\'s chance of crisis');
    await look(page, 'household-as-team-leader');
    await signOut(page);
  });

  await walk(t, 'the connector opens a case and records the conversation, a plan, consent and a referral', async (open) => {
    const page = await open();
    const hid = found.householdId;
    await signIn(page, CONNECTOR);
    await visit(page, '/worklist');
    await see(page, page.getByText('Your caseload'), '"Your caseload" on /worklist');
    const openCase = page.locator(`form[action="/cases"]:has(input[name="household_id"][value="${hid}"])`);
    await see(page, openCase, `an "Open a case" form for household ${hid} in the caseload`);
    await look(page, 'caseload');
    await submit(page, openCase.getByRole('button', { name: /^Open a case/ }), 'opening a case');
    found.caseId = Number(new URL(page.url()).pathname.match(/^\/cases\/(\d+)$/)?.[1]);
    assert.ok(found.caseId, `opening a case should lead to /cases/{id} ${await whereAmI(page)}`);
    const caseUrl = `/cases/${found.caseId}`;
    await see(page, page.locator('.govuk-caption-l').filter({ hasText: `Case ${found.caseId}` }), `"Case ${found.caseId}" above the resident's name`);
    const h1 = (await page.locator('h1').innerText()).trim();
    assert.ok(h1 !== `Case ${found.caseId}` && h1.length > 0, `the heading should name the resident, not "${h1}" ${await whereAmI(page)}`);
    await see(page, page.getByText('What has happened'), 'the chronology');
    assert.equal(await page.locator('details[open]').count(), 0, `a form open before it is wanted ${await whereAmI(page)}`);
    await look(page, 'case-opened');

    // The conversation.
    await reveal(page, 'Record the conversation');
    const conversation = page.locator(`form[action="${caseUrl}/conversation"]`);
    await see(page, conversation, 'the conversation form');
    await conversation.getByLabel('What matters to you').fill(WHAT_MATTERS);
    await conversation.getByLabel('Strengths').fill('Close to her sister; managed money well until the job went');
    await conversation.getByLabel('Support network').fill('Sister nearby; the school knows the family');
    await conversation.getByLabel('Worries').fill(CONVERSATION_NOTE);
    await conversation.getByLabel('Goals').fill('Stay in the flat; a plan for the arrears');
    await submit(page, conversation.getByRole('button', { name: 'Save the conversation' }), 'saving the conversation');
    await noErrors(page, 'saving the conversation');
    await see(page, page.getByText(WHAT_MATTERS), 'the saved conversation on the case page');
    await look(page, 'conversation-saved');

    // A plan action: first with nothing filled in (errors, in a summary), then properly.
    await reveal(page, 'Add an action');
    let actions = page.locator(`form[action="${caseUrl}/actions"]`);
    await see(page, actions, 'the plan action form');
    await submit(page, actions.getByRole('button', { name: 'Add action' }), 'adding an empty action', true);
    await see(page, page.locator('.govuk-error-summary'), 'an error summary for an empty action');
    await look(page, 'action-errors');
    actions = page.locator(`form[action="${caseUrl}/actions"]`);
    const due = today(14);
    await actions.getByLabel('What will be done').fill(ACTION);
    await actions.getByLabel('How we will know it is done').fill('An appointment date is in the diary');
    await actions.getByLabel('The resident').check();
    await actions.getByLabel('Who', { exact: true }).fill('The resident, with Casey');
    const dueDate = actions.locator('fieldset').filter({ hasText: 'Due date' });
    await dueDate.getByLabel('Day').fill(due.day);
    await dueDate.getByLabel('Month').fill(due.month);
    await dueDate.getByLabel('Year').fill(due.year);
    await submit(page, actions.getByRole('button', { name: 'Add action' }), 'adding a plan action');
    await noErrors(page, 'adding a plan action');
    await see(page, page.getByText(ACTION), 'the new action in the plan');
    await look(page, 'plan-action-added');

    // A contact attempt: spoke to them today.
    await reveal(page, 'Record a contact attempt');
    const attempts = page.locator(`form[action="${caseUrl}/attempts"]`);
    await see(page, attempts, 'the contact attempt form');
    await attempts.locator('select[name="channel"]').selectOption({ label: 'Phone' });
    await attempts.locator('select[name="result"]').selectOption({ label: 'Spoke to them' });
    const now = today();
    await attempts.locator('input[name="on-day"]').fill(now.day);
    await attempts.locator('input[name="on-month"]').fill(now.month);
    await attempts.locator('input[name="on-year"]').fill(now.year);
    await attempts.locator('[name="note"]').fill('Talked through the plan');
    await submit(page, attempts.getByRole('button', { name: 'Record attempt' }), 'recording a contact attempt');
    await noErrors(page, 'recording a contact attempt');
    await look(page, 'attempt-recorded');

    // Consent: Citizens Advice, for money advice, given in person.
    await reveal(page, 'Record consent');
    const consent = page.locator(`form[action="${caseUrl}/consents"]`);
    await see(page, consent, 'the consent form');
    const givenBy = consent.locator('[name="given_by"]');
    if ((await givenBy.evaluate((el) => el.tagName)) === 'SELECT') {
      const first = await givenBy.locator('option:not([value=""])').first().getAttribute('value');
      await givenBy.selectOption(first);
    } else {
      await consent.getByLabel('Who gave consent').fill('The resident');
    }
    await consent.getByLabel(ADVICE.organisation, { exact: true }).check();
    await consent.getByLabel('Money and debt advice').check();
    // The contract says "In person, spoken"; standards.toml says "Verbally, in person".
    await consent.getByLabel(/in person/i).first().check();
    await submit(page, consent.getByRole('button', { name: 'Record consent' }), 'recording consent');
    await noErrors(page, 'recording consent');
    await see(page, page.getByRole('link', { name: /^Withdraw this consent/ }), 'a "Withdraw this consent" link for the live consent');
    await look(page, 'consent-recorded');

    // The referral: only organisations a live consent covers are offered.
    await reveal(page, 'Refer to a partner');
    const referral = page.locator(`form[action="${caseUrl}/referrals"]`);
    await see(page, referral, 'the referral form');
    const to = referral.getByLabel('Refer to');
    const offered = (await to.locator('option').allInnerTexts()).map((s) => s.trim());
    assert.ok(offered.includes(ADVICE.organisation), `"Refer to" offers ${JSON.stringify(offered)}, not ${ADVICE.organisation}`);
    assert.ok(!offered.includes(FOODBANK.organisation), `"Refer to" offers ${FOODBANK.organisation}, which no consent covers`);
    await to.selectOption({ label: ADVICE.organisation });
    await referral.getByLabel('Why you are referring').fill(REASON);
    await submit(page, referral.getByRole('button', { name: 'Send referral' }), 'sending the referral');
    await noErrors(page, 'sending the referral');
    await see(page, page.getByText(REASON).first(), 'the referral on the case page');
    await look(page, 'referral-sent');

    // A case note, at the top of the chronology with who wrote it.
    const note = page.locator(`form[action="${caseUrl}/notes"]`);
    await note.getByLabel('Add a case note').fill(NOTE);
    await submit(page, note.getByRole('button', { name: 'Add note' }), 'adding a case note');
    await noErrors(page, 'adding a case note');
    const first = page.locator('.app-timeline__item').first();
    await see(page, first.filter({ hasText: NOTE }).filter({ hasText: CONNECTOR.name }), 'the note first in the chronology, by Casey Morgan');
    await look(page, 'case-chronology');

    // A reminder for next week, then the caseload lists it.
    await reveal(page, 'Set a reminder');
    const remind = page.locator(`form[action="${caseUrl}/reminders"]`);
    const soon = today(7);
    await remind.getByLabel('What to do').fill(REMINDER);
    const dueBox = remind.locator('fieldset').filter({ hasText: 'Day it is due' });
    await dueBox.getByLabel('Day').fill(soon.day);
    await dueBox.getByLabel('Month').fill(soon.month);
    await dueBox.getByLabel('Year').fill(soon.year);
    await submit(page, remind.getByRole('button', { name: 'Set reminder' }), 'setting a reminder');
    await noErrors(page, 'setting a reminder');
    await visit(page, '/worklist');
    await see(page, page.locator('#reminders ~ * tr, #reminders ~ div tr').filter({ hasText: REMINDER }), 'the reminder on the caseload');
    await look(page, 'caseload-reminders');
    await visit(page, caseUrl);

    // A decision letter, written from the council's template and kept as a PDF.
    await reveal(page, 'Write a letter');
    const letter = page.locator(`form[action="${caseUrl}/letters"]`);
    await letter.getByLabel('Our decision on your homelessness application').check();
    await letter.getByLabel('What the letter says about this case').fill(`We have decided you are eligible for help (${RUN}).`);
    await submit(page, letter.getByRole('button', { name: 'Write the letter' }), 'writing a letter');
    await noErrors(page, 'writing a letter');
    const pdfLink = await see(page, page.getByRole('link', { name: /Our decision on your homelessness application \(PDF\)/ }), 'the letter kept on the case');
    const pdf = await page.request.get(await pdfLink.getAttribute('href'));
    assert.equal(pdf.status(), 200, 'the letter downloads');
    assert.equal(pdf.headers()['content-type'], 'application/pdf');
    assert.ok((await pdf.body()).subarray(0, 5).toString() === '%PDF-', 'the letter is a PDF');
    await look(page, 'case-letter');

    // Evidence: a PDF uploaded to the case (a plain file input; no JavaScript needed).
    await reveal(page, 'Upload a document');
    const upload = page.locator(`form[action="${caseUrl}/documents"]`);
    await upload.getByLabel('What it is').selectOption({ label: 'Notice from a landlord' });
    await upload.getByLabel('The file').setInputFiles({ name: 'notice.pdf', mimeType: 'application/pdf', buffer: Buffer.from(`%PDF-1.4 notice (${RUN})`) });
    await submit(page, upload.getByRole('button', { name: 'Upload' }), 'uploading a document');
    await noErrors(page, 'uploading a document');
    await see(page, page.getByRole('link', { name: 'Notice from a landlord: notice.pdf' }), 'the document on the case');
    await look(page, 'case-document');

    // Withdrawing consent asks first, and for a reason; cancelled here so the partner still sees the household.
    await submit(page, page.getByRole('link', { name: /^Withdraw this consent/ }), 'asking to withdraw consent');
    await see(page, page.getByRole('heading', { level: 1, name: 'Are you sure you want to withdraw this consent?' }), 'the confirmation page');
    await submit(page, page.getByRole('button', { name: 'Withdraw consent' }), 'withdrawing without a reason', true);
    await see(page, page.locator('.govuk-error-summary'), 'an error summary asking why');
    await look(page, 'consent-withdraw-confirm');
    await submit(page, page.getByRole('link', { name: 'Cancel' }), 'cancelling the withdrawal');
    await signOut(page);
  });

  await walk(t, 'the connector records how the household wants to be contacted', async (open) => {
    const page = await open();
    const hid = found.householdId;
    await signIn(page, CONNECTOR);
    await visit(page, `/households/${hid}`);
    await see(page, page.getByRole('heading', { name: 'How to contact them' }), '"How to contact them" on the household page');
    await submit(page, page.getByRole('link', { name: 'Change contact details' }), 'opening the contact details');
    await see(page, page.getByRole('heading', { level: 1, name: 'Contact details' }), '"Contact details"');
    const add = page.locator(`form[action="/households/${hid}/contact/details"]`).filter({ has: page.getByRole('button', { name: 'Save contact detail' }) });
    await add.getByLabel('Phone', { exact: true }).check();
    await add.getByLabel('Number, email or address').fill('0770090');
    await add.getByLabel('Yes', { exact: true }).check();
    await submit(page, add.getByRole('button', { name: 'Save contact detail' }), 'a number too short', true);
    await see(page, page.locator('.govuk-error-summary').getByText(/UK phone number/), 'an error naming the phone number');
    const again = page.locator(`form[action="/households/${hid}/contact/details"]`).filter({ has: page.getByRole('button', { name: 'Save contact detail' }) });
    await again.getByLabel('Number, email or address').fill('07700 900982');
    await submit(page, again.getByRole('button', { name: 'Save contact detail' }), 'adding a phone number');
    await noErrors(page, 'adding a phone number');
    await see(page, page.getByRole('heading', { name: /Phone: 07700 900982/ }), 'the new number, grouped as people read it');
    const prefs = page.locator(`form[action="/households/${hid}/contact/preferences"]`);
    await prefs.getByLabel('Text message', { exact: true }).check();
    await prefs.getByLabel('Text messages only').check();
    await prefs.getByLabel('Welsh (Cymraeg)').check();
    await prefs.getByLabel('Safe-contact notes').fill(SAFE);
    await submit(page, prefs.getByRole('button', { name: 'Save how they want to be contacted' }), 'saving preferences');
    await noErrors(page, 'saving preferences');
    await see(page, page.getByText(`Safe contact: ${SAFE}`), 'the safe-contact note first on the page');
    await look(page, 'contact-details');
    await visit(page, `/cases/${found.caseId}`);
    await see(page, page.getByText(`Safe contact: ${SAFE}`), 'the safe-contact note on the case page');
    await signOut(page);
  });

  await walk(t, 'Citizens Advice sees the household, its referral and no more', async (open) => {
    const page = await open();
    const hid = found.householdId;
    await signIn(page, ADVICE);
    await visit(page, '/');
    await see(page, page.getByRole('heading', { name: 'Households shared with you' }), '"Households shared with you"');
    const link = page.locator(`main a[href="/households/${hid}"]`);
    await see(page, link, `a link to household ${hid} among the households shared`);
    await look(page, 'partner-advice-start');
    await submit(page, link, 'opening the shared household');
    await see(page, page.getByText(REASON), 'the referral\'s reason on the household page');
    await see(page, page.getByText('Money and debt advice'), 'the consent covering Citizens Advice');
    await doNotSee(page, 'Chance of crisis', 'a partner may not see the risk score');
    await doNotSee(page, 'Source records', 'a partner may not see source records');
    assert.equal(await page.getByRole('heading', { name: 'Life events' }).count(), 0, `life events shown to a partner ${await whereAmI(page)}`);
    await doNotSee(page, WHAT_MATTERS, 'the conversation is the council\'s, not shared');
    await look(page, 'household-as-partner-advice');
    await signOut(page);
  });

  await walk(t, 'Food Bank Trust, which no consent covers, sees nothing', async (open) => {
    const page = await open();
    const hid = found.householdId;
    await signIn(page, FOODBANK);
    await visit(page, '/');
    await see(page, page.getByRole('heading', { name: 'Households shared with you' }), '"Households shared with you"');
    assert.equal(await page.locator('main a[href^="/households/"]').count(), 0, `households shown to ${FOODBANK.organisation} ${await whereAmI(page)}`);
    await doNotSee(page, REASON, 'the referral went to Citizens Advice');
    await look(page, 'partner-foodbank-start');
    await visit(page, `/households/${hid}`, 404);
    await see(page, page.getByRole('heading', { level: 1, name: 'Page not found' }), '"Page not found"');
    await doNotSee(page, REASON, 'a 404 shows nothing of the household');
    await look(page, 'household-as-partner-foodbank');
    // Nor the case: refused one way or another, and nothing of it shown.
    const r = await page.goto(`/cases/${found.caseId}`);
    assert.ok([403, 404].includes(r?.status()), `GET /cases/${found.caseId} as ${FOODBANK.organisation}: ${r?.status()} ${await whereAmI(page)}`);
    await doNotSee(page, WHAT_MATTERS, 'the case is the council\'s');
    await look(page, 'case-as-partner-foodbank');
    await signOut(page);
  });

  await walk(t, 'A partner refers someone no system holds; the connector records them as a new resident', async (open) => {
    let page = await open();
    await signIn(page, ADVICE);
    await visit(page, '/referrals/new');
    await page.getByLabel('Full name').fill(NEWCOMER);
    await page.getByLabel('Address', { exact: true }).fill('Flat 3, 41 Wharf Street');
    await page.getByLabel('Postcode').fill('B9 4XY');
    await page.getByLabel('What is happening and why you are worried').fill(NEWCOMER_REASON);
    await page.getByLabel('Yes').check();
    await submit(page, page.getByRole('button', { name: 'Send referral' }), 'sending a referral in');
    await noErrors(page, 'sending a referral in');
    await signOut(page);

    page = await open();
    await signIn(page, CONNECTOR);
    await visit(page, '/referrals');
    await submit(page, page.getByRole('link', { name: NEWCOMER }).first(), 'opening the referral');
    await see(page, page.getByText(NEWCOMER_REASON), 'the referral\'s reason');
    const choice = page.getByLabel(`${NEWCOMER} is not known to us: record them as a new resident`);
    await see(page, choice, 'the choice to record a new resident');
    await look(page, 'referral-matching');
    await choice.check();
    await submit(page, page.getByRole('button', { name: 'Accept and open a case' }), 'accepting as a new resident');
    await noErrors(page, 'accepting as a new resident');
    await see(page, page.getByRole('heading', { level: 1 }).getByText(/Rowan/i), 'the case headed with the resident\'s name');
    await look(page, 'case-from-referral');
    await signOut(page);
  });

  await walk(t, 'The team leader writes a text, starts a campaign on the list and reads the outbox', async (open) => {
    const page = await open();
    await signIn(page, TEAM_LEADER);
    await visit(page, '/campaigns');
    await see(page, page.getByRole('heading', { level: 1, name: 'Campaigns' }), '"Campaigns"');
    await look(page, 'campaigns');
    await visit(page, '/templates/new');
    await page.getByLabel('Name', { exact: true }).fill(TEMPLATE);
    await page.getByLabel('Text message').check();
    await page.getByLabel('Message', { exact: true }).fill('Hello ((frist_name)), this is ((council_name)). We can help with rent and bills.');
    await submit(page, page.getByRole('button', { name: 'Save template' }), 'saving a template with a misspelt field', true);
    await see(page, page.locator('.govuk-error-summary').getByText('frist_name').first(), 'the misspelt field named in the error summary');
    await look(page, 'template-errors');
    await page.getByLabel('Message', { exact: true }).fill('Hello ((first_name)), this is ((council_name)). We can help with rent and bills. Reply to this text to talk to us.');
    await submit(page, page.getByRole('button', { name: 'Save template' }), 'saving the template');
    await see(page, page.getByText(TEMPLATE), 'the template in the list');
    await look(page, 'templates');
    await visit(page, '/campaigns/new');
    await page.getByLabel('Name', { exact: true }).fill(CAMPAIGN);
    await page.locator('#channel_1').selectOption('text');
    await page.locator('#template_1').selectOption(TEMPLATE);
    await page.locator('#channel_2').selectOption('door_knock');
    await look(page, 'campaign-new');
    await submit(page, page.getByRole('button', { name: 'Start campaign' }), 'starting the campaign');
    await see(page, page.getByRole('heading', { level: 1, name: CAMPAIGN }), 'the campaign\'s page');
    await submit(page, page.getByRole('button', { name: 'Queue today\'s contacts' }), 'queueing today\'s contacts');
    await see(page, page.getByText(/queued/), 'what was queued');
    await look(page, 'campaign');
    await visit(page, '/outbox');
    await submit(page, page.getByRole('button', { name: /waiting/ }), 'writing what is waiting');
    await see(page, page.getByRole('heading', { level: 1, name: 'The outbox' }), '"The outbox"');
    await look(page, 'outbox');

    // A second campaign knocks on doors: a round in walking order, and each
    // door recorded on a phone.
    await visit(page, '/campaigns/new');
    await page.getByLabel('Name', { exact: true }).fill(KNOCK);
    await page.locator('#channel_1').selectOption('door_knock');
    await submit(page, page.getByRole('button', { name: 'Start campaign' }), 'starting the knocking campaign');
    await page.getByText('Make a door-knocking round').click();
    await page.getByLabel('Safety notes for the knockers (optional)').fill('Ring the office at 1pm');
    await submit(page, page.getByRole('button', { name: 'Make the round' }), 'making the round');
    await see(page, page.getByText('Visit in pairs'), 'the safety warning on the round sheet');
    await look(page, 'round');
    await submit(page, page.getByRole('link', { name: /^Record/ }).first(), 'opening the first door');
    await see(page, page.getByRole('heading', { level: 1 }), 'the door\'s address');
    await look(page, 'door');
    await page.getByLabel('Spoke to someone').check();
    await page.getByLabel('Note (optional)').fill('Worried about the rent; will call next week');
    await submit(page, page.getByRole('button', { name: 'Save' }), 'recording the door');
    await see(page, page.getByText('Spoke to someone').first(), 'the door recorded on the sheet');
    await signOut(page);
  });

  await walk(t, 'An analyst sees counts, and nobody\'s details', async (open) => {
    const page = await open();
    await signIn(page, ANALYST);
    await visit(page, '/');
    await see(page, page.getByRole('heading', { level: 1, name: 'Figures' }), '"Figures"');
    await see(page, page.getByText('Households by persona'), 'households counted by persona');
    await look(page, 'analyst-figures');
    await signOut(page);
  });

  await walk(t, 'An administrator reads how the monthly run went', async (open) => {
    const page = await open();
    await signIn(page, ADMIN);
    await visit(page, '/admin/runs');
    await see(page, page.getByRole('heading', { level: 1, name: 'Monthly runs' }), '"Monthly runs"');
    await see(page, page.getByText('Link records into people and households').first(), 'the link step of the demo\'s run');
    await look(page, 'admin-runs');

    // Accounts: add one (first with a mistake), see its one-time password once, open it.
    await visit(page, '/admin/users');
    await see(page, page.getByRole('heading', { level: 1, name: 'Accounts' }), '"Accounts"');
    await see(page, page.getByRole('link', { name: CONNECTOR.username, exact: true }), 'the connector among the accounts');
    await look(page, 'admin-accounts');
    await submit(page, page.getByRole('link', { name: 'Add an account' }), 'opening "Add an account"');
    await page.getByLabel('Full name').fill('Morgan Reed');
    await page.getByLabel('Community connector').check();
    await submit(page, page.getByRole('button', { name: 'Add account' }), 'adding an account with no username', true);
    await see(page, page.locator('.govuk-error-summary').getByText('Enter a username'), 'an error asking for a username');
    await look(page, 'admin-account-errors');
    await page.getByLabel('Username').fill(`morgan-${RUN}`);
    await page.getByLabel('Team (connectors and team leaders)').selectOption({ index: 1 });
    await submit(page, page.getByRole('button', { name: 'Add account' }), 'adding an account');
    await see(page, page.locator('.app-password'), 'the one-time password');
    await look(page, 'admin-account-password');
    await submit(page, page.getByRole('link', { name: 'Back to the account' }), 'opening the new account');
    await see(page, page.getByRole('heading', { level: 1, name: 'Morgan Reed' }), 'the account page');
    await look(page, 'admin-account');

    // The audit log reads its details as words.
    await visit(page, '/admin/audit');
    await see(page, page.getByText('account created').first(), 'the new account in the audit log');
    await look(page, 'admin-audit');
    await signOut(page);
  });
});
