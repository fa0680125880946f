// The SQLite store from Node (a file, or in memory), and the replay of ServiceNow exports.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

import { ann, at, binding, bob, directory, plus, report } from './helpers.mjs';

const { Desk, Store } = binding;
const dir = mkdtempSync(join(tmpdir(), 'incident-node-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const t0 = at('2026-03-02T09:00:00Z');

test('a SQLite file keeps incidents across store handles', async () => {
  const path = join(dir, 'desk.db');
  const store = await Store.openSqlite(path);
  const desk = new Desk({ directory }, store);
  const incident = desk.open(ann, report(), t0);
  const outcome = await desk.submitAsync(bob, { incident: incident.id,
    command: { type: 'start_work' } }, plus(t0, 1));
  assert.equal(outcome.incident.state, 'in_progress');
  await store.integrityCheck();

  const again = new Desk({ directory }, await Store.openSqlite(path));
  const loaded = await again.viewAsync(ann, incident.id);
  assert.deepEqual([loaded.state, loaded.version, loaded.assignee], ['in_progress', 2, 'bob']);
  assert.equal(again.events(incident.id).length, 3);
  assert.equal(again.open(ann, report(), t0).number, 'INC0000002');
});

test('an in-memory SQLite store and a batch saved in one transaction', async () => {
  const store = await Store.openSqlite(':memory:');
  const desk = new Desk({ directory }, store);
  const batch = {
    commands: [{ type: 'open', report: report() }, { type: 'start_work' }],
    command: new Uint32Array([0, 0, 1, 1]),
    incident: new Uint32Array([0, 1, 0, 1]),
    at: new Float64Array([0, 1, 2, 3].map((m) => plus(t0, m).getTime())),
  };
  const result = desk.executeBatch({ id: 'root', role: 'administrator' }, batch);
  assert.equal(result.incidents, 2);
  const stored = await desk.queryAsync({ states: ['in_progress'] });
  assert.deepEqual(stored.map((i) => i.number), ['INC0000001', 'INC0000002']);
});

test('a file that is not an incident store is refused', async () => {
  const path = join(dir, 'not-a-store.db');
  writeFileSync(path, 'hello, this is not SQLite'.repeat(100));
  await assert.rejects(Store.openSqlite(path),
    (e) => e instanceof Error && e.code === 'ERR_CORRUPT');
  await assert.rejects(Store.openSqlite(' '), { code: 'ERR_VALIDATION' });
});

const EXPORT = [
  'number,incident_state,reopen_count,sys_updated_at,impact,urgency,priority,'
    + 'assignment_group,assigned_to,closed_code',
  'INC1,New,0,1/3/2016 09:00,2 - Medium,2 - Medium,3 - Moderate,Group 1,?,code 6',
  'INC1,Active,0,1/3/2016 09:30,2 - Medium,2 - Medium,3 - Moderate,Group 1,Ann,code 6',
  'INC1,Resolved,0,1/3/2016 11:00,1 - High,2 - Medium,2 - High,Group 1,Ann,code 6',
  'INC2,-100,0,1/3/2016 09:00,2 - Medium,2 - Medium,3 - Moderate,Group 1,?,code 6',
].join('\n');

test('a ServiceNow export replays into a store and reports', async () => {
  const path = join(dir, 'export.csv');
  writeFileSync(path, `${EXPORT}\n`);
  const store = await Store.openSqlite(join(dir, 'import.db'));
  const report = await store.replayServiceNow(path);
  assert.equal(report.incidents, 1);
  assert.equal(report.rowsUnreadable, 1);
  assert.equal(report.priorityMismatches, 0);
  assert.equal(report.groups['Group 1'].resolved, 1);
  const desk = new Desk({}, store);
  assert.equal(desk.query().length, 1);
  assert.equal(desk.query()[0].state, 'resolved');
  await assert.rejects(store.replayServiceNow(path, { strict: true }),
    { code: 'ERR_IMPORT_UNREADABLE' });
  await assert.rejects(store.replayServiceNow(join(dir, 'missing.csv')),
    { code: 'ERR_IMPORT_IO' });
});

const REAL_LOG = new URL('../../../shared/data/incident_event_log.csv.gz', import.meta.url);

test('the real ServiceNow log replays in memory', { skip: !existsSync(REAL_LOG) &&
  'skipped: ../shared/data/incident_event_log.csv.gz not found' }, async () => {
  const report = await Store.inMemory().replayServiceNow(REAL_LOG.pathname);
  assert.equal(report.rows + report.rowsUnreadable, 141712);
  assert.equal(report.priorityMismatches, 0);
  assert.ok(report.incidents > 24000);
});
