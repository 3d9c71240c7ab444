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
        return postJson(box.dataset.optionsUrl, csrf).then(function (options) {
          options.challenge = fromB64url(options.challenge);
          options.user.id = fromB64url(options.user.id);
          options.excludeCredentials = descriptors(options.excludeCredentials);
          return navigator.credentials.create({ publicKey: options });
        }).then(function (credential) {
          var name = box.querySelector("input").value;
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

  document.addEventListener("DOMContentLoaded", function () {
    focusFirstError();
    tickTimer();
    addDismissButtons();
    setUpPasskeys();
    document.addEventListener("keydown", onKey);
  });
})();
