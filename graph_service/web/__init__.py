"""The investigator workbench: the page, its scripts and the vendored libraries it uses."""
