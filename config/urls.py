from django.contrib import admin
from django.urls import path

from reviews import views as review_views

urlpatterns = [
    path("", review_views.home, name="home"),
    path("admin/", admin.site.urls),
]
