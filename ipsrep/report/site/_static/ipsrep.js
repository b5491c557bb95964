/* ipsrep report: one local script, no network.
   1. "Show all code" / "Hide all code": one button in the article header that opens or folds
      every code cell MyST-NB folded (details.hide.above-input).
   2. Ledger tables become searchable and sortable (DataTables from itables, shipped in
      _static as ipsrep-datatables.js); without it they stay plain tables.
   3. A link to an anchor inside a folded block opens the block, and the target is brought
      into view below the sticky header and highlighted. */
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

  function showTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    if (!id) { return; }
    var target = document.getElementById(id);
    if (!target) { return; }
    var opened = false;
    for (var node = target.parentElement; node; node = node.parentElement) {
      if (node.tagName === "DETAILS" && !node.open) { node.open = true; opened = true; }
    }
    if (opened) { target.scrollIntoView({ block: "start" }); }
    document.querySelectorAll(".ipsrep-target").forEach(function (e) { e.classList.remove("ipsrep-target"); });
    target.classList.add("ipsrep-target");
  }

  document.addEventListener("DOMContentLoaded", function () {
    codeToggle();
    ledgers();
    showTarget();
  });
  window.addEventListener("hashchange", showTarget);
})();
