#!/usr/bin/env python3
"""scripts/auditor_pack/pack.py -- render one organisation's ISMS status as a
self-contained HTML page (the auditor pack), read through the reporting views
of schema isms_report as the role given with --role (SET ROLE in a superuser
session) or as the login role.

Usage (scripts/auditor_pack.sh wraps it and prints the PDF too):
    pack.py --org 'Northwind Cloud' [--role kofi_audit] [--checkpoint N:HEX] --out pack.html

Connection: the libpq environment (PGHOST, PGPORT, PGUSER, PGDATABASE, ...)
or --dsn.  Sections are the entries of SECTIONS: a table section names its
view, the columns and the order; a view that does not exist renders as a
note, not an error.  Each section's
<section> carries data-state: rows, none (the view has no rows for the
organisation), absent (no such view, or the role may not read it).
"""
import argparse
import base64
import datetime
import io
import os
import sys

import jinja2
import matplotlib
import psycopg2
import psycopg2.errors
import psycopg2.extras

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def table(key, title, view, columns, order, where="true", intro="", none="None.", headline=None):
    """A section read from isms_report.`view`; headline(rows) sums it up."""
    return dict(kind="table", key=key, title=title, view=view, columns=columns, order=order,
                where=where, intro=intro, none=none, headline=headline or count_rows)


def count_rows(rows, cols):
    return "%d open" % len(rows)


def count_where(col, value, what):
    """Headline: how many rows have col = value, of all."""
    def headline(rows, cols):
        i = cols.index(col)
        return "%d of %d %s" % (sum(1 for r in rows if r[i] == value), len(rows), what)
    return headline


# One entry per section, in the order of the page.
SECTIONS = [
    dict(kind="heatmap", key="heatmap", title="Risk heat map", view="risk_heat_map",
         intro="Risks per cell of the organisation's likelihood and impact scales, before (inherent) and "
               "after treatment (residual); cells above the acceptance threshold are marked."),
    table("readiness", "ISO/IEC 27001 readiness", "iso27001_readiness",
          ["clause", "title", "status", "processes", "missing"], "clause_sort",
          headline=count_where("status", "ready", "clauses ready"),
          intro="Clauses 4.1 to 10.2: the processes that implement them and the documented information "
                "still missing."),
    table("soa", "Statement of Applicability", "statement_of_applicability",
          ["control", "title", "theme", "applicable", "status", "owner", "justification", "risks",
           "changed_since_approval"], "control_sort", headline=count_where("applicable", "yes", "controls applicable"),
          intro="Every Annex A control and own control, included or excluded with its justification, "
                "its implementation status and whether it changed since the approved SoA record."),
    table("incidents", "Open incidents", "open_incidents",
          ["incident_id", "title", "severity", "state", "notification_regime", "detected_at", "age_days"],
          "severity_value DESC, age_days DESC",
          intro="Security incidents not yet closed, most severe and oldest first."),
    table("corrective_actions", "Open nonconformities and corrective actions",
          "open_nonconformities",
          ["nonconformity_id", "title", "source", "clause", "state", "action", "owner", "due_date", "days_overdue"],
          "due_date NULLS LAST",
          intro="Nonconformities and their corrective actions not yet closed, earliest due first."),
    table("documents_due", "Documents due", "work_product_currency",
          ["work_product", "title", "version", "valid_until", "days_left", "status"], "days_left NULLS FIRST",
          where="status <> 'current'", headline=lambda rows, cols: "%d due" % len(rows),
          intro="Documented information that is missing, expired or due for review.",
          none="Every document is current."),
    table("capability", "Capability profile", "capability_profile",
          ["process_code", "process_name", "pa11", "pa21", "pa22", "pa31", "pa32", "capability_level",
           "assessor_rated"], "process_sort",
          headline=lambda rows, cols: "%d of %d processes at level 1 or above" % (
              sum(1 for r in rows if r[cols.index("capability_level")] not in ("", "0")), len(rows)),
          intro="Process attribute ratings (ISO/IEC 33020: N, P, L, F) and the capability level per process."),
    dict(kind="chain", key="chain", title="Event chain verification", view=None,
         intro="The organisation's hash chain of events recomputed end to end, and verified against the "
               "checkpoint: keep the checkpoint outside the database and pass it to the next pack."),
]

