// Every lifecycle rule of the core, seen through the binding.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  ann, at, binding, bob, bot, eve, max, newDesk, plus, report, root, throwsCode,
} from './helpers.mjs';

const t0 = at('2026-03-02T09:00:00Z');

function worked(desk = newDesk()) {
  const opened = desk.open(ann, report(), t0);
  const started = desk.execute(bob, opened.id, { type: 'start_work' }, plus(t0, 5));
  return { desk, incident: started };
}

test('an incident opens New with a derived priority, routed and numbered', () => {
  const desk = newDesk();
  const incident = desk.open(ann, report({ impact: 1, urgency: 2 }), t0);
  assert.equal(incident.number, 'INC0000001');
  assert.equal(incident.state, 'new');
  assert.equal(incident.priority, 2);
  assert.equal(incident.assignmentGroup, 'service-desk');
  assert.equal(incident.caller, 'ann');
  assert.equal(incident.version, 1);
  assert.deepEqual(incident.openedAt, t0);
  assert.ok(incident.openedAt instanceof Date);
  const routed = desk.open(ann, report({ category: 'network' }), t0);
  assert.equal(routed.assignmentGroup, 'network');
  assert.equal(routed.number, 'INC0000002');
});

test('starting work assigns the analyst who takes it', () => {
  const { incident } = worked();
  assert.equal(incident.state, 'in_progress');
  assert.equal(incident.assignee, 'bob');
  assert.equal(incident.version, 2);
});

test('on hold needs a reason; a custom reason is kept', () => {
  const { desk, incident } = worked();
  throwsCode(() => desk.execute(bob, incident.id, { type: 'hold', reason: '  ' }, plus(t0, 6)),
    'ERR_VALIDATION', { field: 'hold_reason' });
  const held = desk.execute(bob, incident.id, { type: 'hold', reason: 'waiting for parts' },
    plus(t0, 6));
  assert.equal(held.state, 'on_hold');
  assert.equal(held.holdReason, 'waiting for parts');
});

test("the caller's comment resumes an incident awaiting the caller", () => {
  const { desk, incident } = worked();
  desk.execute(bob, incident.id, { type: 'hold', reason: 'awaiting_caller' }, plus(t0, 6));
  const answered = desk.execute(ann, incident.id, { type: 'comment', text: 'here it is' },
    plus(t0, 7));
  assert.equal(answered.state, 'in_progress');
  assert.equal(answered.holdReason, undefined);
  assert.equal(answered.comments.at(-1).text, 'here it is');
  assert.deepEqual(answered.comments.at(-1).at, plus(t0, 7));
});

test("an analyst's comment does not resume an incident awaiting the caller", () => {
  const { desk, incident } = worked();
  desk.execute(bob, incident.id, { type: 'hold', reason: 'awaiting_caller' }, plus(t0, 6));
  const still = desk.execute(bob, incident.id, { type: 'comment', text: 'ping' }, plus(t0, 7));
  assert.equal(still.state, 'on_hold');
});

test('resolve needs a code and notes', () => {
  const { desk, incident } = worked();
  const resolve = (code, notes) => ({ type: 'resolve', code, notes });
  throwsCode(() => desk.execute(bob, incident.id, resolve('', 'x'), plus(t0, 9)),
    'ERR_VALIDATION', { field: 'code' });
  throwsCode(() => desk.execute(bob, incident.id, resolve('fixed', ' '), plus(t0, 9)),
    'ERR_VALIDATION', { field: 'notes' });
  const done = desk.execute(bob, incident.id, resolve('fixed', 'replaced toner'), plus(t0, 9));
  assert.equal(done.state, 'resolved');
  assert.deepEqual(done.resolution,
    { code: 'fixed', notes: 'replaced toner', resolvedBy: 'bob', workgroup: 'service-desk' });
  assert.deepEqual(done.autoCloseAt, new Date(plus(t0, 9).getTime() + 7 * 86400000));
});

test('resolve is refused while a work order is open, allowed once it is done', () => {
  const { desk, incident } = worked();
  const order = desk.execute(bob, incident.id, {
    type: 'create_work_order', title: 'Replace printer',
    tasks: [{ title: 'Install', workgroup: 'on-site' }],
  }, plus(t0, 10));
  assert.equal(order.workOrders[0].state, 'open');
  const resolve = { type: 'resolve', code: 'fixed', notes: 'new printer' };
  throwsCode(() => desk.execute(bob, incident.id, resolve, plus(t0, 11)),
    'ERR_RULE_VIOLATION', { rule: 'open_work_orders' });
  const task = (state) => ({ type: 'update_task', workOrder: 1, task: 1, state });
  desk.execute(bob, incident.id, task('in_progress'), plus(t0, 12));
  const done = desk.execute(bob, incident.id, task('done'), plus(t0, 13));
  assert.equal(done.workOrders[0].state, 'done');
  assert.equal(desk.execute(bob, incident.id, resolve, plus(t0, 14)).state, 'resolved');
});

