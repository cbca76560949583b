"""Documents, their versions and sharing (`documents`), template editing (`form_templates`)."""
