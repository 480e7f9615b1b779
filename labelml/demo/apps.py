"""The demo app: demonstration and benchmark data (no models, no migrations) and the commands
that create or measure them (`seed_demo`, `bench_pdf`, `bench_dashboard`)."""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "labelml.demo"
    label = "demo"
    verbose_name = "Démonstration"
