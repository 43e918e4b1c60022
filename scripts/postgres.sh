#!/usr/bin/env bash
# Runs a command with a throw-away PostgreSQL cluster for the tests:
#
#   scripts/postgres.sh go test ./adapters/matrix/...
#   scripts/postgres.sh            # no command: keep it running until Ctrl-C
#
# The cluster lives in a temporary directory, listens only on 127.0.0.1 on a
# free port (its unix socket is in that directory), trusts loopback
# connections and runs with fsync off. The command sees
#
#   BRIEFBOT_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:PORT/postgres?sslmode=disable
#
# (a superuser: tests create and drop their own databases). When the command
# ends, however it ends, the cluster is stopped and the directory removed;
# the script exits with the command's status.
#
# When BRIEFBOT_TEST_DATABASE_URL is already set, that server is used and
# nothing is started. The binaries are looked up in $BRIEFBOT_PG_BIN, then the
# newest /usr/lib/postgresql/*/bin (Debian), then $PATH; when none is found
# and we are root on Debian, the postgresql package is installed. initdb
# refuses to run as root, so as root the cluster runs as the postgres system
# user (created by the package).
set -euo pipefail

log() { printf 'postgres.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

if [[ -n "${BRIEFBOT_TEST_DATABASE_URL:-}" ]]; then
	log "using the server at BRIEFBOT_TEST_DATABASE_URL"
	if [[ $# -eq 0 ]]; then exit 0; fi
	exec "$@"
fi

# find_bin prints the directory holding initdb, pg_ctl and postgres.
find_bin() {
	local d
	if [[ -n "${BRIEFBOT_PG_BIN:-}" ]]; then
		echo "$BRIEFBOT_PG_BIN"
		return
	fi
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
	if [[ -n "$d" && -x "$d/initdb" ]]; then
		echo "$d"
		return
	fi
	if d=$(command -v initdb 2>/dev/null); then
		dirname "$d"
	fi
}

bin=$(find_bin)
if [[ -z "$bin" ]]; then
	if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
		log "PostgreSQL is not installed; installing the postgresql package"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq >&2
		apt-get install -y -qq postgresql >&2
		bin=$(find_bin)
	fi
	[[ -n "$bin" ]] || die "no PostgreSQL binaries (initdb, pg_ctl, postgres): install PostgreSQL or set BRIEFBOT_PG_BIN"
fi
for tool in initdb pg_ctl postgres; do
	[[ -x "$bin/$tool" ]] || die "$bin/$tool is missing or not executable"
done

# as: run a command as the cluster's owner (ourselves unless we are root)
if [[ $(id -u) -eq 0 ]]; then
	owner=${BRIEFBOT_PG_USER:-postgres}
	id -u "$owner" >/dev/null 2>&1 || die "running as root, but there is no '$owner' user to own the cluster (set BRIEFBOT_PG_USER)"
	as() { runuser -u "$owner" -- "$@"; }
else
	owner=$(id -un)
	as() { "$@"; }
fi

# Clusters of earlier runs that died without cleaning up (SIGKILL): the
# script's PID is in each directory; when it is gone, so should the cluster be.
tmp=${TMPDIR:-/tmp}
for stale in "$tmp"/briefbot-pg.*; do
	[[ -f "$stale/owner.pid" ]] || continue
	pid=$(cat "$stale/owner.pid" 2>/dev/null || true)
	[[ -n "$pid" ]] || continue
	if [[ -d /proc/$pid ]] || kill -0 "$pid" 2>/dev/null; then continue; fi
	as "$bin/pg_ctl" -D "$stale/data" -m immediate -s stop >/dev/null 2>&1 || true
	rm -rf "$stale" 2>/dev/null || true
done

dir=$(mktemp -d "$tmp/briefbot-pg.XXXXXX")
echo $$ >"$dir/owner.pid"
sleeper=
cleanup() {
	if [[ -n "$sleeper" ]]; then kill "$sleeper" 2>/dev/null || true; fi
	if [[ -f "$dir/data/postmaster.pid" ]]; then
		as "$bin/pg_ctl" -D "$dir/data" -m immediate -s stop >/dev/null 2>&1 || true
	fi
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
chown "$owner" "$dir"
chmod 700 "$dir"
as test -w "$dir" || die "$owner cannot write to $dir (set TMPDIR to a directory it can reach)"

if ! as "$bin/initdb" -D "$dir/data" -U postgres -E UTF8 --locale=C \
	--auth-local=trust --auth-host=trust >"$dir/initdb.log" 2>&1; then
	cat "$dir/initdb.log" >&2
	die "initdb failed"
fi
# only the unix socket and loopback TCP; nothing else is accepted
cat >"$dir/data/pg_hba.conf" <<'EOF'
local all all              trust
host  all all 127.0.0.1/32 trust
EOF
cat >>"$dir/data/postgresql.conf" <<EOF

# scripts/postgres.sh: a throw-away test cluster
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 300
logging_collector = off
EOF

# a free port: pick one nobody answers on; if the server still cannot bind
# it (taken in between), try another
started=0
for _ in 1 2 3 4 5 6 7 8; do
	port=$((20000 + RANDOM % 40000))
	if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then continue; fi
	if as "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -o "-p $port" -w -t 60 -s start >/dev/null 2>&1; then
		started=1
		break
	fi
	grep -q 'could not bind\|Address already in use' "$dir/postgres.log" 2>/dev/null || break
done
if [[ $started != 1 ]]; then
	cat "$dir/postgres.log" >&2 2>/dev/null || true
	die "the PostgreSQL server did not start"
fi

export BRIEFBOT_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
log "PostgreSQL $("$bin/postgres" -V | awk '{print $3}') on 127.0.0.1:$port (data in $dir, as $owner)"

if [[ $# -eq 0 ]]; then
	log "export BRIEFBOT_TEST_DATABASE_URL='$BRIEFBOT_TEST_DATABASE_URL'"
	log "running until Ctrl-C"
	sleep infinity &
	sleeper=$!
	wait "$sleeper" || true
	exit 0
fi
# not exec: the trap has to run when the command is done
status=0
"$@" || status=$?
exit "$status"
