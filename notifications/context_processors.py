from django.http import HttpRequest

from .models import Notification


def unread(request: HttpRequest) -> dict[str, int]:
    if not request.user.is_authenticated:
        return {}
    return {
        "notifications_non_lues": Notification.objects.filter(
            destinataire_id=request.user.pk, lu_le__isnull=True
        ).count()
    }
