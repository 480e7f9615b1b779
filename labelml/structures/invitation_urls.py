from django.urls import path

from . import views

urlpatterns = [
    path("<str:token>/", views.invitation_accept, name="invitation_accept"),
]