test('close only from resolved: by confirmation, or auto-close when due', () => {
  const { desk, incident } = worked();
  throwsCode(() => desk.execute(ann, incident.id, { type: 'confirm' }, plus(t0, 8)),
    'ERR_INVALID_TRANSITION', { from: 'in_progress', to: 'closed' });
  const resolved = desk.execute(bob, incident.id,
    { type: 'resolve', code: 'fixed', notes: 'ok' }, plus(t0, 9));
  throwsCode(() => desk.execute(bot, incident.id, { type: 'auto_close' }, plus(t0, 10)),
    'ERR_RULE_VIOLATION', { rule: 'close_not_due' });
  assert.deepEqual(desk.closeDue(bot, plus(t0, 60)), []);
  const closed = desk.closeDue(bot, resolved.autoCloseAt);
  assert.equal(closed.length, 1);
  assert.equal(closed[0].state, 'closed');
  assert.equal(closed[0].confirmed, false);
});

test("the caller's confirmation closes with feedback; feedback is checked", () => {
  const { desk, incident } = worked();
  desk.execute(bob, incident.id, { type: 'resolve', code: 'fixed', notes: 'ok' }, plus(t0, 9));
  throwsCode(() => desk.execute(ann, incident.id,
    { type: 'confirm', feedback: { rating: 6 } }, plus(t0, 10)),
  'ERR_VALIDATION', { field: 'rating' });
  const closed = desk.execute(ann, incident.id,
    { type: 'confirm', feedback: { rating: 5, comment: 'quick' } }, plus(t0, 10));
  assert.equal(closed.state, 'closed');
  assert.equal(closed.confirmed, true);
  assert.deepEqual(closed.feedback, { rating: 5, comment: 'quick' });
  assert.deepEqual(closed.closedAt, plus(t0, 10));
});

test('a major incident never closes by itself, and only a manager sets the flag', () => {
  const { desk, incident } = worked();
  throwsCode(() => desk.execute(bob, incident.id, { type: 'set_major', major: true },
    plus(t0, 6)), 'ERR_PERMISSION_DENIED', { action: 'set_major' });
  const major = desk.execute(max, incident.id, { type: 'set_major', major: true }, plus(t0, 6));
  assert.equal(major.major, true);
  const resolved = desk.execute(bob, incident.id,
    { type: 'resolve', code: 'fixed', notes: 'ok' }, plus(t0, 9));
  assert.equal(resolved.autoCloseAt, undefined);
  throwsCode(() => desk.execute(bot, incident.id, { type: 'auto_close' }, plus(t0, 20000)),
    'ERR_RULE_VIOLATION', { rule: 'major_incident' });
});

test('reopen needs a reason, counts, clears the resolution, returns to the resolving group',
  () => {
    const { desk, incident } = worked();
    desk.execute(bob, incident.id, { type: 'assign', workgroup: 'network' }, plus(t0, 6));
    desk.execute(eve, incident.id, { type: 'resolve', code: 'fixed', notes: 'ok' },
      plus(t0, 9));
    throwsCode(() => desk.execute(ann, incident.id, { type: 'reopen', reason: '' },
      plus(t0, 10)), 'ERR_VALIDATION', { field: 'reason' });
    const reopened = desk.execute(ann, incident.id,
      { type: 'reopen', reason: 'still broken' }, plus(t0, 10));
    assert.equal(reopened.state, 'assigned');
    assert.equal(reopened.reopenCount, 1);
    assert.equal(reopened.resolution, undefined);
    assert.equal(reopened.assignmentGroup, 'network');
  });

test('a closed incident reopens only inside the policy window', () => {
  const closeIt = (desk) => {
    const incident = desk.open(ann, report(), t0);
    desk.execute(root, incident.id, { type: 'resolve', code: 'fixed', notes: 'ok' },
      plus(t0, 2));
    desk.execute(ann, incident.id, { type: 'confirm' }, plus(t0, 3));
    return incident.id;
  };
  const strict = newDesk();
  const id = closeIt(strict);
  throwsCode(() => strict.execute(ann, id, { type: 'reopen', reason: 'again' }, plus(t0, 4)),
    'ERR_RULE_VIOLATION', { rule: 'reopen_window' });
  const lenient = newDesk({ policy: { reopenClosedWithinDays: 1 } });
  const id2 = closeIt(lenient);
  assert.equal(lenient.execute(ann, id2, { type: 'reopen', reason: 'again' }, plus(t0, 4))
    .state, 'assigned');
  throwsCode(() => lenient.execute(ann, closeIt(lenient), { type: 'reopen', reason: 'late' },
    plus(t0, 2 * 1440)), 'ERR_RULE_VIOLATION', { rule: 'reopen_window' });
});

