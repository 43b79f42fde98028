#!/usr/bin/env bash
# scripts/auditor_pack.sh -- the auditor pack: one organisation's ISMS status
# as a self-contained HTML page and a PDF, read through the reporting views
# (schema isms_report) as a reader or auditor role.
#
#   bash scripts/auditor_pack.sh --org 'Northwind Cloud' --role kofi_audit
#   bash scripts/auditor_pack.sh --org 3 --out /srv/packs/q4 --checkpoint 812:9f86d0...
#   bash scripts/auditor_pack.sh --org 1 --screenshot      # ... and a PNG of the page
#
# Connects with the libpq environment (PGHOST, PGPORT, PGUSER, PGDATABASE)
# or --dsn; --role makes a superuser session SET ROLE to a member first (the
# views show the caller's organisations only).  The event chain section needs
# a role with isms_auditor or isms_manager rights, the other sections any
# member.  Installs what is missing from Debian (apt-get update first):
# python3-jinja2, python3-matplotlib, python3-psycopg2, chromium.  Writes
# OUT/auditor_pack.html, OUT/auditor_pack.pdf (Chromium --print-to-pdf) and
# with --screenshot OUT/auditor_pack.png (OUT: --out, default
# /tmp/auditor_pack.PID), and prints the PDF's path last.
set -u
here=$(cd "$(dirname "$0")" && pwd)
out=${TMPDIR:-/tmp}/auditor_pack.$$
shot=0
args=()
while [ $# -gt 0 ]; do
	case $1 in
	--org | --role | --dsn | --checkpoint) [ $# -ge 2 ] || { echo "$1 needs a value" >&2; exit 2; }
		args+=("$1" "$2"); shift ;;
	--out) [ $# -ge 2 ] || { echo "--out needs a directory" >&2; exit 2; }
		out=$2; shift ;;
	--screenshot) shot=1 ;;
	-h | --help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "unknown option: $1 (try --help)" >&2; exit 2 ;;
	esac
	shift
done

py=/usr/bin/python3
need=()
$py -c 'import jinja2' 2>/dev/null || need+=(python3-jinja2)
$py -c 'import matplotlib' 2>/dev/null || need+=(python3-matplotlib)
$py -c 'import psycopg2' 2>/dev/null || need+=(python3-psycopg2)
command -v chromium >/dev/null || need+=(chromium)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
if [ ${#need[@]} -gt 0 ]; then
	echo "== installing: ${need[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null &&
		apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${need[@]}" >/dev/null ||
		{ echo "auditor pack: cannot install ${need[*]}" >&2; exit 1; }
fi

mkdir -p "$out" || exit 1
html=$out/auditor_pack.html
$py "$here/auditor_pack/pack.py" "${args[@]}" --out "$html" || exit 1

# Headless Chromium with a fresh profile, no network of its own, as root too.
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
chrome() {
	chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$profile" "$@" "file://$html" >"$out/chromium.log" 2>&1
}
chrome --no-pdf-header-footer --print-to-pdf="$out/auditor_pack.pdf" ||
	{ echo "auditor pack: chromium failed (see $out/chromium.log)" >&2; exit 1; }
if [ "$shot" = 1 ]; then
	chrome --hide-scrollbars --window-size=1280,1800 --screenshot="$out/auditor_pack.png" ||
		{ echo "auditor pack: chromium screenshot failed (see $out/chromium.log)" >&2; exit 1; }
fi
echo "auditor pack: $html"
echo "auditor pack: $out/auditor_pack.pdf"
