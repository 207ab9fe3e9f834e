// sitegen serve: injected into served HTML pages only, never into built files.
// Listens for builds over Server-Sent Events and reloads the page, swaps stylesheets, or
// shows the build errors over the last good page.
(() => {
  "use strict";
  const script = document.currentScript;
  let version = script.dataset.version; // the build this page came from
  const scrollKey = "sitegen-scroll:" + location.pathname;
  const overlayId = "sitegen-error-overlay";
  let retryDelay = 500;

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
      if (state.previous === version && state.stylesheets) {
        swapStylesheets(state.stylesheets);
        version = state.version;
      } else {
        reload();
        return;
      }
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
