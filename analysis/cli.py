"""`python -m analysis …`: the one place that parses arguments and renders errors.

Bad input → one line on stderr, exit code 2. A failed notebook or book build →
message naming what failed, exit code 1. Nothing published changes in either case.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import textwrap
from pathlib import Path
from typing import NoReturn

from analysis.errors import BuildError, InputError
from analysis.paths import DEFAULT_OUT, ROOT


def _echo(message: str) -> None:
    print(message, flush=True)


def cmd_build(args: argparse.Namespace) -> int:
    from analysis.pipeline import kernel

    try:
        # Every input first (parameters, scenario, output folder, then the data inside build): a kernel starts only
        # once they are known good, so bad input never waits on one and its message is the first thing printed.
        from analysis.inputs.params import resolve
        from analysis.pipeline.build import build, check_out, results_only

        resolved = resolve(args.scenario, args.p)
        out = check_out(Path(args.out))
        root = Path(args.root).resolve() if args.root else ROOT
        if args.pdf and args.no_html:
            raise InputError("--pdf needs the HTML book: drop --no-html")
        if args.notebooks and not args.no_html:
            raise InputError("--notebooks goes with --no-html (an HTML build always executes the notebooks)")
        if args.no_html and not args.notebooks:
            report = results_only(resolved, out, jobs=args.jobs, echo=_echo, root=root, use_cache=not args.no_cache)
        else:
            report = build(resolved, out, html=not args.no_html, jobs=args.jobs, echo=_echo, root=root, pdf=args.pdf,
                           use_cache=not args.no_cache)
    finally:
        kernel.shutdown_kernel()  # bounded: never blocks the message of a failure
    print(f"results: {report.results_json}")
    if report.pdf:
        print(f"pdf: {report.pdf}")
    if report.index_html:
        print(f"book: {report.index_html}")
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    """One row per combination of the swept values: the inputs, then every chosen key (computed in-process)."""
    import csv
    import fnmatch
    import io
    import itertools

    from analysis.inputs.params import parse_sweep, registry, resolve, unknown_parameter
    from analysis.pipeline import inprocess
    from analysis.pipeline.build import validate_once

    params = registry()
    axes: list[tuple[str, list[str]]] = []
    for text in args.p:
        name, values = parse_sweep(text)
        if name not in params:
            raise unknown_parameter(name, params, "-p")
        if name in dict(axes):
            raise InputError(f"-p {name}: swept twice; give its values in one -p {name}=V1,V2,...")
        for value in values:  # each value checked as a build would check it, before anything is computed
            params[name].coerce(value, f"-p {name}")
        axes.append((name, values))
    base = resolve(args.scenario)
    if args.out and not Path(args.out).expanduser().resolve().parent.is_dir():
        raise InputError(f"--out {args.out}: parent folder {Path(args.out).parent} does not exist")
    points = list(itertools.product(*(values for _name, values in axes)))
    if len(points) > args.max_points:
        raise InputError(f"sweep: {len(points):,} combinations, more than --max-points {args.max_points:,}")
    validate_once(None)

    def chosen(key: str) -> bool:
        return any(fnmatch.fnmatchcase(key, pattern) for pattern in args.keys)

    rows, keys = [], None
    for point in points:
        resolved = resolve(args.scenario, [f"{name}={value}" for (name, _v), value in zip(axes, point, strict=True)])
        values = inprocess.values_at(resolved, chosen, use_cache=not args.no_cache)
        if keys is None:  # in the order of the --keys patterns asked for, each pattern's keys alphabetically
            keys = sorted(values, key=lambda k: (next(i for i, pattern in enumerate(args.keys) if fnmatch.fnmatchcase(k, pattern)), k))
            if not keys:
                raise InputError(f"--keys {' '.join(args.keys)}: no results.json key matches")
        rows.append([resolved.values[name] for name, _v in axes] + [values.get(k, ("", ""))[0] for k in keys])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([name for name, _v in axes] + (keys or []))
    writer.writerows(rows)
    if args.out:
        Path(args.out).write_text(buffer.getvalue(), encoding="utf-8")
        print(f"written: {args.out} ({len(rows)} rows; scenario {base.scenario})")
    else:
        sys.stdout.write(buffer.getvalue())  # the CSV alone; what it was computed on goes to the console's other stream
        print(f"sweep: {len(rows)} rows; scenario {base.scenario}", file=sys.stderr)
    return 0


def cmd_get(args: argparse.Namespace) -> int:
    """One value of a build's results.json, with its unit."""
    import difflib

    from analysis.inputs.data import load_json
    from analysis.pipeline.results import META_KEY

    path = Path(args.out) / "results.json"
    if not path.is_file():
        raise InputError(f"--out {args.out}: no results.json (run `python -m analysis build --no-html --out {args.out}`)")
    results = load_json(path)
    entry = results.get(args.key) if args.key != META_KEY else None
    if not isinstance(entry, dict) or "value" not in entry:
        close = difflib.get_close_matches(args.key, [k for k in results if k != META_KEY], n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise InputError(f"{args.key}: no such key in {path}{hint}")
    value, unit = entry["value"], entry.get("unit") or ""
    if args.json:
        import json

        print(json.dumps({"key": args.key, "value": value, "unit": unit}))
    else:
        from analysis.inputs.params import value_text

        shown = value_text(value)  # every digit; a whole number without its ".0" (4096 GPUs, as one types it back)
        print(f"{shown} {unit}".rstrip() if unit != "text" else shown)
    return 0


def cmd_params(args: argparse.Namespace) -> int:
    import pandas as pd

    from analysis.inputs.params import registry, resolve, value_text

    resolved = resolve(args.scenario, args.p)
    rows = [
        {
            "name": p.name, "value": resolved.values[p.name], "unit": p.unit,
            "bounds": p.bounds_text(), "origin": resolved.origins[p.name],
            "source": p.source_id, "help": p.help,
        }
        for p in registry().values()
    ]
    if args.json:
        print(pd.DataFrame(rows).to_json(orient="records", indent=2))
        return 0
    # One short line per parameter, its help wrapped below it: readable in a 100-column terminal.
    width = min(shutil.get_terminal_size((100, 24)).columns, 100)
    for row in rows:
        value = value_text(row["value"])
        origin = "" if row["origin"] == "default" else f"  [{row['origin']}]"
        print(f"{row['name']} = {value} {row['unit']}{origin}".rstrip())
        print(textwrap.fill(f"{_sentence(row['help'])} Bounds {row['bounds']}; source {row['source']}.", width=width,
                            initial_indent="    ", subsequent_indent="    "))
    return 0


def _sentence(text: str) -> str:
    """Help text as a sentence: it ends with a full stop, so the next sentence reads as one."""
    text = str(text).strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def cmd_refresh(args: argparse.Namespace) -> int:
    """Regenerate the parameters cells from the registry, then re-execute the notebooks in place."""
    from analysis.pipeline.build import refresh

    refresh(args.notebooks, jobs=args.jobs, echo=_echo)
    return 0


def cmd_model(args: argparse.Namespace) -> int:
    """Parameter breakdown, KV cache and FLOPs per token of one config.json."""
    import json

    from analysis.chapters import inputs
    from analysis.inputs.params import registry
    from analysis.model import architecture

    defaults = registry()  # the book's own defaults, so `model` and the book agree
    if args.dtype_bytes is None:
        args.dtype_bytes = float(defaults["kv_dtype_bytes"].default)
    if args.context_tokens is None:
        args.context_tokens = float(defaults["context_tokens"].default)
    if args.dtype_bytes <= 0:
        raise InputError(f"--dtype-bytes: expected a positive number, got {args.dtype_bytes:g}")
    # The same bounds as the book's parameter (a whole number of tokens, 1 to 10 million).
    args.context_tokens = float(defaults["context_tokens"].coerce(args.context_tokens, "--context-tokens"))
    config = inputs.load_config(Path(args.path))
    summary = architecture.summary(config, dtype_bytes=args.dtype_bytes, context_tokens=args.context_tokens)
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    print(f"{summary['model']} ({summary['model_type']})")
    for name, value in summary["breakdown"].items():
        print(f"  {name:<31}{value:>20,}  ({value / 1e9:,.2f}B)")
    hybrid = "checkpoint" in summary  # DeepSeek-V4: per token = what each further token adds, compressed
    print(f"  {'kv_cache_elements_per_token':<31}{summary['kv_cache_elements_per_token']:>20,.0f}")
    kept_as = "each further token, compressed" if hybrid else "whole context kept"
    print(f"  {'kv_cache_bytes_per_token':<31}{summary['kv_cache_bytes_per_token']:>20,.0f}  (at {args.dtype_bytes:g} bytes, {kept_as})")
    context = f"{args.context_tokens:,.0f}-token sequence"
    print(f"  {'kv_cache_bytes_per_token_kept':<31}{summary['kv_cache_bytes_per_token_kept']:>20,.0f}  (average per token of one {context})")
    kept = summary["kv_cache_bytes_kept"]
    print(f"  {'kv_cache_bytes_kept':<31}{kept:>20,.0f}  ({kept / 1e9:,.2f} GB{f', {kept / 2**30:,.2f} GiB' if hybrid else ''} for one {context})")
    layout = summary["attention"]
    layers = ", ".join(f"{count} {kind}" for kind, count in layout["layers"].items())
    if layout["sliding_window"]:
        layers += f"; window {layout['sliding_window']:,} tokens"
    if layout["attention_chunk_size"]:
        layers += f"; chunks of {layout['attention_chunk_size']:,} tokens"
    print(f"  {'attention_layers':<31}{layers}")
    if layout["indexer"]:
        x = layout["indexer"]
        print(f"  {'indexer_layout':<31}{x['heads']} heads of {x['head_dim']}, top {x['topk']:,} tokens; "
              f"{summary['kv_cache_indexer_elements_per_token']:,.0f} key elements per token (in the KV figures above)")
    if hybrid:
        ckpt = summary["checkpoint"]
        print(f"  {'total_params_with_mtp':<31}{summary['total_params_with_mtp']:>20,}  ({summary['total_params_with_mtp'] / 1e9:,.2f}B)")
        print(f"  {'checkpoint_tensors':<31}{ckpt['tensors']:>20,}")
        formats = ", ".join(f"{fmt} {n / 1e9:,.2f}" for fmt, n in ckpt["bytes_by_format"].items())
        print(f"  {'checkpoint_bytes':<31}{ckpt['bytes']:>20,}  (GB by format: {formats})")
    print(f"  {'flops_per_token':<31}{summary['flops_per_token']:>20,.0f}  (forward, context {args.context_tokens:,.0f})")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    """Two results.json files, or two scenarios (`default` is the book's defaults), key by key."""
    from analysis.pipeline import compare

    label_a, a = compare.load(args.a, echo=_echo)
    label_b, b = compare.load(args.b, echo=_echo)
    frame = compare.compare(a, b)
    shown = compare.select(frame, a, b, keys=args.keys, threshold=args.threshold, everything=args.all)
    width = min(shutil.get_terminal_size((100, 24)).columns, 100)
    print(compare.render(shown, label_a, label_b, width=width, meta_a=a.get(compare.META_KEY), meta_b=b.get(compare.META_KEY)))
    if args.out:
        out = Path(args.out)
        if not out.parent.resolve().is_dir():
            raise InputError(f"--out {out}: parent folder {out.parent} does not exist")
        frame.to_csv(out, index=False)
        print(f"written: {out}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the built book on localhost (Ctrl-C stops)."""
    import functools
    import http.server

    html = Path(args.out) / "html"
    if not (html / "index.html").is_file():
        raise InputError(f"--out {args.out}: no built book at {html} (run `python -m analysis build --out {args.out}` first)")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(html))
    with http.server.ThreadingHTTPServer(("127.0.0.1", args.port), handler) as server:
        print(f"serving {html} at http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C stops)", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
    return 0


class _Parser(argparse.ArgumentParser):
    """argparse, with a mistake said in one line as every other error is (not the usage block above it)."""

    def error(self, message: str) -> NoReturn:
        print(f"error: {self.prog}: {message} (see `{self.prog} --help`)", file=sys.stderr)
        raise SystemExit(2)


def parser() -> argparse.ArgumentParser:
    top = _Parser(prog="python -m analysis", description="The DeepSeek Cost Book: build, inspect and compare.")
    sub = top.add_subparsers(dest="command", required=True)

    def scenario_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--scenario", help="scenario name (scenarios/NAME.yaml) or path to a YAML file")
        p.add_argument("-p", action="append", default=[], metavar="NAME=VALUE", help="override one parameter (wins over the scenario); repeatable")

    b = sub.add_parser("build", help="execute the notebooks and build the book")
    scenario_options(b)
    b.add_argument("--out", default=str(DEFAULT_OUT), help="output folder (book in OUT/html, OUT/results.json); default _build")
    b.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="notebooks executed at once (default: number of cores)")
    b.add_argument("--no-html", action="store_true", help="results.json only, computed in-process from the chapter functions (seconds)")
    b.add_argument("--notebooks", action="store_true", help="with --no-html: execute the notebooks (as the HTML build does) instead")
    b.add_argument("--no-cache", action="store_true", help="re-execute every notebook and rebuild even if nothing changed")
    b.add_argument("--pdf", action="store_true", help="also print the whole book to OUT/book.pdf (headless Chromium)")
    b.add_argument("--root", help=argparse.SUPPRESS)  # another book source tree (tests)
    b.set_defaults(func=cmd_build)

    p = sub.add_parser("params", help="list every parameter with its value, unit, bounds, help and source")
    scenario_options(p)
    p.add_argument("--json", action="store_true", help="print JSON records instead of a table")
    p.set_defaults(func=cmd_params)

    r = sub.add_parser("refresh", help="regenerate parameters cells and re-execute the committed notebooks in place")
    r.add_argument("notebooks", nargs="*", help="notebook names (e.g. fleet); default: every notebook in _toc.yml")
    r.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="notebooks executed at once (default: number of cores)")
    r.set_defaults(func=cmd_refresh)

    m = sub.add_parser("model", help="parameter breakdown, KV cache and FLOPs of a config.json")
    m.add_argument("path", help="a Hugging Face style config.json (e.g. data/models/deepseek_v3.json)")
    m.add_argument("--json", action="store_true", help="print a JSON object")
    m.add_argument("--dtype-bytes", type=float, help="bytes per KV-cache element (default: parameter kv_dtype_bytes)")
    m.add_argument("--context-tokens", type=float, help="context length for FLOPs per token (default: parameter context_tokens)")
    m.set_defaults(func=cmd_model)

    c = sub.add_parser("compare", help="compare two scenarios or two results.json files")
    c.add_argument("a", help="'default', a scenario name/path, or a results.json file")
    c.add_argument("b", help="'default', a scenario name/path, or a results.json file")
    c.add_argument("--out", help="also write the full comparison (every key) as CSV to this file")
    c.add_argument("--keys", action="append", metavar="PATTERN", help="only keys matching this glob (e.g. 'fleet_*'); repeatable")
    c.add_argument("--threshold", type=float, default=0.0, metavar="FRACTION",
                   help="only numbers that moved by more than this relative change (0.05: 5%%; for percentiles and fractions, "
                        "5 points; a figure written as text, e.g. $431.5M, by its change); other text always shown if changed")
    c.add_argument("--all", action="store_true", help="list unchanged keys and the text twins of numbers too")
    c.set_defaults(func=cmd_compare)

    w = sub.add_parser("sweep", help="results at every combination of -p NAME=V1,V2,... as CSV (in-process, seconds)")
    w.add_argument("--scenario", help="scenario name (scenarios/NAME.yaml) or path to a YAML file")
    w.add_argument("-p", action="append", default=[], required=True, metavar="NAME=V1,V2,...", help="one swept parameter; repeatable")
    w.add_argument("--keys", action="append", required=True, metavar="PATTERN", help="results.json keys (glob, e.g. 'owned_gpu_*'); repeatable")
    w.add_argument("--out", help="write the CSV to this file (default: standard output)")
    w.add_argument("--max-points", type=int, default=1000, help=argparse.SUPPRESS)
    w.add_argument("--no-cache", action="store_true", help="compute every chapter again (ignore the shared cache)")
    w.set_defaults(func=cmd_sweep)

    g = sub.add_parser("get", help="print one value of a build's results.json with its unit")
    g.add_argument("key", help="a results.json key, e.g. v3_training_cost_usd")
    g.add_argument("--out", default=str(DEFAULT_OUT), help="the build folder (default _build)")
    g.add_argument("--json", action="store_true", help="print {key, value, unit} as JSON")
    g.set_defaults(func=cmd_get)

    v = sub.add_parser("serve", help="serve the built book on http://127.0.0.1:PORT")
    v.add_argument("--out", default=str(DEFAULT_OUT), help="the build folder (default _build)")
    v.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    v.set_defaults(func=cmd_serve)
    return top


