// The search field in the header, over the Pagefind index the build writes to pagefind/.
// base.html loads this module the first time the field is focused; this module then
// loads Pagefind (its script, then the index pieces a query needs), all from this site.
const PAGE = 8; // results shown at first, and added by "More results"
// A result's kind (its page's data-kind), shown by the theme's text for it; a milestone's
// kind is not shown, and a kind without a text is shown as it is.
const KINDS = { Track: "search_kind_track", Source: "search_kind_source", Governance: "search_kind_governance", Page: "search_kind_page" };

// Pagefind searching every part of the index as one: parts.json names the parts, and the
// first part's script searches them all, with the first part's WebAssembly.
async function index(bundle, base) {
  const response = await fetch(bundle + "parts.json", { cache: "no-cache" });
  if (!response.ok) throw new Error(`no search index (${response.status})`);
  const [first, ...others] = await response.json();
  const module = await import(bundle + first + "pagefind.js");
  const options = { baseUrl: base, excerptLength: 24 };
  await module.options(options);
  await Promise.all([module.init(), ...others.map((part) => module.mergeIndex(bundle + part, options))]);
  return module;
}

export async function start(form) {
  const input = form.querySelector("input");
  const panel = form.querySelector(".search-panel");
  const status = form.querySelector(".search-status");
  const list = form.querySelector(".search-results");
  const more = form.querySelector(".search-more");
  const chips = [...form.querySelectorAll(".search-filters button[data-fw]")];
  const names = Object.fromEntries(chips.map((c) => [c.dataset.fw, c.querySelector(".chip-name").textContent]));
  const text = texts(document.documentElement.lang || "en");
  let found = []; // the current query's results, each with a data() loader
  let shown = 0;
  let query = 0; // counts queries, so that a slow answer to an old one is dropped

  let pagefind = null; // Pagefind's module, once loading it has begun
  let dropped = Promise.resolve(); // the last index let go of (see "sitegen:search-index")
  const load = () => (pagefind ??= dropped.then(() => index(form.dataset.bundle, form.dataset.base)));
  load().catch(() => {}); // begun at once; a failure is reported when a query needs it

  form.addEventListener("submit", (event) => {
    event.preventDefault(); // Enter opens the first result
    list.querySelector("a")?.click();
  });
  input.addEventListener("input", () => run());
  input.addEventListener("click", () => { if (input.value.trim()) open(true); });
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !panel.hidden) {
      event.preventDefault();
      open(false);
      input.focus();
    } else if (event.key === "ArrowDown" && event.target === input) {
      event.preventDefault();
      list.querySelector("a")?.focus();
    }
  });
  // Tabbing out closes the results; focus lost to nothing (another window) does not.
  form.addEventListener("focusout", (event) => {
    if (event.relatedTarget && !form.contains(event.relatedTarget)) open(false);
  });
  document.addEventListener("pointerdown", (event) => {
    if (!form.contains(event.target)) open(false);
  });
  chips.forEach((chip) =>
    chip.addEventListener("click", () => {
      chip.setAttribute("aria-pressed", String(chip.getAttribute("aria-pressed") !== "true"));
      run();
    }),
  );
  more.addEventListener("click", () => show(query, true));
  if (input.value.trim()) run(); // typed before this module arrived
  // The dev server made a new index (sitegen serve): the next query uses it.
  document.addEventListener("sitegen:search-index", () => {
    dropped = (pagefind ?? dropped).then((module) => module?.destroy()).catch(() => {});
    pagefind = null;
    if (input.value.trim()) run();
  });

  function open(yes) {
    panel.hidden = !yes;
    form.classList.toggle("is-open", yes);
  }

  async function run() {
    const term = input.value.trim();
    const mine = ++query;
    if (!term) {
      found = [];
      list.replaceChildren();
      more.hidden = true;
      status.textContent = "";
      open(false);
      return;
    }
    open(true);
    // As on the timeline, every track shows until one is switched off; pages of no
    // track (sources, governance) show while every track does.
    const tracks = chips.filter((c) => c.getAttribute("aria-pressed") === "true").map((c) => c.dataset.fw);
    // An empty list filters nothing out, but has Pagefind count the results on each track.
    const filters = { track: tracks.length === chips.length ? [] : { any: tracks } };
    let search;
    try {
      search = await (await load()).debouncedSearch(term, { filters }, 150);
    } catch {
      pagefind = null; // tried again with the next query (the dev server makes it later)
      if (mine === query) status.textContent = text("search_unavailable");
      return;
    }
    if (search === null || mine !== query) return; // a newer query took over
    found = search.results;
    shown = 0;
    list.replaceChildren();
    if (!tracks.length) found = [];
    counts(search.totalFilters?.track || {});
    await show(mine);
    if (mine !== query) return;
    const count = found.length;
    status.textContent = !tracks.length
      ? text("search_no_track")
      : count
        ? text("search_found", { count, query: term })
        : text("search_nothing", { query: term });
  }

  function counts(byTrack) {
    chips.forEach((chip) => {
      const n = byTrack[chip.dataset.fw] ?? 0;
      chip.querySelector(".chip-count").textContent = text("search_track_count", { count: n });
    });
  }

  // The next results; `focus` moves to the first of them (from "More results").
  async function show(mine, focus = false) {
    const batch = await Promise.all(found.slice(shown, shown + PAGE).map((r) => r.data()));
    if (mine !== query) return;
    shown += batch.length;
    const items = batch.map(result);
    list.append(...items);
    if (focus && items.length) items[0].querySelector("a").focus();
    more.hidden = shown >= found.length;
  }

  function result(data) {
    const item = document.createElement("li");
    item.className = "search-result";
    const link = document.createElement("a");
    link.href = data.url;
    link.className = "search-title";
    link.textContent = data.meta.title || data.url;
    const meta = document.createElement("p");
    meta.className = "search-meta";
    const tracks = (data.meta.tracks || "").split(" ").filter((id) => id in names);
    const kind = data.meta.kind;
    if (kind && kind !== "Milestone") meta.append(tag("span", "search-kind", KINDS[kind] ? text(KINDS[kind]) : kind));
    if (data.meta.date) meta.append(tag("span", "search-date", data.meta.date));
    for (const id of tracks) {
      const track = tag("span", `fw-tag fw-${id}`, "");
      const marker = tag("span", "marker", "");
      marker.setAttribute("aria-hidden", "true");
      track.append(marker, names[id]);
      meta.append(track);
    }
    const excerpt = document.createElement("p");
    excerpt.className = "search-excerpt";
    excerpt.append(...highlighted(data.excerpt || ""));
    item.append(link, meta, excerpt);
    return item;
  }
}

// The theme's texts in the page's language (base.html's #search-texts, written as
// timeline.js reads its own): `text(key, params)`, a text shown with a count taking the
// form of its plural category by the browser's CLDR rules.
function texts(lang) {
  const messages = JSON.parse(document.getElementById("search-texts")?.textContent || "{}");
  const plural = new Intl.PluralRules(lang);
  const number = new Intl.NumberFormat(lang);
  return (key, params = {}) => {
    let message = messages[key] ?? key;
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
}

function tag(name, className, text) {
  const element = document.createElement(name);
  element.className = className;
  element.textContent = text;
  return element;
}

// Pagefind's excerpt is escaped text with <mark> around the words found: rebuilt here as
// text nodes and <mark> elements, so that nothing in it can ever run as HTML.
function highlighted(excerpt) {
  const decoder = document.createElement("textarea"); // holds text only: entities decoded, no tags
  const text = (html) => ((decoder.innerHTML = html), decoder.value);
  return excerpt.split(/(<mark>.*?<\/mark>)/).filter(Boolean).map((part) => {
    const word = part.match(/^<mark>(.*)<\/mark>$/);
    return word ? tag("mark", "", text(word[1])) : document.createTextNode(text(part));
  });
}
