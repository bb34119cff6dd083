"use strict";
// Filters the findings table by severity, rule and free text. The state comes from the URL
// (?severity=critical,high&rule=ID&q=TEXT, or the same after #) and is written back to the
// fragment, so a filtered view can be linked and a headless browser can drive it. One
// listener on the form and one pass over the rows: no per-row handlers. A table whose rows
// are all hidden is hidden too (its block), so the page does not keep room for it.
(function () {
  var list = document.getElementById("findings");
  var form = document.getElementById("filters");
  if (!list || !form) {
    return;
  }
  var tables = list.getElementsByTagName("table");
  var rows = list.getElementsByTagName("tr");
  var shownLine = document.getElementById("shown");
  var boxes = form.querySelectorAll("input[name=severity]");
  var texts = null;

  function params() {
    return new URLSearchParams(
      location.search.slice(1) + "&" + location.hash.slice(1)
    );
  }

  function fromUrl() {
    var p = params();
    var want = p.getAll("severity").join(",").toLowerCase().split(",")
      .filter(Boolean);
    for (var i = 0; i < boxes.length; i++) {
      boxes[i].checked = want.length === 0 || want.indexOf(boxes[i].value) !== -1;
    }
    form.elements.rule.value = p.get("rule") || "";
    form.elements.q.value = p.get("q") || "";
  }

  function apply() {
    var on = {};
    for (var i = 0; i < boxes.length; i++) {
      on[boxes[i].value] = boxes[i].checked;
    }
    var rule = form.elements.rule.value;
    var needle = form.elements.q.value.trim().toLowerCase();
    if (needle && texts === null) {
      // Read once, on the first search: most views never need it.
      texts = [];
      for (var j = 0; j < rows.length; j++) {
        texts.push(rows[j].textContent.toLowerCase());
      }
    }
    var shown = 0;
    var k = 0;
    for (var t = 0; t < tables.length; t++) {
      var chunk = tables[t].tBodies[0].rows;
      var before = shown;
      for (var r = 0; r < chunk.length; r++, k++) {
        var row = chunk[r];
        var ok = on[row.getAttribute("data-s")] === true &&
          (!rule || row.getAttribute("data-r") === rule) &&
          (!needle || texts[k].indexOf(needle) !== -1);
        if (row.hidden === ok) {
          row.hidden = !ok;
        }
        if (ok) {
          shown++;
        }
      }
      var empty = shown === before;
      var block = tables[t].parentNode;
      if (block.hidden !== empty) {
        block.hidden = empty;
      }
    }
    shownLine.textContent = shown + " of " + rows.length + " findings shown";
    document.body.setAttribute("data-shown", String(shown));
  }

  function toUrl() {
    var p = new URLSearchParams();
    var sev = [];
    for (var i = 0; i < boxes.length; i++) {
      if (boxes[i].checked) {
        sev.push(boxes[i].value);
      }
    }
    if (sev.length !== boxes.length) {
      p.set("severity", sev.join(","));
    }
    if (form.elements.rule.value) {
      p.set("rule", form.elements.rule.value);
    }
    if (form.elements.q.value) {
      p.set("q", form.elements.q.value);
    }
    try {
      history.replaceState(null, "", "#" + p.toString());
    } catch (e) {
      // Some file:// contexts refuse; the filter still applies.
    }
  }

  form.hidden = false;
  form.addEventListener("input", function () {
    apply();
    toUrl();
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
  });
  window.addEventListener("hashchange", function () {
    fromUrl();
    apply();
  });
  fromUrl();
  apply();
})();
