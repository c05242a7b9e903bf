"""The supplier pages (docs/suppliers.md, "Registering as a supplier"): a supplier registers
itself through question pages after proving its email address, then signs in to see and change
its details. Every form carries the session's CSRF token."""
