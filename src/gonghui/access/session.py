"""Session keys of who is logging in and as what. The accounts app writes them; the shell
reads them (a login under way is personal, so its pages are never cached)."""

SESSION_GRANT = "grant_id"
# The user who gave the right password and still owes the second factor.
SESSION_PENDING = "pending_user_id"
