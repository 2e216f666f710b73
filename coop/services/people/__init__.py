"""People: accounts, co-ops, councils, memberships and invitations."""
