/* hallway pages: shared helpers. Data is only ever set with textContent. */
'use strict';
var hw = (function () {
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }
  function fmt(zone, ms, opts) {
    try {
      return new Intl.DateTimeFormat('en-GB', Object.assign({ timeZone: zone || 'UTC' }, opts)).format(new Date(ms));
    } catch (e) {
      return new Intl.DateTimeFormat('en-GB', opts).format(new Date(ms));
    }
  }
  function hm(zone, ms) { return fmt(zone, ms, { hour: '2-digit', minute: '2-digit', hour12: false }); }
  function day(zone, ms) { return fmt(zone, ms, { weekday: 'long', day: 'numeric', month: 'long' }); }
  function getJSON(url, opts) {
    return fetch(url, Object.assign({ credentials: 'same-origin', cache: 'no-store' }, opts || {}))
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (body) {
          if (!r.ok) { var e = new Error(body.error || ('HTTP ' + r.status)); e.status = r.status; throw e; }
          return body;
        });
      });
  }
  /* The push stream: onmessage(topic, data); onstate(online). */
  function stream(onmessage, onstate) {
    var es = new EventSource('/events');
    es.onopen = function () { onstate(true); };
    es.onerror = function () { onstate(false); };
    es.onmessage = function (ev) {
      var msg;
      try { msg = JSON.parse(ev.data); } catch (e) { return; }
      if (msg && typeof msg.topic === 'string') onmessage(msg.topic, msg.data);
    };
    return es;
  }
  return { el: el, clear: clear, hm: hm, day: day, getJSON: getJSON, stream: stream };
})();
