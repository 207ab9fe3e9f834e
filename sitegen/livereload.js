// sitegen serve: injected into served HTML pages only, never into built files.
// Listens for builds over Server-Sent Events and patches the page's <main> in place, reloads
// the page, swaps stylesheets, or shows the build errors over the last good page.
(() => {
  "use strict";
  const script = document.currentScript;
  let version = script.dataset.version; // the build this page came from
  const scrollKey = "sitegen-scroll:" + location.pathname;
  const overlayId = "sitegen-error-overlay";
  let retryDelay = 500;

  // <main> as the server sent it: a patch changes only what the build changed in it, so
  // what the page's scripts did to the rest (a filter, an open menu) stays as it is.
  let served = document.querySelector("main")?.cloneNode(true) ?? null;
  const notFound = performance.getEntriesByType("navigation")[0]?.responseStatus === 404;
  let patching = Promise.resolve();
  let here = location.pathname.replace(/index\.html$/, ""); // as the server names its pages
  try { here = decodeURIComponent(here); } catch { /* a malformed escape: as written */ }

  restoreScroll();

  function restoreScroll() {
    const saved = sessionStorage.getItem(scrollKey);
    if (saved === null) return;
    sessionStorage.removeItem(scrollKey);
    const [x, y] = JSON.parse(saved);
    const scroll = () => window.scrollTo(x, y);
    if (document.readyState === "complete") scroll();
    else window.addEventListener("load", scroll, { once: true });
  }

  function reload() {
    sessionStorage.setItem(scrollKey, JSON.stringify([window.scrollX, window.scrollY]));
    location.reload();
  }

  // The page's new <main>, fetched, and what changed in it since it was served put in place:
  // far less for the browser to lay out than a reload, and the scroll stays where it is.
  async function patchMain() {
    const response = await fetch(location.href, { cache: "no-store" });
    const html = response.ok ? await response.text() : "";
    const fresh = new DOMParser().parseFromString(html, "text/html").querySelector("main");
    const live = document.querySelector("main");
    if (!fresh || !live || !served) return reload();
    patch(live, served, fresh);
    served = fresh;
    document.dispatchEvent(new Event("sitegen:patched"));
  }

  // `live` made to match `after` where `before` (as served) differs from it. A node whose
  // children no longer pair up, by number and kind, is replaced whole.
  function patch(live, before, after) {
    if (before.isEqualNode(after)) return;
    const alike = (a, b) => a.nodeType === b.nodeType && a.nodeName === b.nodeName;
    const [now, was, will] = [live.childNodes, before.childNodes, after.childNodes];
    const paired =
      live.nodeType === Node.ELEMENT_NODE && alike(live, after) && alike(before, after) &&
      now.length === will.length && was.length === will.length &&
      [...will].every((node, i) => alike(node, was[i]) && alike(node, now[i]));
    if (!paired) {
      live.replaceWith(document.importNode(after, true));
      return;
    }
    for (const { name, value } of after.attributes) {
      if (before.getAttribute(name) !== value) live.setAttribute(name, value);
    }
    for (const { name } of before.attributes) {
      if (!after.hasAttribute(name)) live.removeAttribute(name);
    }
    for (let i = 0; i < will.length; i++) patch(now[i], was[i], will[i]);
  }

  // New stylesheets load beside the old ones, which go only once the new ones apply,
  // so the page never flashes unstyled.
  function swapStylesheets(hrefs) {
    for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
      const url = new URL(link.href, location.href);
      const fresh = hrefs[url.pathname];
      if (fresh === undefined) continue;
      const replacement = link.cloneNode();
      replacement.href = fresh;
      replacement.addEventListener("load", () => link.remove(), { once: true });
      link.after(replacement);
    }
  }

  function showErrors(report) {
    let overlay = document.getElementById(overlayId);
    if (overlay === null) {
      overlay = document.createElement("div");
      overlay.id = overlayId;
      overlay.setAttribute("role", "alert");
      overlay.style.cssText =
        "position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;z-index:2147483647;" +
        "margin:0;padding:1em 1.25em;background:#2b0b0b;color:#ffe4e4;" +
        "border-top:4px solid #e11d48;font:14px/1.5 ui-monospace,monospace;";
      const title = document.createElement("strong");
      title.textContent = "sitegen: this edit does not build; showing the last good page";
      const text = document.createElement("pre");
      text.style.cssText = "margin:.5em 0 0;white-space:pre-wrap;font:inherit";
      overlay.append(title, text);
      document.body.append(overlay);
    }
    overlay.querySelector("pre").textContent = report;
  }

  function clearErrors() {
    document.getElementById(overlayId)?.remove();
  }

  let search = null; // the search index the server had when this page last heard from it

  function onState(event) {
    const state = JSON.parse(event.data);
    // A new search index: the page's search (static/search.js) uses it from the next query.
    if (search !== null && state.search !== search) document.dispatchEvent(new Event("sitegen:search-index"));
    search = state.search;
    if (state.version !== version) {
      // What changed since the build this page heard of last: else it cannot tell.
      const since = state.previous === version;
      const page = since && state.pages && !notFound ? state.pages[here] ?? "same" : "page";
      if (since && state.stylesheets) swapStylesheets(state.stylesheets);
      else if (page === "main") patching = patching.then(patchMain).catch(reload);
      else if (page !== "same") {
        reload();
        return;
      }
      version = state.version;
    }
    if (state.errors) showErrors(state.errors);
    else clearErrors();
  }

  function connect() {
    const source = new EventSource(new URL("/__sitegen/events", location.href));
    source.addEventListener("state", onState);
    source.addEventListener("open", () => (retryDelay = 500));
    source.addEventListener("error", () => {
      // EventSource retries by itself after a dropped connection, but gives up for good
      // on a refused one or an error status: then start again, waiting longer each time.
      if (source.readyState !== EventSource.CLOSED) return;
      setTimeout(connect, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 5000);
    });
  }

  connect();
})();
