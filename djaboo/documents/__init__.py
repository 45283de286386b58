"""Documents: customers, invoices, estimates, their PDFs and public links, and sending them."""
