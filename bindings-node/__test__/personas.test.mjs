// Persona permissions: the core's table, read through permittedActions and enforced on
// commands.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { ann, at, bob, bot, eve, max, newDesk, plus, report, root, throwsCode, zoe }
  from './helpers.mjs';

const t0 = at('2026-03-02T09:00:00Z');

// What each persona may do on an incident of the service desk opened by ann.
const expected = {
  ann: ['view', 'comment', 'confirm', 'give_feedback', 'reopen'],
  zoe: [],
  bob: ['view', 'comment', 'update_details', 'reprioritise', 'assign_to_self', 'reassign',
    'work', 'hold', 'resolve', 'reopen', 'cancel', 'create_work_order', 'work_task',
    'cancel_work_order'],
  eve: [],
  max: ['view', 'comment', 'update_details', 'reprioritise', 'override_priority', 'set_major',
    'assign_to_self', 'assign_analyst', 'reassign', 'work', 'hold', 'resolve', 'reopen',
    'cancel', 'create_work_order', 'work_task', 'cancel_work_order'],
  monitoring: ['view', 'comment', 'update_details', 'reprioritise', 'auto_close'],
};

test('permitted actions on an incident follow the persona table', () => {
  const desk = newDesk();
  const incident = desk.open(ann, report(), t0);
  for (const actor of [ann, zoe, bob, eve, max, bot]) {
    const actions = desk.permittedActions(actor, incident.id).filter((a) => a !== 'open'
      && a !== 'open_from_trigger');
    assert.deepEqual([...actions].sort(), [...expected[actor.id]].sort(), actor.id);
  }
  assert.equal(desk.permittedActions(root, incident.id).length, 23);
});

test('who may open incidents, and from triggers', () => {
  const desk = newDesk();
  const opens = (actor) => desk.permittedActions(actor);
  assert.ok(opens(ann).includes('open'));
  assert.ok(!opens(ann).includes('open_from_trigger'));
  assert.ok(opens(bob).includes('open'));
  assert.ok(opens(bot).includes('open_from_trigger'));
  assert.ok(opens(root).includes('configure'));
  assert.ok(!opens(max).includes('configure'));
});

test('an end user sees and works only their own incidents', () => {
  const desk = newDesk();
  const incident = desk.open(ann, report(), t0);
  assert.equal(desk.view(ann, incident.id).id, incident.id);
  throwsCode(() => desk.view(zoe, incident.id), 'ERR_PERMISSION_DENIED',
    { actor: 'zoe', role: 'end_user', action: 'view' });
  throwsCode(() => desk.execute(zoe, incident.id, { type: 'comment', text: 'me too' },
    plus(t0, 1)), 'ERR_PERMISSION_DENIED', { action: 'comment' });
  throwsCode(() => desk.execute(ann, incident.id, { type: 'start_work' }, plus(t0, 1)),
    'ERR_PERMISSION_DENIED', { action: 'work' });
  throwsCode(() => desk.execute(ann, incident.id, { type: 'resolve', code: 'a', notes: 'b' },
    plus(t0, 1)), 'ERR_PERMISSION_DENIED', { action: 'resolve' });
});

test('an analyst works incidents of their own workgroups only', () => {
  const desk = newDesk();
  const incident = desk.open(ann, report(), t0);
  throwsCode(() => desk.execute(eve, incident.id, { type: 'start_work' }, plus(t0, 1)),
    'ERR_PERMISSION_DENIED', { actor: 'eve', action: 'work' });
  const taken = desk.execute(bob, incident.id, { type: 'assign', assignee: 'bob' },
    plus(t0, 1));
  assert.equal(taken.assignee, 'bob');
  throwsCode(() => desk.execute(bob, incident.id, { type: 'set_major', major: true },
    plus(t0, 2)), 'ERR_PERMISSION_DENIED', { action: 'set_major' });
  const moved = desk.execute(bob, incident.id, { type: 'assign', workgroup: 'network' },
    plus(t0, 3));
  assert.equal(moved.assignmentGroup, 'network');
  throwsCode(() => desk.execute(bob, incident.id, { type: 'hold', reason: 'awaiting_vendor' },
    plus(t0, 4)), 'ERR_PERMISSION_DENIED', { action: 'hold' });
});

test('a manager assigns analysts, overrides priority and sets the major flag', () => {
  const desk = newDesk();
  const incident = desk.open(ann, report(), t0);
  const assigned = desk.execute(max, incident.id, { type: 'assign', assignee: 'bob' },
    plus(t0, 1));
  assert.equal(assigned.assignee, 'bob');
  assert.equal(desk.execute(max, incident.id, { type: 'override_priority', priority: 1 },
    plus(t0, 2)).priority, 1);
  assert.equal(desk.execute(max, incident.id, { type: 'set_major', major: true },
    plus(t0, 3)).major, true);
  throwsCode(() => desk.execute(bob, incident.id, { type: 'assign', assignee: 'max' },
    plus(t0, 4)), 'ERR_PERMISSION_DENIED', { action: 'assign_analyst' });
});

test('automation updates fields and comments but does not work incidents', () => {
  const desk = newDesk();
  const incident = desk.open(ann, report(), t0);
  const patched = desk.execute(bot, incident.id,
    { type: 'update_details', patch: { service: 'printing' } }, plus(t0, 1));
  assert.equal(patched.service, 'printing');
  throwsCode(() => desk.execute(bot, incident.id, { type: 'start_work' }, plus(t0, 2)),
    'ERR_PERMISSION_DENIED', { role: 'automation', action: 'work' });
});
