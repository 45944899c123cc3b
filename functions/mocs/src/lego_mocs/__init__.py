"""MOC instructions CRUD, search and cache."""
