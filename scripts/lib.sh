#!/usr/bin/env bash
# Shared by scripts/run and scripts/test: a project-local PostgreSQL cluster and the asset build.
# Sourced, not executed.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA_DIR="$ROOT/.data"
PG_DATA="$DATA_DIR/postgres"
PG_RUN="$DATA_DIR/run"
PG_LOG="$DATA_DIR/postgres.log"
PG_PORT="${MW_PG_PORT:-54329}"
MW_STARTED_PG=0

log() { printf '\033[1;34m[marketwatch]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[marketwatch]\033[0m %s\n' "$*" >&2; exit 1; }

# Installs a Debian package when it is missing and we are allowed to.
apt_install() {
  local pkg="$1"
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing Debian package '$pkg' ..."
    if [ -z "${MW_APT_UPDATED:-}" ]; then
      apt-get update -qq >/dev/null || die "apt-get update failed"
      export MW_APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >/dev/null || die "apt-get install $pkg failed"
    return 0
  fi
  return 1
}

find_pg_bin() {
  local candidate
  if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
    PG_BIN="$(dirname "$(command -v pg_ctl)")"; return 0
  fi
  for candidate in /usr/lib/postgresql/*/bin; do
    if [ -x "$candidate/pg_ctl" ]; then PG_BIN="$candidate"; fi
  done
  [ -n "${PG_BIN:-}" ]
}

ensure_pg_binaries() {
  find_pg_bin && return 0
  apt_install postgresql || die "PostgreSQL server binaries not found. Install them (Debian/Ubuntu: 'sudo apt-get install postgresql'; macOS: 'brew install postgresql@15') or set ConnectionStrings__Default to an existing server."
  find_pg_bin || die "PostgreSQL was installed but pg_ctl is still not found"
}

# The server refuses to run as root: as root we run it as the 'postgres' system user.
pg_as() {
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir "$DATA_DIR" --shell /usr/sbin/nologin postgres
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

pg_is_running() { pg_as "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; }

# Starts (and on first use creates) the cluster under .data/, then exports ConnectionStrings__Default.
# Does nothing when ConnectionStrings__Default is already set: then that server is used as it is.
ensure_database() {
  if [ -n "${ConnectionStrings__Default:-}" ]; then
    log "using the database in ConnectionStrings__Default"
    return 0
  fi
  ensure_pg_binaries
  mkdir -p "$PG_DATA" "$PG_RUN"
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir "$DATA_DIR" --shell /usr/sbin/nologin postgres
    chown postgres "$DATA_DIR" "$PG_DATA" "$PG_RUN"
    chmod 700 "$PG_DATA"
  fi
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    log "creating a local PostgreSQL cluster in .data/postgres (port $PG_PORT)"
    pg_as "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null \
      || die "initdb failed"
  fi
  if pg_is_running; then
    log "local PostgreSQL already running on port $PG_PORT"
  else
    log "starting local PostgreSQL on 127.0.0.1:$PG_PORT"
    touch "$PG_LOG"; [ "$(id -u)" -eq 0 ] && chown postgres "$PG_LOG"
    pg_as setsid "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 \
      -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $PG_RUN -c max_connections=300 -c fsync=${MW_PG_FSYNC:-on}" start >/dev/null \
      || { tail -n 20 "$PG_LOG" >&2; die "PostgreSQL did not start (log: $PG_LOG)"; }
    MW_STARTED_PG=1
  fi
  export ConnectionStrings__Default="Host=127.0.0.1;Port=$PG_PORT;Database=marketwatch;Username=postgres"
  if ! pg_as psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='marketwatch'" | grep -q 1; then
    pg_as psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qc "CREATE DATABASE marketwatch" >/dev/null
  fi
}

stop_database() {
  if [ "$MW_STARTED_PG" = 1 ]; then
    log "stopping local PostgreSQL"
    pg_as "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast stop >/dev/null 2>&1 || true
    MW_STARTED_PG=0
  fi
}

# esbuild bundles wwwroot-src/ into MarketWatch.Web/wwwroot/dist/.
build_assets() {
  command -v npm >/dev/null 2>&1 || die "npm not found: install Node.js 20 or newer"
  cd "$ROOT"
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "installing front-end packages (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error >/dev/null || die "npm ci failed"
  fi
  log "building assets"
  npm run --silent build >/dev/null || die "asset build failed"
}
