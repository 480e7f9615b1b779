FROM python:3.11-slim-bookworm
# WeasyPrint needs Pango and HarfBuzz's subsetter (the PDF fonts are shipped in labelml/documents/fonts,
# so documents render the same everywhere); libmagic checks evidence types. Same list as the
# Makefile's SYSTEM_PACKAGES. procps: pgrep for beat's health check; postgresql-client (15, as
# the database): pg_dump and pg_restore for scripts/backup.sh and scripts/restore.sh.
RUN apt-get update && apt-get install -y --no-install-recommends libmagic1 \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core procps \
        postgresql-client \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements/base.txt requirements/base.txt
RUN pip install --no-cache-dir -r requirements/base.txt
COPY . .
ENV LABELML_ENV=production DJANGO_DEBUG=0
RUN DJANGO_SECRET_KEY=build-only python manage.py collectstatic --noinput
RUN useradd --system labelml && chown -R labelml /app
USER labelml
EXPOSE 8000
