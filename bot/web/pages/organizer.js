/* The organizer page: plugin panels (reply models), health, plugins, and
 * actions that run commands through the bot as the signed-in organizer. */
'use strict';
(function () {
  var session = null;
  var el = hw.el;

  function post(url, body) {
    return hw.getJSON(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': session.csrf },
      body: JSON.stringify(body)
    });
  }

  function table(columns, rows) {
    var t = el('table'), head = el('tr');
    columns.forEach(function (c) { head.appendChild(el('th', null, c)); });
    t.appendChild(head);
    rows.forEach(function (r) {
      var tr = el('tr');
      (r || []).forEach(function (c) { tr.appendChild(el('td', null, c === null || c === undefined ? '' : c)); });
      t.appendChild(tr);
    });
    return t;
  }

  function when(zone, ms) { return typeof ms === 'number' ? hw.day(zone, ms) + ' ' + hw.hm(zone, ms) : ''; }

  function item(zone, it) {
    var d = el('div', 'item');
    switch (it.kind) {
      case 'table':
        if (it.title) d.appendChild(el('strong', null, it.title));
        d.appendChild(table(it.columns || [], it.rows || []));
        break;
      case 'field':
        d.appendChild(el('strong', null, (it.name || '') + ': '));
        d.appendChild(el('span', null, it.value || ''));
        break;
      case 'text':
        d.appendChild(el('div', null, it.text || ''));
        break;
      default: { /* talk, sprint, openspace */
        d.appendChild(el('strong', null, it.title || ''));
        var bits = [];
        if (it.start) bits.push(when(zone, it.start));
        if (it.room) bits.push(it.room);
        if (typeof it.capacity === 'number') bits.push((it.count || 0) + ' of ' + it.capacity + ' seats');
        else if (typeof it.count === 'number') bits.push(it.count + ' signed up');
        if (it.waitlist) bits.push(it.waitlist + ' waiting');
        if (it.status) bits.push(it.status);
        if (it.speakers && it.speakers.length) bits.push(it.speakers.join(', '));
        if (it.host) bits.push('host ' + it.host);
        d.appendChild(el('div', 'muted', bits.join(' · ')));
        if (it.note) d.appendChild(el('div', null, it.note));
      }
    }
    return d;
  }

  function actionButton(a, after) {
    var b = el('button', a.style === 'danger' ? 'danger' : a.style === 'primary' ? 'primary' : null, a.label || a.command);
    if (a.url && /^https?:/.test(a.url)) {
      var l = el('a', null, a.label || a.url); l.href = a.url; l.rel = 'noopener noreferrer'; return l;
    }
    if (!a.command) { b.disabled = true; return b; }
    b.addEventListener('click', function () {
      if (a.style === 'danger' && !confirm('Run "' + a.command + '"?')) return;
      run(a.command).then(after);
    });
    return b;
  }

  /* Draws a reply model (include/hallway/reply.h) into node. */
  function model(m, node, after) {
    var zone = m.zone || 'UTC';
    if (m.title) node.appendChild(el('h3', null, m.title));
    if (m.text) node.appendChild(el('p', null, m.text));
    (m.items || []).forEach(function (it) { node.appendChild(item(zone, it)); });
    if (m.more && m.more.command) node.appendChild(actionButton({ label: 'Show more (' + m.more.shown + ' of ' + m.more.total + ')', command: m.more.command }, after));
    (m.actions || []).forEach(function (a) { if (a.command || a.url) node.appendChild(actionButton(a, after)); });
    if (m.choice && m.choice.options) {
      m.choice.options.forEach(function (o) {
        node.appendChild(actionButton({ label: o.label, command: m.choice.command + ' ' + o.value }, after));
      });
    }
  }

  function showReplies(res) {
    var out = document.getElementById('result');
    hw.clear(out);
    (res.replies || []).forEach(function (r) {
      if (r.model) model(r.model, out, refresh);
      if (r.text) out.appendChild(el('pre', 'reply', r.text));
      (r.embeds || []).forEach(function (e) {
        if (e.title) out.appendChild(el('strong', null, e.title));
        if (e.description) out.appendChild(el('pre', 'reply', e.description));
        (e.fields || []).forEach(function (f) { out.appendChild(el('div', null, (f.name || '') + ': ' + (f.value || ''))); });
      });
      if (r.file && typeof r.file.data === 'string') {
        var a = el('a', null, 'Download ' + r.file.name);
        a.href = URL.createObjectURL(new Blob([r.file.data], { type: 'text/plain' }));
        a.download = r.file.name;
        out.appendChild(a);
      }
    });
    if (res.pending) out.appendChild(el('p', 'muted', 'The command is still working; its later answers are not shown here.'));
  }

  function run(command) {
    return post('/api/action', { command: command }).then(showReplies).catch(function (e) {
      var out = document.getElementById('result'); hw.clear(out);
      out.appendChild(el('p', 'bad', 'Failed: ' + e.message));
    });
  }

  function loadPanels() {
    var box = document.getElementById('panels');
    hw.clear(box);
    (session.panels || []).forEach(function (p) {
      var sec = el('section', 'panel');
      sec.setAttribute('data-panel', p.path);
      sec.appendChild(el('h2', null, p.title));
      var body = el('div', 'panel-body', 'Loading…');
      sec.appendChild(body);
      box.appendChild(sec);
      hw.getJSON(p.path).then(function (m) { hw.clear(body); model(m, body, refresh); })
        .catch(function (e) { body.textContent = 'Not available: ' + e.message; });
    });
  }

  function showHealth() {
    var h = session.health || {}, rows = [];
    Object.keys(h.checks || {}).forEach(function (k) {
      var c = h.checks[k];
      var age = typeof c.age_s === 'number' ? Math.round(c.age_s) + ' s ago' : '';
      rows.push([k, c.ok ? 'ok' : 'PROBLEM', c.detail || '', age]);
    });
    var box = document.getElementById('health'); hw.clear(box);
    box.appendChild(el('p', h.status === 'ok' ? 'ok' : 'bad', h.status === 'ok' ? 'Everything is working.' : 'Problems: ' + (h.problems || []).length));
    box.appendChild(table(['Check', 'State', 'Detail', 'Last report'], rows));
    var pl = document.getElementById('plugins'); hw.clear(pl);
    pl.appendChild(table(['Plugin', 'Version', 'State', 'Commands', 'Errors'],
      (session.plugins || []).map(function (p) { return [p.name, p.version, p.state, String(p.commands_run), String(p.errors)]; })));
  }

  function refresh() {
    return hw.getJSON('/api/organizer/session').then(function (s) {
      session = s;
      document.getElementById('notice').hidden = true;
      document.getElementById('app').hidden = false;
      document.getElementById('who').textContent = 'signed in as ' + s.user_id;
      document.getElementById('signout').hidden = false;
      loadPanels();
      showHealth();
    }).catch(function (e) {
      var n = document.getElementById('notice');
      n.hidden = false;
      document.getElementById('app').hidden = true;
      n.textContent = e.status === 401
        ? 'You are not signed in. Type dashboard to the bot in the conference server: it sends you a sign-in link.'
        : 'The organizer page is not available: ' + e.message;
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    document.getElementById('cmdform').addEventListener('submit', function (ev) {
      ev.preventDefault();
      var c = document.getElementById('cmd').value.trim();
      if (c) run(c).then(refresh);
    });
    document.getElementById('signout').addEventListener('click', function () {
      post('/api/auth/signout', {}).then(function () { location.reload(); });
    });
    refresh();
    hw.stream(function (topic) {
      if (session && topic.indexOf('schedule.') !== 0) loadPanels();
    }, function () {});
  });
})();
