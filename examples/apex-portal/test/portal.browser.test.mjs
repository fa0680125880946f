// The portal in headless Chromium (Debian's `chromium`, driven by playwright-core): an end
// user logs an incident, an analyst resolves it, the user confirms with a rating.
// Screenshots go to examples/apex-portal/test-artifacts/.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

import { start } from '../server.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/', import.meta.url));
const profile = mkdtempSync(join(tmpdir(), 'apex-chromium-'));

let server;
let browser;
let base;

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  server = await start({ db: ':memory:', port: 0 });
  base = `http://127.0.0.1:${server.address().port}`;
  if (!existsSync(CHROMIUM)) return;
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => server.close(resolve));
  rmSync(profile, { recursive: true, force: true });
});

const shot = (page, name) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`),
  fullPage: true });

async function signIn(page, user) {
  await page.goto(`${base}/signout`);
  await page.click(`a[data-user="${user}"]`);
}

test('a user logs an incident, an analyst resolves it, the user confirms with a rating',
  { skip: !existsSync(CHROMIUM) && `skipped: ${CHROMIUM} not found` }, async () => {
    const page = browser.pages()[0] ?? await browser.newPage();

    // Ann logs an incident and sees its state, priority and SLA due time.
    await signIn(page, 'ann');
    await shot(page, '01-ann-my-incidents');
    await page.fill('#summary', 'Laptop cannot reach the VPN');
    await page.fill('#description', 'Since this morning the VPN client times out.');
    await page.selectOption('#impact', '2');
    await page.selectOption('#urgency', '1');
    await page.click('button[type=submit]');
    await page.waitForSelector('#state');
    assert.match(await page.textContent('h1'), /^INC\d{7} · Laptop cannot reach the VPN/);
    assert.equal((await page.textContent('#state')).trim(), 'New');
    assert.match(await page.textContent('#priority'), /P2/);
    assert.match(await page.textContent('#sla-due'), /\d{4}.*Running/s);
    const incidentUrl = page.url().split('?')[0];
    await page.fill('#text', 'I am working from home today.');
    await page.click('button[data-action=comment]');
    await page.waitForSelector('.comment');
    await shot(page, '02-ann-incident-logged');

    // Bob sees it in the service desk queue and works it to resolution.
    await signIn(page, 'bob');
    await page.waitForSelector('table');
    assert.match(await page.textContent('main'), /Laptop cannot reach the VPN/);
    await shot(page, '03-bob-queue');
    await page.click('text=Laptop cannot reach the VPN');
    await page.goto(incidentUrl);
    await page.click('button[data-action=assign_to_self]');
    await page.waitForSelector('.flash.ok');
    assert.equal((await page.textContent('#assignee')).trim(), 'bob');
    await page.click('button[data-action=start_work]');
    await page.waitForSelector('.flash.ok');
    assert.equal((await page.textContent('#state')).trim(), 'In progress');
    await shot(page, '04-bob-in-progress');
    await page.selectOption('#code', 'Solved (permanently)');
    await page.fill('#notes', 'Reinstalled the VPN client profile.');
    await page.click('button[data-action=resolve]');
    await page.waitForSelector('.flash.ok');
    assert.equal((await page.textContent('#state')).trim(), 'Resolved');
    assert.equal(await page.locator('button[data-action=start_work]').count(), 0);
    await shot(page, '05-bob-resolved');

    // Ann confirms with a rating of 4; the incident closes.
    await signIn(page, 'ann');
    await page.goto(incidentUrl);
    assert.equal(await page.locator('button[data-action=resolve]').count(), 0);
    assert.equal(await page.locator('button[data-action=reopen]').count(), 1);
    await shot(page, '06-ann-confirm-or-reopen');
    await page.check('input[name=rating][value="4"]');
    await page.fill('#feedback', 'Quick and friendly.');
    await page.click('button[data-action=confirm]');
    await page.waitForSelector('.flash.ok');
    assert.equal((await page.textContent('#state')).trim(), 'Closed');
    assert.equal((await page.textContent('#rating')).trim(), '★★★★');
    await shot(page, '07-ann-confirmed');
    await page.goto(`${base}/my`);
    assert.match(await page.textContent('tbody'), /Closed/);
    await shot(page, '08-ann-my-incidents');

    // Zoe, another end user, may not see Ann's incident.
    await signIn(page, 'zoe');
    const response = await page.goto(incidentUrl);
    assert.equal(response.status(), 403);
  });
