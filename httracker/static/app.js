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

  document.addEventListener("DOMContentLoaded", function () {
    focusFirstError();
    tickTimer();
    addDismissButtons();
    document.addEventListener("keydown", onKey);
  });
})();
