"""``banco setup``'s flow: the questions it asks (prompts), the mail servers it finds (providers,
autoconfig), each step (mail, form, schedule), and the banco.toml it writes (toml_writer)."""
