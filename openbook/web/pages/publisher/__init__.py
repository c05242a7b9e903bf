"""The publisher pages (issue 8, item 2): signing in, the organisation's dashboard, notices
written through question pages, and API keys. Every page here needs a signed-in account; every
form carries the session's CSRF token."""
