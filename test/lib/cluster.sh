# test/lib/cluster.sh -- shell helpers shared by the test runner, the main job
# and the benchmarks: install missing packages, build the extension into a
# private copy of the PostgreSQL 15 installation, and start/stop a throwaway
# cluster as the postgres user on a free loopback port.
#
# Source it, then call isms_setup; it exports PGHOST, PGPORT, PGUSER and
# ISMS_BIN (the staged server's bin directory) and registers a trap that
# stops the cluster and removes the work directory on exit (unless
# ISMS_KEEP=1).

ISMS_PGVER=15
ISMS_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export ISMS_SRC # the upgrade test builds 0.1.0 from its git history

# Install build and test dependencies the first time (CI starts without
# them).  Each is detected by the file the build or a test really uses: the
# server headers where pg_config says PGXS looks for them, pgTAP's control
# file in the server's share directory, pg_prove, make and gcc.
isms_install_deps() {
	local pgc=/usr/lib/postgresql/$ISMS_PGVER/bin/pg_config need=() inc share
	inc=$("$pgc" --includedir-server 2>/dev/null) || inc=/usr/include/postgresql/$ISMS_PGVER/server
	share=$("$pgc" --sharedir 2>/dev/null) || share=/usr/share/postgresql/$ISMS_PGVER
	[ -f "$inc/postgres.h" ] || need+=(postgresql-server-dev-$ISMS_PGVER)
	[ -f "$share/extension/pgtap.control" ] || need+=(postgresql-$ISMS_PGVER-pgtap)
	command -v pg_prove >/dev/null || need+=(libtap-parser-sourcehandler-pgtap-perl)
	command -v make >/dev/null || need+=(make)
	command -v gcc >/dev/null || need+=(gcc)
	for p in ${ISMS_EXTRA_PACKAGES:-}; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
	[ ${#need[@]} -eq 0 ] && return 0
	echo "== installing: ${need[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null && apt-get install -y -qq "${need[@]}" >/dev/null ||
		{ echo "could not install: ${need[*]}" >&2; return 1; }
}

# Build the extension from a private copy of the source tree and install it
# into a private copy of the server installation ($ISMS_WORK/stage), so that
# parallel runs never overwrite each other's objects or shared library and
# the system installation is left untouched.  ISMS_BUILD is the copy.
isms_build_and_stage() {
	local pgc=/usr/lib/postgresql/$ISMS_PGVER/bin/pg_config
	local stage=$ISMS_WORK/stage
	ISMS_BUILD=$ISMS_WORK/src
	mkdir -p "$ISMS_BUILD" "$stage/usr/lib/postgresql" "$stage/usr/share/postgresql"
	tar -C "$ISMS_SRC" --exclude=.git --exclude='*.o' --exclude='*.so' --exclude='*.bc' \
		--exclude=./results --exclude=./build -cf - . | tar -C "$ISMS_BUILD" -xf -
	cp -al /usr/lib/postgresql/$ISMS_PGVER "$stage/usr/lib/postgresql/" 2>/dev/null ||
		cp -a /usr/lib/postgresql/$ISMS_PGVER "$stage/usr/lib/postgresql/"
	cp -a /usr/share/postgresql/$ISMS_PGVER "$stage/usr/share/postgresql/"
	# hard links would let "make install" write through to the system copy
	rm -f "$stage/usr/lib/postgresql/$ISMS_PGVER/lib/isms27022.so"
	make -C "$ISMS_BUILD" -s -j2 PG_CONFIG=$pgc ${ISMS_MAKE_FLAGS:-} >"$ISMS_WORK/build.log" 2>&1 ||
		{ cat "$ISMS_WORK/build.log"; return 1; }
	make -C "$ISMS_BUILD" -s PG_CONFIG=$pgc DESTDIR="$stage" install >>"$ISMS_WORK/build.log" 2>&1 ||
		{ cat "$ISMS_WORK/build.log"; return 1; }
	ISMS_BIN=$stage/usr/lib/postgresql/$ISMS_PGVER/bin
	export ISMS_BIN ISMS_BUILD
}

# Pick a loopback port nobody listens on and no other cluster's socket
# lock file claims (a cluster may hold the lock before it listens).
isms_free_port() {
	local p locks
	for _ in $(seq 1 200); do
		p=$((20000 + RANDOM % 30000))
		locks=$(ls /tmp/.s.PGSQL.$p.lock /var/run/postgresql/.s.PGSQL.$p.lock \
			/tmp/isms27022.*/.s.PGSQL.$p.lock /tmp/isms27022.*/*/.s.PGSQL.$p.lock 2>/dev/null)
		[ -n "$locks" ] && continue
		(exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null || { echo "$p"; return 0; }
	done
	return 1
}

# isms_pg_start DATADIR LOG TIMEOUT "OPTIONS": start the initdb'ed cluster
# in DATADIR on a free port and print the port.  Another cluster may take
# the port between the choice and the bind, so a start that fails to bind
# is retried on a new port (up to 8 times).
isms_pg_start() {
	local data=$1 log=$2 timeout=$3 opts=$4 port
	for _ in 1 2 3 4 5 6 7 8; do
		port=$(isms_free_port) || return 1
		: >"$log" && chown postgres "$log"
		if runuser -u postgres -- "$ISMS_BIN/pg_ctl" -D "$data" -w -t "$timeout" -l "$log" \
			-o "-p $port $opts" start >/dev/null; then
			echo "$port"
			return 0
		fi
		grep -qE 'could not bind|Address already in use' "$log" || break
		echo "port $port was taken, retrying on another" >&2
	done
	cat "$log" >&2
	return 1
}

# initdb and start a cluster owned by postgres; extra postgres -c settings
# may be passed as arguments.  ISMS_DATA (default $ISMS_WORK/data) is the
# data directory, so that a runner can start a second cluster after the first.
isms_cluster_start() {
	local opts="-c listen_addresses=127.0.0.1 -c unix_socket_directories=$ISMS_WORK -c fsync=off"
	for o in "$@"; do opts="$opts -c $o"; done
	ISMS_DATA=${ISMS_DATA:-$ISMS_WORK/data}
	chown -R postgres "$ISMS_WORK"
	runuser -u postgres -- "$ISMS_BIN/initdb" -D "$ISMS_DATA" -A trust -U postgres \
		--no-instructions >"$ISMS_WORK/initdb.log" 2>&1 || { cat "$ISMS_WORK/initdb.log"; return 1; }
	[ -n "${ISMS_SERVER_WRAPPER:-}" ] && isms_wrap_server "$ISMS_SERVER_WRAPPER"
	PGPORT=$(isms_pg_start "$ISMS_DATA" "$ISMS_WORK/server.log" 300 "$opts") || return 1
	export PGHOST=127.0.0.1 PGPORT PGUSER=postgres PGDATABASE=postgres ISMS_DATA
}

# Run the staged server under a command prefix (e.g. valgrind), after initdb.
isms_wrap_server() {
	[ -e "$ISMS_BIN/postgres.real" ] && return 0
	mv "$ISMS_BIN/postgres" "$ISMS_BIN/postgres.real"
	printf '#!/bin/sh\nexec %s "%s/postgres.real" "$@"\n' "$1" "$ISMS_BIN" >"$ISMS_BIN/postgres"
	chmod 755 "$ISMS_BIN/postgres"
}

isms_cluster_stop() {
	local data=${ISMS_DATA:-$ISMS_WORK/data}
	[ -f "$data/postmaster.pid" ] &&
		runuser -u postgres -- "$ISMS_BIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1
	return 0
}

isms_cleanup() {
	isms_cluster_stop
	if [ "${ISMS_KEEP:-0}" != 1 ]; then rm -rf "$ISMS_WORK"; fi
}

# Everything a caller needs: dependencies, build, staged install, cluster.
isms_setup() {
	if [ "$(id -u)" != 0 ]; then
		echo "run as root: the cluster is started as the postgres user" >&2
		return 1
	fi
	isms_install_deps || return 1
	ISMS_WORK=$(mktemp -d /tmp/isms27022.XXXXXX)
	chmod 755 "$ISMS_WORK"
	export ISMS_WORK
	trap isms_cleanup EXIT
	isms_build_and_stage || return 1
	isms_cluster_start "$@"
}
