"""The what-if panel, "Explore the assumptions": the book's headlines over a grid of its contested inputs.

Every value is computed at build time by the functions the chapters themselves publish with (the cost model,
the serving chapter's fleet-year, the ledger's verdict), at parameters resolved exactly as the command line
resolves `--scenario NAME -p NAME=VALUE`; the page only looks them up. The controls and their grids are
data/explore.csv. Each output is stored over the controls it actually varies with (found by comparing the
computed values, not assumed), so the page stays small.
"""

from __future__ import annotations

import html
import itertools
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from analysis.chapters.inputs import BASIS_LABELS, cost_model
from analysis.errors import InputError
from analysis.formatting import usd_sig
from analysis.inputs import data
from analysis.inputs.params import Value, load_scenario, registry, resolve
from analysis.model import ledger, reconcile

SCENARIO = "scenario"
WHERE = "data/explore.csv"
CHOICE_LABELS = {"gpu_price_basis": BASIS_LABELS}  # as the fleet chapter words them


@dataclass(frozen=True)
class Option:
    value: str  # as typed on the command line
    label: str
    cli: str  # the command-line words that select it ("" at the book's default)


@dataclass(frozen=True)
class Control:
    param: str  # a parameter name, or "scenario"
    label: str
    options: tuple[Option, ...]
    default: int  # index of the option at the book's defaults
    rationale: str


@dataclass(frozen=True)
class Output:
    key: str  # the results.json key the panel shows
    label: str
    group: str  # which computation gives it (GROUPS)
    shown: Callable[[Any], str]


def _pct(digits: int) -> Callable[[Any], str]:
    return lambda v: f"{float(v):.{digits}%}"


OUTPUTS = (
    Output("fleet_capex_usd", "Fleet capex", "cost", usd_sig),
    Output("fleet_opex_per_year_usd", "Fleet opex per year", "cost", usd_sig),
    Output("owned_gpu_hour_usd", "An owned H800, per hour held", "cost", lambda v: f"${v:.2f}"),
    Output("owned_gpu_useful_hour_usd", "An owned H800, per useful hour", "cost", lambda v: f"${v:.2f}"),
    Output("total_development_cost_usd", "V3's development cost (run, research, R1, staff)", "cost", usd_sig),
    Output("v3_training_cost_usd", "V3's final run at the rental price", "cost", usd_sig),
    Output("v3_run_share_of_fleet_year", "The final run's share of a fleet-year", "cost", _pct(2)),
    Output("fleet_share_unexplained", "Fleet-year that no public figure accounts for", "fleet_year", _pct(0)),
    Output("claim_capex_1_6b_percentile", "Where \"$1.6B of servers\" sits among the book's samples of the fleet's capex", "claims",
           lambda v: f"{ledger.ordinal(float(v))} percentile"),
    Output("claim_capex_1_6b_verdict", "The ledger's verdict on \"$1.6B of servers\"", "claims", str),
)
# The cost model's name for a figure a chapter publishes under another key.
COST_KEYS = {"v3_training_cost_usd": "run_rental_usd"}


def _cost(p: Mapping[str, Value]) -> dict[str, Any]:
    book = cost_model({name: p[name] for name in reconcile.MODEL_PARAMS})  # type: ignore[misc]
    return {o.key: book[COST_KEYS.get(o.key, o.key)] for o in OUTPUTS if o.group == "cost"}


def _fleet_year(p: Mapping[str, Value]) -> dict[str, Any]:
    from analysis.chapters import serving as serving_chapter

    # As the serving chapter reads its parameters: every one as a float.
    f = {name: float(p[name]) for name in serving_chapter.FLEET_YEAR_PARAMS}  # type: ignore[arg-type]
    return {"fleet_share_unexplained": serving_chapter.fleet_year(f)[3].shares()["unexplained"]}


PANEL_CLAIMS = ("capex_1_6b",)


