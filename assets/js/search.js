// Search for the web edition (folio). The page works without this script: it lists every chapter
// and section. Served over http(s), the script shows the form and asks the Pagefind index in
// pagefind/ (made at build time) for matches. Nothing is sent anywhere: the index is part of the site.
(function () {
  'use strict';
  var form = document.querySelector('.search-form');
  var input = document.getElementById('search-input');
  var status = document.getElementById('search-status');
  var list = document.getElementById('search-results');
  if (!form || !input || !status || !list) return;
  if (location.protocol !== 'http:' && location.protocol !== 'https:') {
    status.textContent = 'Search works when the report is read from a web address. Opened from files, use the list of chapters and sections below.';
    return;
  }
  form.hidden = false;
  var base = new URL('.', document.baseURI);
  var engine = null;

  function load() {
    if (!engine) {
      engine = import(new URL('pagefind/pagefind.js', base).href).then(function (pf) {
        return pf.options({ baseUrl: base.pathname, excerptLength: 28 }).then(function () { return pf; });
      });
    }
    return engine;
  }

  function item(data) {
    var li = document.createElement('li');
    var a = document.createElement('a');
    a.href = data.url;
    a.textContent = (data.meta && data.meta.title) || data.url;
    li.appendChild(a);
    var p = document.createElement('p');
    p.className = 'search-excerpt';
    p.innerHTML = data.excerpt;          // Pagefind escapes the text; only <mark> is markup.
    li.appendChild(p);
    var subs = (data.sub_results || []).filter(function (s) { return s.url !== data.url && s.title && s.title !== a.textContent; }).slice(0, 3);
    if (subs.length) {
      var ul = document.createElement('ul');
      ul.setAttribute('aria-label', 'Sections of ' + a.textContent);
      subs.forEach(function (s) {
        var sli = document.createElement('li');
        var sa = document.createElement('a');
        sa.href = s.url;
        sa.textContent = s.title;
        sli.appendChild(sa);
        ul.appendChild(sli);
      });
      li.appendChild(ul);
    }
    return li;
  }

  function run(query) {
    list.replaceChildren();
    if (!query.trim()) { status.textContent = 'Type one or more words to find.'; return; }
    status.textContent = 'Searching…';
    load().then(function (pf) { return pf.search(query); }).then(function (search) {
      return Promise.all(search.results.slice(0, 20).map(function (r) { return r.data(); }));
    }).then(function (results) {
      results.forEach(function (data) { list.appendChild(item(data)); });
      var n = results.length;
      status.textContent = n === 0 ? 'No pages match “' + query + '”.'
        : n + (n === 1 ? ' page matches' : ' pages match') + ' “' + query + '”.';
    }).catch(function () {
      status.textContent = 'Search is not available just now. Use the list of chapters and sections below.';
    });
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var query = input.value;
    history.replaceState(null, '', '?q=' + encodeURIComponent(query));
    run(query);
  });
  var first = new URLSearchParams(location.search).get('q');
  if (first) { input.value = first; run(first); }
})();
