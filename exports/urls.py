from django.urls import path

from exports import views as exports

urlpatterns = [
    path("s/<str:code>/export.xlsx", exports.export_xlsx, name="export-xlsx"),
    path("s/<str:code>/answers.csv", exports.export_csv, name="export-csv"),
    path("s/<str:code>/wide.csv", exports.export_wide_csv, name="export-wide-csv"),
    path(
        "s/<str:code>/excel/answers.csv",
        exports.export_spreadsheet_csv,
        {"kind": "long"},
        name="export-excel-long",
    ),
    path(
        "s/<str:code>/excel/wide.csv",
        exports.export_spreadsheet_csv,
        {"kind": "wide"},
        name="export-excel-wide",
    ),
    path("s/<str:code>/codebook.csv", exports.export_codebook, name="export-codebook"),
    path("s/<str:code>/long.sav", exports.export_sav, {"kind": "long"}, name="export-long-sav"),
    path("s/<str:code>/wide.sav", exports.export_sav, {"kind": "wide"}, name="export-wide-sav"),
    path("s/<str:code>/dictionary.csv", exports.export_dictionary, name="export-dictionary"),
    path("s/<str:code>/session.json", exports.export_session_json, name="export-session-json"),
    path("s/<str:code>/breakdowns.csv", exports.export_breakdowns_csv, name="export-breakdowns"),
    path("s/<str:code>/breakdowns/", exports.breakdowns_page, name="breakdowns"),
    path("s/<str:code>/import/", exports.import_answers, name="import-answers"),
    path(
        "s/<str:code>/long.dta",
        exports.export_sav,
        {"kind": "long", "fmt": "dta"},
        name="export-long-dta",
    ),
    path(
        "s/<str:code>/wide.dta",
        exports.export_sav,
        {"kind": "wide", "fmt": "dta"},
        name="export-wide-dta",
    ),
    *(
        path(
            f"organiser/sessions/{name}",
            exports.export_programme,
            {"name": name},
            name=f"export-programme-{name.replace('.', '-')}",
        )
        for name in exports.PROGRAMME_FILES
    ),
    path("organiser/compare.xlsx", exports.export_compare, name="export-compare"),
]
