from django.http import HttpRequest

from accounts.selectors import security_profile


def unread(request: HttpRequest) -> dict[str, int]:
    """The unread count comes with the request's security profile: no query of its own."""
    if not request.user.is_authenticated:
        return {}
    return {"notifications_non_lues": security_profile(request.user).unread_notifications}