def _claims(p: Mapping[str, Value]) -> dict[str, Any]:
    """The ledger's verdicts and percentiles, by the ledger's own function (claims.judge), as its page shows them."""
    from analysis.chapters import claims as claims_chapter

    found = claims_chapter.judge(p).by_id()
    out: dict[str, Any] = {}
    for claim_id in PANEL_CLAIMS:
        out[f"claim_{claim_id}_verdict"] = found[claim_id].verdict
        out[f"claim_{claim_id}_percentile"] = found[claim_id].percentile
    return out


# The panel's inputs that the capex verdict does not read: the fleet's capex as paid does not depend on them, and
# neither do its Monte Carlo samples (each input has its own draws). Leaving them out of the claims group's inputs
# spares the grid thousands of identical evaluations; tests/test_explore.py checks that they change nothing.
CAPEX_NEUTRAL = frozenset({"cost_of_capital", "utilisation", "research_multiplier", "high_flyer_share", "gpu_hour_usd"})


def claims_reads() -> tuple[str, ...]:
    from analysis.chapters import claims as claims_chapter

    return tuple(name for name in claims_chapter.PARAMETERS if name not in CAPEX_NEUTRAL)


def groups() -> dict[str, tuple[Sequence[str], Callable[[Mapping[str, Value]], dict[str, Any]]]]:
    """group → (the parameters it reads, the function). The chapters load here, not on import: the build
    validates data/explore.csv before any notebook runs, without loading matplotlib for it."""
    from analysis.chapters import serving as serving_chapter

    return {
        "cost": (reconcile.MODEL_PARAMS, _cost),
        "fleet_year": (serving_chapter.FLEET_YEAR_PARAMS, _fleet_year),
        "claims": (claims_reads(), _claims),
    }


def _option_label(param: str, value: Value) -> str:
    unit = registry()[param].unit or ""
    if unit.startswith("fraction"):
        # Whole percentages where they are whole; one decimal where rounding would make two options read alike (2.95%).
        share = float(value) * 100  # type: ignore[arg-type]
        return f"{share:.0f}%" if abs(share - round(share)) < 1e-9 else f"{share:.1f}%"
    if unit.startswith("USD"):
        return f"${float(value):.2f}"  # type: ignore[arg-type]
    if unit.startswith("multiple"):
        return f"{float(value):g}×"  # type: ignore[arg-type]
    return CHOICE_LABELS.get(param, {}).get(str(value), str(value).replace("_", " "))


def controls() -> tuple[Control, ...]:
    """The panel's controls from data/explore.csv, each grid value validated as `-p NAME=VALUE` would be, and each
    grid holding the book's default (so the panel opens on the book as built)."""
    params, out = registry(), []
    defaults = {name: p.default for name, p in params.items()}
    for line, row in enumerate(data.load_table("explore.csv").itertuples(index=False), start=2):
        values = [v.strip() for v in str(row.values).split("|") if v.strip()]
        where = f"{WHERE}:{line}:values"
        if len(values) < 2 or len(set(values)) != len(values):
            raise InputError(f"{where}: expected two or more different values separated by |")
        if row.control == SCENARIO:
            options, default = [], None
            for i, name in enumerate(values):
                scenario = load_scenario(name)
                options.append(Option(name, scenario.title or name, f"--scenario {name}"))
                if resolve(name).values == defaults:
                    default = i if default is None else default
        elif row.control in params:
            param = params[row.control]
            parsed = [param.coerce(v, where) for v in values]
            options = [Option(v, _option_label(row.control, x), f"-p {row.control}={v}") for v, x in zip(values, parsed, strict=True)]
            default = next((i for i, x in enumerate(parsed) if x == param.default), None)
        else:
            raise InputError(f"{WHERE}:{line}:control: {row.control!r} is neither a parameter nor {SCENARIO!r}")
        if default is None:
            raise InputError(f"{where}: no value gives the book's default for {row.control} (the panel opens on the defaults)")
        out.append(Control(row.control, row.label, tuple(options), default, row.rationale))
    return tuple(out)


