from django.contrib import admin

from profiles.models import (
    Profile,
    ProfileElement,
    ProfilePoint,
    Programme,
    Recommendation,
    Theme,
    ThemeTag,
)


class ProfileElementInline(admin.StackedInline):
    model = ProfileElement
    extra = 0
    raw_id_fields = ["element", "quote_note"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["workshop", "updated_at"]
    search_fields = ["workshop__city", "workshop__code"]
    list_select_related = ["workshop"]
    raw_id_fields = ["workshop", "closing_quote_note"]
    inlines = [ProfileElementInline]


@admin.register(ProfilePoint)
class ProfilePointAdmin(admin.ModelAdmin):
    list_display = ["profile", "section", "element", "order", "text"]
    list_filter = ["section"]
    search_fields = ["text", "profile__workshop__city"]
    list_select_related = ["profile__workshop", "element"]
    raw_id_fields = ["profile", "sources"]


class ThemeInline(admin.TabularInline):
    model = Theme
    extra = 0
    fields = ["order", "name", "description"]


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]
    filter_horizontal = ["workshops"]
    inlines = [ThemeInline]


@admin.register(ThemeTag)
class ThemeTagAdmin(admin.ModelAdmin):
    list_display = ["theme", "note", "created_at"]
    list_select_related = ["theme", "note"]
    raw_id_fields = ["theme", "note"]


@admin.register(Recommendation)
class RecommendationAdmin(admin.ModelAdmin):
    list_display = ["programme", "audience", "order", "text"]
    list_filter = ["audience"]
    raw_id_fields = ["programme"]
    filter_horizontal = ["themes", "workshops"]
