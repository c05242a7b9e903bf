"""Documents (issue 4, item 5): publishers upload tender documents, contracts and their redacted
copies; the platform keeps each file once under its SHA-256, logs it, scans it for malware, and
serves it to everyone unless it is withheld (docs/documents.md)."""
