// The vault page's copy buttons: fetch one value (or a TOTP code) from the
// JSON API with the session's CSRF token, put it on the clipboard, and say
// so. Nothing is kept in the page.
(function () {
  'use strict';
  var status = document.getElementById('vault-status');
  function say(text, bad) {
    if (!status) return;
    status.hidden = false;
    status.className = bad ? 'alert' : 'notice';
    status.textContent = text;
  }
  function post(button, body) {
    return fetch(button.getAttribute('data-url'), {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': button.getAttribute('data-csrf') },
      body: JSON.stringify(body || {})
    }).then(function (r) {
      return r.json().then(function (j) {
        if (!r.ok) throw new Error((j.error && j.error.message) || ('refused (' + r.status + ')'));
        return j;
      });
    });
  }
  function toClipboard(text) {
    if (navigator.clipboard && navigator.clipboard.writeText) {
      return navigator.clipboard.writeText(text).then(function () { return true; }, function () { return false; });
    }
    return Promise.resolve(false);
  }
  document.querySelectorAll('.vault-copy').forEach(function (b) {
    b.addEventListener('click', function () {
      var field = b.getAttribute('data-field');
      post(b, { field: field }).then(function (j) {
        return toClipboard(j.value).then(function (ok) {
          say(ok ? 'Copied the ' + field.replace('_', ' ') + ' to the clipboard.' : 'The clipboard is not available here.', !ok);
        });
      }).catch(function (e) { say(e.message, true); });
    });
  });
  document.querySelectorAll('.vault-totp').forEach(function (b) {
    b.addEventListener('click', function () {
      post(b).then(function (j) {
        return toClipboard(j.code).then(function (ok) {
          say((ok ? 'Copied TOTP code ' : 'TOTP code ') + j.code + ' (good for ' + j.seconds_left + ' more seconds).', false);
        });
      }).catch(function (e) { say(e.message, true); });
    });
  });
})();
