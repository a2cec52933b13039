# Helpers of the team cache's tests: a real nginx (Debian's, with its WebDAV
# module) on a loopback port, from a temporary config, as the test's user.
# Source after lib.sh.

NGINX_BIN=$(command -v nginx || echo /usr/sbin/nginx)

# free_port — a TCP port nobody listens on now.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_nginx DIR — serves, on 127.0.0.1:$NGINX_PORT:
#   /rw/    read-write WebDAV PUT over DIR/store
#   /ro/    the same files, read-only (PUT → 403)
#   /auth/  read-write over DIR/authstore, basic auth (401 without); user
#           "team", password $NGINX_PASSWORD
# Sets NGINX_PORT and NGINX_PID; stop_nginx stops it. With NGINX_TLS_CERT and
# NGINX_TLS_KEY (PEM files) set, it speaks HTTPS only, with that certificate.
start_nginx() {
  local d=$1 tls=""
  if [ -n "${NGINX_TLS_CERT:-}" ]; then
    tls=" ssl; ssl_certificate $NGINX_TLS_CERT; ssl_certificate_key $NGINX_TLS_KEY"
  fi
  mkdir -p "$d/store" "$d/authstore" "$d/tmp" "$d/logs"
  NGINX_PORT=$(free_port)
  NGINX_PASSWORD=${NGINX_PASSWORD:-pw-$RANDOM$RANDOM}
  printf 'team:%s\n' "$(openssl passwd -apr1 "$NGINX_PASSWORD")" > "$d/htpasswd"
  # As root, the workers would run as nobody and could not write DIR.
  local user=""
  [ "$(id -u)" -eq 0 ] && user="user root;"
  cat > "$d/nginx.conf" <<CONF
$user
worker_processes 1;
daemon off;
pid $d/nginx.pid;
error_log $d/logs/error.log;
events { worker_connections 512; }
http {
  access_log $d/logs/access.log;
  client_body_temp_path $d/tmp/body;
  proxy_temp_path $d/tmp/proxy;
  fastcgi_temp_path $d/tmp/fastcgi;
  uwsgi_temp_path $d/tmp/uwsgi;
  scgi_temp_path $d/tmp/scgi;
  client_max_body_size 0;
  server {
    listen 127.0.0.1:$NGINX_PORT$tls;
    location /rw/ { alias $d/store/; dav_methods PUT; create_full_put_path on; dav_access user:rw group:r all:r; }
    location /ro/ { alias $d/store/; limit_except GET HEAD { deny all; } }
    location /auth/ {
      alias $d/authstore/; dav_methods PUT; create_full_put_path on;
      auth_basic "foley"; auth_basic_user_file $d/htpasswd;
    }
  }
}
CONF
  "$NGINX_BIN" -p "$d" -c "$d/nginx.conf" -e "$d/logs/error.log" >"$d/logs/stdout" 2>&1 &
  NGINX_PID=$!
  for _ in $(seq 100); do
    python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$NGINX_PORT" \
      2>/dev/null && return 0
    sleep 0.1
  done
  echo "nginx did not start:" >&2
  cat "$d/logs/stdout" "$d/logs/error.log" >&2
  return 1
}

stop_nginx() {
  if [ -n "${NGINX_PID:-}" ]; then
    kill "$NGINX_PID" 2>/dev/null
    wait "$NGINX_PID" 2>/dev/null
    NGINX_PID=""
  fi
}

# remote_files DIR — how many files the remote store DIR holds under objects/ and meta/.
remote_objects() { find "$1/objects" -type f 2>/dev/null | wc -l | tr -d ' '; }
remote_metas() { find "$1/meta" -type f 2>/dev/null | wc -l | tr -d ' '; }

# stat_value LABEL TEXT — the value of a "Label:   value" line of `foley cache stats`.
stat_value() { printf '%s\n' "$2" | sed -n "s/^ *$1: *//p" | head -1; }

# counting_generator — writes $WORK/gen.sh, an exec generator
# (gen.sh OUT DURATION SEED: a sox pluck) that logs each seed it makes to
# $GENS, so `gens` says how many generations really ran. With a file
# $WORK/kill-remote holding a pid, each generation first kills that process
# (a remote that dies mid-build).
GENS="$WORK/gens.log"
counting_generator() {
  cat > "$WORK/gen.sh" <<'SH'
#!/bin/sh
echo "$3" >> "$(dirname "$0")/gens.log"
[ -f "$(dirname "$0")/kill-remote" ] && kill "$(cat "$(dirname "$0")/kill-remote")" 2>/dev/null
exec sox -R -n -r 16000 -c 1 -b 16 "$1" synth "$2" pluck "$3"
SH
  chmod +x "$WORK/gen.sh"
}
gens() { if [ -f "$GENS" ]; then wc -l < "$GENS" | tr -d ' '; else echo 0; fi; }

# The team project's header: project "team" whose default engine runs the counting generator.
synth_project() {
  cat <<TOML
[project]
name = "team"
default_engine = "synth"
[engines.synth]
engine = "exec"
command = ["$WORK/gen.sh", "{out}", "{duration}", "{seed}"]
TOML
}

# An ElevenLabs engine "sfx" against the fake API on $API_PORT.
sfx_engine() {
  cat <<TOML
[engines.sfx]
engine = "elevenlabs"
base_url = "http://127.0.0.1:$API_PORT"
tier = "free"
credits_per_second = 40
TOML
}

# tone_cues COUNT SEED_BASE [DURATION] — cues tone1..toneCOUNT with seeds SEED_BASE+i.
tone_cues() {
  local i
  for i in $(seq "$1"); do
    printf '[cue.tone%s]\nprompt = "tone %s"\nduration = %s\nseed = %s\n\n' "$i" "$i" "${3:-0.5}" "$(($2 + i))"
  done
}

# remote_clone NAME SEED_BASE [SETTING] — a team project in $WORK/NAME with 4 tone cues and [cache.remote] at $URL
# (SETTING: more lines of that table); prints its folder.
remote_clone() {
  local dir="$WORK/$1"
  mkdir -p "$dir/manifests"
  { synth_project; printf '[cache.remote]\nurl = "%s"\ndata_timeout = 2\n%s\n' "$URL" "${3:-}"; } > "$dir/foley.toml"
  tone_cues 4 "$2" > "$dir/manifests/ep.toml"
  echo "$dir"
}
