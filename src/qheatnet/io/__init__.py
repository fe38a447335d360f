"""Reading and writing network files (TOML)."""