class Resolver:
    """Parameters at a grid point, as `build --scenario S -p NAME=VALUE …` resolves them (defaults < scenario < -p),
    with each scenario and each assignment resolved once: the merge is params.resolve's, the work is not repeated."""

    def __init__(self, controls_: Sequence[Control]) -> None:
        self.controls = {c.param: c for c in controls_}
        scenario = self.controls.get(SCENARIO)
        self.bases = {None: resolve().values} | ({o.value: resolve(o.value).values for o in scenario.options} if scenario else {})
        self.assigned = {(c.param, o.value): resolve(None, [f"{c.param}={o.value}"]).values[c.param]
                         for c in controls_ if c.param != SCENARIO for o in c.options}

    def point(self, choice: Mapping[str, int]) -> dict[str, Value]:
        scenario = self.controls[SCENARIO].options[choice[SCENARIO]].value if SCENARIO in choice else None
        values = dict(self.bases[scenario])
        for param, i in choice.items():
            if param != SCENARIO:
                values[param] = self.assigned[(param, self.controls[param].options[i].value)]
        return values

    def assignments(self, choice: Mapping[str, int]) -> tuple[str | None, list[str]]:
        """The same point as command-line arguments: (scenario, ["NAME=VALUE", …])."""
        scenario = self.controls[SCENARIO].options[choice[SCENARIO]].value if SCENARIO in choice else None
        return scenario, [f"{p}={self.controls[p].options[i].value}" for p, i in choice.items() if p != SCENARIO]


def _reduce(values: np.ndarray, axes: list[str]) -> tuple[list[str], np.ndarray]:
    """Drop every axis along which the values do not change (compared exactly)."""
    for axis in reversed(range(len(axes))):
        first = np.take(values, [0], axis=axis)
        if all(np.array_equal(np.take(values, [i], axis=axis), first) for i in range(1, values.shape[axis])):
            values = np.take(values, 0, axis=axis)
            axes = axes[:axis] + axes[axis + 1:]
    return axes, values


def panel_data() -> dict[str, Any]:
    """The grid and every output over it, ready for the page (JSON)."""
    ctrls = controls()
    resolver = Resolver(ctrls)
    scenario_params = {name for c in ctrls if c.param == SCENARIO for o in c.options for name in load_scenario(o.value).parameters}
    outputs = []
    for group, (reads, compute) in groups().items():
        axes = [c for c in ctrls if c.param in reads or (c.param == SCENARIO and scenario_params & set(reads))]
        shape = tuple(len(c.options) for c in axes)
        grids: dict[str, np.ndarray] = {o.key: np.empty(shape, dtype=object) for o in OUTPUTS if o.group == group}
        memo: dict[tuple[Any, ...], dict[str, Any]] = {}
        for index in itertools.product(*(range(n) for n in shape)):
            p = resolver.point({c.param: i for c, i in zip(axes, index, strict=True)})
            key = tuple(p[name] for name in reads)
            if key not in memo:  # two grid points can resolve to the same inputs (a scenario equal to the defaults)
                memo[key] = compute(p)
            for name, grid in grids.items():
                grid[index] = memo[key][name]
        for output in (o for o in OUTPUTS if o.group == group):
            names, values = _reduce(grids[output.key], [c.param for c in axes])
            # A number that is not finite (a ratio to a book figure of 0) is not published, here or in results.json.
            flat = [v if isinstance(v, str) else float(v) if math.isfinite(v) else None for v in np.ravel(values)]
            outputs.append({"key": output.key, "label": output.label, "axes": names, "values": flat,
                            "texts": ["—" if v is None else output.shown(v) for v in flat]})
    order = {o.key: i for i, o in enumerate(OUTPUTS)}
    outputs.sort(key=lambda o: order[o["key"]])
    return {
        "controls": [{"param": c.param, "label": c.label, "default": c.default, "rationale": c.rationale,
                      "options": [{"value": o.value, "label": o.label, "cli": o.cli} for o in c.options]} for c in ctrls],
        "outputs": outputs,
    }


