import pytest
from wagtail.models import Page, Locale, Site, Collection

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("n", [1, 2])
def test_probe(django_db_serialized_rollback, transactional_db, live_server, page, n):
    print(
        n,
        list(Page.objects.all()),
        list(Locale.objects.all()),
        list(Site.objects.all()),
        list(Collection.objects.all()),
    )
    page.goto(live_server.url + "/")
