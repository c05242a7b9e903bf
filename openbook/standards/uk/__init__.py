"""The UK's procurement notices (Procurement Act 2023, earlier regulations) and their rules."""
