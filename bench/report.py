#!/usr/bin/env python3
"""bench/report.py -- turn the results of bench/run.sh into docs/benchmarks.md.

Reads results.tsv (one tab-separated line per measurement, written by
bench/run.sh) and the pgbench per-transaction logs it names; prints Markdown
on stdout.  Every ratio is computed within one repetition (the variants of a
repetition ran next to each other) and then summarised over the
repetitions as median [min-max], so the spread shows how noisy the shared
machine was.
"""
import glob
import statistics
import sys
from collections import defaultdict

VARIANTS = ["c", "nochecks", "floor", "plpgsql"]
SINGLE_OPS = ["approve", "finish_step", "external_insert"]
WORKLOADS = ["lifecycle"] + SINGLE_OPS
LABEL = {
    "c": "C (shipped)",
    "nochecks": "C, checks compiled out",
    "floor": "floor",
    "plpgsql": "PL/pgSQL",
    "lifecycle": "incident lifecycle (one transaction, 25 statements)",
    "approve": "approve a record",
    "finish_step": "finish a step",
    "external_insert": "insert an external record",
    "insert_select": "INSERT ... SELECT (bench_app, row-level security)",
    "copy": "COPY FROM (bench_import, BYPASSRLS)",
}
MB = 1024.0 * 1024.0


def percentile(values, p):
    """Nearest-rank percentile of a sorted list."""
    k = max(0, min(len(values) - 1, int(round(p / 100.0 * len(values) + 0.5)) - 1))
    return values[k]


def latencies_ms(prefix):
    """Latencies (ms) of the successful transactions in pgbench -l logs."""
    out = []
    for path in glob.glob(prefix + ".[0-9]*"):
        with open(path) as f:
            for line in f:
                fields = line.split()
                if len(fields) >= 3 and fields[2].isdigit():
                    out.append(int(fields[2]) / 1000.0)
    return sorted(out)


def pgbench_row(fields):
    """tps, n, failed, deadlocks, status, prefix -> a measurement."""
    tps, n, failed, deadlocks, status, prefix = fields
    lat = latencies_ms(prefix)
    return {"tps": float(tps or 0), "n": int(n or 0), "failed": int(failed or 0),
            "deadlocks": int(deadlocks or 0), "ok": status == "ok" and bool(lat),
            "p50": percentile(lat, 50) if lat else None, "p99": percentile(lat, 99) if lat else None,
            "lat": lat}


def load(path):
    r = {"meta": {}, "view": defaultdict(lambda: defaultdict(dict)), "memory": [], "op": defaultdict(dict),
         "scale": defaultdict(dict), "bulk": defaultdict(dict), "census": defaultdict(list), "verify": []}
    with open(path) as f:
        for line in f:
            row = line.rstrip("\n").split("\t")
            kind = row[0]
            if kind == "meta":
                r["meta"][row[1]] = row[2] if len(row) > 2 else ""
            elif kind == "view":
                r["view"][row[2]][row[1]][int(row[3])] = pgbench_row(row[4:])
            elif kind == "memory":
                if len(row) >= 5 and row[4]:
                    r["memory"].append((int(row[2]), float(row[3] or 0) / MB, float(row[4]) / MB))
            elif kind == "op":
                r["op"][(row[1], row[2])][int(row[3])] = pgbench_row(row[4:])
            elif kind == "scale":
                r["scale"][(row[1], int(row[2]))][int(row[3])] = pgbench_row(row[4:])
            elif kind == "bulk":
                _, method, v, rep, rows, secs = row
                if secs != "error":
                    r["bulk"][(method, v)][int(rep)] = int(rows) / max(float(secs), 1e-6)
            elif kind == "census":
                _, wl, v, n, calls = row[:5]
                query = "\t".join(row[5:])
                r["census"][(wl, v)].append((int(calls) / int(n), query))
            elif kind == "verify":
                r["verify"].append(row[1:])
    return r


def summary(values, digits=2, unit=""):
    """median [min-max] of the values (just the value when there is one)."""
    values = [v for v in values if v is not None]
    if not values:
        return "–"
    m = statistics.median(values)
    if len(values) == 1:
        return f"{m:.{digits}f}{unit}"
    return f"{m:.{digits}f}{unit} [{min(values):.{digits}f}–{max(values):.{digits}f}]"


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def per_rep(a, b, field, f):
    """f(a[rep][field], b[rep][field]) for every repetition both have."""
    out = []
    for rep in sorted(set(a) & set(b)):
        x, y = a[rep], b[rep]
        if x["ok"] and y["ok"] and x[field] is not None and y[field] is not None:
            v = f(x[field], y[field])
            if v is not None:
                out.append(v)
    return out


