// Filter a timeline's table of milestones by theme (folio web edition). Without this script the
// table shows every milestone. With it, a group of tick boxes above the table, one per theme, all
// ticked at first, shows or hides the rows of each theme; a status line says how many are shown.
(function () {
  'use strict';
  document.querySelectorAll('.figure-data-timeline table').forEach(function (table, n) {
    var rows = Array.prototype.slice.call(table.querySelectorAll('tbody tr[data-theme]'));
    if (!rows.length) return;
    var col = Array.prototype.findIndex.call(table.querySelectorAll('thead th'), function (th) { return /theme/i.test(th.textContent); });
    var themes = [];
    rows.forEach(function (tr) {
      var key = tr.getAttribute('data-theme');
      if (!themes.some(function (t) { return t.key === key; })) {
        themes.push({ key: key, label: col >= 0 ? tr.children[col].textContent.trim() : key });
      }
    });
    var box = document.createElement('fieldset');
    box.className = 'timeline-filter';
    var legend = document.createElement('legend');
    legend.textContent = 'Show the milestones of';
    box.appendChild(legend);
    var status = document.createElement('p');
    status.className = 'timeline-status';
    status.setAttribute('role', 'status');
    function update() {
      var on = {};
      box.querySelectorAll('input').forEach(function (i) { on[i.value] = i.checked; });
      var shown = 0;
      rows.forEach(function (tr) { tr.hidden = !on[tr.getAttribute('data-theme')]; if (!tr.hidden) shown += 1; });
      status.textContent = 'Showing ' + shown + ' of ' + rows.length + ' milestones.';
    }
    themes.forEach(function (t, i) {
      var id = 'timeline-' + n + '-' + i;
      var wrap = document.createElement('span');
      wrap.className = 'timeline-choice theme-' + t.key;
      var input = document.createElement('input');
      input.type = 'checkbox';
      input.id = id;
      input.value = t.key;
      input.checked = true;
      input.addEventListener('change', update);
      var label = document.createElement('label');
      label.htmlFor = id;
      label.textContent = t.label;
      wrap.appendChild(input);
      wrap.appendChild(label);
      box.appendChild(wrap);
    });
    var frame = table.closest('.table-frame') || table;
    frame.parentNode.insertBefore(box, frame);
    frame.parentNode.insertBefore(status, frame);
    update();
  });
})();
