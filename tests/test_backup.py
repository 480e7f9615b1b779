"""make backup / make restore (scripts/backup.sh, scripts/restore.sh): a round trip on the real
PostgreSQL through scratch databases, and the refusals that protect a database from a wrong or
damaged restore."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
BACKUP = ROOT / "scripts" / "backup.sh"
RESTORE = ROOT / "scripts" / "restore.sh"
# A file of every byte value, in a nested directory like the real evidence.
EVIDENCE = "preuves/12/3f9c2d.pdf"
CONTENT = bytes(range(256)) * 40

SCHEMA = """
create table structure (id bigserial primary key, code text unique not null, nom text not null);
create table preuve (
    id bigserial primary key,
    structure_id bigint not null references structure(id) on delete cascade,
    fichier text not null,
    donnees jsonb not null default '{}',
    deposee_le timestamptz not null default now()
);
create index preuve_structure on preuve(structure_id);
create table django_migrations (id serial primary key, app text, name text, applied timestamptz);
insert into django_migrations (app, name, applied) values ('preuves', '0007_test', now());
insert into structure (code, nom) values ('ML-75-01', 'Mission Locale de Paris Est'),
    ('ML-69-02', 'Mission Locale Lyon Rhône — l''« Est »');
insert into preuve (structure_id, fichier, donnees)
    select s.id, 'preuves/12/3f9c2d.pdf', '{"taille": 10240, "type": "application/pdf"}'
    from structure s;
