// The claim site's service worker (served at /sw.js): a member's vouchers without signal.
//
// It keeps My Cards and the QR code of each voucher that can still be used, as the site lists them in
// pocket.json, and refreshes them whenever My Cards is opened with a connection, and when a page of the
// site asks (static/pocket.js, on every page a member opens: a voucher just claimed is kept at once). Without one, My Cards
// comes from what it kept (after PATIENCE on a weak signal), and any other page is the offline page.
// What the site no longer lists (a voucher redeemed or expired) is dropped; a QR code whose voucher
// expired while offline is no longer shown. Logging out, deleting the account, or a session that
// ended elsewhere (pocket.json answers 401) drops everything of the member's.
"use strict";

const CACHE = "my-cards-v1";
const SCOPE = new URL(self.registration.scope).pathname; // "/" (or a proxy's prefix)
const MY_CARDS = SCOPE + "en-us/my-cards";
const POCKET = SCOPE + "en-us/my-cards/pocket.json";
const QR_CODES = SCOPE + "en-us/my-cards/qr/";
const OFFLINE = SCOPE + "en-us/offline";
const SHELL = [OFFLINE, SCOPE + "static/site.css", SCOPE + "static/favicon.svg", SCOPE + "static/pocket.js"];
const ENDS_SESSION = [SCOPE + "en-us/logout", SCOPE + "en-us/account/delete"];
const PATIENCE = 4000; // milliseconds My Cards waits for the network before the kept copy is shown
const QUIET = 3000; // milliseconds after a refresh in which a page's request for another is let go
let refreshed = 0;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name !== CACHE) {
          await caches.delete(name);
        }
      }
      await self.clients.claim();
      await refresh(null);
    })(),
  );
});

// Everything of the member's leaves the phone; the offline page and the style sheet stay.
async function forget() {
  const cache = await caches.open(CACHE);
  for (const request of await cache.keys()) {
    if (!SHELL.includes(new URL(request.url).pathname)) {
      await cache.delete(request);
    }
  }
}

async function kept() {
  const answer = await (await caches.open(CACHE)).match(POCKET);
  return answer ? answer.json() : { vouchers: [] };
}

// Keep what the site lists now (page: My Cards as just fetched, or null to fetch it), drop the rest.
async function refresh(page) {
  refreshed = Date.now();
  let answer;
  try {
    answer = await fetch(POCKET, { credentials: "same-origin", cache: "no-store" });
  } catch (noSignal) {
    return;
  }
  if (answer.status === 401) {
    await forget();
    return;
  }
  if (!answer.ok) {
    return;
  }
  const pocket = await answer.clone().json();
  const cache = await caches.open(CACHE);
  const wanted = new Set([POCKET, MY_CARDS, ...SHELL]);
  for (const voucher of pocket.vouchers) {
    wanted.add(voucher.qr);
    if (!(await cache.match(voucher.qr))) {
      const picture = await fetch(voucher.qr, { credentials: "same-origin" });
      if (picture.ok) {
        await cache.put(voucher.qr, picture);
      }
    }
  }
  if (page === null) {
    page = await fetch(MY_CARDS, { credentials: "same-origin", cache: "no-store" });
  }
  if (page.ok && !page.redirected) {
    await cache.put(MY_CARDS, page);
  }
  for (const request of await cache.keys()) {
    if (!wanted.has(new URL(request.url).pathname)) {
      await cache.delete(request);
    }
  }
  await cache.put(POCKET, answer);
}

function patiently(promise, milliseconds) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no answer yet")), milliseconds);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

async function navigation(event) {
  const path = new URL(event.request.url).pathname;
  const cache = await caches.open(CACHE);
  if (path !== MY_CARDS) {
    try {
      return await fetch(event.request);
    } catch (noSignal) {
      return (await cache.match(OFFLINE)) || Response.error();
    }
  }
  const network = fetch(event.request);
  const arrived = network.then((response) => {
    if (response.type === "opaqueredirect") {
      return forget(); // sent to log in: the session has ended
    }
    return response.ok ? refresh(response.clone()) : null;
  });
  event.waitUntil(arrived.catch(() => null));
  try {
    return await patiently(network, PATIENCE);
  } catch (noSignal) {
    const copy = await cache.match(MY_CARDS);
    if (copy) {
      return copy;
    }
    try {
      return await network;
    } catch (stillNone) {
      return (await cache.match(OFFLINE)) || Response.error();
    }
  }
}

async function qrCode(request, path) {
  const voucher = (await kept()).vouchers.find((kept) => kept.qr === path);
  try {
    return await fetch(request); // the site refuses a redeemed or expired voucher's
  } catch (noSignal) {
    const cache = await caches.open(CACHE);
    if (!voucher || (voucher.until && Date.parse(voucher.until) <= Date.now())) {
      await cache.delete(path);
      return new Response("", { status: 404, statusText: "Not Found" });
    }
    return (await cache.match(path)) || Response.error();
  }
}

async function shell(request, path) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) {
      await cache.put(path, response.clone());
    }
    return response;
  } catch (noSignal) {
    return (await cache.match(path)) || Response.error();
  }
}

self.addEventListener("message", (event) => {
  if (event.data === "refresh" && Date.now() - refreshed > QUIET) {
    event.waitUntil(refresh(null));
  }
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (request.method !== "GET") {
    if (ENDS_SESSION.includes(url.pathname)) {
      event.waitUntil(forget());
    }
    return; // sent as always
  }
  if (request.mode === "navigate") {
    event.respondWith(navigation(event));
  } else if (url.pathname.startsWith(QR_CODES)) {
    event.respondWith(qrCode(request, url.pathname));
  } else if (SHELL.includes(url.pathname)) {
    event.respondWith(shell(request, url.pathname));
  }
});
