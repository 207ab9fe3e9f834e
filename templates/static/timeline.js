// The timeline's framework filter. Without JavaScript the filters stay links to each
// framework's page; here they become toggle buttons, and the choice is kept in the URL
// (?fw=pytorch,jax) so a filtered view can be shared and survives a reload.
(() => {
  "use strict";
  const nav = document.querySelector("[data-filter]");
  const timeline = document.getElementById("timeline");
  const status = document.getElementById("filter-status");
  if (!nav || !timeline || !status) return;

  const links = [...nav.querySelectorAll("a[data-fw]")];
  const ids = links.map((link) => link.dataset.fw);
  const names = Object.fromEntries(links.map((l) => [l.dataset.fw, l.textContent.trim()]));
  const cards = [...timeline.querySelectorAll(".card[data-fw]")];
  const total = cards.length;

  const buttons = links.map((link) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = link.className;
    button.dataset.fw = link.dataset.fw;
    button.append(...link.childNodes);
    link.replaceWith(button);
    button.addEventListener("click", () => {
      const shown = current();
      shown.has(button.dataset.fw) ? shown.delete(button.dataset.fw) : shown.add(button.dataset.fw);
      show(shown, true);
    });
    return button;
  });
  const reset = document.createElement("button");
  reset.type = "button";
  reset.className = "chip chip-reset";
  reset.textContent = "Show all";
  reset.addEventListener("click", () => show(new Set(ids), true));
  const item = document.createElement("li");
  item.append(reset);
  nav.querySelector("ul").append(item);
  document.getElementById("filters-label").textContent = "Show";

  function current() {
    return new Set(buttons.filter((b) => b.getAttribute("aria-pressed") === "true").map((b) => b.dataset.fw));
  }

  function fromUrl() {
    const param = new URLSearchParams(location.search).get("fw");
    const shown = new Set(param === null ? ids : param.split(",").filter((id) => ids.includes(id)));
    let id = location.hash.slice(1);
    try { id = decodeURIComponent(id); } catch { /* a malformed % escape: the fragment as written */ }
    const target = id && document.getElementById(id);
    if (target && target.dataset.fw) shown.add(target.dataset.fw); // a shared card link always shows its card
    return shown;
  }

  function show(shown, remember) {
    const visible = ids.filter((id) => shown.has(id));
    buttons.forEach((b) => b.setAttribute("aria-pressed", String(shown.has(b.dataset.fw))));
    reset.hidden = visible.length === ids.length;
    timeline.querySelectorAll("[data-fw]").forEach((el) => { el.hidden = !shown.has(el.dataset.fw); });
    timeline.style.setProperty("--tracks", String(Math.max(visible.length, 1)));
    visible.forEach((id, i) => timeline.style.setProperty(`--track-${id}`, String(i + 1)));
    timeline.querySelectorAll(".year").forEach((year) => {
      year.hidden = !year.querySelector(".card:not([hidden]), .era");
      const link = document.querySelector(`.years a[data-year="${year.dataset.year}"]`);
      if (link) link.parentElement.hidden = year.hidden;
    });
    const count = cards.filter((c) => !c.hidden).length;
    const list = visible.map((id) => names[id]);
    status.textContent =
      visible.length === ids.length ? `All ${total} milestones, oldest first.`
      : visible.length === 0 ? "No framework selected: choose one above to see its milestones."
      : `Showing ${count} of ${total} milestones: ${list.join(" and ")}.`;
    if (remember) {
      const url = new URL(location.href);
      if (visible.length === ids.length) url.searchParams.delete("fw");
      else url.searchParams.set("fw", visible.join(","));
      history.replaceState(null, "", url.pathname + url.search.replace(/%2C/g, ",") + url.hash);
    }
  }

  show(fromUrl(), false);
})();
