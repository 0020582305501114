#!/usr/bin/env bash
# Builds a small local PostgreSQL image (default tag postgres:15) from this
# machine's own PostgreSQL programs, so that `--dev-url docker://postgres/15`
# works without reaching any container registry.
#
# Usage: scripts/build-pg-image.sh [--force] [TAG]
#
# The image holds the server programs, the shared libraries they load (found
# with ldd), the extension libraries, the share directory, timezone data, a
# minimal /bin/sh and an entrypoint that behaves like the official image's for
# POSTGRES_PASSWORD, POSTGRES_USER, POSTGRES_DB and POSTGRES_HOST_AUTH_METHOD.
# An existing image with that tag is kept unless --force is given.
set -euo pipefail

die() {
	echo "build-pg-image: $*" >&2
	exit 1
}

force=0
tag=""
for arg in "$@"; do
	case "$arg" in
	--force) force=1 ;;
	-h | --help)
		sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	-*) die "unknown option $arg (usage: $0 [--force] [TAG])" ;;
	*)
		[ -z "$tag" ] || die "more than one tag given (usage: $0 [--force] [TAG])"
		tag="$arg"
		;;
	esac
done
tag="${tag:-postgres:15}"

command -v docker >/dev/null 2>&1 || die "no docker client on PATH"
docker info >/dev/null 2>&1 || die "no Docker engine answers (run scripts/start-dockerd.sh first, or check DOCKER_HOST)"

if [ "$force" = 0 ] && docker image inspect "$tag" >/dev/null 2>&1; then
	echo "build-pg-image: image $tag already exists (use --force to rebuild)"
	exit 0
fi

# Locate the PostgreSQL installation: pg_config's directories when they hold
# a server, otherwise Debian's PostgreSQL 15 layout.
bindir="" pkglibdir="" sharedir=""
if command -v pg_config >/dev/null 2>&1; then
	bindir="$(pg_config --bindir)"
	pkglibdir="$(pg_config --pkglibdir)"
	sharedir="$(pg_config --sharedir)"
fi
if [ ! -x "$bindir/postgres" ]; then
	bindir=/usr/lib/postgresql/15/bin
	pkglibdir=/usr/lib/postgresql/15/lib
	sharedir=/usr/share/postgresql/15
fi
for prog in postgres initdb; do
	[ -x "$bindir/$prog" ] || die "no PostgreSQL server program $bindir/$prog (install postgresql-15)"
done
[ -d "$pkglibdir" ] || die "no PostgreSQL library directory $pkglibdir"
[ -f "$sharedir/postgres.bki" ] || die "no PostgreSQL share directory $sharedir (postgres.bki missing)"
version="$("$bindir/postgres" --version)" || die "$bindir/postgres --version failed"
sh_bin="$(command -v dash || true)"
[ -n "$sh_bin" ] || sh_bin=/bin/sh
sh_bin="$(readlink -f "$sh_bin")"

work="$(mktemp -d "${TMPDIR:-/tmp}/pg-image.XXXXXX")"
trap 'rm -rf "$work"' EXIT
root="$work/root"
mkdir -p "$root"/usr/bin "$root"/usr/lib "$root"/usr/lib64 "$root"/usr/sbin "$root"/etc \
	"$root"/tmp "$root"/var/run/postgresql "$root"/var/lib/postgresql/data "$root"/usr/share
# Debian's merged /usr layout, so that library paths from ldd resolve.
ln -s usr/bin "$root/bin"
ln -s usr/lib "$root/lib"
ln -s usr/lib64 "$root/lib64"
ln -s usr/sbin "$root/sbin"
chmod 1777 "$root/tmp"

# copy PATH...: copies files to the same absolute path inside the image,
# following symlinks (a library's soname link becomes a regular file).
copy() {
	local f
	for f in "$@"; do
		mkdir -p "$root$(dirname "$f")"
		cp -L "$f" "$root$f"
	done
}

