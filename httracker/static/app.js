// HT-Tracker progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  function isTyping(target) {
    return target.isContentEditable || /^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(target.tagName);
  }

  // After a failed submit, put the cursor in the first field that needs fixing.
  function focusFirstError() {
    var invalid = document.querySelector('main [aria-invalid="true"]');
    if (invalid) {
      invalid.focus();
      if (typeof invalid.select === "function" && invalid.type !== "date") invalid.select();
    }
  }

  // Flash messages can be dismissed once read.
  function addDismissButtons() {
    document.querySelectorAll(".flash").forEach(function (flash) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "dismiss";
      button.setAttribute("aria-label", "Dismiss message");
      button.textContent = "×";
      button.addEventListener("click", function () {
        var box = flash.parentElement;
        flash.remove();
        if (box && !box.children.length) box.remove();
      });
      flash.appendChild(button);
    });
  }

  // Keyboard shortcuts: an element with data-shortcut="l" is focused (a field) or followed
  // (a link) when that key is pressed outside a form field.
  function onKey(event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTyping(event.target)) return;
    var key = event.key.toLowerCase();
    if (!/^[a-z?/]$/.test(key)) return;
    var target = document.querySelector('[data-shortcut="' + key + '"]');
    if (!target) return;
    event.preventDefault();
    if (target.tagName === "A") {
      target.click();
    } else {
      target.focus();
      if (typeof target.select === "function") target.select();
    }
  }

  function parse(html) {
    return new DOMParser().parseFromString(html, "text/html");
  }

  function csrfToken() {
    var input = document.querySelector('input[name="csrf_token"]');
    return input ? input.value : "";
  }

  // Show the flash messages of a fetched page in place of the current ones.
  function showFlashes(doc) {
    var fresh = doc.querySelector(".flashes");
    var old = document.querySelector("main .flashes");
    if (old) old.remove();
    if (fresh) {
      var main = document.querySelector("main");
      main.insertBefore(document.importNode(fresh, true), main.firstChild);
      addDismissButtons();
    }
  }

  // The week grid: a day opens in place under the grid; a change updates the habit's row
  // from the dashboard the server returns after it (no full reload). Without this script
  // every cell is a link to the day page, and the today cell of a check habit is a form.
  function weekGrid(grid) {
    var card = grid.closest(".week");
    var inline = document.createElement("div");
    inline.className = "day-inline";
    inline.id = "day-inline";
    inline.hidden = true;
    card.appendChild(inline);
    var opener = null;

    function close() {
      inline.hidden = true;
      inline.textContent = "";
      if (opener && document.body.contains(opener)) opener.focus();
    }

    function replaceRow(doc, habitId) {
      var fresh = doc.getElementById("habit-" + habitId);
      var row = document.getElementById("habit-" + habitId);
      if (fresh && row) {
        var copy = document.importNode(fresh, true);
        copy.classList.add("updated");
        row.replaceWith(copy);
      }
      var today = doc.querySelector(".today-total");
      var oldToday = document.querySelector(".today-total");
      if (today && oldToday) oldToday.replaceWith(document.importNode(today, true));
      showFlashes(doc);
    }

    function send(form, habitId, cellIndex) {
      var body = new URLSearchParams(new FormData(form));
      // form.action would be the form's field named "action", not its URL.
      return fetch(form.getAttribute("action"), {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" }
      }).then(function (response) {
        return response.text().then(function (html) {
          var doc = parse(html);
          if (response.ok && response.redirected) {
            replaceRow(doc, habitId);
            close();
            var row = document.getElementById("habit-" + habitId);
            var cell = row && row.querySelectorAll("td.cell")[cellIndex];
            var target = cell && cell.querySelector("a, button");
            if (target) target.focus();
          } else {
            showPanel(doc, habitId, cellIndex);
          }
        });
      }).catch(function () {
        form.submit();
      });
    }

    function showPanel(doc, habitId, cellIndex) {
      var panel = doc.getElementById("day-panel");
      if (!panel) return;
      var copy = document.importNode(panel, true);
      copy.querySelectorAll("h1").forEach(function (heading) {
        var h2 = document.createElement("h2");
        h2.innerHTML = heading.innerHTML;
        h2.id = heading.id;
        heading.replaceWith(h2);
      });
      inline.textContent = "";
      inline.appendChild(copy);
      inline.hidden = false;
      copy.querySelectorAll("form").forEach(function (form) {
        form.addEventListener("submit", function (event) {
          event.preventDefault();
          send(form, habitId, cellIndex);
        });
      });
      copy.querySelectorAll('a[href^="/dashboard"]').forEach(function (link) {
        link.textContent = "Close";
        link.addEventListener("click", function (event) {
          event.preventDefault();
          close();
        });
      });
      var first = copy.querySelector('[aria-invalid="true"]') || copy.querySelector("input[type=text], button");
      if (first) first.focus();
      inline.scrollIntoView({ block: "nearest" });
    }

    grid.addEventListener("click", function (event) {
      var link = event.target.closest("a.cell-link");
      if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
      event.preventDefault();
      var row = link.closest("tr");
      var cells = Array.prototype.slice.call(row.querySelectorAll("td.cell"));
      var cellIndex = cells.indexOf(link.closest("td"));
      opener = link;
      inline.hidden = true;
      inline.textContent = "";
      fetch(link.href, { credentials: "same-origin" })
        .then(function (response) { return response.text(); })
        .then(function (html) { showPanel(parse(html), row.dataset.habitId, cellIndex); })
        .catch(function () { window.location.href = link.href; });
    });
    grid.addEventListener("submit", function (event) {
      var form = event.target.closest("form.cell-form");
      if (!form) return;
      event.preventDefault();
      var row = form.closest("tr");
      var cells = Array.prototype.slice.call(row.querySelectorAll("td.cell"));
      send(form, row.dataset.habitId, cells.indexOf(form.closest("td")));
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !inline.hidden) close();
    });
  }

  // Drag a habit's row to reorder the list; the move up/down buttons do the same without
  // a mouse (and without this script).
  function reorderList(table) {
    var body = table.tBodies[0];
    var dragged = null;
    body.querySelectorAll("tr[data-habit-id]").forEach(function (row) {
      row.draggable = true;
      row.addEventListener("dragstart", function (event) {
        dragged = row;
        row.classList.add("dragging");
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", row.dataset.habitId);
      });
      row.addEventListener("dragend", function () {
        row.classList.remove("dragging");
      });
      row.addEventListener("dragover", function (event) {
        if (!dragged || dragged === row) return;
        event.preventDefault();
        var box = row.getBoundingClientRect();
        var after = event.clientY > box.top + box.height / 2;
        body.insertBefore(dragged, after ? row.nextSibling : row);
      });
      row.addEventListener("drop", function (event) {
        event.preventDefault();
        saveOrder();
      });
    });

    function saveOrder() {
      dragged = null;
      var ids = Array.prototype.map.call(body.querySelectorAll("tr[data-habit-id]"), function (row) {
        return row.dataset.habitId;
      });
      var data = new URLSearchParams();
      data.set("csrf_token", csrfToken());
      data.set("order", ids.join(","));
      fetch(table.dataset.reorder, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" }
      }).then(function (response) {
        if (response.ok) {
          window.location.reload();
        }
      });
    }
  }

  // Registration: the time zone field starts at the browser's zone.
  function detectTimezone() {
    var field = document.querySelector("[data-detect-timezone]");
    if (!field || !window.Intl) return;
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!zone || field.dataset.chosen === "true") return;
    var known = Array.prototype.some.call(field.options || [], function (option) {
      return option.value === zone;
    });
    if (known) field.value = zone;
  }

  function registerServiceWorker() {
    var link = document.querySelector('link[rel="manifest"]');
    if (!link || !("serviceWorker" in navigator) || !window.isSecureContext) return;
    navigator.serviceWorker.register(link.dataset.worker, { scope: "/" }).catch(function () {});
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusFirstError();
    addDismissButtons();
    document.addEventListener("keydown", onKey);
    document.querySelectorAll("table.week-grid").forEach(weekGrid);
    document.querySelectorAll("table[data-reorder]").forEach(reorderList);
    detectTimezone();
    registerServiceWorker();
  });
})();
