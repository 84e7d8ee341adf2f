#!/bin/sh
# Without a config file Redis refuses clients from other addresses (protected mode);
# the real image lifts that, so the stand-in does too.
set -eu
if [ "${1:-}" = redis-server ]; then
    shift
    case "${1:-}" in
    "" | -*) set -- --protected-mode no "$@" ;;
    esac
    exec setpriv --reuid=redis --regid=redis --init-groups redis-server "$@"
fi
exec "$@"
