from django.urls import path

from survey import exports

urlpatterns = [
    path("s/<str:code>/export.xlsx", exports.export_xlsx, name="export-xlsx"),
]
