// "What you can do next" as a checklist (folio web edition). Without this script each list is a
// plain numbered list, and action-plan.html gathers every list for printing. With it, each action
// gets a tick box; ticks are kept in this browser only (localStorage), never sent anywhere, and
// the action plan page can be printed or saved as a text file.
(function () {
  'use strict';
  var root = document.documentElement;
  var store = 'folio-actions:' + (root.getAttribute('data-book') || location.pathname.replace(/[^/]*$/, ''));

  function load() {
    try { return JSON.parse(localStorage.getItem(store) || '{}') || {}; } catch (e) { return null; }
  }
  function save(ticks) {
    try { localStorage.setItem(store, JSON.stringify(ticks)); return true; } catch (e) { return false; }
  }
  var ticks = load();
  var kept = ticks !== null;
  if (!kept) ticks = {};

  var lists = Array.prototype.slice.call(document.querySelectorAll('[data-actions]'));
  if (!lists.length) return;

  function count(list) {
    var boxes = list.querySelectorAll('input[type=checkbox]');
    var done = 0;
    boxes.forEach(function (b) { if (b.checked) done += 1; });
    return [done, boxes.length];
  }

  lists.forEach(function (list) {
    var key = list.getAttribute('data-actions');
    list.classList.add('actions-ticking');
    Array.prototype.forEach.call(list.children, function (li, i) {
      if (li.tagName !== 'LI') return;
      var id = key + '-' + (i + 1);
      var box = document.createElement('input');
      box.type = 'checkbox';
      box.id = 'tick-' + id;
      box.checked = ticks[id] === true;
      var label = document.createElement('label');
      label.htmlFor = box.id;
      while (li.firstChild) label.appendChild(li.firstChild);
      li.appendChild(box);
      li.appendChild(label);
      box.addEventListener('change', function () {
        if (box.checked) ticks[id] = true; else delete ticks[id];
        kept = save(ticks) && kept;
        update(list);
      });
    });
    var status = document.createElement('p');
    status.className = 'actions-status';
    status.setAttribute('role', 'status');
    list.insertAdjacentElement('afterend', status);
    list.statusLine = status;
    update(list);
  });

  function update(list) {
    var c = count(list);
    var where = kept ? 'Your ticks are kept in this browser only.'
      : 'This browser does not keep ticks: print or save the plan before you leave.';
    list.statusLine.textContent = c[0] + ' of ' + c[1] + ' actions ticked. ' + where;
  }

  var tools = document.querySelector('.plan-tools');
  if (tools) {
    tools.hidden = false;
    document.getElementById('plan-print').addEventListener('click', function () { window.print(); });
    document.getElementById('plan-save').addEventListener('click', function () {
      var lines = [document.title, ''];
      lists.forEach(function (list) {
        var heading = document.getElementById(list.getAttribute('aria-labelledby'));
        lines.push(heading ? heading.textContent.trim() : '');
        list.querySelectorAll('li').forEach(function (li) {
          var box = li.querySelector('input[type=checkbox]');
          lines.push((box && box.checked ? '[x] ' : '[ ] ') + li.textContent.replace(/\s+/g, ' ').trim());
        });
        lines.push('');
      });
      var link = document.createElement('a');
      link.href = URL.createObjectURL(new Blob([lines.join('\r\n')], { type: 'text/plain;charset=utf-8' }));
      link.download = 'my-action-plan.txt';
      document.body.appendChild(link);
      link.click();
      setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 0);
    });
    document.getElementById('plan-clear').addEventListener('click', function () {
      lists.forEach(function (list) {
        list.querySelectorAll('input[type=checkbox]').forEach(function (b) { b.checked = false; });
      });
      ticks = {};
      kept = save(ticks) && kept;
      lists.forEach(function (list) { update(list); });
    });
  }
})();
