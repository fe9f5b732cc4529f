/* Timeline filters and print support: an enhancement. Without JavaScript the
   filter form stays hidden and every event is listed. */
(function () {
  "use strict";

  var FIELDS = { country: "countries", procedure: "procedures", kind: "kinds" };

  // Print every collapsed note, then put the page back as it was.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details:not([open]):not(.tl-cite)").forEach(function (details) {
      details.open = true;
      details.setAttribute("data-tl-print", "");
    });
  });
  window.addEventListener("afterprint", function () {
    document.querySelectorAll("details[data-tl-print]").forEach(function (details) {
      details.open = false;
      details.removeAttribute("data-tl-print");
    });
  });

  // The print header names the page's address: the canonical one when the site knows its
  // address (SITE_URL), else the one it was opened at.
  document.querySelectorAll(".tl-print-url:empty").forEach(function (url) {
    url.textContent = " \u00b7 " + window.location.href;
  });

  // Material's search dialog has no accessible name; give it one.
  document.querySelectorAll("[role=dialog]:not([aria-label]):not([aria-labelledby])").forEach(function (dialog) {
    dialog.setAttribute("aria-label", "Search");
  });

  // "Cite this": the permalink shown and copied as an absolute address; the
  // Copy button only where the Clipboard API exists (it needs a secure page).
  function absolute(link) {
    return new URL(link.getAttribute("href"), document.baseURI).href;
  }
  function citationText(citation) {
    var copy = citation.cloneNode(true);
    copy.querySelectorAll("a.tl-permalink").forEach(function (link) {
      link.textContent = absolute(link);
    });
    return copy.textContent.replace(/\s+/g, " ").trim();
  }
  var canCopy = !!(navigator.clipboard && navigator.clipboard.writeText);
  document.querySelectorAll(".tl-cite").forEach(function (cite) {
    cite.querySelectorAll("a.tl-permalink").forEach(function (link) {
      link.textContent = absolute(link);
    });
    var button = cite.querySelector("button.tl-copy");
    var status = cite.querySelector(".tl-copy-status");
    var citation = cite.querySelector(".tl-citation");
    if (!button || !citation || !canCopy) {
      return;
    }
    button.hidden = false;
    var timer = null;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(citationText(citation)).then(
        function () {
          button.textContent = "Copied";
          if (status) {
            status.textContent = "Citation copied";
          }
          window.clearTimeout(timer);
          timer = window.setTimeout(function () {
            button.textContent = "Copy";
            if (status) {
              status.textContent = "";
            }
          }, 2000);
        },
        function () {
          if (status) {
            status.textContent = "Could not copy: select the citation and copy it";
          }
        }
      );
    });
  });

  var form = document.getElementById("tl-filters");
  if (!form) {
    return;
  }
  var events = Array.prototype.slice.call(document.querySelectorAll(".tl-event"));
  var years = Array.prototype.slice.call(document.querySelectorAll(".tl-year"));
  var count = document.getElementById("tl-count");
  function eventOf(id) {
    var target = document.getElementById(id);
    return target && target.closest(".tl-event");
  }
  // The chart's marks of events on this page (count boxes link elsewhere), each with its event.
  var marks = [];
  document.querySelectorAll("a.tl-mark[href^='#']").forEach(function (mark) {
    var event = eventOf(decodeURIComponent(mark.getAttribute("href").slice(1)));
    if (event) {
      marks.push({ mark: mark, event: event });
    }
  });
  // Count boxes stand for some of a lane's events (data-events) and link to the lane's year
  // (?country=uz#year_2021).
  var boxes = [];
  document.querySelectorAll("a.tl-mark.tl-count[data-events]").forEach(function (box) {
    var counted = box.getAttribute("data-events").split(" ").map(eventOf).filter(Boolean);
    var parts = box.getAttribute("href").split("#");
    boxes.push({ mark: box, events: counted, query: parts[0], hash: parts[1] || "" });
  });

  function fade(mark, out) {
    mark.classList.toggle("tl-filtered", out);
    if (out) {
      mark.setAttribute("tabindex", "-1");
      mark.setAttribute("aria-hidden", "true");
    } else {
      mark.removeAttribute("tabindex");
      mark.removeAttribute("aria-hidden");
    }
  }

  // Material shows the table of contents twice (sidebar, and inside the menu on phones).
  function hideTocEntries(id, hidden) {
    document.querySelectorAll('.md-nav a[href="#' + CSS.escape(id) + '"]').forEach(function (link) {
      link.parentElement.hidden = hidden;
    });
  }

  function chosen() {
    var values = {};
    Object.keys(FIELDS).forEach(function (field) {
      values[field] = form.elements[field].value;
    });
    return values;
  }

  function matches(event, values) {
    return Object.keys(FIELDS).every(function (field) {
      var wanted = values[field];
      return !wanted || event.getAttribute("data-" + FIELDS[field]).split(" ").indexOf(wanted) >= 0;
    });
  }

  function apply(values, rememberInUrl) {
    var shown = 0;
    events.forEach(function (event) {
      var visible = matches(event, values);
      event.hidden = !visible;
      shown += visible ? 1 : 0;
      var heading = event.querySelector("h3[id]");
      if (heading) {
        hideTocEntries(heading.id, !visible);
      }
    });
    // A mark whose event the filters hide fades, and is no link to a hidden section; so does a
    // count box whose events they all hide. A box's link keeps the filters its own country leaves.
    marks.forEach(function (pair) {
      fade(pair.mark, pair.event.hidden);
    });
    boxes.forEach(function (box) {
      fade(box.mark, !box.events.some(function (event) { return !event.hidden; }));
      var params = new URLSearchParams(box.query);
      ["procedure", "kind"].forEach(function (field) {  // the box's own country stays
        if (values[field]) {
          params.set(field, values[field]);
        } else {
          params.delete(field);
        }
      });
      box.mark.setAttribute("href", "?" + params.toString() + (box.hash ? "#" + box.hash : ""));
    });
    years.forEach(function (year) {
      var empty = !year.querySelector(".tl-event:not([hidden])");
      year.hidden = empty;
      var heading = year.querySelector("h2[id]");
      if (heading) {
        hideTocEntries(heading.id, empty);
      }
      var jump = document.querySelector('.tl-years a[data-tl-href="#' + (heading ? CSS.escape(heading.id) : "") + '"]');
      if (jump) {
        jump.classList.toggle("tl-empty", empty);
        // A struck-out year is not a link to a hidden section.
        if (empty) {
          jump.removeAttribute("href");
          jump.setAttribute("aria-disabled", "true");
        } else {
          jump.setAttribute("href", jump.getAttribute("data-tl-href"));
          jump.removeAttribute("aria-disabled");
        }
      }
    });
    var total = events.length;
    count.textContent =
      shown === total ? total + " events" : "Showing " + shown + " of " + total + " events";
    if (rememberInUrl) {
      var params = new URLSearchParams(window.location.search);
      Object.keys(FIELDS).forEach(function (field) {
        if (values[field]) {
          params.set(field, values[field]);
        } else {
          params.delete(field);
        }
      });
      var query = params.toString();
      window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : "") + window.location.hash);
    }
  }

  // Remember each year link's target so a struck-out year can lose its href.
  document.querySelectorAll(".tl-years a[href]").forEach(function (link) {
    link.setAttribute("data-tl-href", link.getAttribute("href"));
  });

  // Filters named in the address (a shared view) are applied on load; case does
  // not matter (?country=kg as in /countries/kg/). A value that names nothing is
  // said so, rather than silently showing everything.
  var params = new URLSearchParams(window.location.search);
  var unknown = [];
  Object.keys(FIELDS).forEach(function (field) {
    var value = params.get(field);
    var select = form.elements[field];
    if (!value) {
      return;
    }
    var wanted = value.trim().toLowerCase();
    var option = Array.prototype.find.call(select.options, function (o) {
      return o.value && (o.value.toLowerCase() === wanted || o.textContent.trim().toLowerCase() === wanted);
    });
    if (option) {
      select.value = option.value;
    } else {
      unknown.push("No " + field + " \u201c" + value + "\u201d; showing all " + FIELDS[field]);
      params.delete(field);
    }
  });
  if (unknown.length) {
    var notice = document.createElement("p");
    notice.className = "tl-notice";
    notice.setAttribute("role", "status");
    notice.textContent = unknown.join(". ") + ".";
    form.parentNode.insertBefore(notice, form.nextSibling);
  }
  form.hidden = false;
  form.addEventListener("change", function () {
    apply(chosen(), true);
  });
  form.addEventListener("reset", function () {
    window.setTimeout(function () {
      apply(chosen(), true);
    }, 0);
  });
  apply(chosen(), false);

  // A permalink to an event the filters hide: show everything rather than nothing.
  var target = window.location.hash ? document.getElementById(decodeURIComponent(window.location.hash.slice(1))) : null;
  var holder = target ? target.closest(".tl-event") : null;
  if (holder && holder.hidden) {
    form.reset();
    apply(chosen(), true);
    target.scrollIntoView();
  }
})();
