#!/bin/sh
# A new volume mounted on /var/lib/rabbitmq may belong to root: hand it to rabbitmq,
# then start the server as that user (Debian's wrapper would otherwise switch itself).
set -eu
if [ "${1:-}" = rabbitmq-server ]; then
    chown -R rabbitmq:rabbitmq /var/lib/rabbitmq
    exec setpriv --reuid=rabbitmq --regid=rabbitmq --init-groups \
        env HOME=/var/lib/rabbitmq /usr/lib/rabbitmq/bin/rabbitmq-server
fi
exec "$@"
