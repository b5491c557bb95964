/* ipsrep report: one local script, no network.
   1. "Show all code" / "Hide all code": one button in the article header that opens or folds
      every code cell MyST-NB folded (details.hide.above-input).
   2. Ledger tables become searchable and sortable (DataTables from itables, shipped in
      _static as ipsrep-datatables.js); without it they stay plain tables.
   3. A link to an anchor inside a folded block opens the block, and the target is brought
      into view below the sticky header and highlighted.
   4. A long table (marked ipsrep-long when the page was rendered) shows its first rows and a
      "Show all N rows" button; without this script every row stays shown.
   5. Search results (search.html): one result per page, the best-scoring one, each with an
      excerpt around the words searched for. Sphinx fetch()es each page for its excerpt,
      which a file:// page cannot (and the pages' policy forbids); the build writes every
      page's text to _static/ipsrep-search-text.js, loaded here on the search page only. */
(function () {
  "use strict";

  function codeToggle() {
    var cells = document.querySelectorAll("details.hide.above-input");
    var bar = document.querySelector(".article-header-buttons");
    if (!cells.length || !bar) { return; }
    var button = document.createElement("button");
    button.id = "ipsrep-toggle-code";
    button.type = "button";
    button.className = "btn btn-sm pst-navbar-icon";
    button.setAttribute("aria-pressed", "false");
    button.textContent = "Show all code";
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-pressed") !== "true";
      cells.forEach(function (d) { d.open = open; });
      button.setAttribute("aria-pressed", open ? "true" : "false");
      button.textContent = open ? "Hide all code" : "Show all code";
    });
    bar.insertBefore(button, bar.firstChild);
  }

  function ledgers() {
    var lib = window.ipsrepDataTables;
    if (!lib || !lib.DataTable) { return; }
    document.querySelectorAll("table.ipsrep-ledger-table").forEach(function (table) {
      if (table.rows.length < 12) { return; }
      try {
        new lib.DataTable(table, {
          paging: false, order: [], autoWidth: false, info: true,
          language: { search: "Search these rows:", info: "_TOTAL_ rows", infoFiltered: "(of _MAX_)" }
        });
      } catch (e) { /* a plain table is still readable */ }
    });
  }

  function dataMark() {
    /* the data banner scrolls away with the page top; its short form stays in the sticky
       article header, and a click on it brings the full banner back into view */
    var banner = document.querySelector(".bd-header-announcement .ipsrep-banner[data-short]");
    var bar = document.querySelector(".article-header-buttons");
    if (!banner || !bar) { return; }
    var mark = document.createElement("a");
    mark.href = "#";
    mark.className = "ipsrep-data-mark " + banner.className.replace("ipsrep-banner ", "");
    mark.textContent = banner.getAttribute("data-short");
    mark.title = banner.textContent;
    mark.addEventListener("click", function (e) { e.preventDefault(); window.scrollTo(0, 0); });
    bar.insertBefore(mark, bar.firstChild);
  }

  function fitTables() {
    /* a table wider than the text column is set tighter (smaller type, numbers may wrap at
       spaces); on a phone what still does not fit scrolls inside its own box */
    if (window.innerWidth < 700) { return; }
    document.querySelectorAll(".ipsrep-table-wrap > table").forEach(function (table) {
      var box = table.parentElement;
      if (table.getBoundingClientRect().width > box.clientWidth + 1) { table.classList.add("ipsrep-tight"); }
    });
  }

  function longTables() {
    document.querySelectorAll("table.ipsrep-long").forEach(function (table) {
      var body = table.tBodies[0];
      if (!body) { return; }
      var shown = parseInt(table.getAttribute("data-ipsrep-shown") || "10", 10);
      var rows = Array.prototype.slice.call(body.rows);
      if (rows.length <= shown) { return; }
      rows.slice(shown).forEach(function (r) { r.classList.add("ipsrep-extra"); });
      var button = document.createElement("button");
      button.type = "button";
      button.className = "ipsrep-all-rows";
      button.setAttribute("aria-expanded", "false");
      var more = "Show all " + rows.length + " rows";
      button.textContent = more;
      button.addEventListener("click", function () {
        var all = !table.classList.contains("ipsrep-all");
        table.classList.toggle("ipsrep-all", all);
        button.setAttribute("aria-expanded", all ? "true" : "false");
        button.textContent = all ? "Show the first " + shown + " rows" : more;
      });
      var box = table.closest(".ipsrep-table-wrap") || table;
      var after = box.nextElementSibling && box.nextElementSibling.classList.contains("ipsrep-footnotes")
        ? box.nextElementSibling : box;
      after.parentNode.insertBefore(button, after.nextSibling);
    });
  }

  function showTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    if (!id) { return; }
    var target = document.getElementById(id);
    if (!target) { return; }
    var opened = false;
    var long = target.closest ? target.closest("table.ipsrep-long") : null;
    if (long && !long.classList.contains("ipsrep-all")) { long.classList.add("ipsrep-all"); opened = true; }
    for (var node = target.parentElement; node; node = node.parentElement) {
      if (node.tagName === "DETAILS" && !node.open) { node.open = true; opened = true; }
    }
    if (opened) { target.scrollIntoView({ block: "start" }); }
    document.querySelectorAll(".ipsrep-target").forEach(function (e) { e.classList.remove("ipsrep-target"); });
    target.classList.add("ipsrep-target");
  }

  function searchResults(here) {
    var list = document.getElementById("search-results");
    var words = (new URLSearchParams(location.search).get("q") || "").toLowerCase()
      .split(/\s+/).filter(function (w) { return w.length > 1; });
    function excerpt(text) {
      var lower = text.toLowerCase(), at = -1;
      words.forEach(function (w) { var i = lower.indexOf(w); if (i > -1 && (at < 0 || i < at)) { at = i; } });
      var start = Math.max(at - 110, 0);
      return (start > 0 ? "\u2026" : "") + text.substr(start, 240).trim() + (start + 240 < text.length ? "\u2026" : "");
    }
    function tidy() {
      var texts = window.ipsrepPageText || {}, seen = {};
      Array.prototype.slice.call(list.querySelectorAll("ul.search > li")).forEach(function (li) {
        var link = li.querySelector("a");
        if (!link) { return; }
        var page = link.getAttribute("href").split("#")[0];
        if (seen[page]) { li.remove(); return; }
        seen[page] = true;
        if (!li.querySelector("p.context") && texts[page]) {
          var p = document.createElement("p");
          p.className = "context ipsrep-excerpt";
          p.textContent = excerpt(texts[page]);
          li.appendChild(p);
        }
      });
      var status = list.querySelector("p.search-summary");
      var shown = list.querySelectorAll("ul.search > li").length;
      if (status && /found \d+ page/.test(status.textContent) && status.textContent.indexOf("found " + shown + " ") < 0) {
        status.textContent = status.textContent.replace(/found \d+ page\(?s?\)?/, "found " + shown + (shown === 1 ? " page" : " pages"));
      }
    }
    var loaded = false;
    new MutationObserver(function () { if (loaded) { tidy(); } }).observe(list, { childList: true, subtree: true });
    var script = document.createElement("script");
    script.src = here.src.replace(/ipsrep\.js(\?.*)?$/, "ipsrep-search-text.js");
    script.onload = function () { loaded = true; tidy(); };
    document.head.appendChild(script);
  }

  var thisScript = document.currentScript;
  document.addEventListener("DOMContentLoaded", function () {
    if (thisScript && document.getElementById("search-results")) { searchResults(thisScript); }
    codeToggle();
    dataMark();
    ledgers();
    longTables();
    fitTables();
    document.querySelectorAll("details").forEach(function (d) { d.addEventListener("toggle", fitTables); });
    showTarget();
  });
  window.addEventListener("hashchange", showTarget);
})();
