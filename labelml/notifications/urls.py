from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/tout-lu/", views.mark_all_read, name="notification_mark_all_read"),
]
