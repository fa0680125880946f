// Malformed form posts (no browser): numbers are parsed strictly, and a post without a valid
// page version is refused instead of skipping the stale-page check.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { start } from '../server.mjs';

let server;
let base;

before(async () => {
  server = await start({ db: ':memory:', port: 0 });
  base = `http://127.0.0.1:${server.address().port}`;
});

after(() => new Promise((resolve) => server.close(resolve)));

const post = (path, fields) => fetch(`${base}${path}`, {
  method: 'POST',
  redirect: 'manual',
  headers: { cookie: 'user=ann', 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

const report = { summary: 'Printer jams', description: '', impact: '3', urgency: '2' };

test('non-numeric impact or urgency is a 400 with a clear message', async () => {
  for (const [field, value] of [['impact', 'abc'], ['urgency', '2.5'], ['impact', '']]) {
    const response = await post('/incidents', { ...report, [field]: value });
    assert.equal(response.status, 400, `${field}=${value}`);
    const html = await response.text();
    assert.match(html, /must be a whole number/);
    assert.doesNotMatch(html, /is not within/);
  }
});

test('a post whose page version is missing or not a whole number is a 400', async () => {
  const opened = await post('/incidents', report);
  assert.equal(opened.status, 303);
  const id = /\/incidents\/([0-9a-f-]{36})/.exec(opened.headers.get('location'))[1];
  for (const version of ['abc', '1.5', '', undefined]) {
    const fields = { action: 'comment', text: 'any news?' };
    if (version !== undefined) fields.version = version;
    const response = await post(`/incidents/${id}/act`, fields);
    assert.equal(response.status, 400, `version=${version}`);
    assert.match(await response.text(), /page version must be a whole number/);
  }

  // A valid version still works, and a stale one is still a conflict.
  const saved = await post(`/incidents/${id}/act`, { action: 'comment', text: 'hello',
    version: '1' });
  assert.match(saved.headers.get('location'), /ok=Saved/);
  const stale = await post(`/incidents/${id}/act`, { action: 'comment', text: 'again',
    version: '1' });
  assert.match(decodeURIComponent(stale.headers.get('location')), /changed this incident/);
});

test('a cookie or sign-in naming an inherited property is nobody, and the server stays up',
  async () => {
    for (const name of ['__proto__', 'constructor', 'hasOwnProperty', 'toString']) {
      const page = await fetch(`${base}/my`, { redirect: 'manual',
        headers: { cookie: `user=${name}` } });
      assert.notEqual(page.status, 500, name);
      assert.doesNotMatch(await page.text(), /Ann Jansen/);
      const signin = await fetch(`${base}/signin?user=${name}`, { redirect: 'manual' });
      assert.equal(signin.headers.get('set-cookie'), null, name);
    }
    const alive = await fetch(`${base}/`, { headers: { cookie: 'user=ann' } });
    assert.equal(alive.status, 200);
  });