test('cancel from an open state cancels open work orders; not from resolved', () => {
  const { desk, incident } = worked();
  desk.execute(bob, incident.id, {
    type: 'create_work_order', title: 'Visit', tasks: [{ title: 'Go', workgroup: 'on-site' }],
  }, plus(t0, 6));
  throwsCode(() => desk.execute(bob, incident.id, { type: 'cancel', reason: '' }, plus(t0, 7)),
    'ERR_VALIDATION', { field: 'reason' });
  const canceled = desk.execute(bob, incident.id, { type: 'cancel', reason: 'duplicate' },
    plus(t0, 7));
  assert.equal(canceled.state, 'canceled');
  assert.equal(canceled.cancelReason, 'duplicate');
  assert.equal(canceled.workOrders[0].state, 'cancelled');
  assert.equal(canceled.workOrders[0].tasks[0].state, 'cancelled');

  const other = worked().desk;
  const id = other.query()[0].id;
  other.execute(bob, id, { type: 'resolve', code: 'fixed', notes: 'ok' }, plus(t0, 9));
  throwsCode(() => other.execute(bob, id, { type: 'cancel', reason: 'x' }, plus(t0, 10)),
    'ERR_INVALID_TRANSITION', { from: 'resolved', to: 'canceled' });
});

test('priority follows impact and urgency unless a manager overrides it', () => {
  const { desk, incident } = worked();
  const raised = desk.execute(bob, incident.id,
    { type: 'set_impact_urgency', urgency: 1 }, plus(t0, 6));
  assert.equal(raised.priority, 3);
  throwsCode(() => desk.execute(bob, incident.id, { type: 'override_priority', priority: 1 },
    plus(t0, 7)), 'ERR_PERMISSION_DENIED');
  const fixed = desk.execute(max, incident.id, { type: 'override_priority', priority: 1 },
    plus(t0, 7));
  assert.deepEqual([fixed.priority, fixed.priorityOverridden], [1, true]);
  const kept = desk.execute(bob, incident.id, { type: 'set_impact_urgency', impact: 2 },
    plus(t0, 8));
  assert.equal(kept.priority, 1);
  const back = desk.execute(max, incident.id, { type: 'override_priority' }, plus(t0, 9));
  assert.deepEqual([back.priority, back.priorityOverridden], [2, false]);
});

test('reassignment counts, ping-pong is reported, a non-member assignee is cleared', () => {
  const { desk, incident } = worked();
  desk.execute(bob, incident.id, { type: 'assign', workgroup: 'network' }, plus(t0, 6));
  const back = desk.execute(eve, incident.id, { type: 'assign', workgroup: 'service-desk' },
    plus(t0, 7));
  assert.equal(back.reassignmentCount, 2);
  assert.equal(back.pingPongCount, 1);
  assert.equal(back.assignee, undefined);
  assert.deepEqual(back.visits.map((v) => v.workgroup), ['service-desk', 'network',
    'service-desk']);
  throwsCode(() => desk.execute(max, incident.id,
    { type: 'assign', assignee: 'eve' }, plus(t0, 8)), 'ERR_RULE_VIOLATION',
  { rule: 'not_a_member' });
});

test('an incident opened from a failed change keeps the causal link', () => {
  const desk = newDesk();
  const incident = desk.openFromTrigger(bot, {
    trigger: { kind: 'failed_change', changeId: 'CHG042', failure: 'failed',
      service: 'mail', impact: 1 },
    shortDescription: 'Mail migration failed',
  }, t0);
  assert.deepEqual(incident.origin,
    { kind: 'failed_change', changeId: 'CHG042', failure: 'failed' });
  assert.equal(incident.channel, 'automation');
  assert.equal(incident.service, 'mail');
  assert.equal(incident.priority, 2);
  throwsCode(() => desk.openFromTrigger(ann, {
    trigger: { kind: 'failed_service_request', requestId: 'REQ1' }, shortDescription: 'x',
  }, t0), 'ERR_PERMISSION_DENIED', { action: 'open_from_trigger' });
});

test('a refused command changes nothing; versions grow by one; events replay the history',
  () => {
    const { desk, incident } = worked();
    throwsCode(() => desk.execute(ann, incident.id, { type: 'resume' }, plus(t0, 6)),
      'ERR_PERMISSION_DENIED');
    assert.equal(desk.incident(incident.id).version, 2);
    throwsCode(() => desk.execute(bob, incident.id, { type: 'start_work' }, plus(t0, 1)),
      'ERR_VALIDATION', { field: 'now' });
    const events = desk.events(incident.id);
    assert.deepEqual(events.map((e) => [e.version, e.change.type]),
      [[1, 'opened'], [2, 'assigned'], [2, 'state_changed']]);
    assert.deepEqual(events[2].change, {
      type: 'state_changed', from: 'new', to: 'in_progress', holdReason: null,
    });
    assert.deepEqual(events[1].actor, bob);
  });

