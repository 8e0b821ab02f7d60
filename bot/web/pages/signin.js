/* Takes the link's token (in the fragment: it never reaches a server log
 * or a link preview), signs in once, and goes to the organizer page. */
'use strict';
document.addEventListener('DOMContentLoaded', function () {
  var token = location.hash.replace(/^#/, '');
  var notice = document.getElementById('notice');
  history.replaceState(null, '', location.pathname);
  if (!/^[0-9a-f]{64}$/.test(token)) {
    notice.textContent = 'This sign-in link is incomplete. Ask the bot for a new one with the dashboard command.';
    return;
  }
  hw.getJSON('/api/auth/signin', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ token: token })
  }).then(function () {
    location.replace('/organizer');
  }).catch(function (e) {
    notice.textContent = 'Not signed in: ' + e.message;
  });
});
