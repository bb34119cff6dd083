"use strict";
// Shows the findings and filters them by severity, rule and free text.
//
// Every block of findings rows, and every part of the proof graph, is in the page inside
// <noscript>: without scripts the browser shows it as HTML; with scripts it is one text node,
// which the parser reads at nearly memory speed. Parsing 10,000 rows and their graph into
// elements took most of the second a large report took to open, so the script builds a
// block only when it is near the view, when a link points into it, or when the browser is
// idle (so that find-in-page and printing see every row soon).
//
// The filter state comes from the URL (?severity=critical,high&rule=ID&q=TEXT, or the same
// after #) and is written back to the fragment, so a filtered view can be linked and a
// headless browser can drive it. Filtering reads each row's severity, rule and text from the
// block's source once, so it costs the same whether the rows exist yet or not.
(function () {
  var list = document.getElementById("findings");
  var form = document.getElementById("filters");
  if (!list || !form) {
    return;
  }
  // A block's height before it is built: per shown findings row (about two lines of text)
  // and per proof-graph entry.
  var ROW_PX = 44;
  var ENTRY_PX = 21;
  var shownLine = document.getElementById("shown");
  var boxes = form.querySelectorAll("input[name=severity]");
  // Every block built on demand: the findings tables (with the rows' data for the filter)
  // and the parts of the proof graph.
  var parts = [];
  var blocks = [];
  var total = 0;
  var lazy = document.querySelectorAll("div.lazy");
  for (var b = 0; b < lazy.length; b++) {
    var source = lazy[b].firstElementChild;
    var part = { el: lazy[b], source: source, html: source.textContent, rows: null, meta: null };
    part.el.partIndex = b;
    parts.push(part);
    if (part.el.parentNode === list) {
      part.meta = meta(part.html);
      total += part.meta.length;
      blocks.push(part);
    } else {
      part.el.style.height = (part.html.split("<li").length - 1) * ENTRY_PX + "px";
    }
  }
  var view = { on: {}, rule: "", needle: "" };
  var idle = window.requestIdleCallback || function (f) {
    return setTimeout(f, 50);
  };

  // Severity and rule of every row in a block's source, in order. A row starts with its
  // <tr id="fN" data-s=".." data-r=".."> tag, which the report itself writes.
  function meta(html) {
    var out = [];
    var re = /<tr id="(f\d+)" data-s="(\w+)" data-r="([^"]*)"/g;
    var m;
    while ((m = re.exec(html)) !== null) {
      out.push({ id: m[1], s: m[2], r: decode(m[3]), text: null });
    }
    return out;
  }

  // The lower-case text of every row, as textContent reads it: the block's source without
  // tags, entities decoded. One pass over the block: searching was a third of a search
  // view's time when each row was stripped on its own.
  function readTexts(block) {
    var rows = block.html.replace(/<tr\b[^>]*>/g, "\u0001").replace(/<[^>]*>/g, "")
      .toLowerCase().split("\u0001");
    for (var r = 0; r < block.meta.length; r++) {
      block.meta[r].text = decode(rows[r + 1] || "");
    }
  }

  function decode(s) {
    return s.indexOf("&") === -1 ? s : s.replace(/&(#?\w+);/g, function (all, e) {
      var named = { amp: "&", lt: "<", gt: ">", quot: "\"", apos: "'" };
      if (e.charAt(0) === "#") {
        var n = e.charAt(1) === "x" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        return isNaN(n) ? all : String.fromCodePoint(n);
      }
      return named.hasOwnProperty(e) ? named[e] : all;
    });
  }

  function matches(row) {
    return view.on[row.s] === true &&
      (!view.rule || row.r === view.rule) &&
      (!view.needle || row.text.indexOf(view.needle) !== -1);
  }

  // Turns a block's source into elements, in place of its <noscript>.
  function build(part) {
    if (part.source === null) {
      return;
    }
    var t = document.createElement("template");
    t.innerHTML = part.html;
    part.el.replaceChild(t.content, part.source);
    part.source = null;
    part.el.style.height = "";
    if (part.meta !== null) {
      part.rows = part.el.getElementsByTagName("tr");
      for (var r = 0; r < part.rows.length; r++) {
        part.rows[r].hidden = !part.shown[r];
      }
    }
  }

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
    for (var i = 0; i < boxes.length; i++) {
      view.on[boxes[i].value] = boxes[i].checked;
    }
    view.rule = form.elements.rule.value;
    view.needle = form.elements.q.value.trim().toLowerCase();
    var shown = 0;
    for (var b = 0; b < blocks.length; b++) {
      shown += applyTo(blocks[b]);
    }
    shownLine.textContent = shown + " of " + total + " findings shown";
    document.body.setAttribute("data-shown", String(shown));
  }

  // Hides a block's rows that do not match (or sizes the block by its matching rows while
  // they do not exist yet) and the block itself when none match. Returns the count shown.
  function applyTo(block) {
    var count = 0;
    block.shown = [];
    if (view.needle && block.meta.length > 0 && block.meta[0].text === null) {
      readTexts(block);
    }
    for (var r = 0; r < block.meta.length; r++) {
      var ok = matches(block.meta[r]);
      block.shown.push(ok);
      if (ok) {
        count++;
      }
      if (block.rows !== null && block.rows[r].hidden === ok) {
        block.rows[r].hidden = !ok;
      }
    }
    if (block.source !== null) {
      block.el.style.height = count * ROW_PX + "px";
    }
    if (block.el.hidden !== (count === 0)) {
      block.el.hidden = count === 0;
    }
    return count;
  }

  // A finding's row or graph entry that a #fN or #nN link points to, built and shown.
  function follow() {
    var id = location.hash.slice(1);
    if (!/^[fn]\d+$/.test(id) || document.getElementById(id)) {
      return;
    }
    var tag = "id=\"" + id + "\"";
    for (var p = 0; p < parts.length; p++) {
      if (parts[p].source !== null && parts[p].html.indexOf(tag) !== -1) {
        build(parts[p]);
        document.getElementById(id).scrollIntoView();
        return;
      }
    }
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

  // Builds blocks as they come near the view, and the rest one per idle moment.
  function buildLater() {
    var near = window.IntersectionObserver ? new IntersectionObserver(function (seen) {
      for (var i = 0; i < seen.length; i++) {
        if (seen[i].isIntersecting) {
          near.unobserve(seen[i].target);
          build(parts[seen[i].target.partIndex]);
        }
      }
    }, { rootMargin: "2000px 0px" }) : null;
    for (var p = 0; p < parts.length; p++) {
      if (near && parts[p].source !== null) {
        near.observe(parts[p].el);
      }
    }
    var next = 0;
    idle(function step() {
      while (next < parts.length && parts[next].source === null) {
        next++;
      }
      if (next < parts.length) {
        build(parts[next]);
        idle(step);
      }
    });
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
    follow();
  });
  window.addEventListener("beforeprint", function () {
    for (var p = 0; p < parts.length; p++) {
      build(parts[p]);
    }
  });
  fromUrl();
  apply();
  if (blocks.length > 0) {
    build(blocks[0]);
  }
  follow();
  buildLater();
})();
