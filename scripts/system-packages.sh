#!/bin/sh
# The Debian packages openbook needs besides Python's: ClamAV, which scans uploaded documents
# (docs/documents.md); Node.js and npm, which install GOV.UK Frontend for the pages; and with
# --test ClamAV's daemon, which the suite also runs, Chromium for the browser tests and a Java
# runtime for the HTML validator (vnu.jar, from npm). Installs only what
# is missing, as root or through sudo; refreshes the package lists only if an install fails
# without them. The README's two commands start with this.
set -eu
needed=""
command -v clamscan >/dev/null 2>&1 || needed="$needed clamav"
command -v npm >/dev/null 2>&1 || needed="$needed nodejs npm"
if [ "${1:-}" = "--test" ]; then
    if ! command -v clamd >/dev/null 2>&1 && [ ! -x /usr/sbin/clamd ]; then
        needed="$needed clamav-daemon"
    fi
    command -v chromium >/dev/null 2>&1 || needed="$needed chromium"
    command -v java >/dev/null 2>&1 || needed="$needed default-jre-headless"
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
