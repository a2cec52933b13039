#!/usr/bin/env bash
# The team cache over HTTPS: nginx serves TLS on loopback with a certificate
# this test makes (openssl), signed by a certificate authority that foley is
# told of by `ca_file` in [cache.remote]. Two clones share it (the second
# generates nothing, with the same bytes); a wrong authority, or none, is
# refused with a message that says so and names the setting: the remote is
# off, the build completes locally.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/remote_lib.sh"

trap 'stop_nginx; rm -rf "$WORK"' EXIT
command -v openssl >/dev/null || { fail "openssl is not installed (tools/install-deps.sh)"; finish; exit 1; }

# make_ca NAME — a self-signed authority in $WORK/tls/NAME.{pem,key}.
mkdir -p "$WORK/tls"
make_ca() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj "/CN=foley test $1" -keyout "$WORK/tls/$1.key" -out "$WORK/tls/$1.pem" 2>/dev/null
}
make_ca ca || fail "making the authority"
make_ca other-ca || fail "making the other authority"
# The server's certificate for 127.0.0.1, signed by ca.
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=127.0.0.1" \
  -keyout "$WORK/tls/server.key" -out "$WORK/tls/server.csr" 2>/dev/null || fail "making the request"
printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n' > "$WORK/tls/server.ext"
openssl x509 -req -in "$WORK/tls/server.csr" -CA "$WORK/tls/ca.pem" -CAkey "$WORK/tls/ca.key" -CAcreateserial \
  -days 2 -extfile "$WORK/tls/server.ext" -out "$WORK/tls/server.pem" 2>/dev/null || fail "signing the certificate"

NGINX_TLS_CERT="$WORK/tls/server.pem" NGINX_TLS_KEY="$WORK/tls/server.key" start_nginx "$WORK/nginx" ||
  { fail "nginx did not start"; finish; exit 1; }
STORE="$WORK/nginx/store/team"
URL="https://127.0.0.1:$NGINX_PORT/rw/team"

counting_generator

# new_clone NAME [SETTING] — 4 exec cues against the HTTPS remote.
new_clone() { remote_clone "$1" 700 "${2:-}"; }

# --- the right authority: A uploads, B generates nothing ----------------------
A=$(new_clone a "ca_file = \"$WORK/tls/ca.pem\"")
out=$(foley -C "$A" build 2>&1); rc=$?
expect_eq "A builds" 0 "$rc"
expect_not_contains "A warns of nothing" "warning" "$out"
expect_eq "A uploaded over HTTPS" 4 "$(remote_objects "$STORE")"
# A relative ca_file is the project's.
cp "$WORK/tls/ca.pem" "$WORK/ca-copy.pem"
B=$(new_clone b 'ca_file = "../ca-copy.pem"')
before=$(gens)
out=$(foley -C "$B" build 2>&1); rc=$?
expect_eq "B builds" 0 "$rc"
expect_eq "B generated nothing" "$before" "$(gens)"
expect_contains "B fetched over HTTPS" "fetched 4 of 4 missing object(s)" "$out"
same=0
for f in $(cd "$A/cache/objects" && find . -type f ! -name '.tmp-*'); do
  cmp -s "$A/cache/objects/$f" "$B/cache/objects/$f" && same=$((same + 1))
done
expect_eq "B's objects are A's" 4 "$same"
# A bare ninja run's foley-gen edges read ca_file too.
B2=$(new_clone b2 "ca_file = \"$WORK/tls/ca.pem\"")
foley -C "$B2" plan >/dev/null 2>&1 || fail "B2 plans"
out=$(cd "$B2" && ninja 2>&1); rc=$?
expect_eq "B2's bare ninja run" 0 "$rc"
expect_eq "B2 fetched every object" 4 "$(count_lines 'fetched from the team cache' "$out")"

# --- the wrong authority: refused, said, the build goes on locally ------------
W=$(new_clone w "ca_file = \"$WORK/tls/other-ca.pem\"")
before=$(gens)
out=$(foley -C "$W" build 2>&1); rc=$?
expect_eq "W builds locally" 0 "$rc"
expect_eq "W generated its cues" $((before + 4)) "$(gens)"
expect_eq "one warning" 1 "$(count_lines 'remote is off' "$out")"
expect_contains "the warning says why" "TLS certificate not trusted" "$out"
expect_contains "the warning names the setting" "is \`ca_file\` ($WORK/tls/other-ca.pem) the authority that signed it?" "$out"
expect_eq "counted" 1 "$(stat_value Errors "$(foley -C "$W" cache stats)")"
expect_eq "W uploaded nothing" 4 "$(remote_objects "$STORE")"

# --- no authority named: the system's store does not know ours ----------------
N=$(new_clone n)
out=$(foley -C "$N" build 2>&1); rc=$?
expect_eq "N builds locally" 0 "$rc"
expect_contains "the warning says why" "TLS certificate not trusted" "$out"
expect_contains "the warning says where to name one" "named by \`ca_file\` in [cache.remote]" "$out"

# --- a ca_file of the wrong type is bad input ---------------------------------
X=$(new_clone x 'ca_file = 3')
out=$(foley -C "$X" plan 2>&1); rc=$?
expect_eq "a ca_file that is no path is bad input" 2 "$rc"
expect_contains "the error names the field" 'cache.remote.ca_file' "$out"
finish
