from django.urls import path  # noqa: F401  (the city profile pages arrive with issue 9)

urlpatterns: list = []
