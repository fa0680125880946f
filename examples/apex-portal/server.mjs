// Apex: a small end-user and analyst portal on the incident-core Node binding.
//
//   node server.mjs [--db PATH|:memory:] [--port 3000] [--host 127.0.0.1]
//
// End users log incidents, follow their state, priority and SLA due time, comment, and
// confirm a resolution with a rating or reopen it. Analysts see their workgroups' queue with
// SLA stages and work incidents (assign to self, start, hold, resume, resolve). Every rule is
// the core's: buttons are shown from `permittedActions` (the persona table) and
// `accepts` (the lifecycle), and each form posts one command with the version the page
// showed, so a stale page gets a conflict instead of overwriting someone else's change.
//
// Sign-in is a demo persona picker (a cookie naming the user); put real authentication in
// front of it before using it anywhere but on loopback.
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const { Desk, Store } = require('../../bindings-node/index.js');

/** The demo's people: id, display name, persona. */
export const USERS = {
  ann: { name: 'Ann Jansen', role: 'end_user' },
  zoe: { name: 'Zoe de Vries', role: 'end_user' },
  bob: { name: 'Bob Smit', role: 'analyst' },
  eve: { name: 'Eve Bakker', role: 'analyst' },
  max: { name: 'Max Visser', role: 'manager' },
};

/** Whether `id` names one of the demo users (never a property every object inherits). */
const isUser = (id) => typeof id === 'string' && Object.hasOwn(USERS, id);
/** A demo user's name, or the id itself for anyone else. */
const nameOf = (id) => (isUser(id) ? USERS[id].name : id);

const OFFICE = ['08:00-18:00'];
const RESPONSE = [0, 900, 1800, 7200, 14400, 28800];
const RESOLUTION = [0, 14400, 28800, 86400, 144000, 288000];

/** The desk's configuration: workgroups, routing, SLA targets per priority. */
export function portalConfig() {
  const definitions = [];
  for (let p = 1; p <= 5; p++) {
    definitions.push(
      { id: `response-p${p}`, name: `Response P${p}`, kind: 'response',
        targetSeconds: RESPONSE[p], calendar: 'office', priorities: [p] },
      { id: `resolution-p${p}`, name: `Resolution P${p}`, kind: 'resolution',
        targetSeconds: RESOLUTION[p], calendar: 'office', priorities: [p] },
    );
  }
  return {
    directory: {
      workgroups: [
        { id: 'service-desk', name: 'Service desk', members: ['bob'], managers: ['max'] },
        { id: 'network', name: 'Network', members: ['eve'], managers: ['max'] },
      ],
      rules: [{ name: 'network issues', category: 'network', workgroup: 'network' }],
      defaultWorkgroup: 'service-desk',
    },
    sla: {
      calendars: {
        office: {
          name: 'Office hours (Amsterdam)',
          timeZone: 'Europe/Amsterdam',
          week: { mon: OFFICE, tue: OFFICE, wed: OFFICE, thu: OFFICE, fri: OFFICE },
          holidays: [{ date: '12-25', name: 'Christmas' }, { date: '01-01', name: 'New year' }],
        },
      },
      definitions,
    },
  };
}

const LABELS = {
  new: 'New', assigned: 'Assigned', in_progress: 'In progress', on_hold: 'On hold',
  resolved: 'Resolved', closed: 'Closed', canceled: 'Canceled',
  running: 'Running', paused: 'Paused', met: 'Met', breached: 'Breached',
  cancelled: 'Cancelled',
};
const LEVELS = { 1: '1 - High', 2: '2 - Medium', 3: '3 - Low' };
const HOLD_REASONS = {
  awaiting_caller: 'Awaiting caller', awaiting_vendor: 'Awaiting vendor',
  awaiting_change: 'Awaiting change', awaiting_problem: 'Awaiting problem',
};

