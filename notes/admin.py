from django.contrib import admin

from notes.models import ExtraSeat, Note, Observation


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    list_display = ["created_at", "workshop", "table", "element", "kind", "participant", "text"]
    list_filter = ["kind", "is_quote", "workshop"]
    search_fields = ["text", "workshop__code", "workshop__city"]
    list_select_related = ["workshop", "table__workshop", "element", "participant__table"]
    readonly_fields = ["client_id", "created_at", "updated_at"]
    raw_id_fields = ["workshop", "table", "participant"]


@admin.register(Observation)
class ObservationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "workshop", "kind", "element", "author", "text"]
    list_filter = ["kind", "workshop"]
    search_fields = ["text", "workshop__code", "workshop__city"]
    list_select_related = ["workshop", "element", "author"]
    raw_id_fields = ["workshop"]


@admin.register(ExtraSeat)
class ExtraSeatAdmin(admin.ModelAdmin):
    list_display = ["participant", "initials", "created_at"]
    raw_id_fields = ["participant"]
