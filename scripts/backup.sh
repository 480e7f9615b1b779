#!/usr/bin/env bash
# make backup: a copy of the PostgreSQL database of DATABASE_URL (pg_dump, custom format) and of
# the private files (PRIVATE_MEDIA_ROOT, when they are on the local disk) in
# ${BACKUP_ROOT:-backups}/<UTC time>/, with a SHA-256 manifest that `make restore` checks.
# Files in an S3 bucket (S3_BUCKET) are backed up by the bucket's own copy (docs/deployment.md).
#
#   db.dump        pg_dump --format=custom (consistent snapshot, restorable table by table)
#   media.tar.gz   the private files, when stored locally
#   backup.info    when, what, which version of the application
#   SHA256SUMS     sha256 of the three files above (sha256sum format)
set -euo pipefail
umask 077 # personal data: readable by the backup's owner only

fail() {
  echo "backup : $*" >&2
  exit 1
}

cd "$(dirname "$0")/.."
BACKUP_ROOT="${BACKUP_ROOT:-backups}"
MEDIA_ROOT="${PRIVATE_MEDIA_ROOT:-media}"

url="${DATABASE_URL:-}"
case "$url" in
  postgres://* | postgresql://*) ;;
  pgsql://* | postgis://*) url="postgresql://${url#*://}" ;;
  "") fail "DATABASE_URL n'est pas défini, la base est donc SQLite : make backup ne sauvegarde que PostgreSQL (pour SQLite, copiez db.sqlite3 application arrêtée)." ;;
  sqlite:*) fail "DATABASE_URL désigne une base SQLite : make backup ne sauvegarde que PostgreSQL (copiez le fichier, application arrêtée)." ;;
  *) fail "DATABASE_URL n'est pas une adresse PostgreSQL (postgres://…)." ;;
esac
for tool in pg_dump psql sha256sum tar; do
  command -v "$tool" >/dev/null || fail "$tool est introuvable (paquet postgresql-client)."
done

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$BACKUP_ROOT"
target="$BACKUP_ROOT/$stamp"
[ -e "$target" ] && fail "$target existe déjà."
# Written aside, then renamed: a directory named after a time is always a complete backup.
partial="$(mktemp -d "$BACKUP_ROOT/.partial-$stamp.XXXXXX")"
trap 'rm -rf "$partial"' EXIT

pg_dump --format=custom --compress=6 --file="$partial/db.dump" --dbname="$url"

if [ -n "${S3_BUCKET:-}" ]; then
  files="S3 bucket $S3_BUCKET (not in this backup: see docs/deployment.md)"
  tar -czf "$partial/media.tar.gz" -T /dev/null
elif [ -d "$MEDIA_ROOT" ]; then
  files="local directory (media.tar.gz)"
  tar -C "$MEDIA_ROOT" -czf "$partial/media.tar.gz" .
else
  files="none (no directory at $MEDIA_ROOT)"
  tar -czf "$partial/media.tar.gz" -T /dev/null
fi

last_migration="$(psql --dbname="$url" -XtAc \
  "select app || '.' || name from django_migrations order by id desc limit 1" 2>/dev/null || true)"
{
  echo "created_at=$stamp"
  echo "database=$(psql --dbname="$url" -XtAc 'select current_database()')"
  echo "server=$(psql --dbname="$url" -XtAc 'show server_version')"
  echo "pg_dump=$(pg_dump --version)"
  echo "files=$files"
  echo "last_migration=${last_migration:-none}"
  echo "commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
} >"$partial/backup.info"

(cd "$partial" && sha256sum db.dump media.tar.gz backup.info >SHA256SUMS)
mv "$partial" "$target"
trap - EXIT
echo "Sauvegarde écrite dans $target"
