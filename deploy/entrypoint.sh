#!/bin/sh
# The containers' entry point (and the production tests' way to start each process).
#
#   web        gunicorn for this image's service (BOOKSHOP_SERVICE: store or shop)
#   worker     a Celery worker of the shop
#   beat       Celery beat of the shop: run exactly one
#   bootstrap  migrations, admins and the store's service account, for both services
#   anything else runs as given, e.g. `bookshop store createsuperuser`
set -eu

here=$(dirname "$0")

case "${1:-web}" in
web)
    exec gunicorn -c "$here/gunicorn.conf.py" "bookshop.${BOOKSHOP_SERVICE:?}.wsgi:application"
    ;;
worker)
    shift
    # --hostname: the health probe pings worker@<this container's hostname>.
    exec celery -A bookshop.shop worker \
        --hostname "${CELERY_WORKER_NAME:-worker}@%h" \
        --concurrency "${CELERY_WORKER_CONCURRENCY:-2}" \
        --loglevel "${CELERY_LOG_LEVEL:-INFO}" \
        --without-gossip --without-mingle \
        "$@"
    ;;
beat)
    shift
    # The schedule file lives in the writable BOOKSHOP_VAR_DIR (settings); no pid file,
    # since a container holds one beat and nothing else.
    exec celery -A bookshop.shop beat --loglevel "${CELERY_LOG_LEVEL:-INFO}" --pidfile= "$@"
    ;;
bootstrap)
    # Each service reads its own DATABASE_URL, SECRET_KEY, ... from BOOKSHOP_STORE_* and
    # BOOKSHOP_SHOP_* (see bookshop.common.conf.service_environ). The store writes the
    # service token to STORE_API_TOKEN_FILE, where the shop reads it. BOOKSHOP_DEMO=1 adds
    # the demo catalogue to a store that has no books; by default nothing is seeded.
    if [ "${BOOKSHOP_DEMO:-0}" = 1 ]; then
        bookshop store bootstrap --migrate --demo
    else
        bookshop store bootstrap --migrate
    fi
    bookshop shop bootstrap --migrate
    ;;
*)
    exec "$@"
    ;;
esac