HIDDEN = ("org_id", "organization")


class Reader:
    """The session, as the reporting role."""

    def __init__(self, dsn, role):
        self.conn = psycopg2.connect(dsn)
        self.conn.autocommit = True
        if role:
            self.run("SET ROLE %s" % psycopg2.extensions.quote_ident(role, self.conn))
        self.user = self.one("SELECT current_user AS u")["u"]

    def run(self, sql, args=None):
        with self.conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
            cur.execute(sql, args)
            return cur.fetchall() if cur.description else []

    def one(self, sql, args=None):
        rows = self.run(sql, args)
        return rows[0] if rows else None

    def view_exists(self, view):
        return self.one("SELECT to_regclass(%s) IS NOT NULL AS e", ("isms_report." + view,))["e"]


def find_org(db, org):
    rows = db.run("SELECT DISTINCT org_id, organization FROM isms_report.process_status ORDER BY org_id")
    for r in rows:
        if org is None or org == r["organization"] or org == str(r["org_id"]):
            return r
    seen = ", ".join(r["organization"] for r in rows) or "none"
    sys.exit("auditor pack: organisation %r is not visible to role %s (visible: %s)" % (org, db.user, seen))


def absent(sec, why):
    return dict(sec, state="absent", note=why, headline="not available")


def render_table(db, sec, org_id):
    view = sec["view"]
    if not db.view_exists(view):
        return absent(sec, "No register of this kind in this database: isms_report.%s does not exist." % view)
    order = sec["order"] or "1"
    try:
        rows = db.run("SELECT * FROM isms_report.%s WHERE org_id = %%s AND (%s) ORDER BY %s"
                      % (view, sec["where"], order), (org_id,))
    except psycopg2.errors.InsufficientPrivilege:
        return absent(sec, "Role %s may not read isms_report.%s." % (db.user, view))
    cols = sec["columns"] or [c for c in (rows[0].keys() if rows else [])
                              if c not in HIDDEN and not c.endswith(("_sort", "_value"))]
    cells = [[fmt(r.get(c)) for c in cols] for r in rows]
    return dict(sec, state="rows" if rows else "none", view=view, columns=cols, rows=cells,
                headline=sec["headline"](cells, cols) if rows else "none")


def fmt(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, (list, tuple)):
        return ", ".join(fmt(x) for x in v)
    if isinstance(v, datetime.datetime):
        return v.strftime("%Y-%m-%d %H:%M")
    return str(v)