"""


def run(script: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("S3_", "BACKUP", "CONFIRM"))}
    return subprocess.run(  # noqa: S603 - the project's own scripts
        ["bash", str(script)], env={**base, **env}, capture_output=True, text=True, cwd=ROOT
    )


# --- Refusals (no database needed) ---------------------------------------------------------


@pytest.mark.parametrize("url", ["", "sqlite:///db.sqlite3", "mysql://u@h/db"])
def test_backup_refuses_anything_but_postgresql(tmp_path, url):
    result = run(BACKUP, DATABASE_URL=url, BACKUP_ROOT=str(tmp_path))
    assert result.returncode != 0
    assert "PostgreSQL" in result.stderr
    assert list(tmp_path.iterdir()) == []


def fake_backup(directory: Path) -> Path:
    directory.mkdir()
    for name, content in {"db.dump": b"dump", "media.tar.gz": b"", "backup.info": b"x=1\n"}.items():
        (directory / name).write_bytes(content)
    subprocess.run(  # noqa: S603
        ["sha256sum", "db.dump", "media.tar.gz", "backup.info"],
        cwd=directory,
        stdout=(directory / "SHA256SUMS").open("w"),
        check=True,
    )
    return directory


# Nothing listens on port 1: a restore that went as far as the database would fail differently.
NOWHERE = "postgres://nobody@127.0.0.1:1/labelml"


def test_restore_needs_a_backup_and_a_confirmation(tmp_path):
    result = run(RESTORE, DATABASE_URL=NOWHERE, CONFIRM="1")
    assert result.returncode != 0 and "BACKUP=" in result.stderr
    backup = fake_backup(tmp_path / "20260101T000000Z")
    result = run(RESTORE, DATABASE_URL=NOWHERE, BACKUP=str(backup))
    assert result.returncode != 0 and "CONFIRM=1" in result.stderr
    result = run(RESTORE, DATABASE_URL="sqlite:///x", BACKUP=str(backup), CONFIRM="1")
    assert result.returncode != 0 and "PostgreSQL" in result.stderr


def test_restore_refuses_a_damaged_backup_before_touching_anything(tmp_path):
    backup = fake_backup(tmp_path / "20260101T000000Z")
    (backup / "db.dump").write_bytes(b"dump, altered")
    media = tmp_path / "media"
    result = run(
        RESTORE,
        DATABASE_URL=NOWHERE,
        BACKUP=str(backup),
        CONFIRM="1",
        PRIVATE_MEDIA_ROOT=str(media),
    )
    assert result.returncode != 0 and "manifeste" in result.stderr
    assert "pg_restore" not in result.stderr and not media.exists()


def test_restore_refuses_a_manifest_that_leaves_the_dump_out(tmp_path):
    backup = fake_backup(tmp_path / "20260101T000000Z")
    sums = backup / "SHA256SUMS"
    sums.write_text(
        "".join(line for line in sums.read_text().splitlines(True) if "db.dump" not in line)
    )
    result = run(RESTORE, DATABASE_URL=NOWHERE, BACKUP=str(backup), CONFIRM="1")
    assert result.returncode != 0 and "db.dump" in result.stderr


# --- Round trip on PostgreSQL ------------------------------------------------------------------


def server() -> dict[str, str]:
    db = settings.DATABASES["default"]
    return {
        "host": db.get("HOST") or "127.0.0.1",
        "port": str(db.get("PORT") or 5432),
        "user": db.get("USER") or "postgres",
        "password": db.get("PASSWORD") or "",
    }


def url(name: str) -> str:
    s = server()
    auth = s["user"] + (f":{s['password']}" if s["password"] else "")
    return f"postgres://{auth}@{s['host']}:{s['port']}/{name}"


def psql(database: str, sql: str) -> str:
    s = server()
    result = subprocess.run(  # noqa: S603 - fixed command line
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-tA", "-h", s["host"], "-p", s["port"]]
        + ["-U", s["user"], "-d", database, "-c", sql],
        env={**os.environ, "PGPASSWORD": s["password"]},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


@pytest.fixture
def scratch() -> Iterator[tuple[str, str]]:
    """Two empty scratch databases on the test server, dropped afterwards."""
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        # Never a silent skip in CI: there the round trip must run.
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("PostgreSQL requis (DATABASE_URL) : le test de sauvegarde doit tourner")
        pytest.skip("PostgreSQL requis (DATABASE_URL)")
    suffix = uuid.uuid4().hex[:10]
    names = (f"labelml_backup_src_{suffix}", f"labelml_backup_dst_{suffix}")
    for name in names:
        psql("postgres", f'create database "{name}"')
    try:
        yield names
    finally:
        for name in names:
            psql("postgres", f'drop database if exists "{name}" with (force)')


def snapshot(database: str) -> str:
    return psql(
        database,
        "select json_agg(x order by x.id)::text from (select s.id, s.code, s.nom, p.fichier, "
        "p.donnees, p.deposee_le from structure s join preuve p on p.structure_id = s.id) x",
    )


@pytest.mark.services
def test_backup_and_restore_round_trip(scratch, tmp_path):
    source, target = scratch
    psql(source, SCHEMA)
    before = snapshot(source)
    media = tmp_path / "media"
    (media / EVIDENCE).parent.mkdir(parents=True)
    (media / EVIDENCE).write_bytes(CONTENT)
    backups = tmp_path / "backups"

    result = run(
        BACKUP, DATABASE_URL=url(source), PRIVATE_MEDIA_ROOT=str(media), BACKUP_ROOT=str(backups)
    )
    assert result.returncode == 0, result.stderr
    [backup] = [p for p in backups.iterdir() if not p.name.startswith(".")]
    assert sorted(p.name for p in backup.iterdir()) == [
        "SHA256SUMS",
        "backup.info",
        "db.dump",
        "media.tar.gz",
    ]
    info = (backup / "backup.info").read_text()
    assert f"database={source}" in info and "last_migration=preuves.0007_test" in info
    assert oct(backup.stat().st_mode & 0o777) == "0o700"

    # Life goes on after the backup: rows deleted and changed, evidence replaced, a new file.
    psql(source, "delete from preuve; update structure set nom = 'modifié'")
    (media / EVIDENCE).write_bytes(b"autre contenu")
    (media / "preuves" / "nouveau.txt").write_text("après la sauvegarde")

    # Restore into an empty database and an empty directory.
    restored = tmp_path / "restored"
    result = run(
        RESTORE,
        DATABASE_URL=url(target),
        PRIVATE_MEDIA_ROOT=str(restored),
        BACKUP=str(backup),
        CONFIRM="1",
    )
    assert result.returncode == 0, result.stderr
    assert snapshot(target) == before
    assert (restored / EVIDENCE).read_bytes() == CONTENT
    # Sequences come back too: the next row does not collide with a restored one.
    assert (
        psql(target, "insert into structure (code, nom) values ('ML-X', 'x') returning id") == "3"
    )

    # Restore over the changed database and files: the backup's state wins.
    result = run(
        RESTORE,
        DATABASE_URL=url(source),
        PRIVATE_MEDIA_ROOT=str(media),
        BACKUP=str(backup),
        CONFIRM="1",
    )
    assert result.returncode == 0, result.stderr
    assert snapshot(source) == before
    assert (media / EVIDENCE).read_bytes() == CONTENT


@pytest.mark.services
def test_a_failed_restore_leaves_the_database_as_it_was(scratch, tmp_path):
    """One transaction: a dump that cannot be applied changes nothing."""
    source, target = scratch
    psql(source, SCHEMA)
    backups = tmp_path / "backups"
    result = run(
        BACKUP,
        DATABASE_URL=url(source),
        PRIVATE_MEDIA_ROOT=str(tmp_path / "none"),
        BACKUP_ROOT=str(backups),
    )
    assert result.returncode == 0, result.stderr
    [backup] = list(backups.iterdir())
    # The target holds a view on a table of the same name: dropping that table fails midway.
    psql(target, "create table structure (id int); insert into structure values (41), (42)")
    psql(target, "create view vue as select * from structure")
    result = run(
        RESTORE,
        DATABASE_URL=url(target),
        PRIVATE_MEDIA_ROOT=str(tmp_path / "m"),
        BACKUP=str(backup),
        CONFIRM="1",
    )
    assert result.returncode != 0
    assert psql(target, "select string_agg(id::text, ',' order by id) from structure") == "41,42"
    assert psql(target, "select count(*) from pg_tables where tablename = 'preuve'") == "0"
