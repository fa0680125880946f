// Error mapping (stable codes and structured fields) and bad input: always an Error, never a
// crash.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { ann, at, binding, bob, newDesk, plus, report, root, throwsCode } from './helpers.mjs';

const t0 = at('2026-03-02T09:00:00Z');

test('each core error kind has its code and fields', () => {
  const desk = newDesk();
  const incident = desk.open(ann, report(), t0);
  throwsCode(() => desk.execute(ann, incident.id, { type: 'start_work' }, t0),
    'ERR_PERMISSION_DENIED', { actor: 'ann', role: 'end_user', action: 'work',
      retryable: false });
  throwsCode(() => desk.execute(root, incident.id, { type: 'resume' }, t0),
    'ERR_INVALID_TRANSITION', { from: 'new', to: 'in_progress' });
  throwsCode(() => desk.execute(root, incident.id, { type: 'comment', text: ' ' }, t0),
    'ERR_VALIDATION', { field: 'text', reason: 'must not be blank' });
  throwsCode(() => desk.execute(root, incident.id, { type: 'set_major', major: false }, t0),
    'ERR_RULE_VIOLATION', { rule: 'no_change' });
  throwsCode(() => desk.incident('019cadc6-9a80-7766-975b-abf8697eb9ce'), 'ERR_NOT_FOUND',
    { entity: 'incident', id: '019cadc6-9a80-7766-975b-abf8697eb9ce' });
  throwsCode(() => desk.submit(root, { incident: incident.id,
    command: { type: 'comment', text: 'x' }, expectedVersion: 7 }, t0), 'ERR_CONFLICT',
  { expected: 7, actual: 1, retryable: true });
  throwsCode(() => newDesk({ directory: { workgroups: [], defaultWorkgroup: 'nowhere' } }),
    'ERR_CONFIGURATION');
  throwsCode(() => newDesk({ priorityMatrix: [[1, 2], [3]] }), 'ERR_CONFIGURATION');
  const e = throwsCode(() => desk.open(ann, report({ impact: 7 }), t0), 'ERR_VALIDATION');
  assert.match(e.message, /impact/);
});

test('invalid dates are ERR_VALIDATION', () => {
  const desk = newDesk();
  throwsCode(() => desk.open(ann, report(), new Date(Number.NaN)), 'ERR_VALIDATION',
    { field: 'date' });
  throwsCode(() => desk.open(ann, report(), '2026-03-02T09:00:00Z'), 'ERR_VALIDATION',
    { field: 'date' });
  throwsCode(() => desk.open(ann, report(), 1772442000000), 'ERR_VALIDATION');
  throwsCode(() => desk.query({ autoCloseDueBy: new Date('nope') }), 'ERR_VALIDATION');
  // Outside the years 1970 to 9998 nothing is decided or stored.
  for (const date of ['+010000-01-01T00:00:00Z', '1969-12-31T23:59:59Z', '-000100-01-01']) {
    throwsCode(() => desk.open(ann, report(), new Date(date)), 'ERR_VALIDATION',
      { field: 'now' });
  }
  assert.equal(desk.query({}).length, 0);
});

test('a misspelt query filter is ERR_VALIDATION, not a match of everything', () => {
  const desk = newDesk();
  desk.open(ann, report(), t0);
  throwsCode(() => desk.query({ state: 'new' }), 'ERR_VALIDATION', { field: 'state' });
  throwsCode(() => desk.query({ asignee: 'bob' }), 'ERR_VALIDATION', { field: 'asignee' });
  assert.throws(() => desk.queryAsync({ state: 'new' }), { code: 'ERR_VALIDATION' });
  assert.equal(desk.query({ states: ['new'] }).length, 1);
  assert.equal(desk.query().length, 1);
});

