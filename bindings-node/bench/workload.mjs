// The lifecycle workload of ../../../shared/peers/workload.md, through the Node binding.
//
// Usage: node bench/workload.mjs N [--persist]
// Prints the oracle's line on stdout and the run time on stderr.
//
// JavaScript generates the workload (the same 64-bit LCG as the peers) and hands it to the
// desk as one command batch: 16 distinct commands and 8 rows per incident (open, assign,
// reassign, start, hold, resume, resolve, confirm), times as epoch milliseconds. Each row
// is decided by the core with the desk's configuration and each event drives the SLA
// clocks; the totals are summed here from the clocks the batch returns. With --persist the
// incidents and their audit trails are also saved in the desk's (in-memory) store.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const { Desk } = require('../index.js');

const HOLIDAYS = ['2026-01-01', '2026-04-06', '2026-04-27', '2026-05-14', '2026-05-25',
  '2026-12-25', '2026-12-26', '2027-01-01'];
const RESPONSE_S = [0, 900, 1800, 7200, 14400, 28800];
const RESOLUTION_S = [0, 14400, 28800, 86400, 144000, 288000];
const OFFICE = ['08:00-18:00'];

/** The workload's desk configuration: two workgroups, the ITIL matrix, the SLA targets. */
export function workloadConfig() {
  const definitions = [];
  for (let p = 1; p <= 5; p++) {
    definitions.push(
      { id: `response-p${p}`, kind: 'response', targetSeconds: RESPONSE_S[p],
        calendar: 'office', priorities: [p] },
      { id: `resolution-p${p}`, kind: 'resolution', targetSeconds: RESOLUTION_S[p],
        calendar: 'office', priorities: [p] },
    );
  }
  return {
    directory: {
      workgroups: [
        { id: 'service-desk', name: 'Service desk' },
        { id: 'network', name: 'Network' },
      ],
      defaultWorkgroup: 'service-desk',
    },
    priorityMatrix: [[1, 2, 3], [2, 3, 4], [3, 4, 5]],
    sla: {
      calendars: {
        office: {
          timeZone: 'Europe/Amsterdam',
          week: { mon: OFFICE, tue: OFFICE, wed: OFFICE, thu: OFFICE, fri: OFFICE },
          holidays: HOLIDAYS.map((date) => ({ date })),
        },
      },
      definitions,
    },
  };
}

/** The 16 distinct commands: 9 reports (impact x urgency), then the 7 lifecycle steps. */
function commandTable() {
  const commands = [];
  for (let impact = 1; impact <= 3; impact++) {
    for (let urgency = 1; urgency <= 3; urgency++) {
      commands.push({ type: 'open',
        report: { shortDescription: 'Workload', channel: 'phone', impact, urgency } });
    }
  }
  commands.push(
    { type: 'assign', workgroup: 'service-desk' },
    { type: 'assign', workgroup: 'network' },
    { type: 'start_work' },
    { type: 'hold', reason: 'awaiting_caller' },
    { type: 'resume' },
    { type: 'resolve', code: 'fixed', notes: 'done' },
    { type: 'confirm' },
  );
  return commands;
}

/**
 * The workload's 64-bit LCG (x = x * 6364136223846793005 + 1442695040888963407 mod 2^64,
 * seed 42, each draw returns x >> 33), on four 16-bit limbs: exact in doubles and several
 * times faster than BigInt.
 */
export function lcg(seed = 42) {
  let x0 = seed & 0xffff;
  let x1 = Math.floor(seed / 0x10000) & 0xffff;
  let x2 = 0;
  let x3 = 0;
  return () => {
    const r0 = x0 * 0x7f2d + 0x814f;
    const n0 = r0 & 0xffff;
    const r1 = (r0 - n0) / 0x10000 + x0 * 0x4c95 + x1 * 0x7f2d + 0xf767;
    const n1 = r1 % 0x10000;
    const r2 = (r1 - n1) / 0x10000 + x0 * 0xf42d + x1 * 0x4c95 + x2 * 0x7f2d + 0x7b7e;
    const n2 = r2 % 0x10000;
    const r3 = (r2 - n2) / 0x10000 + x0 * 0x5851 + x1 * 0xf42d + x2 * 0x4c95 + x3 * 0x7f2d
      + 0x1405;
    x0 = n0;
    x1 = n1;
    x2 = n2;
    x3 = r3 % 0x10000;
    return (x3 * 0x8000) + (x2 >>> 1);
  };
}

/** The first `n` incidents of the workload as one command batch. */
export function workloadBatch(n) {
  const rows = 8 * n;
  const command = new Uint32Array(rows);
  const incident = new Uint32Array(rows);
  const at = new Float64Array(rows);
  const draw = lcg();
  const base = Date.UTC(2026, 0, 1);
  // Minute gaps of the seven steps: offset + draw % span, drawn in this order.
  const offset = [1, 5, 1, 10, 30, 10, 60];
  const span = [30, 240, 120, 600, 2880, 1440, 4320];
  let r = 0;
  for (let i = 0; i < n; i++) {
    const impact = 1 + (draw() % 3);
    const urgency = 1 + (draw() % 3);
    let t = base + 7 * i * 60000;
    command[r] = 3 * (impact - 1) + (urgency - 1);
    incident[r] = i;
    at[r++] = t;
    for (let step = 0; step < 7; step++) {
      t += (offset[step] + (draw() % span[step])) * 60000;
      command[r] = 9 + step;
      incident[r] = i;
      at[r++] = t;
    }
  }
  return { commands: commandTable(), command, incident, at };
}

/**
 * Runs the first `n` incidents and returns the oracle's line. Like the peers (and the Rust
 * workload example) it keeps no store by default; `persist: true` also saves every
 * incident with its audit trail in the desk's store.
 */
export function runWorkload(n, { desk = new Desk(workloadConfig()), persist = false } = {}) {
  const actor = { id: 'workload', role: 'administrator' };
  const result = desk.executeBatch(actor, workloadBatch(n), { persist });
  const { resolution, breached, elapsedSeconds } = result.clocks;
  let responseBreaches = 0;
  let resolutionBreaches = 0;
  let responseSeconds = 0;
  let resolutionSeconds = 0;
  for (let c = 0; c < resolution.length; c++) {
    if (resolution[c]) {
      resolutionBreaches += breached[c];
      resolutionSeconds += elapsedSeconds[c];
    } else {
      responseBreaches += breached[c];
      responseSeconds += elapsedSeconds[c];
    }
  }
  return `incidents=${result.incidents} response_breaches=${responseBreaches} ` +
    `resolution_breaches=${resolutionBreaches} response_business_s=${responseSeconds} ` +
    `resolution_business_s=${resolutionSeconds}`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const n = Number.parseInt(process.argv[2] ?? '20000', 10);
  const persist = process.argv.includes('--persist');
  if (!Number.isSafeInteger(n) || n < 0) {
    console.error('usage: node bench/workload.mjs N');
    process.exit(2);
  }
  const started = process.hrtime.bigint();
  const line = runWorkload(n, { persist });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(line);
  const rate = Math.round(n / seconds);
  console.error(`${n} incidents in ${seconds.toFixed(3)} s: ${rate} incidents/s`);
}
