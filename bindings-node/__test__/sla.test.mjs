// The SLA cases of issue 3, with the same exact values, and the peers' workload.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { runWorkload } from '../bench/workload.mjs';
import { at, binding, directory, root } from './helpers.mjs';

const { Calendar, Desk } = binding;
const WEEKDAYS = (windows) => ({ mon: windows, tue: windows, wed: windows, thu: windows,
  fri: windows });
const ALWAYS = { timeZone: 'UTC', week: {
  mon: ['00:00-24:00'], tue: ['00:00-24:00'], wed: ['00:00-24:00'], thu: ['00:00-24:00'],
  fri: ['00:00-24:00'], sat: ['00:00-24:00'], sun: ['00:00-24:00'] } };

function slaDesk(calendar, definitions, extra = {}) {
  return new Desk({ directory, ...extra, sla: { calendars: { cal: calendar }, definitions } });
}

const clock = (desk, id, now, pick) => desk.slaStatus(id, at(now)).find(pick);

test('case 1: the workload equals the oracle line', () => {
  assert.equal(runWorkload(2000, { persist: true }), 'incidents=2000 response_breaches=379 '
    + 'resolution_breaches=253 response_business_s=6136200 resolution_business_s=36717960');
  assert.equal(runWorkload(80000), 'incidents=80000 response_breaches=17011 '
    + 'resolution_breaches=11728 response_business_s=277198320 '
    + 'resolution_business_s=1727661180');
});

test('case 2: a weekend hold credits 2 business hours; due Monday 12:00 Paris', () => {
  const desk = slaDesk({ timeZone: 'Europe/Paris', week: WEEKDAYS(['09:00-17:00']) },
    [{ id: 'fix', kind: 'resolution', targetSeconds: 8 * 3600, calendar: 'cal' }]);
  const incident = desk.open(root, { shortDescription: 'x', channel: 'phone', impact: 2,
    urgency: 2 }, at('2026-03-06T09:00:00Z'));
  desk.execute(root, incident.id, { type: 'start_work' }, at('2026-03-06T09:00:00Z'));
  desk.execute(root, incident.id, { type: 'hold', reason: 'awaiting_vendor' },
    at('2026-03-06T15:00:00Z'));
  const paused = clock(desk, incident.id, '2026-03-09T09:00:00Z', () => true);
  assert.equal(paused.stage, 'paused');
  assert.equal(paused.elapsedSeconds, 6 * 3600);
  desk.execute(root, incident.id, { type: 'resume' }, at('2026-03-09T09:00:00Z'));
  const running = clock(desk, incident.id, '2026-03-09T09:00:00Z', () => true);
  assert.equal(running.stage, 'running');
  assert.equal(running.elapsedSeconds, 6 * 3600);
  assert.equal(running.remainingSeconds, 2 * 3600);
  assert.deepEqual(running.dueAt, at('2026-03-09T11:00:00Z'));
});

test('case 3: an escalation 1 business hour before the deadline falls on Tuesday 10:00', () => {
  const desk = slaDesk({ timeZone: 'UTC', week: WEEKDAYS(['08:00-18:00']) },
    [{ id: 'respond', kind: 'response', targetSeconds: 4 * 3600, calendar: 'cal',
      warnings: [{ beforeDueSeconds: 3600 }] }]);
  const incident = desk.open(root, { shortDescription: 'x', channel: 'phone', impact: 2,
    urgency: 2 }, at('2026-03-02T17:00:00Z'));
  const response = clock(desk, incident.id, '2026-03-02T17:00:00Z', () => true);
  assert.deepEqual(response.dueAt, at('2026-03-03T11:00:00Z'));
  assert.deepEqual(response.warnings.map((w) => [w.threshold, w.at]),
    [[{ beforeDueSeconds: 3600 }, at('2026-03-03T10:00:00Z')]]);
});

test('case 4: an OLA runs from reassignment, the SLA from opening', () => {
  const desk = slaDesk(ALWAYS, [
    { id: 'sla', kind: 'resolution', targetSeconds: 2 * 3600, calendar: 'cal' },
    { id: 'ola-network', kind: 'resolution', workgroup: 'network', targetSeconds: 3600,
      calendar: 'cal' },
  ]);
  const incident = desk.open(root, { shortDescription: 'x', channel: 'phone', impact: 2,
    urgency: 2, workgroup: 'service-desk' }, at('2026-03-02T09:00:00Z'));
  desk.execute(root, incident.id, { type: 'assign', workgroup: 'service-desk' },
    at('2026-03-02T09:00:00Z'));
  desk.execute(root, incident.id, { type: 'assign', workgroup: 'network' },
    at('2026-03-02T10:30:00Z'));
  const now = '2026-03-02T10:30:00Z';
  const sla = clock(desk, incident.id, now, (c) => c.workgroup === undefined);
  const ola = clock(desk, incident.id, now, (c) => c.workgroup === 'network');
  assert.deepEqual(sla.dueAt, at('2026-03-02T11:00:00Z'));
  assert.deepEqual(ola.dueAt, at('2026-03-02T11:30:00Z'));
  assert.deepEqual(ola.startedAt, at('2026-03-02T10:30:00Z'));
});

