#!/bin/sh
# Before nginx starts: every script in /docker-entrypoint.d/, in name order. An
# executable *.envsh is sourced, so what it exports reaches the later scripts; an
# executable *.sh runs on its own.
set -eu
if [ "${1:-}" = nginx ]; then
    for script in $(find /docker-entrypoint.d/ -mindepth 1 -maxdepth 1 -type f | sort); do
        [ -x "$script" ] || continue
        case "$script" in
        *.envsh) echo "$0: sourcing $script"; . "$script" ;;
        *.sh) echo "$0: running $script"; "$script" ;;
        esac
    done
fi
exec "$@"
