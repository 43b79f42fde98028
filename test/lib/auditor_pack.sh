# test/lib/auditor_pack.sh -- checks of a rendered auditor pack
# (scripts/auditor_pack.sh), shared by test/scripts/auditor_pack.sh and
# test/scripts/demo.sh.
#
#   isms_check_pack DIR SECTION...
#
# DIR holds auditor_pack.html and auditor_pack.pdf (and auditor_pack.png if
# present).  Every section of the page must be rendered (a <section> with a
# data-state), the SECTIONs named must have rows, the others rows, none or
# absent (a register view this database lacks); a chain named must verify
# end to end and at the checkpoint; the PDF and the PNG must be
# real files of their format and not trivially small.  Prints one line per
# check; returns non-zero if any failed.
isms_check_pack() {
	local dir=$1 html=$1/auditor_pack.html bad=0 s state
	shift
	[ -s "$html" ] || { echo "not ok - no $html"; return 1; }
	for s in heatmap readiness soa incidents corrective_actions documents_due capability chain; do
		state=$(grep -o "<section id=\"$s\" data-state=\"[a-z]*\"" "$html" | sed 's/.*data-state="//; s/"//')
		case " $* " in *" $s "*) [ "$state" = rows ] ;; *) [[ "$state" =~ ^(rows|none|absent)$ ]] ;; esac &&
			echo "ok - pack section $s: $state" || { echo "not ok - pack section $s: '${state}'"; bad=1; }
	done
	if case " $* " in *" chain "*) true ;; *) false ;; esac; then
		[ "$(grep -c 'class="ok">valid' "$html")" = 2 ] && echo "ok - the chain verifies, end to end and at the checkpoint" ||
			{ echo "not ok - the chain section does not say valid twice"; bad=1; }
	fi
	grep -q 'src="data:image/png;base64,' "$html" && ! grep -qE '(src|href)="https?:' "$html" &&
		echo "ok - the page is self-contained, with the heat map as an embedded PNG" ||
		{ echo "not ok - the page is not self-contained or has no chart"; bad=1; }
	isms_check_file "$dir/auditor_pack.pdf" '%PDF-' 20000 || bad=1
	[ -e "$dir/auditor_pack.png" ] && { isms_check_file "$dir/auditor_pack.png" $'\x89PNG' 50000 || bad=1; }
	return $bad
}

# isms_check_file FILE MAGIC MIN_BYTES
isms_check_file() {
	local size
	size=$(stat -c %s "$1" 2>/dev/null || echo 0)
	if [ "$(head -c ${#2} "$1" 2>/dev/null)" = "$2" ] && [ "$size" -ge "$3" ]; then
		echo "ok - $(basename "$1"): $size bytes"
	else
		echo "not ok - $(basename "$1"): missing, not of its format or under $3 bytes ($size)"
		return 1
	fi
}