for (const [policy, due] of [['carry_elapsed', '13:10'], ['restart', '13:20']]) {
  test(`case 5: a priority raised during a hold, ${policy}: due ${due}`, () => {
    const desk = slaDesk(ALWAYS, [
      { id: 'p3', kind: 'resolution', targetSeconds: 8 * 3600, calendar: 'cal',
        priorities: [3] },
      { id: 'p2', kind: 'resolution', targetSeconds: 4 * 3600, calendar: 'cal',
        priorities: [2], onPriorityChange: policy },
    ]);
    const incident = desk.open(root, { shortDescription: 'x', channel: 'phone', impact: 2,
      urgency: 2 }, at('2026-03-02T09:00:00Z'));
    assert.equal(incident.priority, 3);
    desk.execute(root, incident.id, { type: 'start_work' }, at('2026-03-02T09:00:00Z'));
    desk.execute(root, incident.id, { type: 'hold', reason: 'awaiting_caller' },
      at('2026-03-02T09:10:00Z'));
    const raised = desk.execute(root, incident.id, { type: 'set_impact_urgency', urgency: 1 },
      at('2026-03-02T09:15:00Z'));
    assert.equal(raised.priority, 2);
    desk.execute(root, incident.id, { type: 'resume' }, at('2026-03-02T09:20:00Z'));
    const current = clock(desk, incident.id, '2026-03-02T09:20:00Z',
      (c) => c.stage === 'running');
    assert.equal(current.definition, 'p2');
    assert.deepEqual(current.dueAt, at(`2026-03-02T${due}:00Z`));
  });
}

test('case 6: time in Resolved and Closed is not counted after a reopen', () => {
  const desk = slaDesk(ALWAYS,
    [{ id: 'fix', kind: 'resolution', targetSeconds: 300, calendar: 'cal' }],
    { policy: { reopenClosedWithinDays: 1 } });
  const incident = desk.open(root, { shortDescription: 'x', channel: 'phone', impact: 2,
    urgency: 2 }, at('2026-03-02T10:00:00Z'));
  const resolve = { type: 'resolve', code: 'fixed', notes: 'ok' };
  desk.execute(root, incident.id, resolve, at('2026-03-02T10:02:00Z'));
  desk.execute(root, incident.id, { type: 'confirm' }, at('2026-03-02T10:02:00Z'));
  desk.execute(root, incident.id, { type: 'reopen', reason: 'again' },
    at('2026-03-02T10:12:00Z'));
  desk.execute(root, incident.id, resolve, at('2026-03-02T10:14:00Z'));
  const fix = clock(desk, incident.id, '2026-03-02T12:00:00Z', () => true);
  assert.equal(fix.elapsedSeconds, 240);
  assert.equal(fix.stage, 'met');
});

test('case 7: windows follow London local time across the end of DST', () => {
  const london = new Calendar({ timeZone: 'Europe/London', week: WEEKDAYS(['08:30-17:30']) });
  assert.equal(london.businessSeconds(at('2026-10-23T07:00:00Z'), at('2026-10-26T10:00:00Z')),
    37800);
});

test('case 8: one business hour across the Amsterdam fall-back; DST-day window lengths', () => {
  const always = Calendar.alwaysOn('Europe/Amsterdam');
  assert.deepEqual(always.addBusinessSeconds(at('2026-10-25T02:00:00+02:00'), 3600),
    at('2026-10-25T02:00:00+01:00'));
  const daily = ['00:00-10:00'];
  const nights = new Calendar({ timeZone: 'Europe/Amsterdam', week: { ...WEEKDAYS(daily),
    sat: daily, sun: daily } });
  assert.equal(nights.businessSeconds(at('2026-10-24T22:00:00Z'), at('2026-10-25T23:00:00Z')),
    39600);
  assert.equal(nights.businessSeconds(at('2026-03-28T23:00:00Z'), at('2026-03-29T22:00:00Z')),
    32400);
});

test('case 9: a date override makes Christmas Eve a 5-hour day', () => {
  const office = new Calendar({ timeZone: 'UTC', week: WEEKDAYS(['08:00-18:00']),
    overrides: [{ date: '2026-12-24', windows: ['08:00-13:00'] }] });
  assert.equal(office.businessSeconds(at('2026-12-24T00:00:00Z'), at('2026-12-25T00:00:00Z')),
    5 * 3600);
  assert.equal(office.isWorking(at('2026-12-24T12:59:59Z')), true);
  assert.equal(office.isWorking(at('2026-12-24T13:00:00Z')), false);
  assert.deepEqual(office.nextWorking(at('2026-12-24T13:00:00Z')), at('2026-12-25T08:00:00Z'));
});

test('the next due instant over open incidents, and a deadline explained', () => {
  const desk = slaDesk(ALWAYS,
    [{ id: 'fix', kind: 'resolution', targetSeconds: 3600, calendar: 'cal' }]);
  const incident = desk.open(root, { shortDescription: 'x', channel: 'phone', impact: 2,
    urgency: 2 }, at('2026-03-02T09:00:00Z'));
  assert.deepEqual(desk.nextDueInstant(at('2026-03-02T09:00:00Z')), at('2026-03-02T09:30:00Z'));
  const explained = desk.explainDeadline(incident.id, 0, at('2026-03-02T09:10:00Z'));
  assert.match(explained.matched, /no conditions \(fallback\)/);
  assert.equal(explained.status.targetSeconds, 3600);
  assert.equal(new Desk().nextDueInstant !== undefined, true);
  assert.throws(() => new Desk().slaStatus(incident.id, at('2026-03-02T09:00:00Z')),
    { code: 'ERR_CONFIGURATION' });
});
