# test/lib/citus.sh -- build Citus from the vendored tarball into the staged
# PostgreSQL copy and start a coordinator with two workers (issue 19).
# Shared by test/scripts/citus.sh and bench/citus.sh; source after
# test/lib/cluster.sh (needs ISMS_SRC, ISMS_BIN, ISMS_WORK, isms_pg_start).
#
#   citus_vendor            sets CITUS_TAR and CITUS_PATCH; fails if absent
#   citus_build_and_stage   builds (or reuses the cached build) and copies it
#                           into the stage; the cache is keyed by the sha256
#                           of tarball + patch, under ${CITUS_CACHE:-/var/cache/isms27022-citus}
#   citus_cluster_start     coordinator + two workers under
#                           ${CITUS_DIR:-$ISMS_WORK/citus}; exports CITUS_COORD,
#                           CITUS_W1, CITUS_W2 (ports)
#   citus_cluster_stop      stops all three
#   citus_db DB             DB with citus on every node, the workers added
#   citus_distributed_db DB [SHARDS]  citus_db, isms27022, isms.distribute()

CITUS_VERSION=13.2.2
CITUS_PACKAGES="liblz4-dev libzstd-dev libkrb5-dev libselinux1-dev libxslt1-dev libpam0g-dev libreadline-dev"

# ../shared beside the clone (CI), or beside the worktree
citus_vendor() {
	local d
	for d in "${ISMS_SHARED:-}" "$ISMS_SRC/../shared" "$ISMS_SRC/../../shared"; do
		[ -n "$d" ] || continue
		if [ -f "$d/vendor/citus-$CITUS_VERSION.tar.gz" ]; then
			CITUS_TAR=$(cd "$d/vendor" && pwd)/citus-$CITUS_VERSION.tar.gz
			CITUS_PATCH=$(ls "$(dirname "$CITUS_TAR")"/citus-$CITUS_VERSION-*.patch 2>/dev/null)
			export CITUS_TAR CITUS_PATCH
			return 0
		fi
	done
	return 1
}

# Build once per tarball+patch; the result is the DESTDIR tree of
# "make install" against the system pg_config, whose paths are the stage's
# paths below $ISMS_WORK/stage.
citus_build_and_stage() {
	local key cache root pgc=/usr/lib/postgresql/$ISMS_PGVER/bin/pg_config src p
	key=$(cat "$CITUS_TAR" $CITUS_PATCH | sha256sum | cut -c1-16)
	cache=${CITUS_CACHE:-/var/cache/isms27022-citus}/$key
	root=$cache/root
	if [ ! -f "$cache/done" ]; then
		ISMS_EXTRA_PACKAGES="$CITUS_PACKAGES" isms_install_deps || return 1
		echo "== building Citus $CITUS_VERSION (cache $cache)"
		rm -rf "$cache" && mkdir -p "$cache" || return 1
		src=$cache/build
		mkdir -p "$src" && tar -C "$src" -xzf "$CITUS_TAR" || return 1
		src=$src/citus-$CITUS_VERSION
		for p in $CITUS_PATCH; do patch -s -d "$src" -p1 <"$p" || return 1; done
		(cd "$src" && PG_CONFIG=$pgc ./configure --without-libcurl >"$cache/configure.log" 2>&1 &&
			make -s -j2 >"$cache/make.log" 2>&1 &&
			make -s install DESTDIR="$root" >>"$cache/make.log" 2>&1) ||
			{ tail -40 "$cache/configure.log" "$cache/make.log" >&2; return 1; }
		rm -rf "$cache/build"
		touch "$cache/done"
	else
		echo "== Citus $CITUS_VERSION from cache $cache"
	fi
	# the stage's lib directory is hard-linked to the system's: copy files,
	# never write through an existing link
	(cd "$root" && find . -type f) | while read -r f; do
		rm -f "$ISMS_WORK/stage/$f"
		mkdir -p "$(dirname "$ISMS_WORK/stage/$f")"
		cp "$root/$f" "$ISMS_WORK/stage/$f"
	done
}

# One node: initdb, citus preloaded, started on a free loopback port.
citus_node_start() {
	local name=$1 data=$CITUS_DIR/$1 opts
	shift
	mkdir -p "$data" && chown -R postgres "$CITUS_DIR"
	runuser -u postgres -- "$ISMS_BIN/initdb" -D "$data" -A trust -U postgres \
		--no-instructions >"$CITUS_DIR/$name.initdb.log" 2>&1 ||
		{ cat "$CITUS_DIR/$name.initdb.log" >&2; return 1; }
	opts="-c listen_addresses=127.0.0.1 -c unix_socket_directories=$CITUS_DIR -c fsync=off"
	opts="$opts -c shared_preload_libraries=citus -c max_connections=200 -c timezone=UTC"
	opts="$opts -c max_prepared_transactions=200"
	for o in "$@"; do opts="$opts -c $o"; done
	isms_pg_start "$data" "$CITUS_DIR/$name.log" 120 "$opts"
}

citus_cluster_start() {
	CITUS_DIR=${CITUS_DIR:-$ISMS_WORK/citus}
	mkdir -p "$CITUS_DIR"
	CITUS_COORD=$(citus_node_start coord "$@") || return 1
	CITUS_W1=$(citus_node_start w1 "$@") || return 1
	CITUS_W2=$(citus_node_start w2 "$@") || return 1
	export CITUS_COORD CITUS_W1 CITUS_W2
}

citus_cluster_stop() {
	local n
	CITUS_DIR=${CITUS_DIR:-$ISMS_WORK/citus}
	for n in coord w1 w2; do
		[ -f "$CITUS_DIR/$n/postmaster.pid" ] &&
			runuser -u postgres -- "$ISMS_BIN/pg_ctl" -D "$CITUS_DIR/$n" -m fast -w stop >/dev/null 2>&1
	done
	return 0
}

# citus_db DB: create DB on all nodes with citus and isms27022, add workers.
citus_db() {
	local db=$1 p
	for p in $CITUS_COORD $CITUS_W1 $CITUS_W2; do
		psql -X -q -h 127.0.0.1 -p "$p" -U postgres -d postgres -v ON_ERROR_STOP=1 \
			-c "CREATE DATABASE $db" || return 1
		psql -X -q -h 127.0.0.1 -p "$p" -U postgres -d "$db" -v ON_ERROR_STOP=1 \
			-c "CREATE EXTENSION citus" || return 1
	done
	psql -X -q -h 127.0.0.1 -p "$CITUS_COORD" -U postgres -d "$db" -v ON_ERROR_STOP=1 <<SQL
SELECT citus_set_coordinator_host('127.0.0.1', $CITUS_COORD);
SELECT citus_add_node('127.0.0.1', $CITUS_W1);
SELECT citus_add_node('127.0.0.1', $CITUS_W2);
SQL
}

# citus_distributed_db DB [SHARDS]: citus_db, then isms27022 on the
# coordinator (Citus creates it on the workers) and isms.distribute(SHARDS)
# (default: citus.shard_count).  Prints isms.distribute()'s summary.
citus_distributed_db() {
	local db=$1 shards=${2:-NULL}
	citus_db "$db" >/dev/null || return 1
	psql -X -q -At -h 127.0.0.1 -p "$CITUS_COORD" -U postgres -d "$db" -v ON_ERROR_STOP=1 \
		-c "CREATE EXTENSION isms27022" \
		-c "SELECT how, count(*) FROM isms.distribute($shards) GROUP BY how ORDER BY how"
}
