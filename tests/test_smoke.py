def test_login_page_renders(client):
    response = client.get("/comptes/login/")
    assert response.status_code == 200
    assert "Se connecter" in response.content.decode() or "Connexion" in response.content.decode()
