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
  // While someone types to a help desk, offer the articles that may
  // already answer them; "This solved it" tells the desk so, and nothing
  // is sent.
  Array.prototype.forEach.call(document.querySelectorAll('textarea[data-suggest]'), function (box) {
    var panel = box.parentNode.querySelector('.kb-suggestions');
    var form = box.form;
    var csrf = form && form.querySelector('input[name="csrf_token"]');
    if (!panel || !csrf || !window.fetch) return;
    var timer = null;
    var asked = '';
    var show = function (articles) {
      panel.textContent = '';
      if (!articles.length) { panel.hidden = true; return; }
      var heading = document.createElement('p');
      heading.className = 'kb-heading';
      heading.textContent = 'These articles may already answer you:';
      panel.appendChild(heading);
      var list = document.createElement('ul');
      articles.forEach(function (a) {
        var item = document.createElement('li');
        var link = document.createElement('a');
        link.href = a.url;
        link.target = '_blank';
        link.textContent = a.title;
        var solved = document.createElement('button');
        solved.type = 'button';
        solved.textContent = 'This solved it';
        solved.addEventListener('click', function () {
          fetch('/api/v1/articles/' + encodeURIComponent(a.id) + '/deflections', {
            method: 'POST',
            credentials: 'same-origin',
            headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf.value },
            body: '{}'
          }).then(function (r) {
            if (!r.ok) return;
            box.value = '';
            panel.textContent = '';
            var done = document.createElement('p');
            done.className = 'notice';
            done.setAttribute('role', 'status');
            done.textContent = 'Glad it helped. Nothing was sent.';
            panel.appendChild(done);
          });
        });
        item.appendChild(link);
        item.appendChild(document.createTextNode(' '));
        item.appendChild(solved);
        list.appendChild(item);
      });
      panel.appendChild(list);
      panel.hidden = false;
    };
    var ask = function () {
      var text = box.value;
      var to = box.getAttribute('data-suggest') || '';
      if (text === asked) return;
      asked = text;
      if (text.indexOf('@') < 0 && !to) { show([]); return; }
      var url = '/api/v1/articles/suggestions?text=' + encodeURIComponent(text.slice(0, 2000)) +
        (to ? '&to=' + encodeURIComponent(to) : '');
      fetch(url, { credentials: 'same-origin' })
        .then(function (r) { return r.ok ? r.json() : { articles: [] }; })
        .then(function (body) { if (box.value === text) show(body.articles || []); })
        .catch(function () {});
    };
    box.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 250);
    });
  });
  // Collision notice: on a ticket page, say we are here (and typing)
  // every few seconds and show who else is.
  var presence = document.querySelector('[data-presence]');
  var heartbeat = null;
  if (presence && window.fetch) {
    var lastTyped = 0;
    heartbeat = function () {
      fetch(presence.getAttribute('data-url'), {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': presence.getAttribute('data-csrf') },
        body: JSON.stringify({ typing: Date.now() - lastTyped < 5000 })
      }).then(function (r) { return r.ok ? r.json() : null; })
        .then(function (body) {
          if (!body) return;
          var words = body.others.map(function (o) {
            return '@' + o.handle + (o.typing ? ' is typing a reply' : ' is viewing');
          });
          presence.textContent = words.join('; ');
          presence.hidden = words.length === 0;
        }).catch(function () {});
    };
    Array.prototype.forEach.call(document.querySelectorAll('#reply, #note'), function (box) {
      box.addEventListener('input', function () {
        var quiet = Date.now() - lastTyped > 4000;
        lastTyped = Date.now();
        if (quiet) heartbeat();
      });
    });
    heartbeat();
    setInterval(heartbeat, 8000);
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

  // A help desk's inbox, and its listening pages, refresh in place when a
  // ticket arrives or moves or the listener hears something.
  var refreshed = document.querySelectorAll('[data-live-refresh]');
  var refreshing = false;
  source.addEventListener('inbox', function () {
    if (!refreshed.length || refreshing) return;
    refreshing = true;
    fetch(window.location.href, { credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.text() : ''; })
      .then(function (html) {
        refreshing = false;
        if (!html) return;
        var doc = new DOMParser().parseFromString(html, 'text/html');
        Array.prototype.forEach.call(refreshed, function (here) {
          var key = here.getAttribute('data-live-refresh');
          var fresh = doc.querySelector('[data-live-refresh="' + key + '"]');
          if (fresh) here.innerHTML = fresh.innerHTML;
        });
        var views = doc.querySelector('nav[aria-label="Views"]');
        var hereViews = document.querySelector('nav[aria-label="Views"]');
        if (views && hereViews) hereViews.innerHTML = views.innerHTML;
      })
      .catch(function () { refreshing = false; });
  });
  source.addEventListener('presence', function () {
    if (heartbeat) heartbeat();
  });

  source.addEventListener('notifications', function (e) {
    if (!badge) return;
    var unread = JSON.parse(e.data).unread;
    badge.textContent = String(unread);
    badge.hidden = unread === 0;
  });
})();