def _index(panel: Mapping[str, Any], output: Mapping[str, Any], choice: Mapping[str, int]) -> int:
    """Where an output's stored (reduced) values hold a choice of options: the lookup the page's script does."""
    sizes = {c["param"]: len(c["options"]) for c in panel["controls"]}
    index = 0
    for axis in output["axes"]:
        index = index * sizes[axis] + choice[axis]
    return index


def at(panel: Mapping[str, Any], output: Mapping[str, Any], choice: Mapping[str, int]) -> Any:
    """One output's value at a choice of options (control → option index)."""
    return output["values"][_index(panel, output, choice)]


def grid_size(panel: Mapping[str, Any]) -> int:
    return int(np.prod([len(c["options"]) for c in panel["controls"]]))


# --- the page --------------------------------------------------------------------------------------

SCRIPT = """
(function () {
  "use strict";
  var panel = JSON.parse(document.getElementById("explore-data").textContent);
  var form = document.getElementById("explore");
  var note = document.getElementById("explore-note");
  var status = document.getElementById("explore-copy-status");
  var sizes = {}, byParam = {};
  panel.controls.forEach(function (c) { sizes[c.param] = c.options.length; byParam[c.param] = c; });
  function select(param) { return form.querySelector('[data-param="' + param + '"]'); }
  function choice() {
    var chosen = {};
    panel.controls.forEach(function (c) { chosen[c.param] = select(c.param).selectedIndex; });
    return chosen;
  }
  // The address holds the choices that differ from the book's: #scenario=hoppers_only&utilisation=0.9
  function fragment(chosen) {
    return panel.controls.filter(function (c) { return chosen[c.param] !== c["default"]; }).map(function (c) {
      return encodeURIComponent(c.param) + "=" + encodeURIComponent(c.options[chosen[c.param]].value);
    }).join("&");
  }
  function link() {
    var hash = fragment(choice());
    return location.href.split("#")[0] + (hash ? "#" + hash : "");
  }
  function remember(chosen) {
    var hash = fragment(chosen), target = location.pathname + location.search + (hash ? "#" + hash : "");
    if (location.hash.replace(/^#/, "") === hash) { return; }
    try { history.replaceState(history.state, "", target); } catch (e) { location.replace("#" + hash); }
  }
  function optionOf(control, text) {
    for (var i = 0; i < control.options.length; i++) {
      var value = control.options[i].value;
      if (value === text || (text.trim() !== "" && isFinite(Number(text)) && isFinite(Number(value)) && Number(text) === Number(value))) { return i; }
    }
    return -1;
  }
  function restore() {  // from the address: known controls at values on the grid; anything else ignored, and said
    var hash = location.hash.replace(/^#/, ""), ignored = [], seen = {};
    panel.controls.forEach(function (c) { select(c.param).selectedIndex = c["default"]; });
    if (hash) {
      hash.split("&").forEach(function (pair) {
        if (!pair) { return; }
        var at = pair.indexOf("="), name, text;
        try {
          name = decodeURIComponent(at < 0 ? pair : pair.slice(0, at));
          text = at < 0 ? "" : decodeURIComponent(pair.slice(at + 1).replace(/\\+/g, " "));
        } catch (e) { ignored.push(pair + " (not readable)"); return; }
        var control = Object.prototype.hasOwnProperty.call(byParam, name) ? byParam[name] : null;
        if (!control) { ignored.push(name + " (not a control of this panel)"); return; }
        var i = optionOf(control, text);
        if (i < 0) {
          ignored.push(name + "=" + text + " (not on the panel's grid: " +
            control.options.map(function (o) { return o.value; }).join(", ") + ")");
          return;
        }
        if (seen[name]) { ignored.push(name + "=" + text + " (given twice; the first kept)"); return; }
        seen[name] = true;
        select(name).selectedIndex = i;
      });
    }
    note.hidden = ignored.length === 0;
    note.textContent = ignored.length ? "Ignored in this page's address: " + ignored.join("; ") +
      ". Those inputs stay at the book's values; any other value is one build away: python -m analysis build -p NAME=VALUE." : "";
  }
  function update() {
    var chosen = choice();
    panel.outputs.forEach(function (o) {
      var i = 0;
      o.axes.forEach(function (a) { i = i * sizes[a] + chosen[a]; });
      var cell = form.querySelector('[data-result="' + o.key + '"]');
      cell.textContent = o.texts[i];
      cell.setAttribute("data-value", String(o.values[i]));
      var row = cell.closest(".explore-output");
      var moved = o.texts[i] !== row.querySelector(".explore-default").getAttribute("data-text");
      row.classList.toggle("explore-moved", moved);
    });
    var words = ["python -m analysis build"];
    panel.controls.forEach(function (c) {
      if (chosen[c.param] !== c["default"]) { words.push(c.options[chosen[c.param]].cli); }
    });
    document.getElementById("explore-command").textContent = words.join(" ");
    status.textContent = "";
    return chosen;
  }
  function copied(ok) { status.textContent = ok ? "Link copied." : "Copy this link: " + link(); }
  document.getElementById("explore-copy").addEventListener("click", function () {
    var text = link();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { copied(true); }, function () { copied(fallbackCopy(text)); });
    } else {
      copied(fallbackCopy(text));
    }
  });
  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text; area.setAttribute("readonly", ""); area.style.position = "fixed"; area.style.opacity = "0";
    document.body.appendChild(area); area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok;
  }
  form.addEventListener("change", function () { note.hidden = true; remember(update()); });
  form.addEventListener("reset", function () { window.setTimeout(function () { note.hidden = true; remember(update()); }, 0); });
  window.addEventListener("hashchange", function () { restore(); update(); });
  restore();
  update();
})();
"""


