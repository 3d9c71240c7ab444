// HT-Tracker service worker. Pages are private and `no-store`: they are always fetched from
// the network and never cached here. When a page cannot be fetched (offline, server down),
// the offline page is shown instead. Only files that are the same for everyone are cached.
"use strict";
var CACHE = {{ cache_name | tojson }};
var OFFLINE = {{ offline | tojson }};
var PRECACHE = {{ precache | tojson }};

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return cache.addAll(PRECACHE.map(function (url) {
        return new Request(url, { credentials: "omit", cache: "reload" });
      }));
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name !== CACHE;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    // Network only; the offline page when the network fails.
    event.respondWith(fetch(request).catch(function () {
      return caches.match(OFFLINE);
    }));
    return;
  }
  if (PRECACHE.indexOf(new URL(request.url).pathname) !== -1) {
    // Shared files: the network first, the cached copy when it fails.
    event.respondWith(fetch(request).catch(function () {
      return caches.match(request, { ignoreSearch: true });
    }));
  }
});
