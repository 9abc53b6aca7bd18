from django.urls import path

from gonghui.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("otp/", views.totp_verify, name="totp_verify"),
    path("otp/setup/", views.totp_setup, name="totp_setup"),
    path("otp/qr.svg", views.totp_qr, name="totp_qr"),
    path("password/", views.password_change, name="password_change"),
    path("switch/", views.switch, name="switch"),
    path("users/", views.users, name="users"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:user_id>/", views.user_detail, name="user"),
    path("users/<int:user_id>/edit/", views.user_edit, name="user_edit"),
    path("users/<int:user_id>/active/", views.user_toggle_active, name="user_active"),
    path("users/<int:user_id>/unlock/", views.user_unlock, name="user_unlock"),
    path("users/<int:user_id>/totp-reset/", views.user_totp_reset, name="user_totp_reset"),
    path("users/<int:user_id>/password/", views.user_reset_password, name="user_password"),
    path("users/<int:user_id>/grants/", views.grant_add, name="grant_add"),
    path("grants/<int:grant_id>/revoke/", views.grant_revoke, name="grant_revoke"),
]
