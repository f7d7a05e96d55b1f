from django.conf import settings
from django.urls import include, path, re_path
from django.views.i18n import set_language
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls
from wagtail.documents.views.serve import serve as serve_document

from cms.uploads import untrusted_file

urlpatterns = [
    # Wagtail's site history, scoped to what the user may see: before Wagtail's own.
    path("", include("learning.admin_tenancy")),
    path("admin/", include(wagtailadmin_urls)),
    # Wagtail's document view, under its own name, with the headers of an uploaded file.
    re_path(r"^documents/(\d+)/(.*)$", untrusted_file(serve_document), name="wagtaildocs_serve"),
    path("documents/", include(wagtaildocs_urls)),
    path("langue/", set_language, name="set_language"),
    path("", include("learning.urls")),
]

if settings.DEBUG or getattr(settings, "PASAPAS_SERVE_MEDIA", False):
    # In production the reverse proxy serves /media/ with the same headers
    # (deploy/nginx-media.conf).
    from django.views.static import serve

    @untrusted_file
    def serve_media(request, path):
        return serve(request, path, document_root=settings.MEDIA_ROOT)

    urlpatterns += [re_path(r"^media/(?P<path>.*)$", serve_media)]

# Wagtail's page serving last: it answers every other URL.
urlpatterns += [path("", include(wagtail_urls))]