const escape = (text) => String(text ?? '').replace(/[&<>"']/g,
  (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

const when = (date) => (date ? new Intl.DateTimeFormat('en-GB', {
  dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Amsterdam',
}).format(date) : '—');

const short = (date) => (date ? new Intl.DateTimeFormat('en-GB', {
  weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit',
  timeZone: 'Europe/Amsterdam',
}).format(date) : '—');

/** The due time of a clock, or when it stopped. */
const due = (c) => (c.dueAt ? short(c.dueAt) : c.stoppedAt ? `stopped ${short(c.stoppedAt)}`
  : '—');

const badge = (value) => `<span class="badge ${escape(value)}">${escape(LABELS[value]
  ?? value)}</span>`;

const STYLE = `
:root { --ink:#1f2933; --muted:#66788a; --line:#e4e7eb; --brand:#0b5fff; --bg:#f5f7fa; }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color:var(--ink); background:var(--bg); }
header { background:#102a43; color:#fff; padding:0 24px; display:flex; align-items:center;
  gap:24px; height:56px; }
header .logo { font-weight:700; letter-spacing:.5px; font-size:18px; }
header nav a { color:#d9e2ec; text-decoration:none; margin-right:16px; }
header .who { margin-left:auto; color:#bcccdc; }
header .who a { color:#fff; margin-left:12px; }
main { max-width:1040px; margin:24px auto; padding:0 24px; }
h1 { font-size:22px; margin:0 0 16px; }
h2 { font-size:17px; margin:0 0 12px; }
.card { background:#fff; border:1px solid var(--line); border-radius:10px; padding:20px;
  margin-bottom:20px; box-shadow:0 1px 2px rgba(16,42,67,.05); }
.grid { display:grid; grid-template-columns: 3fr 2fr; gap:20px; }
.grid.list { grid-template-columns: 5fr 2fr; }
table { width:100%; border-collapse:collapse; }
th, td { text-align:left; padding:9px 8px; border-bottom:1px solid var(--line); }
th { color:var(--muted); font-weight:600; font-size:13px; text-transform:uppercase; }
td a { color:var(--brand); text-decoration:none; font-weight:600; }
label { display:block; font-weight:600; margin:10px 0 4px; font-size:14px; }
input[type=text], textarea, select { width:100%; padding:8px 10px; border:1px solid #cbd2d9;
  border-radius:6px; font:inherit; background:#fff; }
textarea { min-height:70px; }
.row { display:flex; gap:12px; } .row > * { flex:1; }
button { background:var(--brand); color:#fff; border:0; border-radius:6px; padding:8px 16px;
  font:inherit; font-weight:600; cursor:pointer; margin-top:12px; }
button.secondary { background:#fff; color:var(--brand); border:1px solid var(--brand); }
button.warn { background:#d64545; }
.actions form { display:inline-block; margin-right:8px; vertical-align:top; }
.badge { display:inline-block; padding:2px 10px; border-radius:999px; font-size:12px;
  font-weight:700; background:#e4e7eb; color:#334e68; }
.badge.new, .badge.assigned { background:#dceefb; color:#0b4f8a; }
.badge.in_progress, .badge.running { background:#e3f9e5; color:#1f7a2e; }
.badge.on_hold, .badge.paused { background:#fff3c4; color:#8d6708; }
.badge.resolved, .badge.met { background:#e0e8f9; color:#35469c; }
.badge.closed, .badge.canceled, .badge.cancelled { background:#e4e7eb; color:#52606d; }
.badge.breached { background:#ffe3e3; color:#a61b1b; }
.nowrap { white-space:nowrap; }
.prio { font-weight:700; } .muted { color:var(--muted); font-size:13px; }
.flash { padding:10px 14px; border-radius:8px; margin-bottom:16px; background:#ffe3e3;
  color:#8a1c1c; border:1px solid #f5b7b1; }
.flash.ok { background:#e3f9e5; color:#1f6f2e; border-color:#a8e6b0; }
.comment { border-left:3px solid var(--line); padding:4px 12px; margin:8px 0; }
.comment .meta { color:var(--muted); font-size:13px; }
dl { display:grid; grid-template-columns: 130px 1fr; gap:6px 12px; margin:0; }
dt { color:var(--muted); } dd { margin:0; }
.stars label { display:inline-block; margin-right:10px; font-weight:500; }
.signin a { display:block; padding:12px 14px; border:1px solid var(--line); border-radius:8px;
  margin-bottom:10px; text-decoration:none; color:var(--ink); background:#fff; }
.signin a:hover { border-color:var(--brand); }
`;

function page(user, title, body, flash) {
  const nav = !user ? '' : USERS[user].role === 'end_user'
    ? '<nav><a href="/my">My incidents</a></nav>'
    : '<nav><a href="/queue">Workgroup queue</a></nav>';
  const who = user
    ? `<span class="who">${escape(USERS[user].name)} · ${escape(USERS[user].role
      .replace('_', ' '))}<a href="/signout">Sign out</a></span>`
    : '';
  const message = flash
    ? `<div class="flash ${flash.ok ? 'ok' : ''}" role="status">${escape(flash.text)}</div>`
    : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} · Apex</title><style>${STYLE}</style></head>
<body><header><span class="logo">APEX · IT Help</span>${nav}${who}</header>
<main>${message}${body}</main></body></html>`;
}

/** Builds the HTTP handler over a desk; `clock` gives "now" (the host's clock). */
export function createPortal({ desk, clock = () => new Date() }) {
  const actorOf = (user) => ({ id: user, role: USERS[user].role });

  async function slaSummary(incident, now) {
    const clocks = await desk.slaStatusAsync(incident.id, now);
    const live = (kind) => clocks.filter((c) => c.kind === kind).at(-1);
    return { clocks, response: live('response'), resolution: live('resolution') };
  }

  function signIn() {
    const links = Object.entries(USERS).map(([id, u]) =>
      `<a href="/signin?user=${id}" data-user="${id}"><strong>${escape(u.name)}</strong>
       <span class="muted"> — ${escape(u.role.replace('_', ' '))}</span></a>`).join('');
    return page(null, 'Sign in', `<div class="card signin" style="max-width:420px">
      <h1>Sign in</h1><p class="muted">Demo personas; no passwords.</p>${links}</div>`);
  }

  async function myIncidents(user, flash) {
    const now = clock();
    const mine = await desk.queryAsync({ caller: user });
    const rows = [];
    for (const incident of mine.reverse()) {
      const sla = await slaSummary(incident, now);
      rows.push(`<tr><td><a href="/incidents/${incident.id}">${incident.number}</a></td>
        <td>${escape(incident.shortDescription)}</td><td>${badge(incident.state)}</td>
        <td class="prio">P${incident.priority}</td>
        <td class="nowrap">${sla.resolution ? `${due(sla.resolution)}
          ${badge(sla.resolution.stage)}` : '—'}</td></tr>`);
    }
    const options = (name) => Object.entries(LEVELS).map(([v, l]) =>
      `<option value="${v}" ${v === '2' ? 'selected' : ''}>${l}</option>`).join('');
    const body = `<div class="grid list">
      <div class="card"><h1>My incidents</h1>
        ${rows.length ? `<table><thead><tr><th>Number</th><th>Summary</th><th>State</th>
          <th>Priority</th><th>Resolution due</th></tr></thead><tbody>${rows.join('')}
          </tbody></table>` : '<p class="muted">No incidents yet.</p>'}</div>
      <div class="card"><h2>Report a problem</h2>
        <form method="post" action="/incidents">
          <label for="summary">What is wrong?</label>
          <input type="text" id="summary" name="summary" required maxlength="160">
          <label for="description">Details</label>
          <textarea id="description" name="description"></textarea>
          <div class="row"><div><label for="impact">Impact</label>
            <select id="impact" name="impact">${options('impact')}</select></div>
          <div><label for="urgency">Urgency</label>
            <select id="urgency" name="urgency">${options('urgency')}</select></div></div>
          <label for="category">Category</label>
          <select id="category" name="category"><option value="">Other</option>
            <option value="network">Network</option><option value="hardware">Hardware</option>
            <option value="software">Software</option></select>
          <button type="submit">Log incident</button>
        </form></div></div>`;
    return page(user, 'My incidents', body, flash);
  }

  async function queue(user, flash) {
    const now = clock();
    const groups = portalConfig().directory.workgroups.filter((g) =>
      (g.members ?? []).includes(user) || (g.managers ?? []).includes(user));
    const sections = [];
    for (const group of groups) {
      const open = await desk.queryAsync({ workgroup: group.id,
        states: ['new', 'assigned', 'in_progress', 'on_hold'] });
      const rows = [];
      for (const incident of open) {
        const sla = await slaSummary(incident, now);
        const cell = (c) => (c ? `${badge(c.stage)} <span class="muted nowrap">${due(c)}
          </span>` : '—');
        rows.push(`<tr><td><a href="/incidents/${incident.id}">${incident.number}</a></td>
          <td>${escape(incident.shortDescription)}</td><td>${badge(incident.state)}</td>
          <td class="prio">P${incident.priority}</td>
          <td>${escape(incident.assignee ?? 'unassigned')}</td>
          <td>${cell(sla.response)}</td><td>${cell(sla.resolution)}</td></tr>`);
      }
      sections.push(`<div class="card"><h2>${escape(group.name)} queue</h2>
        ${rows.length ? `<table><thead><tr><th>Number</th><th>Summary</th><th>State</th>
          <th>Priority</th><th>Assignee</th><th>Response SLA</th><th>Resolution SLA</th>
          </tr></thead><tbody>${rows.join('')}</tbody></table>`
          : '<p class="muted">Nothing waiting.</p>'}</div>`);
    }
    return page(user, 'Queue', `<h1>Workgroup queue</h1>${sections.join('')}`, flash);
  }

  async function incidentPage(user, id, flash) {
    const now = clock();
    const actor = actorOf(user);
    const incident = await desk.viewAsync(actor, id);
    const permitted = new Set(desk.permittedActions(actor, id));
    const accepts = (command) => desk.accepts(actor, id, command, now);
    const sla = await slaSummary(incident, now);
    const form = (action, label, inner = '', cls = '') => `<form method="post"
      action="/incidents/${id}/act"><input type="hidden" name="action" value="${action}">
      <input type="hidden" name="version" value="${incident.version}">${inner}
      <button type="submit" class="${cls}" data-action="${action}">${label}</button></form>`;

    const buttons = [];
    if (permitted.has('assign_to_self') && incident.assignee !== user
      && accepts({ type: 'assign', assignee: user })) {
      buttons.push(form('assign_to_self', 'Assign to me', '', 'secondary'));
    }
    if (permitted.has('work') && accepts({ type: 'start_work' })) {
      buttons.push(form('start_work', 'Start work'));
    }
    if (permitted.has('work') && accepts({ type: 'resume' })) {
      buttons.push(form('resume', 'Resume work'));
    }
    if (permitted.has('hold') && accepts({ type: 'hold', reason: 'awaiting_caller' })) {
      const reasons = Object.entries(HOLD_REASONS).map(([v, l]) =>
        `<option value="${v}">${l}</option>`).join('');
      buttons.push(form('hold', 'Put on hold', `<select name="reason" aria-label="Hold reason">
        ${reasons}</select>`, 'secondary'));
    }
    const resolvePanel = permitted.has('resolve')
      && accepts({ type: 'resolve', code: 'x', notes: 'x' })
      ? `<div class="card"><h2>Resolve</h2>${form('resolve', 'Resolve incident', `
          <label for="code">Resolution code</label><select id="code" name="code">
            <option>Solved (permanently)</option><option>Solved (workaround)</option>
            <option>Not reproducible</option></select>
          <label for="notes">Resolution notes</label>
          <textarea id="notes" name="notes" required></textarea>`)}</div>` : '';
    const confirmPanel = permitted.has('confirm') && accepts({ type: 'confirm' })
      ? `<div class="card"><h2>Is it fixed?</h2>${form('confirm', 'Yes, close it', `
          <div class="stars" role="radiogroup" aria-label="Rating">${[1, 2, 3, 4, 5].map((r) =>
            `<label><input type="radio" name="rating" value="${r}" ${r === 5 ? 'checked' : ''}>
            ${'★'.repeat(r)}</label>`).join('')}</div>
          <label for="feedback">Feedback (optional)</label>
          <input type="text" id="feedback" name="feedback">`)}
        ${permitted.has('reopen') && accepts({ type: 'reopen', reason: 'x' })
          ? form('reopen', 'No, reopen it', `<label for="reopen-reason">What is still wrong?
            </label><input type="text" id="reopen-reason" name="reason" required>`, 'warn')
          : ''}</div>` : '';
    const commentPanel = permitted.has('comment') && accepts({ type: 'comment', text: 'x' })
      ? form('comment', 'Add comment', `<label for="text">Add a comment</label>
          <textarea id="text" name="text" required></textarea>`) : '';

    const comments = incident.comments.map((c) => `<div class="comment"><div class="meta">
      ${escape(nameOf(c.author))} · ${when(c.at)}</div>${escape(c.text)}</div>`)
      .join('') || '<p class="muted">No comments yet.</p>';
    const clocks = sla.clocks.map((c) => `<tr><td>${escape(c.name || c.definition)}</td>
      <td>${badge(c.stage)}</td><td class="nowrap">${due(c)}</td>
      <td class="nowrap">${Math.round(c.elapsedSeconds / 60)} / ${Math.round(c.targetSeconds
        / 60)} min</td></tr>`).join('');

    const body = `<h1>${incident.number} · ${escape(incident.shortDescription)}</h1>
      <div class="grid"><div>
        <div class="card"><dl>
          <dt>State</dt><dd id="state">${badge(incident.state)}${incident.holdReason
            ? ` <span class="muted">${escape(HOLD_REASONS[incident.holdReason]
              ?? incident.holdReason)}</span>` : ''}</dd>
          <dt>Priority</dt><dd id="priority" class="prio">P${incident.priority}
            <span class="muted">(impact ${incident.impact}, urgency ${incident.urgency})</span></dd>
          <dt>SLA due</dt><dd id="sla-due">${sla.resolution ? `${sla.resolution.dueAt
            ? when(sla.resolution.dueAt) : due(sla.resolution)}
            ${badge(sla.resolution.stage)}` : '—'}</dd>
          <dt>Workgroup</dt><dd>${escape(incident.assignmentGroup ?? '—')}</dd>
          <dt>Assignee</dt><dd id="assignee">${escape(incident.assignee ?? 'unassigned')}</dd>
          <dt>Opened</dt><dd>${when(incident.openedAt)} by ${escape(incident.openedBy)}</dd>
          ${incident.resolution ? `<dt>Resolution</dt><dd>${escape(incident.resolution.code)}:
            ${escape(incident.resolution.notes)}</dd>` : ''}
          ${incident.feedback ? `<dt>Rating</dt><dd id="rating">${'★'.repeat(
            incident.feedback.rating)}</dd>` : ''}
        </dl>${incident.description ? `<p>${escape(incident.description)}</p>` : ''}</div>
        <div class="card"><h2>Conversation</h2>${comments}${commentPanel}</div>
      </div><div>
        ${buttons.length ? `<div class="card actions"><h2>Work</h2>${buttons.join('')}</div>`
          : ''}
        ${resolvePanel}${confirmPanel}
        <div class="card"><h2>Service levels</h2><table><thead><tr><th>Clock</th><th>Stage</th>
          <th>Due</th><th>Used</th></tr></thead><tbody>${clocks}</tbody></table></div>
      </div></div>`;
    return page(user, incident.number, body, flash);
  }

  /** A refusal of a malformed form, answered with 400 and `message`. */
  class BadRequest extends Error {}

  /**
   * The whole number posted as `name`, parsed strictly (optional minus sign and digits only,
   * so `abc`, `2.5`, `1e3` and an empty field are refused rather than read as NaN or 0).
   */
  function formInteger(form, name, label) {
    const text = (form.get(name) ?? '').trim();
    if (!/^-?\d{1,15}$/.test(text)) {
      throw new BadRequest(`${label} must be a whole number, not "${text}".`);
    }
    return Number(text);
  }

  function commandFrom(user, form) {
    switch (form.get('action')) {
      case 'assign_to_self': return { type: 'assign', assignee: user };
      case 'start_work': return { type: 'start_work' };
      case 'resume': return { type: 'resume' };
      case 'hold': return { type: 'hold', reason: form.get('reason') ?? '' };
      case 'resolve': return { type: 'resolve', code: form.get('code') ?? '',
        notes: form.get('notes') ?? '' };
      case 'comment': return { type: 'comment', text: form.get('text') ?? '' };
      case 'reopen': return { type: 'reopen', reason: form.get('reason') ?? '' };
      case 'confirm': {
        const comment = (form.get('feedback') ?? '').trim();
        return { type: 'confirm', feedback: { rating: formInteger(form, 'rating', 'Rating'),
          ...(comment ? { comment } : {}) } };
      }
      default: return null;
    }
  }

  const MESSAGES = {
    ERR_CONFLICT: 'Someone changed this incident meanwhile; here is the latest version.',
    ERR_PERMISSION_DENIED: 'You may not do that on this incident.',
    ERR_INVALID_TRANSITION: 'That is not possible in the incident\'s current state.',
  };

  return async function handle(request, response) {
    const url = new URL(request.url, 'http://localhost');
    const user = /(?:^|;\s*)user=(\w+)/.exec(request.headers.cookie ?? '')?.[1];
    const signedIn = isUser(user) ? user : null;
    const send = (status, html, headers = {}) => {
      response.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...headers });
      response.end(html);
    };
    const redirect = (to, headers = {}) => send(303, '', { location: to, ...headers });
    const flash = url.searchParams.get('error')
      ? { text: url.searchParams.get('error') }
      : url.searchParams.get('ok') ? { text: url.searchParams.get('ok'), ok: true } : null;

    try {
      if (url.pathname === '/signin' && isUser(url.searchParams.get('user'))) {
        const id = url.searchParams.get('user');
        const home = USERS[id].role === 'end_user' ? '/my' : '/queue';
        return redirect(home, { 'set-cookie': `user=${id}; Path=/; HttpOnly; SameSite=Lax` });
      }
      if (url.pathname === '/signout') {
        return redirect('/', { 'set-cookie': 'user=; Path=/; Max-Age=0' });
      }
      if (!signedIn) {
        return url.pathname === '/' ? send(200, signIn()) : redirect('/');
      }
      const actor = actorOf(signedIn);
      if (request.method === 'GET' && url.pathname === '/') {
        return redirect(actor.role === 'end_user' ? '/my' : '/queue');
      }
      if (request.method === 'GET' && url.pathname === '/my') {
        return send(200, await myIncidents(signedIn, flash));
      }
      if (request.method === 'GET' && url.pathname === '/queue') {
        return send(200, await queue(signedIn, flash));
      }
      const match = /^\/incidents\/([0-9a-f-]{36})(\/act)?$/.exec(url.pathname);
      if (request.method === 'GET' && match && !match[2]) {
        return send(200, await incidentPage(signedIn, match[1], flash));
      }
      if (request.method === 'POST') {
        const form = new URLSearchParams(await readBody(request));
        if (url.pathname === '/incidents') {
          const category = form.get('category') || undefined;
          const outcome = await desk.submitAsync(actor, { command: { type: 'open', report: {
            shortDescription: form.get('summary') ?? '', description: form.get('description')
              ?? '', channel: 'portal', impact: formInteger(form, 'impact', 'Impact'),
            urgency: formInteger(form, 'urgency', 'Urgency'), category,
          } } }, clock());
          return redirect(`/incidents/${outcome.incident.id}?ok=${encodeURIComponent(
            `${outcome.incident.number} logged`)}`);
        }
        if (match && match[2]) {
          const command = commandFrom(signedIn, form);
          if (!command) return send(400, page(signedIn, 'Bad request', 'Unknown action.'));
          // The version the page showed: without it the stale-page check would be skipped.
          const version = formInteger(form, 'version', 'The page version');
          try {
            await desk.submitAsync(actor, { incident: match[1], command,
              expectedVersion: version }, clock());
          } catch (error) {
            if (!error.code?.startsWith('ERR_')) throw error;
            const text = MESSAGES[error.code] ?? error.message;
            return redirect(`/incidents/${match[1]}?error=${encodeURIComponent(text)}`);
          }
          return redirect(`/incidents/${match[1]}?ok=Saved`);
        }
      }
      return send(404, page(signedIn, 'Not found', '<div class="card">Not found.</div>'));
    } catch (error) {
      const status = error instanceof BadRequest ? 400
        : error.code === 'ERR_NOT_FOUND' ? 404
        : error.code === 'ERR_PERMISSION_DENIED' ? 403
          : error.code?.startsWith('ERR_') ? 400 : 500;
      return send(status, page(signedIn, 'Error',
        `<div class="card"><h1>${status}</h1><p>${escape(error.message)}</p></div>`));
    }
  };
}

function readBody(request) {
  return new Promise((resolve, reject) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk) => {
      body += chunk;
      if (body.length > 64 * 1024) {
        reject(new Error('request body too large'));
        request.destroy();
      }
    });
    request.on('end', () => resolve(body));
    request.on('error', reject);
  });
}

/** Opens the store, builds the desk and starts listening (loopback by default). */
export async function start({ db = 'apex-portal.db', port = 3000, host = '127.0.0.1',
  clock } = {}) {
  const store = await Store.openSqlite(db);
  const desk = new Desk(portalConfig(), store);
  const server = createServer(createPortal({ desk, clock }));
  await new Promise((resolve) => server.listen(port, host, resolve));
  return server;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const option = (name, fallback) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
  };
  const server = await start({
    db: option('db', process.env.APEX_DB ?? 'apex-portal.db'),
    port: Number(option('port', process.env.PORT ?? 3000)),
    host: option('host', '127.0.0.1'),
  });
  const { address, port } = server.address();
  console.log(`Apex portal on http://${address}:${port}/`);
}
