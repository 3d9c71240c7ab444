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

  // "1:05:09" from seconds.
  function clock(seconds) {
    var hours = Math.floor(seconds / 3600);
    var minutes = Math.floor((seconds % 3600) / 60);
    var rest = seconds % 60;
    return hours + ":" + (minutes < 10 ? "0" : "") + minutes + ":" + (rest < 10 ? "0" : "") + rest;
  }

  // The running timer in the header ticks, and the tab title shows it. The server says how
  // long it had run when the page was made; counting on from there keeps a wrong clock on
  // this device out of it.
  function tickTimer() {
    var elapsed = document.querySelector("[data-timer-elapsed]");
    if (!elapsed) return;
    var base = parseInt(elapsed.getAttribute("data-timer-elapsed"), 10) || 0;
    var habit = elapsed.getAttribute("data-timer-habit") || "";
    var loaded = Date.now();
    var title = document.title;
    function show() {
      var seconds = base + Math.max(0, Math.floor((Date.now() - loaded) / 1000));
      var text = clock(seconds);
      elapsed.textContent = text;
      document.title = text + " " + habit + " · " + title;
    }
    show();
    window.setInterval(show, 1000);
  }

  // Passkeys (WebAuthn): the server sends options as JSON with base64url strings where the
  // browser wants bytes; the credential goes back the same way. Shown only where supported.
  function fromB64url(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) base64 += "=";
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes.buffer;
  }

  function toB64url(buffer) {
    if (!buffer) return null;
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function postJson(url, csrf, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body || {}),
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) throw new Error(data.error || "The server refused the request.");
        return data;
      });
    });
  }

  function descriptors(list) {
    return (list || []).map(function (item) {
      return { type: item.type, id: fromB64url(item.id), transports: item.transports };
    });
  }

  function credentialJson(credential) {
    var response = credential.response;
    var json = {
      id: credential.id,
      rawId: toB64url(credential.rawId),
      type: credential.type,
      clientExtensionResults: credential.getClientExtensionResults(),
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      response: { clientDataJSON: toB64url(response.clientDataJSON) },
    };
    if (response.attestationObject) {
      json.response.attestationObject = toB64url(response.attestationObject);
      if (response.getTransports) json.response.transports = response.getTransports();
    } else {
      json.response.authenticatorData = toB64url(response.authenticatorData);
      json.response.signature = toB64url(response.signature);
      json.response.userHandle = toB64url(response.userHandle);
    }
    return json;
  }

  function passkeyCeremony(box, run) {
    var status = box.querySelector("[data-passkey-status]");
    var button = box.querySelector("button");
    box.hidden = false;
    button.addEventListener("click", function () {
      button.disabled = true;
      status.textContent = "Waiting for your passkey…";
      run(box.dataset.csrf)
        .then(function (result) {
          window.location.assign(result.redirect);
        })
        .catch(function (error) {
          status.textContent = error && error.name === "NotAllowedError"
            ? "Cancelled, or no passkey for this site on this device."
            : (error && error.message) || "That did not work; please try again.";
          button.disabled = false;
        });
    });
  }

  function setUpPasskeys() {
    if (!window.PublicKeyCredential || !navigator.credentials) return;
    document.querySelectorAll("[data-passkey-register]").forEach(function (box) {
      passkeyCeremony(box, function (csrf) {
        var password = box.querySelector('input[name="current_password"]').value;
        return postJson(box.dataset.optionsUrl, csrf, { current_password: password }).then(function (options) {
          options.challenge = fromB64url(options.challenge);
          options.user.id = fromB64url(options.user.id);
          options.excludeCredentials = descriptors(options.excludeCredentials);
          return navigator.credentials.create({ publicKey: options });
        }).then(function (credential) {
          var name = box.querySelector('input[name="passkey-name"]').value;
          return postJson(box.dataset.url, csrf, { name: name, credential: credentialJson(credential) });
        });
      });
    });
    document.querySelectorAll("[data-passkey-login]").forEach(function (box) {
      passkeyCeremony(box, function (csrf) {
        return postJson(box.dataset.optionsUrl, csrf).then(function (options) {
          options.challenge = fromB64url(options.challenge);
          options.allowCredentials = descriptors(options.allowCredentials);
          return navigator.credentials.get({ publicKey: options });
        }).then(function (credential) {
          return postJson(box.dataset.url, csrf, credentialJson(credential));
        });
      });
    });
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

  // The week grid: a day opens in place under the grid; a change updates the habit's row,
  // and every part marked data-refresh, from the dashboard the server returns after it (no
  // full reload). Without this script
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
      // Today's total, the quick-log rows and the targets follow the change too.
      document.querySelectorAll("[data-refresh][id]").forEach(function (part) {
        var freshPart = doc.getElementById(part.id);
        if (freshPart) part.replaceWith(document.importNode(freshPart, true));
      });
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
    tickTimer();
    addDismissButtons();
    setUpPasskeys();
    document.addEventListener("keydown", onKey);
    document.querySelectorAll("table.week-grid").forEach(weekGrid);
    document.querySelectorAll("table[data-reorder]").forEach(reorderList);
    detectTimezone();
    registerServiceWorker();
  });
})();