def _select(control: Mapping[str, Any]) -> str:
    """One control: its label, its choices (the book's own marked in the label beneath, so no option is cut off in
    its box) and, beside it, why these values."""
    param = html.escape(control["param"])
    options = "".join(
        f'<option value="{html.escape(o["value"])}"{" selected" if i == control["default"] else ""}>{html.escape(o["label"])}</option>'
        for i, o in enumerate(control["options"]))
    book = html.escape(control["options"][control["default"]]["label"])
    return (f'<div class="explore-control"><label for="explore-{param}">{html.escape(control["label"])}</label>'
            f'<select id="explore-{param}" data-param="{param}" name="{param}" aria-describedby="explore-why-{param}">{options}</select>'
            f'<p class="explore-why" id="explore-why-{param}"><span class="explore-book">Book: {book}.</span> '
            f'{html.escape(_sentence(control["rationale"]))}</p></div>')


def _sentence(text: str) -> str:
    text = " ".join(str(text).split())
    return text if text.endswith((".", "!", "?", ")")) else text + "."


def panel_html(panel: Mapping[str, Any]) -> str:
    """The form, its outputs at the book's defaults (what a reader sees without JavaScript), the data and the lookup.
    The choices live in the page's address (#NAME=VALUE&…), so a link reopens the panel as it was left."""
    defaults = {c["param"]: c["default"] for c in panel["controls"]}
    rows = []
    for o in panel["outputs"]:
        i = _index(panel, o, defaults)
        value, text = o["values"][i], o["texts"][i]
        rows.append(
            f'<div class="explore-output"><dt>{html.escape(o["label"])}</dt>'
            f'<dd><span class="explore-value" data-result="{o["key"]}" data-value="{html.escape(str(value))}">{html.escape(text)}</span>'
            f' <span class="explore-default" data-text="{html.escape(text)}">book: {html.escape(text)}</span></dd></div>')
    payload = json.dumps(panel, separators=(",", ":"), ensure_ascii=True).replace("</", "<\\/")
    return (
        '<form id="explore" class="explore" autocomplete="off">\n'
        '<p id="explore-note" class="explore-note" role="status" hidden></p>\n'
        '<div class="explore-layout">\n'
        f'<fieldset class="explore-controls"><legend>Inputs</legend>{"".join(_select(c) for c in panel["controls"])}'
        '<div class="explore-actions"><button type="reset">Back to the book\'s inputs</button>'
        '<button type="button" id="explore-copy">Copy link to these choices</button>'
        '<span id="explore-copy-status" class="explore-copy-status" role="status"></span></div></fieldset>\n'
        '<div class="explore-results" aria-live="polite">'
        f'<dl class="explore-outputs">{"".join(rows)}</dl>\n'
        '<p class="explore-command-line">The same numbers from the command line: '
        '<code id="explore-command">python -m analysis build</code></p></div>\n'
        '</div>\n</form>\n'
        f'<script type="application/json" id="explore-data">{payload}</script>\n'
        f"<script>{SCRIPT}</script>"
    )


