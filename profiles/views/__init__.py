"""The organiser's city profile (per session) and programme pages (across sessions), one module
per feature: city_profile, points, programmes, publication, themes, recommendations (common: what
they share). profiles/urls.py names each view by its module.

Everything here is for the organiser (login): the projector key opens none of it.
"""
