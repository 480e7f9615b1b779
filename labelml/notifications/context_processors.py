from django.http import HttpRequest

from labelml.accounts.selectors import security_profile


def unread(request: HttpRequest) -> dict[str, int | bool]:
    """The unread count comes with the request's security profile: no query of its own."""
    if not request.user.is_authenticated:
        return {}
    profile = security_profile(request.user)
    return {
        "notifications_non_lues": profile.unread_notifications,
        "is_auditeur": profile.is_auditeur,
        "is_commission": profile.is_commission or profile.is_national_admin,
    }
