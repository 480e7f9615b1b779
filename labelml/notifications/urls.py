from django.urls import path

from . import views

urlpatterns = [
    path("", views.notification_list, name="notification_list"),
    path("tout-lu/", views.mark_all_read, name="notification_mark_all_read"),
]
