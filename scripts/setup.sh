#!/usr/bin/env bash
# Makes sure the programs the test suite drives are present. As root it installs what is missing from
# Debian's packages; otherwise it fails and names them. Nothing is skipped silently.
set -euo pipefail
need=()
# command → Debian package that ships it
check() { command -v "$1" >/dev/null 2>&1 || need+=("$2"); }
check sipp sip-tester
check redis-server redis-server
check openssl openssl
check ping iputils-ping
check script bsdutils
check baresip baresip
check kamailio kamailio
check sipsak sipsak
check svcrack sipvicious
check chromium chromium
check promtool prometheus
check python3 python3
check docker-compose docker-compose
check systemd-analyze systemd
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing ${need[*]} from Debian's packages" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "setup: missing Debian packages: ${need[*]} (run as root, or: sudo apt-get install ${need[*]})" >&2
    exit 1
  fi
fi
