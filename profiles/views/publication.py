"""The programme's publication (the hand-out): its Word document, its printable page and its
texts."""

from functools import partial

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import Permission
from profiles.forms import PUBLICATION_TEXT_LABELS, PublicationTextsForm
from profiles.publication import LANGUAGE as PUBLICATION_LANGUAGE
from profiles.publication import programme_publication, publication_page_context
from profiles.selectors import programme_for_user, publication_document, publication_elements
from profiles.services import programme_fill_from_handout, programme_texts_update
from profiles.views.common import attachment, back
from sessions.view_helpers import attempt, edit_form


@login_required
@require_GET
def programme_publication_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole publication (the hand-out) as one Word document."""
    programme = programme_for_user(user=request.user, pk=pk, need=Permission.EXPORT)
    name = slugify(programme.name) or "publicatie"
    return attachment(programme_publication(programme=programme), f"{name}.docx")


@login_required
@require_GET
def programme_publication_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The publication as a printable page (the browser's print or "save as PDF"): the same
    chapters as the Word document, each starting on a new page."""
    programme = programme_for_user(user=request.user, pk=pk, need=Permission.READ)
    with translation.override(PUBLICATION_LANGUAGE):
        context = publication_page_context(publication_document(programme=programme))
    return render(request, "profiles/publication.html", {"programme": programme, **context})


@login_required
@require_POST
def programme_fill(request: HttpRequest, pk: int) -> HttpResponse:
    """Give an older programme the hand-out's starting text where it has none."""
    programme = programme_for_user(user=request.user, pk=pk, need=Permission.ANALYSE)
    attempt(
        request,
        lambda: programme_fill_from_handout(programme=programme),
        success=lambda n: (
            ngettext(
                "%(n)s text filled in from the hand-out; texts of your own were kept.",
                "%(n)s texts filled in from the hand-out; texts of your own were kept.",
                n,
            )
            % {"n": n}
            if n
            else _("Nothing to fill in: every text already has its own wording.")
        ),
    )
    return redirect(back(request, reverse("programme", args=[programme.pk])))


@login_required
@require_http_methods(["GET", "POST"])
def programme_texts(request: HttpRequest, pk: int) -> HttpResponse:
    """The publication's texts: foreword, introduction, method, the elements' definitions and
    the chapters' introductions."""
    programme = programme_for_user(user=request.user, pk=pk, need=Permission.ANALYSE)
    elements = publication_elements(programme=programme)
    keys = [e.key for e in elements]
    definitions = dict(programme.elements.values_list("key", "definition"))
    form, saved = edit_form(
        request,
        partial(PublicationTextsForm, element_keys=keys),
        initial=lambda: {
            **{name: getattr(programme, name) for name, _label in PUBLICATION_TEXT_LABELS},
            **{f"definition-{k}": definitions.get(k, "") for k in keys},
        },
        save=lambda data: programme_texts_update(
            programme=programme,
            texts={name: data[name] for name, _label in PUBLICATION_TEXT_LABELS},
            definitions={k: data[f"definition-{k}"] for k in keys},
        ),
        success=_("Texts of the publication saved."),
    )
    if saved:
        return redirect("programme", pk=programme.pk)
    return render(
        request,
        "profiles/programme_texts.html",
        {
            "programme": programme,
            "form": form,
            "text_fields": [(form[name], label) for name, label in PUBLICATION_TEXT_LABELS],
            "element_fields": [(form[f"definition-{e.key}"], e) for e in elements],
        },
        status=400 if request.method == "POST" else 200,
    )
