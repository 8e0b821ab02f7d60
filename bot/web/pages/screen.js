/* The lobby screen: now and next per room, the open spaces of the hallway
   track (in this room, or in every board room), the latest announcement,
   live. */
'use strict';
(function () {
  var room = null;
  var m = /^\/screen\/(.+)$/.exec(location.pathname);
  if (m) { try { room = decodeURIComponent(m[1]); } catch (e) { room = m[1]; } }
  var state = { zone: 'UTC', skew: 0, offlineSince: null, data: null, spaces: null, schedErr: null };

  function serverNow() { return Date.now() + state.skew; }

  function talkCard(kind, t) {
    var card = hw.el('div', 'talk ' + kind + (t && t.status ? ' ' + t.status : ''));
    card.appendChild(hw.el('div', 'when', kind === 'now' ? 'Now' : 'Next'));
    if (!t) {
      card.appendChild(hw.el('div', 'title none', kind === 'now' ? 'Nothing on' : 'Nothing later today'));
      return card;
    }
    var time = hw.hm(state.zone, t.start) + '–' + hw.hm(state.zone, t.end);
    if (hw.day(state.zone, t.start) !== hw.day(state.zone, serverNow())) time = hw.day(state.zone, t.start) + ', ' + time;
    card.appendChild(hw.el('div', 'time', time));
    var title = hw.el('div', 'title', t.title);
    card.appendChild(title);
    if (t.speakers && t.speakers.length) card.appendChild(hw.el('div', 'speakers', t.speakers.join(', ')));
    if (t.status === 'cancelled') {
      card.appendChild(hw.el('div', 'mark', 'Cancelled'));
    } else if (t.status === 'moved') {
      var was = [];
      if (t.old_room && t.old_room !== t.room) was.push('from ' + t.old_room);
      if (typeof t.old_start === 'number' && t.old_start !== t.start) was.push('was ' + hw.hm(state.zone, t.old_start));
      card.appendChild(hw.el('div', 'mark', 'Moved' + (was.length ? ': ' + was.join(', ') : '')));
    }
    return card;
  }

  function render() {
    var d = state.data, main = document.getElementById('rooms');
    if (!d) return;
    document.getElementById('conf').textContent = room ? room : (d.conference || 'Schedule');
    document.title = (room ? room + ' · ' : '') + (d.conference || 'hallway');
    hw.clear(main);
    var rooms = d.rooms || [];
    main.className = 'rooms' + (room ? ' single' : '') + (rooms.length > 6 ? ' many' : '');
    if (!rooms.length) {
      main.appendChild(hw.el('p', 'empty', room ? 'No talks in this room.' : 'No talks to show.'));
    }
    rooms.forEach(function (r) {
      var sec = hw.el('section', 'room');
      sec.setAttribute('data-room', r.room);
      sec.appendChild(hw.el('h2', 'room-name', r.room));
      sec.appendChild(talkCard('now', r.now));
      sec.appendChild(talkCard('next', r.next));
      main.appendChild(sec);
    });
    tick();
  }

  function tick() {
    var now = serverNow();
    document.getElementById('clock').textContent = hw.hm(state.zone, now);
    if (state.data || boardRoom()) document.getElementById('updated').textContent =
      hw.day(state.zone, now) + ' · times in ' + state.zone;
    if (state.spaces) renderSpaces();
  }

  function showBanner(a) {
    var b = document.getElementById('banner');
    if (!a || !a.text) { b.hidden = true; return; }
    document.getElementById('banner-text').textContent = a.text;
    b.hidden = false;
  }

  function load() {
    var q = room ? '?room=' + encodeURIComponent(room) : '';
    var before = Date.now();
    return hw.getJSON('/api/schedule/screen' + q).then(function (d) {
      state.zone = d.zone || 'UTC';
      if (typeof d.now === 'number') state.skew = d.now - (before + Date.now()) / 2;
      state.data = d;
      state.schedErr = null;
      var l = document.getElementById('loading'); if (l) l.remove();
      render();
    }).catch(function (e) {
      state.schedErr = e;
      scheduleFailed();
    });
  }

  /* A board room that is not in the schedule has open spaces only. */
  function boardRoom() {
    return !!(room && state.spaces && (state.spaces.rooms || []).length);
  }

  function scheduleFailed() {
    var main = document.getElementById('rooms');
    if (state.data || !state.schedErr) return;
    hw.clear(main);
    if (boardRoom()) {
      document.getElementById('conf').textContent = room;
      document.title = room + ' · hallway';
      main.className = 'rooms single';
      tick();
      return;
    }
    main.appendChild(hw.el('p', 'empty', 'The schedule is not available: ' + state.schedErr.message));
  }

  function spaceCard(s, now) {
    var on = s.start <= now && now < s.end;
    var card = hw.el('div', 'space' + (on ? ' now' : ''));
    var time = hw.hm(state.zone, s.start) + '–' + hw.hm(state.zone, s.end);
    if (hw.day(state.zone, s.start) !== hw.day(state.zone, now)) time = hw.day(state.zone, s.start) + ', ' + time;
    card.setAttribute('data-id', String(s.id));
    card.appendChild(hw.el('div', 'time', (on ? 'Now · ' : '') + time));
    card.appendChild(hw.el('div', 'topic', s.topic));
    card.appendChild(hw.el('div', 'where', (room ? '' : s.room + ' · ') + 'hosted by ' + s.host));
    return card;
  }

  function renderSpaces() {
    var sec = document.getElementById('spaces'), list = document.getElementById('space-list');
    var d = state.spaces, now = serverNow();
    var shown = d ? (d.spaces || []).filter(function (s) { return s.end > now; }) : [];
    hw.clear(list);
    shown.forEach(function (s) { list.appendChild(spaceCard(s, now)); });
    sec.hidden = !shown.length;
  }

  function loadSpaces() {
    var q = room ? '?room=' + encodeURIComponent(room) : '';
    return hw.getJSON('/api/openspaces/screen' + q).then(function (d) {
      state.spaces = d;
      if (!state.data && d.zone) state.zone = d.zone;
      if (!state.data && typeof d.now === 'number') state.skew = d.now - Date.now();
      renderSpaces();
      scheduleFailed();
    }).catch(function () { state.spaces = null; renderSpaces(); });
  }

  function loadBanner() {
    return hw.getJSON('/api/announce/latest').then(showBanner).catch(function () {});
  }

  function online(up) {
    var s = document.getElementById('status');
    if (up) {
      if (state.offlineSince !== null) { state.offlineSince = null; s.hidden = true; }
      load(); loadSpaces(); loadBanner(); /* catch up on what was missed */
      return;
    }
    if (state.offlineSince === null) {
      state.offlineSince = serverNow();
      s.textContent = 'offline since ' + hw.hm(state.zone, state.offlineSince);
      s.hidden = false;
    }
  }

  function message(topic, data) {
    if (topic === 'announce.latest') showBanner(data);
    else if (topic === 'openspaces.screen') loadSpaces();
    else if (topic.indexOf('schedule.') === 0) load();
  }

  document.addEventListener('DOMContentLoaded', function () {
    hw.stream(message, online);
    setInterval(tick, 10000);
  });
})();
