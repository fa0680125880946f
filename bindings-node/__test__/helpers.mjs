// Shared set-up for the binding's tests: the native module, actors, a small directory.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
export const binding = require('../index.js');

export const at = (iso) => new Date(iso);
export const plus = (date, minutes) => new Date(date.getTime() + minutes * 60000);

export const ann = { id: 'ann', role: 'end_user' };
export const zoe = { id: 'zoe', role: 'end_user' };
export const bob = { id: 'bob', role: 'analyst' };
export const eve = { id: 'eve', role: 'analyst' };
export const max = { id: 'max', role: 'manager' };
export const bot = { id: 'monitoring', role: 'automation' };
export const root = { id: 'root', role: 'administrator' };

/** Two incident workgroups and one work-order workgroup. */
export const directory = {
  workgroups: [
    { id: 'service-desk', name: 'Service desk', members: ['bob'], managers: ['max'] },
    { id: 'network', name: 'Network', members: ['eve'] },
    { id: 'on-site', name: 'On-site', kind: 'work_order', members: ['bob'] },
  ],
  rules: [{ name: 'network issues', category: 'network', workgroup: 'network' }],
  defaultWorkgroup: 'service-desk',
};

export function newDesk(extra = {}) {
  return new binding.Desk({ directory, ...extra });
}

export const report = (overrides = {}) => ({
  shortDescription: 'Cannot print', channel: 'portal', impact: 3, urgency: 2, ...overrides,
});

/** Asserts that `fn` throws an `Error` with `code` and the given properties. */
export function throwsCode(fn, code, props = {}) {
  let caught;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof Error, `expected an Error with code ${code}, got ${caught}`);
  assert.equal(caught.code, code, caught.message);
  for (const [key, value] of Object.entries(props)) {
    assert.deepEqual(caught[key], value, `${key} of ${caught.message}`);
  }
  return caught;
}
