from django.urls import path

from sessions import views as session_views

urlpatterns = [
    path("s/<str:code>/chair/<str:key>/", session_views.chair, name="chair"),
]
