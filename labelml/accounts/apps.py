from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "labelml.accounts"
    label = "accounts"
    verbose_name = "Comptes"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from labelml.accounts.sessions import stamp_login

        user_logged_in.connect(stamp_login, dispatch_uid="labelml.accounts.sessions.stamp_login")

        from django.db.models.signals import post_save

        from labelml.accounts.emails import on_user_saved
        from labelml.accounts.models import User

        post_save.connect(on_user_saved, sender=User, dispatch_uid="labelml.accounts.emails")
