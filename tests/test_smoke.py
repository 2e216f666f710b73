def test_home_page_answers(client):
    assert client.get("/").status_code == 200


def test_factory_builds_a_member(factory):
    coop = factory.coop()
    user = factory.member(coop)
    assert user.memberships[0].coop == coop
