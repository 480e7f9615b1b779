from django.http import HttpRequest

from labelml.structures.security import column, security_profile, table

from .models import Notification

# The unread count, among the security profile's facts (registered by hooks.py).
UNREAD = "unread_notifications"


def unread_count_sql() -> str:
    """The unread count as a fact of the security profile's statement (the user: %(user)s)."""
    sql = "SELECT COUNT(*) FROM {table} WHERE {user} = %(user)s AND {read} IS NULL"
    return sql.format(  # nosec B608 # the model's own names, quoted
        table=table(Notification),
        user=column(Notification, "destinataire"),
        read=column(Notification, "lu_le"),
    )


def unread(request: HttpRequest) -> dict[str, int | bool]:
    """The unread count comes with the request's security profile: no query of its own."""
    if not request.user.is_authenticated:
        return {}
    profile = security_profile(request.user)
    return {
        "notifications_non_lues": int(profile.facts.get(UNREAD) or 0),
        "is_auditeur": profile.is_auditeur,
        "is_commission": profile.is_commission or profile.is_national_admin,
    }
