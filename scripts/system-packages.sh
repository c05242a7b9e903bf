#!/bin/sh
# The Debian packages openbook needs besides Python's: ClamAV, which scans uploaded documents
# (docs/documents.md), and with --test its daemon, which the suite also runs. Installs only what
# is missing, as root or through sudo; refreshes the package lists only if an install fails
# without them. The README's two commands start with this.
set -eu
needed=""
command -v clamscan >/dev/null 2>&1 || needed="$needed clamav"
if [ "${1:-}" = "--test" ] && ! command -v clamd >/dev/null 2>&1 && [ ! -x /usr/sbin/clamd ]; then
    needed="$needed clamav-daemon"
fi
[ -z "$needed" ] && exit 0
if [ "$(id -u)" = 0 ]; then
    as_root=""
elif command -v sudo >/dev/null 2>&1; then
    as_root="sudo"
else
    echo "openbook needs these Debian packages:$needed. Install them as root (apt-get install$needed), then run this again." >&2
    exit 1
fi
echo "installing$needed from Debian's packages" >&2
# shellcheck disable=SC2086
$as_root apt-get install -y --no-install-recommends $needed \
    || { $as_root apt-get update && $as_root apt-get install -y --no-install-recommends $needed; }
