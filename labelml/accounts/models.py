"""User accounts: people log in with their e-mail address; there is no username."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("L'adresse e-mail est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    username = None  # type: ignore[assignment,misc]
    email = models.EmailField(_("adresse e-mail"), unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects = UserManager()  # type: ignore[misc,assignment]

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        ordering = ["last_name", "first_name", "email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @property
    def est_supprime(self) -> bool:
        """True once an administrator has deleted (pseudonymised) the account: the row stays so
        that the history keeps pointing to it (see labelml/accounts/services.py)."""
        return self.email.startswith(DELETED_EMAIL_PREFIX) and self.email.endswith(
            DELETED_EMAIL_DOMAIN
        )


# A deleted account keeps its row, emptied of everything that identifies the person.
DELETED_EMAIL_PREFIX = "supprime-"
DELETED_EMAIL_DOMAIN = "@invalid"
DELETED_FIRST_NAME = "Utilisateur"
DELETED_LAST_NAME = "supprimé"


class SuppressionCompte(models.Model):
    """The trail of an account deletion: who deleted which account, when, and what was removed
    (counts only: nothing that identifies the person is kept)."""

    user = models.OneToOneField(
        User, on_delete=models.PROTECT, related_name="suppression", verbose_name=_("compte")
    )
    par = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("supprimé par"),
    )
    at = models.DateTimeField(_("le"), auto_now_add=True)
    motif = models.TextField(_("motif"), blank=True)
    details = models.JSONField(_("éléments retirés"), default=dict, blank=True)

    class Meta:
        verbose_name = _("suppression de compte")
        verbose_name_plural = _("suppressions de comptes")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"Compte n° {self.user_id} supprimé le {self.at:%d/%m/%Y}"