def page(panel: Mapping[str, Any]) -> str:
    """The "Explore the assumptions" page (MyST Markdown with the panel as raw HTML)."""
    markup = panel_html(panel)
    kilobytes = len(markup.encode()) / 1e3
    sources = data.load_indexed("explore.csv")["source_id"]
    def unit(param: str) -> str:
        shown = "" if param == SCENARIO else registry()[param].unit or ""
        return f", {shown}" if shown else ""

    choices = "\n".join(
        f"{c['label']}\n: {' · '.join(o['label'] for o in c['options'])} "
        f"(`{c['param']}`{unit(c['param'])}; source `{sources[c['param']]}`).\n"
        for c in panel["controls"])
    labels = {c["param"]: c["label"] for c in panel["controls"]}
    varies = "\n".join(f"- {o['label']}: " + ("; ".join(labels[a] for a in o["axes"]) or "none of them") for o in panel["outputs"])
    # Said the same way on every build (a rebuild with other parameters then leaves this page as it was).
    built_with = ("\n```{note}\nThe panel starts from the book's default inputs, whatever parameters this copy of the book "
                  "was built with (they are in `results.json`, under `_meta`), so that each of its numbers is what the "
                  "command line beneath it gives.\n```\n")
    return f"""# Explore the assumptions

The book's answer depends on a handful of contested inputs. Choose your own below and the headlines follow.
Nothing is calculated in your browser: when the book was built, its own model computed every headline at every
combination of these choices ({grid_size(panel):,} in all), exactly as `python -m analysis build` would with the
command shown under the results, and this page only looks the numbers up. Your choices are kept in the page's
address: copy it (or press *Copy link*) to share them, and a reader who opens it sees the same numbers. Every other input stays at the book's
default ([Parameters](reference_parameters)). The page works offline and weighs {kilobytes:,.0f} kB.
{built_with}
```{{raw}} html
{markup}
```

## The choices

{choices}
## What each result moves with

Each result is stored over the choices it varies with, found by comparing the computed values (the others leave it
exactly unchanged):

{varies}

## What the panel cannot show

- *Every input that matters.* These are the contested inputs the book's critics argue over, not all the large ones:
  the model builders' pay and years move the development cost beside the research multiple, and the GPU counts one by
  one, the server life, the network and the servers' parts beside the GPUs move the fleet's figures. The
  [Uncertainty](uncertainty.ipynb) page ranks every input by how far it moves each headline.
- *The landing page's ranges.* The panel's "book:" values are each quantity at the book's defaults (the landing page's
  and the chapters' values in a book built with them); the landing page's P10–P90 come from the Monte Carlo, which the
  panel does not run.
- *Other comparisons for other readings.* The ledger judges each reading of the fleet against the claimed figure; the
  [fleet chapter](fleet.ipynb) also sets the Hoppers-only reading beside Luk's lower total for it.
- *Values between the grid's points.* Any other value, and any other input, is one command away:
  `python -m analysis build -p NAME=VALUE` ([Re-run it yourself](rerun)).
- *Ranges.* The panel moves inputs one setting at a time; the Monte Carlo of the [Uncertainty](uncertainty.ipynb)
  page gives each headline's spread, and the [ledger](claims.ipynb) where each claim sits in it.
- *Verdicts on every claim.* It shows the ledger's verdict on one of them ("$1.6B of servers") at the inputs you
  choose; the ledger judges all of them at the inputs this copy of the book was built with.
"""
