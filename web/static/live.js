// Live updates for signed-in pages: new posts in the home feed and the
// notification count arrive over server-sent events without a reload.
// Everything still works without this file.
(function () {
  'use strict';
  // Fill in the reader's UTC offset where a form asks for it.
  var offsetField = document.querySelector('[data-local-offset]');
  if (offsetField) {
    var minutes = -new Date().getTimezoneOffset();
    var sign = minutes < 0 ? '-' : '+';
    var abs = Math.abs(minutes);
    var pad = function (n) { return (n < 10 ? '0' : '') + n; };
    offsetField.value = sign + pad(Math.floor(abs / 60)) + ':' + pad(abs % 60);
  }
  if (!window.EventSource) return;
  var feed = document.querySelector('.feed-list[data-live="home"]');
  var badge = document.getElementById('notification-count');
  var source = new EventSource('/api/v1/me/events');

  source.addEventListener('post', function (e) {
    if (!feed) return;
    var id = JSON.parse(e.data).id;
    if (document.getElementById('post-' + id)) return;
    fetch('/fragments/posts/' + encodeURIComponent(id), { credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.text() : ''; })
      .then(function (html) {
        if (!html) return;
        var holder = document.createElement('div');
        holder.innerHTML = html;
        var article = holder.firstElementChild;
        if (article && !document.getElementById(article.id)) {
          article.classList.add('arrived');
          feed.insertBefore(article, feed.firstChild);
        }
      });
  });

  var messageBadge = document.getElementById('message-count');
  var thread = document.querySelector('ol.messages[data-conversation]');

  source.addEventListener('message', function (e) {
    var data = JSON.parse(e.data);
    if (thread && thread.getAttribute('data-conversation') === data.conversation) {
      // Refresh the open conversation in place (opening it marks it read).
      fetch(window.location.pathname, { credentials: 'same-origin' })
        .then(function (r) { return r.ok ? r.text() : ''; })
        .then(function (html) {
          if (!html) return;
          var fresh = new DOMParser().parseFromString(html, 'text/html').querySelector('ol.messages');
          if (fresh) thread.innerHTML = fresh.innerHTML;
          if (messageBadge) messageBadge.hidden = true;
        });
    } else if (messageBadge) {
      messageBadge.textContent = String(data.unread_messages);
      messageBadge.hidden = data.unread_messages === 0;
    }
  });

  source.addEventListener('notifications', function (e) {
    if (!badge) return;
    var unread = JSON.parse(e.data).unread;
    badge.textContent = String(unread);
    badge.hidden = unread === 0;
  });
})();
