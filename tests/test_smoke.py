def test_home_page_answers(client):
    assert client.get("/").status_code == 200


def test_factory_builds_a_member(factory):
    coop = factory.coop()
    user = factory.member(coop)
    assert user.memberships[0].coop == coop


def test_the_site_has_a_favicon_for_browsers_that_ask_for_it(client):
    with client.get("/favicon.ico") as response:
        assert response.status_code == 200
        assert response.mimetype == "image/vnd.microsoft.icon"
        assert response.get_data()[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert 'rel="icon" href="/favicon.ico"' in client.get("/").get_data(as_text=True)