# Below this difference (ms) two view timings are the same on this machine:
# a LIMIT 100 page of a view often takes well under a millisecond, where a
# ratio says nothing.
TOLERANCE_MS = 1.0


def view_ratios(phases, kind=""):
    """A view's p50 in the large database / in the small, per repetition."""
    return per_rep(phases["small" + kind], phases["large" + kind], "p50", lambda s, l: l / s if s > 0 else None)


def view_failed(phases):
    """Did a run of the view fail (a timeout) in either database?"""
    return any(not m["ok"] for ph in ("small", "large") for m in phases[ph].values()) or not phases["large"]


def view_holds(phases):
    """Does a view's page at the large size stay within 1.2x (or TOLERANCE_MS) of the small, as a median?"""
    ratio = med(view_ratios(phases))
    slower = med(per_rep(phases["small"], phases["large"], "p50", lambda s, l: l - s))
    return not view_failed(phases) and ratio is not None and (ratio <= 1.2 or slower < TOLERANCE_MS)


def cell_text(text):
    """Text for a Markdown table cell."""
    return text.replace("|", "&#124;")


def verdict(value, ok):
    if value is None:
        return "not measured"
    return "**met**" if ok(value) else "**missed**"


def main():
    r = load(sys.argv[1])
    meta, op, scale, view, bulk = r["meta"], r["op"], r["scale"], r["view"], r["bulk"]
    p = print
    reps = meta.get("reps", "?")

    def c_floor(wl):
        return per_rep(op[(wl, "c")], op[(wl, "floor")], "p50", lambda c, f: c / f)

    def overhead_ratio(wl):
        runs = {v: op[(wl, v)] for v in ("c", "floor", "plpgsql")}
        out = []
        for rep in sorted(set(runs["c"]) & set(runs["floor"]) & set(runs["plpgsql"])):
            c, f, q = (runs[v][rep]["p50"] for v in ("c", "floor", "plpgsql"))
            if None not in (c, f, q) and c > f:
                out.append((q - f) / (c - f))
        return out

    def one_spread(n):
        return per_rep(scale[("one", n)], scale[("spread", n)], "tps", lambda a, b: a / b if b else None)

    def bulk_ratio(method):
        c, f = bulk.get((method, "c"), {}), bulk.get((method, "floor"), {})
        return [c[k] / f[k] for k in sorted(set(c) & set(f))]

    p("# Benchmarks: the cost of enforcement, as a tenant meets it")
    p()
    p("Generated by `bench/run.sh` (do not edit by hand): one run of the harness on the machine described at the "
      "end. Command (as root; the cluster runs as `postgres`):")
    p()
    p(f"    {meta.get('command', 'bash bench/run.sh')}")
    p()
    p(f"Conditions: `fsync=on`, `synchronous_commit=on`; every workload connects as a tenant login role "
      f"(`bench/setup.sql`: `bench_app`, a manager of its organisations and a member of `isms_app`, naming "
      f"its users alice and bob in `isms.actor`), so row-level security runs; pgbench `-M prepared`, "
      f"`--max-tries=1` (a deadlock or serialization failure is counted, never retried). "
      f"{reps} repetition(s); in each, the variants (and the scaling layouts) run interleaved, in an order "
      "rotated from one repetition to the next, and every ratio is computed within the repetition. A figure "
      "reads median [min–max] over the repetitions. The machine is shared with other sessions: the ranges "
      "show how much that moved the figures.")
    p()
    p("| variant | what runs on every write |")
    p("| --- | --- |")
    p("| C (shipped) | the extension's triggers: rules and hash-chained events |")
    p("| C, checks compiled out | the same library built with `-DISMS_BENCH_NO_CHECKS` (what that really leaves "
      "out: see *Statements per operation*) |")
    p("| floor | the same statements with the rule and event triggers disabled (only the two structural triggers "
      "stay: steps created with a run, output links made with a record, so every variant writes the same rows) |")
    p("| PL/pgSQL | `bench/reference/rules.sql`: the same rules as PL/pgSQL triggers written for speed (static "
      "SQL with cached plans, the chain head locked by ctid after its first event in a transaction), "
      "identities, submission times and content hashes as the engine keeps them, and the sha256() event "
      "chain in the engine's encoding |")
    p()

    # Targets
    p("## Targets (issue 14)")
    p()
    p("| measure | now | target | met? |")
    p("| --- | --- | --- | --- |")
    r8 = one_spread(8)
    p(f"| lifecycle tps, 8 clients on one organisation / the same load on 8 organisations | {summary(r8)} | ≥ 0.8 | "
      f"{verdict(med(r8), lambda x: x >= 0.8)} |")
    deadlocks = sum(m["deadlocks"] for d in (op, scale) for runs in d.values() for m in runs.values()) + \
        sum(m["deadlocks"] for phases in view.values() for runs in phases.values() for m in runs.values())
    p(f"| deadlocks (40P01) seen by pgbench, all runs | {deadlocks} | 0 | {verdict(deadlocks, lambda x: x == 0)} |")
    def target_row(measure, keys, ratios_of, target, ok, lowest):
        """A target decided by the worst key: the highest median ratio (the lowest if lowest)."""
        meds = {k: med(ratios_of(k)) for k in keys}
        meds = {k: m for k, m in meds.items() if m is not None}
        worst = (min if lowest else max)(meds, key=meds.get) if meds else None
        now = "–" if worst is None else \
            f"{'lowest' if lowest else 'worst'} {summary(ratios_of(worst))} ({LABEL[worst]})"
        p(f"| {measure} | {now} | {target} | {verdict(meds.get(worst), ok)} |")

    target_row("every single-operation workload, C / floor (p50 latency)", SINGLE_OPS, c_floor,
               "≤ 1.5", lambda x: x <= 1.5, False)
    target_row("bulk import rate / floor rate", ("insert_select", "copy"), bulk_ratio,
               "≥ 0.5", lambda x: x >= 0.5, True)
    target_row("overhead(PL/pgSQL) / overhead(C), overhead = p50 − p50(floor)", WORKLOADS, overhead_ratio,
               "≥ 2", lambda x: x >= 2, True)
    ratios = {v: med(view_ratios(view[v])) for v in view}
    known = {v: x for v, x in ratios.items() if x is not None}
    worst_v = max(known, key=known.get) if known else None
    failed_views = sorted(v for v in view if view_failed(view[v]))
    missed_views = sorted(v for v in known if v not in failed_views and not view_holds(view[v]))
    slow = [med([m["p50"] for m in view[v]["large"].values()]) for v in view if v not in failed_views]
    p(f"| view time, {meta.get('orgs_large', '?')} / {meta.get('orgs_small', '?')} organisations in the database, "
      f"reader of 100, no filter, LIMIT 100 (p50; a view also holds when it is less than {TOLERANCE_MS:g} ms "
      f"slower) | {'–' if worst_v is None else f'worst {summary(view_ratios(view[worst_v]))} ({worst_v})'}; "
      f"{len(known) - len(missed_views)} of {len(view)} views hold"
      f"{' (not: ' + ', '.join(missed_views + failed_views) + ')' if missed_views or failed_views else ''} | "
      f"ratio ≤ 1.2 | {verdict(worst_v and known[worst_v], lambda x: not missed_views and not failed_views)} |")
    p(f"| slowest view p50 at {meta.get('orgs_large', '?')} organisations | "
      f"{'–' if not slow else f'{max(slow):.1f} ms'}{' (failed: ' + ', '.join(failed_views) + ')' if failed_views else ''} "
      f"| < 100 ms | {verdict(max(slow) if slow else None, lambda x: x < 100 and not failed_views)} |")
    mem = r["memory"]
    p(f"| backend memory after touching {mem[0][0] if mem else '?'} organisations (extension's contexts) | "
      f"{summary([m[1] for m in mem], 1, ' MB')} | ≤ 16 MB | {verdict(med([m[1] for m in mem]), lambda x: x <= 16)} |")
    p()
    if meta.get("orgs_large") != "10000":
        p(f"This run used {meta.get('orgs_large')} organisations, not the 10,000 of the targets "
          "(a `--quick` or `--orgs` run): its view and memory figures do not decide those targets.")
        p()

    # Variants
    p(f"## Single operations and the lifecycle, by variant ({meta.get('orgs_large', '?')} organisations)")
    p()
    p(f"{meta.get('clients', '?')} clients, each in its own organisation; the lifecycle runs for "
      f"{meta.get('lc_secs', '?')} s, each single operation {meta.get('ops', '?')} times per client and "
      f"repetition (records in review, active steps: pools made beforehand through the engine). The database "
      f"holds {int(meta.get('records_large', 0)):,} records, {int(meta.get('runs_large', 0)):,} runs and "
      f"{int(meta.get('events_large', 0)):,} events.")
    p()
    p("| workload | variant | tps | p50 ms | p99 ms | failed |")
    p("| --- | --- | ---: | ---: | ---: | ---: |")
    for wl in WORKLOADS:
        for v in VARIANTS:
            runs = op.get((wl, v), {})
            if not runs:
                continue
            ok = [m for m in runs.values() if m["ok"]]
            p(f"| {LABEL[wl]} | {LABEL[v]} | {summary([m['tps'] for m in ok], 0)} | "
              f"{summary([m['p50'] for m in ok], 3)} | {summary([m['p99'] for m in ok], 3)} | "
              f"{sum(m['failed'] for m in runs.values())}{'' if len(ok) == len(runs) else ' (run failed)'} |")
    p()
    p("| workload | C / floor | C / C without checks | PL/pgSQL / C | overhead(PL/pgSQL) / overhead(C) |")
    p("| --- | ---: | ---: | ---: | ---: |")
    for wl in WORKLOADS:
        p(f"| {LABEL[wl]} | {summary(c_floor(wl))} | "
          f"{summary(per_rep(op[(wl, 'c')], op[(wl, 'nochecks')], 'p50', lambda a, b: a / b))} | "
          f"{summary(per_rep(op[(wl, 'plpgsql')], op[(wl, 'c')], 'p50', lambda a, b: a / b))} | "
          f"{summary(overhead_ratio(wl))} |")
    p()

    # Scaling
    p("## One organisation's writers in parallel (C, the lifecycle in one transaction)")
    p()
    p(f"Each point runs {meta.get('scale_secs', '?')} s; *one*: every client in the same organisation, "
      "*spread*: client c in organisation c mod 8 (with 1 client both are the same load).")
    p()
    p("| clients | one org: tps | one org: p50 ms | 8 orgs: tps | 8 orgs: p50 ms | one / spread (tps) | deadlocks |")
    p("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for n in sorted({k[1] for k in scale}):
        one, spread = scale.get(("one", n), {}), scale.get(("spread", n), {})
        dl = sum(m["deadlocks"] for m in list(one.values()) + list(spread.values()))
        p(f"| {n} | {summary([m['tps'] for m in one.values() if m['ok']], 1)} | "
          f"{summary([m['p50'] for m in one.values() if m['ok']], 1)} | "
          f"{summary([m['tps'] for m in spread.values() if m['ok']], 1)} | "
          f"{summary([m['p50'] for m in spread.values() if m['ok']], 1)} | {summary(one_spread(n))} | {dl} |")
    p()

    # Bulk
    p(f"## Bulk import of {int(meta.get('bulk', '0')):,} external records (one statement each)")
    p()
    p("`COPY FROM` is refused by PostgreSQL on a table with row-level security for any role that does not "
      "bypass it, so the COPY importer is `bench_import` (BYPASSRLS, a contributor of the organisation); "
      "the engine's triggers run for it as for everyone.")
    p()
    p("| method | variant | rows/s | rate / floor rate |")
    p("| --- | --- | ---: | ---: |")
    for method in ("insert_select", "copy"):
        f = bulk.get((method, "floor"), {})
        for v in VARIANTS:
            runs = bulk.get((method, v), {})
            if not runs:
                p(f"| {LABEL[method]} | {LABEL[v]} | failed | – |")
                continue
            ratio = [runs[k] / f[k] for k in sorted(set(runs) & set(f))]
            p(f"| {LABEL[method]} | {LABEL[v]} | {summary(list(runs.values()), 0)} | {summary(ratio)} |")
    p()

    # Views
    p("## Reporting views without an organisation filter")
    p()
    p(f"`SELECT * FROM isms_report.<view> LIMIT 100` as `bench_reader`, a reader of 100 organisations (which "
      f"have two years of history), in two databases of the same cluster: *small*, a copy taken when the "
      f"database held {meta.get('orgs_small', '?')} organisations ({int(meta.get('records_small', 0)):,} records), "
      f"and *large*, the database after it grew to {meta.get('orgs_large', '?')} "
      f"({int(meta.get('records_large', 0)):,} records). In each of the {reps} repetition(s) every view runs "
      f"{meta.get('view_runs', '?')} times in one database and then in the other (the order alternates), so a "
      f"ratio compares measurements taken seconds apart. A cell is the median [min–max] over the repetitions of "
      f"the p50 in ms, client side; a ratio is large / small within a repetition; statement_timeout "
      f"{meta.get('view_timeout', '?')} s.")
    p()
    p("The page (`LIMIT 100`, no `ORDER BY`) can stop after the first rows it finds; the extract "
      "(`SELECT *`, every row of the 100 organisations, 5 executions, rows fetched by the client) is what a "
      "BI tool's refresh reads. The targets are decided on the page.")
    p()
    small, large = meta.get('orgs_small', '?'), meta.get('orgs_large', '?')
    p(f"| view | page, {small} orgs | page, {large} orgs | ratio | holds | extract, {small} orgs | "
      f"extract, {large} orgs | ratio |")
    p("| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: |")

    def cell(runs):
        if not runs:
            return "–"
        if not all(m["ok"] for m in runs.values()):
            return "failed (timeout?)"
        return summary([m["p50"] for m in runs.values()], 1)
    for v in sorted(view):
        p(f"| isms_report.{v} | {cell(view[v]['small'])} | {cell(view[v]['large'])} | "
          f"{summary(view_ratios(view[v]))} | {'yes' if view_holds(view[v]) else '**no**'} | "
          f"{cell(view[v]['small.all'])} | {cell(view[v]['large.all'])} | "
          f"{summary(view_ratios(view[v], '.all'))} |")
    p()

    # Memory
    p("## Backend memory")
    p()
    p("One backend (`bench_mem`, a contributor of every organisation) calls `isms.process_id(org, '7.9')` and "
      "`isms.work_product_id(org, 'security_event')` for every organisation, and `isms.run_blockers(run)` for "
      "one run of each (which loads that process's model for the organisation), then reads "
      "`pg_backend_memory_contexts`: the contexts whose name contains *isms* (and everything below them), "
      "and the backend's total. One fresh backend per repetition.")
    p()
    p("| organisations touched | extension's contexts | backend total |")
    p("| ---: | ---: | ---: |")
    if mem:
        p(f"| {mem[0][0]:,} | {summary([m[1] for m in mem], 1, ' MB')} | {summary([m[2] for m in mem], 1, ' MB')} |")
    else:
        p("| – | not measured | – |")
    p()

    # Census
    p("## Statements per operation (what the checks-compiled-out build leaves out)")
    p()
    p("After the timed phases the cluster restarts with `pg_stat_statements` (`track = all`); each workload runs "
      "20 times for C, the checks-compiled-out build and PL/pgSQL. Counted, per operation: the statements "
      "besides the client's own (nested ones: the engine's queries, foreign-key checks, the API's SQL function "
      "bodies; and those the engine runs as its owner at commit) run at least once every other operation. "
      "Not timed.")
    p()
    census = r["census"]
    p("| workload | C | C, checks compiled out | PL/pgSQL | left out by -DISMS_BENCH_NO_CHECKS |")
    p("| --- | ---: | ---: | ---: | --- |")
    for wl in WORKLOADS:
        tot = {v: sum(c for c, _ in census.get((wl, v), [])) for v in ("c", "nochecks", "plpgsql")}
        cq = {q: c for c, q in census.get((wl, "c"), [])}
        nq = {q: c for c, q in census.get((wl, "nochecks"), [])}
        gone = [f"`{cell_text(q[:90])}` ({cq[q] - nq.get(q, 0):g}/op)" for q in cq if cq[q] - nq.get(q, 0) > 0.25]
        p(f"| {LABEL[wl]} | {tot['c']:.1f} | {tot['nochecks']:.1f} | {tot['plpgsql']:.1f} | "
          f"{'<br>'.join(gone) if gone else 'nothing: the same statements as C'} |")
    p()
    for wl in WORKLOADS:
        rows = census.get((wl, "nochecks"), [])
        if not rows:
            continue
        p(f"<details><summary>{LABEL[wl]}: the statements the checks-compiled-out build still runs</summary>")
        p()
        p("| per op | statement |")
        p("| ---: | --- |")
        for c, q in rows:
            p(f"| {c:g} | `{cell_text(q)}` |")
        p()
        p("</details>")
        p()

    # Verification
    p("## Event chains")
    p()
    bad = [" ".join(v) for v in r["verify"] if v[2] != "t"]
    p(f"`isms.verify_events` on the benchmark's {len(r['verify'])} organisations (written by C, the "
      f"checks-compiled-out build and PL/pgSQL; the floor's hold only their setup events): "
      f"{'all valid' if r['verify'] and not bad else 'PROBLEMS: ' + '; '.join(bad)}. The bulk organisations "
      "have placeholder events and are not verified (see bench/generate.sql).")
    p()

    # Machine
    p("## Machine and settings")
    p()
    p(f"- CPU: {meta.get('cpu', '?')}, nproc {meta.get('nproc', '?')}, memory {meta.get('memory', '?')}; "
      f"load average at the end {meta.get('loadavg', '?')} (shared with other sessions)")
    p(f"- {meta.get('postgres', '?')}")
    p(f"- settings: {meta.get('settings', '?')}")
    p(f"- commit {meta.get('commit', '?')}, run time {meta.get('duration', '?')} s")


if __name__ == "__main__":
    main()
