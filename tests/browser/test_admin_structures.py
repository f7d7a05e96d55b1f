"""The superuser's structure form in a real browser: the members' search box hides
the names that don't match, keeps the ticked ones, and runs under the admin's CSP."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_accounts import AxeAudit
from tests.browser.test_csp import Violations, sign_in_to_admin
from tests.factories import StructureFactory, UserFactory, learner, staff_member, trainer

pytestmark = pytest.mark.browser


def test_the_members_search_box_finds_a_trainer_and_keeps_the_ticked_ones(live_curriculum, page):
    base_url = live_curriculum.url
    structure = StructureFactory(name="Antenne du Centre")
    staff_member(structure, first_name="Paul", last_name="Durand")
    trainer(first_name="Nadia", last_name="Benali")
    trainer(first_name="Karim", last_name="Haddad")
    learner(structure=structure, first_name="Awa")
    boss = UserFactory(is_superuser=True, is_staff=True)

    sign_in_to_admin(page, base_url, boss)
    violations = Violations(page)
    violations.visit(f"{base_url}/admin/structures/edit/{structure.pk}/", "structure form")
    audit = AxeAudit(page)
    audit.check("structure form")
    members = page.locator("#id_members")
    expect(members).not_to_contain_text("Awa")  # a learner's account is never offered

    page.get_by_label("Chercher une personne").fill("nad")
    expect(members.get_by_text("Nadia Benali")).to_be_visible()
    expect(members.get_by_text("Karim Haddad")).to_be_hidden()
    expect(members.get_by_text("Paul Durand")).to_be_visible()  # ticked: stays in sight

    members.get_by_text("Nadia Benali").click()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Ajoutés : Nadia Benali")).to_be_visible()
    audit.check("structure form, confirming the members")
    assert list(structure.members.values_list("first_name", flat=True)) == ["Paul"]
    page.get_by_role("button", name="Enregistrer").click()
    expect(page).to_have_url(f"{base_url}/admin/structures/")
    assert set(structure.members.values_list("first_name", flat=True)) == {"Paul", "Nadia"}
    violations.check("structure saved")
    violations.assert_none()
    audit.assert_clean()