test('idempotency keys: a retry has effect once; a reused key is refused', () => {
  const { desk, incident } = worked();
  const submission = {
    incident: incident.id, command: { type: 'comment', text: 'on it' }, idempotencyKey: 'k1',
  };
  const first = desk.submit(bob, submission, plus(t0, 6));
  const again = desk.submit(bob, submission, plus(t0, 7));
  assert.equal(first.replayed, false);
  assert.equal(again.replayed, true);
  assert.equal(again.incident.version, first.incident.version);
  assert.equal(again.incident.comments.length, 1);
  throwsCode(() => desk.submit(bob, { ...submission, command: { type: 'comment', text: 'x' } },
    plus(t0, 8)), 'ERR_RULE_VIOLATION', { rule: 'idempotency_key_reused' });
});

test('a stale expected version is a conflict with both versions', () => {
  const { desk, incident } = worked();
  const error = throwsCode(() => desk.submit(bob, {
    incident: incident.id, command: { type: 'comment', text: 'late' }, expectedVersion: 1,
  }, plus(t0, 6)), 'ERR_CONFLICT', { expected: 1, actual: 2, incident: incident.id });
  assert.equal(error.retryable, true);
});

test('queries filter by state, workgroup, caller and assignee', () => {
  const desk = newDesk();
  const a = desk.open(ann, report(), t0);
  desk.open(ann, report({ category: 'network' }), t0);
  desk.execute(bob, a.id, { type: 'start_work' }, plus(t0, 1));
  assert.equal(desk.query().length, 2);
  assert.deepEqual(desk.query({ states: ['in_progress'] }).map((i) => i.id), [a.id]);
  assert.equal(desk.query({ workgroup: 'network' }).length, 1);
  assert.equal(desk.query({ assignee: 'bob' }).length, 1);
  assert.equal(desk.query({ caller: 'zoe' }).length, 0);
  assert.equal(desk.query({ limit: 1 }).length, 1);
  assert.equal(desk.incidentByNumber('INC0000002').category, 'network');
});

test('async methods resolve and reject like the sync ones', async () => {
  const { desk, incident } = worked();
  const outcome = await desk.submitAsync(bob, {
    incident: incident.id, command: { type: 'hold', reason: 'awaiting_vendor' },
  }, plus(t0, 6));
  assert.equal(outcome.incident.state, 'on_hold');
  assert.equal((await desk.queryAsync({ states: ['on_hold'] })).length, 1);
  assert.equal((await desk.eventsAsync(incident.id)).length, 4);
  await assert.rejects(desk.viewAsync({ id: 'zoe', role: 'end_user' }, incident.id),
    (e) => e instanceof Error && e.code === 'ERR_PERMISSION_DENIED' && e.actor === 'zoe');
  await assert.rejects(desk.submitAsync(ann, { incident: incident.id,
    command: { type: 'start_work' } }, plus(t0, 7)), { code: 'ERR_PERMISSION_DENIED' });
  assert.ok(binding.Store.inMemory());
});

test('the transition table is data: a host tightens it; a broken table is refused', () => {
  const t = (from, to) => ({ from, to });
  const strict = newDesk({
    transitions: [t('new', 'assigned'), t('assigned', 'in_progress'),
      t('in_progress', 'resolved'), t('resolved', 'closed')],
    terminalStates: ['closed'],
  });
  const incident = strict.open(ann, report(), t0);
  throwsCode(() => strict.execute(root, incident.id,
    { type: 'resolve', code: 'fixed', notes: 'ok' }, plus(t0, 1)),
  'ERR_INVALID_TRANSITION', { from: 'new', to: 'resolved' });
  throwsCode(() => newDesk({ transitions: [t('new', 'assigned'), t('on_hold', 'resolved')] }),
    'ERR_CONFIGURATION');
  throwsCode(() => newDesk({ transitions: [t('new', 'canceled'), t('canceled', 'new')],
    terminalStates: ['canceled'] }), 'ERR_CONFIGURATION');
  throwsCode(() => newDesk({ terminalStates: ['closed'] }), 'ERR_VALIDATION',
    { field: 'terminalStates' });
});

test('the permission table is data too', () => {
  const desk = newDesk({ grants: [
    { role: 'end_user', action: 'open', scope: 'any' },
    { role: 'end_user', action: 'view', scope: 'own_incident' },
  ] });
  const incident = desk.open(ann, report(), t0);
  assert.deepEqual(desk.permittedActions(ann, incident.id), ['open', 'view']);
  throwsCode(() => desk.execute(ann, incident.id, { type: 'comment', text: 'hi' }, plus(t0, 1)),
    'ERR_PERMISSION_DENIED', { action: 'comment' });
});
