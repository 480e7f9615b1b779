from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "labelml.accounts"
    label = "accounts"
    verbose_name = "Comptes"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from labelml.accounts.sessions import stamp_login

        user_logged_in.connect(stamp_login, dispatch_uid="labelml.accounts.sessions.stamp_login")
