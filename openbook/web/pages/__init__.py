"""The web pages (issue 8): public pages and publisher forms on the GOV.UK Design System.

Each page is one context function whose dict both renderings share (docs/pages.md): the HTML
page (a Jinja template using GOV.UK Frontend's macros) and its JSON twin (``?format=json`` or
``Accept: application/json``), so that the API covers everything a page shows.
"""
