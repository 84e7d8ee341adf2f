#!/bin/sh
# /etc/nginx/templates/NAME.template -> /etc/nginx/conf.d/NAME, with only the ${VARS}
# whose names match NGINX_ENVSUBST_FILTER replaced (every other $name stays nginx's).
set -eu
templates=${NGINX_ENVSUBST_TEMPLATE_DIR:-/etc/nginx/templates}
output=${NGINX_ENVSUBST_OUTPUT_DIR:-/etc/nginx/conf.d}
filter=${NGINX_ENVSUBST_FILTER:-}
[ -d "$templates" ] || exit 0
names=""
for name in $(env | cut -d= -f1 | grep -E -- "${filter:-.}" || true); do
    names="$names \${$name}"
done
for template in "$templates"/*.template; do
    [ -e "$template" ] || continue
    target="$output/$(basename "$template" .template)"
    envsubst "$names" < "$template" > "$target"
    echo "$0: wrote $target from $template"
done