test('wrong types and unknown enum strings are ERR_VALIDATION, not crashes', () => {
  const desk = newDesk();
  const incident = desk.open(ann, report(), t0);
  // The desk's entry points that take actors, commands or queries convert those arguments
  // themselves: ERR_VALIDATION naming the property at fault.
  const validation = [
    [() => desk.open({ id: 'ann', role: 'king' }, report(), t0), 'role'],
    [() => desk.open({ id: 'ann', role: 'god' }, report(), t0), 'role'],
    [() => desk.open(ann, report({ channel: 'pigeon' }), t0), 'channel'],
    [() => desk.open(ann, report({ impact: 'high' }), t0), 'impact'],
    [() => desk.open(ann, { channel: 'portal', impact: 1, urgency: 1 }, t0), 'shortDescription'],
    [() => desk.open(ann, null, t0), 'report'],
    [() => desk.open(null, report(), t0), 'actor'],
    [() => desk.open(), 'date'],
    [() => desk.execute(bob, incident.id, { type: 'fly' }, t0), 'type'],
    [() => desk.execute(bob, incident.id, { type: 'explode' }, t0), 'type'],
    [() => desk.execute(bob, incident.id, { type: 'hold', reason: 42 }, t0), 'reason'],
    [() => desk.execute(bob, incident.id, 'start_work', t0), 'command'],
    [() => desk.execute(bob, 42, { type: 'start_work' }, t0), 'incidentId'],
    [() => desk.execute(bob, incident.id, { type: 'give_feedback', feedback: null }, t0),
      'command'],
    [() => desk.submit(ann, { command: { type: 'open', report: report({ channel: 'x' }) } },
      t0), 'channel'],
    [() => desk.submit(ann, null, t0), 'submission'],
    [() => desk.accepts(bob, incident.id, { type: 'fly' }, t0), 'type'],
    [() => new binding.Desk('x'), 'config'],
    [() => new binding.Desk({ priorityMatix: [[1]] }), 'priorityMatix'],
    [() => desk.query({ states: ['sleeping'] }), 'states'],
    [() => desk.query('open'), 'query'],
    [() => desk.permittedActions({ id: 'x' }), 'role'],
    [() => desk.closeDue(null, t0), 'actor'],
    [() => desk.view({ id: 'bob', role: 'x' }, incident.id), 'role'],
  ];
  for (const [i, [attempt, field]] of validation.entries()) {
    const error = throwsCode(attempt, 'ERR_VALIDATION', { field });
    assert.ok(error.reason.length > 0, `case ${i}`);
  }
  // Elsewhere napi's own conversion errors still carry its status as `code` (`InvalidArg`,
  // ...); see the README. Either way: an Error, not a crash.
  const cases = [
    () => new binding.Desk({ directory: { workgroups: 'all', defaultWorkgroup: 'x' } }),
    () => new binding.Calendar({ timeZone: 'Mars/Olympus' }),
    () => new binding.Calendar({ timeZone: 'UTC', week: { mon: ['18:00-08:00'] } }),
  ];
  for (const [i, attempt] of cases.entries()) {
    assert.throws(attempt, (error) => error instanceof Error && error.message.length > 0,
      `case ${i}`);
  }
  assert.equal(desk.query().length, 1);
  assert.equal(desk.incident(incident.id).version, 1);
  throwsCode(() => desk.execute(bob, 'not-a-uuid', { type: 'start_work' }, t0),
    'ERR_VALIDATION', { field: 'incident_id' });
  throwsCode(() => desk.execute(bob, incident.id, { type: 'update_task', workOrder: 9,
    task: 1, state: 'done' }, plus(t0, 1)), 'ERR_NOT_FOUND', { entity: 'work order' });
  throwsCode(() => desk.open(ann, report({ urgency: 300 }), t0), 'ERR_VALIDATION',
    { field: 'urgency' });
  throwsCode(() => new binding.Calendar({ timeZone: 'Mars/Olympus' }), 'ERR_VALIDATION',
    { field: 'time_zone' });
  // The process is still alive and the desk still works.
  assert.equal(desk.execute(bob, incident.id, { type: 'start_work' }, plus(t0, 1)).state,
    'in_progress');
});

