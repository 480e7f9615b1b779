#!/usr/bin/env bash
# make restore BACKUP=backups/<UTC time> CONFIRM=1: puts a backup of scripts/backup.sh back into
# the PostgreSQL database of DATABASE_URL (its tables are replaced) and PRIVATE_MEDIA_ROOT.
#
# Stop the web processes, workers and beat first. The manifest is checked before anything is
# touched; the database is restored in one transaction (all or nothing); files are extracted
# over the directory (files written since the backup stay, unreferenced).
set -euo pipefail

fail() {
  echo "restore : $*" >&2
  exit 1
}

cd "$(dirname "$0")/.."
MEDIA_ROOT="${PRIVATE_MEDIA_ROOT:-media}"
backup="${BACKUP:-}"

[ -n "$backup" ] || fail "indiquez la sauvegarde : make restore BACKUP=backups/<horodatage> CONFIRM=1"
[ -d "$backup" ] || fail "$backup n'est pas un répertoire de sauvegarde."
[ -f "$backup/SHA256SUMS" ] || fail "$backup/SHA256SUMS manque : ce n'est pas une sauvegarde de make backup."

url="${DATABASE_URL:-}"
case "$url" in
  postgres://* | postgresql://*) ;;
  pgsql://* | postgis://*) url="postgresql://${url#*://}" ;;
  "") fail "DATABASE_URL n'est pas défini : indiquez la base PostgreSQL à remplacer (postgres://…)." ;;
  *) fail "DATABASE_URL n'est pas une adresse PostgreSQL (postgres://…)." ;;
esac
[ "${CONFIRM:-}" = 1 ] || fail "la restauration remplace le contenu de la base ${url##*/} et les fichiers de $MEDIA_ROOT : relancez avec CONFIRM=1."
for tool in pg_restore sha256sum tar; do
  command -v "$tool" >/dev/null || fail "$tool est introuvable (paquet postgresql-client)."
done

for file in db.dump media.tar.gz backup.info; do
  grep -q "  $file\$" "$backup/SHA256SUMS" || fail "$file n'est pas dans le manifeste."
done
(cd "$backup" && sha256sum --check --strict --quiet SHA256SUMS) \
  || fail "le manifeste ne correspond pas aux fichiers : sauvegarde altérée ou incomplète, rien n'a été modifié."

echo "Restauration de $backup ($(grep '^created_at=' "$backup/backup.info" | cut -d= -f2)) dans ${url##*/}"
pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction \
  --exit-on-error --dbname="$url" "$backup/db.dump"

if [ -n "${S3_BUCKET:-}" ]; then
  echo "Fichiers dans le bucket S3 $S3_BUCKET : restaurez-les depuis sa copie (docs/deployment.md)."
else
  mkdir -p "$MEDIA_ROOT"
  tar -C "$MEDIA_ROOT" -xzf "$backup/media.tar.gz"
fi
echo "Restauration terminée."
