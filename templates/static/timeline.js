// The timeline's track filter. Without JavaScript the filters stay links to each track's
// page; here they become toggle buttons, and the choice is kept in the URL
// (?fw=pytorch,jax) so a filtered view can be shared and survives a reload.
(() => {
  "use strict";
  const nav = document.querySelector("[data-filter]");
  let timeline = document.getElementById("timeline");
  const status = document.getElementById("filter-status");
  if (!nav || !timeline || !status) return;

  const links = [...nav.querySelectorAll("a[data-fw]")];
  const ids = links.map((link) => link.dataset.fw);
  const names = Object.fromEntries(links.map((l) => [l.dataset.fw, l.textContent.trim()]));
  let cards = [...timeline.querySelectorAll(".card[data-fw]")];
  const tracksOf = (el) => el.dataset.fw.split(" ");

  // The theme's texts in the page's language (see templates/i18n/): a text shown with a
  // count has a form a plural category, chosen by the browser's CLDR rules.
  const lang = document.documentElement.lang || "en";
  const texts = JSON.parse(document.getElementById("timeline-texts")?.textContent || "{}");
  const plural = new Intl.PluralRules(lang);
  const number = new Intl.NumberFormat(lang);
  const text = (key, params = {}) => {
    let message = texts[key] ?? key;
    if (Array.isArray(message)) {
      const forms = Object.fromEntries(message);
      message = forms[params.count === 0 && forms.zero ? "zero" : plural.select(params.count ?? 0)] ?? forms.other;
    }
    return message.replace(/\{(\w+)\}/g, (found, name) => {
      const value = params[name];
      if (value === undefined) return found;
      return typeof value === "number" ? number.format(value) : String(value);
    });
  };
  const listed = (names) => ("ListFormat" in Intl ? new Intl.ListFormat(lang).format(names) : names.join(", "));

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
  // Always in place, hidden while every track shows: showing it never moves the page.
  const reset = document.createElement("button");
  reset.type = "button";
  reset.className = "chip chip-reset";
  reset.textContent = text("show_all");
  reset.addEventListener("click", () => show(new Set(ids), true));
  const item = document.createElement("li");
  item.append(reset);
  nav.querySelector("ul").append(item);

  // Each write below only when it changes something: an unchanged page (every track shown,
  // as the server wrote it) then costs the browser no second style pass over every card.
  const setHidden = (el, hidden) => { if (el.hidden !== hidden) el.hidden = hidden; };
  const setStyle = (el, name, value) => {
    if (el.style.getPropertyValue(name).trim() !== value) el.style.setProperty(name, value);
  };
  const setText = (el, text) => { if (el.textContent !== text) el.textContent = text; };

  function current() {
    return new Set(buttons.filter((b) => b.getAttribute("aria-pressed") === "true").map((b) => b.dataset.fw));
  }

  function fromUrl() {
    const param = new URLSearchParams(location.search).get("fw");
    const shown = new Set(param === null ? ids : param.split(",").filter((id) => ids.includes(id)));
    let id = location.hash.slice(1);
    try { id = decodeURIComponent(id); } catch { /* a malformed % escape: the fragment as written */ }
    const target = id && document.getElementById(id);
    // A shared card link always shows its card.
    if (target && target.dataset.fw && !tracksOf(target).some((id) => shown.has(id))) shown.add(tracksOf(target)[0]);
    return shown;
  }

  function show(shown, remember) {
    const visible = ids.filter((id) => shown.has(id));
    const lane = Object.fromEntries(visible.map((id, i) => [id, i + 1]));
    buttons.forEach((b) => b.setAttribute("aria-pressed", String(shown.has(b.dataset.fw))));
    reset.classList.toggle("is-idle", visible.length === ids.length);
    reset.disabled = visible.length === ids.length;
    timeline.querySelectorAll("[data-fw]").forEach((el) => setHidden(el, !tracksOf(el).some((id) => shown.has(id))));
    setStyle(timeline, "--tracks", String(Math.max(visible.length, 1)));
    // A lane in its place in the theme's order needs no property: the theme's CSS falls back to that place.
    ids.forEach((id, i) => {
      if (lane[id] && lane[id] !== i + 1) timeline.style.setProperty(`--track-${id}`, String(lane[id]));
      else timeline.style.removeProperty(`--track-${id}`);
    });
    // A card on several tracks spans the lanes of those shown (its slot places it).
    timeline.querySelectorAll(".card.cross").forEach((card) => {
      const lanes = tracksOf(card).filter((id) => lane[id]).map((id) => lane[id]);
      if (!lanes.length) return;
      setStyle(card.parentElement, "--from", String(Math.min(...lanes)));
      setStyle(card.parentElement, "--to", String(Math.max(...lanes)));
    });
    const years = [...timeline.querySelectorAll(".year")];
    years.forEach((year) => {
      setHidden(year, !year.querySelector(".card:not([hidden])"));
      const link = document.querySelector(`.years a[data-year="${year.dataset.year}"]`);
      if (link) setHidden(link.parentElement, year.hidden);
    });
    // After each year shown, the years with nothing shown up to the next one.
    const shownYears = years.filter((y) => !y.hidden);
    years.forEach((year) => {
      const gap = year.querySelector("[data-gap]");
      if (!gap) return;
      const next = shownYears[shownYears.indexOf(year) + 1];
      const first = Number(year.dataset.year) + 1;
      const last = next ? Number(next.dataset.year) - 1 : 0;
      setHidden(gap, year.hidden || last < first);
      if (!gap.hidden) setText(gap.querySelector(".gap-years"), first === last ? `${first}` : `${first}–${last}`);
    });
    const count = cards.filter((c) => !c.hidden).length;
    const list = visible.map((id) => names[id]);
    setText(status,
      visible.length === ids.length ? text("filter_all", { count: cards.length })
      : visible.length === 0 ? text("filter_none")
      : text("filter_some", { shown: count, count: cards.length, names: listed(list) }));
    if (remember) history.replaceState(null, "", filtered(location.href, visible) + location.hash);
    // The other pages of a split timeline open with the same tracks shown.
    document.querySelectorAll("a[data-pager]").forEach((a) => {
      const href = filtered(a.href, visible);
      if (a.getAttribute("href") !== href) a.setAttribute("href", href);
    });
  }

  // `href` without its fragment, with ?fw= naming the tracks shown (none when all are).
  function filtered(href, visible) {
    const url = new URL(href, location.href);
    if (visible.length === ids.length) url.searchParams.delete("fw");
    else url.searchParams.set("fw", visible.join(","));
    return url.pathname + url.search.replace(/%2C/g, ",");
  }

  show(fromUrl(), false);
  // `sitegen serve` patched the page in place: the cards it put in come as the server wrote them.
  document.addEventListener("sitegen:patched", () => {
    timeline = document.getElementById("timeline");
    cards = [...timeline.querySelectorAll(".card[data-fw]")];
    show(current(), false);
  });
})();
