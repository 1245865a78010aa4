#!/usr/bin/env bash
# Shared by scripts/run, scripts/test and scripts/bench: a project-local PostgreSQL cluster and the asset build.
# Sourced, not executed.
#
# Where the cluster lives (PG_HOME holds postgres/, run/, postgres.log and port):
#   - as a normal user: .data/ in the clone; the server runs as that user.
#   - as root: the server must run as the 'postgres' system user, who cannot enter a clone under /root
#     (mode 700). The cluster then lives in /var/lib/marketwatch/<clone name>-<hash of the clone's path>,
#     owned by postgres, and .data/postgres and .data/postgres.log are links to it. A cluster already
#     inside .data/postgres (a real directory) is kept where it is.
# Which port it listens on (127.0.0.1 only):
#   - MW_PG_PORT when set, exactly (fails if another server holds it);
#   - the port of this clone's cluster when it is already running (scripts/test beside scripts/run);
#   - else the port the cluster used last (PG_HOME/port), at first 54329; when another program (another
#     clone's cluster) holds it, the next free port from 54330 on, which is then recorded for next time.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
DATA_DIR="$ROOT/.data"
PG_DEFAULT_PORT=54329
PG_PORT="${MW_PG_PORT:-$PG_DEFAULT_PORT}"
MW_STARTED_PG=0

