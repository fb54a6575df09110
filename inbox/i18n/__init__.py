"""The maker's words in her language (English, Italian, French)."""