def _terminate(signum: int, _frame: object) -> None:
    # Turn SIGTERM into an exception so `finally` blocks clean staging up.
    raise KeyboardInterrupt(f"signal {signum}")


def _space_instead_of_equals(argv: list[str]) -> str | None:
    """`-p NAME VALUE` (a space where '=' belongs): the message argparse would give names neither."""
    for i, word in enumerate(argv[:-1]):
        name, value = argv[i + 1], argv[i + 2] if i + 2 < len(argv) else None
        looks_like_value = not value.startswith("-") or value[1:2].isdigit() or value[1:2] == "." if value else False
        if word == "-p" and "=" not in name and not name.startswith("-") and looks_like_value:
            return f"-p {name} {value}: did you mean -p {name}={value}?"
    return None


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _terminate)
    argv = sys.argv[1:] if argv is None else list(argv)
    hint = _space_instead_of_equals(argv)
    if hint:
        print(f"error: {hint}", file=sys.stderr)
        return 2
    args = parser().parse_args(argv)
    if getattr(args, "jobs", 1) is not None and getattr(args, "jobs", 1) < 1:
        print("error: --jobs: expected a whole number of at least 1", file=sys.stderr)
        return 2
    try:
        return args.func(args)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted: nothing was published", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return _reader_went_away()
    except OSError as exc:  # a file the reader named could not be read or written: say which
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # a bug, not the reader's input: one line, the traceback on request
        if os.environ.get(TRACEBACK_ENV):
            raise
        print(f"error: unexpected {type(exc).__name__}: {exc} (a bug in the book, not in your input, if every input "
              f"was in its bounds: please report it; {TRACEBACK_ENV}=1 shows where it happened)", file=sys.stderr)
        return 1


TRACEBACK_ENV = "COST_BOOK_TRACEBACK"


SIGPIPE_EXIT = 141  # 128 + SIGPIPE, what a shell reports for a writer whose reader closed the pipe


def _reader_went_away() -> int:
    """`... | head` closed the pipe: stop quietly (no traceback), as Unix tools do.

    Python would flush stdout again at exit and fail a second time; point it at /dev/null first."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return SIGPIPE_EXIT
