from django.urls import path

from checks import views

app_name = "check"

urlpatterns = [
    path("", views.check, name="page"),
    path("send/", views.send, name="send"),
    path("sent/", views.sent, name="sent"),
]
