from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from labelml.core.pluriel import pluriel
from labelml.core.types import AuthenticatedHttpRequest

from .models import Notification
from .services import mark_read


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    qs = Notification.objects.filter(destinataire_id=request.user.pk).select_related("dossier")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "notifications/notification_list.html", {"page": page})


@login_required
@require_POST
def mark_all_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    count = mark_read(request.user)
    messages.success(
        request,
        pluriel(
            count, "{n} notification marquée comme lue.", "{n} notifications marquées comme lues."
        ),
    )
    return redirect("notifications:notification_list")
