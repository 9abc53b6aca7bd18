def test_it_serves_the_dashboard_to_a_chair(personas, login):
    client = login(personas.street_chair)
    response = client.get("/")
    assert response.status_code == 200
    assert "临江街道工会" in response.content.decode()
