#!/usr/bin/env bash
# Start a throw-away OpenLDAP (Debian slapd) on loopback with the test directory, run the given command
# against it (ZHENGAI_TEST_LDAP_URL), stop it again. Installs slapd from Debian when it is missing.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
if ! command -v slapd >/dev/null 2>&1 && [ ! -x /usr/sbin/slapd ]; then
  if [ "$(id -u)" != "0" ]; then echo "slapd is not installed and we are not root" >&2; exit 1; fi
  echo "installing slapd from Debian ..."
  apt-get update -qq
  # no default directory: ours is made below, in a throw-away folder
  echo "slapd slapd/no_configuration boolean true" | debconf-set-selections
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slapd ldap-utils >/dev/null
fi
export PATH="$PATH:/usr/sbin"
PORT=${ZHENGAI_LDAP_PORT:-38953}
DIR=$(mktemp -d /tmp/zhengai-ldap.XXXXXX)
stop() { if [ -f "$DIR/slapd.pid" ]; then kill "$(cat "$DIR/slapd.pid")" 2>/dev/null || true; sleep 0.2; fi; rm -rf "$DIR"; }
trap stop EXIT
mkdir -p "$DIR/data"
SUFFIX="dc=zhengai,dc=test"
ROOTPW="ldap-root-secret"
cat >"$DIR/slapd.conf" <<CONF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/nis.schema
include /etc/ldap/schema/inetorgperson.schema
pidfile $DIR/slapd.pid
modulepath /usr/lib/ldap
moduleload back_mdb
database mdb
maxsize 10485760
suffix "$SUFFIX"
rootdn "cn=admin,$SUFFIX"
rootpw $ROOTPW
directory $DIR/data
access to attrs=userPassword by self read by anonymous auth by * none
access to * by users read by anonymous auth
CONF
slapadd -q -f "$DIR/slapd.conf" -l "$HERE/ldap-test.ldif"
if ! slapd -f "$DIR/slapd.conf" -h "ldap://127.0.0.1:$PORT/" -s 0; then
  echo "slapd did not start on 127.0.0.1:$PORT (port in use? set ZHENGAI_LDAP_PORT)" >&2; exit 1
fi
for _ in $(seq 1 50); do
  if ldapsearch -x -H "ldap://127.0.0.1:$PORT/" -b "$SUFFIX" -s base >/dev/null 2>&1; then break; fi
  sleep 0.1
done
echo "OpenLDAP $(slapd -VV 2>&1 | grep -o 'slapd [0-9.]*' | head -n 1 | awk '{print $2}') on 127.0.0.1:$PORT"
export ZHENGAI_TEST_LDAP_URL="ldap://127.0.0.1:$PORT"
"$@"
