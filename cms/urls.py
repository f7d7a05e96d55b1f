from django.conf import settings
from django.urls import include, path
from django.views.i18n import set_language
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("langue/", set_language, name="set_language"),
    path("", include("learning.urls")),
]

if settings.DEBUG or getattr(settings, "PASAPAS_SERVE_MEDIA", False):
    # In production the reverse proxy serves /media/ (see README).
    from django.urls import re_path
    from django.views.static import serve

    def serve_media(request, path):
        return serve(request, path, document_root=settings.MEDIA_ROOT)

    urlpatterns += [re_path(r"^media/(?P<path>.*)$", serve_media)]

# Wagtail's page serving last: it answers every other URL.
urlpatterns += [path("", include(wagtail_urls))]