log() { printf '\033[1;34m[marketwatch]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[marketwatch]\033[0m %s\n' "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# Installs a Debian package when it is missing and we are allowed to.
apt_install() {
  local pkg="$1"
  if is_root && command -v apt-get >/dev/null 2>&1; then
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

# The share-preview images (Features/Analytics/Sharing) draw their text with DejaVu Sans (Latin and Arabic glyphs),
# loaded by path: Debian's fonts-dejavu-core. Without it the preview endpoints fail (set Sharing__FontPath to another TTF).
ensure_fonts() {
  [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] && return 0
  apt_install fonts-dejavu-core || log "fonts-dejavu-core is not installed: share-preview images need it (or Sharing__FontPath)"
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
  find_pg_bin \
    || apt_install postgresql \
    || die "PostgreSQL server binaries not found. Install them (Debian/Ubuntu: 'sudo apt-get install postgresql'; macOS: 'brew install postgresql@15') or set ConnectionStrings__Default to an existing server."
  find_pg_bin || die "PostgreSQL was installed but pg_ctl is still not found"
  # psql sits beside pg_ctl, unless PATH only links the server tools.
  if [ -x "$PG_BIN/psql" ]; then PSQL="$PG_BIN/psql"; else PSQL="$(command -v psql)" || die "psql not found"; fi
}

ensure_postgres_user() {
  id postgres >/dev/null 2>&1 \
    || useradd --system --no-create-home --home-dir /var/lib/marketwatch --shell /usr/sbin/nologin postgres
}

# The server refuses to run as root: as root we run it (and its tools) as the 'postgres' system user,
# from / because the current directory may be one postgres cannot enter.
pg_as() {
  if is_root; then
    ensure_postgres_user
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# Sets PG_HOME and the paths under it (see the top of this file).
locate_cluster() {
  PG_HOME="$DATA_DIR"
  if is_root && ! { [ -d "$DATA_DIR/postgres" ] && [ ! -L "$DATA_DIR/postgres" ] && [ -f "$DATA_DIR/postgres/PG_VERSION" ]; }; then
    local id
    # A short, plain name: the server's socket path must stay under ~107 bytes and pass through pg_ctl's shell.
    id="$(printf '%s' "$(basename "$ROOT")" | tr -c 'A-Za-z0-9._-' '_' | cut -c1-24)-$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)"
    PG_HOME="${MW_PG_HOME_BASE:-/var/lib/marketwatch}/$id"
  fi
  PG_DATA="$PG_HOME/postgres"
  PG_RUN="$PG_HOME/run"
  PG_LOG="$PG_HOME/postgres.log"
  PG_PORT_FILE="$PG_HOME/port"
}

# Creates PG_HOME (owned by the server's user) and, when it is outside the clone, the links in .data/.
prepare_cluster_dirs() {
  mkdir -p "$DATA_DIR"
  if [ "$PG_HOME" != "$DATA_DIR" ]; then
    mkdir -p "$(dirname "$PG_HOME")"
    chmod 755 "$(dirname "$PG_HOME")"
    mkdir -p "$PG_HOME"
    local name
    for name in postgres postgres.log; do
      if [ -L "$DATA_DIR/$name" ]; then
        ln -sfn "$PG_HOME/$name" "$DATA_DIR/$name"
      else
        # An empty directory left by an attempt that failed before the cluster existed is replaced.
        if [ -d "$DATA_DIR/$name" ]; then
          rmdir "$DATA_DIR/$name" 2>/dev/null \
            || die "$DATA_DIR/$name is a directory in the way of the link to $PG_HOME/$name: move it away"
        fi
        rm -f "$DATA_DIR/$name"
        ln -s "$PG_HOME/$name" "$DATA_DIR/$name"
      fi
    done
  fi
  mkdir -p "$PG_DATA" "$PG_RUN"
  touch "$PG_LOG"
  if is_root; then
    ensure_postgres_user
    chown postgres "$PG_HOME" "$PG_DATA" "$PG_RUN" "$PG_LOG"
    [ -f "$PG_PORT_FILE" ] && chown postgres "$PG_PORT_FILE"
  fi
  chmod 700 "$PG_DATA"
}

pg_is_running() { pg_as "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; }

# Something accepts TCP connections on 127.0.0.1:$1.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The first port from 54330 on that nothing listens on.
free_port() {
  local port
  for port in $(seq $((PG_DEFAULT_PORT + 1)) $((PG_DEFAULT_PORT + 200))); do
    port_in_use "$port" || { echo "$port"; return 0; }
  done
  die "no free port between $((PG_DEFAULT_PORT + 1)) and $((PG_DEFAULT_PORT + 200)); set MW_PG_PORT"
}

# Sets PG_PORT for a cluster that is not running yet.
choose_port() {
  if [ -n "${MW_PG_PORT:-}" ]; then
    PG_PORT="$MW_PG_PORT"
    port_in_use "$PG_PORT" && die "port $PG_PORT (MW_PG_PORT) is already taken by another program"
    return 0
  fi
  PG_PORT="$(cat "$PG_PORT_FILE" 2>/dev/null || true)"
  [[ "$PG_PORT" =~ ^[0-9]+$ ]] || PG_PORT="$PG_DEFAULT_PORT"
  if port_in_use "$PG_PORT"; then
    local taken="$PG_PORT"
    PG_PORT="$(free_port)"
    log "port $taken is taken by another program (another clone's cluster?): this clone's cluster uses $PG_PORT"
  fi
}

start_cluster() {
  local attempt
  for attempt in 1 2 3; do
    choose_port
    log "starting local PostgreSQL on 127.0.0.1:$PG_PORT"
    if pg_as setsid "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 \
        -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k '$PG_RUN' -c max_connections=300 -c fsync=${MW_PG_FSYNC:-on}" start >/dev/null; then
      echo "$PG_PORT" > "$PG_PORT_FILE"
      is_root && chown postgres "$PG_PORT_FILE"
      MW_STARTED_PG=1
      return 0
    fi
    # Another clone took the same free port at the same moment: choose again (unless the port was asked for).
    if [ -z "${MW_PG_PORT:-}" ] && tail -n 5 "$PG_LOG" | grep -q "could not bind"; then
      continue
    fi
    break
  done
  tail -n 20 "$PG_LOG" >&2
  die "PostgreSQL did not start (log: $PG_LOG)"
}

# Starts (and on first use creates) this clone's cluster, then exports ConnectionStrings__Default.
# Does nothing when ConnectionStrings__Default is already set: then that server is used as it is.
ensure_database() {
  if [ -n "${ConnectionStrings__Default:-}" ]; then
    log "using the database in ConnectionStrings__Default"
    return 0
  fi
  ensure_pg_binaries
  locate_cluster
  prepare_cluster_dirs
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    log "creating a local PostgreSQL cluster in $PG_DATA"
    pg_as "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null \
      || die "initdb failed"
  fi
  if pg_is_running; then
    PG_PORT="$(sed -n 4p "$PG_DATA/postmaster.pid")"
    if [ -n "${MW_PG_PORT:-}" ] && [ "$MW_PG_PORT" != "$PG_PORT" ]; then
      die "this clone's PostgreSQL is already running on port $PG_PORT, not $MW_PG_PORT (MW_PG_PORT): unset MW_PG_PORT or stop it"
    fi
    log "local PostgreSQL already running on port $PG_PORT"
  else
    start_cluster
  fi
  export ConnectionStrings__Default="Host=127.0.0.1;Port=$PG_PORT;Database=marketwatch;Username=postgres"
  if ! pg_as "$PSQL" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='marketwatch'" | grep -q 1; then
    pg_as "$PSQL" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qc "CREATE DATABASE marketwatch" >/dev/null
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