mkdir -p "$root$bindir"
cp -a "$bindir"/. "$root$bindir/" # keeps postmaster a link to postgres
copy "$sh_bin"
# initdb asks `locale -a` which collations to import.
locale_bin="$(command -v locale || true)"
[ -z "$locale_bin" ] || copy "$(readlink -f "$locale_bin")"
ln -sf "$sh_bin" "$root/usr/bin/sh"
mkdir -p "$root$pkglibdir"
# llvmjit would pull in LLVM (over 100 MB); the server runs without JIT.
find "$pkglibdir" -maxdepth 1 -name '*.so' ! -name 'llvmjit*' -exec cp -L {} "$root$pkglibdir/" \;
mkdir -p "$root$sharedir"
# The share directory without manual pages; extension scripts and the
# catalog bootstrap files are all that initdb and CREATE EXTENSION read.
(cd "$sharedir" && tar --exclude=./man -cf - .) | tar -C "$root$sharedir" -xf -
[ -d /usr/share/zoneinfo ] || die "no timezone data in /usr/share/zoneinfo (install tzdata)"
(cd /usr/share && tar --exclude='zoneinfo/right' --exclude='zoneinfo/posix' -cf - zoneinfo) | tar -C "$root/usr/share" -xf -
if [ -d /usr/lib/locale/C.utf8 ]; then
	mkdir -p "$root/usr/lib/locale"
	cp -r /usr/lib/locale/C.utf8 "$root/usr/lib/locale/"
	locale=C.UTF-8
else
	locale=C
fi

