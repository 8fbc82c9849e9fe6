from django.urls import path

from exports import views as exports

urlpatterns = [
    path("s/<str:code>/export.xlsx", exports.export_xlsx, name="export-xlsx"),
    path("s/<str:code>/answers.csv", exports.export_csv, name="export-csv"),
    path("organiser/compare.xlsx", exports.export_compare, name="export-compare"),
]
