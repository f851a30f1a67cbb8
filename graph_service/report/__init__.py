"""Credit reports (信用报告) of one party, modelled on the national public credit report.

* :mod:`.reading` — what a report shows, read through the named queries GraphQL uses;
* :mod:`.chapters`, :mod:`.related`, :mod:`.assemble` — the report's data (pure);
* :mod:`.masked` — the data as the ``checker`` role may see it;
* :mod:`.network` — the network picture (SVG, pure);
* :mod:`.verification` — the data's digest signed with the receipt key, and its check;
* :mod:`.render` — HTML (Jinja2) and PDF (WeasyPrint, Noto CJK embedded);
* :mod:`.service` — make, audit and render: what the REST route and the CLI call.

See docs/reports.md.
"""
