#!/usr/bin/env bash
# Makes sure the programs the test suite drives are present. As root it installs what is missing from
# Debian's packages; otherwise it fails and names them. Nothing is skipped silently.
set -euo pipefail
need=()
command -v sipp >/dev/null 2>&1 || need+=(sip-tester)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v ping >/dev/null 2>&1 || need+=(iputils-ping)
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