test('a batch refusal names its row and stores nothing', () => {
  const desk = newDesk();
  const batch = {
    commands: [{ type: 'open', report: report() }, { type: 'start_work' }, { type: 'resume' }],
    command: new Uint32Array([0, 1, 2]),
    incident: new Uint32Array([0, 0, 0]),
    at: new Float64Array([t0.getTime(), t0.getTime() + 60000, t0.getTime() + 120000]),
  };
  throwsCode(() => desk.executeBatch(root, batch), 'ERR_INVALID_TRANSITION',
    { row: 2, from: 'in_progress', to: 'in_progress' });
  assert.equal(desk.query().length, 0);
  throwsCode(() => desk.executeBatch(root, { ...batch, command: new Uint32Array([0, 1, 9]) }),
    'ERR_VALIDATION', { row: 2, field: 'command' });
  throwsCode(() => desk.executeBatch(root, { ...batch, at: new Float64Array([Number.NaN, 0, 0]) }),
    'ERR_VALIDATION', { row: 0, field: 'at' });
  throwsCode(() => desk.executeBatch(root, { ...batch, at: new Float64Array(1) }),
    'ERR_VALIDATION', { field: 'batch' });
  const two = { ...batch, command: new Uint32Array([0, 1]), incident: new Uint32Array(2),
    at: batch.at.slice(0, 2) };
  const whatIf = desk.executeBatch(root, two, { persist: false });
  assert.equal(whatIf.incidents, 1);
  assert.equal(desk.query().length, 0);
  const done = desk.executeBatch(root, two);
  assert.deepEqual([done.incidents, done.commands, done.clocks], [1, 2, undefined]);
  const stored = desk.incident(done.ids[0]);
  assert.deepEqual([stored.state, stored.version, desk.events(stored.id).length],
    ['in_progress', 2, 2]);
  // Refused batches and what-if runs took no numbers: the stored incident is the first one,
  // and the next opening follows it.
  assert.equal(stored.number, 'INC0000001');
  assert.equal(desk.events(stored.id)[0].change.incident.number, 'INC0000001');
  assert.equal(desk.open(ann, report(), plus(t0, 5)).number, 'INC0000002');
});

test('an auto-close delay beyond the calendar is ERR_VALIDATION and changes nothing', () => {
  const desk = newDesk({ policy: { autoCloseAfterDays: 4000000000 } });
  const incident = desk.open(root, report(), t0);
  throwsCode(() => desk.execute(root, incident.id, { type: 'resolve', code: 'a', notes: 'b' },
    plus(t0, 1)), 'ERR_VALIDATION', { field: 'auto_close_after_days' });
  assert.equal(desk.incident(incident.id).state, 'new');
  assert.equal(desk.execute(root, incident.id, { type: 'start_work' }, plus(t0, 2)).state,
    'in_progress');
});

test('durations chrono cannot hold are ERR_VALIDATION', () => {
  const always = binding.Calendar.alwaysOn('UTC');
  throwsCode(() => always.addBusinessSeconds(t0, 1e300), 'ERR_VALIDATION', { field: 'seconds' });
  throwsCode(() => always.addBusinessSeconds(t0, 3e11 * 86400), 'ERR_VALIDATION');
});