def png(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def render_heatmap(db, sec, org_id):
    if not db.view_exists(sec["view"]):
        return absent(sec, "No risk register in this database (isms_report.risk_heat_map).")
    cells = db.run("SELECT * FROM isms_report.risk_heat_map WHERE org_id = %s ORDER BY basis, likelihood, impact",
                   (org_id,))
    if not cells:
        return dict(sec, state="none", note="No risk criteria set: the heat map has no cells.", headline="none")
    bases = sorted({c["basis"] for c in cells})
    fig, axes = plt.subplots(1, len(bases), figsize=(5.2 * len(bases), 4.6), squeeze=False)
    for ax, basis in zip(axes[0], bases):
        heat_axes(ax, [c for c in cells if c["basis"] == basis], basis)
    fig.tight_layout()
    total = {b: sum(c["risks"] for c in cells if c["basis"] == b) for b in bases}
    above = {b: sum(c["risks"] for c in cells if c["basis"] == b and c["above_appetite"]) for b in bases}
    return dict(sec, state="rows" if sum(total.values()) else "none", image=png(fig),
                headline="; ".join("%s %d above threshold" % (b, above[b]) for b in bases),
                summary=[(b, total[b], above[b]) for b in bases],
                threshold=cells[0]["acceptance_threshold"])


def heat_axes(ax, cells, basis):
    ls = sorted({c["likelihood"] for c in cells})
    im = sorted({c["impact"] for c in cells})
    grid = [[0] * len(im) for _ in ls]
    for c in cells:
        grid[ls.index(c["likelihood"])][im.index(c["impact"])] = c["level"]
    ax.imshow(grid, cmap="RdYlGn_r", origin="lower", aspect="equal")
    for c in cells:
        y, x = ls.index(c["likelihood"]), im.index(c["impact"])
        ax.text(x, y, str(c["risks"]) if c["risks"] else "", ha="center", va="center",
                fontsize=14, fontweight="bold", color="black")
        if c["above_appetite"]:
            ax.add_patch(matplotlib.patches.Rectangle((x - 0.5, y - 0.5), 1, 1, fill=False,
                                                      hatch="//", edgecolor="#7a0000", linewidth=0))
    label = {c["likelihood"]: c["likelihood_label"] for c in cells}
    ilabel = {c["impact"]: c["impact_label"] for c in cells}
    ax.set_yticks(range(len(ls)), [label[v] or str(v) for v in ls], fontsize=8)
    ax.set_xticks(range(len(im)), [ilabel[v] or str(v) for v in im], fontsize=8, rotation=30, ha="right")
    ax.set_ylabel("likelihood")
    ax.set_xlabel("impact")
    ax.set_title("%s risk (%d)" % (basis, sum(c["risks"] for c in cells)))


def render_chain(db, sec, org_id, checkpoint):
    try:
        full = db.one("SELECT * FROM isms.verify_events(%s)", (org_id,))
        head = db.one("SELECT event_no, encode(hash, 'hex') AS hash, recorded_at FROM isms.chain_head(%s)",
                      (org_id,))
        cp = checkpoint or (head["event_no"], head["hash"])
        at = db.one("SELECT * FROM isms.verify_events(%s, %s, decode(%s, 'hex'))", (org_id, cp[0], cp[1]))
    except psycopg2.errors.InsufficientPrivilege:
        return absent(sec, "Role %s may not verify the chain: use a member with isms_auditor or "
                           "isms_manager rights (--role)." % db.user)
    return dict(sec, state="rows", full=full, head=head, checkpoint=cp, given=checkpoint is not None,
                at=at, headline="valid" if full["valid"] and at["valid"] else "BROKEN")


def render(db, org, checkpoint):
    out = []
    for sec in SECTIONS:
        if sec["kind"] == "table":
            out.append(render_table(db, sec, org["org_id"]))
        elif sec["kind"] == "heatmap":
            out.append(render_heatmap(db, sec, org["org_id"]))
        else:
            out.append(render_chain(db, sec, org["org_id"], checkpoint))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dsn", default="")
    ap.add_argument("--org", help="organisation name or id (default: the first the role sees)")
    ap.add_argument("--role", help="SET ROLE to this member first (a superuser session)")
    ap.add_argument("--checkpoint", help="EVENT_NO:HEXHASH kept from an earlier pack")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    checkpoint = None
    if a.checkpoint:
        no, _, h = a.checkpoint.partition(":")
        checkpoint = (int(no), h)
    db = Reader(a.dsn, a.role)
    org = find_org(db, a.org)
    sections = render(db, org, checkpoint)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(os.path.dirname(os.path.abspath(__file__))),
                             autoescape=True)
    meta = db.one("SELECT now() AS at, current_database() AS db, "
                  "(SELECT extversion FROM pg_extension WHERE extname = 'isms27022') AS version")
    html = env.get_template("pack.html.j2").render(org=org, sections=sections, reader=db.user, meta=meta)
    with open(a.out, "w", encoding="utf-8") as f:
        f.write(html)
    for s in sections:
        print("  %-20s %s" % (s["key"], s["state"]))


if __name__ == "__main__":
    main()