# Shared libraries of every program and extension library, with the dynamic
# loader itself.
libs="$(
	{
		for f in "$root$bindir"/* "$root$pkglibdir"/*.so "$root$sh_bin" ${locale_bin:+"$root$(readlink -f "$locale_bin")"}; do
			ldd "$f" 2>/dev/null || true
		done
	} | awk '/=> \// { print $3 } /^[[:space:]]*\/[^ ]*ld-linux/ { print $1 }' | sort -u
)"
missing="$(for f in "$root$bindir"/* "$root$pkglibdir"/*.so; do ldd "$f" 2>/dev/null | grep 'not found' || true; done | sort -u)"
[ -z "$missing" ] || die "shared libraries not found on this machine: $missing"
[ -n "$libs" ] || die "ldd found no shared libraries for $bindir/postgres"
# shellcheck disable=SC2086
copy $libs

cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
postgres:x:999:999:PostgreSQL administrator:/var/lib/postgresql:/bin/sh
EOF
cat >"$root/etc/group" <<'EOF'
root:x:0:
postgres:x:999:
EOF
cat >"$root/etc/nsswitch.conf" <<'EOF'
passwd: files
group: files
hosts: files
EOF
printf '127.0.0.1 localhost\n::1 localhost\n' >"$root/etc/hosts"

cat >"$root/usr/bin/docker-entrypoint.sh" <<'EOF'
#!/bin/sh
# Initialises a cluster in $PGDATA on first start, then runs the server.
set -eu

if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ]; then
	set -- postgres "$@"
fi
if [ "$1" != postgres ]; then
	exec "$@"
fi

fail() {
	echo "docker-entrypoint: $*" >&2
	exit 1
}

# quote_ident NAME: prints NAME as a double-quoted SQL identifier.
quote_ident() {
	rest=$1 out=
	while :; do
		case $rest in
		*\"*)
			out="$out${rest%%\"*}\"\""
			rest=${rest#*\"}
			;;
		*)
			out="$out$rest"
			break
			;;
		esac
	done
	printf '"%s"' "$out"
}

: "${PGDATA:=/var/lib/postgresql/data}"
POSTGRES_USER=${POSTGRES_USER:-postgres}
POSTGRES_DB=${POSTGRES_DB:-$POSTGRES_USER}
export PGDATA

if [ ! -s "$PGDATA/PG_VERSION" ]; then
	method=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}
	if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$method" != trust ]; then
		fail "Database is uninitialized and superuser password is not specified. Set POSTGRES_PASSWORD, or POSTGRES_HOST_AUTH_METHOD=trust to allow connections without a password."
	fi
	[ -w "$PGDATA" ] || [ -w "${PGDATA%/*}" ] || fail "$PGDATA is not writable by the container's user"
	# The password goes through a pipe, never through the command line.
	if [ -n "${POSTGRES_PASSWORD:-}" ]; then
		printf '%s\n' "$POSTGRES_PASSWORD" | initdb -D "$PGDATA" -U "$POSTGRES_USER" --pwfile=/dev/stdin \
			-E UTF8 --locale="$IMAGE_LOCALE" --auth-local=trust --auth-host="$method" --no-instructions --no-sync ${POSTGRES_INITDB_ARGS:-} >/dev/null
	else
		initdb -D "$PGDATA" -U "$POSTGRES_USER" -E UTF8 --locale="$IMAGE_LOCALE" \
			--auth-local=trust --auth-host="$method" --no-instructions --no-sync ${POSTGRES_INITDB_ARGS:-} >/dev/null
	fi
	printf 'host all all all %s\n' "$method" >>"$PGDATA/pg_hba.conf"
	printf "listen_addresses = '*'\njit = off\n" >>"$PGDATA/postgresql.conf"
	if [ "$POSTGRES_DB" != postgres ]; then
		# Single-user mode: no server, no sockets, no extra programs.
		out=$(printf 'CREATE DATABASE %s;\n' "$(quote_ident "$POSTGRES_DB")" |
			postgres --single -j -D "$PGDATA" -c listen_addresses= postgres 2>&1) ||
			fail "create database $POSTGRES_DB: $out"
		case $out in
		*ERROR*) fail "create database $POSTGRES_DB: $out" ;;
		esac
	fi
	echo "docker-entrypoint: initialised $PGDATA (user $POSTGRES_USER, database $POSTGRES_DB)"
fi

exec "$@"
EOF
chmod 755 "$root/usr/bin/docker-entrypoint.sh"
"$sh_bin" -n "$root/usr/bin/docker-entrypoint.sh" || die "entrypoint script has a syntax error"

chown -R 999:999 "$root/var/lib/postgresql" "$root/var/run/postgresql"
chmod 700 "$root/var/lib/postgresql/data"
chmod 2775 "$root/var/run/postgresql"

changes=(
	--change "ENV PATH=$bindir:/usr/bin:/bin"
	--change "ENV PGDATA=/var/lib/postgresql/data"
	--change "ENV LANG=$locale"
	--change "ENV IMAGE_LOCALE=$locale"
	--change "USER postgres"
	--change "WORKDIR /var/lib/postgresql"
	--change "EXPOSE 5432"
	--change 'ENTRYPOINT ["/usr/bin/docker-entrypoint.sh"]'
	--change 'CMD ["postgres"]'
)
# STOPSIGNAL is accepted by docker import only on newer engines; SIGINT is
# PostgreSQL's fast shutdown.
if docker import --help 2>/dev/null | grep -q STOPSIGNAL; then
	changes+=(--change "STOPSIGNAL SIGINT")
fi

size="$(du -sh "$root" | cut -f1)"
old_id="$(docker image inspect -f '{{.Id}}' "$tag" 2>/dev/null || true)"
tar -C "$root" --numeric-owner -cf - . |
	docker import "${changes[@]}" --message "$version from $bindir" - "$tag" >/dev/null ||
	die "docker import of $tag failed"
new_id="$(docker image inspect -f '{{.Id}}' "$tag")"
if [ -n "$old_id" ] && [ "$old_id" != "$new_id" ]; then
	# The replaced image is now untagged; drop it unless a container uses it.
	docker rmi "$old_id" >/dev/null 2>&1 || true
fi
echo "build-pg-image: built $tag ($version, $size) from $bindir"