test('numbers that are not integers within range are refused, never narrowed', () => {
  const desk = newDesk();
  const e = throwsCode(() => desk.open(ann, report({ impact: 2 ** 32 + 2 }), t0),
    'ERR_VALIDATION', { field: 'impact' });
  assert.equal(e.reason, '4294967298 is not an integer within 0..=255');
  for (const impact of [2.9, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
    throwsCode(() => desk.open(ann, report({ impact }), t0), 'ERR_VALIDATION',
      { field: 'impact' });
  }
  throwsCode(() => desk.open(ann, report({ urgency: 1.5 }), t0), 'ERR_VALIDATION',
    { field: 'urgency' });
  assert.equal(desk.query().length, 0);

  const incident = desk.open(ann, report(), t0);
  const bad = [
    [{ type: 'override_priority', priority: -4294967295 }, 'priority'],
    [{ type: 'set_impact_urgency', impact: 2.5 }, 'impact'],
    [{ type: 'update_task', workOrder: -1, task: 1, state: 'done' }, 'workOrder'],
    [{ type: 'update_task', workOrder: 1, task: 1.5, state: 'done' }, 'task'],
    [{ type: 'cancel_work_order', workOrder: Number.NaN, reason: 'x' }, 'workOrder'],
  ];
  for (const [command, field] of bad) {
    const error = throwsCode(() => desk.execute(root, incident.id, command, plus(t0, 1)),
      'ERR_VALIDATION', { field });
    assert.match(error.reason, /is not an integer within/);
  }
  throwsCode(() => desk.submit(root, { incident: incident.id,
    command: { type: 'comment', text: 'x' }, expectedVersion: 1.5 }, plus(t0, 1)),
  'ERR_VALIDATION', { field: 'expectedVersion' });
  throwsCode(() => desk.query({ limit: -1 }), 'ERR_VALIDATION', { field: 'limit' });
  const unchanged = desk.incident(incident.id);
  assert.deepEqual([unchanged.version, unchanged.priority, unchanged.priorityOverridden,
    unchanged.impact], [1, incident.priority, false, 3]);

  desk.execute(root, incident.id, { type: 'resolve', code: 'fixed', notes: 'done' },
    plus(t0, 2));
  throwsCode(() => desk.execute(ann, incident.id,
    { type: 'confirm', feedback: { rating: 2 ** 32 + 5 } }, plus(t0, 3)), 'ERR_VALIDATION',
  { field: 'rating' });
  throwsCode(() => desk.execute(ann, incident.id,
    { type: 'give_feedback', feedback: { rating: 4.5 } }, plus(t0, 3)), 'ERR_VALIDATION',
  { field: 'rating' });
  const resolved = desk.incident(incident.id);
  assert.deepEqual([resolved.state, resolved.version, resolved.feedback],
    ['resolved', 2, undefined]);
  assert.equal(desk.execute(ann, incident.id, { type: 'confirm', feedback: { rating: 5 } },
    plus(t0, 4)).feedback.rating, 5);

  for (const days of [-1, 1.5, Number.NaN]) {
    throwsCode(() => newDesk({ policy: { autoCloseAfterDays: days } }), 'ERR_VALIDATION',
      { field: 'autoCloseAfterDays' });
  }
});

test('business seconds must be whole numbers', () => {
  const always = binding.Calendar.alwaysOn('UTC');
  for (const seconds of [Number.NaN, Number.POSITIVE_INFINITY, 0.5]) {
    throwsCode(() => always.addBusinessSeconds(t0, seconds), 'ERR_VALIDATION',
      { field: 'seconds' });
    throwsCode(() => always.subBusinessSeconds(t0, seconds), 'ERR_VALIDATION',
      { field: 'seconds' });
  }
  assert.equal(always.addBusinessSeconds(t0, 60).getTime(), t0.getTime() + 60000);
});

test('async methods refuse malformed arguments with ERR_VALIDATION', async () => {
  const desk = newDesk();
  await assert.rejects(async () => desk.submitAsync(ann, { command: { type: 'open',
    report: report({ impact: 1.5 }) } }, t0), (error) => error.code === 'ERR_VALIDATION'
    && error.field === 'impact');
  await assert.rejects(async () => desk.queryAsync({ limit: 1.5 }),
    (error) => error.code === 'ERR_VALIDATION' && error.field === 'limit');
  await assert.rejects(async () => desk.viewAsync(null, 'x'),
    (error) => error.code === 'ERR_VALIDATION' && error.field === 'actor');
  await assert.rejects(async () => desk.submitAsync({ id: 'ann', role: 'god' },
    { command: { type: 'open', report: report() } }, t0),
  (error) => error.code === 'ERR_VALIDATION' && error.field === 'role');
  assert.equal(desk.query().length, 0);
});
